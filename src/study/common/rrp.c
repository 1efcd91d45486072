/* rrp.c — repeated-random-patches batches, their attention scores and the ablation of a
 * cross-attention head by its effect on the first-step forecast median (method.md §4.1). */
#include "study/common/rrp.h"
#include "core/core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The gap values' stream: independent of S's so that offset 0 draws the plain batch. */
#define GAP_STREAM 0x9E3779B97F4A7C15ull

int cl_rrp_check(const cl_config *c, const cl_rrt_opts *o, cl_error *err) {
    if (c->family != CL_FAMILY_BOLT && c->family != CL_FAMILY_CHRONOS2)
        return cl_error_set(err, CL_EINVAL, "repeated random patches: not a Chronos-Bolt or Chronos-2 model");
    if (o->seq_len < 2) return cl_error_set(err, CL_EINVAL, "sequence length %d: must be >= 2", o->seq_len);
    if (o->reps < 2) return cl_error_set(err, CL_EINVAL, "repetitions %d: must be >= 2", o->reps);
    if (o->batch < 1) return cl_error_set(err, CL_EINVAL, "batch %d: must be >= 1", o->batch);
    if (c->patch_stride != c->patch_size)
        return cl_error_set(err, CL_EINVAL, "repeated random patches need stride = patch size (%d, %d)", c->patch_stride,
                            c->patch_size);
    if (o->offset < 0 || o->offset >= c->patch_size)
        return cl_error_set(err, CL_EINVAL, "offset %d: must be in [0, %d) (the patch size)", o->offset, c->patch_size);
    if ((long)(o->reps * (long)o->seq_len + 1) * c->patch_size > c->context_length)
        return cl_error_set(err, CL_EINVAL, "R=%d, L=%d: (R*L + 1) patches of %d values exceed the context length %d",
                            o->reps, o->seq_len, c->patch_size, c->context_length);
    return 0;
}

int cl_rrp_make(const cl_config *c, const cl_rrt_opts *o, float *ctx, float *target, cl_error *err) {
    int rc = cl_rrp_check(c, o, err);
    if (rc) return rc;
    const int ps = c->patch_size, SL = o->seq_len * ps, RS = o->reps * SL, N = cl_rrp_len(c, o), off = o->offset;
    float *S = malloc(sizeof(float) * (size_t)SL);
    if (!S) return cl_error_set(err, CL_ENOMEM, "rrp: out of memory");
    cl_rng rng, gap;
    cl_rng_seed(&rng, o->seed);
    cl_rng_seed(&gap, o->seed ^ GAP_STREAM);
    for (int b = 0; b < o->batch; b++) {
        for (int j = 0; j < SL; j++) S[j] = (float)cl_rng_normal(&rng);
        for (int j = 0; j < off; j++) { float g = (float)cl_rng_normal(&gap); if (ctx) ctx[(size_t)b * N + RS - off + j] = g; }
        if (ctx) {
            float *x = ctx + (size_t)b * N;
            for (int j = 0; j < RS - off; j++) x[j] = S[(j + off) % SL]; /* S^R, shifted left by off */
            memcpy(x + RS, S, sizeof(float) * ps);                       /* the final s_0, aligned */
        }
        if (target) target[b] = S[ps];                               /* s_1's first value */
    }
    free(S);
    return 0;
}

/* Chronos-2 (rrp.h): one pass of the batch with one future token, the time attention's rows
 * R·L (the final s_0) and R·L + 2 (the first future token, after [REG]) captured; the two rows
 * split into single-row maps (nl, B, H, 1, S) for cl_rrt_scores_from_capture. */
static int c2_scores_pass(cl_state *s, const cl_rrt_opts *o, cl_rrt_scores *fut, cl_rrt_scores *enc, cl_error *err) {
    const cl_config *c = cl_model_config(cl_state_model(s));
    const int B = o->batch, N = cl_rrp_len(c, o);
    float *ctx = malloc(sizeof(float) * (size_t)B * N);
    if (!ctx) return cl_error_set(err, CL_ENOMEM, "rrp: out of memory");
    int rc = cl_rrp_make(c, o, ctx, NULL, err);
    const int rows[2] = {cl_rrp_query_row(o), cl_rrp_query_row(o) + 2};
    cl_capture_spec spec = {.enabled = 1, .n_rows = 2, .rows = rows};
    if (!rc) rc = cl_state_set_capture(s, CL_ENC_SELF, &spec, err);
    cl_chronos2_input in = {.context = ctx, .B = B, .L = N, .num_output_patches = 1};
    cl_chronos2_result res;
    if (!rc) rc = cl_chronos2_forward(s, &in, &res, err);
    int shape[5];
    const float *a = rc ? NULL : cl_state_attn(s, CL_ENC_SELF, shape);
    if (!rc && (!a || shape[3] != 2)) rc = cl_error_set(err, CL_EINVAL, "rrp: the time attention was not captured");
    float *one = NULL;
    if (!rc) {
        const size_t T = (size_t)shape[4], outer = (size_t)shape[0] * shape[1] * shape[2];
        one = malloc(sizeof(float) * outer * T);
        if (!one) rc = cl_error_set(err, CL_ENOMEM, "rrp: out of memory");
        const int sh1[5] = {shape[0], shape[1], shape[2], 1, shape[4]};
        for (int r = 0; r < 2 && !rc; r++) {
            for (size_t i = 0; i < outer; i++) memcpy(one + i * T, a + (i * 2 + r) * T, sizeof(float) * T);
            cl_rrt_scores *dst = r ? fut : enc;
            if (!dst) continue;
            rc = cl_rrt_scores_from_capture(one, sh1, cl_rrp_pos_m(o), o->seq_len, o->reps, dst, err);
            if (rc && r && enc) cl_rrt_scores_free(enc);
        }
    }
    free(one);
    free(ctx);
    return rc;
}

int cl_rrp_scores_pass(cl_state *s, const cl_rrt_opts *o, cl_rrt_scores *cross, cl_rrt_scores *enc,
                       cl_error *err) {
    memset(cross, 0, sizeof *cross);
    if (enc) memset(enc, 0, sizeof *enc);
    const cl_config *c = cl_model_config(cl_state_model(s));
    int rc = cl_rrp_check(c, o, err);
    if (rc) return rc;
    if (c->family == CL_FAMILY_CHRONOS2) return c2_scores_pass(s, o, cross, enc, err);
    const int B = o->batch, N = cl_rrp_len(c, o);
    float *ctx = malloc(sizeof(float) * (size_t)B * N);
    if (!ctx) return cl_error_set(err, CL_ENOMEM, "rrp: out of memory");
    rc = cl_rrp_make(c, o, ctx, NULL, err);
    int row = 0, enc_row = cl_rrp_query_row(o); /* the decoder's one query; the final s_0 patch */
    cl_capture_spec spec = {.enabled = 1, .n_rows = 1, .rows = &row};
    cl_capture_spec enc_spec = {.enabled = enc != NULL, .n_rows = 1, .rows = &enc_row};
    cl_capture_spec off = {0};
    if (!rc) rc = cl_state_set_capture(s, CL_CROSS, &spec, err);
    if (!rc) rc = cl_state_set_capture(s, CL_ENC_SELF, &enc_spec, err);
    if (!rc) rc = cl_state_set_capture(s, CL_DEC_SELF, &off, err);
    if (!rc) rc = cl_bolt_forward(s, ctx, B, N, err);
    int shape[5];
    if (!rc) rc = cl_rrt_scores_from_capture(cl_state_attn(s, CL_CROSS, shape), shape, cl_rrp_pos_m(o), o->seq_len, o->reps, cross, err);
    if (!rc && enc) {
        rc = cl_rrt_scores_from_capture(cl_state_attn(s, CL_ENC_SELF, shape), shape, cl_rrp_pos_m(o), o->seq_len, o->reps, enc, err);
        if (rc) cl_rrt_scores_free(cross);
    }
    free(ctx);
    return rc;
}

/* Index of the 0.5 level among the trained quantiles, or -1. */
static int median_index(const cl_config *c) {
    for (int q = 0; q < c->n_quantiles; q++)
        if (fabs(c->quantiles[q] - 0.5) < 1e-9) return q;
    return -1;
}

/* |first-step median - y| per series: quant (B, Q, H) */
static void abs_err(const cl_config *c, const float *quant, int B, int qi, const float *y, double *out) {
    const size_t QH = (size_t)c->n_quantiles * c->prediction_length;
    for (int b = 0; b < B; b++) out[b] = fabs((double)quant[b * QH + (size_t)qi * c->prediction_length] - y[b]);
}

int cl_rrp_ablation(cl_state *s, const cl_rrt_opts *o, const float *target, float *delta, cl_error *err) {
    const cl_config *c = cl_model_config(cl_state_model(s));
    const int B = o->batch, H = c->num_heads, NL = c->num_decoder_layers, qi = median_index(c);
    if (qi < 0) return cl_error_set(err, CL_EINVAL, "ablation: the model has no 0.5 quantile");
    int sb, st;
    if (!cl_state_encoder_hidden(s, &sb, &st) || sb != B)
        return cl_error_set(err, CL_EINVAL, "ablation: the state holds no encoder output of %d series", B);
    double *clean = malloc(sizeof(double) * 2 * (size_t)B), *abl = clean ? clean + B : NULL;
    if (!clean) return cl_error_set(err, CL_ENOMEM, "ablation: out of memory");
    cl_capture_spec off = {0};
    int rc = 0;
    for (int stk = 0; stk < CL_NSTACKS && !rc; stk++) rc = cl_state_set_capture(s, (cl_stack)stk, &off, err);
    cl_state_reset_gates(s);
    if (!rc) rc = cl_bolt_decode(s, err);
    if (!rc) abs_err(c, cl_bolt_quantiles(s), B, qi, target, clean);
    for (int l = 0; l < NL && !rc; l++)
        for (int h = 0; h < H && !rc; h++) {
            rc = cl_state_set_head_gate(s, CL_CROSS, l, h, 0.0f, err);
            if (!rc) rc = cl_bolt_decode(s, err); /* cross K/V of the encoder output stay cached */
            cl_state_reset_gates(s);
            if (rc) break;
            abs_err(c, cl_bolt_quantiles(s), B, qi, target, abl);
            float *row = delta + ((size_t)l * H + h) * B;
            for (int b = 0; b < B; b++) row[b] = (float)(clean[b] - abl[b]);
        }
    free(clean);
    return rc;
}

int cl_rrp_c2_ablation(cl_state *s, const cl_rrt_opts *o, const float *target, float *delta, cl_error *err) {
    const cl_config *c = cl_model_config(cl_state_model(s));
    const int B = o->batch, H = c->num_heads, NL = c->num_layers, qi = median_index(c), N = cl_rrp_len(c, o);
    if (c->family != CL_FAMILY_CHRONOS2) return cl_error_set(err, CL_EINVAL, "ablation: not a Chronos-2 model");
    if (qi < 0) return cl_error_set(err, CL_EINVAL, "ablation: the model has no 0.5 quantile");
    double *clean = malloc(sizeof(double) * 2 * (size_t)B), *abl = clean ? clean + B : NULL;
    float *ctx = malloc(sizeof(float) * (size_t)B * N);
    if (!clean || !ctx) { free(clean); free(ctx); return cl_error_set(err, CL_ENOMEM, "ablation: out of memory"); }
    int rc = cl_rrp_make(c, o, ctx, NULL, err);
    cl_capture_spec off = {0};
    for (int stk = 0; stk < CL_NSTACKS && !rc; stk++) rc = cl_state_set_capture(s, (cl_stack)stk, &off, err);
    cl_state_reset_gates(s);
    cl_chronos2_input in = {.context = ctx, .B = B, .L = N, .num_output_patches = 1};
    cl_chronos2_result res;
    /* quantile_preds (B, Q, ps): the first step's median at [b][qi][0], as Bolt's (B, Q, H) */
    cl_config one = *c;
    one.prediction_length = c->patch_size;
    if (!rc) rc = cl_chronos2_forward(s, &in, &res, err);
    if (!rc) abs_err(&one, res.quantile_preds, B, qi, target, clean);
    for (int l = 0; l < NL && !rc; l++)
        for (int h = 0; h < H && !rc; h++) {
            rc = cl_state_set_head_gate(s, CL_ENC_SELF, l, h, 0.0f, err);
            if (!rc) rc = cl_chronos2_forward(s, &in, &res, err); /* no decoder: the whole pass again */
            cl_state_reset_gates(s);
            if (rc) break;
            abs_err(&one, res.quantile_preds, B, qi, target, abl);
            float *row = delta + ((size_t)l * H + h) * B;
            for (int b = 0; b < B; b++) row[b] = (float)(clean[b] - abl[b]);
        }
    free(clean);
    free(ctx);
    return rc;
}
