/* c2_quantiles.c — the quantile arithmetic of Chronos2Pipeline (chronos.utils, method.md
 * chronos2 §3): interp_quantiles, weighted_quantile and the trapezoid masses of the long-horizon
 * unrolling, in float32 step by step as torch computes them (the goldens are torch's), so no
 * fused multiply-add may merge two of its roundings. */
#pragma GCC optimize("fp-contract=off")
#include "study/forecast/c2_pipeline.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* torch.nan_to_num(x, nan=0): NaN -> 0, +-inf -> +-FLT_MAX */
static float nan_to_num(float x) {
    if (isnan(x)) return 0.0f;
    if (isinf(x)) return x > 0 ? FLT_MAX : -FLT_MAX;
    return x;
}

void cl_c2_interp(const float *query, int nq, const float *lv, const float *v, int K, int pre0, int app1, float *out) {
    /* the levels as torch's searchsorted sees them: [0]? lv [1]? */
    const int Kp = K + (pre0 != 0) + (app1 != 0);
    for (int i = 0; i < nq; i++) {
        const float q = query[i];
        /* up = first index with level > q (searchsorted right), clamped to the last */
        int up = 0;
        for (int j = 0; j < Kp; j++) {
            const int k = j - (pre0 != 0);
            const float l = k < 0 ? 0.0f : k >= K ? 1.0f : lv[k];
            if (l > q) break;
            up++;
        }
        if (up > Kp - 1) up = Kp - 1;
        int lo = up - 1;
        if (lo < 0) lo = 0; /* a query below every level with level 0 absent: not reached upstream */
        const int klo = lo - (pre0 != 0), kup = up - (pre0 != 0);
        const float l0 = klo < 0 ? 0.0f : klo >= K ? 1.0f : lv[klo];
        const float l1 = kup < 0 ? 0.0f : kup >= K ? 1.0f : lv[kup];
        const float v0 = klo < 0 ? v[0] : klo >= K ? v[K - 1] : v[klo];
        const float v1 = kup < 0 ? v[0] : kup >= K ? v[K - 1] : v[kup];
        const float num = q - l0, den = l1 - l0;
        const float w = nan_to_num(num / den);
        const float dv = v1 - v0, t = w * dv;
        out[i] = v0 + t;
    }
}

void cl_c2_prob_mass(const double *levels, int K, float *mass) {
    double sum = 0; /* torch's reductions sum float32 pairwise, near the exact sum: in double, rounded once */
    for (int i = 0; i < K; i++) {
        const float prev = i ? (float)levels[i - 1] : 0.0f, next = i + 1 < K ? (float)levels[i + 1] : 1.0f;
        mass[i] = (next - prev) / 2.0f;
    }
    for (int i = 0; i < K; i++) sum += mass[i];
    for (int i = 0; i < K; i++) mass[i] = mass[i] / (float)sum;
}

/* a sample and its index: sorted by value, ties by index (a stable sort, as the oracle's) */
typedef struct { float v; int i; } sample;
static int cmp_sample(const void *a, const void *b) {
    const sample *x = a, *y = b;
    if (x->v != y->v) return x->v < y->v ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

int cl_c2_weighted_quantiles(const float *query, int nq, const float *weights, const float *samples, int R, int K,
                             float *out) {
    /* weights / weights.sum(): a float32 sum of K terms in order could be off by K/2 ulps, and a
     * level off by 1e-6 moves a quantile where the samples are sparse by 1e-3; torch sums
     * pairwise, near the exact sum: the exact sum rounded once */
    double wacc = 0;
    for (int k = 0; k < K; k++) wacc += weights[k];
    const float wsum = (float)wacc;
    float *w = malloc(sizeof(float) * K), *lv = malloc(sizeof(float) * (size_t)R * K),
          *sv = malloc(sizeof(float) * (size_t)R * K);
    sample *tmp = malloc(sizeof(sample) * K);
    if (!w || !lv || !sv || !tmp) { free(w); free(lv); free(sv); free(tmp); return -1; }
    for (int k = 0; k < K; k++) w[k] = weights[k] / wsum;
    /* per row: sorted samples, the cumulative weights (torch's float32 cumsum on the CPU
     * accumulates in double), clamped to [0, 1]; the batch's least and largest level */
    float lmin = 1.0f, lmax = 0.0f;
    for (int r = 0; r < R; r++) {
        const float *s = samples + (size_t)r * K;
        for (int k = 0; k < K; k++) tmp[k] = (sample){s[k], k};
        qsort(tmp, (size_t)K, sizeof *tmp, cmp_sample);
        double acc = 0;
        float *l = lv + (size_t)r * K, *v = sv + (size_t)r * K;
        for (int k = 0; k < K; k++) {
            acc += (double)w[tmp[k].i];
            float c = (float)acc;
            l[k] = c < 0.0f ? 0.0f : c > 1.0f ? 1.0f : c;
            v[k] = tmp[k].v;
            if (l[k] < lmin) lmin = l[k];
            if (l[k] > lmax) lmax = l[k];
        }
    }
    /* level 0 / level 1 added or not for the whole batch, as upstream decides it */
    for (int r = 0; r < R; r++)
        cl_c2_interp(query, nq, lv + (size_t)r * K, sv + (size_t)r * K, K, lmin > 0.0f, lmax < 1.0f,
                     out + (size_t)r * nq);
    free(w); free(lv); free(sv); free(tmp);
    return 0;
}

int cl_c2_quantiles_at(const cl_config *c, const float *pred, int B, int H, const double *levels, int nlev,
                       float *quant, float *mean, cl_error *err) {
    const int Q = c->n_quantiles;
    int med = -1, direct = 1, idx[CL_FORECAST_MAX_LEVELS];
    for (int j = 0; j < Q; j++) if (c->quantiles[j] == 0.5) med = j;
    if (med < 0) return cl_error_set(err, CL_EINVAL, "chronos2: the model has no 0.5 quantile (its mean is the median)");
    if (nlev > CL_FORECAST_MAX_LEVELS) return cl_error_set(err, CL_EINVAL, "chronos2: too many quantile levels");
    for (int i = 0; i < nlev; i++) {
        idx[i] = -1;
        for (int j = 0; j < Q; j++) if (levels[i] == c->quantiles[j]) idx[i] = j; /* exact, as upstream's set() */
        if (idx[i] < 0) direct = 0;
    }
    float ql[32], qv[32], lq[CL_FORECAST_MAX_LEVELS];
    for (int j = 0; j < Q; j++) ql[j] = (float)c->quantiles[j];
    for (int i = 0; i < nlev; i++) lq[i] = (float)levels[i];
    /* the model's levels are increasing in (0, 1) (config check): level 0 and 1 are added */
    for (int b = 0; b < B; b++)
        for (int t = 0; t < H; t++) {
            const float *p = pred + (size_t)b * Q * H + t; /* level j at p[j * H] */
            if (mean) mean[(size_t)b * H + t] = p[(size_t)med * H];
            float *o = quant + ((size_t)b * H + t) * nlev;
            if (direct) {
                for (int i = 0; i < nlev; i++) o[i] = p[(size_t)idx[i] * H];
                continue;
            }
            for (int j = 0; j < Q; j++) qv[j] = p[(size_t)j * H];
            cl_c2_interp(lq, nlev, ql, qv, Q, ql[0] > 0.0f, ql[Q - 1] < 1.0f, o);
        }
    return 0;
}
