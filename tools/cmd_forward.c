/* chronolens forward — tokenize a context CSV, run the model, write every tensor the
 * reference writes (token ids, mask, scale, encoder output, all attention maps, logits). */
#include "cli.h"
#include "../src/core/core.h"
#include "../src/io/csv.h"
#include "../src/io/safetensors.h"

#include <stdlib.h>
#include <string.h>

static void layer_progress(void *ctx, int done, int total) {
    (void)ctx;
    progress("forward", done, total);
}

/* Decoder positions per row: every kept map is (H, Td, Td) per series and layer. */
#define FORWARD_MAX_DECODER 4096

int cmd_forward(int argc, char **argv) {
    const char *dir = NULL, *ctx_path = NULL, *ids_path = NULL, *out_path = NULL;
    for (int i = 1; i < argc; i++) {
        int r = opt_common(argc, argv, &i);
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
    if (cli_out_file("forward", out_path)) return EXIT_BAD;
    cl_error err = {0};
    cl_model *m = NULL;
    cl_state *s = NULL;
    float *ctx = NULL, *dec_hidden = NULL;
    int32_t *dec = NULL, *ids = NULL;
    uint8_t *mask = NULL;
    int64_t *ids64 = NULL, *mask64 = NULL;
    float *scale = NULL;
    st_writer *w = NULL;
    int B, L, Bd = 0, Td = 1, rc = 0;
    (void)dec_hidden;
    if ((rc = cl_model_load(dir, &m, &err))) goto done;
    const cl_config *c = cl_model_config(m);
    if ((rc = csv_read_context(ctx_path, &ctx, &B, &L, NULL, &err))) goto done;
    if (L == 0) { rc = cl_error_set(&err, CL_EFORMAT, "%s: no values", ctx_path); goto done; }
    cli_warn_empty_series(ctx_path, ctx, B, L, NULL);
    if (ids_path) {
        if ((rc = csv_read_ids(ids_path, &dec, &Bd, &Td, &err))) goto done;
        if (Td > FORWARD_MAX_DECODER) { /* the (H, Td, Td) maps grow quadratically */
            rc = cl_error_set(&err, CL_EFORMAT, "%s: %d decoder ids per row (at most %d)", ids_path, Td,
                              FORWARD_MAX_DECODER);
            goto done;
        }
        if (Bd != B) {
            rc = cl_error_set(&err, CL_EFORMAT, "%s: %d rows of decoder ids for %d series in %s", ids_path, Bd, B, ctx_path);
            goto done;
        }
        for (size_t i = 0; i < (size_t)B * Td; i++)
            if (dec[i] >= c->vocab_size) {
                rc = cl_error_set(&err, CL_EFORMAT, "%s: token id %d outside the vocabulary [0, %d)", ids_path, dec[i], c->vocab_size);
                goto done;
            }
    } else {
        dec = calloc((size_t)B, sizeof *dec);
        for (int b = 0; b < B; b++) dec[b] = c->decoder_start_token_id;
    }
    int T = cl_tokenizer_length(c, L);
    ids = malloc(sizeof *ids * (size_t)B * T);
    mask = malloc((size_t)B * T);
    scale = malloc(sizeof *scale * (size_t)B);
    if (!ids || !mask || !scale || (!ids_path && !dec)) {
        rc = cl_error_set(&err, CL_ENOMEM, "%s: out of memory for %d series", ctx_path, B);
        goto done;
    }
    if ((rc = cl_tokenizer_encode(c, ctx, B, L, ids, mask, scale, &err))) goto done;
    if ((rc = cl_state_new(m, &s, &err))) goto done;
    cl_state_capture_all(s);
    cl_state_set_progress(s, layer_progress, NULL);
    progress("forward", 0, 1);
    if ((rc = cl_encode(s, ids, mask, B, T, &err))) goto done;
    if ((rc = cl_decode(s, dec, Td, 0, &err))) goto done;
    progress_done();

    ids64 = malloc(sizeof *ids64 * (size_t)B * T);
    mask64 = malloc(sizeof *mask64 * (size_t)B * T);
    if (!ids64 || !mask64) {
        rc = cl_error_set(&err, CL_ENOMEM, "%s: out of memory writing the output", out_path);
        goto done;
    }
    for (size_t i = 0; i < (size_t)B * T; i++) { ids64[i] = ids[i]; mask64[i] = mask[i]; }
    w = st_writer_new();
    int64_t sh[4] = {B, T};
    st_writer_add(w, "token_ids", ST_I64, 2, sh, ids64);
    st_writer_add(w, "attention_mask", ST_I64, 2, sh, mask64);
    int64_t sb[1] = {B};
    st_writer_add(w, "scale", ST_F32, 1, sb, scale);
    int64_t se[3] = {B, T, c->d_model};
    st_writer_add(w, "encoder_hidden", ST_F32, 3, se, cl_state_encoder_hidden(s, NULL, NULL));
    static const char *names[CL_NSTACKS] = {"enc_attn", "dec_attn", "cross_attn"};
    char name[64];
    for (int st = 0; st < CL_NSTACKS; st++) {
        int shape[5];
        const float *a = cl_state_attn(s, (cl_stack)st, shape);
        size_t per = (size_t)shape[1] * shape[2] * shape[3] * shape[4];
        int64_t s4[4] = {shape[1], shape[2], shape[3], shape[4]};
        for (int l = 0; l < shape[0]; l++) {
            snprintf(name, sizeof name, "%s.%d", names[st], l);
            st_writer_add(w, name, ST_F32, 4, s4, a + l * per);
        }
    }
    int Bl, Tl, V;
    const float *logits = cl_state_logits(s, &Bl, &Tl, &V);
    int64_t sl[3] = {Bl, Tl, V};
    st_writer_add(w, "logits", ST_F32, 3, sl, logits);
    rc = st_writer_save(w, out_path, NULL, &err);
done:
    st_writer_free(w);
    free(ids64); free(mask64); free(ids); free(mask); free(scale); free(dec);
    cl_free(ctx);
    cl_state_free(s);
    cl_model_free(m);
    if (rc) return cli_fail_err(&err);
    if (!cli_quiet) fprintf(stderr, "wrote %s\n", out_path);
    return 0;
}
