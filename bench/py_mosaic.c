/* py_mosaic.c — the C side of bench/py_mosaic.py: the reference mosaic (the cross-attention
 * induction scores of 100 RRT sequences, L 10, R 2) called from C through the same shared
 * libraries the Python package loads, as two studies:
 *   scores     cl_rrt_cross_scores: batch, one forward pass capturing cross row 1, means
 *   induction  cl_py_induction, strict off: the induction study (cross + encoder scores, counts)
 * Prints "name median_ms" per study over REPS runs (after one warm-up run). */
#include "chronolens_study.h"
#include "../src/analysis/rrt.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *t, int n) {
    qsort(t, (size_t)n, sizeof *t, cmp);
    return n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: cl_bench_py_mosaic MODEL_DIR [REPS]\n"); return 2; }
    int reps = argc > 2 ? atoi(argv[2]) : 10;
    if (reps < 1) reps = 1;
    cl_error err;
    cl_model *m;
    cl_state *s;
    if (cl_model_load(argv[1], &m, &err) || cl_state_new(m, &s, &err)) { fprintf(stderr, "%s\n", err.msg); return 2; }
    const cl_config *c = cl_model_config(m);
    const int LH = c->num_decoder_layers * c->num_heads, LHe = c->num_layers * c->num_heads;
    cl_rrt_opts o;
    if (cl_rrt_default(c, &o, &err)) { fprintf(stderr, "%s\n", err.msg); return 2; }
    double *t = malloc(sizeof(double) * reps);
    double *cross = malloc(sizeof(double) * 12 * LH), *enc = malloc(sizeof(double) * 6 * LHe), counts[27];
    uint8_t *cf = malloc(4 * (size_t)LH), *ef = malloc(2 * (size_t)LHe);
    int tr[2];
    for (int i = -1; i < reps; i++) {
        cl_rrt_scores sc;
        double t0 = now();
        if (cl_rrt_cross_scores(s, &o, &sc, &err)) { fprintf(stderr, "%s\n", err.msg); return 2; }
        if (i >= 0) t[i] = now() - t0;
        cl_rrt_scores_free(&sc);
    }
    printf("scores %.4f\n", 1e3 * median(t, reps));
    for (int i = -1; i < reps; i++) {
        double t0 = now();
        if (cl_py_induction(m, 10, 2, 100, -1, -1, 0, 1, 0.3, 0, NULL, NULL, cross, enc, counts, cf, ef, tr, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            return 2;
        }
        if (i >= 0) t[i] = now() - t0;
    }
    printf("induction %.4f\n", 1e3 * median(t, reps));
    free(t); free(cross); free(enc); free(cf); free(ef);
    cl_state_free(s);
    cl_model_free(m);
    return 0;
}
