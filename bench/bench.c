/* bench.c — engine benchmark with a fixed protocol (see docs/benchmarks.md).
 *
 * usage: cl_bench [--threads N] [--reps R] [--precision fp32|bf16] [--only context|mosaic|load]
 *                 MODEL_DIR [MODEL_DIR ...]
 *
 * (a) sgemm: this machine's single-precision GEMM rate through the kernel the engine chose
 *     (OpenBLAS's cblas_sgemm or oneDNN's dnnl_sgemm, core/gemm.c), 2048^3 at the engine's
 *     thread count, timed once before every workload run so both see the same load.
 * (b) context: 4 series x 512 steps (random walks), encoder + first decoder step, every
 *     attention map kept.
 * (c) mosaic: 100 RRT sequences of 22 encoder tokens (L=10, R=2), decoder [0, s_1],
 *     cross-attention kept.
 * Workloads: median of R runs after one warm-up; GFLOP = 2 x multiply-adds of every matrix
 * product the engine issues (counted by cl_state_flops); "% of sgemm" is the median over
 * runs of (workload GFLOP/s) / (paired sgemm GFLOP/s). One line per measurement; with
 * --precision bf16 the workloads are named context-bf16 and mosaic-bf16 (the reference
 * stays the fp32 sgemm, so the bf16 lines say how far past it bf16 goes). --only load
 * times cl_model_load alone (median of R loads after one; bf16: the mapping of the cached
 * rounded copy the first leaves, src/model/bf16_cache.c): bench/mosaic.sh's load share. */
#include "chronolens.h"
#include "study/common/rrt.h"
#include "core/core.h"

#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One timing of sgemm 2048^3 (NT, as the engine's linear layers): GFLOP/s. Interleaved
 * with the workload repetitions, so both see the same machine load. */
static float *ga, *gb, *gc;
static double sgemm_once(void) {
    const int n = 2048;
    if (!ga) {
        ga = cl_alloc(sizeof(float) * n * n); gb = cl_alloc(sizeof(float) * n * n); gc = cl_alloc(sizeof(float) * n * n);
        for (size_t i = 0; i < (size_t)n * n; i++) { ga[i] = (float)(i % 7) * 0.1f; gb[i] = (float)(i % 5) * 0.1f; }
        openblas_set_num_threads(cl_get_threads());
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, n, 1, ga, n, gb, n, 0, gc, n);
    }
    /* the kernel's own threading at the engine's thread count (the engine keeps it
     * single-threaded and splits work itself): else a oneDNN engine would read above 100 %
     * of OpenBLAS's rate */
    double t;
    if (cl_gemm_onednn()) {
        extern void omp_set_num_threads(int n);
        omp_set_num_threads(cl_get_threads());
        dnnl_sgemm('N', 'T', n, n, n, 1, ga, n, gb, n, 0, gc, n); /* warm: its packing, its threads */
        t = cl_now();
        dnnl_sgemm('N', 'T', n, n, n, 1, ga, n, gb, n, 0, gc, n);
        t = cl_now() - t;
        omp_set_num_threads(1);
    } else {
        openblas_set_num_threads(cl_get_threads());
        t = cl_now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, n, 1, ga, n, gb, n, 0, gc, n);
        t = cl_now() - t;
        openblas_set_num_threads(1);
    }
    /* OpenBLAS's workers spin (sched_yield) for ~0.1 s after a call: let them go to sleep
     * so the reference does not steal cores from the workload timed next */
    struct timespec pause = {0, 300 * 1000 * 1000};
    nanosleep(&pause, NULL);
    return 2.0 * n * n * n / t / 1e9;
}

typedef struct { const cl_model *m; cl_state *s; int32_t *ids, *dec; uint8_t *mask; int B, T, Td; } work;

static int run(work *w, cl_error *err) {
    if (cl_encode(w->s, w->ids, w->mask, w->B, w->T, err)) return 1;
    return cl_decode(w->s, w->dec, w->Td, 0, err);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof(double), cmp_d);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static const char *suffix = "";

static void measure(const char *model, const char *name, work *w, int reps) {
    cl_error err;
    cl_state_reset_flops(w->s);
    if (run(w, &err)) { fprintf(stderr, "bench: %s\n", err.msg); exit(2); }
    double flops = cl_state_flops(w->s);
    double *t = malloc(sizeof(double) * reps), *peak = malloc(sizeof(double) * reps), *eff = malloc(sizeof(double) * reps);
    for (int r = 0; r < reps; r++) {
        peak[r] = sgemm_once();
        double t0 = cl_now();
        run(w, &err);
        t[r] = cl_now() - t0;
        eff[r] = flops / t[r] / 1e9 / peak[r];
    }
    double tm = median(t, reps), pk = median(peak, reps), ef = median(eff, reps);
    char label[64];
    snprintf(label, sizeof label, "%s%s", name, suffix);
    printf("%-10s %-8s %9.4f s %8.2f GFLOP %8.1f GFLOP/s  sgemm %6.1f GFLOP/s  %5.1f %% of sgemm\n", model, label, tm,
           flops / 1e9, flops / tm / 1e9, pk, 100 * ef);
    fflush(stdout);
    free(t); free(peak); free(eff);
}

int main(int argc, char **argv) {
    int reps = 5, threads = 0, first = 1;
    cl_load_opts lo = {CL_FP32};
    const char *only = NULL; /* one workload (profiling it alone) */
    const char *usage = "usage: cl_bench [--threads N] [--reps R] [--precision fp32|bf16] [--only context|mosaic|load] MODEL_DIR...\n";
    for (; first < argc && argv[first][0] == '-'; first++) {
        if (!strcmp(argv[first], "--reps") && first + 1 < argc) reps = atoi(argv[++first]);
        else if (!strcmp(argv[first], "--threads") && first + 1 < argc) threads = atoi(argv[++first]);
        else if (!strcmp(argv[first], "--only") && first + 1 < argc) {
            only = argv[++first];
            if (strcmp(only, "context") && strcmp(only, "mosaic") && strcmp(only, "load")) { fputs(usage, stderr); return 2; }
        } else if (!strcmp(argv[first], "--precision") && first + 1 < argc) {
            if (cl_precision_parse(argv[++first], &lo.precision)) { fputs(usage, stderr); return 2; }
        } else { fputs(usage, stderr); return 2; }
    }
    if (first >= argc || reps < 1) { fputs(usage, stderr); return 2; }
    if (lo.precision == CL_BF16 && !cl_bf16_supported()) {
        fprintf(stderr, "bench: this CPU has no AVX512-BF16/AMX: bf16 not benchmarked\n");
        return 2;
    }
    if (lo.precision == CL_BF16) suffix = "-bf16";
    cl_set_threads(threads);
    printf("# %d threads; each workload: median of %d runs, each run paired with one sgemm 2048^3 (%s)\n",
           cl_get_threads(), reps, cl_gemm_onednn() ? "oneDNN dnnl_sgemm" : "OpenBLAS cblas_sgemm");
    for (int a = first; a < argc && only && !strcmp(only, "load"); a++) {
        /* --only load: the checkpoint's load alone (bf16: rounding it, or mapping the cached
         * copy that the warm-up load leaves), median of reps loads after one */
        const char *name = strrchr(argv[a], '/') ? strrchr(argv[a], '/') + 1 : argv[a];
        double *t = malloc(sizeof(double) * (size_t)reps);
        for (int r = -1; r < reps; r++) {
            cl_error err;
            cl_model *m;
            double t0 = cl_now();
            if (cl_model_load(argv[a], &lo, &m, &err)) { fprintf(stderr, "bench: %s\n", err.msg); return 2; }
            cl_model_free(m);
            if (r >= 0) t[r] = cl_now() - t0;
        }
        printf("%-10s load%-4s %9.4f s\n", name, suffix, median(t, reps));
        free(t);
    }
    for (int a = first; a < argc && !(only && !strcmp(only, "load")); a++) {
        cl_error err;
        cl_model *m;
        if (cl_model_load(argv[a], &lo, &m, &err)) { fprintf(stderr, "bench: %s\n", err.msg); return 2; }
        const cl_config *c = cl_model_config(m);
        const char *name = strrchr(argv[a], '/') ? strrchr(argv[a], '/') + 1 : argv[a];
        work w = {.m = m};
        cl_state_new(m, &w.s, &err);

        /* (b) context: 4 random walks of 512 steps, tokenized as Chronos does */
        int B = 4, L = 512;
        float *x = malloc(sizeof(float) * B * L);
        cl_rng rng;
        cl_rng_seed(&rng, 0);
        for (int b = 0; b < B; b++) {
            double v = 0;
            for (int t = 0; t < L; t++) x[b * L + t] = (float)(v += cl_rng_normal(&rng));
        }
        w.B = B;
        w.T = cl_tokenizer_length(c, L);
        w.Td = 1;
        w.ids = malloc(sizeof(int32_t) * B * w.T);
        w.mask = malloc((size_t)B * w.T);
        float scale[4];
        cl_tokenizer_encode(c, x, B, L, w.ids, w.mask, scale, &err);
        w.dec = calloc((size_t)B, sizeof(int32_t));
        cl_state_capture_all(w.s);
        if (!only || !strcmp(only, "context")) measure(name, "context", &w, reps);
        free(x); free(w.ids); free(w.mask); free(w.dec);

        /* (c) mosaic: 100 RRT sequences, cross-attention kept */
        cl_rrt_opts o;
        if (cl_rrt_default(c, &o, &err)) { fprintf(stderr, "bench: %s\n", err.msg); return 2; }
        w.B = o.batch;
        w.T = cl_rrt_enc_len(&o);
        w.Td = 2;
        w.ids = malloc(sizeof(int32_t) * w.B * w.T);
        w.mask = malloc((size_t)w.B * w.T);
        w.dec = malloc(sizeof(int32_t) * 2 * w.B);
        cl_rrt_make(c, &o, w.ids, w.mask, w.dec, &err);
        cl_capture_spec all = {.enabled = 1}, off = {0};
        cl_state_set_capture(w.s, CL_ENC_SELF, &off, &err);
        cl_state_set_capture(w.s, CL_DEC_SELF, &off, &err);
        cl_state_set_capture(w.s, CL_CROSS, &all, &err);
        if (!only || !strcmp(only, "mosaic")) measure(name, "mosaic", &w, reps);
        free(w.ids); free(w.mask); free(w.dec);
        cl_state_free(w.s);
        cl_model_free(m);
    }
    return 0;
}
