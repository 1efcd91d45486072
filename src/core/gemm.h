/* gemm.h — general matrix product with either operand transposed (cblas_sgemm), for the
 * backward pass, which needs A^T · B (weight gradients dW = dY^T · X). */
#ifndef CL_GEMM_H
#define CL_GEMM_H

/* C (M, N) = alpha * op(A) (M, K) · op(B) (K, N) + beta * C, row-major.
 * op(A) = A^T when transA (A stored (K, M)); op(B) = B^T when transB (B stored (N, K)).
 * Adds 2*M*N*K to *flops when flops != NULL. */
void cl_gemm(int transA, int transB, int M, int N, int K, float alpha, const float *A, int lda,
             const float *B, int ldb, float beta, float *C, int ldc, double *flops);

#endif
