/* synth.h — synthetic training series generated on the fly (Chronos was trained largely
 * on synthetic data): KernelSynth-style Gaussian-process draws, seasonal patterns with
 * trend and noise, random walks, and repeated random segments. Deterministic given the rng. */
#ifndef CL_SYNTH_H
#define CL_SYNTH_H

#include "core/core.h"

typedef enum { SYN_GP = 0, SYN_SEASONAL, SYN_WALK, SYN_REPEAT, SYN_NFAMILIES } syn_family;
const char *syn_family_name(int family);

/* KernelSynth kernel bank: a GP kernel is a left fold of up to SYN_MAX_TERMS base kernels
 * with random + or *, evaluated on t in [0, 1] (t_i = i / (n - 1)). */
typedef enum { K_LINEAR, K_RBF, K_PERIODIC, K_RATQUAD, K_WHITE, K_CONST, K_NKINDS } syn_kind;
#define SYN_MAX_TERMS 5
typedef struct syn_kernel {
    int n_terms;
    syn_kind kind[SYN_MAX_TERMS];
    double a[SYN_MAX_TERMS], b[SYN_MAX_TERMS]; /* parameters (see synth.c: kernel_eval) */
    char op[SYN_MAX_TERMS];                    /* op[i] ('+' or '*') joins term i to the fold; op[0] unused */
} syn_kernel;

/* k(t1, t2) of a kernel. */
double syn_kernel_eval(const syn_kernel *k, double t1, double t2);
/* A random kernel from the bank (1..SYN_MAX_TERMS terms). */
void syn_kernel_random(cl_rng *r, int n, syn_kernel *k);

typedef struct syn_gen syn_gen;
/* A generator of series of length n (n >= 2). */
syn_gen *syn_new(int n);
void syn_free(syn_gen *g);
/* One draw of the GP with covariance k on n points through a Cholesky factorisation
 * (LAPACKE_dpotrf; jitter raised until it factorises). x (n). Returns 0, or -1 if the
 * matrix cannot be factorised even with jitter 1e-2. */
int syn_gp_draw(syn_gen *g, cl_rng *r, const syn_kernel *k, float *x);
/* The fraction of repeated segments drawn from an alphabet of 2-4 values (default 0): in
 * them one value does not tell where the pattern goes on, only the last few values do. */
void syn_set_motif_frac(syn_gen *g, double f);
/* One series of the family into x (n); always finite. */
void syn_draw(syn_gen *g, cl_rng *r, int family, float *x);

#endif
