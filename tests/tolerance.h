/* tolerance.h — how far apart two float32 computations of ours may be when they differ only
 * in the order of their sums (chunked vs whole, cached vs uncached decoding, another batch,
 * bf16 through oneDNN vs sgemm on the same rounded values): derived from the arithmetic,
 * not picked. Tolerances against the independent references' goldens are not these: they
 * stay as they are.
 *
 * One sum. y = Σ_{k<K} a_k b_k evaluated in float32 in any order: every partial sum is
 * rounded once, |δ| ≤ u = 2^-24, so |ŷ − y| ≤ γ_K Σ|a_k b_k|, γ_K = K u / (1 − K u)
 * (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., §3.1). Two orders:
 * |ŷ₁ − ŷ₂| ≤ 2 γ_K Σ|a_k b_k|. This bound is rigorous: reorder_tol_sum.
 *
 * A network. The value compared is at the end of a chain of sums: `depth` reductions in
 * sequence, each of length ≤ K, n = depth·K roundings in all. Each rounding moves the
 * value by at most u·S to first order, S being the scale Σ|a·b| of the value (the
 * assumption: the steps between — RMS norm, softmax, residual additions, activations — do
 * not amplify a relative error; a normalisation is a projection, a residual sum adds
 * scales). Worst case the n moves add up (n·u·S: ~0.1 for a 6-layer T5, no test at all).
 * They are independent with mean zero instead (Higham & Mary, SIAM J. Sci. Comput. 41(5),
 * 2019, the model of probabilistic rounding error analysis), so by Hoeffding's inequality
 * |ŷ − y| ≤ u·S·√(2 n ln(2/p)) except with probability p. Over N compared values and two
 * computations (union bound, p = P_FAIL / (2N)):
 *     |ŷ₁ − ŷ₂| ≤ 2 u S √(2 n ln(4 N / P_FAIL))                               (reorder_tol)
 * P_FAIL = 1e-9: a correct computation fails the test once in 10^9 runs. */
#ifndef CL_TOLERANCE_H
#define CL_TOLERANCE_H

#include "chronolens.h"
#include <stddef.h>

#define REORDER_U 0x1p-24   /* float32's unit roundoff */
#define REORDER_P_FAIL 1e-9

/* 2 γ_K Σ|a·b|: two orders of one float32 sum of K products whose Σ|a·b| is sum_abs. */
double reorder_tol_sum(int K, double sum_abs);
/* 2 u S √(2 n ln(4 N / P_FAIL)): two orders of a chain of n = depth·K roundings, S the
 * value's scale, N values compared (see above). */
double reorder_tol(double n, double S, size_t N);

/* n = depth·K of a T5 forward pass (Chronos-T5): depth = 6 reductions per encoder layer
 * (q/k/v, scores, weights·values, output, feed-forward in and out), 10 per decoder layer
 * (self and cross attention, feed-forward), 1 for the output head; K the longest sum:
 * max(d_model, d_ff, heads·d_kv, T), T the longest sequence attended over. */
double t5_roundings(const cl_config *c, int T);

/* Scales S (Σ|a·b| bounds, by Cauchy–Schwarz from the weights; an RMS-normed row h has
 * ‖h‖₂ ≤ max|w|·√d since ‖x/rms(x)‖₂ = √d):
 *   t5_logit_scale: a logit, Σ_k |h_k W_jk| ≤ ‖h‖₂ max_j ‖W_j‖₂ (× d^-½ when tied);
 *   t5_hidden_scale: an RMS-normed output's entry, ≤ ‖h‖₂ for the final norm of the
 *     encoder (enc = 1) or decoder;
 *   t5_score_scale: an attention score, Σ_i |q_i k_i| ≤ ‖q‖₂ ‖k‖₂ ≤ σ(W_q,h) ‖h‖₂ ·
 *     σ(W_k,h) ‖h'‖₂ (σ: the head's block's largest singular value, bounded from above by
 *     tr((AAᵀ)^16)^(1/32)), the largest over
 *     the layers and heads of the stack (CL_ENC_SELF, CL_DEC_SELF, CL_CROSS).
 * fp32 weights (a model loaded in fp32). */
double t5_logit_scale(const cl_model *m);
double t5_hidden_scale(const cl_model *m, int enc);
double t5_score_scale(const cl_model *m, cl_stack stack);

/* n = depth·K of a Chronos-2 forward pass: depth = 2 for the input residual block, 10 per
 * layer (time and group attention: q/k/v, scores, weights·values, output; feed-forward in and
 * out), 2 for the output head; K the longest sum: max(d_model, d_ff, heads·d_kv, 3·patch,
 * tokens S, rows B). */
double c2_roundings(const cl_config *c, int S, int B);
/* The scale of a Chronos-2 head output before sinh (quantile_preds_normalized), entry j:
 * z_j = W_o relu(W_h h + b_h) + b_o + W_r h + b_r with h the final RMS-normed row, so
 * Σ|a·b| ≤ (‖W_h‖_F ‖h‖₂ + ‖b_h‖₂) ‖W_o,j‖₂ + |b_o,j| + ‖h‖₂ ‖W_r,j‖₂ + |b_r,j|, the largest
 * over j (fp32 weights). */
double c2_head_scale(const cl_model *m);

/* assert_close with reorder_tol(n, S, count) as the bound, printed on failure. */
void assert_reordered(const char *label, const float *a, const float *b, size_t count, double n, double S);
/* The same for attention probabilities, S the scores' scale: a softmax moves p_j by
 * Δp_j = p_j (Δs_j − Σ_i p_i Δs_i), so |Δp_j| ≤ 2 p_j max|Δs| (first order), p_j the
 * larger of the two values compared. */
void assert_reordered_probs(const char *label, const float *a, const float *b, size_t count, double n, double S);

#endif
