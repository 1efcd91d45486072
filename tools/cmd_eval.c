/* chronolens eval — forecast accuracy on the held-out synthetic suite (and a CSV):
 * MASE and weighted quantile loss against the seasonal-naive baseline, per series family.
 * Forecasts as ChronosPipeline makes them (sample paths; point forecast = their median,
 * quantiles over them), or with --samples 0 by median-token decoding. */
#include "cli.h"
#include "../src/analysis/forecast.h"
#include "../src/analysis/median_forecast.h"
#include "../src/analysis/metrics.h"
#include "../src/core/core.h"
#include "../src/data/batch.h"
#include "../src/io/csv.h"
#include "../src/train/params.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const float LEVELS[9] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f};
#define NQ 9

typedef struct { double mase_m, mase_sn, ql_m, ql_sn, absy; int n, n_mase; } acc;

typedef struct {
    const cl_model *m;
    cl_state *s;
    cl_forecast_opts fo; /* fo.samples == 0: median-token decoding */
    FILE *per;           /* --series-out: one row per series (NULL: none) */
    const char *name;    /* the family being scored, for those rows */
    int idx;             /* series number within it */
} forecaster;

/* q (B, H, NQ) and the point forecast med (B, H) for contexts ctx (B, L) */
static int predict(forecaster *f, const float *ctx, int B, int L, int H, float *q, float *med, cl_error *err) {
    if (f->fo.samples == 0) return cl_median_forecast(f->s, ctx, B, L, H, LEVELS, NQ, q, med, err);
    const int S = f->fo.samples;
    double lv[NQ];
    for (int k = 0; k < NQ; k++) lv[k] = LEVELS[k];
    float *v = malloc(sizeof(float) * (size_t)B * S * H), *mean = malloc(sizeof(float) * (size_t)B * H);
    int rc = (!v || !mean) ? cl_error_set(err, CL_ENOMEM, "eval: out of memory") : 0;
    if (!rc) rc = cl_forecast(f->m, &f->fo, ctx, B, L, H, v, err);
    if (!rc) rc = cl_forecast_summary(v, B, S, H, lv, NQ, mean, q, err);
    for (int i = 0; i < B * H && !rc; i++) med[i] = q[(size_t)i * NQ + NQ / 2]; /* level 0.5 */
    free(v); free(mean);
    return rc;
}

/* scores one chunk of B series: x (B, L + H) with the last H values as the target */
static int score(forecaster *f, const float *x, int B, int L, int H, acc *a, cl_error *err) {
    float *ctx = calloc((size_t)B * L, sizeof(float)), *q = malloc(sizeof(float) * (size_t)B * H * NQ),
          *med = malloc(sizeof(float) * (size_t)B * H), *sn = malloc(sizeof(float) * (size_t)H * (NQ + 1));
    int rc = (!ctx || !q || !med || !sn) ? cl_error_set(err, CL_ENOMEM, "eval: out of memory") : 0;
    for (int b = 0; b < B && !rc; b++) memcpy(ctx + (size_t)b * L, x + (size_t)b * (L + H), sizeof(float) * L);
    if (!rc) rc = predict(f, ctx, B, L, H, q, med, err);
    for (int b = 0; b < B && !rc; b++) {
        const float *c = ctx + (size_t)b * L, *y = x + (size_t)b * (L + H) + L;
        int m = cl_season_length(c, L);
        cl_seasonal_naive(c, L, m, H, sn);
        float *snq = sn + H; /* the point forecast at every level */
        for (int t = 0; t < H; t++)
            for (int k = 0; k < NQ; k++) snq[t * NQ + k] = sn[t];
        const double qm = cl_quantile_loss(y, q + (size_t)b * H * NQ, H, LEVELS, NQ), qs = cl_quantile_loss(y, snq, H, LEVELS, NQ);
        double absy = 0;
        for (int t = 0; t < H; t++) absy += fabs(y[t]) * NQ;
        a->ql_m += qm;
        a->ql_sn += qs;
        a->absy += absy;
        a->n++;
        const double sc = cl_mase_scale(c, L, m);
        const double mm = sc > 0 ? cl_abs_error(y, med + (size_t)b * H, H) / H / sc : NAN,
                     ms = sc > 0 ? cl_abs_error(y, sn, H) / H / sc : NAN;
        if (f->per)
            fprintf(f->per, "%s,%d,%d,%.9g,%.6f,%.6f,%.6f,%.6f\n", f->name, f->idx, m, sc, mm, ms,
                    absy > 0 ? qm / absy : NAN, absy > 0 ? qs / absy : NAN);
        f->idx++;
        if (!(sc > 0)) continue; /* a flat context: MASE undefined */
        a->mase_m += mm;
        a->mase_sn += ms;
        a->n_mase++;
    }
    free(ctx); free(q); free(med); free(sn);
    return rc;
}

/* --step-loss: teacher-forced cross-entropy per horizon step, summed over the suite's series */
typedef struct {
    cl_params *p;
    cl_grad_ws *ws;
    double *sum; /* (SYN_NFAMILIES, H) */
    long *n;     /* (SYN_NFAMILIES, H) */
} step_loss;

/* adds the first nb series of batch b (family f) to sl; labels (B, H + 1), the last EOS */
static int add_step_loss(step_loss *sl, const cl_batch *b, int nb, int f, int H, cl_error *err) {
    double loss;
    int ntok;
    int rc = cl_loss_grad(sl->p, sl->ws, b, 0, &loss, &ntok, NULL, err);
    const float *tl = rc ? NULL : cl_grad_ws_token_loss(sl->ws); /* (B, H + 1) */
    for (int i = 0; i < nb && tl; i++)
        for (int j = 0; j < H; j++) {
            const float v = tl[(size_t)i * b->Td + j];
            if (isnan(v)) continue; /* an ignored label */
            sl->sum[(size_t)f * H + j] += v;
            sl->n[(size_t)f * H + j]++;
        }
    return rc;
}

static void report(FILE *f, const char *name, const acc *a, int csv) {
    double mm = a->n_mase ? a->mase_m / a->n_mase : NAN, ms = a->n_mase ? a->mase_sn / a->n_mase : NAN;
    double wm = a->absy > 0 ? a->ql_m / a->absy : NAN, ws = a->absy > 0 ? a->ql_sn / a->absy : NAN;
    if (csv)
        fprintf(f, "%s,%d,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f\n", name, a->n, mm, ms, mm / ms, wm, ws, wm / ws);
    else
        fprintf(f, "%-12s %5d  %8.3f %8.3f %7.3f   %8.3f %8.3f %7.3f\n", name, a->n, mm, ms, mm / ms, wm, ws, wm / ws);
}

int cmd_eval(int argc, char **argv) {
    const char *dir = cli_default_model(), *csv = NULL, *out = NULL, *family = NULL, *series_out = NULL, *steploss = NULL;
    int have_series = 0;
    long per = 100, seed = 20261126, horizon = 0, ctxlen = 0, samples = 20;
    for (int i = 1; i < argc; i++) {
        int r = opt_common(argc, argv, &i);
        if (!r) r = opt_str(argc, argv, &i, "--model", &dir);
        if (!r) r = opt_str(argc, argv, &i, "--csv", &csv);
        if (!r) r = opt_str(argc, argv, &i, "--family", &family);
        if (!r) r = opt_str(argc, argv, &i, "--out", &out);
        if (!r) r = opt_str(argc, argv, &i, "--series-out", &series_out);
        if (!r) r = opt_str(argc, argv, &i, "--step-loss", &steploss);
        if (!r && (r = opt_int(argc, argv, &i, "--series", 0, 100000, &per)) == 1) have_series = 1;
        if (!r) r = opt_int(argc, argv, &i, "--seed", 0, 0x7fffffffffffffffL, &seed);
        if (!r) r = opt_int(argc, argv, &i, "--horizon", 1, 1024, &horizon);
        if (!r) r = opt_int(argc, argv, &i, "--context-length", 2, 4096, &ctxlen);
        if (!r) r = opt_int(argc, argv, &i, "--samples", 0, 10000, &samples);
        if (r < 0) return EXIT_BAD;
        if (!r) return cli_fail("eval: unknown argument '%s'", argv[i]);
    }
    if (horizon && !csv) return cli_fail("option --horizon: only with --csv");
    if (csv && !have_series) per = 0; /* --csv alone: that file's evaluation only */
    if (cli_out_file("eval", out) || cli_out_file("eval", series_out) || cli_out_file("eval", steploss)) return EXIT_BAD;
    if (steploss && per == 0) return cli_fail("option --step-loss: needs the synthetic suite (--series > 0)");
    int only = -1; /* --family: one family of the synthetic suite */
    if (family) {
        for (int f = 0; f < SYN_NFAMILIES; f++)
            if (!strcmp(family, syn_family_name(f))) only = f;
        if (only < 0) return cli_fail("option --family: '%s' is not gp, seasonal, random_walk or repeat", family);
    }
#define FAMILY_ON(f) (only < 0 || (f) == only)
    cl_error err = {0};
    cl_model *m = NULL;
    cl_state *s = NULL;
    cl_data *d = NULL;
    float *vals = NULL;
    acc fam[SYN_NFAMILIES + 1];
    memset(fam, 0, sizeof fam);
    cl_out po = {0};
    step_loss sl = {0};
    int rc = cl_model_load(dir, &m, &err);
    if (!rc) rc = cl_state_new(m, &s, &err);
    if (rc) goto done;
    const cl_config *mc = cl_model_config(m);
    forecaster fc = {.m = m, .s = s};
    if (series_out) {
        if ((rc = cl_out_open(&po, series_out, &err))) goto done;
        fc.per = po.fp;
        fprintf(po.fp, "family,series,season,mase_scale,mase,mase_seasonal_naive,wql,wql_seasonal_naive\n");
    }
    cl_forecast_defaults(mc, &fc.fo);
    fc.fo.samples = (int)samples;
    fc.fo.seed = (uint64_t)seed;
    if (ctxlen > mc->context_length) {
        rc = cl_error_set(&err, CL_EINVAL, "option --context-length: %ld exceeds the model's context_length %d", ctxlen, mc->context_length);
        goto done;
    }
    /* the synthetic suite's context length: the model's, or shorter (e.g. its training length) */
    cl_config cc = *mc;
    if (ctxlen) cc.context_length = (int)ctxlen;
    const cl_config *c = &cc;
    const int L = c->context_length, H = c->prediction_length, B = 25;
    int Bc = 0, Lc = 0, Hc = 0;
    if (csv) { /* read and check before the long part */
        if ((rc = csv_read_context(csv, &vals, &Bc, &Lc, NULL, &err))) goto done;
        Hc = horizon ? (int)horizon : H;
        if (Lc < Hc + 4) { rc = cl_error_set(&err, CL_EFORMAT, "%s: %d rows, too few for a horizon of %d", csv, Lc, Hc); goto done; }
        for (int b = 0; b < Bc; b++)
            for (int t = Lc - Hc; t < Lc; t++)
                if (isnan(vals[(size_t)b * Lc + t])) {
                    rc = cl_error_set(&err, CL_EFORMAT, "%s: series %d has a missing value in its last %d rows (the target)", csv, b + 1, Hc);
                    goto done;
                }
    }
    if (per > 0 && (rc = cl_data_new(c, B, (uint64_t)seed, &d, &err))) goto done;
    if (steploss) { /* the same weights as trainable parameters: the training loss's code path */
        if ((rc = cl_params_load(dir, &sl.p, &err))) goto done;
        sl.ws = cl_grad_ws_new();
        sl.sum = calloc((size_t)SYN_NFAMILIES * H, sizeof(double));
        sl.n = calloc((size_t)SYN_NFAMILIES * H, sizeof(long));
        if (!sl.ws || !sl.sum || !sl.n) { rc = cl_error_set(&err, CL_ENOMEM, "eval: out of memory"); goto done; }
    }
    const int chunks = (int)((per + B - 1) / B);
    for (int f = 0; f < SYN_NFAMILIES && per > 0 && !rc; f++)
        for (int k = 0; k < chunks && !rc && FAMILY_ON(f); k++) {
            progress("eval: synthetic suite", (only < 0 ? f : 0) * chunks + k, (only < 0 ? SYN_NFAMILIES : 1) * chunks);
            cl_data_make(d, (uint64_t)k, f);
            fc.name = syn_family_name(f);
            if (k == 0) fc.idx = 0;
            int nb = (int)(per - (long)k * B < B ? per - (long)k * B : B);
            rc = score(&fc, d->series, nb, L, H, &fam[f], &err);
            if (!rc && sl.p) rc = add_step_loss(&sl, &d->batch, nb, f, H, &err);
        }
    if (!rc && csv) {
        /* the CSV: every column is a series, its last Hc values are the target */
        float *x = malloc(sizeof(float) * (size_t)Lc);
        fc.name = "csv";
        fc.idx = 0;
        for (int b = 0; b < Bc && !rc; b++) {
            progress("eval: CSV series", b, Bc);
            memcpy(x, vals + (size_t)b * Lc, sizeof(float) * Lc);
            rc = score(&fc, x, 1, Lc - Hc, Hc, &fam[SYN_NFAMILIES], &err);
        }
        free(x);
    }
    progress_done();
    if (rc) goto done;
    if (fc.fo.samples)
        printf("model %s: %d sample paths (median = point forecast) vs seasonal naive (season from the context's autocorrelation)\n",
               dir, fc.fo.samples);
    else
        printf("model %s: median-token decoding vs seasonal naive (season from the context's autocorrelation)\n", dir);
    printf("%-12s %5s  %8s %8s %7s   %8s %8s %7s\n", "family", "n", "MASE", "SNaive", "ratio", "WQL", "SNaive", "ratio");
    for (int f = 0; f < SYN_NFAMILIES && per > 0; f++) if (FAMILY_ON(f)) report(stdout, syn_family_name(f), &fam[f], 0);
    if (csv) report(stdout, "csv", &fam[SYN_NFAMILIES], 0);
    if (out) {
        cl_out o;
        if ((rc = cl_out_open(&o, out, &err))) goto done;
        fprintf(o.fp, "family,n,mase,mase_seasonal_naive,mase_ratio,wql,wql_seasonal_naive,wql_ratio\n");
        for (int f = 0; f < SYN_NFAMILIES && per > 0; f++) if (FAMILY_ON(f)) report(o.fp, syn_family_name(f), &fam[f], 1);
        if (csv) report(o.fp, "csv", &fam[SYN_NFAMILIES], 1);
        rc = cl_out_commit(&o, &err);
    }
    if (!rc && sl.p) {
        cl_out o;
        if ((rc = cl_out_open(&o, steploss, &err))) goto done;
        fprintf(o.fp, "family,step,loss,n\n");
        for (int f = 0; f < SYN_NFAMILIES; f++)
            for (int j = 0; j < H && FAMILY_ON(f); j++) {
                const size_t k = (size_t)f * H + j;
                fprintf(o.fp, "%s,%d,%.6f,%ld\n", syn_family_name(f), j + 1, sl.n[k] ? sl.sum[k] / sl.n[k] : NAN, sl.n[k]);
            }
        rc = cl_out_commit(&o, &err);
    }
    if (!rc && po.fp) rc = cl_out_commit(&po, &err);
done:
    if (po.fp) cl_out_abort(&po); /* an error: no partial per-series file */
    cl_free(vals);
    cl_params_free(sl.p);
    cl_grad_ws_free(sl.ws);
    free(sl.sum); free(sl.n);
    cl_data_free(d);
    cl_state_free(s);
    cl_model_free(m);
    return rc ? cli_fail_err(&err) : 0;
}
