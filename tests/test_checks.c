/* test_checks.c — no silent acceptance of inconsistent input: non-finite context cells,
 * config/checkpoint contradictions, inputs longer than the model's context, options that do
 * not apply, outputs of another kind, RFC 4180 CSV. Each: exit status, the one line,
 * nothing left behind, files intact. */
#include "testutil.h"
#include "core/core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SMALL CL_FIXTURES "/rand-small"
#define GATED CL_FIXTURES "/rand-gated-bf16"

static char OUT[512], LOG[512];

/* a fresh empty output folder OUT */
static void fresh_out(void) {
    snprintf(OUT, sizeof OUT, "%s/out", test_tmpdir());
    snprintf(LOG, sizeof LOG, "%s/stderr.txt", test_tmpdir());
    assert_int_equal(run_cmd("rm -rf '%s' && mkdir -p '%s'", OUT, OUT), 0);
}

static int count_lines(const char *t) {
    int n = 0;
    for (; *t; t++) n += *t == '\n';
    return n;
}

/* runs `chronolens ARGS` (%O in args = OUT); wants exit `want`, and when want is 2 one stderr
 * line holding a and b and nothing in OUT */
static void expect(int want, const char *a, const char *b, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void expect(int want, const char *a, const char *b, const char *fmt, ...) {
    char args[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    fresh_out();
    int rc = run_cmd("cd '%s' && '%s' %s 2>'%s'", OUT, CL_CLI, args, LOG);
    char *t = slurp(LOG);
    if (rc != want) fail_msg("%s: exit %d (want %d): %s", args, rc, want, t);
    if (want == 2) {
        if (count_lines(t) != 1) fail_msg("%s: stderr has %d lines: %s", args, count_lines(t), t);
        run_cmd("ls -A '%s' > '%s/ls.txt'", OUT, test_tmpdir());
        char p[600];
        snprintf(p, sizeof p, "%s/ls.txt", test_tmpdir());
        char *ls = slurp(p);
        if (*ls) fail_msg("%s: left behind: %s", args, ls);
        free(ls);
    }
    if (a && !strstr(t, a)) fail_msg("%s: stderr does not say '%s': %s", args, a, t);
    if (b && !strstr(t, b)) fail_msg("%s: stderr does not say '%s': %s", args, b, t);
    free(t);
}

static const char *write_file(const char *name, const char *text) {
    static char p[8][600];
    static int k;
    char *path = p[k++ % 8];
    snprintf(path, 600, "%s/%s", test_tmpdir(), name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* a copy of a fixture with config.json edited by sed expression `sed` */
static const char *edited_model(const char *src, const char *tag, const char *sed) {
    static char dir[600];
    snprintf(dir, sizeof dir, "%s/model-%s", test_tmpdir(), tag);
    assert_int_equal(run_cmd("rm -rf '%s' && cp -r '%s' '%s' && chmod -R u+w '%s' && sed -i -e '%s' '%s/config.json'",
                             dir, src, dir, dir, sed, dir), 0);
    return dir;
}

static void test_nonfinite_cells(void **st) {
    (void)st;
    const char *cells[] = {"inf", "-inf", "1e400", "-Infinity", "1e39"};
    for (int i = 0; i < 5; i++) {
        char text[128];
        snprintf(text, sizeof text, "a,b\n1,2\n3,%s\n5,6\n", cells[i]);
        const char *csv = write_file("nonfinite.csv", text);
        expect(2, "nonfinite.csv: line 3, column 2", "not finite", "forecast --model " SMALL " --context '%s' --out f.csv", csv);
        expect(2, "nonfinite.csv: line 3, column 2", "not finite", "forward --model " SMALL " --context '%s' --out f.st", csv);
    }
    /* a series with no value at all: a warning, and the forecast is still written */
    const char *csv = write_file("allnan.csv", "a,b\n1,\n2,NaN\n3,\n4,\n");
    expect(0, "warning: ", "series 'b' (column 2) has no values",
           "forecast --model " SMALL " --context '%s' --out f.csv --samples 2 --horizon 2", csv);
}

static void test_config_contradictions(void **st) {
    (void)st;
    /* fewer layers than the checkpoint has */
    const char *m = edited_model(SMALL, "layers", "s/\"num_layers\": 2/\"num_layers\": 1/");
    expect(2, "encoder.block.1.", "num_layers 1", "forward --model '%s' --context " SMALL "/context.csv --out f.st", m);
    /* a gated config over a wi-only checkpoint, and is_gated_act contradicting feed_forward_proj */
    m = edited_model(SMALL, "gated", "s/\"feed_forward_proj\": \"relu\"/\"feed_forward_proj\": \"gated-gelu\"/");
    expect(2, "config.json", "contradicts is_gated_act false", "forward --model '%s' --context " SMALL "/context.csv --out f.st", m);
    m = edited_model(SMALL, "gated2", "s/\"is_gated_act\": false/\"is_gated_act\": true/; s/\"feed_forward_proj\": \"relu\"/\"feed_forward_proj\": \"gated-gelu\"/");
    expect(2, "wi_0.weight", "not gated, wi only", "forward --model '%s' --context " SMALL "/context.csv --out f.st", m);
    /* a relu config over a gated checkpoint */
    m = edited_model(GATED, "ungated", "s/\"is_gated_act\": true/\"is_gated_act\": false/; s/\"feed_forward_proj\": \"gated-gelu\"/\"feed_forward_proj\": \"relu\"/");
    expect(2, "wi_0/wi_1; config.json's is not", NULL, "forward --model '%s' --context " GATED "/context.csv --out f.st", m);
    /* n_tokens below vocab_size */
    m = edited_model(SMALL, "ntok", "s/\"n_tokens\": 4096/\"n_tokens\": 4000/");
    expect(2, "config.json", "below vocab_size", "forward --model '%s' --context " SMALL "/context.csv --out f.st", m);
}

static void test_longer_than_context(void **st) {
    (void)st;
    /* rand-small: context_length 512; 400 x 2 + 1 values do not fit */
    expect(2, "801 values", "context_length 512", "induction --model " SMALL " --seq-len 400 --reps 2 --out ind");
    expect(2, "context_length 512", NULL, "sweep --model " SMALL " --reps-list 2,30 --len-list 2,20 --out sw");
    expect(2, "--points", "context_length", "multisine --model " SMALL " --points 600 --out ms");
}

static void test_options_that_do_not_apply(void **st) {
    (void)st;
    /* several models run one after the other (tests/progress_lines.sh); a part of a shard is one model's */
    expect(2, "--shard takes one --model", NULL,
           "multisine-sweep --model " SMALL " --model " GATED " --shard 1/2 --out mss");
    expect(2, "--samples does not apply to --method parrot", NULL,
           "forecast --method parrot --context " SMALL "/context.csv --out p.csv --samples 5");
    expect(2, "--temperature does not apply", NULL,
           "forecast --method parrot --context " SMALL "/context.csv --out p.csv --temperature 0.5");
    /* a horizon far beyond prediction_length (64) runs, with a warning */
    expect(0, "warning: --horizon 300", "prediction_length 64",
           "forecast --model " SMALL " --context " SMALL "/context.csv --out f.csv --samples 1 --horizon 300");
}

static void test_out_of_another_kind(void **st) {
    (void)st;
    char d[600], p[700];
    snprintf(d, sizeof d, "%s/trained", test_tmpdir());
    assert_int_equal(run_cmd("rm -rf '%s' && mkdir '%s' && cp " SMALL "/config.json " SMALL "/model.safetensors '%s' && "
                             "echo card > '%s/MODEL_CARD.md'", d, d, d, d), 0);
    expect(2, "MODEL_CARD.md", "--force", "init --size tiny --out '%s'", d);
    snprintf(p, sizeof p, "cmp -s " SMALL "/model.safetensors '%s/model.safetensors'", d);
    assert_int_equal(run_cmd("%s", p), 0); /* intact */
    expect(0, NULL, NULL, "init -q --size tiny --out '%s' --force", d);
    snprintf(p, sizeof p, "%s/MODEL_CARD.md", d);
    assert_true(file_exists(p));
    /* an earlier init's folder is an init's own kind */
    expect(0, NULL, NULL, "init -q --size tiny --seed 3 --out '%s/again' && '%s' init -q --size tiny --out '%s/again'",
           test_tmpdir(), CL_CLI, test_tmpdir());
    /* train over an existing run: refused; --force trains there and drops the old checkpoints */
    snprintf(d, sizeof d, "%s/run", test_tmpdir());
    run_cmd("rm -rf '%s'", d);
    expect(0, NULL, NULL, "train -q --out '%s' --d-model 16 --heads 2 --d-ff 32 --steps 2 --checkpoint-every 1 --eval-batches 1 --threads 1", d);
    expect(2, "not empty", "--force", "train -q --out '%s' --d-model 16 --heads 2 --d-ff 32 --steps 2 --threads 1", d);
    snprintf(p, sizeof p, "%s/checkpoints/step-000002/model.safetensors", d);
    assert_true(file_exists(p));
    expect(0, NULL, NULL, "train -q --force --out '%s' --d-model 16 --heads 2 --d-ff 32 --steps 1 --threads 1 --eval-batches 1", d);
    assert_false(file_exists(p));
    /* resuming a run in place is its own kind */
    expect(0, NULL, NULL, "train -q --out '%s/run2' --d-model 16 --heads 2 --d-ff 32 --steps 2 --checkpoint-every 1 --eval-batches 1 --threads 1 && "
           "'%s' train -q --out '%s/run2' --resume '%s/run2/checkpoints/step-000001' --steps 3 --threads 1",
           test_tmpdir(), CL_CLI, test_tmpdir(), test_tmpdir());
}

static void test_rfc4180(void **st) {
    (void)st;
    const char *csv = write_file("quoted.csv", "\"sales, EU\",\"say \"\"hi\"\"\",plain\n1,2,3\n2,3,4\n3,4,5\n4,5,6\n");
    char out[600];
    snprintf(out, sizeof out, "%s/q.csv", test_tmpdir());
    assert_int_equal(run_cmd("'%s' forecast -q --model " SMALL " --context '%s' --out '%s' --samples 2 --horizon 2 --quantiles 0.5",
                             CL_CLI, csv, out), 0);
    char *t = slurp(out);
    assert_non_null(strstr(t, "\n\"sales, EU\",1,"));
    assert_non_null(strstr(t, "\n\"say \"\"hi\"\"\",2,"));
    assert_non_null(strstr(t, "\nplain,1,"));
    free(t);
    /* read back: the CSV reader gives the same fields (4 columns of series,step,mean,q0.5) */
    const char *py = write_file("check.py", "import csv, sys\nr = list(csv.reader(open(sys.argv[1])))\n"
                                            "ok = all(len(x) == 4 for x in r) and r[1][0] == 'sales, EU' and r[3][0] == 'say \"hi\"'\n"
                                            "sys.exit(0 if ok else 1)\n");
    assert_int_equal(run_cmd("python3 '%s' '%s'", py, out), 0);
    /* duplicate names are refused, naming both columns */
    csv = write_file("dup.csv", "a,b,a\n1,2,3\n2,3,4\n");
    expect(2, "dup.csv: line 1: columns 1 and 3", "same name 'a'", "forecast --model " SMALL " --context '%s' --out f.csv", csv);
}

/* report on a model whose context_length (256) is below the reference's 301 points: the
 * multisine input keeps the sampling rate with N = 256 points (method.md §3); a context too
 * short for the sweep is refused before the first step runs */
static void test_report_short_context(void **st) {
    (void)st;
    char rep[600], p[700];
    snprintf(rep, sizeof rep, "%s/rep-gated", test_tmpdir());
    assert_int_equal(run_cmd("rm -rf '%s' && '%s' report -q --quick --model " GATED " --out '%s' > /dev/null", rep, CL_CLI, rep), 0);
    snprintf(p, sizeof p, "%s/data/multisine/multisine.json", rep);
    cJSON *j = read_json(p);
    const cJSON *in = cJSON_GetObjectItem(j, "input");
    assert_int_equal((int)cJSON_GetObjectItem(in, "points")->valuedouble, 256);
    double dur = cJSON_GetObjectItem(in, "duration_s")->valuedouble;
    if (fabs(dur - 256 * 3.0 / 301) > 1e-12) fail_msg("duration %.17g, want 256 x 3/301", dur);
    cJSON_Delete(j);
    snprintf(p, sizeof p, "%s/index.html", rep);
    char *html = slurp(p);
    assert_non_null(strstr(html, "256 points over 2.551 s"));
    free(html);
    /* context_length 64 < R 10 x L 10 + 1: that sweep cell is skipped (listed, not run), the
     * rest of the report runs */
    const char *m = edited_model(GATED, "ctx64", "s/\"context_length\": 256/\"context_length\": 64/");
    snprintf(rep, sizeof rep, "%s/rep-ctx64", test_tmpdir());
    assert_int_equal(run_cmd("rm -rf '%s' && '%s' report -q --quick --model '%s' --out '%s' > /dev/null", rep, CL_CLI, m, rep), 0);
    snprintf(p, sizeof p, "%s/data/sweep/sweep.json", rep);
    j = read_json(p);
    const cJSON *x = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "models"), 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(x, "cells")), 8);
    const cJSON *u = cJSON_GetObjectItem(x, "cells_too_long");
    assert_int_equal(cJSON_GetArraySize(u), 1);
    assert_int_equal(cJSON_GetArrayItem(cJSON_GetArrayItem(u, 0), 0)->valueint, 10);
    assert_int_equal(cJSON_GetArrayItem(cJSON_GetArrayItem(u, 0), 1)->valueint, 10);
    cJSON_Delete(j);
    /* context_length 16 < the induction step's R 2 x L 10 + 1: refused at once, nothing written */
    m = edited_model(GATED, "ctx16", "s/\"context_length\": 256/\"context_length\": 16/");
    expect(2, "context_length 16", "21 values", "report --quick --model '%s' --out rep", m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nonfinite_cells),
        cmocka_unit_test(test_config_contradictions),
        cmocka_unit_test(test_longer_than_context),
        cmocka_unit_test(test_options_that_do_not_apply),
        cmocka_unit_test(test_out_of_another_kind),
        cmocka_unit_test(test_rfc4180),
        cmocka_unit_test(test_report_short_context),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    run_cmd("rm -rf '%s'", test_tmpdir());
    return rc;
}
