/* test_default_model.c — every command that takes --model runs on the bundled model
 * (models/chronos-nano) when --model is omitted, and $CHRONOLENS_MODEL overrides it: the
 * output without --model equals the output with the bundled folder named explicitly. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SMALL CL_FIXTURES "/rand-small"
#define NANO CL_FIXTURES "/../../models/chronos-nano"

static void same_file(const char *a, const char *b) {
    char *x = slurp(a), *y = slurp(b);
    if (strcmp(x, y) != 0) fail_msg("%s differs from %s", a, b);
    free(x);
    free(y);
}

/* forecast and embed: no --model gives the bundled model's output, byte for byte */
static void test_forecast_embed(void **st) {
    (void)st;
    const char *T = test_tmpdir();
    const char *fc = "forecast -q --context '" SMALL "/context.csv' --samples 1 --top-k 1 --horizon 4";
    assert_int_equal(run_cmd("env -u CHRONOLENS_MODEL '%s' %s --out '%s/def.csv'", CL_CLI, fc, T), 0);
    assert_int_equal(run_cmd("'%s' %s --model '%s' --out '%s/nano.csv'", CL_CLI, fc, NANO, T), 0);
    assert_int_equal(run_cmd("'%s' %s --model '%s' --out '%s/small.csv'", CL_CLI, fc, SMALL, T), 0);
    assert_int_equal(run_cmd("CHRONOLENS_MODEL='%s' '%s' %s --out '%s/env.csv'", SMALL, CL_CLI, fc, T), 0);
    char a[600], b[600];
    snprintf(a, sizeof a, "%s/def.csv", T);
    snprintf(b, sizeof b, "%s/nano.csv", T);
    same_file(a, b);
    snprintf(a, sizeof a, "%s/env.csv", T);
    snprintf(b, sizeof b, "%s/small.csv", T);
    same_file(a, b);
    /* the two models differ, so the comparisons above can fail */
    char *x = slurp(a);
    snprintf(b, sizeof b, "%s/nano.csv", T);
    char *y = slurp(b);
    assert_true(strcmp(x, y) != 0);
    free(x);
    free(y);

    const char *em = "embed -q --context '" SMALL "/context.csv'";
    assert_int_equal(run_cmd("env -u CHRONOLENS_MODEL '%s' %s --out '%s/def.npy'", CL_CLI, em, T), 0);
    assert_int_equal(run_cmd("'%s' %s --model '%s' --out '%s/nano.npy'", CL_CLI, em, NANO, T), 0);
    assert_int_equal(run_cmd("cmp -s '%s/def.npy' '%s/nano.npy'", T, T), 0);
}

/* induction, sweep, multisine, multisine-sweep: outputs are named after the bundled model */
static void test_analyses(void **st) {
    (void)st;
    const char *T = test_tmpdir();
    assert_int_equal(run_cmd("env -u CHRONOLENS_MODEL '%s' induction -q --out '%s/ind' --batch 2 --seeds 1", CL_CLI, T), 0);
    assert_int_equal(run_cmd("grep -q '\"chronos-nano\"' '%s/ind/induction.json'", T), 0);
    assert_int_equal(run_cmd("env -u CHRONOLENS_MODEL '%s' sweep -q --out '%s/sw' --batch 2 --seeds 1 --reps-list 2 --len-list 4",
                             CL_CLI, T), 0);
    assert_int_equal(run_cmd("test -f '%s/sw/sweep_chronos-nano.png'", T), 0);
    assert_int_equal(run_cmd("env -u CHRONOLENS_MODEL '%s' multisine -q --out '%s/ms' --permutations 10", CL_CLI, T), 0);
    assert_int_equal(run_cmd("test -f '%s/ms/chronos-nano-spectra.safetensors'", T), 0);
    assert_int_equal(run_cmd("env -u CHRONOLENS_MODEL '%s' multisine-sweep -q --out '%s/mss' --configs 2 --batch 2 "
                             "--permutations 10", CL_CLI, T), 0);
    assert_int_equal(run_cmd("grep -q 'chronos-nano' '%s/mss/sweep.json'", T), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forecast_embed),
        cmocka_unit_test(test_analyses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
