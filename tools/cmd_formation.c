/* chronolens formation — induction heads over training: the RRT summary of every
 * checkpoint of a `chronolens train --checkpoint-every K` run, with its losses and
 * in-context-learning score; writes formation.csv and formation.png/.svg. */
#include "cli.h"
#include "../src/analysis/formation.h"
#include "../src/core/core.h"
#include "../src/train/train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int cmd_formation(int argc, char **argv) {
    const char *run = NULL, *out = NULL;
    long seed = 0;
    for (int i = 1; i < argc; i++) {
        int r = opt_common(argc, argv, &i);
        if (!r) r = opt_str(argc, argv, &i, "--run", &run);
        if (!r) r = opt_str(argc, argv, &i, "--out", &out);
        if (!r) r = opt_int(argc, argv, &i, "--seed", 0, 0x7fffffffffffffffL, &seed);
        if (r < 0) return EXIT_BAD;
        if (!r) return cli_fail("formation: unknown argument '%s'", argv[i]);
    }
    if (!run) return cli_fail("formation: usage: chronolens formation --run TRAIN_OUT_DIR [--out DIR] [--seed N]");
    if (!out) out = run;
    if (cli_out_dir("formation", out)) return EXIT_BAD;
    cl_error err = {0};
    cl_trainer *t;
    if (cl_trainer_resume(run, 0, &t, &err)) return cli_fail_err(&err);
    int n = 0, rc = 0;
    cl_formation_point *pts = calloc((size_t)(t->nevals ? t->nevals : 1), sizeof *pts);
    double *ts = malloc(sizeof(double) * (size_t)(t->nrows ? t->nrows : 1)), *tl = malloc(sizeof(double) * (size_t)(t->nrows ? t->nrows : 1));
    if (!pts || !ts || !tl) rc = cl_error_set(&err, CL_ENOMEM, "formation: out of memory");
    for (int i = 0; i < t->nrows && !rc; i++) { ts[i] = t->rows[i].step; tl[i] = t->rows[i].loss; }
    int r0 = 0;
    for (int i = 0; i < t->nevals && !rc; i++) {
        const cl_eval_row *e = &t->evals[i];
        if (!e->dir[0] || strcmp(e->dir, ".") == 0) continue; /* the final eval has no checkpoint of its own */
        char path[4096];
        cl_path_join(path, sizeof path, run, e->dir);
        cl_model *m;
        progress("formation: checkpoints", i, t->nevals);
        if ((rc = cl_model_load(path, &m, &err))) break;
        cl_formation_point *p = &pts[n];
        p->step = e->step; p->eval_loss = e->loss; p->icl = e->icl;
        double s = 0;
        int k = 0;
        for (; r0 < t->nrows && t->rows[r0].step <= e->step; r0++, k++) s += t->rows[r0].loss;
        p->train_loss = k ? s / k : NAN;
        rc = cl_formation_rrt(m, (uint64_t)seed, p, &err);
        cl_model_free(m);
        n++;
    }
    progress_done();
    char path[4096];
    cl_out o;
    if (!rc) rc = cl_out_open(&o, cl_path_join(path, sizeof path, out, "formation.csv"), &err);
    if (!rc) {
        fprintf(o.fp, "step,train_loss,eval_loss,icl_score,max_current_token,max_token_to_right,heads_current_ge_0.3,heads_right_ge_0.3,heads_any_ge_0.3\n");
        for (int i = 0; i < n; i++)
            fprintf(o.fp, "%d,%.6f,%.6f,%.6f,%.6f,%.6f,%d,%d,%d\n", pts[i].step, pts[i].train_loss, pts[i].eval_loss,
                    pts[i].icl, pts[i].max_cur, pts[i].max_right, pts[i].n_cur, pts[i].n_right, pts[i].n_any);
        rc = cl_out_commit(&o, &err);
    }
    if (!rc) rc = cl_formation_plot(pts, n, ts, tl, t->nrows, cl_path_join(path, sizeof path, out, "formation"), &err);
    free(pts); free(ts); free(tl);
    cl_trainer_free(t);
    if (rc) return cli_fail_err(&err);
    if (!cli_quiet) fprintf(stderr, "wrote %s/formation.csv and formation.png/.svg (%d checkpoints)\n", out, n);
    return 0;
}
