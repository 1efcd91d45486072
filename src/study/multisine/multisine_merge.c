/* multisine_merge.c — the multisine studies' parts (--shard K/N): the sweep writes its pairs
 * exactly (mssweep-part.safetensors) and the merge recomputes the summary over every pair;
 * the single-model multisine study's parts hold whole models. report/merge.c writes the
 * joined result and its figures. */
#include "study/multisine/msheads.h"
#include "study/multisine/mssweep.h"
#include "study/multisine/multisine.h"
#include "study/common/shard.h"
#include "core/core.h"
#include "io/json.h"
#include "io/safetensors.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MSS_PART_FILE "mssweep-part.safetensors"

/* ------------------------------------------------------------------ the multisine sweep's parts */

/* the pair fields of a part file (index 2: periodic, an integer) */
enum { CL_MSS_NFIELDS = 9 };
static const char *MSS_FIELDS[CL_MSS_NFIELDS] = {"amplitude", "peak", "periodic", "strength", "spacing_hz",
                                                 "quefrency_s", "q", "context_mass", "max_share"};

static double *mss_field(cl_ms_head *h, int f) {
    switch (f) {
    case 0: return &h->amplitude;
    case 1: return &h->peak;
    case 3: return &h->sp.strength;
    case 4: return &h->sp.spacing_hz;
    case 5: return &h->sp.quefrency_s;
    case 7: return &h->mass;
    case 8: return &h->max_share;
    default: return &h->sp.q;
    }
}

int cl_mssweep_write_part(const cl_mssweep_result *r, const cl_shard *sh, const char *dir, cl_error *err) {
    int nd = 0;
    for (int c = 0; c < r->C; c++) nd += r->done[c];
    const size_t n = (size_t)nd * r->G;
    double *v = malloc(sizeof(double) * (n * CL_MSS_NFIELDS + (size_t)nd + 1));
    if (!v) return cl_error_set(err, CL_ENOMEM, "multisine-sweep: out of memory");
    double *ids = v + n * CL_MSS_NFIELDS;
    for (int c = 0, j = 0; c < r->C; c++) {
        if (!r->done[c]) continue;
        ids[j] = c;
        for (int g = 0; g < r->G; g++) {
            cl_ms_head h = r->h[(size_t)c * r->G + g];
            for (int f = 0; f < CL_MSS_NFIELDS; f++) v[f * n + (size_t)j * r->G + g] = f == 2 ? h.sp.periodic : *mss_field(&h, f);
        }
        j++;
    }
    st_writer *w = st_writer_new();
    int64_t s2[2] = {nd, r->G}, s1[1] = {nd}, sg[1] = {r->G};
    for (int f = 0; f < CL_MSS_NFIELDS; f++) st_writer_add(w, MSS_FIELDS[f], ST_F64, 2, s2, v + f * n);
    st_writer_add(w, "configs", ST_F64, 1, s1, ids);
    st_writer_add(w, "induction_score", ST_F64, 1, sg, r->ind);
    char path[4096];
    int rc = st_writer_save(w, cl_path_join(path, sizeof path, dir, MSS_PART_FILE), NULL, err);
    st_writer_free(w);
    free(v);
    if (rc) return rc;
    const cl_mssweep_opts *o = &r->opts;
    cJSON *x = cJSON_CreateObject(), *op = cJSON_AddObjectToObject(x, "options");
    cJSON_AddStringToObject(x, "model", r->model);
    cJSON_AddNumberToObject(x, "decoder_heads", r->G);
    cJSON_AddNumberToObject(x, "heads", r->heads);
    cJSON_AddNumberToObject(op, "configs", o->configs);
    cJSON_AddNumberToObject(op, "seed", (double)o->seed);
    cJSON_AddNumberToObject(op, "points", o->base.points);
    cJSON_AddNumberToObject(op, "duration_s", o->base.duration);
    if (r->bolt) cJSON_AddNumberToObject(op, "patches", r->sig_points); /* Chronos-Bolt: signals per patch */
    if (r->bolt == 2) cJSON_AddStringToObject(op, "family", "chronos2");  /* Chronos-2, read as Bolt */
    cJSON_AddNumberToObject(op, "noise", o->base.noise);
    cJSON_AddNumberToObject(op, "fmin", o->fmin);
    cJSON_AddNumberToObject(op, "fmax", o->fmax);
    cJSON_AddNumberToObject(op, "kmin", o->kmin);
    cJSON_AddNumberToObject(op, "kmax", o->kmax);
    cJSON_AddNumberToObject(op, "top_k", o->top_k);
    cJSON_AddNumberToObject(op, "batch", o->batch);
    cJSON_AddNumberToObject(op, "permutations", o->permutations);
    cJSON_AddNumberToObject(op, "min_strength", o->spacing.min_strength);
    cJSON_AddNumberToObject(op, "harmonic_ratio", o->spacing.harmonic_ratio);
    return cl_shard_write(dir, "multisine-sweep", sh, r->C, x, err);
}

int cl_multisine_merge_parts(const char *const *dirs, const cl_shard_part *p, int n, cl_multisine_result *out, cl_error *err) {
    cl_multisine_result *s = calloc((size_t)n, sizeof *s), m;
    memset(&m, 0, sizeof m);
    const int U = p[0].units;
    int rc = !s ? cl_error_set(err, CL_ENOMEM, "merge: out of memory") : 0;
    for (int i = 0; i < n && !rc; i++) rc = cl_multisine_read(dirs[i], &s[i], err);
    if (!rc) {
        m.opts = s[0].opts;
        m.bolt = s[0].bolt; /* the family and the signals' length (Chronos-Bolt: patches) */
        m.stride = s[0].stride;
        m.sig_points = s[0].sig_points;
        const size_t np = (size_t)m.opts.input.points;
        m.series = malloc(sizeof(double) * np);
        m.series_mag = malloc(sizeof(double) * np);
        m.models = calloc((size_t)U, sizeof *m.models);
        m.res = calloc((size_t)U, sizeof *m.res);
        if (!m.series || !m.series_mag || !m.models || !m.res) rc = cl_error_set(err, CL_ENOMEM, "merge: out of memory");
        else {
            memcpy(m.series, s[0].series, sizeof(double) * np);
            memcpy(m.series_mag, s[0].series_mag, sizeof(double) * np);
        }
    }
    int *next = calloc((size_t)n, sizeof(int));
    for (int u = 0; u < U && !rc; u++) {
        int i = cl_shard_part_of(p, n, u);
        if (!next || next[i] >= s[i].n) { rc = cl_error_set(err, CL_EFORMAT, "%s: fewer models than its part holds", dirs[i]); break; }
        m.models[u] = s[i].models[next[i]];
        m.res[u] = s[i].res[next[i]];
        memset(&s[i].res[next[i]], 0, sizeof s[i].res[0]);
        next[i]++;
        m.n = u + 1;
    }
    free(next);
    if (rc) cl_multisine_free(&m);
    else *out = m; /* the caller's now */
    for (int i = 0; s && i < n; i++) cl_multisine_free(&s[i]);
    free(s);
    return rc;
}

int cl_mssweep_merge_parts(const char *const *dirs, const cl_shard_part *p, int n, cl_mssweep_result *out, cl_error *err) {
    cl_mssweep_result r;
    memset(&r, 0, sizeof r);
    cl_mssweep_opts *o = &r.opts;
    cl_mssweep_default(o);
    char path[4096];
    cl_path_join(path, sizeof path, dirs[0], CL_SHARD_FILE);
    cl_jr j = {path, err, 0};
    const cJSON *op = cl_jr_obj(&j, p[0].root, "options");
    const char *model = cl_jr_str(&j, p[0].root, "model");
    if (model) snprintf(r.model, sizeof r.model, "%s", model);
    r.G = cl_jr_int(&j, p[0].root, "decoder_heads");
    r.heads = cl_jr_int(&j, p[0].root, "heads");
    o->configs = cl_jr_int(&j, op, "configs");
    o->seed = (uint64_t)cl_jr_num(&j, op, "seed");
    o->base.points = cl_jr_int(&j, op, "points");
    o->base.duration = cl_jr_num(&j, op, "duration_s");
    const cJSON *pat = cJSON_GetObjectItemCaseSensitive(op, "patches");
    const cJSON *pfam = cJSON_GetObjectItemCaseSensitive(op, "family");
    r.bolt = cJSON_IsNumber(pat) ? (cJSON_IsString(pfam) && !strcmp(pfam->valuestring, "chronos2") ? 2 : 1) : 0;
    r.sig_points = r.bolt ? pat->valueint : o->base.points;
    o->base.noise = cl_jr_num(&j, op, "noise");
    o->fmin = cl_jr_int(&j, op, "fmin");
    o->fmax = cl_jr_int(&j, op, "fmax");
    o->kmin = cl_jr_int(&j, op, "kmin");
    o->kmax = cl_jr_int(&j, op, "kmax");
    o->top_k = cl_jr_int(&j, op, "top_k");
    o->batch = cl_jr_int(&j, op, "batch");
    o->permutations = cl_jr_int(&j, op, "permutations");
    o->spacing.min_strength = cl_jr_num(&j, op, "min_strength");
    o->spacing.harmonic_ratio = cl_jr_num(&j, op, "harmonic_ratio");
    int rc = j.rc;
    if (!rc && (r.G < 1 || r.heads < 1 || o->configs < 1 || o->base.points < 8))
        rc = cl_error_set(err, CL_EFORMAT, "%s: sizes out of range", path);
    if (!rc) rc = cl_mssweep_configs(o, &r, NULL, err);
    if (!rc && (!(r.h = calloc((size_t)r.C * r.G, sizeof *r.h)) || !(r.ind = malloc(sizeof(double) * r.G))))
        rc = cl_error_set(err, CL_ENOMEM, "merge: out of memory");
    unsigned char *seen = rc ? NULL : calloc((size_t)r.C, 1);
    if (!rc && !seen) rc = cl_error_set(err, CL_ENOMEM, "merge: out of memory");
    for (int i = 0; i < n && !rc; i++) {
        st_file f;
        if ((rc = st_open(cl_path_join(path, sizeof path, dirs[i], MSS_PART_FILE), &f, err))) break;
        const st_tensor *ids = st_find(&f, "configs"), *ind = st_find(&f, "induction_score");
        const int nd = ids && ids->dtype == ST_F64 && ids->ndim == 1 ? (int)ids->shape[0] : -1;
        if (nd < 0 || !ind || ind->dtype != ST_F64 || (int)st_numel(ind) != r.G)
            rc = cl_error_set(err, CL_EFORMAT, "%s: not a multisine-sweep part (configs, induction_score)", path);
        const st_tensor *t[CL_MSS_NFIELDS];
        for (int q = 0; q < CL_MSS_NFIELDS && !rc; q++) {
            t[q] = st_find(&f, MSS_FIELDS[q]);
            if (!t[q] || t[q]->dtype != ST_F64 || st_numel(t[q]) != (size_t)nd * r.G)
                rc = cl_error_set(err, CL_EFORMAT, "%s: tensor '%s': missing or not (%d, %d) F64", path, MSS_FIELDS[q], nd, r.G);
        }
        if (!rc && i == 0) memcpy(r.ind, ind->data, sizeof(double) * r.G);
        for (int a = 0; a < nd && !rc; a++) {
            const double cd = ((const double *)ids->data)[a];
            const int c = (int)cd;
            if (cd != c || c < 0 || c >= r.C || seen[c] || cl_shard_part_of(p, n, c / (o->batch > 0 ? o->batch : 1)) != i) {
                rc = cl_error_set(err, CL_EFORMAT, "%s: configuration %g: not one of this part's", path, cd);
                break;
            }
            seen[c] = 1;
            for (int g = 0; g < r.G; g++) {
                cl_ms_head *h = &r.h[(size_t)c * r.G + g];
                for (int q = 0; q < CL_MSS_NFIELDS; q++) {
                    double v = ((const double *)t[q]->data)[(size_t)a * r.G + g];
                    if (q == 2) h->sp.periodic = (int)v;
                    else *mss_field(h, q) = v;
                }
            }
        }
        st_close(&f);
    }
    for (int c = 0; c < r.C && !rc; c++)
        if (!seen[c]) rc = cl_error_set(err, CL_EFORMAT, "merge: configuration %d is in no part", c);
    free(seen);
    if (!rc) rc = cl_mssweep_summary(&r, err);
    if (rc) cl_mssweep_free(&r);
    else *out = r; /* the caller's now */
    return rc;
}

