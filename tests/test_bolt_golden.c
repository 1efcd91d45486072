/* test_bolt_golden.c — Chronos-Bolt against boltref.py's golden outputs (bolt-rand and,
 * when present, the upstream dummy): loc, scale and attention mask exactly; embeddings,
 * encoder output, every attention map, decoder state and quantiles within 1e-4 absolute;
 * the pipeline's long-horizon paths, quantiles and mean within 1e-4 relative; the forward
 * CLI end to end, in one pass and in chunks of series. */
#include "testutil.h"
#include "study/forecast/bolt_forecast.h"
#include "core/core.h"
#include "io/csv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOL 1e-4
#define REL 1e-4
#define LONG 100
static const double LEVELS[5] = {0.05, 0.25, 0.5, 0.75, 0.95};

/* |a - b| <= REL * (|b| + scale of the series): relative to the value, and to the series'
 * own unit where a value crosses zero. a, b (B, per) */
static void assert_rel(const char *label, const float *a, const float *b, int B, size_t per, const float *scale) {
    double worst = 0;
    size_t wi = 0;
    for (int s = 0; s < B; s++)
        for (size_t i = 0; i < per; i++) {
            size_t k = (size_t)s * per + i;
            double r = fabs((double)a[k] - b[k]) / (fabs(b[k]) + scale[s]);
            if (!(r <= worst)) { worst = r; wi = k; }
        }
    if (!(worst <= REL)) fail_msg("%s: relative error %.3g at %zu (%.9g vs golden %.9g)", label, worst, wi, a[wi], b[wi]);
    printf("  %-16s max rel %.3g\n", label, worst);
}

static void check_exact(const char *label, const float *a, const float *b, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i]) fail_msg("%s[%zu] = %.9g, golden %.9g", label, i, a[i], b[i]);
    printf("  %-16s exact\n", label);
}

static void close_named(const st_file *g, const char *name, const float *a, size_t want) {
    size_t n;
    float *ref = golden_f32(g, name, &n);
    assert_int_equal(n, want);
    printf("  %-16s max abs %.3g\n", name, max_abs_diff(a, ref, n));
    assert_close(name, a, ref, n, TOL);
    free(ref);
}

/* `chronolens forward` on the fixture (extra options: the chunk) writes the golden's tensors,
 * names, shapes and dtypes, with loc, scale and mask exact and the rest within TOL */
static void forward_cli(const char *dir, const st_file *g, const cl_config *c, const char *extra) {
    cl_error err;
    char out[1024];
    snprintf(out, sizeof out, "%s/bolt-forward.safetensors", test_tmpdir());
    assert_int_equal(run_cmd("'%s' forward --quiet --model '%s' --context '%s/context.csv' --out '%s' %s", CL_CLI, dir,
                             dir, out, extra), 0);
    st_file o;
    if (st_open(out, &o, &err)) fail_msg("%s", err.msg);
    int seen = 0;
    for (int i = 0; i < g->n; i++) {
        const char *nm = g->t[i].name;
        if (!strcmp(nm, "context") || strstr(nm, "_long")) continue;
        const st_tensor *t = st_find(&o, nm);
        if (!t) fail_msg("forward output lacks '%s'", nm);
        assert_int_equal(t->ndim, g->t[i].ndim);
        for (int k = 0; k < t->ndim; k++) assert_int_equal(t->shape[k], g->t[i].shape[k]);
        assert_int_equal(t->dtype, g->t[i].dtype);
        size_t a, b;
        float *x = golden_f32(&o, nm, &a), *y = golden_f32(g, nm, &b);
        assert_int_equal(a, b);
        if (!strcmp(nm, "loc") || !strcmp(nm, "scale") || !strcmp(nm, "attention_mask")) check_exact(nm, x, y, a);
        else assert_close(nm, x, y, a, TOL);
        free(x); free(y);
        seen++;
    }
    assert_int_equal(seen, 7 + c->num_layers + 2 * c->num_decoder_layers);
    st_close(&o);
}

static void check_fixture(const char *dir) {
    char path[4096];
    cl_error err;
    cl_model *m;
    printf("%s\n", dir);
    if (cl_model_load(dir, NULL, &m, &err)) fail_msg("%s", err.msg);
    assert_true(cl_model_is_bolt(m));
    const cl_config *c = cl_model_config(m);
    st_file g;
    snprintf(path, sizeof path, "%s/golden.safetensors", dir);
    if (st_open(path, &g, &err)) fail_msg("%s", err.msg);
    size_t n;
    const st_tensor *ct = st_find(&g, "context");
    assert_non_null(ct);
    const int B = (int)ct->shape[0], L = (int)ct->shape[1];
    float *ctx = golden_f32(&g, "context", &n);
    float *csv;
    int cb, cl;
    snprintf(path, sizeof path, "%s/context.csv", dir);
    if (csv_read_context(path, &csv, &cb, &cl, NULL, &err)) fail_msg("%s", err.msg);
    assert_int_equal(cb, B);
    assert_int_equal(cl, L);
    for (size_t i = 0; i < n; i++)
        if (!(isnan(ctx[i]) && isnan(csv[i]))) assert_true(ctx[i] == csv[i]);
    cl_free(csv);

    cl_state *s;
    assert_int_equal(cl_state_new(m, &s, &err), 0);
    cl_state_capture_all(s);
    if (cl_bolt_forward(s, ctx, B, L, &err)) fail_msg("%s", err.msg);
    const int T = cl_bolt_num_tokens(c, L), d = c->d_model;
    float *gl = golden_f32(&g, "loc", &n), *gs = golden_f32(&g, "scale", &n);
    check_exact("loc", cl_bolt_loc(s), gl, (size_t)B);
    check_exact("scale", cl_bolt_scale(s), gs, (size_t)B);
    int64_t *gm = golden_i64(&g, "attention_mask", &n);
    assert_int_equal(n, (size_t)B * T);
    for (size_t i = 0; i < n; i++) assert_int_equal(gm[i], cl_bolt_mask(s)[i]);
    printf("  %-16s exact\n", "attention_mask");
    close_named(&g, "input_embeds", cl_bolt_input_embeds(s), (size_t)B * T * d);
    close_named(&g, "encoder_hidden", cl_state_encoder_hidden(s, NULL, NULL), (size_t)B * T * d);
    static const char *names[CL_NSTACKS] = {"enc_attn", "dec_attn", "cross_attn"};
    for (int st = 0; st < CL_NSTACKS; st++) {
        int shape[5];
        const float *a = cl_state_attn(s, (cl_stack)st, shape);
        assert_non_null(a);
        assert_int_equal(shape[0], st == CL_ENC_SELF ? c->num_layers : c->num_decoder_layers);
        assert_int_equal(shape[3], st == CL_ENC_SELF ? T : 1);
        assert_int_equal(shape[4], st == CL_DEC_SELF ? 1 : T);
        size_t per = (size_t)shape[1] * shape[2] * shape[3] * shape[4];
        for (int l = 0; l < shape[0]; l++) {
            char name[64];
            snprintf(name, sizeof name, "%s.%d", names[st], l);
            close_named(&g, name, a + l * per, per);
        }
    }
    close_named(&g, "decoder_hidden", cl_bolt_decoder_hidden(s), (size_t)B * d);
    const int Q = c->n_quantiles, H = c->prediction_length;
    close_named(&g, "quantile_preds", cl_bolt_quantiles(s), (size_t)B * Q * H);

    /* the pipeline beyond prediction_length; batch 5 splits the rounds' B*Q rows unevenly */
    float *paths = malloc(sizeof(float) * (size_t)B * Q * LONG), *q = malloc(sizeof(float) * (size_t)B * LONG * 5),
          *mean = malloc(sizeof(float) * (size_t)B * LONG);
    if (cl_bolt_predict(m, ctx, B, L, LONG, 5, NULL, paths, &err)) fail_msg("%s", err.msg);
    float *gp = golden_f32(&g, "predict_long", &n);
    assert_int_equal(n, (size_t)B * Q * LONG);
    assert_rel("predict_long", paths, gp, B, (size_t)Q * LONG, gs);
    if (cl_bolt_quantiles_at(c, paths, B, LONG, LEVELS, 5, q, mean, &err)) fail_msg("%s", err.msg);
    float *gq = golden_f32(&g, "quantiles_long", &n), *gmean = golden_f32(&g, "mean_long", &n);
    assert_rel("quantiles_long", q, gq, B, (size_t)LONG * 5, gs);
    assert_rel("mean_long", mean, gmean, B, (size_t)LONG, gs);
    /* one pass in one batch gives the same paths as batches of 5 rows */
    float *p1 = malloc(sizeof(float) * (size_t)B * Q * LONG);
    if (cl_bolt_predict(m, ctx, B, L, LONG, 0, NULL, p1, &err)) fail_msg("%s", err.msg);
    assert_close("predict_long (one batch)", p1, paths, (size_t)B * Q * LONG, 1e-5 * 100);

    /* the forward CLI writes the same tensors under the golden's names, in one pass and in
     * chunks of 3 series (the last one shorter) */
    forward_cli(dir, &g, c, "");
    forward_cli(dir, &g, c, "--chunk 3");

    free(p1); free(paths); free(q); free(mean); free(gp); free(gq); free(gmean);
    free(gl); free(gs); free(gm); free(ctx);
    cl_state_free(s);
    st_close(&g);
    cl_model_free(m);
}

static void test_bolt_rand(void **st) { (void)st; check_fixture(CL_FIXTURES "/bolt-rand"); }
/* bf16 weights, stride 8 < patch 16, no [REG] (1-row shared.weight), context_length 64 with
 * 100 values, an all-NaN series, a constant one (scale 1e-5), one shorter than a patch */
static void test_bolt_edge(void **st) { (void)st; check_fixture(CL_FIXTURES "/bolt-edge"); }
static void test_peer_bolt_dummy(void **st) {
    (void)st;
    if (!dir_exists(CL_PEER "/chronos-bolt-dummy")) skip();
    check_fixture(CL_PEER "/chronos-bolt-dummy");
}

int main(void) {
    cl_set_threads(2);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bolt_rand),
        cmocka_unit_test(test_bolt_edge),
        cmocka_unit_test(test_peer_bolt_dummy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
