/* test_loader.c — checkpoint variants: sharded files, fp16/bf16 widening, presets' shapes. */
#include "testutil.h"
#include "core/core.h"
#include "model/init.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SMALL CL_FIXTURES "/rand-small"

/* logits of the rand-small golden inputs (first series, decoder start only) for a model dir */
static float *logits_of(const char *dir, size_t *n) {
    cl_error err;
    cl_model *m;
    if (cl_model_load(dir, NULL, &m, &err)) fail_msg("%s", err.msg);
    const cl_config *c = cl_model_config(m);
    int32_t ids[5] = {2000, 2100, 2050, 1990, 1};
    uint8_t mask[5] = {1, 1, 1, 1, 1};
    int32_t dec[2] = {0, 2049};
    cl_state *s;
    assert_int_equal(cl_state_new(m, &s, &err), 0);
    assert_int_equal(cl_encode(s, ids, mask, 1, 5, &err), 0);
    assert_int_equal(cl_decode(s, dec, 2, 0, &err), 0);
    *n = 2 * (size_t)c->vocab_size;
    float *out = malloc(sizeof(float) * *n);
    memcpy(out, cl_state_logits(s, NULL, NULL, NULL), sizeof(float) * *n);
    cl_state_free(s);
    cl_model_free(m);
    return out;
}

static const char *copy_config(const char *tag) {
    static char dir[512];
    snprintf(dir, sizeof dir, "%s/%s", test_tmpdir(), tag);
    assert_int_equal(run_cmd("mkdir -p '%s' && cp " SMALL "/config.json '%s/'", dir, dir), 0);
    return dir;
}

/* Writes the fixture's tensors converted by conv (NULL: as is) into dir, split in nshards. */
static void write_variant(const char *dir, int nshards, st_dtype dtype) {
    st_file f;
    cl_error err;
    if (st_open(SMALL "/model.safetensors", &f, &err)) fail_msg("%s", err.msg);
    void **bufs = calloc((size_t)f.n, sizeof(void *));
    FILE *idx = NULL;
    char path[1024];
    if (nshards > 1) {
        snprintf(path, sizeof path, "%s/model.safetensors.index.json", dir);
        idx = fopen(path, "w");
        fprintf(idx, "{\"metadata\": {}, \"weight_map\": {");
    }
    for (int k = 0; k < nshards; k++) {
        st_writer *w = st_writer_new();
        for (int i = k; i < f.n; i += nshards) {
            const st_tensor *t = &f.t[i];
            size_t n = st_numel(t);
            const float *src = t->data;
            void *data = (void *)t->data;
            if (dtype != ST_F32) {
                uint16_t *h = malloc(2 * n + 2);
                for (size_t j = 0; j < n; j++) {
                    if (dtype == ST_BF16) h[j] = cl_f32_to_bf16(src[j]);
                    else { _Float16 v = (_Float16)src[j]; memcpy(&h[j], &v, 2); }
                }
                data = bufs[i] = h;
            }
            st_writer_add(w, t->name, dtype, t->ndim, t->shape, data);
            if (idx) fprintf(idx, "%s\"%s\": \"model-%05d-of-%05d.safetensors\"", i ? ", " : "", t->name, k + 1, nshards);
        }
        if (nshards > 1) snprintf(path, sizeof path, "%s/model-%05d-of-%05d.safetensors", dir, k + 1, nshards);
        else snprintf(path, sizeof path, "%s/model.safetensors", dir);
        assert_int_equal(st_writer_save(w, path, "pt", &err), 0);
        st_writer_free(w);
    }
    if (idx) { fprintf(idx, "}}\n"); fclose(idx); }
    for (int i = 0; i < f.n; i++) free(bufs[i]);
    free(bufs);
    st_close(&f);
}

static void test_sharded_equals_single(void **st) {
    (void)st;
    const char *dir = copy_config("shards");
    write_variant(dir, 3, ST_F32);
    size_t n;
    float *a = logits_of(SMALL, &n), *b = logits_of(dir, &n);
    assert_memory_equal(a, b, n * sizeof(float)); /* same weights, same arithmetic */
    free(a);
    free(b);
}

/* A half-precision file gives exactly the logits of an fp32 file holding the same
 * (rounded) values: widening is exact and happens once, at load. */
static void check_half(st_dtype dt, const char *tag) {
    char half[512], wide[600];
    snprintf(half, sizeof half, "%s", copy_config(tag));
    write_variant(half, 1, dt);
    /* fp32 copy of the rounded weights: load the half model's tensors and write them wide */
    snprintf(wide, sizeof wide, "%s-wide", half);
    assert_int_equal(run_cmd("mkdir -p '%s' && cp '%s/config.json' '%s/'", wide, half, wide), 0);
    st_file f;
    cl_error err;
    char path[1024];
    snprintf(path, sizeof path, "%s/model.safetensors", half);
    if (st_open(path, &f, &err)) fail_msg("%s", err.msg);
    st_writer *w = st_writer_new();
    float **bufs = calloc((size_t)f.n, sizeof(float *));
    for (int i = 0; i < f.n; i++) {
        size_t n = st_numel(&f.t[i]);
        bufs[i] = malloc(4 * n + 4);
        const uint16_t *h = f.t[i].data;
        for (size_t j = 0; j < n; j++) bufs[i][j] = dt == ST_BF16 ? cl_bf16_to_f32(h[j]) : cl_f16_to_f32(h[j]);
        st_writer_add(w, f.t[i].name, ST_F32, f.t[i].ndim, f.t[i].shape, bufs[i]);
    }
    snprintf(path, sizeof path, "%s/model.safetensors", wide);
    assert_int_equal(st_writer_save(w, path, "pt", &err), 0);
    st_writer_free(w);
    for (int i = 0; i < f.n; i++) free(bufs[i]);
    free(bufs);
    st_close(&f);
    size_t n;
    float *a = logits_of(half, &n), *b = logits_of(wide, &n), *ref = logits_of(SMALL, &n);
    assert_memory_equal(a, b, n * sizeof(float));
    /* and close to the unrounded model (half precision perturbs the weights a little) */
    assert_true(max_abs_diff(a, ref, n) < (dt == ST_BF16 ? 0.5 : 0.05));
    cl_model *m;
    assert_int_equal(cl_model_load(half, NULL, &m, &err), 0);
    assert_string_equal(cl_model_dtype(m), dt == ST_BF16 ? "BF16" : "F16");
    assert_true(cl_model_owned_bytes(m) > 0); /* widened copies */
    cl_model_free(m);
    free(a); free(b); free(ref);
}

static void test_f16(void **st) { (void)st; check_half(ST_F16, "f16"); }
static void test_bf16(void **st) { (void)st; check_half(ST_BF16, "bf16"); }

static void test_f16_conversion(void **st) {
    (void)st;
    assert_true(cl_f16_to_f32(0x3C00) == 1.0f);
    assert_true(cl_f16_to_f32(0xC000) == -2.0f);
    assert_true(cl_f16_to_f32(0x7BFF) == 65504.0f);
    assert_true(cl_f16_to_f32(0x0001) == 5.9604644775390625e-8f); /* smallest subnormal */
    assert_true(cl_f16_to_f32(0x03FF) == 6.097555160522461e-5f);  /* largest subnormal */
    assert_true(isinf(cl_f16_to_f32(0x7C00)));
    assert_true(isnan(cl_f16_to_f32(0x7E00)));
    assert_true(cl_bf16_to_f32(0x3F80) == 1.0f);
    assert_int_equal(cl_f32_to_bf16(1.0f), 0x3F80);
    assert_int_equal(cl_f32_to_bf16(1.00390625f), 0x3F80); /* tie to even */
}

static void test_f32_in_place(void **st) {
    (void)st;
    cl_error err;
    cl_model *m;
    assert_int_equal(cl_model_load(SMALL, NULL, &m, &err), 0);
    assert_int_equal(cl_model_owned_bytes(m), 0); /* no second copy of fp32 weights */
    assert_string_equal(cl_model_dtype(m), "F32");
    cl_model_free(m);
}

/* A checkpoint truncated while a model has it mapped (another process rewriting it in
 * place): the next pass fails with an error naming the file, not a Bus error, and the
 * model can still be freed */
static void test_truncated_under_run(void **st) {
    (void)st;
    const char *dir = copy_config("truncated");
    char path[600];
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    assert_int_equal(run_cmd("cp " SMALL "/model.safetensors '%s'", path), 0);
    cl_error err = {0};
    cl_model *m;
    cl_state *s;
    if (cl_model_load(dir, NULL, &m, &err)) fail_msg("%s", err.msg);
    assert_int_equal(cl_state_new(m, &s, &err), 0);
    int32_t ids[5] = {2000, 2100, 2050, 1990, 1}, dec[2] = {0, 2049};
    uint8_t mask[5] = {1, 1, 1, 1, 1};
    assert_int_equal(cl_encode(s, ids, mask, 1, 5, &err), 0); /* whole: fine */
    assert_int_equal(truncate(path, 0), 0);
    int rc = cl_encode(s, ids, mask, 1, 5, &err);
    if (!rc) rc = cl_decode(s, dec, 2, 0, &err);
    assert_int_equal(rc, CL_EIO);
    if (!strstr(err.msg, path) || !strstr(err.msg, "truncated")) fail_msg("error does not name the file: %s", err.msg);
    assert_int_equal(cl_decode(s, dec, 2, 0, &err), CL_EIO); /* and stays so */
    cl_state_free(s);
    cl_model_free(m);
}

static void test_preset_shapes(void **st) {
    (void)st;
    /* parameter counts of the published checkpoints (method.md table); mini has
     * heads x d_kv = 512 != d_model = 384 */
    const char *sizes[2] = {"tiny", "mini"};
    const size_t want[2] = {8394496, 20456192};
    for (int i = 0; i < 2; i++) {
        cl_config c;
        cl_error err;
        char dir[512];
        assert_int_equal(cl_config_preset(sizes[i], &c, &err), 0);
        snprintf(dir, sizeof dir, "%s/init-%s", test_tmpdir(), sizes[i]);
        assert_int_equal(cl_checkpoint_init_random(dir, &c, 7, 0, NULL, &err), 0);
        cl_model *m;
        if (cl_model_load(dir, NULL, &m, &err)) fail_msg("%s", err.msg);
        assert_int_equal(cl_model_param_count(m), want[i]);
        cl_model_free(m);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sharded_equals_single), cmocka_unit_test(test_f16),
        cmocka_unit_test(test_bf16),                  cmocka_unit_test(test_f16_conversion),
        cmocka_unit_test(test_f32_in_place),          cmocka_unit_test(test_preset_shapes),
        cmocka_unit_test(test_truncated_under_run),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    run_cmd("rm -rf '%s'", test_tmpdir());
    return rc;
}
