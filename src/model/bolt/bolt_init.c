/* bolt_init.c — `chronolens init` for Chronos-Bolt: the published shapes (method.md §4),
 * their config.json as amazon/chronos-bolt-* ship it (loadable by chronolens and by the
 * oracle), and the residual blocks of a random checkpoint. */
#include "model/bolt/bolt.h"
#include "model/config_json.h"
#include "model/maker.h"
#include "io/json.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const struct { const char *name; int d, ff, layers, heads; } BOLT[] = {
    {"bolt-tiny", 256, 1024, 4, 4}, {"bolt-mini", 384, 1536, 4, 8}, {"bolt-small", 512, 2048, 6, 8},
    {"bolt-base", 768, 3072, 12, 12},
};

int cl_bolt_config_preset(const char *size, cl_config *c, cl_error *err) {
    if (strncmp(size, "bolt-", 5) != 0) return CL_FAMILY_NOT_MINE;
    for (size_t i = 0; i < sizeof BOLT / sizeof BOLT[0]; i++) {
        if (strcmp(size, BOLT[i].name) != 0) continue;
        memset(c, 0, sizeof *c);
        c->family = CL_FAMILY_BOLT;
        c->vocab_size = 2; c->d_model = BOLT[i].d; c->d_ff = BOLT[i].ff; c->d_kv = 64;
        c->num_heads = BOLT[i].heads; c->num_layers = c->num_decoder_layers = BOLT[i].layers;
        c->num_buckets = 32; c->max_distance = 128; c->eps = 1e-6f; c->tied = 1;
        c->decoder_start_token_id = 0; c->pad_token_id = 0; c->eos_token_id = 1;
        c->context_length = 2048; c->patch_size = c->patch_stride = 16; c->prediction_length = 64;
        c->use_reg_token = 1; c->n_quantiles = 9;
        for (int q = 0; q < 9; q++) c->quantiles[q] = (q + 1) / 10.0;
        return 0;
    }
    return cl_error_set(err, CL_EINVAL, "unknown size '%s' (bolt-tiny, bolt-mini, bolt-small, bolt-base)", size);
}

int cl_bolt_config_save(const char *path, const cl_config *c, cl_error *err) {
    cJSON *r = cJSON_CreateObject();
    cJSON *arch = cJSON_AddArrayToObject(r, "architectures");
    cJSON_AddItemToArray(arch, cJSON_CreateString("ChronosBoltModelForForecasting"));
    cJSON_AddStringToObject(r, "model_type", "t5");
    cJSON_AddStringToObject(r, "chronos_pipeline_class", "ChronosBoltPipeline");
    cJSON *cc = cJSON_AddObjectToObject(r, "chronos_config");
    cJSON_AddNumberToObject(cc, "context_length", c->context_length);
    cJSON_AddNumberToObject(cc, "input_patch_size", c->patch_size);
    cJSON_AddNumberToObject(cc, "input_patch_stride", c->patch_stride);
    cJSON_AddNumberToObject(cc, "prediction_length", c->prediction_length);
    cJSON *q = cJSON_AddArrayToObject(cc, "quantiles");
    for (int i = 0; i < c->n_quantiles; i++) cJSON_AddItemToArray(q, cJSON_CreateNumber(c->quantiles[i]));
    cJSON_AddBoolToObject(cc, "use_reg_token", c->use_reg_token);
    cl_config_json_sizes(r, c);
    cJSON_AddStringToObject(r, "feed_forward_proj", "relu");
    cJSON_AddStringToObject(r, "dense_act_fn", "relu");
    cJSON_AddBoolToObject(r, "is_gated_act", 0);
    cl_config_json_t5(r, c);
    if (c->use_reg_token) cJSON_AddNumberToObject(r, "reg_token_id", 1);
    cJSON_AddBoolToObject(r, "is_encoder_decoder", 1);
    cJSON_AddNumberToObject(r, "initializer_factor", 0.05);
    cJSON_AddNumberToObject(r, "n_positions", 512);
    cJSON_AddBoolToObject(r, "use_cache", 1);
    cJSON_AddStringToObject(r, "torch_dtype", "float32");
    int rc = cl_json_save(path, r, err);
    cJSON_Delete(r);
    return rc;
}

/* The residual blocks of Chronos-Bolt: N(0, 1/fan_in) weights, zero biases. */
void cl_bolt_init_tensors(cl_maker *mk, const cl_config *c) {
    const int d = c->d_model, F = c->d_ff, QH = c->n_quantiles * c->prediction_length, P2 = 2 * c->patch_size;
    static const char *blk[2] = {"input_patch_embedding", "output_patch_embedding"};
    char n[256];
    for (int k = 0; k < 2; k++) {
        int in = k ? d : P2, out = k ? QH : d;
        snprintf(n, sizeof n, "%s.hidden_layer.weight", blk[k]); cl_maker_add(mk, n, F, in, 1.0 / sqrt(in));
        snprintf(n, sizeof n, "%s.hidden_layer.bias", blk[k]); cl_maker_add(mk, n, F, 0, -1);
        snprintf(n, sizeof n, "%s.output_layer.weight", blk[k]); cl_maker_add(mk, n, out, F, 1.0 / sqrt(F));
        snprintf(n, sizeof n, "%s.output_layer.bias", blk[k]); cl_maker_add(mk, n, out, 0, -1);
        snprintf(n, sizeof n, "%s.residual_layer.weight", blk[k]); cl_maker_add(mk, n, out, in, 1.0 / sqrt(in));
        snprintf(n, sizeof n, "%s.residual_layer.bias", blk[k]); cl_maker_add(mk, n, out, 0, -1);
    }
}

/* Their weights' values (the progress total counts matrices, as init.c does the stacks'). */
size_t cl_bolt_init_values(const cl_config *c) {
    const size_t d = c->d_model, F = c->d_ff, QH = (size_t)c->n_quantiles * c->prediction_length, P2 = 2 * (size_t)c->patch_size;
    return F * (P2 + d) + d * (F + P2) + QH * (F + d);
}
