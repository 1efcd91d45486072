/* metrics.c — MASE, quantile loss, seasonal naive (see metrics.h). */
#include "study/forecast/metrics.h"

#include <math.h>
#include <stddef.h>

int cl_season_length(const float *x, int L) {
    double mean = 0, var = 0;
    for (int t = 0; t < L; t++) mean += x[t];
    mean /= L;
    for (int t = 0; t < L; t++) var += (x[t] - mean) * (x[t] - mean);
    if (!(var > 0)) return 1;
    int best = 1;
    double bestr = 0.3;
    for (int m = 2; m <= L / 2; m++) {
        double s = 0;
        for (int t = m; t < L; t++) s += (x[t] - mean) * (x[t - m] - mean);
        double r = s / var;
        /* a later lag must beat the best clearly: multiples of the season score alike */
        if (r > bestr + 0.05) { bestr = r; best = m; }
    }
    return best;
}

void cl_seasonal_naive(const float *x, int L, int m, int H, float *f) {
    if (m > L) m = L;
    for (int t = 0; t < H; t++) f[t] = x[L - m + t % m];
}

double cl_mase_scale(const float *x, int L, int m) {
    if (m >= L) return 0;
    double s = 0;
    for (int t = m; t < L; t++) s += fabs((double)x[t] - x[t - m]);
    return s / (L - m);
}

double cl_abs_error(const float *y, const float *f, int H) {
    double s = 0;
    for (int t = 0; t < H; t++) s += fabs((double)y[t] - f[t]);
    return s;
}

double cl_quantile_loss(const float *y, const float *q, int H, const float *levels, int nq) {
    double s = 0;
    for (int t = 0; t < H; t++)
        for (int k = 0; k < nq; k++) {
            double e = (double)y[t] - q[(size_t)t * nq + k];
            s += 2 * fabs(e * ((e <= 0 ? 1.0 : 0.0) - levels[k]));
        }
    return s;
}
