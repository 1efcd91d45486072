/* test_golden.c — each model family against its reference's golden outputs (Chronos-T5: the
 * PyTorch reference; Chronos-Bolt: boltref.py), on the fixtures and, when present, the upstream
 * dummies (group peer). For every family: the context as the reference saw it is the CSV the
 * CLI reads; the encoder output and every attention map within 1e-4; the forward CLI writes the
 * golden's tensors, names, shapes and dtypes, exact ones exact and the rest within 1e-4, in one
 * pass and in chunks of 3 series. Per family:
 *  - T5: tokens, mask and scale exactly; the logits within 1e-4, and the last row alone;
 *  - Bolt: loc, scale and attention mask exactly; embeddings, decoder state and quantiles
 *    within 1e-4 absolute; the pipeline's long-horizon paths, quantiles and mean within 1e-4
 *    relative. */
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

/* ------------------------------------------------------------ comparisons */

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

/* a (want values) within TOL of the golden tensor `name`, which holds exactly want values */
static void close_named(const st_file *g, const char *name, const float *a, size_t want) {
    size_t n;
    float *ref = golden_f32(g, name, &n);
    assert_int_equal(n, want);
    printf("  %-16s max abs %.3g\n", name, max_abs_diff(a, ref, n));
    assert_close(name, a, ref, n, TOL);
    free(ref);
}

/* ------------------------------------------------------------ what differs per family */

/* One fixture's pass, open: the golden file, its context (B, L), the model and its state
 * after the family's pass with every map captured. */
typedef struct pass {
    const char *dir;
    st_file g;
    cl_model *m;
    const cl_config *c;
    cl_state *s;
    float *ctx;
    int B, L;
    int T;         /* encoder positions (tokens, or patches and [REG]) */
    int Td;        /* decoder positions: the golden's decoder ids (T5), the one query (Bolt) */
    int32_t *dec;  /* T5: the golden's decoder ids (B, Td) */
} pass;

typedef struct golden_family {
    const cl_test_family *fam;
    /* the family's pass on p (its inputs checked against the golden file on the way) */
    void (*run)(pass *p);
    /* what comes after the encoder and the attention maps: the family's outputs */
    void (*outputs)(pass *p);
    /* a golden tensor the forward CLI writes: 0 not written, 1 within TOL, 2 exact */
    int (*cli_kind)(const char *name);
    int cli_fixed;  /* the CLI's tensors besides one per attention layer */
    const char *cli_args; /* the extra options of `forward` ("%s": the fixture) */
} golden_family;

/* T5: the tokenizer against the golden tokens, mask and scale; the encoder on them and the
 * decoder on the golden's decoder ids. */
static void t5_run(pass *p) {
    cl_error err;
    size_t n;
    const int B = p->B, L = p->L, T = p->T = cl_tokenizer_length(p->c, L);
    int32_t *ids = malloc(sizeof *ids * (size_t)B * T);
    uint8_t *mask = malloc((size_t)B * T);
    float *scale = malloc(sizeof *scale * (size_t)B);
    assert_int_equal(cl_tokenizer_encode(p->c, p->ctx, B, L, ids, mask, scale, &err), 0);
    int64_t *gids = golden_i64(&p->g, "token_ids", &n);
    assert_int_equal(n, (size_t)B * T);
    for (size_t i = 0; i < n; i++)
        if (gids[i] != ids[i]) fail_msg("%s: token %zu is %d, golden %lld", p->dir, i, ids[i], (long long)gids[i]);
    int64_t *gmask = golden_i64(&p->g, "attention_mask", &n);
    for (size_t i = 0; i < n; i++) assert_int_equal(gmask[i], mask[i]);
    float *gscale = golden_f32(&p->g, "scale", &n);
    for (int b = 0; b < B; b++)
        if (gscale[b] != scale[b]) fail_msg("%s: scale[%d] = %.9g, golden %.9g", p->dir, b, scale[b], gscale[b]);

    if (cl_encode(p->s, ids, mask, B, T, &err)) fail_msg("%s", err.msg);
    int64_t *gdec = golden_i64(&p->g, "decoder_input_ids", &n);
    p->Td = (int)(n / B);
    p->dec = malloc(sizeof *p->dec * n);
    for (size_t i = 0; i < n; i++) p->dec[i] = (int32_t)gdec[i];
    if (cl_decode(p->s, p->dec, p->Td, 0, &err)) fail_msg("%s", err.msg);
    free(gdec); free(gscale); free(gmask); free(gids);
    free(ids); free(mask); free(scale);
}

/* T5: the logits, and the last row alone (last_only) the same */
static void t5_outputs(pass *p) {
    cl_error err;
    size_t n;
    float *gl = golden_f32(&p->g, "logits", &n);
    int lb, lt, lv;
    const float *lg = cl_state_logits(p->s, &lb, &lt, &lv);
    assert_int_equal(n, (size_t)lb * lt * lv);
    assert_close("logits", lg, gl, n, TOL);
    if (cl_decode(p->s, p->dec, p->Td, 1, &err)) fail_msg("%s", err.msg);
    lg = cl_state_logits(p->s, &lb, &lt, &lv);
    assert_int_equal(lt, 1);
    for (int b = 0; b < p->B; b++)
        assert_close("logits (last only)", lg + (size_t)b * lv, gl + ((size_t)b * p->Td + p->Td - 1) * lv, (size_t)lv, TOL);
    free(gl);
}

/* the forward CLI's tensors of a T5 golden file (its inputs, gradients and greedy outputs
 * belong to other commands) */
static int t5_cli_kind(const char *n) {
    if (!strcmp(n, "token_ids") || !strcmp(n, "attention_mask") || !strcmp(n, "scale")) return 2;
    return !strcmp(n, "encoder_hidden") || !strcmp(n, "logits") || !strncmp(n, "enc_attn.", 9) ||
           !strncmp(n, "dec_attn.", 9) || !strncmp(n, "cross_attn.", 11);
}

/* Bolt: one forward of the context; loc, scale and mask exact, the input embeddings close */
static void bolt_run(pass *p) {
    cl_error err;
    size_t n;
    const int B = p->B;
    if (cl_bolt_forward(p->s, p->ctx, B, p->L, &err)) fail_msg("%s", err.msg);
    const int T = p->T = cl_bolt_num_tokens(p->c, p->L);
    p->Td = 1;
    float *gl = golden_f32(&p->g, "loc", &n), *gs = golden_f32(&p->g, "scale", &n);
    check_exact("loc", cl_bolt_loc(p->s), gl, (size_t)B);
    check_exact("scale", cl_bolt_scale(p->s), gs, (size_t)B);
    int64_t *gm = golden_i64(&p->g, "attention_mask", &n);
    assert_int_equal(n, (size_t)B * T);
    for (size_t i = 0; i < n; i++) assert_int_equal(gm[i], cl_bolt_mask(p->s)[i]);
    printf("  %-16s exact\n", "attention_mask");
    close_named(&p->g, "input_embeds", cl_bolt_input_embeds(p->s), (size_t)B * T * p->c->d_model);
    free(gl); free(gs); free(gm);
}

/* Bolt: decoder state and quantiles; the pipeline beyond prediction_length */
static void bolt_outputs(pass *p) {
    cl_error err;
    size_t n;
    const int B = p->B, L = p->L, Q = p->c->n_quantiles, H = p->c->prediction_length;
    close_named(&p->g, "decoder_hidden", cl_bolt_decoder_hidden(p->s), (size_t)B * p->c->d_model);
    close_named(&p->g, "quantile_preds", cl_bolt_quantiles(p->s), (size_t)B * Q * H);

    /* batch 5 splits the rounds' B*Q rows unevenly */
    float *gs = golden_f32(&p->g, "scale", &n);
    float *paths = malloc(sizeof(float) * (size_t)B * Q * LONG), *q = malloc(sizeof(float) * (size_t)B * LONG * 5),
          *mean = malloc(sizeof(float) * (size_t)B * LONG);
    if (cl_bolt_predict(p->m, p->ctx, B, L, LONG, 5, NULL, paths, &err)) fail_msg("%s", err.msg);
    float *gp = golden_f32(&p->g, "predict_long", &n);
    assert_int_equal(n, (size_t)B * Q * LONG);
    assert_rel("predict_long", paths, gp, B, (size_t)Q * LONG, gs);
    if (cl_bolt_quantiles_at(p->c, paths, B, LONG, LEVELS, 5, q, mean, &err)) fail_msg("%s", err.msg);
    float *gq = golden_f32(&p->g, "quantiles_long", &n), *gmean = golden_f32(&p->g, "mean_long", &n);
    assert_rel("quantiles_long", q, gq, B, (size_t)LONG * 5, gs);
    assert_rel("mean_long", mean, gmean, B, (size_t)LONG, gs);
    /* one pass in one batch gives the same paths as batches of 5 rows */
    float *p1 = malloc(sizeof(float) * (size_t)B * Q * LONG);
    if (cl_bolt_predict(p->m, p->ctx, B, L, LONG, 0, NULL, p1, &err)) fail_msg("%s", err.msg);
    assert_close("predict_long (one batch)", p1, paths, (size_t)B * Q * LONG, 1e-5 * 100);
    free(p1); free(paths); free(q); free(mean); free(gp); free(gq); free(gmean); free(gs);
}

/* the forward CLI writes every tensor of a Bolt golden file but the context and the pipeline's */
static int bolt_cli_kind(const char *n) {
    if (!strcmp(n, "context") || strstr(n, "_long")) return 0;
    return !strcmp(n, "loc") || !strcmp(n, "scale") || !strcmp(n, "attention_mask") ? 2 : 1;
}

static const golden_family T5 = {&cl_test_t5, t5_run, t5_outputs, t5_cli_kind, 5, "--decoder-ids '%s/decoder_input_ids.csv'"};
static const golden_family BOLT = {&cl_test_bolt, bolt_run, bolt_outputs, bolt_cli_kind, 7, ""};

/* ------------------------------------------------------------ the forward CLI */

/* `chronolens forward` on the fixture (extra options: the chunk) writes the golden's tensors,
 * names, shapes and dtypes: the exact ones exact, the rest within TOL */
static void forward_cli(const golden_family *F, const pass *p, const char *extra) {
    cl_error err;
    char out[1024], args[4096];
    snprintf(out, sizeof out, "%s/%s-forward.safetensors", test_tmpdir(), F->fam->name);
    snprintf(args, sizeof args, F->cli_args, p->dir);
    assert_int_equal(run_cmd("'%s' forward --quiet --model '%s' --context '%s/context.csv' %s --out '%s' %s", CL_CLI, p->dir,
                             p->dir, args, out, extra), 0);
    st_file o;
    if (st_open(out, &o, &err)) fail_msg("%s", err.msg);
    int seen = 0;
    for (int i = 0; i < p->g.n; i++) {
        const char *nm = p->g.t[i].name;
        const int kind = F->cli_kind(nm);
        if (!kind) continue;
        const st_tensor *t = st_find(&o, nm);
        if (!t) fail_msg("forward output lacks '%s'", nm);
        assert_int_equal(t->ndim, p->g.t[i].ndim);
        for (int k = 0; k < t->ndim; k++) assert_int_equal(t->shape[k], p->g.t[i].shape[k]);
        assert_int_equal(t->dtype, p->g.t[i].dtype);
        size_t a, b;
        float *x = golden_f32(&o, nm, &a), *y = golden_f32(&p->g, nm, &b);
        assert_int_equal(a, b);
        if (kind == 2) check_exact(nm, x, y, a);
        else assert_close(nm, x, y, a, TOL);
        free(x); free(y);
        seen++;
    }
    assert_int_equal(seen, F->cli_fixed + p->c->num_layers + 2 * p->c->num_decoder_layers);
    st_close(&o);
}

/* ------------------------------------------------------------ one fixture */

static void check_fixture(const golden_family *F, const char *dir) {
    char path[4096];
    cl_error err;
    pass p = {.dir = dir};
    printf("%s\n", dir);
    if (cl_model_load(dir, NULL, &p.m, &err)) fail_msg("%s", err.msg);
    assert_int_equal(cl_model_is_bolt(p.m), F->fam->family == CL_FAMILY_BOLT);
    p.c = cl_model_config(p.m);
    snprintf(path, sizeof path, "%s/golden.safetensors", dir);
    if (st_open(path, &p.g, &err)) fail_msg("%s", err.msg);

    /* inputs: the context as the reference saw it, and the CSV the CLI reads */
    size_t n;
    const st_tensor *ct = st_find(&p.g, "context");
    assert_non_null(ct);
    p.B = (int)ct->shape[0];
    p.L = (int)ct->shape[1];
    p.ctx = golden_f32(&p.g, "context", &n);
    float *csv;
    int cb, cl;
    snprintf(path, sizeof path, "%s/context.csv", dir);
    if (csv_read_context(path, &csv, &cb, &cl, NULL, &err)) fail_msg("%s", err.msg);
    assert_int_equal(cb, p.B);
    assert_int_equal(cl, p.L);
    for (size_t i = 0; i < n; i++)
        if (!(isnan(p.ctx[i]) && isnan(csv[i]))) assert_true(p.ctx[i] == csv[i]);
    cl_free(csv);

    assert_int_equal(cl_state_new(p.m, &p.s, &err), 0);
    cl_state_capture_all(p.s);
    F->run(&p);

    const cl_config *c = p.c;
    close_named(&p.g, "encoder_hidden", cl_state_encoder_hidden(p.s, NULL, NULL), (size_t)p.B * p.T * c->d_model);
    /* every attention map: (layers, B, heads, queries, keys) */
    static const char *names[CL_NSTACKS] = {"enc_attn", "dec_attn", "cross_attn"};
    for (int st = 0; st < CL_NSTACKS; st++) {
        int shape[5];
        const float *a = cl_state_attn(p.s, (cl_stack)st, shape);
        assert_non_null(a);
        assert_int_equal(shape[0], st == CL_ENC_SELF ? c->num_layers : c->num_decoder_layers);
        assert_int_equal(shape[3], st == CL_ENC_SELF ? p.T : p.Td);
        assert_int_equal(shape[4], st == CL_DEC_SELF ? p.Td : p.T);
        size_t per = (size_t)shape[1] * shape[2] * shape[3] * shape[4];
        for (int l = 0; l < shape[0]; l++) {
            char name[64];
            snprintf(name, sizeof name, "%s.%d", names[st], l);
            close_named(&p.g, name, a + l * per, per);
        }
    }
    F->outputs(&p);

    /* the forward CLI writes the same tensors under the golden's names, in one pass and in
     * chunks of 3 series (the last one shorter) */
    forward_cli(F, &p, "");
    forward_cli(F, &p, "--chunk 3");

    free(p.dec); free(p.ctx);
    cl_state_free(p.s);
    st_close(&p.g);
    cl_model_free(p.m);
}

/* ------------------------------------------------------------ the cases */

typedef struct golden_case {
    const golden_family *family;
    int fixture; /* the family's golden[fixture]; -1: its peer checkpoint */
} golden_case;

static void test_fixture(void **st) {
    const golden_case *k = *st;
    const cl_test_family *f = k->family->fam;
    check_fixture(k->family, k->fixture < 0 ? cl_test_peer(f) : f->golden[k->fixture]);
}

static const golden_case CASES[] = {{&T5, 0}, {&T5, 1}, {&BOLT, 0}, {&BOLT, 1}, {&T5, -1}, {&BOLT, -1}};
#define CASE(name, i) {name, test_fixture, NULL, NULL, (void *)&CASES[i]}

int main(int argc, char **argv) {
    cl_set_threads(2);
    static const struct CMUnitTest t5[] = {
        CASE("rand-small", 0),
        CASE("rand-gated-bf16", 1),
    };
    static const struct CMUnitTest bolt[] = {
        CASE("bolt-rand", 2),
        /* bf16 weights, stride 8 < patch 16, no [REG] (1-row shared.weight), context_length 64
         * with 100 values, an all-NaN series, a constant one (scale 1e-5), one shorter than a patch */
        CASE("bolt-edge", 3),
    };
    static const struct CMUnitTest peer[] = {
        CASE("chronos-dummy", 4),
        CASE("chronos-bolt-dummy", 5),
    };
    static const cl_test_group groups[] = {
        CL_TEST_GROUP("t5", t5, NULL, NULL, &cl_test_t5, NULL),
        CL_TEST_GROUP("bolt", bolt, NULL, NULL, &cl_test_bolt, NULL),
        CL_TEST_GROUP("peer", peer, NULL, NULL, NULL, NULL),
    };
    return cl_test_main(argc, argv, groups, sizeof groups / sizeof *groups);
}
