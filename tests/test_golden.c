/* test_golden.c — the engine against the PyTorch reference's golden outputs: tokens, mask
 * and scale exactly; encoder output, every attention map and the logits within 1e-4. */
#include "testutil.h"
#include "core/core.h"
#include "io/csv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOL 1e-4

static void check_fixture(const char *dir) {
    char path[4096];
    cl_error err;
    cl_model *m;
    if (cl_model_load(dir, NULL, &m, &err)) fail_msg("%s", err.msg);
    const cl_config *c = cl_model_config(m);
    st_file g;
    snprintf(path, sizeof path, "%s/golden.safetensors", dir);
    if (st_open(path, &g, &err)) fail_msg("%s", err.msg);

    /* inputs: the context as the reference saw it, and the CSV the CLI reads */
    size_t n;
    const st_tensor *ct = st_find(&g, "context");
    assert_non_null(ct);
    int B = (int)ct->shape[0], L = (int)ct->shape[1];
    float *ctx = golden_f32(&g, "context", &n);
    float *csv;
    int cb, cl;
    snprintf(path, sizeof path, "%s/context.csv", dir);
    if (csv_read_context(path, &csv, &cb, &cl, NULL, &err)) fail_msg("%s", err.msg);
    assert_int_equal(cb, B);
    assert_int_equal(cl, L);
    for (size_t i = 0; i < n; i++)
        if (!(isnan(ctx[i]) && isnan(csv[i]))) assert_true(ctx[i] == csv[i]);
    cl_free(csv);

    int T = cl_tokenizer_length(c, L);
    int32_t *ids = malloc(sizeof *ids * (size_t)B * T);
    uint8_t *mask = malloc((size_t)B * T);
    float *scale = malloc(sizeof *scale * (size_t)B);
    assert_int_equal(cl_tokenizer_encode(c, ctx, B, L, ids, mask, scale, &err), 0);
    int64_t *gids = golden_i64(&g, "token_ids", &n);
    assert_int_equal(n, (size_t)B * T);
    for (size_t i = 0; i < n; i++)
        if (gids[i] != ids[i]) fail_msg("%s: token %zu is %d, golden %lld", dir, i, ids[i], (long long)gids[i]);
    int64_t *gmask = golden_i64(&g, "attention_mask", &n);
    for (size_t i = 0; i < n; i++) assert_int_equal(gmask[i], mask[i]);
    float *gscale = golden_f32(&g, "scale", &n);
    for (int b = 0; b < B; b++)
        if (gscale[b] != scale[b]) fail_msg("%s: scale[%d] = %.9g, golden %.9g", dir, b, scale[b], gscale[b]);

    cl_state *s;
    assert_int_equal(cl_state_new(m, &s, &err), 0);
    cl_state_capture_all(s);
    if (cl_encode(s, ids, mask, B, T, &err)) fail_msg("%s", err.msg);
    int64_t *gdec = golden_i64(&g, "decoder_input_ids", &n);
    int Td = (int)(n / B);
    int32_t *dec = malloc(sizeof *dec * n);
    for (size_t i = 0; i < n; i++) dec[i] = (int32_t)gdec[i];
    if (cl_decode(s, dec, Td, 0, &err)) fail_msg("%s", err.msg);

    float *ge = golden_f32(&g, "encoder_hidden", &n);
    assert_int_equal(n, (size_t)B * T * c->d_model);
    assert_close("encoder_hidden", cl_state_encoder_hidden(s, NULL, NULL), ge, n, TOL);
    static const char *names[CL_NSTACKS] = {"enc_attn", "dec_attn", "cross_attn"};
    for (int st = 0; st < CL_NSTACKS; st++) {
        int shape[5];
        const float *a = cl_state_attn(s, (cl_stack)st, shape);
        assert_non_null(a);
        assert_int_equal(shape[0], st == CL_ENC_SELF ? c->num_layers : c->num_decoder_layers);
        size_t per = (size_t)shape[1] * shape[2] * shape[3] * shape[4];
        for (int l = 0; l < shape[0]; l++) {
            char name[64];
            snprintf(name, sizeof name, "%s.%d", names[st], l);
            float *ga = golden_f32(&g, name, &n);
            assert_int_equal(n, per);
            assert_close(name, a + l * per, ga, n, TOL);
            free(ga);
        }
    }
    float *gl = golden_f32(&g, "logits", &n);
    int lb, lt, lv;
    const float *lg = cl_state_logits(s, &lb, &lt, &lv);
    assert_int_equal(n, (size_t)lb * lt * lv);
    assert_close("logits", lg, gl, n, TOL);

    /* last_only gives the same last row */
    if (cl_decode(s, dec, Td, 1, &err)) fail_msg("%s", err.msg);
    lg = cl_state_logits(s, &lb, &lt, &lv);
    assert_int_equal(lt, 1);
    for (int b = 0; b < B; b++)
        assert_close("logits (last only)", lg + (size_t)b * lv, gl + ((size_t)b * Td + Td - 1) * lv, (size_t)lv, TOL);

    free(gl); free(ge); free(gdec); free(dec); free(gscale); free(gmask); free(gids);
    free(ids); free(mask); free(scale); free(ctx);
    cl_state_free(s);
    st_close(&g);
    cl_model_free(m);
}

static void test_rand_small(void **st) { (void)st; check_fixture(CL_FIXTURES "/rand-small"); }
static void test_rand_gated_bf16(void **st) { (void)st; check_fixture(CL_FIXTURES "/rand-gated-bf16"); }
static void test_peer_chronos_dummy(void **st) {
    (void)st;
    if (!dir_exists(CL_PEER "/chronos-dummy")) skip();
    check_fixture(CL_PEER "/chronos-dummy");
}

int main(void) {
    cl_set_threads(2);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rand_small),
        cmocka_unit_test(test_rand_gated_bf16),
        cmocka_unit_test(test_peer_chronos_dummy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
