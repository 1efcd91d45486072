/* test_multisine.c — the multisine study: its inputs (formula, spectrum, gaps, random sets)
 * and the sweep's summary numbers (group common); for each model family its attention signal
 * and a planted checkpoint whose head attends with a known period, found at that period:
 *  - T5: the batched row-0 cross-attention against a full forward pass; the planted model
 *    byte-identical to tests/fixtures/planted-period;
 *  - Bolt (method.md §4.2): the input at the patch rate, the signal = the decoder query's
 *    cross-attention over the patches ([REG] excluded) as cl_bolt_forward captures it,
 *    aliasing above the patch Nyquist, the study's and the sweep's files read back, one family
 *    per run. */
#include "testutil.h"
#include "tolerance.h"
#include "study/multisine/msheads.h"
#include "study/multisine/mssweep.h"
#include "study/multisine/multisine.h"
#include "study/common/spectrum.h"
#include "model/init.h"
#include "study/multisine/bolt_multisine.h"
#include "core/core.h"
#include "io/safetensors.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define assert_near(a, b, tol)                                                                  \
    do {                                                                                        \
        double a_ = (a), b_ = (b);                                                              \
        if (!(fabs(a_ - b_) <= (tol))) fail_msg("%s = %.17g, want %.17g (tol %g)", #a, a_, b_, (double)(tol)); \
    } while (0)

static void test_formula_and_spectrum(void **st) {
    (void)st;
    cl_multisine m;
    cl_multisine_reference(&m);
    m.phases[1] = 0.7;
    cl_error err;
    assert_int_equal(cl_multisine_check(&m, &err), 0);
    float x[301];
    cl_multisine_eval(&m, NULL, x); /* no noise: the rng is not used */
    for (int j = 0; j < 301; j++) {
        double t = j * 3.0 / 301;
        double want = sin(2 * M_PI * 5 * t) + 0.5 * sin(2 * M_PI * 10 * t + 0.7) + 0.25 * sin(2 * M_PI * 20 * t) +
                      0.25 * sin(2 * M_PI * 40 * t);
        assert_near(x[j], want, 1e-6);
    }
    /* its FFT has exactly four lines, at 5, 10, 20, 40 Hz (bins 15, 30, 60, 120), of height n a / 2 */
    cl_fft *f;
    assert_int_equal(cl_fft_new(301, &f, &err), 0);
    double xd[301], mag[301];
    for (int j = 0; j < 301; j++) xd[j] = x[j];
    cl_fft_abs(f, xd, mag);
    const int bins[4] = {15, 30, 60, 120};
    for (int k = 1; k <= 150; k++) {
        int line = -1;
        for (int i = 0; i < 4; i++) if (bins[i] == k) line = i;
        if (line >= 0) assert_near(mag[k], 301 * m.amps[line] / 2, 1e-3);
        else assert_true(mag[k] < 1e-3);
    }
    cl_fft_free(f);
    /* noise: seeded */
    m.noise = 0.5;
    float y1[301], y2[301];
    cl_rng r;
    cl_rng_seed(&r, 4);
    cl_multisine_eval(&m, &r, y1);
    cl_rng_seed(&r, 4);
    cl_multisine_eval(&m, &r, y2);
    assert_memory_equal(y1, y2, sizeof y1);
    assert_memory_not_equal(x, y1, sizeof x);
}

static void set_freqs(cl_multisine *m, const double *f, int n) {
    cl_multisine_reference(m);
    m->n = n;
    for (int i = 0; i < n; i++) { m->freqs[i] = f[i]; m->amps[i] = 1; m->phases[i] = 0; }
}

static void test_gaps(void **st) {
    (void)st;
    cl_multisine m;
    const double a[4] = {5, 10, 20, 40}, b[4] = {7, 10, 23, 31}, c[2] = {12, 15}, d[3] = {2, 5, 7}, e[3] = {3, 9, 6};
    set_freqs(&m, a, 4);
    assert_near(cl_multisine_smallest_gap(&m), 5, 0);
    assert_int_equal(cl_multisine_gap_gcd(&m), 5);
    assert_int_equal(cl_multisine_freq_gcd(&m), 5);
    assert_int_equal(cl_multisine_non_divisor(&m), 0);
    set_freqs(&m, b, 4); /* gaps 3, 13, 8: 3 divides neither 13 nor 8 */
    assert_near(cl_multisine_smallest_gap(&m), 3, 0);
    assert_int_equal(cl_multisine_gap_gcd(&m), 1);
    assert_int_equal(cl_multisine_non_divisor(&m), 1);
    set_freqs(&m, c, 2);
    assert_near(cl_multisine_smallest_gap(&m), 3, 0);
    assert_int_equal(cl_multisine_freq_gcd(&m), 3);
    assert_int_equal(cl_multisine_non_divisor(&m), 0); /* one gap: nothing to divide */
    const double g[2] = {14, 18}; /* gap 4, but the series repeats every 1/2 s */
    set_freqs(&m, g, 2);
    assert_int_equal(cl_multisine_gap_gcd(&m), 4);
    assert_int_equal(cl_multisine_freq_gcd(&m), 2);
    set_freqs(&m, d, 3); /* gaps 3, 2, 5: smallest 2 does not divide 3 */
    assert_near(cl_multisine_smallest_gap(&m), 2, 0);
    assert_int_equal(cl_multisine_non_divisor(&m), 1);
    set_freqs(&m, e, 3); /* unsorted; gaps 3, 3, 6 */
    assert_near(cl_multisine_smallest_gap(&m), 3, 0);
    assert_int_equal(cl_multisine_gap_gcd(&m), 3);
    assert_int_equal(cl_multisine_non_divisor(&m), 0);
    m.n = 1;
    assert_true(isnan(cl_multisine_smallest_gap(&m)));
}

static void test_check(void **st) {
    (void)st;
    cl_multisine m;
    cl_error err;
    cl_multisine_reference(&m);
    m.freqs[3] = 50.2; /* Nyquist of 301 points over 3 s: 50.17 Hz */
    assert_int_not_equal(cl_multisine_check(&m, &err), 0);
    assert_non_null(strstr(err.msg, "Nyquist"));
    m.freqs[3] = 50.1;
    assert_int_equal(cl_multisine_check(&m, &err), 0);
    m.freqs[3] = 10;
    assert_int_not_equal(cl_multisine_check(&m, &err), 0);
    assert_non_null(strstr(err.msg, "twice"));
    cl_multisine_reference(&m);
    m.points = 7;
    assert_int_not_equal(cl_multisine_check(&m, &err), 0);
    cl_multisine_reference(&m);
    m.n = 0;
    assert_int_not_equal(cl_multisine_check(&m, &err), 0);
    cl_multisine_reference(&m);
    m.freqs[0] = 0;
    assert_int_not_equal(cl_multisine_check(&m, &err), 0);
}

static void test_random_sets(void **st) {
    (void)st;
    cl_multisine base, m, m2;
    cl_multisine_reference(&base);
    base.noise = 0.1;
    cl_rng r, r2;
    cl_rng_seed(&r, 11);
    cl_rng_seed(&r2, 11);
    int seen[7] = {0};
    for (int t = 0; t < 300; t++) {
        cl_multisine_random(&r, &base, 1, 45, 2, 6, &m);
        cl_multisine_random(&r2, &base, 1, 45, 2, 6, &m2);
        assert_memory_equal(&m, &m2, sizeof m);
        assert_true(m.n >= 2 && m.n <= 6);
        seen[m.n]++;
        assert_int_equal(m.points, 301);
        assert_near(m.noise, 0.1, 0);
        for (int i = 0; i < m.n; i++) {
            assert_true(m.freqs[i] >= 1 && m.freqs[i] <= 45 && m.freqs[i] == floor(m.freqs[i]));
            if (i) assert_true(m.freqs[i] > m.freqs[i - 1]); /* sorted and distinct */
            assert_true(m.amps[i] >= 0.2 && m.amps[i] <= 1);
            assert_true(m.phases[i] >= 0 && m.phases[i] < 2 * M_PI);
        }
        cl_error err;
        assert_int_equal(cl_multisine_check(&m, &err), 0);
    }
    for (int k = 2; k <= 6; k++) assert_true(seen[k] > 20);
}

/* ------------------------------------------------------------ planted checkpoints */

/* Rewrites dir/model.safetensors (fp32, as cl_checkpoint_init_random wrote it for config c):
 * each tensor, in the file's order, through edit(name, values, count, c). */
static void rewrite_weights(const char *dir, const cl_config *c, void (*edit)(const char *, float *, size_t, const cl_config *)) {
    cl_error err;
    char path[1024];
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    st_file f;
    if (st_open(path, &f, &err)) fail_msg("%s", err.msg);
    st_writer *w = st_writer_new();
    float **bufs = calloc((size_t)f.n, sizeof(float *));
    for (int i = 0; i < f.n; i++) {
        const st_tensor *t = &f.t[i];
        const size_t n = st_numel(t);
        float *b = bufs[i] = malloc(sizeof(float) * n);
        memcpy(b, t->data, sizeof(float) * n);
        edit(t->name, b, n, c);
        st_writer_add(w, t->name, ST_F32, t->ndim, t->shape, b);
    }
    if (st_writer_save(w, path, "pt", &err)) fail_msg("%s", err.msg);
    st_writer_free(w);
    for (int i = 0; i < f.n; i++) free(bufs[i]);
    free(bufs);
    st_close(&f);
}

/* ------------------------------------------------------------ T5 */

/* Row-0 cross-attention of a batch equals the full maps of separate single-series passes
 * (within the bound of reordered sums, tolerance.h), with EOS excluded. */
static void test_attention_capture(void **st) {
    (void)st;
    cl_error err;
    cl_model *m;
    if (cl_model_load(CL_FIXTURES "/rand-small", NULL, &m, &err)) fail_msg("%s", err.msg);
    const cl_config *c = cl_model_config(m);
    cl_state *s;
    assert_int_equal(cl_state_new(m, &s, &err), 0);
    enum { B = 3, P = 301 };
    float series[B * P];
    cl_multisine ms;
    cl_multisine_reference(&ms);
    cl_rng r;
    cl_rng_seed(&r, 2);
    for (int b = 0; b < B; b++) {
        ms.noise = 0.3 * b;
        cl_multisine_eval(&ms, &r, series + b * P);
    }
    const int LH = c->num_decoder_layers * c->num_heads;
    float *attn = malloc(sizeof(float) * B * LH * P);
    if (cl_multisine_attention(s, series, B, P, attn, &err)) fail_msg("%s", err.msg);
    const int T = cl_tokenizer_length(c, P);
    assert_int_equal(T, P + 1);
    for (int b = 0; b < B; b++) {
        int32_t ids[P + 1], dec = c->decoder_start_token_id;
        uint8_t mask[P + 1];
        float scale;
        assert_int_equal(cl_tokenizer_encode(c, series + b * P, 1, P, ids, mask, &scale, &err), 0);
        cl_state_capture_all(s);
        assert_int_equal(cl_encode(s, ids, mask, 1, T, &err), 0);
        assert_int_equal(cl_decode(s, &dec, 1, 0, &err), 0);
        int shape[5];
        const float *full = cl_state_attn(s, CL_CROSS, shape); /* (layers, 1, heads, 1, T) */
        assert_int_equal(shape[4], T);
        for (int i = 0; i < LH; i++) {
            const float *a = attn + ((size_t)b * LH + i) * P, *f = full + (size_t)i * T;
            double sum = 0;
            /* a batch of 3 and a single series: other panels, other orders of the sums */
            assert_reordered_probs("cross attention, batch vs one series", a, f, P, t5_roundings(c, T),
                                   t5_score_scale(m, CL_CROSS));
            for (int j = 0; j < P; j++) sum += a[j];
            assert_near(sum + f[P], 1.0, 1e-5); /* the EOS column is the one left out */
        }
    }
    /* points beyond the context length: refused, not truncated */
    float *longs = calloc(600, sizeof(float));
    assert_int_not_equal(cl_multisine_attention(s, longs, 1, 600, attn, &err), 0);
    assert_non_null(strstr(err.msg, "context_length"));
    free(longs);
    free(attn);
    cl_state_free(s);
    cl_model_free(m);
}

/* A planted checkpoint: the encoder passes the embedding through (attention and feed-forward
 * outputs zero), the embedding carries a monotone function of the token's value in dimension 1,
 * and cross-attention head 0 of the decoder start scores keys by that dimension — so head 0
 * attends as softmax(beta g(x_j)), periodic wherever the series is. Head 1 has a zero query:
 * uniform attention, a flat spectrum. */
static void t5_planted_edit(const char *nm, float *b, size_t n, const cl_config *c) {
    if (!strcmp(nm, "shared.weight")) {
        memset(b, 0, sizeof(float) * n);
        for (int id = 0; id < c->vocab_size; id++) {
            b[id * 8] = 1;
            double v = id >= c->n_special_tokens ? cl_tokenizer_center(c, id) / 2 : 0;
            b[id * 8 + 1] = (float)(v > 1 ? 1 : v < -1 ? -1 : v);
        }
    } else if (!strcmp(nm, "encoder.block.0.layer.0.SelfAttention.o.weight") ||
               !strcmp(nm, "encoder.block.0.layer.1.DenseReluDense.wo.weight") ||
               !strcmp(nm, "decoder.block.0.layer.0.SelfAttention.o.weight")) {
        memset(b, 0, sizeof(float) * n);
    } else if (!strcmp(nm, "decoder.block.0.layer.1.EncDecAttention.q.weight")) { /* (heads*d_kv, d_model) */
        memset(b, 0, sizeof(float) * n);
        b[0] = 0.4f; /* head 0, dim 0 <- the constant dimension 0 of the start token */
    } else if (!strcmp(nm, "decoder.block.0.layer.1.EncDecAttention.k.weight")) {
        memset(b, 0, sizeof(float) * n);
        b[1] = 1.0f; /* head 0, dim 0 <- the value dimension 1 of each encoder position */
    }
}

static const char *planted_model(void) {
    static char dir[512];
    if (dir[0]) return dir;
    snprintf(dir, sizeof dir, "%s/planted", test_tmpdir());
    cl_config c;
    cl_error err;
    assert_int_equal(cl_config_preset("tiny", &c, &err), 0);
    c.d_model = 8; c.d_kv = 4; c.num_heads = 2; c.d_ff = 8; c.num_layers = c.num_decoder_layers = 1;
    if (cl_checkpoint_init_random(dir, &c, 1, 0, NULL, &err)) fail_msg("%s", err.msg);
    rewrite_weights(dir, &c, t5_planted_edit);
    return dir;
}

static void test_planted_period(void **st) {
    (void)st;
    cl_error err;
    cl_model *m;
    if (cl_model_load(planted_model(), NULL, &m, &err)) fail_msg("%s", err.msg);
    cl_state *s;
    assert_int_equal(cl_state_new(m, &s, &err), 0);
    cl_fft *f;
    assert_int_equal(cl_fft_new(301, &f, &err), 0);
    /* three inputs: the reference (period 0.2 s), a 4 Hz sine, and 6 + 9 Hz (period 1/3 s) */
    cl_multisine ms[3];
    cl_multisine_reference(&ms[0]);
    const double one[1] = {4}, two[2] = {6, 9};
    set_freqs(&ms[1], one, 1);
    set_freqs(&ms[2], two, 2);
    const double want[3] = {5, 4, 3};
    float series[3 * 301];
    for (int k = 0; k < 3; k++) cl_multisine_eval(&ms[k], NULL, series + k * 301);
    cl_spacing_opts o;
    cl_spacing_default(&o);
    cl_ms_head h[3 * 2];
    cl_ms_arrays arr;
    if (cl_ms_heads(s, f, series, 3, 301, 3.0, 2, &o, h, &arr, NULL, &err)) fail_msg("%s", err.msg);
    for (int k = 0; k < 3; k++) {
        const cl_ms_head *h0 = &h[k * 2], *h1 = &h[k * 2 + 1];
        if (!h0->sp.periodic || fabs(h0->sp.spacing_hz - want[k]) > 0.01 * want[k])
            fail_msg("input %d: planted head detected %g Hz (periodic %d, strength %g), want %g", k, h0->sp.spacing_hz,
                     h0->sp.periodic, h0->sp.strength, want[k]);
        if (getenv("CL_VERBOSE")) fprintf(stderr, "planted input %d: %.4f Hz, strength %.3f\n", k, h0->sp.spacing_hz, h0->sp.strength);
        assert_false(h1->sp.periodic);       /* uniform attention */
        assert_true(h1->amplitude < 1e-12);  /* no non-DC power */
        assert_true(h0->amplitude > 1e-4);
        /* head 1's attention is uniform over the 302 tokens */
        for (int j = 0; j < 301; j++) assert_near(arr.attn[((size_t)k * 2 + 1) * 301 + j], 1.0 / 302, 1e-6);
    }
    cl_ms_arrays_free(&arr);
    cl_fft_free(f);
    cl_state_free(s);
    cl_model_free(m);
}

/* tests/fixtures/planted-period is this construction, committed for the CLI tests and the figures of
 * docs/multisine.md: it must stay byte-identical to what planted_model() builds. */
static void test_planted_fixture(void **st) {
    (void)st;
    const char *dir = planted_model();
    assert_int_equal(run_cmd("cmp -s '%s/model.safetensors' " CL_FIXTURES "/planted-period/model.safetensors", dir), 0);
    assert_int_equal(run_cmd("cmp -s '%s/config.json' " CL_FIXTURES "/planted-period/config.json", dir), 0);
}

static cl_ms_head head(double amp, double spacing) {
    cl_ms_head h = {.amplitude = amp};
    h.sp.periodic = !isnan(spacing);
    h.sp.spacing_hz = spacing;
    return h;
}

static void test_sweep_summary(void **st) {
    (void)st;
    /* 3 configurations x 3 heads; gaps 5, 3, 2 (gcds 5, 1, 1) */
    const double gap[3] = {5, 3, 2}, gcd[3] = {5, 1, 1}, fund[3] = {5, 1, 2}, ind[3] = {0.1, 0.5, 0.3};
    const unsigned char nd[3] = {0, 1, 1};
    cl_ms_head h[9] = {
        head(1.0, 5.1), head(3.0, 5.0), head(2.0, NAN),  /* config 0: two matches, one not periodic */
        head(0.5, 1.0), head(2.5, 3.2), head(1.5, 6.0),  /* config 1: one match, one at the gcd */
        head(0.2, 2.0), head(0.9, 4.0), head(0.4, 1.1),  /* config 2: one match, gcd within 1/3 */
    };
    cl_mssweep_stats s;
    const double tol = 1.0 / 3;
    assert_int_equal(cl_mssweep_summarise(h, gap, gcd, fund, NULL, 3, 3, 0, ind, tol, 1000, 3, &s), 0);
    assert_int_equal(s.configs, 3);
    assert_int_equal(s.pairs, 9);
    assert_int_equal(s.periodic, 8);
    assert_int_equal(s.match, 4);     /* 5.1, 5.0, 3.2, 2.0 */
    assert_int_equal(s.match_gcd, 4); /* 5.1, 5.0 (gcd 5), 1.0, 1.1 */
    assert_int_equal(s.match_fund, 4); /* 5.1, 5.0, 1.0, 2.0 */
    /* errors sorted: -2, -0.9, 0, 0, 0.1, 0.2, 2, 3 -> numpy's linear quantiles */
    assert_near(s.err_q[2], 0.05, 1e-12);              /* position 3.5: (0 + 0.1) / 2 */
    assert_near(s.err_q[0], -2 + 0.35 * 1.1, 1e-12);   /* position 0.35 between -2 and -0.9 */
    assert_near(s.err_q[1], -0.9 + 0.75 * 0.9, 1e-12); /* position 1.75 between -0.9 and 0 */
    assert_near(s.err_q[4], 2 + 0.65 * 1, 1e-12);      /* position 6.65 between 2 and 3 */
    assert_near(s.mean_abs_err, (2 + 0.9 + 0 + 0 + 0.1 + 0.2 + 2 + 3) / 8.0, 1e-12);
    assert_false(isnan(s.rho));
    assert_true(s.p > 0 && s.p <= 1);
    /* top-1 by amplitude: heads 1, 1, 1 -> spacings 5.0, 3.2, 4.0 */
    assert_int_equal(cl_mssweep_summarise(h, gap, gcd, fund, NULL, 3, 3, 1, ind, tol, 1000, 3, &s), 0);
    assert_int_equal(s.pairs, 3);
    assert_int_equal(s.match, 2);
    assert_true(isnan(s.rho)); /* selected by amplitude: no correlation reported */
    /* the non-divisor subset: configurations 1 and 2 */
    assert_int_equal(cl_mssweep_summarise(h, gap, gcd, fund, nd, 3, 3, 0, ind, tol, 1000, 3, &s), 0);
    assert_int_equal(s.configs, 2);
    assert_int_equal(s.pairs, 6);
    assert_int_equal(s.match, 2);
}

/* ------------------------------------------------------------ Bolt */

#define RAND CL_FIXTURES "/bolt-rand"
#define T5 CL_FIXTURES "/rand-small"

static void test_bolt_input_and_aliases(void **st) {
    (void)st;
    cl_error err;
    cl_config c;
    assert_int_equal(cl_config_load(RAND "/config.json", &c, &err), 0);
    cl_multisine ref, b;
    cl_multisine_reference(&ref);
    cl_bolt_ms_input(&c, &ref, &b);
    assert_int_equal(b.points, 512); /* min(context_length 512, 2048) */
    assert_float_equal(b.duration, 512 * 3.0 / (301 * 16), 1e-12);
    assert_int_equal(cl_bolt_num_patches(&c, b.points), 32);
    assert_float_equal(32 / b.duration, 301 / 3.0, 1e-9); /* the patch rate is the token rate */
    assert_int_equal(b.n, 4);
    assert_true(b.freqs[3] == 40 && b.amps[1] == 0.5);
    double f[8], a[8];
    assert_int_equal(cl_bolt_ms_aliases(&b, 32, f, a), 0); /* 40 Hz < 50.17 Hz */
    b.freqs[3] = 60;
    assert_int_equal(cl_bolt_ms_aliases(&b, 32, f, a), 1);
    assert_float_equal(f[0], 60, 0);
    assert_float_equal(a[0], 301 / 3.0 - 60, 1e-9);
}

/* the signal = row 0 of the captured cross-attention, its first P keys */
static void test_bolt_attention_signal(void **st) {
    (void)st;
    cl_error err;
    cl_model *m;
    assert_int_equal(cl_model_load(RAND, NULL, &m, &err), 0);
    const cl_config *c = cl_model_config(m);
    const int B = 2, N = 512, P = 32, T = 33, LH = c->num_decoder_layers * c->num_heads;
    float *x = malloc(sizeof(float) * B * N), *att = malloc(sizeof(float) * B * LH * P);
    cl_multisine ref, ms;
    cl_multisine_reference(&ref);
    cl_bolt_ms_input(c, &ref, &ms);
    cl_multisine_eval(&ms, NULL, x);
    for (int i = 0; i < N; i++) x[N + i] = x[i] * 2 + 1;
    cl_state *s;
    assert_int_equal(cl_state_new(m, &s, &err), 0);
    assert_int_equal(cl_bolt_ms_attention(s, x, B, N, att, &err), 0);
    cl_state_capture_all(s);
    assert_int_equal(cl_bolt_forward(s, x, B, N, &err), 0);
    int sh[5];
    const float *a = cl_state_attn(s, CL_CROSS, sh);
    assert_int_equal(sh[4], T);
    for (int b = 0; b < B; b++)
        for (int l = 0; l < c->num_decoder_layers; l++)
            for (int h = 0; h < c->num_heads; h++) {
                const float *want = a + (((size_t)l * B + b) * c->num_heads + h) * T;
                const float *got = att + (((size_t)b * c->num_decoder_layers + l) * c->num_heads + h) * P;
                assert_memory_equal(got, want, sizeof(float) * P);
            }
    /* instance norm: an affine copy of the series gives the same attention (to rounding) */
    assert_close("affine copy", att, att + (size_t)LH * P, (size_t)LH * P, 1e-5);
    cl_state_free(s);
    cl_model_free(m);
    free(x); free(att);
}

static void test_bolt_study_files(void **st) {
    (void)st;
    cl_error err;
    cl_multisine_opts o;
    cl_multisine_default(&o);
    o.permutations = 200;
    const char *dirs[1] = {RAND};
    cl_multisine_result r;
    if (cl_multisine_run(dirs, 1, &o, &r, &err)) fail_msg("%s", err.msg);
    assert_true(r.bolt && r.stride == 16 && r.sig_points == 32 && r.opts.input.points == 512);
    const cl_multisine_model *x = &r.res[0];
    assert_int_equal(x->layers * x->heads, 12);
    for (int i = 0; i < 12; i++) {
        double s = 0;
        for (int j = 0; j < 32; j++) s += x->arr.attn[(size_t)i * 32 + j];
        assert_true(s > 0 && s < 1 + 1e-5); /* [REG] holds the rest of the attention */
        assert_true(x->ind[i] >= 0 && x->ind[i] <= 1);
    }
    char dir[512];
    snprintf(dir, sizeof dir, "%s/bolt-ms", test_tmpdir());
    assert_int_equal(run_cmd("mkdir -p '%s'", dir), 0);
    assert_int_equal(cl_multisine_write(&r, dir, &err), 0);
    cl_multisine_result b;
    if (cl_multisine_read(dir, &b, &err)) fail_msg("%s", err.msg);
    assert_true(b.bolt && b.sig_points == 32 && b.opts.input.points == 512);
    assert_memory_equal(b.res[0].arr.mag, x->arr.mag, sizeof(double) * 12 * 32);
    assert_memory_equal(b.series, r.series, sizeof(double) * 512);
    cl_multisine_free(&b);
    char p[700];
    snprintf(p, sizeof p, "%s/multisine.json", dir);
    cJSON *j = read_json(p);
    const cJSON *in = cJSON_GetObjectItem(j, "input");
    assert_string_equal(cJSON_GetObjectItem(in, "family")->valuestring, "bolt");
    assert_float_equal(cJSON_GetObjectItem(in, "patch_nyquist_hz")->valuedouble, 301 / 6.0, 1e-9);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(in, "aliased")), 0);
    cJSON_Delete(j);
    cl_multisine_free(&r);
    /* one family per run */
    const char *mixed[2] = {RAND, T5};
    assert_int_equal(cl_multisine_run(mixed, 2, &o, &r, &err), CL_EINVAL);
    assert_non_null(strstr(err.msg, "run the families separately"));
}

/* the multisine sweep on Bolt: the same configurations at the patch rate, signals of P
 * patches, the files read back */
static void test_bolt_sweep(void **st) {
    (void)st;
    cl_error err;
    cl_mssweep_opts o;
    cl_mssweep_default(&o);
    o.configs = 3;
    o.permutations = 100;
    cl_mssweep_result r;
    if (cl_mssweep_run(RAND, &o, &r, &err)) fail_msg("%s", err.msg);
    assert_true(r.bolt && r.sig_points == 32 && r.opts.base.points == 512);
    assert_float_equal(r.opts.base.duration, 512 * 3.0 / (301 * 16), 1e-12);
    assert_int_equal(r.G, 12);
    assert_int_equal(r.rows[CL_MSS_ALL].pairs, 36);
    char dir[512];
    snprintf(dir, sizeof dir, "%s/bolt-mss", test_tmpdir());
    assert_int_equal(run_cmd("mkdir -p '%s'", dir), 0);
    assert_int_equal(cl_mssweep_write(&r, dir, &err), 0);
    cl_mssweep_result b;
    if (cl_mssweep_read(dir, &b, &err)) fail_msg("%s", err.msg);
    assert_true(b.bolt && b.sig_points == 32);
    for (int i = 0; i < 36; i++) assert_int_equal(b.h[i].sp.periodic, r.h[i].sp.periodic);
    cl_mssweep_free(&b);
    cl_mssweep_free(&r);
}

/* ------------------------------------------------------------ planted-period Bolt head */

enum { PP_D = 8, PP_DK = 4, PP_H = 2, PP_HEAD = 1 };
#define PP_BETA 0.25f

/* A Chronos-Bolt checkpoint whose decoder cross-attention head PP_HEAD (layer 0) attends to
 * each patch as a smooth monotone function of the patch's mean value, so its attention over
 * the patches follows the series sampled at the patch rate: periodic wherever the series is.
 *  - the input block is its residual linear map only: dim 0 = 1, dim 1 = the mean of the
 *    patch's 16 (instance-normalised) values; [REG] and the decoder query = e_0;
 *  - encoder and decoder self-attention and feed-forward outputs are zero: the encoder
 *    output is (1, v_j, 0, ...) through the final RMS norm, i.e. dim 1 = v_j sqrt(8 / (1 + v_j^2));
 *  - cross head PP_HEAD: query = beta x dim 0 of the normalised query (sqrt 8), key = dim 1:
 *    score_j = 8 beta v_j / sqrt(1 + v_j^2) (0 on [REG]);
 *  - the other head has a zero query: uniform attention, a flat spectrum.
 * context_length 2048: 128 patches, a frequency bin of 1 / 1.276 s at the patch rate. */
static void bolt_planted_edit(const char *nm, float *b, size_t n, const cl_config *c) {
    const int ps = c->patch_size;
    if (strstr(nm, "layer_norm.weight")) for (size_t j = 0; j < n; j++) b[j] = 1;
    else if (!strcmp(nm, "shared.weight")) { /* (2, d): the decoder query and [REG] */
        memset(b, 0, sizeof(float) * n);
        b[0 * PP_D + 0] = b[1 * PP_D + 0] = 1;
    } else if (!strncmp(nm, "input_patch_embedding.", 22)) {
        memset(b, 0, sizeof(float) * n);
        if (!strcmp(nm, "input_patch_embedding.residual_layer.weight")) /* (d, 2 ps): values, then mask */
            for (int j = 0; j < ps; j++) b[1 * 2 * ps + j] = 1.0f / ps;
        if (!strcmp(nm, "input_patch_embedding.residual_layer.bias")) b[0] = 1;
    } else if (strstr(nm, "SelfAttention.o.weight") || strstr(nm, "DenseReluDense.wo.weight")) {
        memset(b, 0, sizeof(float) * n);
    } else if (!strcmp(nm, "decoder.block.0.layer.1.EncDecAttention.q.weight")) { /* (heads*d_kv, d) */
        memset(b, 0, sizeof(float) * n);
        b[(size_t)(PP_HEAD * PP_DK) * PP_D + 0] = PP_BETA;
    } else if (!strcmp(nm, "decoder.block.0.layer.1.EncDecAttention.k.weight")) {
        memset(b, 0, sizeof(float) * n);
        b[(size_t)(PP_HEAD * PP_DK) * PP_D + 1] = 1;
    }
}

static const char *bolt_planted_period(void) {
    static char dir[512];
    if (dir[0]) return dir;
    snprintf(dir, sizeof dir, "%s/bolt-planted-period", test_tmpdir());
    cl_config c;
    cl_error err;
    assert_int_equal(cl_config_preset("bolt-tiny", &c, &err), 0);
    c.d_model = PP_D; c.d_kv = PP_DK; c.num_heads = PP_H; c.d_ff = 8; c.num_layers = c.num_decoder_layers = 1;
    assert_int_equal(c.context_length, 2048);
    if (cl_checkpoint_init_random(dir, &c, 3, 0, NULL, &err)) fail_msg("%s", err.msg);
    rewrite_weights(dir, &c, bolt_planted_edit);
    return dir;
}

/* The Bolt multisine study on the planted head: with the reference input (gaps 5, 10, 20 Hz)
 * it is periodic at the smallest gap, and with inputs of a known period of P patches
 * (harmonics of f0 = patch rate / P) at f0; the uniform head is flat and not periodic. */
static void test_bolt_planted_period(void **st) {
    (void)st;
    const char *dirs[1] = {bolt_planted_period()};
    cl_error err;
    const double rate = 301 / 3.0; /* patches per second: the reference's token rate */
    struct { int P, nh; } cases[3] = {{0, 4}, {8, 3}, {5, 2}}; /* P 0: the reference input */
    for (int q = 0; q < 3; q++) {
        cl_multisine_opts o;
        cl_multisine_default(&o);
        o.permutations = 100;
        double want = 5;
        if (cases[q].P) {
            want = rate / cases[q].P;
            o.input.n = cases[q].nh; /* f0, 2 f0, ...: all below the patch Nyquist rate / 2 */
            for (int k = 0; k < cases[q].nh; k++) {
                o.input.freqs[k] = want * (k + 1);
                o.input.amps[k] = 1.0 / (k + 1);
                o.input.phases[k] = 0.3 * k;
            }
        }
        cl_multisine_result r;
        if (cl_multisine_run(dirs, 1, &o, &r, &err)) fail_msg("%s", err.msg);
        assert_true(r.bolt && r.sig_points == 128);
        const double dur = r.opts.input.duration;
        assert_float_equal(128 / dur, rate, 1e-9); /* the signal's sample rate is the patch rate */
        const cl_multisine_model *x = &r.res[0];
        assert_int_equal(x->layers * x->heads, PP_H);
        const cl_ms_head *h = &x->h[PP_HEAD], *u = &x->h[1 - PP_HEAD];
        if (getenv("CL_TEST_VERBOSE"))
            print_message("P %d: planted head periodic %d, spacing %.4f Hz (want %.4f, %.3f patches), strength %.3f; "
                          "uniform head periodic %d, amplitude %.3g\n", cases[q].P, h->sp.periodic, h->sp.spacing_hz, want,
                          rate / h->sp.spacing_hz, h->sp.strength, u->sp.periodic, u->amplitude);
        if (!h->sp.periodic || fabs(h->sp.spacing_hz - want) > 1.0 / dur)
            fail_msg("P %d: planted head at %g Hz (periodic %d, strength %g), want %g +- %g", cases[q].P, h->sp.spacing_hz,
                     h->sp.periodic, h->sp.strength, want, 1.0 / dur);
        assert_false(u->sp.periodic);
        assert_true(u->amplitude < 1e-9 && h->amplitude > 1e-4);
        for (int j = 0; j < 128; j++) assert_float_equal(x->arr.attn[(size_t)(1 - PP_HEAD) * 128 + j], 1.0 / 129, 1e-6);
        assert_int_equal(x->periodic, 1);
        assert_int_equal(x->matching, 1); /* at the smallest gap of the input, +- 1 / duration */
        cl_multisine_free(&r);
    }
}

int main(int argc, char **argv) {
    static const struct CMUnitTest common[] = {
        cmocka_unit_test(test_formula_and_spectrum),
        cmocka_unit_test(test_gaps),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_random_sets),
        cmocka_unit_test(test_sweep_summary),
    };
    static const struct CMUnitTest t5[] = {
        cmocka_unit_test(test_attention_capture),
        cmocka_unit_test(test_planted_period),
        cmocka_unit_test(test_planted_fixture),
    };
    static const struct CMUnitTest bolt[] = {
        cmocka_unit_test(test_bolt_input_and_aliases),
        cmocka_unit_test(test_bolt_attention_signal),
        cmocka_unit_test(test_bolt_study_files),
        cmocka_unit_test(test_bolt_sweep),
        cmocka_unit_test(test_bolt_planted_period),
    };
    static const cl_test_group groups[] = {
        CL_TEST_GROUP("common", common, NULL, NULL, NULL, NULL),
        CL_TEST_GROUP("t5", t5, NULL, NULL, &cl_test_t5, NULL),
        CL_TEST_GROUP("bolt", bolt, NULL, NULL, &cl_test_bolt, NULL),
    };
    return cl_test_main(argc, argv, groups, sizeof groups / sizeof *groups);
}
