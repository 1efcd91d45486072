/* test_c2_forecast.c — Chronos-2 forecasting with Chronos2Pipeline's semantics against
 * chronos2ref.py's goldens (tests/fixtures/chronos2-rand; group peer: upstream's dummy under
 * ../shared/peer when present): the long-horizon predict (tasks of inputs.json, unrolled over
 * the quantile paths 0.1 .. 0.9), its quantiles at levels the model does not have
 * (interpolated and clamped) and its median; the covariate case (past-only and known future
 * covariates, 2 tasks) — all within 1e-4 absolute, the oracle's tolerance; the quantile
 * arithmetic on hand-made cases; the command's wide and long (--df) inputs, its refusals;
 * `embed` (Chronos2Pipeline.embed) against the oracle's encode. */
#include "testutil.h"
#include "chronolens_study.h"
#include "study/forecast/c2_pipeline.h"
#include "io/npy.h"

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

/* a small text file in the test's folder */
static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* `forecast --df`: the covariate case's raw tasks in predict_df's long format (df.csv: items A
 * and B, daily ISO dates, the target, a past-only and a known covariate; future_df.csv: the
 * known one over the horizon) give the golden's target rows; several targets name their rows
 * <item>/<column>; bad long input is one line naming the file and its line, exit 2 */
static void test_cli_df(void **st) {
    (void)st;
    char out[1024], log[1024], lv[1024] = "";
    snprintf(out, sizeof out, "%s/df.csv", test_tmpdir());
    snprintf(log, sizeof log, "%s/err.txt", test_tmpdir());
    cl_error err;
    cl_model *m;
    if (cl_model_load(FIXTURE, NULL, &m, &err)) fail_msg("%s", err.msg);
    const cl_config *c = cl_model_config(m);
    const int Q = c->n_quantiles;
    for (int q = 0; q < Q; q++) snprintf(lv + strlen(lv), sizeof lv - strlen(lv), "%s%.17g", q ? "," : "", c->quantiles[q]);
    cl_model_free(m);
    assert_int_equal(run_cmd("'%s' forecast --quiet --model '%s' --df '%s/df.csv' --future-df '%s/future_df.csv' "
                             "--horizon 100 --quantiles %s --out '%s'", CL_CLI, FIXTURE, FIXTURE, FIXTURE, lv, out), 0);
    cl_forecast_result r;
    if (cl_forecast_read(out, &r, &err)) fail_msg("%s", err.msg);
    assert_int_equal(r.B, 2);
    assert_int_equal(r.H, 100);
    assert_string_equal(r.names[0], "A");
    assert_string_equal(r.names[1], "B");
    st_file g;
    if (st_open(FIXTURE "/golden.safetensors", &g, &err)) fail_msg("%s", err.msg);
    size_t n;
    float *pl = golden_f32(&g, "cov.predict_long", &n), *want = malloc(sizeof(float) * 2 * 100 * Q);
    static const int ROWS[2] = {0, 3}; /* inputs.json covariates.target_rows */
    for (int i = 0; i < 2; i++)
        for (int t = 0; t < 100; t++)
            for (int q = 0; q < Q; q++) want[((size_t)i * 100 + t) * Q + q] = pl[((size_t)ROWS[i] * Q + q) * 100 + t];
    close_to("df cov.predict_long", r.quant, want, (size_t)2 * 100 * Q);
    free(pl); free(want);
    st_close(&g);
    cl_forecast_free(&r);

    /* two targets (a multivariate task per item), integer timestamps, no future */
    char df[1024];
    snprintf(df, sizeof df, "%s/two.csv", test_tmpdir());
    write_file(df, "id,t,x,y,z\n7,10,1,2,0.5\n7,12,2,3,0.1\n7,14,3,5,0.2\n8,12,4,1,0.3\n8,14,5,1,0.4\n");
    assert_int_equal(run_cmd("'%s' forecast --quiet --model '%s' --df '%s' --id-column id --timestamp-column t --target y,x "
                             "--horizon 5 --out '%s'", CL_CLI, FIXTURE, df, out), 0);
    if (cl_forecast_read(out, &r, &err)) fail_msg("%s", err.msg);
    assert_int_equal(r.B, 4);
    assert_string_equal(r.names[0], "7/y");
    assert_string_equal(r.names[1], "7/x");
    assert_string_equal(r.names[3], "8/x");
    cl_forecast_free(&r);

    /* bad long input */
    static const struct { const char *text, *opts, *says; } BAD[] = {
        {"item_id,timestamp,target\na,1,1\na,2,2\na,4,3\n", "", "line 4: timestamp '4' of item 'a' is not regularly spaced"},
        {"item_id,timestamp,target\na,2024-01-01,1\na,2024-01-02,2\na,2024-01-02,3\n", "", "line 4"},
        {"item_id,timestamp,target,c\na,1,1,red\na,2,x,blue\n", "", "line 3, column 'target': non-numeric cell 'x'"},
        {"item_id,timestamp,target\na,1,1\na,x,2\n", "", "line 3: timestamp 'x'"},
        {"item_id,timestamp,value\na,1,1\na,2,2\n", "", "no target column 'target'"},
        {"item_id,time,target\na,1,1\n", "", "no timestamp column 'timestamp'"},
        {"item_id,timestamp,target\na,1,1\na,2\n", "", "line 3 has 2 cells, expected 3"},
        {"item_id,timestamp,target\na,2024-01-31,1\na,2024-02-29,2\na,2024-03-31,3\n", "--future-df %s/fut.csv",
         "item 'a' has 0 future rows"},
    };
    char fut[1024];
    snprintf(fut, sizeof fut, "%s/fut.csv", test_tmpdir());
    write_file(fut, "item_id,timestamp\nb,2024-04-30\n");
    for (size_t i = 0; i < sizeof BAD / sizeof *BAD; i++) {
        char opts[1024];
        snprintf(opts, sizeof opts, BAD[i].opts, test_tmpdir());
        write_file(df, BAD[i].text);
        remove(out);
        assert_int_equal(run_cmd("'%s' forecast --quiet --model '%s' --df '%s' %s --horizon 3 --out '%s' 2> '%s'", CL_CLI,
                                 FIXTURE, df, opts, out, log), 2);
        char *txt = slurp(log);
        printf("  %s", txt);
        assert_ptr_equal(strchr(txt, '\n'), txt + strlen(txt) - 1);
        assert_non_null(strstr(txt, BAD[i].says));
        assert_false(file_exists(out));
        free(txt);
    }
    /* month ends are regular: the same file with its future */
    write_file(df, "item_id,timestamp,target\na,2024-01-31,1\na,2024-02-29,2\na,2024-03-31,3\n");
    write_file(fut, "item_id,timestamp\na,2024-04-30\na,2024-05-31\na,2024-06-30\n");
    assert_int_equal(run_cmd("'%s' forecast --quiet --model '%s' --df '%s' --future-df '%s' --horizon 3 --out '%s'", CL_CLI,
                             FIXTURE, df, fut, out), 0);
}

/* categorical covariates in --df / --future-df, derived by hand from upstream's rule
 * (chronos2/preprocess.py _encode_categorical, _target_encode): categories = the past's sorted
 * labels, a missing cell its own slot, a future label unseen in the past the last slot. One
 * target: slot s of item i -> (mean_i + sum_{i,s}) / (1 + count_{i,s}) over the item's finite
 * targets. Item A: targets 1..4 (mean 2.5), red at 1 and 3 -> 6.5/3, blue at 2 -> 4.5/2,
 * missing at 4 -> 6.5/2; its future red -> 6.5/3, purple (unseen) -> 2.5. Item B: targets 10,
 * NaN, 30 (mean 20), blue at 10 and at the NaN -> 30/2, green -> 50/2; future missing -> 20 (no
 * missing cell in B's past), blue -> 15. Several targets: the ordinal codes (blue 0, red 1,
 * missing 2, unseen NaN); bools as pandas orders them (False 0, True 1). */
static void test_df_categorical(void **st) {
    (void)st;
    char df[1024], fut[1024];
    snprintf(df, sizeof df, "%s/cat.csv", test_tmpdir());
    snprintf(fut, sizeof fut, "%s/cat_future.csv", test_tmpdir());
    write_file(df, "item_id,timestamp,target,color,n\nA,1,1,red,0.5\nA,2,2,blue,0.5\nA,3,3,red,0.5\nA,4,4,,0.5\n"
                   "B,1,10,blue,1\nB,2,,blue,1\nB,3,30,green,1\n");
    write_file(fut, "item_id,timestamp,color\nA,5,red\nA,6,purple\nB,4,\nB,5,blue\n");
    cl_forecast_df_opts o;
    cl_forecast_df_default(&o);
    o.df = df;
    o.future_df = fut;
    cl_forecast_df d;
    cl_error err;
    if (cl_forecast_df_read(&o, 2, &d, &err)) fail_msg("%s", err.msg);
    /* rows: A target, n, color; B target, n, color; L = 4 (B left-padded) */
    assert_int_equal(d.ctx.B, 6);
    assert_int_equal(d.ctx.L, 4);
    const float *ca = d.ctx.values + 2 * 4, *cb = d.ctx.values + 5 * 4;
    const float wa[4] = {(float)(6.5 / 3), 2.25f, (float)(6.5 / 3), 3.25f}, wb[3] = {15, 15, 25};
    assert_memory_equal(ca, wa, sizeof wa);
    assert_true(isnan(cb[0]));
    assert_memory_equal(cb + 1, wb, sizeof wb);
    const float fa[2] = {(float)(6.5 / 3), 2.5f}, fb[2] = {20, 15};
    assert_memory_equal(d.future_covariates + 2 * 2, fa, sizeof fa);
    assert_memory_equal(d.future_covariates + 5 * 2, fb, sizeof fb);
    assert_true(isnan(d.future_covariates[1 * 2]) && isnan(d.future_covariates[3 * 2]));
    cl_forecast_df_free(&d);
    /* two targets: ordinal codes */
    write_file(df, "item_id,timestamp,x,y,color,flag\nA,1,1,2,red,True\nA,2,2,3,blue,false\nA,3,3,4,,TRUE\n");
    write_file(fut, "item_id,timestamp,color\nA,4,green\nA,5,blue\n");
    o.target = "x,y";
    if (cl_forecast_df_read(&o, 2, &d, &err)) fail_msg("%s", err.msg);
    assert_int_equal(d.ctx.B, 4); /* x, y, flag (past-only), color (known) */
    const float wf[3] = {1, 0, 1}, wc[3] = {1, 0, 2};
    assert_memory_equal(d.ctx.values + 2 * 3, wf, sizeof wf);
    assert_memory_equal(d.ctx.values + 3 * 3, wc, sizeof wc);
    assert_true(isnan(d.future_covariates[3 * 2]));
    assert_true(d.future_covariates[3 * 2 + 1] == 0);
    cl_forecast_df_free(&d);
    /* the CLI forecasts with them */
    char out[1024];
    snprintf(out, sizeof out, "%s/cat_out.csv", test_tmpdir());
    assert_int_equal(run_cmd("'%s' forecast --quiet --model '%s' --df '%s' --future-df '%s' --target x,y --horizon 2 "
                             "--out '%s'", CL_CLI, FIXTURE, df, fut, out), 0);
}

/* the same encoding against upstream's own preprocessing (tests/fixtures/chronos2-cat, made by
 * make_chronos2_categorical.py with chronos-forecasting's from_data_frame on the files as
 * pandas reads them): 4 items of 12 to 50 rows, text labels with missing cells (one item has a
 * label the others lack), a bool column, a numeric one, a known covariate whose future has
 * labels the past never had; one target (target encoding) and two (ordinal codes). Every
 * value equal (NaN where NaN): the sums run in double in row order as np.bincount's and are
 * rounded once, as numpy rounds them. */
static void test_df_categorical_upstream(void **st) {
    (void)st;
    cl_error err;
    st_file g;
    if (st_open(CL_FIXTURES "/chronos2-cat/encoded.safetensors", &g, &err)) fail_msg("%s", err.msg);
    static const char *const CASE[2] = {"one", "two"}, *const TGT[2] = {"target", "target,e_y"};
    for (int k = 0; k < 2; k++) {
        cl_forecast_df_opts o;
        cl_forecast_df_default(&o);
        o.df = CL_FIXTURES "/chronos2-cat/df.csv";
        o.future_df = CL_FIXTURES "/chronos2-cat/future_df.csv";
        o.target = TGT[k];
        cl_forecast_df d;
        if (cl_forecast_df_read(&o, 6, &d, &err)) fail_msg("%s", err.msg);
        assert_int_equal(d.items, 4);
        const int per = d.ctx.B / d.items, L = d.ctx.L;
        int compared = 0;
        for (int i = 0; i < d.items; i++) {
            char nm[64];
            snprintf(nm, sizeof nm, "%s.context.%d", CASE[k], i);
            const st_tensor *c = st_find(&g, nm);
            snprintf(nm, sizeof nm, "%s.future.%d", CASE[k], i);
            const st_tensor *f = st_find(&g, nm);
            assert_true(c && f && c->ndim == 2 && c->shape[0] == per && f->shape[0] == per && f->shape[1] == 6);
            const int n = (int)c->shape[1];
            for (int r = 0; r < per; r++) {
                const float *got = d.ctx.values + ((size_t)i * per + r) * L + (L - n), *want = (const float *)c->data + (size_t)r * n;
                for (int t = 0; t < n; t++, compared++)
                    if (!(got[t] == want[t] || (isnan(got[t]) && isnan(want[t]))))
                        fail_msg("%s item %d row %d step %d: %.9g, upstream %.9g", CASE[k], i, r, t, got[t], want[t]);
                const float *gf = d.future_covariates + ((size_t)i * per + r) * 6, *wf = (const float *)f->data + (size_t)r * 6;
                for (int t = 0; t < 6; t++, compared++)
                    if (!(gf[t] == wf[t] || (isnan(gf[t]) && isnan(wf[t]))))
                        fail_msg("%s item %d row %d future step %d: %.9g, upstream %.9g", CASE[k], i, r, t, gf[t], wf[t]);
            }
        }
        printf("  %s target(s): %d values equal to upstream's\n", CASE[k], compared);
        cl_forecast_df_free(&d);
    }
    st_close(&g);
}

/* `embed` (Chronos2Pipeline.embed: one output patch, each series its own task): the encoder
 * output (patches, [REG], the output token) and (loc, scale) of the oracle's encode
 * (tests/fixtures/make_chronos2_embed.py), within 1e-4 */
static void test_embed(void **st) {
    (void)st;
    char out[1024], sc[1024];
    snprintf(out, sizeof out, "%s/e.npy", test_tmpdir());
    snprintf(sc, sizeof sc, "%s/s.npy", test_tmpdir());
    assert_int_equal(run_cmd("'%s' embed --quiet --model '%s' --context '%s/context.csv' --out '%s' "
                             "--scales-out '%s'", CL_CLI, FIXTURE, FIXTURE, out, sc), 0);
    cl_error err;
    float *e, *s;
    int nd;
    int64_t sh[NPY_MAX_DIMS], ss[NPY_MAX_DIMS];
    if (npy_read_f32(out, &e, &nd, sh, &err)) fail_msg("%s", err.msg);
    assert_int_equal(nd, 3);
    if (npy_read_f32(sc, &s, &nd, ss, &err)) fail_msg("%s", err.msg);
    assert_true(nd == 2 && ss[0] == 4 && ss[1] == 2);
    st_file g;
    if (st_open(FIXTURE "/embed.safetensors", &g, &err)) fail_msg("%s", err.msg);
    const st_tensor *t = st_find(&g, "encoder_hidden");
    assert_true(sh[0] == t->shape[0] && sh[1] == t->shape[1] && sh[2] == t->shape[2]);
    printf("embed (B %d, T %d, d %d)\n", (int)sh[0], (int)sh[1], (int)sh[2]);
    size_t n;
    float *want = golden_f32(&g, "encoder_hidden", &n), *loc = golden_f32(&g, "loc", &n),
          *scale = golden_f32(&g, "scale", &n), got[2][4];
    close_to("encoder_hidden", e, want, (size_t)(sh[0] * sh[1] * sh[2]));
    for (int b = 0; b < 4; b++) { got[0][b] = s[2 * b]; got[1][b] = s[2 * b + 1]; }
    close_to("loc", got[0], loc, 4);
    close_to("scale", got[1], scale, 4);
    free(want); free(loc); free(scale); free(e); free(s);
    st_close(&g);
}

/* `embed --group-ids 0,1,2,2` (the last two columns one bivariate task: they read each other)
 * and `--cross-learning` (every row one group): the oracle's encode under those group ids
 * (encoder_hidden_groups, encoder_hidden_cross of make_chronos2_embed.py), within 1e-4; ids
 * are labels (5,3,7,7 is the same tasks); a wrong count of ids or ids for a T5 model: exit 2,
 * one line, nothing written */
static void test_embed_groups(void **st) {
    (void)st;
    char out[1024], log[1024];
    snprintf(out, sizeof out, "%s/eg.npy", test_tmpdir());
    snprintf(log, sizeof log, "%s/eg.log", test_tmpdir());
    static const char *const OPT[] = {"--group-ids 0,1,2,2", "--group-ids 5,3,7,7", "--cross-learning"};
    static const char *const WANT[] = {"encoder_hidden_groups", "encoder_hidden_groups", "encoder_hidden_cross"};
    cl_error err;
    st_file g;
    if (st_open(FIXTURE "/embed.safetensors", &g, &err)) fail_msg("%s", err.msg);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(run_cmd("'%s' embed --quiet --model '%s' --context '%s/context.csv' %s --out '%s'", CL_CLI, FIXTURE,
                                 FIXTURE, OPT[i], out), 0);
        float *e;
        int nd;
        int64_t sh[NPY_MAX_DIMS];
        if (npy_read_f32(out, &e, &nd, sh, &err)) fail_msg("%s", err.msg);
        size_t n;
        float *want = golden_f32(&g, WANT[i], &n);
        assert_true(nd == 3 && (size_t)(sh[0] * sh[1] * sh[2]) == n);
        char label[128];
        snprintf(label, sizeof label, "embed %s", OPT[i]);
        close_to(label, e, want, n);
        if (i == 0) { /* the groups matter: the bivariate task's rows differ from their own-task embedding */
            float *solo = golden_f32(&g, "encoder_hidden", &n);
            assert_true(max_abs_diff(e + n / 2, solo + n / 2, n / 2) > 1e-3);
            free(solo);
        }
        free(want); free(e);
    }
    st_close(&g);
    static const char *const BAD[] = {"--model '%s' --group-ids 0,1", "--model '%s/../rand-small' --group-ids 0,1,2,3",
                                      "--model '%s/../rand-small' --cross-learning"};
    for (size_t i = 0; i < sizeof BAD / sizeof *BAD; i++) {
        char opt[1024];
        snprintf(opt, sizeof opt, BAD[i], FIXTURE);
        remove(out);
        assert_int_equal(run_cmd("'%s' embed --quiet %s --context '%s/context.csv' --out '%s' 2> '%s'", CL_CLI, opt, FIXTURE,
                                 out, log), 2);
        char *txt = slurp(log);
        printf("  %s", txt);
        assert_ptr_equal(strchr(txt, '\n'), txt + strlen(txt) - 1);
        assert_false(file_exists(out));
        free(txt);
    }
}

/* head_only (the forecast's passes: the last layer at the future tokens only) gives the
 * golden's quantile_preds of the main case (3 groups, a padded series) and of the
 * cross-learning pass; with a capture it is refused */
static void test_head_only(void **st) {
    (void)st;
    cl_error err;
    st_file g;
    if (st_open(FIXTURE "/golden.safetensors", &g, &err)) fail_msg("%s", err.msg);
    cl_model *m;
    if (cl_model_load(FIXTURE, NULL, &m, &err)) fail_msg("%s", err.msg);
    const cl_config *c = cl_model_config(m);
    size_t n;
    const st_tensor *ct = st_find(&g, "context");
    const int B = (int)ct->shape[0], L = (int)ct->shape[1], N = 4, Q = c->n_quantiles;
    float *ctx = golden_f32(&g, "context", &n);
    int gid[4] = {0, 1, 2, 2}, zero[4] = {0, 0, 0, 0};
    cl_state *s;
    assert_int_equal(cl_state_new(m, &s, &err), 0);
    for (int cross = 0; cross < 2; cross++) {
        cl_chronos2_input in = {.context = ctx, .B = B, .L = L, .group_ids = cross ? zero : gid, .num_output_patches = N,
                                .head_only = 1};
        cl_chronos2_result r;
        if (cl_chronos2_forward(s, &in, &r, &err)) fail_msg("%s", err.msg);
        float *want = golden_f32(&g, cross ? "quantile_preds_cross" : "quantile_preds", &n);
        assert_int_equal(n, (size_t)B * Q * N * c->patch_size);
        close_to(cross ? "head_only quantile_preds_cross" : "head_only quantile_preds", r.quantile_preds, want, n);
        free(want);
    }
    cl_chronos2_input bad = {.context = ctx, .B = B, .L = L, .head_only = 1, .capture_hidden = 1};
    cl_chronos2_result r;
    assert_int_equal(cl_chronos2_forward(s, &bad, &r, &err), CL_EINVAL);
    cl_state_free(s);
    cl_model_free(m);
    free(ctx);
    st_close(&g);
}

int main(int argc, char **argv) {
    cl_set_threads(2);
    static const struct CMUnitTest common[] = {
        cmocka_unit_test(test_arithmetic),
        cmocka_unit_test(test_head_only),
        cmocka_unit_test(test_long),
        cmocka_unit_test(test_covariates),
        cmocka_unit_test(test_cli_wide),
        cmocka_unit_test(test_cli_df),
        cmocka_unit_test(test_df_categorical),
        cmocka_unit_test(test_df_categorical_upstream),
        cmocka_unit_test(test_embed),
        cmocka_unit_test(test_embed_groups),
    };
    static const struct CMUnitTest peer[] = {cmocka_unit_test(test_peer)};
    static const cl_test_group groups[] = {
        CL_TEST_GROUP("common", common, NULL, NULL, NULL, NULL),
        CL_TEST_GROUP("peer", peer, NULL, NULL, NULL, NULL),
    };
    return cl_test_main(argc, argv, groups, sizeof groups / sizeof *groups);
}
