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

typedef struct ms_args {
    cli_ui ui;
    cli_models models;
    const char *out, *freqs, *amps, *phases;
    cl_multisine_opts mo; /* cl_multisine_default: the reference input, seed, permutations, spacing, shard, precision */
} ms_args;

static void init(void *p) {
    ms_args *a = p;
    a->models.max = CL_MS_CLI_MAX_MODELS;
    a->models.too_many = "multisine: more than %d --model options";
    cl_multisine_default(&a->mo);
}

/* the reference's frequencies and amplitudes (cl_multisine_reference) */
static const char *show_list(const double *x, int n, char *buf, size_t len) {
    size_t k = 0;
    buf[0] = 0;
    for (int i = 0; i < n && k < len; i++) k += (size_t)snprintf(buf + k, len - k, "%s%g", i ? "," : "", x[i]);
    return buf;
}
static const char *show_freqs(const cli_opt *o, const void *p, char *buf, size_t n) {
    const cl_multisine *in = &((const ms_args *)p)->mo.input;
    return show_list(in->freqs, in->n, buf, n);
}
static const char *show_amps(const cli_opt *o, const void *p, char *buf, size_t n) {
    const cl_multisine *in = &((const ms_args *)p)->mo.input;
    show_list(in->amps, in->n, buf, n);
    snprintf(buf + strlen(buf), n - strlen(buf), " (1 with --freqs)");
    return buf;
}

#define A ms_args
static const cli_opt OPTS[] = {
    CLI_MODELS(A, models),
    {.name = "--out", .arg = "DIR", .type = OPT_STR, .off = offsetof(A, out), .flags = OPT_REQUIRED,
     .help = "folder for multisine.json/csv, spectra, figures (created)"},
    {.name = "--freqs", .arg = "F,...", .type = OPT_STR, .off = offsetof(A, freqs), .show = show_freqs,
     .help = "frequencies in Hz"},
    {.name = "--amps", .arg = "A,...", .type = OPT_STR, .off = offsetof(A, amps), .show = show_amps, .help = "amplitudes"},
    {.name = "--phases", .arg = "P,...", .type = OPT_STR, .off = offsetof(A, phases), .def = "0", .help = "phases in radians"},
    MS_POINTS(A, mo.input, "shortest context_length", "values of the series"),
    {.name = "--seed", .arg = "S", .type = OPT_U64, .off = offsetof(A, mo.seed), .ilo = 0, .ihi = 0x7fffffffffffffffL,
     .help = "seed of the noise and the permutations"},
    MS_PERMUTATIONS(A, mo.permutations),
    MS_SPACING(A, mo.spacing),
    {.name = "--shard", .arg = "K/N", .type = OPT_FN, .off = offsetof(A, mo.shard), .fn = cli_opt_shard,
     .def = "the whole run", .help = "part K of N (units: the models); chronolens merge joins the parts"},
    CLI_PRECISION(A, mo.precision),
    {NULL},
};
#undef A

const cli_cmd CMD_MULTISINE = {
    .name = "multisine",
    .summary = "attention spectra of a multisine input per decoder layer and head",
    .example = "chronolens multisine --model tests/fixtures/planted-period --out out/ms",
    .opts = OPTS, .size = sizeof(ms_args), .init = init, .run = cmd_multisine,
};

int cmd_multisine(int argc, char **argv) {
    ms_args a;
    cli_parsed p;
    if (cli_parse(&CMD_MULTISINE, &a, argc, argv, &p)) return EXIT_BAD;
    cli_ui *ui = &a.ui;
    cli_models *md = &a.models;
    const char *out = a.out;
    if (!md->n) md->dirs[md->n++] = cli_default_model();
    const int nm = md->n;
    if (cli_out_dir_staged("multisine", &out)) return EXIT_BAD;
    cl_multisine_opts mo = a.mo;
    cl_multisine *ms = &mo.input;
    if (a.freqs) {
        if (cli_double_list("--freqs", a.freqs, -DBL_MAX, DBL_MAX, ms->freqs, CL_MS_MAX_FREQS, &ms->n) < 0) return EXIT_BAD;
        if (!a.amps) for (int i = 0; i < ms->n; i++) ms->amps[i] = 1.0; /* the reference amplitudes fit only its freqs */
        memset(ms->phases, 0, sizeof ms->phases);
    }
    int n;
    if (a.amps) {
        if (cli_double_list("--amps", a.amps, -DBL_MAX, DBL_MAX, ms->amps, CL_MS_MAX_FREQS, &n) < 0) return EXIT_BAD;
        if (n != ms->n) return cli_fail("option --amps: %d values for %d frequencies", n, ms->n);
    }
    if (a.phases) {
        if (cli_double_list("--phases", a.phases, -DBL_MAX, DBL_MAX, ms->phases, CL_MS_MAX_FREQS, &n) < 0) return EXIT_BAD;
        if (n != ms->n) return cli_fail("option --phases: %d values for %d frequencies", n, ms->n);
    }
    cl_error err = {0};
    mo.progress = cli_progress_of(ui);
    cli_precision_note(mo.precision);
    mo.names = md->names;
    /* the reference adapts to a shorter context (the shortest of all models: they see one
     * input, method.md §3); an explicit --points or --duration must fit. Before any work. */
    mo.fit_context = !cli_given(&CMD_MULTISINE, &p, "--points") && !cli_given(&CMD_MULTISINE, &p, "--duration");
    if (cl_multisine_fit_models(md->dirs, nm, &mo, &err)) return cli_fail("multisine: %s", err.msg);
    if (cl_shard_check(&mo.shard, nm, "models", &err)) return cli_fail("multisine: %s", err.msg);
    cl_multisine_result res;
    int rc = cl_multisine_run(md->dirs, nm, &mo, &res, &err);
    cli_progress_done(ui);
    /* everything is computed: now the outputs (a part: shard.json, the merge draws the figures) */
    const cl_save_part part = {mo.shard, nm};
    if (!rc) rc = cl_multisine_save(&res, out, &part, &err);
    if (!rc && !ui->quiet) {
        const double gap = cl_multisine_smallest_gap(&mo.input); /* Bolt: the same frequencies at the patch rate */
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
