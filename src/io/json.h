/* json.h — JSON output files. */
#ifndef CL_JSON_H
#define CL_JSON_H

#include "chronolens.h"
#include <cjson/cJSON.h>

/* Writes root, pretty-printed with a final newline, to path atomically (temporary name,
 * rename on success). root stays the caller's. */
int cl_json_save(const char *path, const cJSON *root, cl_error *err);

#endif
