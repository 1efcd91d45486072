/* testutil.h — helpers for the cmocka tests: fixtures, golden tensors, comparisons. */
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

#endif
