/* test_py_api.c — the flat entry points of include/chronolens_study.h (src/study/py_*.c, what
 * the Python package calls) give the numbers of the study functions they wrap, fill every
 * element of their output arrays, and report bad arguments. Here, rather than only through
 * pytest, so that the sanitizer build checks them too. */
#include "testutil.h"
#include "chronolens_study.h"
#include "study/forecast/forecast.h"
#include "study/induction/induction.h"
#include "study/induction/sweep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NANO CL_FIXTURES "/../../models/chronos-nano"

static cl_model *M;

static int setup(void **st) {
    (void)st;
    cl_error err;
    if (cl_model_load(NANO, &M, &err)) { print_error("%s\n", err.msg); return -1; }
    return 0;
}
static int teardown(void **st) { (void)st; cl_model_free(M); return 0; }

static void stat_eq(const cl_stat *s, const double *d, int n) {
    for (int i = 0; i < n; i++) {
        assert_true(s[i].mean == d[3 * i]);
        assert_true(s[i].std == d[3 * i + 1]);
        assert_true(s[i].seed_std == d[3 * i + 2]);
    }
}

static void count_eq(const cl_count *c, const double *d) {
    for (int k = 0; k < 3; k++) {
        assert_true(c[k].n == d[3 * k] && c[k].mean == d[3 * k + 1] && c[k].std == d[3 * k + 2]);
    }
}

static void test_rrt_and_induction(void **st) {
    (void)st;
    const cl_config *c = cl_model_config(M);
    const int LH = c->num_decoder_layers * c->num_heads, LHe = c->num_layers * c->num_heads;
    cl_error err;
    cl_induction_opts o;
    assert_int_equal(cl_induction_default(c, &o, &err), 0);
    o.rrt.batch = 12;
    o.rrt.seed = 4;
    o.seeds = 2;
    int lo, hi;
    assert_int_equal(cl_py_rrt_band(M, &lo, &hi, &err), 0);
    assert_int_equal(lo, o.rrt.tok_lo);
    assert_int_equal(hi, o.rrt.tok_hi);
    /* the batch */
    const int T = cl_rrt_enc_len(&o.rrt);
    int32_t enc[12 * 22], dec[24], enc2[12 * 22], dec2[24];
    uint8_t mask[12 * 22], mask2[12 * 22];
    assert_int_equal(T, 22);
    assert_int_equal(cl_py_rrt_batch(M, 10, 2, 12, -1, -1, 4, enc, mask, dec, &err), 0);
    assert_int_equal(cl_rrt_make(c, &o.rrt, enc2, mask2, dec2, &err), 0);
    assert_memory_equal(enc, enc2, sizeof enc);
    assert_memory_equal(dec, dec2, sizeof dec);
    assert_memory_equal(mask, mask2, sizeof mask);
    /* the study, as cl_induction_run */
    double *cross = malloc(sizeof(double) * 12 * LH), *encs = malloc(sizeof(double) * 6 * LHe), counts[27];
    uint8_t *cf = malloc(4 * (size_t)LH), *ef = malloc(2 * (size_t)LHe);
    int tr[2];
    if (cl_py_induction(M, 10, 2, 12, -1, -1, 4, 2, 0.3, 1, NULL, NULL, cross, encs, counts, cf, ef, tr, &err))
        fail_msg("%s", err.msg);
    cl_induction_result r;
    assert_int_equal(cl_induction_run(M, &o, &r, &err), 0);
    stat_eq(r.cur, cross, LH);
    stat_eq(r.right, cross + 3 * LH, LH);
    stat_eq(r.ablate, cross + 6 * LH, LH);
    stat_eq(r.copy, cross + 9 * LH, LH);
    stat_eq(r.enc_cur, encs, LHe);
    stat_eq(r.enc_right, encs + 3 * LHe, LHe);
    count_eq(r.cross, counts);
    count_eq(r.enc, counts + 9);
    count_eq(r.strict_count, counts + 18);
    for (int i = 0; i < LH; i++) {
        assert_int_equal(cf[4 * i], cl_induction_above(&r, i, CL_CUR));
        assert_int_equal(cf[4 * i + 1], cl_induction_above(&r, i, CL_RIGHT));
        assert_int_equal(cf[4 * i + 2], cl_induction_strict(&r, i, CL_CUR));
        assert_int_equal(cf[4 * i + 3], cl_induction_strict(&r, i, CL_RIGHT));
    }
    assert_int_equal(tr[0], lo);
    assert_int_equal(tr[1], hi);
    cl_induction_free(&r);
    /* without strict: NaN where there is nothing */
    assert_int_equal(cl_py_induction(M, 10, 2, 12, -1, -1, 4, 1, 0.3, 0, NULL, NULL, cross, encs, counts, cf, ef, tr,
                                     &err), 0);
    for (int i = 6 * LH; i < 12 * LH; i++) assert_true(isnan(cross[i]));
    for (int i = 18; i < 27; i++) assert_true(isnan(counts[i]));
    /* bad arguments: the library's checks */
    assert_int_equal(cl_py_induction(M, 1, 2, 12, -1, -1, 4, 1, 0.3, 0, NULL, NULL, cross, encs, counts, cf, ef, tr,
                                     &err), CL_EINVAL);
    assert_non_null(strstr(err.msg, "sequence length 1"));
    assert_int_equal(cl_py_rrt_batch(M, 10, 2, 0, -1, -1, 0, enc, mask, dec, &err), CL_EINVAL);
    assert_int_equal(cl_py_rrt_batch(M, 10, 2, 4, 9, 3, 0, enc, mask, dec, &err), CL_EINVAL);
    assert_int_equal(cl_py_rrt_batch(M, 10, 2, 4, 0, 1 << 20, 0, enc, mask, dec, &err), CL_EINVAL);
    free(cross); free(encs); free(cf); free(ef);
}

static void test_sweep(void **st) {
    (void)st;
    const cl_config *c = cl_model_config(M);
    cl_error err;
    int reps[2] = {2, 3}, lens[2] = {3, 4};
    double counts[2 * 2 * 18];
    if (cl_py_sweep(M, reps, 2, lens, 2, 10, -1, -1, 2, 1, 0.3, NULL, NULL, counts, &err)) fail_msg("%s", err.msg);
    cl_sweep_opts o = {.n_reps = 2, .n_lens = 2, .reps = reps, .lens = lens};
    assert_int_equal(cl_induction_default(c, &o.base, &err), 0);
    o.base.rrt.batch = 10;
    o.base.rrt.seed = 2;
    cl_sweep_result r;
    assert_int_equal(cl_sweep_run(M, &o, &r, &err), 0);
    for (int i = 0; i < 4; i++) {
        count_eq(r.cells[i].cross, counts + 18 * i);
        count_eq(r.cells[i].enc, counts + 18 * i + 9);
    }
    cl_sweep_free(&r);
    int bad[1] = {1};
    assert_int_equal(cl_py_sweep(M, bad, 1, lens, 2, 10, -1, -1, 2, 1, 0.3, NULL, NULL, counts, &err), CL_EINVAL);
}

static void all_finite(const double *x, size_t n) {
    for (size_t i = 0; i < n; i++) assert_true(isfinite(x[i]));
}

static void test_multisine(void **st) {
    (void)st;
    const cl_config *c = cl_model_config(M);
    const int LH = c->num_decoder_layers * c->num_heads, P = 64;
    cl_error err;
    double f[4] = {2, 4, 7, 9}, a[4] = {1, .5, .5, .25}, ph[4] = {0, 1, 2, 3};
    double *series = malloc(sizeof(double) * P), *smag = malloc(sizeof(double) * P), *axes = malloc(sizeof(double) * 2 * P);
    double *arr = malloc(sizeof(double) * 4 * LH * P), *heads = malloc(sizeof(double) * 6 * LH);
    double *ind = malloc(sizeof(double) * 3 * LH), corr[2];
    if (cl_py_multisine(M, NANO, f, a, ph, 4, P, 2.0, 0.1, 3, 50, 0.3, 0.5, series, smag, axes, arr, heads, ind, corr, &err))
        fail_msg("%s", err.msg);
    all_finite(series, P);
    all_finite(smag, P);
    all_finite(axes, 2 * P);
    all_finite(arr, 4 * (size_t)LH * P);
    all_finite(ind, 3 * (size_t)LH);
    assert_true(axes[1] == 0.5 && axes[P + 1] == 2.0 / P);  /* fftfreq(P, 2/P): 1/2 Hz; fftfreq(P, 1/2) */
    for (int i = 0; i < LH; i++) {
        double s = 0;
        for (int j = 0; j < P; j++) s += arr[(size_t)i * P + j]; /* decoder-start attention over the context */
        assert_true(s >= 0 && s <= 1 + 1e-6); /* the rest of the row is on EOS */
        assert_true(ind[3 * i] == fmax(ind[3 * i + 1], ind[3 * i + 2])); /* score = max(current, right) */
        assert_true(heads[6 * i + 2] == 0 || heads[6 * i + 2] == 1);
    }
    assert_true(corr[0] >= -1 && corr[0] <= 1 && corr[1] > 0 && corr[1] <= 1);
    { /* the numbers of the study it wraps, run on the folder */
        cl_multisine_opts o;
        cl_multisine_default(&o);
        o.input.n = 4;
        memcpy(o.input.freqs, f, sizeof f);
        memcpy(o.input.amps, a, sizeof a);
        memcpy(o.input.phases, ph, sizeof ph);
        o.input.points = P;
        o.input.duration = 2.0;
        o.input.noise = 0.1;
        o.seed = 3;
        o.permutations = 50;
        const char *dirs[1] = {NANO};
        cl_multisine_result r;
        if (cl_multisine_run(dirs, 1, &o, &r, &err)) fail_msg("%s", err.msg);
        assert_memory_equal(r.series, series, sizeof(double) * P);
        assert_memory_equal(r.res[0].arr.dnodc, arr + 3 * (size_t)LH * P, sizeof(double) * LH * P);
        for (int i = 0; i < LH; i++) {
            assert_true(r.res[0].h[i].amplitude == heads[6 * i] && r.res[0].ind[i] == ind[3 * i]);
        }
        assert_true(r.res[0].rho == corr[0] && r.res[0].p == corr[1]);
        cl_multisine_free(&r);
    }
    double big[1] = {40};
    assert_int_equal(cl_py_multisine(M, NANO, big, a, ph, 1, P, 2.0, 0, 0, 50, 0.3, 0.5, series, smag, axes, arr, heads, ind,
                                     corr, &err), CL_EINVAL);
    assert_non_null(strstr(err.msg, "Nyquist"));
    assert_int_equal(cl_py_multisine(M, NANO, f, a, ph, 65, P, 2.0, 0, 0, 50, 0.3, 0.5, series, smag, axes, arr, heads, ind,
                                     corr, &err), CL_EINVAL);
    assert_int_equal(cl_py_multisine(M, NANO, f, a, ph, 4, P, 2.0, 0, 0, 50, 1.5, 0.5, series, smag, axes, arr, heads, ind,
                                     corr, &err), CL_EINVAL);
    free(series); free(smag); free(axes); free(arr); free(heads); free(ind);
}

static void test_multisine_sweep(void **st) {
    (void)st;
    const cl_config *c = cl_model_config(M);
    const int G = c->num_decoder_layers * c->num_heads, C = 3, P = 100;
    cl_error err;
    int nf[3];
    double *cfg = malloc(sizeof(double) * C * 3 * CL_PY_MAX_FREQS), cst[3 * 4], *heads = malloc(sizeof(double) * C * G * 6);
    double *ind = malloc(sizeof(double) * G), rows[CL_PY_SWEEP_ROWS * CL_PY_SWEEP_COLS];
    if (cl_py_multisine_sweep(M, NANO, C, 5, P, 2.0, 0, 1, 20, 2, 4, 2, 2, 20, 0.3, 0.5, NULL, NULL, nf, cfg, cst, heads, ind,
                              rows, &err))
        fail_msg("%s", err.msg);
    for (int k = 0; k < C; k++) {
        assert_true(nf[k] >= 2 && nf[k] <= 4);
        const double *x = cfg + (size_t)k * 3 * CL_PY_MAX_FREQS;
        for (int i = 0; i < nf[k]; i++) assert_true(x[i] >= 1 && x[i] <= 20 && (i == 0 || x[i] > x[i - 1]));
        assert_true(isnan(x[nf[k]]));
        assert_true(cst[4 * k] >= 1 && (cst[4 * k + 3] == 0 || cst[4 * k + 3] == 1));
    }
    assert_true(rows[0] == C && rows[1] == C * G);     /* all pairs */
    assert_true(rows[CL_PY_SWEEP_COLS] == C && rows[CL_PY_SWEEP_COLS + 1] == C * 2); /* top-2 */
    all_finite(ind, (size_t)G);
    assert_int_equal(cl_py_multisine_sweep(M, NANO, C, 5, P, 2.0, 0, 1, 20, 2, 4, G + 1, 2, 20, 0.3, 0.5, NULL, NULL, nf, cfg,
                                           cst, heads, ind, rows, &err), CL_EINVAL);
    assert_int_equal(cl_py_multisine_sweep(M, NANO, C, 5, P, 2.0, 0, 1, 30, 2, 4, 2, 2, 20, 0.3, 0.5, NULL, NULL, nf, cfg,
                                           cst, heads, ind, rows, &err), CL_EINVAL); /* 30 Hz >= Nyquist 25 Hz */
    free(cfg); free(heads); free(ind);
}

static void test_forecast_parrot_claims(void **st) {
    (void)st;
    cl_error err;
    enum { B = 2, L = 40, S = 3, H = 5 };
    float ctx[B * L], v1[B * S * H], v2[B * S * H], mean[B * H], q[B * H * 2];
    for (int i = 0; i < B * L; i++) ctx[i] = (float)sin(i * 0.4) + (i >= L ? 3.0f : 0.0f);
    if (cl_py_forecast(M, ctx, B, L, H, S, 1.0, 50, 1.0, 9, 0, 1, NULL, NULL, v1, &err)) fail_msg("%s", err.msg);
    cl_forecast_opts o;
    cl_forecast_default(cl_model_config(M), &o);
    o.samples = S;
    o.sampling.temperature = 1.0f;
    o.sampling.top_k = 50;
    o.sampling.top_p = 1.0f;
    o.seed = 9;
    assert_int_equal(cl_forecast(M, &o, ctx, B, L, H, v2, &err), 0);
    assert_memory_equal(v1, v2, sizeof v1);
    const double lv[2] = {0.1, 0.9};
    assert_int_equal(cl_py_forecast_summary(v1, B, S, H, lv, 2, mean, q, &err), 0);
    for (int i = 0; i < B * H; i++) assert_true(q[2 * i] <= q[2 * i + 1]); /* q10 <= q90 */
    const double bad[1] = {1.0};
    assert_int_equal(cl_py_forecast_summary(v1, B, S, H, bad, 1, mean, q, &err), CL_EINVAL);
    assert_int_equal(cl_py_forecast(M, ctx, B, L, H, S, 1.0, 50, 0.0, 9, 0, 1, NULL, NULL, v1, &err), CL_EINVAL);
    assert_int_equal(cl_py_forecast(M, ctx, B, L, 0, S, 1.0, 50, 1.0, 9, 0, 1, NULL, NULL, v1, &err), CL_EINVAL);
    float pout[B * H];
    double info[B * 4];
    assert_int_equal(cl_py_parrot(ctx, B, L, 6, H, pout, info, &err), 0);
    for (int b = 0; b < B; b++) assert_true(info[4 * b] >= 1 && info[4 * b + 3] == 0);
    assert_int_equal(cl_py_parrot(ctx, B, L, 0, H, pout, info, &err), CL_EINVAL);
    /* claims: a missing table is an error naming it; options out of range are refused */
    char jp[512];
    snprintf(jp, sizeof jp, "%s/claims.json", test_tmpdir());
    int rc = cl_py_claims("/nonexistent/scores.csv", NULL, 0.3, 0.05, jp, &err);
    if (rc == 0) fail_msg("a missing scores table was accepted");
    assert_non_null(strstr(err.msg, "/nonexistent/scores.csv"));
    assert_int_equal(cl_py_claims("/nonexistent/scores.csv", NULL, 1.5, 0.05, jp, &err), CL_EINVAL);
    assert_int_equal(cl_py_claims("/nonexistent/scores.csv", NULL, 0.3, 0.9, jp, &err), CL_EINVAL);
    assert_true(cl_py_config_size() == sizeof(cl_config));
}

int main(void) {
    cl_set_threads(2);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rrt_and_induction),
        cmocka_unit_test(test_sweep),
        cmocka_unit_test(test_multisine),
        cmocka_unit_test(test_multisine_sweep),
        cmocka_unit_test(test_forecast_parrot_claims),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
