/* induction_set.c — the memory of the multi-model sets (cl_induction_set, cl_sweep_set):
 * made by the runs (induction_study.c) and the readers (induction_io.c), freed here. */
#include "study/induction/induction.h"
#include "study/induction/sweep.h"
#include "core/core.h"

#include <stdlib.h>
#include <string.h>

int cl_study_set_alloc(int n, cl_study_model **models, void **res, size_t res_size, const cl_study_model *info,
                       cl_error *err) {
    *models = calloc((size_t)(n > 0 ? n : 1), sizeof **models);
    *res = calloc((size_t)(n > 0 ? n : 1), res_size);
    if (!*models || !*res) return cl_error_set(err, CL_ENOMEM, "out of memory");
    if (info) memcpy(*models, info, sizeof **models * (size_t)n);
    return 0;
}

void cl_induction_set_free(cl_induction_set *s) {
    for (int k = 0; s->res && k < s->n; k++) cl_induction_free(&s->res[k]);
    free(s->res);
    free(s->models);
    memset(s, 0, sizeof *s);
}

void cl_sweep_set_free(cl_sweep_set *s) {
    for (int k = 0; s->res && k < s->n; k++) cl_sweep_free(&s->res[k]);
    free(s->res);
    free(s->models);
    memset(s, 0, sizeof *s);
}
