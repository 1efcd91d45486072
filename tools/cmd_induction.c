/* chronolens induction — induction heads with repeated random tokens (method.md §2) for one
 * or more models: options into cl_induction_study_opts, cl_induction_study_run, and
 * cl_induction_save (induction.json/csv and the figures: mosaics, layer distribution). */
#include "cli.h"
#include "rrt_cli.h"

#include <stdio.h>

typedef struct induction_args {
    cli_ui ui;
    rrt_cli c;
    int offsets[CL_RRP_MAX_OFFSETS], n_off; /* --offsets */
} induction_args;

static void init(void *p) { rrt_cli_init(&((induction_args *)p)->c); }

#define A induction_args
static const cli_opt OPTS[] = {
    RRT_MODELS(A, c),
    RRT_OUT(A, c, "folder for induction.json/csv and figures (created)"),
    {.name = "--seq-len", .arg = "L", .type = OPT_INT, .off = offsetof(A, c.o.base.rrt.seq_len), .ilo = 2, .ihi = 100000,
     .help = "length of the random sequence, >= 2"},
    {.name = "--reps", .arg = "R", .type = OPT_INT, .off = offsetof(A, c.o.base.rrt.reps), .ilo = 2, .ihi = 100000,
     .help = "repetitions of the sequence, >= 2"},
    RRT_BATCH(A, c, "sequences per seed"),
    RRT_TOKEN_RANGE(A, c),
    RRT_THRESHOLD(A, c),
    RRT_SEED(A, c),
    RRT_SEEDS(A, c),
    {.name = "--no-strict", .type = OPT_CLEAR, .off = offsetof(A, c.o.base.strict),
     .help = "skip the ablation and copying tests"},
    RRT_SHARD(A, c, "part K of N (units: the models; with --offsets also the (model, offset) pairs); chronolens merge "
                    "joins the parts"),
    RRT_SAMPLING(A, c, "token ids from the band, or every non-special token (the claim band)"),
    RRT_OFFSET(A, c),
    {.name = "--offsets", .arg = "N,...", .type = OPT_INTS, .off = offsetof(A, offsets), .noff = offsetof(A, n_off),
     .ilo = 0, .ihi = 100000, .max = CL_RRP_MAX_OFFSETS,
     .help = "Chronos-Bolt: also run each offset (offsets.json, offsets.csv, offsets.png/svg)"},
    CLI_PRECISION(A, c.precision),
    {NULL},
};
#undef A

const cli_cmd CMD_INDUCTION = {
    .name = "induction",
    .summary = "induction heads with repeated random tokens: scores, counts, strict tests, mosaics",
    .example = "chronolens induction --model models/chronos-nano --out out/induction",
    .opts = OPTS, .size = sizeof(induction_args), .init = init, .run = cmd_induction,
};

int cmd_induction(int argc, char **argv) {
    induction_args a;
    cli_parsed p;
    if (cli_parse(&CMD_INDUCTION, &a, argc, argv, &p)) return EXIT_BAD;
    cli_ui *ui = &a.ui;
    rrt_cli *c = &a.c;
    const int n_off = a.n_off;
    if (!c->models.n) c->models.dirs[c->models.n++] = cli_default_model();
    for (int i = 0; i < n_off; i++) /* before --out is claimed: a bad list leaves nothing behind */
        for (int j = 0; j < i; j++)
            if (a.offsets[i] == a.offsets[j]) return cli_fail("induction: --offsets: %d given twice", a.offsets[i]);
    if (cli_out_dir_staged("induction", &c->out)) return EXIT_BAD;
    const int nm = c->models.n;
    cl_model *m[CL_STUDY_MAX_MODELS];
    cl_study_model info[CL_STUDY_MAX_MODELS];
    /* with --offsets a part's units are the models (induction.json) and the (model, offset)
     * pairs (offsets.json): every model is loaded, --shard up to models x offsets parts */
    if (rrt_models_load(c, m, info, n_off ? n_off : 1, NULL, "induction")) return EXIT_BAD;
    c->o.base.progress = cli_progress_of(ui);
    cl_induction_set s;
    cl_error err = {0};
    int rc = 0;
    const cl_save_part part = {c->o.shard, nm}; /* a part: shard.json, the merge draws the figures */
    if (n_off) { /* Chronos-Bolt: the test over the block's offset against the patch grid */
        cl_rrp_offsets_set os;
        rc = cl_rrp_offsets_run(m, info, nm, &c->o, a.offsets, n_off, &os, &err);
        if (!rc) rc = cl_rrp_offsets_save(&os, c->out, &part, &err);
        if (!rc) cl_rrp_offsets_free(&os);
        if (rc) { cli_progress_done(ui); rrt_models_free(m, nm); return cli_fail("induction: %s", err.msg); }
    }
    rc = cl_induction_study_run(m, info, nm, &c->o, &s, &err);
    cli_progress_done(ui);
    rrt_models_free(m, nm);
    if (!rc) rc = cl_induction_save(&s, c->out, &part, nm * n_off, &err);
    if (!rc && !ui->quiet)
        for (int k = 0; k < s.n; k++) {
            const cl_induction_result *x = &s.res[k];
            /* Chronos-2 has no decoder: its "cross" rows are the first future token's time attention */
            fprintf(stderr, "%s: %d/%d %s heads >= %.2g (current token %d, token to right %d)", s.models[k].name,
                    x->cross[CL_ANY].n, x->layers * x->heads, x->chronos2 ? "future-token time-attention" : "cross-attention",
                    x->threshold, x->cross[CL_CUR].n, x->cross[CL_RIGHT].n);
            if (x->strict) fprintf(stderr, ", strict %d", x->strict_count[CL_ANY].n);
            fprintf(stderr, "; encoder %d; %.2fs\n", x->enc[CL_ANY].n, s.models[k].seconds);
        }
    int skipped = 0;
    if (!rc) rc = cl_induction_scores_skipped(&s, &skipped, &err); /* the models scores.csv left out */
    cl_induction_set_free(&s);
    if (rc) return cli_fail_err(&err);
    if (!ui->quiet) {
        fprintf(stderr, "wrote %s/induction.json, induction.csv, scores.csv%s and figures\n", cli_out_shown(c->out),
                n_off ? ", offsets.json, offsets.csv" : "");
        if (skipped)
            fprintf(stderr, "scores.csv: %d model(s) left out (a token range that is neither the band nor all tokens, "
                    "or a Chronos-Bolt repeat off the patch grid, --offset != 0)\n", skipped);
    }
    return 0;
}
