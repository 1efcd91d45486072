/* t5_init.c — `chronolens init` for Chronos-T5: the exact configurations of chronos-t5-*
 * (presets), their config.json as Hugging Face writes a T5ForConditionalGeneration with a
 * chronos_config block, and the one tensor of a random checkpoint beyond the shared stacks:
 * an untied output head. */
#include "model/t5/t5.h"
#include "model/config_json.h"
#include "model/maker.h"
#include "io/json.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

static const struct { const char *name; int d, ff, layers, heads; } PRESETS[] = {
    {"tiny", 256, 1024, 4, 4}, {"mini", 384, 1536, 4, 8}, {"small", 512, 2048, 6, 8},
    {"base", 768, 3072, 12, 12}, {"large", 1024, 4096, 24, 16},
};

int cl_t5_preset(const char *size, cl_config *c, cl_error *err) {
    (void)err;
    for (size_t i = 0; i < sizeof PRESETS / sizeof PRESETS[0]; i++) {
        if (strcmp(size, PRESETS[i].name) != 0) continue;
        memset(c, 0, sizeof *c);
        c->vocab_size = 4096; c->d_model = PRESETS[i].d; c->d_ff = PRESETS[i].ff; c->d_kv = 64;
        c->num_heads = PRESETS[i].heads; c->num_layers = c->num_decoder_layers = PRESETS[i].layers;
        c->num_buckets = 32; c->max_distance = 128; c->eps = 1e-6f; c->tied = 1;
        c->decoder_start_token_id = 0; c->pad_token_id = 0; c->eos_token_id = 1;
        c->low_limit = -15; c->high_limit = 15; c->n_tokens = 4096; c->n_special_tokens = 2;
        c->tok_pad_id = 0; c->tok_eos_id = 1; c->use_eos_token = 1;
        c->context_length = 512; c->prediction_length = 64; c->num_samples = 20;
        c->temperature = 1; c->top_k = 50; c->top_p = 1;
        return 0;
    }
    return CL_FAMILY_NOT_MINE;
}

int cl_t5_config_save(const char *path, const cl_config *c, cl_error *err) {
    cJSON *r = cJSON_CreateObject();
    cJSON *arch = cJSON_AddArrayToObject(r, "architectures");
    cJSON_AddItemToArray(arch, cJSON_CreateString("T5ForConditionalGeneration"));
    cJSON_AddStringToObject(r, "model_type", "t5");
    cl_config_json_sizes(r, c);
    const char *act = c->act_gelu == 0 ? "relu" : c->act_gelu == 1 ? "gelu_new" : "gelu";
    char ffp[32];
    snprintf(ffp, sizeof ffp, "%s%s", c->gated ? "gated-" : "", c->gated && c->act_gelu ? "gelu" : act);
    cJSON_AddStringToObject(r, "feed_forward_proj", ffp);
    cJSON_AddStringToObject(r, "dense_act_fn", act);
    cJSON_AddBoolToObject(r, "is_gated_act", c->gated);
    cJSON_AddBoolToObject(r, "tie_word_embeddings", c->tied);
    cl_config_json_t5(r, c);
    cJSON_AddBoolToObject(r, "is_encoder_decoder", 1);
    cJSON_AddNumberToObject(r, "initializer_factor", 1.0);
    cJSON_AddNumberToObject(r, "n_positions", 512);
    cJSON_AddBoolToObject(r, "use_cache", 1);
    cJSON *cc = cJSON_AddObjectToObject(r, "chronos_config");
    cJSON_AddStringToObject(cc, "tokenizer_class", "MeanScaleUniformBins");
    cJSON *kw = cJSON_AddObjectToObject(cc, "tokenizer_kwargs");
    cJSON_AddNumberToObject(kw, "low_limit", c->low_limit);
    cJSON_AddNumberToObject(kw, "high_limit", c->high_limit);
    cJSON_AddNumberToObject(cc, "n_tokens", c->n_tokens);
    cJSON_AddNumberToObject(cc, "n_special_tokens", c->n_special_tokens);
    cJSON_AddNumberToObject(cc, "pad_token_id", c->tok_pad_id);
    cJSON_AddNumberToObject(cc, "eos_token_id", c->tok_eos_id);
    cJSON_AddBoolToObject(cc, "use_eos_token", c->use_eos_token);
    cJSON_AddStringToObject(cc, "model_type", "seq2seq");
    cJSON_AddNumberToObject(cc, "context_length", c->context_length);
    cJSON_AddNumberToObject(cc, "prediction_length", c->prediction_length);
    cJSON_AddNumberToObject(cc, "num_samples", c->num_samples);
    cJSON_AddNumberToObject(cc, "temperature", c->temperature);
    cJSON_AddNumberToObject(cc, "top_k", c->top_k);
    cJSON_AddNumberToObject(cc, "top_p", c->top_p);
    int rc = cl_json_save(path, r, err);
    cJSON_Delete(r);
    return rc;
}

void cl_t5_init_tensors(cl_maker *mk, const cl_config *c) {
    if (!c->tied) cl_maker_add(mk, "lm_head.weight", c->vocab_size, c->d_model, 1.0);
}
