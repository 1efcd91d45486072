/* chronolens forward — tokenize a context CSV, run the model, write every tensor the
 * reference writes (token ids, mask, scale, encoder output, attention maps, logits), or the
 * maps, layers and heads selected (cl_forward_stream). Series run in chunks written into one
 * file, so memory is bounded by a chunk, not by the batch. */
#include "cli.h"
#include "opt.h"

#include <stdlib.h>
#include <string.h>

typedef struct forward_args {
    cli_ui ui;
    const char *dir, *ctx_path, *ids_path, *out_path, *maps;
    const char *group_ids, *fc_path; /* Chronos-2 */
    cl_forward_opts fo;   /* layers, heads, chunk (cl_forward_default) */
    cl_precision precision;
} forward_args;

static void init(void *p) {
    forward_args *a = p;
    cl_forward_default(&a->fo);
    a->maps = "all";
}

#define A forward_args
static const cli_opt OPTS[] = {
    {.name = "--model", .arg = "DIR", .type = OPT_STR, .off = offsetof(A, dir), .def = CLI_MODEL_DEFAULT,
     .help = "the checkpoint folder"},
    {.name = "--context", .arg = "CSV", .type = OPT_STR, .off = offsetof(A, ctx_path), .flags = OPT_REQUIRED,
     .help = "one column per series, time down the rows"},
    {.name = "--decoder-ids", .arg = "CSV", .type = OPT_STR, .off = offsetof(A, ids_path), .def = "the decoder start token",
     .help = "one row of decoder token ids per series (T5 only)"},
    {.name = "--out", .arg = "FILE", .type = OPT_STR, .off = offsetof(A, out_path), .flags = OPT_REQUIRED,
     .help = "the .safetensors file written"},
    {.name = "--maps", .arg = "enc,dec,cross", .type = OPT_STR, .off = offsetof(A, maps),
     .help = "attention maps kept (or none); T5; Chronos-2: time,group,hidden (the hidden states too)"},
    {.name = "--layers", .arg = "L,...", .type = OPT_INTS, .off = offsetof(A, fo.layers), .noff = offsetof(A, fo.n_layers),
     .ilo = 0, .ihi = 1023, .max = CL_FORWARD_MAX_SEL, .def = "all",
     .help = "layers whose maps (Chronos-2: and hidden states) are kept; T5, Chronos-2"},
    {.name = "--heads", .arg = "H,...", .type = OPT_INTS, .off = offsetof(A, fo.heads), .noff = offsetof(A, fo.n_heads),
     .ilo = 0, .ihi = 1023, .max = CL_FORWARD_MAX_SEL, .def = "all",
     .help = "heads kept in every kept map (listed in a 'heads' tensor); T5, Chronos-2"},
    {.name = "--rows", .arg = "T,...", .type = OPT_INTS, .off = offsetof(A, fo.rows), .noff = offsetof(A, fo.n_rows),
     .ilo = -1000000, .ihi = 1000000, .max = CL_FORWARD_MAX_SEL, .def = "all",
     .help = "query tokens kept in the time maps (negative: from the end, -1 the last future token; "
             "listed in a 'rows' tensor); Chronos-2 only"},
    {.name = "--group-tokens", .arg = "T,...", .type = OPT_INTS, .off = offsetof(A, fo.group_tokens),
     .noff = offsetof(A, fo.n_group_tokens), .ilo = -1000000, .ihi = 1000000, .max = CL_FORWARD_MAX_SEL, .def = "all",
     .help = "tokens whose group maps are kept, (tokens, heads, B, B) (negative: from the end; listed in a "
             "'group_tokens' tensor); Chronos-2 only"},
    {.name = "--chunk", .arg = "N", .type = OPT_INT, .off = offsetof(A, fo.chunk), .ilo = 1, .ihi = 1000000,
     .def = "auto (256 MiB a chunk)", .help = "series run together; the file does not depend on it"},
    {.name = "--group-ids", .arg = "G,...", .type = OPT_STR, .off = offsetof(A, group_ids),
     .def = "every series its own group", .help = "the group of each series, in the context's column order (Chronos-2 only)"},
    {.name = "--cross-learning", .type = OPT_FLAG, .off = offsetof(A, fo.cross_learning),
     .help = "every series in one group (Chronos-2 only)"},
    {.name = "--future-covariates", .arg = "CSV", .type = OPT_STR, .off = offsetof(A, fc_path), .def = "none",
     .help = "one column per context column, a row per future step, empty = unknown (Chronos-2 only)"},
    {.name = "--output-patches", .arg = "N", .type = OPT_INT, .off = offsetof(A, fo.output_patches), .ilo = 1,
     .ihi = 65536, .def = "the model's max_output_patches", .help = "future tokens of the pass (Chronos-2 only)"},
    CLI_PRECISION(A, precision),
    {NULL},
};
#undef A

const cli_cmd CMD_FORWARD = {
    .name = "forward",
    .summary = "tokenize, run the model, write token ids, mask, scale, encoder output, attention maps, logits "
               "(Chronos-Bolt: every tensor of its golden; Chronos-2: every tensor of its golden or the maps, layers, heads, "
               "rows and group tokens selected)",
    .example = "chronolens forward --context series.csv --out fwd.safetensors",
    .opts = OPTS, .size = sizeof(forward_args), .init = init, .run = cmd_forward,
};

/* Chronos-2's --maps time,group,hidden (or all, none) */
static int parse_c2_maps(const char *v, int *maps) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s", v);
    *maps = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ') t++;
        if (!strcmp(t, "time")) *maps |= CL_C2_TIME;
        else if (!strcmp(t, "group")) *maps |= CL_C2_GROUP;
        else if (!strcmp(t, "hidden")) *maps |= CL_C2_HIDDEN;
        else if (!strcmp(t, "all")) *maps = CL_C2_ALL;
        else if (strcmp(t, "none") != 0)
            return cli_fail("option --maps: '%s' is not a list of time, group, hidden (or all, none): a Chronos-2 model's", v);
    }
    return 0;
}

/* --maps enc,dec,cross (or all, none) */
static int parse_maps(const char *v, int keep[CL_NSTACKS]) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s", v);
    memset(keep, 0, sizeof(int) * CL_NSTACKS);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ') t++;
        if (!strcmp(t, "enc")) keep[CL_ENC_SELF] = 1;
        else if (!strcmp(t, "dec")) keep[CL_DEC_SELF] = 1;
        else if (!strcmp(t, "cross")) keep[CL_CROSS] = 1;
        else if (!strcmp(t, "all")) keep[0] = keep[1] = keep[2] = 1;
        else if (strcmp(t, "none") != 0)
            return cli_fail("option --maps: '%s' is not a list of enc, dec, cross (or all, none)", v);
    }
    return 0;
}

int cmd_forward(int argc, char **argv) {
    forward_args a;
    cli_parsed p;
    if (cli_parse(&CMD_FORWARD, &a, argc, argv, &p)) return EXIT_BAD;
    cli_ui *ui = &a.ui;
    const char *dir = a.dir ? a.dir : cli_default_model();
    cl_forward_opts fo = a.fo;
    if (cli_out_file("forward", a.out_path)) return EXIT_BAD;
    fo.decoder_ids_csv = a.ids_path;
    fo.progress = cli_progress_of(ui);
    int *gids = NULL;
    if (a.group_ids && cli_parse_group_ids("--group-ids", a.group_ids, &gids, &fo.n_group_ids)) return EXIT_BAD;
    fo.group_ids = gids;
    cl_error err = {0};
    cl_model *m = NULL;
    cl_context ctx = {0}, fc = {0};
    const cl_load_opts lo = {a.precision};
    cli_precision_note(a.precision);
    int rc = cl_model_load(dir, &lo, &m, &err);
    if (!rc) { /* --maps names the family's stacks */
        const int bad = cl_model_is_chronos2(m) ? parse_c2_maps(a.maps, &fo.c2_maps) : parse_maps(a.maps, fo.keep);
        if (bad) {
            cl_model_free(m);
            free(gids);
            return EXIT_BAD;
        }
    }
    if (!rc) rc = cl_forward_check(m, &fo, &err); /* the selection against the model, before any work */
    if (!rc) rc = cl_context_read(a.ctx_path, &ctx, &err);
    if (!rc && a.fc_path) { /* a column per context column, a row per future step */
        rc = cl_context_read(a.fc_path, &fc, &err);
        if (!rc && fc.B != ctx.B)
            rc = cl_error_set(&err, CL_EFORMAT, "%s: %d columns, but the context %s has %d", a.fc_path, fc.B, a.ctx_path,
                              ctx.B);
        fo.future_covariates = fc.values;
        fo.F = fc.L;
    }
    if (!rc) cli_warn_empty_series(ui, a.ctx_path, ctx.values, ctx.B, ctx.L, NULL);
    if (!rc) rc = cl_forward_stream(m, &ctx, &fo, a.out_path, &err);
    cli_progress_done(ui);
    cl_context_free(&ctx);
    cl_context_free(&fc);
    free(gids);
    cl_model_free(m);
    if (rc) return cli_fail_err(&err);
    if (!ui->quiet) fprintf(stderr, "wrote %s\n", a.out_path);
    return 0;
}
