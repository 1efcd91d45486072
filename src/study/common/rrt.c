/* rrt.c — repeated-random-token batches and induction scores from cross-attention. */
#include "study/common/rrt.h"
#include "core/core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int cl_rrt_token_band(const cl_config *c, int *lo, int *hi, cl_error *err) {
    *lo = -1;
    *hi = -1;
    for (int id = c->n_special_tokens + 1; id < c->n_tokens; id++) {
        float v = cl_tokenizer_center(c, id);
        if (v >= CL_RRT_BAND_LO && v <= CL_RRT_BAND_HI) {
            if (*lo < 0) *lo = id;
            *hi = id;
        }
    }
    if (*lo < 0 || *hi - *lo < 1)
        return cl_error_set(err, CL_EINVAL, "the vocabulary has fewer than two tokens in the band [%g, %g]",
                            CL_RRT_BAND_LO, CL_RRT_BAND_HI);
    return 0;
}

int cl_rrt_default(const cl_config *c, cl_rrt_opts *o, cl_error *err) {
    memset(o, 0, sizeof *o);
    o->seq_len = 10;
    o->reps = 2;
    o->batch = 100;
    o->seed = 0;
    return cl_rrt_token_band(c, &o->tok_lo, &o->tok_hi, err);
}

int cl_rrt_make(const cl_config *c, const cl_rrt_opts *o, int32_t *enc, uint8_t *mask, int32_t *dec,
                cl_error *err) {
    if (o->seq_len < 2) return cl_error_set(err, CL_EINVAL, "sequence length %d: must be >= 2", o->seq_len);
    if (o->reps < 2) return cl_error_set(err, CL_EINVAL, "repetitions %d: must be >= 2", o->reps);
    if (o->batch < 1) return cl_error_set(err, CL_EINVAL, "batch %d: must be >= 1", o->batch);
    if (o->tok_lo < 0 || o->tok_hi >= c->vocab_size || o->tok_lo > o->tok_hi)
        return cl_error_set(err, CL_EINVAL, "token range %d:%d outside the vocabulary [0, %d)", o->tok_lo,
                            o->tok_hi, c->vocab_size);
    const int L = o->seq_len, T = cl_rrt_enc_len(o);
    cl_rng rng;
    cl_rng_seed(&rng, o->seed);
    for (int b = 0; b < o->batch; b++) {
        int32_t *e = enc + (size_t)b * T;
        for (int t = 0; t < L; t++) e[t] = cl_rng_int(&rng, o->tok_lo, o->tok_hi);
        for (int r = 1; r < o->reps; r++) memcpy(e + r * L, e, sizeof(int32_t) * L);
        e[o->reps * L] = e[0];
        e[o->reps * L + 1] = c->tok_eos_id;
        memset(mask + (size_t)b * T, 1, (size_t)T);
        dec[2 * b] = c->decoder_start_token_id;
        dec[2 * b + 1] = e[1];
    }
    return 0;
}

void cl_rrt_scores_free(cl_rrt_scores *sc) {
    free(sc->cur_mean); free(sc->cur_std); free(sc->right_mean); free(sc->right_std);
    free(sc->cur_all_mean); free(sc->cur_all_std); free(sc->right_all_mean); free(sc->right_all_std);
    free(sc->occ_cur); free(sc->occ_right);
    memset(sc, 0, sizeof *sc);
}

/* mean and sample std (n - 1) of n values with stride */
static void mean_std(const float *x, int n, size_t stride, float *mean, float *sd) {
    double s = 0, ss = 0;
    for (int i = 0; i < n; i++) s += x[i * stride];
    double m = s / n;
    for (int i = 0; i < n; i++) { double d = x[i * stride] - m; ss += d * d; }
    *mean = (float)m;
    *sd = n > 1 ? (float)sqrt(ss / (n - 1)) : 0.0f;
}

/* Mean/std over the batch of captured rows a (nl, B, H, 1, T) at key positions k and k + 1,
 * and over every occurrence k - (R-1)*L + j*L, j = 0..R-1 (and the position after each). */
int cl_rrt_scores_from_capture(const float *a, const int shape[5], int k, int L, int R, cl_rrt_scores *out, cl_error *err) {
    const int nl = shape[0], B = shape[1], H = shape[2], T = shape[4];
    size_t n = (size_t)nl * H;
    out->layers = nl;
    out->heads = H;
    out->reps = R;
    float **m[8] = {&out->cur_mean, &out->cur_std, &out->right_mean, &out->right_std,
                    &out->cur_all_mean, &out->cur_all_std, &out->right_all_mean, &out->right_all_std};
    int bad = 0;
    for (int i = 0; i < 8; i++) bad |= !(*m[i] = malloc(sizeof(float) * n));
    out->occ_cur = malloc(sizeof(float) * n * R);
    out->occ_right = malloc(sizeof(float) * n * R);
    float *sum = malloc(sizeof(float) * 2 * (size_t)B);
    if (bad || !out->occ_cur || !out->occ_right || !sum) {
        cl_rrt_scores_free(out);
        free(sum);
        return cl_error_set(err, CL_ENOMEM, "rrt: out of memory");
    }
    const int first = k - (R - 1) * L;
    for (int l = 0; l < nl; l++)
        for (int h = 0; h < H; h++) {
            const float *base = a + (((size_t)l * B) * H + h) * T; /* batch 0 of (l, h) */
            size_t stride = (size_t)H * T;                          /* next batch element */
            const int i = l * H + h;
            mean_std(base + k, B, stride, &out->cur_mean[i], &out->cur_std[i]);
            mean_std(base + k + 1, B, stride, &out->right_mean[i], &out->right_std[i]);
            for (int b = 0; b < 2 * B; b++) sum[b] = 0;
            for (int j = 0; j < R; j++) {
                const int p = first + j * L;
                double sc = 0, sr = 0;
                for (int b = 0; b < B; b++) {
                    float c = base[b * stride + p], r = base[b * stride + p + 1];
                    sum[b] += c;
                    sum[B + b] += r;
                    sc += c;
                    sr += r;
                }
                out->occ_cur[(size_t)i * R + j] = (float)(sc / B);
                out->occ_right[(size_t)i * R + j] = (float)(sr / B);
            }
            mean_std(sum, B, 1, &out->cur_all_mean[i], &out->cur_all_std[i]);
            mean_std(sum + B, B, 1, &out->right_all_mean[i], &out->right_all_std[i]);
        }
    free(sum);
    return 0;
}

void cl_rrt_head_scores(const cl_rrt_scores *sc, double *score, double *cur, double *right) {
    for (int i = 0; i < sc->layers * sc->heads; i++) {
        score[i] = sc->cur_mean[i] > sc->right_mean[i] ? sc->cur_mean[i] : sc->right_mean[i];
        if (cur) cur[i] = sc->cur_mean[i];
        if (right) right[i] = sc->right_mean[i];
    }
}

int cl_rrt_scores_pass(cl_state *s, const cl_rrt_opts *o, cl_rrt_scores *cross, cl_rrt_scores *enc,
                       cl_error *err) {
    memset(cross, 0, sizeof *cross);
    if (enc) memset(enc, 0, sizeof *enc);
    const cl_config *c = cl_model_config(cl_state_model(s));
    const int B = o->batch, T = cl_rrt_enc_len(o);
    int32_t *ids = malloc(sizeof(int32_t) * (size_t)B * T), *dec = malloc(sizeof(int32_t) * 2 * (size_t)B);
    uint8_t *mask = malloc((size_t)B * T);
    int rc = (!ids || !dec || !mask) ? cl_error_set(err, CL_ENOMEM, "rrt: out of memory") : 0;
    if (!rc) rc = cl_rrt_make(c, o, ids, mask, dec, err);
    int row = 1, enc_row = -2; /* decoder query s_1; encoder query s_0 (the token before EOS) */
    cl_capture_spec spec = {.enabled = 1, .n_rows = 1, .rows = &row};
    cl_capture_spec enc_spec = {.enabled = enc != NULL, .n_rows = 1, .rows = &enc_row};
    cl_capture_spec off = {0};
    if (!rc) rc = cl_state_set_capture(s, CL_CROSS, &spec, err);
    if (!rc) rc = cl_state_set_capture(s, CL_ENC_SELF, &enc_spec, err);
    if (!rc) rc = cl_state_set_capture(s, CL_DEC_SELF, &off, err);
    if (!rc) rc = cl_encode(s, ids, mask, B, T, err);
    if (!rc) rc = cl_decode(s, dec, 2, 1, err);
    int shape[5];
    if (!rc) rc = cl_rrt_scores_from_capture(cl_state_attn(s, CL_CROSS, shape), shape, cl_rrt_pos_m(o), o->seq_len, o->reps, cross, err);
    if (!rc && enc) {
        rc = cl_rrt_scores_from_capture(cl_state_attn(s, CL_ENC_SELF, shape), shape, cl_rrt_enc_pos_m(o), o->seq_len, o->reps, enc, err);
        if (rc) cl_rrt_scores_free(cross);
    }
    free(ids); free(dec); free(mask);
    return rc;
}

int cl_rrt_cross_scores(cl_state *s, const cl_rrt_opts *o, cl_rrt_scores *out, cl_error *err) {
    return cl_rrt_scores_pass(s, o, out, NULL, err);
}
