/* t5.h — the Chronos-T5 family (amazon/chronos-t5-*): its table (families.c lists it) and
 * the functions its files fill it with. A T5 encoder-decoder reading token ids of the mean-
 * scaled series (tokenizer.c) and emitting logits over them; its stacks are the shared ones
 * (stack.c). */
#ifndef CL_T5_H
#define CL_T5_H

#include "model/family.h"

extern const cl_family cl_family_t5;

/* t5_config.c: the chronos_config block (tokenizer, sampler), as family.h's parse. */
int cl_t5_config_parse(const cJSON *root, const cJSON *cc, cl_config *cfg, const char *path, cl_error *err);
/* t5_init.c: presets "tiny" ... "large", config.json, and lm_head.weight of an untied
 * random checkpoint (family.h's preset, config_save, init_tensors). */
int cl_t5_preset(const char *size, cl_config *cfg, cl_error *err);
int cl_t5_config_save(const char *path, const cl_config *cfg, cl_error *err);
void cl_t5_init_tensors(cl_maker *mk, const cl_config *cfg);
/* t5_weights.c: the embedding, the output head and the stacks (family.h's bind). */
int cl_t5_bind(cl_model *m, cl_binder *b, size_t *np, cl_error *err);
/* tokenizer.c: the scale the tokenizer divides a series' n values by (NaN = missing):
 * nansum(|x|) / observed, not > 0 -> 1, bit for bit as the reference; ax: n scratch floats. */
float cl_tokenizer_scale(const float *x, int n, float *ax);

#endif
