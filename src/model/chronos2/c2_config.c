/* c2_config.c — Chronos-2's part of config.json (method.md §1): telling its config
 * (architectures ["Chronos2Model"]), reading chronos_config and the keys upstream's
 * Chronos2CoreConfig adds to T5's (rope_theta), and refusing what upstream refuses: a gated
 * feed-forward (`assert not self.is_gated_act`), use_reg_token false (Chronos2Model.forward
 * asserts S = P + 1 + N), output_patch_size != input_patch_size (asserted). */
#include "model/chronos2/chronos2.h"
#include "model/config_read.h"
#include "io/json.h"

#include <math.h>
#include <string.h>

int cl_c2_config_detect(const cJSON *root) {
    const cJSON *arch = cJSON_GetObjectItemCaseSensitive(root, "architectures"), *e;
    cJSON_ArrayForEach(e, arch)
        if (cJSON_IsString(e) && strcmp(e->valuestring, "Chronos2Model") == 0) return 1;
    return 0;
}

/* The activation upstream derives from feed_forward_proj alone (the part after the last
 * '-'; dense_act_fn and is_gated_act are ignored, method.md pitfall 13): 0 relu, 1
 * gelu_new (tanh), 2 gelu (erf), as cl_config.act_gelu; -1 unsupported, -2 gated. */
static int activation(const char *ffp) {
    if (!ffp) return 0;
    if (strncmp(ffp, "gated-", 6) == 0) return -2;
    const char *a = strrchr(ffp, '-') ? strrchr(ffp, '-') + 1 : ffp;
    if (!strcmp(a, "relu")) return 0;
    if (!strcmp(a, "gelu_new") || !strcmp(a, "gelu_pytorch_tanh")) return 1;
    if (!strcmp(a, "gelu")) return 2;
    return -1;
}

int cl_c2_config_parse(const cJSON *root, const cJSON *cc, cl_config *cfg, const char *path, cl_error *err) {
    cl_cfg_reader r = {path, err, 0};
    const long BIG = 1L << 20;
    const char *B = "chronos_config.";
    cfg->family = CL_FAMILY_CHRONOS2;
    cfg->num_decoder_layers = 0; /* encoder-only */
    const char *ffp = cl_cfg_str(root, "feed_forward_proj");
    const int act = activation(ffp);
    if (act == -2)
        return cl_error_set(err, CL_EFORMAT, "%s: feed_forward_proj '%.40s': Chronos-2 has no gated feed-forward "
                            "(upstream refuses it)", path, ffp);
    if (act == -1)
        return cl_error_set(err, CL_EFORMAT, "%s: unsupported activation in feed_forward_proj '%.40s'", path, ffp);
    cfg->act_gelu = act;
    cfg->gated = 0;
    if (cfg->d_kv % 2)
        return cl_error_set(err, CL_EFORMAT, "%s: d_kv = %d is odd (RoPE rotates halves of each head)", path, cfg->d_kv);
    cfg->rope_theta = cl_cfg_float(&r, root, "", "rope_theta", 10000.0);
    if (!r.rc && !(cfg->rope_theta > 0))
        r.rc = cl_error_set(err, CL_EFORMAT, "%s: rope_theta must be > 0", path);
    cfg->context_length = cl_cfg_int(&r, cc, B, "context_length", -2, 1, BIG);
    cfg->patch_size = cl_cfg_int(&r, cc, B, "input_patch_size", -2, 1, 1L << 16);
    const int ops = cl_cfg_int(&r, cc, B, "output_patch_size", -2, 1, 1L << 16);
    cfg->patch_stride = cl_cfg_int(&r, cc, B, "input_patch_stride", -2, 1, 1L << 16);
    cfg->max_output_patches = cl_cfg_int(&r, cc, B, "max_output_patches", 1, 1, 1L << 16);
    cfg->use_arcsinh = cl_cfg_bool(&r, cc, "use_arcsinh", 0);
    const int reg = cl_cfg_bool(&r, cc, "use_reg_token", 0);
    cfg->time_encoding_scale = cl_cfg_float(&r, cc, B, "time_encoding_scale", cfg->context_length);
    if (r.rc) return r.rc;
    if (ops != cfg->patch_size)
        return cl_error_set(err, CL_EFORMAT, "%s: chronos_config.output_patch_size (%d) differs from input_patch_size "
                            "(%d) (upstream requires them equal)", path, ops, cfg->patch_size);
    if (!reg)
        return cl_error_set(err, CL_EFORMAT, "%s: chronos_config.use_reg_token is not true (upstream's Chronos-2 "
                            "forward requires the [REG] token)", path);
    cfg->use_reg_token = 1;
    if (!(cfg->time_encoding_scale != 0))
        return cl_error_set(err, CL_EFORMAT, "%s: chronos_config.time_encoding_scale must not be 0", path);
    if (cfg->vocab_size < 2)
        return cl_error_set(err, CL_EFORMAT, "%s: vocab_size %d has no [REG] row (needs 2)", path, cfg->vocab_size);
    int rc = cl_cfg_quantiles(cc, cfg, path, err);
    if (rc) return rc;
    if ((long)cfg->max_output_patches * cfg->patch_size > (1L << 24))
        return cl_error_set(err, CL_EFORMAT, "%s: max_output_patches x output_patch_size is too large", path);
    cfg->prediction_length = cfg->max_output_patches * cfg->patch_size; /* one pass's horizon */
    return 0;
}

int cl_c2_config_save(const char *path, const cl_config *c, cl_error *err) {
    cJSON *r = cJSON_CreateObject();
    cJSON *arch = cJSON_AddArrayToObject(r, "architectures");
    cJSON_AddItemToArray(arch, cJSON_CreateString("Chronos2Model"));
    cJSON *cc = cJSON_AddObjectToObject(r, "chronos_config");
    cJSON_AddNumberToObject(cc, "context_length", c->context_length);
    cJSON_AddNumberToObject(cc, "input_patch_size", c->patch_size);
    cJSON_AddNumberToObject(cc, "input_patch_stride", c->patch_stride);
    cJSON_AddNumberToObject(cc, "max_output_patches", c->max_output_patches);
    cJSON_AddNumberToObject(cc, "output_patch_size", c->patch_size);
    cJSON *q = cJSON_AddArrayToObject(cc, "quantiles");
    for (int i = 0; i < c->n_quantiles; i++) cJSON_AddItemToArray(q, cJSON_CreateNumber(c->quantiles[i]));
    cJSON_AddBoolToObject(cc, "use_arcsinh", c->use_arcsinh);
    cJSON_AddBoolToObject(cc, "use_reg_token", 1);
    cJSON_AddNumberToObject(cc, "time_encoding_scale", c->time_encoding_scale);
    cJSON_AddStringToObject(r, "chronos_pipeline_class", "Chronos2Pipeline");
    cJSON_AddNumberToObject(r, "d_ff", c->d_ff);
    cJSON_AddNumberToObject(r, "d_kv", c->d_kv);
    cJSON_AddNumberToObject(r, "d_model", c->d_model);
    const char *act = c->act_gelu == 0 ? "relu" : c->act_gelu == 1 ? "gelu_new" : "gelu";
    cJSON_AddStringToObject(r, "dense_act_fn", act);
    cJSON_AddStringToObject(r, "feed_forward_proj", act);
    cJSON_AddBoolToObject(r, "is_gated_act", 0);
    cJSON_AddNumberToObject(r, "layer_norm_epsilon", c->eps);
    cJSON_AddStringToObject(r, "model_type", "t5");
    cJSON_AddNumberToObject(r, "num_heads", c->num_heads);
    cJSON_AddNumberToObject(r, "num_layers", c->num_layers);
    cJSON_AddNumberToObject(r, "pad_token_id", 0);
    cJSON_AddNumberToObject(r, "reg_token_id", 1);
    cJSON_AddNumberToObject(r, "rope_theta", c->rope_theta);
    cJSON_AddStringToObject(r, "torch_dtype", "float32");
    cJSON_AddNumberToObject(r, "vocab_size", 2);
    int rc = cl_json_save(path, r, err);
    cJSON_Delete(r);
    return rc;
}
