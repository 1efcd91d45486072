/* gemm_choice.c — OpenBLAS's sgemm against oneDNN's (dnnl_sgemm) on the blocks the engine
 * issues (issue 27): every block of cl_product_panels is one single-threaded call, so the
 * choice of kernel is made per shape class, and this program measures the classes.
 *   build/cl_bench_gemm [--reps N]
 * Both run on one thread (OpenBLAS serial, oneDNN's OpenMP team of one), y = x W^T as in
 * cl_linear; the two kernels alternate shape by shape and round by round (the machine is
 * shared), and each keeps its fastest round. Prints GFLOP/s of each and oneDNN / OpenBLAS.
 * Few-row products (decoding, M <= CL_FEW_ROWS, W transposed) also run the engine's own
 * AVX-512 kernel (cl_gemm_few, where the CPU has it): column "own", and own / oneDNN.
 *   build/cl_bench_gemm --cold    few-row shapes only, W read from memory as in a decoder
 *                                 step (each call a different copy of W, 256 MiB of them) */
#include "core/core.h"

#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern void omp_set_num_threads(int n);

typedef struct { const char *what; int M, N, K, transB; } shape;

/* (rows, out, in) of the blocks the engine issues on chronos-t5-small (d_model 512, d_ff
 * 2048, 8 heads of 64) and bolt-small (the same widths) */
static const shape shapes[] = {
    {"row panel, d x d (mosaic/Bolt/encoder q k v o)", 128, 512, 512, 1},
    {"row panel, d -> d_ff (wi)", 128, 2048, 512, 1},
    {"row panel, d_ff -> d (wo)", 128, 512, 2048, 1},
    {"last row panel, 1 row (513-token encoder)", 1, 512, 512, 1},
    {"column panel, 200 rows (mosaic decoder)", 200, 128, 512, 1},
    {"column panel, 200 rows, wo", 200, 128, 2048, 1},
    {"one call, mosaic 22-token attention q.k^T", 22, 22, 64, 1},
    {"one call, mosaic attention p.v", 22, 64, 22, 0},
    {"few rows: OpenBLAS small-kernel panel 20x60x512", 20, 60, 512, 1},
    {"few rows: OpenBLAS small-kernel panel 20x24x2048", 20, 24, 2048, 1},
    {"few rows: 20 x 128 x 512 panel", 20, 128, 512, 1},
    {"few rows: 20 x 128 x 2048 panel", 20, 128, 2048, 1},
    {"few rows: 20 x 256 x 512 panel", 20, 256, 512, 1},
    {"few rows: 40 x 128 x 512 panel", 40, 128, 512, 1},
    {"few rows: 20 x 512 x 512 whole", 20, 512, 512, 1},
    {"few rows: 20 x 512 x 2048 whole", 20, 512, 2048, 1},
    {"decode self-attention 1 x 33 x 64 (one row, one head)", 1, 33, 64, 1},
    {"decode self-attention p.v 1 x 64 x 33", 1, 64, 33, 0},
    {"decode cross-attention 20 x 513 x 64", 20, 513, 64, 1},
    {"decode cross-attention p.v 20 x 64 x 513", 20, 64, 513, 0},
    {"square 2048^3 (the sgemm reference)", 2048, 2048, 2048, 1},
};
#define NSHAPES (int)(sizeof shapes / sizeof shapes[0])

static float *fill(size_t n, uint64_t seed) {
    float *v = cl_alloc(sizeof(float) * n);
    cl_rng r;
    cl_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++) v[i] = (float)cl_rng_normal(&r);
    return v;
}

static int few_shape(const shape *s) { return s->transB && s->M <= CL_FEW_ROWS; }

/* seconds per call of one kernel (0 OpenBLAS, 1 oneDNN, 2 own) on one shape: enough calls
 * for ~20 ms; B cycles through nb copies (1: hot in cache) */
static double time_one(int kernel, const shape *s, const float *A, const float *B, int nb, float *C) {
    const int ldb = s->transB ? s->K : s->N;
    const size_t bsize = (size_t)s->N * s->K;
    int calls = 0;
    double t0 = cl_now(), t = 0;
    do {
        const float *b = B + (size_t)(calls % nb) * bsize;
        if (kernel == 1)
            dnnl_sgemm('N', s->transB ? 'T' : 'N', s->M, s->N, s->K, 1.0f, A, s->K, b, ldb, 0.0f, C, s->N);
        else if (kernel == 2)
            cl_gemm_few(s->M, s->N, s->K, A, s->K, b, ldb, 0.0f, C, s->N, NULL);
        else
            cblas_sgemm(CblasRowMajor, CblasNoTrans, s->transB ? CblasTrans : CblasNoTrans, s->M, s->N, s->K, 1.0f,
                        A, s->K, b, ldb, 0.0f, C, s->N);
        calls++;
        t = cl_now() - t0;
    } while (t < 0.02);
    return t / calls;
}

int main(int argc, char **argv) {
    int reps = 5, cold = 0;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--cold")) cold = 1;
    cl_set_threads(1);
    cl_blas_serial();
    omp_set_num_threads(1);
    const int own = cl_gemm_few_own();
    printf("# W %s; own few-row kernel: %s\n", cold ? "cold (a new copy every call)" : "hot (one copy)",
           own ? "AVX-512" : "none on this CPU");
    printf("%-52s %14s %9s %9s %9s %8s %9s\n", "block (one thread)", "M x N x K", "OpenBLAS", "oneDNN", "own", "ratio",
           "own/dnnl");
    for (int k = 0; k < NSHAPES; k++) {
        const shape *s = &shapes[k];
        if (cold && !few_shape(s)) continue;
        const size_t bsize = (size_t)s->N * s->K;
        const int nb = cold ? (int)(((size_t)256 << 20) / (bsize * sizeof(float))) + 1 : 1;
        float *A = fill((size_t)s->M * s->K, 1), *B = fill(bsize * nb, 2), *C = fill((size_t)s->M * s->N, 3);
        const int nk = own && few_shape(s) ? 3 : 2;
        double best[3] = {1e30, 1e30, 1e30};
        for (int r = 0; r < reps; r++)
            for (int d = 0; d < nk; d++) {
                int who = (d + r) % nk; /* rotate who goes first */
                double t = time_one(who, s, A, B, nb, C);
                if (t < best[who]) best[who] = t;
            }
        const double fl = 2.0 * s->M * s->N * s->K * 1e-9;
        char dims[32], ownv[16] = "-", ownr[16] = "-";
        snprintf(dims, sizeof dims, "%dx%dx%d%s", s->M, s->N, s->K, s->transB ? "" : "n");
        if (nk == 3) {
            snprintf(ownv, sizeof ownv, "%.1f", fl / best[2]);
            snprintf(ownr, sizeof ownr, "%.2fx", best[1] / best[2]);
        }
        printf("%-52s %14s %9.1f %9.1f %9s %7.2fx %9s\n", s->what, dims, fl / best[0], fl / best[1], ownv,
               best[0] / best[1], ownr);
        fflush(stdout);
        cl_free(A), cl_free(B), cl_free(C);
    }
    return 0;
}
