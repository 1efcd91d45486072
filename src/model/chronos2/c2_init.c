/* c2_init.c — `chronolens init` for Chronos-2: the published shapes and the tensors of a
 * random checkpoint by upstream's names (c2_weights.c binds the same list). Chronos-2 has
 * none of the shared T5 stacks (no relative position bias, no decoder), so its
 * init_tensors draws every layer itself (family.h: own_stacks) after init.c's
 * shared.weight ([PAD], [REG]).
 *
 * Shapes (../shared/oracle/chronos2ref.py CHRONOS2_SIZES): chronos2-base = amazon/chronos-2,
 * 119,477,664 parameters; chronos2-small = autogluon/chronos-2-small with an ASSUMED shape
 * (its config.json was not found; the README says 28M): d_model 512, d_ff 2048, 6 layers,
 * 8 heads x 64, the same chronos_config, 28,262,560 parameters. */
#include "model/chronos2/chronos2.h"
#include "model/maker.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const struct { const char *name; int d, ff, layers, heads; } C2[] = {
    {"chronos2-small", 512, 2048, 6, 8}, {"chronos2-base", 768, 3072, 12, 12},
};

/* the 21 levels of amazon/chronos-2's chronos_config.quantiles */
static const double Q21[21] = {0.01, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5,
                               0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.99};

/* cfg as the loader reads amazon/chronos-2's config.json back (config.c's defaults for the
 * T5 keys it does not write), so that a preset and its reloaded checkpoint agree */
int cl_c2_preset(const char *size, cl_config *c, cl_error *err) {
    if (strncmp(size, "chronos2-", 9) != 0) return CL_FAMILY_NOT_MINE;
    for (size_t i = 0; i < sizeof C2 / sizeof C2[0]; i++) {
        if (strcmp(size, C2[i].name) != 0) continue;
        memset(c, 0, sizeof *c);
        c->family = CL_FAMILY_CHRONOS2;
        c->vocab_size = 2; c->d_model = C2[i].d; c->d_ff = C2[i].ff; c->d_kv = 64;
        c->num_heads = C2[i].heads; c->num_layers = C2[i].layers; c->num_decoder_layers = 0;
        c->num_buckets = 32; c->max_distance = 128; c->eps = 1e-6f; c->tied = 1;
        c->decoder_start_token_id = 0; c->pad_token_id = 0; c->eos_token_id = 1;
        c->act_gelu = 0; c->gated = 0; c->rope_theta = 10000.0;
        c->context_length = 8192; c->patch_size = c->patch_stride = 16; c->max_output_patches = 64;
        c->prediction_length = c->max_output_patches * c->patch_size; /* one pass's horizon: 1024 */
        c->use_reg_token = 1; c->use_arcsinh = 1; c->time_encoding_scale = 8192;
        c->n_quantiles = 21;
        memcpy(c->quantiles, Q21, sizeof Q21);
        return 0;
    }
    return cl_error_set(err, CL_EINVAL, "unknown size '%s' (chronos2-small, chronos2-base)", size);
}

/* A residual block in -> hidden -> out: N(0, 1/fan_in) weights (scaled by s), zero biases. */
static void block(cl_maker *mk, const char *p, int in, int hidden, int out, double s) {
    char n[256];
    snprintf(n, sizeof n, "%shidden_layer.weight", p); cl_maker_add(mk, n, hidden, in, 1.0 / sqrt(in));
    snprintf(n, sizeof n, "%shidden_layer.bias", p); cl_maker_add(mk, n, hidden, 0, -1);
    snprintf(n, sizeof n, "%soutput_layer.weight", p); cl_maker_add(mk, n, out, hidden, s / sqrt(hidden));
    snprintf(n, sizeof n, "%soutput_layer.bias", p); cl_maker_add(mk, n, out, 0, -1);
    snprintf(n, sizeof n, "%sresidual_layer.weight", p); cl_maker_add(mk, n, out, in, s / sqrt(in));
    snprintf(n, sizeof n, "%sresidual_layer.bias", p); cl_maker_add(mk, n, out, 0, -1);
}

/* Every tensor after shared.weight, in the order of upstream's state dict (and of the
 * oracle's random_weights, whose scales it follows so that activations stay O(1): q and k
 * x0.6, the output block x0.5; unlike the oracle, norms are 1 and biases 0). */
void cl_c2_init_tensors(cl_maker *mk, const cl_config *c) {
    const int d = c->d_model, HD = c->num_heads * c->d_kv, F = c->d_ff, ps = c->patch_size;
    block(mk, "input_patch_embedding.", 3 * ps, F, d, 1.0);
    block(mk, "output_patch_embedding.", d, F, c->n_quantiles * ps, 0.5);
    char n[256];
    for (int l = 0; l < c->num_layers; l++) {
        for (int j = 0; j < 2; j++) { /* 0: time attention, 1: group attention */
            static const char qkv[] = "qkv";
            for (int k = 0; k < 3; k++) {
                snprintf(n, sizeof n, "encoder.block.%d.layer.%d.self_attention.%c.weight", l, j, qkv[k]);
                cl_maker_add(mk, n, HD, d, (k < 2 ? 0.6 : 1.0) / sqrt(d));
            }
            snprintf(n, sizeof n, "encoder.block.%d.layer.%d.self_attention.o.weight", l, j); cl_maker_add(mk, n, d, HD, 1.0 / sqrt(HD));
            snprintf(n, sizeof n, "encoder.block.%d.layer.%d.layer_norm.weight", l, j); cl_maker_add(mk, n, d, 0, 0);
        }
        snprintf(n, sizeof n, "encoder.block.%d.layer.2.mlp.wi.weight", l); cl_maker_add(mk, n, F, d, 1.0 / sqrt(d));
        snprintf(n, sizeof n, "encoder.block.%d.layer.2.mlp.wo.weight", l); cl_maker_add(mk, n, d, F, 1.0 / sqrt(F));
        snprintf(n, sizeof n, "encoder.block.%d.layer.2.layer_norm.weight", l); cl_maker_add(mk, n, d, 0, 0);
    }
    cl_maker_add(mk, "encoder.final_layer_norm.weight", d, 0, 0);
}

/* Their weight matrices' values (the progress total; init.c adds shared.weight's). */
size_t cl_c2_init_values(const cl_config *c) {
    const size_t d = c->d_model, HD = (size_t)c->num_heads * c->d_kv, F = c->d_ff, ps = c->patch_size;
    const size_t QP = (size_t)c->n_quantiles * ps;
    return F * (3 * ps + d) + d * 3 * ps + F * (d + QP) + QP * d + (size_t)c->num_layers * (2 * 4 * HD * d + 2 * F * d);
}
