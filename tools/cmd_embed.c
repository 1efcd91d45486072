/* chronolens embed — the encoder's last hidden state of each series (ChronosPipeline.embed):
 * (series, tokens incl. EOS, d_model) as .npy, and the tokenizer scales (cl_embed_run). */
#include "cli.h"
#include "opt.h"

#include <stdlib.h>

typedef struct embed_args {
    cli_ui ui;
    const char *dir, *ctx_path, *out, *scales_out, *group_ids;
    cl_embed_opts eo; /* cl_embed_default */
    cl_precision precision;
} embed_args;

static void init(void *p) { cl_embed_default(&((embed_args *)p)->eo); }

#define A embed_args
static const cli_opt OPTS[] = {
    {.name = "--model", .arg = "DIR", .type = OPT_STR, .off = offsetof(A, dir), .def = CLI_MODEL_DEFAULT,
     .help = "the checkpoint folder"},
    {.name = "--context", .arg = "CSV", .type = OPT_STR, .off = offsetof(A, ctx_path), .flags = OPT_REQUIRED,
     .help = "one column per series, time down the rows"},
    {.name = "--out", .arg = "FILE", .type = OPT_STR, .off = offsetof(A, out), .flags = OPT_REQUIRED,
     .help = "float32 .npy (series, tokens, d_model)"},
    {.name = "--scales-out", .arg = "FILE", .type = OPT_STR, .off = offsetof(A, scales_out),
     .help = "the tokenizer scales, float32 .npy (series); Bolt, Chronos-2: (series, 2) loc and scale"},
    {.name = "--batch", .arg = "N", .type = OPT_INT, .off = offsetof(A, eo.batch), .ilo = 1, .ihi = 4096,
     .help = "series encoded together"},
    {.name = "--group-ids", .arg = "G,...", .type = OPT_STR, .off = offsetof(A, group_ids),
     .def = "every series its own task",
     .help = "the task of each context column: columns sharing an id form one multivariate task (Chronos-2 only)"},
    {.name = "--cross-learning", .type = OPT_FLAG, .off = offsetof(A, eo.cross_learning),
     .help = "every task of a pass in one group: the series attend to each other (Chronos-2 only)"},
    CLI_PRECISION(A, precision),
    {NULL},
};
#undef A

const cli_cmd CMD_EMBED = {
    .name = "embed",
    .summary = "the encoder's last hidden state per series (series, tokens incl. EOS, d_model; Bolt: patches [+ REG]; "
               "Chronos-2: patches, [REG] and one output token, tasks from --group-ids)",
    .example = "chronolens embed --context series.csv --out emb.npy --scales-out scales.npy",
    .opts = OPTS, .size = sizeof(embed_args), .init = init, .run = cmd_embed,
};

int cmd_embed(int argc, char **argv) {
    embed_args a;
    cli_parsed p;
    if (cli_parse(&CMD_EMBED, &a, argc, argv, &p)) return EXIT_BAD;
    cli_ui *ui = &a.ui;
    const char *dir = a.dir ? a.dir : cli_default_model();
    if (cli_out_file("embed", a.out) || cli_out_file("embed", a.scales_out)) return EXIT_BAD;
    cl_embed_opts eo = a.eo;
    int *gids = NULL, ngids = 0;
    if (a.group_ids && cli_parse_group_ids("--group-ids", a.group_ids, &gids, &ngids)) return EXIT_BAD;
    eo.group_ids = gids;
    eo.progress = cli_progress_of(ui);
    cl_error err = {0};
    cl_model *m = NULL;
    cl_context ctx = {0};
    cl_embed_result r = {0};
    const cl_load_opts lo = {a.precision};
    cli_precision_note(a.precision);
    int rc = cl_model_load(dir, &lo, &m, &err);
    if (!rc) rc = cl_context_read(a.ctx_path, &ctx, &err);
    if (!rc && gids && ngids != ctx.B)
        rc = cl_error_set(&err, CL_EINVAL, "option --group-ids: %d ids, but the context %s has %d columns", ngids, a.ctx_path,
                          ctx.B);
    if (!rc) cli_warn_empty_series(ui, a.ctx_path, ctx.values, ctx.B, ctx.L, NULL);
    if (!rc) rc = cl_embed_run(m, &ctx, &eo, &r, &err);
    cli_progress_done(ui);
    if (!rc) rc = cl_embed_write(&r, a.out, a.scales_out, &err);
    cl_embed_free(&r);
    cl_context_free(&ctx);
    cl_model_free(m);
    free(gids);
    if (rc) return cli_fail_err(&err);
    if (!ui->quiet) fprintf(stderr, "wrote %s\n", a.out);
    return 0;
}
