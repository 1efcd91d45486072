/* test_py_api.c — the public calls the Python package (python/chronolens) makes, beyond the
 * studies' own tests: the struct sizes it checks its mirrors against (cl_abi_sizeof), the
 * batch of repeated random tokens and its checks, forecasting and parroting through
 * cl_forecast_study_run (the numbers of ChronosPipeline.predict, cl_forecast, and of
 * cl_parrot_forecast, which the package called before), and the claims written to files.
 * Here, rather than only through pytest, so that the sanitizer build checks them too. */
#include "testutil.h"
#include "chronolens_study.h"
#include "study/forecast/forecast.h"
#include "study/forecast/parrot.h"

#include <math.h>
#include <stdio.h>
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

static void test_abi_sizeof(void **st) {
    (void)st;
    assert_true(cl_abi_sizeof("cl_config") == sizeof(cl_config));
    assert_true(cl_abi_sizeof("cl_progress") == sizeof(cl_progress));
    assert_true(cl_abi_sizeof("cl_induction_result") == sizeof(cl_induction_result));
    assert_true(cl_abi_sizeof("cl_mssweep_result") == sizeof(cl_mssweep_result));
    assert_true(cl_abi_sizeof("cl_forecast_study_opts") == sizeof(cl_forecast_study_opts));
    assert_true(cl_abi_sizeof("cl_claims_opts") == sizeof(cl_claims_opts));
    assert_true(cl_abi_sizeof("cl_model") == 0); /* opaque */
    assert_true(cl_abi_sizeof("cl_nothing") == 0);
    assert_true(cl_abi_sizeof(NULL) == 0);
}

static void test_rrt_batch(void **st) {
    (void)st;
    const cl_config *c = cl_model_config(M);
    cl_error err;
    cl_induction_opts o;
    assert_int_equal(cl_induction_default(c, &o, &err), 0);
    assert_true(o.rrt.tok_lo > 0 && o.rrt.tok_hi > o.rrt.tok_lo); /* the band: rrt_band */
    o.rrt.batch = 12;
    o.rrt.seed = 4;
    int32_t enc[12 * 22], dec[24], enc2[12 * 22], dec2[24];
    uint8_t mask[12 * 22], mask2[12 * 22];
    assert_int_equal(cl_rrt_make(c, &o.rrt, enc, mask, dec, &err), 0);
    assert_int_equal(cl_rrt_make(c, &o.rrt, enc2, mask2, dec2, &err), 0);
    assert_memory_equal(enc, enc2, sizeof enc); /* the seed alone decides */
    for (int b = 0; b < 12; b++) {
        const int32_t *e = enc + 22 * b;
        assert_memory_equal(e, e + 10, sizeof(int32_t) * 10); /* S S */
        assert_int_equal(e[20], e[0]);                        /* s_0 */
        assert_int_equal(e[21], c->tok_eos_id);
        assert_int_equal(dec[2 * b], c->decoder_start_token_id);
        assert_int_equal(dec[2 * b + 1], e[1]);               /* s_1 */
        for (int t = 0; t < 20; t++) assert_true(e[t] >= o.rrt.tok_lo && e[t] <= o.rrt.tok_hi);
    }
    /* bad arguments: the library's checks, in the words chronolens.rrt_batch shows */
    o.rrt.batch = 0;
    assert_int_equal(cl_rrt_make(c, &o.rrt, enc, mask, dec, &err), CL_EINVAL);
    assert_non_null(strstr(err.msg, "batch 0"));
    o.rrt.batch = 4;
    o.rrt.tok_lo = 9;
    o.rrt.tok_hi = 3;
    assert_int_equal(cl_rrt_make(c, &o.rrt, enc, mask, dec, &err), CL_EINVAL);
    o.rrt.tok_lo = 0;
    o.rrt.tok_hi = 1 << 20;
    assert_int_equal(cl_rrt_make(c, &o.rrt, enc, mask, dec, &err), CL_EINVAL);
}

static void test_forecast_and_parrot(void **st) {
    (void)st;
    cl_error err;
    enum { B = 2, L = 40, S = 3, H = 5 };
    float x[B * L], v[B * S * H], mean[B * H], q[B * H * 2];
    for (int i = 0; i < B * L; i++) x[i] = (float)sin(i * 0.4) + (i >= L ? 3.0f : 0.0f);
    cl_context ctx = {.values = x, .B = B, .L = L};
    /* chronolens.forecast: every sampling setting given */
    cl_forecast_study_opts o;
    cl_forecast_study_default(&o);
    o.horizon = H;
    o.samples = S;
    o.temperature = 1.0;
    o.top_k = 50;
    o.top_p = 1.0;
    o.have_seed = 1;
    o.seed = 9;
    o.nlev = 2;
    o.levels[0] = 0.1;
    o.levels[1] = 0.9;
    cl_forecast_result r;
    if (cl_forecast_study_run(M, &ctx, &o, &r, &err)) fail_msg("%s", err.msg);
    assert_int_equal(r.B * r.S * r.H, B * S * H);
    /* the numbers of ChronosPipeline.predict (cl_forecast) and of its summary */
    cl_forecast_opts fo;
    cl_forecast_default(cl_model_config(M), &fo);
    fo.samples = S;
    fo.sampling.temperature = 1.0f;
    fo.sampling.top_k = 50;
    fo.sampling.top_p = 1.0f;
    fo.seed = 9;
    assert_int_equal(cl_forecast(M, &fo, x, B, L, H, v, &err), 0);
    assert_memory_equal(r.paths, v, sizeof v);
    assert_int_equal(cl_forecast_summary(v, B, S, H, o.levels, 2, mean, q, &err), 0);
    assert_memory_equal(r.mean, mean, sizeof mean);
    assert_memory_equal(r.quant, q, sizeof q);
    cl_forecast_free(&r);
    /* chronolens.parrot: the parrot alone, no model */
    cl_forecast_study_default(&o);
    o.method = CL_FORECAST_PARROT;
    o.horizon = H;
    o.window = 6;
    if (cl_forecast_study_run(NULL, &ctx, &o, &r, &err)) fail_msg("%s", err.msg);
    assert_int_equal(r.S, 1);
    for (int b = 0; b < B; b++) {
        float out[H];
        cl_parrot_info pi;
        assert_int_equal(cl_parrot_forecast(x + b * L, L, 6, H, out, &pi, &err), 0);
        assert_memory_equal(r.paths + b * H, out, sizeof out);
        assert_true(r.pinfo[b].period == pi.period && r.pinfo[b].fallback == pi.fallback && pi.period >= 1);
        assert_true(r.pinfo[b].distance == pi.distance && r.pinfo[b].scale == pi.scale);
    }
    cl_forecast_free(&r);
    o.window = 0;
    assert_int_equal(cl_forecast_study_run(NULL, &ctx, &o, &r, &err), CL_EINVAL);
}

static void test_claims_files(void **st) {
    (void)st;
    cl_error err;
    char jp[512];
    snprintf(jp, sizeof jp, "%s/claims.json", test_tmpdir());
    const char *missing[1] = {"/nonexistent/scores.csv"};
    /* a missing table is an error naming it; options out of range are refused */
    int rc = cl_claims_write_files(missing, 1, NULL, NULL, jp, NULL, &err);
    if (rc == 0) fail_msg("a missing scores table was accepted");
    assert_non_null(strstr(err.msg, "/nonexistent/scores.csv"));
    cl_claims_opts o;
    cl_claims_default(&o);
    assert_true(o.threshold == 0.3 && o.alpha == 0.05);
    o.threshold = 1.5;
    assert_int_equal(cl_claims_write_files(missing, 1, NULL, &o, jp, NULL, &err), CL_EINVAL);
    cl_claims_default(&o);
    o.alpha = 0.9;
    assert_int_equal(cl_claims_write_files(missing, 1, NULL, &o, jp, NULL, &err), CL_EINVAL);
}

int main(void) {
    cl_set_threads(2);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_abi_sizeof),
        cmocka_unit_test(test_rrt_batch),
        cmocka_unit_test(test_forecast_and_parrot),
        cmocka_unit_test(test_claims_files),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
