/* weights.c — the binder (binder.h): every tensor found by its Hugging Face name and
 * checked against the shape the config implies, and the T5 stacks both families share.
 * F32 tensors are used in place inside the mapping; BF16/F16 are widened once. With
 * precision bf16 the matrices of products are bound in bf16 instead (bind_w): BF16 tensors
 * in place, F32/F16 rounded once; norms and position biases stay fp32. */
#include "model/binder.h"
#include "core/core.h"
#include "core/gemm_bf16.h"
#include "model/bf16_cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct cl_binder binder;

static void mark_bound(binder *b, const st_tensor *t) {
    if (b->nbound == b->capbound) {
        int cap = b->capbound ? 2 * b->capbound : 256;
        const st_tensor **nb = realloc(b->bound, sizeof *nb * (size_t)cap);
        if (!nb) { b->rc = cl_error_set(b->err, CL_ENOMEM, "%s: out of memory", b->dir); return; }
        b->bound = nb;
        b->capbound = cap;
    }
    b->bound[b->nbound++] = t;
}

static int cmp_ptr(const void *a, const void *b) {
    uintptr_t x = (uintptr_t)*(const void *const *)a, y = (uintptr_t)*(const void *const *)b;
    return x < y ? -1 : x > y;
}

/* Every tensor of the checkpoint must be one the config accounts for: a 4-layer checkpoint
 * under num_layers 3, or wi_0/wi_1 under a non-gated config, would otherwise be silently
 * ignored. The embedding's aliases (HF writes the tied embedding under up to four names)
 * count as the embedding when they have its shape. */
int cl_binder_check_accounted(binder *b, int lm_head_alias) {
    const cl_config *c = &b->m->cfg;
    qsort(b->bound, (size_t)b->nbound, sizeof *b->bound, cmp_ptr);
    static const char *aliases[] = {"shared.weight", "encoder.embed_tokens.weight", "decoder.embed_tokens.weight",
                                    "lm_head.weight"};
    for (int f = 0; f < b->m->nfiles; f++)
        for (int i = 0; i < b->m->files[f].n; i++) {
            const st_tensor *t = &b->m->files[f].t[i], *key = t;
            if (bsearch(&key, b->bound, (size_t)b->nbound, sizeof *b->bound, cmp_ptr)) continue;
            int alias = 0;
            for (int k = 0; k < (lm_head_alias ? 4 : 3) && !alias; k++)
                alias = !strcmp(t->name, aliases[k]) && t->ndim == 2 && t->shape[0] == c->vocab_size &&
                        t->shape[1] == c->d_model;
            if (alias) continue;
            int blk;
            char why[160] = "";
            if (sscanf(t->name, "encoder.block.%d.", &blk) == 1 && blk >= c->num_layers)
                snprintf(why, sizeof why, " (config.json says num_layers %d)", c->num_layers);
            else if (sscanf(t->name, "decoder.block.%d.", &blk) == 1 && blk >= c->num_decoder_layers)
                snprintf(why, sizeof why, " (config.json says num_decoder_layers %d)", c->num_decoder_layers);
            else if (strstr(t->name, ".wi_0.") || strstr(t->name, ".wi_1."))
                snprintf(why, sizeof why, " (a gated feed-forward; config.json's is not gated)");
            return cl_error_set(b->err, CL_EFORMAT, "%s: tensor '%s' is not accounted for by config.json%s",
                                b->m->files[f].path, t->name, why);
        }
    return 0;
}

static const st_tensor *find_any(const cl_model *m, const char *name, const st_file **file) {
    for (int i = 0; i < m->nfiles; i++) {
        const st_tensor *t = st_find(&m->files[i], name);
        if (t) { if (file) *file = &m->files[i]; return t; }
    }
    return NULL;
}

static void *own(cl_model *m, size_t bytes) {
    if (m->nowned == m->capowned) {
        int cap = m->capowned ? m->capowned * 2 : 64;
        void **o = realloc(m->owned, sizeof(void *) * (size_t)cap);
        if (!o) return NULL;
        m->owned = o;
        m->capowned = cap;
    }
    void *p = cl_alloc(bytes);
    if (p) { m->owned[m->nowned++] = p; m->owned_bytes += bytes; }
    return p;
}

/* When a feed-forward tensor is missing: does the checkpoint have the other kind? */
static const char *ff_hint(const cl_model *m, const char *name) {
    char other[256];
    const char *w = strstr(name, ".wi.weight"), *w0 = strstr(name, ".wi_0.weight"), *w1 = strstr(name, ".wi_1.weight");
    if (w) {
        snprintf(other, sizeof other, "%.*s.wi_0.weight", (int)(w - name), name);
        if (find_any(m, other, NULL)) return " (the checkpoint's feed-forward is gated, wi_0/wi_1; config.json's is not)";
    } else if (w0 || w1) {
        const char *x = w0 ? w0 : w1;
        snprintf(other, sizeof other, "%.*s.wi.weight", (int)(x - name), name);
        if (find_any(m, other, NULL)) return " (the checkpoint's feed-forward is not gated, wi only; config.json's is)";
    }
    return "";
}

/* Finds tensor `name` with shape (d0) or (d0, d1) (d1 = 0 for 1-D) and a supported dtype;
 * NULL (b->rc set) otherwise. */
static const st_tensor *lookup(binder *b, const char *name, int d0, int d1, const st_file **file) {
    if (b->rc) return NULL;
    const st_file *f;
    const st_tensor *t = find_any(b->m, name, &f);
    if (!t) {
        b->rc = cl_error_set(b->err, CL_EFORMAT, "%s: missing tensor '%s'%s", b->dir, name, ff_hint(b->m, name));
        return NULL;
    }
    mark_bound(b, t);
    int nd = d1 ? 2 : 1;
    if (t->ndim != nd || t->shape[0] != d0 || (nd == 2 && t->shape[1] != d1)) {
        char got[128] = "";
        size_t k = 0;
        for (int i = 0; i < t->ndim && k < sizeof got - 24; i++)
            k += (size_t)snprintf(got + k, sizeof got - k, "%s%lld", i ? ", " : "", (long long)t->shape[i]);
        b->rc = nd == 2 ? cl_error_set(b->err, CL_EFORMAT, "%s: tensor '%s' has shape [%s], expected [%d, %d]",
                                       f->path, name, got, d0, d1)
                        : cl_error_set(b->err, CL_EFORMAT, "%s: tensor '%s' has shape [%s], expected [%d]",
                                       f->path, name, got, d0);
        return NULL;
    }
    const char *dn = st_dtype_name(t->dtype);
    if (!b->m->dtype[0]) snprintf(b->m->dtype, sizeof b->m->dtype, "%s", dn);
    else if (strcmp(b->m->dtype, dn) != 0) snprintf(b->m->dtype, sizeof b->m->dtype, "mixed");
    if (t->dtype != ST_F32 && t->dtype != ST_BF16 && t->dtype != ST_F16) {
        b->rc = cl_error_set(b->err, CL_EFORMAT, "%s: tensor '%s' has dtype %s (expected F32, BF16 or F16)",
                             f->path, name, dn);
        return NULL;
    }
    *file = f;
    return t;
}

/* element i of a supported tensor, in fp32 (exact: bf16/fp16 widen exactly) */
static float element(const st_tensor *t, size_t i) {
    const unsigned char *src = t->data;
    if (t->dtype == ST_F32) { float v; memcpy(&v, src + 4 * i, 4); return v; }
    uint16_t h;
    memcpy(&h, src + 2 * i, 2);
    return t->dtype == ST_BF16 ? cl_bf16_to_f32(h) : cl_f16_to_f32(h);
}

static const float *bind_f32(binder *b, const st_tensor *t, const st_file *f, const char *name) {
    if (t->dtype == ST_F32 && ((uintptr_t)t->data & 3) == 0) return t->data; /* in place */
    size_t n = st_numel(t);
    float *w = own(b->m, n * sizeof(float));
    if (!w) { b->rc = cl_error_set(b->err, CL_ENOMEM, "%s: out of memory widening '%s'", f->path, name); return NULL; }
    for (size_t i = 0; i < n; i++) w[i] = element(t, i);
    return w;
}

/* Binds tensor `name` with shape (d0) or (d0, d1) (d1 = 0 for 1-D) as f32. */
static const float *bind(binder *b, const char *name, int d0, int d1) {
    const st_file *f;
    const st_tensor *t = lookup(b, name, d0, d1, &f);
    return t ? bind_f32(b, t, f, name) : NULL;
}

/* Binds the matrix of a product: in fp32 (*h = NULL), or with precision bf16 as bf16 in *h
 * (a BF16 tensor in place, others rounded once by cl_binder_round) and *w only where fp32
 * costs no copy (an aligned F32 tensor in place), else NULL. */
static void bind_w(binder *b, const char *name, int d0, int d1, const float **w, const uint16_t **h) {
    const st_file *f;
    const st_tensor *t = lookup(b, name, d0, d1, &f);
    *w = NULL;
    *h = NULL;
    if (!t) return;
    if (!b->bf16) { *w = bind_f32(b, t, f, name); return; }
    if (t->dtype == ST_F32 && ((uintptr_t)t->data & 3) == 0) *w = t->data;
    if (t->dtype == ST_BF16 && ((uintptr_t)t->data & 1) == 0) { *h = t->data; return; } /* in place */
    if (b->njobs == b->capjobs) {
        int cap = b->capjobs ? 2 * b->capjobs : 64;
        cl_round_job *nj = realloc(b->jobs, sizeof *nj * (size_t)cap);
        if (!nj) { b->rc = cl_error_set(b->err, CL_ENOMEM, "%s: out of memory rounding '%s'", f->path, name); return; }
        b->jobs = nj;
        b->capjobs = cap;
    }
    b->jobs[b->njobs++] = (cl_round_job){t, st_numel(t), 0, h};
}

/* Rounding: items of ROUND_CHUNK elements of the block (a range fixed by the checkpoint
 * alone), each rounding the parts of the matrices it covers. An aligned F32 source goes
 * through cl_round_bf16 (vectorised, bit for bit cl_f32_to_bf16); F16 or unaligned sources
 * element by element. Before this the whole rounding ran element by element on one thread:
 * 18-20 % of a whole small induction run in bf16. */
#define ROUND_CHUNK ((size_t)1 << 18)
#define ROUND_ALIGN 32 /* elements: each matrix starts on a 64-byte line */

typedef struct { const binder *b; uint16_t *block; size_t total; } round_ctx;

static void round_range(const st_tensor *t, size_t a, size_t e, uint16_t *dst) {
    if (t->dtype == ST_F32 && ((uintptr_t)t->data & 3) == 0) {
        cl_round_bf16((const float *)t->data + a, dst + a, e - a);
        return;
    }
    for (size_t i = a; i < e; i++) dst[i] = cl_f32_to_bf16(element(t, i));
}

static void round_item(void *ctx, int i, int tid) {
    (void)tid;
    const round_ctx *c = ctx;
    size_t lo = (size_t)i * ROUND_CHUNK, hi = lo + ROUND_CHUNK < c->total ? lo + ROUND_CHUNK : c->total;
    for (int j = 0; j < c->b->njobs; j++) { /* a few hundred matrices: a scan is cheap */
        const cl_round_job *r = &c->b->jobs[j];
        size_t a = r->at > lo ? r->at : lo, e = r->at + r->n < hi ? r->at + r->n : hi;
        if (a < e) round_range(r->t, a - r->at, e - r->at, c->block + r->at);
    }
}

int cl_binder_round(binder *b) {
    if (b->rc || !b->njobs) return b->rc;
    size_t total = 0;
    for (int j = 0; j < b->njobs; j++) {
        b->jobs[j].at = total;
        total += (b->jobs[j].n + ROUND_ALIGN - 1) / ROUND_ALIGN * ROUND_ALIGN;
    }
    /* the same block rounded by an earlier load, kept beside the checkpoint (bf16_cache.c) */
    const uint16_t *cached;
    const int first = b->rounds++ == 0; /* a later round (none today) is not cached */
    if (first && cl_bf16_cache_map(b, total, &cached) == 0) {
        for (int j = 0; j < b->njobs; j++) *b->jobs[j].dst = cached + b->jobs[j].at;
        b->njobs = 0;
        return 0;
    }
    /* one block: with huge pages (cl_alloc) its first touch faults per 2 MiB, not per page */
    uint16_t *block = own(b->m, total * sizeof(uint16_t));
    if (!block) return b->rc = cl_error_set(b->err, CL_ENOMEM, "%s: out of memory rounding the weights to bf16", b->dir);
    round_ctx c = {b, block, total};
    cl_parallel_for((int)((total + ROUND_CHUNK - 1) / ROUND_CHUNK), round_item, &c);
    /* the padding between matrices: zeros, so that the cache's bytes are the same each time */
    for (int j = 0; j < b->njobs; j++) {
        size_t end = b->jobs[j].at + b->jobs[j].n, next = j + 1 < b->njobs ? b->jobs[j + 1].at : total;
        if (next > end) memset(block + end, 0, (next - end) * sizeof(uint16_t));
    }
    if (first) cl_bf16_cache_save(b, total, block);
    for (int j = 0; j < b->njobs; j++) *b->jobs[j].dst = block + b->jobs[j].at;
    b->njobs = 0; /* done: a second call rounds only what was bound since */
    return 0;
}

/* A matrix only looked up by rows (the input embedding of an untied model, cl_embed): fp32,
 * except that a bf16 model keeps a BF16 tensor as stored (rows widened at lookup, exactly). */
void cl_binder_get_rows(binder *b, const char *name, int d0, int d1, const float **w, const uint16_t **h) {
    const st_file *f;
    const st_tensor *t = lookup(b, name, d0, d1, &f);
    if (!t) return;
    if (b->bf16 && t->dtype == ST_BF16 && ((uintptr_t)t->data & 1) == 0) *h = t->data;
    else *w = bind_f32(b, t, f, name);
}

const float *cl_binder_get(cl_binder *b, const char *name, int d0, int d1) { return bind(b, name, d0, d1); }
void cl_binder_get_w(cl_binder *b, const char *name, int d0, int d1, const float **w, const uint16_t **h) {
    bind_w(b, name, d0, d1, w, h);
}
int cl_binder_status(const cl_binder *b) { return b->rc; }
const st_tensor *cl_model_find(const cl_model *m, const char *name) { return find_any(m, name, NULL); }

const char *cl_binder_embedding(binder *b, int lm_head_alias) {
    /* the shared embedding under any of its names */
    static const char *emb_names[] = {"shared.weight", "encoder.embed_tokens.weight",
                                      "decoder.embed_tokens.weight", "lm_head.weight"};
    for (int i = 0; i < (lm_head_alias ? 4 : 3); i++)
        if (find_any(b->m, emb_names[i], NULL)) return emb_names[i];
    b->rc = cl_error_set(b->err, CL_EFORMAT, "%s: missing tensor 'shared.weight' (the token embedding)", b->dir);
    return NULL;
}

static void bind_attn(binder *b, attn_w *a, attn_h *ah, const char *prefix, int HD, int d) {
    char n[256];
    snprintf(n, sizeof n, "%sq.weight", prefix); bind_w(b, n, HD, d, &a->q, &ah->q);
    snprintf(n, sizeof n, "%sk.weight", prefix); bind_w(b, n, HD, d, &a->k, &ah->k);
    snprintf(n, sizeof n, "%sv.weight", prefix); bind_w(b, n, HD, d, &a->v, &ah->v);
    snprintf(n, sizeof n, "%so.weight", prefix); bind_w(b, n, d, HD, &a->o, &ah->o);
}

static void bind_ff(binder *b, layer_w *L, const char *prefix, const cl_config *c) {
    char n[256];
    if (c->gated) {
        snprintf(n, sizeof n, "%swi_0.weight", prefix); bind_w(b, n, c->d_ff, c->d_model, &L->wi0, &L->wi0h);
        snprintf(n, sizeof n, "%swi_1.weight", prefix); bind_w(b, n, c->d_ff, c->d_model, &L->wi1, &L->wi1h);
    } else {
        snprintf(n, sizeof n, "%swi.weight", prefix); bind_w(b, n, c->d_ff, c->d_model, &L->wi, &L->wih);
    }
    snprintf(n, sizeof n, "%swo.weight", prefix); bind_w(b, n, c->d_model, c->d_ff, &L->wo, &L->woh);
}

void cl_bind_t5_stacks(binder *b, size_t *np) {
    cl_model *m = b->m;
    const cl_config *c = &m->cfg;
    const int d = c->d_model, HD = c->num_heads * c->d_kv;
    m->enc_rel = bind(b, "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight", c->num_buckets, c->num_heads);
    m->dec_rel = bind(b, "decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight", c->num_buckets, c->num_heads);
    *np += 2 * (size_t)c->num_buckets * c->num_heads;
    m->enc = calloc((size_t)c->num_layers, sizeof *m->enc);
    m->dec = calloc((size_t)c->num_decoder_layers, sizeof *m->dec);
    size_t attn_p = 4 * (size_t)HD * d, ff_p = (size_t)(c->gated ? 3 : 2) * c->d_ff * d;
    char p[256], n[256];
    for (int i = 0; i < c->num_layers && !b->rc; i++) {
        layer_w *L = &m->enc[i];
        snprintf(p, sizeof p, "encoder.block.%d.layer.0.SelfAttention.", i); bind_attn(b, &L->self, &L->self_h, p, HD, d);
        snprintf(n, sizeof n, "encoder.block.%d.layer.0.layer_norm.weight", i); L->ln_self = bind(b, n, d, 0);
        snprintf(p, sizeof p, "encoder.block.%d.layer.1.DenseReluDense.", i); bind_ff(b, L, p, c);
        snprintf(n, sizeof n, "encoder.block.%d.layer.1.layer_norm.weight", i); L->ln_ff = bind(b, n, d, 0);
        *np += attn_p + ff_p + 2 * (size_t)d;
    }
    for (int i = 0; i < c->num_decoder_layers && !b->rc; i++) {
        layer_w *L = &m->dec[i];
        snprintf(p, sizeof p, "decoder.block.%d.layer.0.SelfAttention.", i); bind_attn(b, &L->self, &L->self_h, p, HD, d);
        snprintf(n, sizeof n, "decoder.block.%d.layer.0.layer_norm.weight", i); L->ln_self = bind(b, n, d, 0);
        snprintf(p, sizeof p, "decoder.block.%d.layer.1.EncDecAttention.", i); bind_attn(b, &L->cross, &L->cross_h, p, HD, d);
        snprintf(n, sizeof n, "decoder.block.%d.layer.1.layer_norm.weight", i); L->ln_cross = bind(b, n, d, 0);
        snprintf(p, sizeof p, "decoder.block.%d.layer.2.DenseReluDense.", i); bind_ff(b, L, p, c);
        snprintf(n, sizeof n, "decoder.block.%d.layer.2.layer_norm.weight", i); L->ln_ff = bind(b, n, d, 0);
        *np += 2 * attn_p + ff_p + 3 * (size_t)d;
    }
    m->enc_final = bind(b, "encoder.final_layer_norm.weight", d, 0);
    m->dec_final = bind(b, "decoder.final_layer_norm.weight", d, 0);
    *np += 2 * (size_t)d;
}
