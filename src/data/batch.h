/* batch.h — tokenized training batches of synthetic series, as Chronos trains: the
 * context tokenized exactly as at inference (mean scale, EOS), labels = the following
 * prediction_length values tokenized with the context's scale + EOS, decoder input =
 * labels shifted right behind start token 0. Batch k of a seed is the same on every
 * machine and in every run (resume needs no data state). */
#ifndef CL_BATCH_H
#define CL_BATCH_H

#include "chronolens.h"
#include "data/synth.h"

/* One tokenized batch, as Chronos trains: encoder = context tokens + EOS with the mask;
 * labels = horizon tokens + EOS (-100 = ignored); decoder input = labels shifted right
 * with start token 0. */
typedef struct cl_batch {
    int B, T, Td;
    const int32_t *enc_ids;   /* (B, T) */
    const uint8_t *enc_mask;  /* (B, T) 0 = padded */
    const int32_t *dec_ids;   /* (B, Td) */
    const int32_t *labels;    /* (B, Td), -100 ignored */
    const float *pos_weight;  /* (Td) loss weight of each decoder position; NULL: all 1 */
} cl_batch;

/* Sum of the loss weights of the batch's labels != -100 (their count when pos_weight is NULL). */
double cl_batch_weight(const cl_batch *b);

typedef struct cl_data {
    cl_config cfg;
    int B, C, H;                 /* batch, context length, horizon */
    uint64_t seed;
    double mix[SYN_NFAMILIES];   /* family probabilities (sum 1) */
    double short_frac;           /* probability that a context keeps only its last U[8, C] values
                                  * (earlier ones missing: PAD, mask 0), as short series are padded */
    float *ctx;                  /* (C) scratch: the context as tokenized */
    syn_gen *gen;
    float *bd;                   /* (n_bins + 1) tokenizer boundaries */
    float *series;               /* (B, C + H) raw values */
    int32_t *enc_ids, *dec_ids, *labels; /* (B, C + 1), (B, H + 1), (B, H + 1) */
    uint8_t *enc_mask;           /* (B, C + 1) */
    float *scale;                /* (B) */
    int *family;                 /* (B) */
    cl_batch batch;              /* views of the buffers above */
} cl_data;

/* The default mixture: GP 0.35, seasonal 0.25, random walk 0.1, repeated segments 0.3. */
int cl_data_new(const cl_config *cfg, int B, uint64_t seed, cl_data **out, cl_error *err);
void cl_data_free(cl_data *d);
/* Sets the family weights (normalised; at least one > 0) and the short-context probability. */
int cl_data_set_mix(cl_data *d, const double *weights, double short_frac, cl_error *err);
/* The fraction of repeated segments over a small alphabet (syn_set_motif_frac), in [0, 1]. */
int cl_data_set_motif_frac(cl_data *d, double f, cl_error *err);
/* Fills batch number index; family < 0 draws from the mixture, else that family only. */
void cl_data_make(cl_data *d, uint64_t index, int family);
/* ids (n) = bucketize(values / scale) + n_special, clamped (the labels' tokenization). */
void cl_data_tokenize_with_scale(const cl_data *d, const float *values, int n, float scale, int32_t *ids);

#endif
