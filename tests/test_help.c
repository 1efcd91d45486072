/* test_help.c — per-command help: `chronolens help CMD` and `CMD --help` print the command's
 * options (exit 0), wrapped to 80 columns off a terminal; docs/cli.md is exactly what
 * `chronolens help --markdown` generates from the option tables (and names the same options
 * as the help); the Chronos-Bolt paths of info, forward, forecast, embed and init are in both;
 * an unknown option or command names the nearest one; and every option takes the
 * `--opt=value` form (T5 and Bolt models). */
#include "testutil.h"
#include "core/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DOCS CL_FIXTURES "/../../docs/cli.md"
#define SMALL CL_FIXTURES "/rand-small"
#define BOLT CL_FIXTURES "/bolt-rand"
#define MAXOPT 64

static const char *CMDS[] = {"info", "forward", "forecast", "embed", "induction", "sweep", "train",
                             "formation", "eval", "init", "multisine", "multisine-sweep", "claims", "merge", "report"};
/* the commands with a Chronos-Bolt path: their help and docs/cli.md section say what it does */
static const char *BOLT_CMDS[] = {"info", "forward", "forecast", "embed", "init"};
#define NCMDS (int)(sizeof CMDS / sizeof CMDS[0])

typedef struct { char name[MAXOPT][48]; int n; } optset;

static void add(optset *s, const char *p) {
    size_t k = strspn(p, "-abcdefghijklmnopqrstuvwxyz0123456789");
    assert_true(k > 2 && k < 48 && s->n < MAXOPT);
    memcpy(s->name[s->n], p, k);
    s->name[s->n][k] = 0;
    s->n++;
}

static int has(const optset *s, const char *o) {
    for (int i = 0; i < s->n; i++)
        if (!strcmp(s->name[i], o)) return 1;
    return 0;
}

static char *capture(const char *cmdline, int *rc) {
    char out[512];
    snprintf(out, sizeof out, "%s/help.txt", test_tmpdir());
    *rc = run_cmd("%s > '%s' 2>&1", cmdline, out);
    return slurp(out);
}

/* the options of the help's option lines ("  --opt ARG  meaning"), less the common ones */
static void help_opts(const char *text, optset *s) {
    s->n = 0;
    for (const char *p = text; (p = strstr(p, "\n  --")); p++) {
        const char *o = p + 3;
        if (!strncmp(o, "--threads ", 10) || !strncmp(o, "--quiet ", 8) || !strncmp(o, "--progress ", 11) ||
            !strncmp(o, "--help ", 7))
            continue;
        add(s, o);
    }
}

/* docs/cli.md's section for cmd, up to the next heading (a copy) */
static char *docs_section(const char *docs, const char *cmd) {
    char head[128];
    snprintf(head, sizeof head, "\n### `chronolens %s`\n", cmd);
    const char *a = strstr(docs, head);
    if (!a) fail_msg("docs/cli.md has no section '%s'", head + 1);
    a += strlen(head);
    const char *b = strstr(a, "\n#");
    size_t n = b ? (size_t)(b - a) : strlen(a);
    char *s = malloc(n + 1);
    assert_non_null(s);
    memcpy(s, a, n);
    s[n] = 0;
    return s;
}

/* the first column of the rows of docs/cli.md's table for cmd */
static void docs_opts(const char *docs, const char *cmd, optset *s) {
    s->n = 0;
    char head[128];
    snprintf(head, sizeof head, "\n### `chronolens %s`\n", cmd);
    const char *a = strstr(docs, head);
    if (!a) fail_msg("docs/cli.md has no section '%s'", head + 1);
    a += strlen(head);
    const char *b = strstr(a, "\n#");
    for (const char *p = a; (p = strstr(p, "\n| `--")) && (!b || p < b); p++) add(s, p + 4);
}

static void test_help_matches_docs(void **st) {
    (void)st;
    char *docs = slurp(DOCS);
    for (int c = 0; c < NCMDS; c++) {
        char line[512];
        int rc, rc2;
        snprintf(line, sizeof line, "'%s' help %s", CL_CLI, CMDS[c]);
        char *h = capture(line, &rc);
        if (rc != 0) fail_msg("help %s: exit %d: %s", CMDS[c], rc, h);
        snprintf(line, sizeof line, "'%s' %s --help", CL_CLI, CMDS[c]);
        char *h2 = capture(line, &rc2);
        if (rc2 != 0 || strcmp(h, h2)) fail_msg("%s --help (exit %d) differs from help %s: %s", CMDS[c], rc2, CMDS[c], h2);
        if (!strstr(h, "example:\n  chronolens ")) fail_msg("help %s has no example", CMDS[c]);
        /* off a terminal the help is wrapped to 80 columns */
        for (const char *l = h; *l;) {
            size_t len = strcspn(l, "\n");
            if (len > 80) fail_msg("help %s: a line of %zu columns: %.*s", CMDS[c], len, (int)len, l);
            l += len + (l[len] == '\n');
        }
        optset ho, ro;
        help_opts(h, &ho);
        docs_opts(docs, CMDS[c], &ro);
        assert_true(ho.n > 0);
        for (int i = 0; i < ho.n; i++)
            if (!has(&ro, ho.name[i])) fail_msg("%s: %s is in the help but not in docs/cli.md", CMDS[c], ho.name[i]);
        for (int i = 0; i < ro.n; i++)
            if (!has(&ho, ro.name[i])) fail_msg("%s: %s is in docs/cli.md but not in the help", CMDS[c], ro.name[i]);
        free(h); free(h2);
    }
    free(docs);
    int rc;
    char line[512];
    snprintf(line, sizeof line, "'%s' help frobnicate", CL_CLI);
    free(capture(line, &rc));
    assert_int_equal(rc, 2);
}

/* docs/cli.md is generated from the option tables: committed as `chronolens help --markdown`
 * prints it (`make -C build docs_cli` rewrites it) */
static void test_docs_generated(void **st) {
    (void)st;
    char out[512];
    snprintf(out, sizeof out, "%s/cli.md", test_tmpdir());
    assert_int_equal(run_cmd("'%s' help --markdown > '%s'", CL_CLI, out), 0);
    if (run_cmd("cmp -s '%s' '%s'", out, DOCS) != 0)
        fail_msg("docs/cli.md differs from `chronolens help --markdown` (regenerate it: make -C build docs_cli)");
}

/* a mistyped option or command: exit 2, one line naming the nearest one */
static void test_nearest(void **st) {
    (void)st;
    static const struct { const char *args, *want; } CASES[] = {
        {"induction --thread 2", "unknown argument '--thread' (did you mean --threads?)"},
        {"forecast --horizn 3", "(did you mean --horizon?)"},
        {"multisine --freq 5", "(did you mean --freqs?)"},
        {"indction", "unknown command 'indction' (did you mean induction?)"},
        {"help forcast", "help: unknown command 'forcast' (did you mean forecast?)"},
        {"forecast --bogus", "unknown argument '--bogus'"},
    };
    for (size_t k = 0; k < sizeof CASES / sizeof CASES[0]; k++) {
        char line[512];
        int rc;
        snprintf(line, sizeof line, "'%s' %s", CL_CLI, CASES[k].args);
        char *e = capture(line, &rc);
        int lines = 0;
        for (char *p = e; *p; p++) lines += *p == '\n';
        if (rc != 2 || lines != 1 || !strstr(e, CASES[k].want))
            fail_msg("chronolens %s: exit %d, %d lines (want 2, 1 line with \"%s\"): %s", CASES[k].args, rc, lines,
                     CASES[k].want, e);
        free(e);
    }
}

static void test_bolt_in_help_and_docs(void **st) {
    (void)st;
    char *docs = slurp(DOCS);
    for (int c = 0; c < (int)(sizeof BOLT_CMDS / sizeof BOLT_CMDS[0]); c++) {
        char line[512];
        int rc;
        snprintf(line, sizeof line, "'%s' help %s", CL_CLI, BOLT_CMDS[c]);
        char *h = capture(line, &rc);
        assert_int_equal(rc, 0);
        if (!strstr(h, "Bolt")) fail_msg("help %s does not say what it does on a Chronos-Bolt model: %s", BOLT_CMDS[c], h);
        char *sec = docs_section(docs, BOLT_CMDS[c]);
        if (!strstr(sec, "Bolt")) fail_msg("docs/cli.md's options of %s do not say what it does on a Chronos-Bolt model", BOLT_CMDS[c]);
        free(sec);
        free(h);
    }
    free(docs);
    /* help init names the Bolt sizes the command takes */
    char line[512];
    int rc;
    snprintf(line, sizeof line, "'%s' help init", CL_CLI);
    char *h = capture(line, &rc);
    assert_non_null(strstr(h, "bolt-tiny"));
    free(h);
}

/* every option of every command is parsed in one place that also takes --opt=value */
static void test_opt_equals_value(void **st) {
    (void)st;
    char a[512], b[512];
    snprintf(a, sizeof a, "%s/eq-a.csv", test_tmpdir());
    snprintf(b, sizeof b, "%s/eq-b.csv", test_tmpdir());
    assert_int_equal(run_cmd("'%s' forecast -q --model " SMALL " --context " SMALL "/context.csv --out '%s' "
                             "--samples 3 --horizon 4 --seed 7", CL_CLI, a), 0);
    assert_int_equal(run_cmd("'%s' forecast -q --model=" SMALL " --context=" SMALL "/context.csv --out='%s' "
                             "--samples=3 --horizon=4 --seed=7", CL_CLI, b), 0);
    assert_int_equal(run_cmd("cmp -s '%s' '%s'", a, b), 0);
    /* the same on a Chronos-Bolt model */
    assert_int_equal(run_cmd("'%s' forecast -q --model " BOLT " --context " BOLT "/context.csv --out '%s' --horizon 4",
                             CL_CLI, a), 0);
    assert_int_equal(run_cmd("'%s' forecast -q --model=" BOLT " --context=" BOLT "/context.csv --out='%s' --horizon=4",
                             CL_CLI, b), 0);
    assert_int_equal(run_cmd("cmp -s '%s' '%s'", a, b), 0);
    /* a bad value in the = form is refused like the other form */
    assert_int_equal(run_cmd("'%s' forecast --model=" SMALL " --context=" SMALL "/context.csv --out='%s' "
                             "--samples=0 2>/dev/null", CL_CLI, b), 2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_matches_docs),
        cmocka_unit_test(test_docs_generated),
        cmocka_unit_test(test_nearest),
        cmocka_unit_test(test_bolt_in_help_and_docs),
        cmocka_unit_test(test_opt_equals_value),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    run_cmd("rm -rf '%s'", test_tmpdir());
    return rc;
}
