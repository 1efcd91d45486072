/* cross_direct.c — cross-attention by reassociation for decoders with few queries (the
 * one-query decoder of Chronos-Bolt): the per-row K and V projections of the encoder
 * output (2 · Tk · d · H·dk multiply-adds per layer, a third of bolt-small's encoder
 * cost) are replaced by per-query projections of the query (into d) and of the weighted
 * sum (out of d). The probabilities, masks, capture and gates are cl_attention's. */
#include "model/attention.h"
#include "core/core.h"
#include "core/gemm_bf16.h"

void cl_cross_attention_direct(const float *q, const float *wk, const float *wv, const uint16_t *wkh,
                               const uint16_t *wvh, const float *enc,
                               const uint8_t *kmask, int B, int Tq, int Tk, int H, int dk, int d,
                               const float *gates, capture *cap, int layer, float *scores, float *u,
                               float *c, float *out, double *flops, struct cl_hooks *hk, int hk_scores, int hk_pattern) {
    const int rows = B * Tq, HD = H * dk, Hd = H * d;
    /* u (rows, H, d): u_h = q_h (rows, dk) · W_k,h (dk, d) */
    for (int h = 0; h < H; h++) {
        if (wkh) /* precision bf16: the same product with bf16 inputs (wk: NULL for a bf16 checkpoint) */
            cl_matmul_bf16(0, rows, d, dk, q + (size_t)h * dk, HD, wkh + (size_t)h * dk * d, d, u + (size_t)h * d, Hd,
                           flops);
        else
            cl_sgemm(0, rows, d, dk, 1.0f, q + (size_t)h * dk, HD, wk + (size_t)h * dk * d, d, 0.0f, u + (size_t)h * d,
                     Hd, flops);
    }
    /* c (rows, H, d) = softmax(u_h · enc_b^T, masked) · enc_b, per (batch, head) */
    attn_args a = {.q = u, .ldq = Hd, .k = enc, .v = enc, .ldk = d, .B = B, .Tq = Tq, .Tk = Tk, .H = H, .dk = d,
                   .kmask = kmask, .shared_kv = 1, .gates = gates, .out = c, .ldo = Hd, .scores = scores,
                   .cap = cap, .layer = layer, .flops = flops, .hk = hk, .hk_scores = hk_scores,
                   .hk_pattern = hk_pattern};
    cl_attention(&a);
    /* out_h (rows, dk) = c_h (rows, d) · W_v,h^T */
    for (int h = 0; h < H; h++) {
        if (wvh)
            cl_matmul_bf16(1, rows, dk, d, c + (size_t)h * d, Hd, wvh + (size_t)h * dk * d, d, out + (size_t)h * dk, HD,
                           flops);
        else
            cl_sgemm(1, rows, dk, d, 1.0f, c + (size_t)h * d, Hd, wv + (size_t)h * dk * d, d, 0.0f,
                     out + (size_t)h * dk, HD, flops);
    }
}
