/* forecast.c — ChronosPipeline.predict: the horizon loop, the model's token generator
 * (cached or uncached decoder + sampling) and the sample summaries. */
#include "study/forecast/forecast.h"
#include "model/kvcache.h"
#include "core/core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------ loop */

static int cmp_float(const void *a, const void *b) {
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

int cl_forecast_loop(const cl_config *c, const float *context, int B, int L, int horizon, int samples,
                     cl_generate_fn gen, void *user, float *values, cl_error *err) {
    if (B <= 0 || L < 0 || horizon <= 0 || samples <= 0)
        return cl_error_set(err, CL_EINVAL, "forecast: bad sizes (series %d, length %d, horizon %d, samples %d)", B,
                            L, horizon, samples);
    const int P = c->prediction_length > 0 ? c->prediction_length : horizon;
    const int full = L + horizon;                      /* longest context: L + all appended medians */
    const int W = full < c->context_length ? full : c->context_length; /* what the tokenizer keeps */
    const int Tmax = cl_tokenizer_length(c, W);
    const int steps_max = horizon < P ? horizon : P;
    float *hist = malloc(sizeof(float) * (size_t)B * (full > 0 ? full : 1)); /* (B, full) */
    float *win = malloc(sizeof(float) * (size_t)B * (W > 0 ? W : 1));       /* (B, <= W) */
    int32_t *ids = malloc(sizeof(int32_t) * (size_t)B * Tmax);
    uint8_t *mask = malloc((size_t)B * Tmax);
    float *scale = malloc(sizeof(float) * (size_t)B);
    int32_t *tok = malloc(sizeof(int32_t) * (size_t)B * samples * steps_max);
    float *col = malloc(sizeof(float) * (size_t)samples);
    int rc = 0;
    if (!hist || !win || !ids || !mask || !scale || !tok || !col) {
        rc = cl_error_set(err, CL_ENOMEM, "forecast: out of memory");
        goto done;
    }
    for (int b = 0; b < B; b++) memcpy(hist + (size_t)b * full, context + (size_t)b * L, sizeof(float) * L);
    int len = L, done_steps = 0;
    while (done_steps < horizon) {
        const int steps = horizon - done_steps < P ? horizon - done_steps : P;
        const int w = len < c->context_length ? len : c->context_length, T = cl_tokenizer_length(c, w);
        for (int b = 0; b < B; b++)
            memcpy(win + (size_t)b * w, hist + (size_t)b * full + (len - w), sizeof(float) * w);
        if ((rc = cl_tokenizer_encode(c, win, B, w, ids, mask, scale, err))) goto done;
        if ((rc = gen(user, ids, mask, B, T, steps, tok, err))) goto done;
        for (int b = 0; b < B; b++)
            for (int s = 0; s < samples; s++)
                cl_tokenizer_decode(c, tok + ((size_t)b * samples + s) * steps, steps, scale[b],
                                    values + ((size_t)b * samples + s) * horizon + done_steps);
        done_steps += steps;
        if (done_steps >= horizon) break;
        /* append the per-step median of the samples (torch.median: the lower median) */
        for (int b = 0; b < B; b++)
            for (int k = 0; k < steps; k++) {
                for (int s = 0; s < samples; s++)
                    col[s] = values[((size_t)b * samples + s) * horizon + done_steps - steps + k];
                qsort(col, (size_t)samples, sizeof(float), cmp_float);
                hist[(size_t)b * full + len + k] = col[(samples - 1) / 2];
            }
        len += steps;
    }
done:
    free(hist); free(win); free(ids); free(mask); free(scale); free(tok); free(col);
    return rc;
}

/* ------------------------------------------------------------------ generator */

struct cl_generator {
    const cl_model *m;
    cl_forecast_opts o;
    int nseries, max_T, max_steps;
    cl_state *st;
    cl_kvcache *kv;              /* cached path */
    cl_sampler sm;
    cl_rng *rng;                 /* (nseries) one stream per series */
    int32_t *cur;                /* (batch*samples) tokens fed at this step */
    int32_t *rep_ids;            /* uncached: (batch*samples, max_T) encoder ids repeated per sample */
    uint8_t *rep_mask;
    int32_t *prefix;             /* uncached: (batch*samples, max_steps + 1) decoder inputs so far */
    int32_t *packed;             /* uncached: the same packed as (batch*samples, t + 1) */
    cl_progress progress;
    double done, total, enc_s, dec_s;
};

void cl_forecast_default(const cl_config *c, cl_forecast_opts *o) {
    memset(o, 0, sizeof *o);
    o->samples = c->num_samples > 0 ? c->num_samples : 20;
    /* as loaded (config.c refuses what the sampler cannot use): nothing replaced here */
    o->sampling.temperature = c->temperature;
    o->sampling.top_k = c->top_k;
    o->sampling.top_p = c->top_p;
    o->sampling.eos_id = c->eos_token_id;
    o->batch = 0;
    o->use_cache = 1;
}

int cl_generator_new(const cl_model *m, const cl_forecast_opts *o, int nseries, int L, int horizon,
                     cl_generator **out, cl_error *err) {
    const cl_config *c = &m->cfg;
    if (o->samples <= 0) return cl_error_set(err, CL_EINVAL, "forecast: samples %d must be > 0", o->samples);
    if (o->batch < 0) return cl_error_set(err, CL_EINVAL, "forecast: batch %d must be >= 0", o->batch);
    if (nseries <= 0 || horizon <= 0)
        return cl_error_set(err, CL_EINVAL, "forecast: %d series, horizon %d", nseries, horizon);
    int rc = cl_sampling_check(&o->sampling, err);
    if (rc) return rc;
    cl_generator *g = calloc(1, sizeof *g);
    if (!g) return cl_error_set(err, CL_ENOMEM, "forecast: out of memory");
    g->m = m;
    g->o = *o;
    g->progress = o->progress;
    g->o.sampling.eos_id = c->eos_token_id;
    if (g->o.batch == 0) g->o.batch = o->samples < CL_FORECAST_ROWS ? CL_FORECAST_ROWS / o->samples : 1;
    if (g->o.batch > nseries) g->o.batch = nseries;
    g->nseries = nseries;
    int full = L + horizon, P = c->prediction_length > 0 ? c->prediction_length : horizon;
    g->max_T = cl_tokenizer_length(c, full < c->context_length ? full : c->context_length);
    g->max_steps = horizon < P ? horizon : P;
    g->total = (double)nseries * horizon;
    const size_t rows = (size_t)g->o.batch * o->samples;
    g->rng = malloc(sizeof(cl_rng) * (size_t)nseries);
    g->cur = malloc(sizeof(int32_t) * rows);
    if (!g->rng || !g->cur) { rc = cl_error_set(err, CL_ENOMEM, "forecast: out of memory"); goto fail; }
    for (int b = 0; b < nseries; b++)
        cl_rng_seed(&g->rng[b], o->seed ^ (0x9e3779b97f4a7c15ULL * (uint64_t)(b + 1)));
    if ((rc = cl_sampler_init(&g->sm, c->vocab_size, err))) goto fail;
    if ((rc = cl_state_new(m, &g->st, err))) goto fail;
    cl_state_set_hooks(g->st, o->hooks);
    if (o->use_cache) {
        rc = cl_kvcache_new(m, g->o.batch, g->max_T, o->samples, g->max_steps, &g->kv, err);
        if (rc) goto fail;
        cl_kvcache_set_hooks(g->kv, o->hooks);
    } else {
        g->rep_ids = malloc(sizeof(int32_t) * rows * g->max_T);
        g->rep_mask = malloc(rows * g->max_T);
        g->prefix = malloc(sizeof(int32_t) * rows * (g->max_steps + 1));
        g->packed = malloc(sizeof(int32_t) * rows * (g->max_steps + 1));
        if (!g->rep_ids || !g->rep_mask || !g->prefix || !g->packed) { rc = cl_error_set(err, CL_ENOMEM, "forecast: out of memory"); goto fail; }
    }
    *out = g;
    return 0;
fail:
    cl_generator_free(g);
    return rc;
}

void cl_generator_free(cl_generator *g) {
    if (!g) return;
    cl_kvcache_free(g->kv);
    cl_state_free(g->st);
    cl_sampler_free(&g->sm);
    free(g->rng); free(g->cur); free(g->rep_ids); free(g->rep_mask); free(g->prefix); free(g->packed);
    free(g);
}

void cl_generator_on_progress(cl_generator *g, const cl_progress *p) {
    g->progress = p ? *p : (cl_progress){0};
}

void cl_generator_times(const cl_generator *g, double *enc_s, double *dec_s) {
    if (enc_s) *enc_s = g->enc_s;
    if (dec_s) *dec_s = g->dec_s;
}

/* Draws the next token of every row from logits (rows, V); row r belongs to series
 * b0 + r / samples. Writes it to cur[r] and to tokens (nb, samples, steps) at step t. */
static void draw(cl_generator *g, const float *logits, int b0, int nb, int t, int steps, int32_t *tokens) {
    const int S = g->o.samples, V = g->m->cfg.vocab_size;
    for (int r = 0; r < nb * S; r++) {
        int tk = cl_sample_token(&g->sm, &g->o.sampling, logits + (size_t)r * V, &g->rng[b0 + r / S]);
        g->cur[r] = tk;
        tokens[((size_t)(b0 * S) + r) * steps + t] = tk;
    }
}

/* One batch of nb series (b0..b0+nb-1) through the cached decoder. */
static int run_cached(cl_generator *g, const int32_t *ids, const uint8_t *mask, int b0, int nb, int T, int steps,
                      int32_t *tokens, cl_error *err) {
    const int S = g->o.samples;
    double t0 = cl_now();
    if (g->o.hooks) cl_hooks_set_rows(g->o.hooks, b0, 1); /* the kv cache's steps: samples rows a series */
    int rc = cl_encode(g->st, ids + (size_t)b0 * T, mask + (size_t)b0 * T, nb, T, err);
    if (rc) return rc;
    if ((rc = cl_kvcache_begin(g->kv, cl_state_encoder_hidden(g->st, NULL, NULL), mask + (size_t)b0 * T, nb, T, err)))
        return rc;
    double t1 = cl_now();
    g->enc_s += t1 - t0;
    for (int r = 0; r < nb * S; r++) g->cur[r] = g->m->cfg.decoder_start_token_id;
    for (int t = 0; t < steps; t++) {
        if ((rc = cl_kvcache_step(g->kv, g->cur, err))) return rc;
        draw(g, cl_kvcache_logits(g->kv, NULL, NULL), b0, nb, t, steps, tokens);
        g->done += nb;
        if ((rc = cl_progress_point(&g->progress, "forecast", g->done, g->total, err))) return rc;
    }
    g->dec_s += cl_now() - t1;
    return 0;
}

/* The same through cl_decode on the whole prefix at every step (the reference's way). */
static int run_uncached(cl_generator *g, const int32_t *ids, const uint8_t *mask, int b0, int nb, int T, int steps,
                        int32_t *tokens, cl_error *err) {
    const int S = g->o.samples, rows = nb * S, W = g->max_steps + 1;
    double t0 = cl_now();
    for (int r = 0; r < rows; r++) {
        memcpy(g->rep_ids + (size_t)r * T, ids + (size_t)(b0 + r / S) * T, sizeof(int32_t) * T);
        memcpy(g->rep_mask + (size_t)r * T, mask + (size_t)(b0 + r / S) * T, (size_t)T);
    }
    if (g->o.hooks) cl_hooks_set_rows(g->o.hooks, b0, S); /* every row repeated per sample */
    int rc = cl_encode(g->st, g->rep_ids, g->rep_mask, rows, T, err);
    if (rc) return rc;
    double t1 = cl_now();
    g->enc_s += t1 - t0;
    /* prefix rows live at stride W; the decoder input is packed to (rows, t+1) */
    for (int r = 0; r < rows; r++) g->prefix[(size_t)r * W] = g->m->cfg.decoder_start_token_id;
    int32_t *in = g->packed;
    for (int t = 0; t < steps; t++) {
        for (int r = 0; r < rows; r++) memcpy(in + (size_t)r * (t + 1), g->prefix + (size_t)r * W, sizeof(int32_t) * (t + 1));
        if ((rc = cl_decode(g->st, in, t + 1, 1, err))) return rc;
        draw(g, cl_state_logits(g->st, NULL, NULL, NULL), b0, nb, t, steps, tokens);
        for (int r = 0; r < rows; r++) g->prefix[(size_t)r * W + t + 1] = g->cur[r];
        g->done += nb;
        if ((rc = cl_progress_point(&g->progress, "forecast", g->done, g->total, err))) return rc;
    }
    g->dec_s += cl_now() - t1;
    return 0;
}

int cl_generator_run(void *user, const int32_t *ids, const uint8_t *mask, int B, int T, int steps, int32_t *tokens,
                     cl_error *err) {
    cl_generator *g = user;
    if (B > g->nseries || T > g->max_T || steps > g->max_steps)
        return cl_error_set(err, CL_EINVAL, "forecast: %d series x %d tokens x %d steps exceed the generator's size", B,
                            T, steps);
    for (int b0 = 0; b0 < B; b0 += g->o.batch) {
        int nb = B - b0 < g->o.batch ? B - b0 : g->o.batch;
        int rc = g->o.use_cache ? run_cached(g, ids, mask, b0, nb, T, steps, tokens, err)
                                : run_uncached(g, ids, mask, b0, nb, T, steps, tokens, err);
        if (rc) return rc;
    }
    return 0;
}

int cl_forecast(const cl_model *m, const cl_forecast_opts *o, const float *context, int B, int L, int horizon,
                float *values, cl_error *err) {
    cl_generator *g;
    int rc = cl_generator_new(m, o, B, L, horizon, &g, err);
    if (rc) return rc;
    rc = cl_forecast_loop(cl_model_config(m), context, B, L, horizon, o->samples, cl_generator_run, g, values, err);
    cl_generator_free(g);
    return rc;
}

/* ------------------------------------------------------------------ summaries */

double cl_quantile_sorted(const float *sorted, int n, double q) {
    if (n <= 0) return NAN;
    double pos = q * (n - 1);
    int lo = (int)floor(pos);
    if (lo < 0) lo = 0;
    if (lo >= n - 1) return sorted[n - 1];
    double f = pos - lo, a = sorted[lo], b = sorted[lo + 1];
    return a + (b - a) * f;
}

int cl_forecast_summary(const float *values, int B, int S, int H, const double *levels, int nq, float *mean,
                        float *quant, cl_error *err) {
    float *col = malloc(sizeof(float) * (size_t)(S > 0 ? S : 1));
    if (!col) return cl_error_set(err, CL_ENOMEM, "forecast: out of memory");
    for (int b = 0; b < B; b++)
        for (int k = 0; k < H; k++) {
            double sum = 0;
            for (int s = 0; s < S; s++) {
                col[s] = values[((size_t)b * S + s) * H + k];
                sum += col[s];
            }
            mean[(size_t)b * H + k] = (float)(sum / S);
            qsort(col, (size_t)S, sizeof(float), cmp_float);
            for (int i = 0; i < nq; i++)
                quant[((size_t)b * H + k) * nq + i] = (float)cl_quantile_sorted(col, S, levels[i]);
        }
    free(col);
    return 0;
}
