/* test_c2_hooks.c — Chronos-2's hook points (src/model/chronos2/c2_hooks.c, forward.c) on
 * tests/fixtures/chronos2-rand: the names; every cached activation that has a golden tensor
 * (time_attn.{l} (B, H, S, S), group_attn.{l} (S, H, B, B), hidden_time / hidden_group / hidden
 * .{l}, input_embeds, encoder_hidden, the normalised quantiles) within 1e-4 of chronos2ref.py's;
 * a zero-ablation of a time-attention head equal to the head gate bit for bit; add 0 the
 * identity; interventions at the group attention that move the quantiles; patching a run from
 * its own cache; group hooks that keep no (S, H, B, B) map unless the map is hooked; the
 * forecast study applying a hook set (moved by an ablation, unchanged by a cache) and refusing
 * a patch. */
#include "testutil.h"
#include "tolerance.h"
#include "chronolens_study.h"
#include "model/hooks.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOL 1e-4
#define FIXTURE CL_FIXTURES "/chronos2-rand"

typedef struct c2run {
    cl_model *m;
    st_file g;
    float *ctx;
    int B, L, N;
    int gid[16];
} c2run;

static c2run R;

static int setup(void **st) {
    (void)st;
    cl_error err;
    if (cl_model_load(FIXTURE, NULL, &R.m, &err)) { printf("%s\n", err.msg); return 1; }
    if (st_open(FIXTURE "/golden.safetensors", &R.g, &err)) { printf("%s\n", err.msg); return 1; }
    size_t n;
    const st_tensor *ct = st_find(&R.g, "context");
    R.B = (int)ct->shape[0];
    R.L = (int)ct->shape[1];
    R.ctx = golden_f32(&R.g, "context", &n);
    int64_t *g64 = golden_i64(&R.g, "group_ids", &n);
    for (int b = 0; b < R.B; b++) R.gid[b] = (int)g64[b];
    free(g64);
    cJSON *in = read_json(FIXTURE "/inputs.json");
    R.N = cJSON_GetObjectItem(cJSON_GetObjectItem(in, "batch"), "num_output_patches")->valueint;
    cJSON_Delete(in);
    return 0;
}

static int teardown(void **st) {
    (void)st;
    free(R.ctx);
    st_close(&R.g);
    cl_model_free(R.m);
    return 0;
}

/* One forward of the golden's main case with hook set hk (may be NULL), a time-attention gate
 * (layer, head) when gate_layer >= 0; the quantiles (B, Q, N*ps) (caller frees), *n their size. */
static int run_normalized; /* run() copies the head's output before sinh (quantile_preds_normalized) */
static float *run(cl_hooks *hk, int gate_layer, int gate_head, size_t *n) {
    cl_error err;
    cl_state *s;
    assert_int_equal(cl_state_new(R.m, &s, &err), 0);
    cl_state_set_hooks(s, hk);
    if (gate_layer >= 0) assert_int_equal(cl_state_set_head_gate(s, CL_ENC_SELF, gate_layer, gate_head, 0.0f, &err), 0);
    cl_chronos2_input in = {.context = R.ctx, .B = R.B, .L = R.L, .group_ids = R.gid, .num_output_patches = R.N};
    cl_chronos2_result r;
    if (cl_chronos2_forward(s, &in, &r, &err)) fail_msg("%s", err.msg);
    *n = (size_t)r.B * r.Q * r.N * r.ps;
    float *q = malloc(sizeof(float) * *n);
    memcpy(q, run_normalized ? r.quantile_preds_normalized : r.quantile_preds, sizeof(float) * *n);
    cl_state_free(s);
    return q;
}

static int npoints(void) { return cl_hook_name(R.m, -1, NULL, 0); }
static const char *point(int i) {
    static char buf[128];
    cl_hook_name(R.m, i, buf, sizeof buf);
    return buf;
}
static int has_point(const char *name) {
    for (int i = 0; i < npoints(); i++)
        if (!strcmp(point(i), name)) return 1;
    return 0;
}

static void test_names(void **st) {
    (void)st;
    const cl_config *c = cl_model_config(R.m);
    const int n = npoints();
    /* 2 own + hook_embed + 21 per layer + the final norm */
    assert_int_equal(n, 2 + 1 + 21 * c->num_layers + 1);
    assert_string_equal(point(0), "input_patch_embedding.hook_out");
    assert_string_equal(point(1), "hook_embed");
    assert_string_equal(point(2), "encoder.0.hook_resid_pre");
    assert_string_equal(point(n - 1), "output_patch_embedding.hook_out");
    assert_string_equal(point(n - 2), "encoder_final_ln.hook_normalized");
    const char *want[] = {"encoder.0.time_attn.hook_q", "encoder.0.time_attn.hook_pattern", "encoder.0.hook_time_attn_out",
                          "encoder.0.hook_resid_mid", "encoder.0.group_attn.hook_k", "encoder.0.group_attn.hook_pattern",
                          "encoder.0.group_attn.hook_z", "encoder.0.hook_group_attn_out", "encoder.0.hook_resid_mid_group",
                          "encoder.0.mlp.hook_pre", "encoder.0.mlp.hook_post", "encoder.0.hook_mlp_out",
                          "encoder.1.hook_resid_post"};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        if (!has_point(want[i])) fail_msg("no point %s", want[i]);
    }
    for (int i = 0; i < n; i++) {
        assert_null(strstr(point(i), "decoder"));
        assert_null(strstr(point(i), "hook_pre_linear"));
        assert_null(strstr(point(i), ".attn."));
    }
    cl_hooks *hk;
    cl_error err;
    assert_int_equal(cl_hooks_new(R.m, &hk, &err), 0);
    cl_intervention iv = {.kind = CL_IV_CACHE, .name = "encoder.0.attn.hook_z", .head = -1};
    assert_int_not_equal(cl_hooks_add_intervention(hk, &iv, &err), 0);
    assert_non_null(strstr(err.msg, "no such hook point in this Chronos-2 model"));
    cl_hooks_free(hk);
}

/* a cached activation against golden `gname`, its shape checked */
static void golden_point(cl_hooks *hk, const char *point, const char *gname, int ndim, const int *shape) {
    cl_hook_info info;
    const float *a = cl_hooks_cached(hk, point, &info);
    if (!a) fail_msg("%s: not cached", point);
    assert_int_equal(info.ndim, ndim);
    size_t n = 1;
    for (int i = 0; i < ndim; i++) {
        if (info.shape[i] != shape[i]) fail_msg("%s: axis %d is %d, not %d", point, i, info.shape[i], shape[i]);
        n *= (size_t)shape[i];
    }
    size_t gn;
    float *ref = golden_f32(&R.g, gname, &gn);
    assert_int_equal(gn, n);
    printf("  %-44s %-26s max abs %.3g\n", point, gname, max_abs_diff(a, ref, n));
    assert_close(point, a, ref, n, TOL);
    free(ref);
}

static void test_golden(void **st) {
    (void)st;
    const cl_config *c = cl_model_config(R.m);
    cl_hooks *hk;
    cl_error err;
    assert_int_equal(cl_hooks_new(R.m, &hk, &err), 0);
    for (int i = 0; i < npoints(); i++) { /* every point cached */
        cl_intervention iv = {.kind = CL_IV_CACHE, .name = point(i), .head = -1};
        assert_int_equal(cl_hooks_add_intervention(hk, &iv, &err), 0);
    }
    size_t n;
    float *q = run(hk, -1, 0, &n);
    float *want = golden_f32(&R.g, "quantile_preds", &n);
    printf("  quantile_preds (every point cached) max abs %.3g\n", max_abs_diff(q, want, n));
    assert_close("quantile_preds", q, want, n, TOL);
    free(want);
    const int B = R.B, H = c->num_heads, d = c->d_model, S = cl_chronos2_num_tokens(c, R.L, R.N);
    const int P = S - 1 - R.N, Q = c->n_quantiles, ps = c->patch_size;
    char pn[96], gn[64];
    const int resid[3] = {B, S, d}, tmap[4] = {B, H, S, S}, gmap[4] = {S, H, B, B}, heads[4] = {B, S, H, c->d_kv};
    golden_point(hk, "hook_embed", "input_embeds", 3, resid);
    for (int l = 0; l < c->num_layers; l++) {
        snprintf(pn, sizeof pn, "encoder.%d.time_attn.hook_pattern", l); snprintf(gn, sizeof gn, "time_attn.%d", l);
        golden_point(hk, pn, gn, 4, tmap);
        snprintf(pn, sizeof pn, "encoder.%d.group_attn.hook_pattern", l); snprintf(gn, sizeof gn, "group_attn.%d", l);
        golden_point(hk, pn, gn, 4, gmap);
        snprintf(pn, sizeof pn, "encoder.%d.hook_resid_mid", l); snprintf(gn, sizeof gn, "hidden_time.%d", l);
        golden_point(hk, pn, gn, 3, resid);
        snprintf(pn, sizeof pn, "encoder.%d.hook_resid_mid_group", l); snprintf(gn, sizeof gn, "hidden_group.%d", l);
        golden_point(hk, pn, gn, 3, resid);
        snprintf(pn, sizeof pn, "encoder.%d.hook_resid_post", l); snprintf(gn, sizeof gn, "hidden.%d", l);
        golden_point(hk, pn, gn, 3, resid);
        /* the layouts of the others; the residual stream adds up */
        cl_hook_info info;
        snprintf(pn, sizeof pn, "encoder.%d.group_attn.hook_z", l);
        assert_non_null(cl_hooks_cached(hk, pn, &info));
        assert_memory_equal(info.shape, heads, sizeof heads);
        const float *pre = cl_hooks_cached(hk, (snprintf(pn, sizeof pn, "encoder.%d.hook_resid_mid", l), pn), NULL);
        const float *ga = cl_hooks_cached(hk, (snprintf(pn, sizeof pn, "encoder.%d.hook_group_attn_out", l), pn), NULL);
        const float *post = cl_hooks_cached(hk, (snprintf(pn, sizeof pn, "encoder.%d.hook_resid_mid_group", l), pn), NULL);
        double worst = 0;
        for (size_t i = 0; i < (size_t)B * S * d; i++) worst = fmax(worst, fabs(pre[i] + ga[i] - post[i]));
        assert_true(worst < 1e-5);
    }
    golden_point(hk, "encoder_final_ln.hook_normalized", "encoder_hidden", 3, resid);
    const int qshape[3] = {B, Q, R.N * ps}, pshape[3] = {B, P, d};
    golden_point(hk, "output_patch_embedding.hook_out", "quantile_preds_normalized", 3, qshape);
    cl_hook_info info;
    assert_non_null(cl_hooks_cached(hk, "input_patch_embedding.hook_out", &info));
    assert_memory_equal(info.shape, pshape, sizeof pshape);
    free(q);
    cl_hooks_free(hk);
}

/* one intervention's quantiles */
static float *with(const cl_intervention *iv, size_t *n) {
    cl_hooks *hk;
    cl_error err;
    assert_int_equal(cl_hooks_new(R.m, &hk, &err), 0);
    if (cl_hooks_add_intervention(hk, iv, &err)) fail_msg("%s", err.msg);
    float *q = run(hk, -1, 0, n);
    cl_hooks_free(hk);
    return q;
}

static void test_interventions(void **st) {
    (void)st;
    const cl_config *c = cl_model_config(R.m);
    size_t n;
    float *clean = run(NULL, -1, 0, &n);
    /* a time-attention head zeroed at its z (or at hook_time_attn_out by head) = the head gate */
    for (int l = 0; l < c->num_layers; l++) {
        float *gated = run(NULL, l, 1, &n);
        char nm[96];
        snprintf(nm, sizeof nm, "encoder.%d.time_attn.hook_z", l);
        cl_intervention iv = {.kind = CL_IV_ZERO, .name = nm, .head = 1};
        float *z = with(&iv, &n);
        assert_memory_equal(z, gated, sizeof(float) * n);
        snprintf(nm, sizeof nm, "encoder.%d.hook_time_attn_out", l);
        float *z2 = with(&iv, &n);
        assert_memory_equal(z2, gated, sizeof(float) * n);
        assert_true(max_abs_diff(gated, clean, n) > 1e-4);
        free(gated); free(z); free(z2);
    }
    /* add 0 everywhere a row is added: the identity bit for bit */
    cl_hooks *hk;
    cl_error err;
    assert_int_equal(cl_hooks_new(R.m, &hk, &err), 0);
    float zeros[1024] = {0};
    for (int i = 0; i < npoints(); i++) {
        const char *p = point(i);
        if (strstr(p, "hook_pattern") || strstr(p, "hook_attn_scores") || strstr(p, "_out") ||
            strstr(p, "output_patch")) continue; /* maps: another path; sublayer outputs: apart */
        int w = strstr(p, "hook_q") || strstr(p, "hook_k") || strstr(p, "hook_v") || strstr(p, "hook_z")
                    ? c->num_heads * c->d_kv : strstr(p, "mlp.") ? c->d_ff : c->d_model;
        assert_true(w <= 1024);
        cl_intervention iv = {.kind = CL_IV_ADD, .name = p, .head = -1, .n_value = w, .value = zeros};
        if (cl_hooks_add_intervention(hk, &iv, &err)) fail_msg("%s", err.msg);
    }
    float *same = run(hk, -1, 0, &n);
    assert_memory_equal(same, clean, sizeof(float) * n);
    free(same);
    cl_hooks_free(hk);
    /* the group attention: a head's z zeroed, its pattern zeroed at every token, a series'
     * output zeroed — each moves the forecast; the same head by hook_group_attn_out equals z's */
    cl_intervention gz = {.kind = CL_IV_ZERO, .name = "encoder.0.group_attn.hook_z", .head = 0};
    float *a = with(&gz, &n);
    cl_intervention go = {.kind = CL_IV_ZERO, .name = "encoder.0.hook_group_attn_out", .head = 0};
    float *a2 = with(&go, &n);
    assert_memory_equal(a, a2, sizeof(float) * n);
    cl_intervention gp = {.kind = CL_IV_ZERO, .name = "encoder.1.group_attn.hook_pattern", .head = 1};
    float *b = with(&gp, &n);
    float one = 0.5f;
    cl_intervention gs = {.kind = CL_IV_SCALE, .name = "encoder.1.group_attn.hook_pattern", .head = -1, .n_value = 1,
                          .value = &one};
    float *b2 = with(&gs, &n);
    cl_intervention out = {.kind = CL_IV_ZERO, .name = "output_patch_embedding.hook_out", .head = -1};
    float *o = with(&out, &n);
    printf("  moved by: group z head 0 %.3g, group pattern head 1 %.3g, pattern x0.5 %.3g\n", max_abs_diff(a, clean, n),
           max_abs_diff(b, clean, n), max_abs_diff(b2, clean, n));
    assert_true(max_abs_diff(a, clean, n) > 1e-4);
    assert_true(max_abs_diff(b, clean, n) > 1e-4);
    assert_true(max_abs_diff(b2, clean, n) > 1e-4);
    /* the head's output zeroed: every quantile is loc (sinh 0 = 0) */
    for (int bb = 0; bb < R.B; bb++) {
        const size_t per = n / R.B;
        for (size_t i = 0; i < per; i++) assert_float_equal(o[bb * per + i], o[bb * per], 1e-6);
    }
    free(a); free(a2); free(b); free(b2); free(o); free(clean);
}

/* patching every residual and head activation of a run from its own cache reproduces it; the
 * group attention's q/k/v/z cached alone keep no (S, H, B, B) map */
static void test_patch(void **st) {
    (void)st;
    const cl_config *c = cl_model_config(R.m);
    cl_hooks *hk;
    cl_error err;
    size_t n;
    assert_int_equal(cl_hooks_new(R.m, &hk, &err), 0);
    const char *pts[] = {"encoder.0.group_attn.hook_q", "encoder.1.group_attn.hook_v", "encoder.0.group_attn.hook_z",
                         "encoder.1.hook_resid_mid_group", "encoder.0.hook_group_attn_out", "encoder.1.mlp.hook_post"};
    const int np = sizeof pts / sizeof *pts;
    for (int i = 0; i < np; i++) {
        cl_intervention iv = {.kind = CL_IV_CACHE, .name = pts[i], .head = -1};
        assert_int_equal(cl_hooks_add_intervention(hk, &iv, &err), 0);
    }
    float *clean = run(hk, -1, 0, &n);
    assert_int_equal(hk->scratch_cap, 0); /* no map formed whole */
    for (int i = 0; i < np; i++) {
        cl_hook_info info;
        const float *a = cl_hooks_cached(hk, pts[i], &info);
        assert_non_null(a);
        assert_int_equal(info.shape[0], R.B);
        size_t sz = 1;
        for (int k = 0; k < info.ndim; k++) sz *= (size_t)info.shape[k];
        float *src = malloc(sizeof(float) * sz);
        memcpy(src, a, sizeof(float) * sz);
        cl_hooks *p;
        assert_int_equal(cl_hooks_new(R.m, &p, &err), 0);
        cl_intervention iv = {.kind = CL_IV_PATCH, .name = pts[i], .head = -1, .src = src, .src_batch = info.shape[0],
                              .src_pos = info.shape[1]};
        if (cl_hooks_add_intervention(p, &iv, &err)) fail_msg("%s: %s", pts[i], err.msg);
        float *again = run(p, -1, 0, &n);
        printf("  patched %-36s max abs %.3g\n", pts[i], max_abs_diff(again, clean, n));
        assert_close(pts[i], again, clean, n, 1e-5);
        /* a series' group query patched from another series: the forecast moves */
        int rows[16];
        for (int b = 0; b < R.B; b++) rows[b] = (b + 1) % R.B;
        cl_hooks_clear(p);
        cl_intervention rs = {.kind = CL_IV_RESAMPLE, .name = pts[i], .head = -1, .src = src,
                              .src_batch = info.shape[0], .src_pos = info.shape[1], .n_src_rows = R.B, .src_rows = rows};
        assert_int_equal(cl_hooks_add_intervention(p, &rs, &err), 0);
        float *moved = run(p, -1, 0, &n);
        assert_true(max_abs_diff(moved, clean, n) > 1e-5);
        free(moved); free(again); free(src);
        cl_hooks_free(p);
    }
    (void)c;
    free(clean);
    cl_hooks_free(hk);
}

/* quantiles of the main context in groups gid with hook set hk (the set's scratch left for the caller) */
static float *run_groups(cl_hooks *hk, const int *gid, size_t *n) {
    int keep[16];
    memcpy(keep, R.gid, sizeof keep);
    memcpy(R.gid, gid, sizeof(int) * R.B);
    float *q = run(hk, -1, 0, n);
    memcpy(R.gid, keep, sizeof keep);
    return q;
}

/* a group-attention pattern only zeroed or scaled fires a group at a time, (S, H, ng, ng), when
 * no group lacks a real key at a token: the same numbers as the maps formed whole (a cache at
 * the point forces them), in less memory; with such a token the whole maps serve */
static void test_group_pattern_pergroup(void **st) {
    (void)st;
    const cl_config *c = cl_model_config(R.m);
    const int S = cl_chronos2_num_tokens(c, R.L, R.N), H = c->num_heads, B = R.B;
    const int two[4] = {0, 0, 1, 1}; /* row 1's missing start is covered by row 0 */
    cl_error err;
    cl_hooks *piece, *whole;
    assert_int_equal(cl_hooks_new(R.m, &piece, &err), 0);
    assert_int_equal(cl_hooks_new(R.m, &whole, &err), 0);
    float half = 0.5f;
    cl_intervention z = {.kind = CL_IV_ZERO, .name = "encoder.1.group_attn.hook_pattern", .head = 2};
    cl_intervention sc = {.kind = CL_IV_SCALE, .name = "encoder.2.group_attn.hook_pattern", .head = -1, .n_pos = 1,
                          .pos = (int[]){S - 2}, .n_value = 1, .value = &half};
    cl_intervention ca = {.kind = CL_IV_CACHE, .name = "encoder.1.group_attn.hook_pattern", .head = -1};
    cl_intervention ca2 = {.kind = CL_IV_CACHE, .name = "encoder.2.group_attn.hook_pattern", .head = -1};
    for (int i = 0; i < 2; i++) {
        cl_hooks *h = i ? whole : piece;
        assert_int_equal(cl_hooks_add_intervention(h, &z, &err), 0);
        assert_int_equal(cl_hooks_add_intervention(h, &sc, &err), 0);
    }
    assert_int_equal(cl_hooks_add_intervention(whole, &ca, &err), 0);
    assert_int_equal(cl_hooks_add_intervention(whole, &ca2, &err), 0);
    size_t n;
    /* the two paths sum the same products in another order (a group's keys alone, or all rows
     * with the others' weights 0): compared before sinh, within the reordering bound */
    run_normalized = 1;
    float *clean = run_groups(NULL, two, &n);
    float *a = run_groups(piece, two, &n), *b = run_groups(whole, two, &n);
    run_normalized = 0;
    printf("  pattern zeroed / scaled by group vs whole: max abs %.3g (moved %.3g); scratch %zu vs %zu floats\n",
           max_abs_diff(a, b, n), max_abs_diff(a, clean, n), piece->scratch_cap, whole->scratch_cap);
    assert_reordered("group-by-group pattern", a, b, n, c2_roundings(c, S, B), c2_head_scale(R.m));
    assert_true(max_abs_diff(a, clean, n) > 1e-4);
    assert_int_equal(piece->scratch_cap, (size_t)S * H * 2 * 2);
    assert_int_equal(whole->scratch_cap, (size_t)S * H * B * B);
    /* the cached map shows the ablation: head 2 zero, the others rows summing to 1 in a group */
    cl_hook_info info;
    const float *m1 = cl_hooks_cached(whole, "encoder.1.group_attn.hook_pattern", &info);
    double row = 0;
    for (int j = 0; j < B; j++) { assert_float_equal(m1[((size_t)5 * H + 2) * B * B + j], 0, 0); row += m1[((size_t)5 * H) * B * B + j]; }
    assert_float_equal(row, 1, 1e-5);
    free(clean); free(a); free(b);
    /* the main case (a group without a real key at its first tokens): the whole maps */
    cl_hooks_clear(piece);
    assert_int_equal(cl_hooks_add_intervention(piece, &z, &err), 0);
    float *m = run(piece, -1, 0, &n);
    assert_int_equal(piece->scratch_cap, (size_t)S * H * B * B);
    free(m);
    cl_hooks_free(piece);
    cl_hooks_free(whole);
}

/* forecast (Chronos2Pipeline.predict through the study) applies the set: a cache changes
 * nothing, an ablation moves it, a patch is refused */
static void test_forecast(void **st) {
    (void)st;
    cl_error err;
    cl_context ctx = {.values = R.ctx, .B = R.B, .L = R.L};
    cl_forecast_study_opts o;
    cl_forecast_study_default(&o);
    o.horizon = 80; /* beyond max_output_patches x patch: the unrolled passes too */
    o.group_ids = R.gid;
    o.n_group_ids = R.B;
    cl_forecast_result plain, cached, ablated;
    if (cl_forecast_study_run(R.m, &ctx, &o, &plain, &err)) fail_msg("%s", err.msg);
    cl_hooks *hk;
    assert_int_equal(cl_hooks_new(R.m, &hk, &err), 0);
    cl_intervention c1 = {.kind = CL_IV_CACHE, .name = "encoder.1.group_attn.hook_pattern", .head = -1};
    assert_int_equal(cl_hooks_add_intervention(hk, &c1, &err), 0);
    o.hooks = hk;
    if (cl_forecast_study_run(R.m, &ctx, &o, &cached, &err)) fail_msg("%s", err.msg);
    const size_t n = (size_t)plain.B * plain.S * plain.H;
    printf("  forecast, group pattern cached: max abs %.3g\n", max_abs_diff(cached.paths, plain.paths, n));
    assert_close("cached forecast", cached.paths, plain.paths, n, 1e-4);
    cl_hook_info info;
    assert_non_null(cl_hooks_cached(hk, "encoder.1.group_attn.hook_pattern", &info));
    cl_hooks_clear(hk);
    for (int l = 0; l < cl_model_config(R.m)->num_layers; l++) {
        char nm[64];
        snprintf(nm, sizeof nm, "encoder.%d.group_attn.hook_z", l);
        cl_intervention z = {.kind = CL_IV_ZERO, .name = nm, .head = -1};
        assert_int_equal(cl_hooks_add_intervention(hk, &z, &err), 0);
    }
    if (cl_forecast_study_run(R.m, &ctx, &o, &ablated, &err)) fail_msg("%s", err.msg);
    printf("  forecast, group attention zeroed: moved %.3g\n", max_abs_diff(ablated.paths, plain.paths, n));
    assert_true(max_abs_diff(ablated.paths, plain.paths, n) > 1e-3);
    /* a patch (any source) is refused before any pass */
    cl_hooks_clear(hk);
    cl_forecast_result bad;
    float *big = calloc((size_t)R.B * 64 * cl_model_config(R.m)->d_model, sizeof(float));
    cl_intervention pp = {.kind = CL_IV_PATCH, .name = "hook_embed", .head = -1, .src = big, .src_batch = R.B,
                          .src_pos = 64};
    assert_int_equal(cl_hooks_add_intervention(hk, &pp, &err), 0);
    assert_int_not_equal(cl_forecast_study_run(R.m, &ctx, &o, &bad, &err), 0);
    assert_non_null(strstr(err.msg, "patching from another run is refused"));
    free(big);
    cl_forecast_free(&plain); cl_forecast_free(&cached); cl_forecast_free(&ablated);
    cl_hooks_free(hk);
}

int main(int argc, char **argv) {
    cl_set_threads(2);
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_interventions),
        cmocka_unit_test(test_patch),
        cmocka_unit_test(test_group_pattern_pergroup),
        cmocka_unit_test(test_forecast),
    };
    return cl_test_run("test_c2_hooks", tests, sizeof tests / sizeof *tests, setup, teardown);
}
