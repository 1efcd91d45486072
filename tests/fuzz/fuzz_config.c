/* fuzz_config.c — config.json (T5 hyper-parameters + chronos_config): any text must be
 * rejected with a message or give a configuration inside the documented ranges.
 * Seeds: the fixtures' config.json files and hand-made edge cases. */
#include "chronolens.h"
#include "fuzz_util.h"

#include <math.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    cl_config c;
    cl_error err;
    if (cl_config_load(fuzz_file(data, size), &c, &err) != 0) {
        CHECK(err.msg[0]);
        return 0;
    }
    /* every relative position has a bucket inside the bias table, in both stacks */
    CHECK(c.max_distance > cl_relative_exact(c.num_buckets, 0));
    for (int rel = -3 * c.max_distance; rel <= 3 * c.max_distance && rel <= 4096; rel += 1 + c.max_distance / 64)
        for (int bi = 0; bi < 2; bi++) {
            int b = cl_relative_bucket(rel, bi, c.num_buckets, c.max_distance);
            CHECK(b >= 0 && b < c.num_buckets);
        }
    if (c.family == CL_FAMILY_BOLT) { /* patches and quantiles instead of a tokenizer */
        CHECK(c.vocab_size >= 1 && c.d_model >= 1 && c.d_kv >= 1 && c.num_heads >= 1 && c.d_ff >= 1);
        CHECK(c.num_layers >= 1 && c.num_decoder_layers >= 1 && c.num_buckets >= 1);
        CHECK(c.context_length >= 1 && c.prediction_length >= 1 && isfinite(c.eps) && c.eps >= 0);
        CHECK(c.patch_size >= 1 && c.patch_stride >= 1 && c.patch_stride <= c.patch_size);
        CHECK(c.n_quantiles >= 1 && c.n_quantiles <= CL_BOLT_MAX_QUANTILES);
        for (int i = 0; i < c.n_quantiles; i++)
            CHECK(c.quantiles[i] > 0 && c.quantiles[i] < 1 && (i == 0 || c.quantiles[i] > c.quantiles[i - 1]));
        CHECK(c.decoder_start_token_id < c.vocab_size && (!c.use_reg_token || c.vocab_size >= 2));
        CHECK(cl_bolt_num_patches(&c, c.context_length) >= 1);
        return 0;
    }
    /* what the engine relies on when it sizes buffers and builds the tokenizer */
    CHECK(c.vocab_size >= 2 && c.d_model >= 1 && c.d_kv >= 1 && c.num_heads >= 1 && c.d_ff >= 1);
    CHECK(c.num_layers >= 1 && c.num_decoder_layers >= 1 && c.num_buckets >= 1);
    CHECK(c.n_tokens <= c.vocab_size && c.n_tokens - c.n_special_tokens - 1 >= 2);
    CHECK(c.context_length >= 1 && c.prediction_length >= 1);
    CHECK(isfinite(c.low_limit) && isfinite(c.high_limit) && c.high_limit > c.low_limit);
    CHECK(isfinite(c.eps) && c.eps >= 0);
    CHECK(c.temperature > 0 && c.top_k >= 0 && c.top_p > 0 && c.top_p <= 1); /* nothing for the sampler to replace */
    CHECK(c.decoder_start_token_id < c.vocab_size && c.tok_eos_id < c.vocab_size &&
           c.tok_pad_id < c.vocab_size);
    /* the tokenizer's centers must be computable for this configuration */
    float lo = cl_tokenizer_center(&c, 0), hi = cl_tokenizer_center(&c, c.vocab_size - 1);
    CHECK(isfinite(lo) && isfinite(hi));
    /* and a short context tokenizes to ids inside the vocabulary (small vocabularies only:
     * the boundaries cost n_tokens center evaluations per input) */
    if (c.n_tokens <= 4096) {
        static const float ctx[2 * 6] = {0, 1, -1, 3e38f, NAN, 2, NAN, NAN, NAN, NAN, NAN, NAN};
        int T = cl_tokenizer_length(&c, 6);
        CHECK(T >= 1 && T <= 7);
        int32_t ids[2 * 7];
        uint8_t mask[2 * 7];
        float scale[2];
        CHECK(cl_tokenizer_encode(&c, ctx, 2, 6, ids, mask, scale, &err) == 0);
        for (int i = 0; i < 2 * T; i++) CHECK(ids[i] >= 0 && ids[i] < c.vocab_size);
        for (int b = 0; b < 2; b++) CHECK(isfinite(scale[b]) && scale[b] > 0);
    }
    return 0;
}
