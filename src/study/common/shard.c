/* shard.c — parts of a study (--shard K/N) and their merge (chronolens merge). A part writes
 * its study's files for its units and shard.json (study, part, of, units, and what the merge
 * needs that the files do not hold); the multisine sweep, whose summary is over every pair,
 * writes its pairs exactly (mssweep-part.safetensors) and the merge recomputes the summary.
 * The merge writes exactly the files of one run: the same numbers for the same seed. */
#include "study/induction/induction.h"
#include "study/multisine/msheads.h"
#include "study/multisine/mssweep.h"
#include "study/multisine/multisine.h"
#include "study/common/shard.h"
#include "study/induction/sweep.h"
#include "core/core.h"
#include "core/parse.h"
#include "io/json.h"
#include "io/safetensors.h"
#include "report/fig_induction.h"
#include "report/fig_multisine.h"
#include "report/fig_offsets.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SHARD_FILE "shard.json"
#define MSS_PART_FILE "mssweep-part.safetensors"

int cl_shard_parse(const char *text, cl_shard *s, cl_error *err) {
    long k = 0, n = 0;
    char *end;
    k = strtol(text, &end, 10);
    if (end != text && *end == '/') n = strtol(end + 1, &end, 10); else end = (char *)text;
    if (*end || k < 1 || n < 1 || k > n || n > 100000)
        return cl_error_set(err, CL_EINVAL, "option --shard: '%.100s' is not K/N with 1 <= K <= N <= 100000", text);
    s->k = (int)k;
    s->n = (int)n;
    return 0;
}

int cl_shard_write(const char *dir, const char *study, const cl_shard *s, int units, void *extra_json, cl_error *err) {
    char path[4096];
    cJSON *root = extra_json ? (cJSON *)extra_json : cJSON_CreateObject();
    cJSON_AddStringToObject(root, "study", study);
    cJSON_AddNumberToObject(root, "part", s->k);
    cJSON_AddNumberToObject(root, "of", s->n);
    cJSON_AddNumberToObject(root, "units", units);
    return cl_json_save_free(cl_path_join(path, sizeof path, dir, SHARD_FILE), root, err);
}

int cl_shard_present(const char *dir) {
    char path[4096];
    struct stat st;
    return stat(cl_path_join(path, sizeof path, dir, SHARD_FILE), &st) == 0;
}

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

/* ------------------------------------------------------------------ merge */

typedef struct part { cJSON *root; int k, n, units; const char *study; } part;

static int parts_load(const char *const *dirs, int n, part *p, cl_error *err) {
    for (int i = 0; i < n; i++) {
        char path[4096];
        cl_path_join(path, sizeof path, dirs[i], SHARD_FILE);
        if (cl_json_load(path, &p[i].root, err)) return CL_EFORMAT;
        cl_jr j = {path, err, 0};
        p[i].study = cl_jr_str(&j, p[i].root, "study");
        p[i].k = cl_jr_int(&j, p[i].root, "part");
        p[i].n = cl_jr_int(&j, p[i].root, "of");
        p[i].units = cl_jr_int(&j, p[i].root, "units");
        if (j.rc) return j.rc;
        if (strcmp(p[i].study, p[0].study) || p[i].n != p[0].n || p[i].units != p[0].units)
            return cl_error_set(err, CL_EINVAL, "%s: part of another run (%s, %d parts, %d units) than %s", dirs[i], p[i].study,
                                p[i].n, p[i].units, dirs[0]);
        if (p[i].n != n) return cl_error_set(err, CL_EINVAL, "%s: part %d of %d, but %d parts given", dirs[i], p[i].k, p[i].n, n);
        for (int j2 = 0; j2 < i; j2++)
            if (p[j2].k == p[i].k) return cl_error_set(err, CL_EINVAL, "%s and %s: both are part %d", dirs[j2], dirs[i], p[i].k);
    }
    return 0;
}

/* the part (index into p) that holds unit u */
static int part_of(const part *p, int n, int u) {
    for (int i = 0; i < n; i++)
        if (u % p[i].n == p[i].k - 1) return i;
    return -1;
}

/* `induction --offsets` parts: their offsets.json units (model k, offset j), unit k*n_off + j */
static int merge_offsets(const char *const *dirs, const part *p, int n, const char *out, cl_error *err) {
    cl_rrp_offsets_set *s = calloc((size_t)n, sizeof *s);
    int rc = !s ? cl_error_set(err, CL_ENOMEM, "merge: out of memory") : 0;
    for (int i = 0; i < n && !rc; i++) rc = cl_rrp_offsets_read(dirs[i], &s[i], err);
    cl_rrp_offsets_set *m = s; /* the first part's set takes the others' units */
    const int U = rc ? 0 : m->n * m->n_off;
    for (int i = 0; i < n && !rc; i++) {
        const cJSON *ou = cJSON_GetObjectItemCaseSensitive(p[i].root, "offset_units");
        if (!cJSON_IsNumber(ou) || ou->valuedouble != U)
            rc = cl_error_set(err, CL_EFORMAT, "%s/" SHARD_FILE ": offset_units is not the %d units of %s/offsets.json",
                              dirs[i], U, dirs[0]);
    }
    for (int i = 1; i < n && !rc; i++)
        if (s[i].n != m->n || s[i].n_off != m->n_off || memcmp(s[i].offsets, m->offsets, sizeof(int) * (size_t)m->n_off))
            rc = cl_error_set(err, CL_EFORMAT, "%s: other offsets or other models than %s", dirs[i], dirs[0]);
    for (int k = 0; k < m->n && !rc; k++) {
        double seconds = 0; /* each part ran some of the model's offsets */
        for (int i = 0; i < n && !rc; i++) {
            if (strcmp(s[i].models[k].name, m->models[k].name))
                rc = cl_error_set(err, CL_EFORMAT, "%s: model %d is %s, in %s %s", dirs[i], k + 1, s[i].models[k].name, dirs[0],
                                  m->models[k].name);
            seconds += s[i].models[k].seconds;
        }
        m->models[k].seconds = seconds;
    }
    for (int u = 0; u < U && !rc; u++) {
        int i = part_of(p, n, u);
        if (s[i].done && !s[i].done[u]) { /* done NULL: the part holds every unit */
            rc = cl_error_set(err, CL_EFORMAT, "%s: offset %d of model %s missing", dirs[i], m->offsets[u % m->n_off],
                              m->models[u / m->n_off].name);
            break;
        }
        if (i == 0) continue; /* already in place */
        cl_induction_free(&m->res[u]);
        m->res[u] = s[i].res[u]; /* moved, not shared */
        memset(&s[i].res[u], 0, sizeof s[i].res[u]);
    }
    if (!rc) { free(m->done); m->done = NULL; }
    if (!rc) rc = cl_rrp_offsets_write(m, out, err);
    if (!rc) rc = cl_fig_offsets(m, out, err);
    for (int i = 0; s && i < n; i++) cl_rrp_offsets_free(&s[i]);
    free(s);
    return rc;
}

static int merge_induction(const char *const *dirs, const part *p, int n, const char *out, cl_error *err) {
    cl_induction_set *s = calloc((size_t)n, sizeof *s), m;
    memset(&m, 0, sizeof m);
    const int U = p[0].units;
    int rc = !s ? cl_error_set(err, CL_ENOMEM, "merge: out of memory") : 0;
    for (int i = 0; i < n && !rc; i++) rc = cl_induction_read(dirs[i], &s[i], err);
    if (!rc) {
        m.opts = s[0].opts;
        m.models = calloc((size_t)U, sizeof *m.models);
        m.res = calloc((size_t)U, sizeof *m.res);
        if (!m.models || !m.res) rc = cl_error_set(err, CL_ENOMEM, "merge: out of memory");
    }
    int *next = calloc((size_t)n, sizeof(int));
    for (int u = 0; u < U && !rc; u++) {
        int i = part_of(p, n, u);
        if (!next || next[i] >= s[i].n) { rc = cl_error_set(err, CL_EFORMAT, "%s: fewer models than its part holds", dirs[i]); break; }
        m.models[u] = s[i].models[next[i]];
        m.res[u] = s[i].res[next[i]];
        memset(&s[i].res[next[i]], 0, sizeof s[i].res[0]); /* moved */
        next[i]++;
        m.n = u + 1;
    }
    /* offsets first, as `induction --offsets` draws them: cairo numbers the SVG surfaces of a
     * process in order, so the same order gives the same bytes */
    if (!rc && cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(p[0].root, "offset_units")))
        rc = merge_offsets(dirs, p, n, out, err);
    if (!rc) rc = cl_induction_write(&m, out, err);
    if (!rc) rc = cl_fig_induction_set(&m, out, err);
    free(next);
    cl_induction_set_free(&m);
    for (int i = 0; s && i < n; i++) cl_induction_set_free(&s[i]);
    free(s);
    return rc;
}

static int merge_sweep(const char *const *dirs, const part *p, int n, const char *out, cl_error *err) {
    cl_sweep_set *s = calloc((size_t)n, sizeof *s);
    int rc = !s ? cl_error_set(err, CL_ENOMEM, "merge: out of memory") : 0;
    for (int i = 0; i < n && !rc; i++) rc = cl_sweep_read(dirs[i], &s[i], err);
    int heads[CL_STUDY_MAX_MODELS], nh = 0;
    if (!rc) {
        cl_jr j = {SHARD_FILE, err, 0};
        const cJSON *h = cl_jr_arr(&j, p[0].root, "heads", &nh);
        for (int k = 0; k < nh && k < CL_STUDY_MAX_MODELS; k++) heads[k] = (int)cl_jr_item_num(&j, h, k);
        rc = j.rc;
        if (!rc && nh != s[0].n) rc = cl_error_set(err, CL_EFORMAT, "%s/" SHARD_FILE ": heads of %d models for %d", dirs[0], nh, s[0].n);
    }
    cl_sweep_set *m = &s[0];
    const int ncell = m->n_reps * m->n_lens;
    for (int i = 1; i < n && !rc; i++)
        if (s[i].n != m->n || s[i].n_reps != m->n_reps || s[i].n_lens != m->n_lens)
            rc = cl_error_set(err, CL_EFORMAT, "%s: another grid or other models than %s", dirs[i], dirs[0]);
    for (int k = 0; k < m->n && !rc; k++)
        for (int c = 0; c < ncell && !rc; c++) {
            int i = part_of(p, n, k * ncell + c);
            if (s[i].res[k].done && s[i].res[k].done[c] == CL_CELL_UNFIT) { /* too long for the model: not run */
                if (!m->res[k].done && !(m->res[k].done = calloc((size_t)ncell, 1))) {
                    rc = cl_error_set(err, CL_ENOMEM, "merge: out of memory");
                    break;
                }
                m->res[k].done[c] = CL_CELL_UNFIT;
                continue;
            }
            if (!s[i].res[k].done || s[i].res[k].done[c] != CL_CELL_RUN) {
                rc = cl_error_set(err, CL_EFORMAT, "%s: cell %d of model %s missing", dirs[i], c, m->models[k].name);
                break;
            }
            if (i == 0) continue; /* already in place */
            cl_sweep_cell *to = &m->res[k].cells[c], *from = &s[i].res[k].cells[c];
            free(to->cur); free(to->right); free(to->cur_all); free(to->right_all);
            *to = *from; /* the cell owns its heads' scores: moved, not shared */
            from->cur = from->right = from->cur_all = from->right_all = NULL;
        }
    for (int k = 0; k < m->n && !rc; k++) { /* every cell run: no done flags; else only the too-long ones stay */
        int unfit = 0;
        for (int c = 0; m->res[k].done && c < ncell; c++) {
            if (m->res[k].done[c] != CL_CELL_UNFIT) m->res[k].done[c] = CL_CELL_RUN;
            unfit += m->res[k].done[c] == CL_CELL_UNFIT;
        }
        if (!unfit) { free(m->res[k].done); m->res[k].done = NULL; }
    }
    if (!rc) rc = cl_sweep_write(m, out, err);
    if (!rc) rc = cl_fig_sweep_set(m, heads, out, err);
    for (int i = 0; s && i < n; i++) cl_sweep_set_free(&s[i]);
    free(s);
    return rc;
}

static int merge_multisine(const char *const *dirs, const part *p, int n, const char *out, cl_error *err) {
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
        int i = part_of(p, n, u);
        if (!next || next[i] >= s[i].n) { rc = cl_error_set(err, CL_EFORMAT, "%s: fewer models than its part holds", dirs[i]); break; }
        m.models[u] = s[i].models[next[i]];
        m.res[u] = s[i].res[next[i]];
        memset(&s[i].res[next[i]], 0, sizeof s[i].res[0]);
        next[i]++;
        m.n = u + 1;
    }
    if (!rc) rc = cl_multisine_write(&m, out, err);
    if (!rc) rc = cl_fig_multisine_result(&m, out, err);
    free(next);
    cl_multisine_free(&m);
    for (int i = 0; s && i < n; i++) cl_multisine_free(&s[i]);
    free(s);
    return rc;
}

static int merge_mssweep(const char *const *dirs, const part *p, int n, const char *out, cl_error *err) {
    cl_mssweep_result r;
    memset(&r, 0, sizeof r);
    cl_mssweep_opts *o = &r.opts;
    cl_mssweep_default(o);
    char path[4096];
    cl_path_join(path, sizeof path, dirs[0], SHARD_FILE);
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
    r.bolt = cJSON_IsNumber(pat);
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
            if (cd != c || c < 0 || c >= r.C || seen[c] || part_of(p, n, c / (o->batch > 0 ? o->batch : 1)) != i) {
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
    if (!rc) rc = cl_mssweep_write(&r, out, err);
    if (!rc) rc = cl_fig_mssweep_result(&r, out, err);
    cl_mssweep_free(&r);
    return rc;
}

int cl_merge(const char *const *dirs, int n, const char *out, cl_error *err) {
    if (n < 1) return cl_error_set(err, CL_EINVAL, "merge: no part folders");
    part *p = calloc((size_t)n, sizeof *p);
    if (!p) return cl_error_set(err, CL_ENOMEM, "merge: out of memory");
    int rc = parts_load(dirs, n, p, err);
    if (!rc) rc = cl_mkdirs(out, err);
    if (!rc) {
        const char *s = p[0].study;
        if (!strcmp(s, "induction")) rc = merge_induction(dirs, p, n, out, err);
        else if (!strcmp(s, "sweep")) rc = merge_sweep(dirs, p, n, out, err);
        else if (!strcmp(s, "multisine")) rc = merge_multisine(dirs, p, n, out, err);
        else if (!strcmp(s, "multisine-sweep")) rc = merge_mssweep(dirs, p, n, out, err);
        else rc = cl_error_set(err, CL_EFORMAT, "%s/" SHARD_FILE ": unknown study '%s'", dirs[0], s);
    }
    for (int i = 0; i < n; i++) cJSON_Delete(p[i].root);
    free(p);
    return rc;
}
