/* forecast.h — ChronosPipeline.predict (method.md §1 "Forecasting"): sample paths from the
 * model with its tokenizer, the horizon-extension loop, quantiles and the mean.
 *
 * The loop is separate from the token generator so that it can be checked with a
 * hand-built generator; cl_generator is the model's (cached or uncached) generator. */
#ifndef CL_FORECAST_H
#define CL_FORECAST_H

#include "chronolens_study.h"
#include <stdio.h>
#include "model/sampling.h"

/* One round's generator: tokens (B, samples, steps) continuing the encoder inputs
 * ids, mask (B, T) of all B series (series b keeps its index b in every round). */
typedef int (*cl_generate_fn)(void *user, const int32_t *ids, const uint8_t *mask, int B, int T,
                              int steps, int32_t *tokens, cl_error *err);

/* ChronosPipeline.predict's loop over a batch of series context (B, L) (NaN = missing,
 * shorter series left-padded with NaN): tokenize the last context_length values (scale
 * recomputed each round), generate min(remaining, prediction_length) tokens per sample,
 * decode them with that round's scale; while steps remain, append the per-step median of
 * the samples (torch's lower median) to the context and go again.
 * values: (B, samples, horizon). */
int cl_forecast_loop(const cl_config *c, const float *context, int B, int L, int horizon,
                     int samples, cl_generate_fn gen, void *user, float *values, cl_error *err);

/* ------------------------------------------------------------------ model generator */

/* Rows per decoder step of the automatic batch: the few-row products (linear_few.c) serve
 * up to 48 rows, and the self-attention cache of a batch grows with its rows
 * (layers x rows x steps x heads*d_kv x 8 bytes: 189 MB for base with 2 series x 20
 * samples x 64 steps). */
#define CL_FORECAST_ROWS 48

typedef struct cl_forecast_opts {
    int samples;          /* sample paths per series (> 0) */
    cl_sampling sampling; /* temperature, top-k, top-p; eos_id is set from the config */
    uint64_t seed;        /* series b draws from its own stream seeded by (seed, b) */
    int batch;            /* series per model batch (> 0); 0 = auto: as many as keep the
                             rows (series x samples) <= CL_FORECAST_ROWS, at least 1 */
    int use_cache;        /* 1: key/value-cached decoder; 0: cl_decode on the growing prefix */
    cl_progress progress; /* optional: stage "forecast", decoder steps x series; its answer
                             stops the run (CL_ECANCELED) after any decoder step */
    cl_hooks *hooks;      /* run in the encoder and every decoder step (NULL: none) */
} cl_forecast_opts;

/* Defaults from the model's chronos_config: num_samples, temperature, top_k, top_p;
 * seed 0, batch auto, cache on. */
void cl_forecast_default(const cl_config *c, cl_forecast_opts *o);

typedef struct cl_generator cl_generator;

/* A generator for up to nseries series whose contexts are at most L + horizon values long,
 * rounds of at most prediction_length steps. All buffers are allocated here. */
int cl_generator_new(const cl_model *m, const cl_forecast_opts *o, int nseries, int L, int horizon,
                     cl_generator **out, cl_error *err);
void cl_generator_free(cl_generator *g);
/* The cl_generate_fn of the model (user = the cl_generator), B <= nseries. Series b draws
 * from its own random stream, continued from round to round, so its samples do not depend
 * on the batch size or on the other series. */
int cl_generator_run(void *g, const int32_t *ids, const uint8_t *mask, int B, int T, int steps,
                     int32_t *tokens, cl_error *err);
/* Progress callback: done, total in decoder steps x series (replaces the opts' one). */
void cl_generator_on_progress(cl_generator *g, const cl_progress *p);
/* Seconds spent in the encoder and in decoding (sampling included) so far. */
void cl_generator_times(const cl_generator *g, double *enc_s, double *dec_s);

/* Forecast with the model: cl_forecast_loop with cl_generator_run. values (B, samples, H). */
int cl_forecast(const cl_model *m, const cl_forecast_opts *o, const float *context, int B, int L,
                int horizon, float *values, cl_error *err);

/* ------------------------------------------------------------------ summaries */

/* Linear interpolation between order statistics of sorted (n) at level q in [0, 1]
 * (numpy/torch "linear"). */
double cl_quantile_sorted(const float *sorted, int n, double q);
/* mean (B, H) and quantiles (B, H, nq) of values (B, S, H) over the samples. */
int cl_forecast_summary(const float *values, int B, int S, int H, const double *levels, int nq,
                        float *mean, float *quant, cl_error *err);

/* The long CSV of a forecast (series,step,mean,q..,[parrot]) to f (forecast_io.c). */
void cl_forecast_csv(FILE *f, const cl_forecast_result *r);

#endif
