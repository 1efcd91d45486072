/* linear_few.c — y = x W^T for the few rows of a decoding step.
 *
 * With 20 rows (one series' sample paths) OpenBLAS's blocked sgemm spends as long packing
 * the weight matrix as multiplying (perf: sgemm_incopy ~ sgemm_kernel). Its small-matrix
 * kernels skip packing but only serve products with M*N*K <= 1e6 and, for this transposed
 * layout, M*N <= 1200 (OpenBLAS 0.3.21, sgemm_small_kernel_permit). Cutting W into panels
 * of output rows that fit those limits runs every panel through them: ~1.5x faster at 20
 * rows (bench/bench_forecast.c). With more rows the blocked path wins and is used.
 * The panels are independent: they are spread over the thread pool, each computed the
 * same way whichever thread runs it. cl_linear takes this path for rows <= CL_FEW_ROWS.
 * Where cl_gemm runs oneDNN (gemm.c) the panels are CL_PANEL columns wide instead. */
#include "core/core.h"


typedef struct panels {
    const float *x; int ldx, rows, in;
    const float *W; int ldw, out, nb;
    float beta, *y; int ldy;
} panels;

/* panel i: output columns [i*nb, min((i+1)*nb, out)) */
static void panel(void *arg, int i, int tid) {
    (void)tid;
    const panels *p = arg;
    int j = i * p->nb, n = p->out - j < p->nb ? p->out - j : p->nb;
    cl_sgemm(1, p->rows, n, p->in, 1.0f, p->x, p->ldx, p->W + (size_t)j * p->ldw, p->ldw, p->beta, p->y + j, p->ldy, NULL);
}

void cl_linear_few_ld(const float *x, int ldx, int rows, int in, const float *W, int ldw, int out, float beta,
                      float *y, int ldy, double *flops) {
    int nb = rows > 0 ? 1200 / rows : out;
    if (rows > 0 && in > 0) {
        long lim = 1000000L / ((long)rows * in);
        if (lim < nb) nb = (int)lim;
    }
    /* oneDNN packs as it goes and runs 128-column panels of 20 rows faster (~1.3x) than
     * OpenBLAS's unpacked ones, and far faster than its own on those narrow panels
     * (bench/gemm_choice.c): panels of CL_PANEL columns, still from the shape alone */
    if (cl_gemm_onednn()) nb = CL_PANEL;
    if (rows > CL_FEW_ROWS || nb < 8) {
        cl_sgemm(1, rows, out, in, 1.0f, x, ldx, W, ldw, beta, y, ldy, flops);
        return;
    }
    panels p = {x, ldx, rows, in, W, ldw, out, nb, beta, y, ldy};
    cl_parallel_for((out + nb - 1) / nb, panel, &p);
    if (flops) *flops += 2.0 * rows * out * in;
}

void cl_linear_few(const float *x, int rows, int in, const float *W, int out, float beta, float *y, int ldy,
                   double *flops) {
    cl_linear_few_ld(x, in, rows, in, W, in, out, beta, y, ldy, flops);
}
