/* config_read.h — config.json's readers: a key of a JSON object read as an integer in a
 * range, a float32-finite number, a boolean or a string, the first error kept. Shared by
 * config.c (the T5 stack's keys) and the families' parts of the config (t5/, bolt/, chronos2/). */
#ifndef CL_CONFIG_READ_H
#define CL_CONFIG_READ_H

#include "chronolens.h"

#include <cjson/cJSON.h>

/* One file's reading: path in every message, the first error's code in rc (later reads of
 * a failed reading set nothing). */
typedef struct cl_cfg_reader { const char *path; cl_error *err; int rc; } cl_cfg_reader;

/* Integer key of o (named block + key in messages); def < -1 means required. Range [lo, hi]. */
int cl_cfg_int(cl_cfg_reader *c, const cJSON *o, const char *block, const char *key, long def, long lo, long hi);
/* A number that is finite as a float (the engine computes in float32); def when absent. */
float cl_cfg_float(cl_cfg_reader *c, const cJSON *o, const char *block, const char *key, double def);
/* true/false; def when absent. */
int cl_cfg_bool(cl_cfg_reader *c, const cJSON *o, const char *key, int def);
/* The string of key, or NULL when absent or not a string. */
const char *cl_cfg_str(const cJSON *o, const char *key);
/* chronos_config.quantiles of the quantile-head families (Chronos-Bolt, Chronos-2) into
 * cfg->quantiles / n_quantiles: 1 to CL_BOLT_MAX_QUANTILES levels in (0, 1), strictly
 * increasing; a one-line error naming path otherwise. */
int cl_cfg_quantiles(const cJSON *cc, cl_config *cfg, const char *path, cl_error *err);

#endif
