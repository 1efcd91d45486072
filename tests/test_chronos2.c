/* test_chronos2.c — the Chronos-2 family against chronos2ref.py's goldens
 * (tests/fixtures/chronos2-rand: heads x d_kv != d_model, 3 groups, missing values, a series
 * shorter than the context; and, when present, upstream's dummy checkpoint under ../shared/peer,
 * group peer): every forward tensor of the main case, of the cross-learning pass and of the
 * covariate case within 1e-4 absolute (the oracle's tolerance; masks exactly); loading (fp32,
 * bf16 through the same option, sharded) and `info`; upstream's refusals in one line.
 * The forward is not the T5/Bolt encoder-decoder test_golden.c runs: its own test. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOL 1e-4
#define FIXTURE CL_FIXTURES "/chronos2-rand"
#define PEER CL_PEER "/chronos2-dummy"

/* a (n values) within TOL of golden `name` (exactly n values), the max abs error printed */
static void close_named(const st_file *g, const char *name, const float *a, size_t want) {
    size_t n;
    float *ref = golden_f32(g, name, &n);
    assert_int_equal(n, want);
    printf("  %-32s max abs %.3g\n", name, max_abs_diff(a, ref, n));
    assert_close(name, a, ref, n, TOL);
    free(ref);
}

/* one forward on golden inputs; prefix "" (main case) or "cov." */
static void check_case(const char *dir, const st_file *g, const cl_model *m, const char *prefix, int N, int F,
                       int cross) {
    const cl_config *c = cl_model_config(m);
    cl_error err;
    char nm[128];
    size_t n;
    snprintf(nm, sizeof nm, "%scontext", prefix);
    const st_tensor *ct = st_find(g, nm);
    assert_non_null(ct);
    const int B = (int)ct->shape[0], L = (int)ct->shape[1];
    float *ctx = golden_f32(g, nm, &n);
    snprintf(nm, sizeof nm, "%sgroup_ids", prefix);
    int64_t *g64 = golden_i64(g, nm, &n);
    int *gid = malloc(sizeof(int) * B);
    for (int b = 0; b < B; b++) gid[b] = cross ? 0 : (int)g64[b];
    float *fc = NULL;
    if (F) { /* the golden's (B, Hc) future covariates, the first F steps */
        snprintf(nm, sizeof nm, "%sfuture_covariates", prefix);
        const st_tensor *ft = st_find(g, nm);
        float *all = golden_f32(g, nm, &n);
        const int Hc = (int)ft->shape[1];
        fc = malloc(sizeof(float) * (size_t)B * F);
        for (int b = 0; b < B; b++) memcpy(fc + (size_t)b * F, all + (size_t)b * Hc, sizeof(float) * F);
        free(all);
    }
    cl_state *s;
    assert_int_equal(cl_state_new(m, &s, &err), 0);
    cl_state_capture_all(s);
    cl_chronos2_input in = {.context = ctx, .B = B, .L = L, .group_ids = gid, .future_covariates = fc, .F = F,
                            .num_output_patches = N, .capture_group = 1, .capture_hidden = 1};
    cl_chronos2_result r;
    if (cl_chronos2_forward(s, &in, &r, &err)) fail_msg("%s: %s", dir, err.msg);
    const int S = r.S, d = c->d_model, H = c->num_heads, nl = c->num_layers, ps = c->patch_size, Q = c->n_quantiles;
    assert_int_equal(S, cl_chronos2_num_tokens(c, L, N));
    printf("%s %s(B %d, L %d, N %d, S %d%s)\n", dir, prefix, B, L, N, S, cross ? ", cross-learning" : "");
    if (cross) {
        close_named(g, "quantile_preds_cross", r.quantile_preds, (size_t)B * Q * N * ps);
        goto done;
    }
    snprintf(nm, sizeof nm, "%sloc", prefix); close_named(g, nm, r.loc, (size_t)B);
    snprintf(nm, sizeof nm, "%sscale", prefix); close_named(g, nm, r.scale, (size_t)B);
    snprintf(nm, sizeof nm, "%sattention_mask", prefix);
    int64_t *am = golden_i64(g, nm, &n);
    assert_int_equal(n, (size_t)B * S);
    for (size_t i = 0; i < n; i++) assert_int_equal(am[i], r.attention_mask[i]);
    printf("  %-32s exact\n", nm);
    free(am);
    snprintf(nm, sizeof nm, "%spatches", prefix); close_named(g, nm, r.patches, (size_t)B * r.P * 3 * ps);
    snprintf(nm, sizeof nm, "%sfuture_patches", prefix); close_named(g, nm, r.future_patches, (size_t)B * N * 3 * ps);
    snprintf(nm, sizeof nm, "%sinput_embeds", prefix); close_named(g, nm, r.input_embeds, (size_t)B * S * d);
    int shape[5];
    const float *ta = cl_state_attn(s, CL_ENC_SELF, shape);
    assert_non_null(ta);
    assert_int_equal(shape[0], nl); assert_int_equal(shape[1], B); assert_int_equal(shape[2], H);
    assert_int_equal(shape[3], S); assert_int_equal(shape[4], S);
    const size_t tper = (size_t)B * H * S * S, gper = (size_t)S * H * B * B, hper = (size_t)B * S * d;
    assert_non_null(r.group_attn);
    for (int l = 0; l < nl; l++) {
        snprintf(nm, sizeof nm, "%stime_attn.%d", prefix, l); close_named(g, nm, ta + l * tper, tper);
        snprintf(nm, sizeof nm, "%sgroup_attn.%d", prefix, l); close_named(g, nm, r.group_attn + l * gper, gper);
        snprintf(nm, sizeof nm, "%shidden_time.%d", prefix, l); close_named(g, nm, r.hidden_time + l * hper, hper);
        snprintf(nm, sizeof nm, "%shidden_group.%d", prefix, l); close_named(g, nm, r.hidden_group + l * hper, hper);
        snprintf(nm, sizeof nm, "%shidden.%d", prefix, l); close_named(g, nm, r.hidden + l * hper, hper);
    }
    snprintf(nm, sizeof nm, "%sencoder_hidden", prefix); close_named(g, nm, r.encoder_hidden, hper);
    assert_ptr_equal(r.encoder_hidden, cl_state_encoder_hidden(s, NULL, NULL));
    snprintf(nm, sizeof nm, "%squantile_preds_normalized", prefix);
    close_named(g, nm, r.quantile_preds_normalized, (size_t)B * Q * N * ps);
    snprintf(nm, sizeof nm, "%squantile_preds", prefix); close_named(g, nm, r.quantile_preds, (size_t)B * Q * N * ps);
done:
    cl_state_free(s);
    free(fc); free(gid); free(g64); free(ctx);
}

/* every forward of a golden folder: the main case, cross-learning, the covariate case */
static void check_fixture(const char *dir) {
    char path[4096];
    cl_error err;
    cl_model *m;
    if (cl_model_load(dir, NULL, &m, &err)) fail_msg("%s", err.msg);
    assert_true(cl_model_is_chronos2(m));
    assert_false(cl_model_is_bolt(m));
    snprintf(path, sizeof path, "%s/golden.safetensors", dir);
    st_file g;
    if (st_open(path, &g, &err)) fail_msg("%s", err.msg);
    snprintf(path, sizeof path, "%s/inputs.json", dir);
    cJSON *in = read_json(path);
    const cJSON *bt = cJSON_GetObjectItem(in, "batch"), *cv = cJSON_GetObjectItem(in, "covariates");
    const int N = cJSON_GetObjectItem(bt, "num_output_patches")->valueint;
    check_case(dir, &g, m, "", N, 0, 0);
    check_case(dir, &g, m, "", N, 0, 1);
    check_case(dir, &g, m, "cov.", cJSON_GetObjectItem(cv, "num_output_patches")->valueint,
               cJSON_GetObjectItem(cv, "future_length")->valueint, 0);
    cJSON_Delete(in);
    st_close(&g);
    cl_model_free(m);
}

static void test_golden(void **st) { (void)st; check_fixture(FIXTURE); }

static void test_peer(void **st) {
    (void)st;
    if (!dir_exists(PEER)) cl_test_skip("no peer checkpoint %s (../shared/peer)", PEER);
    check_fixture(PEER);
}

/* the config and every tensor: the sizes, the parameters, the family's keys */
static void test_load(void **st) {
    (void)st;
    cl_error err;
    cl_model *m;
    if (cl_model_load(FIXTURE, NULL, &m, &err)) fail_msg("%s", err.msg);
    const cl_config *c = cl_model_config(m);
    assert_int_equal(c->family, CL_FAMILY_CHRONOS2);
    assert_int_equal(c->d_model, 40); assert_int_equal(c->num_heads, 5); assert_int_equal(c->d_kv, 12);
    assert_int_equal(c->d_ff, 56); assert_int_equal(c->num_layers, 3); assert_int_equal(c->num_decoder_layers, 0);
    assert_int_equal(c->context_length, 512); assert_int_equal(c->patch_size, 16); assert_int_equal(c->patch_stride, 16);
    assert_int_equal(c->max_output_patches, 4); assert_int_equal(c->n_quantiles, 21);
    assert_int_equal(c->use_reg_token, 1); assert_int_equal(c->use_arcsinh, 1);
    assert_true(c->rope_theta == 10000.0f); assert_true(c->time_encoding_scale == 512.0f);
    assert_int_equal(c->act_gelu, 0);
    /* the oracle's count: sum of numel over model.safetensors */
    st_file w;
    if (st_open(FIXTURE "/model.safetensors", &w, &err)) fail_msg("%s", err.msg);
    size_t np = 0;
    for (int i = 0; i < w.n; i++) np += st_numel(&w.t[i]);
    st_close(&w);
    assert_int_equal(cl_model_param_count(m), np);
    /* no T5 entry runs it */
    cl_state *s;
    assert_int_equal(cl_state_new(m, &s, &err), 0);
    int32_t ids[2] = {0, 1};
    uint8_t mk[2] = {1, 1};
    float x[80] = {0};
    assert_int_not_equal(cl_encode(s, ids, mk, 1, 2, &err), 0);
    assert_int_not_equal(cl_encode_embeds(s, x, mk, 1, 2, &err), 0);
    assert_int_not_equal(cl_bolt_encode(s, x, 1, 2, &err), 0);
    assert_int_not_equal(cl_decode(s, ids, 1, 0, &err), 0);
    assert_int_not_equal(cl_model_require_t5(m, FIXTURE, "induction", &err), 0);
    assert_non_null(strstr(err.msg, "Chronos-2"));
    cl_state_free(s);
    cl_model_free(m);
    /* bf16 through the same option: the products in bf16 where the CPU has them */
    cl_load_opts o = {CL_BF16};
    if (cl_model_load(FIXTURE, &o, &m, &err)) fail_msg("%s", err.msg);
    assert_int_equal(cl_model_precision(m), cl_bf16_supported() ? CL_BF16 : CL_FP32);
    assert_int_equal(cl_state_new(m, &s, &err), 0);
    float ctx[100];
    for (int i = 0; i < 100; i++) ctx[i] = sinf(i * 0.3f) + 0.01f * i;
    cl_chronos2_input in = {.context = ctx, .B = 1, .L = 100};
    cl_chronos2_result r;
    if (cl_chronos2_forward(s, &in, &r, &err)) fail_msg("%s", err.msg);
    assert_int_equal(r.N, 4);
    for (int i = 0; i < r.Q * r.N * r.ps; i++) assert_true(isfinite(r.quantile_preds[i]));
    cl_state_free(s);
    cl_model_free(m);
}

/* a folder: the fixture's weights under a config changed by sed expression `expr`; 0 or the
 * load's error in err */
static int load_with(const char *expr, cl_error *err) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/c2cfg", test_tmpdir());
    assert_int_equal(run_cmd("rm -rf '%s' && mkdir -p '%s' && ln -s '%s/model.safetensors' '%s/' && "
                             "sed -e '%s' '%s/config.json' > '%s/config.json'", dir, dir, FIXTURE, dir, expr, FIXTURE,
                             dir), 0);
    cl_model *m = NULL;
    int rc = cl_model_load(dir, NULL, &m, err);
    cl_model_free(m);
    return rc;
}

/* upstream's refusals, each one line naming the file */
static void test_refusals(void **st) {
    (void)st;
    cl_error err;
    static const struct { const char *expr, *want; } CASES[] = {
        {"s/\"feed_forward_proj\": \"relu\"/\"feed_forward_proj\": \"gated-gelu\"/;s/\"is_gated_act\": false/\"is_gated_act\": true/",
         "no gated feed-forward"},
        {"s/\"use_reg_token\": true/\"use_reg_token\": false/", "use_reg_token is not true"},
        {"s/\"output_patch_size\": 16/\"output_patch_size\": 8/", "output_patch_size (8) differs"},
        {"s/\"d_kv\": 12/\"d_kv\": 11/", "is odd"},
        {"s/\"num_layers\": 3/\"num_layers\": 2/", "not accounted for"},
        {"s/\"d_ff\": 56/\"d_ff\": 57/", "has shape"},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof *CASES; i++) {
        assert_int_not_equal(load_with(CASES[i].expr, &err), 0);
        printf("  %s\n", err.msg);
        if (!strstr(err.msg, CASES[i].want)) fail_msg("'%s' lacks '%s'", err.msg, CASES[i].want);
        assert_null(strchr(err.msg, '\n'));
    }
    /* dense_act_fn is ignored (upstream derives the activation from feed_forward_proj) */
    assert_int_equal(load_with("s/\"dense_act_fn\": \"relu\"/\"dense_act_fn\": \"gelu\"/", &err), 0);
}

/* `chronolens info` describes it */
static void test_info(void **st) {
    (void)st;
    char out[4096];
    snprintf(out, sizeof out, "%s/info.txt", test_tmpdir());
    assert_int_equal(run_cmd("'%s' info '%s' > '%s'", CL_CLI, FIXTURE, out), 0);
    char *txt = slurp(out);
    printf("%s", txt);
    assert_non_null(strstr(txt, "Chronos-2"));
    assert_non_null(strstr(txt, "RoPE"));
    assert_non_null(strstr(txt, "21 quantiles"));
    free(txt);
}

/* `chronolens forward` (args: its Chronos-2 options) writes the golden's tensors of the case
 * (prefix "" or "cov."), names, shapes and dtypes, within TOL (masks exactly) */
static void forward_cli(const char *dir, const char *prefix, const char *args) {
    char out[4096];
    cl_error err;
    snprintf(out, sizeof out, "%s/c2-forward.safetensors", test_tmpdir());
    assert_int_equal(run_cmd("'%s' forward --quiet --model '%s' %s --out '%s'", CL_CLI, dir, args, out), 0);
    char path[4096];
    snprintf(path, sizeof path, "%s/golden.safetensors", dir);
    st_file g, o;
    if (st_open(path, &g, &err) || st_open(out, &o, &err)) fail_msg("%s", err.msg);
    static const char *const NAMES[] = {"loc", "scale", "patches", "future_patches", "attention_mask", "input_embeds",
                                        "time_attn.", "group_attn.", "hidden_time.", "hidden_group.", "hidden.",
                                        "encoder_hidden", "quantile_preds_normalized", "quantile_preds"};
    const size_t np = strlen(prefix);
    int seen = 0;
    for (int i = 0; i < g.n; i++) {
        const char *nm = g.t[i].name;
        if (strncmp(nm, prefix, np) != 0 || (!np && !strncmp(nm, "cov.", 4))) continue;
        const char *base = nm + np;
        int want = 0;
        for (size_t k = 0; k < sizeof NAMES / sizeof *NAMES && !want; k++)
            want = NAMES[k][strlen(NAMES[k]) - 1] == '.' ? !strncmp(base, NAMES[k], strlen(NAMES[k]))
                                                        : !strcmp(base, NAMES[k]);
        if (!want) continue;
        const st_tensor *t = st_find(&o, base);
        if (!t) fail_msg("forward output lacks '%s'", base);
        assert_int_equal(t->ndim, g.t[i].ndim);
        for (int k = 0; k < t->ndim; k++) assert_int_equal(t->shape[k], g.t[i].shape[k]);
        assert_int_equal(t->dtype, g.t[i].dtype);
        size_t a, b;
        float *x = golden_f32(&o, base, &a), *y = golden_f32(&g, nm, &b);
        assert_int_equal(a, b);
        assert_close(nm, x, y, a, TOL);
        free(x); free(y);
        seen++;
    }
    const cl_config *c;
    cl_model *m;
    if (cl_model_load(dir, NULL, &m, &err)) fail_msg("%s", err.msg);
    c = cl_model_config(m);
    printf("  forward CLI %s: %d tensors of the golden\n", args, seen);
    assert_int_equal(seen, 9 + 5 * c->num_layers);
    assert_int_equal(o.n, seen);
    cl_model_free(m);
    st_close(&o);
    st_close(&g);
}

static void test_forward_cli(void **st) {
    (void)st;
    char args[8192], fcsv[4096];
    snprintf(args, sizeof args, "--context '%s/context.csv' --group-ids 0,1,2,2", FIXTURE);
    forward_cli(FIXTURE, "", args);
    /* the covariate case: the first 40 future steps of cov_future.csv, 3 output patches */
    snprintf(fcsv, sizeof fcsv, "%s/cov_future40.csv", test_tmpdir());
    assert_int_equal(run_cmd("head -n 41 '%s/cov_future.csv' > '%s'", FIXTURE, fcsv), 0);
    snprintf(args, sizeof args, "--context '%s/cov_context.csv' --group-ids 0,0,0,1,1,1 --future-covariates '%s' "
             "--output-patches 3", FIXTURE, fcsv);
    forward_cli(FIXTURE, "cov.", args);
    /* cross-learning: the golden's quantile_preds_cross */
    char out[4096];
    cl_error err;
    snprintf(out, sizeof out, "%s/c2-cross.safetensors", test_tmpdir());
    assert_int_equal(run_cmd("'%s' forward --quiet --model '%s' --context '%s/context.csv' --cross-learning --out '%s'",
                             CL_CLI, FIXTURE, FIXTURE, out), 0);
    st_file g, o;
    if (st_open(FIXTURE "/golden.safetensors", &g, &err) || st_open(out, &o, &err)) fail_msg("%s", err.msg);
    size_t a, b;
    float *x = golden_f32(&o, "quantile_preds", &a), *y = golden_f32(&g, "quantile_preds_cross", &b);
    assert_int_equal(a, b);
    assert_close("quantile_preds_cross", x, y, a, TOL);
    free(x); free(y);
    st_close(&o); st_close(&g);
    /* refused in one line, exit 2, nothing written */
    assert_int_equal(run_cmd("'%s' forward --quiet --model '%s' --context '%s/context.csv' --group-ids 0,1 --out '%s/x.st'",
                             CL_CLI, FIXTURE, FIXTURE, test_tmpdir()), 2);
    assert_int_equal(run_cmd("'%s' forward --quiet --model '%s' --context '%s/context.csv' --chunk 2 --out '%s/x.st'",
                             CL_CLI, FIXTURE, FIXTURE, test_tmpdir()), 2);
    assert_int_equal(run_cmd("'%s' forward --quiet --model '%s' --context '%s/context.csv' --output-patches 5 --out '%s/x.st'",
                             CL_CLI, FIXTURE, FIXTURE, test_tmpdir()), 2);
    snprintf(out, sizeof out, "%s/x.st", test_tmpdir());
    assert_false(file_exists(out));
}

/* a golden tensor's element as float */
static float at4(const float *x, const st_tensor *t, int64_t i, int64_t j, int64_t k, int64_t l) {
    return x[((i * t->shape[1] + j) * t->shape[2] + k) * t->shape[3] + l];
}

/* `forward` capture by specification: --layers 2,0 --heads 3,1 --rows 5,-1 --group-tokens -1,10
 * --maps time,group writes time_attn.{2,0} (B, 2, 2, S) and group_attn.{2,0} (2, 2, B, B), the
 * golden's slices within TOL, "heads", "rows" and "group_tokens" resolved, no hidden state and
 * no other layer; --maps hidden --layers 1 only the hidden states of layer 1; a selection the
 * model or the pass cannot take is one line, exit 2, nothing written */
static void test_forward_select(void **st) {
    (void)st;
    char out[4096];
    cl_error err;
    snprintf(out, sizeof out, "%s/c2-sel.safetensors", test_tmpdir());
    assert_int_equal(run_cmd("'%s' forward --quiet --model '%s' --context '%s/context.csv' --group-ids 0,1,2,2 "
                             "--maps time,group --layers 2,0 --heads 3,1 --rows 5,-1 --group-tokens -1,10 --out '%s'",
                             CL_CLI, FIXTURE, FIXTURE, out), 0);
    st_file g, o;
    if (st_open(FIXTURE "/golden.safetensors", &g, &err) || st_open(out, &o, &err)) fail_msg("%s", err.msg);
    const st_tensor *gt = st_find(&g, "time_attn.0"), *gg = st_find(&g, "group_attn.0");
    const int64_t B = gt->shape[0], S = gt->shape[2];
    const int64_t L[2] = {2, 0}, Hd[2] = {3, 1}, R[2] = {5, S - 1}, T[2] = {S - 1, 10};
    double worst = 0;
    for (int k = 0; k < 2; k++) {
        char nm[64];
        size_t n;
        snprintf(nm, sizeof nm, "time_attn.%d", (int)L[k]);
        const st_tensor *t = st_find(&o, nm), *tg = st_find(&g, nm);
        assert_non_null(t);
        assert_true(t->ndim == 4 && t->shape[0] == B && t->shape[1] == 2 && t->shape[2] == 2 && t->shape[3] == S);
        float *x = golden_f32(&o, nm, &n), *y = golden_f32(&g, nm, &n);
        for (int64_t b = 0; b < B; b++)
            for (int h = 0; h < 2; h++)
                for (int r = 0; r < 2; r++)
                    for (int64_t s2 = 0; s2 < S; s2++) {
                        const double d = fabs(at4(x, t, b, h, r, s2) - at4(y, tg, b, Hd[h], R[r], s2));
                        worst = d > worst ? d : worst;
                    }
        free(x); free(y);
        snprintf(nm, sizeof nm, "group_attn.%d", (int)L[k]);
        t = st_find(&o, nm);
        tg = st_find(&g, nm);
        assert_non_null(t);
        assert_true(t->ndim == 4 && t->shape[0] == 2 && t->shape[1] == 2 && t->shape[2] == B && t->shape[3] == B);
        x = golden_f32(&o, nm, &n);
        y = golden_f32(&g, nm, &n);
        for (int i = 0; i < 2; i++)
            for (int h = 0; h < 2; h++)
                for (int64_t q = 0; q < B; q++)
                    for (int64_t kk = 0; kk < B; kk++) {
                        const double d = fabs(at4(x, t, i, h, q, kk) - at4(y, tg, T[i], Hd[h], q, kk));
                        worst = d > worst ? d : worst;
                    }
        free(x); free(y);
    }
    printf("  selected maps: max abs %.3g\n", worst);
    assert_true(worst <= TOL);
    assert_null(st_find(&o, "time_attn.1"));
    assert_null(st_find(&o, "group_attn.1"));
    assert_null(st_find(&o, "hidden.0"));
    assert_non_null(st_find(&o, "quantile_preds"));
    static const char *const SEL[3] = {"heads", "rows", "group_tokens"};
    const int64_t *want[3] = {Hd, R, T};
    for (int k = 0; k < 3; k++) {
        const st_tensor *t = st_find(&o, SEL[k]);
        assert_true(t && t->dtype == ST_I64 && t->ndim == 1 && t->shape[0] == 2);
        assert_memory_equal(t->data, want[k], sizeof(int64_t) * 2);
    }
    (void)gg;
    st_close(&o);
    /* the hidden states of one layer, no map */
    assert_int_equal(run_cmd("'%s' forward --quiet --model '%s' --context '%s/context.csv' --group-ids 0,1,2,2 "
                             "--maps hidden --layers 1 --out '%s'", CL_CLI, FIXTURE, FIXTURE, out), 0);
    if (st_open(out, &o, &err)) fail_msg("%s", err.msg);
    assert_null(st_find(&o, "time_attn.1"));
    assert_null(st_find(&o, "group_attn.1"));
    assert_null(st_find(&o, "hidden.0"));
    static const char *const HID[3] = {"hidden_time.1", "hidden_group.1", "hidden.1"};
    for (int k = 0; k < 3; k++) {
        size_t a, b;
        assert_non_null(st_find(&o, HID[k]));
        float *x = golden_f32(&o, HID[k], &a), *y = golden_f32(&g, HID[k], &b);
        assert_int_equal(a, b);
        assert_close(HID[k], x, y, a, TOL);
        free(x); free(y);
    }
    assert_int_equal(o.n, 9 + 3);
    st_close(&o);
    st_close(&g);
    static const char *const BAD[] = {"--rows 100000", "--group-tokens 3,3", "--maps enc", "--maps group --rows 1",
                                      "--heads 5", "--layers 3", "--maps hidden --heads 0"};
    char log[4096];
    snprintf(log, sizeof log, "%s/sel.log", test_tmpdir());
    for (size_t i = 0; i < sizeof BAD / sizeof *BAD; i++) {
        remove(out);
        assert_int_equal(run_cmd("'%s' forward --quiet --model '%s' --context '%s/context.csv' %s --out '%s' 2> '%s'",
                                 CL_CLI, FIXTURE, FIXTURE, BAD[i], out, log), 2);
        char *txt = slurp(log);
        printf("  %s: %s", BAD[i], txt);
        assert_ptr_equal(strchr(txt, '\n'), txt + strlen(txt) - 1);
        assert_false(file_exists(out));
        free(txt);
    }
    /* the Chronos-2 selections on a T5 model */
    assert_int_equal(run_cmd("'%s' forward --quiet --model '%s/../rand-small' --context '%s/context.csv' --group-tokens 1 "
                             "--out '%s' 2> '%s'", CL_CLI, FIXTURE, FIXTURE, out, log), 2);
}

/* the commands that do not run Chronos-2 yet refuse it in one line (exit 2), never crash */
static void test_other_commands(void **st) {
    (void)st;
    static const char *const CMDS[] = {"eval --out '%s/ev'"};
    for (size_t i = 0; i < sizeof CMDS / sizeof *CMDS; i++) {
        char args[4096], log[4096];
        snprintf(args, sizeof args, CMDS[i], test_tmpdir());
        snprintf(log, sizeof log, "%s/err.txt", test_tmpdir());
        assert_int_equal(run_cmd("'%s' %s --quiet --model '%s' 2> '%s'", CL_CLI, args, FIXTURE, log), 2);
        char *txt = slurp(log);
        printf("  %s", txt);
        assert_non_null(strstr(txt, "Chronos-2"));
        assert_non_null(strstr(txt, FIXTURE)); /* names the folder */
        assert_ptr_equal(strchr(txt, '\n'), txt + strlen(txt) - 1);
        free(txt);
    }
}

int main(int argc, char **argv) {
    cl_set_threads(2);
    static const struct CMUnitTest common[] = {
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_info),
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_forward_cli),
        cmocka_unit_test(test_forward_select),
        cmocka_unit_test(test_other_commands),
    };
    static const struct CMUnitTest peer[] = {cmocka_unit_test(test_peer)};
    static const cl_test_group groups[] = {
        CL_TEST_GROUP("common", common, NULL, NULL, NULL, NULL),
        CL_TEST_GROUP("peer", peer, NULL, NULL, NULL, NULL),
    };
    return cl_test_main(argc, argv, groups, sizeof groups / sizeof *groups);
}
