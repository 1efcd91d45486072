/* parrot.h — context parroting (Zhang & Gilpin, "Context parroting: a simple but
 * tough-to-beat baseline for foundation models in scientific machine learning"): find
 * the earlier stretch of the context most similar to its last D values and copy what
 * followed it, repeating that continuation periodically as far as needed. */
#ifndef CL_PARROT_H
#define CL_PARROT_H

#include "chronolens_study.h"

/* cl_parrot_info (the match): chronolens_study.h */

/* x (L) one series (NaN = missing); D >= 1 the window length; out (H). Candidate windows
 * end at i (D-1 <= i <= L-2) with no missing value in the window or in x[i+1 .. L-1];
 * the closest wins, ties going to the most recent. out[k] = x[i + 1 + (k mod p)],
 * p = L - 1 - i. */
int cl_parrot_forecast(const float *x, int L, int D, int H, float *out, cl_parrot_info *info, cl_error *err);

#endif
