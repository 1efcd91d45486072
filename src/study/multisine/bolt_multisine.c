/* bolt_multisine.c — multisine inputs and attention signals of Chronos-Bolt (method.md §4.2). */
#include "study/multisine/bolt_multisine.h"
#include "study/common/rrp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void cl_bolt_ms_input(const cl_config *c, const cl_multisine *t5, cl_multisine *out) {
    *out = *t5;
    const double rate = t5->points / t5->duration; /* tokens per second -> patches per second */
    const int N = c->context_length < 2048 ? c->context_length : 2048;
    out->points = N;
    out->duration = N / (rate * c->patch_stride);
}

int cl_bolt_ms_aliases(const cl_multisine *m, int patches, double *freq, double *alias) {
    const double r = patches / m->duration;
    int n = 0;
    for (int i = 0; i < m->n; i++)
        if (m->freqs[i] > r / 2) {
            double a = fmod(m->freqs[i], r);
            freq[n] = m->freqs[i];
            alias[n++] = a > r / 2 ? r - a : a;
        }
    return n;
}

/* Chronos-2: the first future token's time-attention row (token P + 1, after [REG]) over the
 * P context patches, in one pass with one output patch. */
static int c2_attention(cl_state *s, const float *series, int B, int points, float *attn, cl_error *err) {
    const cl_config *c = cl_model_config(cl_state_model(s));
    const int P = cl_bolt_num_patches(c, points), S = P + 2;
    int row = P + 1;
    cl_capture_spec spec = {.enabled = 1, .n_rows = 1, .rows = &row};
    int rc = cl_state_set_capture(s, CL_ENC_SELF, &spec, err);
    cl_chronos2_input in = {.context = series, .B = B, .L = points, .num_output_patches = 1};
    cl_chronos2_result res;
    if (!rc) rc = cl_chronos2_forward(s, &in, &res, err);
    if (rc) return rc;
    int shape[5];
    const float *a = cl_state_attn(s, CL_ENC_SELF, shape); /* (layers, B, heads, 1, S) */
    const int nl = shape[0], H = shape[2];
    for (int b = 0; b < B; b++)
        for (int l = 0; l < nl; l++)
            for (int h = 0; h < H; h++)
                memcpy(attn + (((size_t)b * nl + l) * H + h) * P, a + (((size_t)l * B + b) * H + h) * S, sizeof(float) * (size_t)P);
    return 0;
}

int cl_bolt_ms_attention(cl_state *s, const float *series, int B, int points, float *attn, cl_error *err) {
    const cl_config *c = cl_model_config(cl_state_model(s));
    if (points > c->context_length)
        return cl_error_set(err, CL_EINVAL, "--points %d exceeds the model's context_length %d", points, c->context_length);
    if (c->family == CL_FAMILY_CHRONOS2) return c2_attention(s, series, B, points, attn, err);
    const int P = cl_bolt_num_patches(c, points), T = cl_bolt_num_tokens(c, points);
    int row = 0;
    cl_capture_spec spec = {.enabled = 1, .n_rows = 1, .rows = &row}, off = {0};
    int rc = cl_state_set_capture(s, CL_CROSS, &spec, err);
    if (!rc) rc = cl_state_set_capture(s, CL_ENC_SELF, &off, err);
    if (!rc) rc = cl_state_set_capture(s, CL_DEC_SELF, &off, err);
    if (!rc) rc = cl_bolt_forward(s, series, B, points, err);
    if (rc) return rc;
    int shape[5];
    const float *a = cl_state_attn(s, CL_CROSS, shape); /* (layers, B, heads, 1, T) */
    const int nl = shape[0], H = shape[2];
    for (int b = 0; b < B; b++)
        for (int l = 0; l < nl; l++)
            for (int h = 0; h < H; h++) /* the first P keys: the patches, [REG] after them */
                memcpy(attn + (((size_t)b * nl + l) * H + h) * P, a + (((size_t)l * B + b) * H + h) * T,
                       sizeof(float) * (size_t)P);
    return 0;
}

int cl_bolt_ms_induction(cl_state *s, double *score, double *cur, double *right, cl_error *err) {
    cl_rrt_opts o = {.seq_len = 10, .reps = 2, .batch = 100, .seed = 0};
    const cl_config *c = cl_model_config(cl_state_model(s));
    while (o.seq_len > 2 && (o.reps * o.seq_len + 1) * c->patch_size > c->context_length) o.seq_len--; /* short contexts */
    cl_rrt_scores sc;
    int rc = cl_rrp_scores_pass(s, &o, &sc, NULL, err);
    if (rc) return rc;
    cl_rrt_head_scores(&sc, score, cur, right);
    cl_rrt_scores_free(&sc);
    return 0;
}
