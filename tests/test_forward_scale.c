/* test_forward_scale.c — forward at scale: --maps/--layers/--heads keep only what is asked
 * (the same numbers as the full output), and series run in chunks written into one file, with
 * memory bounded by the chunk (peak RSS of the child, from wait4), the default chunk's by its
 * budget whatever is kept; cl_state_footprint counts what a pass allocates. */
#include "testutil.h"
#include "tolerance.h"
#include "core/core.h"
#include "model/state.h"

#include <malloc.h>
#include <math.h>
#ifdef __SANITIZE_ADDRESS__
/* the sanitizer runtime's (clang's sanitizer/allocator_interface.h; gcc ships no header for it) */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define SMALL CL_FIXTURES "/rand-small"
#define BOLT CL_FIXTURES "/bolt-rand"
#define CHUNK_BUDGET_KIB (256L << 10) /* docs/forward.md "forward at scale": all of a default chunk's memory */
#ifdef __SANITIZE_ADDRESS__
#define SHADOW_KIB(k) ((k) / 8) /* AddressSanitizer maps a shadow byte to every 8 bytes touched */
/* and holds freed blocks in a quarantine (256 MB by default) that peak RSS would count as the
 * program's: oneDNN's sgemm allocates its packing buffers per call, so the children measured
 * run without it (the shadow and red zones stay) */
#define NO_QUARANTINE "ASAN_OPTIONS=\"$ASAN_OPTIONS:quarantine_size_mb=0:thread_local_quarantine_size_kb=0\" "
#else
#define SHADOW_KIB(k) 0L
#define NO_QUARANTINE ""
#endif

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
    if (cl_model_load(SMALL, NULL, &m, &err)) fail_msg("%s", err.msg);
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

/* peak RSS (KiB) of `chronolens forward --model model ... --out out extra` run as a child */
static long peak_kib(const char *model, const char *ctx, const char *out, const char *extra) {
    char line[2048];
    snprintf(line, sizeof line, NO_QUARANTINE "exec '%s' forward -q --threads 1 --model '%s' --context '%s' --out '%s' %s", CL_CLI, model, ctx, out, extra);
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
    long whole = peak_kib(SMALL, ctx, a, "--chunk 240"), chunked = peak_kib(SMALL, ctx, b, "--chunk 8");
    assert_int_equal(run_cmd("cmp -s -n 100000 '%s' '%s'", a, b), 0); /* same header and token ids */
    if (!(chunked * 3 < whole)) fail_msg("peak RSS %ld KiB in chunks of 8, %ld KiB at once", chunked, whole);
    unlink(a);
    unlink(b);
}

/* The default chunk keeps all of its memory within the budget: forward of B series x L values
 * on model (with extra options) peaks at most the budget (and its sanitizer shadow) and 8 MiB
 * of allocator slack above the same run in chunks of 16 (the model, libraries, every series'
 * values and tokens, 16 series' buffers). */
static void default_chunk_bounded(const char *model, int B, int L, const char *extra) {
    const char *ctx = path_of("short.csv"), *a = path_of("short-default.st"), *b = path_of("short-16.st");
    assert_int_equal(run_cmd("awk 'BEGIN{srand(3); for(t=0;t<%d;t++){s=\"\"; for(b=0;b<%d;b++) s=s (b?\",\":\"\") "
                             "sin(t*0.07*(b%%5+1))*(b+1)+rand(); print s}}' > '%s'", L, B, ctx), 0);
    char small_opts[256];
    snprintf(small_opts, sizeof small_opts, "%s --chunk 16", extra);
    long small = peak_kib(model, ctx, b, small_opts), dflt = peak_kib(model, ctx, a, extra);
    assert_int_equal(run_cmd("cmp -s -n 100000 '%s' '%s'", a, b), 0); /* same header and first tensors */
    if (dflt > small + CHUNK_BUDGET_KIB + SHADOW_KIB(CHUNK_BUDGET_KIB) + (8L << 10))
        fail_msg("%s, %d series x %d values: peak RSS %ld KiB with the default chunk, %ld KiB in chunks of 16: more than "
                 "the %ld KiB budget above it", model, B, L, dflt, small, CHUNK_BUDGET_KIB);
    unlink(a);
    unlink(b);
}

/* --maps none keeps almost nothing, yet a chunk's activations are ~0.5 MB a series (rand-small,
 * 128 values): 800 series took 410 MiB at once when the chunk was sized by the kept outputs.
 * Chronos-Bolt ran every series at once: 2000 series x 512 values, 360 MiB. */
static void test_default_chunk_bounds_activations(void **st) {
    (void)st;
    default_chunk_bounded(SMALL, 800, 128, "--maps none");
    default_chunk_bounded(BOLT, 2000, 512, "");
}

/* the bytes malloc has handed out and not taken back (the sanitizer's allocator replaces
 * glibc's under AddressSanitizer) */
static size_t heap_in_use(void) {
#ifdef __SANITIZE_ADDRESS__
    return __sanitizer_get_current_allocated_bytes();
#else
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
#endif
}

/* one pass of B series on a fresh state: the heap it holds afterwards (*used) and what
 * cl_state_footprint counts for it (*counted). T5: T token ids, Td decoder ids, the encoder's
 * maps and cross-attention layer 1 heads 0 and 2 kept; Bolt: L values, every map kept. */
static void pass_heap(const cl_model *m, int B, int L, int Td, size_t *used, size_t *counted) {
    const int bolt = cl_model_is_bolt(m), T = bolt ? cl_bolt_num_tokens(cl_model_config(m), L) : L;
    int32_t *ids = malloc(sizeof *ids * (size_t)B * T), *dec = malloc(sizeof *dec * (size_t)B * Td);
    uint8_t *mask = malloc((size_t)B * T);
    float *x = malloc(sizeof *x * (size_t)B * L);
    assert_true(ids && dec && mask && x);
    for (int i = 0; i < B * T; i++) { ids[i] = 2 + (i * 7) % 100; mask[i] = 1; }
    for (int i = 0; i < B * Td; i++) dec[i] = i % 50;
    for (int i = 0; i < B * L; i++) x[i] = sinf(0.1f * i);
    cl_error err;
    cl_state *s;
    const size_t before = heap_in_use();
    if (cl_state_new(m, &s, &err)) fail_msg("%s", err.msg);
    const int layer = 1, heads[2] = {0, 2};
    const cl_capture_spec enc = {.enabled = 1}, cross = {.enabled = 1, .n_layers = 1, .layers = &layer, .n_heads = 2, .heads = heads};
    int rc;
    if (bolt) {
        cl_state_capture_all(s);
        rc = cl_bolt_forward(s, x, B, L, &err);
    } else {
        rc = cl_state_set_capture(s, CL_ENC_SELF, &enc, &err) || cl_state_set_capture(s, CL_CROSS, &cross, &err) ||
             cl_encode(s, ids, mask, B, T, &err) || cl_decode(s, dec, Td, 0, &err);
    }
    if (rc) fail_msg("%s", err.msg);
    *used = heap_in_use() - before;
    size_t per, fixed;
    cl_state_footprint(s, T, bolt ? 1 : Td, &per, &fixed);
    *counted = (size_t)B * per + fixed;
    cl_state_free(s);
    free(ids); free(dec); free(mask); free(x);
}

/* cl_state_footprint against the heap a pass really holds, at two batch sizes (so that both
 * the bytes per series and the fixed bytes are checked): within 1% and 64 KiB of bookkeeping
 * (the state itself, capture lists, allocator headers and alignment) */
static void footprint_of(const char *dir, int L, int Td) {
    cl_model *m;
    cl_error err;
    if (cl_model_load(dir, NULL, &m, &err)) fail_msg("%s", err.msg);
    size_t u, c;
    pass_heap(m, 2, L, Td, &u, &c); /* first use of the libraries: their own lasting allocations */
    const int Bs[2] = {3, 17};
    size_t used[2], counted[2];
    for (int k = 0; k < 2; k++) {
        pass_heap(m, Bs[k], L, Td, &used[k], &counted[k]);
        double slack = 0.01 * (double)counted[k] + 65536.0;
        if (fabs((double)used[k] - (double)counted[k]) > slack)
            fail_msg("%s, %d series: a pass holds %zu bytes, cl_state_footprint counts %zu", dir, Bs[k], used[k], counted[k]);
    }
    const double per_used = (double)(used[1] - used[0]) / (Bs[1] - Bs[0]), per_counted = (double)(counted[1] - counted[0]) / (Bs[1] - Bs[0]);
    if (fabs(per_used - per_counted) > 0.01 * per_counted)
        fail_msg("%s: %.0f bytes a series held, %.0f counted", dir, per_used, per_counted);
    cl_model_free(m);
}

static void test_footprint_counts_the_pass(void **st) {
    (void)st;
    footprint_of(SMALL, 65, 5);
    footprint_of(BOLT, 100, 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chunks_same_file),
        cmocka_unit_test(test_selection),
        cmocka_unit_test(test_memory_bounded),
        cmocka_unit_test(test_default_chunk_bounds_activations),
        cmocka_unit_test(test_footprint_counts_the_pass),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    run_cmd("rm -rf '%s'", test_tmpdir());
    return rc;
}
