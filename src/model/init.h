/* init.h — the published configurations of every family (chronos-t5-*, chronos-bolt-*) and
 * random checkpoints of them (init.c; each family's part through its table, family.h). */
#ifndef CL_INIT_H
#define CL_INIT_H

#include "chronolens.h"
#include "core/export.h"

/* cl_config_preset (the published shapes, T5 and Chronos-Bolt): chronolens.h. */
/* Writes config.json for cfg atomically, as its family's published checkpoints ship it (a T5
 * config with chronos_config: the tokenizer's, or Chronos-Bolt's patches and quantiles). */
CL_INTERNAL int cl_config_save(const char *path, const cl_config *cfg, cl_error *err);
/* Writes DIR/config.json and DIR/model.safetensors with weights drawn as Hugging Face's
 * T5 initialiser does (factor 1). bf16 != 0 stores BF16. progress (may be NULL): stage "init", values drawn of all. */
int cl_checkpoint_init_random(const char *dir, const cl_config *cfg, uint64_t seed, int bf16,
                              const cl_progress *progress, cl_error *err);

#endif
