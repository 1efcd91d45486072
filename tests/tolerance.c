/* tolerance.c — the reordered-sum bounds of tolerance.h. */
#include "testutil.h"
#include "tolerance.h"
#include "model/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* the largest 2-norm of W's rows (n of them, d long) */
static double max_row_norm(const float *W, int n, int d) {
    double best = 0;
    for (int r = 0; r < n; r++) {
        double s = 0;
        for (int k = 0; k < d; k++) s += (double)W[(size_t)r * d + k] * W[(size_t)r * d + k];
        best = fmax(best, s);
    }
    return sqrt(best);
}

/* ‖w ⊙ x/rms(x)‖₂ ≤ max|w| √d */
static double normed(const float *w, int d) { return max_abs(w, (size_t)d) * sqrt(d); }

double c2_roundings(const cl_config *c, int S, int B) {
    int K = c->d_model;
    if (c->d_ff > K) K = c->d_ff;
    if (c->num_heads * c->d_kv > K) K = c->num_heads * c->d_kv;
    if (3 * c->patch_size > K) K = 3 * c->patch_size;
    if (S > K) K = S;
    if (B > K) K = B;
    return (2.0 + 10.0 * c->num_layers + 2.0) * K;
}

static double norm2(const float *x, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i++) s += (double)x[i] * x[i];
    return sqrt(s);
}

double c2_head_scale(const cl_model *m) {
    const resblock_w *r = &m->patch_out;
    assert_non_null(r->hid_w);
    assert_non_null(r->out_w);
    assert_non_null(r->res_w);
    const double h = normed(m->enc_final, m->cfg.d_model);
    const double a = norm2(r->hid_w, (size_t)r->hidden * r->in) * h + (r->hid_b ? norm2(r->hid_b, (size_t)r->hidden) : 0);
    double best = 0;
    for (int j = 0; j < r->out; j++) {
        double s = a * norm2(r->out_w + (size_t)j * r->hidden, (size_t)r->hidden) + h * norm2(r->res_w + (size_t)j * r->in, (size_t)r->in);
        if (r->out_b) s += fabs(r->out_b[j]);
        if (r->res_b) s += fabs(r->res_b[j]);
        best = fmax(best, s);
    }
    return best;
}

double t5_hidden_scale(const cl_model *m, int enc) {
    return normed(enc ? m->enc_final : m->dec_final, m->cfg.d_model);
}

double t5_logit_scale(const cl_model *m) {
    const cl_config *c = &m->cfg;
    assert_non_null(m->lm_head);
    double s = t5_hidden_scale(m, 0) * max_row_norm(m->lm_head, c->vocab_size, c->d_model);
    return c->tied ? s / sqrt(c->d_model) : s;
}

/* An upper bound of σ_max of rows r0..r0+nr of W (., d), certified (an estimate from below,
 * as power iteration gives, would not bound anything): with G = A Aᵀ (nr x nr, positive
 * semi-definite) and H = G / tr(G), λ_max(G)^16 ≤ tr(G^16), so σ_max = √λ_max(G) ≤
 * √(tr(G) · tr(H^16)^(1/16)), at most nr^(1/32) above σ_max (1.14 for nr = 64). */
static double sigma_max(const float *W, int r0, int nr, int d) {
    double *h = calloc((size_t)nr * nr, sizeof(double)), *t = calloc((size_t)nr * nr, sizeof(double));
    assert_non_null(h);
    assert_non_null(t);
    for (int i = 0; i < nr; i++)
        for (int j = 0; j <= i; j++) {
            double s = 0;
            for (int k = 0; k < d; k++) s += (double)W[(size_t)(r0 + i) * d + k] * W[(size_t)(r0 + j) * d + k];
            h[i * nr + j] = h[j * nr + i] = s;
        }
    double tr = 0;
    for (int i = 0; i < nr; i++) tr += h[i * nr + i];
    if (tr > 0) {
        for (int i = 0; i < nr * nr; i++) h[i] /= tr; /* eigenvalues in [0, 1]: no overflow */
        for (int sq = 0; sq < 4; sq++) {                 /* H^2, H^4, H^8, H^16 */
            for (int i = 0; i < nr; i++)
                for (int j = 0; j < nr; j++) {
                    double s = 0;
                    for (int k = 0; k < nr; k++) s += h[i * nr + k] * h[k * nr + j];
                    t[i * nr + j] = s;
                }
            memcpy(h, t, sizeof(double) * nr * nr);
        }
    }
    double tr16 = 0;
    for (int i = 0; i < nr; i++) tr16 += h[i * nr + i];
    free(h);
    free(t);
    return tr > 0 ? sqrt(tr * pow(tr16, 1.0 / 16)) : 0;
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
    char what[512];
    snprintf(what, sizeof what, "%s (reordered sums: n = %.0f roundings, scale %.3g, %zu values, bound %.3g)", label, n,
             S, count, tol);
    if (getenv("CL_TEST_VERBOSE")) print_message("%s: max |diff| %.3g\n", what, max_abs_diff(a, b, count));
    assert_close(what, a, b, count, tol);
}
