/* test_bolt_multisine.c — the multisine study on Chronos-Bolt (method.md §4.2): the input at
 * the patch rate, the attention signal = the decoder query's cross-attention over the patches
 * ([REG] excluded) as cl_bolt_forward captures it, aliasing above the patch Nyquist, the files
 * read back, one family per run. */
#include "testutil.h"
#include "analysis/bolt_multisine.h"
#include "analysis/multisine.h"
#include "core/core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RAND CL_FIXTURES "/bolt-rand"
#define T5 CL_FIXTURES "/rand-small"

static void test_input_and_aliases(void **st) {
    (void)st;
    cl_error err;
    cl_config c;
    assert_int_equal(cl_config_load(RAND "/config.json", &c, &err), 0);
    cl_multisine ref, b;
    cl_multisine_reference(&ref);
    cl_bolt_ms_input(&c, &ref, &b);
    assert_int_equal(b.points, 512); /* min(context_length 512, 2048) */
    assert_float_equal(b.duration, 512 * 3.0 / (301 * 16), 1e-12);
    assert_int_equal(cl_bolt_num_patches(&c, b.points), 32);
    assert_float_equal(32 / b.duration, 301 / 3.0, 1e-9); /* the patch rate is the token rate */
    assert_int_equal(b.n, 4);
    assert_true(b.freqs[3] == 40 && b.amps[1] == 0.5);
    double f[8], a[8];
    assert_int_equal(cl_bolt_ms_aliases(&b, 32, f, a), 0); /* 40 Hz < 50.17 Hz */
    b.freqs[3] = 60;
    assert_int_equal(cl_bolt_ms_aliases(&b, 32, f, a), 1);
    assert_float_equal(f[0], 60, 0);
    assert_float_equal(a[0], 301 / 3.0 - 60, 1e-9);
}

/* the signal = row 0 of the captured cross-attention, its first P keys */
static void test_attention_signal(void **st) {
    (void)st;
    cl_error err;
    cl_model *m;
    assert_int_equal(cl_model_load(RAND, &m, &err), 0);
    const cl_config *c = cl_model_config(m);
    const int B = 2, N = 512, P = 32, T = 33, LH = c->num_decoder_layers * c->num_heads;
    float *x = malloc(sizeof(float) * B * N), *att = malloc(sizeof(float) * B * LH * P);
    cl_multisine ref, ms;
    cl_multisine_reference(&ref);
    cl_bolt_ms_input(c, &ref, &ms);
    cl_multisine_eval(&ms, NULL, x);
    for (int i = 0; i < N; i++) x[N + i] = x[i] * 2 + 1;
    cl_state *s;
    assert_int_equal(cl_state_new(m, &s, &err), 0);
    assert_int_equal(cl_bolt_ms_attention(s, x, B, N, att, &err), 0);
    cl_state_capture_all(s);
    assert_int_equal(cl_bolt_forward(s, x, B, N, &err), 0);
    int sh[5];
    const float *a = cl_state_attn(s, CL_CROSS, sh);
    assert_int_equal(sh[4], T);
    for (int b = 0; b < B; b++)
        for (int l = 0; l < c->num_decoder_layers; l++)
            for (int h = 0; h < c->num_heads; h++) {
                const float *want = a + (((size_t)l * B + b) * c->num_heads + h) * T;
                const float *got = att + (((size_t)b * c->num_decoder_layers + l) * c->num_heads + h) * P;
                assert_memory_equal(got, want, sizeof(float) * P);
            }
    /* instance norm: an affine copy of the series gives the same attention (to rounding) */
    assert_close("affine copy", att, att + (size_t)LH * P, (size_t)LH * P, 1e-5);
    cl_state_free(s);
    cl_model_free(m);
    free(x); free(att);
}

static void test_study_files(void **st) {
    (void)st;
    cl_error err;
    cl_multisine_opts o;
    cl_multisine_default(&o);
    o.permutations = 200;
    const char *dirs[1] = {RAND};
    cl_multisine_result r;
    if (cl_multisine_run(dirs, 1, &o, &r, &err)) fail_msg("%s", err.msg);
    assert_true(r.bolt && r.stride == 16 && r.sig_points == 32 && r.opts.input.points == 512);
    const cl_multisine_model *x = &r.res[0];
    assert_int_equal(x->layers * x->heads, 12);
    for (int i = 0; i < 12; i++) {
        double s = 0;
        for (int j = 0; j < 32; j++) s += x->arr.attn[(size_t)i * 32 + j];
        assert_true(s > 0 && s < 1 + 1e-5); /* [REG] holds the rest of the attention */
        assert_true(x->ind[i] >= 0 && x->ind[i] <= 1);
    }
    char dir[512];
    snprintf(dir, sizeof dir, "%s/bolt-ms", test_tmpdir());
    assert_int_equal(run_cmd("mkdir -p '%s'", dir), 0);
    assert_int_equal(cl_multisine_write(&r, dir, &err), 0);
    cl_multisine_result b;
    if (cl_multisine_read(dir, &b, &err)) fail_msg("%s", err.msg);
    assert_true(b.bolt && b.sig_points == 32 && b.opts.input.points == 512);
    assert_memory_equal(b.res[0].arr.mag, x->arr.mag, sizeof(double) * 12 * 32);
    assert_memory_equal(b.series, r.series, sizeof(double) * 512);
    cl_multisine_free(&b);
    char p[700];
    snprintf(p, sizeof p, "%s/multisine.json", dir);
    cJSON *j = read_json(p);
    const cJSON *in = cJSON_GetObjectItem(j, "input");
    assert_string_equal(cJSON_GetObjectItem(in, "family")->valuestring, "bolt");
    assert_float_equal(cJSON_GetObjectItem(in, "patch_nyquist_hz")->valuedouble, 301 / 6.0, 1e-9);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(in, "aliased")), 0);
    cJSON_Delete(j);
    cl_multisine_free(&r);
    /* one family per run */
    const char *mixed[2] = {RAND, T5};
    assert_int_equal(cl_multisine_run(mixed, 2, &o, &r, &err), CL_EINVAL);
    assert_non_null(strstr(err.msg, "run the families separately"));
}

/* the multisine sweep on Bolt: the same configurations at the patch rate, signals of P
 * patches, the files read back */
static void test_sweep(void **st) {
    (void)st;
    cl_error err;
    cl_mssweep_opts o;
    cl_mssweep_default(&o);
    o.configs = 3;
    o.permutations = 100;
    cl_mssweep_result r;
    if (cl_mssweep_run(RAND, &o, &r, &err)) fail_msg("%s", err.msg);
    assert_true(r.bolt && r.sig_points == 32 && r.opts.base.points == 512);
    assert_float_equal(r.opts.base.duration, 512 * 3.0 / (301 * 16), 1e-12);
    assert_int_equal(r.G, 12);
    assert_int_equal(r.rows[CL_MSS_ALL].pairs, 36);
    char dir[512];
    snprintf(dir, sizeof dir, "%s/bolt-mss", test_tmpdir());
    assert_int_equal(run_cmd("mkdir -p '%s'", dir), 0);
    assert_int_equal(cl_mssweep_write(&r, dir, &err), 0);
    cl_mssweep_result b;
    if (cl_mssweep_read(dir, &b, &err)) fail_msg("%s", err.msg);
    assert_true(b.bolt && b.sig_points == 32);
    for (int i = 0; i < 36; i++) assert_int_equal(b.h[i].sp.periodic, r.h[i].sp.periodic);
    cl_mssweep_free(&b);
    cl_mssweep_free(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_input_and_aliases),
        cmocka_unit_test(test_attention_signal),
        cmocka_unit_test(test_study_files),
        cmocka_unit_test(test_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
