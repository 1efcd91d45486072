/* bench_bolt.c — Chronos-Bolt engine benchmark: the share of this machine's sgemm rate the
 * encoder's products reach, and the time of one forward pass.
 *
 * usage: cl_bench_bolt [--threads N] [--reps R] [--precision fp32|bf16] MODEL_DIR [B L]
 *   B series of L values (default 64 x 2048: the `batch` workload), random walks plus a
 *   daily sine. Per repetition: sgemm 2048^3 (NT, as the linear layers) timed just before,
 *   then cl_bolt_encode (input block, [REG], encoder) and cl_bolt_decode. Prints the median
 *   over R repetitions (after one warm-up) of the forward seconds, the encoder's GFLOP/s
 *   (2 x multiply-adds of its products, counted by cl_state_flops) and encoder / sgemm.
 *   Times are the process's CPU time (one thread by default): on a shared, oversubscribed
 *   machine they do not include the time spent waiting for a core. With --precision bf16 the
 *   row is named bolt-forward-bf16 (its encoder share is still of the fp32 sgemm rate). */
#include "chronolens.h"
#include "core/core.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* sgemm 2048^3 through OpenBLAS at the engine's thread count: GFLOP/s */
static double sgemm_rate(void) {
    static float *a, *b, *c;
    const int n = 2048;
    if (!a) {
        a = cl_alloc(sizeof(float) * n * n); b = cl_alloc(sizeof(float) * n * n); c = cl_alloc(sizeof(float) * n * n);
        for (size_t i = 0; i < (size_t)n * n; i++) { a[i] = (float)(i % 7) * 0.1f; b[i] = (float)(i % 5) * 0.1f; }
    }
    openblas_set_num_threads(cl_get_threads());
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, n, 1, a, n, b, n, 0, c, n);
    double t = now();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, n, 1, a, n, b, n, 0, c, n);
    t = now() - t;
    openblas_set_num_threads(1);
    struct timespec pause = {0, 300 * 1000 * 1000}; /* let OpenBLAS's spinning workers sleep */
    nanosleep(&pause, NULL);
    return 2.0 * n * n * n / t / 1e9;
}

int main(int argc, char **argv) {
    int threads = 1, reps = 3, B = 64, L = 2048;
    const char *dir = NULL;
    int pos = 0;
    cl_load_opts lo = {CL_FP32};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--precision") && i + 1 < argc) {
            if (cl_precision_parse(argv[++i], &lo.precision)) { fputs("--precision: fp32 or bf16\n", stderr); return 2; }
        }
        else if (!dir) dir = argv[i];
        else if (pos++ == 0) B = atoi(argv[i]);
        else L = atoi(argv[i]);
    }
    if (!dir || B < 1 || L < 1 || reps < 1) {
        fprintf(stderr, "usage: cl_bench_bolt [--threads N] [--reps R] [--precision fp32|bf16] MODEL_DIR [B L]\n");
        return 2;
    }
    cl_set_threads(threads);
    cl_error err;
    cl_model *m;
    cl_state *s;
    if (lo.precision == CL_BF16 && !cl_bf16_supported()) {
        fputs("cl_bench_bolt: --precision bf16: this CPU has no AVX512-BF16 or AMX\n", stderr);
        return 2;
    }
    if (cl_model_load(dir, &lo, &m, &err) || cl_state_new(m, &s, &err)) { fprintf(stderr, "%s\n", err.msg); return 2; }
    float *x = malloc(sizeof(float) * (size_t)B * L);
    uint64_t r = 42;
    for (int b = 0; b < B; b++) {
        float w = 0;
        for (int t = 0; t < L; t++) {
            r = r * 6364136223846793005ULL + 1442695040888963407ULL;
            w += (float)((double)(r >> 11) / 9007199254740992.0 - 0.5);
            x[(size_t)b * L + t] = w + 5.0f * sinf(6.2831853f * (float)t / 24.0f);
        }
    }
    double *fwd = malloc(sizeof(double) * reps), *gf = malloc(sizeof(double) * reps), *pct = malloc(sizeof(double) * reps);
    double enc_flops = 0;
    for (int k = -1; k < reps; k++) {
        double sg = sgemm_rate();
        cl_state_reset_flops(s);
        double t0 = now();
        if (cl_bolt_encode(s, x, B, L, &err)) { fprintf(stderr, "%s\n", err.msg); return 2; }
        double t1 = now();
        enc_flops = cl_state_flops(s);
        if (cl_bolt_decode(s, &err)) { fprintf(stderr, "%s\n", err.msg); return 2; }
        double t2 = now();
        if (k < 0) continue; /* warm-up */
        fwd[k] = t2 - t0;
        gf[k] = enc_flops / (t1 - t0) / 1e9;
        pct[k] = 100.0 * gf[k] / sg;
    }
    printf("# workload B L threads forward_s encoder_GFLOP encoder_GFLOP/s encoder_%%_of_sgemm\n");
    printf("bolt-forward%s %d %d %d %.4f %.2f %.1f %.1f\n", lo.precision == CL_BF16 ? "-bf16" : "", B, L, threads, median(fwd, reps), enc_flops / 1e9,
           median(gf, reps), median(pct, reps));
    free(x); free(fwd); free(gf); free(pct);
    cl_state_free(s);
    cl_model_free(m);
    return 0;
}
