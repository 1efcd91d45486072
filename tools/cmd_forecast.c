/* chronolens forecast — ChronosPipeline.predict from the command line: sample paths with
 * the model (cached decoder), quantiles and mean in a long CSV, optional sample paths
 * (.npy) and plot; or the context-parroting baseline, alone or compared with the model
 * (cl_forecast_study_run, cl_forecast_write). */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

typedef struct fc_args {
    const char *dir, *ctx_path, *out, *samples_out, *plot, *method, *quantiles;
    cl_forecast_study_opts o;
    cl_precision precision; /* --precision: the model loads in it */
} fc_args;

/* --quantiles: comma-separated levels in (0, 1), through the shared (fuzzed) list parser */
static int parse_levels(const char *s, double *lv, int *n) {
    int ok = cl_parse_double_list(s, 0, 1, lv, CL_FORECAST_MAX_LEVELS, n) == 0 && *n > 0;
    for (int i = 0; ok && i < *n; i++) ok = lv[i] > 0 && lv[i] < 1;
    if (!ok)
        return cli_fail("option --quantiles: '%s' is not a list of at most %d levels in (0, 1), e.g. 0.1,0.5,0.9", s,
                        CL_FORECAST_MAX_LEVELS);
    return 0;
}

static int parse_args(int argc, char **argv, fc_args *a, cli_ui *ui) {
    memset(a, 0, sizeof *a);
    cl_forecast_study_default(&a->o);
    a->method = "model";
    a->quantiles = "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9";
    long horizon = 0, samples = 0, top_k = -1, seed = 0, window = 8, batch = 0;
    for (int i = 1; i < argc; i++) {
        int r = opt_common(argc, argv, &i, ui);
        if (!r) r = opt_precision(argc, argv, &i, &a->precision);
        if (!r) r = opt_str(argc, argv, &i, "--model", &a->dir);
        if (!r) r = opt_str(argc, argv, &i, "--context", &a->ctx_path);
        if (!r) r = opt_str(argc, argv, &i, "--out", &a->out);
        if (!r) r = opt_str(argc, argv, &i, "--samples-out", &a->samples_out);
        if (!r) r = opt_str(argc, argv, &i, "--plot", &a->plot);
        if (!r) r = opt_str(argc, argv, &i, "--method", &a->method);
        if (!r) r = opt_str(argc, argv, &i, "--quantiles", &a->quantiles);
        if (!r) r = opt_int(argc, argv, &i, "--horizon", 1, 1000000, &horizon);
        if (!r) r = opt_int(argc, argv, &i, "--samples", 1, 100000, &samples);
        if (!r) r = opt_int(argc, argv, &i, "--top-k", 0, 1000000000, &top_k);
        /* the sampler's ranges, as config.json's are checked (cl_sampling_rule) */
        const char *bad;
        if (!r && (r = opt_double(argc, argv, &i, "--temperature", 0, 1e6, &a->o.temperature)) == 1 &&
            (bad = cl_sampling_rule(CL_SAMPLING_TEMPERATURE, a->o.temperature)))
            return cli_fail("option --temperature: '%s' %s", argv[i], bad);
        if (!r && (r = opt_double(argc, argv, &i, "--top-p", 0, 1, &a->o.top_p)) == 1 &&
            (bad = cl_sampling_rule(CL_SAMPLING_TOP_P, a->o.top_p)))
            return cli_fail("option --top-p: '%s' %s", argv[i], bad);
        if (!r && (r = opt_int(argc, argv, &i, "--seed", 0, 0x7fffffffffffffffL, &seed)) == 1) a->o.have_seed = 1;
        if (!r) r = opt_int(argc, argv, &i, "--parrot-window", 1, 1000000, &window);
        if (!r) r = opt_int(argc, argv, &i, "--batch", 1, 100000, &batch);
        if (!r && opt_flag(argv, i, "--compare")) r = a->o.compare = 1;
        if (!r && opt_flag(argv, i, "--no-cache")) r = a->o.no_cache = 1;
        if (r < 0) return EXIT_BAD;
        if (!r) return cli_fail("forecast: unknown argument '%s'", argv[i]);
    }
    if (!a->ctx_path || !a->out)
        return cli_fail("forecast: usage: chronolens forecast [--model DIR] --context CSV --out OUT.csv [options] (chronolens forecast --help)");
    if (strcmp(a->method, "model") && strcmp(a->method, "parrot"))
        return cli_fail("option --method: '%s' is not model or parrot", a->method);
    a->o.method = strcmp(a->method, "parrot") ? CL_FORECAST_MODEL : CL_FORECAST_PARROT;
    if (a->o.method == CL_FORECAST_MODEL && !a->dir) a->dir = cli_default_model();
    a->o.horizon = (int)horizon;
    a->o.samples = (int)samples;
    a->o.top_k = top_k;
    a->o.seed = (uint64_t)seed;
    a->o.window = (int)window;
    a->o.batch = (int)batch;
    return parse_levels(a->quantiles, a->o.levels, &a->o.nlev) ? EXIT_BAD : 0;
}

int cmd_forecast(int argc, char **argv) {
    cli_ui ui = CLI_UI_INIT;
    fc_args a;
    int rc = parse_args(argc, argv, &a, &ui);
    if (rc) return rc;
    cl_error err = {0};
    /* the options, then every output, before any work */
    if (cl_forecast_study_check(&a.o, &err)) return cli_fail_err(&err);
    if (cli_out_file("forecast", a.out) || cli_out_file("forecast", a.samples_out) || cli_out_file("forecast", a.plot))
        return EXIT_BAD;
    a.o.progress = cli_progress_of(&ui);
    cl_model *m = NULL;
    cl_context ctx = {0};
    cl_forecast_result r = {0};
    rc = cl_context_read(a.ctx_path, &ctx, &err);
    if (!rc) cli_warn_empty_series(&ui, a.ctx_path, ctx.values, ctx.B, ctx.L, ctx.names);
    const cl_load_opts lo = {a.precision};
    if (!rc && a.dir) cli_precision_note(a.precision);
    if (!rc && a.dir) rc = cl_model_load_opts(a.dir, &lo, &m, &err); /* the parrot alone: the model's horizon */
    int rounds;
    if (!rc && !ui.quiet && cl_forecast_far_horizon(m, &a.o, &rounds))
        fprintf(stderr, "chronolens: warning: --horizon %d is %d x the model's prediction_length %d: %d rounds of "
                        "forecasting, each on its own medians (slow, and far from what the model was trained on)\n",
                a.o.horizon, rounds, cl_model_config(m)->prediction_length, rounds);
    if (!rc) rc = cl_forecast_study_run(m, &ctx, &a.o, &r, &err);
    cli_progress_done(&ui);
    const cl_forecast_files files = {a.out, a.samples_out, a.plot};
    if (!rc) rc = cl_forecast_write(&r, &files, &err);
    if (!rc && a.o.compare) {
        /* agreement of the model's median with the parrot: MAE relative to the series scale */
        double mae = cl_forecast_compare(&r, stdout);
        if (!ui.quiet) fprintf(stderr, "mean scaled MAE between the model's median and the parrot: %.4g\n", mae);
    }
    cl_forecast_free(&r);
    cl_context_free(&ctx);
    cl_model_free(m);
    if (rc) return cli_fail_err(&err);
    if (!ui.quiet) fprintf(stderr, "wrote %s\n", a.out);
    return 0;
}
