/* stats.h — rank statistics: average ranks, Spearman's rho, and its permutation p-value. */
#ifndef CL_STATS_H
#define CL_STATS_H

#include <stdint.h>
#include "core/export.h"

/* 1-based ranks of x (n), ties given the average of the ranks they span (as
 * scipy.stats.rankdata(method="average")). rank (n). Returns 0, or -1 if out of memory. */
int cl_rank_average(const double *x, int n, double *rank);

/* Pearson's correlation of x and y (n); NaN if n < 2 or either has zero variance. */
double cl_pearson(const double *x, const double *y, int n);

/* Spearman's rho: Pearson's correlation of the average ranks (NaN as cl_pearson). */
CL_INTERNAL double cl_spearman(const double *x, const double *y, int n);

/* Spearman's rho between x (C, G) — C repetitions (e.g. configurations) of G groups (e.g.
 * heads) — and y (G), pairing x[c*G + g] with y[g]; and its two-sided permutation p-value:
 * y is shuffled across the groups (one shuffle applied to every repetition, because y is a
 * property of the group, so the pairs of one group are not independent), n_perm times with
 * the rng seeded by `seed`; p = (1 + #{|rho_perm| >= |rho|}) / (n_perm + 1). n_perm = 0 gives
 * p = NaN. rho = p = NaN when rho is undefined. Returns 0, or -1 if out of memory. */
CL_INTERNAL int cl_spearman_grouped(const double *x, int C, int G, const double *y, int n_perm, uint64_t seed,
                                    double *rho, double *p);

/* ---- distributions and tests (distributions.c), for the claims' significance ---- */

/* Standard normal CDF, and its inverse for p in (0, 1) (Acklam's rational approximation with
 * one Halley step: about 1e-15 relative). */
CL_INTERNAL double cl_norm_cdf(double x);
CL_INTERNAL double cl_norm_quantile(double p);
/* Regularized incomplete beta I_x(a, b) (continued fraction), and Student's t CDF with df
 * degrees of freedom (df > 0). */
double cl_beta_inc(double a, double b, double x);
CL_INTERNAL double cl_t_cdf(double t, double df);
/* Upper tails: P(X >= k) of Binomial(n, p), and of the hypergeometric X = number of marked
 * items among `draw` drawn without replacement from N of which K are marked. */
double cl_binom_sf(int k, int n, double p);
CL_INTERNAL double cl_hypergeom_sf(int k, int N, int K, int draw);
/* Holm's step-down procedure at level alpha over p (n): reject[i] = 1 for the rejected
 * hypotheses (NaN p-values never). Returns the number rejected, or -1 if out of memory. */
CL_INTERNAL int cl_holm(const double *p, int n, double alpha, unsigned char *reject);

#endif
