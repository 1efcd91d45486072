/* test_backward.c — the training loss and every parameter gradient against PyTorch
 * autograd (rand-small golden), and central finite differences on a tiny random model. */
#include "testutil.h"
#include "core/core.h"
#include "train/backward.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_golden_gradients(void **st) {
    (void)st;
    const char *dir = CL_FIXTURES "/rand-small";
    cl_error err;
    cl_params *p;
    if (cl_params_load(dir, &p, &err)) fail_msg("%s", err.msg);
    const cl_config *c = &p->cfg;
    st_file g;
    if (st_open(CL_FIXTURES "/rand-small/golden.safetensors", &g, &err)) fail_msg("%s", err.msg);
    size_t n;
    const st_tensor *ct = st_find(&g, "context");
    assert_non_null(ct);
    int B = (int)ct->shape[0], L = (int)ct->shape[1], T = cl_tokenizer_length(c, L);
    float *ctx = golden_f32(&g, "context", &n);
    int32_t *ids = malloc(sizeof *ids * (size_t)B * T);
    uint8_t *mask = malloc((size_t)B * T);
    float *scale = malloc(sizeof *scale * (size_t)B);
    assert_int_equal(cl_tokenizer_encode(c, ctx, B, L, ids, mask, scale, &err), 0);
    int64_t *gdec = golden_i64(&g, "decoder_input_ids", &n);
    int64_t *glab = golden_i64(&g, "labels", &n);
    int Td = (int)(n / B);
    int32_t *dec = malloc(sizeof *dec * n), *lab = malloc(sizeof *lab * n);
    int ignored = 0;
    for (size_t i = 0; i < n; i++) { dec[i] = (int32_t)gdec[i]; lab[i] = (int32_t)glab[i]; ignored += lab[i] == -100; }
    assert_true(ignored > 0); /* the fixture exercises ignore_index */
    cl_batch bt = {B, T, Td, ids, mask, dec, lab, NULL};
    cl_grad_ws *ws = cl_grad_ws_new();
    double loss;
    int ntok;
    cl_params_zero_grad(p);
    if (cl_loss_grad(p, ws, &bt, 1, &loss, &ntok, NULL, &err)) fail_msg("%s", err.msg);
    assert_int_equal(ntok, B * Td - ignored);
    float *gl = golden_f32(&g, "loss", &n);
    if (fabs(loss - gl[0]) > 1e-5) fail_msg("loss %.8f, golden %.8f", loss, gl[0]);

    /* every golden gradient, and every parameter has one */
    int checked = 0;
    for (int i = 0; i < g.n; i++) {
        const char *name = g.t[i].name;
        if (strncmp(name, "grad.", 5) != 0) continue;
        int k = cl_params_find(p, name + 5);
        if (k < 0) fail_msg("golden gradient %s names no parameter", name);
        float *want = golden_f32(&g, name, &n);
        assert_int_equal(n, p->t[k].n);
        const float *got = p->g + p->t[k].off;
        double diff = 0, norm = 0;
        for (size_t j = 0; j < n; j++) {
            diff += ((double)got[j] - want[j]) * ((double)got[j] - want[j]);
            norm += (double)want[j] * want[j];
        }
        double rel = sqrt(diff) / (sqrt(norm) > 0 ? sqrt(norm) : 1.0);
        if (!(rel <= 1e-4) || !(norm > 0)) fail_msg("%s: relative error %.3g (|golden| %.3g)", name, rel, sqrt(norm));
        free(want);
        checked++;
    }
    assert_int_equal(checked, p->nt);

    free(gl); free(gdec); free(glab); free(dec); free(lab); free(ids); free(mask); free(scale); free(ctx);
    cl_grad_ws_free(ws);
    st_close(&g);
    cl_params_free(p);
}

/* central differences in float: a tiny model, the largest-gradient entries of a few tensors */
static void test_finite_differences(void **st) {
    (void)st;
    cl_config c;
    cl_error err;
    assert_int_equal(cl_config_load(CL_FIXTURES "/rand-small/config.json", &c, &err), 0);
    c.vocab_size = 64; c.d_model = 16; c.d_kv = 8; c.num_heads = 2; c.d_ff = 32;
    c.num_layers = 1; c.num_decoder_layers = 2; c.num_buckets = 8; c.max_distance = 16;
    cl_params *p;
    if (cl_params_new(&c, 7, &p, &err)) fail_msg("%s", err.msg);
    for (size_t i = 0; i < p->n; i++) p->w[i] *= 0.5f; /* moderate logits */
    enum { B = 2, T = 9, Td = 4 };
    int32_t ids[B * T], dec[B * Td], lab[B * Td];
    uint8_t mask[B * T];
    cl_rng r;
    cl_rng_seed(&r, 3);
    for (int i = 0; i < B * T; i++) { ids[i] = cl_rng_int(&r, 2, 63); mask[i] = !(i < 3); }
    for (int b = 0; b < B; b++)
        for (int t = 0; t < Td; t++) {
            lab[b * Td + t] = cl_rng_int(&r, 2, 63);
            dec[b * Td + t] = t ? lab[b * Td + t - 1] : 0;
        }
    lab[Td - 1] = -100;
    cl_batch bt = {B, T, Td, ids, mask, dec, lab, NULL};
    cl_grad_ws *ws = cl_grad_ws_new();
    double loss, lp, lm;
    cl_params_zero_grad(p);
    assert_int_equal(cl_loss_grad(p, ws, &bt, 1, &loss, NULL, NULL, &err), 0);
    const char *names[] = {"shared.weight", "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight",
                           "encoder.block.0.layer.0.SelfAttention.q.weight", "decoder.block.1.layer.1.EncDecAttention.k.weight",
                           "decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight",
                           "decoder.block.1.layer.2.DenseReluDense.wi.weight", "encoder.final_layer_norm.weight",
                           "decoder.block.0.layer.1.layer_norm.weight"};
    for (size_t t = 0; t < sizeof names / sizeof names[0]; t++) {
        int k = cl_params_find(p, names[t]);
        assert_true(k >= 0);
        /* the entry with the largest analytic gradient */
        size_t best = 0;
        for (size_t j = 0; j < p->t[k].n; j++)
            if (fabsf(p->g[p->t[k].off + j]) > fabsf(p->g[p->t[k].off + best])) best = j;
        float *w = p->w + p->t[k].off + best, w0 = *w, h = 1e-2f;
        *w = w0 + h;
        cl_loss_grad(p, ws, &bt, 0, &lp, NULL, NULL, &err);
        *w = w0 - h;
        cl_loss_grad(p, ws, &bt, 0, &lm, NULL, NULL, &err);
        *w = w0;
        double fd = (lp - lm) / ((double)(w0 + h) - (double)(w0 - h));
        double an = p->g[p->t[k].off + best];
        if (!(fabs(fd - an) <= 2e-2 * fabs(an) + 1e-4))
            fail_msg("%s[%zu]: analytic %.6g, finite difference %.6g", names[t], best, an, fd);
    }
    cl_grad_ws_free(ws);
    cl_params_free(p);
}

int main(void) {
    cl_set_threads(2);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_gradients),
        cmocka_unit_test(test_finite_differences),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
