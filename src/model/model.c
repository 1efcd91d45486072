/* model.c — a loaded cl_model's checks, freeing and read accessors (no family needed: the
 * passes call cl_model_check_files after reading the weights). */
#include "model/model.h"
#include "core/core.h"

#include <stdlib.h>

int cl_model_check_files(const cl_model *m, cl_error *err) {
    for (int i = 0; i < m->nfiles; i++)
        if (st_check(&m->files[i], err)) return CL_EIO;
    if (m->bf16_cache && st_check(m->bf16_cache, err)) return CL_EIO;
    return 0;
}

void cl_model_free(cl_model *m) {
    if (!m) return;
    for (int i = 0; i < m->nowned; i++) cl_free(m->owned[i]);
    free(m->owned);
    for (int i = 0; i < m->nfiles; i++) st_close(&m->files[i]);
    if (m->bf16_cache) st_close(m->bf16_cache);
    free(m->bf16_cache);
    free(m->files);
    free(m->enc);
    free(m->dec);
    free(m);
}

const cl_config *cl_model_config(const cl_model *m) { return &m->cfg; }
size_t cl_model_param_count(const cl_model *m) { return m->nparams; }
const char *cl_model_dtype(const cl_model *m) { return m->dtype; }
size_t cl_model_owned_bytes(const cl_model *m) { return m->owned_bytes; }
cl_precision cl_model_precision(const cl_model *m) { return m->precision; }
