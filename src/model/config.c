/* config.c — config.json: the T5 hyper-parameters and the chronos_config block. */
#include "chronolens.h"
#include "core/core.h"
#include "model/config_bolt.h"
#include "model/sampling.h"

#include <cjson/cJSON.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CONFIG_MAX_BYTES ((size_t)4 << 20)

typedef struct { const char *path; cl_error *err; int rc; } ctx;

/* Integer field; `def` < -1 means required. Range [lo, hi]. */
static int get_int(ctx *c, const cJSON *o, const char *block, const char *key, long def,
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
static float get_float(ctx *c, const cJSON *o, const char *block, const char *key, double def) {
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!j || cJSON_IsNull(j)) return (float)def;
    if (!cJSON_IsNumber(j) || !(fabs(j->valuedouble) <= FLT_MAX)) {
        if (!c->rc) c->rc = cl_error_set(c->err, CL_EFORMAT, "%s: %s%s is not a finite number", c->path, block, key);
        return 0;
    }
    return (float)j->valuedouble;
}

/* A sampler setting: the sampler's own range (cl_sampling_rule), as the forecast command
 * checks its --temperature/--top-k/--top-p, so that no value is silently replaced later. */
static void check_sampling(ctx *c, cl_sampling_key key, const char *name, double v) {
    const char *bad = c->rc ? NULL : cl_sampling_rule(key, v);
    if (bad) c->rc = cl_error_set(c->err, CL_EFORMAT, "%s: chronos_config.%s = %g %s", c->path, name, v, bad);
}

static int get_bool(ctx *c, const cJSON *o, const char *key, int def) {
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!j || cJSON_IsNull(j)) return def;
    if (!cJSON_IsBool(j)) {
        if (!c->rc) c->rc = cl_error_set(c->err, CL_EFORMAT, "%s: %s is not true/false", c->path, key);
        return def;
    }
    return cJSON_IsTrue(j);
}

static const char *get_str(const cJSON *o, const char *key) {
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(j) ? j->valuestring : NULL;
}

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
    ctx c = {path, err, 0};
    memset(cfg, 0, sizeof *cfg);
    const long BIG = 1L << 20;
    const int bolt = cl_config_is_bolt(root);
    /* a Bolt vocabulary is [PAD/start] or [PAD/start, REG] */
    cfg->vocab_size = get_int(&c, root, "", "vocab_size", -2, bolt ? 1 : 2, 1L << 24);
    cfg->d_model = get_int(&c, root, "", "d_model", -2, 1, 65536);
    cfg->d_kv = get_int(&c, root, "", "d_kv", -2, 1, 65536);
    cfg->num_heads = get_int(&c, root, "", "num_heads", -2, 1, 4096);
    cfg->d_ff = get_int(&c, root, "", "d_ff", -2, 1, 1L << 18);
    cfg->num_layers = get_int(&c, root, "", "num_layers", -2, 1, 1024);
    cfg->num_decoder_layers = get_int(&c, root, "", "num_decoder_layers", cfg->num_layers, 1, 1024);
    cfg->num_buckets = get_int(&c, root, "", "relative_attention_num_buckets", 32, 4, 4096);
    cfg->max_distance = get_int(&c, root, "", "relative_attention_max_distance", 128, 1, BIG);
    /* a bucket's logarithmic part divides by log(max_distance / exact buckets): at or below
     * them the bucket goes negative (or NaN) and reads outside the bias table. The causal
     * decoder has the most exact buckets (num_buckets/2, the encoder num_buckets/4), so its
     * bound holds for both stacks, Chronos-Bolt's too. */
    const int exact = cl_relative_exact(cfg->num_buckets, 0);
    if (!c.rc && cfg->max_distance <= exact)
        c.rc = cl_error_set(err, CL_EFORMAT, "%s: relative_attention_max_distance = %d must exceed %d "
                            "(relative_attention_num_buckets / 2, the exact buckets)", path, cfg->max_distance, exact);
    cfg->eps = get_float(&c, root, "", "layer_norm_epsilon", 1e-6);
    if (!c.rc && !(cfg->eps >= 0))
        c.rc = cl_error_set(err, CL_EFORMAT, "%s: layer_norm_epsilon must be >= 0", path);
    cfg->tied = get_bool(&c, root, "tie_word_embeddings", 1);
    cfg->decoder_start_token_id = get_int(&c, root, "", "decoder_start_token_id", 0, 0, BIG);
    cfg->pad_token_id = get_int(&c, root, "", "pad_token_id", 0, 0, BIG);
    cfg->eos_token_id = get_int(&c, root, "", "eos_token_id", 1, 0, BIG);

    /* feed-forward: "relu", "gated-gelu", "gated-relu", "gelu"... as HF T5Config */
    const char *ffp = get_str(root, "feed_forward_proj");
    const char *act = !ffp ? "relu" : strrchr(ffp, '-') ? strrchr(ffp, '-') + 1 : ffp;
    cfg->gated = ffp && strncmp(ffp, "gated-", 6) == 0;
    cfg->gated = get_bool(&c, root, "is_gated_act", cfg->gated);
    if (!c.rc) c.rc = check_gated(root, ffp, cfg->gated, path, err);
    const char *dact = get_str(root, "dense_act_fn");
    if (dact) act = dact;
    if (strcmp(act, "relu") == 0) cfg->act_gelu = 0;
    else if (strcmp(act, "gelu_new") == 0 || (strcmp(act, "gelu") == 0 && cfg->gated)) cfg->act_gelu = 1;
    else if (strcmp(act, "gelu") == 0) cfg->act_gelu = 2;
    else if (!c.rc) c.rc = cl_error_set(err, CL_EFORMAT, "%s: unsupported activation '%.40s'", path, act);

    const cJSON *cc = cJSON_GetObjectItemCaseSensitive(root, "chronos_config");
    if (!c.rc && !cJSON_IsObject(cc))
        c.rc = cl_error_set(err, CL_EFORMAT, "%s: no chronos_config block (not a Chronos checkpoint)", path);
    if (!c.rc && bolt) {
        c.rc = cl_config_parse_bolt(cc, cfg, path, err);
    } else if (!c.rc) {
        const char *tc = get_str(cc, "tokenizer_class");
        if (tc && strcmp(tc, "MeanScaleUniformBins") != 0)
            c.rc = cl_error_set(err, CL_EFORMAT, "%s: unsupported tokenizer_class '%.40s'", path, tc);
        const char *mt = get_str(cc, "model_type");
        if (!c.rc && mt && strcmp(mt, "seq2seq") != 0)
            c.rc = cl_error_set(err, CL_EFORMAT, "%s: unsupported chronos model_type '%.40s'", path, mt);
        const cJSON *kw = cJSON_GetObjectItemCaseSensitive(cc, "tokenizer_kwargs");
        const char *B = "chronos_config.";
        cfg->low_limit = get_float(&c, kw, "chronos_config.tokenizer_kwargs.", "low_limit", -15.0);
        cfg->high_limit = get_float(&c, kw, "chronos_config.tokenizer_kwargs.", "high_limit", 15.0);
        cfg->n_tokens = get_int(&c, cc, B, "n_tokens", -2, 4, 1L << 24);
        cfg->n_special_tokens = get_int(&c, cc, B, "n_special_tokens", 2, 0, 1L << 20);
        cfg->tok_pad_id = get_int(&c, cc, B, "pad_token_id", 0, 0, BIG);
        cfg->tok_eos_id = get_int(&c, cc, B, "eos_token_id", 1, 0, BIG);
        cfg->use_eos_token = get_bool(&c, cc, "use_eos_token", 1);
        cfg->context_length = get_int(&c, cc, B, "context_length", 512, 1, 1L << 20);
        cfg->prediction_length = get_int(&c, cc, B, "prediction_length", 64, 1, 1L << 20);
        cfg->num_samples = get_int(&c, cc, B, "num_samples", 20, 1, 1L << 20);
        cfg->temperature = get_float(&c, cc, B, "temperature", 1.0);
        cfg->top_k = get_int(&c, cc, B, "top_k", 50, 0, 1L << 24);
        cfg->top_p = get_float(&c, cc, B, "top_p", 1.0);
        check_sampling(&c, CL_SAMPLING_TEMPERATURE, "temperature", cfg->temperature);
        check_sampling(&c, CL_SAMPLING_TOP_K, "top_k", cfg->top_k);
        check_sampling(&c, CL_SAMPLING_TOP_P, "top_p", cfg->top_p);
        if (!c.rc && cfg->n_tokens - cfg->n_special_tokens - 1 < 2)
            c.rc = cl_error_set(err, CL_EFORMAT, "%s: chronos_config.n_tokens too small", path);
        if (!c.rc && !(cfg->high_limit > cfg->low_limit))
            c.rc = cl_error_set(err, CL_EFORMAT, "%s: tokenizer high_limit must exceed low_limit", path);
        if (!c.rc && !isfinite(cfg->high_limit - cfg->low_limit)) /* the bin width, in float32 */
            c.rc = cl_error_set(err, CL_EFORMAT, "%s: tokenizer limits too far apart for float32", path);
        if (!c.rc && cfg->n_tokens > cfg->vocab_size)
            c.rc = cl_error_set(err, CL_EFORMAT, "%s: n_tokens (%d) exceeds vocab_size (%d)", path,
                                cfg->n_tokens, cfg->vocab_size);
        /* Chronos's tokenizer owns the whole vocabulary: fewer tokens than embedding rows
         * means the config describes another tokenizer than the checkpoint's */
        if (!c.rc && cfg->n_tokens < cfg->vocab_size)
            c.rc = cl_error_set(err, CL_EFORMAT, "%s: chronos_config.n_tokens (%d) is below vocab_size (%d): "
                                "the tokenizer and the embedding disagree", path, cfg->n_tokens, cfg->vocab_size);
    }
    if (!c.rc && !bolt && (cfg->decoder_start_token_id >= cfg->vocab_size || cfg->tok_eos_id >= cfg->vocab_size ||
                  cfg->tok_pad_id >= cfg->vocab_size))
        c.rc = cl_error_set(err, CL_EFORMAT, "%s: special token id outside the vocabulary", path);
    cJSON_Delete(root);
    return c.rc;
}
