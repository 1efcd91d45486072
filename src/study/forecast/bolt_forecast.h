/* bolt_forecast.h — ChronosBoltPipeline.predict and predict_quantiles (method.md §4). */
#ifndef CL_BOLT_FORECAST_H
#define CL_BOLT_FORECAST_H

#include "chronolens.h"

/* Model rows per pass when the caller gives none: bolt-small's encoder activations are
 * about 3 MB per row of 2048 values. */
#define CL_BOLT_BATCH 64

/* ChronosBoltPipeline.predict: paths (B, Q, horizon) for context (B, L) (NaN = missing).
 * The first pass gives prediction_length steps; while steps remain, each of the Q paths is
 * appended to its context (kept to the last context_length values), the B*Q contexts are
 * forecast again and the Q*Q values of each step reduced to the Q levels by linear-
 * interpolated quantiles. Model passes hold at most `batch` rows (<= 0: CL_BOLT_BATCH),
 * split evenly. progress (may be NULL) receives (rows done, rows in all). */
int cl_bolt_predict(const cl_model *m, const float *context, int B, int L, int horizon, int batch,
                    const cl_progress *progress, float *paths, cl_error *err);
/* The same with hook set hk run in every pass (NULL: none): rows of the first round are the
 * series, of the later ones series x quantile paths (rep Q). */
int cl_bolt_predict_hk(const cl_model *m, const float *context, int B, int L, int horizon, int batch,
                       const cl_progress *progress, float *paths, cl_hooks *hk, cl_error *err);

/* ChronosBoltPipeline.predict_quantiles on paths (B, Q, H): quant (B, H, nlev) at levels —
 * read directly when every level is a trained one, else linear interpolation over the
 * sorted [q_first, q_1 .. q_Q, q_last] (levels beyond the trained range give the extreme
 * paths); mean (B, H) (may be NULL) = the 0.5 path. Fails when 0.5 is not trained. */
int cl_bolt_quantiles_at(const cl_config *cfg, const float *paths, int B, int H, const double *levels, int nlev,
                         float *quant, float *mean, cl_error *err);

#endif
