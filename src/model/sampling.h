/* sampling.h — the logits warpers and the draw of ChronosPipeline's generate:
 * logits / temperature, EOS never sampled, top-k, top-p, then one multinomial draw. */
#ifndef CL_SAMPLING_H
#define CL_SAMPLING_H

#include "chronolens.h"
#include "core/export.h"
#include "core/core.h"

typedef struct cl_sampling {
    float temperature; /* > 0 */
    int top_k;         /* keep the k largest logits (ties with the k-th kept); 0 = off; > V = V */
    float top_p;       /* (0, 1]: keep the smallest top set of probability mass >= top_p; 1 = off */
    int eos_id;        /* never sampled (set to float min); < 0 = none */
} cl_sampling;

/* cl_sampling_rule (the range of one setting): chronolens.h. */

/* Validates the settings (temperature > 0, top_k >= 0, 0 < top_p <= 1). */
CL_INTERNAL int cl_sampling_check(const cl_sampling *p, cl_error *err);

/* Scratch for one row of V logits: 2 V floats + V ints, allocated once. */
typedef struct cl_sampler {
    int V;
    float *work, *probs; /* (V) */
    int *order;          /* (V) */
} cl_sampler;

CL_INTERNAL int cl_sampler_init(cl_sampler *s, int V, cl_error *err);
CL_INTERNAL void cl_sampler_free(cl_sampler *s);

/* In place on logits (V): divide by the temperature, set EOS and every token removed by
 * top-k / top-p to -FLT_MAX (as the reference's masked_fill with float min). Kept tokens
 * keep their (tempered) logit. */
void cl_sampling_filter(cl_sampler *s, const cl_sampling *p, float *logits);

/* One draw from softmax(logits) (V): the first token whose cumulative probability exceeds
 * a uniform u in [0, 1); tokens of probability 0 are never drawn. */
int cl_sample_multinomial(cl_sampler *s, const float *logits, cl_rng *rng);

/* filter + draw on a copy of the logits row (logits are left untouched). */
CL_INTERNAL int cl_sample_token(cl_sampler *s, const cl_sampling *p, const float *logits, cl_rng *rng);

#endif
