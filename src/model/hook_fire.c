/* hook_fire.c — the engine's side of the hook layer (hooks.h): what runs where an activation
 * is ready (the callbacks and declared interventions registered at its point, in order), with
 * the point kinds' names and layouts. Calls nothing of a family (the stacks and the families
 * call it: hooks.c, which resolves names through the family table, stays above them). */
#include "model/hooks.h"
#include "core/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* per-layer kinds: the name after "encoder.{l}." / "decoder.{l}.", the layout, decoder only */
const cl_hk_kind cl_hk_kinds[HK_NKINDS] = {
    [HK_RESID_PRE] = {"hook_resid_pre", L_RESID, 0},
    [HK_Q] = {"attn.hook_q", L_HEADS, 0},
    [HK_K] = {"attn.hook_k", L_HEADS, 0},
    [HK_V] = {"attn.hook_v", L_HEADS, 0},
    [HK_SCORES] = {"attn.hook_attn_scores", L_MAP, 0},
    [HK_PATTERN] = {"attn.hook_pattern", L_MAP, 0},
    [HK_Z] = {"attn.hook_z", L_HEADS, 0},
    [HK_ATTN_OUT] = {"hook_attn_out", L_RESID, 0},
    [HK_RESID_MID] = {"hook_resid_mid", L_RESID, 0},
    [HK_XQ] = {"cross_attn.hook_q", L_HEADS, 1},
    [HK_XK] = {"cross_attn.hook_k", L_HEADS, 1},
    [HK_XV] = {"cross_attn.hook_v", L_HEADS, 1},
    [HK_XSCORES] = {"cross_attn.hook_attn_scores", L_MAP, 1},
    [HK_XPATTERN] = {"cross_attn.hook_pattern", L_MAP, 1},
    [HK_XZ] = {"cross_attn.hook_z", L_HEADS, 1},
    [HK_XATTN_OUT] = {"hook_cross_attn_out", L_RESID, 1},
    [HK_RESID_MID_CROSS] = {"hook_resid_mid_cross", L_RESID, 1},
    [HK_MLP_PRE] = {"mlp.hook_pre", L_FF, 0},
    [HK_MLP_PRE_LINEAR] = {"mlp.hook_pre_linear", L_FF, 0},
    [HK_MLP_POST] = {"mlp.hook_post", L_FF, 0},
    [HK_MLP_OUT] = {"hook_mlp_out", L_RESID, 0},
    [HK_RESID_POST] = {"hook_resid_post", L_RESID, 0},
};

int cl_hk_kind_of(const cl_hooks *hk, int id) {
    int r = id - HK_NGLOBAL - CL_HOOK_FAMILY_MAX;
    return r < 0 ? -1 : r % HK_NKINDS;
}

/* the layout of point id: the globals are residual streams, so is a family's first (an input
 * embedding: Bolt's patches); its later ones (an output head) are their own */
int cl_hk_layout(const cl_hooks *hk, int id) {
    int kind = cl_hk_kind_of(hk, id);
    if (kind >= 0 && hk->gmap && (kind == HK_XSCORES || kind == HK_XPATTERN)) return L_GMAP;
    if (kind >= 0) return cl_hk_kinds[kind].layout;
    return id < HK_NGLOBAL || id == CL_HK_FAMILY(0) ? L_RESID : L_QUANT;
}

/* ------------------------------------------------------------------ a pass */

static void fail(cl_hooks *hk, int rc, const char *fmt, const char *name, long a, long b) {
    if (hk->rc) return;
    hk->rc = rc;
    snprintf(hk->msg, sizeof hk->msg, fmt, name, a, b);
}

float *cl_hooks_scratch(cl_hooks *hk, size_t n) {
    if (n > hk->scratch_cap) {
        cl_free(hk->scratch);
        hk->scratch = cl_alloc(n * sizeof(float));
        hk->scratch_cap = hk->scratch ? n : 0;
        if (!hk->scratch) { fail(hk, CL_ENOMEM, "hooks: %s: cannot allocate %ld floats%.0ld", "scores", (long)n, 0); return NULL; }
    }
    return hk->scratch;
}

static int pos_selected(const hk_entry *e, int p) {
    if (!e->pos) return 1;
    for (int i = 0; i < e->n_pos; i++)
        if (e->pos[i] == p) return 1;
    return 0;
}

/* One row of the activation: n floats at a, series b's position p (head h or -1 all). */
static void apply_row(cl_hooks *hk, const hk_entry *e, float *a, int n, int b, int p, int src_off, int src_w) {
    switch (e->kind) {
    case CL_IV_ZERO: memset(a, 0, sizeof(float) * (size_t)n); return;
    case CL_IV_SCALE: for (int i = 0; i < n; i++) a[i] *= e->value[0]; return;
    case CL_IV_MEAN: case CL_IV_SET: case CL_IV_ADD: {
        const float *v = e->value;
        if (e->n_value != n) {
            if (e->n_value % n || (long)(p + 1) * n > e->n_value) {
                fail(hk, CL_EINVAL, "hooks: %s: the value holds %ld floats, not the point's %ld (or one row per position "
                     "reached)", e->name, e->n_value, n);
                return;
            }
            v += (size_t)p * n;
        }
        if (e->kind == CL_IV_ADD) for (int i = 0; i < n; i++) a[i] += v[i];
        else memcpy(a, v, sizeof(float) * (size_t)n);
        return;
    }
    case CL_IV_PATCH: case CL_IV_RESAMPLE: {
        int sb = hk->series0 + b / hk->rep;
        if (e->kind == CL_IV_RESAMPLE) {
            if (sb >= e->n_rows) { fail(hk, CL_EINVAL, "hooks: %s: series %ld has no source row (%ld given)", e->name, sb, e->n_rows); return; }
            sb = e->rows[sb];
        }
        if (sb >= e->src_batch || p >= e->src_pos) {
            fail(hk, CL_EINVAL, "hooks: %s: the source has no series %ld / position %ld", e->name, sb, p);
            return;
        }
        if ((size_t)e->src_batch * e->src_pos * src_w != e->n_src) {
            fail(hk, CL_EINVAL, "hooks: %s: the source's rows hold %ld floats, the point's %ld", e->name,
                 (long)(e->n_src / ((size_t)e->src_batch * e->src_pos)), src_w);
            return;
        }
        memcpy(a, e->src + ((size_t)sb * e->src_pos + p) * src_w + src_off, sizeof(float) * (size_t)n);
        return;
    }
    default: return;
    }
}

static void apply(cl_hooks *hk, const hk_entry *e, float *act, const cl_hook_info *in, int layout) {
    const int *sh = in->shape;
    if (layout == L_GMAP) { /* (T, H, B, B): rows of key series per (token, head, query series);
                             * positions are tokens, the series the query rows */
        for (int t = 0; t < sh[0]; t++)
            if (pos_selected(e, in->pos0 + t))
                for (int h = 0; h < sh[1]; h++) {
                    if (e->head >= 0 && h != e->head) continue;
                    for (int q = 0; q < sh[2]; q++)
                        apply_row(hk, e, act + (((size_t)t * sh[1] + h) * sh[2] + q) * sh[3], sh[3], q, in->pos0 + t, 0, 0);
                }
        return;
    }
    if (layout == L_MAP) { /* (B, H, q, k): rows of k per (b, h, query) */
        for (int b = 0; b < sh[0]; b++)
            for (int h = 0; h < sh[1]; h++) {
                if (e->head >= 0 && h != e->head) continue;
                for (int q = 0; q < sh[2]; q++)
                    if (pos_selected(e, in->pos0 + q))
                        apply_row(hk, e, act + (((size_t)b * sh[1] + h) * sh[2] + q) * sh[3], sh[3], b, in->pos0 + q, 0, 0);
            }
        return;
    }
    /* (B, T, W) or (B, T, H, dk): a row per (b, t), a head's slice of it */
    int W = in->ndim == 4 ? sh[2] * sh[3] : sh[2];
    int off = 0, n = W;
    if (e->head >= 0 && in->ndim == 4) { off = e->head * sh[3]; n = sh[3]; }
    for (int b = 0; b < sh[0]; b++)
        for (int t = 0; t < sh[1]; t++)
            if (pos_selected(e, in->pos0 + t))
                apply_row(hk, e, act + ((size_t)b * sh[1] + t) * W + off, n, b, in->pos0 + t, off, W);
}

float *cl_hk_pool_take(cl_hooks *hk, size_t n, size_t *cap) {
    int best = -1;
    for (int i = 0; i < hk->npool; i++) /* the smallest that fits */
        if (hk->pool_cap[i] >= n && (best < 0 || hk->pool_cap[i] < hk->pool_cap[best])) best = i;
    if (best < 0) return NULL;
    float *p = hk->pool[best];
    *cap = hk->pool_cap[best];
    hk->pool[best] = hk->pool[--hk->npool];
    hk->pool_cap[best] = hk->pool_cap[hk->npool];
    return p;
}

static void keep(cl_hooks *hk, hk_entry *e, const float *act, const cl_hook_info *in) {
    size_t n = 1;
    for (int i = 0; i < in->ndim; i++) n *= (size_t)in->shape[i];
    if (n > e->cache_cap) {
        free(e->cache);
        e->cache = cl_hk_pool_take(hk, n, &e->cache_cap);
        if (!e->cache) {
            e->cache = malloc(n * sizeof(float));
            e->cache_cap = e->cache ? n : 0;
        }
        if (!e->cache) { fail(hk, CL_ENOMEM, "hooks: %s: cannot keep %ld floats%.0ld", e->name, (long)n, 0); return; }
    }
    memcpy(e->cache, act, n * sizeof(float));
    e->cinfo = *in;
    e->cinfo.name = e->name;
    e->cvalid = 1;
}

void cl_hooks_fire(cl_hooks *hk, int id, float *act, int ndim, const int *shape, int pos0) {
    if (!hk || !hk->on[id] || hk->rc) return;
    int layout = cl_hk_layout(hk, id);
    cl_hook_info in = {.ndim = ndim, .pos0 = pos0, .series0 = hk->series0, .rep = hk->rep};
    memcpy(in.shape, shape, sizeof(int) * (size_t)ndim);
    for (int i = 0; i < hk->n && !hk->rc; i++) {
        hk_entry *e = &hk->e[i];
        if (e->id != id) continue;
        in.name = e->name;
        if (e->kind < 0) {
            if (e->fn(act, &in, e->user))
                fail(hk, CL_ECANCELED, "hooks: %s: the callback stopped the pass%.0ld%.0ld", e->name, 0, 0);
        } else if (e->kind == CL_IV_CACHE) {
            keep(hk, e, act, &in);
        } else {
            apply(hk, e, act, &in, layout);
        }
    }
}

void cl_hk_resid(cl_hooks *hk, int id, float *x, int B, int T, int d, int pos0) {
    if (!hk || !hk->on[id]) return;
    int sh[3] = {B, T, d};
    cl_hooks_fire(hk, id, x, 3, sh, pos0);
}

void cl_hk_heads(cl_hooks *hk, int id, float *x, int B, int T, int H, int dk, int pos0) {
    if (!hk || !hk->on[id]) return;
    int sh[4] = {B, T, H, dk};
    cl_hooks_fire(hk, id, x, 4, sh, pos0);
}

int cl_hooks_rowwise(const cl_hooks *hk, int id) {
    for (int i = 0; hk && i < hk->n; i++)
        if (hk->e[i].id == id && hk->e[i].kind != CL_IV_ZERO && hk->e[i].kind != CL_IV_SCALE) return 0;
    return 1;
}

int cl_hooks_status(cl_hooks *hk, cl_error *err) {
    if (!hk || !hk->rc) return 0;
    int rc = hk->rc;
    hk->rc = 0;
    return cl_error_set(err, rc, "%s", hk->msg);
}

