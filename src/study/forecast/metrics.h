/* metrics.h — forecast accuracy as in the Chronos benchmark: MASE (scaled by the
 * in-sample seasonal-naive error) and weighted quantile loss, and the seasonal-naive
 * baseline with the season length estimated from the context's autocorrelation. */
#ifndef CL_METRICS_H
#define CL_METRICS_H

/* Season length m in [2, L/2] with the highest autocorrelation if it is >= 0.3, else 1. */
int cl_season_length(const float *x, int L);
/* f (H) = x[L - m + (t mod m)] (the last season repeated). */
void cl_seasonal_naive(const float *x, int L, int m, int H, float *f);
/* mean |x_t - x_{t-m}| over the context; the MASE denominator (0 if undefined). */
double cl_mase_scale(const float *x, int L, int m);
/* sum |y - f| over H steps. */
double cl_abs_error(const float *y, const float *f, int H);
/* sum over steps and levels of 2 * |(y - q) (1{y <= q} - level)|, q (H, nq); divide by
 * nq * sum|y| for the weighted quantile loss. */
double cl_quantile_loss(const float *y, const float *q, int H, const float *levels, int nq);

#endif
