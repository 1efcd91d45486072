/* test_metrics.c — season length, seasonal naive, MASE scale, quantile loss, and the
 * median forecaster's quantiles on a small random model. */
#include "testutil.h"
#include "study/forecast/median_forecast.h"
#include "study/forecast/metrics.h"

#include <math.h>
#include <stdlib.h>

static void test_season_and_naive(void **st) {
    (void)st;
    float x[96], f[10];
    for (int t = 0; t < 96; t++) x[t] = (float)(sin(2 * M_PI * t / 7.0) + 0.3 * sin(2 * M_PI * t / 3.5));
    assert_int_equal(cl_season_length(x, 96), 7);
    cl_seasonal_naive(x, 96, 7, 10, f);
    for (int t = 0; t < 10; t++) assert_true(f[t] == x[89 + t % 7]);
    float flat[40];
    for (int t = 0; t < 40; t++) flat[t] = 2.0f;
    assert_int_equal(cl_season_length(flat, 40), 1);
    assert_true(cl_mase_scale(flat, 40, 1) == 0);
    float ramp[5] = {0, 1, 3, 6, 10};
    assert_true(fabs(cl_mase_scale(ramp, 5, 1) - 2.5) < 1e-12);
    assert_true(fabs(cl_mase_scale(ramp, 5, 2) - 5.0) < 1e-12);
}

static void test_quantile_loss(void **st) {
    (void)st;
    const float lv[3] = {0.1f, 0.5f, 0.9f}, y[2] = {1, 3};
    float exact[6] = {1, 1, 1, 3, 3, 3}, q[6] = {0, 1, 2, 3, 3, 3};
    assert_true(cl_quantile_loss(y, exact, 2, lv, 3) == 0);
    /* y = 1: q = 0 under-forecast at 0.1 -> 2 * 0.1 * 1; q = 2 over-forecast at 0.9 -> 2 * 0.1 * 1 */
    assert_true(fabs(cl_quantile_loss(y, q, 2, lv, 3) - 0.4) < 1e-6);
    const float f2[2] = {0.5f, 4};
    assert_true(cl_abs_error(y, f2, 2) == 1.5);
}

static void test_median_forecast(void **st) {
    (void)st;
    cl_model *m;
    cl_error err;
    if (cl_model_load(CL_FIXTURES "/rand-small", NULL, &m, &err)) fail_msg("%s", err.msg);
    cl_state *s;
    assert_int_equal(cl_state_new(m, &s, &err), 0);
    enum { B = 2, L = 30, H = 4, NQ = 3 };
    float ctx[B * L], q[B * H * NQ], med[B * H];
    const float lv[NQ] = {0.1f, 0.5f, 0.9f};
    for (int i = 0; i < B * L; i++) ctx[i] = (float)(10 + sin(i * 0.7));
    assert_int_equal(cl_median_forecast(s, ctx, B, L, H, lv, NQ, q, med, &err), 0);
    for (int i = 0; i < B * H; i++) {
        assert_true(q[i * NQ] <= q[i * NQ + 1] && q[i * NQ + 1] <= q[i * NQ + 2]);
        assert_true(q[i * NQ + 1] == med[i]);
        assert_true(isfinite(med[i]));
    }
    /* a random model's next-step distribution is wide: the 10-90% band is not empty */
    assert_true(q[2] > q[0]);
    cl_state_free(s);
    cl_model_free(m);
}

int main(void) {
    cl_set_threads(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_season_and_naive),
        cmocka_unit_test(test_quantile_loss),
        cmocka_unit_test(test_median_forecast),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
