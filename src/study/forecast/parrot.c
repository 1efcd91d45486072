/* parrot.c — the context-parroting forecaster: nearest earlier window of the last D values,
 * periodic copy of its continuation. */
#include "study/forecast/parrot.h"

#include <math.h>

/* mean |x| over observed values, 1 when not > 0 (MeanScaleUniformBins' rule) */
static double series_scale(const float *x, int L) {
    double s = 0;
    int n = 0;
    for (int i = 0; i < L; i++)
        if (!isnan(x[i])) { s += fabs(x[i]); n++; }
    double sc = n ? s / n : 0;
    return sc > 0 ? sc : 1.0;
}

int cl_parrot_forecast(const float *x, int L, int D, int H, float *out, cl_parrot_info *info, cl_error *err) {
    if (D < 1 || H < 1 || L < 0)
        return cl_error_set(err, CL_EINVAL, "parrot: window %d and horizon %d must be >= 1", D, H);
    cl_parrot_info inf = {.period = 0, .distance = NAN, .scale = series_scale(x, L), .fallback = 0};
    int best = -1;
    double best_d = INFINITY;
    int query_ok = L >= D + 1;
    for (int j = L - D; query_ok && j < L; j++) query_ok = !isnan(x[j]);
    if (query_ok) {
        /* scan from the most recent candidate back; stop at the first gap in the continuation */
        for (int i = L - 2; i >= D - 1; i--) {
            if (isnan(x[i + 1])) break;
            int ok = 1;
            double ss = 0;
            for (int j = 0; j < D && ok; j++) {
                float a = x[i - D + 1 + j], b = x[L - D + j];
                if (isnan(a)) ok = 0;
                else ss += ((double)a - b) * ((double)a - b);
            }
            if (!ok) continue;
            if (ss < best_d) { best_d = ss; best = i; }
        }
    }
    if (best >= 0) {
        inf.period = L - 1 - best;
        inf.distance = sqrt(best_d / D) / inf.scale;
        for (int k = 0; k < H; k++) out[k] = x[best + 1 + k % inf.period];
    } else {
        float last = 0;
        for (int i = L - 1; i >= 0; i--)
            if (!isnan(x[i])) { last = x[i]; break; }
        inf.fallback = 1;
        inf.period = 1;
        for (int k = 0; k < H; k++) out[k] = last;
    }
    if (info) *info = inf;
    return 0;
}
