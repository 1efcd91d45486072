/* chronolens embed — the encoder's last hidden state of each series (ChronosPipeline.embed):
 * (series, tokens incl. EOS, d_model) as .npy, and the tokenizer scales. */
#include "cli.h"
#include "bolt_cli.h"
#include "../src/core/core.h"
#include "../src/io/csv.h"
#include "../src/io/npy.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cmd_embed(int argc, char **argv) {
    cli_ui ui = CLI_UI_INIT;
    const char *dir = NULL, *ctx_path = NULL, *out = NULL, *scales_out = NULL;
    long batch = 16;
    for (int i = 1; i < argc; i++) {
        int r = opt_common(argc, argv, &i, &ui);
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
    cl_error err = {0};
    cl_model *m = NULL;
    cl_state *s = NULL;
    float *ctx = NULL, *emb = NULL, *scale = NULL;
    int32_t *ids = NULL;
    uint8_t *mask = NULL;
    int B, L, rc = 0, wrote = 0;
    if ((rc = cl_model_load(dir, &m, &err))) goto done;
    const cl_config *c = cl_model_config(m);
    if ((rc = csv_read_context(ctx_path, &ctx, &B, &L, NULL, &err))) goto done;
    if (L == 0) { rc = cl_error_set(&err, CL_EFORMAT, "%s: no values", ctx_path); goto done; }
    cli_warn_empty_series(&ui, ctx_path, ctx, B, L, NULL);
    const int bolt = cl_model_is_bolt(m);
    const int T = bolt ? cl_bolt_num_tokens(c, L) : cl_tokenizer_length(c, L), d = c->d_model;
    size_t n;
    if (cl_mul_size((size_t)B * T, (size_t)d, &n) || !(emb = malloc(sizeof(float) * n))) {
        rc = cl_error_set(&err, CL_ENOMEM, "embed: %d series x %d tokens x %d is too large", B, T, d);
        goto done;
    }
    if (bolt) { /* patches [+ REG], and (loc, scale) per series */
        if (!(scale = malloc(sizeof(float) * 2 * (size_t)B))) { rc = cl_error_set(&err, CL_ENOMEM, "embed: out of memory"); goto done; }
        cl_progress pr = cli_progress_of(&ui);
        if ((rc = bolt_embed(m, ctx, B, L, (int)batch, emb, scale, &pr, &err))) goto done;
        goto write;
    }
    ids = malloc(sizeof(int32_t) * (size_t)B * T);
    mask = malloc((size_t)B * T);
    scale = malloc(sizeof(float) * (size_t)B);
    if (!ids || !mask || !scale) { rc = cl_error_set(&err, CL_ENOMEM, "embed: out of memory"); goto done; }
    if ((rc = cl_tokenizer_encode(c, ctx, B, L, ids, mask, scale, &err))) goto done;
    if ((rc = cl_state_new(m, &s, &err))) goto done;
    for (int b0 = 0; b0 < B; b0 += (int)batch) {
        int nb = B - b0 < batch ? B - b0 : (int)batch;
        cli_progress(&ui, "embed", b0, B);
        if ((rc = cl_encode(s, ids + (size_t)b0 * T, mask + (size_t)b0 * T, nb, T, &err))) goto done;
        memcpy(emb + (size_t)b0 * T * d, cl_state_encoder_hidden(s, NULL, NULL), sizeof(float) * (size_t)nb * T * d);
    }
    cli_progress_done(&ui);
write:;
    int64_t sh[3] = {B, T, d}, sb[2] = {B, 2};
    if (scales_out) {
        if ((rc = npy_write_f32(scales_out, scale, bolt ? 2 : 1, sb, &err))) goto done;
        wrote = 1;
    }
    rc = npy_write_f32(out, emb, 3, sh, &err);
done:
    if (rc && wrote) unlink(scales_out);
    free(ids); free(mask); free(scale); free(emb);
    cl_free(ctx);
    cl_state_free(s);
    cl_model_free(m);
    if (rc) return cli_fail_err(&err);
    if (!ui.quiet) fprintf(stderr, "wrote %s\n", out);
    return 0;
}
