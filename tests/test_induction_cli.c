/* test_induction_cli.c — `chronolens induction` and `chronolens sweep` end to end: the numbers
 * in induction.json/csv and sweep.json/csv are those of the library call, --seeds K combines
 * K separate runs, figures are written, bad options exit 2 with one line and no output. */
#include "testutil.h"
#include "study/induction/induction.h"
#include "study/induction/sweep.h"
#include "core/core.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SMALL CL_FIXTURES "/rand-small"

static double num(const cJSON *o, const char *a, const char *b) {
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, a);
    if (b) x = cJSON_GetObjectItemCaseSensitive(x, b);
    if (!cJSON_IsNumber(x)) fail_msg("JSON lacks %s.%s", a, b ? b : "");
    return x->valuedouble;
}

/* JSON numbers: cJSON prints the shortest of 15 or 17 digits that reads back within one
 * ulp, so "the same number" means equal to 2 ulp. */
#define assert_same(a, b) assert_float_equal((a), (b), 4.5e-16 * fabs(b))

static const cJSON *model_json(const cJSON *root, int k) {
    return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "models"), k);
}

/* Splits a CSV line in place into at most n fields (empty fields kept). */
static int split(char *line, char **f, int n) {
    int k = 0;
    f[k++] = line;
    for (char *p = line; *p && k < n; p++)
        if (*p == ',') { *p = 0; f[k++] = p + 1; }
        else if (*p == '\n') *p = 0;
    return k;
}

static void run_ok(const char *args, const char *out) {
    int rc = run_cmd("rm -rf '%s' && '%s' induction --quiet --threads 1 %s --out '%s'", out, CL_CLI, args, out);
    assert_int_equal(rc, 0);
}

static void test_outputs_equal_library(void **st) {
    (void)st;
    char out[512], path[600];
    snprintf(out, sizeof out, "%s/ind", test_tmpdir());
    run_ok("--model " SMALL " --batch 6 --seed 3 --threshold 0.05", out);
    cl_error err;
    cl_model *m;
    if (cl_model_load(SMALL, NULL, &m, &err)) fail_msg("%s", err.msg);
    cl_induction_opts o;
    assert_int_equal(cl_induction_default(cl_model_config(m), &o, &err), 0);
    o.rrt.batch = 6;
    o.rrt.seed = 3;
    o.threshold = 0.05;
    cl_induction_result r;
    if (cl_induction_run(m, &o, &r, &err)) fail_msg("%s", err.msg);
    const int n = r.layers * r.heads;

    snprintf(path, sizeof path, "%s/induction.json", out);
    cJSON *root = read_json(path);
    const cJSON *mj = model_json(root, 0);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(mj, "name")->valuestring, "rand-small");
    const cJSON *heads = cJSON_GetObjectItemCaseSensitive(mj, "cross_heads");
    assert_int_equal(cJSON_GetArraySize(heads), n);
    for (int i = 0; i < n; i++) {
        const cJSON *h = cJSON_GetArrayItem(heads, i);
        assert_same(num(h, "current", "mean"), r.cur[i].mean);
        assert_same(num(h, "current", "std"), r.cur[i].std);
        assert_same(num(h, "right", "mean"), r.right[i].mean);
        assert_same(num(h, "ablation_dlogp", "mean"), r.ablate[i].mean);
        assert_same(num(h, "copying", "mean"), r.copy[i].mean);
        assert_int_equal(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(h, "above_current")), cl_induction_above(&r, i, CL_CUR));
    }
    const cJSON *eh = cJSON_GetObjectItemCaseSensitive(mj, "encoder_heads");
    for (int i = 0; i < r.enc_layers * r.heads; i++)
        assert_same(num(cJSON_GetArrayItem(eh, i), "right", "mean"), r.enc_right[i].mean);
    const cJSON *cnt = cJSON_GetObjectItemCaseSensitive(mj, "counts");
    assert_int_equal((int)num(cJSON_GetObjectItemCaseSensitive(cnt, "cross"), "any", "n"), r.cross[CL_ANY].n);
    assert_int_equal((int)num(cJSON_GetObjectItemCaseSensitive(cnt, "strict"), "any", "n"), r.strict_count[CL_ANY].n);
    cJSON_Delete(root);

    snprintf(path, sizeof path, "%s/induction.csv", out);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[4096], *fld[32];
    assert_non_null(fgets(line, sizeof line, f));
    assert_int_equal(split(line, fld, 32), 28); /* the study's 20 columns, then every occurrence's 8 */
    assert_string_equal(fld[4], "current_mean");
    assert_string_equal(fld[23], "right_all_mean");
    int rows = 0, enc_rows = 0;
    while (fgets(line, sizeof line, f)) {
        assert_int_equal(split(line, fld, 32), 28);
        assert_string_equal(fld[0], "rand-small");
        int l = atoi(fld[2]), h = atoi(fld[3]), i = l * r.heads + h;
        if (!strcmp(fld[1], "encoder")) {
            assert_float_equal(strtod(fld[7], NULL), r.enc_right[i].mean, 1e-8 * fabs(r.enc_right[i].mean) + 1e-12);
            assert_string_equal(fld[12], ""); /* no ablation for encoder heads */
            enc_rows++;
            continue;
        }
        assert_string_equal(fld[1], "cross");
        const double want[6] = {r.cur[i].mean, r.cur[i].std, r.right[i].mean, r.right[i].std, r.ablate[i].mean, r.copy[i].mean};
        const int col[6] = {4, 5, 7, 8, 12, 15};
        for (int q = 0; q < 6; q++) assert_float_equal(strtod(fld[col[q]], NULL), want[q], 1e-8 * fabs(want[q]) + 1e-12);
        assert_float_equal(strtod(fld[20], NULL), r.cur_all[i].mean, 1e-8 * fabs(r.cur_all[i].mean) + 1e-12);
        assert_float_equal(strtod(fld[23], NULL), r.right_all[i].mean, 1e-8 * fabs(r.right_all[i].mean) + 1e-12);
        assert_true(r.right_all[i].mean >= r.right[i].mean - 1e-6); /* the sum holds the most recent */
        assert_int_equal(atoi(fld[10]), cl_induction_above(&r, i, CL_CUR));
        assert_int_equal(atoi(fld[11]), cl_induction_above(&r, i, CL_RIGHT));
        assert_int_equal(atoi(fld[19]), cl_induction_strict(&r, i, CL_RIGHT));
        rows++;
    }
    fclose(f);
    assert_int_equal(rows, n);
    assert_int_equal(enc_rows, r.enc_layers * r.heads);
    const char *figs[] = {"mosaic_rand-small", "mosaic_encoder_rand-small", "layer_distribution"};
    for (int i = 0; i < 3; i++)
        for (int e = 0; e < 2; e++) {
            snprintf(path, sizeof path, "%s/%s.%s", out, figs[i], e ? "svg" : "png");
            if (!file_exists(path)) fail_msg("missing %s", path);
        }
    cl_induction_free(&r);
    cl_model_free(m);
}

static double sd(const double *x, int n) {
    double m = 0, s = 0;
    for (int i = 0; i < n; i++) m += x[i] / n;
    for (int i = 0; i < n; i++) s += (x[i] - m) * (x[i] - m);
    return sqrt(s / (n - 1));
}

/* --seeds 3 against three runs with --seed S, S+1, S+2; two models at once. */
static void test_seeds_against_separate_runs(void **st) {
    (void)st;
    char out[512], one[3][512], args[1024], path[2048], copy[512];
    snprintf(copy, sizeof copy, "%s/other-model", test_tmpdir());
    assert_int_equal(run_cmd("rm -rf '%s' && cp -r " SMALL " '%s'", copy, copy), 0);
    snprintf(out, sizeof out, "%s/seeds", test_tmpdir());
    snprintf(args, sizeof args, "--model " SMALL " --model '%s' --batch 4 --seed 20 --seeds 3 --threshold 0.045", copy);
    run_ok(args, out);
    for (int k = 0; k < 3; k++) {
        snprintf(one[k], sizeof one[k], "%s/seed%d", test_tmpdir(), k);
        snprintf(args, sizeof args, "--model " SMALL " --batch 4 --seed %d --threshold 0.045", 20 + k);
        run_ok(args, one[k]);
    }
    snprintf(path, sizeof path, "%s/induction.json", out);
    cJSON *all = read_json(path), *sep[3];
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(all, "models")), 2);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(model_json(all, 1), "name")->valuestring, "other-model");
    for (int k = 0; k < 3; k++) {
        snprintf(path, sizeof path, "%s/induction.json", one[k]);
        sep[k] = read_json(path);
    }
    const int B = 4, K = 3;
    for (int mk = 0; mk < 2; mk++) { /* the copy has the same weights: the same numbers */
        const cJSON *ha = cJSON_GetObjectItemCaseSensitive(model_json(all, mk), "cross_heads");
        for (int i = 0; i < cJSON_GetArraySize(ha); i++) {
            const char *keys[3] = {"current", "right", "ablation_dlogp"};
            for (int q = 0; q < 3; q++) {
                double means[3], M = 0, ss = 0;
                for (int k = 0; k < K; k++) {
                    const cJSON *h = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(model_json(sep[k], 0), "cross_heads"), i);
                    means[k] = num(h, keys[q], "mean");
                    M += means[k] / K;
                }
                for (int k = 0; k < K; k++) {
                    const cJSON *h = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(model_json(sep[k], 0), "cross_heads"), i);
                    double s = num(h, keys[q], "std");
                    ss += (B - 1) * s * s + B * (means[k] - M) * (means[k] - M);
                }
                const cJSON *h = cJSON_GetArrayItem(ha, i);
                assert_float_equal(num(h, keys[q], "mean"), M, 1e-9 + 1e-7 * fabs(M));
                assert_float_equal(num(h, keys[q], "seed_std"), sd(means, K), 1e-9);
                assert_float_equal(num(h, keys[q], "std"), sqrt(ss / (K * B - 1)), 1e-9);
            }
        }
        const char *crit[3] = {"current", "right", "any"};
        for (int c = 0; c < 3; c++) {
            double cnt[3];
            for (int k = 0; k < K; k++)
                cnt[k] = num(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(model_json(sep[k], 0), "counts"), "cross"), crit[c], "n");
            const cJSON *cc = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(model_json(all, mk), "counts"), "cross");
            assert_float_equal(num(cc, crit[c], "mean"), (cnt[0] + cnt[1] + cnt[2]) / 3, 1e-12);
            assert_float_equal(num(cc, crit[c], "std"), sd(cnt, 3), 1e-12);
        }
    }
    cJSON_Delete(all);
    for (int k = 0; k < 3; k++) cJSON_Delete(sep[k]);
}

static void test_sweep_outputs(void **st) {
    (void)st;
    char out[512], path[600];
    snprintf(out, sizeof out, "%s/sweep", test_tmpdir());
    assert_int_equal(run_cmd("rm -rf '%s' && '%s' sweep --quiet --threads 1 --model " SMALL " --reps-list 2,3 "
                             "--len-list 3,5,7 --batch 4 --seeds 2 --threshold 0.06 --out '%s'", out, CL_CLI, out), 0);
    cl_error err;
    cl_model *m;
    if (cl_model_load(SMALL, NULL, &m, &err)) fail_msg("%s", err.msg);
    cl_sweep_opts so = {.n_reps = 2, .n_lens = 3, .reps = (int[]){2, 3}, .lens = (int[]){3, 5, 7}};
    assert_int_equal(cl_induction_default(cl_model_config(m), &so.base, &err), 0);
    so.base.rrt.batch = 4;
    so.base.seeds = 2;
    so.base.threshold = 0.06;
    cl_sweep_result sr;
    if (cl_sweep_run(m, &so, &sr, &err)) fail_msg("%s", err.msg);
    snprintf(path, sizeof path, "%s/sweep.json", out);
    cJSON *root = read_json(path);
    const cJSON *cells = cJSON_GetObjectItemCaseSensitive(model_json(root, 0), "cells");
    assert_int_equal(cJSON_GetArraySize(cells), 6);
    for (int i = 0; i < 6; i++) {
        const cJSON *c = cJSON_GetArrayItem(cells, i);
        assert_int_equal((int)num(c, "reps", NULL), sr.cells[i].reps);
        assert_int_equal((int)num(c, "seq_len", NULL), sr.cells[i].seq_len);
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(c, "cross");
        assert_same(num(x, "current", "mean"), sr.cells[i].cross[CL_CUR].mean);
        assert_same(num(x, "right", "std"), sr.cells[i].cross[CL_RIGHT].std);
        assert_int_equal((int)num(x, "any", "n"), sr.cells[i].cross[CL_ANY].n);
    }
    cJSON_Delete(root);
    snprintf(path, sizeof path, "%s/sweep.csv", out);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[4096], *fld[32];
    int rows = 0;
    assert_non_null(fgets(line, sizeof line, f));
    assert_int_equal(split(line, fld, 32), 26); /* 21 counts, then 1/T, baseline-aware, total, all-occurrence */
    while (fgets(line, sizeof line, f)) {
        assert_int_equal(split(line, fld, 32), 26);
        assert_int_equal(atoi(fld[1]), sr.cells[rows].reps);
        assert_int_equal(atoi(fld[2]), sr.cells[rows].seq_len);
        assert_int_equal(atoi(fld[3]), sr.cells[rows].cross[CL_CUR].n);
        assert_float_equal(strtod(fld[4], NULL), sr.cells[rows].cross[CL_CUR].mean, 1e-7);
        /* 1/T and the author's total (current count + right count) */
        assert_float_equal(strtod(fld[21], NULL), 1.0 / (sr.cells[rows].reps * sr.cells[rows].seq_len + 2), 1e-9);
        assert_int_equal(atoi(fld[23]), sr.cells[rows].cross[CL_CUR].n + sr.cells[rows].cross[CL_RIGHT].n);
        assert_true(atoi(fld[22]) <= sr.cells[rows].cross[CL_ANY].n); /* a higher bar than the fixed threshold */
        rows++;
    }
    fclose(f);
    assert_int_equal(rows, 6);
    const char *figs[] = {"sweep_rand-small", "sweep_lines_rand-small"};
    for (int i = 0; i < 2; i++)
        for (int e = 0; e < 2; e++) {
            snprintf(path, sizeof path, "%s/%s.%s", out, figs[i], e ? "svg" : "png");
            if (!file_exists(path)) fail_msg("missing %s", path);
        }
    cl_sweep_free(&sr);
    cl_model_free(m);
}

/* exit 2, one line on stderr containing `what`, no output folder */
static void expect_bad(const char *cmd, const char *args, const char *what) {
    char out[512], log[600];
    snprintf(out, sizeof out, "%s/bad-out", test_tmpdir());
    snprintf(log, sizeof log, "%s/bad-stderr.txt", test_tmpdir());
    int rc = run_cmd("rm -rf '%s'; '%s' %s %s --out '%s' 2> '%s'", out, CL_CLI, cmd, args, out, log);
    char *text;
    size_t n;
    cl_error err;
    assert_int_equal(cl_read_file(log, 1 << 20, &text, &n, &err), 0);
    if (rc != 2) fail_msg("%s %s: exit %d (want 2): %s", cmd, args, rc, text);
    int lines = 0;
    for (size_t i = 0; i < n; i++) lines += text[i] == '\n';
    if (lines != 1) fail_msg("%s %s: %d lines on stderr: %s", cmd, args, lines, text);
    if (!strstr(text, what)) fail_msg("%s %s: error does not name '%s': %s", cmd, args, what, text);
    if (dir_exists(out)) fail_msg("%s %s: left an output folder", cmd, args);
    free(text);
}

static void test_bad_options(void **st) {
    (void)st;
    const char *M = "--model " SMALL;
    char a[1024];
#define BAD(cmd, extra, what) do { snprintf(a, sizeof a, "%s %s", M, extra); expect_bad(cmd, a, what); } while (0)
    BAD("induction", "--token-range 5:3", "--token-range");
    BAD("induction", "--token-range 5", "--token-range");
    BAD("induction", "--token-range 2000:4096", "--token-range");
    BAD("induction", "--threshold 2", "--threshold");
    BAD("induction", "--threshold -0.1", "--threshold");
    BAD("induction", "--seq-len 1", "--seq-len");
    BAD("induction", "--reps 0", "--reps");
    BAD("induction", "--reps 1", "--reps");
    BAD("induction", "--batch 0", "--batch");
    BAD("induction", "--seeds 0", "--seeds");
    BAD("induction", "--seed x", "--seed");
    BAD("induction", "--frobnicate", "--frobnicate");
    BAD("induction", "--model " SMALL, "two models are named 'rand-small'");
    BAD("induction", "--model /nonexistent/model", "/nonexistent/model");
    BAD("sweep", "--reps-list 1,2", "--reps-list");
    BAD("sweep", "--len-list 4,x", "--len-list");
    BAD("sweep", "--len-list 4,", "--len-list");
    BAD("sweep", "--threshold 1.5", "--threshold");
    /* no --model: the bundled model, or $CHRONOLENS_MODEL, which must be a model folder */
    {
        char out[512], log[600], *text;
        size_t n;
        cl_error err;
        snprintf(out, sizeof out, "%s/bad-out", test_tmpdir());
        snprintf(log, sizeof log, "%s/bad-stderr.txt", test_tmpdir());
        assert_int_equal(run_cmd("rm -rf '%s'; CHRONOLENS_MODEL=/nonexistent/env-model '%s' induction --batch 4 --out '%s' 2> '%s'",
                                 out, CL_CLI, out, log), 2);
        assert_int_equal(cl_read_file(log, 1 << 20, &text, &n, &err), 0);
        assert_non_null(strstr(text, "/nonexistent/env-model"));
        assert_false(dir_exists(out));
        free(text);
        assert_int_equal(run_cmd("'%s' induction --model " SMALL " --batch 4 2> '%s'", CL_CLI, log), 2);
        assert_int_equal(cl_read_file(log, 1 << 20, &text, &n, &err), 0);
        assert_non_null(strstr(text, "usage"));
        free(text);
    }
    /* --out names an existing file */
    char file[600], log[700];
    snprintf(file, sizeof file, "%s/a-file", test_tmpdir());
    snprintf(log, sizeof log, "%s/bad-stderr.txt", test_tmpdir());
    assert_int_equal(run_cmd("echo x > '%s'", file), 0);
    assert_int_equal(run_cmd("'%s' induction --model " SMALL " --out '%s' 2> '%s'", CL_CLI, file, log), 2);
    char *text;
    size_t n;
    cl_error err;
    assert_int_equal(cl_read_file(log, 1 << 20, &text, &n, &err), 0);
    assert_non_null(strstr(text, "--out"));
    free(text);
#undef BAD
}

int main(void) {
    cl_set_threads(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outputs_equal_library),
        cmocka_unit_test(test_seeds_against_separate_runs),
        cmocka_unit_test(test_sweep_outputs),
        cmocka_unit_test(test_bad_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
