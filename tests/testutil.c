/* testutil.c — see testutil.h. */
#include "testutil.h"

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
