/* attention.h — multi-head attention core shared by the three stacks. */
#ifndef CL_ATTENTION_H
#define CL_ATTENTION_H

#include "state.h"

typedef struct attn_args {
    const float *q; int ldq;         /* (B, Tq, H*dk) rows, stride ldq; head h at column h*dk */
    const float *k, *v; int ldk;     /* (B, Tk, H*dk) rows, stride ldk */
    int B, Tq, Tk, H, dk;
    const float *bias;               /* (H, Tq, Tk) added to the scores, or NULL */
    int causal;                      /* key j > query i is masked */
    const uint8_t *kmask;            /* (B, Tk): 0 = padded key (masked), or NULL */
    const float *gates;              /* (H) factor on each head's output, or NULL */
    float *out; int ldo;             /* (B, Tq, H*dk) */
    float *scores;                   /* scratch (cl_pool_threads(), Tq, Tk) */
    capture *cap; int layer;         /* what to keep (cap NULL: nothing) */
    double *flops;
} attn_args;

/* out = softmax(q k^T + bias, masked) v per batch and head; no 1/sqrt(dk) scaling (T5).
 * Masked scores are float32 min, as in the reference, so a fully masked row is uniform. */
void cl_attention(const attn_args *a);

/* In-place row softmax of (rows, n). */
void cl_softmax_rows(float *x, int rows, int n);

#endif
