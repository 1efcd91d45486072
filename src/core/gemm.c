/* gemm.c — cblas_sgemm with both transposition flags (see gemm.h). */
#include "gemm.h"
#include <cblas.h>

void cl_gemm(int transA, int transB, int M, int N, int K, float alpha, const float *A, int lda,
             const float *B, int ldb, float beta, float *C, int ldc, double *flops) {
    if (M <= 0 || N <= 0) return;
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    if (flops) *flops += 2.0 * M * N * K;
}
