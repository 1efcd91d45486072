/* multisine.h — multisine inputs (method.md §3) and the decoder-start cross-attention they
 * produce: the signal whose spectrum the multisine commands analyse. */
#ifndef CL_MULTISINE_H
#define CL_MULTISINE_H

#include "chronolens_study.h" /* cl_multisine */
#include "core/core.h"


/* The shortest context_length of the config.json files of dirs (n): fit = 1 cuts in to it
 * (cl_multisine_fit_context), fit = 0 refuses an in->points above it. 0 or a status. */
int cl_multisine_fit_dirs(const char *const *dirs, int n, int fit, cl_multisine *in, cl_error *err);
/* Nyquist frequency points / (2 duration). */
static inline double cl_multisine_nyquist(const cl_multisine *m) { return m->points / (2.0 * m->duration); }
/* series (points): the formula; noise drawn from rng (untouched when noise == 0). */
void cl_multisine_eval(const cl_multisine *m, cl_rng *rng, float *series);
/* cl_multisine_smallest_gap: chronolens_study.h. */
/* For integer frequencies: the greatest common divisor of all pairwise gaps (0 for one
 * frequency), and whether the smallest gap fails to divide some other gap (0/1). */
int cl_multisine_gap_gcd(const cl_multisine *m);
/* For integer frequencies: the greatest common divisor of the frequencies themselves — the
 * fundamental of the series (its period is 1 / gcd); it divides the gcd of the gaps. */
int cl_multisine_freq_gcd(const cl_multisine *m);
int cl_multisine_non_divisor(const cl_multisine *m);

/* Random frequency set: k distinct integer frequencies in [fmin, fmax] (k uniform in
 * [kmin, kmax]), amplitudes uniform in [0.2, 1], phases uniform in [0, 2 pi); points,
 * duration and noise are copied from base. Frequencies are sorted ascending. */
void cl_multisine_random(cl_rng *rng, const cl_multisine *base, int fmin, int fmax, int kmin, int kmax,
                         cl_multisine *out);

/* Runs B series of `points` values through the model in one pass: the model's tokenizer
 * (points values + EOS), the encoder, and the decoder on [decoder_start_token_id], capturing
 * only cross-attention row 0. series (B, points) -> attn (B, layers, heads, points): the
 * attention of the decoder start query over the context positions, EOS excluded. Requires
 * points <= context_length (the tokenizer would drop values otherwise). */
int cl_multisine_attention(cl_state *s, const float *series, int B, int points, float *attn, cl_error *err);

/* Induction score per decoder layer and head (layers*heads, layer-major): the larger of the
 * mean cross-attention at the "current token" m and at the "token to right" m + 1 of the
 * repeated-random-token test with the study's defaults (cl_rrt_default, cl_rrt_cross_scores). */
int cl_multisine_induction(cl_state *s, double *score, double *cur, double *right, cl_error *err);

#endif
