/* chronolens eval — forecast accuracy on the held-out synthetic suite (and a CSV):
 * MASE and weighted quantile loss against the seasonal-naive baseline, per series family.
 * Forecasts as ChronosPipeline makes them (sample paths; point forecast = their median,
 * quantiles over them), or with --samples 0 by median-token decoding. */
#include "cli.h"
#include "opt.h"

#include <stdio.h>
#include <string.h>

typedef struct eval_args {
    cli_ui ui;
    const char *family, *out, *series_out, *steploss;
    cl_eval_opts eo; /* cl_eval_default: model, csv, series, seed, horizon, context_length, samples, precision */
} eval_args;

static void init(void *p) {
    eval_args *a = p;
    cl_eval_default(&a->eo);
    a->eo.model = cli_default_model();
}

#define A eval_args
static const cli_opt OPTS[] = {
    {.name = "--model", .arg = "DIR", .type = OPT_STR, .off = offsetof(A, eo.model), .def = CLI_MODEL_DEFAULT,
     .help = "the checkpoint folder"},
    {.name = "--series", .arg = "N", .type = OPT_INT, .off = offsetof(A, eo.series), .ilo = 0, .ihi = 100000,
     .def = "100 (0 with --csv)", .help = "synthetic series per family"},
    {.name = "--seed", .arg = "S", .type = OPT_U64, .off = offsetof(A, eo.seed), .ilo = 0, .ihi = 0x7fffffffffffffffL,
     .help = "seed of the synthetic series"},
    {.name = "--context-length", .arg = "N", .type = OPT_INT, .off = offsetof(A, eo.context_length), .ilo = 2,
     .ihi = 4096, .def = "the model's context_length", .help = "context values of the synthetic series"},
    {.name = "--family", .arg = "F", .type = OPT_STR, .off = offsetof(A, family), .def = "all",
     .help = "gp, seasonal, random_walk or repeat only"},
    {.name = "--samples", .arg = "S", .type = OPT_INT, .off = offsetof(A, eo.samples), .ilo = 0, .ihi = 10000,
     .help = "sample paths; 0 = median-token decoding"},
    {.name = "--csv", .arg = "FILE", .type = OPT_STR, .off = offsetof(A, eo.csv),
     .help = "also score these columns (last --horizon rows = target)"},
    {.name = "--horizon", .arg = "H", .type = OPT_INT, .off = offsetof(A, eo.horizon), .ilo = 1, .ihi = 1024,
     .def = "the model's prediction_length", .help = "target rows of --csv"},
    {.name = "--out", .arg = "CSV", .type = OPT_STR, .off = offsetof(A, out), .help = "the per-family table as CSV"},
    {.name = "--series-out", .arg = "CSV", .type = OPT_STR, .off = offsetof(A, series_out), .help = "one row per series"},
    {.name = "--step-loss", .arg = "CSV", .type = OPT_STR, .off = offsetof(A, steploss),
     .help = "teacher-forced loss per horizon step and family"},
    CLI_PRECISION(A, eo.precision),
    {NULL},
};
#undef A

const cli_cmd CMD_EVAL = {
    .name = "eval",
    .summary = "MASE and weighted quantile loss vs seasonal naive, per synthetic family and on a CSV",
    .example = "chronolens eval --series 20 --out eval.csv",
    .opts = OPTS, .size = sizeof(eval_args), .init = init, .run = cmd_eval,
};

int cmd_eval(int argc, char **argv) {
    eval_args a;
    cli_parsed p;
    if (cli_parse(&CMD_EVAL, &a, argc, argv, &p)) return EXIT_BAD;
    cli_ui *ui = &a.ui;
    cl_eval_opts eo = a.eo;
    if (eo.horizon && !eo.csv) return cli_fail("option --horizon: only with --csv");
    if (eo.csv && !cli_given(&CMD_EVAL, &p, "--series")) eo.series = 0; /* --csv alone: that file's evaluation only */
    if (cli_out_file("eval", a.out) || cli_out_file("eval", a.series_out) || cli_out_file("eval", a.steploss)) return EXIT_BAD;
    if (a.steploss && eo.series == 0) return cli_fail("option --step-loss: needs the synthetic suite (--series > 0)");
    if (a.family) { /* --family: one family of the synthetic suite */
        for (int f = 0; f < CL_EVAL_FAMILIES; f++)
            if (!strcmp(a.family, cl_eval_family_name(f))) eo.family = f;
        if (eo.family < 0) return cli_fail("option --family: '%s' is not gp, seasonal, random_walk or repeat", a.family);
    }
    eo.per_series = a.series_out != NULL;
    eo.step_loss = a.steploss != NULL;
    eo.progress = cli_progress_of(ui);
    cli_precision_note(eo.precision);
    cl_eval_result r;
    cl_error err = {0};
    int rc = cl_eval_run(&eo, &r, &err);
    cli_progress_done(ui);
    if (!rc) cl_eval_table(&r, stdout, 0);
    if (!rc && a.out) rc = cl_eval_write_table(&r, a.out, &err);
    if (!rc && a.steploss) rc = cl_eval_write_step_loss(&r, a.steploss, &err);
    if (!rc && a.series_out) rc = cl_eval_write_series(&r, a.series_out, &err);
    cl_eval_free(&r);
    return rc ? cli_fail_err(&err) : 0;
}
