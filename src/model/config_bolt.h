/* config_bolt.h — the Chronos-Bolt part of config.json (method.md §4). */
#ifndef CL_CONFIG_BOLT_H
#define CL_CONFIG_BOLT_H

#include "chronolens.h"
#include <cjson/cJSON.h>

/* 1 when root (a config.json object) describes a Chronos-Bolt: architectures names
 * ChronosBoltModelForForecasting, or its chronos_config has input_patch_size. */
int cl_config_is_bolt(const cJSON *root);

/* Fills the Bolt fields of cfg (family, context_length, patch size and stride,
 * prediction_length, quantiles, use_reg_token) from the chronos_config block cc, with the
 * T5 fields already read; checks them and their consistency with the vocabulary. */
int cl_config_parse_bolt(const cJSON *cc, cl_config *cfg, const char *path, cl_error *err);

#endif
