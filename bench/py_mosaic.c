/* py_mosaic.c — the C side of bench/py_mosaic.py: the reference mosaic (the cross-attention
 * induction scores of 100 RRT sequences, L 10, R 2) called from C, as two studies:
 *   scores     cl_rrt_cross_scores: batch, one forward pass capturing cross row 1, means
 *   induction  cl_induction_run, strict off: the induction study (cross + encoder scores, counts)
 * Linked with the static libraries: cl_rrt_cross_scores is internal (the shared libraries
 * export the public API only); the code is the one the package's shared libraries run.
 * It loads the model once, then reads study names from stdin, one a line, runs that study once
 * and prints its wall time in ms, so the caller can alternate it run by run with its own
 * (the machine is shared: alternating each run exposes both sides to the same load).
 *   cl_bench_py_mosaic MODEL_DIR [THREADS]   (THREADS 0 = every core, the commands' default) */
#include "chronolens_study.h"
#include "../src/study/common/rrt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: cl_bench_py_mosaic MODEL_DIR [THREADS]\n"); return 2; }
    cl_set_threads(argc > 2 ? atoi(argv[2]) : 0);
    cl_error err;
    cl_model *m;
    cl_state *s;
    if (cl_model_load(argv[1], NULL, &m, &err) || cl_state_new(m, &s, &err)) { fprintf(stderr, "%s\n", err.msg); return 2; }
    const cl_config *c = cl_model_config(m);
    cl_rrt_opts o;
    cl_induction_opts io;
    if (cl_rrt_default(c, &o, &err) || cl_induction_default(c, &io, &err)) { fprintf(stderr, "%s\n", err.msg); return 2; }
    io.strict = 0;
    int rc = 0;
    char line[64];
    while (!rc && fgets(line, sizeof line, stdin)) {
        double t0 = now();
        if (!strcmp(line, "scores\n")) {
            cl_rrt_scores sc;
            rc = cl_rrt_cross_scores(s, &o, &sc, &err);
            if (!rc) cl_rrt_scores_free(&sc);
        } else if (!strcmp(line, "induction\n")) {
            cl_induction_result r;
            rc = cl_induction_run(m, &io, &r, &err);
            if (!rc) cl_induction_free(&r);
        } else {
            rc = cl_error_set(&err, CL_EINVAL, "unknown study %s", line);
        }
        printf("%.4f\n", 1e3 * (now() - t0));
        fflush(stdout);
    }
    if (rc) fprintf(stderr, "%s\n", err.msg);
    cl_state_free(s);
    cl_model_free(m);
    return rc ? 2 : 0;
}
