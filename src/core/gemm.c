/* gemm.c — cl_gemm, the one fp32 matrix product every caller shares (cl_sgemm in core.h;
 * the blocks of cl_linear's fixed panels; the few-row panels of linear_few.c; attention;
 * the backward pass). Its own file so that matmul.c's cl_linear, which hands few-row
 * products to linear_few.c, and linear_few.c, which multiplies through cl_gemm, do not call
 * each other.
 *
 * Which kernel: oneDNN's sgemm (dnnl_sgemm, the library the bf16 path already links) where
 * oneDNN runs AVX-512 (avx512_core or better), else OpenBLAS. Measured on the blocks the
 * engine issues (bench/gemm_choice.c, docs/benchmarks.md): on this AVX-512 machine, where
 * OpenBLAS runs its Haswell (AVX2) kernels, oneDNN is 1.3-2.4x faster on every class —
 * 128-row panels, column panels, 20-row decoding panels of 128 columns, attention's small
 * products — and slower only on the tiny unpacked panels linear_few.c cut for OpenBLAS,
 * which it then no longer cuts (cl_gemm_onednn()). The choice is made once per process from
 * the CPU, never from the thread count or the shape's position in a product, and each call
 * is one single-threaded product (oneDNN's OpenMP team of one, as gemm_bf16.c): results
 * stay independent of the thread count (tests/test_products.c runs both kernels).
 * CHRONOLENS_GEMM=openblas|onednn overrides the choice (to compare the two, or where
 * OpenBLAS has its own AVX-512 kernels). */
#include "core/core.h"
#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* libgomp's, declared here as in gemm_bf16.c */
extern void omp_set_num_threads(int n);
extern int omp_get_max_threads(void);

static int onednn = -1; /* -1: not decided yet */
static pthread_once_t choose_once = PTHREAD_ONCE_INIT;

static void choose(void) {
    const char *e = getenv("CHRONOLENS_GEMM");
    if (e && !strcmp(e, "openblas")) { onednn = 0; return; }
    if (e && !strcmp(e, "onednn")) { onednn = 1; return; }
    dnnl_cpu_isa_t isa = dnnl_get_effective_cpu_isa();
    onednn = (isa & dnnl_cpu_isa_avx512_core) == dnnl_cpu_isa_avx512_core;
}

int cl_gemm_onednn(void) {
    pthread_once(&choose_once, choose);
    return onednn;
}

void cl_gemm_force(int kernel) {
    pthread_once(&choose_once, choose);
    if (kernel >= 0) onednn = kernel != 0;
    else { onednn = -1; choose(); }
}

void cl_gemm(int transA, int transB, int M, int N, int K, float alpha, const float *A, int lda,
             const float *B, int ldb, float beta, float *C, int ldc, double *flops) {
    if (M <= 0 || N <= 0) return;
    if (flops) *flops += 2.0 * M * N * K;
    if (cl_gemm_onednn()) {
        /* this thread's OpenMP team of one (the pool does the splitting), restored after: a
         * program around the library may use OpenMP on the same thread */
        const int omp_prev = omp_get_max_threads();
        if (omp_prev != 1) omp_set_num_threads(1);
        dnnl_status_t s = dnnl_sgemm(transA ? 'T' : 'N', transB ? 'T' : 'N', M, N, K, alpha, A, lda, B, ldb, beta,
                                     C, ldc);
        if (omp_prev != 1) omp_set_num_threads(omp_prev);
        if (s == dnnl_success) return;
        /* refused (out of memory for its packing buffers): the same product in OpenBLAS */
    }
    cl_blas_serial();
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
