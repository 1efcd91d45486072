/* chronolens forward — tokenize a context CSV, run the model, write every tensor the
 * reference writes (token ids, mask, scale, encoder output, attention maps, logits), or the
 * maps, layers and heads selected (cl_forward_stream). Series run in chunks written into one
 * file, so memory is bounded by a chunk, not by the batch. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

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
    cli_ui ui = CLI_UI_INIT;
    const char *dir = NULL, *ctx_path = NULL, *ids_path = NULL, *out_path = NULL, *maps = "all";
    long layers[CL_FORWARD_MAX_SEL], heads[CL_FORWARD_MAX_SEL], chunk = 0;
    cl_forward_opts fo;
    cl_forward_default(&fo);
    cl_precision precision = CL_FP32;
    for (int i = 1; i < argc; i++) {
        int r = opt_common(argc, argv, &i, &ui);
        if (!r) r = opt_precision(argc, argv, &i, &precision);
        if (!r) r = opt_str(argc, argv, &i, "--model", &dir);
        if (!r) r = opt_str(argc, argv, &i, "--context", &ctx_path);
        if (!r) r = opt_str(argc, argv, &i, "--decoder-ids", &ids_path);
        if (!r) r = opt_str(argc, argv, &i, "--out", &out_path);
        if (!r) r = opt_str(argc, argv, &i, "--maps", &maps);
        if (!r) r = opt_long_list(argc, argv, &i, "--layers", 0, 1023, layers, CL_FORWARD_MAX_SEL, &fo.n_layers);
        if (!r) r = opt_long_list(argc, argv, &i, "--heads", 0, 1023, heads, CL_FORWARD_MAX_SEL, &fo.n_heads);
        if (!r) r = opt_int(argc, argv, &i, "--chunk", 1, 1000000, &chunk);
        if (r < 0) return EXIT_BAD;
        if (!r) return cli_fail("forward: unknown argument '%s'", argv[i]);
    }
    if (!dir) dir = cli_default_model();
    if (!ctx_path || !out_path)
        return cli_fail("forward: usage: chronolens forward [--model DIR] --context CSV [--decoder-ids CSV] --out OUT.safetensors "
                        "[--maps enc,dec,cross] [--layers L,..] [--heads H,..] [--chunk N]");
    if (parse_maps(maps, fo.keep)) return EXIT_BAD;
    if (cli_out_file("forward", out_path)) return EXIT_BAD;
    for (int k = 0; k < fo.n_layers; k++) fo.layers[k] = (int)layers[k];
    for (int k = 0; k < fo.n_heads; k++) fo.heads[k] = (int)heads[k];
    fo.chunk = (int)chunk;
    fo.decoder_ids_csv = ids_path;
    fo.progress = cli_progress_of(&ui);
    cl_error err = {0};
    cl_model *m = NULL;
    cl_context ctx = {0};
    const cl_load_opts lo = {precision};
    cli_precision_note(precision);
    int rc = cl_model_load(dir, &lo, &m, &err);
    if (!rc) rc = cl_forward_check(m, &fo, &err); /* the selection against the model, before any work */
    if (!rc) rc = cl_context_read(ctx_path, &ctx, &err);
    if (!rc) cli_warn_empty_series(&ui, ctx_path, ctx.values, ctx.B, ctx.L, NULL);
    if (!rc) rc = cl_forward_stream(m, &ctx, &fo, out_path, &err);
    cli_progress_done(&ui);
    cl_context_free(&ctx);
    cl_model_free(m);
    if (rc) return cli_fail_err(&err);
    if (!ui.quiet) fprintf(stderr, "wrote %s\n", out_path);
    return 0;
}
