/* stats.c — average ranks, Spearman's rho and a group-permutation p-value. */
#include "core/stats.h"
#include "core/core.h"

#include <math.h>
#include <stdlib.h>

static const double *sort_key;
static int by_key(const void *a, const void *b) {
    double x = sort_key[*(const int *)a], y = sort_key[*(const int *)b];
    return (x > y) - (x < y);
}

int cl_rank_average(const double *x, int n, double *rank) {
    int *idx = malloc(sizeof(int) * (size_t)(n > 0 ? n : 1));
    if (!idx) return -1;
    for (int i = 0; i < n; i++) idx[i] = i;
    sort_key = x;
    qsort(idx, (size_t)n, sizeof(int), by_key);
    for (int i = 0; i < n;) {
        int j = i;
        while (j + 1 < n && x[idx[j + 1]] == x[idx[i]]) j++;
        double r = 0.5 * (i + j) + 1; /* average of the 1-based ranks i+1 .. j+1 */
        for (int k = i; k <= j; k++) rank[idx[k]] = r;
        i = j + 1;
    }
    free(idx);
    return 0;
}

double cl_pearson(const double *x, const double *y, int n) {
    if (n < 2) return NAN;
    double mx = 0, my = 0;
    for (int i = 0; i < n; i++) { mx += x[i]; my += y[i]; }
    mx /= n;
    my /= n;
    double sxy = 0, sxx = 0, syy = 0;
    for (int i = 0; i < n; i++) {
        double dx = x[i] - mx, dy = y[i] - my;
        sxy += dx * dy; sxx += dx * dx; syy += dy * dy;
    }
    if (!(sxx > 0) || !(syy > 0)) return NAN;
    return sxy / sqrt(sxx * syy);
}

double cl_spearman(const double *x, const double *y, int n) {
    double *rx = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1)), *ry = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
    double r = NAN;
    if (rx && ry && !cl_rank_average(x, n, rx) && !cl_rank_average(y, n, ry)) r = cl_pearson(rx, ry, n);
    free(rx);
    free(ry);
    return r;
}

int cl_spearman_grouped(const double *x, int C, int G, const double *y, int n_perm, uint64_t seed,
                        double *rho, double *p) {
    *rho = *p = NAN;
    const int n = C * G;
    if (n < 2) return 0;
    double *rx = malloc(sizeof(double) * n), *yy = malloc(sizeof(double) * n), *ry = malloc(sizeof(double) * n);
    double *rg = malloc(sizeof(double) * G), *sg = malloc(sizeof(double) * G);
    int *perm = malloc(sizeof(int) * G);
    int rc = -1;
    if (!rx || !yy || !ry || !rg || !sg || !perm) goto done;
    for (int i = 0; i < n; i++) yy[i] = y[i % G];
    if (cl_rank_average(x, n, rx) || cl_rank_average(yy, n, ry)) goto done;
    rc = 0;
    *rho = cl_pearson(rx, ry, n);
    if (isnan(*rho) || n_perm <= 0) goto done;
    /* Shuffling y across groups permutes the rank vector of y by groups: its mean and variance
     * stay, so rho_perm only needs sum_g rank_y(perm(g)) * S_g with S_g = sum_c rank_x[c][g]. */
    double mean = (n + 1) / 2.0, sxx = 0, syy = 0;
    for (int i = 0; i < n; i++) { sxx += (rx[i] - mean) * (rx[i] - mean); syy += (ry[i] - mean) * (ry[i] - mean); }
    for (int g = 0; g < G; g++) {
        rg[g] = ry[g];
        sg[g] = 0;
        for (int c = 0; c < C; c++) sg[g] += rx[c * G + g];
        perm[g] = g;
    }
    const double denom = sqrt(sxx * syy), thresh = fabs(*rho) * (1 - 1e-12);
    cl_rng rng;
    cl_rng_seed(&rng, seed);
    long hits = 0;
    for (int t = 0; t < n_perm; t++) {
        for (int g = G - 1; g > 0; g--) { /* Fisher-Yates */
            int j = cl_rng_int(&rng, 0, g), tmp = perm[g];
            perm[g] = perm[j];
            perm[j] = tmp;
        }
        double s = 0;
        for (int g = 0; g < G; g++) s += rg[perm[g]] * sg[g];
        double r = (s - n * mean * mean) / denom;
        if (fabs(r) >= thresh) hits++;
    }
    *p = (1.0 + hits) / (n_perm + 1.0);
done:
    free(rx); free(yy); free(ry); free(rg); free(sg); free(perm);
    return rc;
}
