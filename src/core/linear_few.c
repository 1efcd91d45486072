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
 * Where cl_gemm runs oneDNN (gemm.c) the panels are CL_PANEL columns wide instead; on
 * AVX-512 each panel runs this project's own few-row kernel (cl_gemm_few, gemm_few.c). */
#include "core/core.h"


/* Panels of up to CL_FEW_MAX products sharing x: item i is panel i of the products laid
 * end to end (first[k] is product k's first item). One pool job for all of them: a decoder
 * step's q, k and v become one hand-off instead of three, and every panel is the same call
 * as when each product ran alone, so the result is the same to the bit. */
typedef struct panels {
    const float *x; int ldx, rows, in, nb, n;
    const cl_few_prod *p;
    int first[CL_FEW_MAX + 1];
} panels;

/* The own kernel (cl_gemm_few) for panels of at least this many inputs: weight products
 * (d_model, d_ff). With K = 64 (a head's cross-attention scores, 20 x 513 x 64) its lane sums
 * cost as much as the products and oneDNN's sgemm was faster (0.56-0.81x, cl_bench_gemm):
 * a rule on the shape alone, so results still do not depend on threads or batching. */
#define FEW_OWN_IN 128

/* item i: output columns [j, j + nb) of product k */
static void panel(void *arg, int i, int tid) {
    (void)tid;
    const panels *p = arg;
    int k = 0;
    while (i >= p->first[k + 1]) k++;
    const cl_few_prod *q = &p->p[k];
    const int ldw = q->ldw ? q->ldw : p->in, ldy = q->ldy ? q->ldy : q->out;
    int j = (i - p->first[k]) * p->nb, n = q->out - j < p->nb ? q->out - j : p->nb;
    if (p->in >= FEW_OWN_IN)
        cl_gemm_few(p->rows, n, p->in, p->x, p->ldx, q->W + (size_t)j * ldw, ldw, q->beta, q->y + j, ldy, NULL);
    else
        cl_sgemm(1, p->rows, n, p->in, 1.0f, p->x, p->ldx, q->W + (size_t)j * ldw, ldw, q->beta, q->y + j, ldy, NULL);
}

/* the panel width for `rows` rows of `in` inputs; < 8: no panels (one call) */
static int panel_width(int rows, int in) {
    int nb = rows > 0 ? 1200 / rows : 0;
    if (rows > 0 && in > 0) {
        long lim = 1000000L / ((long)rows * in);
        if (lim < nb) nb = (int)lim;
    }
    /* oneDNN packs as it goes and runs 128-column panels of 20 rows faster (~1.3x) than
     * OpenBLAS's unpacked ones, and far faster than its own on those narrow panels
     * (bench/gemm_choice.c): panels of CL_PANEL columns, still from the shape alone */
    if (cl_gemm_onednn() || cl_gemm_few_own()) nb = CL_PANEL;
    return rows > CL_FEW_ROWS ? 0 : nb;
}

void cl_linear_few_n(const float *x, int ldx, int rows, int in, int n, const cl_few_prod *p, double *flops) {
    if (rows <= 0) return;
    const int nb = panel_width(rows, in);
    for (int a = 0; a < n; a += CL_FEW_MAX) {
        const int m = n - a < CL_FEW_MAX ? n - a : CL_FEW_MAX;
        panels pj = {x, ldx, rows, in, nb, m, p + a, {0}};
        for (int k = 0; k < m; k++) {
            const cl_few_prod *q = &p[a + k];
            if (flops && q->out > 0) *flops += 2.0 * rows * q->out * in;
            pj.first[k + 1] = pj.first[k] + (nb >= 8 && q->out > 0 ? (q->out + nb - 1) / nb : 0);
            if (nb < 8 && q->out > 0) /* no panels: the whole product in one call (many rows) */
                cl_sgemm(1, rows, q->out, in, 1.0f, x, ldx, q->W, q->ldw ? q->ldw : in, q->beta, q->y,
                         q->ldy ? q->ldy : q->out, NULL);
        }
        if (pj.first[m] > 0) cl_parallel_for(pj.first[m], panel, &pj);
    }
}

void cl_linear_few_ld(const float *x, int ldx, int rows, int in, const float *W, int ldw, int out, float beta,
                      float *y, int ldy, double *flops) {
    if (out <= 0) return;
    cl_few_prod one = {W, ldw, out, beta, y, ldy};
    cl_linear_few_n(x, ldx, rows, in, 1, &one, flops);
}

void cl_linear_few(const float *x, int rows, int in, const float *W, int out, float beta, float *y, int ldy,
                   double *flops) {
    cl_linear_few_ld(x, in, rows, in, W, in, out, beta, y, ldy, flops);
}
