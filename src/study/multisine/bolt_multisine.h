/* bolt_multisine.h — the multisine study on Chronos-Bolt (method.md §4.2): the input at the
 * patch rate, the decoder query's cross-attention over the context patches ([REG] excluded)
 * as the attention signal, and the induction scores of the repeated-random-patches test. */
#ifndef CL_BOLT_MULTISINE_H
#define CL_BOLT_MULTISINE_H

#include "chronolens_study.h"

/* Each patch plays the role of a token: the token rate of the T5 input t5 (points / duration,
 * 301 / 3 per second for the reference) becomes the patch rate r; the series has N =
 * min(context_length, 2048) values at r × stride values per second, duration N / (r × stride);
 * frequencies, amplitudes, phases and noise are t5's. */
void cl_bolt_ms_input(const cl_config *c, const cl_multisine *t5, cl_multisine *out);
/* Frequencies of m above the patch Nyquist r / 2 (r = patches / duration) into alias (their
 * alias |f - k r| in [0, r/2]); returns how many. */
int cl_bolt_ms_aliases(const cl_multisine *m, int patches, double *freq, double *alias);

/* series (B, points) through cl_bolt_forward, capturing cross-attention row 0 only:
 * attn (B, layers, heads, P) over the P = cl_bolt_num_patches context patches. Chronos-2:
 * through cl_chronos2_forward with one output patch, the first future token's time-attention
 * row (its layers × heads) over the same P patches ([REG] and the future token excluded). */
int cl_bolt_ms_attention(cl_state *s, const float *series, int B, int points, float *attn, cl_error *err);
/* Induction score per decoder head: max of "current" and "to right" of the repeated-random-
 * patches test at the study's defaults (L 10, R 2, batch 100, seed 0), cur, right may be NULL. */
int cl_bolt_ms_induction(cl_state *s, double *score, double *cur, double *right, cl_error *err);

#endif
