/* eval_study.c — forecast accuracy on the held-out synthetic suite (and a CSV): MASE and
 * weighted quantile loss against the seasonal-naive baseline, per series family (cl_eval_run).
 * Forecasts as ChronosPipeline makes them (sample paths; point forecast = their median,
 * quantiles over them), or with samples 0 by median-token decoding; and its files. */
#include "chronolens_study.h"
#include "io/outlock.h"
#include "study/forecast/forecast.h"
#include "study/forecast/median_forecast.h"
#include "study/forecast/metrics.h"
#include "core/core.h"
#include "data/batch.h"
#include "io/csv.h"
#include "train/backward.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cl_eval_default(cl_eval_opts *o) {
    memset(o, 0, sizeof *o);
    o->series = 100;
    o->seed = 20261126;
    o->samples = 20;
    o->family = -1;
}

const char *cl_eval_family_name(int family) {
    return family >= 0 && family < CL_EVAL_FAMILIES ? syn_family_name(family) : NULL;
}

void cl_eval_free(cl_eval_result *r) {
    free(r->series); free(r->step_sum); free(r->step_n);
    memset(r, 0, sizeof *r);
}

static const char *group_name(int g) { return g == CL_EVAL_CSV ? "csv" : syn_family_name(g); }

static const float LEVELS[9] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f};
#define NQ 9

typedef cl_eval_group acc;

typedef struct {
    const cl_model *m;
    cl_state *s;
    cl_forecast_opts fo; /* fo.samples == 0: median-token decoding */
    cl_eval_result *per; /* one row per series kept (NULL: none) */
    int group;           /* the family being scored (or CL_EVAL_CSV), for those rows */
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
        if (f->per) {
            cl_eval_series *row = &f->per->series[f->per->n_series++];
            *row = (cl_eval_series){f->group, f->idx, m, sc, mm, ms, absy > 0 ? qm / absy : NAN, absy > 0 ? qs / absy : NAN};
        }
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

/* The CSV's contexts (each series but its last H values, the target) through the check every
 * context gets (cl_context_check): a series whose scale overflows float32 is named before the
 * long part instead of scoring NaN. A copy, as the check reads (B, L) rows. */
static int check_csv_contexts(const cl_config *c, const float *vals, int B, int L, int H, const char *csv,
                              cl_error *err) {
    const int n = L - H;
    float *ctx = malloc(sizeof(float) * (size_t)B * n);
    if (!ctx) return cl_error_set(err, CL_ENOMEM, "%s: out of memory", csv);
    for (int b = 0; b < B; b++) memcpy(ctx + (size_t)b * n, vals + (size_t)b * L, sizeof(float) * n);
    int rc = cl_context_check(c, ctx, B, n, csv, NULL, err);
    free(ctx);
    return rc;
}

int cl_eval_run(const cl_eval_opts *o, cl_eval_result *r, cl_error *err) {
    memset(r, 0, sizeof *r);
    r->opts = *o;
    r->opts.progress = (cl_progress){0};
    const long per = o->series;
    const int only = o->family;
    if (o->horizon && !o->csv) return cl_error_set(err, CL_EINVAL, "option --horizon: only with --csv");
    if (o->step_loss && per == 0) return cl_error_set(err, CL_EINVAL, "option --step-loss: needs the synthetic suite (--series > 0)");
    if (only >= CL_EVAL_FAMILIES) return cl_error_set(err, CL_EINVAL, "eval: family %d", only);
#define FAMILY_ON(f) (only < 0 || (f) == only)
    cl_model *m = NULL;
    cl_state *s = NULL;
    cl_data *d = NULL;
    float *vals = NULL;
    acc *fam = r->group;
    step_loss sl = {0};
    const char *dir = o->model, *csv = o->csv;
    const long ctxlen = o->context_length, horizon = o->horizon;
    const cl_load_opts lo = {o->precision};
    int rc = cl_model_load(dir, &lo, &m, err);
    if (!rc) r->opts.precision = cl_model_precision(m); /* as run: fp32 where bf16 is unsupported */
    if (!rc) rc = cl_model_require_t5(m, dir, "eval", err);
    if (!rc) rc = cl_state_new(m, &s, err);
    if (rc) goto done;
    const cl_config *mc = cl_model_config(m);
    forecaster fc = {.m = m, .s = s};
    cl_forecast_default(mc, &fc.fo);
    fc.fo.samples = o->samples;
    fc.fo.seed = o->seed;
    if (ctxlen > mc->context_length) {
        rc = cl_error_set(err, CL_EINVAL, "option --context-length: %ld exceeds the model's context_length %d", ctxlen, mc->context_length);
        goto done;
    }
    /* the synthetic suite's context length: the model's, or shorter (e.g. its training length) */
    cl_config cc = *mc;
    if (ctxlen) cc.context_length = (int)ctxlen;
    const cl_config *c = &cc;
    const int L = c->context_length, H = c->prediction_length, B = 25;
    r->H = H;
    int Bc = 0, Lc = 0, Hc = 0;
    if (csv) { /* read and check before the long part */
        if ((rc = csv_read_context(csv, &vals, &Bc, &Lc, NULL, err))) goto done;
        Hc = horizon ? (int)horizon : H;
        if (Lc < Hc + 4) { rc = cl_error_set(err, CL_EFORMAT, "%s: %d rows, too few for a horizon of %d", csv, Lc, Hc); goto done; }
        for (int b = 0; b < Bc; b++)
            for (int t = Lc - Hc; t < Lc; t++)
                if (isnan(vals[(size_t)b * Lc + t])) {
                    rc = cl_error_set(err, CL_EFORMAT, "%s: series %d has a missing value in its last %d rows (the target)", csv, b + 1, Hc);
                    goto done;
                }
        if ((rc = check_csv_contexts(mc, vals, Bc, Lc, Hc, csv, err))) goto done;
    }
    if (o->per_series) { /* one row per scored series */
        const long n = (per > 0 ? per * (only < 0 ? CL_EVAL_FAMILIES : 1) : 0) + Bc;
        if (!(r->series = malloc(sizeof *r->series * (size_t)(n > 0 ? n : 1)))) { rc = cl_error_set(err, CL_ENOMEM, "eval: out of memory"); goto done; }
        fc.per = r;
    }
    if (per > 0 && (rc = cl_data_new(c, B, o->seed, &d, err))) goto done;
    if (o->step_loss) { /* the same weights as trainable parameters: the training loss's code path */
        if ((rc = cl_params_load(dir, &sl.p, err))) goto done;
        sl.ws = cl_grad_ws_new();
        sl.sum = calloc((size_t)SYN_NFAMILIES * H, sizeof(double));
        sl.n = calloc((size_t)SYN_NFAMILIES * H, sizeof(long));
        if (!sl.ws || !sl.sum || !sl.n) { rc = cl_error_set(err, CL_ENOMEM, "eval: out of memory"); goto done; }
    }
    const int chunks = (int)((per + B - 1) / B);
    for (int f = 0; f < SYN_NFAMILIES && per > 0 && !rc; f++)
        for (int k = 0; k < chunks && !rc && FAMILY_ON(f); k++) {
            if ((rc = cl_progress_point(&o->progress, "eval: synthetic suite", (only < 0 ? f : 0) * chunks + k,
                                        (only < 0 ? SYN_NFAMILIES : 1) * chunks, err)))
                break;
            cl_data_make(d, (uint64_t)k, f);
            fc.group = f;
            if (k == 0) fc.idx = 0;
            int nb = (int)(per - (long)k * B < B ? per - (long)k * B : B);
            rc = score(&fc, d->series, nb, L, H, &fam[f], err);
            if (!rc && sl.p) rc = add_step_loss(&sl, &d->batch, nb, f, H, err);
        }
    if (!rc && csv) {
        /* the CSV: every column is a series, its last Hc values are the target */
        float *x = malloc(sizeof(float) * (size_t)Lc);
        fc.group = CL_EVAL_CSV;
        fc.idx = 0;
        if (!x) rc = cl_error_set(err, CL_ENOMEM, "eval: out of memory");
        for (int b = 0; b < Bc && !rc; b++) {
            if ((rc = cl_progress_point(&o->progress, "eval: CSV series", b, Bc, err))) break;
            memcpy(x, vals + (size_t)b * Lc, sizeof(float) * Lc);
            rc = score(&fc, x, 1, Lc - Hc, Hc, &fam[CL_EVAL_CSV], err);
        }
        free(x);
    }
done:
    cl_free(vals);
    cl_params_free(sl.p);
    cl_grad_ws_free(sl.ws);
    if (!rc && sl.p) { r->step_sum = sl.sum; r->step_n = sl.n; } else { free(sl.sum); free(sl.n); }
    cl_data_free(d);
    cl_state_free(s);
    cl_model_free(m);
    if (rc) cl_eval_free(r);
    return rc;
}

void cl_eval_table(const cl_eval_result *r, FILE *f, int csv) {
    const int only = r->opts.family;
    if (csv) fprintf(f, "family,n,mase,mase_seasonal_naive,mase_ratio,wql,wql_seasonal_naive,wql_ratio\n");
    else {
        if (r->opts.samples)
            fprintf(f, "model %s (%s): %d sample paths (median = point forecast) vs seasonal naive (season from the context's autocorrelation)\n",
                    r->opts.model, cl_precision_name(r->opts.precision), r->opts.samples);
        else
            fprintf(f, "model %s (%s): median-token decoding vs seasonal naive (season from the context's autocorrelation)\n",
                    r->opts.model, cl_precision_name(r->opts.precision));
        fprintf(f, "%-12s %5s  %8s %8s %7s   %8s %8s %7s\n", "family", "n", "MASE", "SNaive", "ratio", "WQL", "SNaive", "ratio");
    }
    for (int g = 0; g < CL_EVAL_FAMILIES && r->opts.series > 0; g++) if (FAMILY_ON(g)) report(f, syn_family_name(g), &r->group[g], csv);
    if (r->opts.csv) report(f, "csv", &r->group[CL_EVAL_CSV], csv);
}

int cl_eval_write_table(const cl_eval_result *r, const char *path, cl_error *err) {
    cl_out o;
    if (cl_out_open(&o, path, err)) return CL_EIO;
    cl_eval_table(r, o.fp, 1);
    return cl_out_commit(&o, err);
}

int cl_eval_write_series(const cl_eval_result *r, const char *path, cl_error *err) {
    cl_out o;
    if (cl_out_open(&o, path, err)) return CL_EIO;
    fprintf(o.fp, "family,series,season,mase_scale,mase,mase_seasonal_naive,wql,wql_seasonal_naive\n");
    for (int i = 0; i < r->n_series; i++) {
        const cl_eval_series *x = &r->series[i];
        fprintf(o.fp, "%s,%d,%d,%.9g,%.6f,%.6f,%.6f,%.6f\n", group_name(x->group), x->series, x->season, x->scale, x->mase,
                x->mase_sn, x->wql, x->wql_sn);
    }
    return cl_out_commit(&o, err);
}

int cl_eval_write_step_loss(const cl_eval_result *r, const char *path, cl_error *err) {
    if (!r->step_sum) return cl_error_set(err, CL_EINVAL, "%s: the run kept no step loss", path);
    const int only = r->opts.family, H = r->H;
    cl_out o;
    if (cl_out_open(&o, path, err)) return CL_EIO;
    fprintf(o.fp, "family,step,loss,n\n");
    for (int f = 0; f < CL_EVAL_FAMILIES; f++)
        for (int j = 0; j < H && FAMILY_ON(f); j++) {
            const size_t k = (size_t)f * H + j;
            fprintf(o.fp, "%s,%d,%.6f,%ld\n", syn_family_name(f), j + 1, r->step_n[k] ? r->step_sum[k] / r->step_n[k] : NAN,
                    r->step_n[k]);
        }
    return cl_out_commit(&o, err);
}
