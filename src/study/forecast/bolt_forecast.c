/* bolt_forecast.c — ChronosBoltPipeline.predict (the quantile-expansion loop for horizons
 * beyond prediction_length) and predict_quantiles (the pipeline's interpolation rule). */
#include "study/forecast/bolt_forecast.h"
#include "study/forecast/forecast.h"
#include "core/core.h"

#include <stdlib.h>
#include <string.h>

static int cmp_float(const void *a, const void *b) {
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* Forecasts rows (R, Lr) in passes of at most `batch` rows, split evenly: out (R, Q*H). */
static int run_rows(cl_state *s, const float *rows, int R, int Lr, int batch, float *out, double *done, double total,
                    const cl_progress *progress, cl_hooks *hk, int rep, cl_error *err) {
    const cl_config *c = cl_model_config(cl_state_model(s));
    const size_t QH = (size_t)c->n_quantiles * c->prediction_length;
    int passes = (R + batch - 1) / batch, per = (R + passes - 1) / passes;
    for (int r0 = 0; r0 < R; r0 += per) {
        int nr = R - r0 < per ? R - r0 : per;
        if (hk) cl_hooks_set_rows(hk, r0 / rep, rep);
        int rc = cl_bolt_forward(s, rows + (size_t)r0 * Lr, nr, Lr, err);
        if (rc) return rc;
        memcpy(out + (size_t)r0 * QH, cl_bolt_quantiles(s), sizeof(float) * nr * QH);
        *done += nr;
        if ((rc = cl_progress_point(progress, "forecast", *done, total, err))) return rc;
    }
    return 0;
}

int cl_bolt_predict(const cl_model *m, const float *context, int B, int L, int horizon, int batch,
                    const cl_progress *progress, float *paths, cl_error *err) {
    return cl_bolt_predict_hk(m, context, B, L, horizon, batch, progress, paths, NULL, err);
}

int cl_bolt_predict_hk(const cl_model *m, const float *context, int B, int L, int horizon, int batch,
                       const cl_progress *progress, float *paths, cl_hooks *hk, cl_error *err) {
    const cl_config *c = cl_model_config(m);
    if (!cl_model_is_bolt(m)) return cl_error_set(err, CL_EINVAL, "bolt: not a Chronos-Bolt model");
    if (B <= 0 || L <= 0 || horizon <= 0)
        return cl_error_set(err, CL_EINVAL, "bolt: bad forecast shape (%d series, %d values, horizon %d)", B, L, horizon);
    if (batch <= 0) batch = CL_BOLT_BATCH;
    const int Q = c->n_quantiles, H = c->prediction_length, C = c->context_length;
    const int n = L < C ? L : C, rounds = (horizon + H - 1) / H, R = B * Q;
    const size_t QH = (size_t)Q * H, hist_len = (size_t)n + (size_t)(rounds - 1) * H;
    cl_state *s = NULL;
    float *pred = NULL, *prev = NULL, *hist = NULL, *rows = NULL, *col = NULL;
    const double total = B + (double)(rounds - 1) * R;
    double done = 0;
    int rc = cl_state_new(m, &s, err);
    if (rc) return rc;
    cl_state_set_hooks(s, hk);
    size_t big = rounds > 1 ? (size_t)R : (size_t)B;
    pred = malloc(sizeof(float) * big * QH);
    prev = malloc(sizeof(float) * (size_t)B * QH);
    col = malloc(sizeof(float) * (size_t)Q * Q);
    if (rounds > 1) {
        hist = malloc(sizeof(float) * (size_t)R * hist_len);
        rows = malloc(sizeof(float) * (size_t)R * (hist_len < (size_t)C ? hist_len : (size_t)C));
    }
    if (!pred || !prev || !col || (rounds > 1 && (!hist || !rows))) {
        rc = cl_error_set(err, CL_ENOMEM, "bolt: out of memory forecasting %d series x %d steps", B, horizon);
        goto done;
    }
    /* round 0: the series themselves (their last context_length values) */
    if (n == L) rc = run_rows(s, context, B, L, batch, prev, &done, total, progress, hk, 1, err);
    else {
        float *cut = malloc(sizeof(float) * (size_t)B * n);
        if (!cut) { rc = cl_error_set(err, CL_ENOMEM, "bolt: out of memory"); goto done; }
        for (int b = 0; b < B; b++) memcpy(cut + (size_t)b * n, context + (size_t)b * L + (L - n), sizeof(float) * n);
        rc = run_rows(s, cut, B, n, batch, prev, &done, total, progress, hk, 1, err);
        free(cut);
    }
    if (rc) goto done;
    int have = H < horizon ? H : horizon;
    for (int b = 0; b < B; b++)
        for (int q = 0; q < Q; q++)
            memcpy(paths + ((size_t)b * Q + q) * horizon, prev + (size_t)b * QH + (size_t)q * H, sizeof(float) * have);
    /* every quantile path continues its own copy of the context */
    for (int r = 0; r < R && rounds > 1; r++)
        memcpy(hist + (size_t)r * hist_len, context + (size_t)(r / Q) * L + (L - n), sizeof(float) * n);
    size_t len = (size_t)n;
    for (int k = 1; k < rounds; k++) {
        for (int r = 0; r < R; r++) /* append path q of series b (the previous round's, all H steps) */
            memcpy(hist + (size_t)r * hist_len + len, prev + (size_t)(r / Q) * QH + (size_t)(r % Q) * H,
                   sizeof(float) * H);
        len += H;
        const size_t Lr = len < (size_t)C ? len : (size_t)C;
        for (int r = 0; r < R; r++)
            memcpy(rows + (size_t)r * Lr, hist + (size_t)r * hist_len + (len - Lr), sizeof(float) * Lr);
        if ((rc = run_rows(s, rows, R, (int)Lr, batch, pred, &done, total, progress, hk, Q, err))) goto done;
        /* (B, Q*Q, H) -> (B, Q, H): the Q levels of the Q*Q values of each step */
        for (int b = 0; b < B; b++)
            for (int t = 0; t < H; t++) {
                for (int i = 0; i < Q * Q; i++) col[i] = pred[((size_t)b * Q + i / Q) * QH + (size_t)(i % Q) * H + t];
                qsort(col, (size_t)Q * Q, sizeof(float), cmp_float);
                for (int j = 0; j < Q; j++)
                    prev[(size_t)b * QH + (size_t)j * H + t] = (float)cl_quantile_sorted(col, Q * Q, (float)c->quantiles[j]);
            }
        int from = k * H, cnt = horizon - from < H ? horizon - from : H;
        for (int b = 0; b < B; b++)
            for (int q = 0; q < Q; q++)
                memcpy(paths + ((size_t)b * Q + q) * horizon + from, prev + (size_t)b * QH + (size_t)q * H,
                       sizeof(float) * cnt);
    }
done:
    free(pred); free(prev); free(hist); free(rows); free(col);
    cl_state_free(s);
    return rc;
}

int cl_bolt_quantiles_at(const cl_config *c, const float *paths, int B, int H, const double *levels, int nlev,
                         float *quant, float *mean, cl_error *err) {
    const int Q = c->n_quantiles;
    int med = -1, direct = 1;
    for (int j = 0; j < Q; j++) if (c->quantiles[j] == 0.5) med = j;
    if (med < 0) return cl_error_set(err, CL_EINVAL, "bolt: the model has no 0.5 quantile (its mean is the median)");
    int idx[128];
    if (nlev > 128) return cl_error_set(err, CL_EINVAL, "bolt: at most 128 quantile levels");
    for (int i = 0; i < nlev; i++) {
        idx[i] = -1;
        for (int j = 0; j < Q; j++) if (levels[i] == c->quantiles[j]) idx[i] = j;
        if (idx[i] < 0) direct = 0;
    }
    float aug[CL_BOLT_MAX_QUANTILES + 2];
    for (int b = 0; b < B; b++)
        for (int t = 0; t < H; t++) {
            const float *p = paths + (size_t)b * Q * H + t; /* level j at p[j * H] */
            if (mean) mean[(size_t)b * H + t] = p[(size_t)med * H];
            float *out = quant + ((size_t)b * H + t) * nlev;
            if (direct) {
                for (int i = 0; i < nlev; i++) out[i] = p[(size_t)idx[i] * H];
                continue;
            }
            /* [q_first, q_1 .. q_Q, q_last]: the extremes repeated, as the pipeline does */
            aug[0] = p[0];
            for (int j = 0; j < Q; j++) aug[j + 1] = p[(size_t)j * H];
            aug[Q + 1] = p[(size_t)(Q - 1) * H];
            qsort(aug, (size_t)Q + 2, sizeof(float), cmp_float);
            for (int i = 0; i < nlev; i++) out[i] = (float)cl_quantile_sorted(aug, Q + 2, (float)levels[i]);
        }
    return 0;
}
