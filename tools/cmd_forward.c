/* chronolens forward — tokenize a context CSV, run the model, write every tensor the
 * reference writes (token ids, mask, scale, encoder output, attention maps, logits), or the
 * maps, layers and heads selected. Series run in chunks written into one file, so memory is
 * bounded by a chunk, not by the batch. */
#include "cli.h"
#include "bolt_cli.h"
#include "../src/core/core.h"
#include "../src/io/csv.h"
#include "../src/io/safetensors.h"

#include <stdlib.h>
#include <string.h>

/* Decoder positions per row: every kept map is (H, Td, Td) per series and layer. */
#define FORWARD_MAX_DECODER 4096
/* Default chunk: as many series as keep a chunk's outputs within this many bytes */
#define FORWARD_CHUNK_BYTES ((size_t)256 << 20)
#define MAX_SEL 1024

static const char *STACK_NAME[CL_NSTACKS] = {"enc_attn", "dec_attn", "cross_attn"};

typedef struct {
    int keep[CL_NSTACKS];
    long layers[MAX_SEL], heads[MAX_SEL];
    int nl, nh; /* 0: all */
} selection;

/* --maps enc,dec,cross (or all, none) */
static int parse_maps(const char *v, selection *sel) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s", v);
    memset(sel->keep, 0, sizeof sel->keep);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ') t++;
        if (!strcmp(t, "enc")) sel->keep[CL_ENC_SELF] = 1;
        else if (!strcmp(t, "dec")) sel->keep[CL_DEC_SELF] = 1;
        else if (!strcmp(t, "cross")) sel->keep[CL_CROSS] = 1;
        else if (!strcmp(t, "all")) sel->keep[0] = sel->keep[1] = sel->keep[2] = 1;
        else if (strcmp(t, "none") != 0)
            return cli_fail("option --maps: '%s' is not a list of enc, dec, cross (or all, none)", v);
    }
    return 0;
}

/* every index below n, none twice */
static int check_list(const char *opt, const long *v, int n, long lim, const char *what) {
    for (int i = 0; i < n; i++) {
        if (v[i] >= lim) return cli_fail("option %s: %ld is not below the model's %ld %s", opt, v[i], lim, what);
        for (int j = 0; j < i; j++)
            if (v[j] == v[i]) return cli_fail("option %s: %ld given twice", opt, v[i]);
    }
    return 0;
}

int cmd_forward(int argc, char **argv) {
    cli_ui ui = CLI_UI_INIT;
    const char *dir = NULL, *ctx_path = NULL, *ids_path = NULL, *out_path = NULL, *maps = "all";
    selection sel = {{1, 1, 1}, {0}, {0}, 0, 0};
    long chunk = 0;
    int selecting = 0; /* --maps, --layers, --heads or --chunk given (T5 only) */
    for (int i = 1; i < argc; i++) {
        int r = opt_common(argc, argv, &i, &ui);
        if (!r) r = opt_str(argc, argv, &i, "--model", &dir);
        if (!r) r = opt_str(argc, argv, &i, "--context", &ctx_path);
        if (!r) r = opt_str(argc, argv, &i, "--decoder-ids", &ids_path);
        if (!r) r = opt_str(argc, argv, &i, "--out", &out_path);
        const int before = r;
        if (!r) r = opt_str(argc, argv, &i, "--maps", &maps);
        if (!r) r = opt_long_list(argc, argv, &i, "--layers", 0, 1023, sel.layers, MAX_SEL, &sel.nl);
        if (!r) r = opt_long_list(argc, argv, &i, "--heads", 0, 1023, sel.heads, MAX_SEL, &sel.nh);
        if (!r) r = opt_int(argc, argv, &i, "--chunk", 1, 1000000, &chunk);
        if (!before && r == 1) selecting = 1;
        if (r < 0) return EXIT_BAD;
        if (!r) return cli_fail("forward: unknown argument '%s'", argv[i]);
    }
    if (!dir) dir = cli_default_model();
    if (!ctx_path || !out_path)
        return cli_fail("forward: usage: chronolens forward [--model DIR] --context CSV [--decoder-ids CSV] --out OUT.safetensors "
                        "[--maps enc,dec,cross] [--layers L,..] [--heads H,..] [--chunk N]");
    if (parse_maps(maps, &sel)) return EXIT_BAD;
    if (cli_out_file("forward", out_path)) return EXIT_BAD;
    cl_error err = {0};
    cl_model *m = NULL;
    cl_state *s = NULL;
    float *ctx = NULL;
    int32_t *dec = NULL, *ids = NULL;
    uint8_t *mask = NULL;
    int64_t *ids64 = NULL, *mask64 = NULL, *heads64 = NULL;
    float *scale = NULL;
    st_writer *w = NULL;
    int B, L, Bd = 0, Td = 1, rc = 0;
    if ((rc = cl_model_load(dir, &m, &err))) goto done;
    const cl_config *c = cl_model_config(m);
    if (cl_model_is_bolt(m) && selecting) {
        rc = cl_error_set(&err, CL_EINVAL, "forward: --maps, --layers, --heads and --chunk select T5 attention maps; a "
                          "Chronos-Bolt forward writes every tensor of its golden");
        goto done;
    }
    {
        const int nlay[CL_NSTACKS] = {c->num_layers, c->num_decoder_layers, c->num_decoder_layers};
        for (int st = 0; st < CL_NSTACKS; st++)
            if (sel.keep[st] && check_list("--layers", sel.layers, sel.nl, nlay[st], st ? "decoder layers" : "encoder layers")) {
                cl_model_free(m);
                return EXIT_BAD;
            }
        if (check_list("--heads", sel.heads, sel.nh, c->num_heads, "heads")) { cl_model_free(m); return EXIT_BAD; }
    }
    if ((rc = csv_read_context(ctx_path, &ctx, &B, &L, NULL, &err))) goto done;
    if (L == 0) { rc = cl_error_set(&err, CL_EFORMAT, "%s: no values", ctx_path); goto done; }
    cli_warn_empty_series(&ui, ctx_path, ctx, B, L, NULL);
    if (cl_model_is_bolt(m)) { /* one query, no decoder ids */
        if (ids_path) rc = cl_error_set(&err, CL_EINVAL, "forward: --decoder-ids: a Chronos-Bolt decoder has one fixed query");
        else rc = bolt_forward(m, ctx, B, L, out_path, &err);
        goto done;
    }
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
        for (int b = 0; dec && b < B; b++) dec[b] = c->decoder_start_token_id;
    }
    const int T = cl_tokenizer_length(c, L), d = c->d_model, V = c->vocab_size;
    ids = malloc(sizeof *ids * (size_t)B * T);
    mask = malloc((size_t)B * T);
    scale = malloc(sizeof *scale * (size_t)B);
    ids64 = malloc(sizeof *ids64 * (size_t)B * T);
    mask64 = malloc(sizeof *mask64 * (size_t)B * T);
    if (!ids || !mask || !scale || !dec || !ids64 || !mask64) {
        rc = cl_error_set(&err, CL_ENOMEM, "%s: out of memory for %d series", ctx_path, B);
        goto done;
    }
    if ((rc = cl_tokenizer_encode(c, ctx, B, L, ids, mask, scale, &err))) goto done;
    for (size_t i = 0; i < (size_t)B * T; i++) { ids64[i] = ids[i]; mask64[i] = mask[i]; }

    /* what is kept, per series: the chunk's memory and the file's layout */
    const int Hs = sel.nh ? sel.nh : c->num_heads;
    const int nlay[CL_NSTACKS] = {c->num_layers, c->num_decoder_layers, c->num_decoder_layers};
    const int rows[CL_NSTACKS] = {T, Td, Td}, keys[CL_NSTACKS] = {T, Td, T};
    size_t per_series = sizeof(float) * ((size_t)T * d + (size_t)Td * V);
    for (int st = 0; st < CL_NSTACKS; st++)
        if (sel.keep[st]) per_series += sizeof(float) * (size_t)(sel.nl ? sel.nl : nlay[st]) * Hs * rows[st] * keys[st];
    int nb = chunk ? (int)(chunk < B ? chunk : B) : (int)(FORWARD_CHUNK_BYTES / per_series);
    if (nb < 1) nb = 1;
    if (nb > B) nb = B;

    w = st_writer_new();
    if (!w) { rc = cl_error_set(&err, CL_ENOMEM, "%s: out of memory", out_path); goto done; }
    int64_t sh[4] = {B, T};
    st_writer_add(w, "token_ids", ST_I64, 2, sh, NULL);
    st_writer_add(w, "attention_mask", ST_I64, 2, sh, NULL);
    int64_t sb[1] = {B};
    st_writer_add(w, "scale", ST_F32, 1, sb, NULL);
    int64_t se[3] = {B, T, d};
    st_writer_add(w, "encoder_hidden", ST_F32, 3, se, NULL);
    char name[64];
    for (int st = 0; st < CL_NSTACKS; st++) {
        if (!sel.keep[st]) continue;
        int64_t s4[4] = {B, Hs, rows[st], keys[st]};
        for (int k = 0; k < (sel.nl ? sel.nl : nlay[st]); k++) {
            snprintf(name, sizeof name, "%s.%ld", STACK_NAME[st], sel.nl ? sel.layers[k] : k);
            st_writer_add(w, name, ST_F32, 4, s4, NULL);
        }
    }
    if (sel.nh) { /* the heads kept, in the maps' order */
        int64_t shh[1] = {sel.nh};
        st_writer_add(w, "heads", ST_I64, 1, shh, NULL);
        heads64 = malloc(sizeof *heads64 * (size_t)sel.nh);
        if (!heads64) { rc = cl_error_set(&err, CL_ENOMEM, "%s: out of memory", out_path); goto done; }
        for (int k = 0; k < sel.nh; k++) heads64[k] = sel.heads[k];
    }
    int64_t sl[3] = {B, Td, V};
    st_writer_add(w, "logits", ST_F32, 3, sl, NULL);
    if ((rc = st_writer_begin(w, out_path, NULL, &err))) goto done;
    if ((rc = st_writer_put(w, "token_ids", 0, ids64, sizeof *ids64 * (size_t)B * T, &err)) ||
        (rc = st_writer_put(w, "attention_mask", 0, mask64, sizeof *mask64 * (size_t)B * T, &err)) ||
        (rc = st_writer_put(w, "scale", 0, scale, sizeof *scale * (size_t)B, &err)) ||
        (heads64 && (rc = st_writer_put(w, "heads", 0, heads64, sizeof *heads64 * (size_t)sel.nh, &err))))
        goto done;

    if ((rc = cl_state_new(m, &s, &err))) goto done;
    int lay[MAX_SEL], hd[MAX_SEL];
    for (int k = 0; k < sel.nl; k++) lay[k] = (int)sel.layers[k];
    for (int k = 0; k < sel.nh; k++) hd[k] = (int)sel.heads[k];
    for (int st = 0; st < CL_NSTACKS && !rc; st++) {
        cl_capture_spec spec = {.enabled = sel.keep[st], .n_layers = sel.nl, .layers = sel.nl ? lay : NULL,
                                .n_heads = sel.nh, .heads = sel.nh ? hd : NULL};
        rc = cl_state_set_capture(s, (cl_stack)st, &spec, &err);
    }
    for (int b0 = 0; b0 < B && !rc; b0 += nb) {
        const int n = B - b0 < nb ? B - b0 : nb;
        cli_progress(&ui, "forward", b0, B);
        if ((rc = cl_encode(s, ids + (size_t)b0 * T, mask + (size_t)b0 * T, n, T, &err))) break;
        if ((rc = cl_decode(s, dec + (size_t)b0 * Td, Td, 0, &err))) break;
        rc = st_writer_put(w, "encoder_hidden", sizeof(float) * (size_t)b0 * T * d, cl_state_encoder_hidden(s, NULL, NULL),
                           sizeof(float) * (size_t)n * T * d, &err);
        for (int st = 0; st < CL_NSTACKS && !rc; st++) {
            if (!sel.keep[st]) continue;
            int shape[5];
            const float *a = cl_state_attn(s, (cl_stack)st, shape); /* (layers, n, Hs, rows, keys) */
            const size_t per = (size_t)shape[1] * shape[2] * shape[3] * shape[4], one = per / (size_t)n;
            for (int k = 0; k < shape[0] && !rc; k++) {
                snprintf(name, sizeof name, "%s.%ld", STACK_NAME[st], sel.nl ? sel.layers[k] : k);
                rc = st_writer_put(w, name, sizeof(float) * (size_t)b0 * one, a + k * per, sizeof(float) * per, &err);
            }
        }
        int Bl, Tl, Vl;
        const float *logits = cl_state_logits(s, &Bl, &Tl, &Vl); /* (n, Td, V) */
        if (!rc) rc = st_writer_put(w, "logits", sizeof(float) * (size_t)b0 * Td * V, logits, sizeof(float) * (size_t)n * Td * V, &err);
    }
    cli_progress_done(&ui);
    if (!rc) rc = st_writer_finish(w, &err);
done:
    st_writer_free(w); /* removes an unfinished temporary */
    free(ids64); free(mask64); free(heads64); free(ids); free(mask); free(scale); free(dec);
    cl_free(ctx);
    cl_state_free(s);
    cl_model_free(m);
    if (rc) return cli_fail_err(&err);
    if (!ui.quiet) fprintf(stderr, "wrote %s\n", out_path);
    return 0;
}
