/* rrp.h — repeated random patches (method.md §4.1): the induction-head test of the patch
 * models (Chronos-Bolt). A "random token" becomes a random patch of patch_size i.i.d.
 * N(0, 1) values; the context is S (L patches) repeated R times, then s_0 again: (R·L + 1)
 * patches aligned to the patch grid, no padding, then [REG] when the model has it.
 *
 * Positions are patch indices. Encoder self-attention: query = the final s_0 (patch R·L),
 * "current" = (R−1)·L (its most recent earlier occurrence), "to right" = (R−1)·L + 1.
 * Decoder cross-attention of the single query: the same two key positions.
 *
 * Offset o (0 <= o < patch_size): the repeated block S^R is shifted o values to the left
 * against the grid (its first o values fall off the start, o fresh N(0, 1) values fill the
 * gap before the final s_0, which stays aligned): patch (R−1)·L then holds the last
 * patch_size − o values of s_0 and the first o of s_1, so no earlier patch repeats the query
 * exactly. o = 0 is the plain test, value for value.
 *
 * Chronos-2 (no decoder): the same context, then [REG] and ONE future token (S = R·L + 2
 * tokens: patches 0..R·L, [REG] at R·L + 1, the future token at R·L + 2). Two query rows of the
 * time attention per layer and head: the final s_0 patch (row R·L, as Bolt's encoder query)
 * and the first future token (row R·L + 2, which must read s_1 to forecast it: it plays
 * Bolt's decoder query), both at "current" = (R−1)·L and "to right" = (R−1)·L + 1. */
#ifndef CL_RRP_H
#define CL_RRP_H

#include "study/common/rrt.h"

/* 1: a model the test runs on repeated random patches (Chronos-Bolt, Chronos-2). */
static inline int cl_rrp_model(const cl_model *m) { return cl_model_is_bolt(m) || cl_model_is_chronos2(m); }

/* Values per series: (R·L + 1) · patch_size. */
static inline int cl_rrp_len(const cl_config *c, const cl_rrt_opts *o) {
    return (o->reps * o->seq_len + 1) * c->patch_size;
}
/* Encoder query row (the final s_0 patch) and the "current" key position. */
static inline int cl_rrp_query_row(const cl_rrt_opts *o) { return o->reps * o->seq_len; }
static inline int cl_rrp_pos_m(const cl_rrt_opts *o) { return (o->reps - 1) * o->seq_len; }

/* Checks a Bolt or Chronos-2 model and the options: L >= 2, R >= 2, batch >= 1, stride = patch size,
 * 0 <= offset < patch size, (R·L + 1)·patch_size <= context_length. */
int cl_rrp_check(const cl_config *c, const cl_rrt_opts *o, cl_error *err);

/* Draws the batch: ctx (batch, cl_rrp_len) as above (seeded by o->seed: S from one stream,
 * the offset's gap values from another, so offset 0 draws exactly the plain batch) and
 * target (batch) = the first value of s_1 (the value the first forecast step should read
 * off after the final s_0); ctx or target may be NULL. */
int cl_rrp_make(const cl_config *c, const cl_rrt_opts *o, float *ctx, float *target, cl_error *err);

/* One Bolt forward pass of the batch (cl_bolt_forward with only the needed rows captured):
 * cross (decoder layers × heads) and, when enc != NULL, encoder scores at the positions
 * above. The state then holds the batch's encoder output for cl_rrp_ablation.
 * Chronos-2: one cl_chronos2_forward with one output patch; cross = the first future token's
 * time-attention row (layers × heads), enc = the final s_0's. */
int cl_rrp_scores_pass(cl_state *s, const cl_rrt_opts *o, cl_rrt_scores *cross, cl_rrt_scores *enc,
                       cl_error *err);

/* Ablation of every decoder cross-attention head (gate 0), on the encoder output the state
 * holds (cl_rrp_scores_pass): per (layer, head) and series b,
 *   delta = |med − y| − |med_h − y|,
 * med = the forecast median (quantile 0.5) at the first step without gates, med_h with head
 * h ablated, y = target[b] (the first value of s_1). Negative: the head brings the forecast
 * closer to the continuation (as Δ log p < 0 for Chronos-T5). delta (layers*heads, batch).
 * Runs 1 + layers*heads decoder passes and no encoder pass; gates are reset on return. */
int cl_rrp_ablation(cl_state *s, const cl_rrt_opts *o, const float *target, float *delta, cl_error *err);

/* Chronos-2's ablation: as cl_rrp_ablation, each time-attention head (l, h) gated to 0 (at
 * every query) in a whole forward pass of the batch (drawn again from o: there is no decoder
 * to re-run on a kept encoder output); delta (layers*heads, batch). 1 + layers*heads passes. */
int cl_rrp_c2_ablation(cl_state *s, const cl_rrt_opts *o, const float *target, float *delta, cl_error *err);

#endif
