/* json.c — JSON output files, written atomically. */
#include "json.h"
#include "../core/core.h"

#include <stdio.h>
#include <stdlib.h>

int cl_json_save(const char *path, const cJSON *root, cl_error *err) {
    char *text = cJSON_Print(root);
    if (!text) return cl_error_set(err, CL_ENOMEM, "%s: out of memory", path);
    cl_out o;
    int rc = cl_out_open(&o, path, err);
    if (!rc) {
        fputs(text, o.fp);
        fputc('\n', o.fp);
        rc = cl_out_commit(&o, err);
    }
    cJSON_free(text);
    return rc;
}
