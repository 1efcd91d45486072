/* stats.h — rank statistics: average ranks, Spearman's rho, and its permutation p-value. */
#ifndef CL_STATS_H
#define CL_STATS_H

#include <stdint.h>

/* 1-based ranks of x (n), ties given the average of the ranks they span (as
 * scipy.stats.rankdata(method="average")). rank (n). Returns 0, or -1 if out of memory. */
int cl_rank_average(const double *x, int n, double *rank);

/* Pearson's correlation of x and y (n); NaN if n < 2 or either has zero variance. */
double cl_pearson(const double *x, const double *y, int n);

/* Spearman's rho: Pearson's correlation of the average ranks (NaN as cl_pearson). */
double cl_spearman(const double *x, const double *y, int n);

/* Spearman's rho between x (C, G) — C repetitions (e.g. configurations) of G groups (e.g.
 * heads) — and y (G), pairing x[c*G + g] with y[g]; and its two-sided permutation p-value:
 * y is shuffled across the groups (one shuffle applied to every repetition, because y is a
 * property of the group, so the pairs of one group are not independent), n_perm times with
 * the rng seeded by `seed`; p = (1 + #{|rho_perm| >= |rho|}) / (n_perm + 1). n_perm = 0 gives
 * p = NaN. rho = p = NaN when rho is undefined. Returns 0, or -1 if out of memory. */
int cl_spearman_grouped(const double *x, int C, int G, const double *y, int n_perm, uint64_t seed,
                        double *rho, double *p);

#endif
