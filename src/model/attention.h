/* attention.h — multi-head attention core shared by the three stacks. */
#ifndef CL_ATTENTION_H
#define CL_ATTENTION_H

#include "model/state.h"

typedef struct attn_args {
    const float *q; int ldq;         /* (B, Tq, H*dk) rows, stride ldq; head h at column h*dk */
    const float *k, *v; int ldk;     /* (B, Tk, H*dk) rows, stride ldk */
    int B, Tq, Tk, H, dk;
    const float *bias;               /* (H, Tq, Tk) added to the scores, or NULL */
    int causal;                      /* key j > query i is masked */
    int shared_kv;                   /* k, v are (B, Tk, dk) rows shared by every head (no head offset) */
    const uint8_t *kmask;            /* (B, Tk): 0 = padded key (masked), or NULL */
    const float *gates;              /* (H) factor on each head's output, or NULL */
    float *out; int ldo;             /* (B, Tq, H*dk) */
    float *scores;                   /* scratch (cl_pool_threads(), Tq, Tk) */
    capture *cap; int layer;         /* what to keep (cap NULL: nothing) */
    struct cl_hooks *hk;             /* hooks (NULL: none): when the points hk_scores or hk_pattern are */
    int hk_scores, hk_pattern, qpos0;/* registered, the maps are formed whole (B, H, Tq, Tk) and hooked
                                      * on the calling thread; qpos0: the first query's position */
    double *flops;
} attn_args;

/* out = softmax(q k^T + bias, masked) v per batch and head; no 1/sqrt(dk) scaling (T5).
 * Masked scores are float32 min, as in the reference, so a fully masked row is uniform. */
void cl_attention(const attn_args *a);

/* Cross-attention of few queries without the keys/values of every encoder row (Chronos-
 * Bolt's one query): per head, q_h·(W_k,h e_j) = (W_k,h^T q_h)·e_j and Σ_j p_j W_v,h e_j =
 * W_v,h Σ_j p_j e_j, so the scores and the weighted sum run on the encoder output enc
 * (B, Tk, d) itself; the same attention core (masks, softmax, capture, gates) in between.
 * q (B*Tq, H*dk) -> out (B*Tq, H*dk); u, c: scratch (B*Tq, H*d) each. */
/* wkh, wvh: the bf16 twins of wk, wv (precision bf16; else NULL): the two weight products
 * then take bf16 inputs with fp32 accumulation (cl_matmul_bf16), the attention stays fp32. */
void cl_cross_attention_direct(const float *q, const float *wk, const float *wv, const uint16_t *wkh,
                               const uint16_t *wvh, const float *enc,
                               const uint8_t *kmask, int B, int Tq, int Tk, int H, int dk, int d,
                               const float *gates, capture *cap, int layer, float *scores, float *u,
                               float *c, float *out, double *flops, struct cl_hooks *hk, int hk_scores, int hk_pattern);

/* In-place row softmax of (rows, n). */
void cl_softmax_rows(float *x, int rows, int n);

#endif
