/* chronolens sweep — induction-head counts over a grid of repetitions R × sequence lengths L
 * (method.md §2), per model: sweep.json/csv, a heatmap and a line plot per model. */
#include "cli.h"
#include "rrt_cli.h"
#include "../src/core/core.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USAGE "sweep: usage: chronolens sweep [--model DIR ...] --out DIR [--reps-list 2,4,..] " \
              "[--len-list 2,4,..] [--batch N] [--token-range LO:HI] [--threshold T] [--seed S] [--seeds K]"
#define MAX_GRID 64

/* "a,b,c" of integers in [2, 100000]; at most MAX_GRID */
static int parse_list(const char *name, const char *v, int *out, int *n) {
    *n = 0;
    const char *p = v;
    while (*p) {
        char *end;
        errno = 0;
        long x = strtol(p, &end, 10);
        if (end == p || errno || x < 2 || x > 100000 || (*end && *end != ',') || *n == MAX_GRID)
            return cli_fail("option %s: '%s' is not a comma-separated list of at most %d integers >= 2", name, v,
                            MAX_GRID);
        out[(*n)++] = (int)x;
        p = *end ? end + 1 : end;
        if (*end && !*p) return cli_fail("option %s: '%s' ends with a comma", name, v);
    }
    if (!*n) return cli_fail("option %s: empty list", name);
    return 0;
}

typedef struct { const char *name; int k, n; } prog_ctx;

static void on_progress(void *ctx, double done, double total) {
    const prog_ctx *p = ctx;
    char label[300];
    snprintf(label, sizeof label, "sweep: %s (%d/%d)", p->name, p->k + 1, p->n);
    progress(label, p->k * total + done, p->n * total); /* share of all models: one time left for the command */
}

int cmd_sweep(int argc, char **argv) {
    rrt_cli o;
    rrt_cli_init(&o);
    int reps[MAX_GRID] = {2, 4, 6, 8, 10}, lens[MAX_GRID] = {2, 4, 6, 8, 10}, nr = 5, nl = 5;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int r = opt_common(argc, argv, &i);
        if (!r) r = rrt_cli_opt(argc, argv, &i, &o);
        if (!r && (r = opt_str(argc, argv, &i, "--reps-list", &v)) == 1 && parse_list("--reps-list", v, reps, &nr)) r = -1;
        if (!r && (r = opt_str(argc, argv, &i, "--len-list", &v)) == 1 && parse_list("--len-list", v, lens, &nl)) r = -1;
        if (r < 0) return EXIT_BAD;
        if (!r) return cli_fail("sweep: unknown argument '%s'", argv[i]);
    }
    if (!o.n_models) o.dirs[o.n_models++] = cli_default_model();
    int maxr = 0, maxl = 0;
    for (int k = 0; k < nr; k++) maxr = reps[k] > maxr ? reps[k] : maxr;
    for (int k = 0; k < nl; k++) maxl = lens[k] > maxl ? lens[k] : maxl;
    o.need_values = (long)maxr * maxl + 1;
    if (!o.out) return cli_fail(USAGE);
    if (cli_out_dir("sweep", o.out)) return EXIT_BAD;
    rrt_models ms;
    if (rrt_models_load(&o, &ms, "sweep")) return EXIT_BAD;
    cl_sweep_result *res = calloc((size_t)ms.n, sizeof *res);
    cl_error err = {0};
    int rc = !res ? cl_error_set(&err, CL_ENOMEM, "sweep: out of memory") : 0;
    for (int k = 0; k < ms.n && !rc; k++) {
        cl_sweep_opts so = {.n_reps = nr, .n_lens = nl, .reps = reps, .lens = lens};
        rrt_cli_options(&o, ms.m[k], &so.base);
        prog_ctx pc = {ms.name[k], k, ms.n};
        so.base.progress = on_progress;
        so.base.progress_ctx = &pc;
        rc = cl_sweep_run(ms.m[k], &so, &res[k], &err);
    }
    progress_done();
    char path[4096];
    if (!rc) rc = sweep_write_json(cl_path_join(path, sizeof path, o.out, "sweep.json"), &o, &ms, res, reps, nr, lens, nl, &err);
    if (!rc) rc = sweep_write_csv(cl_path_join(path, sizeof path, o.out, "sweep.csv"), &ms, res, &err);
    if (!rc) rc = sweep_write_figures(o.out, &ms, res, reps, nr, lens, nl, &err);
    for (int k = 0; res && k < ms.n; k++) cl_sweep_free(&res[k]);
    free(res);
    rrt_models_free(&ms);
    if (rc) return cli_fail_err(&err);
    if (!cli_quiet && cli_summary) fprintf(stderr, "wrote %s/sweep.json, sweep.csv and figures\n", o.out);
    return 0;
}
