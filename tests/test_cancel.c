/* test_cancel.c — cl_progress: a non-zero answer of its fn stops a run at the next progress
 * point with CL_ECANCELED "<stage>: cancelled" (studies, relays into sub-runs, forecasting,
 * an engine pass, whose state then holds nothing half-run); a callback answering 0 never
 * cancels. */
#include "testutil.h"
#include "chronolens_study.h"

#include <string.h>

#define NANO CL_FIXTURES "/../../models/chronos-nano"

static cl_model *M;

static int setup(void **st) {
    (void)st;
    cl_error err;
    if (cl_model_load(NANO, NULL, &M, &err)) { print_error("%s\n", err.msg); return -1; }
    return 0;
}
static int teardown(void **st) { (void)st; cl_model_free(M); return 0; }

/* counts reports; answers "stop" from call number stop_at on (0: never) */
typedef struct { int calls, stop_at; } counter;

static int count(void *ctx, const char *stage, double done, double total) {
    (void)stage; (void)done; (void)total;
    counter *c = ctx;
    return ++c->calls >= c->stop_at && c->stop_at > 0;
}

static cl_induction_opts induction_opts(int seeds) {
    cl_induction_opts o;
    cl_error err;
    assert_int_equal(cl_induction_default(cl_model_config(M), &o, &err), 0);
    o.rrt.batch = 4;
    o.seeds = seeds;
    o.strict = 0;
    return o;
}

static void test_induction_cancel(void **st) {
    (void)st;
    cl_error err = {0};
    cl_induction_result r;
    /* the run stops at the third point */
    counter c = {.stop_at = 3};
    cl_induction_opts o = induction_opts(1000);
    o.progress = (cl_progress){.fn = count, .ctx = &c};
    assert_int_equal(cl_induction_run(M, &o, &r, &err), CL_ECANCELED);
    assert_int_equal(err.code, CL_ECANCELED);
    assert_string_equal(err.msg, "induction: cancelled");
    assert_int_equal(c.calls, 3); /* not the 1001 points of the whole run */
    /* a callback answering 0 throughout: the run completes */
    counter g = {0};
    o = induction_opts(3);
    o.progress = (cl_progress){.fn = count, .ctx = &g};
    assert_int_equal(cl_induction_run(M, &o, &r, &err), 0);
    assert_int_equal(g.calls, 4); /* 0 of 3, then one per seed */
    cl_induction_free(&r);
}

static void test_sweep_cancel_within_a_cell(void **st) {
    (void)st;
    cl_error err = {0};
    /* one cell of 1000 seeds: the sweep's own points are before and after the cell, so only
     * the relay into the cell's run can stop it early */
    const int reps[1] = {2}, lens[1] = {4};
    cl_sweep_opts o = {.base = induction_opts(1000), .n_reps = 1, .n_lens = 1, .reps = reps, .lens = lens};
    counter c = {.stop_at = 5};
    o.base.progress = (cl_progress){.fn = count, .ctx = &c};
    cl_sweep_result r;
    assert_int_equal(cl_sweep_run(M, &o, &r, &err), CL_ECANCELED);
    assert_string_equal(err.msg, "induction: cancelled");
    assert_int_equal(c.calls, 5);
}

static void test_forecast_cancel(void **st) {
    (void)st;
    cl_error err = {0};
    enum { B = 3, L = 40, H = 24, S = 4 };
    float values[B * L];
    for (int i = 0; i < B * L; i++) values[i] = (float)(i % 9);
    cl_context ctx = {.values = values, .B = B, .L = L};
    cl_forecast_study_opts o;
    cl_forecast_study_default(&o);
    o.horizon = H;
    o.samples = S;
    o.temperature = 1.0;
    o.top_k = 50;
    o.top_p = 1.0;
    o.have_seed = 1;
    o.seed = 9;
    o.batch = 1;
    cl_forecast_result r;
    counter c = {.stop_at = 2};
    o.progress = (cl_progress){.fn = count, .ctx = &c};
    assert_int_equal(cl_forecast_study_run(M, &ctx, &o, &r, &err), CL_ECANCELED);
    assert_string_equal(err.msg, "forecast: cancelled");
    assert_int_equal(c.calls, 2); /* a decoder step each */
    counter n = {0};
    o.progress = (cl_progress){.fn = count, .ctx = &n};
    assert_int_equal(cl_forecast_study_run(M, &ctx, &o, &r, &err), 0);
    assert_int_equal(n.calls, B * H); /* every decoder step of every series */
    cl_forecast_free(&r);
}

static void test_pass_cancel(void **st) {
    (void)st;
    cl_error err = {0};
    const cl_config *c = cl_model_config(M);
    enum { B = 2, T = 9 };
    int32_t ids[B * T], dec[B] = {0, 0};
    uint8_t mask[B * T];
    for (int i = 0; i < B * T; i++) { ids[i] = 100 + 37 * i % 3000; mask[i] = 1; }
    cl_state *s, *fresh;
    assert_int_equal(cl_state_new(M, &s, &err), 0);
    assert_int_equal(cl_state_new(M, &fresh, &err), 0);
    /* stopped after the first encoder layer: the state holds no encoder output */
    counter k = {.stop_at = 1};
    cl_state_set_progress(s, &(cl_progress){.fn = count, .ctx = &k});
    assert_int_equal(cl_encode(s, ids, mask, B, T, &err), CL_ECANCELED);
    assert_string_equal(err.msg, "forward: cancelled");
    assert_int_equal(k.calls, 1);
    int b = -1;
    cl_state_encoder_hidden(s, &b, NULL);
    assert_int_equal(b, 0);
    assert_int_equal(cl_decode(s, dec, 1, 0, &err), CL_EINVAL);
    /* stopped in the decoder (after the encoder's layers and the cross keys/values) */
    counter d = {.stop_at = c->num_layers + 2};
    cl_state_set_progress(s, &(cl_progress){.fn = count, .ctx = &d});
    assert_int_equal(cl_encode(s, ids, mask, B, T, &err), 0);
    assert_int_equal(cl_decode(s, dec, 1, 0, &err), CL_ECANCELED);
    int lb = -1, lt = -1;
    cl_state_logits(s, &lb, &lt, NULL);
    assert_int_equal(lb * lt, 0); /* no logits of a half-run pass */
    /* the same state, not stopped, computes what a fresh one does */
    cl_state_set_progress(s, NULL);
    assert_int_equal(cl_encode(s, ids, mask, B, T, &err), 0);
    assert_int_equal(cl_decode(s, dec, 1, 0, &err), 0);
    assert_int_equal(cl_encode(fresh, ids, mask, B, T, &err), 0);
    assert_int_equal(cl_decode(fresh, dec, 1, 0, &err), 0);
    int V;
    const float *a = cl_state_logits(s, NULL, NULL, &V), *f = cl_state_logits(fresh, NULL, NULL, NULL);
    assert_memory_equal(a, f, sizeof(float) * B * V);
    cl_state_free(s);
    cl_state_free(fresh);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_induction_cancel),
        cmocka_unit_test(test_sweep_cancel_within_a_cell),
        cmocka_unit_test(test_forecast_cancel),
        cmocka_unit_test(test_pass_cancel),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
