/* test_inputs.c — hostile values in config.json and in contexts are refused where they enter
 * (issue 24): a relative_attention_max_distance at or below the exact buckets (the bucket
 * went negative and read outside the bias table), sampler settings the sampler used to
 * replace silently, and contexts whose values or scale overflow float32 (all-NaN forecasts,
 * exit 0, before). Each refusal is one line naming the file (or series) and the key. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SMALL CL_FIXTURES "/rand-small"
#define BOLT CL_FIXTURES "/bolt-rand"

/* A model folder dir/name: the fixture's weights (a link) and its config.json with the line
 * matching `from` replaced by `to` (sed), so that only that key differs. */
static const char *variant(const char *fixture, const char *name, const char *from, const char *to) {
    static char dir[4][512];
    static int k;
    char *d = dir[k++ & 3];
    snprintf(d, 512, "%s/%s", test_tmpdir(), name);
    assert_int_equal(run_cmd("rm -rf '%s' && mkdir -p '%s' && ln -s '%s/model.safetensors' '%s/model.safetensors' && "
                             "sed 's/%s/%s/' '%s/config.json' > '%s/config.json' && ! cmp -s '%s/config.json' '%s/config.json'",
                             d, d, fixture, d, from, to, fixture, d, fixture, d),
                     0);
    return d;
}

/* cl_config_load of dir/config.json fails with one line holding the path and every needle */
static void expect_refused(const char *dir, const char *n1, const char *n2) {
    char path[600];
    snprintf(path, sizeof path, "%s/config.json", dir);
    cl_config c;
    cl_error err = {0};
    if (cl_config_load(path, &c, &err) == 0) fail_msg("%s: accepted", path);
    assert_int_equal(err.code, CL_EFORMAT);
    assert_null(strchr(err.msg, '\n'));
    if (strncmp(err.msg, path, strlen(path)) || !strstr(err.msg, n1) || (n2 && !strstr(err.msg, n2)))
        fail_msg("message '%s' lacks %s / %s / %s", err.msg, path, n1, n2 ? n2 : "");
}

static void expect_loads(const char *dir) {
    char path[600];
    snprintf(path, sizeof path, "%s/config.json", dir);
    cl_config c;
    cl_error err = {0};
    if (cl_config_load(path, &c, &err)) fail_msg("%s: %s", path, err.msg);
}

/* ------------------------------------------------------------ relative positions */

/* The bucket's logarithmic part divides by log(max_distance / max_exact): max_exact is 16
 * for the 32 causal buckets (8 for the bidirectional encoder). At or below it the bucket was
 * negative (-7 encoder, -63 decoder at max_distance 1). */
static void test_max_distance_bound(void **st) {
    (void)st;
    assert_int_equal(cl_relative_exact(32, 0), 16);
    assert_int_equal(cl_relative_exact(32, 1), 8);
    assert_int_equal(cl_relative_exact(33, 1), 8); /* odd counts: integer halves, as HF */
    static const char *const md = "\"relative_attention_max_distance\": 128";
    static const char *const bad[] = {"1", "8", "16"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char to[64];
        snprintf(to, sizeof to, "\"relative_attention_max_distance\": %s", bad[i]);
        expect_refused(variant(SMALL, "md-t5", md, to), "relative_attention_max_distance", "must exceed 16");
        expect_refused(variant(BOLT, "md-bolt", md, to), "relative_attention_max_distance", "must exceed 16");
    }
    /* just above: every bucket inside the table, for both stacks and every distance */
    expect_loads(variant(SMALL, "md-17", md, "\"relative_attention_max_distance\": 17"));
    expect_loads(variant(BOLT, "md-17b", md, "\"relative_attention_max_distance\": 17"));
    for (int bi = 0; bi < 2; bi++)
        for (int rel = -5000; rel <= 5000; rel++) {
            int b = cl_relative_bucket(rel, bi, 32, 17);
            if (b < 0 || b >= 32) fail_msg("bucket %d of rel %d (bidirectional %d)", b, rel, bi);
        }
    /* the command says the same, in one line, exit 2 */
    const char *d = variant(SMALL, "md-cli", md, "\"relative_attention_max_distance\": 8");
    char *log = malloc(700);
    snprintf(log, 700, "%s/md-cli.log", test_tmpdir());
    assert_int_equal(run_cmd("'%s' info --model '%s' 2> '%s'", CL_CLI, d, log), 2);
    char *msg = slurp(log);
    assert_non_null(strstr(msg, "config.json: relative_attention_max_distance = 8 must exceed 16"));
    assert_ptr_equal(strchr(msg, '\n'), msg + strlen(msg) - 1);
    free(msg);
    free(log);
}

/* ------------------------------------------------------------ sampler settings */

/* temperature <= 0 and top_p <= 0 were replaced by 1 and top_p > 1 ignored, silently; the
 * forecast command refuses them as options, so config.json's are refused at load. */
static void test_sampler_settings(void **st) {
    (void)st;
    static const struct { const char *from, *to, *key, *rule; } cases[] = {
        {"\"temperature\": 1.0", "\"temperature\": 0", "chronos_config.temperature = 0", "must be > 0"},
        {"\"temperature\": 1.0", "\"temperature\": -0.5", "chronos_config.temperature = -0.5", "must be > 0"},
        {"\"top_p\": 1.0", "\"top_p\": 0", "chronos_config.top_p = 0", "must be in (0, 1]"},
        {"\"top_p\": 1.0", "\"top_p\": -0.1", "chronos_config.top_p = -0.1", "must be in (0, 1]"},
        {"\"top_p\": 1.0", "\"top_p\": 1.5", "chronos_config.top_p = 1.5", "must be in (0, 1]"},
        {"\"top_k\": 50", "\"top_k\": -1", "chronos_config.top_k", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_refused(variant(SMALL, "sampler", cases[i].from, cases[i].to), cases[i].key, cases[i].rule);
    expect_loads(variant(SMALL, "sampler-ok", "\"top_p\": 1.0", "\"top_p\": 0.3"));
    expect_loads(variant(SMALL, "sampler-ok2", "\"temperature\": 1.0", "\"temperature\": 0.01"));
}

/* ------------------------------------------------------------ contexts */

static cl_config load_config(const char *dir) {
    char path[600];
    snprintf(path, sizeof path, "%s/config.json", dir);
    cl_config c;
    cl_error err = {0};
    if (cl_config_load(path, &c, &err)) fail_msg("%s", err.msg);
    return c;
}

static void expect_context_refused(const cl_config *c, const float *x, int B, int L, const char *path,
                                   char *const *names, const char *needle) {
    cl_error err = {0};
    if (cl_context_check(c, x, B, L, path, names, &err) == 0) fail_msg("accepted (%s)", needle);
    assert_null(strchr(err.msg, '\n'));
    if (!strstr(err.msg, needle)) fail_msg("message '%s' lacks '%s'", err.msg, needle);
}

/* Finite values whose mean |x| (T5) or spread (Bolt) leaves float32 made every forecast NaN
 * (3.4e38: the sum is inf; 1e38: the scale is finite but a forecast, up to 15 x it, is not;
 * 1e20 and -1e20 for Bolt: the squared deviation is inf). Inf cells, which the CSV reader
 * refuses, are refused for arrays too. Values just inside stay accepted. */
static void test_context_overflow(void **st) {
    (void)st;
    const cl_config t5 = load_config(SMALL), bolt = load_config(BOLT);
    enum { L = 40 };
    float ok[L], big[L], mid[L], inside[L], spread[L];
    for (int t = 0; t < L; t++) {
        ok[t] = (float)(t % 7);
        big[t] = 3.4e38f;
        mid[t] = 1e38f;
        inside[t] = 5e36f; /* sum 2e38 and 15 x 5e36 < FLT_MAX */
        spread[t] = t % 2 ? 1e20f : -1e20f;
    }
    float two[2 * L];
    memcpy(two, ok, sizeof ok);
    memcpy(two + L, big, sizeof big);
    char *names[2] = {"ok", "big"};
    cl_error err = {0};
    assert_int_equal(cl_context_check(&t5, ok, 1, L, NULL, NULL, &err), 0);
    assert_int_equal(cl_context_check(&t5, inside, 1, L, NULL, NULL, &err), 0);
    assert_int_equal(cl_context_check(&bolt, inside, 1, L, NULL, NULL, &err), 0);
    expect_context_refused(&t5, two, 2, L, "f.csv", names, "f.csv: series 'big' (column 2): values overflow float32 when scaled");
    expect_context_refused(&t5, two, 2, L, "f.csv", NULL, "f.csv: series 1 (column 2): values overflow float32 when scaled");
    expect_context_refused(&t5, two, 2, L, NULL, NULL, "context: series 1: values overflow float32 when scaled");
    expect_context_refused(&t5, mid, 1, L, NULL, NULL, "context: series 0: values overflow float32 when scaled");
    expect_context_refused(&bolt, two, 2, L, NULL, NULL, "context: series 1: values overflow float32 when scaled");
    expect_context_refused(&bolt, spread, 1, L, NULL, NULL, "context: series 0: values overflow float32 when scaled");
    assert_int_equal(cl_context_check(&t5, spread, 1, L, NULL, NULL, &err), 0); /* mean |x| 1e20: fine for T5 */
    /* only the last context_length values are scaled, as the models do */
    cl_config short_ctx = t5;
    short_ctx.context_length = L / 2;
    float head_big[L];
    for (int t = 0; t < L; t++) head_big[t] = t < L / 2 ? 3.4e38f : 1.0f;
    assert_int_equal(cl_context_check(&short_ctx, head_big, 1, L, NULL, NULL, &err), 0);
    /* infinities: refused with or without a model, naming the position */
    float inf[3] = {1, INFINITY, NAN};
    expect_context_refused(NULL, inf, 1, 3, NULL, NULL, "context: series 0: value 1 is not finite in float32");
    inf[1] = -INFINITY;
    expect_context_refused(&t5, inf, 1, 3, NULL, NULL, "value 1 is not finite");
    float all_nan[3] = {NAN, NAN, NAN}; /* missing values: nothing to scale, accepted */
    assert_int_equal(cl_context_check(&t5, all_nan, 1, 3, NULL, NULL, &err), 0);
    assert_int_equal(cl_context_check(&bolt, all_nan, 1, 3, NULL, NULL, &err), 0);
}

/* The commands: exit 2, one line naming the file and the series, no output written, for
 * forecast, forward and embed, with a Chronos-T5 and a Chronos-Bolt model, and eval --csv. */
static void test_context_overflow_cli(void **st) {
    (void)st;
    char csv[600], out[600], log[600];
    snprintf(csv, sizeof csv, "%s/big.csv", test_tmpdir());
    snprintf(log, sizeof log, "%s/big.log", test_tmpdir());
    FILE *f = fopen(csv, "w");
    assert_non_null(f);
    fputs("ok,big\n", f);
    for (int t = 0; t < 40; t++) fprintf(f, "%d,3.4e38\n", t % 7);
    fclose(f);
    static const struct { const char *cmd, *model, *ext; } runs[] = {
        {"forecast --samples 3 --horizon 4", SMALL, "csv"}, {"forecast", BOLT, "csv"},
        {"forward", SMALL, "safetensors"}, {"forward", BOLT, "safetensors"},
        {"embed", SMALL, "npy"}, {"embed", BOLT, "npy"},
    };
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        snprintf(out, sizeof out, "%s/out%zu.%s", test_tmpdir(), i, runs[i].ext);
        assert_int_equal(run_cmd("'%s' %s --model '%s' --context '%s' --out '%s' 2> '%s'", CL_CLI, runs[i].cmd,
                                 runs[i].model, csv, out, log),
                         2);
        char *msg = slurp(log), want[700];
        snprintf(want, sizeof want, "chronolens: %s: series 'big' (column 2): values overflow float32 when scaled", csv);
        if (strncmp(msg, want, strlen(want)) || strchr(msg, '\n') != msg + strlen(msg) - 1)
            fail_msg("%s with %s: '%s'", runs[i].cmd, runs[i].model, msg);
        free(msg);
        assert_false(file_exists(out));
        assert_int_equal(run_cmd("ls -a '%s' | grep -q 'out%zu\\.'", test_tmpdir(), i), 1); /* no temporary either */
    }
    /* eval --csv: the contexts are all but the last --horizon rows; no header, so by index */
    f = fopen(csv, "w");
    assert_non_null(f);
    for (int t = 0; t < 40; t++) fprintf(f, "%d,%s\n", t % 7, t < 30 ? "3.4e38" : "1");
    fclose(f);
    assert_int_equal(run_cmd("'%s' eval --model '%s' --csv '%s' --horizon 8 > /dev/null 2> '%s'", CL_CLI, SMALL, csv, log), 2);
    char *msg = slurp(log), want[700];
    snprintf(want, sizeof want, "chronolens: %s: series 1 (column 2): values overflow float32 when scaled", csv);
    if (strncmp(msg, want, strlen(want)) || strchr(msg, '\n') != msg + strlen(msg) - 1) fail_msg("eval: '%s'", msg);
    free(msg);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_max_distance_bound),
        cmocka_unit_test(test_sampler_settings),
        cmocka_unit_test(test_context_overflow),
        cmocka_unit_test(test_context_overflow_cli),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
