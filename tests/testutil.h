/* testutil.h — helpers for the cmocka tests: fixtures, golden tensors, comparisons; the model
 * families a test runs for; skips that ctest sees; groups of cases run as ctest entries. */
#ifndef CL_TESTUTIL_H
#define CL_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>

#include "chronolens.h"
#include "io/safetensors.h"

/* Golden tensor `name` of an open safetensors file, as f32 (I64 converted); fails the
 * test if missing. *n receives the element count. Caller frees. */
float *golden_f32(const st_file *f, const char *name, size_t *n);
int64_t *golden_i64(const st_file *f, const char *name, size_t *n);
/* Max |a - b| over n values (NaN anywhere -> INFINITY). */
double max_abs_diff(const float *a, const float *b, size_t n);
/* Asserts max |a-b| <= tol, printing the label and the worst value on failure. */
void assert_close(const char *label, const float *a, const float *b, size_t n, double tol);
/* Runs a shell command; returns its exit status (-1 if it did not exit normally). */
int run_cmd(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A fresh temporary directory for this test (removed by the OS's tmp cleaning). */
const char *test_tmpdir(void);
int file_exists(const char *path);
/* A whole text file (NUL-terminated, caller frees); fails the test if unreadable. */
char *slurp(const char *path);
/* A JSON file parsed (caller deletes); fails the test if unreadable or not JSON. */
cJSON *read_json(const char *path);
int dir_exists(const char *path);

/* ------------------------------------------------------------ model families
 *
 * A test of one subject (the golden outputs, the CLI, the report, the claims …) runs for
 * every family from one source: its cases read the family they run for here, instead of a
 * twin file per family. A third family adds a row to cl_test_families (testutil.c). */
typedef struct cl_test_family {
    const char *name;       /* "t5", "bolt": the cmocka group and the ctest entry's suffix */
    int family;             /* CL_FAMILY_T5, CL_FAMILY_BOLT, CL_FAMILY_CHRONOS2 */
    const char *title;      /* "Chronos-T5": as the report and `info` name it */
    const char *fixture;    /* the small random checkpoint of tests/fixtures */
    const char *golden[2];  /* the fixtures with the reference's golden.safetensors */
    const char *peer;       /* the upstream dummy checkpoint under CL_PEER (may be absent) */
} cl_test_family;

extern const cl_test_family cl_test_t5, cl_test_bolt, cl_test_chronos2;
/* The family of the group running now (cl_test_main); fails the test outside a family group. */
const cl_test_family *cl_test_family_now(void);

/* ------------------------------------------------------------ skips and groups
 *
 * A case that cannot run here (no peer checkpoint, no browser, no bf16 hardware) calls
 * cl_test_skip(reason), never cmocka's skip(): the reason is printed and counted, so that
 * the executable can tell ctest. An executable (or a group of it run as its own ctest
 * entry) whose every case skipped exits 77, which ctest reports as "Skipped"
 * (SKIP_RETURN_CODE, tests/CMakeLists.txt). One where only some cases skipped passes (exit 0)
 * and prints "SKIPPED n of m: reasons": such a case belongs in a group of its own (a ctest
 * entry per group), so that the skip shows in ctest while the rest still pass — the peer
 * checkpoints, the browser and the bf16 hardware each have theirs. A failure always wins:
 * exit 1 (never the failure count, which could read as 77). */
void cl_test_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* cmocka's skip() is not counted: using it fails to link, naming the helper to call. */
#undef skip
#define skip() use_cl_test_skip_with_a_reason()
void use_cl_test_skip_with_a_reason(void);

/* A group of cases, run as the ctest entry <executable>_<name> (`<executable> <name>`). */
typedef struct cl_test_group {
    const char *name;
    const struct CMUnitTest *tests;
    size_t n;
    CMFixtureFunction setup, teardown;
    const cl_test_family *family; /* what cl_test_family_now() returns while it runs; or NULL */
    /* a reason why no case of the group can run here (every case then skips), or NULL */
    const char *(*unavailable)(void);
} cl_test_group;
#define CL_TEST_GROUP(name, tests, setup, teardown, family, unavailable) \
    {(name), (tests), sizeof(tests) / sizeof *(tests), (setup), (teardown), (family), (unavailable)}

/* Runs the groups named on the command line (all of them without arguments) and gives the
 * exit status above. `--groups` prints the groups' names (tests/CMakeLists.txt checks them
 * against its list of entries). */
int cl_test_main(int argc, char **argv, const cl_test_group *groups, size_t n);
/* One group for a whole executable: cmocka_run_group_tests with the exit status above. */
#define cl_run_group_tests(tests, setup, teardown) \
    cl_test_run(#tests, (tests), sizeof(tests) / sizeof *(tests), (setup), (teardown))
int cl_test_run(const char *name, const struct CMUnitTest *tests, size_t n, CMFixtureFunction setup,
                CMFixtureFunction teardown);
/* The quantiles (B, Q, H) of one forward pass of the Chronos-Bolt model in dir on context
 * (B, L). Caller frees. */
float *cl_test_bolt_quantiles(const char *dir, const float *ctx, int B, int L, size_t *n);
/* The family's peer checkpoint (CL_PEER/...), or a skip naming it where it is absent. */
const char *cl_test_peer(const cl_test_family *f);

#endif
