/* test_forecast_cli.c — `forecast` and `embed` end to end, for every model family: embeddings
 * against the golden encoder output, and the scales beside them. Per family: T5's greedy values
 * against the reference (cached and uncached; the peer dummy's in group peer), same output for
 * any thread count; Bolt's quantiles and paths against the pipeline's. The parrot on a periodic
 * series, and bad options: one line naming the option, exit status 2, no output left behind. */
#include "testutil.h"
#include "core/core.h"
#include "io/npy.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SMALL CL_FIXTURES "/rand-small"
#define GATED CL_FIXTURES "/rand-gated-bf16"
#define RAND CL_FIXTURES "/bolt-rand"

static char *tmp(const char *name) {
    static char buf[8][512];
    static int k = 0;
    char *p = buf[k++ % 8];
    snprintf(p, 512, "%s/%s", test_tmpdir(), name);
    return p;
}

static float *read_npy(const char *path, int *nd, int64_t *shape) {
    float *d;
    cl_error err;
    if (npy_read_f32(path, &d, nd, shape, &err)) fail_msg("%s", err.msg);
    return d;
}

/* ------------------------------------------------------------ greedy */

static void check_greedy_cli(const char *dir, const char *extra) {
    const char *npy = tmp("greedy.npy"), *csv = tmp("greedy.csv");
    int rc = run_cmd("'%s' forecast -q --model '%s' --context '%s/context.csv' --out '%s' --samples-out '%s' "
                     "--samples 1 --top-k 1 --horizon 8 %s", CL_CLI, dir, dir, csv, npy, extra);
    assert_int_equal(rc, 0);
    int nd;
    int64_t sh[NPY_MAX_DIMS];
    float *v = read_npy(npy, &nd, sh);
    char gp[4096];
    snprintf(gp, sizeof gp, "%s/golden.safetensors", dir);
    st_file g;
    cl_error err;
    if (st_open(gp, &g, &err)) fail_msg("%s", err.msg);
    size_t n;
    float *gv = golden_f32(&g, "greedy_values", &n);
    assert_int_equal(nd, 3);
    assert_int_equal(sh[1], 1);
    assert_int_equal(sh[2], 8);
    assert_int_equal((size_t)(sh[0] * 8), n);
    for (size_t i = 0; i < n; i++)
        if (v[i] != gv[i]) fail_msg("%s %s: value %zu is %.9g, reference %.9g", dir, extra, i, v[i], gv[i]);
    free(gv);
    free(v);
    st_close(&g);
}

static void test_greedy_cli(void **st) {
    (void)st;
    check_greedy_cli(SMALL, "");
    check_greedy_cli(SMALL, "--no-cache --batch 2");
    check_greedy_cli(GATED, "--threads 1");
}

static void test_greedy_peer(void **st) { (void)st; check_greedy_cli(cl_test_peer(&cl_test_t5), ""); }

/* ------------------------------------------------------------ determinism, horizon loop */

static void test_threads_and_seed(void **st) {
    (void)st;
    const char *base = "'%s' forecast -q --model " SMALL " --context " SMALL "/context.csv --samples 6 --horizon 70 "
                       "--out '%s' --samples-out '%s' --threads %d --seed %d";
    assert_int_equal(run_cmd(base, CL_CLI, tmp("t1.csv"), tmp("t1.npy"), 1, 5), 0);
    assert_int_equal(run_cmd(base, CL_CLI, tmp("t2.csv"), tmp("t2.npy"), 2, 5), 0);
    assert_int_equal(run_cmd(base, CL_CLI, tmp("t3.csv"), tmp("t3.npy"), 2, 6), 0);
    char *a = slurp(tmp("t1.csv")), *b = slurp(tmp("t2.csv")), *c = slurp(tmp("t3.csv"));
    assert_string_equal(a, b);
    assert_true(strcmp(a, c) != 0);
    /* horizon 70 > prediction_length 64: two rounds, 70 steps per series, 3 series */
    int lines = 0;
    for (char *p = a; *p; p++) lines += *p == '\n';
    assert_int_equal(lines, 1 + 3 * 70);
    assert_non_null(strstr(a, "series,step,mean,q0.1,q0.2,q0.3,q0.4,q0.5,q0.6,q0.7,q0.8,q0.9\n"));
    assert_non_null(strstr(a, "\nseries_2,70,"));
    int nd;
    int64_t sh[NPY_MAX_DIMS];
    float *x = read_npy(tmp("t1.npy"), &nd, sh), *y = read_npy(tmp("t2.npy"), &nd, sh);
    assert_int_equal(nd, 3);
    assert_true(sh[0] == 3 && sh[1] == 6 && sh[2] == 70);
    assert_memory_equal(x, y, sizeof(float) * 3 * 6 * 70);
    free(a); free(b); free(c); free(x); free(y);
}

/* ------------------------------------------------------------ parrot, compare, plot */

static void test_parrot_cli(void **st) {
    (void)st;
    const char *csv = tmp("periodic.csv"), *out = tmp("parrot.csv");
    FILE *f = fopen(csv, "w");
    fprintf(f, "wave,short\n");
    const int P = 12, L = 100;
    for (int t = 0; t < L; t++) {
        if (t < 40) fprintf(f, "%g,\n", 10.0 + (t % P) * (t % P) % 7 + 0.25 * (t % P));
        else fprintf(f, "%g,%g\n", 10.0 + (t % P) * (t % P) % 7 + 0.25 * (t % P), sin(t * 0.5));
    }
    fclose(f);
    assert_int_equal(run_cmd("'%s' forecast -q --method parrot --context '%s' --out '%s' --horizon 30 --plot '%s'",
                             CL_CLI, csv, out, tmp("parrot.png")), 0);
    assert_true(file_exists(tmp("parrot.png")) && file_exists(tmp("parrot.svg")));
    char *text = slurp(out), *line = strtok(text, "\n");
    assert_string_equal(line, "series,step,mean,q0.1,q0.2,q0.3,q0.4,q0.5,q0.6,q0.7,q0.8,q0.9");
    int checked = 0;
    while ((line = strtok(NULL, "\n"))) {
        char name[32];
        int step;
        double mean, q1;
        assert_int_equal(sscanf(line, "%31[^,],%d,%lf,%lf", name, &step, &mean, &q1), 4);
        if (strcmp(name, "wave")) continue;
        int t = L - 1 + step;
        double want = 10.0 + (t % P) * (t % P) % 7 + 0.25 * (t % P);
        if (mean != want || q1 != want) fail_msg("parrot step %d: %g, the period continues with %g", step, mean, want);
        checked++;
    }
    assert_int_equal(checked, 30);
    free(text);
}

static void test_compare_cli(void **st) {
    (void)st;
    const char *out = tmp("cmp.csv"), *log = tmp("cmp.txt");
    assert_int_equal(run_cmd("'%s' forecast -q --model " SMALL " --context " SMALL "/context.csv --samples 4 --horizon 12 "
                             "--quantiles 0.5 --compare --parrot-window 6 --out '%s' --plot '%s' > '%s'",
                             CL_CLI, out, tmp("cmp.png"), log), 0);
    char *t = slurp(log), *o = slurp(out);
    assert_non_null(strstr(t, "series,parrot_period,match_distance,median_vs_parrot_mae_scaled\nseries_0,"));
    assert_non_null(strstr(o, "series,step,mean,q0.5,parrot\n"));
    assert_true(file_exists(tmp("cmp.png")));
    free(t); free(o);
}

/* ------------------------------------------------------------ embed */

/* `embed` on a golden fixture of the running family, in batches of `batch` series: the
 * encoder output within 1e-4, of the golden's shape; the scales file holds each series'
 * scale (T5: (B)) or loc and scale (Bolt: (B, 2)), exactly. */
static void check_embed(const char *dir, int batch) {
    const int bolt = cl_test_family_now()->family == CL_FAMILY_BOLT;
    const char *out = tmp("emb.npy"), *sc = tmp("scales.npy");
    assert_int_equal(run_cmd("'%s' embed -q --model '%s' --context '%s/context.csv' --out '%s' --scales-out '%s' --batch %d",
                             CL_CLI, dir, dir, out, sc, batch), 0);
    char gp[4096];
    snprintf(gp, sizeof gp, "%s/golden.safetensors", dir);
    st_file g;
    cl_error err;
    if (st_open(gp, &g, &err)) fail_msg("%s", err.msg);
    const st_tensor *gt = st_find(&g, "encoder_hidden");
    assert_non_null(gt);
    int nd;
    int64_t sh[NPY_MAX_DIMS];
    float *e = read_npy(out, &nd, sh), *s = NULL;
    assert_int_equal(nd, 3);
    for (int i = 0; i < 3; i++) assert_int_equal(sh[i], gt->shape[i]);
    size_t n;
    float *ge = golden_f32(&g, "encoder_hidden", &n), *gs = golden_f32(&g, "scale", &n);
    assert_close("embedding", e, ge, (size_t)(sh[0] * sh[1] * sh[2]), 1e-4);
    s = read_npy(sc, &nd, sh);
    assert_int_equal(nd, 1 + bolt);
    assert_int_equal((size_t)sh[0], n);
    if (bolt) {
        assert_int_equal(sh[1], 2);
        float *gl = golden_f32(&g, "loc", &n);
        for (size_t i = 0; i < n; i++) assert_true(s[2 * i] == gl[i] && s[2 * i + 1] == gs[i]);
        free(gl);
    } else {
        for (size_t i = 0; i < n; i++) assert_true(s[i] == gs[i]);
    }
    free(e); free(s); free(ge); free(gs);
    st_close(&g);
}

static void test_embed_cli(void **st) {
    (void)st;
    const cl_test_family *f = cl_test_family_now();
    /* T5 in batches of 2, Bolt of 3 (4 series: the last batch shorter) */
    const int batch = f->family == CL_FAMILY_BOLT ? 3 : 2;
    check_embed(f->golden[0], batch);
    if (f->family == CL_FAMILY_T5) check_embed(f->golden[1], batch);
}

/* ------------------------------------------------------------ Bolt: the pipeline */

/* Bolt: the quantiles and mean of a horizon beyond prediction_length, and the quantile
 * paths, against the pipeline's golden values within 1e-4 relative */
static void test_bolt_forecast_cli(void **st) {
    (void)st;
    char out[512], npy[512];
    snprintf(out, sizeof out, "%s/fc.csv", test_tmpdir());
    snprintf(npy, sizeof npy, "%s/paths.npy", test_tmpdir());
    assert_int_equal(run_cmd("'%s' forecast --quiet --model '%s' --context '%s/context.csv' --horizon 100 --batch 7 "
                             "--quantiles 0.05,0.25,0.5,0.75,0.95 --out '%s' --samples-out '%s'", CL_CLI, RAND, RAND, out, npy), 0);
    st_file g;
    cl_error err;
    if (st_open(RAND "/golden.safetensors", &g, &err)) fail_msg("%s", err.msg);
    size_t n;
    float *gq = golden_f32(&g, "quantiles_long", &n), *gm = golden_f32(&g, "mean_long", &n),
          *gs = golden_f32(&g, "scale", &n);
    char *text = slurp(out);
    char *line = strtok(text, "\n");
    assert_string_equal(line, "series,step,mean,q0.05,q0.25,q0.5,q0.75,q0.95");
    int rows = 0;
    while ((line = strtok(NULL, "\n"))) {
        char name[64];
        int step;
        float v[6];
        assert_int_equal(sscanf(line, "%63[^,],%d,%f,%f,%f,%f,%f,%f", name, &step, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]), 8);
        int b = rows / 100, k = step - 1;
        assert_int_equal(k, rows % 100);
        assert_true(fabs(v[0] - gm[b * 100 + k]) <= 1e-4 * (fabs(gm[b * 100 + k]) + gs[b]));
        for (int j = 0; j < 5; j++) {
            double ref = gq[((size_t)b * 100 + k) * 5 + j];
            if (!(fabs(v[1 + j] - ref) <= 1e-4 * (fabs(ref) + gs[b])))
                fail_msg("series %d step %d level %d: %.9g vs golden %.9g", b, step, j, v[1 + j], ref);
        }
        rows++;
    }
    assert_int_equal(rows, 4 * 100);
    free(text);
    /* the quantile paths (B, Q, horizon) */
    float *p;
    int nd;
    int64_t shape[8];
    assert_int_equal(npy_read_f32(npy, &p, &nd, shape, &err), 0);
    assert_int_equal(nd, 3);
    assert_true(shape[0] == 4 && shape[1] == 9 && shape[2] == 100);
    float *gp = golden_f32(&g, "predict_long", &n);
    for (size_t i = 0; i < n; i++) assert_true(fabs(p[i] - gp[i]) <= 1e-4 * (fabs(gp[i]) + gs[i / 900]));
    free(p); free(gp); free(gq); free(gm); free(gs);
    st_close(&g);
}

/* ------------------------------------------------------------ bad input */

static void expect_bad(const char *args, const char *culprit, const char *problem) {
    char out[512], errlog[512];
    snprintf(out, sizeof out, "%s/badout", test_tmpdir());
    run_cmd("rm -rf '%s' && mkdir -p '%s'", out, out);
    snprintf(errlog, sizeof errlog, "%s/stderr.txt", test_tmpdir());
    /* outputs go right after the command word, so options given in args win */
    int fc = strncmp(args, "forecast ", 9) == 0;
    const char *rest = strchr(args, ' ') ? strchr(args, ' ') : "";
    int rc = fc ? run_cmd("'%s' forecast --out '%s/o.csv' --samples-out '%s/o.npy' --plot '%s/o.png' %s 2> '%s'", CL_CLI,
                          out, out, out, rest, errlog)
                : run_cmd("'%s' embed --out '%s/o.npy' --scales-out '%s/s.npy' %s 2> '%s'", CL_CLI, out, out, rest, errlog);
    char *text = slurp(errlog);
    if (rc != 2) fail_msg("%s: exit status %d (want 2); stderr: %s", args, rc, text);
    int lines = 0;
    for (char *p = text; *p; p++) lines += *p == '\n';
    if (lines != 1) fail_msg("%s: stderr has %d lines (want 1): %s", args, lines, text);
    if (!strstr(text, culprit)) fail_msg("%s: error does not name '%s': %s", args, culprit, text);
    if (!strstr(text, problem)) fail_msg("%s: error does not say '%s': %s", args, problem, text);
    DIR *d = opendir(out);
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') fail_msg("%s: left behind: %s", args, e->d_name);
    closedir(d);
    free(text);
}

#define FC "forecast --model " SMALL " --context " SMALL "/context.csv "

static void test_bad_options(void **st) {
    (void)st;
    expect_bad(FC "--horizon 0", "--horizon", "not an integer in [1,");
    expect_bad(FC "--horizon -3", "--horizon", "not an integer");
    expect_bad(FC "--samples 0", "--samples", "not an integer in [1,");
    expect_bad(FC "--top-p 0", "--top-p", "(0, 1]");
    expect_bad(FC "--top-p 1.5", "--top-p", "not a number in [0, 1]");
    expect_bad(FC "--temperature 0", "--temperature", "must be > 0");
    expect_bad(FC "--temperature -1", "--temperature", "not a number");
    expect_bad(FC "--quantiles 0.1,1", "--quantiles", "(0, 1)");
    expect_bad(FC "--quantiles 0,0.5", "--quantiles", "(0, 1)");
    expect_bad(FC "--quantiles 0.5,abc", "--quantiles", "(0, 1)");
    expect_bad(FC "--top-k -1", "--top-k", "not an integer");
    expect_bad(FC "--method oracle", "--method", "not model or parrot");
    expect_bad(FC "--parrot-window 0", "--parrot-window", "not an integer");
    expect_bad("forecast --model " SMALL, "--context", "usage"); /* no --model is fine (the bundled model): no --context is not */
    expect_bad(FC "--bogus", "'--bogus'", "unknown argument");
    expect_bad("forecast --model /nonexistent --context " SMALL "/context.csv", "/nonexistent", "cannot open");
    expect_bad("forecast --model " SMALL " --context /nonexistent.csv", "/nonexistent.csv", "cannot open");
    /* a failure after the forecast (plot into a missing folder) leaves no CSV or .npy behind */
    char args[1024];
    snprintf(args, sizeof args, FC "--horizon 4 --samples 2 --plot /nonexistent-dir/p.png");
    expect_bad(args, "/nonexistent-dir/p", "cannot");
    expect_bad("embed --model " SMALL " --context /nonexistent.csv", "/nonexistent.csv", "cannot open");
}

int main(int argc, char **argv) {
    static const struct CMUnitTest common[] = {
        cmocka_unit_test(test_parrot_cli),
        cmocka_unit_test(test_bad_options),
    };
    static const struct CMUnitTest t5[] = {
        cmocka_unit_test(test_embed_cli),
        cmocka_unit_test(test_greedy_cli),
        cmocka_unit_test(test_threads_and_seed),
        cmocka_unit_test(test_compare_cli),
    };
    static const struct CMUnitTest bolt[] = {
        cmocka_unit_test(test_embed_cli),
        cmocka_unit_test(test_bolt_forecast_cli),
    };
    static const struct CMUnitTest peer[] = {cmocka_unit_test(test_greedy_peer)};
    static const cl_test_group groups[] = {
        CL_TEST_GROUP("common", common, NULL, NULL, NULL, NULL),
        CL_TEST_GROUP("t5", t5, NULL, NULL, &cl_test_t5, NULL),
        CL_TEST_GROUP("bolt", bolt, NULL, NULL, &cl_test_bolt, NULL),
        CL_TEST_GROUP("peer", peer, NULL, NULL, &cl_test_t5, NULL),
    };
    int rc = cl_test_main(argc, argv, groups, sizeof groups / sizeof *groups);
    run_cmd("rm -rf '%s'", test_tmpdir());
    return rc;
}
