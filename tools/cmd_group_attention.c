/* chronolens group-attention — the group-attention study of Chronos-2 (docs/group_attention.md):
 * lead–lag groups (series B = series A shifted by a lag, plus distractors); per layer and head
 * the share of B's group attention on A against the distractors and 1/group size, over lags
 * and noise levels, tested against shuffled pairings. */
#include "cli.h"
#include "opt.h"

#include <float.h>
#include <stdio.h>
#include <string.h>

typedef struct ga_args {
    cli_ui ui;
    cli_models models;
    const char *out, *noises;
    cl_group_attention_opts o; /* cl_group_attention_default */
} ga_args;

static void init(void *p) {
    ga_args *a = p;
    a->models.max = CL_STUDY_MAX_MODELS;
    a->models.too_many = "group-attention: more than %d --model options";
    cl_group_attention_default(&a->o);
}

static const char *show_noises(const cli_opt *o, const void *p, char *buf, size_t n) {
    (void)o;
    const cl_group_attention_opts *g = &((const ga_args *)p)->o;
    size_t k = 0;
    buf[0] = 0;
    for (int i = 0; i < g->n_noises && k < n; i++) k += (size_t)snprintf(buf + k, n - k, "%s%g", i ? "," : "", g->noises[i]);
    return buf;
}

#define A ga_args
static const cli_opt OPTS[] = {
    CLI_MODELS(A, models),
    {.name = "--out", .arg = "DIR", .type = OPT_STR, .off = offsetof(A, out), .flags = OPT_REQUIRED,
     .help = "folder for group_attention.json/csv and the figures (created)"},
    {.name = "--groups", .arg = "N", .type = OPT_INT, .off = offsetof(A, o.groups), .ilo = 2, .ihi = 1000000,
     .help = "groups per (lag, noise) cell"},
    {.name = "--group-size", .arg = "G", .type = OPT_INT, .off = offsetof(A, o.group_size), .ilo = 3, .ihi = 64,
     .help = "series per group: B, its partner A and G - 2 distractors"},
    {.name = "--patches", .arg = "P", .type = OPT_INT, .off = offsetof(A, o.patches), .ilo = 0, .ihi = 1000000,
     .def = "min(32, the context's patches)", .help = "context patches of every series"},
    {.name = "--lags", .arg = "K,...", .type = OPT_INTS, .off = offsetof(A, o.lags), .noff = offsetof(A, o.n_lags),
     .max = CL_GA_MAX_GRID, .ilo = 0, .ihi = 1000000, .help = "lags of B behind A, in patches"},
    {.name = "--noises", .arg = "S,...", .type = OPT_STR, .off = offsetof(A, noises), .show = show_noises,
     .help = "noise standard deviations added to B"},
    {.name = "--permutations", .arg = "N", .type = OPT_INT, .off = offsetof(A, o.permutations), .ilo = 0, .ihi = 10000000,
     .help = "shuffled pairings of the test per cell"},
    {.name = "--alpha", .arg = "A", .type = OPT_NUM, .off = offsetof(A, o.alpha), .dlo = 1e-12, .dhi = 0.999999,
     .help = "Holm's level over the heads of a cell"},
    {.name = "--batch-groups", .arg = "N", .type = OPT_INT, .off = offsetof(A, o.batch_groups), .ilo = 1, .ihi = 1000000,
     .help = "groups per forward pass (its rows: N x G)"},
    {.name = "--seed", .arg = "S", .type = OPT_U64, .off = offsetof(A, o.seed), .ilo = 0, .ihi = 0x7fffffffffffffffL,
     .help = "seed of the series and the shuffles"},
    {.name = "--shard", .arg = "K/N", .type = OPT_FN, .off = offsetof(A, o.shard), .fn = cli_opt_shard,
     .def = "the whole run", .help = "part K of N (units: the (lag, noise) cells); chronolens merge joins the parts"},
    CLI_PRECISION(A, o.precision),
    {NULL},
};
#undef A

const cli_cmd CMD_GROUP_ATTENTION = {
    .name = "group-attention",
    .summary = "Chronos-2: per layer and head, how much a series' group attention reads its lead-lag partner",
    .example = "chronolens group-attention --model tests/fixtures/chronos2-rand --out out/ga",
    .opts = OPTS, .size = sizeof(ga_args), .init = init, .run = cmd_group_attention,
};

int cmd_group_attention(int argc, char **argv) {
    ga_args a;
    cli_parsed p;
    if (cli_parse(&CMD_GROUP_ATTENTION, &a, argc, argv, &p)) return EXIT_BAD;
    cli_ui *ui = &a.ui;
    cli_models *md = &a.models;
    const char *out = a.out;
    if (!md->n) md->dirs[md->n++] = cli_default_model();
    cl_group_attention_opts o = a.o;
    if (a.noises && cli_double_list("--noises", a.noises, 0, 1e6, o.noises, CL_GA_MAX_GRID, &o.n_noises) < 0) return EXIT_BAD;
    if (cli_out_dir_staged("group-attention", &out)) return EXIT_BAD;
    cl_error err = {0};
    o.progress = cli_progress_of(ui);
    o.names = md->names;
    cli_precision_note(o.precision);
    cl_group_attention_result res;
    int rc = cl_group_attention_run(md->dirs, md->n, &o, &res, &err);
    cli_progress_done(ui);
    /* a part: its cells' files and shard.json, the merge draws the figures */
    const cl_save_part part = {o.shard, o.n_lags * o.n_noises};
    if (!rc) rc = cl_group_attention_save(&res, out, &part, &err);
    if (!rc && !ui->quiet && o.shard.n > 1)
        fprintf(stderr, "wrote part %d of %d (%s): chronolens merge joins the parts\n", o.shard.k, o.shard.n, cli_out_shown(out));
    else if (!rc && !ui->quiet) {
        for (int k = 0; k < res.n; k++) {
            const cl_group_attention_model *x = &res.res[k];
            int best = 0, nsig = 0;
            for (int i = 0; i < x->layers * x->heads; i++) {
                nsig += x->h[i].significant;
                if (x->h[i].partner > x->h[best].partner) best = i;
            }
            printf("%s: lag %d, noise %g: %d of %d heads read the partner above 1/%d = %.3g beyond shuffled pairings; "
                   "the strongest, layer %d head %d, puts %.3f on it (p = %.3g)\n",
                   res.models[k].name, res.opts.lags[0], res.opts.noises[0], nsig, x->layers * x->heads, res.opts.group_size,
                   1.0 / res.opts.group_size, best / x->heads, best % x->heads, x->h[best].partner, x->h[best].p);
        }
        fprintf(stderr, "wrote %s/group_attention.json, group_attention.csv and figures\n", cli_out_shown(out));
    }
    if (!rc) cl_group_attention_free(&res);
    return rc ? cli_fail_err(&err) : 0;
}
