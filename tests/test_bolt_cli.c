/* test_bolt_cli.c — Chronos-Bolt loading variants, bad checkpoints and options, edge cases
 * by invariance, init's shapes, and the forecast/embed commands against the golden file. */
#include "testutil.h"
#include "core/core.h"
#include "io/csv.h"
#include "io/npy.h"
#include "model/init.h"
#include "train/params.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RAND CL_FIXTURES "/bolt-rand"
#define EDGE CL_FIXTURES "/bolt-edge"

/* quantiles (B, Q, H) of one forward pass of model dir on context (B, L) */
static float *quantiles_of(const char *dir, const float *ctx, int B, int L, size_t *n) {
    cl_error err;
    cl_model *m;
    if (cl_model_load(dir, NULL, &m, &err)) fail_msg("%s", err.msg);
    cl_state *s;
    assert_int_equal(cl_state_new(m, &s, &err), 0);
    if (cl_bolt_forward(s, ctx, B, L, &err)) fail_msg("%s", err.msg);
    const cl_config *c = cl_model_config(m);
    *n = (size_t)B * c->n_quantiles * c->prediction_length;
    float *q = malloc(sizeof(float) * *n);
    memcpy(q, cl_bolt_quantiles(s), sizeof(float) * *n);
    cl_state_free(s);
    cl_model_free(m);
    return q;
}

static float *golden_context(const char *dir, int *B, int *L) {
    char p[1024];
    snprintf(p, sizeof p, "%s/context.csv", dir);
    float *x;
    cl_error err;
    if (csv_read_context(p, &x, B, L, NULL, &err)) fail_msg("%s", err.msg);
    return x;
}

/* A copy of a fixture folder (config + weights) in the test's tmp dir. */
static const char *fresh(const char *src, const char *tag) {
    static char dir[512];
    snprintf(dir, sizeof dir, "%s/bolt-%s", test_tmpdir(), tag);
    assert_int_equal(run_cmd("rm -rf '%s' && mkdir -p '%s' && cp '%s/config.json' '%s/model.safetensors' '%s/' && "
                             "chmod -R u+w '%s'", dir, dir, src, src, dir, dir), 0);
    return dir;
}

/* ------------------------------------------------------------ weights */

/* F16 weights give exactly the quantiles of an F32 file of the same rounded values, widened
 * once (every parameter owned exactly once); F32 weights are used in place. */
static void test_f16_widened_once(void **st) {
    (void)st;
    char half[512], wide[512];
    snprintf(half, sizeof half, "%s", fresh(RAND, "f16"));
    snprintf(wide, sizeof wide, "%s", fresh(RAND, "f16-wide"));
    st_file f;
    cl_error err;
    if (st_open(RAND "/model.safetensors", &f, &err)) fail_msg("%s", err.msg);
    st_writer *wh = st_writer_new(), *ww = st_writer_new();
    void **bufs = calloc(2 * (size_t)f.n, sizeof(void *));
    for (int i = 0; i < f.n; i++) {
        size_t n = st_numel(&f.t[i]);
        uint16_t *h = malloc(2 * n + 2);
        float *w = malloc(4 * n + 4);
        const float *src = f.t[i].data;
        for (size_t j = 0; j < n; j++) {
            _Float16 v = (_Float16)src[j];
            memcpy(&h[j], &v, 2);
            w[j] = cl_f16_to_f32(h[j]);
        }
        bufs[2 * i] = h; bufs[2 * i + 1] = w;
        st_writer_add(wh, f.t[i].name, ST_F16, f.t[i].ndim, f.t[i].shape, h);
        st_writer_add(ww, f.t[i].name, ST_F32, f.t[i].ndim, f.t[i].shape, w);
    }
    char p[1024];
    snprintf(p, sizeof p, "%s/model.safetensors", half);
    assert_int_equal(st_writer_save(wh, p, "pt", &err), 0);
    snprintf(p, sizeof p, "%s/model.safetensors", wide);
    assert_int_equal(st_writer_save(ww, p, "pt", &err), 0);
    st_writer_free(wh); st_writer_free(ww);
    for (int i = 0; i < 2 * f.n; i++) free(bufs[i]);
    free(bufs);
    st_close(&f);
    int B, L;
    float *ctx = golden_context(RAND, &B, &L);
    size_t n;
    float *a = quantiles_of(half, ctx, B, L, &n), *b = quantiles_of(wide, ctx, B, L, &n);
    assert_memory_equal(a, b, n * sizeof(float));
    cl_model *m;
    assert_int_equal(cl_model_load(half, NULL, &m, &err), 0);
    assert_string_equal(cl_model_dtype(m), "F16");
    assert_int_equal(cl_model_owned_bytes(m), 4 * cl_model_param_count(m));
    cl_model_free(m);
    assert_int_equal(cl_model_load(RAND, NULL, &m, &err), 0);
    assert_int_equal(cl_model_owned_bytes(m), 0);
    assert_int_equal(cl_model_param_count(m), 414528); /* every tensor of the file, counted once */
    cl_model_free(m);
    free(a); free(b); cl_free(ctx);
}

/* ------------------------------------------------------------ edge cases by invariance */

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
    float *a = quantiles_of(RAND, shortc, B, 5, &n), *b = quantiles_of(RAND, padded, B, 16, &n);
    assert_memory_equal(a, b, n * sizeof(float));
    for (size_t i = 0; i < n; i++) assert_true(isfinite(a[i]));
    free(a); free(b);
    a = quantiles_of(RAND, longc, B, 600, &n);
    b = quantiles_of(RAND, tail, B, 512, &n);
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
    float *ctx = golden_context(RAND, &B, &L);
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

/* ------------------------------------------------------------ bad input */

/* Runs `chronolens ARGS --out OUT/x` (OUT an empty folder); asserts exit 2, one stderr line
 * containing `culprit` and `problem`, and nothing written. */
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

static void forward_bad(const char *dir, const char *culprit, const char *problem) {
    char args[2048];
    snprintf(args, sizeof args, "forward --model '%s' --context '%s/context.csv'", dir, RAND);
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

static void test_bad_config(void **st) {
    (void)st;
    static const struct { const char *key, *val, *problem; } cases[] = {
        {"input_patch_stride", "17", "input_patch_stride (17) exceeds input_patch_size (16)"},
        {"input_patch_stride", "0", "input_patch_stride = 0 is out of range"},
        {"input_patch_size", "0", "input_patch_size = 0 is out of range"},
        {"input_patch_size", NULL, "input_patch_size is missing"},
        {"quantiles", "[0.1, 0.3, 0.2]", "quantiles are not strictly increasing"},
        {"quantiles", "[0.1, 0.5, 0.5]", "quantiles are not strictly increasing"},
        {"quantiles", "[0.0, 0.5]", "is not a level in (0, 1)"},
        {"quantiles", "[0.5, 1.0]", "is not a level in (0, 1)"},
        {"quantiles", "[]", "quantiles is missing or not a non-empty list"},
        {"prediction_length", "32", "output_patch_embedding emits 576 values, but len(quantiles) x prediction_length = 9 x 32 = 288"},
        {"quantiles", "[0.25, 0.5, 0.75]", "len(quantiles) x prediction_length = 3 x 64 = 192"},
        {"use_reg_token", "1", "use_reg_token is not true/false"},
        {"context_length", "0", "context_length = 0 is out of range"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *d = fresh(RAND, "cfg");
        set_cc(d, cases[i].key, cases[i].val);
        /* the head's width is the file's against the config's: the error names the weights */
        forward_bad(d, strstr(cases[i].problem, "emits") || strstr(cases[i].problem, "x 64") ? "model.safetensors"
                                                                                            : "config.json",
                    cases[i].problem);
    }
    /* a model file without its [REG] row while the config asks for one */
    const char *d = fresh(EDGE, "reg");
    set_cc(d, "use_reg_token", "true");
    forward_bad(d, "config.json", "use_reg_token needs vocab_size >= 2");
    set_json(d, 1, "vocab_size", "2");
    forward_bad(d, "model.safetensors", "no [REG] row");
}

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

static void test_bad_tensors(void **st) {
    (void)st;
    static const char *names[] = {"output_patch_embedding.output_layer.bias", "input_patch_embedding.hidden_layer.bias",
                                  "input_patch_embedding.residual_layer.weight", "shared.weight"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *d = fresh(RAND, "tensor");
        drop_tensor(d, names[i]);
        forward_bad(d, d, "missing tensor");
    }
}

static void test_bad_options(void **st) {
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
     * repeated-random-patches test: test_bolt_rrp.c; multisine: test_bolt_multisine.c;
     * report: test_report_bolt.c) */
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

/* ------------------------------------------------------------ init */

static void test_init_presets(void **st) {
    (void)st;
    cl_config c;
    cl_error err;
    char dir[512];
    snprintf(dir, sizeof dir, "%s/init-bolt-small", test_tmpdir());
    assert_int_equal(cl_config_preset("bolt-small", &c, &err), 0);
    assert_int_equal(cl_checkpoint_init_random(dir, &c, 1, 0, NULL, &err), 0);
    cl_model *m;
    if (cl_model_load(dir, NULL, &m, &err)) fail_msg("%s", err.msg);
    assert_true(cl_model_is_bolt(m));
    assert_int_equal(cl_model_param_count(m), 47718016); /* amazon/chronos-bolt-small */
    const cl_config *mc = cl_model_config(m);
    assert_int_equal(mc->context_length, 2048);
    assert_int_equal(mc->patch_size, 16);
    assert_int_equal(mc->n_quantiles, 9);
    assert_int_equal(cl_bolt_num_tokens(mc, 2048), 129);
    cl_model_free(m);
    run_cmd("rm -rf '%s'", dir);
    static const struct { const char *size; size_t params; } P[] = {{"bolt-tiny", 8652672}, {"bolt-mini", 21236096}};
    for (int i = 0; i < 2; i++) {
        snprintf(dir, sizeof dir, "%s/init-%s", test_tmpdir(), P[i].size);
        assert_int_equal(run_cmd("'%s' init --quiet --size %s --dtype bf16 --out '%s'", CL_CLI, P[i].size, dir), 0);
        if (cl_model_load(dir, NULL, &m, &err)) fail_msg("%s", err.msg);
        assert_int_equal(cl_model_param_count(m), P[i].params);
        assert_string_equal(cl_model_dtype(m), "BF16");
        cl_model_free(m);
        run_cmd("rm -rf '%s'", dir);
    }
    assert_int_not_equal(cl_config_preset("bolt-huge", &c, &err), 0);
}

/* ------------------------------------------------------------ forecast, embed */

static void test_forecast_cli(void **st) {
    (void)st;
    char out[512], npy[512];
    snprintf(out, sizeof out, "%s/fc.csv", test_tmpdir());
    snprintf(npy, sizeof npy, "%s/paths.npy", test_tmpdir());
    assert_int_equal(run_cmd("'%s' forecast --quiet --model '%s' --context '%s/context.csv' --horizon 100 --batch 7 "
                             "--quantiles 0.05,0.25,0.5,0.75,0.95 --out '%s' --samples-out '%s'", CL_CLI, RAND, RAND, out, npy), 0);
    st_file g;
    cl_error err;
    if (st_open(RAND "/golden.safetensors", &g, &err)) fail_msg("%s", err.msg);
    size_t n;
    float *gq = golden_f32(&g, "quantiles_long", &n), *gm = golden_f32(&g, "mean_long", &n),
          *gs = golden_f32(&g, "scale", &n);
    char *text = slurp(out);
    char *line = strtok(text, "\n");
    assert_string_equal(line, "series,step,mean,q0.05,q0.25,q0.5,q0.75,q0.95");
    int rows = 0;
    while ((line = strtok(NULL, "\n"))) {
        char name[64];
        int step;
        float v[6];
        assert_int_equal(sscanf(line, "%63[^,],%d,%f,%f,%f,%f,%f,%f", name, &step, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]), 8);
        int b = rows / 100, k = step - 1;
        assert_int_equal(k, rows % 100);
        assert_true(fabs(v[0] - gm[b * 100 + k]) <= 1e-4 * (fabs(gm[b * 100 + k]) + gs[b]));
        for (int j = 0; j < 5; j++) {
            double ref = gq[((size_t)b * 100 + k) * 5 + j];
            if (!(fabs(v[1 + j] - ref) <= 1e-4 * (fabs(ref) + gs[b])))
                fail_msg("series %d step %d level %d: %.9g vs golden %.9g", b, step, j, v[1 + j], ref);
        }
        rows++;
    }
    assert_int_equal(rows, 4 * 100);
    free(text);
    /* the quantile paths (B, Q, horizon) */
    float *p;
    int nd;
    int64_t shape[8];
    assert_int_equal(npy_read_f32(npy, &p, &nd, shape, &err), 0);
    assert_int_equal(nd, 3);
    assert_true(shape[0] == 4 && shape[1] == 9 && shape[2] == 100);
    float *gp = golden_f32(&g, "predict_long", &n);
    for (size_t i = 0; i < n; i++) assert_true(fabs(p[i] - gp[i]) <= 1e-4 * (fabs(gp[i]) + gs[i / 900]));
    free(p); free(gp); free(gq); free(gm); free(gs);
    st_close(&g);
}

static void test_embed_cli(void **st) {
    (void)st;
    char out[512], sc[512];
    snprintf(out, sizeof out, "%s/emb.npy", test_tmpdir());
    snprintf(sc, sizeof sc, "%s/ls.npy", test_tmpdir());
    assert_int_equal(run_cmd("'%s' embed --quiet --model '%s' --context '%s/context.csv' --batch 3 --out '%s' "
                             "--scales-out '%s'", CL_CLI, RAND, RAND, out, sc), 0);
    float *e, *ls;
    int nd;
    int64_t shape[8];
    cl_error err;
    assert_int_equal(npy_read_f32(out, &e, &nd, shape, &err), 0);
    assert_true(nd == 3 && shape[0] == 4 && shape[1] == 20 && shape[2] == 64);
    st_file g;
    if (st_open(RAND "/golden.safetensors", &g, &err)) fail_msg("%s", err.msg);
    size_t n;
    float *ge = golden_f32(&g, "encoder_hidden", &n), *gl = golden_f32(&g, "loc", &n), *gs = golden_f32(&g, "scale", &n);
    assert_close("embed", e, ge, (size_t)4 * 20 * 64, 1e-4);
    assert_int_equal(npy_read_f32(sc, &ls, &nd, shape, &err), 0);
    assert_true(nd == 2 && shape[0] == 4 && shape[1] == 2);
    for (int b = 0; b < 4; b++) assert_true(ls[2 * b] == gl[b] && ls[2 * b + 1] == gs[b]);
    free(e); free(ls); free(ge); free(gl); free(gs);
    st_close(&g);
}

static void test_info_cli(void **st) {
    (void)st;
    char out[512];
    snprintf(out, sizeof out, "%s/info.txt", test_tmpdir());
    assert_int_equal(run_cmd("'%s' info '%s' > '%s'", CL_CLI, EDGE, out), 0);
    char *t = slurp(out);
    assert_non_null(strstr(t, "Chronos-Bolt"));
    assert_non_null(strstr(t, "size 16, stride 8, [REG] token no"));
    assert_non_null(strstr(t, "BF16"));
    free(t);
}

int main(void) {
    cl_set_threads(2);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_f16_widened_once),
        cmocka_unit_test(test_short_and_long_contexts),
        cmocka_unit_test(test_nan_and_constant),
        cmocka_unit_test(test_encode_embeds),
        cmocka_unit_test(test_bad_config),
        cmocka_unit_test(test_bad_tensors),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_init_presets),
        cmocka_unit_test(test_forecast_cli),
        cmocka_unit_test(test_embed_cli),
        cmocka_unit_test(test_info_cli),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
