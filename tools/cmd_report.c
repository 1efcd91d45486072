/* chronolens report — the whole induction-head study of one or more models as one
 * self-contained page: options into cl_report_opts, cl_report_run (src/report/report_run.c:
 * the four studies in memory, their files under data/, figures under figures/, index.html),
 * the page's path on stdout. */
#include "cli.h"
#include "opt.h"

#include <stdio.h>
#include <string.h>

typedef struct report_args {
    cli_ui ui;
    cli_models models;
    cl_report_opts o; /* cl_report_default */
} report_args;

static void init(void *p) {
    report_args *a = p;
    a->models.max = CL_REPORT_MAX_MODELS;
    a->models.too_many = "report: --model: at most %d models";
    cl_report_default(&a->o);
}

/* --pattern-input rrt|multisine */
static int opt_pattern(const cli_opt *o, void *args, const char *value, const char *cmd) {
    (void)cmd;
    int *v = CLI_FIELD(o, args, int);
    if (!strcmp(value, "rrt")) *v = 0;
    else if (!strcmp(value, "multisine")) *v = 1;
    else return cli_fail("option --pattern-input: '%.200s' is not rrt or multisine", value), -1;
    return 0;
}

#define A report_args
static const cli_opt OPTS[] = {
    CLI_MODELS(A, models),
    {.name = "--out", .arg = "DIR", .type = OPT_STR, .off = offsetof(A, o.out),
     .help = "the report folder (an earlier report there is replaced)"},
    {.name = "--quick", .type = OPT_FLAG, .off = offsetof(A, o.quick), .help = "smaller batches and grids"},
    {.name = "--seed", .arg = "S", .type = OPT_U64, .off = offsetof(A, o.seed), .ilo = 0, .ihi = 0x7fffffffffffffffL,
     .help = "seed of every random choice"},
    {.name = "--batch", .arg = "N", .type = OPT_INT, .off = offsetof(A, o.batch), .ilo = 1, .ihi = 100000,
     .def = "100 (quick 20)", .help = "induction sequences"},
    {.name = "--sweep-batch", .arg = "N", .type = OPT_INT, .off = offsetof(A, o.sweep_batch), .ilo = 1, .ihi = 100000,
     .def = "100 (quick 10)", .help = "sweep sequences per (R, L)"},
    {.name = "--configs", .arg = "N", .type = OPT_INT, .off = offsetof(A, o.configs), .ilo = 1, .ihi = 100000,
     .def = "30 (quick 8)", .help = "multisine-sweep frequency sets"},
    {.name = "--pattern-input", .arg = "rrt|multisine", .type = OPT_FN, .off = offsetof(A, o.pattern_input),
     .fn = opt_pattern, .def = "rrt",
     .help = "the input of the attention patterns: a repeated random sequence or the reference multisine"},
    {.name = "--context", .arg = "CSV", .type = OPT_STR, .off = offsetof(A, o.context), .def = "none",
     .help = "attention patterns on the first series of this CSV (its last 96 values or patches) instead"},
    CLI_PRECISION(A, o.precision),
    {NULL},
};
#undef A

const cli_cmd CMD_REPORT = {
    .name = "report",
    .summary = "the whole study as one page: DIR/index.html, figures/, data/",
    .example = "chronolens report --model models/chronos-nano --out out/report",
    .opts = OPTS, .size = sizeof(report_args), .init = init, .run = cmd_report,
};

int cmd_report(int argc, char **argv) {
    report_args a;
    cli_parsed p;
    if (cli_parse(&CMD_REPORT, &a, argc, argv, &p)) return EXIT_BAD;
    cli_ui *ui = &a.ui;
    cl_report_opts o = a.o;
    if (!a.models.n) a.models.dirs[a.models.n++] = cli_default_model();
    o.dirs = a.models.dirs;
    o.names = a.models.names;
    o.n = a.models.n;
    if (cli_out_dir("report", o.out)) return EXIT_BAD; /* one run per report folder */
    o.progress = cli_progress_of(ui);
    cli_precision_note(o.precision);
    char index[8192];
    cl_error err = {0};
    double t0 = cl_now();
    int rc = cl_report_run(&o, index, sizeof index, &err);
    cli_progress_done(ui);
    if (rc) return cli_fail("report: %s", err.msg);
    if (!ui->quiet) fprintf(stderr, "report of %d model%s written in %.1fs\n", o.n, o.n > 1 ? "s" : "", cl_now() - t0);
    printf("%s\n", index);
    return 0;
}
