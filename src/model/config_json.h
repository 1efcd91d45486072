/* config_json.h — the keys of config.json every family built on the T5 stacks writes
 * (config_json.c), in the Hugging Face order, for the families' config_save. */
#ifndef CL_CONFIG_JSON_H
#define CL_CONFIG_JSON_H

#include "chronolens.h"

#include <cjson/cJSON.h>

/* The sizes (vocab_size .. num_decoder_layers). */
void cl_config_json_sizes(cJSON *r, const cl_config *c);
/* Relative attention .. eos_token_id. */
void cl_config_json_t5(cJSON *r, const cl_config *c);

#endif
