/* induction.h — induction heads with repeated random tokens (method.md §2): per-head
 * attention scores of decoder cross-attention and encoder self-attention, over one or
 * several independent batches (seeds), and the strict (causal) tests of Olsson et al.
 * 2022: head ablation and the copying score.
 *
 * Definitions (docs/induction.md gives the same in prose):
 *  - cross "current token": attention of decoder query 1 (token s_1) at encoder position
 *    m = (R-1)*L + 1 (the most recent earlier s_1); "token to right": at m + 1 (s_2).
 *  - encoder "current token": attention of encoder query R*L (the final s_0, before EOS)
 *    at (R-1)*L (its most recent earlier occurrence); "token to right": at (R-1)*L + 1.
 *  - ablation: Δ = log p(s_2 | decoder position 1) with cross-attention head (l, h) gated
 *    to 0, minus the same without any gate; per sequence, then averaged. Negative Δ means
 *    the head helps predict s_2. The encoder output is computed once and reused.
 *  - copying score of cross head (l, h): for every RRT sequence and every encoder position
 *    j < R*L (the repeated tokens), z = U_band · (g ⊙ W_O^h v_j^h) · α, where v_j^h is the
 *    head's value vector of the encoder output at j, W_O^h the head's columns of the
 *    output projection, g the decoder final norm's weight, α = d_model^-0.5 for tied
 *    embeddings (1 otherwise) and U_band the unembedding rows of the token range. The
 *    score of j is (z[t_j] - mean(z)) / std(z) over the band (0 when std(z) = 0), t_j the
 *    token at j: how many standard deviations the head raises the logit of the token it
 *    attends to above the other tokens of the band. The RMS division of the final norm is
 *    a positive factor per row and leaves this score unchanged, so it is left out.
 *
 * Seeds: batch k (0 <= k < seeds) uses rrt.seed + k. Every score is a cl_stat. */
#ifndef CL_INDUCTION_H
#define CL_INDUCTION_H

#include "study/common/rrt.h"

/* The study's types and its run/free/flags are in chronolens_study.h. */

#include "study/common/scores_table.h"

/* The scores table (method.md §5) of a set: per model run on the band or on all tokens, or
 * a Chronos-Bolt model on repeated random patches (cl_study_model.sampling: sampling
 * patches, family bolt), and cross head the rows current, right, current_all, right_all
 * (and ablation — Chronos-Bolt: ablation_median — when strict), std over the seeds*batch
 * sequences, n = seeds*batch. Models run on another token range, and Chronos-Bolt runs with
 * --offset != 0 (the repeat off the patch grid: not the plain test), have no rows
 * (*skipped, may be NULL, counts them). cl_induction_write writes them as dir/scores.csv. */
int cl_induction_scores(const cl_induction_set *s, cl_scores *t, int *skipped, cl_error *err);

/* The relative depths (layer+1)/layers of the cross heads above threshold for a criterion
 * (CL_CUR, CL_RIGHT) into out (layers*heads); returns how many (induction.json's
 * layer_distribution, the layer-distribution figure). */
int cl_induction_depths(const cl_induction_result *r, int crit, double *out);

/* ---- the strict tests, on a state that holds an RRT batch's encoder output ---- */

/* Δ log p(s_2) per (layer, head) and per sequence: dlogp (layers*heads, batch). The state
 * must hold the encoder output of the batch (enc ids (batch, R*L+2), dec (batch, 2)), as
 * cl_rrt_scores_pass leaves it. Runs 1 + layers*heads decoder passes, no encoder pass.
 * Gates are reset on return. */
int cl_induction_ablation(cl_state *s, const cl_rrt_opts *o, const int32_t *enc_ids, const int32_t *dec,
                          float *dlogp, cl_error *err);
/* Copying score per (layer, head) and per sequence (mean over its positions j < R*L):
 * copy (layers*heads, batch). Uses the state's encoder output. */
int cl_induction_copying(cl_state *s, const cl_rrt_opts *o, const int32_t *enc_ids, float *copy,
                         cl_error *err);

/* The models (copied from info, NULL: zeroed) and n results of res_size bytes of a set
 * (induction_study.c; the readers of induction_io.c use it too). */
int cl_study_set_alloc(int n, cl_study_model **models, void **res, size_t res_size, const cl_study_model *info,
                       cl_error *err);

#endif
