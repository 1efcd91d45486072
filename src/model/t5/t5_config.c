/* t5_config.c — Chronos-T5's part of config.json: the chronos_config block of its tokenizer
 * (MeanScaleUniformBins: limits, tokens, special ids) and its sampler (context and
 * prediction lengths, samples, temperature, top-k, top-p), each checked and checked
 * against the vocabulary (config.c has read the T5 stack's keys). */
#include "model/t5/t5.h"
#include "model/config_read.h"
#include "model/sampling.h"

#include <math.h>
#include <string.h>

/* A sampler setting: the sampler's own range (cl_sampling_rule), as the forecast command
 * checks its --temperature/--top-k/--top-p, so that no value is silently replaced later. */
static void check_sampling(cl_cfg_reader *c, cl_sampling_key key, const char *name, double v) {
    const char *bad = c->rc ? NULL : cl_sampling_rule(key, v);
    if (bad) c->rc = cl_error_set(c->err, CL_EFORMAT, "%s: chronos_config.%s = %g %s", c->path, name, v, bad);
}

int cl_t5_config_parse(const cJSON *root, const cJSON *cc, cl_config *cfg, const char *path, cl_error *err) {
    (void)root;
    cl_cfg_reader c = {path, err, 0};
    const long BIG = 1L << 20;
    const char *tc = cl_cfg_str(cc, "tokenizer_class");
    if (tc && strcmp(tc, "MeanScaleUniformBins") != 0)
        c.rc = cl_error_set(err, CL_EFORMAT, "%s: unsupported tokenizer_class '%.40s'", path, tc);
    const char *mt = cl_cfg_str(cc, "model_type");
    if (!c.rc && mt && strcmp(mt, "seq2seq") != 0)
        c.rc = cl_error_set(err, CL_EFORMAT, "%s: unsupported chronos model_type '%.40s'", path, mt);
    const cJSON *kw = cJSON_GetObjectItemCaseSensitive(cc, "tokenizer_kwargs");
    const char *B = "chronos_config.";
    cfg->low_limit = cl_cfg_float(&c, kw, "chronos_config.tokenizer_kwargs.", "low_limit", -15.0);
    cfg->high_limit = cl_cfg_float(&c, kw, "chronos_config.tokenizer_kwargs.", "high_limit", 15.0);
    cfg->n_tokens = cl_cfg_int(&c, cc, B, "n_tokens", -2, 4, 1L << 24);
    cfg->n_special_tokens = cl_cfg_int(&c, cc, B, "n_special_tokens", 2, 0, 1L << 20);
    cfg->tok_pad_id = cl_cfg_int(&c, cc, B, "pad_token_id", 0, 0, BIG);
    cfg->tok_eos_id = cl_cfg_int(&c, cc, B, "eos_token_id", 1, 0, BIG);
    cfg->use_eos_token = cl_cfg_bool(&c, cc, "use_eos_token", 1);
    cfg->context_length = cl_cfg_int(&c, cc, B, "context_length", 512, 1, 1L << 20);
    cfg->prediction_length = cl_cfg_int(&c, cc, B, "prediction_length", 64, 1, 1L << 20);
    cfg->num_samples = cl_cfg_int(&c, cc, B, "num_samples", 20, 1, 1L << 20);
    cfg->temperature = cl_cfg_float(&c, cc, B, "temperature", 1.0);
    cfg->top_k = cl_cfg_int(&c, cc, B, "top_k", 50, 0, 1L << 24);
    cfg->top_p = cl_cfg_float(&c, cc, B, "top_p", 1.0);
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
    if (!c.rc && (cfg->decoder_start_token_id >= cfg->vocab_size || cfg->tok_eos_id >= cfg->vocab_size ||
                  cfg->tok_pad_id >= cfg->vocab_size))
        c.rc = cl_error_set(err, CL_EFORMAT, "%s: special token id outside the vocabulary", path);
    return c.rc;
}
