/* report_claims.c — a report's scores table and its claims (report_claims.h). */
#include "report_claims.h"
#include "../core/core.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

double cl_json_num(const cJSON *o, const char *path) {
    char key[128];
    while (o && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (n >= sizeof key) return NAN;
        memcpy(key, path, n);
        key[n] = 0;
        o = cJSON_GetObjectItemCaseSensitive(o, key);
        path += n + (dot != NULL);
    }
    return cJSON_IsNumber(o) ? o->valuedouble : NAN;
}

int cl_report_claims(const char *dir, const char *const *models, int n_models, cl_verdicts *out, cl_error *err) {
    static const char *PART[3] = {"data/induction/scores.csv", "data/induction-all/scores.csv", "data/sweep/scores.csv"};
    char path[PATH_MAX];
    cl_scores all = {0};
    memset(out, 0, sizeof *out);
    int rc = 0;
    for (int i = 0; i < 3 && !rc; i++) {
        struct stat st;
        cl_path_join(path, sizeof path, dir, PART[i]);
        if (i == 1 && stat(path, &st) != 0) continue; /* an older report: no all-token step */
        cl_scores t;
        rc = cl_scores_read(path, &t, err);
        if (!rc) rc = cl_scores_merge(&all, &t, err);
        cl_scores_free(&t);
    }
    if (!rc) rc = cl_scores_write(cl_path_join(path, sizeof path, dir, "data/scores.csv"), &all, err);
    cl_ms_data ms = {0};
    if (!rc) rc = cl_ms_data_read(cl_path_join(path, sizeof path, dir, "data"), models, n_models, &ms, err);
    if (!rc) rc = cl_claims_run(&all, &ms, NULL, out, err);
    if (!rc) rc = cl_verdicts_write_json(cl_path_join(path, sizeof path, dir, "data/claims.json"), out, err);
    if (!rc) rc = cl_verdicts_write_csv(cl_path_join(path, sizeof path, dir, "data/claims.csv"), out, err);
    cl_ms_data_free(&ms);
    cl_scores_free(&all);
    return rc;
}
