/* test_claims.c — the claims module on constructed score tables whose verdicts are known:
 * clear support, clear contradiction, a difference within sampling error (undecided), too
 * few models for `size`, missing all-token rows for `band`; the scores-table reader's
 * one-line errors and its exact round trip; the distributions behind the tests. */
#include "testutil.h"
#include "core/stats.h"
#include "claims/claims.h"
#include "study/common/scores_table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ building tables */

static void add(cl_scores *t, const char *model, double params, int sampling, int reps, int len, int layer, int head,
                int crit, double mean, double std, long n) {
    cl_score_row r = {.parameters = params, .sampling = sampling, .reps = reps, .seq_len = len, .layer = layer,
                      .head = head, .criterion = crit, .mean = mean, .std = std, .n = n};
    snprintf(r.model, sizeof r.model, "%s", model);
    cl_error err;
    assert_int_equal(cl_scores_add(t, &r, &err), 0);
}

/* A mosaic of 2 layers x 2 heads: every head scores `base` on both criteria except head
 * (1, 0), whose `right` is `top`. std < 0: means only. */
static void mosaic(cl_scores *t, const char *model, double params, int sampling, int reps, int len, double base,
                   double top, double std, long n) {
    for (int l = 0; l < 2; l++)
        for (int h = 0; h < 2; h++)
            for (int c = CL_CRIT_CURRENT; c <= CL_CRIT_RIGHT; c++)
                add(t, model, params, sampling, reps, len, l, h, c, (l == 1 && h == 0 && c == CL_CRIT_RIGHT) ? top : base,
                    std < 0 ? NAN : std, std < 0 ? 0 : n);
}

/* A mosaic with k heads (of 8) at `top` on `right`, the rest at 0.05. */
static void mosaic_k(cl_scores *t, const char *model, double params, int sampling, int reps, int len, int k, double top,
                     double std, long n) {
    for (int i = 0; i < 8; i++)
        for (int c = CL_CRIT_CURRENT; c <= CL_CRIT_RIGHT; c++)
            add(t, model, params, sampling, reps, len, i / 4, i % 4, c, (i < k && c == CL_CRIT_RIGHT) ? top : 0.05,
                std < 0 ? NAN : std, std < 0 ? 0 : n);
}

static const cl_verdict *find(const cl_verdicts *v, const char *id, const char *model) {
    for (int i = 0; i < v->n; i++)
        if (!strcmp(v->v[i].id, id) && (!model ? v->v[i].n_models > 1 || !strcmp(id, "size")
                                               : v->v[i].n_models == 1 && !strcmp(v->v[i].model[0], model)))
            return &v->v[i];
    fail_msg("no verdict %s for %s", id, model ? model : "the set");
    return NULL;
}

static int verdict_of(const cl_scores *t, const cl_ms_data *ms, const char *id, const char *model, char *why, size_t nw) {
    cl_verdicts v;
    cl_error err;
    if (cl_claims_run(t, ms, NULL, &v, &err)) fail_msg("%s", err.msg);
    const cl_verdict *x = find(&v, id, model);
    int r = x->verdict;
    if (why) snprintf(why, nw, "%s", x->reason);
    if (getenv("CL_TEST_VERBOSE")) print_message("%s %s: %s — %s\n", id, model ? model : "(set)", cl_verdict_word(r), x->reason);
    cl_verdicts_free(&v);
    return r;
}

/* ------------------------------------------------------------ exist */

static void test_exist(void **st) {
    (void)st;
    cl_scores t = {0};
    mosaic(&t, "clear", 1e6, CL_SAMPLING_BAND, 2, 10, 0.05, 0.8, 0.1, 100);  /* 0.8 +/- 0.01 */
    mosaic(&t, "none", 1e6, CL_SAMPLING_BAND, 2, 10, 0.05, 0.1, 0.05, 100);  /* all far below */
    mosaic(&t, "noisy", 1e6, CL_SAMPLING_BAND, 2, 10, 0.05, 0.31, 0.2, 10);  /* 0.31 +/- 0.063 */
    mosaic(&t, "means", 1e6, CL_SAMPLING_BAND, 2, 10, 0.05, 0.31, -1, 0);    /* no std: decide on the means */
    char why[512];
    assert_int_equal(verdict_of(&t, NULL, "exist", "clear", NULL, 0), CL_SUPPORTED);
    assert_int_equal(verdict_of(&t, NULL, "exist", "none", NULL, 0), CL_NOT_SUPPORTED);
    assert_int_equal(verdict_of(&t, NULL, "exist", "noisy", why, sizeof why), CL_UNDECIDED);
    assert_non_null(strstr(why, "sampling error"));
    assert_int_equal(verdict_of(&t, NULL, "exist", "means", NULL, 0), CL_SUPPORTED);
    cl_scores_free(&t);
}

/* ------------------------------------------------------------ size */

static void test_size(void **st) {
    (void)st;
    char why[512];
    cl_scores t = {0};
    mosaic_k(&t, "only", 1e6, CL_SAMPLING_BAND, 2, 10, 3, 0.6, -1, 0);
    assert_int_equal(verdict_of(&t, NULL, "size", NULL, why, sizeof why), CL_UNDECIDED); /* one model */
    assert_non_null(strstr(why, "2 or more models"));
    cl_scores_free(&t);

    /* two models, means only: 1 head at 1M, 5 at 10M: supported; reversed: not */
    mosaic_k(&t, "small", 1e6, CL_SAMPLING_BAND, 2, 10, 1, 0.6, -1, 0);
    mosaic_k(&t, "big", 1e7, CL_SAMPLING_BAND, 2, 10, 5, 0.6, -1, 0);
    assert_int_equal(verdict_of(&t, NULL, "size", NULL, NULL, 0), CL_SUPPORTED);
    cl_scores_free(&t);
    mosaic_k(&t, "small", 1e6, CL_SAMPLING_BAND, 2, 10, 5, 0.6, -1, 0);
    mosaic_k(&t, "big", 1e7, CL_SAMPLING_BAND, 2, 10, 1, 0.6, -1, 0);
    assert_int_equal(verdict_of(&t, NULL, "size", NULL, NULL, 0), CL_NOT_SUPPORTED);
    cl_scores_free(&t);
    /* within one head: a tie */
    mosaic_k(&t, "small", 1e6, CL_SAMPLING_BAND, 2, 10, 2, 0.6, -1, 0);
    mosaic_k(&t, "big", 1e7, CL_SAMPLING_BAND, 2, 10, 3, 0.6, -1, 0);
    assert_int_equal(verdict_of(&t, NULL, "size", NULL, NULL, 0), CL_UNDECIDED);
    cl_scores_free(&t);
    /* with sampling error: heads at 0.31 +/- 0.1 are each a coin flip; 4 of them vs 2 is within
     * the error (the means alone would call it an increase of two heads) */
    mosaic_k(&t, "small", 1e6, CL_SAMPLING_BAND, 2, 10, 2, 0.31, 1.0, 100);
    mosaic_k(&t, "big", 1e7, CL_SAMPLING_BAND, 2, 10, 4, 0.31, 1.0, 100);
    assert_int_equal(verdict_of(&t, NULL, "size", NULL, NULL, 0), CL_UNDECIDED);
    cl_scores_free(&t);
    mosaic_k(&t, "small", 1e6, CL_SAMPLING_BAND, 2, 10, 2, 0.31, -1, 0);
    mosaic_k(&t, "big", 1e7, CL_SAMPLING_BAND, 2, 10, 4, 0.31, -1, 0);
    assert_int_equal(verdict_of(&t, NULL, "size", NULL, NULL, 0), CL_SUPPORTED);
    cl_scores_free(&t);
    /* no parameter counts: undecided */
    mosaic_k(&t, "a", NAN, CL_SAMPLING_BAND, 2, 10, 1, 0.6, -1, 0);
    mosaic_k(&t, "b", NAN, CL_SAMPLING_BAND, 2, 10, 5, 0.6, -1, 0);
    assert_int_equal(verdict_of(&t, NULL, "size", NULL, NULL, 0), CL_UNDECIDED);
    cl_scores_free(&t);
}

/* ------------------------------------------------------------ band */

static void test_band(void **st) {
    (void)st;
    char why[512];
    cl_scores t = {0};
    mosaic_k(&t, "m", 1e6, CL_SAMPLING_BAND, 2, 10, 4, 0.7, 0.1, 100);
    assert_int_equal(verdict_of(&t, NULL, "band", "m", why, sizeof why), CL_UNDECIDED);
    assert_non_null(strstr(why, "sampling all"));
    mosaic_k(&t, "m", 1e6, CL_SAMPLING_ALL, 2, 10, 0, 0.7, 0.1, 100);
    assert_int_equal(verdict_of(&t, NULL, "band", "m", NULL, 0), CL_SUPPORTED);
    cl_scores_free(&t);
    mosaic_k(&t, "m", 1e6, CL_SAMPLING_BAND, 2, 10, 1, 0.7, 0.1, 100);
    mosaic_k(&t, "m", 1e6, CL_SAMPLING_ALL, 2, 10, 4, 0.7, 0.1, 100);
    assert_int_equal(verdict_of(&t, NULL, "band", "m", NULL, 0), CL_NOT_SUPPORTED);
    /* the set verdict needs two models with both samplings */
    mosaic_k(&t, "n", 1e7, CL_SAMPLING_BAND, 2, 10, 1, 0.7, 0.1, 100);
    assert_int_equal(verdict_of(&t, NULL, "band", NULL, why, sizeof why), CL_UNDECIDED);
    mosaic_k(&t, "n", 1e7, CL_SAMPLING_ALL, 2, 10, 6, 0.7, 0.1, 100);
    assert_int_equal(verdict_of(&t, NULL, "band", NULL, NULL, 0), CL_NOT_SUPPORTED);
    cl_scores_free(&t);
    /* no head with either sampling in any model: nothing to compare (not "no difference") */
    for (int k = 0; k < 2; k++)
        for (int s = 0; s < 2; s++) mosaic_k(&t, k ? "y" : "x", 1e6, s, 2, 10, 0, 0.7, 0.1, 100);
    assert_int_equal(verdict_of(&t, NULL, "band", "x", NULL, 0), CL_UNDECIDED);
    assert_int_equal(verdict_of(&t, NULL, "band", NULL, why, sizeof why), CL_UNDECIDED);
    assert_non_null(strstr(why, "no head"));
    cl_scores_free(&t);
}

/* ------------------------------------------------------------ the sweep claims */

/* A sweep over R {2, 6, 10} x L {2, 6, 10}: count(R, L) = f(R, L) heads of 8 at 0.6. */
static void sweep(cl_scores *t, const char *model, int (*f)(int, int), double std) {
    static const int G[3] = {2, 6, 10};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) mosaic_k(t, model, 1e6, CL_SAMPLING_BAND, G[i], G[j], f(G[i], G[j]), 0.6, std, 100);
}
static int study_like(int r, int l) { return (l == 10 ? 6 : l == 6 ? 4 : 2) - (r == 10 ? 2 : r == 6 ? 1 : 0); }
static int opposite(int r, int l) { return 8 - study_like(r, l) - 2; }
static int flat(int r, int l) { return 3 + (r == 6 && l == 6); }

static void test_sweep_claims(void **st) {
    (void)st;
    cl_scores t = {0};
    sweep(&t, "study", study_like, 0.1);
    sweep(&t, "opp", opposite, 0.1);
    sweep(&t, "flat", flat, -1);
    assert_int_equal(verdict_of(&t, NULL, "longer_more", "study", NULL, 0), CL_SUPPORTED);
    assert_int_equal(verdict_of(&t, NULL, "more_reps_fewer", "study", NULL, 0), CL_SUPPORTED);
    assert_int_equal(verdict_of(&t, NULL, "most_at_r2_l10", "study", NULL, 0), CL_SUPPORTED);
    assert_int_equal(verdict_of(&t, NULL, "longer_more", "opp", NULL, 0), CL_NOT_SUPPORTED);
    assert_int_equal(verdict_of(&t, NULL, "more_reps_fewer", "opp", NULL, 0), CL_NOT_SUPPORTED);
    assert_int_equal(verdict_of(&t, NULL, "most_at_r2_l10", "opp", NULL, 0), CL_NOT_SUPPORTED);
    /* means only, counts within one head of each other: ties, and (2, 10) is within one of the max */
    assert_int_equal(verdict_of(&t, NULL, "longer_more", "flat", NULL, 0), CL_UNDECIDED);
    assert_int_equal(verdict_of(&t, NULL, "more_reps_fewer", "flat", NULL, 0), CL_UNDECIDED);
    assert_int_equal(verdict_of(&t, NULL, "most_at_r2_l10", "flat", NULL, 0), CL_SUPPORTED);
    /* no sweep at all: undecided */
    char why[512];
    cl_scores u = {0};
    mosaic_k(&u, "one", 1e6, CL_SAMPLING_BAND, 2, 10, 3, 0.6, -1, 0);
    assert_int_equal(verdict_of(&u, NULL, "longer_more", "one", why, sizeof why), CL_UNDECIDED);
    assert_non_null(strstr(why, "seq_len"));
    assert_int_equal(verdict_of(&u, NULL, "most_at_r2_l10", "one", NULL, 0), CL_UNDECIDED);
    cl_scores_free(&u);
    cl_scores_free(&t);
}

/* spread: a content-matching head (most recent 1/R of a constant sum) vs a fading one */
static void test_spread(void **st) {
    (void)st;
    cl_scores t = {0};
    static const int R[3] = {2, 4, 8};
    for (int i = 0; i < 3; i++) {
        mosaic_k(&t, "content", 1e6, CL_SAMPLING_BAND, R[i], 10, 1, 1.0 / R[i], 0.02, 100);
        mosaic_k(&t, "fading", 1e6, CL_SAMPLING_BAND, R[i], 10, 1, 1.0 / R[i], 0.02, 100);
        mosaic_k(&t, "noisy", 1e6, CL_SAMPLING_BAND, R[i], 10, 1, 0.5 - 0.01 * i, 0.5, 10);
        for (int h = 0; h < 8; h++)
            for (int c = 0; c < 2; c++) {
                int top = h == 0 && c == 1;
                add(&t, "content", 1e6, CL_SAMPLING_BAND, R[i], 10, h / 4, h % 4, CL_CRIT_CURRENT_ALL + c, top ? 1.0 : 0.1, 0.02, 100);
                add(&t, "fading", 1e6, CL_SAMPLING_BAND, R[i], 10, h / 4, h % 4, CL_CRIT_CURRENT_ALL + c, top ? 2.0 / R[i] : 0.1, 0.02, 100);
                add(&t, "noisy", 1e6, CL_SAMPLING_BAND, R[i], 10, h / 4, h % 4, CL_CRIT_CURRENT_ALL + c, top ? 0.8 : 0.1, 0.5, 10);
            }
    }
    assert_int_equal(verdict_of(&t, NULL, "spread", "content", NULL, 0), CL_SUPPORTED);
    assert_int_equal(verdict_of(&t, NULL, "spread", "fading", NULL, 0), CL_NOT_SUPPORTED);
    assert_int_equal(verdict_of(&t, NULL, "spread", "noisy", NULL, 0), CL_UNDECIDED);
    cl_scores_free(&t);
}

/* ------------------------------------------------------------ multisine claims */

/* A sweep of C non-divisor configurations (gap 6 Hz, gcd 2 Hz), 8 heads each: in config c,
 * heads 0..a-1 at the gap, a..a+b-1 at the gcd, the rest aperiodic; head 7 concentrated. */
static void ms_sweep(cl_ms_model *m, int C, int a, int b) {
    m->n_sweep = C * 8;
    m->sweep = calloc((size_t)m->n_sweep, sizeof *m->sweep);
    for (int c = 0; c < C; c++)
        for (int h = 0; h < 8; h++) {
            cl_ms_obs *o = &m->sweep[c * 8 + h];
            int aa = a + (c % 2), bb = b - (c % 2); /* some spread between configurations */
            *o = (cl_ms_obs){.config = c, .layer = h / 4, .head = h % 4, .gap = 6, .gap_gcd = 2, .freq_gcd = 2,
                             .non_divisor = 1, .amplitude = 1, .strength = 0.5, .mass = 0.9, .max_share = 0.1};
            o->periodic = h < aa + bb;
            o->spacing_hz = h < aa ? 6 : h < aa + bb ? 2 : NAN;
            if (h == 7) { o->mass = 0.01; o->periodic = 1; o->spacing_hz = 6; } /* concentrated: left out */
        }
}

static void test_period(void **st) {
    (void)st;
    cl_ms_model mm[3] = {0};
    snprintf(mm[0].model, sizeof mm[0].model, "gap");
    snprintf(mm[1].model, sizeof mm[1].model, "gcd");
    snprintf(mm[2].model, sizeof mm[2].model, "few");
    ms_sweep(&mm[0], 10, 5, 1);
    ms_sweep(&mm[1], 10, 0, 5);
    ms_sweep(&mm[2], 2, 5, 1);
    cl_ms_data ms = {.n = 3, .m = mm, .tol_hz = 1.0 / 3};
    cl_scores t = {0};
    mosaic_k(&t, "gap", 1e6, CL_SAMPLING_BAND, 2, 10, 1, 0.6, -1, 0);
    mosaic_k(&t, "gcd", 1e6, CL_SAMPLING_BAND, 2, 10, 1, 0.6, -1, 0);
    mosaic_k(&t, "few", 1e6, CL_SAMPLING_BAND, 2, 10, 1, 0.6, -1, 0);
    char why[512];
    assert_int_equal(verdict_of(&t, &ms, "period_is_gap", "gap", NULL, 0), CL_SUPPORTED);
    assert_int_equal(verdict_of(&t, &ms, "period_is_gap", "gcd", why, sizeof why), CL_NOT_SUPPORTED);
    assert_non_null(strstr(why, "gcd"));
    assert_int_equal(verdict_of(&t, &ms, "period_is_gap", "few", why, sizeof why), CL_UNDECIDED);
    assert_non_null(strstr(why, "too few"));
    /* without a sweep: undecided, the reference input alone cannot decide */
    assert_int_equal(verdict_of(&t, NULL, "period_is_gap", "gap", why, sizeof why), CL_UNDECIDED);
    assert_non_null(strstr(why, "gcd"));
    for (int i = 0; i < 3; i++) free(mm[i].sweep);
    cl_scores_free(&t);
}

/* amplitude_is_induction: 16 heads, 3 induction heads; top-3 by amplitude = them, or not */
static void test_amplitude(void **st) {
    (void)st;
    cl_ms_model mm[2] = {0};
    for (int k = 0; k < 2; k++) {
        snprintf(mm[k].model, sizeof mm[k].model, k ? "other" : "match");
        mm[k].n_ref[0] = 16;
        mm[k].ref[0] = calloc(16, sizeof(cl_ms_obs));
        for (int i = 0; i < 16; i++) {
            cl_ms_obs *o = &mm[k].ref[0][i];
            *o = (cl_ms_obs){.config = -1, .layer = i / 4, .head = i % 4, .gap = 5, .mass = 1, .max_share = 0.1};
            int ind = i < 3;
            o->amplitude = k ? (ind ? 0.1 : 1.0 + i) : (ind ? 10.0 + i : 1.0 / (i + 1));
            o->strength = o->amplitude;
        }
    }
    cl_ms_data ms = {.n = 2, .m = mm, .tol_hz = 1.0 / 3};
    cl_scores t = {0};
    const char *names[2] = {"match", "other"};
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < 16; i++)
            for (int c = 0; c < 2; c++)
                add(&t, names[k], 1e6, CL_SAMPLING_BAND, 2, 10, i / 4, i % 4, c, (i < 3 && c) ? 0.6 : 0.05, NAN, 0);
    assert_int_equal(verdict_of(&t, &ms, "amplitude_is_induction", "match", NULL, 0), CL_SUPPORTED);
    assert_int_equal(verdict_of(&t, &ms, "amplitude_is_induction", "other", NULL, 0), CL_NOT_SUPPORTED);
    for (int k = 0; k < 2; k++) free(mm[k].ref[0]);
    cl_scores_free(&t);
}

/* strict: significant after Holm vs a sign only */
static void test_strict(void **st) {
    (void)st;
    cl_scores t = {0};
    mosaic_k(&t, "real", 1e6, CL_SAMPLING_BAND, 2, 10, 1, 0.6, 0.1, 100);
    mosaic_k(&t, "chance", 1e6, CL_SAMPLING_BAND, 2, 10, 1, 0.6, 0.1, 100);
    for (int i = 0; i < 8; i++) {
        add(&t, "real", 1e6, CL_SAMPLING_BAND, 2, 10, i / 4, i % 4, CL_CRIT_ABLATION, i == 0 ? -1.0 : 0.0, 0.5, 100);
        add(&t, "chance", 1e6, CL_SAMPLING_BAND, 2, 10, i / 4, i % 4, CL_CRIT_ABLATION, -0.01, 0.5, 100); /* t = -0.2 */
    }
    assert_int_equal(verdict_of(&t, NULL, "strict", "real", NULL, 0), CL_SUPPORTED);
    assert_int_equal(verdict_of(&t, NULL, "strict", "chance", NULL, 0), CL_NOT_SUPPORTED);
    cl_scores_free(&t);
}

/* ------------------------------------------------------------ the scores table */

static void expect_error(const char *text, const char *want) {
    cl_scores t;
    cl_error err = {0};
    assert_int_not_equal(cl_scores_parse(text, strlen(text), "s.csv", &t, &err), 0);
    if (!strstr(err.msg, want)) fail_msg("message '%s' lacks '%s'", err.msg, want);
    assert_null(strchr(err.msg, '\n'));
    assert_int_equal(t.n, 0);
}

static void test_table_errors(void **st) {
    (void)st;
    const char *H = "model,parameters,sampling,reps,seq_len,layer,head,criterion,mean,std,n\n";
    char buf[1024];
    snprintf(buf, sizeof buf, "%sm,1e6,band,2,10,0,0,current,0.5,0.1,100\nm,1e6,band,2,10,0,0,nearest,0.5,0.1,100\n", H);
    expect_error(buf, "s.csv:3: criterion");
    expect_error("model,parameters,sampling,reps,seq_len,layer,head,mean\nm,1,band,2,10,0,0,0.5\n", "s.csv:1: missing column 'criterion'");
    snprintf(buf, sizeof buf, "%sm,1e6,band,2,10,0,0,current,0.5,0.1,100\nm,1e6,band,2,10,0,1,right,0.5,0.1,100\n"
                              "m,1e6,band,2,10,0,0,current,0.4,0.1,100\n", H);
    expect_error(buf, "s.csv:4: duplicate of line 2");
    snprintf(buf, sizeof buf, "%sm,1e6,band,2,10,0,0,current,abc,0.1,100\n", H);
    expect_error(buf, "s.csv:2: mean: not a number");
    snprintf(buf, sizeof buf, "%sm,1e6,some,2,10,0,0,current,0.5,0.1,100\n", H);
    expect_error(buf, "s.csv:2: sampling");
    snprintf(buf, sizeof buf, "%sm,1e6,band,2,10,0,0,current,0.5,0.1\n", H);
    expect_error(buf, "s.csv:2: 10 cells");
    snprintf(buf, sizeof buf, "%sm,1e6,band,2,10,0,0,current,0.5,0.1,\n", H);
    expect_error(buf, "s.csv:2: std and n");
    snprintf(buf, sizeof buf, "%sm,1e6,band,1,10,0,0,current,0.5,,\n", H);
    expect_error(buf, "s.csv:2: reps");
    snprintf(buf, sizeof buf, "%sm,1e6,band,2,10,0,0,current,1.5,,\n", H);
    expect_error(buf, "s.csv:2: mean: an attention score");
    expect_error(H, "no rows");
    expect_error("model,parameters,sampling,reps,seq_len,layer,head,criterion,mean,std\nm,1,band,2,10,0,0,current,0.5,0.1\n",
                 "without 'n'");
}

static void test_table_round_trip(void **st) {
    (void)st;
    cl_scores t = {0}, u;
    add(&t, "a \"quoted\", model", 123456789, CL_SAMPLING_ALL, 4, 6, 1, 3, CL_CRIT_RIGHT_ALL, 0.1 + 0.2, 1.0 / 3, 77);
    add(&t, "b", NAN, CL_SAMPLING_BAND, 2, 10, 0, 0, CL_CRIT_ABLATION, -1e-17, NAN, 0);
    char path[512];
    cl_error err;
    snprintf(path, sizeof path, "%s/scores.csv", test_tmpdir());
    assert_int_equal(cl_scores_write(path, &t, &err), 0);
    if (cl_scores_read(path, &u, &err)) fail_msg("%s", err.msg);
    assert_int_equal(u.n, 2);
    for (int i = 0; i < 2; i++) {
        const cl_score_row *a = &t.rows[i], *b = &u.rows[i];
        assert_string_equal(a->model, b->model);
        assert_true(a->mean == b->mean && a->reps == b->reps && a->seq_len == b->seq_len && a->layer == b->layer &&
                    a->head == b->head && a->criterion == b->criterion && a->sampling == b->sampling && a->n == b->n);
        assert_true((isnan(a->parameters) && isnan(b->parameters)) || a->parameters == b->parameters);
        assert_true((isnan(a->std) && isnan(b->std)) || a->std == b->std);
    }
    /* std and n columns may be absent altogether */
    const char *s = "criterion,mean,model,parameters,sampling,reps,seq_len,layer,head,extra\nright,0.5,x,,band,2,10,0,0,zz\n";
    cl_scores v;
    if (cl_scores_parse(s, strlen(s), "t.csv", &v, &err)) fail_msg("%s", err.msg);
    assert_int_equal(v.n, 1);
    assert_true(isnan(v.rows[0].std) && v.rows[0].n == 0 && v.rows[0].criterion == CL_CRIT_RIGHT);
    cl_scores_free(&v);
    cl_scores_free(&t);
    cl_scores_free(&u);
}

/* ------------------------------------------------------------ distributions */

static void test_distributions(void **st) {
    (void)st;
    /* scipy.stats: norm.ppf(0.975), norm.ppf(1e-6), t.cdf(2, 10), t.cdf(-1.5, 3), binom.sf(6, 10, 0.5),
     * hypergeom.sf(1, 16, 3, 3) */
    assert_float_equal(cl_norm_quantile(0.975), 1.959963984540054, 1e-12);
    assert_float_equal(cl_norm_quantile(1e-6), -4.753424308822899, 1e-10);
    assert_float_equal(cl_norm_cdf(1.959963984540054), 0.975, 1e-13);
    assert_float_equal(cl_t_cdf(2.0, 10), 0.9633059826146299, 1e-12);
    assert_float_equal(cl_t_cdf(-1.5, 3), 0.11529193262241, 1e-10);
    assert_float_equal(cl_binom_sf(7, 10, 0.5), 0.171875, 1e-13);
    assert_float_equal(cl_hypergeom_sf(2, 16, 3, 3), 40.0 / 560, 1e-13);
    assert_float_equal(cl_hypergeom_sf(0, 16, 3, 3), 1.0, 0);
    double p[5] = {0.001, 0.04, 0.012, NAN, 0.3};
    unsigned char rej[5];
    /* Holm at 0.05 over 4 p-values: 0.001 <= 0.0125, 0.012 <= 0.0167, 0.04 > 0.025: two */
    assert_int_equal(cl_holm(p, 5, 0.05, rej), 2);
    assert_true(rej[0] && rej[2] && !rej[1] && !rej[3] && !rej[4]);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exist),          cmocka_unit_test(test_size),
        cmocka_unit_test(test_band),           cmocka_unit_test(test_sweep_claims),
        cmocka_unit_test(test_spread),         cmocka_unit_test(test_period),
        cmocka_unit_test(test_amplitude),      cmocka_unit_test(test_strict),
        cmocka_unit_test(test_table_errors),   cmocka_unit_test(test_table_round_trip),
        cmocka_unit_test(test_distributions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
