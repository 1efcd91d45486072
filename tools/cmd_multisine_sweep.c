/* chronolens multisine-sweep — the "period = smallest frequency gap" claim over many random
 * frequency sets: how often each head's detected spacing equals the smallest gap, the error
 * distribution, the amplitude-induction rank correlation, and the same where the smallest gap
 * does not divide the other gaps. */
#include "cli.h"
#include "ms_common.h"

#include <stdio.h>

typedef struct mss_args {
    cli_ui ui;
    cli_models models; /* one --model (and its --name) */
    const char *out;
    cl_mssweep_opts mo; /* cl_mssweep_default */
} mss_args;

static void init(void *p) {
    mss_args *a = p;
    a->models.max = 1;
    a->models.too_many = "multisine-sweep: one --model per run (the sweep's summary is one model's); run it once per "
                         "model with its own --out, or use report for several";
    cl_mssweep_default(&a->mo);
}

#define A mss_args
#define INT(nm, ar, f, l, h, hl) {.name = nm, .arg = ar, .type = OPT_INT, .off = offsetof(A, mo.f), .ilo = l, .ihi = h, .help = hl}
static const cli_opt OPTS[] = {
    CLI_MODELS(A, models),
    {.name = "--out", .arg = "DIR", .type = OPT_STR, .off = offsetof(A, out), .flags = OPT_REQUIRED,
     .help = "folder for sweep.csv/json/md and sweep.png (created)"},
    INT("--configs", "N", configs, 1, 100000, "random frequency sets"),
    {.name = "--seed", .arg = "S", .type = OPT_U64, .off = offsetof(A, mo.seed), .ilo = 0, .ihi = 0x7fffffffffffffffL,
     .help = "seed of the sets, noise and permutations"},
    MS_POINTS(A, mo.base, "context_length", "values of each series"),
    INT("--fmin", "F", fmin, 1, 1000000, "lowest frequency in Hz"),
    INT("--fmax", "F", fmax, 1, 1000000, "highest frequency in Hz"),
    INT("--min-freqs", "K", kmin, 2, CL_MS_MAX_FREQS, "fewest frequencies in a set"),
    INT("--max-freqs", "K", kmax, 2, CL_MS_MAX_FREQS, "most frequencies in a set"),
    {.name = "--top-k", .arg = "K", .type = OPT_INT, .off = offsetof(A, mo.top_k), .ilo = 1, .ihi = 100000,
     .def = "3 (every head when fewer)", .help = "heads of largest amplitude per configuration"},
    INT("--batch", "N", batch, 1, 4096, "series per forward pass"),
    MS_PERMUTATIONS(A, mo.permutations),
    MS_SPACING(A, mo.spacing),
    {.name = "--shard", .arg = "K/N", .type = OPT_FN, .off = offsetof(A, mo.shard), .fn = cli_opt_shard,
     .def = "the whole run",
     .help = "part K of N (units: the batches of configurations); chronolens merge joins the parts"},
    CLI_PRECISION(A, mo.precision),
    {NULL},
};
#undef INT
#undef A

const cli_cmd CMD_MULTISINE_SWEEP = {
    .name = "multisine-sweep",
    .summary = "the 'period = smallest frequency gap' claim over random frequency sets",
    .example = "chronolens multisine-sweep --configs 20 --out out/mss",
    .opts = OPTS, .size = sizeof(mss_args), .init = init, .run = cmd_multisine_sweep,
};

int cmd_multisine_sweep(int argc, char **argv) {
    mss_args a;
    cli_parsed p;
    if (cli_parse(&CMD_MULTISINE_SWEEP, &a, argc, argv, &p)) return EXIT_BAD;
    cli_ui *ui = &a.ui;
    cl_mssweep_opts mo = a.mo;
    const char *dir = a.models.n ? a.models.dirs[0] : cli_default_model(), *out = a.out;
    if (cli_out_dir_staged("multisine-sweep", &out)) return EXIT_BAD;
    const int batches = (mo.configs + mo.batch - 1) / mo.batch; /* the units of a part */
    cl_error err = {0};
    if (cl_shard_check(&mo.shard, batches, "batches of configurations", &err)) return cli_fail("multisine-sweep: %s", err.msg);
    /* the reference adapts; explicit --points must fit */
    mo.fit_context = !cli_given(&CMD_MULTISINE_SWEEP, &p, "--points") && !cli_given(&CMD_MULTISINE_SWEEP, &p, "--duration");
    mo.name = a.models.names[0];
    mo.progress = cli_progress_of(ui);
    cli_precision_note(mo.precision);
    cl_mssweep_result res;
    int rc = cl_mssweep_run(dir, &mo, &res, &err);
    cli_progress_done(ui);
    const cl_save_part part = {mo.shard, batches}; /* a part: its pairs and shard.json, the merge summarises */
    if (!rc) rc = cl_mssweep_save(&res, out, &part, &err);
    if (!rc && !ui->quiet && !mo.shard.n) {
        cl_mssweep_table(&res, stdout);
        fprintf(stderr, "wrote %s/sweep.csv, sweep.json, sweep-summary.md, sweep.png, sweep.svg\n", cli_out_shown(out));
    }
    cl_mssweep_free(&res);
    return rc ? cli_fail_err(&err) : 0;
}
