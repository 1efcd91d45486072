/* test_parse.c — list and range option values: what is accepted, and every kind of
 * malformed value rejected (the fuzz target fuzz_options checks the invariants at random). */
#include "testutil.h"
#include "chronolens.h"

#include <float.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

static void test_double_list_ok(void **st) {
    (void)st;
    double v[8];
    int n = -1;
    assert_int_equal(cl_parse_double_list("5,10,20", 0, 100, v, 8, &n), 0);
    assert_int_equal(n, 3);
    assert_true(v[0] == 5 && v[1] == 10 && v[2] == 20);
    assert_int_equal(cl_parse_double_list(" 0.1 , 0.5,0.9 ", 0, 1, v, 8, &n), 0);
    assert_int_equal(n, 3);
    assert_true(v[0] == 0.1 && v[1] == 0.5 && v[2] == 0.9);
    assert_int_equal(cl_parse_double_list("-1e-3", -1, 1, v, 1, &n), 0);
    assert_int_equal(n, 1);
    assert_true(v[0] == -1e-3);
    /* bounds are inclusive */
    assert_int_equal(cl_parse_double_list("0,1", 0, 1, v, 2, &n), 0);
}

static void test_double_list_bad(void **st) {
    (void)st;
    static const char *bad[] = {"", " ", ",", "1,", ",1", "1,,2", "1 2", "1;2", "abc", "1x",
                                "nan", "inf", "-inf", "1,nan", "1e999", "0.5,2", "-0.1", "1,2,3"};
    double v[2];
    int n;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (cl_parse_double_list(bad[i], 0, 1, v, 2, &n) == 0) fail_msg("accepted '%s'", bad[i]);
    assert_int_equal(cl_parse_double_list(NULL, 0, 1, v, 2, &n), -1);
    assert_int_equal(cl_parse_double_list("1", 0, 1, v, 0, &n), -1);
}

static void test_long_list(void **st) {
    (void)st;
    long v[4];
    int n;
    assert_int_equal(cl_parse_long_list("3, -2,7", -5, 10, v, 4, &n), 0);
    assert_int_equal(n, 3);
    assert_true(v[0] == 3 && v[1] == -2 && v[2] == 7);
    static const char *bad[] = {"", "1.5", "1,", "--1", "+-1", "- 1", "11", "-6", "1,2,3,4,5",
                                "99999999999999999999999", "0x10"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (cl_parse_long_list(bad[i], -5, 10, v, 4, &n) == 0) fail_msg("accepted '%s'", bad[i]);
}

static void test_int_range(void **st) {
    (void)st;
    long a = 0, b = 0;
    assert_int_equal(cl_parse_int_range("1910:2187", 0, 10000, &a, &b), 0);
    assert_true(a == 1910 && b == 2187);
    assert_int_equal(cl_parse_int_range("-5:-2", -10, 0, &a, &b), 0);
    assert_true(a == -5 && b == -2);
    assert_int_equal(cl_parse_int_range("7:7", 0, 10, &a, &b), 0);
    assert_true(a == 7 && b == 7);
    assert_int_equal(cl_parse_int_range("0:10", 0, 10, &a, &b), 0);
    static const char *bad[] = {"", ":", "1:", ":2", "1", "1:2:3", "2:1", "1 :2", "1: 2", " 1:2",
                                "1:2 ", "a:b", "1.0:2", "-1:2", "0:11", "1:99999999999999999999999",
                                "1-2", "1,2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (cl_parse_int_range(bad[i], 0, 10, &a, &b) == 0) fail_msg("accepted '%s'", bad[i]);
    assert_int_equal(cl_parse_int_range(NULL, 0, 10, &a, &b), -1);
    char big[64];
    snprintf(big, sizeof big, "%ld:%ld", LONG_MIN, LONG_MAX);
    assert_int_equal(cl_parse_int_range(big, LONG_MIN, LONG_MAX, &a, &b), 0);
    assert_true(a == LONG_MIN && b == LONG_MAX);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_double_list_ok),
        cmocka_unit_test(test_double_list_bad),
        cmocka_unit_test(test_long_list),
        cmocka_unit_test(test_int_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
