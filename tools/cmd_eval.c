/* chronolens eval — forecast accuracy on the held-out synthetic suite (and a CSV):
 * MASE and weighted quantile loss against the seasonal-naive baseline, per series family.
 * Forecasts as ChronosPipeline makes them (sample paths; point forecast = their median,
 * quantiles over them), or with --samples 0 by median-token decoding. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

int cmd_eval(int argc, char **argv) {
    cli_ui ui = CLI_UI_INIT;
    const char *dir = cli_default_model(), *csv = NULL, *out = NULL, *family = NULL, *series_out = NULL, *steploss = NULL;
    int have_series = 0;
    long per = 100, seed = 20261126, horizon = 0, ctxlen = 0, samples = 20;
    cl_precision precision = CL_FP32;
    for (int i = 1; i < argc; i++) {
        int r = opt_common(argc, argv, &i, &ui);
        if (!r) r = opt_precision(argc, argv, &i, &precision);
        if (!r) r = opt_str(argc, argv, &i, "--model", &dir);
        if (!r) r = opt_str(argc, argv, &i, "--csv", &csv);
        if (!r) r = opt_str(argc, argv, &i, "--family", &family);
        if (!r) r = opt_str(argc, argv, &i, "--out", &out);
        if (!r) r = opt_str(argc, argv, &i, "--series-out", &series_out);
        if (!r) r = opt_str(argc, argv, &i, "--step-loss", &steploss);
        if (!r && (r = opt_int(argc, argv, &i, "--series", 0, 100000, &per)) == 1) have_series = 1;
        if (!r) r = opt_int(argc, argv, &i, "--seed", 0, 0x7fffffffffffffffL, &seed);
        if (!r) r = opt_int(argc, argv, &i, "--horizon", 1, 1024, &horizon);
        if (!r) r = opt_int(argc, argv, &i, "--context-length", 2, 4096, &ctxlen);
        if (!r) r = opt_int(argc, argv, &i, "--samples", 0, 10000, &samples);
        if (r < 0) return EXIT_BAD;
        if (!r) return cli_fail("eval: unknown argument '%s'", argv[i]);
    }
    if (horizon && !csv) return cli_fail("option --horizon: only with --csv");
    if (csv && !have_series) per = 0; /* --csv alone: that file's evaluation only */
    if (cli_out_file("eval", out) || cli_out_file("eval", series_out) || cli_out_file("eval", steploss)) return EXIT_BAD;
    if (steploss && per == 0) return cli_fail("option --step-loss: needs the synthetic suite (--series > 0)");
    int only = -1; /* --family: one family of the synthetic suite */
    if (family) {
        for (int f = 0; f < CL_EVAL_FAMILIES; f++)
            if (!strcmp(family, cl_eval_family_name(f))) only = f;
        if (only < 0) return cli_fail("option --family: '%s' is not gp, seasonal, random_walk or repeat", family);
    }
    cl_eval_opts eo;
    cl_eval_default(&eo);
    eo.model = dir;
    eo.series = (int)per;
    eo.seed = (uint64_t)seed;
    eo.context_length = (int)ctxlen;
    eo.samples = (int)samples;
    eo.family = only;
    eo.csv = csv;
    eo.horizon = (int)horizon;
    eo.per_series = series_out != NULL;
    eo.step_loss = steploss != NULL;
    eo.progress = cli_progress_of(&ui);
    eo.precision = precision;
    cli_precision_note(precision);
    cl_eval_result r;
    cl_error err = {0};
    int rc = cl_eval_run(&eo, &r, &err);
    cli_progress_done(&ui);
    if (!rc) cl_eval_table(&r, stdout, 0);
    if (!rc && out) rc = cl_eval_write_table(&r, out, &err);
    if (!rc && steploss) rc = cl_eval_write_step_loss(&r, steploss, &err);
    if (!rc && series_out) rc = cl_eval_write_series(&r, series_out, &err);
    cl_eval_free(&r);
    return rc ? cli_fail_err(&err) : 0;
}
