/* test_claims.c — the claims module on constructed score tables whose verdicts are known, for
 * every model family (T5 rows: sampling band; Bolt rows: sampling patches, family bolt): clear
 * support, clear contradiction, a difference within sampling error (undecided), too few models
 * for `size`, the sweep's claims, spread, the multisine claims, the strict extension (T5 on
 * `ablation`, Bolt on `ablation_median`); and `chronolens induction` + `sweep` on the family's
 * fixture, then `claims --scores`, give the model's claims. Per family: T5's `band` (missing
 * all-token rows); Bolt's `band` undecided (no token band), the strict extension's reason, its
 * mosaic missing. Across families (group mixed): one `size` verdict per family, verdicts carrying
 * their family in claims.json/.csv (a Chronos-T5 table's files keep their bytes), both models in
 * one run. The scores-table reader's one-line errors, its family column and its exact round
 * trip; the distributions behind the tests. */
#include "testutil.h"
#include "core/stats.h"
#include "claims/claims.h"
#include "study/common/scores_table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOLT CL_FIXTURES "/bolt-rand"
#define T5 CL_FIXTURES "/rand-small"

/* ------------------------------------------------------------ the family's rows */

/* The sampling of the running family's mosaic rows: T5's token band, Bolt's patches. */
static int sampling(void) { return cl_test_family_now()->family == CL_FAMILY_BOLT ? CL_SAMPLING_PATCHES : CL_SAMPLING_BAND; }
/* Its ablation criterion: the change of log p(s_2) (T5), of the median's error (Bolt). */
static int ablation(void) { return cl_test_family_now()->family == CL_FAMILY_BOLT ? CL_CRIT_ABLATION_MEDIAN : CL_CRIT_ABLATION; }

/* ------------------------------------------------------------ building tables */

/* One row; its family is the sampling's (patches: Bolt). */
static void add(cl_scores *t, const char *model, double params, int sampling, int reps, int len, int layer, int head,
                int crit, double mean, double std, long n) {
    cl_score_row r = {.parameters = params, .sampling = sampling, .reps = reps, .seq_len = len, .layer = layer,
                      .head = head, .criterion = crit, .mean = mean, .std = std, .n = n,
                      .family = sampling == CL_SAMPLING_PATCHES ? CL_FAMILY_BOLT : CL_FAMILY_T5};
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

/* The verdict `id` of one model (model NULL: of the model set). */
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

/* Any verdict `id` among whose models is `model` (a set's too). */
static const cl_verdict *find_with(const cl_verdicts *v, const char *id, const char *model) {
    for (int i = 0; i < v->n; i++)
        for (int k = 0; k < v->v[i].n_models; k++)
            if (!strcmp(v->v[i].id, id) && !strcmp(v->v[i].model[k], model)) return &v->v[i];
    fail_msg("no verdict %s for %s", id, model);
    return NULL;
}

static void run(const cl_scores *t, cl_verdicts *v) {
    cl_error err;
    if (cl_claims_run(t, NULL, NULL, v, &err)) fail_msg("%s", err.msg);
    if (getenv("CL_TEST_VERBOSE"))
        for (int i = 0; i < v->n; i++)
            print_message("%s %s (%s): %s — %s\n", v->v[i].id, v->v[i].model[0], v->v[i].family ? "bolt" : "t5",
                          cl_verdict_word(v->v[i].verdict), v->v[i].reason);
}

/* ------------------------------------------------------------ exist */

static void test_exist(void **st) {
    (void)st;
    const int S = sampling();
    cl_scores t = {0};
    mosaic(&t, "clear", 1e6, S, 2, 10, 0.05, 0.8, 0.1, 100);  /* 0.8 +/- 0.01 */
    mosaic(&t, "none", 1e6, S, 2, 10, 0.05, 0.1, 0.05, 100);  /* all far below */
    mosaic(&t, "noisy", 1e6, S, 2, 10, 0.05, 0.31, 0.2, 10);  /* 0.31 +/- 0.063 */
    mosaic(&t, "means", 1e6, S, 2, 10, 0.05, 0.31, -1, 0);    /* no std: decide on the means */
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
    const int S = sampling();
    char why[512];
    cl_scores t = {0};
    mosaic_k(&t, "only", 1e6, S, 2, 10, 3, 0.6, -1, 0);
    assert_int_equal(verdict_of(&t, NULL, "size", NULL, why, sizeof why), CL_UNDECIDED); /* one model */
    assert_non_null(strstr(why, "2 or more models"));
    cl_scores_free(&t);

    /* two models, means only: 1 head at 1M, 5 at 10M: supported; reversed: not */
    mosaic_k(&t, "small", 1e6, S, 2, 10, 1, 0.6, -1, 0);
    mosaic_k(&t, "big", 1e7, S, 2, 10, 5, 0.6, -1, 0);
    assert_int_equal(verdict_of(&t, NULL, "size", NULL, NULL, 0), CL_SUPPORTED);
    cl_scores_free(&t);
    mosaic_k(&t, "small", 1e6, S, 2, 10, 5, 0.6, -1, 0);
    mosaic_k(&t, "big", 1e7, S, 2, 10, 1, 0.6, -1, 0);
    assert_int_equal(verdict_of(&t, NULL, "size", NULL, NULL, 0), CL_NOT_SUPPORTED);
    cl_scores_free(&t);
    /* within one head: a tie */
    mosaic_k(&t, "small", 1e6, S, 2, 10, 2, 0.6, -1, 0);
    mosaic_k(&t, "big", 1e7, S, 2, 10, 3, 0.6, -1, 0);
    assert_int_equal(verdict_of(&t, NULL, "size", NULL, NULL, 0), CL_UNDECIDED);
    cl_scores_free(&t);
    /* with sampling error: heads at 0.31 +/- 0.1 are each a coin flip; 4 of them vs 2 is within
     * the error (the means alone would call it an increase of two heads) */
    mosaic_k(&t, "small", 1e6, S, 2, 10, 2, 0.31, 1.0, 100);
    mosaic_k(&t, "big", 1e7, S, 2, 10, 4, 0.31, 1.0, 100);
    assert_int_equal(verdict_of(&t, NULL, "size", NULL, NULL, 0), CL_UNDECIDED);
    cl_scores_free(&t);
    mosaic_k(&t, "small", 1e6, S, 2, 10, 2, 0.31, -1, 0);
    mosaic_k(&t, "big", 1e7, S, 2, 10, 4, 0.31, -1, 0);
    assert_int_equal(verdict_of(&t, NULL, "size", NULL, NULL, 0), CL_SUPPORTED);
    cl_scores_free(&t);
    /* no parameter counts: undecided */
    mosaic_k(&t, "a", NAN, S, 2, 10, 1, 0.6, -1, 0);
    mosaic_k(&t, "b", NAN, S, 2, 10, 5, 0.6, -1, 0);
    assert_int_equal(verdict_of(&t, NULL, "size", NULL, NULL, 0), CL_UNDECIDED);
    cl_scores_free(&t);
}

/* ------------------------------------------------------------ T5: band */

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
    const int S = sampling();
    static const int G[3] = {2, 6, 10};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) mosaic_k(t, model, 1e6, S, G[i], G[j], f(G[i], G[j]), 0.6, std, 100);
}
static int study_like(int r, int l) { return (l == 10 ? 6 : l == 6 ? 4 : 2) - (r == 10 ? 2 : r == 6 ? 1 : 0); }
static int opposite(int r, int l) { return 8 - study_like(r, l) - 2; }
static int flat(int r, int l) { return 3 + (r == 6 && l == 6); }

static void test_sweep_claims(void **st) {
    (void)st;
    const int S = sampling();
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
    mosaic_k(&u, "one", 1e6, S, 2, 10, 3, 0.6, -1, 0);
    assert_int_equal(verdict_of(&u, NULL, "longer_more", "one", why, sizeof why), CL_UNDECIDED);
    assert_non_null(strstr(why, "seq_len"));
    assert_int_equal(verdict_of(&u, NULL, "most_at_r2_l10", "one", NULL, 0), CL_UNDECIDED);
    cl_scores_free(&u);
    cl_scores_free(&t);
}

/* spread: a content-matching head (most recent 1/R of a constant sum) vs a fading one */
static void test_spread(void **st) {
    (void)st;
    const int S = sampling();
    cl_scores t = {0};
    static const int R[3] = {2, 4, 8};
    for (int i = 0; i < 3; i++) {
        mosaic_k(&t, "content", 1e6, S, R[i], 10, 1, 1.0 / R[i], 0.02, 100);
        mosaic_k(&t, "fading", 1e6, S, R[i], 10, 1, 1.0 / R[i], 0.02, 100);
        mosaic_k(&t, "noisy", 1e6, S, R[i], 10, 1, 0.5 - 0.01 * i, 0.5, 10);
        for (int h = 0; h < 8; h++)
            for (int c = 0; c < 2; c++) {
                int top = h == 0 && c == 1;
                add(&t, "content", 1e6, S, R[i], 10, h / 4, h % 4, CL_CRIT_CURRENT_ALL + c, top ? 1.0 : 0.1, 0.02, 100);
                add(&t, "fading", 1e6, S, R[i], 10, h / 4, h % 4, CL_CRIT_CURRENT_ALL + c, top ? 2.0 / R[i] : 0.1, 0.02, 100);
                add(&t, "noisy", 1e6, S, R[i], 10, h / 4, h % 4, CL_CRIT_CURRENT_ALL + c, top ? 0.8 : 0.1, 0.5, 10);
            }
    }
    assert_int_equal(verdict_of(&t, NULL, "spread", "content", NULL, 0), CL_SUPPORTED);
    assert_int_equal(verdict_of(&t, NULL, "spread", "fading", NULL, 0), CL_NOT_SUPPORTED);
    assert_int_equal(verdict_of(&t, NULL, "spread", "noisy", NULL, 0), CL_UNDECIDED);
    cl_scores_free(&t);
}

/* ------------------------------------------------------------ multisine claims, strict */

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
    const int S = sampling();
    cl_ms_model mm[3] = {0};
    snprintf(mm[0].model, sizeof mm[0].model, "gap");
    snprintf(mm[1].model, sizeof mm[1].model, "gcd");
    snprintf(mm[2].model, sizeof mm[2].model, "few");
    ms_sweep(&mm[0], 10, 5, 1);
    ms_sweep(&mm[1], 10, 0, 5);
    ms_sweep(&mm[2], 2, 5, 1);
    cl_ms_data ms = {.n = 3, .m = mm, .tol_hz = 1.0 / 3};
    cl_scores t = {0};
    mosaic_k(&t, "gap", 1e6, S, 2, 10, 1, 0.6, -1, 0);
    mosaic_k(&t, "gcd", 1e6, S, 2, 10, 1, 0.6, -1, 0);
    mosaic_k(&t, "few", 1e6, S, 2, 10, 1, 0.6, -1, 0);
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
    const int S = sampling();
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
                add(&t, names[k], 1e6, S, 2, 10, i / 4, i % 4, c, (i < 3 && c) ? 0.6 : 0.05, NAN, 0);
    assert_int_equal(verdict_of(&t, &ms, "amplitude_is_induction", "match", NULL, 0), CL_SUPPORTED);
    assert_int_equal(verdict_of(&t, &ms, "amplitude_is_induction", "other", NULL, 0), CL_NOT_SUPPORTED);
    for (int k = 0; k < 2; k++) free(mm[k].ref[0]);
    cl_scores_free(&t);
}

/* strict: significant after Holm vs a sign only */
static void test_strict(void **st) {
    (void)st;
    const int S = sampling(), A = ablation();
    cl_scores t = {0};
    mosaic_k(&t, "real", 1e6, S, 2, 10, 1, 0.6, 0.1, 100);
    mosaic_k(&t, "chance", 1e6, S, 2, 10, 1, 0.6, 0.1, 100);
    for (int i = 0; i < 8; i++) {
        add(&t, "real", 1e6, S, 2, 10, i / 4, i % 4, A, i == 0 ? -1.0 : 0.0, 0.5, 100);
        add(&t, "chance", 1e6, S, 2, 10, i / 4, i % 4, A, -0.01, 0.5, 100); /* t = -0.2 */
    }
    assert_int_equal(verdict_of(&t, NULL, "strict", "real", NULL, 0), CL_SUPPORTED);
    assert_int_equal(verdict_of(&t, NULL, "strict", "chance", NULL, 0), CL_NOT_SUPPORTED);
    cl_scores_free(&t);
}

/* ------------------------------------------------------------ Bolt: band, strict, a missing mosaic */

/* A Bolt model with the study's pattern on patches: 3 heads at the mosaic, more at longer L,
 * fewer at more R; one head's ablation raises the median's error (ablation_median < 0). A
 * band row under the same name would be another family: the claims read patches only. */
static void test_bolt_claims(void **st) {
    (void)st;
    cl_scores t = {0};
    static const int G[3] = {2, 6, 10};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            const int R = G[i], L = G[j], k = (L == 10 ? 6 : L == 6 ? 4 : 2) - (R == 10 ? 2 : R == 6 ? 1 : 0);
            mosaic_k(&t, "bolt-a", 2e6, CL_SAMPLING_PATCHES, R, L, k, 0.6, 0.1, 100);
        }
    for (int i = 0; i < 8; i++)
        add(&t, "bolt-a", 2e6, CL_SAMPLING_PATCHES, 2, 10, i / 4, i % 4, CL_CRIT_ABLATION_MEDIAN, i == 0 ? -0.5 : 0.0, 0.5, 100);
    cl_verdicts v;
    run(&t, &v);
    const cl_verdict *x = find_with(&v, "exist", "bolt-a");
    assert_int_equal(x->verdict, CL_SUPPORTED);
    assert_int_equal(x->family, CL_FAMILY_BOLT);
    assert_non_null(strstr(x->test, "patches"));
    assert_int_equal(find_with(&v, "longer_more", "bolt-a")->verdict, CL_SUPPORTED);
    assert_int_equal(find_with(&v, "more_reps_fewer", "bolt-a")->verdict, CL_SUPPORTED);
    assert_int_equal(find_with(&v, "most_at_r2_l10", "bolt-a")->verdict, CL_SUPPORTED);
    x = find_with(&v, "band", "bolt-a");
    assert_int_equal(x->verdict, CL_UNDECIDED);
    assert_non_null(strstr(x->reason, "no token band"));
    x = find_with(&v, "strict", "bolt-a");
    assert_int_equal(x->verdict, CL_SUPPORTED);
    assert_non_null(strstr(x->reason, "median's error"));
    x = find_with(&v, "size", "bolt-a");
    assert_int_equal(x->verdict, CL_UNDECIDED);
    assert_int_equal(x->family, CL_FAMILY_BOLT);
    for (int i = 0; i < v.n; i++) {
        assert_int_equal(v.v[i].family, CL_FAMILY_BOLT);
        assert_true(strcmp(v.v[i].id, "band") || v.v[i].n_models == 1); /* no pooled band for Bolt */
    }
    cl_verdicts_free(&v);
    /* the ablation the other way (ablating helps the median): strict not supported */
    for (int i = 0; i < t.n; i++)
        if (t.rows[i].criterion == CL_CRIT_ABLATION_MEDIAN) t.rows[i].mean = t.rows[i].layer == 0 && t.rows[i].head == 0 ? 0.5 : 0;
    run(&t, &v);
    assert_int_equal(find_with(&v, "strict", "bolt-a")->verdict, CL_NOT_SUPPORTED);
    cl_verdicts_free(&v);
    /* a Bolt model without its mosaic (patches, R = 2, L = 10): exist has no rows, and says which */
    cl_scores u = {0};
    mosaic_k(&u, "bolt-b", 2e6, CL_SAMPLING_PATCHES, 2, 6, 3, 0.6, 0.1, 100);
    run(&u, &v);
    x = find_with(&v, "exist", "bolt-b");
    assert_int_equal(x->verdict, CL_UNDECIDED);
    assert_non_null(strstr(x->reason, "sampling patches"));
    cl_verdicts_free(&v);
    cl_scores_free(&u);
    cl_scores_free(&t);
}

/* ------------------------------------------------------------ across families: size, files */

static void test_size_per_family(void **st) {
    (void)st;
    cl_scores t = {0};
    /* T5: 1 head at 1M, 5 at 10M (supported); Bolt: 5 at 1M, 1 at 10M (not supported). One
     * verdict over all four would mix the families' counts. */
    mosaic_k(&t, "t5-small", 1e6, CL_SAMPLING_BAND, 2, 10, 1, 0.9, 0.1, 100);
    mosaic_k(&t, "bolt-small", 1e6, CL_SAMPLING_PATCHES, 2, 10, 5, 0.9, 0.1, 100);
    mosaic_k(&t, "t5-big", 1e7, CL_SAMPLING_BAND, 2, 10, 5, 0.9, 0.1, 100);
    mosaic_k(&t, "bolt-big", 1e7, CL_SAMPLING_PATCHES, 2, 10, 1, 0.9, 0.1, 100);
    cl_verdicts v;
    run(&t, &v);
    int sizes = 0;
    for (int i = 0; i < v.n; i++) sizes += !strcmp(v.v[i].id, "size");
    assert_int_equal(sizes, 2);
    const cl_verdict *a = find_with(&v, "size", "t5-small"), *b = find_with(&v, "size", "bolt-small");
    assert_ptr_not_equal(a, b);
    assert_int_equal(a->family, CL_FAMILY_T5);
    assert_int_equal(b->family, CL_FAMILY_BOLT);
    assert_int_equal(a->n_models, 2);
    assert_int_equal(b->n_models, 2);
    assert_string_equal(a->model[0], "t5-small"); /* by size */
    assert_string_equal(a->model[1], "t5-big");
    assert_string_equal(b->model[0], "bolt-small");
    assert_string_equal(b->model[1], "bolt-big");
    assert_int_equal(a->verdict, CL_SUPPORTED);
    assert_int_equal(b->verdict, CL_NOT_SUPPORTED);
    /* the pooled band: the Chronos-T5 models only */
    for (int i = 0; i < v.n; i++)
        if (!strcmp(v.v[i].id, "band") && v.v[i].n_models > 1) {
            assert_int_equal(v.v[i].n_models, 2);
            assert_int_equal(v.v[i].family, CL_FAMILY_T5);
            for (int k = 0; k < 2; k++) assert_non_null(strstr(v.v[i].model[k], "t5-"));
        }
    assert_int_equal(find_with(&v, "exist", "bolt-small")->family, CL_FAMILY_BOLT);
    assert_int_equal(find_with(&v, "exist", "t5-big")->family, CL_FAMILY_T5);
    /* the files name the family of every verdict */
    char path[600];
    cl_error err;
    snprintf(path, sizeof path, "%s/mixed.json", test_tmpdir());
    assert_int_equal(cl_verdicts_write_json(path, &v, &err), 0);
    cJSON *j = read_json(path);
    int nb = 0, nt = 0;
    for (int i = 0; i < cJSON_GetArraySize(j); i++) {
        const cJSON *f = cJSON_GetObjectItem(cJSON_GetArrayItem(j, i), "family");
        assert_true(cJSON_IsString(f));
        nb += !strcmp(f->valuestring, "bolt");
        nt += !strcmp(f->valuestring, "t5");
    }
    assert_int_equal(nb + nt, v.n);
    assert_true(nb > 0 && nt > 0);
    cJSON_Delete(j);
    snprintf(path, sizeof path, "%s/mixed.csv", test_tmpdir());
    assert_int_equal(cl_verdicts_write_csv(path, &v, &err), 0);
    char *csv = slurp(path);
    assert_true(!strncmp(csv, "id,model,family,verdict,", 24));
    assert_non_null(strstr(csv, "size,\"bolt-small;bolt-big\",bolt,not supported,"));
    assert_non_null(strstr(csv, "size,\"t5-small;t5-big\",t5,supported,"));
    free(csv);
    cl_verdicts_free(&v);
    /* a Chronos-T5 table alone: no family anywhere (its files keep their bytes) */
    cl_scores u = {0};
    mosaic_k(&u, "t5-small", 1e6, CL_SAMPLING_BAND, 2, 10, 1, 0.9, 0.1, 100);
    run(&u, &v);
    snprintf(path, sizeof path, "%s/t5.json", test_tmpdir());
    assert_int_equal(cl_verdicts_write_json(path, &v, &err), 0);
    char *js = slurp(path);
    assert_null(strstr(js, "\"family\""));
    free(js);
    snprintf(path, sizeof path, "%s/t5.csv", test_tmpdir());
    assert_int_equal(cl_verdicts_write_csv(path, &v, &err), 0);
    csv = slurp(path);
    assert_true(!strncmp(csv, "id,model,verdict,extension,reason,number,value\n", 47));
    free(csv);
    snprintf(path, sizeof path, "%s/t5-scores.csv", test_tmpdir());
    assert_int_equal(cl_scores_write(path, &u, &err), 0);
    csv = slurp(path);
    assert_true(!strncmp(csv, "model,parameters,sampling,reps,seq_len,layer,head,criterion,mean,std,n\n", 71));
    free(csv);
    cl_verdicts_free(&v);
    cl_scores_free(&u);
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



static void test_family_column(void **st) {
    (void)st;
    const char *H = "model,parameters,sampling,reps,seq_len,layer,head,criterion,mean,std,n,family\n";
    const char *H0 = "model,parameters,sampling,reps,seq_len,layer,head,criterion,mean,std,n\n";
    char buf[1024];
    snprintf(buf, sizeof buf, "%sm,1e6,patches,2,10,0,0,current,0.5,0.1,100,bolt\nm,1e6,patches,2,10,0,1,right,0.5,0.1,100,t6\n", H);
    expect_error(buf, "s.csv:3: family: not 't5', 'bolt' or 'chronos2'");
    snprintf(buf, sizeof buf, "%sm,1e6,band,2,10,0,0,current,0.5,0.1,100,bolt\n", H);
    expect_error(buf, "s.csv:2: family bolt");
    snprintf(buf, sizeof buf, "%sm,1e6,patches,2,10,0,0,current,0.5,0.1,100,t5\n", H);
    expect_error(buf, "s.csv:2: family t5");
    snprintf(buf, sizeof buf, "%sm,1e6,patches,2,10,0,0,ablation,-0.5,0.1,100,bolt\n", H);
    expect_error(buf, "s.csv:2: criterion ablation");
    snprintf(buf, sizeof buf, "%sm,1e6,band,2,10,0,0,ablation_median,-0.5,0.1,100\n", H0);
    expect_error(buf, "s.csv:2: criterion ablation_median");
    /* one model, rows of both families (with the column, and inferred without it) */
    snprintf(buf, sizeof buf, "%sm,1e6,band,2,10,0,0,current,0.5,0.1,100,t5\nx,1,band,2,10,0,0,current,0.5,,,t5\n"
                              "m,1e6,patches,2,10,0,0,current,0.5,0.1,100,bolt\n", H);
    expect_error(buf, "s.csv:4: model m: family bolt here, t5 on line 2");
    snprintf(buf, sizeof buf, "%sm,1e6,patches,2,10,0,0,current,0.5,0.1,100\nm,1e6,all,2,10,0,0,current,0.5,0.1,100\n", H0);
    expect_error(buf, "s.csv:3: model m: family t5 here, bolt on line 2");
    /* without the column: patches is bolt, any other t5; an empty cell is the same */
    const char *s = "model,parameters,sampling,reps,seq_len,layer,head,criterion,mean,family\n"
                    "b,1,patches,2,10,0,0,ablation_median,-2.5,\nt,1,band,2,10,0,0,right,0.5,t5\n";
    cl_scores t, u;
    cl_error err;
    if (cl_scores_parse(s, strlen(s), "f.csv", &t, &err)) fail_msg("%s", err.msg);
    assert_int_equal(t.n, 2);
    assert_int_equal(t.rows[0].family, CL_FAMILY_BOLT);
    assert_int_equal(t.rows[0].criterion, CL_CRIT_ABLATION_MEDIAN);
    assert_int_equal(t.rows[1].family, CL_FAMILY_T5);
    assert_int_equal(cl_scores_family(&t, "b"), CL_FAMILY_BOLT);
    assert_int_equal(cl_scores_family(&t, "t"), CL_FAMILY_T5);
    /* round trip: the family column written (a Bolt row), read back the same */
    char path[600];
    snprintf(path, sizeof path, "%s/fam.csv", test_tmpdir());
    assert_int_equal(cl_scores_write(path, &t, &err), 0);
    char *text = slurp(path);
    assert_true(!strncmp(text, H, strlen(H)));
    assert_non_null(strstr(text, ",patches,2,10,0,0,ablation_median,-2.5,,,bolt\n"));
    assert_non_null(strstr(text, ",band,2,10,0,0,right,0.5,,,t5\n"));
    free(text);
    if (cl_scores_read(path, &u, &err)) fail_msg("%s", err.msg);
    assert_int_equal(u.n, 2);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(u.rows[i].family, t.rows[i].family);
        assert_int_equal(u.rows[i].sampling, t.rows[i].sampling);
        assert_int_equal(u.rows[i].criterion, t.rows[i].criterion);
        assert_true(u.rows[i].mean == t.rows[i].mean);
    }
    cl_scores_free(&u);
    cl_scores_free(&t);
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

/* ------------------------------------------------------------ the commands */

static int verdicts_of(const char *path, const char *model) {
    cJSON *j = read_json(path);
    int n = 0;
    for (int i = 0; i < cJSON_GetArraySize(j); i++) {
        const cJSON *m = cJSON_GetObjectItem(cJSON_GetArrayItem(j, i), "model");
        n += cJSON_IsString(m) && !strcmp(m->valuestring, model);
    }
    cJSON_Delete(j);
    return n;
}

static const cJSON *verdict_in(const cJSON *j, const char *id, const char *model) {
    for (int i = 0; i < cJSON_GetArraySize(j); i++) {
        const cJSON *v = cJSON_GetArrayItem(j, i), *m = cJSON_GetObjectItem(v, "model");
        if (!strcmp(cJSON_GetObjectItem(v, "id")->valuestring, id) && cJSON_IsString(m) && !strcmp(m->valuestring, model))
            return v;
    }
    fail_msg("no verdict %s for %s", id, model);
    return NULL;
}

/* induction + sweep on the family's fixture, claims on the run's two tables: every per-model
 * claim for the model; bolt-rand's context is 32 patches of 16, so its sweep grid is R*L + 1 <= 32 */
static void test_cli(void **st) {
    (void)st;
    const cl_test_family *F = cl_test_family_now();
    const int bolt = F->family == CL_FAMILY_BOLT;
    const char *name = strrchr(F->fixture, '/') + 1;
    char d[600];
    snprintf(d, sizeof d, "%s/cli-%s", test_tmpdir(), name);
    assert_int_equal(run_cmd("mkdir -p '%s'", d), 0);
    assert_int_equal(run_cmd("'%s' induction --quiet --model '%s' --out '%s/ind' --batch 12 --seed 3", CL_CLI, F->fixture, d), 0);
    assert_int_equal(run_cmd("'%s' sweep --quiet --model '%s' --out '%s/sw' --batch 12 --seed 3 --reps-list 2,3 "
                             "--len-list 2,4", CL_CLI, F->fixture, d), 0);
    char p[700];
    snprintf(p, sizeof p, "%s/ind/scores.csv", d);
    char *sc = slurp(p);
    assert_non_null(strstr(sc, bolt ? ",patches,2,10," : ",band,2,10,"));
    assert_true(bolt == (strstr(sc, "ablation_median") != NULL)); /* Bolt: its own ablation criterion */
    assert_true(bolt == (strstr(sc, ",family\n") != NULL));     /* the family column with a Bolt row only */
    free(sc);
    assert_int_equal(run_cmd("'%s' claims --quiet --scores '%s/ind/scores.csv' --scores '%s/sw/scores.csv' --out '%s/cl'",
                             CL_CLI, d, d, d), 0);
    snprintf(p, sizeof p, "%s/cl/claims.json", d);
    /* exist band longer_more more_reps_fewer most_at_r2_l10 spread period_is_gap
     * amplitude_is_induction, size (one model: its name), strict */
    assert_int_equal(verdicts_of(p, name), 10);
    cJSON *j = read_json(p);
    const cJSON *e = verdict_in(j, "exist", name);
    /* random weights: nothing beyond chance (a batch this small may leave a head within its error of 0.3) */
    assert_string_not_equal(cJSON_GetObjectItem(e, "verdict")->valuestring, "supported");
    const cJSON *f = cJSON_GetObjectItem(e, "family");
    if (!bolt) assert_null(f);
    else assert_string_equal(f->valuestring, "bolt");
    /* the sweep's cells were read: the grid claims are decided on 2 values each */
    const cJSON *most = cJSON_GetObjectItem(verdict_in(j, "most_at_r2_l10", name), "numbers");
    assert_float_equal(cJSON_GetObjectItem(most, "cells")->valuedouble, 5, 0); /* 2 x 2 + the mosaic */
    cJSON_Delete(j);
}

/* both models in one run: one table with both families, size once per family; two tables
 * giving one model two families are refused */
static void test_cli_both(void **st) {
    (void)st;
    const char *tmp = test_tmpdir();
    char d[600], p[700];
    snprintf(d, sizeof d, "%s/cli-both", tmp);
    assert_int_equal(run_cmd("mkdir -p '%s'", d), 0);
    assert_int_equal(run_cmd("'%s' induction --quiet --model '%s' --model '%s' --out '%s/ind' --batch 12 --no-strict", CL_CLI,
                             BOLT, T5, d), 0);
    assert_int_equal(run_cmd("'%s' claims --quiet --scores '%s/ind/scores.csv' --out '%s/cl'", CL_CLI, d, d), 0);
    snprintf(p, sizeof p, "%s/cl/claims.json", d);
    cJSON *j = read_json(p);
    assert_string_equal(cJSON_GetObjectItem(verdict_in(j, "size", "bolt-rand"), "family")->valuestring, "bolt");
    assert_string_equal(cJSON_GetObjectItem(verdict_in(j, "size", "rand-small"), "family")->valuestring, "t5");
    assert_string_equal(cJSON_GetObjectItem(verdict_in(j, "exist", "rand-small"), "family")->valuestring, "t5");
    cJSON_Delete(j);
    /* two tables giving one model two families: one line, status 2, nothing written */
    snprintf(p, sizeof p, "%s/fake.csv", d);
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    fputs("model,parameters,sampling,reps,seq_len,layer,head,criterion,mean\nbolt-rand,1,band,2,10,0,0,current,0.5\n", fp);
    fclose(fp);
    assert_int_equal(run_cmd("'%s' claims --quiet --scores '%s/ind/scores.csv' --scores '%s' --out '%s/bad' 2>/dev/null", CL_CLI,
                             d, p, d), 2);
    snprintf(p, sizeof p, "%s/bad/claims.json", d);
    assert_false(file_exists(p));
}

int main(int argc, char **argv) {
    static const struct CMUnitTest common[] = {
        cmocka_unit_test(test_table_errors),   cmocka_unit_test(test_table_round_trip),
        cmocka_unit_test(test_family_column),  cmocka_unit_test(test_distributions),
    };
#define FAMILY_CASES                                                                                    \
    cmocka_unit_test(test_exist), cmocka_unit_test(test_size), cmocka_unit_test(test_sweep_claims),     \
        cmocka_unit_test(test_spread), cmocka_unit_test(test_period), cmocka_unit_test(test_amplitude), \
        cmocka_unit_test(test_strict), cmocka_unit_test(test_cli)
    static const struct CMUnitTest t5[] = {FAMILY_CASES, cmocka_unit_test(test_band)};
    static const struct CMUnitTest bolt[] = {FAMILY_CASES, cmocka_unit_test(test_bolt_claims)};
    static const struct CMUnitTest mixed[] = {
        cmocka_unit_test(test_size_per_family),
        cmocka_unit_test(test_cli_both),
    };
    static const cl_test_group groups[] = {
        CL_TEST_GROUP("common", common, NULL, NULL, NULL, NULL),
        CL_TEST_GROUP("t5", t5, NULL, NULL, &cl_test_t5, NULL),
        CL_TEST_GROUP("bolt", bolt, NULL, NULL, &cl_test_bolt, NULL),
        CL_TEST_GROUP("mixed", mixed, NULL, NULL, NULL, NULL),
    };
    return cl_test_main(argc, argv, groups, sizeof groups / sizeof *groups);
}
