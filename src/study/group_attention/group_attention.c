/* group_attention.c — the group-attention study of Chronos-2 (chronolens_study.h,
 * docs/group_attention.md): lead–lag groups, B's group attention on its partner A against
 * distractors and 1/group_size, a permutation test against shuffled pairings per head. */
#include "study/group_attention/group_attention.h"
#include "study/common/family_check.h"
#include "core/core.h"
#include "core/stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the shuffles' stream, apart from the series' */
#define SHUFFLE_STREAM 0xD1B54A32D192ED03ull

void cl_group_attention_default(cl_group_attention_opts *o) {
    memset(o, 0, sizeof *o);
    o->groups = 64;
    o->group_size = 4;
    o->n_lags = 4;
    o->lags[0] = 0; o->lags[1] = 1; o->lags[2] = 2; o->lags[3] = 4;
    o->n_noises = 3;
    o->noises[0] = 0; o->noises[1] = 0.5; o->noises[2] = 1;
    o->permutations = 1000;
    o->alpha = 0.05;
    o->batch_groups = 16;
}

int cl_ga_check(const cl_config *c, const cl_group_attention_opts *o, int *patches, cl_error *err) {
    if (c->family != CL_FAMILY_CHRONOS2) return cl_error_set(err, CL_EINVAL, "group attention: not a Chronos-2 model");
    if (o->groups < 2) return cl_error_set(err, CL_EINVAL, "groups %d: must be >= 2", o->groups);
    if (o->group_size < 3 || o->group_size > 64)
        return cl_error_set(err, CL_EINVAL, "group size %d: must be 3 to 64 (B, A and at least one distractor)", o->group_size);
    if (o->batch_groups < 1) return cl_error_set(err, CL_EINVAL, "batch of %d groups: must be >= 1", o->batch_groups);
    if (o->permutations < 0) return cl_error_set(err, CL_EINVAL, "permutations %d: must be >= 0", o->permutations);
    if (!(o->alpha > 0 && o->alpha < 1)) return cl_error_set(err, CL_EINVAL, "alpha %g: must be in (0, 1)", o->alpha);
    if (o->n_lags < 1 || o->n_lags > CL_GA_MAX_GRID || o->n_noises < 1 || o->n_noises > CL_GA_MAX_GRID)
        return cl_error_set(err, CL_EINVAL, "%d lags, %d noise levels: 1 to %d each", o->n_lags, o->n_noises, CL_GA_MAX_GRID);
    const int room = c->context_length / c->patch_size, P = o->patches > 0 ? o->patches : (room < 32 ? room : 32);
    if (c->patch_stride != c->patch_size)
        return cl_error_set(err, CL_EINVAL, "group attention needs stride = patch size (%d, %d)", c->patch_stride, c->patch_size);
    if (P < 2 || P > room)
        return cl_error_set(err, CL_EINVAL, "%d patches: must be 2 to %d (the context length %d / patch size %d)", P, room,
                            c->context_length, c->patch_size);
    for (int i = 0; i < o->n_lags; i++)
        if (o->lags[i] < 0 || o->lags[i] >= P)
            return cl_error_set(err, CL_EINVAL, "lag %d: must be in [0, %d) (the context's patches)", o->lags[i], P);
    for (int i = 0; i < o->n_noises; i++)
        if (!(o->noises[i] >= 0 && o->noises[i] <= 1e6))
            return cl_error_set(err, CL_EINVAL, "noise %g: must be >= 0", o->noises[i]);
    *patches = P;
    return 0;
}

void cl_ga_make(const cl_config *c, int P, int G, int lag, double noise, uint64_t seed, int g0, int ng, float *x,
                int *gid) {
    const int ps = c->patch_size, Lv = P * ps, sh = lag * ps;
    for (int i = 0; i < ng; i++) {
        cl_rng rng; /* one stream per group: a group's series do not depend on the batching */
        cl_rng_seed(&rng, seed ^ (0x9E3779B97F4A7C15ull * (uint64_t)(g0 + i + 1)));
        float *b = x + (size_t)i * G * Lv, *a = b + Lv;
        /* A = a[sh .. sh + Lv), B = a[0 .. Lv) (+ noise): B[t] = A[t - sh] */
        for (int t = 0; t < sh; t++) b[t] = (float)cl_rng_normal(&rng);
        for (int t = 0; t < Lv; t++) a[t] = (float)cl_rng_normal(&rng);
        for (int t = sh; t < Lv; t++) b[t] = a[t - sh];
        for (int t = 0; t < Lv; t++) b[t] += (float)(noise * cl_rng_normal(&rng));
        for (int j = 2; j < G; j++)
            for (int t = 0; t < Lv; t++) b[(size_t)j * Lv + t] = (float)cl_rng_normal(&rng);
        for (int j = 0; j < G; j++) gid[i * G + j] = g0 + i;
    }
}

void cl_group_attention_model_free(cl_group_attention_model *r) {
    free(r->h);
    memset(r, 0, sizeof *r);
}

/* one cell's statistics from sh (heads, groups, G−1): B's attention at the last context patch
 * on the non-B rows of each group, A first; sl (heads, groups): on A at the first future token */
static int cell_stats(const double *sh, const double *sl, int NH, int NG, int G, const cl_group_attention_opts *o,
                      int cell, cl_ga_head *out, cl_error *err) {
    const int K = G - 1, R = o->permutations;
    int *pick = malloc(sizeof(int) * (size_t)(R > 0 ? R : 1) * NG);
    double *p = malloc(sizeof(double) * NH);
    unsigned char *rej = malloc((size_t)NH);
    if (!pick || !p || !rej) {
        free(pick); free(p); free(rej);
        return cl_error_set(err, CL_ENOMEM, "group attention: out of memory");
    }
    cl_rng rng; /* one set of shuffles for every head of the cell */
    cl_rng_seed(&rng, (o->seed ^ SHUFFLE_STREAM) + (uint64_t)cell);
    for (size_t i = 0; i < (size_t)R * NG; i++) pick[i] = cl_rng_int(&rng, 0, K - 1);
    for (int i = 0; i < NH; i++) {
        const double *x = sh + (size_t)i * NG * K;
        double sa = 0, ss = 0, sd = 0, sself = 0, slast = 0;
        for (int g = 0; g < NG; g++) {
            const double a = x[(size_t)g * K];
            double dsum = 0, rest = 0;
            for (int j = 1; j < K; j++) dsum += x[(size_t)g * K + j];
            for (int j = 0; j < K; j++) rest += x[(size_t)g * K + j];
            sa += a;
            ss += a * a;
            sd += dsum / (K - 1);
            sself += 1 - rest; /* the row sums to 1 over the group */
            slast += sl[(size_t)i * NG + g];
        }
        cl_ga_head *h = &out[i];
        h->partner = sa / NG;
        const double var = (ss - NG * h->partner * h->partner) / (NG - 1);
        h->partner_std = var > 0 ? sqrt(var) : 0;
        h->distractor = sd / NG;
        h->self = sself / NG;
        h->partner_future = slast / NG;
        /* shuffled pairings: each group's "partner" a random non-B row; p one-sided, the
         * observed counted as one of the permutations */
        int ge = 0;
        for (int r = 0; r < R; r++) {
            double s = 0;
            for (int g = 0; g < NG; g++) s += x[(size_t)g * K + pick[(size_t)r * NG + g]];
            ge += s >= sa - 1e-12 * NG;
        }
        h->p = R > 0 ? (1.0 + ge) / (1.0 + R) : NAN;
        p[i] = h->p;
    }
    int rc = cl_holm(p, NH, o->alpha, rej) < 0 ? cl_error_set(err, CL_ENOMEM, "group attention: out of memory") : 0;
    for (int i = 0; i < NH && !rc; i++) out[i].significant = rej[i] && out[i].partner > 1.0 / G;
    free(pick); free(p); free(rej);
    return rc;
}

int cl_group_attention_model_run(const cl_model *m, const cl_group_attention_opts *o, cl_group_attention_model *r,
                                 cl_error *err) {
    memset(r, 0, sizeof *r);
    const cl_config *c = cl_model_config(m);
    int P, rc = cl_ga_check(c, o, &P, err);
    if (rc) return rc;
    const int G = o->group_size, NG = o->groups, H = c->num_heads, NL = c->num_layers, NH = NL * H, K = G - 1;
    const int BG = o->batch_groups < NG ? o->batch_groups : NG, Lv = P * c->patch_size, cells = o->n_lags * o->n_noises;
    r->layers = NL;
    r->heads = H;
    r->h = calloc((size_t)cells * NH, sizeof *r->h);
    float *x = malloc(sizeof(float) * (size_t)BG * G * Lv);
    int *gid = malloc(sizeof(int) * (size_t)BG * G);
    double *sh = malloc(sizeof(double) * (size_t)NH * NG * K), *sl = malloc(sizeof(double) * (size_t)NH * NG);
    cl_state *s = NULL;
    if (!r->h || !x || !gid || !sh || !sl) rc = cl_error_set(err, CL_ENOMEM, "group attention: out of memory");
    if (!rc) rc = cl_state_new(m, &s, err);
    cl_capture_spec off = {0};
    for (int stk = 0; stk < CL_NSTACKS && !rc; stk++) rc = cl_state_set_capture(s, (cl_stack)stk, &off, err);
    /* the group maps of two tokens only: the last context patch P − 1 and the first (only)
     * future token, the last of the S = P + 2 tokens */
    const int toks[2] = {P - 1, -1};
    int mine = 0; /* a part (o->shard): its cells only; the others' heads stay NaN */
    for (int cell = 0; cell < cells; cell++) mine += cl_shard_has(&o->shard, cell);
    const int passes = mine * ((NG + BG - 1) / BG);
    int done = 0;
    if (!rc) rc = cl_progress_point(&o->progress, "group-attention", 0, passes, err);
    for (int cell = 0; cell < cells && !rc; cell++) {
        if (!cl_shard_has(&o->shard, cell)) {
            for (int i = 0; i < NH; i++) {
                cl_ga_head *h = &r->h[(size_t)cell * NH + i];
                h->partner = h->partner_std = h->distractor = h->self = h->partner_future = h->p = NAN;
            }
            continue;
        }
        const int lag = o->lags[cell / o->n_noises];
        const double noise = o->noises[cell % o->n_noises];
        for (int g0 = 0; g0 < NG && !rc; g0 += BG) {
            const int ng = NG - g0 < BG ? NG - g0 : BG, B = ng * G;
            /* the cell's groups differ from every other cell's: the seed moves with the cell */
            cl_ga_make(c, P, G, lag, noise, o->seed + 0x632BE59BD9B4E019ull * (uint64_t)cell, g0, ng, x, gid);
            cl_chronos2_input in = {.context = x, .B = B, .L = Lv, .group_ids = gid, .num_output_patches = 1,
                                    .capture_group = 1, .n_group_tokens = 2, .group_tokens = toks};
            cl_chronos2_result res;
            if ((rc = cl_chronos2_forward(s, &in, &res, err))) break;
            /* group_attn (NL, 2, H, B, B): row of B (the group's first) over the group's rows */
            for (int l = 0; l < NL; l++)
                for (int h = 0; h < H; h++)
                    for (int i = 0; i < ng; i++) {
                        const int qb = i * G, hi = l * H + h, g = g0 + i;
                        const float *fut = res.group_attn + ((((size_t)l * 2 + 1) * H + h) * B + qb) * B;
                        const float *last = res.group_attn + ((((size_t)l * 2 + 0) * H + h) * B + qb) * B;
                        for (int j = 1; j < G; j++) sh[((size_t)hi * NG + g) * K + j - 1] = last[qb + j];
                        sl[(size_t)hi * NG + g] = fut[qb + 1];
                    }
            rc = cl_progress_point(&o->progress, "group-attention", ++done, passes, err);
        }
        if (!rc) rc = cell_stats(sh, sl, NH, NG, G, o, cell, r->h + (size_t)cell * NH, err);
    }
    cl_state_free(s);
    free(x); free(gid); free(sh); free(sl);
    if (rc) cl_group_attention_model_free(r);
    return rc;
}

void cl_group_attention_free(cl_group_attention_result *r) {
    for (int k = 0; r->res && k < r->n; k++) cl_group_attention_model_free(&r->res[k]);
    free(r->res);
    free(r->models);
    memset(r, 0, sizeof *r);
}

const cl_ga_head *cl_group_attention_head(const cl_group_attention_result *r, int k, int lag, int noise, int layer,
                                          int head) {
    const cl_group_attention_model *x = &r->res[k];
    return &x->h[((size_t)lag * r->opts.n_noises + noise) * x->layers * x->heads + (size_t)layer * x->heads + head];
}

int cl_group_attention_run(const char *const *dirs, int n, const cl_group_attention_opts *o, cl_group_attention_result *r,
                           cl_error *err) {
    memset(r, 0, sizeof *r);
    if (n < 1 || n > CL_STUDY_MAX_MODELS) return cl_error_set(err, CL_EINVAL, "group attention: 1 to %d models", CL_STUDY_MAX_MODELS);
    if (cl_shard_check(&o->shard, o->n_lags * o->n_noises, "(lag, noise) cells", err)) return CL_EINVAL;
    r->opts = *o;
    r->opts.progress = (cl_progress){0};
    r->opts.names = NULL;
    r->models = calloc((size_t)n, sizeof *r->models);
    r->res = calloc((size_t)n, sizeof *r->res);
    int rc = !r->models || !r->res ? cl_error_set(err, CL_ENOMEM, "group attention: out of memory") : 0;
    if (!rc) r->n = n;
    cl_model **m = calloc((size_t)n, sizeof *m);
    if (!rc && !m) rc = cl_error_set(err, CL_ENOMEM, "group attention: out of memory");
    /* every model loads, is a Chronos-2 and takes the options, before any runs */
    const cl_load_opts lo = {o->precision};
    for (int k = 0; k < n && !rc; k++) {
        cl_study_model *mi = &r->models[k];
        snprintf(mi->path, sizeof mi->path, "%s", dirs[k]);
        mi->sampling = -1;
        if (o->names && o->names[k]) {
            if ((rc = cl_study_name_check(o->names[k], err))) break;
            snprintf(mi->name, sizeof mi->name, "%s", o->names[k]);
        } else cl_study_model_name(dirs[k], mi->name, sizeof mi->name);
        for (int j = 0; j < k && !rc; j++)
            if (!strcmp(r->models[j].name, mi->name))
                rc = cl_error_set(err, CL_EINVAL, "--model: two models are named '%s' (give each its own --name)", mi->name);
        if (!rc) rc = cl_model_load(dirs[k], &lo, &m[k], err);
        if (!rc && !cl_model_is_chronos2(m[k]))
            rc = cl_error_set(err, CL_EINVAL, "%s: not a Chronos-2 model; group-attention runs Chronos-2 models only "
                              "(group attention is theirs)", dirs[k]);
        int P;
        if (!rc && (rc = cl_ga_check(cl_model_config(m[k]), o, &P, err))) cl_error_prefix(err, dirs[k]);
        if (!rc) {
            mi->parameters = (double)cl_model_param_count(m[k]);
            if (!k) r->opts.patches = P;
            else if (P != r->opts.patches)
                rc = cl_error_set(err, CL_EINVAL, "%s: %d patches fit, %d for %s: give --patches", dirs[k], P, r->opts.patches,
                                  dirs[0]);
        }
    }
    if (!rc) r->opts.precision = cl_model_precision(m[0]);
    for (int k = 0; k < n && !rc; k++) {
        cl_group_attention_opts mo = *o;
        mo.patches = r->opts.patches;
        const double t0 = cl_now();
        rc = cl_group_attention_model_run(m[k], &mo, &r->res[k], err);
        if (rc) cl_error_prefix(err, dirs[k]);
        r->models[k].seconds = cl_now() - t0;
    }
    for (int k = 0; m && k < n; k++) cl_model_free(m[k]);
    free(m);
    if (rc) cl_group_attention_free(r);
    return rc;
}
