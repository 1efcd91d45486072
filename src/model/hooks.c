/* hooks.c — the hook layer: points named as TransformerLens's HookedEncoderDecoder names them,
 * callbacks and declared interventions registered at them (include/chronolens.h), and what
 * the engine calls where an activation is ready (hooks.h). Generic: a family's own points
 * come from its table (family.h's hook_names) through the state's or model's family. */
#include "model/hooks.h"
#include "model/family.h"
#include "model/model.h"
#include "model/state.h"
#include "core/core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const GLOBAL[HK_NGLOBAL] = {"hook_embed", "encoder_final_ln.hook_normalized",
                                               "decoder_final_ln.hook_normalized"};

/* ------------------------------------------------------------------ names */

/* A kind this model has: the gated MLP's second product; Chronos-Bolt's cross-attention runs
 * by reassociation (cross_direct.c) and never forms the keys and values of the encoder rows. */
static int kind_exists(const cl_model *m, const cl_family *f, int stack, int kind) {
    if (f->hook_kinds) return stack == HK_ENC && f->hook_kinds[kind]; /* a family's own kinds */
    if (cl_hk_kinds[kind].dec_only && stack != HK_DEC) return 0;
    if (kind == HK_MLP_PRE_LINEAR && !m->cfg.gated) return 0;
    if ((kind == HK_XK || kind == HK_XV) && f->cross_direct) return 0;
    return 1;
}

/* the name of a per-layer kind after "encoder.{l}." in family f */
static const char *kind_suffix(const cl_family *f, int kind) {
    return f->hook_kinds ? f->hook_kinds[kind] : cl_hk_kinds[kind].suffix;
}

static int family_names(const cl_family *f) {
    int n = 0;
    while (f->hook_names && f->hook_names[n] && n < CL_HOOK_FAMILY_MAX) n++;
    return n;
}

/* The i-th point of m in execution order: its id (hk-free numbering with max_layers) and name. */
static int nth_point(const cl_model *m, int i, int max_layers, char *buf, size_t len) {
    const cl_family *f = cl_family_of(m->cfg.family);
    const int nf = family_names(f);
    const int nst = f->own_stacks ? 1 : 2; /* Chronos-2: an encoder only */
    const int NL[2] = {m->cfg.num_layers, m->cfg.num_decoder_layers};
    int k = 0;
    /* a family's input points first (Bolt: the patch embedding), then hook_embed */
    if (nf > 0 && i == k++) { snprintf(buf, len, "%s", f->hook_names[0]); return CL_HK_FAMILY(0); }
    if (i == k++) { snprintf(buf, len, "%s", GLOBAL[HK_EMBED]); return HK_EMBED; }
    for (int st = 0; st < nst; st++) {
        for (int l = 0; l < NL[st]; l++)
            for (int kind = 0; kind < HK_NKINDS; kind++) {
                if (!kind_exists(m, f, st, kind)) continue;
                if (i == k++) {
                    snprintf(buf, len, "%s.%d.%s", st ? "decoder" : "encoder", l, kind_suffix(f, kind));
                    return HK_NGLOBAL + CL_HOOK_FAMILY_MAX + (st * max_layers + l) * HK_NKINDS + kind;
                }
            }
        if (i == k++) {
            snprintf(buf, len, "%s", GLOBAL[st ? HK_DEC_FINAL : HK_ENC_FINAL]);
            return st ? HK_DEC_FINAL : HK_ENC_FINAL;
        }
    }
    for (int j = 1; j < nf; j++)
        if (i == k++) { snprintf(buf, len, "%s", f->hook_names[j]); return CL_HK_FAMILY(j); }
    return i < 0 ? -1 : -(k + 2); /* past the end: -(count + 2) */
}

static int max_layers_of(const cl_model *m) {
    return m->cfg.num_layers > m->cfg.num_decoder_layers ? m->cfg.num_layers : m->cfg.num_decoder_layers;
}

int cl_hook_name(const cl_model *m, int i, char *buf, size_t len) {
    char tmp[96];
    int r = nth_point(m, 1 << 30, max_layers_of(m), tmp, sizeof tmp);
    int count = r == -1 ? 0 : -r - 2;
    if (i >= 0 && i < count && buf && len) nth_point(m, i, max_layers_of(m), buf, len);
    return count;
}

/* The id of a name, or -1. */
static int point_id(const cl_hooks *hk, const char *name) {
    char buf[96];
    for (int i = 0;; i++) {
        int id = nth_point(hk->m, i, hk->max_layers, buf, sizeof buf);
        if (id < 0) return -1;
        if (!strcmp(buf, name)) return id;
    }
}


/* ------------------------------------------------------------------ the set */

int cl_hooks_new(const cl_model *m, cl_hooks **out, cl_error *err) {
    cl_hooks *hk = calloc(1, sizeof *hk);
    if (!hk) return cl_error_set(err, CL_ENOMEM, "hooks: out of memory");
    hk->m = m;
    hk->max_layers = max_layers_of(m);
    hk->npoints = HK_NGLOBAL + CL_HOOK_FAMILY_MAX + 2 * hk->max_layers * HK_NKINDS;
    hk->on = calloc((size_t)hk->npoints, 1);
    hk->rep = 1;
    hk->gmap = cl_family_of(m->cfg.family)->hook_kinds != NULL;
    if (!hk->on) { free(hk); return cl_error_set(err, CL_ENOMEM, "hooks: out of memory"); }
    *out = hk;
    return 0;
}

static void entry_free(hk_entry *e) {
    free(e->pos); free(e->value); free(e->src); free(e->rows); free(e->cache);
}

/* e's cache buffer into the pool (freed when the pool cannot grow) */
static void pool_put(cl_hooks *hk, hk_entry *e) {
    if (!e->cache) return;
    if (hk->npool == hk->pool_max) {
        int nm = hk->pool_max ? 2 * hk->pool_max : 64;
        float **p = realloc(hk->pool, sizeof *p * (size_t)nm);
        if (p) hk->pool = p;
        size_t *c = p ? realloc(hk->pool_cap, sizeof *c * (size_t)nm) : NULL;
        if (c) { hk->pool_cap = c; hk->pool_max = nm; }
    }
    if (hk->npool < hk->pool_max) {
        hk->pool[hk->npool] = e->cache;
        hk->pool_cap[hk->npool++] = e->cache_cap;
    } else free(e->cache);
    e->cache = NULL;
}

void cl_hooks_clear(cl_hooks *hk) {
    if (!hk) return;
    for (int i = 0; i < hk->n; i++) { pool_put(hk, &hk->e[i]); entry_free(&hk->e[i]); }
    hk->n = 0;
    memset(hk->on, 0, (size_t)hk->npoints);
    hk->rc = 0;
}

void cl_hooks_free(cl_hooks *hk) {
    if (!hk) return;
    cl_hooks_clear(hk);
    for (int i = 0; i < hk->npool; i++) free(hk->pool[i]);
    free(hk->pool); free(hk->pool_cap);
    free(hk->e); free(hk->on); cl_free(hk->scratch);
    free(hk);
}

void cl_hooks_set_rows(cl_hooks *hk, int series0, int rep) {
    hk->series0 = series0 > 0 ? series0 : 0;
    hk->rep = rep > 0 ? rep : 1;
}

static hk_entry *new_entry(cl_hooks *hk, const char *name, int *id, cl_error *err) {
    if (!name) { cl_error_set(err, CL_EINVAL, "hooks: no hook point name"); return NULL; }
    *id = point_id(hk, name);
    if (*id < 0) {
        cl_error_set(err, CL_EINVAL, "hooks: %s: no such hook point in this %s model (cl_hook_name lists them)", name,
                     cl_family_of(hk->m->cfg.family)->name);
        return NULL;
    }
    if (hk->n == hk->cap) {
        int nc = hk->cap ? 2 * hk->cap : 16;
        hk_entry *ne = realloc(hk->e, sizeof *ne * (size_t)nc);
        if (!ne) { cl_error_set(err, CL_ENOMEM, "hooks: out of memory"); return NULL; }
        hk->e = ne;
        hk->cap = nc;
    }
    hk_entry *e = &hk->e[hk->n];
    memset(e, 0, sizeof *e);
    e->id = *id;
    e->head = -1;
    snprintf(e->name, sizeof e->name, "%s", name);
    return e;
}

int cl_hooks_add(cl_hooks *hk, const char *name, cl_hook_fn fn, void *user, cl_error *err) {
    int id;
    if (!fn) return cl_error_set(err, CL_EINVAL, "hooks: %s: no callback", name ? name : "?");
    hk_entry *e = new_entry(hk, name, &id, err);
    if (!e) return err ? err->code : CL_EINVAL;
    e->kind = -1;
    e->fn = fn;
    e->user = user;
    hk->on[id] = 1;
    hk->n++;
    return 0;
}

static void *dup_mem(const void *p, size_t n) {
    if (!p || !n) return NULL;
    void *r = malloc(n);
    if (r) memcpy(r, p, n);
    return r;
}

int cl_hooks_add_intervention(cl_hooks *hk, const cl_intervention *iv, cl_error *err) {
    int id;
    const char *nm = iv->name ? iv->name : "?";
    if (iv->kind < CL_IV_ZERO || iv->kind > CL_IV_CACHE)
        return cl_error_set(err, CL_EINVAL, "hooks: %s: intervention kind %d unknown", nm, (int)iv->kind);
    if ((id = point_id(hk, nm)) < 0)
        return cl_error_set(err, CL_EINVAL, "hooks: %s: no such hook point in this %s model (cl_hook_name lists them)", nm,
                            cl_family_of(hk->m->cfg.family)->name);
    int kind = cl_hk_kind_of(hk, id);
    const int H = hk->m->cfg.num_heads;
    char moved[96];
    if (iv->head >= 0) {
        if (iv->head >= H)
            return cl_error_set(err, CL_EINVAL, "hooks: %s: head %d out of range [0, %d)", nm, iv->head, H);
        if (kind == HK_ATTN_OUT || kind == HK_XATTN_OUT) { /* a head's contribution: its z */
            if (iv->kind != CL_IV_ZERO && iv->kind != CL_IV_SCALE && iv->kind != CL_IV_PATCH && iv->kind != CL_IV_RESAMPLE)
                return cl_error_set(err, CL_EINVAL, "hooks: %s: a head's set, add or mean goes on the layer's hook_z "
                                    "(in z's layout)", nm);
            snprintf(moved, sizeof moved, "%.*s%s", (int)(strrchr(nm, '.') - nm + 1), nm,
                     kind_suffix(cl_family_of(hk->m->cfg.family), kind == HK_ATTN_OUT ? HK_Z : HK_XZ));
            nm = moved;
            id = point_id(hk, nm);
            kind = cl_hk_kind_of(hk, id);
        } else if (cl_hk_layout(hk, id) != L_HEADS && cl_hk_layout(hk, id) != L_MAP && cl_hk_layout(hk, id) != L_GMAP)
            return cl_error_set(err, CL_EINVAL, "hooks: %s: has no heads (a head applies to q, k, v, z, scores, pattern "
                                "and the attention outputs)", nm);
    }
    if ((iv->kind == CL_IV_MEAN || iv->kind == CL_IV_SET || iv->kind == CL_IV_ADD || iv->kind == CL_IV_SCALE) &&
        (!iv->value || iv->n_value <= 0))
        return cl_error_set(err, CL_EINVAL, "hooks: %s: this intervention needs a value", nm);
    if ((iv->kind == CL_IV_PATCH || iv->kind == CL_IV_RESAMPLE) && (!iv->src || iv->src_batch <= 0 || iv->src_pos <= 0))
        return cl_error_set(err, CL_EINVAL, "hooks: %s: patching needs another run's activation (src, its batch and "
                            "positions)", nm);
    if (iv->kind == CL_IV_RESAMPLE && (!iv->src_rows || iv->n_src_rows <= 0))
        return cl_error_set(err, CL_EINVAL, "hooks: %s: resampling needs the source rows", nm);
    for (int i = 0; iv->kind == CL_IV_RESAMPLE && i < iv->n_src_rows; i++)
        if (iv->src_rows[i] < 0 || iv->src_rows[i] >= iv->src_batch)
            return cl_error_set(err, CL_EINVAL, "hooks: %s: source row %d out of range [0, %d)", nm, iv->src_rows[i],
                                iv->src_batch);
    for (int i = 0; iv->pos && i < iv->n_pos; i++)
        if (iv->pos[i] < 0) return cl_error_set(err, CL_EINVAL, "hooks: %s: position %d < 0", nm, iv->pos[i]);
    /* the source's extent: (src_batch, src_pos, the point's row width) */
    size_t n_src = 0;
    if (iv->src) {
        const cl_config *c = &hk->m->cfg;
        int lay = cl_hk_layout(hk, id);
        if (lay != L_RESID && lay != L_HEADS && lay != L_FF)
            return cl_error_set(err, CL_EINVAL, "hooks: %s: patching from another run applies to the residual stream, "
                                "q, k, v, z and the MLP (patch a head's q, k or z for its pattern)", nm);
        size_t inner = lay == L_HEADS ? (size_t)c->num_heads * c->d_kv : lay == L_FF ? (size_t)c->d_ff : (size_t)c->d_model;
        n_src = (size_t)iv->src_batch * iv->src_pos * inner;
    }
    hk_entry *e = new_entry(hk, nm, &id, err);
    if (!e) return err ? err->code : CL_EINVAL;
    e->kind = iv->kind;
    e->head = iv->head;
    e->n_pos = iv->pos ? iv->n_pos : 0;
    e->pos = dup_mem(iv->pos, sizeof(int) * (size_t)e->n_pos);
    e->n_value = iv->value ? iv->n_value : 0;
    e->value = dup_mem(iv->value, sizeof(float) * (size_t)e->n_value);
    e->src_batch = iv->src_batch;
    e->src_pos = iv->src_pos;
    e->n_src = n_src;
    e->n_rows = iv->src_rows ? iv->n_src_rows : 0;
    e->rows = dup_mem(iv->src_rows, sizeof(int) * (size_t)e->n_rows);
    e->src = dup_mem(iv->src, sizeof(float) * n_src);
    if ((e->n_pos && !e->pos) || (e->n_value && !e->value) || (e->n_rows && !e->rows) || (n_src && !e->src)) {
        entry_free(e);
        return cl_error_set(err, CL_ENOMEM, "hooks: out of memory");
    }
    hk->on[id] = 1;
    hk->n++;
    return 0;
}

int cl_hooks_has_source(const cl_hooks *hk) {
    for (int i = 0; hk && i < hk->n; i++)
        if (hk->e[i].kind == CL_IV_PATCH || hk->e[i].kind == CL_IV_RESAMPLE) return 1;
    return 0;
}

const float *cl_hooks_cached(const cl_hooks *hk, const char *name, cl_hook_info *info) {
    for (int i = hk->n - 1; i >= 0; i--) {
        const hk_entry *e = &hk->e[i];
        if (e->kind == CL_IV_CACHE && e->cvalid && !strcmp(e->name, name)) {
            if (info) *info = e->cinfo;
            return e->cache;
        }
    }
    return NULL;
}

void cl_state_set_hooks(cl_state *s, cl_hooks *hk) {
    s->hooks = hk;
    s->cross_valid = 0; /* the cross-attention keys/values pass the new set's points */
}

/* ------------------------------------------------------------------ per-head results */

int cl_attn_head_results(const cl_model *m, cl_stack stack, int layer, const float *z, int rows, float *out,
                         cl_error *err) {
    const cl_config *c = &m->cfg;
    const cl_family *f = cl_family_of(c->family);
    /* Chronos-2 (own stacks, an encoder only): CL_ENC_SELF its time attention, CL_CROSS its
     * group attention (layer_w.cross of the encoder's layers) */
    const int own = f->own_stacks;
    if (own && stack == CL_DEC_SELF)
        return cl_error_set(err, CL_EINVAL, "head results: a %s model has no decoder", f->name);
    const int nl = stack == CL_ENC_SELF || own ? c->num_layers : c->num_decoder_layers;
    if (stack < 0 || stack >= CL_NSTACKS || layer < 0 || layer >= nl)
        return cl_error_set(err, CL_EINVAL, "head results: layer %d out of range [0, %d)", layer, nl);
    const layer_w *L = stack == CL_ENC_SELF || own ? &m->enc[layer] : &m->dec[layer];
    const float *wo = stack == CL_CROSS ? L->cross.o : L->self.o; /* (d, H*dk) */
    if (!wo) return cl_error_set(err, CL_EINVAL, "head results: the model's W_O is held in bf16 only");
    const int H = c->num_heads, dk = c->d_kv, d = c->d_model, HD = H * dk;
    /* out[r, h, :] (d) = z[r, h*dk:(h+1)*dk] · W_O[:, h*dk:(h+1)*dk]^T */
    for (int h = 0; h < H; h++)
        cl_sgemm(1, rows, d, dk, 1.0f, z + (size_t)h * dk, HD, wo + (size_t)h * dk, HD, 0.0f, out + (size_t)h * d,
                 H * d, NULL);
    return 0;
}

/* ------------------------------------------------------------------ logit directions */

int cl_logit_directions(const cl_model *m, const int32_t *tokens, int n, float *out, cl_error *err) {
    const cl_config *c = &m->cfg;
    const cl_family *f = cl_family_of(c->family);
    if (!f->lm_head || f->own_stacks)
        return cl_error_set(err, CL_EINVAL, "logit directions: a %s model has no logits", f->name);
    const int d = c->d_model;
    const float sc = c->tied ? 1.0f / sqrtf((float)d) : 1.0f; /* T5's tied head reads d^-0.5 of the state */
    for (int i = 0; i < n; i++) {
        if (tokens[i] < 0 || tokens[i] >= c->vocab_size)
            return cl_error_set(err, CL_EINVAL, "logit directions: token id %d outside the vocabulary [0, %d)",
                                tokens[i], c->vocab_size);
        for (int j = 0; j < d; j++) {
            size_t at = (size_t)tokens[i] * d + j;
            float w = m->lm_head ? m->lm_head[at] : cl_bf16_to_f32(m->lm_head_h[at]);
            out[(size_t)i * d + j] = w * m->dec_final[j] * sc;
        }
    }
    return 0;
}
