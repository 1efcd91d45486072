/* testutil.c — see testutil.h. */
#include "testutil.h"

#include <errno.h> /* program_invocation_short_name (_GNU_SOURCE: CMakeLists.txt) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/core.h"

static void *golden_raw(const st_file *f, const char *name, size_t *n, const st_tensor **tp) {
    const st_tensor *t = st_find(f, name);
    if (!t) fail_msg("golden tensor '%s' missing from %s", name, f->path);
    *tp = t;
    *n = st_numel(t);
    return malloc(sizeof(double) * (*n ? *n : 1));
}

float *golden_f32(const st_file *f, const char *name, size_t *n) {
    const st_tensor *t;
    float *out = golden_raw(f, name, n, &t);
    for (size_t i = 0; i < *n; i++) {
        if (t->dtype == ST_F32) memcpy(&out[i], (const char *)t->data + 4 * i, 4);
        else if (t->dtype == ST_I64) { int64_t v; memcpy(&v, (const char *)t->data + 8 * i, 8); out[i] = (float)v; }
        else fail_msg("golden tensor '%s' has unexpected dtype %s", name, st_dtype_name(t->dtype));
    }
    return out;
}

int64_t *golden_i64(const st_file *f, const char *name, size_t *n) {
    const st_tensor *t;
    int64_t *out = golden_raw(f, name, n, &t);
    if (t->dtype != ST_I64) fail_msg("golden tensor '%s' is %s, not I64", name, st_dtype_name(t->dtype));
    memcpy(out, t->data, 8 * *n);
    return out;
}

double max_abs_diff(const float *a, const float *b, size_t n) {
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - (double)b[i]);
        if (isnan(d)) return INFINITY;
        if (d > m) m = d;
    }
    return m;
}

void assert_close(const char *label, const float *a, const float *b, size_t n, double tol) {
    size_t worst = 0;
    double m = -1;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - (double)b[i]);
        if (isnan(d)) d = INFINITY;
        if (d > m) { m = d; worst = i; }
    }
    if (m > tol)
        fail_msg("%s: max |diff| %.3g > %.1g at index %zu (got %.9g, want %.9g)", label, m, tol, worst,
                 a[worst], b[worst]);
}

int run_cmd(const char *fmt, ...) {
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int st = system(cmd);
    if (st == -1 || !WIFEXITED(st)) return -1;
    return WEXITSTATUS(st);
}

const char *test_tmpdir(void) {
    static char dir[256];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/cltest.XXXXXX");
        if (!mkdtemp(dir)) fail_msg("cannot create a temporary directory");
    }
    return dir;
}

int file_exists(const char *path) { struct stat st; return stat(path, &st) == 0 && S_ISREG(st.st_mode); }
int dir_exists(const char *path) { struct stat st; return stat(path, &st) == 0 && S_ISDIR(st.st_mode); }

char *slurp(const char *path) {
    char *t;
    size_t n;
    cl_error err;
    if (cl_read_file(path, 1 << 26, &t, &n, &err)) fail_msg("%s", err.msg);
    return t;
}

cJSON *read_json(const char *path) {
    char *t = slurp(path);
    cJSON *j = cJSON_Parse(t);
    free(t);
    if (!j) fail_msg("%s: not JSON", path);
    return j;
}

/* ------------------------------------------------------------ model families */

const cl_test_family cl_test_t5 = {
    .name = "t5", .family = CL_FAMILY_T5, .title = "Chronos-T5", .fixture = CL_FIXTURES "/rand-small",
    .golden = {CL_FIXTURES "/rand-small", CL_FIXTURES "/rand-gated-bf16"}, .peer = CL_PEER "/chronos-dummy"};
const cl_test_family cl_test_bolt = {
    .name = "bolt", .family = CL_FAMILY_BOLT, .title = "Chronos-Bolt", .fixture = CL_FIXTURES "/bolt-rand",
    .golden = {CL_FIXTURES "/bolt-rand", CL_FIXTURES "/bolt-edge"}, .peer = CL_PEER "/chronos-bolt-dummy"};
/* the loader's variants so far (its golden test is test_chronos2.c, its own) */
const cl_test_family cl_test_chronos2 = {
    .name = "chronos2", .family = CL_FAMILY_CHRONOS2, .title = "Chronos-2", .fixture = CL_FIXTURES "/chronos2-rand",
    .golden = {CL_FIXTURES "/chronos2-rand", NULL}, .peer = CL_PEER "/chronos2-dummy"};

static const cl_test_family *family_now;

const cl_test_family *cl_test_family_now(void) {
    if (!family_now) fail_msg("this case runs for a model family: list it in a group with one");
    return family_now;
}

const char *cl_test_peer(const cl_test_family *f) {
    if (!dir_exists(f->peer)) cl_test_skip("no peer checkpoint %s (../shared/peer)", f->peer);
    return f->peer;
}

float *cl_test_bolt_quantiles(const char *dir, const float *ctx, int B, int L, size_t *n) {
    cl_error err;
    cl_model *m;
    if (cl_model_load(dir, NULL, &m, &err)) fail_msg("%s", err.msg);
    cl_state *s;
    assert_int_equal(cl_state_new(m, &s, &err), 0);
    if (cl_bolt_forward(s, ctx, B, L, &err)) fail_msg("%s", err.msg);
    const cl_config *c = cl_model_config(m);
    *n = (size_t)B * c->n_quantiles * c->prediction_length;
    float *q = malloc(sizeof(float) * *n);
    memcpy(q, cl_bolt_quantiles(s), sizeof(float) * *n);
    cl_state_free(s);
    cl_model_free(m);
    return q;
}

/* ------------------------------------------------------------ skips and groups */

static int skipped;          /* cases of the running group that called cl_test_skip */
static char reasons[2048];   /* their reasons, "; "-separated, for the SKIPPED line */

static void note_reason(const char *why) {
    if (strstr(reasons, why)) return; /* said once */
    size_t k = strlen(reasons);
    snprintf(reasons + k, sizeof reasons - k, "%s%s", k ? "; " : "", why);
}

void cl_test_skip(const char *fmt, ...) {
    char why[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    print_message("SKIP: %s\n", why);
    skipped++;
    note_reason(why);
    _skip(__FILE__, __LINE__);
    abort(); /* _skip leaves the case by longjmp */
}

/* The exit status of groups (what: their names) that ran `total` cases, `failed` of them
 * failing, `skips` skipped. */
static int verdict(const char *what, size_t total, int failed, int skips) {
    if (failed) return 1;
    if (skips && (size_t)skips >= total) {
        printf("SKIPPED all %zu of %zu (%s): %s\n", total, total, what, reasons);
        return 77;
    }
    if (skips) printf("SKIPPED %d of %zu (%s): %s\n", skips, total, what, reasons);
    return 0;
}

static int run_group(const cl_test_group *g, int *skips) {
    family_now = g->family;
    skipped = 0;
    const char *why = g->unavailable ? g->unavailable() : NULL;
    if (why) { /* nothing of it can run: every case skips, the group setup does not run */
        print_message("SKIP: %s (%zu cases of %s)\n", why, g->n, g->name);
        note_reason(why);
        *skips += (int)g->n;
        return 0;
    }
    int failed = _cmocka_run_group_tests(g->name, g->tests, g->n, g->setup, g->teardown);
    *skips += skipped;
    family_now = NULL;
    return failed;
}

int cl_test_main(int argc, char **argv, const cl_test_group *groups, size_t n) {
    if (argc == 2 && !strcmp(argv[1], "--groups")) {
        for (size_t i = 0; i < n; i++) printf("%s%s", i ? " " : "", groups[i].name);
        printf("\n");
        return 0;
    }
    const char *exe = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    for (int a = 1; a < argc; a++) { /* every name given is a group */
        size_t i = 0;
        while (i < n && strcmp(argv[a], groups[i].name)) i++;
        if (i == n) {
            fprintf(stderr, "%s: no group '%s' (--groups lists them)\n", exe, argv[a]);
            return 2;
        }
    }
    int failed = 0, skips = 0;
    size_t total = 0;
    char what[512];
    snprintf(what, sizeof what, "%s", exe);
    for (int a = 1; a < argc; a++) {
        size_t k = strlen(what);
        snprintf(what + k, sizeof what - k, " %s", argv[a]);
    }
    for (size_t i = 0; i < n; i++) {
        int chosen = argc < 2;
        for (int a = 1; a < argc; a++) chosen |= !strcmp(argv[a], groups[i].name);
        if (!chosen) continue;
        failed += run_group(&groups[i], &skips);
        total += groups[i].n;
    }
    return verdict(what, total, failed, skips);
}

int cl_test_run(const char *name, const struct CMUnitTest *tests, size_t n, CMFixtureFunction setup,
                CMFixtureFunction teardown) {
    cl_test_group g = {name, tests, n, setup, teardown, NULL, NULL};
    int skips = 0, failed = run_group(&g, &skips);
    return verdict(program_invocation_short_name, n, failed, skips);
}
