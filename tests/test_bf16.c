/* test_bf16.c — the bf16 path (--precision bf16) against the exact fp32 path and the
 * reference's golden outputs, on the fixtures (rand-small: an fp32 checkpoint,
 * rand-gated-bf16: a bf16 one), the planted-circuit model and a random tiny model.
 *
 * The product itself is checked tightly (test_product: the fp32 product of the rounded
 * operands, up to accumulation order). The model-level bounds are deviations measured on
 * this machine (docs/precision.md "Precision", the table there) times a margin of 2: room for another
 * CPU's oneDNN kernels (another summation order inside the fp32 accumulation), while a
 * product left in bf16 accumulation, a weight rounded twice or a layer skipped moves them
 * further. The random fixtures have sharp attention (large random weights), so their maps
 * move more than a trained model's would. The planted head must be flagged identically in both
 * precisions, and head counts must match. On a CPU without AVX512-BF16/AMX the deviation
 * tests are skipped (the entry test_bf16_cpu says SKIP) and the fallback (bf16 asked, fp32
 * run) is checked instead (test_bf16_api). */
#include "testutil.h"
#include "planted.h"
#include "tolerance.h"
#include "study/forecast/forecast.h"
#include "study/induction/induction.h"
#include "core/core.h"
#include "core/gemm_bf16.h"
#include "model/init.h"
#include "model/model.h"
#include "io/csv.h"
#include "chronolens_study.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SMALL CL_FIXTURES "/rand-small"
#define GATED CL_FIXTURES "/rand-gated-bf16"
#define BOLT CL_FIXTURES "/bolt-rand"
#define C2 CL_FIXTURES "/chronos2-rand"

/* Bounds: the deviation measured on this machine (docs/precision.md "Precision") x 2, rounded up;
 * where it is ~0 (the planted model, whose weights bf16 holds almost exactly) a small floor. */
typedef struct bounds {
    double attn;    /* max |p_bf16 - p_fp32| over every attention probability of a stack */
    double enc;     /* ||h_bf16 - h_fp32|| / ||h_fp32||, encoder output */
    double logits;  /* the same for the logits */
    double quant;   /* the same for the forecast quantiles (0.1, 0.5, 0.9), 20 sampled paths */
    int greedy_off; /* greedy forecast values that may differ (of B x prediction_length) */
} bounds;
/*                                     measured: 0.0653 / 0.00978 / 0.0177 / 0.197 / 0 of 192 */
static const bounds SMALL_B = {0.14, 0.02, 0.036, 0.4, 0};
/*                                     measured: 0.192 / 0.0101 / 0.0328 / 0.165 / 17 of 48 */
static const bounds GATED_B = {0.4, 0.021, 0.066, 0.34, 34};
#define B_IND_PLANTED 1e-6 /* measured 2.4e-16: max |score_bf16 - score_fp32| over heads */
#define B_ABL_PLANTED 4e-3 /* measured 1.7e-3: |Δ log p(s_2)| of the planted head */
#define B_COPY_PLANTED 1e-3 /* measured < 1e-4: its copying score */
#define TINY_THRESHOLD 0.05
#define B_IND_TINY 2e-4    /* measured 1.0e-4: max |score diff| over heads, random tiny model */

/* Chronos-Bolt (bolt-rand, 4 series): attention max |diff| per stack, relative deviation of
 * the encoder output, the decoder's final state and the quantiles (original scale).
 * Bounds: measured x 2, rounded up, as above.
 *                                      measured: 0.0397 / 0.0094 / 0.0090 / 0.00125 */
typedef struct bolt_bounds { double attn, enc, dec, quant; } bolt_bounds;
static const bolt_bounds BOLT_B = {0.08, 0.02, 0.02, 0.003};

static int verbose(void) { return getenv("CL_TEST_VERBOSE") != NULL; }

static cl_model *load(const char *dir, cl_precision p) {
    cl_error err;
    cl_model *m;
    cl_load_opts o = {p};
    if (cl_model_load(dir, &o, &m, &err)) fail_msg("%s", err.msg);
    assert_int_equal(cl_model_precision(m), p);
    return m;
}

/* ||a - b|| / ||b|| */
static double rel_diff(const float *a, const float *b, size_t n) {
    double d = 0, r = 0;
    for (size_t i = 0; i < n; i++) {
        d += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
        r += (double)b[i] * b[i];
    }
    return r > 0 ? sqrt(d / r) : sqrt(d);
}

/* ------------------------------------------------------------ the product */

/* cl_linear_bf16 is the fp32 product of the bf16-rounded operands up to the order of the
 * fp32 accumulation: against sgemm on the rounded values (few rows: a decoding step's
 * split by columns; many: by rows; beta 0 and 1; an output row stride). */
static void check_product(int rows, int in, int out, int ldy, float beta) {
    cl_rng r;
    cl_rng_seed(&r, (uint64_t)rows * 7919 + out);
    float *x = malloc(sizeof(float) * rows * in), *w = malloc(sizeof(float) * out * in);
    float *xr = malloc(sizeof(float) * rows * in), *wr = malloc(sizeof(float) * out * in);
    float *y = malloc(sizeof(float) * rows * ldy), *ref = malloc(sizeof(float) * rows * ldy);
    uint16_t *wb = malloc(sizeof(uint16_t) * out * in);
    for (int i = 0; i < rows * in; i++) xr[i] = cl_bf16_to_f32(cl_f32_to_bf16(x[i] = (float)cl_rng_normal(&r)));
    for (int i = 0; i < out * in; i++) wr[i] = cl_bf16_to_f32(wb[i] = cl_f32_to_bf16((float)cl_rng_normal(&r) * 0.05f));
    float *y0 = malloc(sizeof(float) * rows * ldy);
    for (int i = 0; i < rows * ldy; i++) y0[i] = y[i] = ref[i] = (float)cl_rng_normal(&r);
    cl_linear_bf16(x, in, rows, in, wb, in, out, beta, y, ldy, NULL);
    cl_sgemm(1, rows, out, in, 1.0f, xr, in, wr, in, beta, ref, ldy, NULL);
    double d = 0, worst = 0; /* worst: the largest |diff| / bound */
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < ldy; j++) {
            size_t k = (size_t)i * ldy + j;
            if (j >= out) { assert_true(y[k] == ref[k]); continue; } /* the stride's gap untouched */
            /* the same rounded operands summed in two orders (oneDNN's, OpenBLAS's): within
             * 2 γ_K Σ|a·b| (tolerance.h), K = in products (+ y itself when beta = 1) */
            double sum_abs = beta != 0.0f ? fabs((double)y0[k]) : 0;
            for (int t = 0; t < in; t++) sum_abs += fabs((double)xr[(size_t)i * in + t] * wr[(size_t)j * in + t]);
            const double diff = fabs((double)y[k] - ref[k]), tol = reorder_tol_sum(in + (beta != 0.0f), sum_abs);
            d = fmax(d, diff);
            worst = fmax(worst, diff / tol);
            if (diff > tol)
                fail_msg("product %d x %d x %d beta %g: [%d, %d] differs by %.3g > %.3g", rows, out, in, beta, i, j, diff, tol);
        }
    if (verbose()) print_message("product %d x %d x %d beta %g: max |diff| %.3g (%.2g of the bound)\n", rows, out, in, beta, d, worst);
    free(x); free(w); free(xr); free(wr); free(y); free(y0); free(ref); free(wb);
}

static void test_product(void **st) {
    (void)st;
    check_product(20, 64, 256, 256, 0.0f);
    check_product(20, 64, 256, 300, 1.0f);
    check_product(300, 256, 96, 96, 0.0f);
    check_product(300, 256, 96, 100, 1.0f);
    check_product(1, 48, 512, 512, 0.0f);
}

/* ------------------------------------------------------------ fixtures */

typedef struct pass {
    cl_model *m;
    cl_state *s;
    int B, T, Td;
} pass;

/* The fixture's context and decoder ids through m, every attention map kept. */
static void run_fixture(const char *dir, cl_precision p, pass *r) {
    char path[4096];
    cl_error err;
    r->m = load(dir, p);
    const cl_config *c = cl_model_config(r->m);
    float *ctx;
    int L;
    snprintf(path, sizeof path, "%s/context.csv", dir);
    if (csv_read_context(path, &ctx, &r->B, &L, NULL, &err)) fail_msg("%s", err.msg);
    int32_t *dec;
    int Bd;
    snprintf(path, sizeof path, "%s/decoder_input_ids.csv", dir);
    if (csv_read_ids(path, &dec, &Bd, &r->Td, &err)) fail_msg("%s", err.msg);
    assert_int_equal(Bd, r->B);
    r->T = cl_tokenizer_length(c, L);
    int32_t *ids = malloc(sizeof *ids * (size_t)r->B * r->T);
    uint8_t *mask = malloc((size_t)r->B * r->T);
    float *scale = malloc(sizeof *scale * (size_t)r->B);
    assert_int_equal(cl_tokenizer_encode(c, ctx, r->B, L, ids, mask, scale, &err), 0);
    assert_int_equal(cl_state_new(r->m, &r->s, &err), 0);
    cl_state_capture_all(r->s);
    if (cl_encode(r->s, ids, mask, r->B, r->T, &err) || cl_decode(r->s, dec, r->Td, 0, &err)) fail_msg("%s", err.msg);
    free(ids); free(mask); free(scale); cl_free(ctx); cl_free(dec);
}

static void pass_free(pass *r) {
    cl_state_free(r->s);
    cl_model_free(r->m);
}

static void check_fixture(const char *dir, const bounds *bd) {
    pass f, b;
    run_fixture(dir, CL_FP32, &f);
    run_fixture(dir, CL_BF16, &b);
    const cl_config *c = cl_model_config(f.m);
    static const char *names[CL_NSTACKS] = {"encoder self", "decoder self", "cross"};
    for (int st = 0; st < CL_NSTACKS; st++) {
        int sf[5], sb[5];
        const float *af = cl_state_attn(f.s, (cl_stack)st, sf), *ab = cl_state_attn(b.s, (cl_stack)st, sb);
        assert_non_null(af);
        assert_non_null(ab);
        assert_memory_equal(sf, sb, sizeof sf);
        size_t n = (size_t)sf[0] * sf[1] * sf[2] * sf[3] * sf[4];
        double d = max_abs_diff(ab, af, n);
        if (verbose()) print_message("%s: %s attention max |diff| %.3g\n", dir, names[st], d);
        assert_true(d > 0);      /* the bf16 path did run */
        assert_true(d <= bd->attn);
    }
    size_t ne = (size_t)f.B * f.T * c->d_model;
    double de = rel_diff(cl_state_encoder_hidden(b.s, NULL, NULL), cl_state_encoder_hidden(f.s, NULL, NULL), ne);
    int lb, lt, lv;
    const float *lf = cl_state_logits(f.s, &lb, &lt, &lv);
    size_t nl = (size_t)lb * lt * lv;
    double dl = rel_diff(cl_state_logits(b.s, NULL, NULL, NULL), lf, nl);
    double dla = max_abs_diff(cl_state_logits(b.s, NULL, NULL, NULL), lf, nl);
    if (verbose()) print_message("%s: encoder hidden rel %.3g, logits rel %.3g (max |diff| %.3g)\n", dir, de, dl, dla);
    assert_true(de > 0 && de <= bd->enc);
    assert_true(dl > 0 && dl <= bd->logits);
    pass_free(&f);
    pass_free(&b);
}

static void test_fixture_small(void **st) { (void)st; check_fixture(SMALL, &SMALL_B); }
static void test_fixture_gated(void **st) { (void)st; check_fixture(GATED, &GATED_B); }

/* bf16 weights are used as stored: loading rand-gated-bf16 in bf16 widens only the norms
 * and position biases, where fp32 widens every tensor; an fp32 checkpoint in bf16 gets a
 * rounded copy (half its size) beside the mapping. */
static void test_storage(void **st) {
    (void)st;
    cl_model *f = load(GATED, CL_FP32), *b = load(GATED, CL_BF16);
    if (verbose()) print_message("owned bytes: fp32 %zu, bf16 %zu\n", cl_model_owned_bytes(f), cl_model_owned_bytes(b));
    assert_true(cl_model_owned_bytes(b) * 50 < cl_model_owned_bytes(f));
    assert_null(b->embed); /* tied: the embedding is the output head, kept in bf16 only */
    assert_non_null(b->embed_h);
    assert_null(b->enc[0].self.q);
    assert_non_null(b->enc[0].self_h.q);
    cl_model_free(f);
    cl_model_free(b);
    cl_model *s32 = load(SMALL, CL_FP32), *s16 = load(SMALL, CL_BF16);
    assert_int_equal(cl_model_owned_bytes(s32), 0); /* fp32 in place */
    size_t half = cl_model_param_count(s16) * 2;
    assert_true(cl_model_owned_bytes(s16) <= half && cl_model_owned_bytes(s16) * 10 > half * 9);
    assert_null(s32->enc[0].self_h.q);
    cl_model_free(s32);
    cl_model_free(s16);
}

/* ------------------------------------------------------------ forecasts */

static void forecast_quantiles(const char *dir, cl_precision p, int top_k, float *quant, int *B, int *H) {
    char path[4096];
    cl_error err;
    cl_model *m = load(dir, p);
    float *ctx;
    int L;
    snprintf(path, sizeof path, "%s/context.csv", dir);
    if (csv_read_context(path, &ctx, B, &L, NULL, &err)) fail_msg("%s", err.msg);
    cl_forecast_opts o;
    cl_forecast_default(cl_model_config(m), &o);
    o.samples = 20;
    if (top_k) { o.samples = 1; o.sampling.top_k = top_k; }
    *H = cl_model_config(m)->prediction_length;
    float *vals = malloc(sizeof(float) * (size_t)*B * o.samples * *H), *mean = malloc(sizeof(float) * (size_t)*B * *H);
    if (cl_forecast(m, &o, ctx, *B, L, *H, vals, &err)) fail_msg("%s", err.msg);
    const double lv[3] = {0.1, 0.5, 0.9};
    if (cl_forecast_summary(vals, *B, o.samples, *H, lv, 3, mean, quant, &err)) fail_msg("%s", err.msg);
    free(vals); free(mean); cl_free(ctx);
    cl_model_free(m);
}

/* Sampled forecasts (20 paths, same seed): the quantiles move by what a few re-drawn tokens
 * move them; greedy forecasts pick the same tokens. */
static void check_forecast(const char *dir, const bounds *bd) {
    float qf[4096], qb[4096];
    int B, H, B2, H2;
    forecast_quantiles(dir, CL_FP32, 0, qf, &B, &H);
    assert_true((size_t)B * H * 3 <= sizeof qf / sizeof qf[0]);
    forecast_quantiles(dir, CL_BF16, 0, qb, &B2, &H2);
    double d = rel_diff(qb, qf, (size_t)B * H * 3);
    forecast_quantiles(dir, CL_FP32, 1, qf, &B, &H);
    forecast_quantiles(dir, CL_BF16, 1, qb, &B2, &H2);
    int same = 0;
    for (int i = 0; i < B * H; i++) same += qf[i * 3 + 1] == qb[i * 3 + 1];
    if (verbose()) {
        print_message("%s: forecast quantiles rel %.3g; greedy: %d of %d values equal; first differing step:", dir, d, same, B * H);
        for (int b = 0; b < B; b++) {
            int t = 0;
            while (t < H && qf[(b * H + t) * 3 + 1] == qb[(b * H + t) * 3 + 1]) t++;
            print_message(" %d", t);
        }
        print_message("\n");
    }
    assert_true(d <= bd->quant);
    assert_true(B * H - same <= bd->greedy_off);
}

static void test_forecast_small(void **st) { (void)st; check_forecast(SMALL, &SMALL_B); }
static void test_forecast_gated(void **st) { (void)st; check_forecast(GATED, &GATED_B); }

/* ------------------------------------------------------------ induction */

static void induction(cl_model *m, int batch, uint64_t seed, double threshold, cl_induction_result *r) {
    cl_error err;
    cl_induction_opts o;
    assert_int_equal(cl_induction_default(cl_model_config(m), &o, &err), 0);
    o.rrt.batch = batch;
    o.rrt.seed = seed;
    o.threshold = threshold;
    if (cl_induction_run(m, &o, r, &err)) fail_msg("%s", err.msg);
}

/* max |a - b| over the heads of the attention scores (current, right; cross and encoder) */
static double score_diff(const cl_induction_result *a, const cl_induction_result *b) {
    double d = 0;
    for (int i = 0; i < a->layers * a->heads; i++) {
        d = fmax(d, fabs(a->cur[i].mean - b->cur[i].mean));
        d = fmax(d, fabs(a->right[i].mean - b->right[i].mean));
    }
    for (int i = 0; i < a->enc_layers * a->heads; i++) {
        d = fmax(d, fabs(a->enc_cur[i].mean - b->enc_cur[i].mean));
        d = fmax(d, fabs(a->enc_right[i].mean - b->enc_right[i].mean));
    }
    return d;
}

static void same_counts(const cl_induction_result *a, const cl_induction_result *b) {
    for (int k = 0; k < 3; k++) {
        assert_int_equal(a->cross[k].n, b->cross[k].n);
        assert_int_equal(a->enc[k].n, b->enc[k].n);
        assert_int_equal(a->strict_count[k].n, b->strict_count[k].n);
    }
}

static void test_planted(void **st) {
    (void)st;
    planted p;
    planted_build(&p);
    char dir[512];
    snprintf(dir, sizeof dir, "%s/planted-bf16", test_tmpdir());
    planted_save(&p, dir);
    planted_free(&p);
    cl_model *f = load(dir, CL_FP32), *b = load(dir, CL_BF16);
    cl_induction_result rf, rb;
    induction(f, 24, 5, 0.3, &rf);
    induction(b, 24, 5, 0.3, &rb);
    double d = score_diff(&rf, &rb);
    const int pi = P_LAYER * P_H + P_HEAD;
    if (verbose())
        print_message("planted: score max |diff| %.3g; right %.5f / %.5f, copy %.6f / %.6f, ablation %.5f / %.5f\n", d,
                      rf.right[pi].mean, rb.right[pi].mean, rf.copy[pi].mean, rb.copy[pi].mean, rf.ablate[pi].mean,
                      rb.ablate[pi].mean);
    assert_true(d <= B_IND_PLANTED);
    assert_true(fabs(rf.ablate[pi].mean - rb.ablate[pi].mean) <= B_ABL_PLANTED);
    assert_true(fabs(rf.copy[pi].mean - rb.copy[pi].mean) <= B_COPY_PLANTED);
    for (int i = 0; i < rf.layers * rf.heads; i++)
        for (int k = 0; k < 2; k++) {
            assert_int_equal(cl_induction_above(&rb, i, k), cl_induction_above(&rf, i, k));
            assert_int_equal(cl_induction_strict(&rb, i, k), cl_induction_strict(&rf, i, k));
        }
    assert_true(cl_induction_above(&rb, pi, CL_RIGHT) && cl_induction_strict(&rb, pi, CL_RIGHT));
    same_counts(&rf, &rb);
    assert_int_equal(rb.cross[CL_RIGHT].n, 1);
    cl_induction_free(&rf);
    cl_induction_free(&rb);
    cl_model_free(f);
    cl_model_free(b);
}

static void test_random_tiny(void **st) {
    (void)st;
    cl_error err;
    cl_config c;
    assert_int_equal(cl_config_preset("tiny", &c, &err), 0);
    char dir[512];
    snprintf(dir, sizeof dir, "%s/tiny-bf16", test_tmpdir());
    if (cl_checkpoint_init_random(dir, &c, 3, 0, NULL, &err)) fail_msg("%s", err.msg);
    cl_model *f = load(dir, CL_FP32), *b = load(dir, CL_BF16);
    cl_induction_result rf, rb;
    /* a random model has no head near the study's 0.3: a lower threshold that splits its
     * heads (TINY_THRESHOLD, some above, some below) makes the counts say something */
    induction(f, 50, 0, TINY_THRESHOLD, &rf);
    induction(b, 50, 0, TINY_THRESHOLD, &rb);
    double d = score_diff(&rf, &rb), lo = 1, hi = 0;
    for (int i = 0; i < rf.layers * rf.heads; i++) {
        lo = fmin(lo, rf.right[i].mean);
        hi = fmax(hi, rf.right[i].mean);
    }
    if (verbose())
        print_message("random tiny: score max |diff| %.3g; right scores %.4f..%.4f; heads above %.2f: cross %d / %d, encoder %d / %d\n",
                      d, lo, hi, TINY_THRESHOLD, rf.cross[CL_ANY].n, rb.cross[CL_ANY].n, rf.enc[CL_ANY].n, rb.enc[CL_ANY].n);
    assert_true(rf.cross[CL_ANY].n > 0 && rf.cross[CL_ANY].n < rf.layers * rf.heads);
    assert_true(d <= B_IND_TINY);
    same_counts(&rf, &rb);
    cl_induction_free(&rf);
    cl_induction_free(&rb);
    cl_model_free(f);
    cl_model_free(b);
}

/* ------------------------------------------------------------ Chronos-Bolt */

typedef struct bolt_pass { cl_model *m; cl_state *s; int B, L; } bolt_pass;

static void bolt_run(const char *dir, cl_precision p, bolt_pass *r) {
    char path[4096];
    cl_error err;
    r->m = load(dir, p);
    assert_true(cl_model_is_bolt(r->m));
    float *ctx;
    snprintf(path, sizeof path, "%s/context.csv", BOLT); /* the same series for the bf16 copy */
    if (csv_read_context(path, &ctx, &r->B, &r->L, NULL, &err)) fail_msg("%s", err.msg);
    assert_int_equal(cl_state_new(r->m, &r->s, &err), 0);
    cl_state_capture_all(r->s);
    if (cl_bolt_forward(r->s, ctx, r->B, r->L, &err)) fail_msg("%s", err.msg);
    cl_free(ctx);
}

static void bolt_free(bolt_pass *r) {
    cl_state_free(r->s);
    cl_model_free(r->m);
}

/* Bolt's products (residual blocks, the T5 stacks, the one-query cross-attention by
 * reassociation) in bf16 against fp32 on bolt-rand. */
static void test_bolt(void **st) {
    (void)st;
    bolt_pass f, b;
    bolt_run(BOLT, CL_FP32, &f);
    bolt_run(BOLT, CL_BF16, &b);
    assert_non_null(b.m->patch_in.hid_wh); /* the residual blocks run in bf16 */
    assert_non_null(b.m->dec[0].cross_h.k);
    const cl_config *c = cl_model_config(f.m);
    static const char *names[CL_NSTACKS] = {"encoder self", "decoder self", "cross"};
    for (int k = 0; k < CL_NSTACKS; k++) {
        int sf[5], sb[5];
        const float *af = cl_state_attn(f.s, (cl_stack)k, sf), *ab = cl_state_attn(b.s, (cl_stack)k, sb);
        assert_non_null(af);
        assert_non_null(ab);
        assert_memory_equal(sf, sb, sizeof sf);
        size_t n = (size_t)sf[0] * sf[1] * sf[2] * sf[3] * sf[4];
        double d = max_abs_diff(ab, af, n);
        if (verbose()) print_message("bolt: %s attention max |diff| %.3g\n", names[k], d);
        if (k != CL_DEC_SELF) assert_true(d > 0); /* one query: its self-attention is 1 either way */
        assert_true(d <= BOLT_B.attn);
    }
    int B, T;
    const float *ef = cl_state_encoder_hidden(f.s, &B, &T);
    double de = rel_diff(cl_state_encoder_hidden(b.s, NULL, NULL), ef, (size_t)B * T * c->d_model);
    double dd = rel_diff(cl_bolt_decoder_hidden(b.s), cl_bolt_decoder_hidden(f.s), (size_t)f.B * c->d_model);
    const size_t nq = (size_t)f.B * c->n_quantiles * c->prediction_length;
    double dq = rel_diff(cl_bolt_quantiles(b.s), cl_bolt_quantiles(f.s), nq);
    if (verbose()) print_message("bolt: encoder rel %.3g, decoder rel %.3g, quantiles rel %.3g\n", de, dd, dq);
    assert_true(de > 0 && de <= BOLT_B.enc);
    assert_true(dd > 0 && dd <= BOLT_B.dec);
    assert_true(dq > 0 && dq <= BOLT_B.quant);

    /* the same matrices stored in BF16 are used in place (no fp32 copy: every product must
     * take the bf16 twin) and give bit-identical results to the fp32 file rounded at load */
    char dir[600], path[700];
    snprintf(dir, sizeof dir, "%s/bolt-bf16", test_tmpdir());
    assert_int_equal(run_cmd("mkdir -p '%s' && cp '%s/config.json' '%s/'", dir, BOLT, dir), 0);
    cl_error err;
    st_file src;
    snprintf(path, sizeof path, "%s/model.safetensors", BOLT);
    if (st_open(path, &src, &err)) fail_msg("%s", err.msg);
    st_writer *w = st_writer_new();
    uint16_t **keep = calloc((size_t)src.n, sizeof *keep);
    for (int i = 0; i < src.n; i++) {
        const st_tensor *t = &src.t[i];
        /* product matrices: 2-D weights but the embedding rows and the position biases */
        const int matrix = t->ndim == 2 && strstr(t->name, ".weight") && strcmp(t->name, "shared.weight") &&
                           !strstr(t->name, "relative_attention_bias");
        if (!matrix) { assert_int_equal(st_writer_add(w, t->name, t->dtype, t->ndim, t->shape, t->data), 0); continue; }
        size_t n = st_numel(t);
        keep[i] = malloc(sizeof(uint16_t) * n);
        for (size_t j = 0; j < n; j++) {
            float v;
            memcpy(&v, (const char *)t->data + 4 * j, 4);
            keep[i][j] = cl_f32_to_bf16(v);
        }
        assert_int_equal(st_writer_add(w, t->name, ST_BF16, t->ndim, t->shape, keep[i]), 0);
    }
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    if (st_writer_save(w, path, "pt", &err)) fail_msg("%s", err.msg);
    st_writer_free(w);
    for (int i = 0; i < src.n; i++) free(keep[i]);
    free(keep);
    st_close(&src);
    bolt_pass h;
    bolt_run(dir, CL_BF16, &h);
    assert_null(h.m->patch_in.hid_w);
    assert_null(h.m->patch_out.res_w);
    assert_null(h.m->dec[0].cross.k);
    assert_null(h.m->enc[0].self.q);
    assert_memory_equal(cl_bolt_quantiles(h.s), cl_bolt_quantiles(b.s), sizeof(float) * nq);
    assert_memory_equal(cl_bolt_decoder_hidden(h.s), cl_bolt_decoder_hidden(b.s), sizeof(float) * f.B * c->d_model);
    bolt_free(&h);
    bolt_free(&f);
    bolt_free(&b);
}

/* ------------------------------------------------------------ Chronos-2 */

/* Chronos-2 (chronos2-rand, the golden's main case: 4 series in groups 0, 1, 2, 2, 4 output
 * patches): max |diff| of the time and the group attention probabilities over every layer,
 * relative deviation of the encoder output, of the quantile head's output before sinh and
 * de-normalisation, and of the quantiles (data units). Bounds: measured x 2, rounded up, as
 * above (the test prints its C2_MEASURED line).
 *                                  measured: 0.00509 / 0.00336 / 0.00446 / 0.00571 / 0.000699 */
typedef struct c2_bounds { double time_attn, group_attn, enc, qnorm, quant; } c2_bounds;
static const c2_bounds C2_B = {0.011, 0.007, 0.009, 0.012, 0.0014};

typedef struct c2_pass { cl_model *m; cl_state *s; cl_chronos2_result r; } c2_pass;

static void c2_run(cl_precision p, c2_pass *x) {
    cl_error err;
    st_file g;
    if (st_open(C2 "/golden.safetensors", &g, &err)) fail_msg("%s", err.msg);
    const st_tensor *ct = st_find(&g, "context");
    assert_non_null(ct);
    size_t n;
    float *ctx = golden_f32(&g, "context", &n);
    static const int gid[4] = {0, 1, 2, 2};
    assert_int_equal(ct->shape[0], 4);
    x->m = load(C2, p);
    assert_true(cl_model_is_chronos2(x->m));
    assert_int_equal(cl_state_new(x->m, &x->s, &err), 0);
    cl_state_capture_all(x->s);
    cl_chronos2_input in = {.context = ctx, .B = 4, .L = (int)ct->shape[1], .group_ids = gid, .num_output_patches = 4,
                            .capture_group = 1};
    if (cl_chronos2_forward(x->s, &in, &x->r, &err)) fail_msg("%s", err.msg);
    free(ctx);
    st_close(&g);
}

/* Chronos-2's products (residual blocks, time and group attention, feed-forward, head) in
 * bf16 against fp32 */
static void test_chronos2(void **st) {
    (void)st;
    c2_pass f, b;
    c2_run(CL_FP32, &f);
    c2_run(CL_BF16, &b);
    assert_int_equal(cl_model_precision(b.m), CL_BF16);
    const cl_config *c = cl_model_config(f.m);
    const int B = f.r.B, S = f.r.S, H = c->num_heads, NL = c->num_layers, Q = f.r.Q, d = c->d_model;
    int sf[5], sb[5];
    const float *tf = cl_state_attn(f.s, CL_ENC_SELF, sf), *tb = cl_state_attn(b.s, CL_ENC_SELF, sb);
    assert_non_null(tf);
    assert_non_null(tb);
    assert_memory_equal(sf, sb, sizeof sf);
    const double dt = max_abs_diff(tb, tf, (size_t)NL * B * H * S * S);
    const double dg = max_abs_diff(b.r.group_attn, f.r.group_attn, (size_t)NL * S * H * B * B);
    const double de = rel_diff(b.r.encoder_hidden, f.r.encoder_hidden, (size_t)B * S * d);
    const size_t nq = (size_t)B * Q * f.r.N * f.r.ps;
    const double dn = rel_diff(b.r.quantile_preds_normalized, f.r.quantile_preds_normalized, nq);
    const double dq = rel_diff(b.r.quantile_preds, f.r.quantile_preds, nq);
    print_message("C2_MEASURED chronos2: time attention max |diff| %.3g, group attention %.3g, encoder rel %.3g, "
                  "head rel %.3g, quantiles rel %.3g\n", dt, dg, de, dn, dq);
    /* every one moved (the bf16 products ran) and within its bound */
    assert_true(dt > 0 && dt <= C2_B.time_attn);
    assert_true(dg > 0 && dg <= C2_B.group_attn);
    assert_true(de > 0 && de <= C2_B.enc);
    assert_true(dn > 0 && dn <= C2_B.qnorm);
    assert_true(dq > 0 && dq <= C2_B.quant);
    cl_state_free(f.s); cl_model_free(f.m);
    cl_state_free(b.s); cl_model_free(b.m);
}

/* ------------------------------------------------------------ fallback */

/* With oneDNN limited to AVX-512 without bf16 (its ONEDNN_MAX_CPU_ISA), --precision bf16
 * says so in one line and runs fp32, recorded as such. Runs on any x86-64 with AVX-512;
 * elsewhere the limit is already below bf16 and the same holds. */
static void test_fallback_cli(void **st) {
    (void)st;
    char out[600], err_path[700], json[700];
    snprintf(out, sizeof out, "%s/fallback", test_tmpdir());
    snprintf(err_path, sizeof err_path, "%s/fallback.err", test_tmpdir());
    assert_int_equal(run_cmd("ONEDNN_MAX_CPU_ISA=AVX512_CORE '%s' induction --quiet --threads 1 --model '%s' --batch 4 "
                             "--precision bf16 --out '%s' 2> '%s'", CL_CLI, SMALL, out, err_path), 0);
    char *e = slurp(err_path);
    assert_non_null(strstr(e, "no AVX512-BF16 or AMX; running fp32"));
    assert_non_null(strchr(e, '\n'));
    assert_null(strchr(strchr(e, '\n') + 1, '\n')); /* one line */
    free(e);
    snprintf(json, sizeof json, "%s/induction.json", out);
    cJSON *j = read_json(json);
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "settings"), "precision");
    assert_string_equal(cJSON_GetStringValue(p), "fp32");
    cJSON_Delete(j);
    /* and a bad value is refused */
    assert_int_equal(run_cmd("'%s' induction --quiet --model '%s' --precision fp16 --out '%s/x' 2>/dev/null", CL_CLI,
                             SMALL, test_tmpdir()), 2);
}

/* The precision reaches the outputs' settings: bf16 where the CPU has it. */
static void test_cli_records(void **st) {
    (void)st;
    char out[600], json[700];
    snprintf(out, sizeof out, "%s/bf16-run", test_tmpdir());
    assert_int_equal(run_cmd("'%s' induction --quiet --threads 1 --model '%s' --batch 4 --precision bf16 --out '%s'",
                             CL_CLI, SMALL, out), 0);
    snprintf(json, sizeof json, "%s/induction.json", out);
    cJSON *j = read_json(json);
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "settings"), "precision");
    assert_string_equal(cJSON_GetStringValue(p), "bf16");
    cJSON_Delete(j);
}

/* Every study's writer records it (and its reader reads it back); the commands that run a
 * Bolt model take it too. */
static void test_cli_records_studies(void **st) {
    (void)st;
    char out[600], path[700];
    cl_error err;
    snprintf(out, sizeof out, "%s/bf16-ms", test_tmpdir());
    assert_int_equal(run_cmd("'%s' multisine --quiet --threads 1 --model '%s' --permutations 20 --precision bf16 --out '%s'",
                             CL_CLI, SMALL, out), 0);
    cl_multisine_result ms;
    if (cl_multisine_read(out, &ms, &err)) fail_msg("%s", err.msg);
    assert_int_equal(ms.opts.precision, CL_BF16);
    cl_multisine_free(&ms);
    snprintf(out, sizeof out, "%s/bf16-mss", test_tmpdir());
    assert_int_equal(run_cmd("'%s' multisine-sweep --quiet --threads 1 --model '%s' --configs 2 --batch 2 "
                             "--permutations 20 --precision bf16 --out '%s'", CL_CLI, SMALL, out), 0);
    cl_mssweep_result mss;
    if (cl_mssweep_read(out, &mss, &err)) fail_msg("%s", err.msg);
    assert_int_equal(mss.opts.precision, CL_BF16);
    cl_mssweep_free(&mss);
    snprintf(out, sizeof out, "%s/bf16-sweep", test_tmpdir());
    assert_int_equal(run_cmd("'%s' sweep --quiet --threads 1 --model '%s' --batch 2 --reps-list 2 --len-list 2 "
                             "--precision bf16 --out '%s'", CL_CLI, SMALL, out), 0);
    cl_sweep_set sw;
    if (cl_sweep_read(out, &sw, &err)) fail_msg("%s", err.msg);
    assert_int_equal(sw.opts.precision, CL_BF16);
    cl_sweep_set_free(&sw);
    /* a run without --precision reads back fp32 */
    snprintf(out, sizeof out, "%s/fp32-sweep", test_tmpdir());
    assert_int_equal(run_cmd("'%s' sweep --quiet --threads 1 --model '%s' --batch 2 --reps-list 2 --len-list 2 --out '%s'",
                             CL_CLI, SMALL, out), 0);
    if (cl_sweep_read(out, &sw, &err)) fail_msg("%s", err.msg);
    assert_int_equal(sw.opts.precision, CL_FP32);
    cl_sweep_set_free(&sw);
    /* forward's tensors say which precision made them (__metadata__), whole or in chunks */
    for (int chunk = 0; chunk < 2; chunk++) {
        snprintf(path, sizeof path, "%s/bf16-forward-%d.safetensors", test_tmpdir(), chunk);
        assert_int_equal(run_cmd("'%s' forward --quiet --threads 1 --model '%s' --context '%s/context.csv' --precision bf16 "
                                 "%s --out '%s'", CL_CLI, SMALL, SMALL, chunk ? "--chunk 1" : "", path), 0);
        assert_int_equal(run_cmd("head -c 4096 '%s' | grep -q '\"__metadata__\":{\"precision\":\"bf16\"}'", path), 0);
    }
    snprintf(path, sizeof path, "%s/fp32-forward.safetensors", test_tmpdir());
    assert_int_equal(run_cmd("'%s' forward --quiet --threads 1 --model '%s' --context '%s/context.csv' --out '%s'", CL_CLI,
                             SMALL, SMALL, path), 0);
    assert_int_equal(run_cmd("head -c 4096 '%s' | grep -q '\"precision\":\"fp32\"'", path), 0);
    snprintf(path, sizeof path, "%s/bolt-forecast.csv", test_tmpdir());
    assert_int_equal(run_cmd("'%s' forecast --quiet --threads 1 --model '%s' --context '%s/context.csv' --precision bf16 "
                             "--out '%s'", CL_CLI, BOLT, BOLT, path), 0);
    assert_true(file_exists(path));
}

/* The models of one study share a precision: the study refuses a mix. */
static void test_mixed_models(void **st) {
    (void)st;
    cl_error err;
    cl_model *m[2] = {load(SMALL, CL_FP32), load(GATED, CL_BF16)};
    cl_study_model info[2] = {{.name = "a", .path = "a"}, {.name = "b", .path = "b"}};
    cl_induction_study_opts o;
    cl_induction_study_default(&o);
    o.base.rrt.batch = 2;
    cl_induction_set s;
    assert_int_equal(cl_induction_study_run(m, info, 2, &o, &s, &err), CL_EINVAL);
    assert_non_null(strstr(err.msg, "share a precision"));
    cl_model_free(m[0]);
    cl_model_free(m[1]);
}

/* fp32 asked through the options is the plain load, and parsing names round-trips */
static void test_api(void **st) {
    (void)st;
    cl_precision p;
    assert_int_equal(cl_precision_parse("bf16", &p), 0);
    assert_int_equal(p, CL_BF16);
    assert_string_equal(cl_precision_name(p), "bf16");
    assert_int_equal(cl_precision_parse("fp32", &p), 0);
    assert_string_equal(cl_precision_name(p), "fp32");
    assert_int_equal(cl_precision_parse("BF16", &p), -1);
    cl_error err;
    cl_model *m;
    cl_load_opts bad = {(cl_precision)7};
    assert_int_equal(cl_model_load(SMALL, &bad, &m, &err), CL_EINVAL);
    assert_int_equal(cl_model_load(SMALL, NULL, &m, &err), 0);
    assert_int_equal(cl_model_precision(m), CL_FP32);
    cl_model_free(m);
}

static const char *no_bf16_cpu(void) {
    return cl_bf16_supported() ? NULL : "this CPU has no AVX512-BF16/AMX: the bf16 deviation tests do not apply";
}

int main(int argc, char **argv) {
    /* any CPU */
    static const struct CMUnitTest always[] = {
        cmocka_unit_test(test_api),
        cmocka_unit_test(test_fallback_cli),
    };
    /* a CPU with bf16 products: its own entry, skipped elsewhere */
    static const struct CMUnitTest bf16[] = {
        cmocka_unit_test(test_product),
        cmocka_unit_test(test_fixture_small),
        cmocka_unit_test(test_fixture_gated),
        cmocka_unit_test(test_storage),
        cmocka_unit_test(test_forecast_small),
        cmocka_unit_test(test_forecast_gated),
        cmocka_unit_test(test_planted),
        cmocka_unit_test(test_random_tiny),
        cmocka_unit_test(test_bolt),
        cmocka_unit_test(test_chronos2),
        cmocka_unit_test(test_cli_records),
        cmocka_unit_test(test_cli_records_studies),
        cmocka_unit_test(test_mixed_models),
    };
    static const cl_test_group groups[] = {
        CL_TEST_GROUP("api", always, NULL, NULL, NULL, NULL),
        CL_TEST_GROUP("cpu", bf16, NULL, NULL, NULL, no_bf16_cpu),
    };
    return cl_test_main(argc, argv, groups, sizeof groups / sizeof *groups);
}
