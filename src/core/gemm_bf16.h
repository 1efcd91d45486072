/* gemm_bf16.h — bf16 x bf16 -> fp32 matrix products through oneDNN (the opt-in bf16 path,
 * docs/precision.md). Inputs are rounded to bf16 (round to nearest even), products are
 * accumulated in fp32 and written in fp32. Only used where the CPU has AVX512-BF16 or AMX
 * (cl_bf16_available): elsewhere oneDNN would emulate bf16 far slower than sgemm. */
#ifndef CL_GEMM_BF16_H
#define CL_GEMM_BF16_H

#include <stddef.h>
#include <stdint.h>

/* 1 when oneDNN runs native bf16 kernels here (AVX512-BF16 or AMX), else 0. Honours
 * ONEDNN_MAX_CPU_ISA / DNNL_MAX_CPU_ISA, so the fallback can be tested on any machine. */
int cl_bf16_available(void);
/* oneDNN's name of the instruction set it dispatches to ("avx512_core_amx", ...). */
const char *cl_bf16_isa(void);

/* y (n) = bf16(x) (n), round to nearest even. */
void cl_round_bf16(const float *x, uint16_t *y, size_t n);

/* C (M, N) = alpha * A (M, K) · op(B) + beta * C with A, B bf16 and C fp32, row-major;
 * op(B) = B^T when transB (B stored (N, K), a weight as in PyTorch), else B is (K, N).
 * beta is 0 or 1. Runs on the calling thread (oneDNN single-threaded). Primitives are
 * created once per shape and kept (thread-safe cache). Returns 0, or -1 when oneDNN
 * refused the shape (nothing written). Adds 2*M*N*K to *flops when flops != NULL. */
int cl_gemm_bf16(int transB, int M, int N, int K, float alpha, const uint16_t *A, int lda,
                 const uint16_t *B, int ldb, float beta, float *C, int ldc, double *flops);

/* y (rows, out) [row stride ldy] = x (rows, in) [ldx] · W^T (+ y when beta = 1), W (out, in)
 * bf16 with row stride ldw. x is rounded to bf16 per call (a scratch copy per thread); the
 * product is cut into cl_linear's fixed panels (cl_product_panels): thread-count invariant. */
void cl_linear_bf16(const float *x, int ldx, int rows, int in, const uint16_t *W, int ldw, int out,
                    float beta, float *y, int ldy, double *flops);

/* C (M, N) [ldc] = bf16(A) (M, K) [lda] · op(W) for an fp32 activation A and a bf16 weight
 * W: op(W) = W^T (W stored (N, K)) when transB, else W (K, N), both with row stride ldw.
 * On the calling thread, for products of few rows (Chronos-Bolt's one-query cross-attention):
 * A is rounded into a per-thread scratch. oneDNN refusing the shape: the same rounded
 * product widened to fp32 (sgemm); out of memory: NaN. */
void cl_matmul_bf16(int transB, int M, int N, int K, const float *A, int lda, const uint16_t *W, int ldw, float *C,
                    int ldc, double *flops);

/* n products reading the same x (q, k and v of a layer; the cross keys/values of every
 * layer), x rounded once: p[i].y (rows, p[i].out) [p[i].ldy] = x · p[i].W^T (+ p[i].y when
 * p[i].beta = 1), each W (out, in) bf16 with row stride ldw. */
typedef struct cl_bf16_prod {
    const uint16_t *W;
    int ldw, out;
    float beta;
    float *y;
    int ldy;
} cl_bf16_prod;
void cl_linear_bf16_n(const float *x, int ldx, int rows, int in, int n, const cl_bf16_prod *p, double *flops);

#endif
