/* induction.h — induction heads with repeated random tokens (method.md §2): per-head
 * attention scores of decoder cross-attention and encoder self-attention, over one or
 * several independent batches (seeds), and the strict (causal) tests of Olsson et al.
 * 2022: head ablation and the copying score.
 *
 * Definitions (README "Induction heads" gives the same in prose):
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

#include "rrt.h"

typedef struct cl_induction_opts {
    cl_rrt_opts rrt;   /* L, R, batch, token range, first seed */
    double threshold;  /* a head counts for a criterion when its mean score >= threshold (0.3) */
    int seeds;         /* independent batches (1) */
    int strict;        /* 1: also ablation and copying scores (1) */
    /* optional progress (done, total) over the forward passes; ctx passed through */
    void (*progress)(void *ctx, double done, double total);
    void *progress_ctx;
} cl_induction_opts;

/* mean: over all seeds * batch values (= mean of the per-seed means);
 * std: sample standard deviation over those seeds * batch values;
 * seed_std: sample standard deviation of the per-seed means (0 when seeds = 1). */
typedef struct cl_stat { double mean, std, seed_std; } cl_stat;

/* A count of heads: n = heads whose mean score (over seeds) >= threshold;
 * mean, std = mean and sample std over the seeds of the per-seed counts. */
typedef struct cl_count { int n; double mean, std; } cl_count;

enum { CL_CUR = 0, CL_RIGHT = 1, CL_ANY = 2 }; /* criterion index of the count arrays */

typedef struct cl_induction_result {
    int layers, heads, enc_layers; /* decoder layers, heads per layer, encoder layers */
    int seeds, strict;
    int tok_lo, tok_hi;            /* the token range used */
    double threshold;
    /* (layers * heads), layer-major: decoder cross-attention */
    cl_stat *cur, *right;
    /* every occurrence (cl_rrt_scores): sums over the R occurrences of the attention on the
     * current token and on the token to its right, per head; occ_cur, occ_right
     * (layers*heads, reps): mean attention on each occurrence k = 0..R-1 (R-1 = the most
     * recent: cur, right) */
    int reps;
    cl_stat *cur_all, *right_all;
    double *occ_cur, *occ_right;
    cl_stat *ablate;               /* Δ log p(s_2); NULL unless strict */
    cl_stat *copy;                 /* copying score; NULL unless strict */
    /* (enc_layers * heads): encoder self-attention */
    cl_stat *enc_cur, *enc_right;
    /* counts per criterion (CL_CUR, CL_RIGHT, CL_ANY: either of the two) */
    cl_count cross[3], enc[3];
    /* heads >= threshold for the criterion AND mean Δ < 0 (ablation lowers log p(s_2));
     * per seed: attention score of that seed >= threshold and that seed's Δ < 0 */
    cl_count strict_count[3];
} cl_induction_result;

/* The study's defaults for a model: L 10, R 2, batch 100, token band of its vocabulary,
 * seed 0, threshold 0.3, one seed, strict on. */
int cl_induction_default(const cl_config *c, cl_induction_opts *o, cl_error *err);

/* Runs the analysis (one forward pass per seed for the scores; with strict, one decoder
 * pass per cross-attention head on top, reusing that encoder output). Validates the options
 * (threshold in [0, 1], seeds >= 1, and those of cl_rrt_make). */
int cl_induction_run(const cl_model *m, const cl_induction_opts *o, cl_induction_result *r, cl_error *err);
void cl_induction_free(cl_induction_result *r);

/* Flags of a cross head (layer-major index i): above threshold for a criterion
 * (CL_CUR, CL_RIGHT, CL_ANY), and strict (above and mean Δ < 0; 0 unless strict). */
int cl_induction_above(const cl_induction_result *r, int i, int criterion);
int cl_induction_strict(const cl_induction_result *r, int i, int criterion);
int cl_induction_enc_above(const cl_induction_result *r, int i, int criterion);
/* One number per cross head for rankings and correlations: max(cur.mean, right.mean). */
double cl_induction_head_score(const cl_induction_result *r, int layer, int head);

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

#endif
