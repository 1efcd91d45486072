/* test_induction.c — the induction-head analysis as a library: a planted induction circuit
 * is found (and only it), its ablation lowers log p(s_2), ablation reuses the encoder,
 * gate 1 changes nothing, the copying score matches a direct computation, seeds combine
 * as documented, counts are monotone in the threshold, bad options are refused. */
#include "testutil.h"
#include "planted.h"
#include "study/induction/induction.h"
#include "study/induction/sweep.h"
#include "core/core.h"
#include "model/decode_from.h"
#include "model/init.h"
#include "model/model.h"
#include "io/safetensors.h"
#include "claims/claims.h"
#include "study/induction/scores_from.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SMALL CL_FIXTURES "/rand-small"

static void test_planted_circuit(void **st) {
    (void)st;
    planted p;
    planted_build(&p);
    cl_error err;
    cl_induction_opts o;
    assert_int_equal(cl_induction_default(cl_model_config(p.m), &o, &err), 0);
    o.rrt.batch = 24;
    o.rrt.seed = 5;
    cl_induction_result r;
    if (cl_induction_run(p.m, &o, &r, &err)) fail_msg("%s", err.msg);
    const int planted_i = P_LAYER * P_H + P_HEAD;
    for (int i = 0; i < r.layers * r.heads; i++) {
        assert_true(r.cur[i].mean >= 0 && r.cur[i].mean <= 1 && r.right[i].mean >= 0 && r.right[i].mean <= 1);
        assert_int_equal(cl_induction_above(&r, i, CL_RIGHT), i == planted_i);
        assert_false(cl_induction_above(&r, i, CL_CUR));
        assert_int_equal(cl_induction_strict(&r, i, CL_RIGHT), i == planted_i);
        if (i != planted_i) {
            assert_true(r.ablate[i].mean == 0.0);   /* a head that writes nothing changes nothing */
            assert_true(r.copy[i].mean == 0.0);
        }
    }
    /* two matches (positions 2 and m + 1) share the attention */
    if (getenv("CL_TEST_VERBOSE")) print_message("planted: right %.4f cur %.4f dlogp %.3f copy %.3f\n", r.right[planted_i].mean, r.cur[planted_i].mean, r.ablate[planted_i].mean, r.copy[planted_i].mean);
    assert_true(r.right[planted_i].mean > 0.4 && r.right[planted_i].mean <= 0.5 + 1e-6);
    assert_true(r.ablate[planted_i].mean < -1.0);   /* ablating it lowers log p(s_2) */
    assert_true(r.copy[planted_i].mean > 3.0);      /* it raises the attended token's logit */
    assert_int_equal(r.cross[CL_RIGHT].n, 1);
    assert_int_equal(r.cross[CL_CUR].n, 0);
    assert_int_equal(r.cross[CL_ANY].n, 1);
    assert_int_equal(r.strict_count[CL_ANY].n, 1);
    assert_int_equal(r.enc[CL_ANY].n, 0);           /* the encoder has a previous-token head only */
    assert_true(cl_induction_head_score(&r, P_LAYER, P_HEAD) == r.right[planted_i].mean);
    cl_induction_free(&r);
    planted_free(&p);
}

/* End to end: `chronolens induction` on the saved planted model flags exactly that head in
 * induction.csv (attention and strict), and nothing in the encoder. */
static void test_planted_cli(void **st) {
    (void)st;
    planted p;
    planted_build(&p);
    char dir[512], out[512], path[600];
    snprintf(dir, sizeof dir, "%s/planted-induction", test_tmpdir());
    snprintf(out, sizeof out, "%s/planted-out", test_tmpdir());
    planted_save(&p, dir);
    planted_free(&p);
    assert_int_equal(run_cmd("'%s' induction --quiet --threads 1 --model '%s' --batch 24 --seed 5 --out '%s'", CL_CLI,
                             dir, out), 0);
    snprintf(path, sizeof path, "%s/induction.csv", out);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[4096];
    int flagged = 0, rows = 0;
    assert_non_null(fgets(line, sizeof line, f));
    while (fgets(line, sizeof line, f)) {
        char *fld[32];
        int k = 0;
        fld[k++] = line;
        for (char *q = line; *q && k < 32; q++)
            if (*q == ',') { *q = 0; fld[k++] = q + 1; }
        assert_int_equal(k, 28); /* 20 study columns, then 8 of every occurrence */
        int cross = !strcmp(fld[1], "cross"), planted_head = cross && atoi(fld[2]) == P_LAYER && atoi(fld[3]) == P_HEAD;
        assert_int_equal(atoi(fld[10]), 0);                 /* above_current */
        assert_int_equal(atoi(fld[11]), planted_head);      /* above_right */
        if (cross) {
            assert_int_equal(atoi(fld[19]), planted_head); /* strict_right */
            if (planted_head) {
                assert_true(strtod(fld[12], NULL) < -1 && strtod(fld[15], NULL) > 3);
                /* content matching: the two occurrences share the attention evenly, their sum is
                 * nearly all of it (the rest: chance matches of random keys) */
                double sum = strtod(fld[23], NULL), first = strtod(fld[27], NULL), last = strtod(strchr(fld[27], ';') + 1, NULL);
                assert_true(sum > 0.9 && sum <= 1 + 1e-6);                        /* right_all_mean */
                assert_float_equal(last, strtod(fld[7], NULL), 1e-7);             /* k = R-1: the most recent */
                assert_float_equal(first, last, 0.05);                            /* k = 0 as much */
                assert_float_equal(first + last, sum, 1e-6);
            }
        }
        flagged += atoi(fld[11]);
        rows++;
    }
    fclose(f);
    assert_int_equal(flagged, 1);
    assert_int_equal(rows, (2 + 1) * P_H); /* 2 decoder layers, 1 encoder layer */
    snprintf(path, sizeof path, "%s/mosaic_planted-induction.png", out);
    assert_true(file_exists(path));
}

/* ------------------------------------------------------------ ablation mechanics */

static cl_model *load_small(void) {
    cl_error err;
    cl_model *m;
    if (cl_model_load(SMALL, NULL, &m, &err)) fail_msg("%s", err.msg);
    return m;
}

/* The ablation pass costs 1 + layers*heads decoder passes and no encoder work, and each Δ
 * equals a from-scratch run (fresh state, encoder recomputed, head gated). */
static void test_ablation_reuses_encoder(void **st) {
    (void)st;
    cl_model *m = load_small();
    const cl_config *c = cl_model_config(m);
    cl_error err;
    cl_rrt_opts o;
    assert_int_equal(cl_rrt_default(c, &o, &err), 0);
    o.batch = 6;
    o.seed = 9;
    const int B = o.batch, T = cl_rrt_enc_len(&o), n = c->num_decoder_layers * c->num_heads;
    int32_t *ids = malloc(sizeof(int32_t) * B * T), dec[12];
    uint8_t *mask = malloc((size_t)B * T);
    assert_int_equal(cl_rrt_make(c, &o, ids, mask, dec, &err), 0);
    cl_state *s;
    assert_int_equal(cl_state_new(m, &s, &err), 0);
    cl_rrt_scores sc;
    if (cl_rrt_cross_scores(s, &o, &sc, &err)) fail_msg("%s", err.msg);
    cl_rrt_scores_free(&sc);
    /* FLOPs of one decoder pass on the cached encoder output */
    cl_state_reset_flops(s);
    assert_int_equal(cl_decode(s, dec, 2, 1, &err), 0);
    double one = cl_state_flops(s);
    /* FLOPs of a pass resumed at the cross-attention of layer l (gates do not change them) */
    const int NL = c->num_decoder_layers, d = c->d_model;
    float *resid = malloc(sizeof(float) * NL * B * 2 * d);
    assert_int_equal(cl_decode_save(s, dec, 2, 1, resid, &err), 0);
    double from_sum = 0, from0 = 0;
    for (int l = 0; l < NL; l++) {
        cl_state_reset_flops(s);
        assert_int_equal(cl_decode_from_cross(s, 2, 1, l, resid, &err), 0);
        from_sum += c->num_heads * cl_state_flops(s);
        if (l == 0) from0 = cl_state_flops(s);
        if (l > 0) assert_true(cl_state_flops(s) < from0); /* fewer layers, less work */
    }
    assert_true(from0 < one);                               /* layer 0's self-attention skipped */
    float *dl = malloc(sizeof(float) * n * B);
    cl_state_reset_flops(s);
    if (cl_induction_ablation(s, &o, ids, dec, dl, &err)) fail_msg("%s", err.msg);
    /* one clean pass, one saving pass, one resumed pass per head: no encoder work */
    assert_true(cl_state_flops(s) == 2 * one + from_sum);
    free(resid);
    /* an encoder pass costs more than nothing: the check above would see it */
    cl_state_reset_flops(s);
    assert_int_equal(cl_encode(s, ids, mask, B, T, &err), 0);
    assert_true(cl_state_flops(s) > 0);

    /* from scratch for two heads */
    const int pick[2][2] = {{0, 1}, {c->num_decoder_layers - 1, c->num_heads - 1}};
    for (int q = 0; q < 2; q++) {
        double lp[2][16];
        for (int pass = 0; pass < 2; pass++) {
            cl_state *f;
            assert_int_equal(cl_state_new(m, &f, &err), 0);
            if (pass) assert_int_equal(cl_state_set_head_gate(f, CL_CROSS, pick[q][0], pick[q][1], 0.0f, &err), 0);
            assert_int_equal(cl_encode(f, ids, mask, B, T, &err), 0);
            assert_int_equal(cl_decode(f, dec, 2, 0, &err), 0);
            int V;
            const float *lg = cl_state_logits(f, NULL, NULL, &V); /* (B, 2, V) */
            for (int b = 0; b < B; b++) {
                const float *z = lg + ((size_t)b * 2 + 1) * V;
                double mx = z[0], se = 0;
                for (int v = 1; v < V; v++) mx = z[v] > mx ? z[v] : mx;
                for (int v = 0; v < V; v++) se += exp(z[v] - mx);
                lp[pass][b] = z[ids[b * T + 2]] - mx - log(se);
            }
            cl_state_free(f);
        }
        const float *row = dl + ((size_t)pick[q][0] * c->num_heads + pick[q][1]) * B;
        for (int b = 0; b < B; b++) assert_float_equal(row[b], lp[1][b] - lp[0][b], 2e-5);
    }
    free(dl); free(ids); free(mask);
    cl_state_free(s);
    cl_model_free(m);
}

/* The resumed decoder gives cl_decode's logits: uninterrupted, resumed at every layer without
 * gates, and with a gate against cl_decode with the same gate. Bit for bit: the same rows
 * go through the same products (the same panels), so the sums run in the same order. */
static void test_decode_from_matches(void **st) {
    (void)st;
    cl_model *m = load_small();
    const cl_config *c = cl_model_config(m);
    cl_error err;
    cl_rrt_opts o;
    assert_int_equal(cl_rrt_default(c, &o, &err), 0);
    o.batch = 5;
    const int B = o.batch, T = cl_rrt_enc_len(&o), NL = c->num_decoder_layers, V = c->vocab_size;
    int32_t *ids = malloc(sizeof(int32_t) * B * T), dec[10];
    uint8_t *mask = malloc((size_t)B * T);
    assert_int_equal(cl_rrt_make(c, &o, ids, mask, dec, &err), 0);
    cl_state *s;
    assert_int_equal(cl_state_new(m, &s, &err), 0);
    assert_int_equal(cl_encode(s, ids, mask, B, T, &err), 0);
    /* before any cl_decode: refused */
    float *resid = malloc(sizeof(float) * NL * B * 2 * c->d_model);
    assert_int_equal(cl_decode_save(s, dec, 2, 0, resid, &err), CL_EINVAL);
    assert_int_equal(cl_decode(s, dec, 2, 0, &err), 0);
    const size_t n = (size_t)B * 2 * V;
    float *ref = malloc(sizeof(float) * n), *gated = malloc(sizeof(float) * n);
    memcpy(ref, cl_state_logits(s, NULL, NULL, NULL), sizeof(float) * n);
    assert_int_equal(cl_decode_save(s, dec, 2, 0, resid, &err), 0);
    assert_close("decode_save", cl_state_logits(s, NULL, NULL, NULL), ref, n, 0);
    for (int l = 0; l < NL; l++) {
        assert_int_equal(cl_decode_from_cross(s, 2, 0, l, resid, &err), 0);
        assert_close("decode_from_cross", cl_state_logits(s, NULL, NULL, NULL), ref, n, 0);
    }
    assert_int_equal(cl_decode_from_cross(s, 2, 0, NL, resid, &err), CL_EINVAL);
    assert_int_equal(cl_state_set_head_gate(s, CL_CROSS, NL - 1, 1, 0.0f, &err), 0);
    assert_int_equal(cl_decode(s, dec, 2, 0, &err), 0);
    memcpy(gated, cl_state_logits(s, NULL, NULL, NULL), sizeof(float) * n);
    assert_true(max_abs_diff(gated, ref, n) > 1e-4); /* the gate matters */
    assert_int_equal(cl_decode_from_cross(s, 2, 0, NL - 1, resid, &err), 0);
    assert_close("decode_from_cross gated", cl_state_logits(s, NULL, NULL, NULL), gated, n, 0);
    free(ref); free(gated); free(resid); free(ids); free(mask);
    cl_state_free(s);
    cl_model_free(m);
}

/* Gate 1 on every head gives bit-identical logits to no gates at all. */
static void test_gate_one_is_identity(void **st) {
    (void)st;
    cl_model *m = load_small();
    const cl_config *c = cl_model_config(m);
    cl_error err;
    cl_rrt_opts o;
    assert_int_equal(cl_rrt_default(c, &o, &err), 0);
    o.batch = 4;
    const int B = o.batch, T = cl_rrt_enc_len(&o);
    int32_t *ids = malloc(sizeof(int32_t) * B * T), dec[8];
    uint8_t *mask = malloc((size_t)B * T);
    assert_int_equal(cl_rrt_make(c, &o, ids, mask, dec, &err), 0);
    cl_state *s;
    assert_int_equal(cl_state_new(m, &s, &err), 0);
    assert_int_equal(cl_encode(s, ids, mask, B, T, &err), 0);
    assert_int_equal(cl_decode(s, dec, 2, 0, &err), 0);
    int V;
    size_t nl = (size_t)B * 2;
    cl_state_logits(s, NULL, NULL, &V);
    float *ref = malloc(sizeof(float) * nl * V);
    memcpy(ref, cl_state_logits(s, NULL, NULL, NULL), sizeof(float) * nl * V);
    for (int l = 0; l < c->num_decoder_layers; l++)
        for (int h = 0; h < c->num_heads; h++) assert_int_equal(cl_state_set_head_gate(s, CL_CROSS, l, h, 1.0f, &err), 0);
    assert_int_equal(cl_decode(s, dec, 2, 0, &err), 0);
    assert_memory_equal(ref, cl_state_logits(s, NULL, NULL, NULL), sizeof(float) * nl * V);
    /* and gate 0 does change them */
    assert_int_equal(cl_state_set_head_gate(s, CL_CROSS, 0, 0, 0.0f, &err), 0);
    assert_int_equal(cl_decode(s, dec, 2, 0, &err), 0);
    assert_memory_not_equal(ref, cl_state_logits(s, NULL, NULL, NULL), sizeof(float) * nl * V);
    free(ref); free(ids); free(mask);
    cl_state_free(s);
    cl_model_free(m);
}

/* ------------------------------------------------------------ copying score */

/* The copying score against a direct double-precision computation (no BLAS). */
static void test_copying_direct(void **st) {
    (void)st;
    cl_model *m = load_small();
    const cl_config *c = cl_model_config(m);
    cl_error err;
    cl_rrt_opts o;
    assert_int_equal(cl_rrt_default(c, &o, &err), 0);
    o.batch = 2;
    o.seq_len = 4;
    const int B = o.batch, T = cl_rrt_enc_len(&o), H = c->num_heads, dk = c->d_kv, d = c->d_model, HD = H * dk;
    const int n = c->num_decoder_layers * H, nb = o.tok_hi - o.tok_lo + 1, RL = o.reps * o.seq_len;
    int32_t ids[2 * 10], dec[4];
    uint8_t mask[2 * 10];
    assert_int_equal(T, 10);
    assert_int_equal(cl_rrt_make(c, &o, ids, mask, dec, &err), 0);
    cl_state *s;
    assert_int_equal(cl_state_new(m, &s, &err), 0);
    assert_int_equal(cl_encode(s, ids, mask, B, T, &err), 0);
    float *cp = malloc(sizeof(float) * n * B);
    if (cl_induction_copying(s, &o, ids, cp, &err)) fail_msg("%s", err.msg);
    const float *x = cl_state_encoder_hidden(s, NULL, NULL);
    double alpha = c->tied ? 1.0 / sqrt(d) : 1.0, *vh = malloc(sizeof(double) * dk), *u = malloc(sizeof(double) * d),
           *z = malloc(sizeof(double) * nb);
    for (int l = 0; l < c->num_decoder_layers; l++)
        for (int h = 0; h < H; h++)
            for (int b = 0; b < B; b++) {
                double acc = 0;
                for (int j = 0; j < RL; j++) {
                    const float *xj = x + ((size_t)b * T + j) * d;
                    for (int k = 0; k < dk; k++) {
                        double sum = 0;
                        for (int i = 0; i < d; i++) sum += (double)m->dec[l].cross.v[(size_t)(h * dk + k) * d + i] * xj[i];
                        vh[k] = sum;
                    }
                    for (int i = 0; i < d; i++) {
                        double sum = 0;
                        for (int k = 0; k < dk; k++) sum += (double)m->dec[l].cross.o[(size_t)i * HD + h * dk + k] * vh[k];
                        u[i] = sum * m->dec_final[i] * alpha;
                    }
                    double mean = 0, var = 0;
                    for (int t = 0; t < nb; t++) {
                        double sum = 0;
                        for (int i = 0; i < d; i++) sum += (double)m->lm_head[(size_t)(o.tok_lo + t) * d + i] * u[i];
                        z[t] = sum;
                        mean += sum / nb;
                    }
                    for (int t = 0; t < nb; t++) var += (z[t] - mean) * (z[t] - mean) / nb;
                    acc += (z[ids[b * T + j] - o.tok_lo] - mean) / sqrt(var);
                }
                assert_float_equal(cp[(l * H + h) * B + b], acc / RL, 1e-4);
            }
    free(vh); free(u); free(z); free(cp);
    cl_state_free(s);
    cl_model_free(m);
}

/* ------------------------------------------------------------ seeds, thresholds, options */

static double sd(const double *x, int n) {
    double m = 0, s = 0;
    for (int i = 0; i < n; i++) m += x[i] / n;
    for (int i = 0; i < n; i++) s += (x[i] - m) * (x[i] - m);
    return sqrt(s / (n - 1));
}

/* --seeds K: mean, pooled std and std of the seed means, from K separate runs by hand. */
static void test_seeds_combine(void **st) {
    (void)st;
    cl_model *m = load_small();
    cl_error err;
    cl_induction_opts o;
    assert_int_equal(cl_induction_default(cl_model_config(m), &o, &err), 0);
    o.rrt.batch = 5;
    o.rrt.seed = 11;
    o.threshold = 0.045; /* near the scores of this random model: counts vary across seeds */
    enum { K = 3 };
    cl_induction_result one[K], all;
    for (int k = 0; k < K; k++) {
        cl_induction_opts ok = o;
        ok.rrt.seed = o.rrt.seed + k;
        if (cl_induction_run(m, &ok, &one[k], &err)) fail_msg("%s", err.msg);
    }
    o.seeds = K;
    if (cl_induction_run(m, &o, &all, &err)) fail_msg("%s", err.msg);
    const int B = o.rrt.batch, N = K * B;
    for (int i = 0; i < all.layers * all.heads; i++) {
        const cl_stat *got[3] = {&all.cur[i], &all.ablate[i], &all.copy[i]};
        for (int q = 0; q < 3; q++) {
            double means[K], ss = 0, M = 0;
            for (int k = 0; k < K; k++) {
                const cl_stat *x = q == 0 ? &one[k].cur[i] : q == 1 ? &one[k].ablate[i] : &one[k].copy[i];
                means[k] = x->mean;
                M += x->mean / K;
                assert_true(x->seed_std == 0.0);
            }
            for (int k = 0; k < K; k++) {
                const cl_stat *x = q == 0 ? &one[k].cur[i] : q == 1 ? &one[k].ablate[i] : &one[k].copy[i];
                ss += (B - 1) * x->std * x->std + B * (x->mean - M) * (x->mean - M);
            }
            assert_float_equal(got[q]->mean, M, 1e-9 + 1e-7 * fabs(M));
            assert_float_equal(got[q]->seed_std, sd(means, K), 1e-9);
            assert_float_equal(got[q]->std, sqrt(ss / (N - 1)), 1e-9);
        }
    }
    double cnt[K];
    for (int crit = 0; crit < 3; crit++) {
        for (int k = 0; k < K; k++) cnt[k] = one[k].cross[crit].n;
        assert_float_equal(all.cross[crit].mean, (cnt[0] + cnt[1] + cnt[2]) / K, 1e-12);
        assert_float_equal(all.cross[crit].std, sd(cnt, K), 1e-12);
        for (int k = 0; k < K; k++) cnt[k] = one[k].strict_count[crit].n;
        assert_float_equal(all.strict_count[crit].mean, (cnt[0] + cnt[1] + cnt[2]) / K, 1e-12);
    }
    for (int k = 0; k < K; k++) cl_induction_free(&one[k]);
    cl_induction_free(&all);
    cl_model_free(m);
}

/* Scores lie in [0, 1]; counts never grow with the threshold. */
static void test_counts_monotone(void **st) {
    (void)st;
    cl_model *m = load_small();
    cl_error err;
    cl_induction_opts o;
    assert_int_equal(cl_induction_default(cl_model_config(m), &o, &err), 0);
    o.rrt.batch = 8;
    o.strict = 0;
    const double thr[] = {0, 0.02, 0.04, 0.05, 0.07, 0.1, 0.3, 1};
    int prev[6] = {1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30};
    for (size_t t = 0; t < sizeof thr / sizeof thr[0]; t++) {
        o.threshold = thr[t];
        cl_induction_result r;
        if (cl_induction_run(m, &o, &r, &err)) fail_msg("%s", err.msg);
        assert_null(r.ablate);
        for (int i = 0; i < r.layers * r.heads; i++)
            assert_true(r.cur[i].mean >= 0 && r.cur[i].mean <= 1 && r.right[i].mean >= 0 && r.right[i].mean <= 1);
        for (int i = 0; i < r.enc_layers * r.heads; i++)
            assert_true(r.enc_cur[i].mean >= 0 && r.enc_cur[i].mean <= 1 && r.enc_right[i].mean >= 0 && r.enc_right[i].mean <= 1);
        if (t == 0) assert_int_equal(r.cross[CL_ANY].n, r.layers * r.heads);
        for (int q = 0; q < 3; q++) {
            assert_true(r.cross[q].n <= prev[q]);
            assert_true(r.enc[q].n <= prev[3 + q]);
            assert_true(r.cross[q].n <= r.cross[CL_ANY].n);
            prev[q] = r.cross[q].n;
            prev[3 + q] = r.enc[q].n;
        }
        cl_induction_free(&r);
    }
    cl_model_free(m);
}

/* The encoder scores are the captured rows of a full forward pass. */
static void test_encoder_scores(void **st) {
    (void)st;
    cl_model *m = load_small();
    const cl_config *c = cl_model_config(m);
    cl_error err;
    cl_rrt_opts o;
    assert_int_equal(cl_rrt_default(c, &o, &err), 0);
    o.batch = 3;
    o.reps = 3;
    o.seq_len = 4;
    cl_state *s;
    assert_int_equal(cl_state_new(m, &s, &err), 0);
    cl_rrt_scores xs, es;
    if (cl_rrt_scores_pass(s, &o, &xs, &es, &err)) fail_msg("%s", err.msg);
    const int B = 3, T = cl_rrt_enc_len(&o), H = c->num_heads, q = o.reps * o.seq_len, k = cl_rrt_enc_pos_m(&o);
    int32_t ids[3 * 14], dec[6];
    uint8_t mask[3 * 14];
    assert_int_equal(T, 14);
    assert_int_equal(cl_rrt_make(c, &o, ids, mask, dec, &err), 0);
    for (int b = 0; b < B; b++) assert_int_equal(ids[b * T + k], ids[b * T + q]); /* an earlier s_0 */
    cl_state_capture_all(s);
    assert_int_equal(cl_encode(s, ids, mask, B, T, &err), 0);
    int shape[5];
    const float *a = cl_state_attn(s, CL_ENC_SELF, shape); /* (nl, B, H, T, T) */
    for (int l = 0; l < c->num_layers; l++)
        for (int h = 0; h < H; h++) {
            double cur = 0, right = 0;
            for (int b = 0; b < B; b++) {
                const float *row = a + ((((size_t)l * B + b) * H + h) * T + q) * T;
                cur += row[k] / B;
                right += row[k + 1] / B;
            }
            assert_float_equal(es.cur_mean[l * H + h], cur, 1e-6);
            assert_float_equal(es.right_mean[l * H + h], right, 1e-6);
        }
    cl_rrt_scores_free(&xs);
    cl_rrt_scores_free(&es);
    cl_state_free(s);
    cl_model_free(m);
}

static void test_bad_options(void **st) {
    (void)st;
    cl_model *m = load_small();
    cl_error err;
    cl_induction_opts o, d;
    cl_induction_result r;
    assert_int_equal(cl_induction_default(cl_model_config(m), &d, &err), 0);
    d.rrt.batch = 2;
    o = d; o.threshold = 1.5;
    assert_int_equal(cl_induction_run(m, &o, &r, &err), CL_EINVAL);
    o = d; o.threshold = -0.1;
    assert_int_equal(cl_induction_run(m, &o, &r, &err), CL_EINVAL);
    o = d; o.seeds = 0;
    assert_int_equal(cl_induction_run(m, &o, &r, &err), CL_EINVAL);
    o = d; o.rrt.seq_len = 1;
    assert_int_equal(cl_induction_run(m, &o, &r, &err), CL_EINVAL);
    o = d; o.rrt.batch = 0;
    assert_int_equal(cl_induction_run(m, &o, &r, &err), CL_EINVAL);
    o = d; o.rrt.tok_hi = 4096;
    assert_int_equal(cl_induction_run(m, &o, &r, &err), CL_EINVAL);
    assert_non_null(strstr(err.msg, "token range"));
    o = d; o.rrt.tok_hi = o.rrt.tok_lo; /* one token: no copying score, no random sequence */
    assert_int_equal(cl_induction_run(m, &o, &r, &err), CL_EINVAL);
    o = d; o.rrt.reps = 1;
    assert_int_equal(cl_induction_run(m, &o, &r, &err), CL_EINVAL);
    cl_sweep_opts so = {.base = d, .n_reps = 1, .n_lens = 1, .reps = (int[]){1}, .lens = (int[]){4}};
    cl_sweep_result sr;
    assert_int_equal(cl_sweep_run(m, &so, &sr, &err), CL_EINVAL);
    cl_model_free(m);
}

/* A sweep cell equals the induction run with that (R, L). */
static void test_sweep_cells(void **st) {
    (void)st;
    cl_model *m = load_small();
    cl_error err;
    cl_sweep_opts so = {.n_reps = 2, .n_lens = 2, .reps = (int[]){2, 3}, .lens = (int[]){3, 5}};
    assert_int_equal(cl_induction_default(cl_model_config(m), &so.base, &err), 0);
    so.base.rrt.batch = 4;
    so.base.threshold = 0.06;
    so.base.seeds = 2;
    cl_sweep_result sr;
    if (cl_sweep_run(m, &so, &sr, &err)) fail_msg("%s", err.msg);
    assert_int_equal(sr.cells[1 * 2 + 1].reps, 3);
    assert_int_equal(sr.cells[1 * 2 + 1].seq_len, 5);
    for (int i = 0; i < 4; i++) {
        cl_induction_opts io = so.base;
        io.rrt.reps = sr.cells[i].reps;
        io.rrt.seq_len = sr.cells[i].seq_len;
        io.strict = 0;
        cl_induction_result r;
        if (cl_induction_run(m, &io, &r, &err)) fail_msg("%s", err.msg);
        for (int q = 0; q < 3; q++) {
            assert_int_equal(sr.cells[i].cross[q].n, r.cross[q].n);
            assert_true(sr.cells[i].cross[q].mean == r.cross[q].mean && sr.cells[i].cross[q].std == r.cross[q].std);
            assert_int_equal(sr.cells[i].enc[q].n, r.enc[q].n);
        }
        cl_induction_free(&r);
    }
    cl_sweep_free(&sr);
    cl_model_free(m);
}

/* ------------------------------------------------------------ batch layout, token band */

/* For several (L, R): `S..S s_0 EOS`, decoder [0, s_1], s_1 at m and s_2 at m + 1 (the
 * positions scored), s_0 at the encoder positions scored; ids inside the range; seeded. */
static void test_layout_several(void **st) {
    (void)st;
    cl_config c;
    cl_error err;
    assert_int_equal(cl_config_preset("small", &c, &err), 0);
    const int LR[][2] = {{2, 2}, {3, 2}, {10, 2}, {2, 5}, {7, 4}, {10, 10}};
    for (size_t q = 0; q < sizeof LR / sizeof LR[0]; q++) {
        cl_rrt_opts o;
        assert_int_equal(cl_rrt_default(&c, &o, &err), 0);
        o.seq_len = LR[q][0];
        o.reps = LR[q][1];
        o.batch = 9;
        o.tok_lo = 2000;
        o.tok_hi = 2010;
        o.seed = 77 + q;
        const int L = o.seq_len, R = o.reps, T = cl_rrt_enc_len(&o), m = cl_rrt_pos_m(&o);
        assert_int_equal(T, R * L + 2);
        assert_int_equal(m, (R - 1) * L + 1);
        int32_t *e = malloc(sizeof(int32_t) * 9 * T), *e2 = malloc(sizeof(int32_t) * 9 * T), dec[18], dec2[18];
        uint8_t *mask = malloc((size_t)9 * T);
        assert_int_equal(cl_rrt_make(&c, &o, e, mask, dec, &err), 0);
        assert_int_equal(cl_rrt_make(&c, &o, e2, mask, dec2, &err), 0);
        assert_memory_equal(e, e2, sizeof(int32_t) * 9 * T);
        assert_memory_equal(dec, dec2, sizeof dec);
        for (int b = 0; b < 9; b++) {
            const int32_t *x = e + b * T;
            for (int t = 0; t < R * L; t++) {
                assert_true(x[t] >= 2000 && x[t] <= 2010);
                assert_int_equal(x[t], x[t % L]);
            }
            assert_int_equal(x[T - 2], x[0]);
            assert_int_equal(x[T - 1], c.tok_eos_id);
            assert_int_equal(dec[2 * b], c.decoder_start_token_id);
            assert_int_equal(dec[2 * b + 1], x[1]);
            assert_int_equal(x[m], x[1]);                            /* current token: s_1 */
            assert_int_equal(x[m + 1], x[2 % L]);                    /* token to right: s_2 */
            assert_int_equal(x[cl_rrt_enc_pos_m(&o)], x[T - 2]);     /* encoder: earlier s_0 */
            assert_int_equal(x[cl_rrt_enc_pos_m(&o) + 1], x[1]);
        }
        free(e); free(e2); free(mask);
    }
}

/* Another vocabulary: the token band is the ids whose centers lie in [-1.0195, 1.0125]. */
static void test_band_other_vocab(void **st) {
    (void)st;
    cl_config c;
    cl_error err;
    assert_int_equal(cl_config_preset("tiny", &c, &err), 0);
    c.n_tokens = c.vocab_size = 1024;
    int lo, hi;
    assert_int_equal(cl_rrt_token_band(&c, &lo, &hi, &err), 0);
    assert_true(lo > c.n_special_tokens && hi < 1024 && hi - lo > 10);
    for (int id = lo; id <= hi; id++) {
        float v = cl_tokenizer_center(&c, id);
        assert_true(v >= CL_RRT_BAND_LO && v <= CL_RRT_BAND_HI);
    }
    assert_true(cl_tokenizer_center(&c, lo - 1) < CL_RRT_BAND_LO);
    assert_true(cl_tokenizer_center(&c, hi + 1) > CL_RRT_BAND_HI);
    cl_induction_opts o;
    assert_int_equal(cl_induction_default(&c, &o, &err), 0);
    assert_int_equal(o.rrt.tok_lo, lo);
    assert_int_equal(o.rrt.tok_hi, hi);
}

/* The verdict of claim `id` for model `name` on table t (no multisine data). */
static int claim_verdict(const cl_scores *t, const char *id, const char *name) {
    cl_verdicts v;
    cl_error err;
    if (cl_claims_run(t, NULL, NULL, &v, &err)) fail_msg("%s", err.msg);
    int r = -2;
    for (int i = 0; i < v.n; i++)
        if (!strcmp(v.v[i].id, id) && v.v[i].n_models == 1 && !strcmp(v.v[i].model[0], name)) {
            r = v.v[i].verdict;
            if (getenv("CL_TEST_VERBOSE")) print_message("%s %s: %s — %s\n", id, name, cl_verdict_word(r), v.v[i].reason);
        }
    cl_verdicts_free(&v);
    if (r == -2) fail_msg("no verdict %s for %s", id, name);
    return r;
}

/* The planted head matches by content: it splits its attention evenly over the R earlier
 * occurrences, so its most-recent score is about 1/R of a sum near 1 — a perfect induction
 * head that loses the study's criterion as R grows. The claim `spread` says so. */
static void test_planted_spread(void **st) {
    (void)st;
    planted p;
    planted_build(&p);
    cl_error err;
    cl_sweep_opts so = {0};
    assert_int_equal(cl_induction_default(cl_model_config(p.m), &so.base, &err), 0);
    so.base.rrt.batch = 16;
    so.base.rrt.seed = 3;
    static const int R[3] = {2, 4, 8}, L[1] = {10};
    so.reps = R; so.n_reps = 3; so.lens = L; so.n_lens = 1;
    cl_sweep_result r;
    if (cl_sweep_run(p.m, &so, &r, &err)) fail_msg("%s", err.msg);
    const int i = P_LAYER * P_H + P_HEAD;
    for (int k = 0; k < 3; k++) {
        const cl_sweep_cell *c = &r.cells[k];
        if (getenv("CL_TEST_VERBOSE")) print_message("R=%d: most recent %.3f, sum %.3f\n", R[k], c->right[i].mean, c->right_all[i].mean);
        assert_true(c->right_all[i].mean > 0.9 && c->right_all[i].mean <= 1 + 1e-6);
        assert_float_equal(c->right[i].mean, c->right_all[i].mean / R[k], 0.03); /* 0.50, 0.25, 0.12 of the sum */
    }
    assert_true(r.cells[2].right[i].mean < 0.3 && r.cells[0].right[i].mean >= 0.3); /* the criterion is lost */
    cl_scores t = {0};
    assert_int_equal(cl_scores_from_sweep(&t, "planted", NAN, CL_SAMPLING_BAND, &r, 16, &err), 0);
    assert_int_equal(claim_verdict(&t, "spread", "planted"), CL_SUPPORTED);
    cl_scores_free(&t);
    cl_sweep_free(&r);
    planted_free(&p);
}

/* The strict extension's significance: the planted head lowers log p(s_2) far beyond chance;
 * a random model's heads, whose mean change is negative on many heads, are not strict
 * beyond chance (one-sided t per head, Holm over the heads). */
static void test_strict_significance(void **st) {
    (void)st;
    planted p;
    planted_build(&p);
    cl_error err;
    cl_induction_opts o;
    assert_int_equal(cl_induction_default(cl_model_config(p.m), &o, &err), 0);
    o.rrt.batch = 24;
    o.rrt.seed = 5;
    cl_induction_result r;
    if (cl_induction_run(p.m, &o, &r, &err)) fail_msg("%s", err.msg);
    cl_scores t = {0};
    assert_int_equal(cl_scores_from_induction(&t, "planted", NAN, CL_SAMPLING_BAND, 2, 10, &r, 24, &err), 0);
    cl_induction_free(&r);
    planted_free(&p);
    cl_model *m = load_small();
    assert_int_equal(cl_induction_default(cl_model_config(m), &o, &err), 0);
    if (cl_induction_run(m, &o, &r, &err)) fail_msg("%s", err.msg);
    int neg = 0;
    for (int i = 0; i < r.layers * r.heads; i++) neg += r.ablate[i].mean < 0;
    if (getenv("CL_TEST_VERBOSE")) print_message("rand-small: %d of %d heads with mean change < 0\n", neg, r.layers * r.heads);
    assert_int_equal(cl_scores_from_induction(&t, "random", NAN, CL_SAMPLING_BAND, 2, 10, &r, o.rrt.batch, &err), 0);
    cl_induction_free(&r);
    cl_model_free(m);
    assert_int_equal(claim_verdict(&t, "strict", "planted"), CL_SUPPORTED);
    assert_int_not_equal(claim_verdict(&t, "strict", "random"), CL_SUPPORTED);
    cl_scores_free(&t);
}

int main(void) {
    cl_set_threads(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_planted_circuit),
        cmocka_unit_test(test_planted_cli),
        cmocka_unit_test(test_planted_spread),
        cmocka_unit_test(test_strict_significance),
        cmocka_unit_test(test_ablation_reuses_encoder),
        cmocka_unit_test(test_gate_one_is_identity),
        cmocka_unit_test(test_decode_from_matches),
        cmocka_unit_test(test_copying_direct),
        cmocka_unit_test(test_seeds_combine),
        cmocka_unit_test(test_counts_monotone),
        cmocka_unit_test(test_encoder_scores),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_sweep_cells),
        cmocka_unit_test(test_layout_several),
        cmocka_unit_test(test_band_other_vocab),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
