/* c2_pipeline.c — Chronos2Pipeline.predict (chronos2_method.md §3): tasks into batches
 * (prepare: group ids, left padding, the context cut), a batch's first pass and the long
 * horizon's unrolling over the quantile paths U (every row repeated |U| times in groups of its
 * own level, the paths appended to the context, the |U| x Q values of each step reduced to the
 * model's levels by weighted_quantile). The quantile arithmetic: c2_quantiles.c. */
#include "study/forecast/c2_pipeline.h"
#include "model/hooks.h"
#include "core/core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const double DEFAULT_U[9] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};

int cl_c2_check_unrolled(const cl_config *c, const double *U, int nU, cl_error *err) {
    if (!U) { U = DEFAULT_U; nU = 9; }
    if (nU < 1) return cl_error_set(err, CL_EINVAL, "chronos2: no unrolled quantile levels");
    for (int i = 0; i < nU; i++) {
        int found = 0;
        for (int j = 0; j < c->n_quantiles; j++) found |= U[i] == c->quantiles[j];
        if (!found)
            return cl_error_set(err, CL_EINVAL, "chronos2: unrolled quantile %g is not one of the model's quantiles%s",
                                U[i], U == DEFAULT_U ? " (a model without the levels 0.1 .. 0.9 needs "
                                                       "--unrolled-quantiles, e.g. 0.25,0.5,0.75)" : "");
    }
    return 0;
}

/* One model pass over R rows (Lr values each; gid (R); fc (R, Fr) or NULL) with N future
 * tokens: out (R, Q, N*ps). Rows run in passes of whole groups of at most CL_C2_PASS_ROWS
 * rows (groups never see each other). */
static int run_pass(cl_state *s, const float *ctx, int R, int Lr, const int *gid, const float *fc, int Fr, int N,
                    float *out, double *done, double total, const cl_progress *progress, cl_error *err) {
    const cl_config *c = cl_model_config(cl_state_model(s));
    const size_t QN = (size_t)c->n_quantiles * N * c->patch_size;
    cl_chronos2_input in = {.L = Lr, .F = fc ? Fr : 0, .num_output_patches = N, .head_only = 1};
    cl_chronos2_result r;
    int rc = 0;
    if (R <= CL_C2_PASS_ROWS) {
        in.context = ctx; in.B = R; in.group_ids = gid; in.future_covariates = fc;
        if ((rc = cl_chronos2_forward(s, &in, &r, err))) return rc;
        memcpy(out, r.quantile_preds, sizeof(float) * R * QN);
        *done += R;
        return cl_progress_point(progress, "forecast", *done, total, err);
    }
    /* rows by group (stable), then passes of whole groups */
    int *order = malloc(sizeof(int) * R), *cg = malloc(sizeof(int) * R);
    float *cc = NULL, *cf = NULL;
    if (!order || !cg) { rc = cl_error_set(err, CL_ENOMEM, "chronos2: out of memory"); goto done; }
    for (int i = 0; i < R; i++) order[i] = i;
    for (int i = 1; i < R; i++) { /* insertion by group id keeps the rows' order within a group */
        int v = order[i], j = i - 1;
        while (j >= 0 && gid[order[j]] > gid[v]) { order[j + 1] = order[j]; j--; }
        order[j + 1] = v;
    }
    int maxg = 1;
    for (int i = 0, n = 1; i + 1 < R; i++) { n = gid[order[i + 1]] == gid[order[i]] ? n + 1 : 1; if (n > maxg) maxg = n; }
    const int cap = maxg > CL_C2_PASS_ROWS ? maxg : CL_C2_PASS_ROWS;
    cc = malloc(sizeof(float) * (size_t)cap * Lr);
    cf = fc ? malloc(sizeof(float) * (size_t)cap * (Fr ? Fr : 1)) : NULL;
    if (!cc || (fc && !cf)) { rc = cl_error_set(err, CL_ENOMEM, "chronos2: out of memory"); goto done; }
    for (int i0 = 0; i0 < R && !rc;) {
        int i1 = i0; /* whole groups while they fit */
        while (i1 < R) {
            int e = i1 + 1;
            while (e < R && gid[order[e]] == gid[order[i1]]) e++;
            if (e - i0 > cap) break;
            i1 = e;
        }
        const int nr = i1 - i0;
        for (int j = 0; j < nr; j++) {
            const int row = order[i0 + j];
            memcpy(cc + (size_t)j * Lr, ctx + (size_t)row * Lr, sizeof(float) * Lr);
            if (fc) memcpy(cf + (size_t)j * Fr, fc + (size_t)row * Fr, sizeof(float) * Fr);
            cg[j] = gid[row];
        }
        in.context = cc; in.B = nr; in.group_ids = cg; in.future_covariates = cf;
        if ((rc = cl_chronos2_forward(s, &in, &r, err))) break;
        for (int j = 0; j < nr; j++)
            memcpy(out + (size_t)order[i0 + j] * QN, r.quantile_preds + (size_t)j * QN, sizeof(float) * QN);
        *done += nr;
        rc = cl_progress_point(progress, "forecast", *done, total, err);
        i0 = i1;
    }
done:
    free(order); free(cg); free(cc); free(cf);
    return rc;
}

/* Chronos2Pipeline._predict_batch on an assembled batch: ctx (B, L), gid (B), fc (B, h) or
 * NULL; out (B, Q, h). */
static int predict_batch(cl_state *s, const float *ctx, int B, int L, const int *gid, const float *fc, int h,
                         const double *U, int nU, double *done, double total, const cl_progress *progress, float *out,
                         cl_error *err) {
    const cl_config *c = cl_model_config(cl_state_model(s));
    const int Q = c->n_quantiles, ps = c->patch_size, C = c->context_length, maxp = c->max_output_patches;
    const int N1 = (h + ps - 1) / ps < maxp ? (h + ps - 1) / ps : maxp, k1 = N1 * ps;
    const int R = B * nU, K = nU * Q;
    float *pred = NULL, *fcp = NULL, *hist = NULL, *rows = NULL, *outU = NULL, *smp = NULL, *wq = NULL, *paths = NULL;
    int *gidU = NULL, rc = 0;
    const size_t hl = (size_t)L + h; /* a path's history: its context and every appended step */
    const int maxlen = k1 > h ? k1 : h;
    pred = malloc(sizeof(float) * (size_t)B * Q * maxlen);
    fcp = fc ? malloc(sizeof(float) * (size_t)R * maxlen) : NULL;
    if (!pred || (fc && !fcp)) { rc = cl_error_set(err, CL_ENOMEM, "chronos2: out of memory"); goto done; }
    /* the first pass: the known covariates cut (or NaN-padded) to its N1*ps steps */
    const int F1 = h < k1 ? h : k1;
    if (fc)
        for (int b = 0; b < B; b++) memcpy(fcp + (size_t)b * F1, fc + (size_t)b * h, sizeof(float) * F1);
    if ((rc = run_pass(s, ctx, B, L, gid, fcp, F1, N1, pred, done, total, progress, err))) goto done;
    for (int b = 0; b < B; b++)
        for (int q = 0; q < Q; q++)
            memcpy(out + ((size_t)b * Q + q) * h, pred + ((size_t)b * Q + q) * k1, sizeof(float) * (k1 < h ? k1 : h));
    int rem = h - k1, k = k1, consumed = 0;
    if (rem <= 0) goto done;

    /* the long horizon: path (b, u) continues row b at level U_u, in group gid*|U| + u */
    float mU[64], mQ[32], lU[64], lQ[32];
    if (nU > 64) { rc = cl_error_set(err, CL_EINVAL, "chronos2: at most 64 unrolled quantiles"); goto done; }
    cl_c2_prob_mass(U, nU, mU);
    cl_c2_prob_mass(c->quantiles, Q, mQ);
    for (int u = 0; u < nU; u++) lU[u] = (float)U[u];
    for (int q = 0; q < Q; q++) lQ[q] = (float)c->quantiles[q];
    hist = malloc(sizeof(float) * (size_t)R * hl);
    rows = malloc(sizeof(float) * (size_t)R * (hl < (size_t)C ? hl : (size_t)C));
    outU = malloc(sizeof(float) * (size_t)R * Q * maxlen);
    smp = malloc(sizeof(float) * (size_t)B * maxlen * K);
    wq = malloc(sizeof(float) * ((size_t)B * maxlen * Q + K));
    paths = malloc(sizeof(float) * (size_t)nU * maxlen);
    gidU = malloc(sizeof(int) * R);
    if (!hist || !rows || !outU || !smp || !wq || !paths || !gidU) {
        rc = cl_error_set(err, CL_ENOMEM, "chronos2: out of memory unrolling %d series x %d quantiles", B, nU);
        goto done;
    }
    float *weights = wq + (size_t)B * maxlen * Q; /* index u*Q + q */
    for (int u = 0; u < nU; u++)
        for (int q = 0; q < Q; q++) weights[u * Q + q] = mU[u] * mQ[q];
    for (int b = 0; b < B; b++)
        for (int u = 0; u < nU; u++) {
            memcpy(hist + ((size_t)b * nU + u) * hl, ctx + (size_t)b * L, sizeof(float) * L);
            gidU[b * nU + u] = gid[b] * nU + u;
        }
    size_t len = (size_t)L;
    while (rem > 0) {
        /* append the last forecast at each level U_u (interp_quantiles; exact levels copied),
         * known future covariates over it where given */
        for (int b = 0; b < B; b++) {
            float col[32];
            for (int t = 0; t < k; t++) {
                for (int q = 0; q < Q; q++) col[q] = pred[((size_t)b * Q + q) * k + t];
                float pv[64];
                cl_c2_interp(lU, nU, lQ, col, Q, lQ[0] > 0.0f, lQ[Q - 1] < 1.0f, pv);
                for (int u = 0; u < nU; u++) paths[(size_t)u * k + t] = pv[u];
            }
            for (int u = 0; u < nU; u++) {
                float *hr = hist + ((size_t)b * nU + u) * hl + len;
                memcpy(hr, paths + (size_t)u * k, sizeof(float) * k);
                if (fc)
                    for (int t = 0; t < k; t++) {
                        const float kv = fc[(size_t)b * h + consumed + t];
                        if (!isnan(kv)) hr[t] = kv;
                    }
            }
        }
        len += k;
        consumed += k;
        const int Lr = len < (size_t)C ? (int)len : C;
        for (int r = 0; r < R; r++) memcpy(rows + (size_t)r * Lr, hist + (size_t)r * hl + (len - Lr), sizeof(float) * Lr);
        const int N = (rem + ps - 1) / ps < maxp ? (rem + ps - 1) / ps : maxp, kn = N * ps;
        const int Fn = h - consumed < kn ? h - consumed : kn;
        if (fc)
            for (int r = 0; r < R; r++)
                memcpy(fcp + (size_t)r * Fn, fc + (size_t)(r / nU) * h + consumed, sizeof(float) * Fn);
        if ((rc = run_pass(s, rows, R, Lr, gidU, fcp, Fn, N, outU, done, total, progress, err))) goto done;
        /* (B, |U|, Q, kn) -> samples (B, kn, |U|*Q) -> the model's levels (B, kn, Q) */
        for (int b = 0; b < B; b++)
            for (int t = 0; t < kn; t++) {
                float *sr = smp + ((size_t)b * kn + t) * K;
                for (int u = 0; u < nU; u++)
                    for (int q = 0; q < Q; q++) sr[u * Q + q] = outU[(((size_t)b * nU + u) * Q + q) * kn + t];
            }
        if (cl_c2_weighted_quantiles(lQ, Q, weights, smp, B * kn, K, wq)) {
            rc = cl_error_set(err, CL_ENOMEM, "chronos2: out of memory");
            goto done;
        }
        for (int b = 0; b < B; b++)
            for (int q = 0; q < Q; q++)
                for (int t = 0; t < kn; t++) pred[((size_t)b * Q + q) * kn + t] = wq[((size_t)b * kn + t) * Q + q];
        const int from = h - rem, cnt = kn < rem ? kn : rem;
        for (int b = 0; b < B; b++)
            for (int q = 0; q < Q; q++)
                memcpy(out + ((size_t)b * Q + q) * h + from, pred + ((size_t)b * Q + q) * kn, sizeof(float) * cnt);
        k = kn;
        rem -= kn;
    }
done:
    free(pred); free(fcp); free(hist); free(rows); free(outU); free(smp); free(wq); free(paths); free(gidU);
    return rc;
}

int cl_c2_predict(const cl_model *m, const float *context, int B, int L, const int *task_ids, int cross_learning,
                  const float *fc, int F, int horizon, const double *unrolled, int n_unrolled, int batch_size,
                  const cl_progress *progress, float *pred, cl_error *err) {
    return cl_c2_predict_hk(m, context, B, L, task_ids, cross_learning, fc, F, horizon, unrolled, n_unrolled,
                            batch_size, progress, pred, NULL, err);
}

int cl_c2_predict_hk(const cl_model *m, const float *context, int B, int L, const int *task_ids, int cross_learning,
                     const float *fc, int F, int horizon, const double *unrolled, int n_unrolled, int batch_size,
                     const cl_progress *progress, float *pred, cl_hooks *hk, cl_error *err) {
    if (!cl_model_is_chronos2(m)) return cl_error_set(err, CL_EINVAL, "chronos2: not a Chronos-2 model");
    if (cl_hooks_has_source(hk))
        return cl_error_set(err, CL_EINVAL, "forecast: a Chronos-2 forecast regroups and repeats the series in its "
                            "passes: patching from another run is refused (patch a forward pass instead)");
    const cl_config *c = cl_model_config(m);
    if (B <= 0 || L <= 0 || horizon <= 0)
        return cl_error_set(err, CL_EINVAL, "chronos2: bad forecast shape (%d series, %d values, horizon %d)", B, L,
                            horizon);
    if (fc && (F < 0 || F > horizon))
        return cl_error_set(err, CL_EINVAL, "chronos2: future covariates of %d steps, more than the horizon %d", F, horizon);
    if (c->n_quantiles > 32) return cl_error_set(err, CL_EINVAL, "chronos2: more than 32 quantiles");
    const double *U = unrolled ? unrolled : DEFAULT_U;
    const int nU = unrolled ? n_unrolled : 9;
    int rc = cl_c2_check_unrolled(c, U, nU, err);
    if (rc) return rc;
    if (batch_size <= 0) batch_size = 256;
    const int Q = c->n_quantiles, ps = c->patch_size, maxp = c->max_output_patches, n = L < c->context_length ? L : c->context_length;
    /* the tasks: rows by task id in order of first appearance */
    int *task = malloc(sizeof(int) * B), *trow = malloc(sizeof(int) * B), *tstart = malloc(sizeof(int) * (B + 1));
    int *gid = malloc(sizeof(int) * B), *brow = malloc(sizeof(int) * B);
    float *bctx = malloc(sizeof(float) * (size_t)B * n), *bfc = fc ? malloc(sizeof(float) * (size_t)B * horizon) : NULL;
    float *bout = malloc(sizeof(float) * (size_t)B * Q * horizon);
    cl_state *s = NULL;
    if (!task || !trow || !tstart || !gid || !brow || !bctx || (fc && !bfc) || !bout) {
        rc = cl_error_set(err, CL_ENOMEM, "chronos2: out of memory forecasting %d series", B);
        goto done;
    }
    int T = 0;
    for (int b = 0; b < B; b++) { /* task[b]: its task's index (a quadratic search is fine for ids of a CSV) */
        int t = -1;
        for (int j = 0; j < b && t < 0; j++)
            if (task_ids ? task_ids[j] == task_ids[b] : 0) t = task[j];
        task[b] = t >= 0 ? t : T++;
    }
    /* rows of task t: trow[tstart[t] .. tstart[t+1]) in column order */
    for (int t = 0, i = 0; t < T; t++) {
        tstart[t] = i;
        for (int b = 0; b < B; b++) if (task[b] == t) trow[i++] = b;
    }
    tstart[T] = B;
    /* the passes: for a progress total, each batch's rows once plus |U| per later pass */
    const int k1 = ((horizon + ps - 1) / ps < maxp ? (horizon + ps - 1) / ps : maxp) * ps;
    const int later = horizon > k1 ? (horizon - k1 + maxp * ps - 1) / (maxp * ps) : 0;
    const double total = (double)B * (1 + (double)later * nU);
    double done = 0;
    if ((rc = cl_state_new(m, &s, err))) goto done;
    if (hk) {
        cl_hooks_set_rows(hk, 0, 1);
        cl_state_set_hooks(s, hk);
    }
    for (int t0 = 0; t0 < T;) {
        int t1 = t0, nb = 0; /* tasks join while the batch has fewer than batch_size rows */
        while (t1 < T && nb < batch_size) { nb += tstart[t1 + 1] - tstart[t1]; t1++; }
        for (int t = t0, i = 0; t < t1; t++)
            for (int j = tstart[t]; j < tstart[t + 1]; j++, i++) {
                brow[i] = trow[j];
                gid[i] = cross_learning ? 0 : t - t0;
            }
        /* left padding: the batch starts at its first observed value (columns missing in
         * every row of the batch are the pipeline's NaN padding to the longest task) */
        int first = n - 1;
        for (int i = 0; i < nb; i++) {
            const float *x = context + (size_t)brow[i] * L + (L - n);
            for (int j = 0; j < first; j++) if (!isnan(x[j])) { first = j; break; }
        }
        const int Lb = n - first;
        for (int i = 0; i < nb; i++) {
            memcpy(bctx + (size_t)i * Lb, context + (size_t)brow[i] * L + (L - Lb), sizeof(float) * Lb);
            if (!fc) continue;
            float *f = bfc + (size_t)i * horizon;
            for (int j = 0; j < horizon; j++) f[j] = j < F ? fc[(size_t)brow[i] * F + j] : NAN;
        }
        if ((rc = predict_batch(s, bctx, nb, Lb, gid, fc ? bfc : NULL, horizon, U, nU, &done, total, progress, bout, err)))
            goto done;
        for (int i = 0; i < nb; i++)
            memcpy(pred + (size_t)brow[i] * Q * horizon, bout + (size_t)i * Q * horizon, sizeof(float) * Q * horizon);
        t0 = t1;
    }
done:
    cl_state_free(s);
    free(task); free(trow); free(tstart); free(gid); free(brow); free(bctx); free(bfc); free(bout);
    return rc;
}
