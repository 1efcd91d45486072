/* test_c2_study.c — the studies on Chronos-2 (docs/chronos2.md, docs/induction.md): the
 * repeated-random-patches test over the time attention (two query rows: the final s_0 and the
 * first future token) equals the maps of a whole forward pass; its ablation equals gated
 * passes; the files label the future token's rows and carry the family through the scores
 * table to the claims. */
#include "testutil.h"
#include "study/induction/induction.h"
#include "study/common/rrp.h"
#include "study/common/scores_table.h"
#include "study/induction/sweep.h"
#include "study/induction/scores_from.h"
#include "core/core.h"
#include "io/safetensors.h"
#include "study/group_attention/group_attention.h"
#include "study/multisine/bolt_multisine.h"

#include <cjson/cJSON.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define C2 CL_FIXTURES "/chronos2-rand"

static cl_model *load(const char *dir) {
    cl_model *m;
    cl_error err;
    if (cl_model_load(dir, NULL, &m, &err)) fail_msg("%s", err.msg);
    return m;
}

/* cl_induction_run's Chronos-2 scores = the batch means of a whole pass's time-attention rows
 * R·L (final s_0: enc_*) and R·L + 2 (first future token: cur/right), at (R−1)·L and +1 */
static void test_scores_direct(void **st) {
    (void)st;
    cl_model *m = load(C2);
    const cl_config *c = cl_model_config(m);
    cl_error err;
    cl_induction_opts io;
    memset(&io, 0, sizeof io);
    io.rrt = (cl_rrt_opts){.seq_len = 5, .reps = 3, .batch = 6, .seed = 4};
    io.threshold = 0.3;
    io.seeds = 1;
    io.strict = 1;
    cl_induction_result r;
    if (cl_induction_run(m, &io, &r, &err)) fail_msg("%s", err.msg);
    assert_true(r.chronos2 && r.bolt && r.copy == NULL && r.ablate != NULL);
    assert_int_equal(r.layers, c->num_layers);
    assert_int_equal(r.enc_layers, c->num_layers);
    const int B = 6, N = cl_rrp_len(c, &io.rrt), H = c->num_heads, RL = 15, S = RL + 3;
    assert_int_equal(cl_chronos2_num_tokens(c, N, 1), S); /* patches, [REG], one future token */
    float *x = malloc(sizeof(float) * B * N), *tgt = malloc(sizeof(float) * B);
    assert_int_equal(cl_rrp_make(c, &io.rrt, x, tgt, &err), 0);
    cl_state *s;
    assert_int_equal(cl_state_new(m, &s, &err), 0);
    cl_state_capture_all(s);
    cl_chronos2_input in = {.context = x, .B = B, .L = N, .num_output_patches = 1};
    cl_chronos2_result res;
    assert_int_equal(cl_chronos2_forward(s, &in, &res, &err), 0);
    int sh[5];
    const float *a = cl_state_attn(s, CL_ENC_SELF, sh); /* (layers, B, H, S, S) */
    assert_int_equal(sh[3], S);
    assert_int_equal(sh[4], S);
    const int m0 = (io.rrt.reps - 1) * io.rrt.seq_len;
    for (int l = 0; l < sh[0]; l++)
        for (int h = 0; h < H; h++) {
            double fc = 0, fr = 0, ec = 0, er = 0, fall = 0;
            for (int b = 0; b < B; b++) {
                const float *base = a + (((size_t)l * B + b) * H + h) * S * S;
                const float *fut = base + (size_t)(RL + 2) * S, *s0 = base + (size_t)RL * S;
                fc += fut[m0]; fr += fut[m0 + 1]; ec += s0[m0]; er += s0[m0 + 1];
                for (int k = 0; k < io.rrt.reps; k++) fall += fut[k * io.rrt.seq_len];
            }
            const int i = l * H + h;
            assert_float_equal(r.cur[i].mean, fc / B, 1e-6);
            assert_float_equal(r.right[i].mean, fr / B, 1e-6);
            assert_float_equal(r.enc_cur[i].mean, ec / B, 1e-6);
            assert_float_equal(r.enc_right[i].mean, er / B, 1e-6);
            assert_float_equal(r.cur_all[i].mean, fall / B, 1e-5); /* every occurrence */
        }
    /* the ablation of head (1, 2): |median - s_1[0]| clean minus gated, per series, averaged */
    int qi = -1;
    for (int q = 0; q < c->n_quantiles; q++)
        if (fabs(c->quantiles[q] - 0.5) < 1e-9) qi = q;
    assert_true(qi >= 0);
    const int ps = c->patch_size, Q = c->n_quantiles;
    double clean[6], d = 0;
    for (int b = 0; b < B; b++) clean[b] = fabs((double)res.quantile_preds[((size_t)b * Q + qi) * ps] - tgt[b]);
    assert_int_equal(cl_state_set_head_gate(s, CL_ENC_SELF, 1, 2, 0.0f, &err), 0);
    assert_int_equal(cl_chronos2_forward(s, &in, &res, &err), 0);
    for (int b = 0; b < B; b++) d += clean[b] - fabs((double)res.quantile_preds[((size_t)b * Q + qi) * ps] - tgt[b]);
    assert_float_equal(r.ablate[1 * H + 2].mean, d / B, 1e-5);
    cl_state_free(s);
    free(x);
    free(tgt);
    cl_induction_free(&r);
    cl_model_free(m);
}

/* the sweep runs per cell, refusing a cell over the context (32 patches here) */
static void test_sweep(void **st) {
    (void)st;
    cl_model *m = load(C2);
    cl_error err;
    int reps[2] = {2, 3}, lens[2] = {2, 6};
    cl_sweep_opts so = {.n_reps = 2, .n_lens = 2, .reps = reps, .lens = lens};
    so.base.rrt.batch = 4;
    so.base.threshold = 0.3;
    so.base.seeds = 1;
    cl_sweep_result r;
    if (cl_sweep_run(m, &so, &r, &err)) fail_msg("%s", err.msg);
    assert_true(r.chronos2);
    for (int i = 0; i < 4; i++) assert_int_equal(r.cells[i].layers, 3);
    cl_scores t = {0};
    assert_int_equal(cl_scores_from_sweep(&t, "c2", 1e5, CL_SAMPLING_PATCHES, &r, 4, &err), 0);
    assert_int_equal(cl_scores_family(&t, "c2"), CL_FAMILY_CHRONOS2);
    cl_scores_free(&t);
    cl_sweep_free(&r);
    lens[1] = 20; /* 3*20 + 1 patches of 16 > 512 */
    assert_int_equal(cl_sweep_run(m, &so, &r, &err), CL_EINVAL);
    assert_non_null(strstr(err.msg, "context length"));
    cl_model_free(m);
}

/* `induction` on a Chronos-2 folder: the future token's rows labelled, the family in the
 * files, the scores table and the claims */
static void test_cli(void **st) {
    (void)st;
    char out[512], p[1200];
    snprintf(out, sizeof out, "%s/c2-ind", test_tmpdir());
    assert_int_equal(run_cmd("'%s' induction --quiet --model '%s' --out '%s' --batch 4", CL_CLI, C2, out), 0);
    snprintf(p, sizeof p, "%s/induction.csv", out);
    char *csv = slurp(p);
    assert_non_null(strstr(csv, "\nchronos2-rand,future,0,0,"));
    assert_non_null(strstr(csv, "\nchronos2-rand,encoder,2,4,"));
    assert_null(strstr(csv, ",cross,"));
    free(csv);
    snprintf(p, sizeof p, "%s/scores.csv", out);
    csv = slurp(p);
    assert_non_null(strstr(csv, ",family\n"));
    assert_non_null(strstr(csv, ",patches,2,10,2,4,ablation_median,"));
    assert_non_null(strstr(csv, ",chronos2\n"));
    free(csv);
    cl_induction_set set;
    cl_error err;
    if (cl_induction_read(out, &set, &err)) fail_msg("%s", err.msg);
    assert_true(set.res[0].chronos2 && set.res[0].bolt && set.res[0].layers == 3);
    cl_induction_set_free(&set);
    /* the claims read the family back: exist's test is Chronos-2's, band is undecided */
    char cl[600];
    snprintf(cl, sizeof cl, "%s/claims", out);
    assert_int_equal(run_cmd("'%s' claims --quiet --scores '%s/scores.csv' --out '%s'", CL_CLI, out, cl), 0);
    snprintf(p, sizeof p, "%s/claims.csv", cl);
    csv = slurp(p);
    assert_non_null(strstr(csv, "exist,\"chronos2-rand\",chronos2,"));
    assert_non_null(strstr(csv, "band,\"chronos2-rand\",chronos2,undecided"));
    free(csv);
    /* the sweep: its cells over the context are refused, or skipped with --skip-unfit */
    char sw[600];
    snprintf(sw, sizeof sw, "%s/sweep", out);
    assert_int_equal(run_cmd("'%s' sweep --quiet --model '%s' --out '%s' --batch 2 --reps-list 2,3 --len-list 2,4 2>/dev/null", CL_CLI, C2, sw), 0);
    snprintf(p, sizeof p, "%s/sweep.json", sw);
    csv = slurp(p);
    assert_non_null(strstr(csv, "\"family\":\t\"chronos2\""));
    free(csv);
}

/* ------------------------------------------------------------ multisine */

/* the attention signal: the first future token's time-attention row over the context patches */
static void test_ms_signal(void **st) {
    (void)st;
    cl_model *m = load(C2);
    const cl_config *c = cl_model_config(m);
    cl_error err;
    const int B = 2, L = 200, P = cl_bolt_num_patches(c, L), S = P + 2, H = c->num_heads, NL = c->num_layers;
    assert_int_equal(P, 13); /* 200 values left-padded to 13 patches of 16 */
    float *x = malloc(sizeof(float) * B * L), *sig = malloc(sizeof(float) * B * NL * H * P);
    for (int i = 0; i < B * L; i++) x[i] = sinf(0.3f * i) + 0.5f * sinf(0.05f * i);
    cl_state *s;
    assert_int_equal(cl_state_new(m, &s, &err), 0);
    assert_int_equal(cl_bolt_ms_attention(s, x, B, L, sig, &err), 0);
    cl_state_capture_all(s);
    cl_chronos2_input in = {.context = x, .B = B, .L = L, .num_output_patches = 1};
    cl_chronos2_result res;
    assert_int_equal(cl_chronos2_forward(s, &in, &res, &err), 0);
    int sh[5];
    const float *a = cl_state_attn(s, CL_ENC_SELF, sh);
    assert_int_equal(sh[4], S);
    for (int b = 0; b < B; b++)
        for (int l = 0; l < NL; l++)
            for (int h = 0; h < H; h++)
                assert_memory_equal(sig + (((size_t)b * NL + l) * H + h) * P,
                                    a + ((((size_t)l * B + b) * H + h) * S + (S - 1)) * S, sizeof(float) * P);
    cl_state_free(s);
    free(x);
    free(sig);
    cl_model_free(m);
}

/* `multisine` on a Chronos-2 folder: one signal per patch, the family in the files */
static void test_ms_cli(void **st) {
    (void)st;
    char out[512], p[1200];
    snprintf(out, sizeof out, "%s/c2-ms", test_tmpdir());
    assert_int_equal(run_cmd("'%s' multisine --quiet --model '%s' --out '%s' --permutations 50", CL_CLI, C2, out), 0);
    cl_multisine_result r;
    cl_error err;
    if (cl_multisine_read(out, &r, &err)) fail_msg("%s", err.msg);
    assert_int_equal(r.bolt, 2);
    assert_int_equal(r.res[0].layers, 3);
    assert_int_equal(r.sig_points, 32); /* 512 values, patches of 16 */
    cl_multisine_free(&r);
    snprintf(p, sizeof p, "%s/multisine.json", out);
    char *j = slurp(p);
    assert_non_null(strstr(j, "\"chronos2\""));
    free(j);
    /* multisine-sweep in two parts, merged: the family survives the parts */
    char p1[700], p2[700], pm[700];
    snprintf(p1, sizeof p1, "%s/c2-mss1", test_tmpdir());
    snprintf(p2, sizeof p2, "%s/c2-mss2", test_tmpdir());
    snprintf(pm, sizeof pm, "%s/c2-mss", test_tmpdir());
    for (int k = 1; k <= 2; k++)
        assert_int_equal(run_cmd("'%s' multisine-sweep -q --model '%s' --out '%s' --configs 4 --batch 2 --permutations 50 "
                                 "--shard %d/2", CL_CLI, C2, k == 1 ? p1 : p2, k), 0);
    assert_int_equal(run_cmd("'%s' merge -q --out '%s' '%s' '%s'", CL_CLI, pm, p1, p2), 0);
    snprintf(p, sizeof p, "%s/sweep.json", pm);
    j = slurp(p);
    assert_non_null(strstr(j, "\"family\":\t\"chronos2\""));
    assert_non_null(strstr(j, "\"patches\":\t32"));
    free(j);
    /* a Chronos-2 among Chronos-Bolt models: refused */
    char log[600], fresh[600];
    snprintf(log, sizeof log, "%s/ms.txt", test_tmpdir());
    snprintf(fresh, sizeof fresh, "%s/ms-mixed", test_tmpdir());
    assert_int_equal(run_cmd("'%s' multisine -q --model '%s' --model '%s' --out '%s' 2> '%s'", CL_CLI, CL_FIXTURES "/bolt-rand",
                             C2, fresh, log), 2);
    char *t = slurp(log);
    assert_non_null(strstr(t, "run the families separately"));
    free(t);
}

/* ------------------------------------------------------------ group attention */

/* the group maps of chosen tokens are those tokens' slices of the whole capture */
static void test_group_tokens(void **st) {
    (void)st;
    cl_model *m = load(C2);
    const cl_config *c = cl_model_config(m);
    cl_error err;
    const int P = 6, G = 4, ng = 3, B = ng * G, Lv = P * c->patch_size, S = P + 2;
    float *x = malloc(sizeof(float) * B * Lv);
    int gid[12];
    cl_ga_make(c, P, G, 1, 0.5, 9, 0, ng, x, gid);
    /* B is A one patch later, plus noise; groups have their own ids */
    for (int t = c->patch_size; t < Lv; t++) assert_true(fabsf(x[t] - x[Lv + t - c->patch_size]) < 6.0f);
    assert_int_equal(gid[0], 0);
    assert_int_equal(gid[11], 2);
    cl_state *s;
    assert_int_equal(cl_state_new(m, &s, &err), 0);
    cl_chronos2_input in = {.context = x, .B = B, .L = Lv, .group_ids = gid, .num_output_patches = 1, .capture_group = 1};
    cl_chronos2_result res;
    assert_int_equal(cl_chronos2_forward(s, &in, &res, &err), 0);
    assert_int_equal(res.n_group_tokens, S);
    const int H = c->num_heads, NL = c->num_layers;
    const size_t plane = (size_t)H * B * B;
    float *all = malloc(sizeof(float) * NL * S * plane);
    memcpy(all, res.group_attn, sizeof(float) * NL * S * plane);
    const int toks[2] = {P - 1, -1};
    in.n_group_tokens = 2;
    in.group_tokens = toks;
    assert_int_equal(cl_chronos2_forward(s, &in, &res, &err), 0);
    assert_int_equal(res.n_group_tokens, 2);
    for (int l = 0; l < NL; l++) {
        assert_memory_equal(res.group_attn + ((size_t)l * 2 + 0) * plane, all + ((size_t)l * S + P - 1) * plane, sizeof(float) * plane);
        assert_memory_equal(res.group_attn + ((size_t)l * 2 + 1) * plane, all + ((size_t)l * S + S - 1) * plane, sizeof(float) * plane);
    }
    /* a token outside the pass, or twice: refused */
    const int bad[2] = {S, 0}, twice[2] = {S - 1, -1};
    in.group_tokens = bad;
    assert_int_equal(cl_chronos2_forward(s, &in, &res, &err), CL_EINVAL);
    assert_non_null(strstr(err.msg, "outside"));
    in.group_tokens = twice;
    assert_int_equal(cl_chronos2_forward(s, &in, &res, &err), CL_EINVAL);
    assert_non_null(strstr(err.msg, "twice"));
    cl_state_free(s);
    free(all);
    free(x);
    cl_model_free(m);
}

/* A checkpoint with one group-attention head built to read its partner, written to disk
 * (config.json and model.safetensors) from tests/fixtures/chronos2-rand: every layer's group
 * q and k are 0 (a uniform 1/G over the group) except head PH of layer PL, whose q and k copy
 * the first d_kv features of the normalised residual (times PSCALE, that layer's group norm
 * weights 1): B's query then matches the key of A (the same series at lag 0) and its own, not
 * the distractors'. remove = 1: that head's q and k are 0 too (the checkpoint without the
 * planted head). */
enum { PL = 1, PH = 3 };
#define PSCALE 2.0f
typedef struct planted { cl_model *m; char dir[600]; } planted;

static void planted_build(planted *p, int remove) {
    cl_model *fx = load(C2);
    const cl_config *c = cl_model_config(fx);
    const int HD = c->num_heads * c->d_kv, d = c->d_model;
    float *zero = calloc((size_t)HD * d, sizeof(float)), *qk = calloc((size_t)HD * d, sizeof(float));
    float *ones = malloc(sizeof(float) * d);
    assert_true(zero && qk && ones && c->d_kv <= d);
    for (int i = 0; i < d; i++) ones[i] = 1.0f;
    for (int i = 0; i < c->d_kv && !remove; i++) qk[(size_t)(PH * c->d_kv + i) * d + i] = PSCALE;
    snprintf(p->dir, sizeof p->dir, "%s/planted-%s", test_tmpdir(), remove ? "removed" : "head");
    char path[2000], name[128];
    snprintf(path, sizeof path, "mkdir -p '%s' && cp '%s/config.json' '%s/'", p->dir, C2, p->dir);
    assert_int_equal(system(path), 0);
    st_file f;
    cl_error err;
    snprintf(path, sizeof path, "%s/model.safetensors", C2);
    if (st_open(path, &f, &err)) fail_msg("%s", err.msg);
    st_writer *w = st_writer_new();
    assert_non_null(w);
    for (int i = 0; i < f.n; i++) {
        const st_tensor *t = &f.t[i];
        const void *data = t->data;
        for (int l = 0; l < c->num_layers; l++) {
            snprintf(name, sizeof name, "encoder.block.%d.layer.1.self_attention.", l);
            const size_t n = strlen(name);
            if (!strncmp(t->name, name, n) && (!strcmp(t->name + n, "q.weight") || !strcmp(t->name + n, "k.weight")))
                data = l == PL ? qk : zero;
        }
        snprintf(name, sizeof name, "encoder.block.%d.layer.1.layer_norm.weight", PL);
        if (!strcmp(t->name, name)) data = ones;
        assert_int_equal(st_writer_add(w, t->name, t->dtype, t->ndim, t->shape, data), 0);
    }
    snprintf(path, sizeof path, "%s/model.safetensors", p->dir);
    if (st_writer_save(w, path, "pt", &err)) fail_msg("%s", err.msg);
    st_writer_free(w);
    st_close(&f);
    free(zero); free(qk); free(ones);
    cl_model_free(fx);
    p->m = load(p->dir);
}
static void planted_free(planted *p) { cl_model_free(p->m); }

/* the command on a checkpoint: the csv's significant heads at the first cell, as "L.H;..." */
static void cli_found(const char *dir, char *found, size_t n) {
    char out[700], p[800];
    snprintf(out, sizeof out, "%s-ga", dir);
    assert_int_equal(run_cmd("'%s' group-attention -q --model '%s' --out '%s' --groups 32 --patches 8 --lags 0 --noises 0 "
                             "--permutations 999 --batch-groups 8", CL_CLI, dir, out), 0);
    snprintf(p, sizeof p, "%s/group_attention.csv", out);
    char *csv = slurp(p), *line = strchr(csv, '\n');
    size_t k = 0;
    found[0] = 0;
    while (line && line[1]) { /* model,layer,head,lag,noise,partner,partner_std,distractor,self,baseline,lift,partner_future,p,significant */
        char *row = line + 1, *f[14];
        line = strchr(row, '\n');
        if (line) *line = 0;
        f[0] = row;
        for (int i = 1; i < 14; i++) f[i] = strchr(f[i - 1], ',') + 1;
        if (atoi(f[13]) == 1) k += (size_t)snprintf(found + k, n - k, "%s%d.%d", k ? ";" : "", atoi(f[1]), atoi(f[2]));
    }
    free(csv);
}

/* the heads the study flags at lag 0, noise 0: exactly {(PL, PH)}? */
static int found_exactly(const cl_group_attention_model *r) {
    int ok = 1;
    for (int i = 0; i < r->layers * r->heads; i++) ok &= r->h[i].significant == (i == PL * r->heads + PH);
    return ok;
}

static cl_group_attention_opts planted_opts(void) {
    cl_group_attention_opts o;
    cl_group_attention_default(&o);
    o.groups = 32;
    o.patches = 8;
    o.n_lags = 2; o.lags[0] = 0; o.lags[1] = 3;
    o.n_noises = 2; o.noises[0] = 0; o.noises[1] = 2;
    o.permutations = 999;
    o.batch_groups = 8;
    return o;
}

static void test_planted(void **st) {
    (void)st;
    cl_error err;
    const cl_group_attention_opts o = planted_opts();
    planted p;
    planted_build(&p, 0);
    cl_group_attention_model r;
    if (cl_group_attention_model_run(p.m, &o, &r, &err)) fail_msg("%s", err.msg);
    const int NH = r.layers * r.heads, ph = PL * r.heads + PH;
    for (int i = 0; i < NH; i++)
        if (r.h[i].significant || i == ph)
            printf("  layer %d head %d: partner %.4f self %.4f p %.4g significant %d\n", i / r.heads, i % r.heads, r.h[i].partner,
                   r.h[i].self, r.h[i].p, r.h[i].significant);
    assert_true(found_exactly(&r));
    const cl_ga_head *h = &r.h[ph]; /* cell (lag 0, noise 0) */
    printf("  planted head: partner %.4f, self %.4f, distractor %.4f, p %.4g\n", h->partner, h->self, h->distractor, h->p);
    /* partner = self (A and B are one series at lag 0); a distractor of larger norm in the
     * head's features still draws some (dot-product scores), hence not 0.5 exactly */
    assert_float_equal(h->partner, h->self, 1e-6);
    assert_true(h->partner > 0.35 && h->distractor < h->partner / 3 && h->p <= 2.0 / 1000);
    for (int i = 0; i < NH; i++) /* every other head: a uniform 1/G, p = 1 */
        if (i != ph) {
            assert_float_equal(r.h[i].partner, 0.25, 1e-6);
            assert_float_equal(r.h[i].p, 1.0, 1e-12);
        }
    /* lag 3 or noise 2 breaks the copy: the planted head reads its partner less */
    const cl_ga_head *lag = &r.h[(size_t)2 * NH + ph], *noisy = &r.h[(size_t)1 * NH + ph];
    printf("  lag 3: %.4f, noise 2: %.4f\n", lag->partner, noisy->partner);
    assert_true(lag->partner < h->partner - 0.1);
    assert_true(noisy->partner < h->partner - 0.1);
    cl_group_attention_model_free(&r);
    char found[256];
    cli_found(p.dir, found, sizeof found); /* the command finds it in the checkpoint's folder */
    assert_string_equal(found, "1.3");
    planted_free(&p);
    /* the checkpoint without the planted head: nothing found, so the checks above would fail */
    planted_build(&p, 1);
    if (cl_group_attention_model_run(p.m, &o, &r, &err)) fail_msg("%s", err.msg);
    assert_false(found_exactly(&r));
    for (int i = 0; i < NH; i++) assert_false(r.h[i].significant);
    cl_group_attention_model_free(&r);
    cli_found(p.dir, found, sizeof found);
    assert_string_equal(found, "");
    planted_free(&p);
}

/* The group-attention claims (`chronolens claims --group-attention`) on the planted checkpoint:
 * the claim id's verdict and the head it names ("layer.head"); shuffles: the study's count. */
static void planted_claim(const char *dir, int shuffles, const char *id, char *verdict, size_t vn, char *head, size_t hn) {
    char out[700], cl[700], p[800];
    snprintf(out, sizeof out, "%s-claims-ga-%d", dir, shuffles);
    snprintf(cl, sizeof cl, "%s-claims-%d", dir, shuffles);
    assert_int_equal(run_cmd("'%s' group-attention -q --model '%s' --out '%s' --groups 32 --patches 8 --lags 0,3 --noises 0,2 "
                             "--permutations %d --batch-groups 8 && '%s' claims -q --group-attention '%s' --out '%s'",
                             CL_CLI, dir, out, shuffles, CL_CLI, out, cl), 0);
    snprintf(p, sizeof p, "%s/claims.json", cl);
    char *js = slurp(p);
    cJSON *a = cJSON_Parse(js), *c;
    assert_non_null(a);
    int n = 0;
    cJSON_ArrayForEach(c, a) {
        if (strcmp(cJSON_GetObjectItem(c, "id")->valuestring, id)) continue;
        n++;
        assert_string_equal(cJSON_GetObjectItem(c, "family")->valuestring, "chronos2");
        snprintf(verdict, vn, "%s", cJSON_GetObjectItem(c, "verdict")->valuestring);
        const cJSON *num = cJSON_GetObjectItem(c, "numbers");
        snprintf(head, hn, "%d.%d", cJSON_GetObjectItem(num, "its layer")->valueint, cJSON_GetObjectItem(num, "its head")->valueint);
        printf("  %s, %d shuffles: %s (%s)\n", id, shuffles, verdict, cJSON_GetObjectItem(c, "reason")->valuestring);
    }
    assert_int_equal(n, 1);
    cJSON_Delete(a);
    free(js);
}

/* group_partner is supported on the planted head and names it, not supported without it;
 * group_lead_lag is supported on neither (the planted head reads a copy: lag 0 only); 99
 * shuffles cannot reach Holm's first level over 15 heads (0.05/15 < 1/100): undecided. */
static void test_planted_claims(void **st) {
    (void)st;
    char v[64], h[32];
    planted p;
    planted_build(&p, 0);
    planted_claim(p.dir, 999, "group_partner", v, sizeof v, h, sizeof h);
    assert_string_equal(v, "supported");
    assert_string_equal(h, "1.3");
    planted_claim(p.dir, 999, "group_lead_lag", v, sizeof v, h, sizeof h);
    assert_string_equal(v, "not supported");
    planted_claim(p.dir, 99, "group_partner", v, sizeof v, h, sizeof h);
    assert_string_equal(v, "undecided");
    planted_free(&p);
    planted_build(&p, 1);
    planted_claim(p.dir, 999, "group_partner", v, sizeof v, h, sizeof h);
    assert_string_equal(v, "not supported");
    planted_claim(p.dir, 999, "group_lead_lag", v, sizeof v, h, sizeof h);
    assert_string_equal(v, "not supported");
    planted_free(&p);
}

/* the command: files, figures, the reader; a model of another family refused in one line */
static void test_ga_cli(void **st) {
    (void)st;
    char out[512], p[1200];
    snprintf(out, sizeof out, "%s/ga", test_tmpdir());
    assert_int_equal(run_cmd("'%s' group-attention --quiet --model '%s' --out '%s' --groups 6 --patches 6 --lags 0,2 "
                             "--noises 0,1 --permutations 50 --batch-groups 4", CL_CLI, C2, out), 0);
    snprintf(p, sizeof p, "%s/group_attention.csv", out);
    char *csv = slurp(p);
    assert_non_null(strstr(csv, "model,layer,head,lag,noise,partner,"));
    assert_non_null(strstr(csv, "\nchronos2-rand,2,4,0,0,"));
    int rows = 0;
    for (const char *q = csv; *q; q++) rows += *q == '\n';
    assert_int_equal(rows, 1 + 3 * 5); /* a row per layer x head */
    free(csv);
    static const char *const FIGS[] = {"heads", "lag", "noise"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/chronos2-rand_%s.png", out, FIGS[i]);
        assert_true(file_exists(p));
        snprintf(p, sizeof p, "%s/chronos2-rand_%s.svg", out, FIGS[i]);
        assert_true(file_exists(p));
    }
    cl_group_attention_result r;
    cl_error err;
    if (cl_group_attention_read(out, &r, &err)) fail_msg("%s", err.msg);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.opts.n_lags, 2);
    assert_int_equal(r.opts.lags[1], 2);
    assert_int_equal(r.res[0].layers, 3);
    const cl_ga_head *h = cl_group_attention_head(&r, 0, 1, 1, 2, 4);
    assert_true(h->partner >= 0 && h->partner <= 1 && h->p > 0 && h->p <= 1);
    cl_group_attention_free(&r);
    char log[600], fresh[600];
    snprintf(log, sizeof log, "%s/ga.txt", test_tmpdir());
    snprintf(fresh, sizeof fresh, "%s/ga-refused", test_tmpdir());
    assert_int_equal(run_cmd("'%s' group-attention -q --model '%s' --out '%s' 2> '%s'", CL_CLI, CL_FIXTURES "/bolt-rand",
                             fresh, log), 2);
    char *t = slurp(log);
    assert_non_null(strstr(t, "not a Chronos-2 model"));
    assert_ptr_equal(strchr(t, '\n'), t + strlen(t) - 1);
    free(t);
    assert_false(file_exists(fresh));
    assert_int_equal(run_cmd("'%s' group-attention -q --model '%s' --out '%s' --lags 40 2> '%s'", CL_CLI, C2, fresh, log), 2);
    t = slurp(log);
    assert_non_null(strstr(t, "lag 40"));
    free(t);
}

int main(int argc, char **argv) {
    cl_set_threads(2);
    static const struct CMUnitTest induction[] = {
        cmocka_unit_test(test_scores_direct),
        cmocka_unit_test(test_sweep),
        cmocka_unit_test(test_cli),
    };
    static const struct CMUnitTest ms[] = {
        cmocka_unit_test(test_ms_signal),
        cmocka_unit_test(test_ms_cli),
    };
    static const struct CMUnitTest group[] = {
        cmocka_unit_test(test_group_tokens),
        cmocka_unit_test(test_planted),
        cmocka_unit_test(test_planted_claims),
        cmocka_unit_test(test_ga_cli),
    };
    static const cl_test_group groups[] = {
        CL_TEST_GROUP("induction", induction, NULL, NULL, NULL, NULL),
        CL_TEST_GROUP("multisine", ms, NULL, NULL, NULL, NULL),
        CL_TEST_GROUP("group", group, NULL, NULL, NULL, NULL),
    };
    return cl_test_main(argc, argv, groups, sizeof groups / sizeof *groups);
}
