/* context_io.c — the context CSV as a study input (cl_context). */
#include "chronolens_study.h"
#include "core/core.h"
#include "io/csv.h"

#include <stdlib.h>
#include <string.h>

int cl_context_read(const char *path, cl_context *s, cl_error *err) {
    memset(s, 0, sizeof *s);
    int rc = csv_read_context(path, &s->values, &s->B, &s->L, &s->names, err);
    if (rc) return rc;
    if (!(s->path = strdup(path))) {
        cl_context_free(s);
        return cl_error_set(err, CL_ENOMEM, "%s: out of memory", path);
    }
    if (s->L == 0) {
        cl_context_free(s);
        return cl_error_set(err, CL_EFORMAT, "%s: no values", path);
    }
    return 0;
}

int cl_context_check_model(const cl_context *s, const cl_model *m, cl_error *err) {
    return cl_context_check(m ? cl_model_config(m) : NULL, s->values, s->B, s->L, s->path, s->names, err);
}

void cl_context_free(cl_context *s) {
    if (!s) return;
    csv_free_names(s->names, s->B);
    cl_free(s->values);
    free(s->path);
    memset(s, 0, sizeof *s);
}
