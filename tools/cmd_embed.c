/* chronolens embed — the encoder's last hidden state of each series (ChronosPipeline.embed):
 * (series, tokens incl. EOS, d_model) as .npy, and the tokenizer scales (cl_embed_run). */
#include "cli.h"

#include <stdlib.h>

int cmd_embed(int argc, char **argv) {
    cli_ui ui = CLI_UI_INIT;
    const char *dir = NULL, *ctx_path = NULL, *out = NULL, *scales_out = NULL;
    long batch = 16;
    cl_precision precision = CL_FP32;
    for (int i = 1; i < argc; i++) {
        int r = opt_common(argc, argv, &i, &ui);
        if (!r) r = opt_precision(argc, argv, &i, &precision);
        if (!r) r = opt_str(argc, argv, &i, "--model", &dir);
        if (!r) r = opt_str(argc, argv, &i, "--context", &ctx_path);
        if (!r) r = opt_str(argc, argv, &i, "--out", &out);
        if (!r) r = opt_str(argc, argv, &i, "--scales-out", &scales_out);
        if (!r) r = opt_int(argc, argv, &i, "--batch", 1, 4096, &batch);
        if (r < 0) return EXIT_BAD;
        if (!r) return cli_fail("embed: unknown argument '%s'", argv[i]);
    }
    if (!dir) dir = cli_default_model();
    if (!ctx_path || !out)
        return cli_fail("embed: usage: chronolens embed [--model DIR] --context CSV --out OUT.npy [--scales-out SCALES.npy] [--batch N]");
    if (cli_out_file("embed", out) || cli_out_file("embed", scales_out)) return EXIT_BAD;
    cl_embed_opts eo;
    cl_embed_default(&eo);
    eo.batch = (int)batch;
    eo.progress = cli_progress_of(&ui);
    cl_error err = {0};
    cl_model *m = NULL;
    cl_context ctx = {0};
    cl_embed_result r = {0};
    const cl_load_opts lo = {precision};
    cli_precision_note(precision);
    int rc = cl_model_load(dir, &lo, &m, &err);
    if (!rc) rc = cl_context_read(ctx_path, &ctx, &err);
    if (!rc) cli_warn_empty_series(&ui, ctx_path, ctx.values, ctx.B, ctx.L, NULL);
    if (!rc) rc = cl_embed_run(m, &ctx, &eo, &r, &err);
    cli_progress_done(&ui);
    if (!rc) rc = cl_embed_write(&r, out, scales_out, &err);
    cl_embed_free(&r);
    cl_context_free(&ctx);
    cl_model_free(m);
    if (rc) return cli_fail_err(&err);
    if (!ui.quiet) fprintf(stderr, "wrote %s\n", out);
    return 0;
}
