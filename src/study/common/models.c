/* models.c — the models of a study: their names (from the folder, or given) and loading the
 * ones a part (--shard K/N) runs. One place for every study. */
#include "chronolens_study.h"
#include "core/core.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void cl_study_model_name(const char *dir, char *buf, size_t n) {
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/') len--;
    size_t b = len;
    while (b > 0 && dir[b - 1] != '/') b--;
    if (b == len) { snprintf(buf, n, "model"); return; }
    /* a Hugging Face cache snapshot, .../models--ORG--NAME/snapshots/HASH: NAME, not the hash */
    if (b >= 11 && !strncmp(dir + b - 11, "/snapshots/", 11)) {
        size_t e = b - 11, s = e;
        while (s > 0 && dir[s - 1] != '/') s--;
        if (e - s > 8 && !strncmp(dir + s, "models--", 8)) {
            const char *last = dir + s;
            for (const char *q = dir + s; q + 1 < dir + e; q++)
                if (q[0] == '-' && q[1] == '-') last = q + 2;
            if (last < dir + e) { snprintf(buf, n, "%.*s", (int)(dir + e - last), last); return; }
        }
    }
    snprintf(buf, n, "%.*s", (int)(len - b), dir + b);
}

int cl_study_name_check(const char *name, cl_error *err) {
    if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..") || strlen(name) > 100)
        return cl_error_set(err, CL_EINVAL, "name '%.100s': a name is 1 to 100 characters, no '/' (it is used in file names)",
                            name);
    return 0;
}

int cl_study_models_load(const char *const *dirs, const char *const *names, int n, const cl_shard *shard,
                         const cl_load_opts *lo, cl_model **m, cl_study_model *info, cl_error *err) {
    if (n < 1 || n > CL_STUDY_MAX_MODELS) return cl_error_set(err, CL_EINVAL, "%d models: 1 to %d", n, CL_STUDY_MAX_MODELS);
    memset(m, 0, sizeof *m * (size_t)n);
    for (int k = 0; k < n; k++) {
        memset(&info[k], 0, sizeof info[k]);
        snprintf(info[k].path, sizeof info[k].path, "%s", dirs[k]);
        info[k].parameters = NAN;
        info[k].sampling = -1;
        int rc = 0;
        if (names && names[k]) {
            rc = cl_study_name_check(names[k], err);
            snprintf(info[k].name, sizeof info[k].name, "%s", names[k]);
        } else cl_study_model_name(dirs[k], info[k].name, sizeof info[k].name);
        /* every model is named (a repeated name is refused); only the shard's are loaded */
        if (!rc && cl_shard_has(shard, k)) {
            rc = cl_model_load(dirs[k], lo, &m[k], err);
            if (!rc) info[k].parameters = (double)cl_model_param_count(m[k]);
        }
        for (int j = 0; j < k && !rc; j++)
            if (!strcmp(info[j].name, info[k].name))
                rc = cl_error_set(err, CL_EINVAL, "--model: two models are named '%s' (give each its own --name)",
                                  info[k].name);
        if (rc) {
            for (int j = 0; j <= k; j++) { cl_model_free(m[j]); m[j] = NULL; }
            return rc;
        }
    }
    return 0;
}

