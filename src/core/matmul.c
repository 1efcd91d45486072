/* matmul.c — every matrix product of chronolens goes through cblas_sgemm here. Large
 * products are split across the thread pool (OpenBLAS itself runs single-threaded). */
#include "core.h"
#include <cblas.h>

void cl_gemm(int transA, int transB, int M, int N, int K, float alpha, const float *A, int lda,
             const float *B, int ldb, float beta, float *C, int ldc, double *flops) {
    if (M <= 0 || N <= 0) return;
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    if (flops) *flops += 2.0 * M * N * K;
}

typedef struct {
    const float *x, *W;
    float *y;
    int rows, in, out, chunks, by_rows;
    float beta;
} lin_job;

/* Chunk i of the product: a block of rows of x and y, or a block of W's rows (= output
 * columns of y). Blocks are multiples of 16 so vector kernels see aligned widths. */
static void lin_task(void *ctx, int i, int tid) {
    (void)tid;
    const lin_job *j = ctx;
    int total = j->by_rows ? j->rows : j->out;
    int per = ((total + j->chunks - 1) / j->chunks + 15) / 16 * 16;
    int a = i * per, b = a + per < total ? a + per : total;
    if (a >= b) return;
    if (j->by_rows)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, b - a, j->out, j->in, 1.0f, j->x + (size_t)a * j->in,
                    j->in, j->W, j->in, j->beta, j->y + (size_t)a * j->out, j->out);
    else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, j->rows, b - a, j->in, 1.0f, j->x, j->in,
                    j->W + (size_t)a * j->in, j->in, j->beta, j->y + a, j->out);
}

void cl_linear(const float *x, int rows, int in, const float *W, int out, float beta, float *y,
               double *flops) {
    if (rows <= 0 || out <= 0) return;
    if (flops) *flops += 2.0 * rows * out * in;
    if (rows <= CL_FEW_ROWS) { /* few rows: unpacked panels (linear_few.c) */
        cl_linear_few_ld(x, in, rows, in, W, in, out, beta, y, out, NULL);
        return;
    }
    int nt = cl_pool_threads();
    double work = (double)rows * out * in;
    if (nt <= 1 || work < 2e6) { /* too small to be worth splitting */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, out, in, 1.0f, x, in, W, in, beta, y, out);
        return;
    }
    lin_job j = {x, W, y, rows, in, out, nt, rows >= 32 * nt, beta};
    cl_parallel_for(nt, lin_task, &j);
}
