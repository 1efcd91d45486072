/* test_naming.c — model names: --name NAME per --model, a Hugging Face cache snapshot
 * (models--ORG--NAME/snapshots/HASH) named NAME, and broken symbolic links said to be broken. */
#include "testutil.h"
#include "core/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SMALL CL_FIXTURES "/rand-small"

static char LOG[600];

static char *err_of(int want, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *err_of(int want, const char *fmt, ...) {
    char args[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(LOG, sizeof LOG, "%s/stderr.txt", test_tmpdir());
    int rc = run_cmd("'%s' %s 2>'%s'", CL_CLI, args, LOG);
    char *t = slurp(LOG);
    if (rc != want) fail_msg("%s: exit %d (want %d): %s", args, rc, want, t);
    if (want == 2 && (!strchr(t, '\n') || strchr(t, '\n')[1])) fail_msg("%s: not one line: %s", args, t);
    return t;
}

/* a Hugging Face cache layout: snapshots/HASH/ holds links into blobs/ */
static const char *hf_cache(void) {
    static char snap[700];
    char root[600];
    snprintf(root, sizeof root, "%s/hub/models--amazon--chronos-t5-small", test_tmpdir());
    snprintf(snap, sizeof snap, "%s/snapshots/0123abcd", root);
    assert_int_equal(run_cmd("rm -rf '%s' && mkdir -p '%s' '%s/blobs' && cp " SMALL "/model.safetensors '%s/blobs/w1' && "
                             "cp " SMALL "/config.json '%s/blobs/c1' && ln -s ../../blobs/w1 '%s/model.safetensors' && "
                             "ln -s ../../blobs/c1 '%s/config.json'", root, snap, root, root, root, snap, snap), 0);
    return snap;
}

static void test_hf_cache_and_name(void **st) {
    (void)st;
    const char *snap = hf_cache();
    char out[600], p[800];
    snprintf(out, sizeof out, "%s/ind", test_tmpdir());
    free(err_of(0, "induction -q --no-strict --batch 4 --model '%s' --out '%s'", snap, out));
    snprintf(p, sizeof p, "%s/mosaic_chronos-t5-small.png", out);
    assert_true(file_exists(p));
    snprintf(p, sizeof p, "%s/induction.csv", out);
    char *csv = slurp(p);
    assert_non_null(strstr(csv, "\nchronos-t5-small,cross,0,0,"));
    free(csv);
    /* --name names the --model before it; two folders of one name need it */
    free(err_of(0, "induction -q --no-strict --batch 4 --model '%s' --name small-hf --model " SMALL " --name 'rand, small' --out '%s'",
                snap, out));
    snprintf(p, sizeof p, "%s/induction.csv", out);
    csv = slurp(p);
    assert_non_null(strstr(csv, "\nsmall-hf,cross,0,0,"));
    assert_non_null(strstr(csv, "\n\"rand, small\",cross,0,0,")); /* RFC 4180 */
    free(csv);
    snprintf(p, sizeof p, "%s/mosaic_small-hf.png", out);
    assert_true(file_exists(p));
    char *t = err_of(2, "induction --model " SMALL " --model " SMALL "/ --out '%s'", out);
    assert_non_null(strstr(t, "--name"));
    free(t);
    t = err_of(2, "sweep --name x --model " SMALL " --out '%s'", out);
    assert_non_null(strstr(t, "after the --model"));
    free(t);
    t = err_of(2, "forecast --model " SMALL " --name x --context " SMALL "/context.csv --out '%s/f.csv'", test_tmpdir());
    assert_non_null(strstr(t, "--name does not apply"));
    free(t);
    t = err_of(2, "multisine --model " SMALL " --name a/b --out '%s'", out);
    assert_non_null(strstr(t, "no '/'"));
    free(t);
    /* the report's page and setup use the name */
    snprintf(out, sizeof out, "%s/rep", test_tmpdir());
    free(err_of(0, "report -q --quick --model '%s' --name hf-small --out '%s' >/dev/null", snap, out));
    snprintf(p, sizeof p, "%s/data/setup.json", out);
    t = slurp(p);
    assert_non_null(strstr(t, "\"hf-small\""));
    free(t);
}

static void test_broken_links(void **st) {
    (void)st;
    const char *snap = hf_cache();
    char p[800];
    snprintf(p, sizeof p, "%s/../../blobs/w1", snap);
    assert_int_equal(unlink(p), 0);
    char *t = err_of(2, "info '%s'", snap);
    assert_non_null(strstr(t, "model.safetensors: a broken symbolic link (to ../../blobs/w1"));
    free(t);
    snprintf(p, sizeof p, "%s/dangling", test_tmpdir());
    assert_int_equal(run_cmd("ln -sfn '%s/nowhere' '%s'", test_tmpdir(), p), 0);
    t = err_of(2, "forecast --model '%s' --context " SMALL "/context.csv --out '%s/f.csv'", p, test_tmpdir());
    assert_non_null(strstr(t, "dangling: a broken symbolic link"));
    free(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hf_cache_and_name),
        cmocka_unit_test(test_broken_links),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    run_cmd("rm -rf '%s'", test_tmpdir());
    return rc;
}
