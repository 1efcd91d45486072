/* tolerance.c — the reordered-sum bounds of tolerance.h. */
#include "testutil.h"
#include "tolerance.h"
#include "model/model.h"

#include <math.h>
#include <stdlib.h>

double reorder_tol_sum(int K, double sum_abs) {
    const double ku = K * REORDER_U;
    return 2 * ku / (1 - ku) * sum_abs;
}

double reorder_tol(double n, double S, size_t N) {
    return 2 * REORDER_U * S * sqrt(2 * n * log(4.0 * (double)N / REORDER_P_FAIL));
}

double t5_roundings(const cl_config *c, int T) {
    int K = c->d_model;
    if (c->d_ff > K) K = c->d_ff;
    if (c->num_heads * c->d_kv > K) K = c->num_heads * c->d_kv;
    if (T > K) K = T;
    const double depth = 6.0 * c->num_layers + 10.0 * c->num_decoder_layers + 1;
    return depth * K;
}

static double max_abs(const float *x, size_t n) {
    double m = 0;
    for (size_t i = 0; i < n; i++) m = fmax(m, fabs(x[i]));
    return m;
}

/* ‖rows r0..r0+nr of W (., d)‖: the largest row's 2-norm (frob = 0) or the block's
 * Frobenius norm (frob = 1) */
static double norm_rows(const float *W, int r0, int nr, int d, int frob) {
    double best = 0, all = 0;
    for (int r = r0; r < r0 + nr; r++) {
        double s = 0;
        for (int k = 0; k < d; k++) s += (double)W[(size_t)r * d + k] * W[(size_t)r * d + k];
        best = fmax(best, s);
        all += s;
    }
    return sqrt(frob ? all : best);
}

/* ‖w ⊙ x/rms(x)‖₂ ≤ max|w| √d */
static double normed(const float *w, int d) { return max_abs(w, (size_t)d) * sqrt(d); }

double t5_hidden_scale(const cl_model *m, int enc) {
    return normed(enc ? m->enc_final : m->dec_final, m->cfg.d_model);
}

double t5_logit_scale(const cl_model *m) {
    const cl_config *c = &m->cfg;
    assert_non_null(m->lm_head);
    double s = t5_hidden_scale(m, 0) * norm_rows(m->lm_head, 0, c->vocab_size, c->d_model, 0);
    return c->tied ? s / sqrt(c->d_model) : s;
}

/* σ_max of rows r0..r0+nr of W (., d): power iteration on A^T A, 50 steps from a fixed
 * start (a lower estimate converging from below: ×1.05 covers the rest, checked against
 * the Frobenius norm, which bounds it from above) */
static double sigma_max(const float *W, int r0, int nr, int d) {
    double *v = malloc(sizeof(double) * d), *w = malloc(sizeof(double) * nr), s = 0;
    for (int k = 0; k < d; k++) v[k] = 1.0 + 0.01 * (k % 7);
    for (int it = 0; it < 50; it++) {
        double nv = 0;
        for (int k = 0; k < d; k++) nv += v[k] * v[k];
        nv = sqrt(nv);
        for (int k = 0; k < d; k++) v[k] /= nv;
        for (int r = 0; r < nr; r++) {
            double t = 0;
            for (int k = 0; k < d; k++) t += (double)W[(size_t)(r0 + r) * d + k] * v[k];
            w[r] = t;
        }
        s = 0;
        for (int r = 0; r < nr; r++) s += w[r] * w[r];
        s = sqrt(s);
        for (int k = 0; k < d; k++) {
            double t = 0;
            for (int r = 0; r < nr; r++) t += (double)W[(size_t)(r0 + r) * d + k] * w[r];
            v[k] = t;
        }
    }
    free(v);
    free(w);
    return fmin(1.05 * s, norm_rows(W, r0, nr, d, 1));
}

double t5_score_scale(const cl_model *m, cl_stack stack) {
    const cl_config *c = &m->cfg;
    const int d = c->d_model, dk = c->d_kv, L = stack == CL_ENC_SELF ? c->num_layers : c->num_decoder_layers;
    double worst = 0;
    for (int l = 0; l < L; l++) {
        const layer_w *w = stack == CL_ENC_SELF ? &m->enc[l] : &m->dec[l];
        const attn_w *a = stack == CL_CROSS ? &w->cross : &w->self;
        assert_non_null(a->q);
        const double hq = normed(stack == CL_CROSS ? w->ln_cross : w->ln_self, d);
        const double hk = stack == CL_CROSS ? t5_hidden_scale(m, 1) : hq;
        for (int h = 0; h < c->num_heads; h++)
            worst = fmax(worst, sigma_max(a->q, h * dk, dk, d) * hq * sigma_max(a->k, h * dk, dk, d) * hk);
    }
    return worst;
}

void assert_reordered_probs(const char *label, const float *a, const float *b, size_t count, double n, double S) {
    const double ts = reorder_tol(n, S, count); /* on the scores */
    size_t worst = 0;
    double m = 0, tol_w = 0, ratio = -1; /* the value nearest its bound: |diff| / bound */
    for (size_t i = 0; i < count; i++) {
        double d = fabs((double)a[i] - (double)b[i]), tol = 2 * fmax(a[i], b[i]) * ts;
        if (isnan(d)) d = INFINITY;
        const double r = d == 0 ? 0 : tol > 0 ? d / tol : INFINITY;
        if (r > ratio) { ratio = r; m = d; tol_w = tol; worst = i; }
    }
    if (getenv("CL_TEST_VERBOSE"))
        print_message("%s: worst |diff| %.3g against %.3g (scores: bound %.3g, n = %.0f, S = %.3g, %zu values)\n", label,
                      m, tol_w, ts, n, S, count);
    if (m > tol_w)
        fail_msg("%s: |diff| %.3g > %.3g = 2 p · %.3g (reordered sums: n = %.0f roundings, scores' scale %.3g, %zu "
                 "values) at index %zu (got %.9g, want %.9g)", label, m, tol_w, ts, n, S, count, worst, a[worst], b[worst]);
}

void assert_reordered(const char *label, const float *a, const float *b, size_t count, double n, double S) {
    const double tol = reorder_tol(n, S, count);
    size_t worst = 0;
    double m = -1;
    for (size_t i = 0; i < count; i++) {
        double d = fabs((double)a[i] - (double)b[i]);
        if (isnan(d)) d = INFINITY;
        if (d > m) { m = d; worst = i; }
    }
    if (getenv("CL_TEST_VERBOSE"))
        print_message("%s: max |diff| %.3g, bound %.3g (n = %.0f roundings, S = %.3g, %zu values)\n", label, m, tol, n,
                      S, count);
    if (m > tol)
        fail_msg("%s: max |diff| %.3g > %.3g (reordered sums: n = %.0f roundings, scale %.3g, %zu values) at index %zu "
                 "(got %.9g, want %.9g)", label, m, tol, n, S, count, worst, a[worst], b[worst]);
}
