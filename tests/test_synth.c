/* test_synth.c — the synthetic data: seeded determinism, GP draws with the kernel's
 * covariance, finite values in every family, labels tokenized as the context is. */
#include "testutil.h"
#include "data/batch.h"
#include "model/init.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void small_config(cl_config *c) {
    cl_config_preset("tiny", c, NULL);
    c->context_length = 48;
    c->prediction_length = 12;
}

static void test_determinism(void **st) {
    (void)st;
    cl_config c;
    small_config(&c);
    cl_data *a, *b, *o;
    cl_error err;
    assert_int_equal(cl_data_new(&c, 6, 11, &a, &err), 0);
    assert_int_equal(cl_data_new(&c, 6, 11, &b, &err), 0);
    assert_int_equal(cl_data_new(&c, 6, 12, &o, &err), 0);
    cl_data_make(a, 3, -1);
    cl_data_make(b, 7, -1);
    cl_data_make(b, 3, -1); /* batch k does not depend on what was drawn before */
    cl_data_make(o, 3, -1);
    const size_t n = 6 * (48 + 12);
    assert_memory_equal(a->series, b->series, n * sizeof(float));
    assert_memory_equal(a->enc_ids, b->enc_ids, 6 * 49 * sizeof(int32_t));
    assert_memory_equal(a->labels, b->labels, 6 * 13 * sizeof(int32_t));
    assert_true(memcmp(a->series, o->series, n * sizeof(float)) != 0);
    cl_data_make(b, 4, -1);
    assert_true(memcmp(a->series, b->series, n * sizeof(float)) != 0);
    cl_data_free(a); cl_data_free(b); cl_data_free(o);
}

/* sample covariance of many draws of RBF(0.3) * periodic + white(0.1) on 6 points */
static void test_gp_covariance(void **st) {
    (void)st;
    enum { N = 6, DRAWS = 20000 };
    syn_kernel k = {.n_terms = 3, .kind = {K_RBF, K_PERIODIC, K_WHITE}, .a = {0.3, 0.5, 0.1}, .b = {0, 1, 0},
                    .op = {0, '*', '+'}};
    syn_gen *g = syn_new(N);
    cl_rng r;
    cl_rng_seed(&r, 5);
    double sum[N] = {0}, cov[N][N] = {{0}};
    float x[N];
    for (int d = 0; d < DRAWS; d++) {
        assert_int_equal(syn_gp_draw(g, &r, &k, x), 0);
        for (int i = 0; i < N; i++) {
            sum[i] += x[i];
            for (int j = 0; j < N; j++) cov[i][j] += (double)x[i] * x[j];
        }
    }
    for (int i = 0; i < N; i++) {
        assert_true(fabs(sum[i] / DRAWS) < 0.05);
        for (int j = 0; j < N; j++) {
            double want = syn_kernel_eval(&k, i / (N - 1.0), j / (N - 1.0));
            double got = cov[i][j] / DRAWS;
            if (fabs(got - want) > 0.05) fail_msg("cov[%d][%d] = %.4f, kernel %.4f", i, j, got, want);
        }
    }
    /* the kernel is not trivial: correlations of both signs and sizes */
    assert_true(syn_kernel_eval(&k, 0, 0.2) > 0.1 && syn_kernel_eval(&k, 0, 0.2) < 0.9);
    syn_free(g);
}

static void test_families_finite_and_tokens(void **st) {
    (void)st;
    cl_config c;
    small_config(&c);
    cl_data *d;
    cl_error err;
    assert_int_equal(cl_data_new(&c, 16, 3, &d, &err), 0);
    for (int f = 0; f < SYN_NFAMILIES; f++)
        for (int k = 0; k < 8; k++) {
            cl_data_make(d, (uint64_t)k, f);
            for (int b = 0; b < d->B; b++) {
                assert_int_equal(d->family[b], f);
                const float *x = d->series + (size_t)b * 60;
                double var = 0, mean = 0;
                for (int t = 0; t < 60; t++) { assert_true(isfinite(x[t])); mean += x[t] / 60.0; }
                for (int t = 0; t < 60; t++) var += (x[t] - mean) * (x[t] - mean);
                if (f != SYN_GP) assert_true(var > 0); /* GP draws may be flat (constant kernels) */
                const int32_t *lab = d->labels + (size_t)b * 13, *dec = d->dec_ids + (size_t)b * 13;
                assert_int_equal(lab[12], 1);      /* EOS */
                assert_int_equal(dec[0], 0);       /* start token */
                for (int t = 0; t < 12; t++) {
                    assert_true(lab[t] >= 2 && lab[t] < 4096);
                    assert_int_equal(dec[t + 1], lab[t]);
                }
                assert_int_equal(d->enc_ids[(size_t)b * 49 + 48], 1);
            }
        }
    /* the label tokenizer is the context tokenizer with the context's scale */
    cl_data_make(d, 0, -1);
    int32_t ids[49], again[48];
    uint8_t mask[49];
    float scale;
    for (int b = 0; b < d->B; b++) {
        const float *x = d->series + (size_t)b * 60;
        assert_int_equal(cl_tokenizer_encode(&c, x, 1, 48, ids, mask, &scale, &err), 0);
        cl_data_tokenize_with_scale(d, x, 48, scale, again);
        assert_memory_equal(ids, again, sizeof again);
    }
    /* the mixture draws every family */
    int seen[SYN_NFAMILIES] = {0};
    for (int k = 0; k < 8; k++) {
        cl_data_make(d, (uint64_t)k, -1);
        for (int b = 0; b < d->B; b++) seen[d->family[b]]++;
    }
    for (int f = 0; f < SYN_NFAMILIES; f++) assert_true(seen[f] > 0);
    cl_data_free(d);
}

/* --short-frac: left-padded contexts (PAD, mask 0) with the EOS kept; --mix weights */
static void test_short_contexts_and_mix(void **st) {
    (void)st;
    cl_config c;
    small_config(&c);
    cl_data *d;
    cl_error err;
    assert_int_equal(cl_data_new(&c, 16, 3, &d, &err), 0);
    const double only_repeat[SYN_NFAMILIES] = {0, 0, 0, 2};
    assert_int_equal(cl_data_set_mix(d, only_repeat, 1.0, &err), 0);
    cl_data_make(d, 0, -1);
    int padded = 0;
    for (int b = 0; b < d->B; b++) {
        assert_int_equal(d->family[b], SYN_REPEAT);
        const uint8_t *mk = d->enc_mask + (size_t)b * 49;
        const int32_t *id = d->enc_ids + (size_t)b * 49;
        int first = 0;
        while (first < 48 && !mk[first]) { assert_int_equal(id[first], 0); first++; }
        for (int t = first; t < 49; t++) assert_int_equal(mk[t], 1); /* padding only on the left */
        assert_true(48 - first >= 8);
        padded += first > 0;
    }
    assert_true(padded > 8);
    const double neg[SYN_NFAMILIES] = {1, -1, 0, 0}, zero[SYN_NFAMILIES] = {0};
    assert_int_not_equal(cl_data_set_mix(d, neg, 0, &err), 0);
    assert_int_not_equal(cl_data_set_mix(d, zero, 0, &err), 0);
    assert_int_not_equal(cl_data_set_mix(d, only_repeat, 1.5, &err), 0);
    cl_data_free(d);
}

/* distinct values among x (n) */
static int n_distinct(const float *x, int n) {
    int k = 0;
    for (int i = 0; i < n; i++) {
        int seen = 0;
        for (int j = 0; j < i && !seen; j++) seen = x[j] == x[i];
        k += !seen;
    }
    return k;
}

/* over batches 0-3 of d: series of <= 4 distinct values, of 5-24 (one noise-free segment),
 * of more (noisy); every value finite */
static void count_segments(cl_data *d, int *few, int *many, int *noisy) {
    const int n = d->C + d->H;
    *few = *many = *noisy = 0;
    for (int k = 0; k < 4; k++) {
        cl_data_make(d, (uint64_t)k, -1);
        for (int b = 0; b < d->B; b++) {
            const float *x = d->series + (size_t)b * n;
            const int v = n_distinct(x, n);
            *few += v <= 4; *many += v > 4 && v <= 24; *noisy += v > 24;
            for (int t = 0; t < n; t++) assert_true(isfinite(x[t]));
        }
    }
}

/* Repeated segments over a small alphabet: with fraction 1 every noise-free repeat series
 * (<= 24 distinct values: one segment) has at most 4; with 0 (the default) segments of
 * 5-24 distinct values occur, and the stream is the one drawn before the option existed
 * (no extra random numbers: batch 0 of a seed equals itself with the option set to 0). */
static void test_motif_segments(void **st) {
    (void)st;
    cl_config c;
    small_config(&c);
    cl_data *d, *ref;
    cl_error err;
    const double only_repeat[SYN_NFAMILIES] = {0, 0, 0, 1};
    assert_int_equal(cl_data_new(&c, 64, 5, &d, &err), 0);
    assert_int_equal(cl_data_new(&c, 64, 5, &ref, &err), 0);
    assert_int_equal(cl_data_set_mix(d, only_repeat, 0, &err), 0);
    assert_int_equal(cl_data_set_mix(ref, only_repeat, 0, &err), 0);
    const int n = 48 + 12;
    int few, many, noisy;
    count_segments(d, &few, &many, &noisy);
    assert_true(many > 20 && noisy > 20);
    assert_int_not_equal(cl_data_set_motif_frac(d, 1.5, &err), 0);
    assert_int_equal(cl_data_set_motif_frac(d, 0, &err), 0);
    cl_data_make(d, 0, -1);
    cl_data_make(ref, 0, -1);
    assert_memory_equal(d->series, ref->series, sizeof(float) * (size_t)d->B * n);
    assert_int_equal(cl_data_set_motif_frac(d, 1, &err), 0);
    count_segments(d, &few, &many, &noisy);
    assert_int_equal(many, 0);
    assert_true(few > 80 && noisy > 80);
    cl_data_free(d);
    cl_data_free(ref);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_gp_covariance),
        cmocka_unit_test(test_families_finite_and_tokens),
        cmocka_unit_test(test_short_contexts_and_mix),
        cmocka_unit_test(test_motif_segments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
