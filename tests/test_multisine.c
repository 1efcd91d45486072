/* test_multisine.c — multisine inputs (formula, spectrum, gaps, random sets), the batched
 * row-0 cross-attention against a full forward pass, a planted model whose head attends with
 * a known period, and the sweep's summary numbers. */
#include "testutil.h"
#include "tolerance.h"
#include "study/multisine/msheads.h"
#include "study/multisine/mssweep.h"
#include "study/multisine/multisine.h"
#include "study/common/spectrum.h"
#include "model/init.h"

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

/* Row-0 cross-attention of a batch equals the full maps of separate single-series passes
 * (within the bound of reordered sums, tolerance.h), with EOS excluded. */
static void test_attention_capture(void **st) {
    (void)st;
    cl_error err;
    cl_model *m;
    if (cl_model_load(CL_FIXTURES "/rand-small", &m, &err)) fail_msg("%s", err.msg);
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
static const char *planted_model(void) {
    static char dir[512];
    if (dir[0]) return dir;
    snprintf(dir, sizeof dir, "%s/planted", test_tmpdir());
    cl_config c;
    cl_error err;
    assert_int_equal(cl_config_preset("tiny", &c, &err), 0);
    c.d_model = 8; c.d_kv = 4; c.num_heads = 2; c.d_ff = 8; c.num_layers = c.num_decoder_layers = 1;
    if (cl_checkpoint_init_random(dir, &c, 1, 0, NULL, &err)) fail_msg("%s", err.msg);
    char path[1024];
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    st_file f;
    if (st_open(path, &f, &err)) fail_msg("%s", err.msg);
    st_writer *w = st_writer_new();
    float **bufs = calloc((size_t)f.n, sizeof(float *));
    for (int i = 0; i < f.n; i++) {
        const st_tensor *t = &f.t[i];
        size_t n = st_numel(t);
        float *b = bufs[i] = malloc(sizeof(float) * n);
        memcpy(b, t->data, sizeof(float) * n);
        const char *nm = t->name;
        if (!strcmp(nm, "shared.weight")) {
            memset(b, 0, sizeof(float) * n);
            for (int id = 0; id < c.vocab_size; id++) {
                b[id * 8] = 1;
                double v = id >= c.n_special_tokens ? cl_tokenizer_center(&c, id) / 2 : 0;
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
        st_writer_add(w, nm, ST_F32, t->ndim, t->shape, b);
    }
    if (st_writer_save(w, path, "pt", &err)) fail_msg("%s", err.msg);
    st_writer_free(w);
    for (int i = 0; i < f.n; i++) free(bufs[i]);
    free(bufs);
    st_close(&f);
    return dir;
}

static void test_planted_period(void **st) {
    (void)st;
    cl_error err;
    cl_model *m;
    if (cl_model_load(planted_model(), &m, &err)) fail_msg("%s", err.msg);
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

/* tests/fixtures/planted-period is this construction, committed for the CLI tests and the README
 * figures: it must stay byte-identical to what planted_model() builds. */
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

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_formula_and_spectrum),
        cmocka_unit_test(test_gaps),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_random_sets),
        cmocka_unit_test(test_attention_capture),
        cmocka_unit_test(test_planted_period),
        cmocka_unit_test(test_planted_fixture),
        cmocka_unit_test(test_sweep_summary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
