/* kvcache.c — the cached decoder step. Same math as cl_decode (stack.c) for the last query
 * only: pre-norm self-attention over the cached keys 0..t with row t of the causal bias,
 * cross-attention over the series' encoder K/V (no position bias, padded keys masked),
 * feed-forward, final norm, tied-head rescale, logits. Weight products go through cl_linear_w
 * (the model's precision), attention products through sgemm. */
#include "model/kvcache.h"
#include "model/attention.h"
#include "model/blocks.h"
#include "model/hooks.h"
#include "core/core.h"
#include "core/gemm_bf16.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct cl_kvcache {
    const cl_model *m;
    int max_series, max_T, samples, max_steps;
    int B, T, t;                 /* current decoding: series, encoder tokens, position */
    size_t HD;
    float *sk, *sv;              /* (layers, max_series*samples, max_steps, HD) self K/V */
    float *ck, *cv;              /* (layers, max_series, max_T, HD) cross K/V */
    uint8_t *mask;               /* (max_series, max_T) */
    float *x, *h;                /* (rows, d) residual stream and normed input */
    float *q, *o;                /* (rows, HD) queries, attention outputs */
    float *ff;                   /* (rows, d_ff [x2 gated]) */
    float *logits;               /* (rows, V) */
    float *bias;                 /* (H, max_steps): bias row of the current query */
    float *scores;               /* (rows, H, max(max_T, max_steps)): each pool item its own part */
    void *block;                 /* the one allocation everything above is carved from */
    size_t bytes;
    double flops;
    cl_hooks *hk;                /* cl_kvcache_set_hooks (not owned), or NULL */
};

void cl_kvcache_set_hooks(cl_kvcache *kv, cl_hooks *hk) { kv->hk = hk; }

static int layers_of(const cl_model *m) { return m->cfg.num_decoder_layers; }

int cl_kvcache_new(const cl_model *m, int max_series, int max_T, int samples, int max_steps,
                   cl_kvcache **out, cl_error *err) {
    const cl_config *c = &m->cfg;
    if (max_series <= 0 || max_T <= 0 || samples <= 0 || max_steps <= 0)
        return cl_error_set(err, CL_EINVAL, "kv cache: bad size (series %d, tokens %d, samples %d, steps %d)",
                            max_series, max_T, samples, max_steps);
    cl_kvcache *kv = calloc(1, sizeof *kv);
    if (!kv) return cl_error_set(err, CL_ENOMEM, "kv cache: out of memory");
    kv->m = m;
    kv->max_series = max_series; kv->max_T = max_T; kv->samples = samples; kv->max_steps = max_steps;
    kv->HD = (size_t)c->num_heads * c->d_kv;
    const size_t nl = (size_t)layers_of(m), rows = (size_t)max_series * samples, d = (size_t)c->d_model;
    const size_t ffw = (size_t)c->d_ff * (c->gated ? 2 : 1), sw = (size_t)(max_T > max_steps ? max_T : max_steps);
    /* sizes in floats, each rounded up to 16 floats (64 bytes) */
    size_t n_self = nl * rows * max_steps * kv->HD, n_cross = nl * max_series * (size_t)max_T * kv->HD;
    size_t parts[] = {n_self, n_self, n_cross, n_cross, rows * d, rows * d, rows * kv->HD, rows * kv->HD,
                      rows * ffw, rows * (size_t)c->vocab_size, (size_t)c->num_heads * max_steps,
                      rows * c->num_heads * sw};
    const int np = (int)(sizeof parts / sizeof parts[0]);
    size_t total = 0;
    for (int i = 0; i < np; i++) {
        size_t r = (parts[i] + 15) & ~(size_t)15;
        if (r < parts[i] || total + r < total) { free(kv); return cl_error_set(err, CL_ENOMEM, "kv cache: size overflow"); }
        total += r;
    }
    size_t bytes;
    if (cl_mul_size(total, sizeof(float), &bytes) || !(kv->block = cl_alloc(bytes))) {
        free(kv);
        return cl_error_set(err, CL_ENOMEM, "kv cache: cannot allocate %zu MiB", (total * sizeof(float)) >> 20);
    }
    float **dst[] = {&kv->sk, &kv->sv, &kv->ck, &kv->cv, &kv->x, &kv->h, &kv->q, &kv->o,
                     &kv->ff, &kv->logits, &kv->bias, &kv->scores};
    float *p = kv->block;
    for (int i = 0; i < np; i++) { *dst[i] = p; p += (parts[i] + 15) & ~(size_t)15; }
    kv->mask = malloc((size_t)max_series * max_T);
    if (!kv->mask) { cl_kvcache_free(kv); return cl_error_set(err, CL_ENOMEM, "kv cache: out of memory"); }
    kv->bytes = bytes + (size_t)max_series * max_T;
    *out = kv;
    return 0;
}

void cl_kvcache_free(cl_kvcache *kv) {
    if (!kv) return;
    cl_free(kv->block);
    free(kv->mask);
    free(kv);
}

int cl_kvcache_begin(cl_kvcache *kv, const float *enc, const uint8_t *mask, int B, int T, cl_error *err) {
    if (B <= 0 || B > kv->max_series || T <= 0 || T > kv->max_T)
        return cl_error_set(err, CL_EINVAL, "kv cache: %d series of %d tokens exceed its size (%d of %d)", B, T,
                            kv->max_series, kv->max_T);
    kv->B = B; kv->T = T; kv->t = 0;
    memcpy(kv->mask, mask, (size_t)B * T);
    const size_t per = (size_t)B * T * kv->HD;
    const cl_config *c = &kv->m->cfg;
    cl_cross_kv(kv->m, enc, B * T, 0, c->num_decoder_layers, kv->ck, kv->cv, per, &kv->flops);
    for (int l = 0; kv->hk && l < c->num_decoder_layers; l++) { /* per series (not per sample), as cl_decode's */
        cl_hk_heads(kv->hk, cl_hk_id(kv->hk, HK_DEC, l, HK_XK), kv->ck + l * per, B, T, c->num_heads, c->d_kv, 0);
        cl_hk_heads(kv->hk, cl_hk_id(kv->hk, HK_DEC, l, HK_XV), kv->cv + l * per, B, T, c->num_heads, c->d_kv, 0);
    }
    return cl_hooks_status(kv->hk, err);
}

/* softmax over n scores after masking: bias (n) added, masked keys (mask[j] == 0) at float min */
static void masked_softmax(float *s, int n, const float *bias, const uint8_t *mask) {
    if (bias) for (int j = 0; j < n; j++) s[j] += bias[j];
    if (mask) for (int j = 0; j < n; j++) if (!mask[j]) s[j] = -FLT_MAX;
    cl_softmax_rows(s, 1, n);
}

/* Self-attention of the query at step t over the cached keys 0..t of every row:
 * q, o (rows, HD); K/V of row r at sk/sv + r*S*HD, position-major. One pool item per row
 * (its heads in turn, scores in its own part of kv->scores): the same arithmetic whichever
 * thread runs it; serial on the caller, this left the pool's workers spinning (issue 27). */
typedef struct { cl_kvcache *kv; const float *sk, *sv; const float *ck, *cv; } attn_job;

static void self_row(void *ctx, int r, int tid) {
    (void)tid;
    const attn_job *j = ctx;
    cl_kvcache *kv = j->kv;
    const cl_config *c = &kv->m->cfg;
    const int H = c->num_heads, dk = c->d_kv, n = kv->t + 1, HD = (int)kv->HD;
    const size_t rstride = (size_t)kv->max_steps * kv->HD, sw = (size_t)(kv->max_T > kv->max_steps ? kv->max_T : kv->max_steps);
    const float *K = j->sk + r * rstride, *V = j->sv + r * rstride;
    float *s = kv->scores + (size_t)r * H * sw;
    for (int h = 0; h < H; h++) {
        /* s (1, n) = q_rh (1, dk) · K_rh (n, dk)^T */
        cl_gemm_few(1, n, dk, kv->q + (size_t)r * HD + h * dk, HD, K + h * dk, HD, 0.0f, s, n, NULL);
        masked_softmax(s, n, kv->bias + (size_t)h * kv->max_steps, NULL);
        /* o_rh (1, dk) = s (1, n) · V_rh (n, dk) */
        cl_sgemm(0, 1, dk, n, 1.0f, s, n, V + h * dk, HD, 0.0f, kv->o + (size_t)r * HD + h * dk, HD, NULL);
    }
}

/* The same with the maps formed whole (rows, H, 1, n) for hook_attn_scores / hook_pattern of
 * layer l, hooked between the passes (the arithmetic of self_attention). */
static void self_attention_hk(cl_kvcache *kv, const float *sk, const float *sv, int rows, int l) {
    const cl_config *c = &kv->m->cfg;
    const int H = c->num_heads, dk = c->d_kv, n = kv->t + 1, HD = (int)kv->HD;
    const size_t rstride = (size_t)kv->max_steps * kv->HD;
    float *full = cl_hooks_scratch(kv->hk, (size_t)rows * H * n);
    if (!full) return;
    int sh[4] = {rows, H, 1, n};
    for (int r = 0; r < rows; r++)
        for (int h = 0; h < H; h++) {
            float *s = full + ((size_t)r * H + h) * n;
            const float *b = kv->bias + (size_t)h * kv->max_steps;
            cl_gemm_few(1, n, dk, kv->q + (size_t)r * HD + h * dk, HD, sk + r * rstride + h * dk, HD, 0.0f, s, n,
                        &kv->flops); /* as self_row's */
            for (int j = 0; j < n; j++) s[j] += b[j];
        }
    cl_hooks_fire(kv->hk, cl_hk_id(kv->hk, HK_DEC, l, HK_SCORES), full, 4, sh, kv->t);
    cl_softmax_rows(full, rows * H, n);
    cl_hooks_fire(kv->hk, cl_hk_id(kv->hk, HK_DEC, l, HK_PATTERN), full, 4, sh, kv->t);
    for (int r = 0; r < rows; r++)
        for (int h = 0; h < H; h++)
            cl_sgemm(0, 1, dk, n, 1.0f, full + ((size_t)r * H + h) * n, n, sv + r * rstride + h * dk, HD, 0.0f,
                     kv->o + (size_t)r * HD + h * dk, HD, &kv->flops);
}

static void self_attention(cl_kvcache *kv, const float *sk, const float *sv, int rows) {
    const int H = kv->m->cfg.num_heads, dk = kv->m->cfg.d_kv, n = kv->t + 1;
    attn_job j = {kv, sk, sv, NULL, NULL};
    cl_parallel_for(rows, self_row, &j);
    kv->flops += 4.0 * rows * H * n * dk;
}

/* Cross-attention: the samples of series b share its encoder K/V (T, HD), so each head is
 * one product (samples, dk) x (dk, T); one pool item per (series, head). */
static void cross_head(void *ctx, int i, int tid) {
    (void)tid;
    const attn_job *j = ctx;
    cl_kvcache *kv = j->kv;
    const cl_config *c = &kv->m->cfg;
    const int H = c->num_heads, dk = c->d_kv, T = kv->T, S = kv->samples, HD = (int)kv->HD, b = i / H, h = i % H;
    const size_t sw = (size_t)(kv->max_T > kv->max_steps ? kv->max_T : kv->max_steps);
    const float *K = j->ck + (size_t)b * T * HD, *V = j->cv + (size_t)b * T * HD;
    const uint8_t *mk = kv->mask + (size_t)b * T;
    const float *Q = kv->q + (size_t)b * S * HD;
    float *O = kv->o + (size_t)b * S * HD;
    float *s = kv->scores + (size_t)i * S * sw; /* (S, T) with row stride T */
    /* s (S, T) = Q_h (S, dk) · K_h (T, dk)^T: a few rows against T keys (inside a pool
     * item the panels of cl_linear_few_ld run here, in the same fixed cut) */
    cl_linear_few_ld(Q + h * dk, HD, S, dk, K + h * dk, HD, T, 0.0f, s, T, NULL);
    for (int r = 0; r < S; r++) masked_softmax(s + (size_t)r * T, T, NULL, mk);
    cl_sgemm(0, S, dk, T, 1.0f, s, T, V + h * dk, HD, 0.0f, O + h * dk, HD, NULL);
}

static void cross_attention(cl_kvcache *kv, const float *ck, const float *cv) {
    const int H = kv->m->cfg.num_heads, dk = kv->m->cfg.d_kv;
    attn_job j = {kv, NULL, NULL, ck, cv};
    cl_parallel_for(kv->B * H, cross_head, &j);
    kv->flops += 4.0 * kv->B * H * kv->samples * (double)kv->T * dk;
}

/* cross_attention with the maps formed whole (rows, H, 1, T) for the hooks of layer l */
static void cross_attention_hk(cl_kvcache *kv, const float *ck, const float *cv, int l) {
    const cl_config *c = &kv->m->cfg;
    const int H = c->num_heads, dk = c->d_kv, T = kv->T, S = kv->samples, HD = (int)kv->HD, rows = kv->B * S;
    float *full = cl_hooks_scratch(kv->hk, (size_t)rows * H * T);
    if (!full) return;
    int sh[4] = {rows, H, 1, T};
    for (int b = 0; b < kv->B; b++) {
        const float *K = ck + (size_t)b * T * HD;
        const uint8_t *mk = kv->mask + (size_t)b * T;
        for (int h = 0; h < H; h++) {
            float *s = full + ((size_t)b * S * H + h) * T; /* row i of the series at stride H*T */
            cl_linear_few_ld(kv->q + (size_t)b * S * HD + h * dk, HD, S, dk, K + h * dk, HD, T, 0.0f, s, H * T, &kv->flops);
            for (int i = 0; i < S; i++)
                for (int j = 0; j < T; j++)
                    if (!mk[j]) s[(size_t)i * H * T + j] = -FLT_MAX;
        }
    }
    cl_hooks_fire(kv->hk, cl_hk_id(kv->hk, HK_DEC, l, HK_XSCORES), full, 4, sh, kv->t);
    cl_softmax_rows(full, rows * H, T);
    cl_hooks_fire(kv->hk, cl_hk_id(kv->hk, HK_DEC, l, HK_XPATTERN), full, 4, sh, kv->t);
    for (int b = 0; b < kv->B; b++)
        for (int h = 0; h < H; h++)
            cl_sgemm(0, S, dk, T, 1.0f, full + ((size_t)b * S * H + h) * T, H * T, cv + (size_t)b * T * HD + h * dk, HD,
                     0.0f, kv->o + (size_t)b * S * HD + h * dk, HD, &kv->flops);
}

/* hooks of one (rows, HD) product row block living at stride ld (this step's K or V in the
 * cache): copied out to tmp, hooked, copied back */
static void hook_strided(cl_kvcache *kv, int id, float *at, size_t ld, int rows, float *tmp) {
    if (!cl_hk_on(kv->hk, id)) return;
    const size_t HD = kv->HD;
    for (int r = 0; r < rows; r++) memcpy(tmp + r * HD, at + r * ld, sizeof(float) * HD);
    cl_hk_heads(kv->hk, id, tmp, rows, 1, kv->m->cfg.num_heads, kv->m->cfg.d_kv, kv->t);
    for (int r = 0; r < rows; r++) memcpy(at + r * ld, tmp + r * HD, sizeof(float) * HD);
}

/* One decoder step with the hook set's points (kv->hk): cl_kvcache_step's arithmetic, the
 * sublayer outputs apart where hooked; rows are series x samples (rep = samples). */
static void step_hooked(cl_kvcache *kv, int t) {
    const cl_model *m = kv->m;
    const cl_config *c = &m->cfg;
    cl_hooks *hk = kv->hk;
    const int rows = kv->B * kv->samples, d = c->d_model, HD = (int)kv->HD, H = c->num_heads, dk = c->d_kv;
    const size_t rstride = (size_t)kv->max_steps * HD;
    const size_t self_per = (size_t)kv->max_series * kv->samples * rstride;
    const size_t cross_per = (size_t)kv->B * kv->T * HD;
#define HKD(kind) cl_hk_id(hk, HK_DEC, l, kind)
    for (int l = 0; l < layers_of(m) && !hk->rc; l++) {
        const layer_w *L = &m->dec[l];
        float *sk = kv->sk + l * self_per, *sv = kv->sv + l * self_per;
        cl_hk_resid(hk, HKD(HK_RESID_PRE), kv->x, rows, 1, d, t);
        cl_rms_norm(kv->x, L->ln_self, rows, d, c->eps, kv->h);
        cl_linear_w(kv->h, rows, d, L->self.q, L->self_h.q, HD, 0.0f, kv->q, &kv->flops);
        cl_linear_few_w(kv->h, rows, d, L->self.k, L->self_h.k, HD, 0.0f, sk + (size_t)t * HD, (int)rstride, &kv->flops);
        cl_linear_few_w(kv->h, rows, d, L->self.v, L->self_h.v, HD, 0.0f, sv + (size_t)t * HD, (int)rstride, &kv->flops);
        cl_hk_heads(hk, HKD(HK_Q), kv->q, rows, 1, H, dk, t);
        hook_strided(kv, HKD(HK_K), sk + (size_t)t * HD, rstride, rows, kv->o); /* o: free until the attention */
        hook_strided(kv, HKD(HK_V), sv + (size_t)t * HD, rstride, rows, kv->o);
        if (cl_hk_on(hk, HKD(HK_SCORES)) || cl_hk_on(hk, HKD(HK_PATTERN))) self_attention_hk(kv, sk, sv, rows, l);
        else self_attention(kv, sk, sv, rows);
        cl_hk_heads(hk, HKD(HK_Z), kv->o, rows, 1, H, dk, t);
        cl_out_proj_hk(kv->o, rows, HD, L->self.o, L->self_h.o, d, kv->x, &kv->flops, hk, HKD(HK_ATTN_OUT), rows, 1, t, kv->h);
        cl_hk_resid(hk, HKD(HK_RESID_MID), kv->x, rows, 1, d, t);

        cl_rms_norm(kv->x, L->ln_cross, rows, d, c->eps, kv->h);
        cl_linear_w(kv->h, rows, d, L->cross.q, L->cross_h.q, HD, 0.0f, kv->q, &kv->flops);
        cl_hk_heads(hk, HKD(HK_XQ), kv->q, rows, 1, H, dk, t);
        if (cl_hk_on(hk, HKD(HK_XSCORES)) || cl_hk_on(hk, HKD(HK_XPATTERN)))
            cross_attention_hk(kv, kv->ck + l * cross_per, kv->cv + l * cross_per, l);
        else cross_attention(kv, kv->ck + l * cross_per, kv->cv + l * cross_per);
        cl_hk_heads(hk, HKD(HK_XZ), kv->o, rows, 1, H, dk, t);
        cl_out_proj_hk(kv->o, rows, HD, L->cross.o, L->cross_h.o, d, kv->x, &kv->flops, hk, HKD(HK_XATTN_OUT), rows, 1, t,
                       kv->h);
        cl_hk_resid(hk, HKD(HK_RESID_MID_CROSS), kv->x, rows, 1, d, t);

        cl_rms_norm(kv->x, L->ln_ff, rows, d, c->eps, kv->h);
        /* hook_mlp_out apart into the logits' buffer (free until the head) */
        cl_feed_forward_hk(m, L, kv->h, rows, kv->ff, kv->x, &kv->flops, hk, HK_DEC, l, rows, 1, t, kv->logits);
        cl_hk_resid(hk, HKD(HK_RESID_POST), kv->x, rows, 1, d, t);
    }
#undef HKD
    cl_rms_norm(kv->x, m->dec_final, rows, d, c->eps, kv->h);
    cl_hk_resid(hk, HK_DEC_FINAL, kv->h, rows, 1, d, t);
}

/* q (rows, HD) = h · Wq^T, and this step's keys and values k, v (rows, HD) at row stride ld
 * (straight into the cache): one pool job for the three products where they are few-row
 * ones, each cut and computed exactly as alone (cl_linear_few_n, cl_linear_bf16_n); with
 * more rows (over CL_FEW_ROWS samples) the three calls as before. */
static void self_qkv(cl_kvcache *kv, const layer_w *L, float *k, float *v, int ld, int rows) {
    const int d = kv->m->cfg.d_model, HD = (int)kv->HD;
    if (L->self_h.q && L->self_h.k && L->self_h.v) {
        cl_bf16_prod p[3] = {{L->self_h.q, d, HD, 0.0f, kv->q, HD}, {L->self_h.k, d, HD, 0.0f, k, ld},
                             {L->self_h.v, d, HD, 0.0f, v, ld}};
        cl_linear_bf16_n(kv->h, d, rows, d, 3, p, &kv->flops);
    } else if (rows <= CL_FEW_ROWS && !L->self_h.q && !L->self_h.k && !L->self_h.v) {
        cl_few_prod p[3] = {{L->self.q, d, HD, 0.0f, kv->q, HD}, {L->self.k, d, HD, 0.0f, k, ld},
                            {L->self.v, d, HD, 0.0f, v, ld}};
        cl_linear_few_n(kv->h, d, rows, d, 3, p, &kv->flops);
    } else {
        cl_linear_w(kv->h, rows, d, L->self.q, L->self_h.q, HD, 0.0f, kv->q, &kv->flops);
        cl_linear_few_w(kv->h, rows, d, L->self.k, L->self_h.k, HD, 0.0f, k, ld, &kv->flops);
        cl_linear_few_w(kv->h, rows, d, L->self.v, L->self_h.v, HD, 0.0f, v, ld, &kv->flops);
    }
}

int cl_kvcache_step(cl_kvcache *kv, const int32_t *tokens, cl_error *err) {
    const cl_model *m = kv->m;
    const cl_config *c = &m->cfg;
    if (kv->B <= 0) return cl_error_set(err, CL_EINVAL, "kv cache: step before begin");
    if (kv->t >= kv->max_steps)
        return cl_error_set(err, CL_EINVAL, "kv cache: step %d beyond its %d steps", kv->t + 1, kv->max_steps);
    const int rows = kv->B * kv->samples, d = c->d_model, HD = (int)kv->HD, H = c->num_heads, t = kv->t;
    for (int r = 0; r < rows; r++)
        if (tokens[r] < 0 || tokens[r] >= c->vocab_size)
            return cl_error_set(err, CL_EINVAL, "kv cache: token id %d outside the vocabulary [0, %d)", tokens[r],
                                c->vocab_size);
    cl_embed(m, tokens, (size_t)rows, kv->x);
    /* row t of the causal bias: key j <= t has relative position j - t */
    for (int j = 0; j <= t; j++) {
        int bk = cl_relative_bucket(j - t, 0, c->num_buckets, c->max_distance);
        for (int h = 0; h < H; h++) kv->bias[(size_t)h * kv->max_steps + j] = m->dec_rel[(size_t)bk * H + h];
    }
    if (kv->hk) { /* the hooked step: rows of a series are its samples */
        const int rep = kv->hk->rep;
        kv->hk->rep = rep * kv->samples;
        step_hooked(kv, t);
        kv->hk->rep = rep;
        int rc = cl_hooks_status(kv->hk, err);
        if (rc) return rc;
        goto head;
    }
    const size_t rstride = (size_t)kv->max_steps * HD;
    const size_t self_per = (size_t)kv->max_series * kv->samples * rstride;
    const size_t cross_per = (size_t)kv->B * kv->T * HD;
    for (int l = 0; l < layers_of(m); l++) {
        const layer_w *L = &m->dec[l];
        float *sk = kv->sk + l * self_per, *sv = kv->sv + l * self_per;
        cl_rms_norm(kv->x, L->ln_self, rows, d, c->eps, kv->h);
        /* q, and this step's keys/values straight into the cache (row r at position t): one
         * pool job for the three products (each cut and computed as alone) */
        self_qkv(kv, L, sk + (size_t)t * HD, sv + (size_t)t * HD, (int)rstride, rows);
        self_attention(kv, sk, sv, rows);
        cl_linear_w(kv->o, rows, HD, L->self.o, L->self_h.o, d, 1.0f, kv->x, &kv->flops);

        cl_rms_norm(kv->x, L->ln_cross, rows, d, c->eps, kv->h);
        cl_linear_w(kv->h, rows, d, L->cross.q, L->cross_h.q, HD, 0.0f, kv->q, &kv->flops);
        cross_attention(kv, kv->ck + l * cross_per, kv->cv + l * cross_per);
        cl_linear_w(kv->o, rows, HD, L->cross.o, L->cross_h.o, d, 1.0f, kv->x, &kv->flops);

        cl_rms_norm(kv->x, L->ln_ff, rows, d, c->eps, kv->h);
        cl_feed_forward(m, L, kv->h, rows, kv->ff, kv->x, &kv->flops);
    }
    cl_rms_norm(kv->x, m->dec_final, rows, d, c->eps, kv->h);
head:
    if (c->tied) {
        const float sc = (float)pow(d, -0.5);
        for (size_t i = 0; i < (size_t)rows * d; i++) kv->h[i] *= sc;
    }
    cl_linear_w(kv->h, rows, d, m->lm_head, m->lm_head_h, c->vocab_size, 0.0f, kv->logits, &kv->flops);
    kv->t++;
    return 0;
}

const float *cl_kvcache_logits(const cl_kvcache *kv, int *rows, int *V) {
    if (rows) *rows = kv->B * kv->samples;
    if (V) *V = kv->m->cfg.vocab_size;
    return kv->logits;
}

int cl_kvcache_pos(const cl_kvcache *kv) { return kv->t; }
double cl_kvcache_flops(const cl_kvcache *kv) { return kv->flops; }
size_t cl_kvcache_bytes(const cl_kvcache *kv) { return kv->bytes; }
