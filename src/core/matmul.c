/* matmul.c — cl_linear, the weight product y = x W^T: large products cut into fixed panels
 * spread over the thread pool, each one single-threaded cl_gemm call (oneDNN's or OpenBLAS's
 * sgemm, gemm.c); few rows handed to linear_few.c. */
#include "core/core.h"

/* ------------------------------------------------------------------ fixed panels
 *
 * A product is cut into blocks from its shape alone, never from the thread count, and
 * every block is one single-threaded sgemm call: the pool's threads only decide who
 * computes a block, not what is computed. The thread count cannot change a result,
 * whatever kernel OpenBLAS or oneDNN picks for the block's shape. (Splitting into as many blocks as threads did: OpenBLAS's
 * Haswell kernel sums a tile at a block's edge in another order than an interior tile, so
 * moving a boundary moved the last bits of the outputs near it. Its AVX-512 kernel has a
 * small-matrix path with yet another order; a fixed shape per call fixes which one runs.)
 * Panels of CL_PANEL rows (a multiple of 16: vector kernels see aligned widths) keep
 * OpenBLAS's repacking of W, once per call, under ~1/CL_PANEL of the work. */
cl_panels cl_product_panels(int rows, int out, int in) {
    cl_panels p = {1, rows > 0 ? rows : 0, 1};
    if (rows <= 0 || out <= 0) return p;
    if ((double)rows * out * in < CL_PANEL_WORK) return p; /* too small to be worth splitting */
    if (rows >= 2 * CL_PANEL) {
        p.size = CL_PANEL;
        p.count = (rows + CL_PANEL - 1) / CL_PANEL;
    } else if (out >= 2 * CL_PANEL) { /* few rows, many outputs: panels of output columns */
        p.by_rows = 0;
        p.size = CL_PANEL;
        p.count = (out + CL_PANEL - 1) / CL_PANEL;
    }
    return p;
}

typedef struct {
    const float *x, *W;
    float *y;
    int rows, in, out;
    cl_panels p;
    float beta;
} lin_job;

/* panel i of the product: a block of rows of x and y, or a block of W's rows (= output
 * columns of y) */
static void lin_task(void *ctx, int i, int tid) {
    (void)tid;
    const lin_job *j = ctx;
    int total = j->p.by_rows ? j->rows : j->out;
    int a = i * j->p.size, b = a + j->p.size < total ? a + j->p.size : total;
    if (a >= b) return;
    if (j->p.by_rows)
        cl_sgemm(1, b - a, j->out, j->in, 1.0f, j->x + (size_t)a * j->in, j->in, j->W, j->in, j->beta,
                 j->y + (size_t)a * j->out, j->out, NULL);
    else
        cl_sgemm(1, j->rows, b - a, j->in, 1.0f, j->x, j->in, j->W + (size_t)a * j->in, j->in, j->beta, j->y + a,
                 j->out, NULL);
}

void cl_linear(const float *x, int rows, int in, const float *W, int out, float beta, float *y,
               double *flops) {
    if (rows <= 0 || out <= 0) return;
    if (flops) *flops += 2.0 * rows * out * in;
    if (rows <= CL_FEW_ROWS) { /* few rows: unpacked panels (linear_few.c) */
        cl_linear_few_ld(x, in, rows, in, W, in, out, beta, y, out, NULL);
        return;
    }
    lin_job j = {x, W, y, rows, in, out, cl_product_panels(rows, out, in), beta};
    if (j.p.count == 1) lin_task(&j, 0, 0);
    else cl_parallel_for(j.p.count, lin_task, &j);
}
