/* config.c — config.json: the T5 stack's hyper-parameters every family shares, then the
 * family's own part (its table's parse: Chronos-T5's tokenizer and sampler, Chronos-Bolt's
 * patches and quantiles), the family told by its table's detect. */
#include "chronolens.h"
#include "core/core.h"
#include "model/config_read.h"
#include "model/family.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#define CONFIG_MAX_BYTES ((size_t)4 << 20)

/* feed_forward_proj and is_gated_act must agree: HF reads is_gated_act from the file, so a
 * "gated-gelu" over is_gated_act false (or "relu" over true) is a contradiction, not a choice */
static int check_gated(const cJSON *root, const char *ffp, int gated, const char *path, cl_error *err) {
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(root, "is_gated_act");
    if (!ffp || !cJSON_IsBool(g)) return 0;
    const int ff_gated = strncmp(ffp, "gated-", 6) == 0;
    if (ff_gated == gated) return 0;
    return cl_error_set(err, CL_EFORMAT, "%s: feed_forward_proj '%.40s' contradicts is_gated_act %s", path, ffp,
                        gated ? "true" : "false");
}

int cl_config_load(const char *path, cl_config *cfg, cl_error *err) {
    char *text;
    size_t len;
    int rc = cl_read_file(path, CONFIG_MAX_BYTES, &text, &len, err);
    if (rc) return rc;
    cJSON *root = cJSON_ParseWithLength(text, len);
    free(text);
    if (!root || !cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return cl_error_set(err, CL_EFORMAT, "%s: not a well-formed JSON object", path);
    }
    cl_cfg_reader c = {path, err, 0};
    memset(cfg, 0, sizeof *cfg);
    const long BIG = 1L << 20;
    const cl_family *fam = cl_family_detect(root);
    cfg->family = fam->id;
    cfg->vocab_size = cl_cfg_int(&c, root, "", "vocab_size", -2, fam->min_vocab, 1L << 24);
    cfg->d_model = cl_cfg_int(&c, root, "", "d_model", -2, 1, 65536);
    cfg->d_kv = cl_cfg_int(&c, root, "", "d_kv", -2, 1, 65536);
    cfg->num_heads = cl_cfg_int(&c, root, "", "num_heads", -2, 1, 4096);
    cfg->d_ff = cl_cfg_int(&c, root, "", "d_ff", -2, 1, 1L << 18);
    cfg->num_layers = cl_cfg_int(&c, root, "", "num_layers", -2, 1, 1024);
    cfg->num_decoder_layers = cl_cfg_int(&c, root, "", "num_decoder_layers", cfg->num_layers, 1, 1024);
    cfg->num_buckets = cl_cfg_int(&c, root, "", "relative_attention_num_buckets", 32, 4, 4096);
    cfg->max_distance = cl_cfg_int(&c, root, "", "relative_attention_max_distance", 128, 1, BIG);
    /* a bucket's logarithmic part divides by log(max_distance / exact buckets): at or below
     * them the bucket goes negative (or NaN) and reads outside the bias table. The causal
     * decoder has the most exact buckets (num_buckets/2, the encoder num_buckets/4), so its
     * bound holds for both stacks, Chronos-Bolt's too. */
    const int exact = cl_relative_exact(cfg->num_buckets, 0);
    if (!c.rc && cfg->max_distance <= exact)
        c.rc = cl_error_set(err, CL_EFORMAT, "%s: relative_attention_max_distance = %d must exceed %d "
                            "(relative_attention_num_buckets / 2, the exact buckets)", path, cfg->max_distance, exact);
    cfg->eps = cl_cfg_float(&c, root, "", "layer_norm_epsilon", 1e-6);
    if (!c.rc && !(cfg->eps >= 0))
        c.rc = cl_error_set(err, CL_EFORMAT, "%s: layer_norm_epsilon must be >= 0", path);
    cfg->tied = cl_cfg_bool(&c, root, "tie_word_embeddings", 1);
    cfg->decoder_start_token_id = cl_cfg_int(&c, root, "", "decoder_start_token_id", 0, 0, BIG);
    cfg->pad_token_id = cl_cfg_int(&c, root, "", "pad_token_id", 0, 0, BIG);
    cfg->eos_token_id = cl_cfg_int(&c, root, "", "eos_token_id", 1, 0, BIG);

    /* feed-forward: "relu", "gated-gelu", "gated-relu", "gelu"... as HF T5Config */
    const char *ffp = cl_cfg_str(root, "feed_forward_proj");
    const char *act = !ffp ? "relu" : strrchr(ffp, '-') ? strrchr(ffp, '-') + 1 : ffp;
    cfg->gated = ffp && strncmp(ffp, "gated-", 6) == 0;
    cfg->gated = cl_cfg_bool(&c, root, "is_gated_act", cfg->gated);
    if (!c.rc) c.rc = check_gated(root, ffp, cfg->gated, path, err);
    const char *dact = cl_cfg_str(root, "dense_act_fn");
    if (dact) act = dact;
    if (strcmp(act, "relu") == 0) cfg->act_gelu = 0;
    else if (strcmp(act, "gelu_new") == 0 || (strcmp(act, "gelu") == 0 && cfg->gated)) cfg->act_gelu = 1;
    else if (strcmp(act, "gelu") == 0) cfg->act_gelu = 2;
    else if (!c.rc) c.rc = cl_error_set(err, CL_EFORMAT, "%s: unsupported activation '%.40s'", path, act);

    const cJSON *cc = cJSON_GetObjectItemCaseSensitive(root, "chronos_config");
    if (!c.rc && !cJSON_IsObject(cc))
        c.rc = cl_error_set(err, CL_EFORMAT, "%s: no chronos_config block (not a Chronos checkpoint)", path);
    if (!c.rc) c.rc = fam->parse(root, cc, cfg, path, err);
    cJSON_Delete(root);
    return c.rc;
}
