/* test_forecast.c — forecasting: greedy decoding against the reference's greedy continuation
 * (cached and uncached), cached vs uncached logits, the sampling warpers, determinism,
 * quantiles, the horizon-extension loop, and the parrot on a periodic series. */
#include "testutil.h"
#include "tolerance.h"
#include "study/forecast/forecast.h"
#include "study/forecast/parrot.h"
#include "core/core.h"
#include "model/kvcache.h"
#include "model/sampling.h"
#include "io/csv.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SMALL CL_FIXTURES "/rand-small"
#define GATED CL_FIXTURES "/rand-gated-bf16"

typedef struct fixture {
    cl_model *m;
    st_file g;
    float *ctx;
    int B, L, T;
    int32_t *ids;
    uint8_t *mask;
    float *scale;
} fixture;

static void fixture_open(fixture *f, const char *dir) {
    char path[4096];
    cl_error err;
    if (cl_model_load(dir, NULL, &f->m, &err)) fail_msg("%s", err.msg);
    snprintf(path, sizeof path, "%s/golden.safetensors", dir);
    if (st_open(path, &f->g, &err)) fail_msg("%s", err.msg);
    snprintf(path, sizeof path, "%s/context.csv", dir);
    if (csv_read_context(path, &f->ctx, &f->B, &f->L, NULL, &err)) fail_msg("%s", err.msg);
    const cl_config *c = cl_model_config(f->m);
    f->T = cl_tokenizer_length(c, f->L);
    f->ids = malloc(sizeof(int32_t) * f->B * f->T);
    f->mask = malloc((size_t)f->B * f->T);
    f->scale = malloc(sizeof(float) * f->B);
    assert_int_equal(cl_tokenizer_encode(c, f->ctx, f->B, f->L, f->ids, f->mask, f->scale, &err), 0);
}

static void fixture_close(fixture *f) {
    free(f->ids); free(f->mask); free(f->scale);
    cl_free(f->ctx);
    st_close(&f->g);
    cl_model_free(f->m);
}

/* ------------------------------------------------------------ greedy vs the reference */

static void check_greedy(const char *dir, int use_cache) {
    fixture f;
    fixture_open(&f, dir);
    size_t n;
    int64_t *gt = golden_i64(&f.g, "greedy_tokens", &n);
    float *gv = golden_f32(&f.g, "greedy_values", &n);
    const int steps = (int)(n / f.B);
    assert_int_equal(steps, 8);
    cl_forecast_opts o;
    cl_forecast_default(cl_model_config(f.m), &o);
    o.samples = 1;
    o.sampling.top_k = 1;
    o.use_cache = use_cache;
    o.batch = 2; /* 3 series: two batches */
    cl_generator *g;
    cl_error err;
    if (cl_generator_new(f.m, &o, f.B, f.L, steps, &g, &err)) fail_msg("%s", err.msg);
    int32_t *tok = malloc(sizeof(int32_t) * n);
    if (cl_generator_run(g, f.ids, f.mask, f.B, f.T, steps, tok, &err)) fail_msg("%s", err.msg);
    for (size_t i = 0; i < n; i++)
        if (tok[i] != gt[i]) fail_msg("%s (cache %d): token %zu is %d, reference %lld", dir, use_cache, i, tok[i], (long long)gt[i]);
    cl_generator_free(g);
    float *vals = malloc(sizeof(float) * n);
    if (cl_forecast(f.m, &o, f.ctx, f.B, f.L, steps, vals, &err)) fail_msg("%s", err.msg);
    for (size_t i = 0; i < n; i++)
        if (vals[i] != gv[i]) fail_msg("%s: value %zu is %.9g, reference %.9g", dir, i, vals[i], gv[i]);
    free(vals); free(tok); free(gt); free(gv);
    fixture_close(&f);
}

static void test_greedy_small(void **st) { (void)st; check_greedy(SMALL, 1); check_greedy(SMALL, 0); }
static void test_greedy_gated(void **st) { (void)st; check_greedy(GATED, 1); check_greedy(GATED, 0); }
static void test_greedy_dummy(void **st) {
    (void)st;
    check_greedy(cl_test_peer(&cl_test_t5), 1);
    check_greedy(cl_test_peer(&cl_test_t5), 0);
}

/* ------------------------------------------------------------ cached vs uncached logits */

/* Two sample rows per series fed different token sequences; at every step the cached
 * logits equal cl_decode's last-position logits on the whole prefix, within the bound of
 * two orders of the same sums (tolerance.h: ~1e-3 here; measured ~1e-5 on OpenBLAS's
 * Haswell kernel, ~1e-6 elsewhere; a wrong bias row, position or cache slot shows up as
 * 1e-2 and more). The uncached side decodes each sample path as its own batch. */
static void check_cache(const char *dir) {
    fixture f;
    fixture_open(&f, dir);
    const cl_config *c = cl_model_config(f.m);
    const int S = 2, steps = 12, rows = f.B * S, V = c->vocab_size;
    cl_error err;
    cl_state *s;
    cl_kvcache *kv;
    assert_int_equal(cl_state_new(f.m, &s, &err), 0);
    if (cl_encode(s, f.ids, f.mask, f.B, f.T, &err)) fail_msg("%s", err.msg);
    if (cl_kvcache_new(f.m, f.B, f.T, S, steps, &kv, &err)) fail_msg("%s", err.msg);
    if (cl_kvcache_begin(kv, cl_state_encoder_hidden(s, NULL, NULL), f.mask, f.B, f.T, &err)) fail_msg("%s", err.msg);
    /* the uncached side: one state per sample path, encoder run on that path's series */
    cl_state **u = calloc((size_t)rows, sizeof *u);
    for (int r = 0; r < rows; r++) {
        assert_int_equal(cl_state_new(f.m, &u[r], &err), 0);
        if (cl_encode(u[r], f.ids + (size_t)(r / S) * f.T, f.mask + (size_t)(r / S) * f.T, 1, f.T, &err))
            fail_msg("%s", err.msg);
    }
    int32_t *seq = malloc(sizeof(int32_t) * rows * steps), *cur = malloc(sizeof(int32_t) * rows);
    float *want = malloc(sizeof(float) * rows * V);
    cl_rng rng;
    cl_rng_seed(&rng, 7);
    for (int r = 0; r < rows; r++) {
        seq[(size_t)r * steps] = 0;
        for (int t = 1; t < steps; t++) seq[(size_t)r * steps + t] = cl_rng_int(&rng, 0, V - 1);
    }
    for (int t = 0; t < steps; t++) {
        for (int r = 0; r < rows; r++) cur[r] = seq[(size_t)r * steps + t];
        if (cl_kvcache_step(kv, cur, &err)) fail_msg("%s", err.msg);
        for (int r = 0; r < rows; r++) {
            if (cl_decode(u[r], seq + (size_t)r * steps, t + 1, 1, &err)) fail_msg("%s", err.msg);
            memcpy(want + (size_t)r * V, cl_state_logits(u[r], NULL, NULL, NULL), sizeof(float) * V);
        }
        char label[128];
        snprintf(label, sizeof label, "%s: logits at step %d", dir, t);
        /* the cache's few-row products and the uncached passes sum in other orders */
        assert_reordered(label, cl_kvcache_logits(kv, NULL, NULL), want, (size_t)rows * V, t5_roundings(c, f.T),
                         t5_logit_scale(f.m));
    }
    assert_int_equal(cl_kvcache_pos(kv), steps);
    assert_int_not_equal(cl_kvcache_step(kv, cur, &err), 0); /* beyond its size */
    for (int r = 0; r < rows; r++) cl_state_free(u[r]);
    free(u); free(seq); free(cur); free(want);
    cl_kvcache_free(kv);
    cl_state_free(s);
    fixture_close(&f);
}

static void test_cache_small(void **st) { (void)st; check_cache(SMALL); }
static void test_cache_gated(void **st) { (void)st; check_cache(GATED); }
static void test_cache_dummy(void **st) { (void)st; check_cache(cl_test_peer(&cl_test_t5)); }

/* ------------------------------------------------------------ sampling */

static int kept(const float *l, int i) { return l[i] > -FLT_MAX; }

static void test_top_k(void **st) {
    (void)st;
    cl_sampler sm;
    cl_error err;
    assert_int_equal(cl_sampler_init(&sm, 8, &err), 0);
    /* EOS (1) has the largest logit but is never kept; 5 and 6 tie for third place */
    float l[8] = {0.5f, 9.0f, 3.0f, -1.0f, 2.5f, 1.0f, 1.0f, 4.0f};
    cl_sampling p = {.temperature = 1, .top_k = 3, .top_p = 1, .eos_id = 1};
    float w[8];
    memcpy(w, l, sizeof w);
    cl_sampling_filter(&sm, &p, w);
    int want[8] = {0, 0, 1, 0, 1, 0, 0, 1};
    for (int i = 0; i < 8; i++) assert_int_equal(kept(w, i), want[i]);
    assert_true(w[2] == 3.0f && w[7] == 4.0f);
    /* ties at the k-th value are all kept (torch: logits < kth are removed) */
    p.top_k = 5;
    memcpy(w, l, sizeof w);
    cl_sampling_filter(&sm, &p, w);
    int want5[8] = {0, 0, 1, 0, 1, 1, 1, 1};
    for (int i = 0; i < 8; i++) assert_int_equal(kept(w, i), want5[i]);
    /* k beyond V: everything but EOS; temperature divides */
    p.top_k = 100;
    p.temperature = 2;
    memcpy(w, l, sizeof w);
    cl_sampling_filter(&sm, &p, w);
    for (int i = 0; i < 8; i++) assert_int_equal(kept(w, i), i != 1);
    assert_true(w[7] == 2.0f && w[3] == -0.5f);
    cl_sampler_free(&sm);
}

static void test_top_p(void **st) {
    (void)st;
    cl_sampler sm;
    cl_error err;
    assert_int_equal(cl_sampler_init(&sm, 5, &err), 0);
    /* probabilities 0.5, 0.25, 0.125, 0.0625, 0.0625 (ids 2, 0, 3, 4, 1 by size); no EOS */
    float l[5] = {logf(0.25f), logf(0.0625f), logf(0.5f), logf(0.125f), logf(0.0625f)};
    cl_sampling p = {.temperature = 1, .top_k = 0, .top_p = 0.7f, .eos_id = -1};
    float w[5];
    /* ascending cumsum .0625 .125 .25 .5 1: removed while <= 0.3 -> ids 1, 4, 3 go */
    memcpy(w, l, sizeof w);
    cl_sampling_filter(&sm, &p, w);
    int want[5] = {1, 0, 1, 0, 0};
    for (int i = 0; i < 5; i++) assert_int_equal(kept(w, i), want[i]);
    /* top_p 0.8: cum <= 0.2 -> the two 0.0625 go, 0.125 stays (cum 0.25) */
    p.top_p = 0.8f;
    memcpy(w, l, sizeof w);
    cl_sampling_filter(&sm, &p, w);
    int want8[5] = {1, 0, 1, 1, 0};
    for (int i = 0; i < 5; i++) assert_int_equal(kept(w, i), want8[i]);
    /* tiny top_p: the most probable token is always kept */
    p.top_p = 0.01f;
    memcpy(w, l, sizeof w);
    cl_sampling_filter(&sm, &p, w);
    for (int i = 0; i < 5; i++) assert_int_equal(kept(w, i), i == 2);
    /* top-k first, then top-p on what is left: k=2 keeps {2, 0} = 2/3, 1/3 renormalised;
     * top_p 0.6 removes id 0 (cum 1/3 <= 0.4) */
    p.top_k = 2;
    p.top_p = 0.6f;
    memcpy(w, l, sizeof w);
    cl_sampling_filter(&sm, &p, w);
    for (int i = 0; i < 5; i++) assert_int_equal(kept(w, i), i == 2);
    cl_sampler_free(&sm);
}

/* Chi-square goodness of fit of 60000 draws against softmax(logits / T) after top-k. */
static void test_multinomial_chi_square(void **st) {
    (void)st;
    enum { V = 7, N = 60000 };
    cl_sampler sm;
    cl_error err;
    assert_int_equal(cl_sampler_init(&sm, V, &err), 0);
    float l[V] = {0.3f, 5.0f, 1.2f, -0.4f, 0.9f, -3.0f, 0.0f};
    cl_sampling p = {.temperature = 1.5f, .top_k = 5, .top_p = 1, .eos_id = 1};
    /* kept: top 5 of ids {0,2,3,4,5,6} without EOS -> 2, 4, 0, 6, 3 */
    double prob[V] = {0}, sum = 0;
    int keep[V] = {1, 0, 1, 1, 1, 0, 1};
    for (int i = 0; i < V; i++) if (keep[i]) { prob[i] = exp(l[i] / 1.5); sum += prob[i]; }
    for (int i = 0; i < V; i++) prob[i] /= sum;
    long count[V] = {0};
    cl_rng rng;
    cl_rng_seed(&rng, 2024);
    for (int k = 0; k < N; k++) count[cl_sample_token(&sm, &p, l, &rng)]++;
    double chi = 0;
    int df = -1;
    for (int i = 0; i < V; i++) {
        if (!keep[i]) { assert_int_equal(count[i], 0); continue; }
        double e = N * prob[i];
        chi += (count[i] - e) * (count[i] - e) / e;
        df++;
    }
    assert_int_equal(df, 4);
    if (chi > 18.47) fail_msg("chi-square %.2f > 18.47 (df 4, p = 0.001)", chi); /* fixed seed: deterministic */
    /* a wrong distribution (plain softmax, no temperature) must be rejected by the same test */
    double chi_wrong = 0, sw = 0, pw[V] = {0};
    for (int i = 0; i < V; i++) if (keep[i]) { pw[i] = exp(l[i]); sw += pw[i]; }
    for (int i = 0; i < V; i++) if (keep[i]) { double e = N * pw[i] / sw; chi_wrong += (count[i] - e) * (count[i] - e) / e; }
    assert_true(chi_wrong > 100);
    cl_sampler_free(&sm);
}

/* ------------------------------------------------------------ determinism */

static void test_seed_and_threads(void **st) {
    (void)st;
    fixture f;
    fixture_open(&f, SMALL);
    cl_forecast_opts o;
    cl_forecast_default(cl_model_config(f.m), &o);
    o.samples = 5;
    o.seed = 11;
    const int H = 10;
    size_t n = (size_t)f.B * o.samples * H;
    float *a = malloc(sizeof(float) * n), *b = malloc(sizeof(float) * n), *c = malloc(sizeof(float) * n);
    cl_error err;
    cl_set_threads(2);
    assert_int_equal(cl_forecast(f.m, &o, f.ctx, f.B, f.L, H, a, &err), 0);
    cl_set_threads(1);
    o.batch = 1; /* and another batching: the samples of a series do not depend on it */
    assert_int_equal(cl_forecast(f.m, &o, f.ctx, f.B, f.L, H, b, &err), 0);
    cl_set_threads(2);
    assert_memory_equal(a, b, sizeof(float) * n);
    int distinct = 0; /* sampling (top-k 50) gives different paths */
    for (int s = 1; s < o.samples; s++)
        distinct += memcmp(a + (size_t)s * H, a, sizeof(float) * H) != 0;
    assert_true(distinct > 0);
    o.seed = 12;
    assert_int_equal(cl_forecast(f.m, &o, f.ctx, f.B, f.L, H, c, &err), 0);
    assert_true(memcmp(a, c, sizeof(float) * n) != 0);
    free(a); free(b); free(c);
    fixture_close(&f);
}

/* ------------------------------------------------------------ summaries */

static void test_quantiles(void **st) {
    (void)st;
    /* one series, 5 samples, 2 steps; step 0 samples {4, 1, 3, 2, 10}, step 1 {0, 0, 1, 1, 1} */
    float v[10] = {4, 0, 1, 0, 3, 1, 2, 1, 10, 1};
    double lv[4] = {0.1, 0.5, 0.9, 0.25};
    float mean[2], q[8];
    cl_error err;
    assert_int_equal(cl_forecast_summary(v, 1, 5, 2, lv, 4, mean, q, &err), 0);
    /* sorted {1,2,3,4,10}: positions 0.4, 2, 3.6, 1 */
    assert_float_equal(mean[0], 4.0, 1e-6);
    assert_float_equal(q[0], 1.4, 1e-6);
    assert_float_equal(q[1], 3.0, 1e-6);
    assert_float_equal(q[2], 7.6, 1e-6);
    assert_float_equal(q[3], 2.0, 1e-6);
    /* sorted {0,0,1,1,1} */
    assert_float_equal(mean[1], 0.6, 1e-6);
    assert_float_equal(q[4], 0.0, 1e-6);
    assert_float_equal(q[5], 1.0, 1e-6);
    assert_float_equal(q[6], 1.0, 1e-6);
    assert_float_equal(q[7], 0.0, 1e-6);
    float one = 5;
    assert_float_equal(cl_quantile_sorted(&one, 1, 0.3), 5.0, 0);
}

/* A hand-built generator: records what it was given, returns fixed tokens. */
typedef struct fake_gen {
    int calls, T[4], steps[4];
    int32_t ids[4][16];
    const int32_t *answers[4];
} fake_gen;

static int fake_run(void *user, const int32_t *ids, const uint8_t *mask, int B, int T, int steps, int32_t *tokens,
                    cl_error *err) {
    (void)err;
    fake_gen *g = user;
    assert_int_equal(B, 1);
    assert_true(T <= 16 && g->calls < 4);
    for (int i = 0; i < T; i++) { g->ids[g->calls][i] = ids[i]; assert_int_equal(mask[i], 1); }
    g->T[g->calls] = T;
    g->steps[g->calls] = steps;
    memcpy(tokens, g->answers[g->calls], sizeof(int32_t) * 3 * steps);
    g->calls++;
    return 0;
}

/* prediction_length 2, horizon 3, 3 samples: round 1 gives 2 steps, the lower median of
 * each step is appended to the context, the scale recomputed, and round 2 gives 1 step. */
static void test_two_round_loop(void **st) {
    (void)st;
    cl_config c;
    cl_error err;
    if (cl_config_load(SMALL "/config.json", &c, &err)) fail_msg("%s", err.msg);
    c.prediction_length = 2;
    const float ctx[4] = {1, 2, 3, 4}; /* scale 2.5 */
    /* round 1 tokens (sample, step): values = center * 2.5 */
    const int32_t r1[6] = {2185, 2049, /* s0: ~+1, 0 */ 1913, 2117, /* s1: ~-1, ~+0.5 */ 2049, 2253 /* s2: 0, ~+1.5 */};
    const int32_t r2[3] = {2049, 2185, 2321};
    fake_gen g = {.answers = {r1, r2}};
    float vals[9];
    assert_int_equal(cl_forecast_loop(&c, ctx, 1, 4, 3, 3, fake_run, &g, vals, &err), 0);
    assert_int_equal(g.calls, 2);
    assert_int_equal(g.steps[0], 2);
    assert_int_equal(g.steps[1], 1);
    /* round 1 sees the context as given */
    int32_t ids[16];
    uint8_t mask[16];
    float scale, scale2;
    assert_int_equal(cl_tokenizer_encode(&c, ctx, 1, 4, ids, mask, &scale, &err), 0);
    assert_float_equal(scale, 2.5, 0);
    assert_int_equal(g.T[0], 5);
    assert_memory_equal(g.ids[0], ids, sizeof(int32_t) * 5);
    /* medians: step 0 of {+1, -1, 0} * 2.5 is sample 2 (0), step 1 of {0, +0.5, +1.5} * 2.5 is sample 1 */
    float m0 = cl_tokenizer_center(&c, 2049) * 2.5f, m1 = cl_tokenizer_center(&c, 2117) * 2.5f;
    const float ctx2[6] = {1, 2, 3, 4, m0, m1};
    assert_int_equal(cl_tokenizer_encode(&c, ctx2, 1, 6, ids, mask, &scale2, &err), 0);
    assert_true(fabsf(scale2 - (10 + m0 + m1) / 6) < 1e-6f);
    assert_int_equal(g.T[1], 7);
    assert_memory_equal(g.ids[1], ids, sizeof(int32_t) * 7);
    /* the values: round 1 with scale 2.5, round 2 with the new scale */
    for (int s = 0; s < 3; s++) {
        for (int k = 0; k < 2; k++) assert_true(vals[s * 3 + k] == cl_tokenizer_center(&c, r1[s * 2 + k]) * 2.5f);
        assert_true(vals[s * 3 + 2] == cl_tokenizer_center(&c, r2[s]) * scale2);
    }
}

/* ------------------------------------------------------------ parrot */

static void test_parrot_periodic(void **st) {
    (void)st;
    enum { P = 17, L = 150, H = 60, D = 8 };
    float x[L], out[H];
    for (int t = 0; t < L; t++) { int ph = t % P; x[t] = 3.0f + sinf(0.37f * ph * ph) + 0.1f * ph; }
    cl_parrot_info info;
    cl_error err;
    assert_int_equal(cl_parrot_forecast(x, L, D, H, out, &info, &err), 0);
    assert_int_equal(info.period, P);
    assert_int_equal(info.fallback, 0);
    assert_true(info.distance == 0);
    for (int k = 0; k < H; k++) {
        int t = L + k;
        float want = 3.0f + sinf(0.37f * (t % P) * (t % P)) + 0.1f * (t % P);
        if (out[k] != want) fail_msg("parrot step %d: %.9g, the period continues with %.9g", k, out[k], want);
    }
    /* missing values before the last period do not matter; left padding is skipped */
    float y[L];
    memcpy(y, x, sizeof y);
    for (int t = 0; t < 20; t++) y[t] = NAN;
    assert_int_equal(cl_parrot_forecast(y, L, D, H, out, &info, &err), 0);
    assert_int_equal(info.period, P);
    /* too short for a window: the last value is repeated */
    assert_int_equal(cl_parrot_forecast(x, 5, D, 3, out, &info, &err), 0);
    assert_int_equal(info.fallback, 1);
    assert_true(out[0] == x[4] && out[2] == x[4]);
    assert_int_not_equal(cl_parrot_forecast(x, L, 0, H, out, &info, &err), 0);
}

int main(int argc, char **argv) {
    cl_set_threads(2);
    /* the upstream dummy (../shared/peer): its own entry, skipped where it is absent */
    static const struct CMUnitTest peer[] = {
        cmocka_unit_test(test_greedy_dummy),
        cmocka_unit_test(test_cache_dummy),
    };
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_greedy_small),
        cmocka_unit_test(test_greedy_gated),
        cmocka_unit_test(test_cache_small),
        cmocka_unit_test(test_cache_gated),
        cmocka_unit_test(test_top_k),
        cmocka_unit_test(test_top_p),
        cmocka_unit_test(test_multinomial_chi_square),
        cmocka_unit_test(test_seed_and_threads),
        cmocka_unit_test(test_quantiles),
        cmocka_unit_test(test_two_round_loop),
        cmocka_unit_test(test_parrot_periodic),
    };
    static const cl_test_group groups[] = {
        CL_TEST_GROUP("t5", tests, NULL, NULL, &cl_test_t5, NULL),
        CL_TEST_GROUP("peer", peer, NULL, NULL, &cl_test_t5, NULL),
    };
    return cl_test_main(argc, argv, groups, sizeof groups / sizeof *groups);
}
