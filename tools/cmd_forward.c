/* chronolens forward — tokenize a context CSV, run the model, write every tensor the
 * reference writes (token ids, mask, scale, encoder output, all attention maps, logits;
 * cl_forward_run). */
#include "cli.h"

#include <stdlib.h>

int cmd_forward(int argc, char **argv) {
    cli_ui ui = CLI_UI_INIT;
    const char *dir = NULL, *ctx_path = NULL, *ids_path = NULL, *out_path = NULL;
    for (int i = 1; i < argc; i++) {
        int r = opt_common(argc, argv, &i, &ui);
        if (!r) r = opt_str(argc, argv, &i, "--model", &dir);
        if (!r) r = opt_str(argc, argv, &i, "--context", &ctx_path);
        if (!r) r = opt_str(argc, argv, &i, "--decoder-ids", &ids_path);
        if (!r) r = opt_str(argc, argv, &i, "--out", &out_path);
        if (r < 0) return EXIT_BAD;
        if (!r) return cli_fail("forward: unknown argument '%s'", argv[i]);
    }
    if (!dir) dir = cli_default_model();
    if (!ctx_path || !out_path)
        return cli_fail("forward: usage: chronolens forward [--model DIR] --context CSV [--decoder-ids CSV] --out OUT.safetensors");
    cl_forward_opts fo;
    cl_forward_default(&fo);
    fo.decoder_ids_csv = ids_path;
    fo.progress = cli_progress_of(&ui);
    cl_error err = {0};
    cl_model *m = NULL;
    cl_context ctx = {0};
    cl_forward_result r = {0};
    int rc = cl_model_load(dir, &m, &err);
    if (!rc) rc = cl_context_read(ctx_path, &ctx, &err);
    if (!rc) rc = cl_forward_run(m, &ctx, &fo, &r, &err);
    cli_progress_done(&ui);
    if (!rc) rc = cl_forward_write(&r, out_path, &err);
    cl_forward_free(&r);
    cl_context_free(&ctx);
    cl_model_free(m);
    if (rc) return cli_fail_err(&err);
    if (!ui.quiet) fprintf(stderr, "wrote %s\n", out_path);
    return 0;
}
