/* config_json.c — the T5 stack's keys of config.json (config_json.h), written alike by
 * every family's config_save (t5/t5_init.c, bolt/bolt_init.c). */
#include "model/config_json.h"

void cl_config_json_sizes(cJSON *r, const cl_config *c) {
    cJSON_AddNumberToObject(r, "vocab_size", c->vocab_size);
    cJSON_AddNumberToObject(r, "d_model", c->d_model);
    cJSON_AddNumberToObject(r, "d_kv", c->d_kv);
    cJSON_AddNumberToObject(r, "num_heads", c->num_heads);
    cJSON_AddNumberToObject(r, "d_ff", c->d_ff);
    cJSON_AddNumberToObject(r, "num_layers", c->num_layers);
    cJSON_AddNumberToObject(r, "num_decoder_layers", c->num_decoder_layers);
}

void cl_config_json_t5(cJSON *r, const cl_config *c) {
    cJSON_AddNumberToObject(r, "relative_attention_num_buckets", c->num_buckets);
    cJSON_AddNumberToObject(r, "relative_attention_max_distance", c->max_distance);
    cJSON_AddNumberToObject(r, "layer_norm_epsilon", c->eps);
    cJSON_AddNumberToObject(r, "dropout_rate", 0.1);
    cJSON_AddNumberToObject(r, "decoder_start_token_id", c->decoder_start_token_id);
    cJSON_AddNumberToObject(r, "pad_token_id", c->pad_token_id);
    cJSON_AddNumberToObject(r, "eos_token_id", c->eos_token_id);
}
