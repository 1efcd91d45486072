/* test_cli.c — the chronolens command end to end, for every model family: every kind of bad
 * input (checkpoint files, config.json, CSV, options) is one line naming the file and the
 * problem, exit status 2, no crash, nothing left behind; `info` names what the model is.
 * Per family: T5's forward options (decoder ids, threads); Bolt's edge cases by invariance
 * (short, long, missing and constant contexts), its encoder on embeddings, the options that
 * mean nothing for it. The forward output against the golden files: test_golden.c. */
#include "testutil.h"
#include "core/core.h"
#include "io/csv.h"
#include "train/params.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SMALL CL_FIXTURES "/rand-small"
#define RAND CL_FIXTURES "/bolt-rand"
#define EDGE CL_FIXTURES "/bolt-edge"

/* ------------------------------------------------------------ helpers */

/* A copy of a fixture folder (config + weights) in the test's tmp dir. */
static const char *fresh(const char *src, const char *tag) {
    static char dir[512];
    snprintf(dir, sizeof dir, "%s/model-%s", test_tmpdir(), tag);
    assert_int_equal(run_cmd("rm -rf '%s' && mkdir -p '%s' && cp '%s/config.json' '%s/model.safetensors' '%s/' && "
                             "chmod -R u+w '%s'", dir, dir, src, src, dir, dir), 0);
    return dir;
}

/* Runs `chronolens ARGS --out OUT/x<ext>` (OUT an empty folder); asserts exit 2, one stderr
 * line containing `culprit` and `problem`, and no output file or temporary left behind. */
static void expect_bad(const char *args, const char *ext, const char *culprit, const char *problem) {
    char out[512], errlog[512];
    snprintf(out, sizeof out, "%s/outdir", test_tmpdir());
    run_cmd("rm -rf '%s' && mkdir -p '%s'", out, out);
    snprintf(errlog, sizeof errlog, "%s/stderr.txt", test_tmpdir());
    int rc = run_cmd("'%s' %s --out '%s/x%s' 2> '%s'", CL_CLI, args, out, ext, errlog);
    char *text = slurp(errlog);
    if (rc != 2) fail_msg("%s: exit status %d (want 2); stderr: %s", args, rc, text);
    int lines = 0;
    for (char *p = text; *p; p++) lines += *p == '\n';
    if (lines != 1) fail_msg("%s: stderr has %d lines (want 1): %s", args, lines, text);
    if (!strstr(text, culprit)) fail_msg("error does not name '%s': %s", culprit, text);
    if (!strstr(text, problem)) fail_msg("error does not say '%s': %s", problem, text);
    DIR *d = opendir(out);
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') fail_msg("%s: left behind %s", args, e->d_name);
    closedir(d);
    free(text);
}

/* `forward` on model and context: bad, as expect_bad says */
static void forward_bad(const char *model, const char *context, const char *culprit, const char *problem) {
    char args[2048];
    snprintf(args, sizeof args, "forward --model '%s' --context '%s'", model, context);
    expect_bad(args, ".safetensors", culprit, problem);
}

/* Edits DIR/config.json: sets chronos_config[key] (top: the top level's) to the JSON value
 * `val` (NULL: deletes). */
static void set_json(const char *dir, int top, const char *key, const char *val) {
    char p[1024];
    snprintf(p, sizeof p, "%s/config.json", dir);
    cJSON *r = read_json(p), *cc = top ? r : cJSON_GetObjectItem(r, "chronos_config");
    cJSON_DeleteItemFromObject(cc, key);
    if (val) cJSON_AddItemToObject(cc, key, cJSON_Parse(val));
    char *t = cJSON_Print(r);
    FILE *f = fopen(p, "w");
    fputs(t, f);
    fclose(f);
    free(t);
    cJSON_Delete(r);
}
static void set_cc(const char *dir, const char *key, const char *val) { set_json(dir, 0, key, val); }

/* Drops tensor `name` from DIR/model.safetensors' header. */
static void drop_tensor(const char *dir, const char *name) {
    char p[1024];
    snprintf(p, sizeof p, "%s/model.safetensors", dir);
    st_file f;
    cl_error err;
    if (st_open(p, &f, &err)) fail_msg("%s", err.msg);
    st_writer *w = st_writer_new();
    for (int i = 0; i < f.n; i++)
        if (strcmp(f.t[i].name, name)) st_writer_add(w, f.t[i].name, f.t[i].dtype, f.t[i].ndim, f.t[i].shape, f.t[i].data);
    char q[1100];
    snprintf(q, sizeof q, "%s.new", p);
    assert_int_equal(st_writer_save(w, q, "pt", &err), 0);
    st_writer_free(w);
    st_close(&f);
    assert_int_equal(rename(q, p), 0);
}

/* ------------------------------------------------------------ per family */

/* What each family's cases read: its bad config.json keys, tensors, and what `info` says. */
typedef struct bad_key { int top; const char *key, *val, *culprit, *problem; } bad_key;
typedef struct cli_family {
    const char *fixture, *context;  /* the fixture broken below, the context fed to it */
    const bad_key *keys;
    size_t nkeys;
    const char *tensors[5];         /* each one missing from the file: refused, named */
    const char *info_of;            /* the fixture `info` describes, and what it says */
    const char *info[4];
} cli_family;

/* T5: a config without its chronos_config (the tokenizer's settings) */
static const bad_key T5_KEYS[] = {{1, "chronos_config", NULL, "config.json", "chronos_config"}};
/* Bolt: the patching and the quantile head; the head's width is the file's against the
 * config's, so that error names the weights */
static const bad_key BOLT_KEYS[] = {
    {0, "input_patch_stride", "17", "config.json", "input_patch_stride (17) exceeds input_patch_size (16)"},
    {0, "input_patch_stride", "0", "config.json", "input_patch_stride = 0 is out of range"},
    {0, "input_patch_size", "0", "config.json", "input_patch_size = 0 is out of range"},
    {0, "input_patch_size", NULL, "config.json", "input_patch_size is missing"},
    {0, "quantiles", "[0.1, 0.3, 0.2]", "config.json", "quantiles are not strictly increasing"},
    {0, "quantiles", "[0.1, 0.5, 0.5]", "config.json", "quantiles are not strictly increasing"},
    {0, "quantiles", "[0.0, 0.5]", "config.json", "is not a level in (0, 1)"},
    {0, "quantiles", "[0.5, 1.0]", "config.json", "is not a level in (0, 1)"},
    {0, "quantiles", "[]", "config.json", "quantiles is missing or not a non-empty list"},
    {0, "prediction_length", "32", "model.safetensors",
     "output_patch_embedding emits 576 values, but len(quantiles) x prediction_length = 9 x 32 = 288"},
    {0, "quantiles", "[0.25, 0.5, 0.75]", "model.safetensors", "len(quantiles) x prediction_length = 3 x 64 = 192"},
    {0, "use_reg_token", "1", "config.json", "use_reg_token is not true/false"},
    {0, "context_length", "0", "config.json", "context_length = 0 is out of range"},
};

static const cli_family T5 = {SMALL, SMALL "/context.csv", T5_KEYS, sizeof T5_KEYS / sizeof *T5_KEYS,
                              {"encoder.final_layer_norm.weight", "shared.weight"},
                              SMALL, {"d_model          64", "F32"}};
static const cli_family BOLT = {RAND, RAND "/context.csv", BOLT_KEYS, sizeof BOLT_KEYS / sizeof *BOLT_KEYS,
                                {"output_patch_embedding.output_layer.bias", "input_patch_embedding.hidden_layer.bias",
                                 "input_patch_embedding.residual_layer.weight", "shared.weight"},
                                EDGE, {"Chronos-Bolt", "size 16, stride 8, [REG] token no", "BF16"}};

static const cli_family *family(void) { return cl_test_family_now()->family == CL_FAMILY_BOLT ? &BOLT : &T5; }

static void test_bad_config(void **st) {
    (void)st;
    const cli_family *F = family();
    for (size_t i = 0; i < F->nkeys; i++) {
        const bad_key *k = &F->keys[i];
        const char *d = fresh(F->fixture, "cfg");
        set_json(d, k->top, k->key, k->val);
        forward_bad(d, F->context, k->culprit, k->problem);
    }
}

static void test_bad_tensors(void **st) {
    (void)st;
    const cli_family *F = family();
    for (const char *const *name = F->tensors; *name; name++) {
        const char *d = fresh(F->fixture, "tensor");
        drop_tensor(d, *name);
        char problem[300];
        snprintf(problem, sizeof problem, "missing tensor '%s'", *name);
        forward_bad(d, F->context, d, problem);
    }
}

static void test_info(void **st) {
    (void)st;
    const cli_family *F = family();
    char out[512];
    snprintf(out, sizeof out, "%s/info.txt", test_tmpdir());
    assert_int_equal(run_cmd("'%s' info '%s' > '%s'", CL_CLI, F->info_of, out), 0);
    char *t = slurp(out);
    for (const char *const *s = F->info; *s; s++)
        if (!strstr(t, *s)) fail_msg("info %s does not say '%s': %s", F->info_of, *s, t);
    free(t);
}

/* ------------------------------------------------------------ T5: forward's options */

static void test_forward_default_decoder_ids(void **st) {
    (void)st;
    char out[512];
    snprintf(out, sizeof out, "%s/fwd-default.safetensors", test_tmpdir());
    assert_int_equal(run_cmd("'%s' forward -q --model " SMALL " --context " SMALL "/context.csv --out '%s'", CL_CLI, out), 0);
    st_file o;
    cl_error err;
    if (st_open(out, &o, &err)) fail_msg("%s", err.msg);
    const st_tensor *l = st_find(&o, "logits");
    assert_non_null(l);
    assert_int_equal(l->shape[1], 1); /* decoder start token only */
    st_close(&o);
}

/* The thread pool splits products by rows/columns and attention by head: the numbers
 * must not depend on the thread count. */
/* forward under 1, 2, 3 and 5 threads, fp32 and bf16: the same bytes (docs/numerics.md) */
static void test_forward_thread_invariance(void **st) {
    (void)st;
    static const int threads[] = {1, 2, 3, 5};
    static const char *precision[] = {"fp32", "bf16"};
    for (int p = 0; p < 2; p++)
        for (int t = 0; t < 4; t++) {
            char out[512];
            snprintf(out, sizeof out, "%s/threads%d-%s.safetensors", test_tmpdir(), threads[t], precision[p]);
            assert_int_equal(run_cmd("'%s' forward -q --threads %d --precision %s --model " SMALL " --context " SMALL
                                     "/context.csv --decoder-ids " SMALL "/decoder_input_ids.csv --out '%s'",
                                     CL_CLI, threads[t], precision[p], out), 0);
            if (t > 0)
                assert_int_equal(run_cmd("cmp -s '%s/threads1-%s.safetensors' '%s'", test_tmpdir(), precision[p], out), 0);
        }
}


/* ------------------------------------------------------------ bad checkpoint files (any family's format) */

/* Rewrites DIR/model.safetensors with its JSON header changed by `edit`. */
static void rewrite_header(const char *dir, void (*edit)(cJSON *root)) {
    char path[1024];
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    char *raw;
    size_t len;
    cl_error err;
    assert_int_equal(cl_read_file(path, 1 << 30, &raw, &len, &err), 0);
    uint64_t hn = 0;
    for (int i = 7; i >= 0; i--) hn = (hn << 8) | (unsigned char)raw[i];
    cJSON *root = cJSON_ParseWithLength(raw + 8, hn);
    assert_non_null(root);
    edit(root);
    char *h = cJSON_PrintUnformatted(root);
    uint64_t nh = strlen(h);
    FILE *f = fopen(path, "wb");
    for (int i = 0; i < 8; i++) fputc((int)((nh >> (8 * i)) & 0xff), f);
    fwrite(h, 1, nh, f);
    fwrite(raw + 8 + hn, 1, len - 8 - hn, f);
    fclose(f);
    free(h);
    free(raw);
    cJSON_Delete(root);
}

static void edit_offsets(cJSON *r) {
    cJSON *t = cJSON_GetObjectItem(r, "decoder.final_layer_norm.weight");
    cJSON *of = cJSON_GetObjectItem(t, "data_offsets");
    cJSON_ReplaceItemInArray(of, 0, cJSON_CreateNumber(1e9));
    cJSON_ReplaceItemInArray(of, 1, cJSON_CreateNumber(1e9 + 256));
}
static void edit_shape(cJSON *r) {
    cJSON *t = cJSON_GetObjectItem(r, "shared.weight");
    cJSON_ReplaceItemInArray(cJSON_GetObjectItem(t, "shape"), 1, cJSON_CreateNumber(63));
}
static void edit_missing(cJSON *r) { cJSON_DeleteItemFromObject(r, "decoder.final_layer_norm.weight"); }
static void edit_dtype(cJSON *r) {
    cJSON *t = cJSON_GetObjectItem(r, "shared.weight");
    cJSON_ReplaceItemInObject(t, "dtype", cJSON_CreateString("F8_E9M9"));
}
static void edit_overlap(cJSON *r) {
    cJSON *a = cJSON_GetObjectItem(r, "decoder.final_layer_norm.weight");
    cJSON *b = cJSON_GetObjectItem(r, "encoder.final_layer_norm.weight");
    cJSON *of = cJSON_GetObjectItem(a, "data_offsets");
    cJSON_ReplaceItemInObject(b, "data_offsets", cJSON_Duplicate(of, 1));
}

static void test_bad_truncated(void **st) {
    (void)st;
    const char *m = fresh(SMALL, "trunc");
    assert_int_equal(run_cmd("truncate -s 1000000 '%s/model.safetensors'", m), 0);
    forward_bad(m, SMALL "/context.csv", "model.safetensors", "outside the data area");
    assert_int_equal(run_cmd("truncate -s 5 '%s/model.safetensors'", m), 0);
    forward_bad(m, SMALL "/context.csv", "model.safetensors", "truncated");
}

static void test_bad_header_length(void **st) {
    (void)st;
    const char *m = fresh(SMALL, "hlen");
    assert_int_equal(run_cmd("printf '\\377\\377\\377\\377\\000\\000\\000\\000' | dd of='%s/model.safetensors' bs=1 "
                             "count=8 conv=notrunc status=none", m), 0);
    forward_bad(m, SMALL "/context.csv", "model.safetensors", "exceeds the file size");
}

static void test_bad_offsets(void **st) {
    (void)st;
    const char *m = fresh(SMALL, "offs");
    rewrite_header(m, edit_offsets);
    forward_bad(m, SMALL "/context.csv", "model.safetensors", "outside the data area");
}

static void test_bad_byte_size(void **st) {
    (void)st;
    const char *m = fresh(SMALL, "size");
    rewrite_header(m, edit_shape);
    forward_bad(m, SMALL "/context.csv", "shared.weight", "dtype x shape needs");
}

static void test_bad_overlap(void **st) {
    (void)st;
    const char *m = fresh(SMALL, "overlap");
    rewrite_header(m, edit_overlap);
    forward_bad(m, SMALL "/context.csv", "model.safetensors", "overlap");
}

static void test_bad_missing_tensor(void **st) {
    (void)st;
    const char *m = fresh(SMALL, "missing");
    rewrite_header(m, edit_missing);
    forward_bad(m, SMALL "/context.csv", "decoder.final_layer_norm.weight", "missing tensor");
}

static void test_bad_dtype(void **st) {
    (void)st;
    const char *m = fresh(SMALL, "dtype");
    rewrite_header(m, edit_dtype);
    forward_bad(m, SMALL "/context.csv", "model.safetensors", "unknown dtype");
}

static void test_bad_config_json(void **st) {
    (void)st;
    const char *m = fresh(SMALL, "cfg");
    assert_int_equal(run_cmd("printf '{\"d_model\": 64, ' > '%s/config.json'", m), 0);
    forward_bad(m, SMALL "/context.csv", "config.json", "not a well-formed JSON");
}

static void test_bad_csv_cell(void **st) {
    (void)st;
    char csv[512];
    snprintf(csv, sizeof csv, "%s/bad.csv", test_tmpdir());
    assert_int_equal(run_cmd("printf 'a,b\\n1,2\\n3,oops\\n4,5\\n' > '%s'", csv), 0);
    forward_bad(SMALL, csv, "bad.csv", "non-numeric cell 'oops'");
}

static void test_bad_csv_empty(void **st) {
    (void)st;
    char csv[512];
    snprintf(csv, sizeof csv, "%s/empty.csv", test_tmpdir());
    assert_int_equal(run_cmd(": > '%s'", csv), 0);
    forward_bad(SMALL, csv, "empty.csv", "empty CSV");
    assert_int_equal(run_cmd("printf 'a,b\\n' > '%s'", csv), 0);
    forward_bad(SMALL, csv, "empty.csv", "no data rows");
}

static void test_bad_csv_ragged(void **st) {
    (void)st;
    char csv[512];
    snprintf(csv, sizeof csv, "%s/ragged.csv", test_tmpdir());
    assert_int_equal(run_cmd("printf '1,2\\n3\\n' > '%s'", csv), 0);
    forward_bad(SMALL, csv, "ragged.csv", "line 2 has 1 cells, expected 2");
}

static void test_bad_missing_files(void **st) {
    (void)st;
    forward_bad("/nonexistent/model", SMALL "/context.csv", "/nonexistent/model", "cannot open");
    forward_bad(SMALL, "/nonexistent.csv", "/nonexistent.csv", "cannot open");
}

static void test_bad_options(void **st) {
    (void)st;
    assert_int_equal(run_cmd("'%s' forward --model " SMALL " --threads 0 2>/dev/null", CL_CLI), 2);
    assert_int_equal(run_cmd("'%s' forward --bogus 2>/dev/null", CL_CLI), 2);
    assert_int_equal(run_cmd("'%s' frobnicate 2>/dev/null", CL_CLI), 2);
    assert_int_equal(run_cmd("'%s' init --size huge --out /tmp/x 2>/dev/null", CL_CLI), 2);
}

static void test_bad_decoder_ids(void **st) {
    (void)st;
    char ids[512], out[512];
    snprintf(ids, sizeof ids, "%s/ids.csv", test_tmpdir());
    snprintf(out, sizeof out, "%s/ids-out.safetensors", test_tmpdir());
    assert_int_equal(run_cmd("printf '0,5\\n0,99999\\n0,1\\n' > '%s'", ids), 0);
    assert_int_equal(run_cmd("'%s' forward --model " SMALL " --context " SMALL "/context.csv --decoder-ids '%s' "
                             "--out '%s' 2>/dev/null", CL_CLI, ids, out), 2);
    assert_false(file_exists(out));
    assert_int_equal(run_cmd("printf '0,5\\n0,3\\n' > '%s'", ids), 0); /* 2 rows for 3 series */
    assert_int_equal(run_cmd("'%s' forward --model " SMALL " --context " SMALL "/context.csv --decoder-ids '%s' "
                             "--out '%s' 2>/dev/null", CL_CLI, ids, out), 2);
    assert_false(file_exists(out));
}

/* ------------------------------------------------------------ Bolt: edge cases by invariance */

/* quantiles (B, Q, H) of one forward pass of bolt-rand on context (B, L) */
static float *quantiles_of(const float *ctx, int B, int L, size_t *n) { return cl_test_bolt_quantiles(RAND, ctx, B, L, n); }

/* bolt-rand's context (B, L) */
static float *golden_context(int *B, int *L) {
    float *x;
    cl_error err;
    if (csv_read_context(RAND "/context.csv", &x, B, L, NULL, &err)) fail_msg("%s", err.msg);
    return x;
}

/* A context shorter than a patch is the same as that context left-padded with missing
 * values to a whole patch; a context longer than context_length is its last values. */
static void test_short_and_long_contexts(void **st) {
    (void)st;
    const int B = 2;
    float shortc[2 * 5], padded[2 * 16], longc[2 * 600], tail[2 * 512];
    for (int b = 0; b < B; b++) {
        for (int i = 0; i < 5; i++) shortc[b * 5 + i] = (float)(b + 1) * sinf((float)i) + 3.0f;
        for (int i = 0; i < 16; i++) padded[b * 16 + i] = i < 11 ? NAN : shortc[b * 5 + i - 11];
        for (int i = 0; i < 600; i++) longc[b * 600 + i] = cosf(0.1f * (float)i * (float)(b + 1)) * 5.0f + (float)i * 0.01f;
        memcpy(tail + b * 512, longc + b * 600 + 88, sizeof(float) * 512);
    }
    size_t n;
    float *a = quantiles_of(shortc, B, 5, &n), *b = quantiles_of(padded, B, 16, &n);
    assert_memory_equal(a, b, n * sizeof(float));
    for (size_t i = 0; i < n; i++) assert_true(isfinite(a[i]));
    free(a); free(b);
    a = quantiles_of(longc, B, 600, &n);
    b = quantiles_of(tail, B, 512, &n);
    assert_memory_equal(a, b, n * sizeof(float));
    free(a); free(b);
}

/* All missing: loc 0, scale 1, only [REG] attended; constant: scale 1e-5, every quantile
 * equal to the constant to within 1e-5 x the normalised output. */
static void test_nan_and_constant(void **st) {
    (void)st;
    cl_error err;
    cl_model *m;
    assert_int_equal(cl_model_load(RAND, NULL, &m, &err), 0);
    cl_state *s;
    assert_int_equal(cl_state_new(m, &s, &err), 0);
    float x[2 * 40];
    for (int i = 0; i < 40; i++) { x[i] = NAN; x[40 + i] = 2.5f; }
    assert_int_equal(cl_bolt_forward(s, x, 2, 40, &err), 0);
    assert_true(cl_bolt_loc(s)[0] == 0.0f && cl_bolt_scale(s)[0] == 1.0f);
    assert_true(cl_bolt_loc(s)[1] == 2.5f && cl_bolt_scale(s)[1] == 1e-5f);
    const int T = cl_bolt_num_tokens(cl_model_config(m), 40);
    assert_int_equal(T, 4);
    for (int t = 0; t < T; t++) assert_int_equal(cl_bolt_mask(s)[t], t == T - 1);
    for (int t = 0; t < T; t++) assert_int_equal(cl_bolt_mask(s)[T + t], 1);
    const float *q = cl_bolt_quantiles(s);
    for (int i = 0; i < 9 * 64; i++) {
        assert_true(isfinite(q[i]));
        assert_true(fabsf(q[9 * 64 + i] - 2.5f) < 1e-3f);
    }
    cl_state_free(s);
    cl_model_free(m);
}

/* cl_encode_embeds on Bolt's input embeddings is the encoder of cl_bolt_encode (one loop) */
static void test_encode_embeds(void **st) {
    (void)st;
    cl_error err;
    cl_model *m;
    assert_int_equal(cl_model_load(RAND, NULL, &m, &err), 0);
    int B, L;
    float *ctx = golden_context(&B, &L);
    cl_state *a, *b;
    assert_int_equal(cl_state_new(m, &a, &err), 0);
    assert_int_equal(cl_state_new(m, &b, &err), 0);
    assert_int_equal(cl_bolt_encode(a, ctx, B, L, &err), 0);
    const int T = cl_bolt_num_tokens(cl_model_config(m), L);
    assert_int_equal(cl_encode_embeds(b, cl_bolt_input_embeds(a), cl_bolt_mask(a), B, T, &err), 0);
    int bb, tt;
    const float *ha = cl_state_encoder_hidden(a, &bb, &tt), *hb = cl_state_encoder_hidden(b, NULL, NULL);
    assert_int_equal(tt, T);
    assert_memory_equal(ha, hb, sizeof(float) * (size_t)B * T * cl_model_config(m)->d_model);
    /* the token path refuses a Bolt model */
    int32_t ids[2] = {0, 0};
    uint8_t mk[2] = {1, 1};
    assert_int_not_equal(cl_encode(b, ids, mk, 1, 2, &err), 0);
    assert_non_null(strstr(err.msg, "Chronos-Bolt"));
    float scale;
    assert_int_not_equal(cl_tokenizer_encode(cl_model_config(m), ctx, 1, L, NULL, NULL, &scale, &err), 0);
    cl_state_free(a); cl_state_free(b);
    cl_free(ctx);
    cl_model_free(m);
}

/* ------------------------------------------------------------ Bolt: its own refusals */

/* a model file without its [REG] row while the config asks for one */
static void test_bolt_reg_row(void **st) {
    (void)st;
    const char *d = fresh(EDGE, "reg");
    set_cc(d, "use_reg_token", "true");
    forward_bad(d, RAND "/context.csv", "config.json", "use_reg_token needs vocab_size >= 2");
    set_json(d, 1, "vocab_size", "2");
    forward_bad(d, RAND "/context.csv", "model.safetensors", "no [REG] row");
}

static void test_bolt_bad_options(void **st) {
    (void)st;
    static const char *opts[] = {"--samples 5", "--temperature 0.5", "--top-k 3", "--top-p 0.5", "--seed 3", "--no-cache"};
    char args[2048];
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
        snprintf(args, sizeof args, "forecast --model '%s' --context '%s/context.csv' %s", RAND, RAND, opts[i]);
        char flag[32];
        sscanf(opts[i], "%31s", flag);
        expect_bad(args, ".csv", flag, "means nothing for a Chronos-Bolt model");
    }
    snprintf(args, sizeof args, "forward --model '%s' --context '%s/context.csv' --decoder-ids '%s/context.csv'", RAND,
             RAND, RAND);
    expect_bad(args, ".safetensors", "--decoder-ids", "one fixed query");
    /* the T5-only commands name the model and refuse it (induction and sweep run the
     * repeated-random-patches test: test_bolt_rrp.c; multisine: test_multisine.c;
     * report: test_report.c, each with its Bolt group) */
    char errlog[512];
    snprintf(errlog, sizeof errlog, "%s/eval.txt", test_tmpdir());
    assert_int_equal(run_cmd("'%s' eval --model '%s' 2> '%s'", CL_CLI, RAND, errlog), 2);
    char *t = slurp(errlog);
    assert_non_null(strstr(t, "is a Chronos-Bolt model"));
    free(t);
    cl_error err;
    cl_params *pp = NULL;
    assert_int_not_equal(cl_params_load(RAND, &pp, &err), 0); /* train --resume's loader */
    assert_non_null(strstr(err.msg, "is a Chronos-Bolt model"));
    assert_null(pp);
}

int main(int argc, char **argv) {
    cl_set_threads(2);
    /* the format's refusals, on the T5 fixture; options of no family */
    static const struct CMUnitTest common[] = {
        cmocka_unit_test(test_bad_truncated),
        cmocka_unit_test(test_bad_header_length),
        cmocka_unit_test(test_bad_offsets),
        cmocka_unit_test(test_bad_byte_size),
        cmocka_unit_test(test_bad_overlap),
        cmocka_unit_test(test_bad_missing_tensor),
        cmocka_unit_test(test_bad_dtype),
        cmocka_unit_test(test_bad_config_json),
        cmocka_unit_test(test_bad_csv_cell),
        cmocka_unit_test(test_bad_csv_empty),
        cmocka_unit_test(test_bad_csv_ragged),
        cmocka_unit_test(test_bad_missing_files),
        cmocka_unit_test(test_bad_options),
    };
#define FAMILY_CASES cmocka_unit_test(test_info), cmocka_unit_test(test_bad_config), cmocka_unit_test(test_bad_tensors)
    static const struct CMUnitTest t5[] = {
        FAMILY_CASES,
        cmocka_unit_test(test_forward_default_decoder_ids),
        cmocka_unit_test(test_forward_thread_invariance),
        cmocka_unit_test(test_bad_decoder_ids),
    };
    static const struct CMUnitTest bolt[] = {
        FAMILY_CASES,
        cmocka_unit_test(test_short_and_long_contexts),
        cmocka_unit_test(test_nan_and_constant),
        cmocka_unit_test(test_encode_embeds),
        cmocka_unit_test(test_bolt_reg_row),
        cmocka_unit_test(test_bolt_bad_options),
    };
    static const cl_test_group groups[] = {
        CL_TEST_GROUP("common", common, NULL, NULL, NULL, NULL),
        CL_TEST_GROUP("t5", t5, NULL, NULL, &cl_test_t5, NULL),
        CL_TEST_GROUP("bolt", bolt, NULL, NULL, &cl_test_bolt, NULL),
    };
    int rc = cl_test_main(argc, argv, groups, sizeof groups / sizeof *groups);
    run_cmd("rm -rf '%s'", test_tmpdir());
    return rc;
}
