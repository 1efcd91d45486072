/* chronolens sweep — induction-head counts over a grid of repetitions R × sequence lengths L
 * (method.md §2), per model: options into cl_sweep_study_opts, cl_sweep_study_run,
 * cl_sweep_write (sweep.json/csv) and a heatmap and a line plot per model. */
#include "cli.h"
#include "rrt_cli.h"

#include <stdio.h>

#define USAGE "sweep: usage: chronolens sweep [--model DIR ...] --out DIR [--reps-list 2,4,..] " \
              "[--len-list 2,4,..] [--batch N] [--token-range LO:HI | --sampling band|all] [--threshold T] [--seed S] [--seeds K] [--shard K/N] [--offset N] [--skip-unfit] (chronolens sweep --help)"

int cmd_sweep(int argc, char **argv) {
    cli_ui ui = CLI_UI_INIT;
    rrt_cli c;
    rrt_cli_init(&c, "sweep");
    cl_sweep_study_opts so;
    cl_sweep_study_default(&so);
    for (int i = 1; i < argc; i++) {
        long x[CL_SWEEP_MAX_GRID];
        int n, r = opt_common(argc, argv, &i, &ui), which = 0;
        if (!r) r = rrt_cli_opt(argc, argv, &i, &c);
        if (!r && opt_flag(argv, i, "--skip-unfit")) { so.skip_unfit = 1; r = 1; }
        if (!r && (r = opt_long_list(argc, argv, &i, "--reps-list", 2, 100000, x, CL_SWEEP_MAX_GRID, &n)) == 1) which = 1;
        if (!r && (r = opt_long_list(argc, argv, &i, "--len-list", 2, 100000, x, CL_SWEEP_MAX_GRID, &n)) == 1) which = 2;
        for (int j = 0; which && j < n; j++) (which == 1 ? so.reps : so.lens)[j] = (int)x[j];
        if (which == 1) so.n_reps = n;
        if (which == 2) so.n_lens = n;
        if (r < 0) return EXIT_BAD;
        if (!r) return cli_fail("sweep: unknown argument '%s'", argv[i]);
    }
    if (!c.n_models) c.dirs[c.n_models++] = cli_default_model();
    if (!c.out) return cli_fail(USAGE);
    if (cli_out_dir_staged("sweep", &c.out)) return EXIT_BAD;
    cl_model *m[CL_STUDY_MAX_MODELS];
    cl_study_model info[CL_STUDY_MAX_MODELS];
    int heads[CL_STUDY_MAX_MODELS];
    so.base = c.o;
    if (rrt_models_load(&c, m, info, so.n_reps * so.n_lens, &so, "sweep")) return EXIT_BAD;
    for (int k = 0; k < c.n_models; k++)
        heads[k] = cl_model_config(m[k])->num_decoder_layers * cl_model_config(m[k])->num_heads;
    so.base = c.o;
    so.base.base.progress = cli_progress_of(&ui);
    cl_sweep_set s;
    cl_error err = {0};
    int rc = cl_sweep_study_run(m, info, c.n_models, &so, &s, &err);
    cli_progress_done(&ui);
    rrt_models_free(m, c.n_models);
    const cl_save_part part = {c.o.shard, c.n_models * so.n_reps * so.n_lens}; /* a part: the merge draws the figures */
    if (!rc) rc = cl_sweep_save(&s, heads, c.out, &part, &err);
    cl_sweep_set_free(&s);
    if (rc) return cli_fail_err(&err);
    if (!ui.quiet) fprintf(stderr, "wrote %s/sweep.json, sweep.csv, scores.csv and figures\n", cli_out_shown(c.out));
    return 0;
}
