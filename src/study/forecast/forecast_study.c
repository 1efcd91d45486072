/* forecast_study.c — `chronolens forecast` as a study (cl_forecast_study_run): sample paths
 * with a Chronos-T5 model (cached decoder), quantile paths of a Chronos-Bolt model, or the
 * context-parroting baseline, alone or beside the model; quantiles and mean of the paths.
 * Its files: forecast_io.c. */
#include "chronolens_study.h"
#include "study/common/family_check.h"
#include "study/forecast/bolt_forecast.h"
#include "study/forecast/c2_pipeline.h"
#include "study/forecast/forecast.h"
#include "study/forecast/parrot.h"
#include "core/core.h"
#include "io/csv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* a paths buffer of more values than this is refused before any work */
#define MAX_VALUES ((size_t)1 << 31)

void cl_forecast_study_default(cl_forecast_study_opts *o) {
    memset(o, 0, sizeof *o);
    o->method = CL_FORECAST_MODEL;
    o->nlev = 9;
    for (int i = 0; i < 9; i++) o->levels[i] = (i + 1) / 10.0;
    o->top_k = -1;
    o->window = 8;
}

void cl_forecast_free(cl_forecast_result *r) {
    if (!r) return;
    if (r->names)
        for (int b = 0; b < r->B; b++) free(r->names[b]);
    free(r->names);
    free(r->context); free(r->paths); free(r->mean); free(r->quant); free(r->band); free(r->parrot); free(r->pinfo);
    memset(r, 0, sizeof *r);
}

static int check_levels(const cl_forecast_study_opts *o, cl_error *err) {
    int ok = o->nlev >= 1 && o->nlev <= CL_FORECAST_MAX_LEVELS;
    for (int i = 0; ok && i < o->nlev; i++) ok = o->levels[i] > 0 && o->levels[i] < 1;
    return ok ? 0 : cl_error_set(err, CL_EINVAL, "forecast: quantile levels: 1 to %d levels in (0, 1)", CL_FORECAST_MAX_LEVELS);
}

/* the paths buffer (B, S, H) */
static int alloc_paths(cl_forecast_result *r, const char *what, cl_error *err) {
    size_t nv;
    if (cl_mul_size((size_t)r->B * r->S, (size_t)r->H, &nv) || nv > MAX_VALUES)
        return cl_error_set(err, CL_ENOMEM, "forecast: %d series x %d %s x %d steps is too many values", r->B, r->S, what,
                            r->H);
    if (!(r->paths = malloc(sizeof(float) * nv))) return cl_error_set(err, CL_ENOMEM, "forecast: out of memory");
    return 0;
}

/* the option of a sampler (T5) set, or NULL */
static const char *sampling_option(const cl_forecast_study_opts *o) {
    return o->samples > 0 ? "--samples" : o->temperature > 0 ? "--temperature" : o->top_k >= 0 ? "--top-k"
         : o->top_p > 0 ? "--top-p" : o->have_seed ? "--seed" : o->no_cache ? "--no-cache" : NULL;
}

/* Chronos-Bolt: the quantile paths stand for the samples; nothing is sampled */
static int run_bolt(const cl_model *m, const cl_context *ctx, const cl_forecast_study_opts *o, cl_forecast_result *r,
                    cl_error *err) {
    const char *bad = sampling_option(o);
    if (bad)
        return cl_error_set(err, CL_EINVAL, "forecast: %s means nothing for a Chronos-Bolt model (it predicts "
                            "quantiles, it does not sample)", bad);
    r->S = cl_model_config(m)->n_quantiles; /* (B, Q, H) */
    int rc = alloc_paths(r, "quantiles", err);
    if (!rc) rc = cl_bolt_predict_hk(m, ctx->values, r->B, r->L, r->H, o->batch, &o->progress, r->paths, o->hooks, err);
    return rc;
}

/* the option of Chronos2Pipeline's set, or NULL */
static const char *chronos2_option(const cl_forecast_study_opts *o) {
    return o->group_ids ? "--group-ids" : o->cross_learning ? "--cross-learning"
         : o->future_covariates ? "--future-covariates" : o->n_unrolled ? "--unrolled-quantiles" : NULL;
}

/* Chronos-2: Chronos2Pipeline.predict, its Q quantile paths stand for the samples */
static int run_chronos2(const cl_model *m, const cl_context *ctx, const cl_forecast_study_opts *o,
                        cl_forecast_result *r, cl_error *err) {
    const char *bad = sampling_option(o);
    if (bad)
        return cl_error_set(err, CL_EINVAL, "forecast: %s means nothing for a Chronos-2 model (it predicts "
                            "quantiles, it does not sample)", bad);
    if (o->group_ids && o->n_group_ids != ctx->B)
        return cl_error_set(err, CL_EINVAL, "forecast: %d group ids for %d series (one per context column)",
                            o->n_group_ids, ctx->B);
    r->S = cl_model_config(m)->n_quantiles; /* (B, Q, H) */
    int rc = alloc_paths(r, "quantiles", err);
    if (!rc)
        rc = cl_c2_predict_hk(m, ctx->values, r->B, r->L, o->group_ids, o->cross_learning, o->future_covariates, o->F,
                              r->H, o->n_unrolled ? o->unrolled : NULL, o->n_unrolled, o->batch, &o->progress, r->paths,
                              o->hooks, err);
    return rc;
}

/* Only the target rows (predict_df): the others (covariates) leave the result. */
static void keep_targets(cl_forecast_result *r, const uint8_t *targets) {
    const size_t SH = (size_t)r->S * r->H;
    int k = 0;
    for (int b = 0; b < r->B; b++) {
        if (!targets[b]) {
            if (r->names) free(r->names[b]);
            continue;
        }
        if (k != b) {
            memmove(r->paths + (size_t)k * SH, r->paths + (size_t)b * SH, sizeof(float) * SH);
            memmove(r->context + (size_t)k * r->L, r->context + (size_t)b * r->L, sizeof(float) * r->L);
            if (r->names) r->names[k] = r->names[b];
            if (r->parrot) memmove(r->parrot + (size_t)k * r->H, r->parrot + (size_t)b * r->H, sizeof(float) * r->H);
            if (r->pinfo) r->pinfo[k] = r->pinfo[b];
        }
        k++;
    }
    r->B = k;
}

/* Chronos-T5: sample paths through the horizon-extension loop */
static int run_t5(const cl_model *m, const cl_context *ctx, const cl_forecast_study_opts *o, cl_forecast_result *r,
                  cl_error *err) {
    cl_forecast_opts fo;
    cl_forecast_default(cl_model_config(m), &fo);
    if (o->samples > 0) fo.samples = o->samples;
    if (o->temperature > 0) fo.sampling.temperature = (float)o->temperature;
    if (o->top_k >= 0) fo.sampling.top_k = (int)o->top_k;
    if (o->top_p > 0) fo.sampling.top_p = (float)o->top_p;
    fo.seed = o->seed;
    fo.batch = o->batch;
    fo.use_cache = !o->no_cache;
    fo.hooks = o->hooks;
    r->S = fo.samples;
    int rc = alloc_paths(r, "samples", err);
    if (rc) return rc;
    cl_generator *g = NULL;
    if ((rc = cl_generator_new(m, &fo, r->B, r->L, r->H, &g, err))) return rc;
    cl_generator_on_progress(g, &o->progress);
    rc = cl_forecast_loop(cl_model_config(m), ctx->values, r->B, r->L, r->H, r->S, cl_generator_run, g, r->paths, err);
    cl_generator_free(g);
    return rc;
}

static int run_parrot(const cl_context *ctx, const cl_forecast_study_opts *o, cl_forecast_result *r, cl_error *err) {
    const int B = r->B, H = r->H, L = r->L;
    float *out = malloc(sizeof(float) * (size_t)B * H);
    r->pinfo = malloc(sizeof *r->pinfo * (size_t)B);
    if (!out || !r->pinfo) { free(out); return cl_error_set(err, CL_ENOMEM, "forecast: out of memory"); }
    for (int b = 0; b < B; b++) {
        int rc = cl_parrot_forecast(ctx->values + (size_t)b * L, L, o->window, H, out + (size_t)b * H, &r->pinfo[b], err);
        if (rc) { free(out); return rc; }
    }
    if (r->method == CL_FORECAST_PARROT) { r->paths = out; r->S = 1; } /* one deterministic path */
    else r->parrot = out;
    return 0;
}

static int copy_inputs(const cl_context *ctx, cl_forecast_result *r, cl_error *err) {
    if (!(r->context = malloc(sizeof(float) * (size_t)ctx->B * ctx->L)))
        return cl_error_set(err, CL_ENOMEM, "forecast: out of memory");
    memcpy(r->context, ctx->values, sizeof(float) * (size_t)ctx->B * ctx->L);
    if (!ctx->names) return 0;
    if (!(r->names = calloc((size_t)ctx->B, sizeof *r->names))) return cl_error_set(err, CL_ENOMEM, "forecast: out of memory");
    for (int b = 0; b < ctx->B; b++)
        if (!(r->names[b] = strdup(ctx->names[b]))) return cl_error_set(err, CL_ENOMEM, "forecast: out of memory");
    return 0;
}

int cl_forecast_study_check(const cl_forecast_study_opts *o, cl_error *err) {
    const int parrot = o->method == CL_FORECAST_PARROT;
    if (parrot && o->compare)
        return cl_error_set(err, CL_EINVAL, "forecast: --compare compares the model with the parrot; use it with --method model");
    if (parrot) { /* the parrot's one deterministic path has no sampling to set */
        const char *na = o->samples > 0 ? "--samples" : o->temperature > 0 ? "--temperature" : o->top_k >= 0 ? "--top-k"
                       : o->top_p > 0 ? "--top-p" : o->no_cache ? "--no-cache" : o->batch ? "--batch" : NULL;
        if (na) return cl_error_set(err, CL_EINVAL, "forecast: %s does not apply to --method parrot (one deterministic path, no sampling)", na);
    }
    if (o->window < 1) return cl_error_set(err, CL_EINVAL, "forecast: parrot window %d is not >= 1", o->window);
    /* 0 is "the model's value / automatic" for these; below it nothing (Python reaches here too) */
    if (o->horizon < 0) return cl_error_set(err, CL_EINVAL, "forecast: --horizon %d: must be >= 1", o->horizon);
    if (o->samples < 0) return cl_error_set(err, CL_EINVAL, "forecast: --samples %d: must be >= 1", o->samples);
    if (o->batch < 0) return cl_error_set(err, CL_EINVAL, "forecast: --batch %d: must be >= 0 (0: automatic)", o->batch);
    return check_levels(o, err);
}

int cl_forecast_far_horizon(const cl_model *m, const cl_forecast_study_opts *o, int *rounds) {
    if (!m || o->method == CL_FORECAST_PARROT) return 0;
    /* beyond prediction_length the median is fed back: one more model forecast per chunk */
    const int P = cl_model_config(m)->prediction_length, H = o->horizon > 0 ? o->horizon : P;
    if (P <= 0 || H <= CL_FORECAST_FAR_HORIZON * P) return 0;
    *rounds = (H + P - 1) / P;
    return 1;
}

int cl_forecast_study_run(const cl_model *m, const cl_context *ctx, const cl_forecast_study_opts *o,
                          cl_forecast_result *r, cl_error *err) {
    memset(r, 0, sizeof *r);
    int rc = cl_forecast_study_check(o, err);
    if (rc) return rc;
    const int parrot = o->method == CL_FORECAST_PARROT;
    if (!parrot && !m) return cl_error_set(err, CL_EINVAL, "forecast: the model method needs a model");
    const int c2 = !parrot && cl_model_is_chronos2(m);
    const char *c2opt = chronos2_option(o);
    if (c2opt && !c2)
        return cl_error_set(err, CL_EINVAL, "forecast: %s applies to Chronos-2 models only", c2opt);
    if (o->targets && !c2) return cl_error_set(err, CL_EINVAL, "forecast: target rows apply to Chronos-2 models only");
    if ((rc = cl_context_check_model(ctx, m, err))) return rc;
    r->B = ctx->B;
    r->L = ctx->L;
    r->method = o->method;
    r->nlev = o->nlev;
    memcpy(r->levels, o->levels, sizeof(double) * o->nlev);
    r->H = o->horizon > 0 ? o->horizon : (m ? cl_model_config(m)->prediction_length : 64);
    if (r->H <= 0) r->H = 64;
    r->bolt = !parrot && cl_model_is_bolt(m);
    if ((rc = copy_inputs(ctx, r, err))) goto fail;
    if (!parrot) {
        rc = c2 ? run_chronos2(m, ctx, o, r, err) : r->bolt ? run_bolt(m, ctx, o, r, err) : run_t5(m, ctx, o, r, err);
        if (rc) goto fail;
    }
    if ((parrot || o->compare) && (rc = run_parrot(ctx, o, r, err))) goto fail;
    if (c2 && o->targets) keep_targets(r, o->targets);

    const int B = r->B, H = r->H;
    r->mean = malloc(sizeof(float) * (size_t)B * H);
    r->quant = malloc(sizeof(float) * (size_t)B * H * r->nlev);
    r->band = malloc(sizeof(float) * (size_t)B * H * 3);
    if (!r->mean || !r->quant || !r->band) { rc = cl_error_set(err, CL_ENOMEM, "forecast: out of memory"); goto fail; }
    static const double band_lv[3] = {0.1, 0.5, 0.9};
    if (c2) {
        const cl_config *cc = cl_model_config(m);
        if ((rc = cl_c2_quantiles_at(cc, r->paths, B, H, r->levels, r->nlev, r->quant, r->mean, err))) goto fail;
        if ((rc = cl_c2_quantiles_at(cc, r->paths, B, H, band_lv, 3, r->band, NULL, err))) goto fail;
    } else if (r->bolt) {
        const cl_config *bc = cl_model_config(m);
        if ((rc = cl_bolt_quantiles_at(bc, r->paths, B, H, r->levels, r->nlev, r->quant, r->mean, err))) goto fail;
        if ((rc = cl_bolt_quantiles_at(bc, r->paths, B, H, band_lv, 3, r->band, NULL, err))) goto fail;
    } else {
        if ((rc = cl_forecast_summary(r->paths, B, r->S, H, r->levels, r->nlev, r->mean, r->quant, err))) goto fail;
        if ((rc = cl_forecast_summary(r->paths, B, r->S, H, band_lv, 3, r->mean, r->band, err))) goto fail;
    }
    return 0;
fail:
    cl_forecast_free(r);
    return rc;
}

double cl_forecast_compare(const cl_forecast_result *r, FILE *f) {
    if (!r->parrot || !r->pinfo || !r->band) return NAN;
    const int B = r->B, H = r->H;
    fprintf(f, "series,parrot_period,match_distance,median_vs_parrot_mae_scaled\n");
    double tot = 0;
    for (int b = 0; b < B; b++) {
        double mae = 0;
        for (int k = 0; k < H; k++) mae += fabs((double)r->band[((size_t)b * H + k) * 3 + 1] - r->parrot[(size_t)b * H + k]);
        mae /= H * r->pinfo[b].scale;
        tot += mae;
        if (r->names) csv_write_field(f, r->names[b]); /* RFC 4180: "sales, EU" stays one field */
        else fprintf(f, "%d", b);
        fprintf(f, ",%d,%.6g,%.6g\n", r->pinfo[b].fallback ? 0 : r->pinfo[b].period, r->pinfo[b].distance, mae);
    }
    return tot / B;
}
