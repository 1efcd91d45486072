/* json.h — JSON output files. */
#ifndef CL_JSON_H
#define CL_JSON_H

#include "chronolens.h"
#include "core/export.h"
#include <cjson/cJSON.h>

/* Writes root, pretty-printed with a final newline, to path atomically (temporary name,
 * rename on success). root stays the caller's. */
CL_INTERNAL int cl_json_save(const char *path, const cJSON *root, cl_error *err);
/* Writes root as cl_json_save does, then frees it (root may be NULL: out of memory). */
CL_INTERNAL int cl_json_save_free(const char *path, cJSON *root, cl_error *err);
/* A JSON number, or null when not finite (read back as NaN by cl_jr_num). */
CL_INTERNAL cJSON *cl_json_num_or_null(double v);

/* Reads and parses a JSON file (at most 256 MiB); the caller frees *out with cJSON_Delete. */
CL_INTERNAL int cl_json_load(const char *path, cJSON **out, cl_error *err);

/* Typed reading of a study's file: every key is required, with its type. The first problem
 * is kept in err as "<path>: key '<key>': missing or not a <type>" and rc set; getters
 * called after an error return 0/NULL, so a reader checks rc once at the end. A JSON null
 * where a number is expected reads as NaN (writers write null for non-finite numbers). */
typedef struct cl_jr { const char *path; cl_error *err; int rc; } cl_jr;
CL_INTERNAL double cl_jr_num(cl_jr *r, const cJSON *o, const char *key);
CL_INTERNAL int cl_jr_int(cl_jr *r, const cJSON *o, const char *key);
CL_INTERNAL int cl_jr_bool(cl_jr *r, const cJSON *o, const char *key);
CL_INTERNAL const char *cl_jr_str(cl_jr *r, const cJSON *o, const char *key);
CL_INTERNAL const cJSON *cl_jr_obj(cl_jr *r, const cJSON *o, const char *key);
/* An array; n (may be NULL) receives its length. */
CL_INTERNAL const cJSON *cl_jr_arr(cl_jr *r, const cJSON *o, const char *key, int *n);
/* Item i of array a as a number (null: NaN). */
CL_INTERNAL double cl_jr_item_num(cl_jr *r, const cJSON *a, int i);
/* An array of 1 to max numbers (null: NaN) into out; returns how many (0 after an error). */
CL_INTERNAL int cl_jr_doubles(cl_jr *r, const cJSON *o, const char *key, double *out, int max);
/* The precision of the products a study ran in ("fp32" or "bf16"). The one optional key:
 * files written before the precision was recorded lack it and read as CL_FP32. */
CL_INTERNAL cl_precision cl_jr_precision(cl_jr *r, const cJSON *o, const char *key);
/* Records a problem of the file (first one kept); returns r->rc. */
CL_INTERNAL int cl_jr_fail(cl_jr *r, const char *what, const char *key);

#endif
