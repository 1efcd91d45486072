/* test_tokenizer.c — MeanScaleUniformBins edge cases (method.md §1). */
#include "testutil.h"
#include "model/init.h"

#include <math.h>
#include <stdlib.h>

static cl_config cfg;

static int setup(void **st) {
    (void)st;
    cl_error err;
    return cl_config_preset("tiny", &cfg, &err);
}

typedef struct { int32_t ids[1024]; uint8_t mask[1024]; float scale; int T; } tok;

static tok encode1(const float *x, int L) {
    tok t;
    cl_error err;
    t.T = cl_tokenizer_length(&cfg, L);
    assert_int_equal(cl_tokenizer_encode(&cfg, x, 1, L, t.ids, t.mask, &t.scale, &err), 0);
    return t;
}

static void test_known_centers(void **st) {
    (void)st;
    /* torch.linspace(-15, 15, 4093) values, bit for bit (it is not symmetric) */
    assert_true(cl_tokenizer_center(&cfg, 2049) == -1.4901161193847656e-08f);
    assert_true(cl_tokenizer_center(&cfg, 2185) == 0.9970674514770508f);
    assert_true(cl_tokenizer_center(&cfg, 1913) == -0.997067391872406f);
    /* 1.0 and -1.0 encode to 2185 and 1913 (decode gives the next-lower center) */
    float one[2] = {1.0f, -1.0f};
    int32_t ids[3];
    uint8_t mask[3];
    float scale;
    cl_error err;
    cl_config noscale = cfg;
    assert_int_equal(cl_tokenizer_encode(&noscale, one, 1, 2, ids, mask, &scale, &err), 0);
    assert_int_equal(ids[0], 2185);
    assert_int_equal(ids[1], 1913);
    assert_float_equal(cl_tokenizer_center(&cfg, 1910), -1.019, 1e-3);
    assert_float_equal(cl_tokenizer_center(&cfg, 2187), 1.012, 1e-3);
    /* ids below the first center clamp to it, as decode does */
    assert_true(cl_tokenizer_center(&cfg, 0) == -15.0f);
    assert_true(cl_tokenizer_center(&cfg, 4095) == 15.0f);
}

static void test_constant_series(void **st) {
    (void)st;
    float x[8] = {3, 3, 3, 3, 3, 3, 3, 3}, y[8] = {-2, -2, -2, -2, -2, -2, -2, -2};
    tok t = encode1(x, 8);
    assert_int_equal(t.T, 9);
    assert_true(t.scale == 3.0f);
    for (int i = 0; i < 8; i++) { assert_int_equal(t.ids[i], 2185); assert_int_equal(t.mask[i], 1); }
    assert_int_equal(t.ids[8], 1);
    assert_int_equal(t.mask[8], 1);
    t = encode1(y, 8);
    assert_true(t.scale == 2.0f);
    for (int i = 0; i < 8; i++) assert_int_equal(t.ids[i], 1913);
}

static void test_all_nan(void **st) {
    (void)st;
    float x[5] = {NAN, NAN, NAN, NAN, NAN};
    tok t = encode1(x, 5);
    assert_true(t.scale == 1.0f);
    for (int i = 0; i < 5; i++) { assert_int_equal(t.ids[i], 0); assert_int_equal(t.mask[i], 0); }
    assert_int_equal(t.ids[5], 1);
    assert_int_equal(t.mask[5], 1);
}

static void test_all_zero(void **st) {
    (void)st;
    float x[4] = {0, 0, 0, 0};
    tok t = encode1(x, 4);
    assert_true(t.scale == 1.0f);
    for (int i = 0; i < 4; i++) { assert_int_equal(t.ids[i], 2049); assert_int_equal(t.mask[i], 1); }
}

static void test_left_padding(void **st) {
    (void)st;
    float x[6] = {NAN, NAN, 1, -1, 1, -1};
    tok t = encode1(x, 6);
    assert_true(t.scale == 1.0f); /* mean over observed values only */
    assert_int_equal(t.ids[0], 0);
    assert_int_equal(t.mask[1], 0);
    assert_int_equal(t.ids[2], 2185);
    assert_int_equal(t.ids[3], 1913);
    assert_int_equal(t.mask[2], 1);
}

static void test_truncation(void **st) {
    (void)st;
    int L = 600;
    float *x = malloc(sizeof(float) * L);
    for (int i = 0; i < L; i++) x[i] = i < L - 512 ? 1e6f : 2.0f;
    tok t = encode1(x, L);
    assert_int_equal(t.T, 513);
    assert_true(t.scale == 2.0f); /* the dropped head does not count */
    for (int i = 0; i < 512; i++) assert_int_equal(t.ids[i], 2185);
    assert_int_equal(t.ids[512], 1);
    free(x);
}

static void test_infinities(void **st) {
    (void)st;
    /* |inf| makes the scale inf: finite values -> 0.0 (2049); inf/inf = NaN lands in the
     * last bucket and clamps to n_tokens - 1, as torch.bucketize does */
    float x[4] = {1, INFINITY, 1, -INFINITY};
    tok t = encode1(x, 4);
    assert_true(isinf(t.scale));
    assert_int_equal(t.ids[0], 2049);
    assert_int_equal(t.ids[1], 4095);
    assert_int_equal(t.ids[3], 4095);
    assert_int_equal(t.mask[1], 1);
}

static void test_beyond_limits(void **st) {
    (void)st;
    float x[64];
    for (int i = 0; i < 64; i++) x[i] = 1;
    x[10] = 1000;  /* 1000 / scale ~ 60 > 15 */
    x[20] = -1000;
    tok t = encode1(x, 64);
    assert_int_equal(t.ids[10], 4095);
    assert_int_equal(t.ids[20], 3); /* above the -1e20 sentinel: first real bucket */
    float v[2];
    int32_t ids[2] = {t.ids[10], t.ids[20]};
    cl_tokenizer_decode(&cfg, ids, 2, t.scale, v);
    assert_float_equal(v[0], 15 * t.scale, 1e-3);
    assert_float_equal(v[1], -15 * t.scale, 1e-3);
}

static void test_round_trip(void **st) {
    (void)st;
    float x[200], v[201];
    for (int i = 0; i < 200; i++) x[i] = 5 * sinf(i * 0.1f) + 0.3f * i;
    tok t = encode1(x, 200);
    cl_tokenizer_decode(&cfg, t.ids, 200, t.scale, v);
    float half_bin = 15.0f / 4092 * t.scale * 1.0001f;
    for (int i = 0; i < 200; i++) assert_true(fabsf(v[i] - x[i]) <= half_bin);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_centers), cmocka_unit_test(test_constant_series),
        cmocka_unit_test(test_all_nan),       cmocka_unit_test(test_all_zero),
        cmocka_unit_test(test_left_padding),  cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_infinities),    cmocka_unit_test(test_beyond_limits),
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
