/* test_hooks.c — the hook layer (src/model/hooks.c) on the small random checkpoint of each
 * family: the names, a zero-ablation through hooks equal to the head gate bit for bit, add 0
 * the identity bit for bit, patching every activation of a run from its own cache (from
 * another input) reproducing it, callbacks told the TransformerLens layout, errors; for
 * Chronos-T5 also the cached decoding (forecast) under interventions equal to the full
 * recompute and moved by them. */
#include "testutil.h"
#include "study/forecast/forecast.h"
#include "core/core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { B = 2, L = 40, TD = 3 };

typedef struct run {
    cl_model *m;
    float ctx[2][B * L];        /* a clean and a corrupted context */
} run;

static int is_bolt(const run *r) { return cl_model_is_bolt(r->m); }

static void open_model(run *r) {
    cl_error err;
    if (cl_model_load(cl_test_family_now()->fixture, NULL, &r->m, &err)) fail_msg("%s", err.msg);
    for (int i = 0; i < B * L; i++) {
        r->ctx[0][i] = (float)(10 + 3 * sin(0.7 * i) + (i % 5));
        r->ctx[1][i] = (float)(10 + 3 * cos(1.3 * i) + (i % 3));
    }
}

/* One pass on context k with hooks hk (may be NULL) and an optional gate (stack, layer,
 * head = 0); returns the output (T5: logits (B, TD, V); Bolt: quantiles (B, Q, H)), *n its
 * size. Caller frees. */
static float *forward(run *r, int k, cl_hooks *hk, int gate_stack, int gate_layer, int gate_head, size_t *n) {
    cl_error err;
    cl_state *s;
    const cl_config *c = cl_model_config(r->m);
    assert_int_equal(cl_state_new(r->m, &s, &err), 0);
    cl_state_set_hooks(s, hk);
    if (gate_stack >= 0) assert_int_equal(cl_state_set_head_gate(s, (cl_stack)gate_stack, gate_layer, gate_head, 0.0f, &err), 0);
    const float *out;
    if (is_bolt(r)) {
        if (cl_bolt_forward(s, r->ctx[k], B, L, &err)) fail_msg("%s", err.msg);
        *n = (size_t)B * c->n_quantiles * c->prediction_length;
        out = cl_bolt_quantiles(s);
    } else {
        int T = cl_tokenizer_length(c, L);
        int32_t ids[B * 64], dec[B * TD];
        uint8_t mask[B * 64];
        float scale[B];
        assert_true(T <= 64);
        assert_int_equal(cl_tokenizer_encode(c, r->ctx[k], B, L, ids, mask, scale, &err), 0);
        for (int i = 0; i < B * TD; i++) dec[i] = i % TD == 0 ? c->decoder_start_token_id : 5 + 7 * i;
        if (cl_encode(s, ids, mask, B, T, &err) || cl_decode(s, dec, TD, 0, &err)) fail_msg("%s", err.msg);
        *n = (size_t)B * TD * c->vocab_size;
        out = cl_state_logits(s, NULL, NULL, NULL);
    }
    float *copy = malloc(sizeof(float) * *n);
    memcpy(copy, out, sizeof(float) * *n);
    cl_state_free(s);
    return copy;
}

static int npoints(const cl_model *m) { return cl_hook_name(m, -1, NULL, 0); }
static const char *point(const cl_model *m, int i) {
    static char buf[128];
    cl_hook_name(m, i, buf, sizeof buf);
    return buf;
}
static int has_point(const cl_model *m, const char *name) {
    for (int i = 0; i < npoints(m); i++)
        if (!strcmp(point(m, i), name)) return 1;
    return 0;
}
/* the sublayer outputs computed apart (float rounding) when hooked */
static int split_point(const char *name) {
    return strstr(name, "hook_attn_out") || strstr(name, "hook_cross_attn_out") || strstr(name, "hook_mlp_out");
}

static void test_names(void **st) {
    (void)st;
    run r;
    open_model(&r);
    const cl_config *c = cl_model_config(r.m);
    int n = npoints(r.m);
    assert_true(n > 20 * (c->num_layers + c->num_decoder_layers) / 2);
    assert_true(has_point(r.m, "hook_embed"));
    assert_true(has_point(r.m, "encoder.0.attn.hook_z"));
    assert_true(has_point(r.m, "encoder.0.hook_resid_pre"));
    assert_true(has_point(r.m, "decoder.0.cross_attn.hook_pattern"));
    assert_true(has_point(r.m, "decoder.0.hook_resid_mid_cross"));
    assert_true(has_point(r.m, "encoder_final_ln.hook_normalized"));
    assert_true(has_point(r.m, "decoder_final_ln.hook_normalized"));
    assert_false(has_point(r.m, "encoder.0.cross_attn.hook_q")); /* the encoder has no cross-attention */
    assert_int_equal(has_point(r.m, "mlp.hook_pre_linear") || has_point(r.m, "encoder.0.mlp.hook_pre_linear"), c->gated);
    assert_int_equal(has_point(r.m, "input_patch_embedding.hook_out"), is_bolt(&r));
    assert_int_equal(has_point(r.m, "output_patch_embedding.hook_out"), is_bolt(&r));
    /* Bolt's cross-attention runs by reassociation: no keys/values of the encoder rows */
    assert_int_equal(has_point(r.m, "decoder.0.cross_attn.hook_k"), !is_bolt(&r));
    if (is_bolt(&r)) assert_string_equal(point(r.m, 0), "input_patch_embedding.hook_out");
    cl_hooks *hk;
    cl_error err;
    assert_int_equal(cl_hooks_new(r.m, &hk, &err), 0);
    cl_intervention iv = {.kind = CL_IV_ZERO, .name = "encoder.99.attn.hook_z", .head = -1};
    assert_int_equal(cl_hooks_add_intervention(hk, &iv, &err), CL_EINVAL);
    assert_non_null(strstr(err.msg, "encoder.99.attn.hook_z: no such hook point"));
    iv.name = "encoder.0.attn.hook_z";
    iv.head = c->num_heads;
    assert_int_equal(cl_hooks_add_intervention(hk, &iv, &err), CL_EINVAL);
    assert_non_null(strstr(err.msg, "out of range"));
    iv.name = "encoder.0.hook_resid_pre";
    iv.head = 0;
    assert_int_equal(cl_hooks_add_intervention(hk, &iv, &err), CL_EINVAL);
    assert_non_null(strstr(err.msg, "has no heads"));
    cl_hooks_free(hk);
    cl_model_free(r.m);
}

/* a zero ablation of head h's z (and of its contribution to hook_attn_out) equals the gate */
static void test_zero_equals_gate(void **st) {
    (void)st;
    run r;
    open_model(&r);
    cl_error err;
    const struct { int stack, layer, head; const char *name; } cases[] = {
        {CL_CROSS, 0, 1, "decoder.0.cross_attn.hook_z"},
        {CL_CROSS, 1, 0, "decoder.1.hook_cross_attn_out"},
        {CL_ENC_SELF, 1, 1, "encoder.1.attn.hook_z"},
        {CL_DEC_SELF, 0, 1, "decoder.0.attn.hook_z"},
    };
    size_t n, n0;
    float *plain = forward(&r, 0, NULL, -1, 0, 0, &n0);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cl_hooks *hk;
        assert_int_equal(cl_hooks_new(r.m, &hk, &err), 0);
        cl_intervention iv = {.kind = CL_IV_ZERO, .name = cases[i].name, .head = cases[i].head};
        if (cl_hooks_add_intervention(hk, &iv, &err)) fail_msg("%s", err.msg);
        float *gated = forward(&r, 0, NULL, cases[i].stack, cases[i].layer, cases[i].head, &n);
        float *hooked = forward(&r, 0, hk, -1, 0, 0, &n);
        if (memcmp(gated, hooked, sizeof(float) * n)) fail_msg("%s: zero ablation != the gate", cases[i].name);
        if (i == 0) assert_true(max_abs_diff(plain, gated, n) > 0); /* and the ablation moves the output */
        free(gated); free(hooked);
        cl_hooks_free(hk);
    }
    free(plain);
    cl_model_free(r.m);
}

static int noop(float *a, const cl_hook_info *in, void *user) { (void)a; (void)in; (void)user; return 0; }

/* add 0 at every point is the identity bit for bit; at the sublayer outputs (computed apart
 * when hooked) it equals a callback that changes nothing */
static void test_add_zero_identity(void **st) {
    (void)st;
    run r;
    open_model(&r);
    cl_error err;
    const cl_config *c = cl_model_config(r.m);
    static float zeros[4096];
    size_t n;
    float *plain = forward(&r, 0, NULL, -1, 0, 0, &n);
    cl_hooks *hk, *ref;
    assert_int_equal(cl_hooks_new(r.m, &hk, &err), 0);
    assert_int_equal(cl_hooks_new(r.m, &ref, &err), 0);
    for (int i = 0; i < npoints(r.m); i++) {
        char name[128];
        cl_hook_name(r.m, i, name, sizeof name);
        if (split_point(name)) {
            assert_int_equal(cl_hooks_add(ref, name, noop, NULL, &err), 0);
            cl_intervention iv = {.kind = CL_IV_ADD, .name = name, .head = -1, .n_value = c->d_model, .value = zeros};
            assert_int_equal(cl_hooks_add_intervention(hk, &iv, &err), 0);
            continue;
        }
        /* the scores' rows are keys long: add 0 through a callback there; elsewhere a vector as wide as a row */
        if (strstr(name, "hook_attn_scores") || strstr(name, "hook_pattern") || strstr(name, "output_patch")) {
            assert_int_equal(cl_hooks_add(hk, name, noop, NULL, &err), 0);
            continue;
        }
        int w = strstr(name, "hook_q") || strstr(name, "hook_k") || strstr(name, "hook_v") || strstr(name, "hook_z")
                    ? c->num_heads * c->d_kv : strstr(name, "mlp.") ? c->d_ff : c->d_model;
        cl_intervention iv = {.kind = CL_IV_ADD, .name = name, .head = -1, .n_value = w, .value = zeros};
        if (cl_hooks_add_intervention(hk, &iv, &err)) fail_msg("%s", err.msg);
    }
    float *ref_out = forward(&r, 0, ref, -1, 0, 0, &n);
    float *added = forward(&r, 0, hk, -1, 0, 0, &n);
    if (memcmp(ref_out, added, sizeof(float) * n)) fail_msg("add 0 is not the identity");
    /* the split sublayer outputs: equal to float rounding only */
    assert_true(max_abs_diff(plain, ref_out, n) < 1e-4);
    cl_hooks_clear(ref);
    /* and nothing at the split points: bit for bit the plain pass */
    for (int i = 0; i < npoints(r.m); i++) {
        char name[128];
        cl_hook_name(r.m, i, name, sizeof name);
        if (!split_point(name)) assert_int_equal(cl_hooks_add(ref, name, noop, NULL, &err), 0);
    }
    free(ref_out);
    ref_out = forward(&r, 0, ref, -1, 0, 0, &n);
    if (memcmp(ref_out, plain, sizeof(float) * n)) fail_msg("callbacks that change nothing changed the output");
    free(ref_out); free(added); free(plain);
    cl_hooks_free(hk); cl_hooks_free(ref);
    cl_model_free(r.m);
}

/* every point cached on the clean run, then every one patched into a run on the other
 * context: the clean run's output, bit for bit */
static void test_patch_reproduces(void **st) {
    (void)st;
    run r;
    open_model(&r);
    cl_error err;
    cl_hooks *cache, *patch;
    assert_int_equal(cl_hooks_new(r.m, &cache, &err), 0);
    assert_int_equal(cl_hooks_new(r.m, &patch, &err), 0);
    const int np = npoints(r.m);
    for (int i = 0; i < np; i++) {
        char name[128];
        cl_hook_name(r.m, i, name, sizeof name);
        cl_intervention iv = {.kind = CL_IV_CACHE, .name = name, .head = -1};
        assert_int_equal(cl_hooks_add_intervention(cache, &iv, &err), 0);
    }
    size_t n;
    float *clean = forward(&r, 0, cache, -1, 0, 0, &n);
    float *corrupt = forward(&r, 1, NULL, -1, 0, 0, &n);
    assert_true(max_abs_diff(clean, corrupt, n) > 0);
    int patched = 0;
    for (int i = 0; i < np; i++) {
        char name[128];
        cl_hook_name(r.m, i, name, sizeof name);
        cl_hook_info in;
        const float *a = cl_hooks_cached(cache, name, &in);
        assert_non_null(a);
        assert_string_equal(in.name, name);
        if (in.ndim == 4 && (strstr(name, "scores") || strstr(name, "pattern"))) {
            assert_int_equal(in.shape[0], B); /* (batch, head, query, key) */
            assert_int_equal(in.shape[1], cl_model_config(r.m)->num_heads);
            continue; /* follow from q and k */
        }
        if (strstr(name, "_patch_embedding")) continue; /* the family's own: Bolt's patches feed hook_embed */
        assert_int_equal(in.shape[0], B);
        cl_intervention iv = {.kind = CL_IV_PATCH, .name = name, .head = -1, .src = a, .src_batch = in.shape[0],
                              .src_pos = in.shape[1]};
        if (cl_hooks_add_intervention(patch, &iv, &err)) fail_msg("%s", err.msg);
        patched++;
    }
    assert_true(patched > 10);
    /* Bolt: the quantile head's normalised output (the instance norm's scale is the context's own) */
    cl_intervention keep = {.kind = CL_IV_CACHE, .name = "output_patch_embedding.hook_out", .head = -1};
    if (is_bolt(&r)) assert_int_equal(cl_hooks_add_intervention(patch, &keep, &err), 0);
    float *out = forward(&r, 1, patch, -1, 0, 0, &n);
    if (is_bolt(&r)) {
        cl_hook_info in;
        const float *a = cl_hooks_cached(patch, keep.name, &in), *b = cl_hooks_cached(cache, keep.name, &in);
        n = (size_t)in.shape[0] * in.shape[1] * in.shape[2];
        memcpy(out, a, sizeof(float) * n);
        memcpy(clean, b, sizeof(float) * n);
    }
    if (memcmp(out, clean, sizeof(float) * n)) fail_msg("patching every activation did not reproduce the run (%g)",
                                                        max_abs_diff(out, clean, n));
    free(out); free(clean); free(corrupt);
    cl_hooks_free(cache); cl_hooks_free(patch);
    cl_model_free(r.m);
}

/* what a callback is told: the layout and positions */
typedef struct { int calls, ndim, shape[4], pos0; } seen;
static int look(float *a, const cl_hook_info *in, void *user) {
    (void)a;
    seen *s = user;
    s->calls++;
    s->ndim = in->ndim;
    memcpy(s->shape, in->shape, sizeof s->shape);
    s->pos0 = in->pos0;
    return 0;
}
static int stop(float *a, const cl_hook_info *in, void *user) { (void)a; (void)in; (void)user; return 1; }

static void test_layouts_and_errors(void **st) {
    (void)st;
    run r;
    open_model(&r);
    cl_error err;
    const cl_config *c = cl_model_config(r.m);
    cl_hooks *hk;
    assert_int_equal(cl_hooks_new(r.m, &hk, &err), 0);
    seen q = {0}, pat = {0}, res = {0};
    assert_int_equal(cl_hooks_add(hk, "encoder.0.attn.hook_q", look, &q, &err), 0);
    assert_int_equal(cl_hooks_add(hk, "decoder.1.cross_attn.hook_pattern", look, &pat, &err), 0);
    assert_int_equal(cl_hooks_add(hk, "decoder.0.hook_resid_post", look, &res, &err), 0);
    size_t n;
    float *o = forward(&r, 0, hk, -1, 0, 0, &n);
    free(o);
    const int T = is_bolt(&r) ? cl_bolt_num_tokens(c, L) : cl_tokenizer_length(c, L), td = is_bolt(&r) ? 1 : TD;
    assert_int_equal(q.calls, 1);
    assert_int_equal(q.ndim, 4);
    int qs[4] = {B, T, c->num_heads, c->d_kv}, ps[4] = {B, c->num_heads, td, T};
    assert_memory_equal(q.shape, qs, sizeof qs);
    assert_memory_equal(pat.shape, ps, sizeof ps);
    assert_int_equal(res.ndim, 3);
    assert_int_equal(res.shape[2], c->d_model);
    /* a callback that stops the pass fails it, naming the point */
    assert_int_equal(cl_hooks_add(hk, "encoder.1.hook_resid_mid", stop, NULL, &err), 0);
    cl_state *s;
    assert_int_equal(cl_state_new(r.m, &s, &err), 0);
    cl_state_set_hooks(s, hk);
    int rc;
    if (is_bolt(&r)) rc = cl_bolt_forward(s, r.ctx[0], B, L, &err);
    else {
        int32_t ids[B * 64];
        uint8_t mask[B * 64];
        float scale[B];
        cl_tokenizer_encode(c, r.ctx[0], B, L, ids, mask, scale, &err);
        rc = cl_encode(s, ids, mask, B, T, &err);
    }
    assert_int_equal(rc, CL_ECANCELED);
    assert_non_null(strstr(err.msg, "encoder.1.hook_resid_mid"));
    cl_state_free(s);
    cl_hooks_free(hk);
    cl_model_free(r.m);
}

/* forecast (T5): the cached decoder under interventions gives the full recompute's greedy
 * tokens, and a head ablation that moves the logits moves the forecast */
static void greedy(run *r, cl_hooks *hk, int use_cache, float *vals, int H) {
    cl_forecast_opts o;
    cl_error err;
    cl_forecast_default(cl_model_config(r->m), &o);
    o.samples = 2;
    o.sampling.top_k = 1;
    o.use_cache = use_cache;
    o.batch = 1; /* two batches: the rows' series offsets */
    o.hooks = hk;
    if (cl_forecast(r->m, &o, r->ctx[0], B, L, H, vals, &err)) fail_msg("%s", err.msg);
}

static void test_forecast_cached(void **st) {
    (void)st;
    run r;
    open_model(&r);
    cl_error err;
    const cl_config *c = cl_model_config(r.m);
    enum { H = 6 };
    float plain[B * 2 * H], cached[B * 2 * H], full[B * 2 * H];
    greedy(&r, NULL, 1, plain, H);
    cl_hooks *hk;
    assert_int_equal(cl_hooks_new(r.m, &hk, &err), 0);
    for (int l = 0; l < c->num_decoder_layers; l++)
        for (int h = 0; h < c->num_heads; h++) {
            char name[64];
            snprintf(name, sizeof name, "decoder.%d.cross_attn.hook_z", l);
            cl_intervention iv = {.kind = CL_IV_ZERO, .name = name, .head = h};
            assert_int_equal(cl_hooks_add_intervention(hk, &iv, &err), 0);
        }
    int p2[] = {2, 4};
    float steer[1024];
    for (int i = 0; i < c->d_model; i++) steer[i] = 0.5f * (float)sin(i);
    cl_intervention add = {.kind = CL_IV_ADD, .name = "decoder.0.hook_resid_mid", .head = -1, .n_pos = 2, .pos = p2,
                           .n_value = c->d_model, .value = steer};
    assert_int_equal(cl_hooks_add_intervention(hk, &add, &err), 0);
    seen pat = {0};
    assert_int_equal(cl_hooks_add(hk, "decoder.1.attn.hook_pattern", look, &pat, &err), 0);
    greedy(&r, hk, 1, cached, H);
    assert_int_equal(pat.ndim, 4);
    assert_int_equal(pat.pos0, H - 1); /* the last step's one query */
    assert_int_equal(pat.shape[2], 1);
    assert_int_equal(pat.shape[3], H);
    greedy(&r, hk, 0, full, H);
    for (int i = 0; i < B * 2 * H; i++)
        if (cached[i] != full[i]) fail_msg("value %d: cached %g, full recompute %g", i, cached[i], full[i]);
    assert_true(memcmp(plain, cached, sizeof plain) != 0); /* the ablation moved the forecast */
    cl_hooks_free(hk);
    cl_model_free(r.m);
}

int main(int argc, char **argv) {
    cl_set_threads(2);
    static const struct CMUnitTest both[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_zero_equals_gate),
        cmocka_unit_test(test_add_zero_identity),
        cmocka_unit_test(test_patch_reproduces),
        cmocka_unit_test(test_layouts_and_errors),
    };
    static const struct CMUnitTest t5[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_zero_equals_gate),
        cmocka_unit_test(test_add_zero_identity),
        cmocka_unit_test(test_patch_reproduces),
        cmocka_unit_test(test_layouts_and_errors),
        cmocka_unit_test(test_forecast_cached),
    };
    static const cl_test_group groups[] = {
        CL_TEST_GROUP("t5", t5, NULL, NULL, &cl_test_t5, NULL),
        CL_TEST_GROUP("bolt", both, NULL, NULL, &cl_test_bolt, NULL),
    };
    return cl_test_main(argc, argv, groups, sizeof groups / sizeof *groups);
}
