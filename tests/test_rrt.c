/* test_rrt.c — repeated-random-token batches and the row-captured induction scores. */
#include "testutil.h"
#include "study/common/rrt.h"
#include "model/init.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void test_band_standard_vocab(void **st) {
    (void)st;
    cl_config c;
    cl_error err;
    assert_int_equal(cl_config_preset("small", &c, &err), 0);
    int lo, hi;
    assert_int_equal(cl_rrt_token_band(&c, &lo, &hi, &err), 0);
    assert_int_equal(lo, 1910); /* method.md: 1910..2187 for the 4096-token vocabulary */
    assert_int_equal(hi, 2187);
}

static void test_make_layout(void **st) {
    (void)st;
    cl_config c;
    cl_error err;
    assert_int_equal(cl_config_preset("tiny", &c, &err), 0);
    cl_rrt_opts o;
    assert_int_equal(cl_rrt_default(&c, &o, &err), 0);
    o.batch = 7;
    o.reps = 3;
    o.seq_len = 6;
    int T = cl_rrt_enc_len(&o);
    assert_int_equal(T, 20);
    int32_t enc[7 * 20], dec[14];
    uint8_t mask[7 * 20];
    assert_int_equal(cl_rrt_make(&c, &o, enc, mask, dec, &err), 0);
    for (int b = 0; b < 7; b++) {
        int32_t *e = enc + b * T;
        for (int t = 0; t < 6; t++) {
            assert_true(e[t] >= 1910 && e[t] <= 2187);
            assert_int_equal(e[t + 6], e[t]);
            assert_int_equal(e[t + 12], e[t]);
        }
        assert_int_equal(e[18], e[0]);
        assert_int_equal(e[19], 1);
        assert_int_equal(dec[2 * b], 0);
        assert_int_equal(dec[2 * b + 1], e[1]);
        assert_int_equal(e[cl_rrt_pos_m(&o)], e[1]); /* m is an earlier occurrence of s_1 */
        for (int t = 0; t < T; t++) assert_int_equal(mask[b * T + t], 1);
    }
    /* deterministic in the seed, different across seeds */
    int32_t enc2[7 * 20], dec2[14];
    assert_int_equal(cl_rrt_make(&c, &o, enc2, mask, dec2, &err), 0);
    assert_memory_equal(enc, enc2, sizeof enc);
    o.seed = 1;
    assert_int_equal(cl_rrt_make(&c, &o, enc2, mask, dec2, &err), 0);
    assert_memory_not_equal(enc, enc2, sizeof enc);
    o.reps = 1;
    assert_int_not_equal(cl_rrt_make(&c, &o, enc2, mask, dec2, &err), 0);
}

/* The one-row capture gives the same numbers as the full maps of a plain forward pass. */
static void test_scores_match_full_capture(void **st) {
    (void)st;
    cl_error err;
    cl_model *m;
    if (cl_model_load(CL_FIXTURES "/rand-small", NULL, &m, &err)) fail_msg("%s", err.msg);
    const cl_config *c = cl_model_config(m);
    cl_rrt_opts o;
    assert_int_equal(cl_rrt_default(c, &o, &err), 0);
    o.batch = 5;
    o.seed = 42;
    cl_state *s;
    assert_int_equal(cl_state_new(m, &s, &err), 0);
    cl_rrt_scores sc;
    if (cl_rrt_cross_scores(s, &o, &sc, &err)) fail_msg("%s", err.msg);
    assert_int_equal(sc.layers, c->num_decoder_layers);
    assert_int_equal(sc.heads, c->num_heads);

    int T = cl_rrt_enc_len(&o), B = o.batch, mpos = cl_rrt_pos_m(&o);
    int32_t *enc = malloc(sizeof(int32_t) * B * T), dec[10];
    uint8_t *mask = malloc((size_t)B * T);
    assert_int_equal(cl_rrt_make(c, &o, enc, mask, dec, &err), 0);
    cl_state_capture_all(s);
    assert_int_equal(cl_encode(s, enc, mask, B, T, &err), 0);
    assert_int_equal(cl_decode(s, dec, 2, 0, &err), 0);
    int shape[5];
    const float *a = cl_state_attn(s, CL_CROSS, shape); /* (nl, B, H, 2, T) */
    const int H = shape[2];
    for (int l = 0; l < shape[0]; l++)
        for (int h = 0; h < H; h++) {
            double cur = 0, right = 0, cur2 = 0;
            for (int b = 0; b < B; b++) {
                const float *row = a + ((((size_t)l * B + b) * H + h) * 2 + 1) * T;
                cur += row[mpos];
                cur2 += (double)row[mpos] * row[mpos];
                right += row[mpos + 1];
            }
            assert_float_equal(sc.cur_mean[l * H + h], cur / B, 1e-6);
            assert_float_equal(sc.right_mean[l * H + h], right / B, 1e-6);
            double var = (cur2 - cur * cur / B) / (B - 1);
            assert_float_equal(sc.cur_std[l * H + h], sqrt(var > 0 ? var : 0), 1e-5);
        }
    cl_rrt_scores_free(&sc);
    free(enc);
    free(mask);
    cl_state_free(s);
    cl_model_free(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_band_standard_vocab),
        cmocka_unit_test(test_make_layout),
        cmocka_unit_test(test_scores_match_full_capture),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
