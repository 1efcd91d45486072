/* config_bolt.c — Chronos-Bolt's part of config.json: telling a Bolt config (detect), and
 * its chronos_config: context_length, input_patch_size, input_patch_stride,
 * prediction_length, quantiles, use_reg_token. Its own small reader (not config_read.h's)
 * words its range errors as they always were. */
#include "model/bolt/bolt.h"
#include "model/config_read.h"

#include <math.h>
#include <string.h>

int cl_bolt_config_detect(const cJSON *root) {
    const cJSON *arch = cJSON_GetObjectItemCaseSensitive(root, "architectures"), *e;
    cJSON_ArrayForEach(e, arch)
        if (cJSON_IsString(e) && strcmp(e->valuestring, "ChronosBoltModelForForecasting") == 0) return 1;
    const cJSON *cc = cJSON_GetObjectItemCaseSensitive(root, "chronos_config");
    return cJSON_IsObject(cc) && cJSON_GetObjectItemCaseSensitive(cc, "input_patch_size") != NULL;
}

/* An integer key of cc in [lo, hi]; def < 0 means required. */
static int get(const cJSON *cc, const char *key, long def, long lo, long hi, int *out, const char *path,
               cl_error *err) {
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(cc, key);
    if (!j || cJSON_IsNull(j)) {
        if (def < 0) return cl_error_set(err, CL_EFORMAT, "%s: chronos_config.%s is missing", path, key);
        *out = (int)def;
        return 0;
    }
    if (!cJSON_IsNumber(j) || !(fabs(j->valuedouble) <= 9.0e15) || j->valuedouble != floor(j->valuedouble))
        return cl_error_set(err, CL_EFORMAT, "%s: chronos_config.%s is not an integer", path, key);
    if (j->valuedouble < lo || j->valuedouble > hi)
        return cl_error_set(err, CL_EFORMAT, "%s: chronos_config.%s = %.0f is out of range [%ld, %ld]", path, key,
                            j->valuedouble, lo, hi);
    *out = (int)j->valuedouble;
    return 0;
}

int cl_bolt_config_parse(const cJSON *root, const cJSON *cc, cl_config *cfg, const char *path, cl_error *err) {
    (void)root;
    cfg->family = CL_FAMILY_BOLT;
    const long BIG = 1L << 20;
    int rc = get(cc, "context_length", 2048, 1, BIG, &cfg->context_length, path, err);
    if (!rc) rc = get(cc, "input_patch_size", -1, 1, 1L << 16, &cfg->patch_size, path, err);
    if (!rc) rc = get(cc, "input_patch_stride", cfg->patch_size, 1, 1L << 16, &cfg->patch_stride, path, err);
    if (!rc) rc = get(cc, "prediction_length", -1, 1, BIG, &cfg->prediction_length, path, err);
    if (rc) return rc;
    if (cfg->patch_stride > cfg->patch_size) /* a stride past the patch would skip values */
        return cl_error_set(err, CL_EFORMAT, "%s: chronos_config.input_patch_stride (%d) exceeds input_patch_size (%d)",
                            path, cfg->patch_stride, cfg->patch_size);
    const cJSON *reg = cJSON_GetObjectItemCaseSensitive(cc, "use_reg_token");
    if (reg && !cJSON_IsNull(reg) && !cJSON_IsBool(reg))
        return cl_error_set(err, CL_EFORMAT, "%s: chronos_config.use_reg_token is not true/false", path);
    cfg->use_reg_token = cJSON_IsTrue(reg);
    rc = cl_cfg_quantiles(cc, cfg, path, err);
    if (rc) return rc;
    if ((long)cfg->n_quantiles * cfg->prediction_length > (1L << 24))
        return cl_error_set(err, CL_EFORMAT, "%s: quantiles x prediction_length is too large", path);
    /* row 0 of shared.weight is the decoder's query, row 1 the [REG] embedding */
    if (cfg->decoder_start_token_id >= cfg->vocab_size)
        return cl_error_set(err, CL_EFORMAT, "%s: decoder_start_token_id %d outside the vocabulary (%d rows)", path,
                            cfg->decoder_start_token_id, cfg->vocab_size);
    if (cfg->use_reg_token && cfg->vocab_size < 2)
        return cl_error_set(err, CL_EFORMAT, "%s: use_reg_token needs vocab_size >= 2 (the [REG] row)", path);
    return 0;
}
