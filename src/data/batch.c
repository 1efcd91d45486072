/* batch.c — synthetic series -> tokenized (encoder, decoder, labels) batches. */
#include "data/batch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double cl_batch_weight(const cl_batch *b) {
    double s = 0;
    for (int i = 0; i < b->B; i++)
        for (int j = 0; j < b->Td; j++)
            if (b->labels[(size_t)i * b->Td + j] != -100) s += b->pos_weight ? b->pos_weight[j] : 1.0;
    return s;
}

int cl_data_new(const cl_config *cfg, int B, uint64_t seed, cl_data **out, cl_error *err) {
    if (B < 1 || cfg->context_length < 2 || cfg->prediction_length < 1)
        return cl_error_set(err, CL_EINVAL, "data: bad batch %d / context %d / horizon %d", B, cfg->context_length,
                            cfg->prediction_length);
    cl_data *d = calloc(1, sizeof *d);
    if (!d) return cl_error_set(err, CL_ENOMEM, "data: out of memory");
    d->cfg = *cfg;
    d->B = B; d->C = cfg->context_length; d->H = cfg->prediction_length;
    d->seed = seed;
    const double mix[SYN_NFAMILIES] = {0.35, 0.25, 0.10, 0.30};
    memcpy(d->mix, mix, sizeof mix);
    const int n = d->C + d->H, Te = d->C + 1, Td = d->H + 1;
    const int nbins = cfg->n_tokens - cfg->n_special_tokens - 1;
    d->gen = syn_new(n);
    d->bd = malloc(sizeof(float) * (size_t)(nbins + 1));
    d->series = malloc(sizeof(float) * (size_t)B * n);
    d->ctx = malloc(sizeof(float) * (size_t)d->C);
    d->enc_ids = malloc(sizeof(int32_t) * (size_t)B * Te);
    d->enc_mask = malloc((size_t)B * Te);
    d->dec_ids = malloc(sizeof(int32_t) * (size_t)B * Td);
    d->labels = malloc(sizeof(int32_t) * (size_t)B * Td);
    d->scale = malloc(sizeof(float) * (size_t)B);
    d->family = malloc(sizeof(int) * (size_t)B);
    if (!d->gen || !d->bd || !d->series || !d->enc_ids || !d->enc_mask || !d->dec_ids || !d->labels || !d->scale ||
        !d->family || !d->ctx) {
        cl_data_free(d);
        return cl_error_set(err, CL_ENOMEM, "data: out of memory");
    }
    /* the inference tokenizer's boundaries: midpoints of consecutive centers */
    d->bd[0] = -1e20f;
    for (int i = 1; i < nbins; i++)
        d->bd[i] = (cl_tokenizer_center(cfg, i + cfg->n_special_tokens + 1) +
                    cl_tokenizer_center(cfg, i - 1 + cfg->n_special_tokens + 1)) / 2.0f;
    d->bd[nbins] = 1e20f;
    d->batch = (cl_batch){B, Te, Td, d->enc_ids, d->enc_mask, d->dec_ids, d->labels, NULL};
    *out = d;
    return 0;
}

void cl_data_free(cl_data *d) {
    if (!d) return;
    syn_free(d->gen);
    free(d->bd); free(d->series); free(d->enc_ids); free(d->enc_mask); free(d->dec_ids); free(d->labels);
    free(d->scale); free(d->family); free(d->ctx);
    free(d);
}

int cl_data_set_mix(cl_data *d, const double *w, double short_frac, cl_error *err) {
    double s = 0;
    for (int f = 0; f < SYN_NFAMILIES; f++) {
        if (!(w[f] >= 0)) return cl_error_set(err, CL_EINVAL, "data: family weight %g is negative", w[f]);
        s += w[f];
    }
    if (!(s > 0)) return cl_error_set(err, CL_EINVAL, "data: every family weight is 0");
    if (!(short_frac >= 0 && short_frac <= 1)) return cl_error_set(err, CL_EINVAL, "data: short-context fraction %g outside [0, 1]", short_frac);
    /* weights that already sum to 1 are kept as given: the default stream stays bit-identical */
    for (int f = 0; f < SYN_NFAMILIES; f++) d->mix[f] = fabs(s - 1) < 1e-9 ? w[f] : w[f] / s;
    d->short_frac = short_frac;
    return 0;
}

int cl_data_set_motif_frac(cl_data *d, double f, cl_error *err) {
    if (!(f >= 0 && f <= 1)) return cl_error_set(err, CL_EINVAL, "data: motif fraction %g outside [0, 1]", f);
    syn_set_motif_frac(d->gen, f);
    return 0;
}

void cl_data_tokenize_with_scale(const cl_data *d, const float *x, int n, float scale, int32_t *ids) {
    const cl_config *c = &d->cfg;
    const int nb = c->n_tokens - c->n_special_tokens; /* boundaries: nbins + 1 */
    for (int t = 0; t < n; t++) {
        float v = x[t] / scale;
        int lo = 0, hi = nb; /* bucketize(right=True): boundaries <= v */
        while (lo < hi) {
            int mid = lo + ((hi - lo) >> 1);
            if (!(d->bd[mid] > v)) lo = mid + 1;
            else hi = mid;
        }
        int id = lo + c->n_special_tokens;
        ids[t] = id > c->n_tokens - 1 ? c->n_tokens - 1 : id;
    }
}

void cl_data_make(cl_data *d, uint64_t index, int family) {
    cl_rng r;
    cl_rng_seed(&r, d->seed * 0x9E3779B97F4A7C15ULL ^ (index + 1) * 0xD1B54A32D192ED03ULL);
    const int n = d->C + d->H, Te = d->C + 1, Td = d->H + 1;
    for (int b = 0; b < d->B; b++) {
        int f = family;
        if (f < 0) {
            double u = cl_rng_uniform(&r), acc = 0;
            for (f = 0; f < SYN_NFAMILIES - 1; f++) if (u < (acc += d->mix[f])) break;
        }
        d->family[b] = f;
        float *x = d->series + (size_t)b * n;
        syn_draw(d->gen, &r, f, x);
        cl_error err;
        /* context: exactly the inference tokenizer; sometimes a short, left-padded one
         * (drawn only when enabled, so runs without it keep their data stream) */
        memcpy(d->ctx, x, sizeof(float) * d->C);
        if (d->short_frac > 0 && cl_rng_uniform(&r) < d->short_frac) {
            int keep = cl_rng_int(&r, d->C < 8 ? 1 : 8, d->C);
            for (int t = 0; t < d->C - keep; t++) d->ctx[t] = NAN;
        }
        cl_tokenizer_encode(&d->cfg, d->ctx, 1, d->C, d->enc_ids + (size_t)b * Te, d->enc_mask + (size_t)b * Te,
                            &d->scale[b], &err);
        int32_t *lab = d->labels + (size_t)b * Td, *dec = d->dec_ids + (size_t)b * Td;
        cl_data_tokenize_with_scale(d, x + d->C, d->H, d->scale[b], lab);
        lab[d->H] = d->cfg.tok_eos_id;
        dec[0] = d->cfg.decoder_start_token_id;
        for (int t = 1; t < Td; t++) dec[t] = lab[t - 1];
    }
}
