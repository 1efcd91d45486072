/* claims_ms.c — reading the multisine results the claims use (claims.h: cl_ms_data_read):
 * `chronolens multisine`'s multisine.csv and `multisine-sweep`'s sweep.csv, by column name. */
#include "claims/claims.h"
#include "study/common/csv_record.h"
#include "core/core.h"
#include "io/json.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void cl_ms_data_free(cl_ms_data *d) {
    for (int i = 0; i < d->n; i++) {
        free(d->m[i].ref[0]);
        free(d->m[i].ref[1]);
        free(d->m[i].sweep);
    }
    free(d->m);
    memset(d, 0, sizeof *d);
}

static int exists(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

enum { K_MODEL, K_CONFIG, K_LAYER, K_HEAD, K_GAP, K_GAPGCD, K_FREQGCD, K_ND, K_AMP, K_PERIODIC, K_STRENGTH, K_SPACING,
       K_MASS, K_SHARE, NK };
static const char *KEY[NK] = {"model", "config", "layer", "head", "smallest_gap_hz", "gap_gcd_hz", "freq_gcd_hz",
                              "non_divisor", "amplitude", "periodic", "strength", "spacing_hz", "context_mass", "max_share"};

/* empty cell: NaN; else a finite number */
static int cell_num(const char *s, double *v) {
    if (!*s) { *v = NAN; return 0; }
    char *e;
    errno = 0;
    *v = strtod(s, &e);
    return *e || errno == ERANGE || !isfinite(*v) ? -1 : 0;
}

/* Reads path; rows of `model` (when the file has a model column; else every row) are
 * appended to *obs. sweep: the multisine-sweep format (config column required). */
static int read_obs(const char *path, const char *model, int sweep, cl_ms_obs **obs, int *n, cl_error *err) {
    char *text;
    size_t len;
    if (cl_read_file(path, (size_t)256 << 20, &text, &len, err)) return CL_EIO;
    static char f[CL_CSV_FIELDS][CL_CSV_FIELD];
    const char *p = text, *end = text + len, *why = NULL;
    int col[NK], line = 1, rc = 0, cap = 0;
    for (int k = 0; k < NK; k++) col[k] = -1;
    int nh = cl_csv_record(&p, end, f, &why);
    if (nh < 0) rc = cl_error_set(err, CL_EFORMAT, "%s:1: %s", path, why);
    for (int i = 0; i < nh && !rc; i++) {
        cl_csv_trim(f[i]);
        for (int k = 0; k < NK; k++)
            if (!strcmp(f[i], KEY[k])) col[k] = i;
    }
    static const int need_ref[] = {K_LAYER, K_HEAD, K_GAP, K_AMP, K_PERIODIC, K_SPACING};
    static const int need_sw[] = {K_CONFIG, K_LAYER, K_HEAD, K_GAP, K_GAPGCD, K_FREQGCD, K_ND, K_AMP, K_PERIODIC, K_SPACING};
    const int *need = sweep ? need_sw : need_ref, nneed = sweep ? 10 : 6;
    for (int i = 0; i < nneed && !rc; i++)
        if (col[need[i]] < 0) rc = cl_error_set(err, CL_EFORMAT, "%s:1: missing column '%s'", path, KEY[need[i]]);
    while (!rc && p < end) {
        line++;
        const char *start = p;
        int nf = cl_csv_record(&p, end, f, &why);
        if (nf < 0) { rc = cl_error_set(err, CL_EFORMAT, "%s:%d: %s", path, line, why); break; }
        if (nf == 1 && !f[0][0] && p - start <= 2) continue;
        if (nf != nh) { rc = cl_error_set(err, CL_EFORMAT, "%s:%d: %d cells, the header has %d", path, line, nf, nh); break; }
        for (int i = 0; i < nf; i++) cl_csv_trim(f[i]);
        if (col[K_MODEL] >= 0 && strcmp(f[col[K_MODEL]], model)) continue;
        double x[NK];
        for (int k = 0; k < NK && !rc; k++) {
            x[k] = NAN;
            if (k == K_MODEL || col[k] < 0) continue;
            if (cell_num(f[col[k]], &x[k])) rc = cl_error_set(err, CL_EFORMAT, "%s:%d: %s: not a number", path, line, KEY[k]);
        }
        if (rc) break;
        if (isnan(x[K_LAYER]) || isnan(x[K_HEAD]) || x[K_LAYER] < 0 || x[K_HEAD] < 0 || x[K_LAYER] > INT_MAX ||
            x[K_HEAD] > INT_MAX || (sweep && (isnan(x[K_CONFIG]) || x[K_CONFIG] < 0 || x[K_CONFIG] > 1e7))) {
            rc = cl_error_set(err, CL_EFORMAT, "%s:%d: layer, head%s: not integers >= 0", path, line, sweep ? ", config" : "");
            break;
        }
        if (*n == cap) {
            cap = cap ? 2 * cap : 256;
            cl_ms_obs *q = realloc(*obs, sizeof *q * (size_t)cap);
            if (!q) { rc = cl_error_set(err, CL_ENOMEM, "%s: out of memory", path); break; }
            *obs = q;
        }
        cl_ms_obs *o = &(*obs)[(*n)++];
        o->config = sweep ? (int)x[K_CONFIG] : -1;
        o->layer = (int)x[K_LAYER];
        o->head = (int)x[K_HEAD];
        o->gap = x[K_GAP];
        o->gap_gcd = x[K_GAPGCD];
        o->freq_gcd = x[K_FREQGCD];
        o->non_divisor = x[K_ND] == 1;
        o->amplitude = x[K_AMP];
        o->strength = x[K_STRENGTH];
        o->periodic = x[K_PERIODIC] == 1;
        o->spacing_hz = x[K_SPACING];
        o->mass = x[K_MASS];
        o->max_share = x[K_SHARE];
    }
    free(text);
    return rc;
}

/* 1 / the input's duration in the multisine.json beside a multisine.csv (its spectral
 * resolution, the claims' tolerance); 0 (the default 1/3 Hz) without one. */
static double input_tol(const char *csv) {
    char js[PATH_MAX];
    snprintf(js, sizeof js, "%s", csv);
    char *slash = strrchr(js, '/');
    snprintf(slash ? slash + 1 : js, sizeof js - (size_t)(slash ? slash + 1 - js : 0), "multisine.json");
    cJSON *root;
    cl_error e;
    if (!exists(js) || cl_json_load(js, &root, &e)) return 0;
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "input"), "duration_s");
    double t = cJSON_IsNumber(d) && d->valuedouble > 0 && isfinite(d->valuedouble) ? 1 / d->valuedouble : 0;
    cJSON_Delete(root);
    return t;
}

int cl_ms_data_read(const char *dir, const char *const *models, int n_models, cl_ms_data *d, cl_error *err) {
    memset(d, 0, sizeof *d);
    d->tol_hz = 1.0 / 3;
    d->m = calloc((size_t)(n_models > 0 ? n_models : 1), sizeof *d->m);
    if (!d->m) return cl_error_set(err, CL_ENOMEM, "multisine: out of memory");
    d->n = n_models;
    char a[PATH_MAX], b[PATH_MAX], sub[PATH_MAX];
    /* per input: the report's folder, the plain file, a report's Chronos-Bolt folder */
    /* and a report's Chronos-2 folder */
    static const char *REF[2][4] = {{"multisine/multisine.csv", "multisine.csv", "multisine-bolt/multisine.csv",
                                     "multisine-chronos2/multisine.csv"},
                                    {"multisine-notebook/multisine.csv", "multisine-notebook.csv",
                                     "multisine-notebook-bolt/multisine.csv", "multisine-notebook-chronos2/multisine.csv"}};
    int rc = 0;
    for (int k = 0; k < n_models && !rc; k++) {
        cl_ms_model *m = &d->m[k];
        snprintf(m->model, sizeof m->model, "%s", models[k]);
        for (int s = 0; s < 2 && !rc; s++) {
            cl_path_join(a, sizeof a, dir, REF[s][0]);
            cl_path_join(b, sizeof b, dir, REF[s][1]);
            const char *p = exists(a) ? a : exists(b) ? b : NULL;
            const int had = m->n_ref[s];
            if (p) rc = read_obs(p, models[k], 0, &m->ref[s], &m->n_ref[s], err);
            for (int fa = 2; fa < 4 && !rc; fa++) /* a Bolt model, a Chronos-2 model */
                if (m->n_ref[s] == had && exists(cl_path_join(a, sizeof a, dir, REF[s][fa])))
                    rc = read_obs(p = a, models[k], 0, &m->ref[s], &m->n_ref[s], err);
            if (!rc && s == 0 && m->n_ref[s] > had) m->tol_hz = input_tol(p);
        }
        snprintf(sub, sizeof sub, "multisine-sweep/%s/sweep.csv", models[k]);
        cl_path_join(a, sizeof a, dir, sub);
        snprintf(sub, sizeof sub, "%s/sweep.csv", models[k]);
        cl_path_join(b, sizeof b, dir, sub);
        const char *p = exists(a) ? a : exists(b) ? b : NULL;
        if (!rc && p) rc = read_obs(p, models[k], 1, &m->sweep, &m->n_sweep, err);
    }
    if (rc) cl_ms_data_free(d);
    return rc;
}
