/* bolt.h — the Chronos-Bolt family (amazon/chronos-bolt-*, method.md §4): its table
 * (families.c lists it) and the functions its files fill it with. The shared T5 stacks
 * (stack.c) reading patches of the instance-normalised series, one decoder query, a
 * residual-block quantile head; no tokenizer, no LM head. */
#ifndef CL_BOLT_H
#define CL_BOLT_H

#include "model/family.h"
#include "model/binder.h"

extern const cl_family cl_family_bolt;

/* config_bolt.c: 1 when root (a config.json object) describes a Chronos-Bolt: architectures
 * names ChronosBoltModelForForecasting, or its chronos_config has input_patch_size. */
int cl_bolt_config_detect(const cJSON *root);
/* Its chronos_config (cc): context_length, patch size and stride, prediction_length,
 * quantiles, use_reg_token, checked and checked against the vocabulary (family.h's parse). */
int cl_bolt_config_parse(const cJSON *root, const cJSON *cc, cl_config *cfg, const char *path, cl_error *err);
/* bolt_init.c: presets "bolt-tiny" ... "bolt-base", config.json, and the two residual blocks
 * of a random checkpoint with their count (family.h's preset, config_save, init_*). */
int cl_bolt_config_preset(const char *size, cl_config *cfg, cl_error *err);
int cl_bolt_config_save(const char *path, const cl_config *cfg, cl_error *err);
void cl_bolt_init_tensors(cl_maker *mk, const cl_config *cfg);
size_t cl_bolt_init_values(const cl_config *cfg);
/* bolt_weights.c: the residual blocks, shared.weight (its rows set the vocabulary), the
 * stacks (family.h's bind). */
int cl_bolt_bind(cl_model *m, cl_binder *b, size_t *np, cl_error *err);
/* bolt.c: the instance norm of one series x (n values, NaN = missing), bit for bit as the
 * reference: loc = nanmean, scale = sqrt(nanmean((x - loc)^2)); sq: n scratch floats. */
void cl_bolt_instance_norm(const float *x, int n, float *sq, float *loc, float *scale);

#endif
