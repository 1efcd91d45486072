/* parrot.h — context parroting (Zhang & Gilpin, "Context parroting: a simple but
 * tough-to-beat baseline for foundation models in scientific machine learning"): find
 * the earlier stretch of the context most similar to its last D values and copy what
 * followed it, repeating that continuation periodically as far as needed. */
#ifndef CL_PARROT_H
#define CL_PARROT_H

#include "chronolens.h"

typedef struct cl_parrot_info {
    int period;      /* p: the match ends p steps before the end; the forecast repeats with period p */
    double distance; /* RMS distance between the matched window and the last D values, on values
                        divided by the series' mean |x| (the tokenizer's scale) */
    double scale;    /* that scale */
    int fallback;    /* 1: no complete window to match (too short, or gaps): last value repeated */
} cl_parrot_info;

/* x (L) one series (NaN = missing); D >= 1 the window length; out (H). Candidate windows
 * end at i (D-1 <= i <= L-2) with no missing value in the window or in x[i+1 .. L-1];
 * the closest wins, ties going to the most recent. out[k] = x[i + 1 + (k mod p)],
 * p = L - 1 - i. */
int cl_parrot_forecast(const float *x, int L, int D, int H, float *out, cl_parrot_info *info, cl_error *err);

#endif
