/* chronos2.h — the Chronos-2 family (amazon/chronos-2; ../shared/docs/chronos2_method.md): its
 * table (families.c lists it) and the functions its files fill it with. An encoder-only
 * T5-style model on patches [time | values | mask], whose layers are a RoPE time
 * self-attention, a group self-attention across the rows of a group and a feed-forward
 * (forward.c); none of the shared T5 stacks' relative position biases or decoder. */
#ifndef CL_CHRONOS2_H
#define CL_CHRONOS2_H

#include "model/family.h"
#include "model/binder.h"

extern const cl_family cl_family_chronos2;

/* c2_config.c: 1 when root's architectures names Chronos2Model; its part of config.json
 * (family.h's parse): chronos_config's context_length, patch sizes and stride,
 * max_output_patches, quantiles, use_reg_token, use_arcsinh, time_encoding_scale, and
 * rope_theta and feed_forward_proj at the top; upstream's refusals. */
int cl_c2_config_detect(const cJSON *root);
int cl_c2_config_parse(const cJSON *root, const cJSON *cc, cl_config *cfg, const char *path, cl_error *err);
/* config.json as amazon/chronos-2 ships it (family.h's config_save). */
int cl_c2_config_save(const char *path, const cl_config *cfg, cl_error *err);
/* c2_init.c (family.h's `chronolens init` hooks): the sizes chronos2-small, chronos2-base;
 * every tensor of a random checkpoint after shared.weight (own_stacks); their matrices'
 * values. */
int cl_c2_preset(const char *size, cl_config *cfg, cl_error *err);
void cl_c2_init_tensors(cl_maker *mk, const cl_config *cfg);
size_t cl_c2_init_values(const cl_config *cfg);
/* c2_weights.c: every tensor by upstream's name (family.h's bind): shared.weight (2 rows:
 * [PAD], [REG]), the input and output residual blocks, per layer the time attention
 * (layer_w.self, ln_self), the group attention (layer_w.cross, ln_cross), the feed-forward
 * (wi, wo, ln_ff), and the final norm (enc_final). */
int cl_c2_bind(cl_model *m, cl_binder *b, size_t *np, cl_error *err);

#endif
