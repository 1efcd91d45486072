/* test_c2_forecast.c — Chronos-2 forecasting with Chronos2Pipeline's semantics against
 * chronos2ref.py's goldens (tests/fixtures/chronos2-rand; group peer: upstream's dummy under
 * ../shared/peer when present): the long-horizon predict (tasks of inputs.json, unrolled over
 * the quantile paths 0.1 .. 0.9), its quantiles at levels the model does not have
 * (interpolated and clamped) and its median; the covariate case (past-only and known future
 * covariates, 2 tasks) — all within 1e-4 absolute, the oracle's tolerance; the quantile
 * arithmetic on hand-made cases; the command's wide and long (--df) inputs, its refusals. */
#include "testutil.h"
#include "chronolens_study.h"
#include "study/forecast/c2_pipeline.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOL 1e-4
#define FIXTURE CL_FIXTURES "/chronos2-rand"
#define PEER CL_PEER "/chronos2-dummy"

static const double LEVELS[6] = {0.005, 0.1, 0.25, 0.5, 0.825, 0.995}; /* inputs.json long.quantile_levels */

static void close_to(const char *name, const float *a, const float *ref, size_t n) {
    printf("  %-24s max abs %.3g\n", name, max_abs_diff(a, ref, n));
    assert_close(name, a, ref, n, TOL);
}

/* the forecast study on golden inputs: prefix "" (the long case: context with its tasks) or
 * "cov." (the covariate case: every row's forecast, future covariates over the horizon) */
static void check_long(const char *dir, const char *prefix) {
    cl_error err;
    char path[1024], nm[128];
    snprintf(path, sizeof path, "%s/golden.safetensors", dir);
    st_file g;
    if (st_open(path, &g, &err)) fail_msg("%s", err.msg);
    cl_model *m;
    if (cl_model_load(dir, NULL, &m, &err)) fail_msg("%s", err.msg);
    const cl_config *c = cl_model_config(m);
    size_t n;
    snprintf(nm, sizeof nm, "%scontext", prefix);
    const st_tensor *ct = st_find(&g, nm);
    assert_non_null(ct);
    cl_context ctx = {.B = (int)ct->shape[0], .L = (int)ct->shape[1]};
    ctx.values = golden_f32(&g, nm, &n);
    const int B = ctx.B, Q = c->n_quantiles;
    snprintf(nm, sizeof nm, "%sgroup_ids", prefix);
    int64_t *g64 = golden_i64(&g, nm, &n);
    int *gid = malloc(sizeof(int) * B);
    for (int b = 0; b < B; b++) gid[b] = (int)g64[b];
    snprintf(nm, sizeof nm, "%spredict_long", prefix);
    const st_tensor *pt = st_find(&g, nm);
    assert_non_null(pt);
    const int H = (int)pt->shape[2];
    float *want = golden_f32(&g, nm, &n), *fc = NULL;
    cl_forecast_study_opts o;
    cl_forecast_study_default(&o);
    o.horizon = H;
    o.group_ids = gid;
    o.n_group_ids = B;
    if (*prefix) { /* the covariate case: (B, Hc) known future values, every level */
        fc = golden_f32(&g, "cov.future_covariates", &n);
        o.future_covariates = fc;
        o.F = H;
        o.nlev = Q;
        for (int q = 0; q < Q; q++) o.levels[q] = c->quantiles[q];
    } else {
        o.nlev = 6;
        memcpy(o.levels, LEVELS, sizeof LEVELS);
    }
    cl_forecast_result r;
    if (cl_forecast_study_run(m, &ctx, &o, &r, &err)) fail_msg("%s: %s", dir, err.msg);
    printf("%s %s(B %d, L %d, h %d, max_output_patches %d)\n", dir, prefix, B, ctx.L, H, c->max_output_patches);
    assert_int_equal(r.B, B);
    assert_int_equal(r.S, Q);
    assert_int_equal(r.H, H);
    close_to(nm, r.paths, want, (size_t)B * Q * H);
    if (!*prefix) {
        float *ql = golden_f32(&g, "quantiles_long", &n), *ml = golden_f32(&g, "mean_long", &n);
        close_to("quantiles_long", r.quant, ql, (size_t)B * H * 6);
        close_to("mean_long", r.mean, ml, (size_t)B * H);
        free(ql); free(ml);
    }
    cl_forecast_free(&r);
    free(want); free(fc); free(gid); free(g64); free(ctx.values);
    cl_model_free(m);
    st_close(&g);
}

static void test_long(void **st) { (void)st; check_long(FIXTURE, ""); }
static void test_covariates(void **st) { (void)st; check_long(FIXTURE, "cov."); }

/* the dummy's horizon runs many unrolled passes of 64 patches */
static void test_peer(void **st) {
    (void)st;
    const char *dir = cl_test_peer(&cl_test_chronos2);
    check_long(dir, "");
    check_long(dir, "cov.");
}

/* interp_quantiles and weighted_quantile on cases worked by hand */
static void test_arithmetic(void **st) {
    (void)st;
    const float lv[3] = {0.25f, 0.5f, 0.75f}, v[3] = {1, 2, 4}, q[5] = {0.1f, 0.25f, 0.6f, 0.75f, 0.9f};
    float out[5];
    cl_c2_interp(q, 5, lv, v, 3, 1, 1, out); /* below and above: the end values */
    const float want[5] = {1, 1, 2.8f, 4, 4};
    for (int i = 0; i < 5; i++) assert_float_equal(out[i], want[i], 1e-6);
    float mass[3];
    const double l3[3] = {0.25, 0.5, 0.75};
    cl_c2_prob_mass(l3, 3, mass); /* (0.5, 0.5, 0.5) / 2, normalised */
    for (int i = 0; i < 3; i++) assert_float_equal(mass[i], 1.0f / 3, 1e-7);
    /* equal weights over 4 samples: levels 0.25 .. 1, so the median lies on the 2nd sample */
    const float w[4] = {1, 1, 1, 1}, s[4] = {4, 1, 3, 2}, med = 0.5f;
    float m;
    assert_int_equal(cl_c2_weighted_quantiles(&med, 1, w, s, 1, 4, &m), 0);
    assert_float_equal(m, 2.0f, 1e-6);
}

/* `forecast` on the wide CSV: the same numbers as the study, rows named by the header */
static void test_cli_wide(void **st) {
    (void)st;
    char out[1024], log[1024];
    snprintf(out, sizeof out, "%s/f.csv", test_tmpdir());
    snprintf(log, sizeof log, "%s/err.txt", test_tmpdir());
    assert_int_equal(run_cmd("'%s' forecast --quiet --model '%s' --context '%s/context.csv' --group-ids 0,1,2,2 "
                             "--horizon 150 --quantiles 0.005,0.1,0.25,0.5,0.825,0.995 --out '%s'",
                             CL_CLI, FIXTURE, FIXTURE, out), 0);
    cl_forecast_result r;
    cl_error err;
    if (cl_forecast_read(out, &r, &err)) fail_msg("%s", err.msg);
    assert_int_equal(r.B, 4);
    assert_int_equal(r.H, 150);
    assert_string_equal(r.names[0], "row_0");
    assert_string_equal(r.names[3], "row_3");
    st_file g;
    if (st_open(FIXTURE "/golden.safetensors", &g, &err)) fail_msg("%s", err.msg);
    size_t n;
    float *ql = golden_f32(&g, "quantiles_long", &n), *ml = golden_f32(&g, "mean_long", &n);
    close_to("cli quantiles_long", r.quant, ql, n);
    close_to("cli mean_long", r.mean, ml, (size_t)4 * 150);
    free(ql); free(ml);
    st_close(&g);
    cl_forecast_free(&r);
    /* the refusals, one line, exit 2, no output */
    static const char *const BAD[] = {
        "--group-ids 0,1,2", "--unrolled-quantiles 0.12", "--samples 5", "--future-covariates '%s/cov_future.csv'",
    };
    for (size_t i = 0; i < sizeof BAD / sizeof *BAD; i++) {
        char opt[1024];
        snprintf(opt, sizeof opt, BAD[i], FIXTURE);
        remove(out);
        assert_int_equal(run_cmd("'%s' forecast --quiet --model '%s' --context '%s/context.csv' %s --horizon 200 "
                                 "--out '%s' 2> '%s'", CL_CLI, FIXTURE, FIXTURE, opt, out, log), 2);
        char *txt = slurp(log);
        printf("  %s", txt);
        assert_ptr_equal(strchr(txt, '\n'), txt + strlen(txt) - 1);
        assert_false(file_exists(out));
        free(txt);
    }
}

int main(int argc, char **argv) {
    cl_set_threads(2);
    static const struct CMUnitTest common[] = {
        cmocka_unit_test(test_arithmetic),
        cmocka_unit_test(test_long),
        cmocka_unit_test(test_covariates),
        cmocka_unit_test(test_cli_wide),
    };
    static const struct CMUnitTest peer[] = {cmocka_unit_test(test_peer)};
    static const cl_test_group groups[] = {
        CL_TEST_GROUP("common", common, NULL, NULL, NULL, NULL),
        CL_TEST_GROUP("peer", peer, NULL, NULL, NULL, NULL),
    };
    return cl_test_main(argc, argv, groups, sizeof groups / sizeof *groups);
}
