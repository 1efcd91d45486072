/* init.h — presets of the published chronos-t5 shapes and random checkpoints. */
#ifndef CL_INIT_H
#define CL_INIT_H

#include "chronolens.h"

#include <cjson/cJSON.h>

/* cl_config_preset (the published shapes, T5 and Chronos-Bolt): chronolens.h. */
/* Writes config.json (a T5 config with chronos_config) atomically. */
int cl_config_save(const char *path, const cl_config *cfg, cl_error *err);
/* The T5 stack's keys both families' config.json hold, in the Hugging Face order: the sizes
 * (vocab_size .. num_decoder_layers), and relative attention .. eos_token_id. */
void cl_config_json_sizes(cJSON *r, const cl_config *c);
void cl_config_json_t5(cJSON *r, const cl_config *c);
/* Writes DIR/config.json and DIR/model.safetensors with weights drawn as Hugging Face's
 * T5 initialiser does (factor 1). bf16 != 0 stores BF16. progress (may be NULL): stage "init", values drawn of all. */
int cl_checkpoint_init_random(const char *dir, const cl_config *cfg, uint64_t seed, int bf16,
                              const cl_progress *progress, cl_error *err);

/* Chronos-Bolt (bolt_init.c): the exact configuration of amazon/chronos-bolt-{tiny,mini,
 * small,base} for size "bolt-tiny" ... "bolt-base"; its config.json (chronos_config with
 * the patch settings and quantiles), written atomically. */
int cl_bolt_config_preset(const char *size, cl_config *cfg, cl_error *err);
int cl_bolt_config_save(const char *path, const cl_config *cfg, cl_error *err);

#endif
