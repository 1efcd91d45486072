/* chronolens forecast — ChronosPipeline.predict from the command line: sample paths with
 * the model (cached decoder), quantiles and mean in a long CSV, optional sample paths
 * (.npy) and plot; or the context-parroting baseline, alone or compared with the model
 * (cl_forecast_study_run, cl_forecast_write). */
#include "cli.h"
#include "opt.h"

#include <stdlib.h>
#include <string.h>

typedef struct fc_args {
    cli_ui ui;
    const char *dir, *ctx_path, *out, *samples_out, *plot, *method, *quantiles;
    const char *group_ids, *fc_path, *unrolled;        /* Chronos-2 */
    cl_forecast_df_opts df;                            /* Chronos-2: --df and its columns */
    cl_forecast_study_opts o; /* cl_forecast_study_default */
    cl_precision precision;   /* --precision: the model loads in it */
} fc_args;

static void init(void *p) {
    fc_args *a = p;
    cl_forecast_study_default(&a->o);
    cl_forecast_df_default(&a->df);
    a->method = "model";
}

/* the sampler's ranges, as config.json's are checked (cl_sampling_rule) */
static int temperature_rule(const cli_opt *o, void *p, const char *v, const char *cmd) {
    const char *bad = cl_sampling_rule(CL_SAMPLING_TEMPERATURE, ((fc_args *)p)->o.temperature);
    return bad ? cli_fail("option --temperature: '%s' %s", v, bad), -1 : 0;
}
static int top_p_rule(const cli_opt *o, void *p, const char *v, const char *cmd) {
    const char *bad = cl_sampling_rule(CL_SAMPLING_TOP_P, ((fc_args *)p)->o.top_p);
    return bad ? cli_fail("option --top-p: '%s' %s", v, bad), -1 : 0;
}
static int seed_given(const cli_opt *o, void *p, const char *v, const char *cmd) {
    ((fc_args *)p)->o.have_seed = 1;
    return 0;
}

/* the default levels (cl_forecast_study_default) */
static const char *show_levels(const cli_opt *o, const void *p, char *buf, size_t n) {
    const cl_forecast_study_opts *x = &((const fc_args *)p)->o;
    size_t len = 0;
    buf[0] = 0;
    for (int i = 0; i < x->nlev && len < n; i++) len += (size_t)snprintf(buf + len, n - len, "%s%g", i ? "," : "", x->levels[i]);
    return buf;
}

#define A fc_args
static const cli_opt OPTS[] = {
    {.name = "--model", .arg = "DIR", .type = OPT_STR, .off = offsetof(A, dir), .def = CLI_MODEL_DEFAULT,
     .help = "the checkpoint folder"},
    {.name = "--context", .arg = "CSV", .type = OPT_STR, .off = offsetof(A, ctx_path),
     .help = "one column per series, time down the rows (or --df)"},
    {.name = "--out", .arg = "FILE", .type = OPT_STR, .off = offsetof(A, out), .flags = OPT_REQUIRED,
     .help = "long CSV: series, step, mean, quantiles"},
    {.name = "--horizon", .arg = "H", .type = OPT_INT, .off = offsetof(A, o.horizon), .ilo = 1, .ihi = 1000000,
     .def = "the model's prediction_length", .help = "steps to forecast"},
    {.name = "--samples", .arg = "N", .type = OPT_INT, .off = offsetof(A, o.samples), .ilo = 1, .ihi = 100000,
     .def = "the model's num_samples", .help = "sample paths per series"},
    {.name = "--temperature", .arg = "T", .type = OPT_NUM, .off = offsetof(A, o.temperature), .dlo = 0, .dhi = 1e6,
     .fn = temperature_rule, .def = "the model's temperature", .help = "divides the logits, > 0"},
    {.name = "--top-k", .arg = "K", .type = OPT_LONG, .off = offsetof(A, o.top_k), .ilo = 0, .ihi = 1000000000,
     .def = "the model's top_k", .help = "keep the K most likely tokens; 0 = off"},
    {.name = "--top-p", .arg = "P", .type = OPT_NUM, .off = offsetof(A, o.top_p), .dlo = 0, .dhi = 1, .fn = top_p_rule,
     .def = "the model's top_p", .help = "nucleus sampling in (0, 1]; 1 = off"},
    {.name = "--seed", .arg = "S", .type = OPT_U64, .off = offsetof(A, o.seed), .ilo = 0, .ihi = 0x7fffffffffffffffL,
     .fn = seed_given, .help = "series b draws from its own stream seeded by (S, b)"},
    {.name = "--quantiles", .arg = "L,...", .type = OPT_STR, .off = offsetof(A, quantiles), .show = show_levels,
     .help = "quantile levels in (0, 1)"},
    {.name = "--samples-out", .arg = "X.npy", .type = OPT_STR, .off = offsetof(A, samples_out),
     .help = "all sample paths, float32 (series, samples, horizon); Bolt: its quantile paths"},
    {.name = "--plot", .arg = "F.png", .type = OPT_STR, .off = offsetof(A, plot),
     .help = "F.png and F.svg: context tail, median, 10-90% band"},
    {.name = "--batch", .arg = "N", .type = OPT_INT, .off = offsetof(A, o.batch), .ilo = 1, .ihi = 100000,
     .def = "auto (series x samples <= 48; Chronos-2: 256)",
     .help = "series decoded together; Chronos-2: tasks join a batch while it has fewer rows (batch_size)"},
    {.name = "--no-cache", .type = OPT_FLAG, .off = offsetof(A, o.no_cache),
     .help = "re-run the decoder on the whole prefix at every step (slow)"},
    {.name = "--method", .arg = "model|parrot", .type = OPT_STR, .off = offsetof(A, method),
     .help = "the model, or the context-parroting baseline"},
    {.name = "--parrot-window", .arg = "D", .type = OPT_INT, .off = offsetof(A, o.window), .ilo = 1, .ihi = 1000000,
     .help = "length of the window the parrot matches"},
    {.name = "--compare", .type = OPT_FLAG, .off = offsetof(A, o.compare),
     .help = "also run the parrot: a parrot column and per-series agreement"},
    {.name = "--group-ids", .arg = "G,...", .type = OPT_STR, .off = offsetof(A, group_ids),
     .def = "every series its own task",
     .help = "the task of each context column: columns sharing an id form one multivariate task (Chronos-2 only)"},
    {.name = "--cross-learning", .type = OPT_FLAG, .off = offsetof(A, o.cross_learning),
     .help = "every task of a batch in one group: the series attend to each other (Chronos-2 only)"},
    {.name = "--future-covariates", .arg = "CSV", .type = OPT_STR, .off = offsetof(A, fc_path), .def = "none",
     .help = "known future values: one column per context column, a row per step (at most --horizon), "
             "empty = unknown (Chronos-2 only)"},
    {.name = "--unrolled-quantiles", .arg = "L,...", .type = OPT_STR, .off = offsetof(A, unrolled),
     .def = "0.1,0.2,...,0.9", .help = "quantile paths of a horizon beyond one pass, each one of the model's "
                                       "(upstream's unrolled_quantiles; Chronos-2 only)"},
    {.name = "--df", .arg = "CSV", .type = OPT_STR, .off = offsetof(A, df.df),
     .help = "predict_df's long format instead of --context: a row per item and time step (Chronos-2 only)"},
    {.name = "--future-df", .arg = "CSV", .type = OPT_STR, .off = offsetof(A, df.future_df), .def = "none",
     .help = "known future covariates in the long format, --horizon rows per item (with --df)"},
    {.name = "--id-column", .arg = "NAME", .type = OPT_STR, .off = offsetof(A, df.id_column),
     .help = "the column of --df naming the item"},
    {.name = "--timestamp-column", .arg = "NAME", .type = OPT_STR, .off = offsetof(A, df.timestamp_column),
     .help = "the column of --df with the time: integers or ISO dates, regularly spaced"},
    {.name = "--target", .arg = "COL[,COL]", .type = OPT_STR, .off = offsetof(A, df.target),
     .help = "the target column(s) of --df; several make a multivariate task; every other numeric column is "
             "a covariate"},
    CLI_PRECISION(A, precision),
    {NULL},
};
#undef A

const cli_cmd CMD_FORECAST = {
    .name = "forecast",
    .summary = "sample forecasts as ChronosPipeline.predict: quantiles and mean per step; or the parrot baseline. "
               "A Chronos-Bolt or Chronos-2 model predicts its quantiles directly: --samples, --temperature, --top-k, "
               "--top-p, --seed and --no-cache do not apply to it. Chronos-2 as Chronos2Pipeline: tasks "
               "(--group-ids), covariates, --cross-learning, the long format of predict_df (--df)",
    .example = "chronolens forecast --context series.csv --out f.csv --horizon 32 --plot f.png",
    .opts = OPTS, .size = sizeof(fc_args), .init = init, .run = cmd_forecast,
};

/* --quantiles: comma-separated levels in (0, 1), through the shared (fuzzed) list parser */
static int parse_levels(const char *s, double *lv, int *n) {
    int ok = cl_parse_double_list(s, 0, 1, lv, CL_FORECAST_MAX_LEVELS, n) == 0 && *n > 0;
    for (int i = 0; ok && i < *n; i++) ok = lv[i] > 0 && lv[i] < 1;
    if (!ok)
        return cli_fail("option --quantiles: '%s' is not a list of at most %d levels in (0, 1), e.g. 0.1,0.5,0.9", s,
                        CL_FORECAST_MAX_LEVELS);
    return 0;
}

/* the Chronos-2 inputs given as options: group ids, unrolled levels, future covariates */
static int chronos2_inputs(fc_args *a, int **gids, cl_context *fc) {
    if (a->group_ids && cli_parse_group_ids("--group-ids", a->group_ids, gids, &a->o.n_group_ids)) return EXIT_BAD;
    a->o.group_ids = *gids;
    if (a->unrolled && cli_double_list("--unrolled-quantiles", a->unrolled, 0, 1, a->o.unrolled, CL_FORECAST_MAX_LEVELS,
                                       &a->o.n_unrolled) < 0)
        return EXIT_BAD;
    if (!a->fc_path) return 0;
    cl_error err = {0};
    if (cl_context_read(a->fc_path, fc, &err)) return cli_fail_err(&err);
    a->o.future_covariates = fc->values;
    a->o.F = fc->L;
    return 0;
}

int cmd_forecast(int argc, char **argv) {
    fc_args a;
    cli_parsed p;
    if (cli_parse(&CMD_FORECAST, &a, argc, argv, &p)) return EXIT_BAD;
    cli_ui *ui = &a.ui;
    if (strcmp(a.method, "model") && strcmp(a.method, "parrot"))
        return cli_fail("option --method: '%s' is not model or parrot", a.method);
    if (!a.ctx_path && !a.df.df)
        return cli_fail("forecast: usage: chronolens forecast --context CSV | --df CSV --out FILE [options] "
                        "(chronolens forecast --help)");
    if (a.ctx_path && a.df.df) return cli_fail("forecast: --context and --df are two inputs: give one");
    if (!a.df.df && (a.df.future_df || a.df.id_column || a.df.timestamp_column || a.df.target))
        return cli_fail("forecast: --future-df, --id-column, --timestamp-column and --target go with --df");
    if (a.df.df && (a.group_ids || a.fc_path))
        return cli_fail("forecast: --df makes the tasks and covariates itself (no --group-ids or --future-covariates)");
    a.o.method = strcmp(a.method, "parrot") ? CL_FORECAST_MODEL : CL_FORECAST_PARROT;
    if (a.o.method == CL_FORECAST_MODEL && !a.dir) a.dir = cli_default_model();
    if (a.quantiles && parse_levels(a.quantiles, a.o.levels, &a.o.nlev)) return EXIT_BAD;
    int *gids = NULL;
    cl_context fcx = {0};
    if (chronos2_inputs(&a, &gids, &fcx)) { free(gids); cl_context_free(&fcx); return EXIT_BAD; }
    cl_error err = {0};
    /* the options, then every output, before any work */
    int rc = cl_forecast_study_check(&a.o, &err);
    if (!rc && (cli_out_file("forecast", a.out) || cli_out_file("forecast", a.samples_out) ||
                cli_out_file("forecast", a.plot))) {
        free(gids);
        cl_context_free(&fcx);
        return EXIT_BAD;
    }
    a.o.progress = cli_progress_of(ui);
    cl_model *m = NULL;
    cl_context ctx = {0};
    cl_forecast_df df = {0};
    cl_forecast_result r = {0};
    const cl_load_opts lo = {a.precision};
    if (!rc && a.dir) cli_precision_note(a.precision);
    if (!rc && a.dir) rc = cl_model_load(a.dir, &lo, &m, &err); /* the parrot alone: the model's horizon */
    if (!rc && a.df.df) { /* the long format: its tasks, covariates and target rows */
        const int H = a.o.horizon > 0 ? a.o.horizon : m ? cl_model_config(m)->prediction_length : 64;
        rc = cl_forecast_df_read(&a.df, H, &df, &err);
        if (!rc) {
            ctx = df.ctx;
            a.o.group_ids = df.group_ids;
            a.o.n_group_ids = df.ctx.B;
            a.o.future_covariates = df.future_covariates;
            a.o.F = df.F;
            a.o.targets = df.targets;
        }
    } else if (!rc) {
        rc = cl_context_read(a.ctx_path, &ctx, &err);
        if (!rc && a.fc_path && fcx.B != ctx.B)
            rc = cl_error_set(&err, CL_EFORMAT, "%s: %d columns, but the context %s has %d", a.fc_path, fcx.B,
                              a.ctx_path, ctx.B);
        if (!rc && a.group_ids && a.o.n_group_ids != ctx.B)
            rc = cl_error_set(&err, CL_EINVAL, "option --group-ids: %d ids, but the context %s has %d columns",
                              a.o.n_group_ids, a.ctx_path, ctx.B);
    }
    if (!rc) cli_warn_empty_series(ui, a.df.df ? a.df.df : a.ctx_path, ctx.values, ctx.B, ctx.L, ctx.names);
    int rounds;
    if (!rc && !ui->quiet && !cl_model_is_chronos2(m) && cl_forecast_far_horizon(m, &a.o, &rounds))
        fprintf(stderr, "chronolens: warning: --horizon %d is %d x the model's prediction_length %d: %d rounds of "
                        "forecasting, each on its own medians (slow, and far from what the model was trained on)\n",
                a.o.horizon, rounds, cl_model_config(m)->prediction_length, rounds);
    if (!rc) rc = cl_forecast_study_run(m, &ctx, &a.o, &r, &err);
    cli_progress_done(ui);
    const cl_forecast_files files = {a.out, a.samples_out, a.plot};
    if (!rc) rc = cl_forecast_write(&r, &files, &err);
    if (!rc && a.o.compare) {
        /* agreement of the model's median with the parrot: MAE relative to the series scale */
        double mae = cl_forecast_compare(&r, stdout);
        if (!ui->quiet) fprintf(stderr, "mean scaled MAE between the model's median and the parrot: %.4g\n", mae);
    }
    cl_forecast_free(&r);
    if (a.df.df) cl_forecast_df_free(&df);
    else cl_context_free(&ctx);
    cl_context_free(&fcx);
    free(gids);
    cl_model_free(m);
    if (rc) return cli_fail_err(&err);
    if (!ui->quiet) fprintf(stderr, "wrote %s\n", a.out);
    return 0;
}
