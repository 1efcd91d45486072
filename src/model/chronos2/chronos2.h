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

/* c2_hooks.c: the names of its per-layer hook kinds (family.h's hook_kinds) and of its own
 * points (hook_names: the input residual block's output at the context patches, the quantile
 * head's output, normalised). */
extern const char *const cl_c2_hook_kinds[];
extern const char *const cl_c2_hook_names[];
/* The groups of a pass (forward.c's struct c2_scratch): S tokens, B series; series b is member
 * gpos[b] of group gof[b], whose rows start at gstart[g]; gmask (S*B) in the group layout (group
 * g's block at row S*gstart[g], member j at token t at row t*ng + j): 1 = a real key. */
typedef struct cl_c2_groups {
    int S, B;
    const int *gstart, *gof, *gpos;
    const uint8_t *gmask;
} cl_c2_groups;
struct cl_hooks;
/* Layer l's group attention with its maps formed whole (S, H, B, B) in the hook set's scratch,
 * fired at group_attn.hook_attn_scores and hook_pattern (hooks.h): q, k, v, out (B*S, H*dk) in
 * the group layout; gbuf (nt, H, B, B) the capture of tokens gtok (NULL: none). */
void cl_c2_group_attention_hooked(struct cl_hooks *hk, int l, const cl_c2_groups *g, int H, int dk, const float *q,
                                  const float *k, const float *v, float *out, float *gbuf, const int *gtok, int nt,
                                  double *flops);

#endif
