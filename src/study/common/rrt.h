/* rrt.h — repeated random tokens (method.md §2): the inputs of the induction-head test and
 * the per-head cross-attention scores at the induction positions. */
#ifndef CL_RRT_H
#define CL_RRT_H

#include "chronolens_study.h" /* cl_rrt_opts */


/* Scaled-value band of the reference token range 1910..2187 of the 4096-token vocabulary
 * (centers -1.019 .. +1.012, widened by half a bin's rounding). */
#define CL_RRT_BAND_LO (-1.0195)
#define CL_RRT_BAND_HI 1.0125

/* Defaults of the study: L 10, R 2, batch 100, seed 0, token ids of the band. */
int cl_rrt_default(const cl_config *c, cl_rrt_opts *o, cl_error *err);
/* The ids whose bin centers lie in [CL_RRT_BAND_LO, CL_RRT_BAND_HI]. */
int cl_rrt_token_band(const cl_config *c, int *lo, int *hi, cl_error *err);
/* Encoder length R*L + 2 (S repeated R times, then s_0, then EOS). */
static inline int cl_rrt_enc_len(const cl_rrt_opts *o) { return o->reps * o->seq_len + 2; }
/* Encoder position of the most recent earlier occurrence of s_1: m = (R-1)*L + 1. */
static inline int cl_rrt_pos_m(const cl_rrt_opts *o) { return (o->reps - 1) * o->seq_len + 1; }

/* The batch: cl_rrt_make (chronolens_study.h). */

/* Per decoder layer and head (arrays of layers*heads, layer-major): mean and sample
 * standard deviation over the batch of the cross-attention of decoder query 1 (token s_1)
 * at encoder position m ("current token") and m + 1 ("token to right").
 * Every occurrence (method.md §2): occurrence k = 0..R-1 of the query's token sits at
 * k*L + 1 (cross; k*L for the encoder's query s_0), its right neighbour one after; occ_cur,
 * occ_right (layers*heads, R): the batch mean of the attention on each; *_all: mean and std
 * over the batch of the per-sequence sums over k (the "right" sum is Olsson et al.'s
 * prefix-matching score). The most recent occurrence is k = R-1 (= cur, right). */
typedef struct cl_rrt_scores {
    int layers, heads, reps;
    float *cur_mean, *cur_std, *right_mean, *right_std;
    float *cur_all_mean, *cur_all_std, *right_all_mean, *right_all_std;
    float *occ_cur, *occ_right;
} cl_rrt_scores;

/* Runs one forward pass of the whole batch on s (only the needed row of cross-attention
 * is captured). On return the state holds that batch's encoder output, so callers can
 * re-run cl_decode (e.g. with ablated heads) without recomputing the encoder. */
int cl_rrt_cross_scores(cl_state *s, const cl_rrt_opts *o, cl_rrt_scores *out, cl_error *err);

/* Encoder self-attention positions of the same test: the query is the final s_0 (the token
 * before EOS, position R*L); its most recent earlier occurrence is (R-1)*L, the token after
 * it (R-1)*L + 1. */
static inline int cl_rrt_enc_pos_m(const cl_rrt_opts *o) { return (o->reps - 1) * o->seq_len; }

/* As cl_rrt_cross_scores, and in the same forward pass (enc != NULL) the encoder
 * self-attention scores of query s_0 (row T-2) at cl_rrt_enc_pos_m and the position after
 * it, per encoder layer and head. Only those rows are captured. */
int cl_rrt_scores_pass(cl_state *s, const cl_rrt_opts *o, cl_rrt_scores *cross, cl_rrt_scores *enc,
                       cl_error *err);
void cl_rrt_scores_free(cl_rrt_scores *sc);
/* Per head of sc (layers*heads): score = max(current, right) mean; cur / right (either may
 * be NULL) the two means — the induction score the multisine studies colour heads by. */
void cl_rrt_head_scores(const cl_rrt_scores *sc, double *score, double *cur, double *right);
/* Mean and sample std over the batch of captured single rows a (nl, B, H, 1, Tk) at key
 * positions k ("current") and k + 1 ("to right"), and over every occurrence
 * k - (R-1)*L + j*L, j = 0..R-1 (and the position after each), into out (allocated; free with
 * cl_rrt_scores_free). Shared with the repeated-random-patches test (rrp.c). */
int cl_rrt_scores_from_capture(const float *a, const int shape[5], int k, int L, int R, cl_rrt_scores *out,
                               cl_error *err);

#endif
