/* multisine.c — multisine series, random frequency sets, and the decoder-start
 * cross-attention over the context that the spectra are taken of. */
#include "study/multisine/multisine.h"
#include "study/common/rrt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void cl_multisine_reference(cl_multisine *m) {
    memset(m, 0, sizeof *m);
    static const double f[4] = {5, 10, 20, 40}, a[4] = {1.0, 0.5, 0.25, 0.25};
    m->n = 4;
    memcpy(m->freqs, f, sizeof f);
    memcpy(m->amps, a, sizeof a);
    m->points = 301;
    m->duration = 3.0;
}

int cl_multisine_check(const cl_multisine *m, cl_error *err) {
    if (m->points < 8) return cl_error_set(err, CL_EINVAL, "--points %d: must be >= 8", m->points);
    if (!(m->duration > 0) || !isfinite(m->duration))
        return cl_error_set(err, CL_EINVAL, "--duration %g: must be > 0", m->duration);
    if (m->n < 1 || m->n > CL_MS_MAX_FREQS)
        return cl_error_set(err, CL_EINVAL, "--freqs: %d frequencies (want 1 to %d)", m->n, CL_MS_MAX_FREQS);
    if (!(m->noise >= 0) || !isfinite(m->noise)) return cl_error_set(err, CL_EINVAL, "--noise %g: must be >= 0", m->noise);
    const double nyq = cl_multisine_nyquist(m);
    for (int i = 0; i < m->n; i++) {
        if (!(m->freqs[i] > 0) || !(m->freqs[i] < nyq))
            return cl_error_set(err, CL_EINVAL, "--freqs: %g Hz is not in (0, %g) (Nyquist of %d points over %g s)",
                                m->freqs[i], nyq, m->points, m->duration);
        if (!isfinite(m->amps[i])) return cl_error_set(err, CL_EINVAL, "--amps: amplitude %d is not finite", i + 1);
        if (!isfinite(m->phases[i])) return cl_error_set(err, CL_EINVAL, "--phases: phase %d is not finite", i + 1);
        for (int j = 0; j < i; j++)
            if (m->freqs[i] == m->freqs[j]) return cl_error_set(err, CL_EINVAL, "--freqs: %g Hz appears twice", m->freqs[i]);
    }
    return 0;
}

void cl_multisine_eval(const cl_multisine *m, cl_rng *rng, float *series) {
    for (int j = 0; j < m->points; j++) {
        double t = j * m->duration / m->points, v = 0;
        for (int i = 0; i < m->n; i++) v += m->amps[i] * sin(2 * M_PI * m->freqs[i] * t + m->phases[i]);
        if (m->noise > 0) v += m->noise * cl_rng_normal(rng);
        series[j] = (float)v;
    }
}

double cl_multisine_smallest_gap(const cl_multisine *m) {
    double g = NAN;
    for (int i = 0; i < m->n; i++)
        for (int j = 0; j < i; j++) {
            double d = fabs(m->freqs[i] - m->freqs[j]);
            if (isnan(g) || d < g) g = d;
        }
    return g;
}

static long gcd(long a, long b) {
    while (b) { long t = a % b; a = b; b = t; }
    return a;
}

int cl_multisine_gap_gcd(const cl_multisine *m) {
    long g = 0;
    for (int i = 1; i < m->n; i++) g = gcd(g, labs(lround(m->freqs[i]) - lround(m->freqs[0])));
    return (int)g; /* every pairwise gap is a difference of two gaps to freqs[0] */
}

int cl_multisine_freq_gcd(const cl_multisine *m) {
    long g = 0;
    for (int i = 0; i < m->n; i++) g = gcd(g, labs(lround(m->freqs[i])));
    return (int)g;
}

int cl_multisine_non_divisor(const cl_multisine *m) {
    if (m->n < 3) return 0;
    long g = lround(cl_multisine_smallest_gap(m));
    for (int i = 0; i < m->n; i++)
        for (int j = 0; j < i; j++)
            if (labs(lround(m->freqs[i]) - lround(m->freqs[j])) % g) return 1;
    return 0;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void cl_multisine_random(cl_rng *rng, const cl_multisine *base, int fmin, int fmax, int kmin, int kmax,
                         cl_multisine *out) {
    *out = *base;
    int k = cl_rng_int(rng, kmin, kmax);
    out->n = k;
    for (int i = 0; i < k; i++) {
        int f, dup;
        do {
            f = cl_rng_int(rng, fmin, fmax);
            dup = 0;
            for (int j = 0; j < i; j++) dup |= out->freqs[j] == f;
        } while (dup);
        out->freqs[i] = f;
    }
    qsort(out->freqs, (size_t)k, sizeof(double), cmp_double);
    for (int i = 0; i < k; i++) {
        out->amps[i] = 0.2 + 0.8 * cl_rng_uniform(rng);
        out->phases[i] = 2 * M_PI * cl_rng_uniform(rng);
    }
}

void cl_multisine_fit_context(cl_multisine *m, int context_length) {
    if (context_length <= 0 || m->points <= context_length) return;
    m->duration = m->duration * context_length / m->points; /* t_n = n * duration / points stays */
    m->points = context_length;
}

int cl_multisine_attention(cl_state *s, const float *series, int B, int points, float *attn, cl_error *err) {
    const cl_config *c = cl_model_config(cl_state_model(s));
    if (points > c->context_length)
        return cl_error_set(err, CL_EINVAL, "--points %d exceeds the model's context_length %d", points, c->context_length);
    const int T = cl_tokenizer_length(c, points);
    int32_t *ids = malloc(sizeof(int32_t) * (size_t)B * T), *dec = malloc(sizeof(int32_t) * (size_t)B);
    uint8_t *mask = malloc((size_t)B * T);
    float *scale = malloc(sizeof(float) * (size_t)B);
    int rc = (!ids || !dec || !mask || !scale) ? cl_error_set(err, CL_ENOMEM, "multisine: out of memory") : 0;
    int row = 0;
    cl_capture_spec spec = {.enabled = 1, .n_rows = 1, .rows = &row}, off = {0};
    if (!rc) rc = cl_tokenizer_encode(c, series, B, points, ids, mask, scale, err);
    for (int b = 0; b < B && !rc; b++) dec[b] = c->decoder_start_token_id;
    if (!rc) rc = cl_state_set_capture(s, CL_CROSS, &spec, err);
    if (!rc) rc = cl_state_set_capture(s, CL_ENC_SELF, &off, err);
    if (!rc) rc = cl_state_set_capture(s, CL_DEC_SELF, &off, err);
    if (!rc) rc = cl_encode(s, ids, mask, B, T, err);
    if (!rc) rc = cl_decode(s, dec, 1, 1, err);
    if (!rc) {
        int shape[5];
        const float *a = cl_state_attn(s, CL_CROSS, shape); /* (layers, B, heads, 1, T) */
        const int nl = shape[0], H = shape[2];
        for (int b = 0; b < B; b++)
            for (int l = 0; l < nl; l++)
                for (int h = 0; h < H; h++)
                    memcpy(attn + (((size_t)b * nl + l) * H + h) * points, a + (((size_t)l * B + b) * H + h) * T,
                           sizeof(float) * (size_t)points);
    }
    free(ids); free(dec); free(mask); free(scale);
    return rc;
}

int cl_multisine_induction(cl_state *s, double *score, double *cur, double *right, cl_error *err) {
    const cl_config *c = cl_model_config(cl_state_model(s));
    cl_rrt_opts o;
    cl_rrt_scores sc;
    int rc = cl_rrt_default(c, &o, err);
    if (!rc) rc = cl_rrt_cross_scores(s, &o, &sc, err);
    if (rc) return rc;
    cl_rrt_head_scores(&sc, score, cur, right);
    cl_rrt_scores_free(&sc);
    return 0;
}
