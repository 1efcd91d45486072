/* synth.c — the synthetic series families (see synth.h). The GP kernel bank follows
 * KernelSynth (Ansari et al. 2024): linear, RBF, periodic (ExpSineSquared), rational
 * quadratic, white noise and constant kernels, combined by random sums and products. */
#include "data/synth.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *FAMILY_NAMES[SYN_NFAMILIES] = {"gp", "seasonal", "random_walk", "repeat"};

const char *syn_family_name(int f) { return f >= 0 && f < SYN_NFAMILIES ? FAMILY_NAMES[f] : "?"; }

struct syn_gen {
    int n;
    double *K;   /* (n, n) covariance, then its Cholesky factor */
    double *z;   /* (n) standard normals */
    double *y;   /* (n) */
    double motif_frac; /* see syn_set_motif_frac */
};

syn_gen *syn_new(int n) {
    if (n < 2) return NULL;
    syn_gen *g = calloc(1, sizeof *g);
    if (!g) return NULL;
    g->n = n;
    g->K = malloc(sizeof(double) * (size_t)n * n);
    g->z = malloc(sizeof(double) * (size_t)n);
    g->y = malloc(sizeof(double) * (size_t)n);
    if (!g->K || !g->z || !g->y) { syn_free(g); return NULL; }
    return g;
}

void syn_set_motif_frac(syn_gen *g, double f) { g->motif_frac = f; }

void syn_free(syn_gen *g) {
    if (!g) return;
    free(g->K); free(g->z); free(g->y);
    free(g);
}

/* ------------------------------------------------------------------ kernels */

/* a, b by kind: LINEAR sigma0 (k = a^2 + t1 t2); RBF length a; PERIODIC period a, length b;
 * RATQUAD alpha a (length 1); WHITE variance a (on the diagonal only); CONST value a. */
static double base_eval(syn_kind kind, double a, double b, double t1, double t2) {
    double dt = t1 - t2;
    switch (kind) {
    case K_LINEAR: return a * a + t1 * t2;
    case K_RBF: return exp(-dt * dt / (2 * a * a));
    case K_PERIODIC: { double s = sin(M_PI * fabs(dt) / a); return exp(-2 * s * s / (b * b)); }
    case K_RATQUAD: return pow(1 + dt * dt / (2 * a), -a);
    case K_WHITE: return t1 == t2 ? a : 0.0;
    case K_CONST: return a;
    default: return 0;
    }
}

double syn_kernel_eval(const syn_kernel *k, double t1, double t2) {
    double v = base_eval(k->kind[0], k->a[0], k->b[0], t1, t2);
    for (int i = 1; i < k->n_terms; i++) {
        double w = base_eval(k->kind[i], k->a[i], k->b[i], t1, t2);
        v = k->op[i] == '*' ? v * w : v + w;
    }
    return v;
}

static double pick(cl_rng *r, const double *v, int n) { return v[cl_rng_int(r, 0, n - 1)]; }

void syn_kernel_random(cl_rng *r, int n, syn_kernel *k) {
    /* KernelSynth's bank; periods are in steps (hourly/daily/weekly/... seasonalities
     * that fit in a short window), mapped onto t in [0, 1] */
    static const double periods[] = {4, 6, 7, 8, 10, 12, 14, 16, 24, 30, 48};
    static const double sig0[] = {0, 1, 10}, lens[] = {0.1, 1, 10}, alphas[] = {0.1, 1, 10},
                        white[] = {0.1, 1}, consts[] = {0.1, 1, 10};
    memset(k, 0, sizeof *k);
    k->n_terms = cl_rng_int(r, 1, SYN_MAX_TERMS);
    for (int i = 0; i < k->n_terms; i++) {
        syn_kind kind = (syn_kind)cl_rng_int(r, 0, K_NKINDS - 1);
        k->kind[i] = kind;
        switch (kind) {
        case K_LINEAR: k->a[i] = pick(r, sig0, 3); break;
        case K_RBF: k->a[i] = pick(r, lens, 3) * 0.1; break; /* 0.01..1 of the window */
        case K_PERIODIC: k->a[i] = pick(r, periods, 11) / (n - 1); k->b[i] = pick(r, lens, 3); break;
        case K_RATQUAD: k->a[i] = pick(r, alphas, 3); break;
        case K_WHITE: k->a[i] = pick(r, white, 2); break;
        case K_CONST: k->a[i] = pick(r, consts, 3); break;
        default: break;
        }
        k->op[i] = cl_rng_uniform(r) < 0.5 ? '+' : '*';
    }
}

int syn_gp_draw(syn_gen *g, cl_rng *r, const syn_kernel *k, float *x) {
    const int n = g->n;
    for (int i = 0; i < n; i++) g->z[i] = cl_rng_normal(r);
    for (double jitter = 1e-6; jitter <= 1e-2 * 1.0001; jitter *= 10) {
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++) {
                double v = syn_kernel_eval(k, (double)i / (n - 1), (double)j / (n - 1));
                g->K[(size_t)i * n + j] = v + (i == j ? jitter : 0.0);
            }
        cl_blas_serial(); /* OpenBLAS's own threads would reorder the sums */
        if (LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', n, g->K, n) != 0) continue;
        /* x = L z: the lower factor times standard normals has covariance L L^T = K */
        memcpy(g->y, g->z, sizeof(double) * n);
        cblas_dtrmv(CblasRowMajor, CblasLower, CblasNoTrans, CblasNonUnit, n, g->K, n, g->y, 1);
        int ok = 1;
        for (int i = 0; i < n; i++) { x[i] = (float)g->y[i]; ok &= isfinite(x[i]); }
        if (ok) return 0;
    }
    return -1;
}

/* ------------------------------------------------------------------ other families */

static void seasonal(cl_rng *r, int n, float *x) {
    static const int periods[] = {4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 30};
    int P = periods[cl_rng_int(r, 0, 11)];
    int nh = cl_rng_int(r, 1, 3);
    double amp[3], ph[3];
    for (int h = 0; h < nh; h++) { amp[h] = cl_rng_uniform(r) / (h + 1); ph[h] = 2 * M_PI * cl_rng_uniform(r); }
    /* a second, longer seasonality sometimes */
    int P2 = cl_rng_uniform(r) < 0.3 ? P * cl_rng_int(r, 2, 4) : 0;
    double a2 = 0.5 * cl_rng_uniform(r), trend = 0.02 * cl_rng_normal(r), noise = 0.2 * cl_rng_uniform(r);
    double level = cl_rng_uniform(r) < 0.5 ? 0.0 : 1.0 + 3.0 * cl_rng_uniform(r);
    int spiky = cl_rng_uniform(r) < 0.2; /* sparse, intermittent-like profiles: clip at 0 */
    for (int t = 0; t < n; t++) {
        double v = 0;
        for (int h = 0; h < nh; h++) v += amp[h] * sin(2 * M_PI * (h + 1) * t / P + ph[h]);
        if (P2) v += a2 * sin(2 * M_PI * t / P2);
        v += level + trend * t + noise * cl_rng_normal(r);
        if (spiky && v < level) v = level;
        x[t] = (float)v;
    }
}

static void walk(cl_rng *r, int n, float *x) {
    double drift = 0.1 * cl_rng_normal(r), v = 0, sd = 0.2 + cl_rng_uniform(r);
    int expo = cl_rng_uniform(r) < 0.3; /* geometric walk: positive, multiplicative */
    for (int t = 0; t < n; t++) {
        v += drift + sd * cl_rng_normal(r);
        x[t] = (float)(expo ? exp(0.1 * v) : v);
    }
}

static void repeat(cl_rng *r, int n, double motif_frac, float *x) {
    int P = cl_rng_int(r, 3, 24);
    float seg[24];
    int smooth = cl_rng_uniform(r) < 0.5;
    /* drawn only when enabled, so runs without motifs keep their data stream */
    if (motif_frac > 0 && cl_rng_uniform(r) < motif_frac) {
        /* why: a seasonal series passes each value twice a period (rising, falling), so a
         * forecaster that matches only the last value loses the phase; segments over a small
         * alphabet need the last few values to be matched */
        float level[4];
        const int K = cl_rng_int(r, 2, 4);
        for (int k = 0; k < K; k++) level[k] = (float)cl_rng_normal(r);
        for (int i = 0; i < P; i++) seg[i] = level[cl_rng_int(r, 0, K - 1)];
    } else {
        double v = 0;
        for (int i = 0; i < P; i++) {
            v = smooth ? v + cl_rng_normal(r) : cl_rng_normal(r);
            seg[i] = (float)v;
        }
    }
    double noise = cl_rng_uniform(r) < 0.5 ? 0.0 : 0.05 * cl_rng_uniform(r);
    int off = cl_rng_int(r, 0, P - 1);
    for (int t = 0; t < n; t++) x[t] = seg[(t + off) % P] + (float)(noise * cl_rng_normal(r));
}

void syn_draw(syn_gen *g, cl_rng *r, int family, float *x) {
    const int n = g->n;
    switch (family) {
    case SYN_GP: {
        syn_kernel k;
        int tries = 0;
        do syn_kernel_random(r, n, &k); while (syn_gp_draw(g, r, &k, x) != 0 && ++tries < 8);
        if (tries == 8) walk(r, n, x);
        break;
    }
    case SYN_SEASONAL: seasonal(r, n, x); break;
    case SYN_WALK: walk(r, n, x); break;
    default: repeat(r, n, g->motif_frac, x); break;
    }
    /* a random unit: mean scaling must make the model scale-free */
    double s = pow(10.0, -1.0 + 3.0 * cl_rng_uniform(r));
    for (int t = 0; t < n; t++) {
        float v = (float)(x[t] * s);
        x[t] = isfinite(v) ? v : 0.0f;
    }
}
