/* test_forward_scale.c — forward at scale: --maps/--layers/--heads keep only what is asked
 * (the same numbers as the full output), and series run in chunks written into one file, with
 * memory bounded by the chunk (peak RSS of the child, from wait4). */
#include "testutil.h"
#include "tolerance.h"
#include "core/core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define SMALL CL_FIXTURES "/rand-small"

static const char *path_of(const char *name) {
    static char p[8][600];
    static int k;
    char *r = p[k++ % 8];
    snprintf(r, 600, "%s/%s", test_tmpdir(), name);
    return r;
}

static void forward(const char *extra, const char *ctx, const char *out) {
    assert_int_equal(run_cmd("'%s' forward -q --model " SMALL " --context '%s' --decoder-ids " SMALL "/decoder_input_ids.csv "
                             "--out '%s' %s", CL_CLI, ctx, out, extra), 0);
}

/* The bound on tensor `name` of rand-small's forward between two runs whose products sum
 * in other orders (tolerance.h): 0 for the tokenizer's outputs, which no product touches. */
static void check_reordered(const cl_model *m, int T, const char *name, const float *a, const float *b, size_t n) {
    const double rounds = t5_roundings(cl_model_config(m), T);
    const int stack = strncmp(name, "enc_attn.", 9) == 0 ? CL_ENC_SELF : strncmp(name, "dec_attn.", 9) == 0 ? CL_DEC_SELF
                    : strncmp(name, "cross_attn.", 11) == 0 ? CL_CROSS : -1;
    if (stack >= 0) assert_reordered_probs(name, a, b, n, rounds, t5_score_scale(m, (cl_stack)stack));
    else if (strcmp(name, "logits") == 0) assert_reordered(name, a, b, n, rounds, t5_logit_scale(m));
    else if (strcmp(name, "encoder_hidden") == 0) assert_reordered(name, a, b, n, rounds, t5_hidden_scale(m, 1));
    else assert_close(name, a, b, n, 0);
}

/* chunks of one series: every tensor as the whole batch gives it (the products' panels
 * differ with the batch's size: within the bound of reordered sums), and as the golden
 * file (1e-4) */
static void test_chunks_same_file(void **st) {
    (void)st;
    const char *a = path_of("all.st"), *b = path_of("chunk1.st");
    forward("", SMALL "/context.csv", a);
    forward("--chunk 1", SMALL "/context.csv", b);
    st_file fa, fb, g;
    cl_error err;
    cl_model *m;
    if (cl_model_load(SMALL, &m, &err)) fail_msg("%s", err.msg);
    if (st_open(a, &fa, &err) || st_open(b, &fb, &err) || st_open(SMALL "/golden.safetensors", &g, &err)) fail_msg("%s", err.msg);
    assert_int_equal(fa.n, fb.n);
    for (int i = 0; i < fa.n; i++) {
        const st_tensor *x = &fa.t[i], *y = st_find(&fb, x->name);
        assert_non_null(y);
        assert_int_equal(x->ndim, y->ndim);
        for (int k = 0; k < x->ndim; k++) assert_int_equal(x->shape[k], y->shape[k]);
        size_t n;
        float *u = golden_f32(&fa, x->name, &n), *v = golden_f32(&fb, x->name, &n);
        const st_tensor *ids = st_find(&fa, "token_ids");
        assert_non_null(ids);
        check_reordered(m, (int)ids->shape[1], x->name, v, u, n);
        if (st_find(&g, x->name)) {
            float *w = golden_f32(&g, x->name, &n);
            assert_close(x->name, v, w, n, 1e-4);
            free(w);
        }
        free(u); free(v);
    }
    st_close(&fa); st_close(&fb); st_close(&g);
    cl_model_free(m);
}

/* --maps cross --layers 1 --heads 0,2: only cross_attn.1, heads 0 and 2 of the full map */
static void test_selection(void **st) {
    (void)st;
    const char *a = path_of("all.st"), *b = path_of("sel.st");
    forward("", SMALL "/context.csv", a);
    forward("--maps cross --layers 1 --heads 0,2", SMALL "/context.csv", b);
    st_file fa, fb;
    cl_error err;
    if (st_open(a, &fa, &err) || st_open(b, &fb, &err)) fail_msg("%s", err.msg);
    assert_null(st_find(&fb, "enc_attn.0"));
    assert_null(st_find(&fb, "dec_attn.1"));
    assert_null(st_find(&fb, "cross_attn.0"));
    const st_tensor *full = st_find(&fa, "cross_attn.1"), *part = st_find(&fb, "cross_attn.1");
    assert_non_null(part);
    assert_int_equal(part->shape[1], 2);
    const int64_t B = full->shape[0], H = full->shape[1], R = full->shape[2], K = full->shape[3];
    size_t n;
    float *u = golden_f32(&fa, "cross_attn.1", &n), *v = golden_f32(&fb, "cross_attn.1", &n);
    const int hs[2] = {0, 2};
    for (int64_t bb = 0; bb < B; bb++)
        for (int j = 0; j < 2; j++)
            for (int64_t i = 0; i < R * K; i++) {
                float x = u[((bb * H + hs[j]) * R) * K + i], y = v[((bb * 2 + j) * R) * K + i];
                if (fabsf(x - y) > 1e-6f) fail_msg("series %lld head %d: %g vs %g", (long long)bb, hs[j], y, x);
            }
    int64_t *h = golden_i64(&fb, "heads", &n);
    assert_int_equal(n, 2);
    assert_int_equal(h[0], 0);
    assert_int_equal(h[1], 2);
    free(h); free(u); free(v);
    assert_non_null(st_find(&fb, "logits"));
    st_close(&fa); st_close(&fb);
    /* out of range, twice, unknown map: one line, exit 2 */
    assert_int_equal(run_cmd("'%s' forward --model " SMALL " --context " SMALL "/context.csv --out '%s' --layers 2 2>/dev/null", CL_CLI, b), 2);
    assert_int_equal(run_cmd("'%s' forward --model " SMALL " --context " SMALL "/context.csv --out '%s' --heads 1,1 2>/dev/null", CL_CLI, b), 2);
    assert_int_equal(run_cmd("'%s' forward --model " SMALL " --context " SMALL "/context.csv --out '%s' --maps mlp 2>/dev/null", CL_CLI, b), 2);
}

/* peak RSS (KiB) of `chronolens forward ... --out out extra` run as a child */
static long peak_kib(const char *ctx, const char *out, const char *extra) {
    char line[2048];
    snprintf(line, sizeof line, "exec '%s' forward -q --threads 1 --model " SMALL " --context '%s' --out '%s' %s", CL_CLI, ctx, out, extra);
    pid_t p = fork();
    if (p == 0) { execl("/bin/sh", "sh", "-c", line, (char *)NULL); _exit(127); }
    int status;
    struct rusage ru;
    assert_int_equal(wait4(p, &status, 0, &ru), p);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return ru.ru_maxrss;
}

static void test_memory_bounded(void **st) {
    (void)st;
    /* 240 series x 256 values: every map kept is ~2.2 MB a series, ~530 MB in all */
    const char *ctx = path_of("many.csv");
    assert_int_equal(run_cmd("awk 'BEGIN{srand(2); for(t=0;t<256;t++){s=\"\"; for(b=0;b<240;b++) s=s (b?\",\":\"\") "
                             "sin(t*0.05*(b%%7+1))*(b+1)+rand(); print s}}' > '%s'", ctx), 0);
    const char *a = path_of("many-all.st"), *b = path_of("many-chunk.st");
    long whole = peak_kib(ctx, a, "--chunk 240"), chunked = peak_kib(ctx, b, "--chunk 8");
    assert_int_equal(run_cmd("cmp -s -n 100000 '%s' '%s'", a, b), 0); /* same header and token ids */
    if (!(chunked * 3 < whole)) fail_msg("peak RSS %ld KiB in chunks of 8, %ld KiB at once", chunked, whole);
    unlink(a);
    unlink(b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chunks_same_file),
        cmocka_unit_test(test_selection),
        cmocka_unit_test(test_memory_bounded),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    run_cmd("rm -rf '%s'", test_tmpdir());
    return rc;
}
