/* chronolens multisine-sweep — the "period = smallest frequency gap" claim over many random
 * frequency sets: how often each head's detected spacing equals the smallest gap, the error
 * distribution, the amplitude-induction rank correlation, and the same where the smallest gap
 * does not divide the other gaps. */
#include "cli.h"
#include "ms_common.h"

#include <stdio.h>
#include <string.h>

typedef struct mss_args {
    cli_ui ui;
    cli_models models; /* --model (and --name), one or more */
    const char *out;
    cl_mssweep_opts mo; /* cl_mssweep_default */
} mss_args;

static void init(void *p) {
    mss_args *a = p;
    a->models.max = CL_STUDY_MAX_MODELS;
    a->models.too_many = "multisine-sweep: at most %d --model options";
    cl_mssweep_default(&a->mo);
}

#define A mss_args
#define INT(nm, ar, f, l, h, hl) {.name = nm, .arg = ar, .type = OPT_INT, .off = offsetof(A, mo.f), .ilo = l, .ihi = h, .help = hl}
static const cli_opt OPTS[] = {
    CLI_MODELS(A, models),
    {.name = "--out", .arg = "DIR", .type = OPT_STR, .off = offsetof(A, out), .flags = OPT_REQUIRED,
     .help = "folder for sweep.csv/json/md and sweep.png (created); several --model: one sub-folder per model, by name"},
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

/* One model's run into dir, its summary (table on stdout, a line on stderr) unless quiet. */
static int run_one(cli_ui *ui, const char *model, const char *name, const cl_mssweep_opts *base, const char *dir,
                   const char *shown, int batches, cl_error *err) {
    cl_mssweep_opts mo = *base;
    mo.name = name;
    cl_mssweep_result res;
    int rc = cl_mssweep_run(model, &mo, &res, err);
    cli_progress_done(ui);
    const cl_save_part part = {mo.shard, batches}; /* a part: its pairs and shard.json, the merge summarises */
    if (!rc) rc = cl_mssweep_save(&res, dir, &part, err);
    if (!rc && !ui->quiet && !mo.shard.n) {
        printf("## %s\n", res.name);
        cl_mssweep_table(&res, stdout);
        fflush(stdout);
        fprintf(stderr, "%s: wrote %s/sweep.csv, sweep.json, sweep-summary.md, sweep.png, sweep.svg\n", res.name, shown);
    }
    cl_mssweep_free(&res);
    return rc;
}

int cmd_multisine_sweep(int argc, char **argv) {
    mss_args a;
    cli_parsed p;
    if (cli_parse(&CMD_MULTISINE_SWEEP, &a, argc, argv, &p)) return EXIT_BAD;
    cli_ui *ui = &a.ui;
    cl_mssweep_opts mo = a.mo;
    if (!a.models.n) a.models.dirs[a.models.n++] = cli_default_model();
    const int nm = a.models.n;
    if (nm > 1 && mo.shard.n) return cli_fail("multisine-sweep: --shard takes one --model (run the parts of each model apart)");
    /* every model's name (its sub-folder) valid and unique before any work */
    char names[CL_STUDY_MAX_MODELS][256];
    cl_error err = {0};
    for (int k = 0; k < nm; k++) {
        if (a.models.names[k]) snprintf(names[k], sizeof names[k], "%s", a.models.names[k]);
        else cl_study_model_name(a.models.dirs[k], names[k], sizeof names[k]);
        if (cl_study_name_check(names[k], &err)) return cli_fail("multisine-sweep: --model %s: %s", a.models.dirs[k], err.msg);
        for (int j = 0; j < k; j++)
            if (!strcmp(names[j], names[k]))
                return cli_fail("multisine-sweep: two models named '%s' (%s, %s): name them apart with --name", names[k],
                                a.models.dirs[j], a.models.dirs[k]);
    }
    const char *out = a.out;
    if (cli_out_dir_staged("multisine-sweep", &out)) return EXIT_BAD;
    const int batches = (mo.configs + mo.batch - 1) / mo.batch; /* the units of a part */
    if (cl_shard_check(&mo.shard, batches, "batches of configurations", &err)) return cli_fail("multisine-sweep: %s", err.msg);
    /* the reference adapts; explicit --points must fit */
    mo.fit_context = !cli_given(&CMD_MULTISINE_SWEEP, &p, "--points") && !cli_given(&CMD_MULTISINE_SWEEP, &p, "--duration");
    mo.progress = cli_progress_of(ui);
    cli_precision_note(mo.precision);
    int rc = 0;
    for (int k = 0; k < nm && !rc; k++) { /* one model: --out itself; several: --out/NAME each */
        char dir[4096], shown[4096];
        snprintf(dir, sizeof dir, "%.3800s%s%.255s", out, nm > 1 ? "/" : "", nm > 1 ? names[k] : "");
        snprintf(shown, sizeof shown, "%.3800s%s%.255s", cli_out_shown(out), nm > 1 ? "/" : "", nm > 1 ? names[k] : "");
        rc = run_one(ui, a.models.dirs[k], names[k], &mo, dir, shown, batches, &err);
    }
    return rc ? cli_fail_err(&err) : 0;
}
