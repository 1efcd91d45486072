/* test_bolt_multisine.c — the multisine study on Chronos-Bolt (method.md §4.2): the input at
 * the patch rate, the attention signal = the decoder query's cross-attention over the patches
 * ([REG] excluded) as cl_bolt_forward captures it, aliasing above the patch Nyquist, the files
 * read back, one family per run; a planted-period Bolt head detected at the right spacing. */
#include "testutil.h"
#include "study/multisine/bolt_multisine.h"
#include "study/multisine/multisine.h"
#include "core/core.h"
#include "io/safetensors.h"
#include "model/init.h"

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
    assert_int_equal(cl_model_load(RAND, NULL, &m, &err), 0);
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

/* ------------------------------------------------------------ planted-period Bolt head */

enum { PP_D = 8, PP_DK = 4, PP_H = 2, PP_HEAD = 1 };
#define PP_BETA 0.25f

/* A Chronos-Bolt checkpoint whose decoder cross-attention head PP_HEAD (layer 0) attends to
 * each patch as a smooth monotone function of the patch's mean value, so its attention over
 * the patches follows the series sampled at the patch rate: periodic wherever the series is.
 *  - the input block is its residual linear map only: dim 0 = 1, dim 1 = the mean of the
 *    patch's 16 (instance-normalised) values; [REG] and the decoder query = e_0;
 *  - encoder and decoder self-attention and feed-forward outputs are zero: the encoder
 *    output is (1, v_j, 0, ...) through the final RMS norm, i.e. dim 1 = v_j sqrt(8 / (1 + v_j^2));
 *  - cross head PP_HEAD: query = beta x dim 0 of the normalised query (sqrt 8), key = dim 1:
 *    score_j = 8 beta v_j / sqrt(1 + v_j^2) (0 on [REG]);
 *  - the other head has a zero query: uniform attention, a flat spectrum.
 * context_length 2048: 128 patches, a frequency bin of 1 / 1.276 s at the patch rate. */
static const char *bolt_planted_period(void) {
    static char dir[512];
    if (dir[0]) return dir;
    snprintf(dir, sizeof dir, "%s/bolt-planted-period", test_tmpdir());
    cl_config c;
    cl_error err;
    assert_int_equal(cl_config_preset("bolt-tiny", &c, &err), 0);
    c.d_model = PP_D; c.d_kv = PP_DK; c.num_heads = PP_H; c.d_ff = 8; c.num_layers = c.num_decoder_layers = 1;
    assert_int_equal(c.context_length, 2048);
    if (cl_checkpoint_init_random(dir, &c, 3, 0, NULL, &err)) fail_msg("%s", err.msg);
    char path[1024];
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    st_file f;
    if (st_open(path, &f, &err)) fail_msg("%s", err.msg);
    st_writer *w = st_writer_new();
    float **bufs = calloc((size_t)f.n, sizeof(float *));
    const int ps = c.patch_size;
    for (int i = 0; i < f.n; i++) {
        const st_tensor *t = &f.t[i];
        const size_t n = st_numel(t);
        float *b = bufs[i] = malloc(sizeof(float) * n);
        memcpy(b, t->data, sizeof(float) * n);
        const char *nm = t->name;
        if (strstr(nm, "layer_norm.weight")) for (size_t j = 0; j < n; j++) b[j] = 1;
        else if (!strcmp(nm, "shared.weight")) { /* (2, d): the decoder query and [REG] */
            memset(b, 0, sizeof(float) * n);
            b[0 * PP_D + 0] = b[1 * PP_D + 0] = 1;
        } else if (!strncmp(nm, "input_patch_embedding.", 22)) {
            memset(b, 0, sizeof(float) * n);
            if (!strcmp(nm, "input_patch_embedding.residual_layer.weight")) /* (d, 2 ps): values, then mask */
                for (int j = 0; j < ps; j++) b[1 * 2 * ps + j] = 1.0f / ps;
            if (!strcmp(nm, "input_patch_embedding.residual_layer.bias")) b[0] = 1;
        } else if (strstr(nm, "SelfAttention.o.weight") || strstr(nm, "DenseReluDense.wo.weight")) {
            memset(b, 0, sizeof(float) * n);
        } else if (!strcmp(nm, "decoder.block.0.layer.1.EncDecAttention.q.weight")) { /* (heads*d_kv, d) */
            memset(b, 0, sizeof(float) * n);
            b[(size_t)(PP_HEAD * PP_DK) * PP_D + 0] = PP_BETA;
        } else if (!strcmp(nm, "decoder.block.0.layer.1.EncDecAttention.k.weight")) {
            memset(b, 0, sizeof(float) * n);
            b[(size_t)(PP_HEAD * PP_DK) * PP_D + 1] = 1;
        }
        st_writer_add(w, nm, ST_F32, t->ndim, t->shape, b);
    }
    if (st_writer_save(w, path, "pt", &err)) fail_msg("%s", err.msg);
    st_writer_free(w);
    for (int i = 0; i < f.n; i++) free(bufs[i]);
    free(bufs);
    st_close(&f);
    return dir;
}

/* The Bolt multisine study on the planted head: with the reference input (gaps 5, 10, 20 Hz)
 * it is periodic at the smallest gap, and with inputs of a known period of P patches
 * (harmonics of f0 = patch rate / P) at f0; the uniform head is flat and not periodic. */
static void test_planted_period(void **st) {
    (void)st;
    const char *dirs[1] = {bolt_planted_period()};
    cl_error err;
    const double rate = 301 / 3.0; /* patches per second: the reference's token rate */
    struct { int P, nh; } cases[3] = {{0, 4}, {8, 3}, {5, 2}}; /* P 0: the reference input */
    for (int q = 0; q < 3; q++) {
        cl_multisine_opts o;
        cl_multisine_default(&o);
        o.permutations = 100;
        double want = 5;
        if (cases[q].P) {
            want = rate / cases[q].P;
            o.input.n = cases[q].nh; /* f0, 2 f0, ...: all below the patch Nyquist rate / 2 */
            for (int k = 0; k < cases[q].nh; k++) {
                o.input.freqs[k] = want * (k + 1);
                o.input.amps[k] = 1.0 / (k + 1);
                o.input.phases[k] = 0.3 * k;
            }
        }
        cl_multisine_result r;
        if (cl_multisine_run(dirs, 1, &o, &r, &err)) fail_msg("%s", err.msg);
        assert_true(r.bolt && r.sig_points == 128);
        const double dur = r.opts.input.duration;
        assert_float_equal(128 / dur, rate, 1e-9); /* the signal's sample rate is the patch rate */
        const cl_multisine_model *x = &r.res[0];
        assert_int_equal(x->layers * x->heads, PP_H);
        const cl_ms_head *h = &x->h[PP_HEAD], *u = &x->h[1 - PP_HEAD];
        if (getenv("CL_TEST_VERBOSE"))
            print_message("P %d: planted head periodic %d, spacing %.4f Hz (want %.4f, %.3f patches), strength %.3f; "
                          "uniform head periodic %d, amplitude %.3g\n", cases[q].P, h->sp.periodic, h->sp.spacing_hz, want,
                          rate / h->sp.spacing_hz, h->sp.strength, u->sp.periodic, u->amplitude);
        if (!h->sp.periodic || fabs(h->sp.spacing_hz - want) > 1.0 / dur)
            fail_msg("P %d: planted head at %g Hz (periodic %d, strength %g), want %g +- %g", cases[q].P, h->sp.spacing_hz,
                     h->sp.periodic, h->sp.strength, want, 1.0 / dur);
        assert_false(u->sp.periodic);
        assert_true(u->amplitude < 1e-9 && h->amplitude > 1e-4);
        for (int j = 0; j < 128; j++) assert_float_equal(x->arr.attn[(size_t)(1 - PP_HEAD) * 128 + j], 1.0 / 129, 1e-6);
        assert_int_equal(x->periodic, 1);
        assert_int_equal(x->matching, 1); /* at the smallest gap of the input, +- 1 / duration */
        cl_multisine_free(&r);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_input_and_aliases),
        cmocka_unit_test(test_attention_signal),
        cmocka_unit_test(test_study_files),
        cmocka_unit_test(test_sweep),
        cmocka_unit_test(test_planted_period),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
