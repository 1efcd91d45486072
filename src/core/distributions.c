/* distributions.c — normal, Student t, binomial and hypergeometric tails, and Holm's
 * multiple-comparison step-down (stats.h). Small, closed-form or standard numerics; checked
 * against scipy.stats values in tests/test_stats.c. */
#include "core/stats.h"

#include <math.h>
#include <stdlib.h>

double cl_norm_cdf(double x) { return 0.5 * erfc(-x / sqrt(2.0)); }

double cl_norm_quantile(double p) {
    if (!(p > 0 && p < 1)) return p == 0 ? -INFINITY : p == 1 ? INFINITY : NAN;
    static const double a[6] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                                1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[5] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                6.680131188771972e+01, -1.328068155288572e+01};
    static const double c[6] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
    static const double d[4] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                3.754408661907416e+00};
    double q, r, x;
    if (p < 0.02425) {
        q = sqrt(-2 * log(p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    } else if (p > 1 - 0.02425) {
        q = sqrt(-2 * log(1 - p));
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    } else {
        q = p - 0.5;
        r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }
    /* one Halley step on the exact CDF */
    double e = cl_norm_cdf(x) - p, u = e * sqrt(2 * M_PI) * exp(x * x / 2);
    return x - u / (1 + x * u / 2);
}

/* continued fraction of I_x(a, b) (modified Lentz) */
static double betacf(double a, double b, double x) {
    const double tiny = 1e-300;
    double qab = a + b, qap = a + 1, qam = a - 1, c = 1, d = 1 - qab * x / qap;
    if (fabs(d) < tiny) d = tiny;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= 1000; m++) {
        int m2 = 2 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1 + aa * d; if (fabs(d) < tiny) d = tiny;
        c = 1 + aa / c; if (fabs(c) < tiny) c = tiny;
        d = 1 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1 + aa * d; if (fabs(d) < tiny) d = tiny;
        c = 1 + aa / c; if (fabs(c) < tiny) c = tiny;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < 1e-15) break;
    }
    return h;
}

double cl_beta_inc(double a, double b, double x) {
    if (!(x > 0)) return 0;
    if (!(x < 1)) return 1;
    double lbt = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
    if (x < (a + 1) / (a + b + 2)) return exp(lbt) * betacf(a, b, x) / a;
    return 1 - exp(lbt) * betacf(b, a, 1 - x) / b;
}

double cl_t_cdf(double t, double df) {
    if (isnan(t) || !(df > 0)) return NAN;
    if (isinf(t)) return t > 0 ? 1 : 0;
    double x = df / (df + t * t), tail = 0.5 * cl_beta_inc(df / 2, 0.5, x); /* P(T > |t|) */
    return t > 0 ? 1 - tail : tail;
}

double cl_binom_sf(int k, int n, double p) {
    if (k <= 0) return 1;
    if (k > n) return 0;
    if (p <= 0) return 0;
    if (p >= 1) return 1;
    return cl_beta_inc(k, n - k + 1, p); /* P(X >= k) = I_p(k, n - k + 1) */
}

static double lchoose(int n, int k) { return lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0); }

double cl_hypergeom_sf(int k, int N, int K, int draw) {
    int lo = draw - (N - K) > 0 ? draw - (N - K) : 0, hi = draw < K ? draw : K;
    if (k <= lo) return 1;
    if (k > hi) return 0;
    double s = 0, base = lchoose(N, draw);
    for (int x = k; x <= hi; x++) s += exp(lchoose(K, x) + lchoose(N - K, draw - x) - base);
    return s > 1 ? 1 : s;
}

static const double *holm_p;
static int by_p(const void *a, const void *b) {
    double x = holm_p[*(const int *)a], y = holm_p[*(const int *)b];
    if (isnan(x)) return isnan(y) ? 0 : 1;
    if (isnan(y)) return -1;
    return (x > y) - (x < y);
}

int cl_holm(const double *p, int n, double alpha, unsigned char *reject) {
    int *idx = malloc(sizeof(int) * (size_t)(n > 0 ? n : 1)), m = 0, r = 0;
    if (!idx) return -1;
    for (int i = 0; i < n; i++) { idx[i] = i; reject[i] = 0; m += !isnan(p[i]); }
    holm_p = p;
    qsort(idx, (size_t)n, sizeof(int), by_p);
    for (int j = 0; j < m; j++) {
        if (p[idx[j]] > alpha / (m - j)) break;
        reject[idx[j]] = 1;
        r++;
    }
    free(idx);
    return r;
}
