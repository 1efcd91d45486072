/* mssweep.h — the numbers of the multisine sweep: over (configuration, head) pairs, how often
 * the detected spacing equals the smallest input gap, the error distribution, and the rank
 * correlation of spectral amplitude with induction score. */
#ifndef CL_MSSWEEP_H
#define CL_MSSWEEP_H

#include "msheads.h"

#include <stdint.h>

typedef struct cl_sweep_stats {
    int configs;     /* configurations included */
    int pairs;       /* (configuration, head) pairs included */
    int periodic;    /* pairs whose spectrum has a detected period */
    int match;       /* pairs with |spacing - smallest gap| <= tol */
    int match_gcd;   /* pairs with |spacing - gcd of the gaps| <= tol */
    int match_fund;  /* pairs with |spacing - gcd of the frequencies| <= tol (the fundamental) */
    int concentrated; /* pairs whose attention is concentrated (cl_ms_concentrated), included above */
    double err_q[5]; /* quantiles 5, 25, 50, 75, 95 % of spacing - smallest gap over periodic pairs
                        (numpy's linear interpolation; NaN when none) */
    double mean_abs_err;
    double rho, p;   /* Spearman(amplitude, induction score) over the pairs and its permutation
                        p-value (cl_spearman_grouped: induction scores shuffled across heads);
                        NaN for top-k subsets, whose selection is by amplitude */
} cl_sweep_stats;

extern const double CL_SWEEP_QUANTILES[5];

/* h (C, G): per configuration and head; gap, gcd, fund (C): smallest gap, gcd of the gaps and
 * gcd of the frequencies of each configuration (gcd, fund may be NULL); use (C, may be NULL = all): which configurations to include; topk: 0 =
 * every head, else only the topk heads of largest amplitude in each configuration; ind (G);
 * tol: match tolerance in Hz. Returns 0, or -1 if out of memory. */
int cl_sweep_summarise(const cl_ms_head *h, const double *gap, const double *gcd, const double *fund,
                       const unsigned char *use, int C, int G, int topk, const double *ind, double tol, int perms, uint64_t seed, cl_sweep_stats *out);

#endif
