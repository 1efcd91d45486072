/* chronolens induction — induction heads with repeated random tokens (method.md §2) for one
 * or more models: per-head scores (decoder cross-attention and encoder self-attention),
 * counts, strict tests (ablation, copying), induction.json/csv, mosaics, layer distribution. */
#include "cli.h"
#include "rrt_cli.h"
#include "../src/core/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define USAGE "induction: usage: chronolens induction [--model DIR ...] --out DIR [--seq-len L] " \
              "[--reps R] [--batch N] [--token-range LO:HI] [--threshold T] [--seed S] [--seeds K] [--no-strict]"

typedef struct { const char *name; int k, n; } prog_ctx;

static void on_progress(void *ctx, double done, double total) {
    const prog_ctx *p = ctx;
    char label[300];
    snprintf(label, sizeof label, "induction: %s (%d/%d)", p->name, p->k + 1, p->n);
    progress(label, p->k * total + done, p->n * total); /* share of all models: one time left for the command */
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int cmd_induction(int argc, char **argv) {
    rrt_cli o;
    rrt_cli_init(&o);
    for (int i = 1; i < argc; i++) {
        int r = opt_common(argc, argv, &i);
        if (!r) r = rrt_cli_opt(argc, argv, &i, &o);
        if (!r) r = opt_int(argc, argv, &i, "--seq-len", 2, 100000, &o.seq_len);
        if (!r) r = opt_int(argc, argv, &i, "--reps", 2, 100000, &o.reps);
        if (!r && opt_flag(argv, i, "--no-strict")) { o.strict = 0; r = 1; }
        if (r < 0) return EXIT_BAD;
        if (!r) return cli_fail("induction: unknown argument '%s'", argv[i]);
    }
    if (!o.n_models) o.dirs[o.n_models++] = cli_default_model();
    o.need_values = o.seq_len * o.reps + 1;
    if (!o.out) return cli_fail(USAGE);
    if (cli_out_dir("induction", o.out)) return EXIT_BAD;
    rrt_models ms;
    if (rrt_models_load(&o, &ms, "induction")) return EXIT_BAD;
    cl_induction_result *res = calloc((size_t)ms.n, sizeof *res);
    double *secs = calloc((size_t)ms.n, sizeof(double));
    cl_error err = {0};
    int rc = (!res || !secs) ? cl_error_set(&err, CL_ENOMEM, "induction: out of memory") : 0;
    for (int k = 0; k < ms.n && !rc; k++) {
        cl_induction_opts io;
        rrt_cli_options(&o, ms.m[k], &io);
        prog_ctx pc = {ms.name[k], k, ms.n};
        io.progress = on_progress;
        io.progress_ctx = &pc;
        double t0 = now();
        rc = cl_induction_run(ms.m[k], &io, &res[k], &err);
        secs[k] = now() - t0;
    }
    progress_done();
    char path[4096];
    if (!rc) rc = induction_write_json(cl_path_join(path, sizeof path, o.out, "induction.json"), &o, &ms, res, secs, &err);
    if (!rc) rc = induction_write_csv(cl_path_join(path, sizeof path, o.out, "induction.csv"), &ms, res, &err);
    if (!rc) rc = induction_write_figures(o.out, &ms, res, &err);
    if (!rc && !cli_quiet && cli_summary)
        for (int k = 0; k < ms.n; k++) {
            const cl_induction_result *x = &res[k];
            fprintf(stderr, "%s: %d/%d cross-attention heads >= %.2g (current token %d, token to right %d)",
                    ms.name[k], x->cross[CL_ANY].n, x->layers * x->heads, x->threshold, x->cross[CL_CUR].n,
                    x->cross[CL_RIGHT].n);
            if (x->strict) fprintf(stderr, ", strict %d", x->strict_count[CL_ANY].n);
            fprintf(stderr, "; encoder %d; %.2fs\n", x->enc[CL_ANY].n, secs[k]);
        }
    for (int k = 0; res && k < ms.n; k++) cl_induction_free(&res[k]);
    free(res); free(secs);
    rrt_models_free(&ms);
    if (rc) return cli_fail_err(&err);
    if (!cli_quiet && cli_summary) fprintf(stderr, "wrote %s/induction.json, induction.csv and figures\n", o.out);
    return 0;
}
