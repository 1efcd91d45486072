/* chronolens sweep — induction-head counts over a grid of repetitions R × sequence lengths L
 * (method.md §2), per model: sweep.json/csv, a heatmap and a line plot per model. */
#include "cli.h"
#include "rrt_cli.h"
#include "../src/core/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USAGE "sweep: usage: chronolens sweep [--model DIR ...] --out DIR [--reps-list 2,4,..] " \
              "[--len-list 2,4,..] [--batch N] [--token-range LO:HI] [--threshold T] [--seed S] [--seeds K]"
#define MAX_GRID 64

/* model k of n: one progress line over all models (one time left for the command) */
typedef struct { cli_ui *ui; const char *name; int k, n; } prog_ctx;

static void on_progress(void *ctx, const char *stage, double done, double total) {
    const prog_ctx *p = ctx;
    char label[300];
    snprintf(label, sizeof label, "sweep: %s (%d/%d)", p->name, p->k + 1, p->n);
    cli_progress(p->ui, label, p->k * total + done, p->n * total);
}

int cmd_sweep(int argc, char **argv) {
    cli_ui ui = CLI_UI_INIT;
    rrt_cli o;
    rrt_cli_init(&o);
    int reps[MAX_GRID] = {2, 4, 6, 8, 10}, lens[MAX_GRID] = {2, 4, 6, 8, 10}, nr = 5, nl = 5;
    for (int i = 1; i < argc; i++) {
        long x[MAX_GRID];
        int n, r = opt_common(argc, argv, &i, &ui), which = 0;
        if (!r) r = rrt_cli_opt(argc, argv, &i, &o);
        if (!r && (r = opt_long_list(argc, argv, &i, "--reps-list", 2, 100000, x, MAX_GRID, &n)) == 1) which = 1;
        if (!r && (r = opt_long_list(argc, argv, &i, "--len-list", 2, 100000, x, MAX_GRID, &n)) == 1) which = 2;
        for (int j = 0; which && j < n; j++) (which == 1 ? reps : lens)[j] = (int)x[j];
        if (which == 1) nr = n;
        if (which == 2) nl = n;
        if (r < 0) return EXIT_BAD;
        if (!r) return cli_fail("sweep: unknown argument '%s'", argv[i]);
    }
    if (!o.n_models) o.dirs[o.n_models++] = cli_default_model();
    if (!o.out) return cli_fail(USAGE);
    rrt_models ms;
    if (rrt_models_load(&o, &ms, "sweep")) return EXIT_BAD;
    cl_sweep_result *res = calloc((size_t)ms.n, sizeof *res);
    cl_error err = {0};
    int rc = !res ? cl_error_set(&err, CL_ENOMEM, "sweep: out of memory") : 0;
    for (int k = 0; k < ms.n && !rc; k++) {
        cl_sweep_opts so = {.n_reps = nr, .n_lens = nl, .reps = reps, .lens = lens};
        rrt_cli_options(&o, ms.m[k], &so.base);
        prog_ctx pc = {&ui, ms.name[k], k, ms.n};
        so.base.progress = (cl_progress){on_progress, &pc};
        rc = cl_sweep_run(ms.m[k], &so, &res[k], &err);
    }
    cli_progress_done(&ui);
    char path[4096];
    if (!rc) rc = sweep_write_json(cl_path_join(path, sizeof path, o.out, "sweep.json"), &o, &ms, res, reps, nr, lens, nl, &err);
    if (!rc) rc = sweep_write_csv(cl_path_join(path, sizeof path, o.out, "sweep.csv"), &ms, res, &err);
    if (!rc) rc = sweep_write_figures(o.out, &ms, res, reps, nr, lens, nl, &err);
    for (int k = 0; res && k < ms.n; k++) cl_sweep_free(&res[k]);
    free(res);
    rrt_models_free(&ms);
    if (rc) return cli_fail_err(&err);
    if (!ui.quiet) fprintf(stderr, "wrote %s/sweep.json, sweep.csv and figures\n", o.out);
    return 0;
}
