/* context_check.c — a context the model can read without leaving float32: every value finite
 * (or NaN, missing), each series' scale as its family computes it finite (the table's
 * context_scale: for Chronos-T5 the largest value it can forecast at that scale too). One
 * check for every way a context comes in: the commands' CSV (through the studies) and the
 * Python package's arrays. */
#include "chronolens.h"
#include "model/family.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* The series as the user knows it: by name and column in a file, by row in an array. */
static void series_label(char *buf, size_t n, const char *path, char *const *names, int b) {
    if (path && names) snprintf(buf, n, "%s: series '%.200s' (column %d)", path, names[b], b + 1);
    else if (path) snprintf(buf, n, "%s: series %d (column %d)", path, b, b + 1);
    else snprintf(buf, n, "context: series %d", b);
}

int cl_context_check(const cl_config *cfg, const float *context, int B, int L, const char *path,
                     char *const *names, cl_error *err) {
    const int code = path ? CL_EFORMAT : CL_EINVAL; /* a file's content, or an argument */
    if (B < 1 || L < 1) return cl_error_set(err, code, "%s: context of %d series x %d values", path ? path : "context", B, L);
    char who[320];
    for (int b = 0; b < B; b++) {
        const float *x = context + (size_t)b * L;
        for (int t = 0; t < L; t++)
            if (isinf(x[t])) {
                series_label(who, sizeof who, path, names, b);
                return cl_error_set(err, code, "%s: value %d is not finite in float32 (NaN marks a missing value)", who, t);
            }
    }
    if (!cfg) return 0;
    const cl_family *fam = cl_family_of(cfg->family);
    const int n = L < cfg->context_length ? L : cfg->context_length;
    float *scratch = malloc(sizeof(float) * (size_t)n);
    if (!scratch) return cl_error_set(err, CL_ENOMEM, "context: out of memory");
    int rc = 0;
    for (int b = 0; b < B && !rc; b++)
        if (isnan(fam->context_scale(cfg, context + (size_t)b * L + (L - n), n, scratch))) {
            char rule[200];
            fam->scale_rule(cfg, n, rule, sizeof rule);
            series_label(who, sizeof who, path, names, b);
            rc = cl_error_set(err, code, "%s: values overflow float32 when scaled (%s)", who, rule);
        }
    free(scratch);
    return rc;
}
