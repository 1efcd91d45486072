/* test_relpos.c — T5 relative position buckets against method.md's grid and HF's rules. */
#include "testutil.h"

static void test_bidirectional_grid(void **st) {
    (void)st;
    /* method.md: bidirectional, 32 buckets, max 128, 10x10 grid (rel = key - query) */
    static const int row0[10] = {0, 17, 18, 19, 20, 21, 22, 23, 24, 24};
    static const int row9[10] = {8, 8, 7, 6, 5, 4, 3, 2, 1, 0};
    for (int j = 0; j < 10; j++) {
        assert_int_equal(cl_relative_bucket(j - 0, 1, 32, 128), row0[j]);
        assert_int_equal(cl_relative_bucket(j - 9, 1, 32, 128), row9[j]);
    }
}

static void test_causal(void **st) {
    (void)st;
    /* decoder: future keys (rel > 0) share bucket 0; the past is exact below 16 */
    assert_int_equal(cl_relative_bucket(5, 0, 32, 128), 0);
    assert_int_equal(cl_relative_bucket(0, 0, 32, 128), 0);
    for (int n = 1; n < 16; n++) assert_int_equal(cl_relative_bucket(-n, 0, 32, 128), n);
    /* logarithmic part: 16 + log(n/16)/log(8) * 16, clamped to 31 */
    assert_int_equal(cl_relative_bucket(-16, 0, 32, 128), 16);
    assert_int_equal(cl_relative_bucket(-32, 0, 32, 128), 21);
    assert_int_equal(cl_relative_bucket(-64, 0, 32, 128), 26);
    assert_int_equal(cl_relative_bucket(-127, 0, 32, 128), 31);
    assert_int_equal(cl_relative_bucket(-128, 0, 32, 128), 31);
    assert_int_equal(cl_relative_bucket(-100000, 0, 32, 128), 31);
}

static void test_bidirectional_far_and_other_sizes(void **st) {
    (void)st;
    assert_int_equal(cl_relative_bucket(-1000, 1, 32, 128), 15);
    assert_int_equal(cl_relative_bucket(1000, 1, 32, 128), 31);
    /* other bucket counts and distances: monotone in |rel| and inside [0, nb) */
    int sizes[][2] = {{8, 20}, {16, 64}, {64, 256}, {128, 512}};
    for (int s = 0; s < 4; s++)
        for (int bi = 0; bi < 2; bi++) {
            int prev = -1;
            for (int n = 0; n < 2000; n++) {
                int b = cl_relative_bucket(-n, bi, sizes[s][0], sizes[s][1]);
                assert_true(b >= 0 && b < sizes[s][0]);
                assert_true(b >= prev);
                prev = b;
            }
        }
    /* 64 buckets, max 256: half exact (bidirectional: 16 exact per side) */
    assert_int_equal(cl_relative_bucket(15, 1, 64, 256), 32 + 15);
    assert_int_equal(cl_relative_bucket(-15, 1, 64, 256), 15);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bidirectional_grid),
        cmocka_unit_test(test_causal),
        cmocka_unit_test(test_bidirectional_far_and_other_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
