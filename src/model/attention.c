/* attention.c — scores and weighted sums through sgemm per (batch, head), run in parallel
 * over (batch, head) pairs; bias, masks and softmax fused in one pass over each score row;
 * capture of the requested rows straight from the probabilities. */
#include "model/attention.h"
#include "model/hooks.h"
#include "core/core.h"

#include <float.h>
#include <math.h>
#include <string.h>

/* exp(x) for the softmax, vectorisable: Cephes expf's range reduction and polynomial
 * (relative error ~1e-7), exactly 0 below -87.3 (where float exp underflows anyway:
 * masked scores at float min give 0, as in the reference). */
static inline float softmax_exp(float x) {
    float z = x < -87.3f ? -87.3f : x;
    float n = (z * 1.44269504088896341f + 12582912.0f) - 12582912.0f; /* round to nearest */
    float r = z - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    float y = p * r * r + r + 1.0f;
    int32_t bits = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, 4);
    return x < -87.3f ? 0.0f : y * scale;
}

enum { LANES = 16 };

/* r (n) <- softmax(r): max and sum kept in LANES partials so the loops vectorise. */
static void softmax_row(float *r, int n) {
    float mx[LANES];
    for (int k = 0; k < LANES; k++) mx[k] = -INFINITY;
    int j = 0;
    for (; j + LANES <= n; j += LANES)
        for (int k = 0; k < LANES; k++) mx[k] = r[j + k] > mx[k] ? r[j + k] : mx[k];
    float m = -INFINITY;
    for (int k = 0; k < LANES; k++) m = mx[k] > m ? mx[k] : m;
    for (; j < n; j++) m = r[j] > m ? r[j] : m;
    float sm[LANES] = {0};
    j = 0;
    for (; j + LANES <= n; j += LANES)
        for (int k = 0; k < LANES; k++) {
            float e = softmax_exp(r[j + k] - m);
            r[j + k] = e;
            sm[k] += e;
        }
    float sum = 0;
    for (; j < n; j++) { r[j] = softmax_exp(r[j] - m); sum += r[j]; }
    for (int k = 0; k < LANES; k++) sum += sm[k];
    float inv = 1.0f / sum;
    for (j = 0; j < n; j++) r[j] *= inv;
}

void cl_softmax_rows(float *x, int rows, int n) {
    for (int i = 0; i < rows; i++) softmax_row(x + (size_t)i * n, n);
}

/* One (batch, head) pair: S = Q K^T (+ bias, masks), softmax, capture, O = gate * S V. */
static void head_task(void *ctx, int task, int tid) {
    const attn_args *a = ctx;
    const int Tq = a->Tq, Tk = a->Tk, b = task / a->H, h = task % a->H;
    const float *qb = a->q + (size_t)b * Tq * a->ldq + h * a->dk;
    const size_t koff = a->shared_kv ? 0 : (size_t)h * a->dk;
    const float *kb = a->k + (size_t)b * Tk * a->ldk + koff;
    const float *vb = a->v + (size_t)b * Tk * a->ldk + koff;
    const uint8_t *km = a->kmask ? a->kmask + (size_t)b * Tk : NULL;
    const capture *cap = a->cap;
    int ls = (cap && cap->valid) ? cap->layer_sel[a->layer] : -1, keep = ls >= 0 && cap->head_sel[h] >= 0;
    float *dst = keep ? cap->buf + ((((size_t)ls * a->B + b) * cap->shape[2] + cap->head_sel[h]) * cap->shape[3]) * Tk
                      : NULL;
    /* every row kept: compute the probabilities where they are kept (no copy) */
    float *S = keep && cap->all_rows ? dst : a->scores + (size_t)tid * Tq * Tk;
    /* S (Tq, Tk) = Q_bh (Tq, dk) · K_bh^T */
    cl_sgemm(1, Tq, Tk, a->dk, 1.0f, qb, a->ldq, kb, a->ldk, 0.0f, S, Tk, NULL);
    for (int i = 0; i < Tq; i++) {
        float *r = S + (size_t)i * Tk;
        if (a->bias) {
            const float *br = a->bias + ((size_t)h * Tq + i) * Tk;
            for (int j = 0; j < Tk; j++) r[j] += br[j];
        }
        /* masked keys: float min, as the reference adds it (so a fully masked row is uniform) */
        if (km)
            for (int j = 0; j < Tk; j++) r[j] = km[j] ? r[j] : -FLT_MAX;
        if (a->causal)
            for (int j = i + 1; j < Tk; j++) r[j] = -FLT_MAX;
        softmax_row(r, Tk);
    }
    if (keep && S != dst)
        for (int r = 0; r < cap->shape[3]; r++)
            memcpy(dst + (size_t)r * Tk, S + (size_t)cap->row_idx[r] * Tk, sizeof(float) * Tk);
    /* O_bh (Tq, dk) = gate * S · V_bh */
    float g = a->gates ? a->gates[h] : 1.0f;
    cl_sgemm(0, Tq, a->dk, Tk, g, S, Tk, vb, a->ldk, 0.0f, a->out + (size_t)b * Tq * a->ldo + h * a->dk, a->ldo, NULL);
}

/* ---- the maps formed whole, for their hook points (hook_attn_scores, hook_pattern): the
 * same arithmetic as head_task in three passes over the (batch, head) pairs, the hooks run
 * on the calling thread between them. full: (B, H, Tq, Tk). */
typedef struct { const attn_args *a; float *full; } split_job;

static float *map_of(const split_job *j, int task) { return j->full + (size_t)task * j->a->Tq * j->a->Tk; }

/* S = Q K^T + bias, masked (no softmax) */
static void split_scores(void *ctx, int task, int tid) {
    (void)tid;
    const split_job *j = ctx;
    const attn_args *a = j->a;
    const int Tq = a->Tq, Tk = a->Tk, b = task / a->H, h = task % a->H;
    const float *qb = a->q + (size_t)b * Tq * a->ldq + h * a->dk;
    const float *kb = a->k + (size_t)b * Tk * a->ldk + (a->shared_kv ? 0 : (size_t)h * a->dk);
    const uint8_t *km = a->kmask ? a->kmask + (size_t)b * Tk : NULL;
    float *S = map_of(j, task);
    cl_sgemm(1, Tq, Tk, a->dk, 1.0f, qb, a->ldq, kb, a->ldk, 0.0f, S, Tk, NULL);
    for (int i = 0; i < Tq; i++) {
        float *r = S + (size_t)i * Tk;
        if (a->bias) {
            const float *br = a->bias + ((size_t)h * Tq + i) * Tk;
            for (int jj = 0; jj < Tk; jj++) r[jj] += br[jj];
        }
        if (km)
            for (int jj = 0; jj < Tk; jj++) r[jj] = km[jj] ? r[jj] : -FLT_MAX;
        if (a->causal)
            for (int jj = i + 1; jj < Tk; jj++) r[jj] = -FLT_MAX;
    }
}

static void split_softmax(void *ctx, int task, int tid) {
    (void)tid;
    const split_job *j = ctx;
    float *S = map_of(j, task);
    for (int i = 0; i < j->a->Tq; i++) softmax_row(S + (size_t)i * j->a->Tk, j->a->Tk);
}

/* capture, then O = gate * S V */
static void split_out(void *ctx, int task, int tid) {
    (void)tid;
    const split_job *j = ctx;
    const attn_args *a = j->a;
    const int Tq = a->Tq, Tk = a->Tk, b = task / a->H, h = task % a->H;
    const float *vb = a->v + (size_t)b * Tk * a->ldk + (a->shared_kv ? 0 : (size_t)h * a->dk);
    const float *S = map_of(j, task);
    const capture *cap = a->cap;
    int ls = (cap && cap->valid) ? cap->layer_sel[a->layer] : -1;
    if (ls >= 0 && cap->head_sel[h] >= 0) {
        float *dst = cap->buf + ((((size_t)ls * a->B + b) * cap->shape[2] + cap->head_sel[h]) * cap->shape[3]) * Tk;
        for (int r = 0; r < cap->shape[3]; r++)
            memcpy(dst + (size_t)r * Tk, S + (size_t)cap->row_idx[r] * Tk, sizeof(float) * Tk);
    }
    float g = a->gates ? a->gates[h] : 1.0f;
    cl_sgemm(0, Tq, a->dk, Tk, g, S, Tk, vb, a->ldk, 0.0f, a->out + (size_t)b * Tq * a->ldo + h * a->dk, a->ldo, NULL);
}

static void attention_hooked(const attn_args *a) {
    float *full = cl_hooks_scratch(a->hk, (size_t)a->B * a->H * a->Tq * a->Tk);
    if (!full) return; /* the hook set holds the error */
    split_job j = {a, full};
    int sh[4] = {a->B, a->H, a->Tq, a->Tk};
    cl_parallel_for(a->B * a->H, split_scores, &j);
    cl_hooks_fire(a->hk, a->hk_scores, full, 4, sh, a->qpos0);
    cl_parallel_for(a->B * a->H, split_softmax, &j);
    cl_hooks_fire(a->hk, a->hk_pattern, full, 4, sh, a->qpos0);
    cl_parallel_for(a->B * a->H, split_out, &j);
}

void cl_attention(const attn_args *a) {
    if (a->hk && (cl_hk_on(a->hk, a->hk_scores) || cl_hk_on(a->hk, a->hk_pattern))) attention_hooked(a);
    else cl_parallel_for(a->B * a->H, head_task, (void *)a);
    if (a->flops) *a->flops += 4.0 * a->B * a->H * (double)a->Tq * a->Tk * a->dk;
}
