/* fuzz_csv_context.c — the context CSV (one column per series, optional header, empty or
 * NaN cells missing): rejected with a message, or (B, L) values with B, L >= 1, and,
 * for a header, B names. The values are then tokenized with a small configuration
 * (context_length 16) as `forward` does, which exercises long and all-missing series. */
#include "chronolens.h"
#include "core/core.h"
#include "io/csv.h"
#include "fuzz_util.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    float *v;
    int B = -1, L = -1;
    char **names;
    cl_error err;
    if (csv_read_context(fuzz_file(data, size), &v, &B, &L, &names, &err) != 0) {
        CHECK(err.msg[0]);
        return 0;
    }
    CHECK(B >= 1 && L >= 1 && B <= CSV_MAX_COLUMNS);
    if (names)
        for (int b = 0; b < B; b++) CHECK(names[b] != NULL);
    unsigned bits = 0;
    for (size_t i = 0; i < (size_t)B * L; i++) {
        uint32_t u;
        memcpy(&u, &v[i], 4);
        bits ^= u;
    }
    (void)bits;
    if ((size_t)B * L <= 4096) { /* the tokenizer on what was read, bounded per input */
        cl_config c = {.vocab_size = 64, .n_tokens = 64, .n_special_tokens = 2, .low_limit = -15,
                       .high_limit = 15, .tok_pad_id = 0, .tok_eos_id = 1, .use_eos_token = 1,
                       .context_length = 16};
        int T = cl_tokenizer_length(&c, L);
        CHECK(T >= 1 && T <= 17);
        int32_t *ids = malloc(sizeof *ids * (size_t)B * T);
        uint8_t *mask = malloc((size_t)B * T);
        float *scale = malloc(sizeof *scale * (size_t)B);
        if (cl_tokenizer_encode(&c, v, B, L, ids, mask, scale, &err) == 0)
            for (size_t i = 0; i < (size_t)B * T; i++) CHECK(ids[i] >= 0 && ids[i] < c.vocab_size);
        free(ids);
        free(mask);
        free(scale);
    }
    cl_free(v);
    csv_free_names(names, B);
    return 0;
}
