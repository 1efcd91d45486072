/* linear_few.c — y = x W^T for the few rows of a decoding step.
 *
 * With 20 rows (one series' sample paths) OpenBLAS's blocked sgemm spends as long packing
 * the weight matrix as multiplying (perf: sgemm_incopy ~ sgemm_kernel). Its small-matrix
 * kernels skip packing but only serve products with M*N*K <= 1e6 and, for this transposed
 * layout, M*N <= 1200 (OpenBLAS 0.3.21, sgemm_small_kernel_permit). Cutting W into panels
 * of output rows that fit those limits runs every panel through them: ~1.5x faster at 20
 * rows (bench/bench_forecast.c). With more rows the blocked path wins and is used. */
#include "core.h"

#define FEW_ROWS_MAX 48

void cl_linear_few(const float *x, int rows, int in, const float *W, int out, float beta, float *y, int ldy,
                   double *flops) {
    int nb = rows > 0 ? 1200 / rows : out;
    if (rows > 0 && in > 0) {
        long lim = 1000000L / ((long)rows * in);
        if (lim < nb) nb = (int)lim;
    }
    if (rows > FEW_ROWS_MAX || nb < 8) {
        cl_sgemm(1, rows, out, in, 1.0f, x, in, W, in, beta, y, ldy, flops);
        return;
    }
    for (int j = 0; j < out; j += nb) {
        int n = out - j < nb ? out - j : nb;
        cl_sgemm(1, rows, n, in, 1.0f, x, in, W + (size_t)j * in, in, beta, y + j, ldy, flops);
    }
}
