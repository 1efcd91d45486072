/* median_forecast.h — a small deterministic forecaster for evaluation: at each horizon
 * step the decoder (run on the whole growing prefix with cl_decode) gives a distribution
 * over value tokens; its quantiles are recorded and its median token is appended to the
 * prefix ("median decoding"). The quantiles are those of the next-step distribution given
 * the median path: narrower than the sampled marginals of ChronosPipeline.predict. */
#ifndef CL_MEDIAN_FORECAST_H
#define CL_MEDIAN_FORECAST_H

#include "chronolens.h"

/* context (B, L) raw values (NaN = missing); H horizon steps; levels (nq) in (0, 1).
 * q (B, H, nq) quantile values; median (B, H). Uses (and overwrites) state s. */
int cl_median_forecast(cl_state *s, const float *context, int B, int L, int H, const float *levels, int nq,
                       float *q, float *median, cl_error *err);

#endif
