/* chronolens sweep — induction-head counts over a grid of repetitions R × sequence lengths L
 * (method.md §2), per model: options into cl_sweep_study_opts, cl_sweep_study_run, and
 * cl_sweep_save (sweep.json/csv and a heatmap and a line plot per model). */
#include "cli.h"
#include "rrt_cli.h"

#include <stdio.h>

typedef struct sweep_args {
    cli_ui ui;
    rrt_cli c;
    cl_sweep_study_opts so; /* the grid (cl_sweep_study_default) and --skip-unfit */
} sweep_args;

static void init(void *p) {
    sweep_args *a = p;
    rrt_cli_init(&a->c);
    cl_sweep_study_default(&a->so);
}

#define A sweep_args
static const cli_opt OPTS[] = {
    RRT_MODELS(A, c),
    RRT_OUT(A, c, "folder for sweep.json/csv and figures (created)"),
    {.name = "--reps-list", .arg = "R,...", .type = OPT_INTS, .off = offsetof(A, so.reps), .noff = offsetof(A, so.n_reps),
     .ilo = 2, .ihi = 100000, .max = CL_SWEEP_MAX_GRID, .help = "repetitions R, each >= 2"},
    {.name = "--len-list", .arg = "L,...", .type = OPT_INTS, .off = offsetof(A, so.lens), .noff = offsetof(A, so.n_lens),
     .ilo = 2, .ihi = 100000, .max = CL_SWEEP_MAX_GRID, .help = "sequence lengths L, each >= 2"},
    RRT_BATCH(A, c, "sequences per (R, L) and seed"),
    RRT_TOKEN_RANGE(A, c),
    RRT_THRESHOLD(A, c),
    RRT_SEED(A, c),
    RRT_SEEDS(A, c),
    RRT_SHARD(A, c, "part K of N (units: the (model, R, L) cells); chronolens merge joins the parts"),
    RRT_SAMPLING(A, c, "token ids from the band, or every non-special token"),
    RRT_OFFSET(A, c),
    {.name = "--skip-unfit", .type = OPT_FLAG, .off = offsetof(A, so.skip_unfit), .def = "refused",
     .help = "cells whose R x L + 1 tokens (patches) exceed a model's context are skipped for it (listed in sweep.json)"},
    CLI_PRECISION(A, c.precision),
    {NULL},
};
#undef A

const cli_cmd CMD_SWEEP = {
    .name = "sweep",
    .summary = "induction-head counts over a grid of repetitions R x sequence lengths L",
    .example = "chronolens sweep --reps-list 2,4 --len-list 2,10 --out out/sweep",
    .opts = OPTS, .size = sizeof(sweep_args), .init = init, .run = cmd_sweep,
};

/* The closing summary, one line per model (as induction's): the cells run, the fewest and
 * most heads >= threshold (either criterion) and where; a part names the cells it ran. */
static void summary(const cl_sweep_set *s, const int *heads) {
    for (int k = 0; k < s->n; k++) {
        const cl_sweep_result *r = &s->res[k];
        int run = 0, lo = -1, hi = -1;
        for (int i = 0; i < r->n_reps * r->n_lens; i++) {
            if (!cl_sweep_cell_run(r, i)) continue;
            run++;
            const int v = r->cells[i].cross[CL_ANY].n;
            if (lo < 0 || v < r->cells[lo].cross[CL_ANY].n) lo = i;
            if (hi < 0 || v > r->cells[hi].cross[CL_ANY].n) hi = i;
        }
        fprintf(stderr, "%s: %d of %d (R, L) cells run", s->models[k].name, run, r->n_reps * r->n_lens);
        if (run)
            fprintf(stderr, "; cross-attention heads >= %.2g (either) of %d: fewest %d (R = %d, L = %d), most %d "
                    "(R = %d, L = %d)", s->opts.threshold, heads[k], r->cells[lo].cross[CL_ANY].n, r->cells[lo].reps,
                    r->cells[lo].seq_len, r->cells[hi].cross[CL_ANY].n, r->cells[hi].reps, r->cells[hi].seq_len);
        fprintf(stderr, "; %.2fs\n", s->models[k].seconds);
    }
}

int cmd_sweep(int argc, char **argv) {
    sweep_args a;
    cli_parsed p;
    if (cli_parse(&CMD_SWEEP, &a, argc, argv, &p)) return EXIT_BAD;
    cli_ui *ui = &a.ui;
    rrt_cli *c = &a.c;
    cl_sweep_study_opts *so = &a.so;
    if (!c->models.n) c->models.dirs[c->models.n++] = cli_default_model();
    if (cli_out_dir_staged("sweep", &c->out)) return EXIT_BAD;
    const int nm = c->models.n;
    cl_model *m[CL_STUDY_MAX_MODELS];
    cl_study_model info[CL_STUDY_MAX_MODELS];
    int heads[CL_STUDY_MAX_MODELS];
    so->base = c->o;
    if (rrt_models_load(c, m, info, so->n_reps * so->n_lens, so, "sweep")) return EXIT_BAD;
    for (int k = 0; k < nm; k++)
        heads[k] = cl_model_config(m[k])->num_decoder_layers * cl_model_config(m[k])->num_heads;
    so->base = c->o;
    so->base.base.progress = cli_progress_of(ui);
    cl_sweep_set s;
    cl_error err = {0};
    int rc = cl_sweep_study_run(m, info, nm, so, &s, &err);
    cli_progress_done(ui);
    rrt_models_free(m, nm);
    const cl_save_part part = {c->o.shard, nm * so->n_reps * so->n_lens}; /* a part: the merge draws the figures */
    if (!rc) rc = cl_sweep_save(&s, heads, c->out, &part, &err);
    if (!rc && !ui->quiet) summary(&s, heads);
    cl_sweep_set_free(&s);
    if (rc) return cli_fail_err(&err);
    if (!ui->quiet) fprintf(stderr, "wrote %s/sweep.json, sweep.csv, scores.csv and figures\n", cli_out_shown(c->out));
    return 0;
}
