/* init.c — random checkpoints with the exact tensor names and shapes of chronos-t5-*,
 * loadable by chronolens and by Hugging Face transformers. */
#include "model/init.h"
#include "core/core.h"
#include "io/json.h"
#include "io/safetensors.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const struct { const char *name; int d, ff, layers, heads; } PRESETS[] = {
    {"tiny", 256, 1024, 4, 4}, {"mini", 384, 1536, 4, 8}, {"small", 512, 2048, 6, 8},
    {"base", 768, 3072, 12, 12}, {"large", 1024, 4096, 24, 16},
};

int cl_config_preset(const char *size, cl_config *c, cl_error *err) {
    if (strncmp(size, "bolt-", 5) == 0) return cl_bolt_config_preset(size, c, err);
    for (size_t i = 0; i < sizeof PRESETS / sizeof PRESETS[0]; i++) {
        if (strcmp(size, PRESETS[i].name) != 0) continue;
        memset(c, 0, sizeof *c);
        c->vocab_size = 4096; c->d_model = PRESETS[i].d; c->d_ff = PRESETS[i].ff; c->d_kv = 64;
        c->num_heads = PRESETS[i].heads; c->num_layers = c->num_decoder_layers = PRESETS[i].layers;
        c->num_buckets = 32; c->max_distance = 128; c->eps = 1e-6f; c->tied = 1;
        c->decoder_start_token_id = 0; c->pad_token_id = 0; c->eos_token_id = 1;
        c->low_limit = -15; c->high_limit = 15; c->n_tokens = 4096; c->n_special_tokens = 2;
        c->tok_pad_id = 0; c->tok_eos_id = 1; c->use_eos_token = 1;
        c->context_length = 512; c->prediction_length = 64; c->num_samples = 20;
        c->temperature = 1; c->top_k = 50; c->top_p = 1;
        return 0;
    }
    return cl_error_set(err, CL_EINVAL, "unknown size '%s' (tiny, mini, small, base, large, bolt-tiny, bolt-mini, "
                        "bolt-small, bolt-base)", size);
}

void cl_config_json_sizes(cJSON *r, const cl_config *c) {
    cJSON_AddNumberToObject(r, "vocab_size", c->vocab_size);
    cJSON_AddNumberToObject(r, "d_model", c->d_model);
    cJSON_AddNumberToObject(r, "d_kv", c->d_kv);
    cJSON_AddNumberToObject(r, "num_heads", c->num_heads);
    cJSON_AddNumberToObject(r, "d_ff", c->d_ff);
    cJSON_AddNumberToObject(r, "num_layers", c->num_layers);
    cJSON_AddNumberToObject(r, "num_decoder_layers", c->num_decoder_layers);
}

void cl_config_json_t5(cJSON *r, const cl_config *c) {
    cJSON_AddNumberToObject(r, "relative_attention_num_buckets", c->num_buckets);
    cJSON_AddNumberToObject(r, "relative_attention_max_distance", c->max_distance);
    cJSON_AddNumberToObject(r, "layer_norm_epsilon", c->eps);
    cJSON_AddNumberToObject(r, "dropout_rate", 0.1);
    cJSON_AddNumberToObject(r, "decoder_start_token_id", c->decoder_start_token_id);
    cJSON_AddNumberToObject(r, "pad_token_id", c->pad_token_id);
    cJSON_AddNumberToObject(r, "eos_token_id", c->eos_token_id);
}

int cl_config_save(const char *path, const cl_config *c, cl_error *err) {
    if (c->family == CL_FAMILY_BOLT) return cl_bolt_config_save(path, c, err);
    cJSON *r = cJSON_CreateObject();
    cJSON *arch = cJSON_AddArrayToObject(r, "architectures");
    cJSON_AddItemToArray(arch, cJSON_CreateString("T5ForConditionalGeneration"));
    cJSON_AddStringToObject(r, "model_type", "t5");
    cl_config_json_sizes(r, c);
    const char *act = c->act_gelu == 0 ? "relu" : c->act_gelu == 1 ? "gelu_new" : "gelu";
    char ffp[32];
    snprintf(ffp, sizeof ffp, "%s%s", c->gated ? "gated-" : "", c->gated && c->act_gelu ? "gelu" : act);
    cJSON_AddStringToObject(r, "feed_forward_proj", ffp);
    cJSON_AddStringToObject(r, "dense_act_fn", act);
    cJSON_AddBoolToObject(r, "is_gated_act", c->gated);
    cJSON_AddBoolToObject(r, "tie_word_embeddings", c->tied);
    cl_config_json_t5(r, c);
    cJSON_AddBoolToObject(r, "is_encoder_decoder", 1);
    cJSON_AddNumberToObject(r, "initializer_factor", 1.0);
    cJSON_AddNumberToObject(r, "n_positions", 512);
    cJSON_AddBoolToObject(r, "use_cache", 1);
    cJSON *cc = cJSON_AddObjectToObject(r, "chronos_config");
    cJSON_AddStringToObject(cc, "tokenizer_class", "MeanScaleUniformBins");
    cJSON *kw = cJSON_AddObjectToObject(cc, "tokenizer_kwargs");
    cJSON_AddNumberToObject(kw, "low_limit", c->low_limit);
    cJSON_AddNumberToObject(kw, "high_limit", c->high_limit);
    cJSON_AddNumberToObject(cc, "n_tokens", c->n_tokens);
    cJSON_AddNumberToObject(cc, "n_special_tokens", c->n_special_tokens);
    cJSON_AddNumberToObject(cc, "pad_token_id", c->tok_pad_id);
    cJSON_AddNumberToObject(cc, "eos_token_id", c->tok_eos_id);
    cJSON_AddBoolToObject(cc, "use_eos_token", c->use_eos_token);
    cJSON_AddStringToObject(cc, "model_type", "seq2seq");
    cJSON_AddNumberToObject(cc, "context_length", c->context_length);
    cJSON_AddNumberToObject(cc, "prediction_length", c->prediction_length);
    cJSON_AddNumberToObject(cc, "num_samples", c->num_samples);
    cJSON_AddNumberToObject(cc, "temperature", c->temperature);
    cJSON_AddNumberToObject(cc, "top_k", c->top_k);
    cJSON_AddNumberToObject(cc, "top_p", c->top_p);
    int rc = cl_json_save(path, r, err);
    cJSON_Delete(r);
    return rc;
}

typedef struct { st_writer *w; void **bufs; int n; int bf16; cl_rng rng; size_t done, total;
                 const cl_progress *progress; int rc; } maker;

/* A (rows, cols) tensor of N(0, std^2) draws (std = 0 fills with 1: norm weights; std < 0
 * with 0: biases). */
static void add(maker *mk, const char *name, int rows, int cols, double std) {
    if (mk->rc) return;
    size_t n = (size_t)rows * (cols ? cols : 1);
    void *buf = cl_alloc(n * (mk->bf16 ? 2 : 4));
    if (!buf) { mk->rc = CL_ENOMEM; return; }
    mk->bufs[mk->n++] = buf;
    for (size_t i = 0; i < n; i++) {
        float v = std > 0 ? (float)(std * cl_rng_normal(&mk->rng)) : std < 0 ? 0.0f : 1.0f;
        if (mk->bf16) ((uint16_t *)buf)[i] = cl_f32_to_bf16(v);
        else ((float *)buf)[i] = v;
    }
    int64_t shape[2] = {rows, cols};
    st_writer_add(mk->w, name, mk->bf16 ? ST_BF16 : ST_F32, cols ? 2 : 1, shape, buf);
    mk->done += n;
    cl_progress_report(mk->progress, "init: drawing weights", (double)mk->done, (double)mk->total);
}

int cl_checkpoint_init_random(const char *dir, const cl_config *c, uint64_t seed, int bf16,
                              const cl_progress *progress, cl_error *err) {
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return cl_error_set(err, CL_EIO, "%s: cannot create directory: %s", dir, strerror(errno));
    const int d = c->d_model, HD = c->num_heads * c->d_kv, F = c->d_ff, V = c->vocab_size;
    int nl = c->num_layers, nd = c->num_decoder_layers;
    maker mk = {.w = st_writer_new(), .bf16 = bf16, .progress = progress};
    mk.bufs = calloc((size_t)(20 + 12 * nl + 18 * nd), sizeof(void *));
    const int bolt = c->family == CL_FAMILY_BOLT, QH = c->n_quantiles * c->prediction_length, P2 = 2 * c->patch_size;
    cl_rng_seed(&mk.rng, seed);
    mk.total = (size_t)V * d * (c->tied ? 1 : 2) +
               (size_t)(nl + 2 * nd) * (4 * (size_t)HD * d) + (size_t)(nl + nd) * (c->gated ? 3 : 2) * F * d +
               (bolt ? (size_t)F * (P2 + d) + (size_t)d * (F + P2) + (size_t)QH * (F + d) : 0);
    /* standard deviations of HF T5PreTrainedModel._init_weights with factor 1 */
    const double s_d = 1.0 / sqrt(d), s_q = 1.0 / sqrt((double)d * c->d_kv), s_o = 1.0 / sqrt(HD), s_f = 1.0 / sqrt(F);
    char n[256];
    add(&mk, "shared.weight", V, d, 1.0);
    if (bolt) { /* the residual blocks of Chronos-Bolt: N(0, 1/fan_in) weights, zero biases */
        static const char *blk[2] = {"input_patch_embedding", "output_patch_embedding"};
        for (int k = 0; k < 2; k++) {
            int in = k ? d : P2, out = k ? QH : d;
            snprintf(n, sizeof n, "%s.hidden_layer.weight", blk[k]); add(&mk, n, F, in, 1.0 / sqrt(in));
            snprintf(n, sizeof n, "%s.hidden_layer.bias", blk[k]); add(&mk, n, F, 0, -1);
            snprintf(n, sizeof n, "%s.output_layer.weight", blk[k]); add(&mk, n, out, F, 1.0 / sqrt(F));
            snprintf(n, sizeof n, "%s.output_layer.bias", blk[k]); add(&mk, n, out, 0, -1);
            snprintf(n, sizeof n, "%s.residual_layer.weight", blk[k]); add(&mk, n, out, in, 1.0 / sqrt(in));
            snprintf(n, sizeof n, "%s.residual_layer.bias", blk[k]); add(&mk, n, out, 0, -1);
        }
    } else if (!c->tied) add(&mk, "lm_head.weight", V, d, 1.0);
    for (int s = 0; s < 2; s++) {
        const char *stk = s ? "decoder" : "encoder";
        int layers = s ? nd : nl;
        for (int i = 0; i < layers; i++) {
            for (int a = 0; a < (s ? 2 : 1); a++) {
                const char *an = a ? "1.EncDecAttention" : "0.SelfAttention";
                snprintf(n, sizeof n, "%s.block.%d.layer.%s.q.weight", stk, i, an); add(&mk, n, HD, d, s_q);
                snprintf(n, sizeof n, "%s.block.%d.layer.%s.k.weight", stk, i, an); add(&mk, n, HD, d, s_d);
                snprintf(n, sizeof n, "%s.block.%d.layer.%s.v.weight", stk, i, an); add(&mk, n, HD, d, s_d);
                snprintf(n, sizeof n, "%s.block.%d.layer.%s.o.weight", stk, i, an); add(&mk, n, d, HD, s_o);
                snprintf(n, sizeof n, "%s.block.%d.layer.%d.layer_norm.weight", stk, i, a); add(&mk, n, d, 0, 0);
            }
            if (i == 0) {
                snprintf(n, sizeof n, "%s.block.0.layer.0.SelfAttention.relative_attention_bias.weight", stk);
                add(&mk, n, c->num_buckets, c->num_heads, s_d);
            }
            int fl = s ? 2 : 1;
            if (c->gated) {
                snprintf(n, sizeof n, "%s.block.%d.layer.%d.DenseReluDense.wi_0.weight", stk, i, fl); add(&mk, n, F, d, s_d);
                snprintf(n, sizeof n, "%s.block.%d.layer.%d.DenseReluDense.wi_1.weight", stk, i, fl); add(&mk, n, F, d, s_d);
            } else {
                snprintf(n, sizeof n, "%s.block.%d.layer.%d.DenseReluDense.wi.weight", stk, i, fl); add(&mk, n, F, d, s_d);
            }
            snprintf(n, sizeof n, "%s.block.%d.layer.%d.DenseReluDense.wo.weight", stk, i, fl); add(&mk, n, d, F, s_f);
            snprintf(n, sizeof n, "%s.block.%d.layer.%d.layer_norm.weight", stk, i, fl); add(&mk, n, d, 0, 0);
        }
        snprintf(n, sizeof n, "%s.final_layer_norm.weight", stk); add(&mk, n, d, 0, 0);
    }
    int rc = mk.rc ? cl_error_set(err, CL_ENOMEM, "%s: out of memory drawing weights", dir) : 0;
    char path[4096];
    if (!rc) rc = st_writer_save(mk.w, cl_path_join(path, sizeof path, dir, "model.safetensors"), "pt", err);
    if (!rc) rc = cl_config_save(cl_path_join(path, sizeof path, dir, "config.json"), c, err);
    for (int i = 0; i < mk.n; i++) cl_free(mk.bufs[i]);
    free(mk.bufs);
    st_writer_free(mk.w);
    return rc;
}
