/* config_read.c — the readers of config.json's keys (config_read.h): one rule for every
 * integer, number and flag, whichever part of the config (config.c, a family's) reads it. */
#include "model/config_read.h"

#include <float.h>
#include <math.h>

/* Integer field; `def` < -1 means required. Range [lo, hi]. */
int cl_cfg_int(cl_cfg_reader *c, const cJSON *o, const char *block, const char *key, long def,
               long lo, long hi) {
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!j || cJSON_IsNull(j)) {
        if (def < -1 && !c->rc)
            c->rc = cl_error_set(c->err, CL_EFORMAT, "%s: %s%s is missing", c->path, block, key);
        return (int)def;
    }
    /* range first: casting a double outside long's range to long is undefined */
    if (!cJSON_IsNumber(j) || !(j->valuedouble >= -9.0e15 && j->valuedouble <= 9.0e15) ||
        j->valuedouble != (double)(long)j->valuedouble) {
        if (!c->rc) c->rc = cl_error_set(c->err, CL_EFORMAT, "%s: %s%s is not an integer", c->path, block, key);
        return 0;
    }
    long v = (long)j->valuedouble;
    if ((v < lo || v > hi) && !c->rc)
        c->rc = cl_error_set(c->err, CL_EFORMAT, "%s: %s%s = %ld is out of range [%ld, %ld]", c->path,
                             block, key, v, lo, hi);
    return (int)v;
}

/* A number that is finite as a float (the engine computes in float32). */
float cl_cfg_float(cl_cfg_reader *c, const cJSON *o, const char *block, const char *key, double def) {
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!j || cJSON_IsNull(j)) return (float)def;
    if (!cJSON_IsNumber(j) || !(fabs(j->valuedouble) <= FLT_MAX)) {
        if (!c->rc) c->rc = cl_error_set(c->err, CL_EFORMAT, "%s: %s%s is not a finite number", c->path, block, key);
        return 0;
    }
    return (float)j->valuedouble;
}

int cl_cfg_bool(cl_cfg_reader *c, const cJSON *o, const char *key, int def) {
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!j || cJSON_IsNull(j)) return def;
    if (!cJSON_IsBool(j)) {
        if (!c->rc) c->rc = cl_error_set(c->err, CL_EFORMAT, "%s: %s is not true/false", c->path, key);
        return def;
    }
    return cJSON_IsTrue(j);
}

const char *cl_cfg_str(const cJSON *o, const char *key) {
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(j) ? j->valuestring : NULL;
}

int cl_cfg_quantiles(const cJSON *cc, cl_config *cfg, const char *path, cl_error *err) {
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(cc, "quantiles"), *e;
    if (!cJSON_IsArray(q) || cJSON_GetArraySize(q) < 1)
        return cl_error_set(err, CL_EFORMAT, "%s: chronos_config.quantiles is missing or not a non-empty list", path);
    if (cJSON_GetArraySize(q) > CL_BOLT_MAX_QUANTILES)
        return cl_error_set(err, CL_EFORMAT, "%s: chronos_config.quantiles has %d levels (at most %d)", path,
                            cJSON_GetArraySize(q), CL_BOLT_MAX_QUANTILES);
    int n = 0;
    cJSON_ArrayForEach(e, q) {
        if (!cJSON_IsNumber(e) || !(e->valuedouble > 0 && e->valuedouble < 1))
            return cl_error_set(err, CL_EFORMAT, "%s: chronos_config.quantiles[%d] is not a level in (0, 1)", path, n);
        if (n && !(e->valuedouble > cfg->quantiles[n - 1]))
            return cl_error_set(err, CL_EFORMAT, "%s: chronos_config.quantiles are not strictly increasing (at [%d])",
                                path, n);
        cfg->quantiles[n++] = e->valuedouble;
    }
    cfg->n_quantiles = n;
    return 0;
}
