/* patching.c — activation patching over layer x head (x position) in C (chronolens_study.h,
 * cl_patching_run): one clean run caches a per-layer hook point, then every cell is the
 * corrupted run with that cell's activation replaced (from the clean cache, zeroed, or set to
 * the clean run's mean) through the hook layer's declared interventions, scored by a metric
 * read from the last pass in C.
 *
 * Why it is fast (issue 26's target: a grid over every cross-attention head of a t5-small
 * against the same grid written with PyTorch forward hooks): what does not change between
 * cells is computed once. The corrupted encoder output (and the cross-attention keys and
 * values of every decoder layer) is the same for every decoder cell, so no cell of a decoder
 * point runs the encoder; the decoder's residual stream entering layer l's cross-attention is
 * saved once (cl_decode_save) and a cell at or after that sublayer resumes there
 * (cl_decode_from_cross: the same layer loop as cl_decode, so the same numbers); the decoder
 * stops at the metric's read position and forms that position's logits only (last_only).
 * Chronos-Bolt's one-query decoder reruns alone per cell on the kept encoder output. */
#include "study/patching/patching.h"
#include "core/core.h"
#include "model/decode_from.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cl_patching_default(cl_patching_opts *o) {
    memset(o, 0, sizeof *o);
    snprintf(o->hook, sizeof o->hook, "%s", "decoder.{l}.cross_attn.hook_z");
    o->metric = CL_PATCH_LOGPROB;
    o->mode = CL_PATCH_FROM_CLEAN;
    o->read_pos = -1;
}

void cl_patching_free(cl_patching_result *r) {
    if (!r) return;
    free(r->cells); free(r->clean); free(r->corrupted); free(r->target);
    memset(r, 0, sizeof *r);
}

/* ------------------------------------------------------------------ the point */

/* The suffixes of a layer's point after "decoder.{l}." that run before its cross-attention
 * (the self-attention sublayer): a cell there resumes at the layer below's cross-attention. */
static const char *const SELF_SUB[] = {"hook_resid_pre", "attn.hook_q", "attn.hook_k", "attn.hook_v",
                                       "attn.hook_attn_scores", "attn.hook_pattern", "attn.hook_z",
                                       "hook_attn_out", "hook_resid_mid", NULL};
static const char *const HEADED[] = {"hook_q", "hook_k", "hook_v", "hook_z", "hook_attn_scores", "hook_pattern", NULL};

static int in_list(const char *s, const char *const *list) {
    for (int i = 0; list[i]; i++)
        if (!strcmp(s, list[i])) return 1;
    return 0;
}

/* How a cell of layer l runs, from the state the corrupted run left. */
typedef enum {
    RUN_FULL,     /* encoder and decoder (an encoder point) */
    RUN_DECODE,   /* the whole decoder on the kept encoder output */
    RUN_REATTACH, /* the cross-attention keys/values again (their points), then the decoder */
    RUN_CROSS,    /* the decoder resumed at the cross-attention of layer `from` */
} run_kind;

typedef struct point {
    int decoder;       /* 1: decoder.{l}.*, 0: encoder.{l}.* */
    int headed, map;   /* a per-head point; scores/pattern (B, H, q, k) */
    int layers;
    run_kind kind[2];  /* layer 0's, the others' */
    int from_below;    /* RUN_CROSS resumes at l - from_below */
} point;

/* Reads o->hook: "encoder.{l}.SUFFIX" or "decoder.{l}.SUFFIX". */
static int parse_point(const cl_config *c, const char *hook, point *p, cl_error *err) {
    const char *lp = strstr(hook, "{l}");
    if (!lp || strstr(lp + 1, "{l}"))
        return cl_error_set(err, CL_EINVAL, "patching: hook %s: name one per-layer point with {l} for the layer "
                            "(decoder.{l}.cross_attn.hook_z)", hook);
    memset(p, 0, sizeof *p);
    if (!strncmp(hook, "encoder.{l}.", 12)) p->decoder = 0;
    else if (!strncmp(hook, "decoder.{l}.", 12)) p->decoder = 1;
    else
        return cl_error_set(err, CL_EINVAL, "patching: hook %s: not encoder.{l}.<point> or decoder.{l}.<point>", hook);
    const char *suffix = hook + 12, *last = strrchr(suffix, '.');
    const char *leaf = last ? last + 1 : suffix;
    p->headed = in_list(leaf, HEADED) && (!strncmp(suffix, "attn.", 5) || !strncmp(suffix, "cross_attn.", 11));
    p->map = p->headed && (!strcmp(leaf, "hook_attn_scores") || !strcmp(leaf, "hook_pattern"));
    p->layers = p->decoder ? c->num_decoder_layers : c->num_layers;
    const int bolt = c->family == CL_FAMILY_BOLT;
    if (!p->decoder) p->kind[0] = p->kind[1] = RUN_FULL;
    else if (bolt) p->kind[0] = p->kind[1] = RUN_DECODE; /* one query: the decoder is the cheap part */
    else if (!strcmp(suffix, "cross_attn.hook_k") || !strcmp(suffix, "cross_attn.hook_v"))
        p->kind[0] = p->kind[1] = RUN_REATTACH;
    else if (in_list(suffix, SELF_SUB)) {
        p->kind[0] = RUN_DECODE;
        p->kind[1] = RUN_CROSS;
        p->from_below = 1;
    } else
        p->kind[0] = p->kind[1] = RUN_CROSS;
    return 0;
}

static void layer_name(const char *hook, int l, char *buf, size_t len) {
    const char *lp = strstr(hook, "{l}");
    snprintf(buf, len, "%.*s%d%s", (int)(lp - hook), hook, l, lp + 3);
}

/* ------------------------------------------------------------------ a run and its metric */

typedef struct run {
    const cl_model *m;
    const cl_config *c;
    cl_state *s;
    cl_hooks *hk;
    int bolt, B, Td;   /* Td: decoder positions run (read_pos + 1) */
    int32_t *dec_c, *dec_x; /* (B, Td) the clean and corrupted decoder ids, cut at read_pos */
    float *resid;      /* (layers, B*Td, d): the corrupted residual entering each cross-attention */
} run;

/* The metric of the state's last pass into out (B, width). */
static void metric_of(const run *u, const cl_patching_opts *o, const int32_t *t1, const int32_t *t2, float *out,
                      int width) {
    if (u->bolt) {
        memcpy(out, cl_bolt_quantiles(u->s), sizeof(float) * (size_t)u->B * width);
        return;
    }
    int V;
    const float *lg = cl_state_logits(u->s, NULL, NULL, &V); /* (B, 1, V): the read position */
    for (int b = 0; b < u->B; b++) {
        const float *z = lg + (size_t)b * V;
        if (o->metric == CL_PATCH_LOGIT_DIFF) {
            out[b] = z[t1[b]] - z[t2[b]];
            continue;
        }
        float mx = z[0];
        for (int v = 1; v < V; v++) mx = z[v] > mx ? z[v] : mx;
        double se = 0; /* log-sum-exp in double, as the induction study's ablation score */
        for (int v = 0; v < V; v++) se += exp((double)z[v] - mx);
        out[b] = (float)((double)z[t1[b]] - mx - log(se));
    }
}

/* One pass of the corrupted run in the way `kind` says (the hook set holds the cell's
 * intervention); from: the layer a RUN_CROSS resumes at. */
static int run_cell(run *u, const cl_patching_input *x, run_kind kind, int from, cl_error *err) {
    if (u->bolt)
        return kind == RUN_FULL ? cl_bolt_forward(u->s, x->context, u->B, x->L, err) : cl_bolt_decode(u->s, err);
    switch (kind) {
    case RUN_FULL: {
        int rc = cl_encode(u->s, x->ids, x->mask, u->B, x->T, err);
        return rc ? rc : cl_decode(u->s, u->dec_x, u->Td, 1, err);
    }
    case RUN_REATTACH:
        cl_state_set_hooks(u->s, u->hk); /* the cross-attention keys/values again, through the set */
        return cl_decode(u->s, u->dec_x, u->Td, 1, err);
    case RUN_DECODE: return cl_decode(u->s, u->dec_x, u->Td, 1, err);
    case RUN_CROSS: return cl_decode_from_cross(u->s, u->Td, 1, from, u->resid, err);
    }
    return CL_EINVAL;
}

/* ------------------------------------------------------------------ checks */

static int check_inputs(const cl_config *c, const cl_patching_input *a, const cl_patching_input *b, int B,
                        const cl_patching_opts *o, int bolt, cl_error *err) {
    if (B <= 0) return cl_error_set(err, CL_EINVAL, "patching: no series");
    if (bolt) {
        if (!a->context || !b->context || a->L <= 0 || a->L != b->L)
            return cl_error_set(err, CL_EINVAL, "patching: a Chronos-Bolt model needs clean and corrupted contexts of "
                                "the same length (%d and %d values)", a->L, b->L);
        if (o->metric != CL_PATCH_QUANTILES)
            return cl_error_set(err, CL_EINVAL, "patching: a Chronos-Bolt model has no logits: its metric is quantiles");
        return 0;
    }
    if (o->metric == CL_PATCH_QUANTILES)
        return cl_error_set(err, CL_EINVAL, "patching: the quantiles metric is Chronos-Bolt's (a %s model: logprob or "
                            "logit_diff)", "Chronos-T5");
    if (!a->ids || !b->ids || !a->dec || !b->dec || a->T <= 0 || a->Td <= 0)
        return cl_error_set(err, CL_EINVAL, "patching: a Chronos-T5 model needs token ids and decoder ids of both runs");
    if (a->T != b->T || a->Td != b->Td)
        return cl_error_set(err, CL_EINVAL, "patching: the clean run has %d encoder and %d decoder positions, the "
                            "corrupted %d and %d: they must match", a->T, a->Td, b->T, b->Td);
    if (o->read_pos < -1 || o->read_pos >= a->Td)
        return cl_error_set(err, CL_EINVAL, "patching: read position %d outside the %d decoder positions", o->read_pos,
                            a->Td);
    const int32_t *t[2] = {o->target, o->target2};
    for (int k = 0; k < 2; k++)
        for (int i = 0; t[k] && i < B; i++)
            if (t[k][i] < 0 || t[k][i] >= c->vocab_size)
                return cl_error_set(err, CL_EINVAL, "patching: target token id %d outside the vocabulary [0, %d)",
                                    t[k][i], c->vocab_size);
    if (o->metric == CL_PATCH_LOGIT_DIFF && !o->target2)
        return cl_error_set(err, CL_EINVAL, "patching: logit_diff needs the second token (target2)");
    if (o->metric != CL_PATCH_LOGPROB && o->metric != CL_PATCH_LOGIT_DIFF)
        return cl_error_set(err, CL_EINVAL, "patching: metric %d unknown", (int)o->metric);
    return 0;
}

/* ------------------------------------------------------------------ the grid */

/* The state's progress points (a layer apart in the clean and corrupted passes and in the
 * cells that rerun the encoder) relayed to the caller as the grid's: stage "patching", the
 * cells done so far, so that a long pass stops within a layer when asked. */
typedef struct relay { const cl_progress *p; double done, total; } relay;
static int relay_fn(void *ctx, const char *stage, double done, double total) {
    (void)stage; (void)done; (void)total;
    const relay *r = ctx;
    return cl_progress_ask(r->p, "patching", r->done, r->total);
}

typedef struct source { float *a; int shape[4], ndim; } source; /* one layer's clean activation */

/* The cell's intervention: positions pos (n, NULL all), head h (-1 all). */
static int add_cell(run *u, const cl_patching_opts *o, const point *p, const char *name, const source *src, int h,
                    const int *pos, int n, const float *mean, int n_mean, cl_error *err) {
    cl_intervention iv = {.name = name, .head = h, .n_pos = n, .pos = pos};
    if (o->mode == CL_PATCH_ZERO) iv.kind = CL_IV_ZERO;
    else if (o->mode == CL_PATCH_MEAN) {
        iv.kind = CL_IV_MEAN;
        iv.value = mean;
        iv.n_value = n_mean;
    } else {
        iv.kind = CL_IV_PATCH;
        iv.src = src->a;
        iv.src_batch = src->shape[0];
        iv.src_pos = src->shape[1];
    }
    (void)p;
    cl_hooks_clear(u->hk);
    return cl_hooks_add_intervention(u->hk, &iv, err);
}

/* mean (W) over series and positions of the rows of src (head h's slice of width dk, or
 * the whole row): what CL_PATCH_MEAN sets. */
static int mean_of(const source *src, int h, float *mean, cl_error *err) {
    if (src->ndim < 3) return cl_error_set(err, CL_EINVAL, "patching: mean ablation needs a per-position point");
    const int rows = src->shape[0] * src->shape[1];
    const int W = src->ndim == 4 ? src->shape[2] * src->shape[3] : src->shape[2];
    const int off = h >= 0 ? h * src->shape[3] : 0, n = h >= 0 ? src->shape[3] : W;
    for (int j = 0; j < n; j++) {
        double acc = 0;
        for (int r = 0; r < rows; r++) acc += src->a[(size_t)r * W + off + j];
        mean[j] = (float)(acc / rows);
    }
    return 0;
}

int cl_patching_run(const cl_model *m, const cl_patching_input *clean, const cl_patching_input *corrupted,
                    const cl_patching_opts *o, cl_patching_result *r, cl_error *err) {
    memset(r, 0, sizeof *r);
    const cl_config *c = cl_model_config(m);
    if (c->family == CL_FAMILY_CHRONOS2)
        return cl_error_set(err, CL_EINVAL, "patching: a Chronos-2 model has no hook points yet");
    run u = {.m = m, .c = c, .bolt = c->family == CL_FAMILY_BOLT};
    point p;
    int rc = parse_point(c, o->hook, &p, err);
    if (rc) return rc;
    if (p.map && o->mode == CL_PATCH_MEAN)
        return cl_error_set(err, CL_EINVAL, "patching: %s: mean ablation of a map (zero it, or patch q, k or z)", o->hook);
    if (clean->B != corrupted->B)
        return cl_error_set(err, CL_EINVAL, "patching: the clean run has %d series, the corrupted %d", clean->B,
                            corrupted->B);
    u.B = clean->B;
    if ((rc = check_inputs(c, clean, corrupted, u.B, o, u.bolt, err))) return rc;
    const int B = u.B, H = c->num_heads, NL = p.layers;
    u.Td = u.bolt ? 1 : (o->read_pos < 0 ? clean->Td : o->read_pos + 1);
    const int width = u.bolt ? c->n_quantiles * c->prediction_length : 1;
    source *src = calloc((size_t)NL, sizeof *src);
    float *cell = malloc(sizeof(float) * (size_t)B * width), *mean = NULL;
    int *posv = NULL;
    if (!src || !cell) { rc = cl_error_set(err, CL_ENOMEM, "patching: out of memory"); goto done; }
    if ((rc = cl_state_new(m, &u.s, err)) || (rc = cl_hooks_new(m, &u.hk, err))) goto done;
    if (!u.bolt) { /* the decoder ids cut at the read position */
        u.dec_c = malloc(sizeof(int32_t) * (size_t)B * u.Td);
        u.dec_x = malloc(sizeof(int32_t) * (size_t)B * u.Td);
        if (!u.dec_c || !u.dec_x) { rc = cl_error_set(err, CL_ENOMEM, "patching: out of memory"); goto done; }
        for (int b = 0; b < B; b++) {
            memcpy(u.dec_c + (size_t)b * u.Td, clean->dec + (size_t)b * clean->Td, sizeof(int32_t) * u.Td);
            memcpy(u.dec_x + (size_t)b * u.Td, corrupted->dec + (size_t)b * corrupted->Td, sizeof(int32_t) * u.Td);
        }
    }
    cl_state_set_hooks(u.s, u.hk);
    /* the grid's cells (per position without positions given: known after the clean pass) */
    relay rl = {&o->progress, 0, (double)NL * (p.headed ? H : 1) * (o->per_position && o->pos ? o->n_pos : 1)};
    if (o->progress.fn) {
        cl_progress sp = {relay_fn, &rl};
        cl_state_set_progress(u.s, &sp);
    }

    /* the clean run: its metric and every layer's activation at the point */
    char name[128];
    for (int l = 0; l < NL && !rc; l++) {
        layer_name(o->hook, l, name, sizeof name);
        cl_intervention iv = {.kind = CL_IV_CACHE, .name = name, .head = -1};
        rc = cl_hooks_add_intervention(u.hk, &iv, err);
    }
    if (rc) goto done;
    if (u.bolt) rc = cl_bolt_forward(u.s, clean->context, B, clean->L, err);
    else {
        rc = cl_encode(u.s, clean->ids, clean->mask, B, clean->T, err);
        if (!rc) rc = cl_decode(u.s, u.dec_c, u.Td, 1, err);
    }
    if (rc) goto done;
    r->B = B;
    r->width = width;
    r->clean = malloc(sizeof(float) * (size_t)B * width);
    r->corrupted = malloc(sizeof(float) * (size_t)B * width);
    if (!u.bolt) r->target = malloc(sizeof(int32_t) * (size_t)B);
    if (!r->clean || !r->corrupted || (!u.bolt && !r->target)) { rc = cl_error_set(err, CL_ENOMEM, "patching: out of memory"); goto done; }
    if (!u.bolt) { /* the target: given, or the clean run's most likely token at the read position */
        int V;
        const float *lg = cl_state_logits(u.s, NULL, NULL, &V);
        for (int b = 0; b < B; b++) {
            if (o->target) { r->target[b] = o->target[b]; continue; }
            const float *z = lg + (size_t)b * V;
            int best = 0;
            for (int v = 1; v < V; v++) best = z[v] > z[best] ? v : best;
            r->target[b] = best;
        }
    } else {
        r->Q = c->n_quantiles;
        r->horizon = c->prediction_length;
    }
    metric_of(&u, o, r->target, o->target2, r->clean, width);
    for (int l = 0; l < NL; l++) {
        layer_name(o->hook, l, name, sizeof name);
        cl_hook_info info;
        const float *a = cl_hooks_cached(u.hk, name, &info);
        if (!a) { rc = cl_error_set(err, CL_EINVAL, "patching: %s: not reached by the pass", name); goto done; }
        size_t n = 1;
        for (int i = 0; i < info.ndim; i++) n *= (size_t)info.shape[i];
        src[l].a = malloc(sizeof(float) * n);
        if (!src[l].a) { rc = cl_error_set(err, CL_ENOMEM, "patching: out of memory"); goto done; }
        memcpy(src[l].a, a, sizeof(float) * n);
        memcpy(src[l].shape, info.shape, sizeof info.shape);
        src[l].ndim = info.ndim;
    }
    cl_hooks_clear(u.hk);

    /* the cells: heads of a per-head point, positions when asked */
    const int heads = p.headed ? H : 1;
    const int npos_axis = p.map ? src[0].shape[2] : src[0].shape[1];
    for (int i = 0; o->pos && i < o->n_pos; i++)
        if (o->pos[i] < 0 || o->pos[i] >= npos_axis) {
            rc = cl_error_set(err, CL_EINVAL, "patching: position %d outside the point's %d positions", o->pos[i], npos_axis);
            goto done;
        }
    const int nsel = o->pos ? o->n_pos : npos_axis;
    posv = malloc(sizeof(int) * (size_t)(nsel > 0 ? nsel : 1));
    mean = malloc(sizeof(float) * (size_t)(src[0].ndim == 4 ? src[0].shape[2] * src[0].shape[3] : src[0].shape[2]));
    if (!posv || !mean) { rc = cl_error_set(err, CL_ENOMEM, "patching: out of memory"); goto done; }
    for (int i = 0; i < nsel; i++) posv[i] = o->pos ? o->pos[i] : i;
    const int positions = o->per_position ? nsel : 1;
    r->layers = NL;
    r->heads = heads;
    r->positions = positions;
    const size_t ncell = (size_t)NL * heads * positions;
    rl.total = (double)ncell;
    r->cells = malloc(sizeof(float) * ncell * B * width);
    if (!r->cells) { rc = cl_error_set(err, CL_ENOMEM, "patching: out of memory"); goto done; }

    /* the corrupted run, once: its metric, the encoder output every decoder cell reuses, and
     * the residual stream entering each cross-attention for the cells that resume there */
    if (u.bolt) rc = cl_bolt_forward(u.s, corrupted->context, B, corrupted->L, err);
    else {
        rc = cl_encode(u.s, corrupted->ids, corrupted->mask, B, corrupted->T, err);
        if (!rc) rc = cl_decode(u.s, u.dec_x, u.Td, 1, err);
    }
    if (rc) goto done;
    metric_of(&u, o, r->target, o->target2, r->corrupted, width);
    if (!u.bolt && (p.kind[0] == RUN_CROSS || p.kind[1] == RUN_CROSS)) {
        const size_t per = (size_t)B * u.Td * c->d_model;
        u.resid = cl_alloc(sizeof(float) * per * c->num_decoder_layers);
        if (!u.resid) { rc = cl_error_set(err, CL_ENOMEM, "patching: out of memory"); goto done; }
        if ((rc = cl_decode_save(u.s, u.dec_x, u.Td, 1, u.resid, err))) goto done;
    }
    size_t done_cells = 0;
    for (int l = 0; l < NL && !rc; l++) {
        layer_name(o->hook, l, name, sizeof name);
        const run_kind kind = p.kind[l > 0];
        for (int h = 0; h < heads && !rc; h++) {
            int n_mean = 0;
            if (o->mode == CL_PATCH_MEAN) {
                if ((rc = mean_of(&src[l], p.headed ? h : -1, mean, err))) break;
                n_mean = p.headed ? src[l].shape[3] : (src[l].ndim == 4 ? src[l].shape[2] * src[l].shape[3] : src[l].shape[2]);
            }
            for (int q = 0; q < positions && !rc; q++) {
                const int *pp = o->per_position ? posv + q : o->pos;
                const int np = o->per_position ? 1 : (o->pos ? o->n_pos : 0);
                rc = add_cell(&u, o, &p, name, &src[l], p.headed ? h : -1, pp, np, mean, n_mean, err);
                if (!rc) rc = run_cell(&u, corrupted, kind, l - p.from_below, err);
                if (rc) break;
                metric_of(&u, o, r->target, o->target2, cell, width);
                memcpy(r->cells + (((size_t)l * heads + h) * positions + q) * B * width, cell,
                       sizeof(float) * (size_t)B * width);
                rl.done = (double)++done_cells;
                rc = cl_progress_point(&o->progress, "patching", rl.done, rl.total, err);
            }
        }
    }
done:
    if (rc == CL_ECANCELED) cl_error_set(err, rc, "patching: cancelled"); /* at a pass's point too */
    if (u.s) cl_state_set_hooks(u.s, NULL);
    cl_hooks_free(u.hk);
    cl_state_free(u.s);
    for (int l = 0; src && l < NL; l++) free(src[l].a);
    free(src); free(cell); free(mean); free(posv);
    free(u.dec_c); free(u.dec_x);
    cl_free(u.resid);
    if (rc) cl_patching_free(r);
    return rc;
}
