/* test_products.c — every product gives the same bits under any thread count
 * (docs/numerics.md): fp32 and bf16 linear layers of every path (one call, row panels, column
 * panels, the few rows of a decoding step), under 1, 2, 3, 4 and 7 threads, and with
 * OpenBLAS's own thread count raised by a program around the library; fp32 through both
 * kernels cl_gemm chooses between (OpenBLAS, oneDNN's sgemm: gemm.c). On OpenBLAS's
 * Haswell kernel (chosen on Zen 1–3, Haswell-class CPUs, or OPENBLAS_CORETYPE=Haswell) a
 * block boundary that moves with the thread count changes the last bits of the outputs
 * near it; this test fails wherever that happens. */
#include "testutil.h"
#include "core/core.h"
#include "core/gemm_bf16.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* (rows, out, in): one call (< CL_PANEL_WORK), row panels with a short last one, column
 * panels (rows < 2 * CL_PANEL), few rows (decoding), the 161 x 64 x 64 product of the
 * issue, and odd sizes everywhere */
static const int shapes[][3] = {
    {161, 64, 64}, {300, 512, 512}, {523, 257, 129}, {100, 2048, 512}, {255, 300, 333},
    {20, 512, 512}, {49, 384, 256}, {1000, 33, 100}, {2200, 64, 64},
};
static const int threads[] = {1, 2, 3, 4, 7};
#define NSHAPES (int)(sizeof shapes / sizeof shapes[0])
#define NTHREADS (int)(sizeof threads / sizeof threads[0])

static float *randn(size_t n, uint64_t seed) {
    float *v = malloc(sizeof(float) * n);
    cl_rng r;
    cl_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++) v[i] = (float)cl_rng_normal(&r);
    return v;
}

/* y (rows, out) for one shape under the current thread count; beta = 1 adds to y0 */
static void product(int bf16, const int *sh, const float *x, const float *W, const uint16_t *Wh, const float *y0,
                    float *y) {
    const int rows = sh[0], out = sh[1], in = sh[2];
    memcpy(y, y0, sizeof(float) * (size_t)rows * out);
    if (bf16) cl_linear_bf16(x, in, rows, in, Wh, in, out, 1.0f, y, out, NULL);
    else cl_linear(x, rows, in, W, out, 1.0f, y, NULL);
}

static void check_invariant(int bf16) {
    for (int s = 0; s < NSHAPES; s++) {
        const int *sh = shapes[s];
        const size_t nx = (size_t)sh[0] * sh[2], nw = (size_t)sh[1] * sh[2], ny = (size_t)sh[0] * sh[1];
        float *x = randn(nx, 1 + s), *W = randn(nw, 100 + s), *y0 = randn(ny, 200 + s);
        float *ref = malloc(sizeof(float) * ny), *y = malloc(sizeof(float) * ny);
        uint16_t *Wh = malloc(sizeof(uint16_t) * nw);
        cl_round_bf16(W, Wh, nw);
        cl_set_threads(1);
        product(bf16, sh, x, W, Wh, y0, ref);
        for (int t = 0; t < NTHREADS; t++) {
            cl_set_threads(threads[t]);
            product(bf16, sh, x, W, Wh, y0, y);
            if (memcmp(ref, y, sizeof(float) * ny) != 0)
                fail_msg("%s %d x %d x %d: %d threads differ from 1 (max |diff| %.3g)", bf16 ? "bf16" : "fp32", sh[0],
                         sh[1], sh[2], threads[t], max_abs_diff(ref, y, ny));
            /* a program around the library raising OpenBLAS's own threads (numpy,
             * threadpoolctl) must not split a product either */
            openblas_set_num_threads(4);
            product(bf16, sh, x, W, Wh, y0, y);
            if (memcmp(ref, y, sizeof(float) * ny) != 0)
                fail_msg("%s %d x %d x %d: OpenBLAS set to 4 threads changes the result (max |diff| %.3g)",
                         bf16 ? "bf16" : "fp32", sh[0], sh[1], sh[2], max_abs_diff(ref, y, ny));
        }
        free(x), free(W), free(y0), free(ref), free(y), free(Wh);
    }
    cl_set_threads(0);
}

/* Both fp32 kernels (gemm.c): the one this CPU gets by default, and each forced. */
static void test_fp32_thread_invariant(void **st) {
    (void)st;
    print_message("fp32 products through %s by default\n", cl_gemm_onednn() ? "oneDNN" : "OpenBLAS");
    check_invariant(0);
}

static void test_fp32_openblas_thread_invariant(void **st) {
    (void)st;
    cl_gemm_force(0);
    check_invariant(0);
    cl_gemm_force(-1);
}

static void test_fp32_onednn_thread_invariant(void **st) {
    (void)st;
    cl_gemm_force(1);
    check_invariant(0);
    cl_gemm_force(-1);
}

/* The two kernels compute the same product to float rounding: a kernel that misreads a
 * stride or a panel would differ by whole values. */
static void test_fp32_kernels_agree(void **st) {
    (void)st;
    for (int s = 0; s < NSHAPES; s++) {
        const int *sh = shapes[s];
        const size_t nx = (size_t)sh[0] * sh[2], nw = (size_t)sh[1] * sh[2], ny = (size_t)sh[0] * sh[1];
        float *x = randn(nx, 1 + s), *W = randn(nw, 100 + s), *y0 = randn(ny, 200 + s);
        float *a = malloc(sizeof(float) * ny), *b = malloc(sizeof(float) * ny);
        cl_gemm_force(0);
        product(0, sh, x, W, NULL, y0, a);
        cl_gemm_force(1);
        product(0, sh, x, W, NULL, y0, b);
        cl_gemm_force(-1);
        /* sums of `in` products of N(0,1) values: |y| ~ sqrt(in); float rounding ~1e-6 of that */
        const double tol = 1e-4 * (1 + sqrt((double)sh[2]));
        if (max_abs_diff(a, b, ny) > tol)
            fail_msg("fp32 %d x %d x %d: OpenBLAS and oneDNN differ by %.3g (> %.3g)", sh[0], sh[1], sh[2],
                     max_abs_diff(a, b, ny), tol);
        free(x), free(W), free(y0), free(a), free(b);
    }
}

/* The few-row kernel of decoding (gemm_few.c): against cl_sgemm to float rounding, and each
 * output the same bits whether its row or column is computed alone or in a block (a batch of
 * 1 or of 9 series samples the same paths); odd M, N and K tails, strides, beta 0 and 1. */
static void test_few_kernel(void **st) {
    (void)st;
    print_message("few-row products through %s\n", cl_gemm_few_own() ? "the own AVX-512 kernel" : "cl_sgemm");
    static const int few[][3] = {{20, 128, 512}, {1, 7, 64}, {3, 5, 17}, {7, 130, 100}, {20, 513, 64}, {48, 33, 2048}};
    for (int s = 0; s < (int)(sizeof few / sizeof few[0]); s++) {
        const int M = few[s][0], N = few[s][1], K = few[s][2], ldx = K + 3, ldw = K + 5, ldy = N + 2;
        float *x = randn((size_t)M * ldx, 7 + s), *W = randn((size_t)N * ldw, 70 + s), *y0 = randn((size_t)M * ldy, 700 + s);
        float *a = malloc(sizeof(float) * M * ldy), *b = malloc(sizeof(float) * M * ldy), *one = malloc(sizeof(float) * ldy);
        for (int beta = 0; beta <= 1; beta++) {
            memcpy(a, y0, sizeof(float) * M * ldy);
            memcpy(b, y0, sizeof(float) * M * ldy);
            cl_gemm_few(M, N, K, x, ldx, W, ldw, (float)beta, a, ldy, NULL);
            cl_sgemm(1, M, N, K, 1.0f, x, ldx, W, ldw, (float)beta, b, ldy, NULL);
            const double tol = 1e-4 * (1 + sqrt((double)K));
            for (int r = 0; r < M; r++)
                for (int o = 0; o < N; o++)
                    if (fabs(a[(size_t)r * ldy + o] - b[(size_t)r * ldy + o]) > tol)
                        fail_msg("few %d x %d x %d beta %d: [%d, %d] is %.6g, sgemm %.6g", M, N, K, beta, r, o,
                                 a[(size_t)r * ldy + o], b[(size_t)r * ldy + o]);
            for (int r = 0; r < M; r += (M > 4 ? M / 4 : 1)) { /* a row alone, then its columns from 1 on */
                memcpy(one, y0 + (size_t)r * ldy, sizeof(float) * ldy);
                cl_gemm_few(1, N, K, x + (size_t)r * ldx, ldx, W, ldw, (float)beta, one, ldy, NULL);
                if (memcmp(one, a + (size_t)r * ldy, sizeof(float) * N))
                    fail_msg("few %d x %d x %d: row %d alone differs from the block", M, N, K, r);
                if (N > 1) {
                    memcpy(one, y0 + (size_t)r * ldy, sizeof(float) * ldy);
                    cl_gemm_few(1, N - 1, K, x + (size_t)r * ldx, ldx, W + ldw, ldw, (float)beta, one + 1, ldy, NULL);
                    if (memcmp(one + 1, a + (size_t)r * ldy + 1, sizeof(float) * (N - 1)))
                        fail_msg("few %d x %d x %d: row %d from column 1 differs from the block", M, N, K, r);
                }
            }
        }
        free(x), free(W), free(y0), free(a), free(b), free(one);
    }
}

/* Where oneDNN has no native bf16 the same panels run through the widened fp32 fallback:
 * checked either way, never skipped. */
static void test_bf16_thread_invariant(void **st) {
    (void)st;
    print_message("bf16 products through %s (%s)\n", cl_bf16_available() ? "oneDNN" : "the widened sgemm fallback",
                  cl_bf16_isa());
    check_invariant(1);
}

/* The panels come from the shape alone and cover the product once: blocks [i*size,
 * min((i+1)*size, total)) for i < count, none empty. */
static void test_panels_cover(void **st) {
    (void)st;
    for (int s = 0; s < NSHAPES; s++) {
        const int *sh = shapes[s];
        cl_panels p = cl_product_panels(sh[0], sh[1], sh[2]);
        const int total = p.by_rows ? sh[0] : sh[1];
        assert_true(p.count >= 1 && p.size >= 1);
        assert_true((p.count - 1) * p.size < total && p.count * p.size >= total);
        if (p.count > 1) assert_int_equal(p.size % 16, 0);
        if ((double)sh[0] * sh[1] * sh[2] < CL_PANEL_WORK) assert_int_equal(p.count, 1);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fp32_thread_invariant),
        cmocka_unit_test(test_fp32_openblas_thread_invariant),
        cmocka_unit_test(test_fp32_onednn_thread_invariant),
        cmocka_unit_test(test_fp32_kernels_agree),
        cmocka_unit_test(test_few_kernel),
        cmocka_unit_test(test_bf16_thread_invariant),
        cmocka_unit_test(test_panels_cover),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
