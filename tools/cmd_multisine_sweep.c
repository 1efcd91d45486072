/* chronolens multisine-sweep — the "period = smallest frequency gap" claim over many random
 * frequency sets: how often each head's detected spacing equals the smallest gap, the error
 * distribution, the amplitude-induction rank correlation, and the same where the smallest gap
 * does not divide the other gaps. */
#include "cli.h"
#include "ms_common.h"

#include <stdio.h>

static const char USAGE[] =
    "multisine-sweep: usage: chronolens multisine-sweep [--model DIR] --out DIR [--configs 100] [--seed N] "
    "[--top-k 3] [--points 301] [--duration 3] [--noise SIGMA] [--fmin 1] [--fmax 45] [--min-freqs 2] "
    "[--max-freqs 6] [--batch 16] [--permutations 10000] [--min-strength 0.3] [--harmonic-ratio 0.5] [--shard K/N]";

int cmd_multisine_sweep(int argc, char **argv) {
    cli_ui ui = CLI_UI_INIT;
    const char *dir = NULL, *out = NULL;
    long configs = 100, seed = 0, points = 301, fmin = 1, fmax = 45, kmin = 2, kmax = 6, topk = 0, batch = 16,
         perms = 10000;
    double duration = 3, noise = 0;
    int topk_set = 0, nmodels = 0, have_points = 0, have_duration = 0;
    const char *name = NULL;
    cl_spacing_opts so;
    cl_spacing_defaults(&so);
    cl_mssweep_opts mo;
    cl_mssweep_default(&mo);
    for (int i = 1; i < argc; i++) {
        int r = opt_common(argc, argv, &i, &ui);
        if (!r) r = opt_precision(argc, argv, &i, &mo.precision);
        if (!r && (r = opt_str(argc, argv, &i, "--model", &dir)) == 1 && ++nmodels > 1)
            return cli_fail("multisine-sweep: one --model per run (the sweep's summary is one model's); run it once per model "
                            "with its own --out, or use report for several");
        if (!r) r = opt_name(argc, argv, &i, "multisine-sweep", nmodels, &name);
        if (!r) r = opt_str(argc, argv, &i, "--out", &out);
        if (!r) r = opt_int(argc, argv, &i, "--configs", 1, 100000, &configs);
        if (!r) r = opt_int(argc, argv, &i, "--seed", 0, 0x7fffffffffffffffL, &seed);
        if (!r && (r = opt_int(argc, argv, &i, "--points", 8, 1000000, &points)) == 1) have_points = 1;
        if (!r && (r = opt_double(argc, argv, &i, "--duration", 1e-6, 1e9, &duration)) == 1) have_duration = 1;
        if (!r) r = opt_double(argc, argv, &i, "--noise", 0, 1e9, &noise);
        if (!r) r = opt_int(argc, argv, &i, "--fmin", 1, 1000000, &fmin);
        if (!r) r = opt_int(argc, argv, &i, "--fmax", 1, 1000000, &fmax);
        if (!r) r = opt_int(argc, argv, &i, "--min-freqs", 2, CL_MS_MAX_FREQS, &kmin);
        if (!r) r = opt_int(argc, argv, &i, "--max-freqs", 2, CL_MS_MAX_FREQS, &kmax);
        if (!r && (r = opt_int(argc, argv, &i, "--top-k", 1, 100000, &topk)) == 1) topk_set = 1;
        if (!r) r = opt_int(argc, argv, &i, "--batch", 1, 4096, &batch);
        if (!r) r = opt_int(argc, argv, &i, "--permutations", 0, 100000000, &perms);
        if (!r) r = ms_opt_spacing(argc, argv, &i, &so);
        if (!r) r = opt_shard(argc, argv, &i, &mo.shard);
        if (r < 0) return EXIT_BAD;
        if (!r) return cli_fail("multisine-sweep: unknown argument '%s'", argv[i]);
    }
    if (!dir) dir = cli_default_model();
    if (!out) return cli_fail("%s", USAGE);
    if (cli_out_dir_staged("multisine-sweep", &out)) return EXIT_BAD;
    cl_error err = {0};
    if (cl_shard_check(&mo.shard, (int)((configs + batch - 1) / batch), "batches of configurations", &err))
        return cli_fail("multisine-sweep: %s", err.msg); /* units: the batches of configurations */
    mo.configs = (int)configs;
    mo.seed = (uint64_t)seed;
    mo.base.points = (int)points;
    mo.base.duration = duration;
    mo.base.noise = noise;
    mo.fit_context = !have_points && !have_duration; /* the reference adapts; explicit --points must fit */
    mo.name = name;
    mo.fmin = (int)fmin;
    mo.fmax = (int)fmax;
    mo.kmin = (int)kmin;
    mo.kmax = (int)kmax;
    mo.top_k = topk_set ? (int)topk : 0;
    mo.batch = (int)batch;
    mo.permutations = (int)perms;
    mo.spacing = so;
    mo.progress = cli_progress_of(&ui);
    cli_precision_note(mo.precision);
    cl_mssweep_result res;
    int rc = cl_mssweep_run(dir, &mo, &res, &err);
    cli_progress_done(&ui);
    const cl_save_part part = {mo.shard, (int)((configs + batch - 1) / batch)}; /* a part: the merge summarises */
    if (!rc) rc = cl_mssweep_save(&res, out, &part, &err);
    if (!rc && !ui.quiet && !mo.shard.n) {
        cl_mssweep_table(&res, stdout);
        fprintf(stderr, "wrote %s/sweep.csv, sweep.json, sweep-summary.md, sweep.png, sweep.svg\n", cli_out_shown(out));
    }
    cl_mssweep_free(&res);
    return rc ? cli_fail_err(&err) : 0;
}
