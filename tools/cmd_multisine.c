/* chronolens multisine — the attention spectra of a multisine input (method.md §3): per
 * decoder layer and head, the decoder-start cross-attention over the context, its spectrum,
 * its double FFT, the detected spacing against the smallest input gap, the spectral amplitude,
 * and the Spearman correlation of amplitude with the head's induction score. */
#include "cli.h"
#include "ms_common.h"

#include <float.h>
#include <stdio.h>
#include <string.h>

#define CL_MS_CLI_MAX_MODELS 16

static const char USAGE[] =
    "multisine: usage: chronolens multisine [--model DIR ...] --out DIR [--freqs 5,10,20,40] "
    "[--amps 1,0.5,0.25,0.25] [--phases 0,..] [--points 301] [--duration 3] [--noise SIGMA] [--seed N] "
    "[--permutations 10000] [--min-strength 0.3] [--harmonic-ratio 0.5] [--shard K/N]";

int cmd_multisine(int argc, char **argv) {
    cli_ui ui = CLI_UI_INIT;
    const char *dirs[CL_MS_CLI_MAX_MODELS], *names[CL_MS_CLI_MAX_MODELS] = {0}, *out = NULL, *freqs = NULL, *amps = NULL, *phases = NULL;
    int nm = 0;
    long points = 301, seed = 0, perms = 10000;
    int have_points = 0, have_duration = 0;
    double duration = 3, noise = 0;
    cl_spacing_opts so;
    cl_spacing_defaults(&so);
    cl_shard shard = {0, 0};
    cl_precision precision = CL_FP32;
    for (int i = 1; i < argc; i++) {
        const char *d = NULL;
        int r = opt_common(argc, argv, &i, &ui);
        if (!r) r = opt_precision(argc, argv, &i, &precision);
        if (!r) r = opt_str(argc, argv, &i, "--model", &d);
        if (r == 1 && d) {
            if (nm >= CL_MS_CLI_MAX_MODELS) return cli_fail("multisine: more than %d --model options", CL_MS_CLI_MAX_MODELS);
            dirs[nm++] = d;
        }
        if (!r) r = opt_name(argc, argv, &i, "multisine", nm, names);
        if (!r) r = opt_str(argc, argv, &i, "--out", &out);
        if (!r) r = opt_str(argc, argv, &i, "--freqs", &freqs);
        if (!r) r = opt_str(argc, argv, &i, "--amps", &amps);
        if (!r) r = opt_str(argc, argv, &i, "--phases", &phases);
        if (!r && (r = opt_int(argc, argv, &i, "--points", 8, 1000000, &points)) == 1) have_points = 1;
        if (!r && (r = opt_double(argc, argv, &i, "--duration", 1e-6, 1e9, &duration)) == 1) have_duration = 1;
        if (!r) r = opt_double(argc, argv, &i, "--noise", 0, 1e9, &noise);
        if (!r) r = opt_int(argc, argv, &i, "--seed", 0, 0x7fffffffffffffffL, &seed);
        if (!r) r = opt_int(argc, argv, &i, "--permutations", 0, 100000000, &perms);
        if (!r) r = ms_opt_spacing(argc, argv, &i, &so);
        if (!r) r = opt_shard(argc, argv, &i, &shard);
        if (r < 0) return EXIT_BAD;
        if (!r) return cli_fail("multisine: unknown argument '%s'", argv[i]);
    }
    if (!nm) dirs[nm++] = cli_default_model();
    if (!out) return cli_fail("%s", USAGE);
    if (cli_out_dir_staged("multisine", &out)) return EXIT_BAD;
    cl_multisine ms;
    cl_multisine_reference(&ms);
    ms.points = (int)points;
    ms.duration = duration;
    ms.noise = noise;
    if (freqs) {
        if (cli_double_list("--freqs", freqs, -DBL_MAX, DBL_MAX, ms.freqs, CL_MS_MAX_FREQS, &ms.n) < 0) return EXIT_BAD;
        if (!amps) for (int i = 0; i < ms.n; i++) ms.amps[i] = 1.0; /* the reference amplitudes fit only its freqs */
        memset(ms.phases, 0, sizeof ms.phases);
    }
    int n;
    if (amps) {
        if (cli_double_list("--amps", amps, -DBL_MAX, DBL_MAX, ms.amps, CL_MS_MAX_FREQS, &n) < 0) return EXIT_BAD;
        if (n != ms.n) return cli_fail("option --amps: %d values for %d frequencies", n, ms.n);
    }
    if (phases) {
        if (cli_double_list("--phases", phases, -DBL_MAX, DBL_MAX, ms.phases, CL_MS_MAX_FREQS, &n) < 0) return EXIT_BAD;
        if (n != ms.n) return cli_fail("option --phases: %d values for %d frequencies", n, ms.n);
    }
    cl_error err = {0};

    cl_multisine_opts mo;
    cl_multisine_default(&mo);
    mo.input = ms;
    mo.seed = (uint64_t)seed;
    mo.permutations = (int)perms;
    mo.spacing = so;
    mo.progress = cli_progress_of(&ui);
    mo.shard = shard;
    mo.precision = precision;
    cli_precision_note(precision);
    mo.names = names;
    /* the reference adapts to a shorter context (the shortest of all models: they see one
     * input, method.md §3); an explicit --points or --duration must fit. Before any work. */
    mo.fit_context = !have_points && !have_duration;
    if (cl_multisine_fit_models(dirs, nm, &mo, &err)) return cli_fail("multisine: %s", err.msg);
    ms = mo.input;
    if (cl_shard_check(&shard, nm, "models", &err)) return cli_fail("multisine: %s", err.msg);
    cl_multisine_result res;
    int rc = cl_multisine_run(dirs, nm, &mo, &res, &err);
    cli_progress_done(&ui);
    /* everything is computed: now the outputs */
    const cl_save_part part = {shard, nm}; /* a part: shard.json, the merge draws the figures */
    if (!rc) rc = cl_multisine_save(&res, out, &part, &err);
    if (!rc && !ui.quiet) {
        const double gap = cl_multisine_smallest_gap(&ms); /* Bolt: the same frequencies at the patch rate */
        for (int k = 0; k < res.n; k++) {
            const cl_multisine_model *r = &res.res[k];
            printf("%s: %d heads, %d with a periodic spectrum, %d at the smallest gap (%g Hz, +/- %.3g Hz); "
                   "Spearman(amplitude, induction) = %.3f (p = %.3g)\n",
                   res.models[k].name, r->layers * r->heads, r->periodic, r->matching, gap, 1.0 / res.opts.input.duration, r->rho,
                   r->p);
        }
        fprintf(stderr, "wrote %s/multisine.json, multisine.csv, spectra and figures\n", cli_out_shown(out));
    }
    cl_multisine_free(&res);
    return rc ? cli_fail_err(&err) : 0;
}
