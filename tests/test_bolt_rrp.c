/* test_bolt_rrp.c — the repeated-random-patches test of Chronos-Bolt (method.md §4.1): the
 * batch is aligned to the patch grid with the documented lengths, seeded, offset 0 is the
 * plain test and an offset shifts the block; cl_induction_run's Bolt scores are the captured
 * maps of cl_bolt_forward; a planted Bolt circuit (built here) is flagged exactly. */
#include "testutil.h"
#include "study/induction/induction.h"
#include "study/common/rrp.h"
#include "study/induction/sweep.h"
#include "core/core.h"
#include "model/init.h"
#include "model/model.h"
#include "report/fig_offsets.h"
#include "claims/claims.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RAND CL_FIXTURES "/bolt-rand"

static cl_model *load(const char *dir) {
    cl_model *m;
    cl_error err;
    if (cl_model_load(dir, NULL, &m, &err)) fail_msg("%s", err.msg);
    return m;
}

static cl_rrt_opts rrp_opts(int L, int R, int B, uint64_t seed, int off) {
    cl_rrt_opts o = {.seq_len = L, .reps = R, .batch = B, .seed = seed, .offset = off};
    return o;
}

/* S repeated R times then s_0: (R*L + 1) whole patches; patch p equals patch p mod L */
static void test_batch_layout(void **st) {
    (void)st;
    cl_model *m = load(RAND);
    const cl_config *c = cl_model_config(m);
    const int ps = c->patch_size, L = 5, R = 3, B = 4;
    cl_rrt_opts o = rrp_opts(L, R, B, 11, 0);
    const int N = cl_rrp_len(c, &o);
    assert_int_equal(N, (R * L + 1) * ps);
    assert_int_equal(N % ps, 0);                               /* on the grid: no padding */
    assert_int_equal(cl_bolt_num_patches(c, N), R * L + 1);
    assert_int_equal(cl_bolt_num_tokens(c, N), R * L + 1 + c->use_reg_token);
    assert_int_equal(cl_rrp_query_row(&o), R * L);
    assert_int_equal(cl_rrp_pos_m(&o), (R - 1) * L);
    float *x = malloc(sizeof(float) * B * N), *y = malloc(sizeof(float) * B * N), *t = malloc(sizeof(float) * B);
    cl_error err;
    assert_int_equal(cl_rrp_make(c, &o, x, t, &err), 0);
    for (int b = 0; b < B; b++) {
        const float *s = x + (size_t)b * N;
        for (int p = 0; p < R * L + 1; p++)
            assert_memory_equal(s + p * ps, s + (p % L) * ps, sizeof(float) * ps);
        assert_true(t[b] == s[ps]);                                /* s_1's first value */
        for (int p = 1; p < L; p++) assert_true(memcmp(s, s + p * ps, sizeof(float) * ps) != 0);
    }
    double sum = 0, ss = 0; /* the values are N(0, 1) */
    for (int i = 0; i < L * ps; i++) { sum += x[i]; ss += (double)x[i] * x[i]; }
    assert_true(fabs(sum / (L * ps)) < 0.35 && fabs(ss / (L * ps) - 1) < 0.4);
    /* seeded: the same seed draws the same batch, another seed another */
    assert_int_equal(cl_rrp_make(c, &o, y, NULL, &err), 0);
    assert_memory_equal(x, y, sizeof(float) * B * N);
    o.seed = 12;
    assert_int_equal(cl_rrp_make(c, &o, y, NULL, &err), 0);
    assert_true(memcmp(x, y, sizeof(float) * N) != 0);
    /* offset 4: the block shifted left by 4 values, fresh values before the aligned final s_0 */
    o.seed = 11;
    o.offset = 4;
    assert_int_equal(cl_rrp_make(c, &o, y, NULL, &err), 0);
    for (int b = 0; b < B; b++) {
        const float *p0 = x + (size_t)b * N, *p4 = y + (size_t)b * N;
        assert_memory_equal(p4, p0 + 4, sizeof(float) * (R * L * ps - 4));
        assert_memory_equal(p4 + R * L * ps, p0 + R * L * ps, sizeof(float) * ps);
        assert_true(memcmp(p4 + (R - 1) * L * ps, p4 + R * L * ps, sizeof(float) * ps) != 0);
    }
    /* bad options */
    o.offset = ps;
    assert_int_equal(cl_rrp_make(c, &o, y, NULL, &err), CL_EINVAL);
    assert_non_null(strstr(err.msg, "offset"));
    o = rrp_opts(10, 4, 1, 0, 0); /* 41 patches of 16 > 512 */
    assert_int_equal(cl_rrp_make(c, &o, y, NULL, &err), CL_EINVAL);
    assert_non_null(strstr(err.msg, "context length"));
    free(x); free(y); free(t);
    cl_model_free(m);
}

/* cl_induction_run's Bolt scores = the mean over the batch of cl_bolt_forward's full maps */
static void test_scores_direct(void **st) {
    (void)st;
    cl_model *m = load(RAND);
    const cl_config *c = cl_model_config(m);
    cl_error err;
    cl_induction_opts io;
    memset(&io, 0, sizeof io);
    io.rrt = rrp_opts(6, 3, 7, 3, 0);
    io.threshold = 0.3;
    io.seeds = 1;
    io.strict = 1;
    cl_induction_result r;
    if (cl_induction_run(m, &io, &r, &err)) fail_msg("%s", err.msg);
    assert_true(r.bolt && r.patch_size == c->patch_size && r.offset == 0 && r.copy == NULL && r.ablate != NULL);
    const int B = 7, N = cl_rrp_len(c, &io.rrt), H = c->num_heads, T = cl_bolt_num_tokens(c, N);
    float *x = malloc(sizeof(float) * B * N);
    assert_int_equal(cl_rrp_make(c, &io.rrt, x, NULL, &err), 0);
    cl_state *s;
    assert_int_equal(cl_state_new(m, &s, &err), 0);
    cl_state_capture_all(s);
    assert_int_equal(cl_bolt_forward(s, x, B, N, &err), 0);
    int sh[5];
    const float *xa = cl_state_attn(s, CL_CROSS, sh); /* (layers, B, H, 1, T) */
    assert_int_equal(sh[0], c->num_decoder_layers); assert_int_equal(sh[3], 1); assert_int_equal(sh[4], T);
    const int m0 = (io.rrt.reps - 1) * io.rrt.seq_len;
    for (int l = 0; l < sh[0]; l++)
        for (int h = 0; h < H; h++) {
            double a = 0, b2 = 0;
            for (int b = 0; b < B; b++) {
                const float *row = xa + (((size_t)l * B + b) * H + h) * T;
                a += row[m0]; b2 += row[m0 + 1];
            }
            assert_float_equal(r.cur[l * H + h].mean, a / B, 1e-6);
            assert_float_equal(r.right[l * H + h].mean, b2 / B, 1e-6);
        }
    const float *ea = cl_state_attn(s, CL_ENC_SELF, sh); /* (layers, B, H, T, T) */
    assert_int_equal(sh[3], T);
    const int q = io.rrt.reps * io.rrt.seq_len;
    for (int l = 0; l < sh[0]; l++)
        for (int h = 0; h < H; h++) {
            double a = 0, b2 = 0;
            for (int b = 0; b < B; b++) {
                const float *row = ea + ((((size_t)l * B + b) * H + h) * T + q) * T;
                a += row[m0]; b2 += row[m0 + 1];
            }
            assert_float_equal(r.enc_cur[l * H + h].mean, a / B, 1e-6);
            assert_float_equal(r.enc_right[l * H + h].mean, b2 / B, 1e-6);
        }
    /* offset 0 is the plain test: an explicit offset 0 run gives the same numbers; a shifted
     * block gives others */
    cl_induction_result r4;
    io.rrt.offset = 4;
    if (cl_induction_run(m, &io, &r4, &err)) fail_msg("%s", err.msg);
    int differ = 0;
    for (int i = 0; i < r.layers * r.heads; i++) differ |= r.right[i].mean != r4.right[i].mean;
    assert_true(differ);
    assert_int_equal(r4.offset, 4);
    cl_induction_free(&r4);
    /* the ablation: heads of the decoder change the first-step median (a random model's
     * heads all write something), values finite */
    for (int i = 0; i < r.layers * r.heads; i++) assert_true(isfinite(r.ablate[i].mean));
    cl_state_free(s);
    free(x);
    cl_induction_free(&r);
    cl_model_free(m);
}

/* the sweep runs the Bolt test per cell and refuses a cell over the context length */
static void test_sweep(void **st) {
    (void)st;
    cl_model *m = load(RAND);
    cl_error err;
    int reps[2] = {2, 3}, lens[2] = {2, 6};
    cl_sweep_opts so = {.n_reps = 2, .n_lens = 2, .reps = reps, .lens = lens};
    so.base.rrt.batch = 5;
    so.base.threshold = 0.3;
    so.base.seeds = 1;
    cl_sweep_result r;
    if (cl_sweep_run(m, &so, &r, &err)) fail_msg("%s", err.msg);
    for (int i = 0; i < 4; i++) assert_true(r.cells[i].cross[CL_ANY].n >= 0 && r.cells[i].cross[CL_ANY].n <= 12);
    cl_sweep_free(&r);
    lens[1] = 20; /* 3*20 + 1 patches of 16 > 512 */
    assert_int_equal(cl_sweep_run(m, &so, &r, &err), CL_EINVAL);
    assert_non_null(strstr(err.msg, "context length"));
    cl_model_free(m);
}


/* ------------------------------------------------------------ planted Bolt circuit */

enum { Q_D = 128, Q_H = 4, Q_DK = 32, Q_HD = 128, Q_ENC_HEAD = 1, Q_DEC_HEAD = 2 };
#define DIM_A 0     /* dims 0..15: the patch's (normalised) values */
#define DIM_B 16    /* dims 16..31: the previous patch's values (encoder layer 0) */
#define DIM_D 32    /* dims 32..47: the decoder's copy of the last patch (decoder layer 0) */
#define DIM_ONE 126 /* a constant in every patch and in the decoder query */
#define DIM_REG 127 /* the [REG] flag */

typedef struct bplanted {
    cl_model *m;
    float *buf[32];
    int nbuf;
} bplanted;

static float *zalloc(bplanted *p, size_t n) {
    float *x = calloc(n, sizeof(float));
    assert_non_null(x);
    p->buf[p->nbuf++] = x;
    return x;
}

/* A Bolt model whose only induction heads are encoder layer 1 head 1 and decoder layer 1
 * cross head 2 (every other weight zero: those heads attend uniformly):
 *  - the input block copies a patch's 16 values to A and a constant to ONE; [REG] =
 *    shared.weight[1] = the REG flag;
 *  - encoder layer 0 head 0 attends to the previous patch (relative bias +30 at -1) and
 *    copies its A into B;
 *  - encoder layer 1 head 1: query A, key B: from each patch to the patch after an earlier
 *    occurrence of the same patch (a large negative key on REG, whose B is the last patch);
 *  - decoder layer 0 cross head 0 reads REG's B (the last patch, s_0) into D;
 *  - decoder layer 1 cross head 2: query D, key B: the patch after an earlier s_0, i.e. the
 *    continuation s_1; its value A is written back to A, and the output block maps A's
 *    first dim to the first forecast step of every quantile. */
static void bplanted_build(bplanted *p, float qk) {
    memset(p, 0, sizeof *p);
    cl_error err;
    cl_config c;
    assert_int_equal(cl_config_preset("bolt-tiny", &c, &err), 0);
    c.d_model = Q_D; c.num_heads = Q_H; c.d_kv = Q_DK; c.d_ff = 8; c.num_layers = 2; c.num_decoder_layers = 2;
    c.context_length = 512;
    char dir[512];
    snprintf(dir, sizeof dir, "%s/bolt-planted", test_tmpdir());
    if (cl_checkpoint_init_random(dir, &c, 7, 0, NULL, &err)) fail_msg("%s", err.msg);
    if (cl_model_load(dir, NULL, &p->m, &err)) fail_msg("%s", err.msg);
    cl_model *m = p->m;
    const int ps = c.patch_size, QH = c.n_quantiles * c.prediction_length, F = m->patch_in.hidden;
    const size_t W = (size_t)Q_HD * Q_D;
    float *zero = zalloc(p, (size_t)QH * Q_D > W ? (size_t)QH * Q_D : W), *ones = zalloc(p, Q_D);
    for (int i = 0; i < Q_D; i++) ones[i] = 1.0f;
    float *E = zalloc(p, 2 * Q_D);
    E[0 * Q_D + DIM_ONE] = 1.0f; /* the decoder query */
    E[1 * Q_D + DIM_REG] = 1.0f; /* [REG] */
    float *res_w = zalloc(p, (size_t)Q_D * 2 * ps), *res_b = zalloc(p, Q_D), *zf = zalloc(p, (size_t)F * (2 * ps + Q_D + QH));
    for (int i = 0; i < ps; i++) res_w[(size_t)(DIM_A + i) * 2 * ps + i] = 1.0f;
    res_b[DIM_ONE] = 1.0f;
    m->patch_in = (resblock_w){zf, zf, zf, zf, res_w, res_b, NULL, NULL, NULL, 2 * ps, F, Q_D};
    float *out_w = zalloc(p, (size_t)QH * Q_D);
    for (int q = 0; q < c.n_quantiles; q++) out_w[(size_t)q * c.prediction_length * Q_D + DIM_A] = 1.0f;
    m->patch_out = (resblock_w){zf, zf, zf, zf, out_w, zf, NULL, NULL, NULL, Q_D, F, QH};
    m->embed = E;
    float *enc_rel = zalloc(p, (size_t)c.num_buckets * Q_H);
    enc_rel[cl_relative_bucket(-1, 1, c.num_buckets, c.max_distance) * Q_H + 0] = 30.0f;
    m->enc_rel = enc_rel;
    m->dec_rel = zero;
    m->enc_final = m->dec_final = ones;
    /* encoder layer 0: previous-patch head 0, A -> B */
    float *v0 = zalloc(p, W), *o0 = zalloc(p, W);
    for (int i = 0; i < 16; i++) {
        v0[(size_t)(0 * Q_DK + i) * Q_D + DIM_A + i] = 1.0f;
        o0[(size_t)(DIM_B + i) * Q_HD + 0 * Q_DK + i] = 1.0f;
    }
    /* encoder layer 1: induction head (query A, key B), REG keyed away */
    float *q1 = zalloc(p, W), *k1 = zalloc(p, W);
    /* decoder layer 0: cross head 0 reads REG's B into D */
    float *dq0 = zalloc(p, W), *dk0 = zalloc(p, W), *dv0 = zalloc(p, W), *do0 = zalloc(p, W);
    /* decoder layer 1: cross head 2 (query D, key B) reads A of the patch it finds */
    float *dq1 = zalloc(p, W), *dk1 = zalloc(p, W), *dv1 = zalloc(p, W), *do1 = zalloc(p, W);
    for (int i = 0; i < 16; i++) {
        int e = Q_ENC_HEAD * Q_DK + i, d = Q_DEC_HEAD * Q_DK + i;
        q1[(size_t)e * Q_D + DIM_A + i] = qk;
        k1[(size_t)e * Q_D + DIM_B + i] = 1.0f;
        dv0[(size_t)(0 * Q_DK + i) * Q_D + DIM_B + i] = 1.0f;
        do0[(size_t)(DIM_D + i) * Q_HD + 0 * Q_DK + i] = 1.0f;
        dq1[(size_t)d * Q_D + DIM_D + i] = qk;
        dk1[(size_t)d * Q_D + DIM_B + i] = 1.0f;
        dv1[(size_t)d * Q_D + DIM_A + i] = 1.0f;
        do1[(size_t)(DIM_A + i) * Q_HD + d] = 1.0f;
    }
    q1[(size_t)(Q_ENC_HEAD * Q_DK + 16) * Q_D + DIM_ONE] = 1.0f;
    k1[(size_t)(Q_ENC_HEAD * Q_DK + 16) * Q_D + DIM_REG] = -100.0f;
    dq1[(size_t)(Q_DEC_HEAD * Q_DK + 16) * Q_D + DIM_ONE] = 1.0f;
    dk1[(size_t)(Q_DEC_HEAD * Q_DK + 16) * Q_D + DIM_REG] = -100.0f;
    dq0[(size_t)(0 * Q_DK) * Q_D + DIM_ONE] = 3.0f;
    dk0[(size_t)(0 * Q_DK) * Q_D + DIM_REG] = 3.0f;
    for (int l = 0; l < 2; l++) {
        layer_w *e = &m->enc[l], *d = &m->dec[l];
        e->ln_self = e->ln_ff = ones;
        e->self = l == 0 ? (attn_w){zero, zero, v0, o0} : (attn_w){q1, k1, zero, zero};
        e->wi = e->wo = zero;
        d->ln_self = d->ln_cross = d->ln_ff = ones;
        d->self = (attn_w){zero, zero, zero, zero};
        d->cross = l == 0 ? (attn_w){dq0, dk0, dv0, do0} : (attn_w){dq1, dk1, dv1, do1};
        d->wi = d->wo = zero;
    }
}

static void bplanted_free(bplanted *p) {
    cl_model_free(p->m);
    for (int i = 0; i < p->nbuf; i++) free(p->buf[i]);
}

static void test_planted(void **st) {
    (void)st;
    bplanted p;
    bplanted_build(&p, 1.0f);
    cl_error err;
    cl_induction_opts io;
    memset(&io, 0, sizeof io);
    io.rrt = rrp_opts(10, 2, 40, 5, 0);
    io.threshold = 0.3;
    io.seeds = 1;
    io.strict = 1;
    cl_induction_result r;
    if (cl_induction_run(p.m, &io, &r, &err)) fail_msg("%s", err.msg);
    const int enc_i = 1 * Q_H + Q_ENC_HEAD, dec_i = 1 * Q_H + Q_DEC_HEAD;
    if (getenv("CL_TEST_VERBOSE")) {
        for (int i = 0; i < r.enc_layers * r.heads; i++)
            print_message("enc %d: cur %.4f right %.4f\n", i, r.enc_cur[i].mean, r.enc_right[i].mean);
        for (int i = 0; i < r.layers * r.heads; i++)
            print_message("cross %d: cur %.4f right %.4f abl %.4f\n", i, r.cur[i].mean, r.right[i].mean, r.ablate[i].mean);
    }
    for (int i = 0; i < r.enc_layers * r.heads; i++) {
        assert_int_equal(cl_induction_enc_above(&r, i, CL_RIGHT), i == enc_i);
        assert_false(cl_induction_enc_above(&r, i, CL_CUR));
    }
    for (int i = 0; i < r.layers * r.heads; i++) {
        assert_int_equal(cl_induction_above(&r, i, CL_RIGHT), i == dec_i);
        assert_false(cl_induction_above(&r, i, CL_CUR));
        assert_int_equal(cl_induction_strict(&r, i, CL_RIGHT), i == dec_i);
    }
    /* two earlier occurrences of s_0 (patches 0 and L) share the attention: ~1/2 each */
    assert_true(r.enc_right[enc_i].mean > 0.45 && r.enc_right[enc_i].mean <= 0.5 + 1e-6);
    assert_true(r.right[dec_i].mean > 0.45 && r.right[dec_i].mean <= 0.5 + 1e-6);
    assert_true(r.ablate[dec_i].mean < -0.1); /* without it the first step misses s_1[0] */
    assert_int_equal(r.cross[CL_ANY].n, 1);
    assert_int_equal(r.enc[CL_ANY].n, 1);
    assert_int_equal(r.strict_count[CL_RIGHT].n, 1);
    /* the same run as a study: its scores-table rows (sampling patches, family bolt) give the
     * claims — exist and the strict extension supported by the planted head alone */
    {
        cl_induction_study_opts so;
        cl_induction_study_default(&so);
        so.base = io;
        cl_study_model info = {.name = "bolt-planted", .parameters = NAN};
        cl_induction_set set;
        if (cl_induction_study_run(&p.m, &info, 1, &so, &set, &err)) fail_msg("%s", err.msg);
        cl_scores t = {0};
        int skipped = -1;
        if (cl_induction_scores(&set, &t, &skipped, &err)) fail_msg("%s", err.msg);
        assert_int_equal(skipped, 0);
        assert_int_equal(t.n, r.layers * r.heads * 5); /* current, right, the two sums, ablation_median */
        for (int i = 0; i < t.n; i++) {
            assert_int_equal(t.rows[i].sampling, CL_SAMPLING_PATCHES);
            assert_int_equal(t.rows[i].family, CL_FAMILY_BOLT);
            assert_true(t.rows[i].criterion != CL_CRIT_ABLATION);
        }
        cl_verdicts v;
        if (cl_claims_run(&t, NULL, NULL, &v, &err)) fail_msg("%s", err.msg);
        int seen = 0;
        for (int i = 0; i < v.n; i++) {
            const cl_verdict *x = &v.v[i];
            if (getenv("CL_TEST_VERBOSE")) print_message("%s: %s — %s\n", x->id, cl_verdict_word(x->verdict), x->reason);
            assert_int_equal(x->family, CL_FAMILY_BOLT);
            if (!strcmp(x->id, "exist")) {
                seen++;
                assert_int_equal(x->verdict, CL_SUPPORTED);
                assert_float_equal(x->value[0], 1, 0); /* heads >= 0.3: the planted one */
                assert_float_equal(x->value[4], 1, 0); /* its layer */
                assert_float_equal(x->value[5], Q_DEC_HEAD, 0);
            }
            if (!strcmp(x->id, "strict")) {
                seen++;
                assert_int_equal(x->verdict, CL_SUPPORTED);
            }
            if (!strcmp(x->id, "band")) {
                seen++;
                assert_int_equal(x->verdict, CL_UNDECIDED);
                assert_non_null(strstr(x->reason, "Chronos-Bolt"));
            }
        }
        assert_int_equal(seen, 3);
        cl_verdicts_free(&v);
        /* a run off the patch grid is not the plain test: no rows, counted as skipped */
        set.opts.rrt.offset = 4;
        cl_scores u = {0};
        if (cl_induction_scores(&set, &u, &skipped, &err)) fail_msg("%s", err.msg);
        assert_int_equal(skipped, 1);
        assert_int_equal(u.n, 0);
        cl_scores_free(&u);
        cl_scores_free(&t);
        cl_induction_set_free(&set);
    }
    /* misaligned by half a patch, no earlier patch repeats the query: the content match
     * weakens (the score of the offset run is the patch-model question of docs/induction.md) */
    io.strict = 0;
    for (int off = 4; off <= 12; off += 4) {
        cl_induction_result r8;
        io.rrt.offset = off;
        if (cl_induction_run(p.m, &io, &r8, &err)) fail_msg("%s", err.msg);
        if (getenv("CL_TEST_VERBOSE"))
            print_message("offset %d: enc right %.4f cross right %.4f\n", off, r8.enc_right[enc_i].mean, r8.right[dec_i].mean);
        assert_true(r8.enc_right[enc_i].mean < r.enc_right[enc_i].mean);
        assert_true(r8.right[dec_i].mean < r.right[dec_i].mean);
        cl_induction_free(&r8);
    }
    cl_induction_free(&r);
    bplanted_free(&p);
}

/* The offsets sweep on the planted circuit: offset 0 is the plain test, the planted heads'
 * scores fall with misalignment; offsets.json reads back number for number (writing the read
 * set gives the same bytes, offsets.csv too), the figure is drawn, malformed files name the
 * file and the problem. */
static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* a number as offsets.json keeps it: cJSON writes 15 digits when they read back within its
 * compare_double (DBL_EPSILON relative), else 17 */
static int as_written(double a, double b) { return a == b || fabs(a - b) <= DBL_EPSILON * fmax(fabs(a), fabs(b)); }

static void test_offsets_planted(void **st) {
    (void)st;
    bplanted p;
    bplanted_build(&p, 1.0f);
    cl_error err;
    cl_induction_study_opts so;
    cl_induction_study_default(&so);
    so.base.rrt = rrp_opts(10, 2, 40, 5, 0);
    so.base.threshold = 0.3;
    so.base.seeds = 1;
    so.base.strict = 0;
    cl_study_model info;
    memset(&info, 0, sizeof info);
    snprintf(info.name, sizeof info.name, "bolt-planted");
    snprintf(info.path, sizeof info.path, "%s/bolt-planted", test_tmpdir());
    info.parameters = NAN;
    cl_model *ms[1] = {p.m};
    const int offs[4] = {0, 4, 8, 12}, twice[2] = {4, 4};
    cl_rrp_offsets_set s;
    assert_int_equal(cl_rrp_offsets_run(ms, &info, 1, &so, twice, 2, &s, &err), CL_EINVAL);
    assert_non_null(strstr(err.msg, "4 given twice"));
    if (cl_rrp_offsets_run(ms, &info, 1, &so, offs, 4, &s, &err)) fail_msg("%s", err.msg);
    assert_null(s.done);
    cl_induction_result plain;
    if (cl_induction_run(p.m, &so.base, &plain, &err)) fail_msg("%s", err.msg);
    const int enc_i = 1 * Q_H + Q_ENC_HEAD, dec_i = 1 * Q_H + Q_DEC_HEAD;
    for (int i = 0; i < plain.layers * plain.heads; i++) assert_true(s.res[0].right[i].mean == plain.right[i].mean);
    for (int i = 0; i < plain.enc_layers * plain.heads; i++) assert_true(s.res[0].enc_right[i].mean == plain.enc_right[i].mean);
    cl_induction_free(&plain);
    for (int j = 0; j < 4; j++) {
        const cl_induction_result *x = &s.res[j];
        if (getenv("CL_TEST_VERBOSE"))
            print_message("offset %2d: encoder right %.4f (heads >= 0.3: %d), cross right %.4f (%d)\n", offs[j],
                          x->enc_right[enc_i].mean, x->enc[CL_ANY].n, x->right[dec_i].mean, x->cross[CL_ANY].n);
        if (j) { /* misaligned: below the aligned score */
            assert_true(x->enc_right[enc_i].mean < s.res[0].enc_right[enc_i].mean);
            assert_true(x->right[dec_i].mean < s.res[0].right[dec_i].mean);
        }
    }
    char dir[512], dir2[600], a[700];
    snprintf(dir, sizeof dir, "%s/offsets-rt", test_tmpdir());
    snprintf(dir2, sizeof dir2, "%s/again", dir);
    assert_int_equal(run_cmd("rm -rf '%s' && mkdir -p '%s'", dir, dir2), 0);
    if (cl_rrp_offsets_write(&s, dir, &err) || cl_fig_offsets(&s, dir, &err)) fail_msg("%s", err.msg);
    snprintf(a, sizeof a, "%s/offsets.png", dir);
    assert_int_equal(access(a, F_OK), 0);
    snprintf(a, sizeof a, "%s/offsets.svg", dir);
    assert_int_equal(access(a, F_OK), 0);
    cl_rrp_offsets_set r;
    if (cl_rrp_offsets_read(dir, &r, &err)) fail_msg("%s", err.msg);
    assert_null(r.done);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.n_off, 4);
    assert_memory_equal(r.offsets, offs, sizeof offs);
    assert_int_equal(r.opts.rrt.seq_len, 10);
    assert_int_equal(r.opts.rrt.batch, 40);
    assert_true(r.opts.rrt.seed == 5 && r.opts.threshold == 0.3 && r.opts.seeds == 1);
    assert_string_equal(r.models[0].name, "bolt-planted");
    assert_true(as_written(r.models[0].seconds, s.models[0].seconds));
    for (int j = 0; j < 4; j++) {
        const cl_induction_result *x = &s.res[j], *y = &r.res[j];
        assert_true(y->layers == x->layers && y->heads == x->heads && y->enc_layers == x->enc_layers);
        assert_true(y->patch_size == 16 && y->offset == offs[j] && y->bolt);
        for (int c = 0; c < 3; c++) assert_true(y->cross[c].n == x->cross[c].n && y->enc[c].n == x->enc[c].n);
        for (int i = 0; i < x->layers * x->heads; i++)
            assert_true(as_written(y->cur[i].mean, x->cur[i].mean) && as_written(y->right[i].mean, x->right[i].mean));
        for (int i = 0; i < x->enc_layers * x->heads; i++)
            assert_true(as_written(y->enc_cur[i].mean, x->enc_cur[i].mean) &&
                        as_written(y->enc_right[i].mean, x->enc_right[i].mean));
    }
    if (cl_rrp_offsets_write(&r, dir2, &err)) fail_msg("%s", err.msg);
    assert_int_equal(run_cmd("cmp -s '%s/offsets.json' '%s/offsets.json'", dir, dir2), 0);
    assert_int_equal(run_cmd("cmp -s '%s/offsets.csv' '%s/offsets.csv'", dir, dir2), 0);
    cl_rrp_offsets_free(&r);
    cl_rrp_offsets_free(&s);
    bplanted_free(&p);
    /* malformed files: "PATH: problem", nothing kept */
    snprintf(a, sizeof a, "%s/offsets.json", dir);
    char *good = slurp(a);
    struct { const char *from, *to, *msg; } bad[] = {
        {"\"offsets\":\t[0, 4, 8, 12]", "\"offsets\":\t[0, 4, 4, 12]", "an offset twice"},
        {"\"offset\":\t8", "\"offset\":\t9", "not one of the settings' offsets"},
        {"\"offset\":\t8", "\"offset\":\t4", "a second run"},
        {"\"cross_current\":\t[", "\"cross_current\":\t[0.5, ", "values for 8 heads"},
        {"\"encoder_max_right\":\t", "\"encoder_max_right\":\t7", "not the largest"},
        {"\"seq_len\":\t10", "\"seq_len\":\t\"ten\"", "seq_len"},
        {"\"models\":", "\"modelz\":", "models"},
    };
    for (size_t q = 0; q < sizeof bad / sizeof bad[0]; q++) {
        char *at = strstr(good, bad[q].from);
        assert_non_null(at);
        size_t n0 = (size_t)(at - good), nf = strlen(bad[q].from);
        char *t = malloc(strlen(good) + strlen(bad[q].to) + 1);
        memcpy(t, good, n0);
        strcpy(t + n0, bad[q].to);
        strcat(t, at + nf);
        write_text(a, t);
        free(t);
        assert_int_equal(cl_rrp_offsets_read(dir, &r, &err), CL_EFORMAT);
        assert_non_null(strstr(err.msg, a));
        if (!strstr(err.msg, bad[q].msg)) fail_msg("case %zu: '%s' lacks '%s'", q, err.msg, bad[q].msg);
        assert_null(r.res);
    }
    write_text(a, "{\"settings\": ");
    assert_int_equal(cl_rrp_offsets_read(dir, &r, &err), CL_EFORMAT);
    assert_non_null(strstr(err.msg, a));
    free(good);
}

/* the commands: induction on a Bolt model writes the usual files (Bolt keys), --offsets adds
 * offsets.json/csv, a bad offset is one line and status 2 */
static void test_cli(void **st) {
    (void)st;
    char out[512], p[700];
    snprintf(out, sizeof out, "%s/rrp-cli", test_tmpdir());
    assert_int_equal(run_cmd("'%s' induction --quiet --model '%s' --out '%s' --seq-len 4 --batch 6 --offsets 0,4,8", CL_CLI,
                             RAND, out), 0);
    snprintf(p, sizeof p, "%s/induction.json", out);
    cJSON *j = read_json(p);
    const cJSON *m0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "models"), 0);
    assert_string_equal(cJSON_GetObjectItem(m0, "family")->valuestring, "bolt");
    assert_null(cJSON_GetObjectItem(m0, "token_range"));
    const cJSON *h0 = cJSON_GetArrayItem(cJSON_GetObjectItem(m0, "cross_heads"), 0);
    assert_non_null(cJSON_GetObjectItem(h0, "ablation_dmedian_err"));
    assert_null(cJSON_GetObjectItem(h0, "copying"));
    const double plain = cJSON_GetObjectItem(cJSON_GetObjectItem(h0, "right"), "mean")->valuedouble;
    cJSON_Delete(j);
    snprintf(p, sizeof p, "%s/offsets.json", out);
    j = read_json(p);
    const cJSON *runs = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "models"), 0), "runs");
    assert_int_equal(cJSON_GetArraySize(runs), 3);
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(runs, 2), "offset")->valueint, 8);
    cJSON_Delete(j);
    snprintf(p, sizeof p, "%s/offsets.png", out);
    assert_int_equal(access(p, F_OK), 0); /* the figure of the sweep */
    snprintf(p, sizeof p, "%s/offsets.svg", out);
    assert_int_equal(access(p, F_OK), 0);
    snprintf(p, sizeof p, "%s/offsets.csv", out);
    char *csv = slurp(p);
    assert_non_null(strstr(csv, "\nbolt-rand,0,cross,0,0,"));
    assert_non_null(strstr(csv, "\nbolt-rand,8,encoder,1,3,"));
    free(csv);
    /* the reader takes the Bolt file back */
    cl_induction_set set;
    cl_error err;
    if (cl_induction_read(out, &set, &err)) fail_msg("%s", err.msg);
    assert_true(set.res[0].bolt && set.res[0].copy == NULL && set.res[0].patch_size == 16);
    assert_true(set.res[0].right[0].mean == plain);
    cl_induction_set_free(&set);
    char log[600];
    snprintf(log, sizeof log, "%s/rrp-cli.txt", test_tmpdir());
    assert_int_equal(run_cmd("'%s' induction --model '%s' --out '%s' --offset 16 2> '%s'", CL_CLI, RAND, out, log), 2);
    char *t = slurp(log);
    assert_non_null(strstr(t, "--offset 16"));
    assert_non_null(strstr(t, "patch size 16"));
    free(t);
    assert_int_equal(run_cmd("'%s' induction -q --model '%s' --out '%s' --seq-len 4 --offsets 4,0,4 2> '%s'", CL_CLI, RAND,
                             out, log), 2);
    t = slurp(log);
    assert_non_null(strstr(t, "--offsets: 4 given twice"));
    free(t);
    char fresh[700]; /* refused before --out is claimed: no folder left behind */
    snprintf(fresh, sizeof fresh, "%s/offsets-refused", test_tmpdir());
    assert_int_equal(run_cmd("'%s' induction -q --model '%s' --out '%s' --offsets 4,0,4 2>/dev/null", CL_CLI, RAND, fresh), 2);
    assert_false(dir_exists(fresh));
    /* a sweep cell over the context: refused before anything runs, naming the model */
    assert_int_equal(run_cmd("'%s' sweep --model '%s' --out '%s' --batch 2 2> '%s'", CL_CLI, RAND, out, log), 2);
    t = slurp(log);
    assert_non_null(strstr(t, RAND));
    assert_non_null(strstr(t, "exceed the context length 512"));
    free(t);
    assert_int_equal(run_cmd("'%s' induction --model '%s' --out '%s' --offset 4 2> '%s'", CL_CLI, CL_FIXTURES "/rand-small", out, log), 2);
    t = slurp(log);
    assert_non_null(strstr(t, "means nothing for the Chronos-T5 model"));
    free(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_layout),
        cmocka_unit_test(test_scores_direct),
        cmocka_unit_test(test_sweep),
        cmocka_unit_test(test_planted),
        cmocka_unit_test(test_offsets_planted),
        cmocka_unit_test(test_cli),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
