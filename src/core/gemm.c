/* gemm.c — cl_gemm, the one wrapper of cblas_sgemm that every caller shares (cl_sgemm in
 * core.h; the few-row panels of linear_few.c; the backward pass). Its own file so that
 * matmul.c's cl_linear, which hands few-row products to linear_few.c, and linear_few.c,
 * which multiplies through cl_gemm, do not call each other. */
#include "core/core.h"
#include <cblas.h>

void cl_gemm(int transA, int transB, int M, int N, int K, float alpha, const float *A, int lda,
             const float *B, int ldb, float beta, float *C, int ldc, double *flops) {
    if (M <= 0 || N <= 0) return;
    cl_blas_serial();
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    if (flops) *flops += 2.0 * M * N * K;
}
