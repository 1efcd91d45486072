/* blocks.h — T5 building blocks shared by the forward pass, cached decoding and training. */
#ifndef CL_BLOCKS_H
#define CL_BLOCKS_H

#include "model/model.h"
#include "core/export.h"

/* y (rows, out) = x (rows, in) · W^T (+ y when beta = 1) for a weight W (out, in) of the
 * model: through its bf16 twin Wh when there is one (precision bf16, gemm_bf16.h), else
 * exactly cl_linear. Every weight product of the model goes through these two. */
CL_INTERNAL void cl_linear_w(const float *x, int rows, int in, const float *W, const uint16_t *Wh, int out, float beta,
                             float *y, double *flops);
/* The same with an output row stride ldy (else exactly cl_linear_few). */
void cl_linear_few_w(const float *x, int rows, int in, const float *W, const uint16_t *Wh, int out, float beta,
                     float *y, int ldy, double *flops);
/* Products reading the same x (rows, in): y_i (rows, out_i) = x · W_i^T (+ y_i when beta_i
 * = 1). bf16 (every Wh set): x rounded once for all of them; fp32: exactly cl_linear on
 * each (few rows: all their panels in one pool job, cl_linear_few_n). */
typedef struct cl_wprod {
    const float *W;
    const uint16_t *Wh;
    int out;
    float beta;
    float *y;
} cl_wprod;
void cl_linear_w_n(const float *x, int rows, int in, int n, const cl_wprod *p, double *flops);
/* Cross-attention keys and values of decoder layers [l0, l1) from the encoder output enc
 * (rows, d_model): layer l's K at ck + l*per, V at cv + l*per, each (rows, HD). Callers that
 * stop between layers (a progress point) split the range in CL_CROSS_KV_GROUP layers. */
#define CL_CROSS_KV_GROUP 8 /* layers per call: 16 products on one rounding */
void cl_cross_kv(const cl_model *m, const float *enc, int rows, int l0, int l1, float *ck, float *cv, size_t per,
                 double *flops);
/* y (rows, d) = w * x / sqrt(mean(x^2) + eps); y may equal x. */
CL_INTERNAL void cl_rms_norm(const float *x, const float *w, int rows, int d, float eps, float *y);
/* x (rows, d) += wo · act(wi · h), or gated: act(wi0 · h) * (wi1 · h).
 * buf: scratch (rows, d_ff) [x2 when gated]; on return buf holds the activated hidden
 * (rows, d_ff) fed to wo. Adds the FLOPs of its products to *flops (may be NULL). */
CL_INTERNAL void cl_feed_forward(const cl_model *m, const layer_w *L, const float *h, int rows, float *buf, float *x,
                                 double *flops);
/* Hooked variants (hooks.h; called only with a hook set attached): cl_feed_forward with
 * the points of (stack, layer) — mlp.hook_pre and hook_pre_linear on the products, hook_post
 * on the activation, and hook_mlp_out: when registered, wo's product goes into tmp (rows, d)
 * apart, is hooked, then added to x (else fused as cl_feed_forward). Activations are
 * (B, T, ·) with T*B = rows, positions from pos0. */
struct cl_hooks;
CL_INTERNAL void cl_feed_forward_hk(const cl_model *m, const layer_w *L, const float *h, int rows, float *buf, float *x,
                                    double *flops, struct cl_hooks *hk, int stack, int layer, int B, int T, int pos0,
                                    float *tmp);
/* x (rows, d) += z (rows, in) · W^T, the output projection of an attention sublayer: fused,
 * or with point id registered apart into tmp (rows, d), hooked, then added. */
CL_INTERNAL void cl_out_proj_hk(const float *z, int rows, int in, const float *W, const uint16_t *Wh, int d, float *x,
                                double *flops, struct cl_hooks *hk, int id, int B, int T, int pos0, float *tmp);
/* x (n, d) = embed[ids] */
CL_INTERNAL void cl_embed(const cl_model *m, const int32_t *ids, size_t n, float *x);
/* bias (H, Tq, Tk) = rel[bucket(j - i)][h] for query i, key j. */
CL_INTERNAL void cl_position_bias(const cl_config *c, const float *rel, int Tq, int Tk, int bidirectional, float *bias);

#endif
