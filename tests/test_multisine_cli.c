/* test_multisine_cli.c — `chronolens multisine` and `multisine-sweep` end to end on the
 * rand-small fixture: every output written, the numbers equal to the library's, seeded
 * reproducibility; and bad input: one line naming the option, exit 2, no output. */
#include "testutil.h"
#include "study/multisine/msheads.h"
#include "study/multisine/multisine.h"
#include "core/core.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SMALL CL_FIXTURES "/rand-small"

static int count_lines(const char *path) {
    char *text;
    size_t n;
    cl_error err;
    if (cl_read_file(path, 1 << 26, &text, &n, &err)) fail_msg("%s", err.msg);
    int lines = 0;
    for (size_t i = 0; i < n; i++) lines += text[i] == '\n';
    free(text);
    return lines;
}

static void expect_file(const char *dir, const char *name) {
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    if (!file_exists(p)) fail_msg("missing output %s", p);
}

static void test_multisine_end_to_end(void **st) {
    (void)st;
    char out[512];
    snprintf(out, sizeof out, "%s/ms", test_tmpdir());
    assert_int_equal(run_cmd("'%s' multisine -q --model " SMALL " --out '%s' --permutations 500 --seed 3", CL_CLI, out), 0);
    const char *files[] = {"multisine.json", "multisine.csv", "rand-small-spectra.safetensors",
                           "rand-small-attention.png", "rand-small-attention.svg", "rand-small-spectra.png",
                           "rand-small-spectra.svg", "rand-small-double-fft.png", "rand-small-double-fft.svg"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) expect_file(out, files[i]);
    char p[1024];
    snprintf(p, sizeof p, "%s/multisine.csv", out);
    assert_int_equal(count_lines(p), 1 + 8); /* header + 2 layers x 4 heads */
    snprintf(p, sizeof p, "%s/multisine.json", out);
    cJSON *j = read_json(p);
    cJSON *in = cJSON_GetObjectItem(j, "input");
    assert_int_equal(cJSON_GetObjectItem(in, "points")->valueint, 301);
    assert_true(fabs(cJSON_GetObjectItem(in, "smallest_gap_hz")->valuedouble - 5) < 1e-12);
    cJSON *mo = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "models"), 0);
    cJSON *heads = cJSON_GetObjectItem(mo, "per_head");
    assert_int_equal(cJSON_GetArraySize(heads), 8);

    /* the numbers are the library's on the same series */
    cl_error err;
    cl_model *m;
    cl_state *s;
    cl_fft *f;
    if (cl_model_load(SMALL, NULL, &m, &err) || cl_state_new(m, &s, &err) || cl_fft_new(301, &f, &err)) fail_msg("%s", err.msg);
    cl_multisine ms;
    cl_multisine_reference(&ms);
    float x[301];
    cl_multisine_eval(&ms, NULL, x);
    cl_spacing_opts o;
    cl_spacing_default(&o);
    cl_ms_head h[8];
    double ind[8];
    if (cl_multisine_induction(s, ind, NULL, NULL, &err) || cl_ms_heads(s, f, x, 1, 301, 3.0, 1, &o, h, NULL, NULL, &err))
        fail_msg("%s", err.msg);
    for (int i = 0; i < 8; i++) {
        cJSON *e = cJSON_GetArrayItem(heads, i);
        assert_int_equal(cJSON_GetObjectItem(e, "layer")->valueint, i / 4);
        assert_int_equal(cJSON_GetObjectItem(e, "head")->valueint, i % 4);
        assert_true(fabs(cJSON_GetObjectItem(e, "amplitude")->valuedouble - h[i].amplitude) <= 1e-12 * h[i].amplitude);
        assert_true(fabs(cJSON_GetObjectItem(e, "induction_score")->valuedouble - ind[i]) <= 1e-12);
        assert_int_equal(cJSON_IsTrue(cJSON_GetObjectItem(e, "periodic")), h[i].sp.periodic);
        cJSON *sp = cJSON_GetObjectItem(e, "spacing_hz");
        if (h[i].sp.periodic) assert_true(fabs(sp->valuedouble - h[i].sp.spacing_hz) < 1e-9);
        else assert_true(cJSON_IsNull(sp));
    }
    cJSON *rho = cJSON_GetObjectItem(cJSON_GetObjectItem(mo, "spearman_amplitude_induction"), "rho");
    assert_true(cJSON_IsNumber(rho) && fabs(rho->valuedouble) <= 1);
    cJSON_Delete(j);
    cl_fft_free(f);
    cl_state_free(s);
    cl_model_free(m);
}

/* The planted model (see test_multisine.c): head 0 attends as a smooth function of the value,
 * so its spectrum repeats every 5 Hz for the reference input; head 1 attends uniformly. */
static void test_multisine_planted(void **st) {
    (void)st;
    char out[512], p[1024];
    snprintf(out, sizeof out, "%s/ms-planted", test_tmpdir());
    assert_int_equal(run_cmd("'%s' multisine -q --model " CL_FIXTURES "/planted-period --out '%s' --permutations 10", CL_CLI,
                             out), 0);
    snprintf(p, sizeof p, "%s/multisine.json", out);
    cJSON *j = read_json(p);
    cJSON *heads = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "models"), 0), "per_head");
    assert_int_equal(cJSON_GetArraySize(heads), 2);
    cJSON *h0 = cJSON_GetArrayItem(heads, 0), *h1 = cJSON_GetArrayItem(heads, 1);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(h0, "periodic")));
    double sp = cJSON_GetObjectItem(h0, "spacing_hz")->valuedouble, e = cJSON_GetObjectItem(h0, "error_hz")->valuedouble;
    if (fabs(sp - 5) > 0.05) fail_msg("planted head: spacing %g Hz, want 5", sp);
    assert_true(fabs(e - (sp - 5)) < 1e-12);
    assert_true(fabs(cJSON_GetObjectItem(h0, "quefrency_s")->valuedouble - 1 / sp) < 1e-12);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(h1, "periodic")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(h1, "spacing_hz")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(h1, "error_hz")));
    cJSON_Delete(j);
}

static void test_sweep_end_to_end(void **st) {
    (void)st;
    char a[512], b[512], c[512];
    snprintf(a, sizeof a, "%s/sw-a", test_tmpdir());
    snprintf(b, sizeof b, "%s/sw-b", test_tmpdir());
    snprintf(c, sizeof c, "%s/sw-c", test_tmpdir());
    const char *fmt = "'%s' multisine-sweep -q --model " SMALL " --out '%s' --configs 5 --batch 2 --permutations 200 --seed %d";
    assert_int_equal(run_cmd(fmt, CL_CLI, a, 3), 0);
    assert_int_equal(run_cmd(fmt, CL_CLI, b, 3), 0);
    assert_int_equal(run_cmd(fmt, CL_CLI, c, 4), 0);
    const char *files[] = {"sweep.csv", "sweep.json", "sweep-summary.md", "sweep.png", "sweep.svg"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) expect_file(a, files[i]);
    char p[1024];
    snprintf(p, sizeof p, "%s/sweep.csv", a);
    assert_int_equal(count_lines(p), 1 + 5 * 8);
    /* seeded: the same seed gives the same files, another seed other configurations */
    assert_int_equal(run_cmd("cmp -s '%s/sweep.csv' '%s/sweep.csv'", a, b), 0);
    assert_int_equal(run_cmd("cmp -s '%s/sweep.json' '%s/sweep.json'", a, b), 0);
    assert_int_not_equal(run_cmd("cmp -s '%s/sweep.csv' '%s/sweep.csv'", a, c), 0);
    snprintf(p, sizeof p, "%s/sweep.json", a);
    cJSON *j = read_json(p);
    cJSON *rows = cJSON_GetObjectItem(j, "summary");
    assert_int_equal(cJSON_GetArraySize(rows), 4);
    cJSON *all = cJSON_GetArrayItem(rows, 0), *top = cJSON_GetArrayItem(rows, 1);
    assert_int_equal(cJSON_GetObjectItem(all, "configs")->valueint, 5);
    assert_int_equal(cJSON_GetObjectItem(all, "pairs")->valueint, 40);
    assert_int_equal(cJSON_GetObjectItem(top, "pairs")->valueint, 15); /* top-3 of 5 configurations */
    cJSON *cf = cJSON_GetObjectItem(j, "configurations");
    assert_int_equal(cJSON_GetArraySize(cf), 5);
    for (int k = 0; k < 5; k++) {
        int n = cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetArrayItem(cf, k), "freqs_hz"));
        assert_true(n >= 2 && n <= 6);
    }
    cJSON_Delete(j);
}

/* Runs a command line; asserts exit 2, one stderr line containing `what`, and nothing in out. */
static void expect_bad(const char *args, const char *what) {
    char out[512], errlog[512];
    snprintf(out, sizeof out, "%s/bad-out", test_tmpdir());
    snprintf(errlog, sizeof errlog, "%s/bad-stderr.txt", test_tmpdir());
    run_cmd("rm -rf '%s'", out);
    int rc = run_cmd("'%s' %s --out '%s' 2> '%s' > /dev/null", CL_CLI, args, out, errlog);
    char *text;
    size_t n;
    cl_error err;
    assert_int_equal(cl_read_file(errlog, 1 << 20, &text, &n, &err), 0);
    if (rc != 2) fail_msg("%s: exit status %d (want 2); stderr: %s", args, rc, text);
    int lines = 0;
    for (size_t i = 0; i < n; i++) lines += text[i] == '\n';
    if (lines != 1) fail_msg("%s: stderr has %d lines (want 1): %s", args, lines, text);
    if (!strstr(text, what)) fail_msg("%s: error does not say '%s': %s", args, what, text);
    if (dir_exists(out)) fail_msg("%s: output folder created", args);
    free(text);
}

static void test_bad_input(void **st) {
    (void)st;
    expect_bad("multisine --model " SMALL " --freqs ''", "--freqs");
    expect_bad("multisine --model " SMALL " --freqs 5,abc", "--freqs");
    expect_bad("multisine --model " SMALL " --freqs 5,,10", "--freqs");
    expect_bad("multisine --model " SMALL " --freqs 5,10 --amps 1,2,3", "--amps");
    expect_bad("multisine --model " SMALL " --phases 0,1", "--phases");
    expect_bad("multisine --model " SMALL " --freqs 5,50.2", "Nyquist");
    expect_bad("multisine --model " SMALL " --freqs 5,60 --points 301", "Nyquist");
    expect_bad("multisine --model " SMALL " --points 7", "--points");
    expect_bad("multisine --model " SMALL " --points 600 --freqs 5", "context_length");
    expect_bad("multisine --model " SMALL " --freqs 5,5", "twice");
    expect_bad("multisine --model " SMALL " --noise -1", "--noise");
    expect_bad("multisine --model " SMALL " --min-strength 2", "--min-strength");
    expect_bad("multisine --model /nonexistent/model", "/nonexistent/model");
    expect_bad("multisine-sweep --model " SMALL " --fmax 60", "Nyquist");
    expect_bad("multisine-sweep --model " SMALL " --configs 0", "--configs");
    expect_bad("multisine-sweep --model " SMALL " --min-freqs 5 --max-freqs 3", "--min-freqs");
    expect_bad("multisine-sweep --model " SMALL " --fmin 1 --fmax 4 --max-freqs 6", "--max-freqs");
    expect_bad("multisine-sweep --model " SMALL " --top-k 9", "--top-k");
    expect_bad("multisine-sweep --model " SMALL " --configs x", "--configs");
    /* an --out that is a file */
    char f[512], errlog[512];
    snprintf(f, sizeof f, "%s/a-file", test_tmpdir());
    snprintf(errlog, sizeof errlog, "%s/bad-stderr.txt", test_tmpdir());
    assert_int_equal(run_cmd("echo x > '%s'", f), 0);
    assert_int_equal(run_cmd("'%s' multisine -q --model " SMALL " --out '%s' 2> '%s'", CL_CLI, f, errlog), 2);
    assert_int_equal(count_lines(errlog), 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_multisine_end_to_end),
        cmocka_unit_test(test_multisine_planted),
        cmocka_unit_test(test_sweep_end_to_end),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
