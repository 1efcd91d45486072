/* claims.c — the study's claims as tests on a scores table (claims.h, docs/claims.md). */
#include "claims/claims_internal.h"
#include "core/stats.h"
#include "core/core.h"
#include "study/multisine/msheads.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cl_claims_default(cl_claims_opts *o) {
    o->threshold = 0.3;
    o->z = 1.96;
    o->alpha = 0.05;
    o->tie_heads = 1;
    o->tie_score = 0.05;
    o->concentrated_mass = CL_MS_CONCENTRATED_MASS;
    o->concentrated_share = CL_MS_CONCENTRATED_SHARE;
}

void cl_verdicts_free(cl_verdicts *v) {
    free(v->v);
    memset(v, 0, sizeof *v);
}

const char *cl_verdict_word(int v) { return v == CL_SUPPORTED ? "supported" : v == CL_NOT_SUPPORTED ? "not supported" : "undecided"; }

/* ------------------------------------------------------------------ counts and decisions */

/* P(the head's mean is >= thr) under its sampling error (a step without it). */
static double p_above(const cl_score_row *r, double thr) {
    double se = claims_se(r);
    if (isnan(se) || se == 0) return r->mean >= thr;
    return cl_norm_cdf((r->mean - thr) / se);
}

/* A count of heads (the union over `current` and `right`, or the all-occurrence pair when
 * all = 1): n on the means, var its sampling variance, have_se when every row has std/n. */
typedef struct count { int heads; double n, var, sum, n_base, best; int have_se; } count;

static count cell_count(const claims_cell *c, double thr, int all) {
    count k = {.have_se = 1, .best = NAN};
    const int a = all ? CL_CRIT_CURRENT_ALL : CL_CRIT_CURRENT, b = all ? CL_CRIT_RIGHT_ALL : CL_CRIT_RIGHT;
    const double T = (double)c->reps * c->seq_len + 2, thr_b = 1 / T + thr * (1 - 1 / T);
    for (int i = 0; i < c->n; i++) {
        const cl_score_row *x = c->h[i].r[a], *y = c->h[i].r[b];
        if (!x && !y) continue;
        k.heads++;
        double q = 1;
        int up = 0, upb = 0;
        const cl_score_row *xy[2] = {x, y};
        for (int j = 0; j < 2; j++) {
            const cl_score_row *r = xy[j];
            if (!r) continue;
            if (isnan(claims_se(r))) k.have_se = 0;
            q *= 1 - p_above(r, thr);
            up |= r->mean >= thr;
            upb |= r->mean >= thr_b;
            k.sum += r->mean >= thr;
            if (isnan(k.best) || r->mean > k.best) k.best = r->mean;
        }
        k.n += up;
        k.n_base += upb;
        k.var += (1 - q) * q;
    }
    if (!k.heads) k.have_se = 0;
    return k;
}

/* Decides "d > 0" for a difference d with standard error sd: margin z*sd with sampling error,
 * the tie otherwise. Returns the verdict; *why says which. */
static int decide_pos(double d, double sd, int have_se, double tie, double z, const char **why) {
    double m = have_se ? z * sd : tie;
    if (d > m) { *why = have_se ? "beyond its sampling error" : "by more than the tie"; return CL_SUPPORTED; }
    if (d < -m || (have_se && m == 0 && d <= 0)) { *why = have_se ? "beyond its sampling error" : "by more than the tie"; return CL_NOT_SUPPORTED; }
    *why = have_se ? "within its sampling error" : "a tie (means only)";
    return CL_UNDECIDED;
}

/* Distinct values of reps (what = 0) or seq_len (1) of the model's rows of its sampling
 * (band for Chronos-T5, patches for Chronos-Bolt). */
static int grid_values(const cl_scores *t, const char *model, int what, int *v, int max) {
    int n = 0;
    const int S = claims_sampling(t, model);
    for (int i = 0; i < t->n; i++) {
        const cl_score_row *r = &t->rows[i];
        if (r->sampling != S || strcmp(r->model, model) || r->criterion > CL_CRIT_RIGHT) continue;
        int x = what ? r->seq_len : r->reps, seen = 0;
        for (int j = 0; j < n && !seen; j++) seen = v[j] == x;
        if (!seen && n < max) v[n++] = x;
    }
    for (int i = 1; i < n; i++) /* ascending */
        for (int j = i; j > 0 && v[j - 1] > v[j]; j--) { int s = v[j]; v[j] = v[j - 1]; v[j - 1] = s; }
    return n;
}

#define GRID 64

/* Does the model have all-occurrence rows (of its sampling) at (reps, seq_len)? */
static int has_sum(const cl_scores *t, const char *model, int reps, int len) {
    const int S = claims_sampling(t, model);
    for (int i = 0; i < t->n; i++) {
        const cl_score_row *r = &t->rows[i];
        if (r->sampling == S && r->reps == reps && r->seq_len == len &&
            (r->criterion == CL_CRIT_CURRENT_ALL || r->criterion == CL_CRIT_RIGHT_ALL) && !strcmp(r->model, model))
            return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------ texts */

static const char *T_EXIST_C = "Chronos has induction heads in decoder cross-attention (a head >= 0.3 at R = 2, L = 10)";
static const char *T_EXIST_T =
    "some head's mean attention on the current token m or the token to its right m+1 is >= 0.3 (band, R = 2, L = 10); "
    "with std/n: beyond its sampling error (one-sided, Bonferroni over heads x criteria); not supported when every head is "
    "below beyond its error";
static const char *T_EXIST_T_BOLT =
    "Chronos-Bolt, repeated random patches (method.md 4.1): some head's mean cross-attention of the decoder query on "
    "the current patch m or the patch to its right m+1 is >= 0.3 (sampling patches, R = 2, L = 10); with std/n: beyond "
    "its sampling error (one-sided, Bonferroni over heads x criteria); not supported when every head is below beyond "
    "its error";
static const char *T_EXIST_T_C2 =
    "Chronos-2, repeated random patches with one future token (method.md 4.1, docs/induction.md): some head's mean time "
    "attention of the first future token on the current patch m or the patch to its right m+1 is >= 0.3 (sampling "
    "patches, R = 2, L = 10); with std/n: beyond its sampling error (one-sided, Bonferroni over heads x criteria); not "
    "supported when every head is below beyond its error";
static const char *T_SIZE_C = "The number of induction heads increases with the model's size";
static const char *T_SIZE_T =
    "count of heads >= 0.3 (mosaic) against the parameter count: the largest model's count exceeds the smallest's "
    "beyond the error (one head with means only) and no step up in size loses heads beyond it; one verdict for the set";
static const char *T_BAND_C = "Sampling the tokens from the band 1910..2187 gives much stronger evidence than all tokens";
static const char *T_BAND_T =
    "count of heads >= 0.3 at R = 2, L = 10 with band sampling minus that with all-token sampling, beyond its error "
    "(one head with means only); the top scores beside it";
static const char *T_LONG_C = "Longer sequences give more heads";
static const char *T_LONG_T =
    "sweep: mean over R of count(R, longest L) - count(R, shortest L) > 0 beyond its error (one head with means "
    "only); the baseline-aware count (threshold rescaled above 1/T) beside it";
static const char *T_REPS_C = "More repetitions give fewer heads";
static const char *T_REPS_T =
    "sweep: mean over L of count(fewest R, L) - count(most R, L) > 0 beyond its error (one head with means only); the "
    "baseline-aware count beside it";
static const char *T_MOST_C = "R = 2 repetitions of L = 10 tokens gives (about) the most heads";
static const char *T_MOST_T =
    "sweep: the grid's largest count minus the count at R = 2, L = 10 is within its error (one head with means only)";
static const char *T_SPREAD_C =
    "With more repetitions the heads spread their attention over all prior occurrences instead of the most recent one";
static const char *T_SPREAD_T =
    "heads whose all-occurrence sum is >= 0.3 at the fewest R (L = 10, else the longest L): from the fewest to the "
    "most R their most-recent score falls beyond its error (0.05 with means only) while the sum keeps >= 3/4 of "
    "its value; not supported when the most-recent score does not fall or the sum falls below 3/4 beyond its error";
static const char *T_STRICT_C =
    "(extension, not a claim of the study) The heads >= 0.3 are induction heads in the strict sense of Olsson et al.: "
    "ablating one lowers log p(s_2)";
static const char *T_STRICT_T =
    "per head a one-sided t-test of the batch's per-sequence change of log p(s_2) under ablation (mean < 0, from "
    "mean, std, n), Holm's correction over every head; supported when a head >= 0.3 is significant";

static const char *T_STRICT_C_BOLT =
    "(extension, not a claim of the study) The Chronos-Bolt heads >= 0.3 matter to the forecast: ablating one raises "
    "the error of the first-step median";
static const char *T_STRICT_C_C2 =
    "(extension, not a claim of the study) The Chronos-2 time-attention heads >= 0.3 matter to the forecast: ablating "
    "one raises the error of the first-step median";
static const char *T_STRICT_T_BOLT =
    "per head a one-sided t-test of the batch's per-sequence ablation_median = |m - y| - |m_h - y| (m, m_h: the "
    "first-step median without and with the head zeroed, y = s_1[0]; mean < 0: ablating raises the error; from mean, "
    "std, n), Holm's correction over every head; supported when a head >= 0.3 is significant";

/* ------------------------------------------------------------------ per-model claims */

static int claim_exist(const cl_scores *t, const char *model, const cl_claims_opts *o, cl_verdicts *out) {
    const int S = claims_sampling(t, model);
    const int c2 = cl_scores_family(t, model) == CL_FAMILY_CHRONOS2;
    cl_verdict *v = claims_verdict(out, "exist", T_EXIST_C,
                                   c2 ? T_EXIST_T_C2 : S == CL_SAMPLING_PATCHES ? T_EXIST_T_BOLT : T_EXIST_T, model);
    if (!v) return -1;
    claims_cell c;
    if (claims_cell_get(t, model, S, 2, 10, &c)) return -1;
    count k = cell_count(&c, o->threshold, 0);
    if (!k.heads) {
        claims_reason(v, "no rows with sampling %s, reps 2, seq_len 10 (the mosaic)", cl_sampling_name(S));
        claims_cell_free(&c);
        return 0;
    }
    int tests = 0; /* one per head and criterion: the Bonferroni family */
    for (int i = 0; i < c.n; i++) tests += (c.h[i].r[CL_CRIT_CURRENT] != NULL) + (c.h[i].r[CL_CRIT_RIGHT] != NULL);
    const double zb = cl_norm_quantile(1 - o->alpha / tests);
    int sig = 0, below = 0, bl = -1, bh = -1;
    double best = -1;
    for (int i = 0; i < c.n; i++) {
        int s = 0, b = 1, any = 0;
        for (int j = CL_CRIT_CURRENT; j <= CL_CRIT_RIGHT; j++) {
            const cl_score_row *r = c.h[i].r[j];
            if (!r) continue;
            any = 1;
            double se = claims_se(r);
            if (r->mean > best) { best = r->mean; bl = c.h[i].layer; bh = c.h[i].head; }
            if (isnan(se)) continue;
            if (se == 0 ? r->mean >= o->threshold : (r->mean - o->threshold) / se > zb) s = 1;
            if (!(se == 0 ? r->mean < o->threshold : (o->threshold - r->mean) / se > zb)) b = 0;
        }
        sig += any && s;
        below += any && b;
    }
    claims_num(v, k.n, "heads >= %g", o->threshold);
    claims_num(v, k.have_se ? sig : NAN, "heads >= %g beyond sampling error", o->threshold);
    claims_num(v, k.heads, "cross-attention heads");
    claims_num(v, best, "largest mean score");
    claims_num(v, bl, "its layer");
    claims_num(v, bh, "its head");
    if (!k.have_se) {
        v->verdict = k.n > 0 ? CL_SUPPORTED : CL_NOT_SUPPORTED;
        claims_reason(v, "%.0f of %d heads have a mean >= %g (means only: no std/n)", k.n, k.heads, o->threshold);
    } else if (sig > 0) {
        v->verdict = CL_SUPPORTED;
        claims_reason(v, "%d head(s) >= %g beyond sampling error (one-sided z > %.2f, Bonferroni over %d heads x criteria)", sig,
               o->threshold, zb, tests);
    } else if (below == k.heads) {
        v->verdict = CL_NOT_SUPPORTED;
        claims_reason(v, "every head is below %g beyond its sampling error (largest mean %.3f)", o->threshold, best);
    } else if (k.n > 0) {
        claims_reason(v, "%.0f head(s) reach %g on the means, but none beyond its sampling error", k.n, o->threshold);
    } else {
        claims_reason(v, "no head reaches %g on the means, but %d head(s) are within their sampling error of it (largest mean "
                  "%.3f)", o->threshold, k.heads - below, best);
    }
    claims_cell_free(&c);
    return 0;
}

static int claim_band(const cl_scores *t, const char *model, const cl_claims_opts *o, cl_verdicts *out,
                      double *d_sum, double *var_sum, int *have_se, int *used, double *heads_sum) {
    cl_verdict *v = claims_verdict(out, "band", T_BAND_C, T_BAND_T, model);
    if (!v) return -1;
    if (claims_sampling(t, model) == CL_SAMPLING_PATCHES) { /* kept, undecided: every model has the same claim ids */
        claims_reason(v, "%s: no token band to compare (repeated random patches have no vocabulary); a Chronos-T5 claim",
                      cl_scores_family(t, model) == CL_FAMILY_CHRONOS2 ? "Chronos-2" : "Chronos-Bolt");
        return 0;
    }
    claims_cell a, b;
    if (claims_cell_get(t, model, CL_SAMPLING_BAND, 2, 10, &a)) return -1;
    if (claims_cell_get(t, model, CL_SAMPLING_ALL, 2, 10, &b)) { claims_cell_free(&a); return -1; }
    count ka = cell_count(&a, o->threshold, 0), kb = cell_count(&b, o->threshold, 0);
    claims_num(v, ka.n, "heads >= %g, band sampling", o->threshold);
    claims_num(v, kb.heads ? kb.n : NAN, "heads >= %g, all tokens", o->threshold);
    claims_num(v, ka.best, "top score, band");
    claims_num(v, kb.heads ? kb.best : NAN, "top score, all tokens");
    if (!ka.heads || !kb.heads) {
        claims_reason(v, "needs the mosaic (reps 2, seq_len 10) with both samplings; no rows with sampling %s",
               !ka.heads ? "band" : "all");
    } else {
        double d = ka.n - kb.n, sd = sqrt(ka.var + kb.var);
        int se = ka.have_se && kb.have_se;
        const char *why;
        claims_num(v, d, "difference (band - all)");
        claims_num(v, se ? sd : NAN, "its standard error");
        if (ka.n == 0 && kb.n == 0) claims_reason(v, "no head reaches %g with either sampling", o->threshold);
        else {
            v->verdict = decide_pos(d, sd, se, o->tie_heads, o->z, &why);
            claims_reason(v, "band gives %.0f heads, all tokens %.0f: the difference is %s", ka.n, kb.n, why);
        }
        *d_sum += d;
        *heads_sum += ka.n + kb.n;
        *var_sum += ka.var + kb.var;
        *have_se &= se;
        (*used)++;
    }
    claims_cell_free(&a);
    claims_cell_free(&b);
    return 0;
}

/* longer_more (what = 1: over L) or more_reps_fewer (what = 0: over R) */
static int claim_trend(const cl_scores *t, const char *model, int what, const cl_claims_opts *o, cl_verdicts *out) {
    cl_verdict *v = what ? claims_verdict(out, "longer_more", T_LONG_C, T_LONG_T, model)
                         : claims_verdict(out, "more_reps_fewer", T_REPS_C, T_REPS_T, model);
    if (!v) return -1;
    int R[GRID], L[GRID], nr = grid_values(t, model, 0, R, GRID), nl = grid_values(t, model, 1, L, GRID);
    int nv = what ? nl : nr, no = what ? nr : nl;
    const int S = claims_sampling(t, model);
    const int *V = what ? L : R, *O = what ? R : L;
    if (nv < 2) {
        claims_reason(v, "the sweep has %d value%s of %s (needs 2 or more)", nv, nv == 1 ? "" : "s", what ? "seq_len" : "reps");
        return 0;
    }
    double d = 0, var = 0, db = 0, lo_n = 0, hi_n = 0;
    int k = 0, se = 1;
    for (int i = 0; i < no; i++) {
        claims_cell a, b;
        int ra = what ? O[i] : V[0], la = what ? V[0] : O[i], rb = what ? O[i] : V[nv - 1], lb = what ? V[nv - 1] : O[i];
        if (claims_cell_get(t, model, S, ra, la, &a)) return -1;
        if (claims_cell_get(t, model, S, rb, lb, &b)) { claims_cell_free(&a); return -1; }
        count ka = cell_count(&a, o->threshold, 0), kb = cell_count(&b, o->threshold, 0);
        if (ka.heads && kb.heads) {
            /* longer_more: count at the largest L minus the smallest; fewer: smallest R minus largest */
            double x = what ? kb.n - ka.n : ka.n - kb.n, xb = what ? kb.n_base - ka.n_base : ka.n_base - kb.n_base;
            d += x;
            db += xb;
            var += ka.var + kb.var;
            lo_n += ka.n;
            hi_n += kb.n;
            se &= ka.have_se && kb.have_se;
            k++;
        }
        claims_cell_free(&a);
        claims_cell_free(&b);
    }
    claims_num(v, V[0], what ? "shortest L" : "fewest R");
    claims_num(v, V[nv - 1], what ? "longest L" : "most R");
    if (!k) {
        claims_reason(v, "no %s holds both ends of the grid", what ? "R" : "L");
        return 0;
    }
    d /= k;
    db /= k;
    double sd = sqrt(var) / k;
    claims_num(v, lo_n / k, what ? "mean count, shortest L" : "mean count, fewest R");
    claims_num(v, hi_n / k, what ? "mean count, longest L" : "mean count, most R");
    claims_num(v, d, "difference (claimed direction)");
    claims_num(v, se ? sd : NAN, "its standard error");
    claims_num(v, db, "difference, baseline-aware count");
    claims_num(v, k, what ? "values of R compared" : "values of L compared");
    if (lo_n == 0 && hi_n == 0) {
        claims_reason(v, "no head reaches %g at either end of the grid", o->threshold);
        return 0;
    }
    const char *why;
    v->verdict = decide_pos(d, sd, se, o->tie_heads, o->z, &why);
    claims_reason(v, "the mean count changes by %+.2f heads in the claimed direction, %s (baseline-aware count: %+.2f); "
              "the fixed threshold favours small T = R*L+2, where the uniform level 1/T is high",
           d, why, db);
    return 0;
}

static int claim_most(const cl_scores *t, const char *model, const cl_claims_opts *o, cl_verdicts *out) {
    cl_verdict *v = claims_verdict(out, "most_at_r2_l10", T_MOST_C, T_MOST_T, model);
    if (!v) return -1;
    int R[GRID], L[GRID], nr = grid_values(t, model, 0, R, GRID), nl = grid_values(t, model, 1, L, GRID);
    count at = {0}, best = {0};
    int br = 0, bl = 0, cells = 0, have = 0;
    const int S = claims_sampling(t, model);
    for (int i = 0; i < nr; i++)
        for (int j = 0; j < nl; j++) {
            claims_cell c;
            if (claims_cell_get(t, model, S, R[i], L[j], &c)) return -1;
            count k = cell_count(&c, o->threshold, 0);
            claims_cell_free(&c);
            if (!k.heads) continue;
            cells++;
            if (R[i] == 2 && L[j] == 10) { at = k; have = 1; }
            if (!best.heads || k.n > best.n) { best = k; br = R[i]; bl = L[j]; }
        }
    claims_num(v, have ? at.n : NAN, "heads at R=2, L=10");
    claims_num(v, cells ? best.n : NAN, "most heads in the grid");
    claims_num(v, cells ? br : NAN, "at R");
    claims_num(v, cells ? bl : NAN, "at L");
    claims_num(v, cells, "cells");
    if (!have || cells < 2) {
        claims_reason(v, !have ? "no rows at reps 2, seq_len 10" : "a sweep of one cell");
        return 0;
    }
    if (best.n == 0) {
        claims_reason(v, "no head reaches %g anywhere on the grid", o->threshold);
        return 0;
    }
    int se = at.have_se && best.have_se;
    double d = best.n - at.n, sd = (br == 2 && bl == 10) ? 0 : sqrt(at.var + best.var), m = se ? o->z * sd : o->tie_heads;
    claims_num(v, d, "shortfall from the maximum");
    claims_num(v, se ? sd : NAN, "its standard error");
    v->verdict = d <= m ? CL_SUPPORTED : CL_NOT_SUPPORTED;
    if (d <= m) claims_reason(v, "R = 2, L = 10 has %.0f heads, the maximum %.0f (R = %d, L = %d): within %s", at.n, best.n, br,
                       bl, se ? "the sampling error" : "one head");
    else claims_reason(v, "the maximum %.0f (R = %d, L = %d) exceeds R = 2, L = 10 (%.0f) by more than %s", best.n, br, bl, at.n,
                se ? "the sampling error" : "one head");
    return 0;
}

static int claim_spread(const cl_scores *t, const char *model, const cl_claims_opts *o, cl_verdicts *out) {
    cl_verdict *v = claims_verdict(out, "spread", T_SPREAD_C, T_SPREAD_T, model);
    if (!v) return -1;
    int R[GRID], L[GRID], nr = grid_values(t, model, 0, R, GRID), nl = grid_values(t, model, 1, L, GRID);
    /* L: 10 when it has the all-occurrence rows at two R or more, else the longest that has */
    int Ls = -1, r0 = 0, r1 = 0;
    for (int j = nl; j >= 0 && Ls < 0; j--) {
        int l = j == nl ? 10 : L[j], lo = 0, hi = 0;
        for (int i = 0; i < nr; i++)
            if (has_sum(t, model, R[i], l)) {
                if (!lo) lo = R[i];
                hi = R[i];
            }
        if (lo && hi > lo) { Ls = l; r0 = lo; r1 = hi; }
    }
    if (Ls < 0) {
        claims_reason(v, "needs the all-occurrence scores (criteria current_all, right_all) at two values of reps or more "
                  "for one seq_len");
        return 0;
    }
    claims_cell a, b;
    const int S = claims_sampling(t, model);
    if (claims_cell_get(t, model, S, r0, Ls, &a)) return -1;
    if (claims_cell_get(t, model, S, r1, Ls, &b)) { claims_cell_free(&a); return -1; }
    double s0 = 0, s1 = 0, q0 = 0, q1 = 0, vs0 = 0, vs1 = 0, vq0 = 0, vq1 = 0;
    int k = 0, se = 1, each = 0;
    for (int i = 0; i < a.n; i++) {
        const claims_head_rows *ha = &a.h[i];
        const claims_head_rows *hb = NULL;
        for (int j = 0; j < b.n && !hb; j++)
            if (b.h[j].layer == ha->layer && b.h[j].head == ha->head) hb = &b.h[j];
        if (!hb) continue;
        /* the criterion (current or right) with the larger sum at the fewest R */
        int best = -1;
        double bs = -1;
        for (int c = 0; c < 2; c++) {
            const cl_score_row *x = ha->r[CL_CRIT_CURRENT_ALL + c];
            if (x && ha->r[c] && hb->r[c] && hb->r[CL_CRIT_CURRENT_ALL + c] && x->mean > bs) { bs = x->mean; best = c; }
        }
        if (best < 0 || bs < o->threshold) continue;
        const cl_score_row *ra = ha->r[best], *rb = hb->r[best], *sa = ha->r[CL_CRIT_CURRENT_ALL + best],
                           *sb = hb->r[CL_CRIT_CURRENT_ALL + best];
        k++;
        q0 += ra->mean; q1 += rb->mean; s0 += sa->mean; s1 += sb->mean;
        double e[4] = {claims_se(ra), claims_se(rb), claims_se(sa), claims_se(sb)};
        for (int j = 0; j < 4; j++) se &= !isnan(e[j]);
        if (se) { vq0 += e[0] * e[0]; vq1 += e[1] * e[1]; vs0 += e[2] * e[2]; vs1 += e[3] * e[3]; }
        each += ra->mean - rb->mean > o->tie_score && sb->mean >= 0.75 * sa->mean;
    }
    claims_cell_free(&a);
    claims_cell_free(&b);
    claims_num(v, Ls, "L");
    claims_num(v, r0, "fewest R");
    claims_num(v, r1, "most R");
    claims_num(v, k, "heads with an all-occurrence sum >= %g at the fewest R", o->threshold);
    if (!k) {
        claims_reason(v, "no head puts %g of its attention after the earlier occurrences at R = %d, L = %d", o->threshold, r0, Ls);
        return 0;
    }
    q0 /= k; q1 /= k; s0 /= k; s1 /= k;
    claims_num(v, q0, "most-recent score, fewest R");
    claims_num(v, q1, "most-recent score, most R");
    claims_num(v, s0, "all-occurrence sum, fewest R");
    claims_num(v, s1, "all-occurrence sum, most R");
    claims_num(v, each, "of the heads, spreading one by one");
    const double dq = q0 - q1, sdq = sqrt(vq0 + vq1) / k, K = s1 - 0.75 * s0, sdK = sqrt(vs1 + 0.5625 * vs0) / k;
    const double mq = se ? o->z * sdq : o->tie_score, mk = se ? o->z * sdK : o->tie_score;
    const int fall = dq > mq, nofall = dq < -mq || (se && mq == 0 && dq <= 0);
    const int keep = K >= 0, lose = K < -mk || (se && mk == 0 && K < 0);
    if (fall && keep) {
        v->verdict = CL_SUPPORTED;
        claims_reason(v, "over %d head(s), R = %d -> %d at L = %d: the most-recent score falls %.3f -> %.3f while the "
                  "all-occurrence sum stays %.3f -> %.3f; by the study's criterion such heads fade with R although they "
                  "still attend after an earlier occurrence", k, r0, r1, Ls, q0, q1, s0, s1);
    } else if (nofall || lose) {
        v->verdict = CL_NOT_SUPPORTED;
        if (nofall) claims_reason(v, "the most-recent score does not fall (%.3f -> %.3f; sum %.3f -> %.3f)", q0, q1, s0, s1);
        else
            claims_reason(v, "the all-occurrence sum falls %.3f -> %.3f, below 3/4 of its value (most-recent %.3f -> %.3f): the "
                      "heads fade rather than spread", s0, s1, q0, q1);
    } else {
        claims_reason(v, "most-recent %.3f -> %.3f, sum %.3f -> %.3f: %s", q0, q1, s0, s1,
               !fall ? "the fall of the most-recent score is within its error" : "the sum's fall is within its error of 3/4");
    }
    return 0;
}

static int claim_strict(const cl_scores *t, const char *model, const cl_claims_opts *o, cl_verdicts *out) {
    /* Chronos-T5: ablating an induction head lowers log p(s_2); Chronos-Bolt: it raises the
     * first-step median's error (criterion ablation_median = |m - y| - |m_h - y|, rrp.h). Both
     * scores are negative when the head helped: H1 is mean < 0 for either. */
    const int S = claims_sampling(t, model), bolt = S == CL_SAMPLING_PATCHES, A = bolt ? CL_CRIT_ABLATION_MEDIAN : CL_CRIT_ABLATION;
    const char *tc = !bolt ? T_STRICT_C : cl_scores_family(t, model) == CL_FAMILY_CHRONOS2 ? T_STRICT_C_C2 : T_STRICT_C_BOLT;
    cl_verdict *v = claims_verdict(out, "strict", tc, bolt ? T_STRICT_T_BOLT : T_STRICT_T, model);
    if (!v) return -1;
    v->extension = 1;
    claims_cell c;
    if (claims_cell_get(t, model, S, 2, 10, &c)) return -1;
    double *p = malloc(sizeof(double) * (size_t)(c.n + 1));
    unsigned char *rej = malloc((size_t)c.n + 1);
    if (!p || !rej) { free(p); free(rej); claims_cell_free(&c); return -1; }
    int nabl = 0, nse = 0, relaxed = 0, neg = 0;
    for (int i = 0; i < c.n; i++) {
        const cl_score_row *a = c.h[i].r[A];
        p[i] = NAN;
        if (!a) continue;
        nabl++;
        neg += a->mean < 0;
        double se = claims_se(a);
        if (isnan(se) || a->n < 2) continue;
        nse++;
        p[i] = se == 0 ? (a->mean < 0 ? 0 : 1) : cl_t_cdf(a->mean / se, (double)a->n - 1); /* H1: mean < 0 */
    }
    int sig = cl_holm(p, c.n, o->alpha, rej), strict = 0, strict_any = 0;
    for (int i = 0; i < c.n; i++) {
        const cl_score_row *x = c.h[i].r[CL_CRIT_CURRENT], *y = c.h[i].r[CL_CRIT_RIGHT];
        int up = (x && x->mean >= o->threshold) || (y && y->mean >= o->threshold);
        relaxed += up;
        strict += up && rej[i];
        strict_any += rej[i];
    }
    const char *what = bolt ? "raise the median's error" : "lower log p(s_2)";
    claims_num(v, relaxed, "heads >= %g", o->threshold);
    claims_num(v, neg, "heads with mean change < 0 (the sign alone)");
    claims_num(v, nse ? sig : NAN, bolt ? "heads raising the median's error significantly (Holm)"
                                        : "heads lowering log p(s_2) significantly (Holm)");
    claims_num(v, nse ? strict : NAN, "of the heads >= %g, significant", o->threshold);
    claims_num(v, nabl, "heads with an ablation score");
    if (!nabl) claims_reason(v, "no ablation rows (criterion %s) at the mosaic", cl_criterion_name(A));
    else if (!nse) claims_reason(v, "the ablation rows have no std/n: the sign of a mean is no test");
    else if (strict > 0) {
        v->verdict = CL_SUPPORTED;
        claims_reason(v, "%d head(s) >= %g %s when ablated, significant after Holm's correction over %d heads", strict,
               o->threshold, what, nse);
    } else {
        v->verdict = CL_NOT_SUPPORTED;
        if (relaxed)
            claims_reason(v, "no head >= %g %s beyond chance (Holm over %d heads; %d head(s) in all are significant)",
                          o->threshold, bolt ? "raises the median's error" : "lowers log p(s_2)", nse, strict_any);
        else
            claims_reason(v, "no head reaches %g (Holm over %d heads; %d head(s) in all %s significantly)", o->threshold, nse,
                          strict_any, what);
    }
    (void)sig;
    free(p); free(rej);
    claims_cell_free(&c);
    return 0;
}

/* ------------------------------------------------------------------ the set claim: size */

/* names: the models of one family (the verdict's family) */
static int claim_size(const cl_scores *t, const char *const *names, int nm, int family, const cl_claims_opts *o,
                      cl_verdicts *out) {
    cl_verdict *v = claims_verdict(out, "size", T_SIZE_C, T_SIZE_T, NULL);
    if (!v) return -1;
    v->family = family;
    typedef struct { const char *name; double params; count k; } mc;
    mc *m = malloc(sizeof(mc) * (size_t)(nm + 1));
    if (!m) return -1;
    int n = 0;
    for (int i = 0; i < nm; i++) {
        double params = NAN;
        for (int r = 0; r < t->n && isnan(params); r++)
            if (!strcmp(t->rows[r].model, names[i])) params = t->rows[r].parameters;
        if (isnan(params)) continue;
        claims_cell c;
        if (claims_cell_get(t, names[i], claims_sampling(t, names[i]), 2, 10, &c)) { free(m); return -1; }
        count k = cell_count(&c, o->threshold, 0);
        claims_cell_free(&c);
        if (!k.heads) continue;
        m[n++] = (mc){names[i], params, k};
    }
    for (int i = 1; i < n; i++) /* by size */
        for (int j = i; j > 0 && m[j - 1].params > m[j].params; j--) { mc s = m[j]; m[j] = m[j - 1]; m[j - 1] = s; }
    for (int i = 0; i < n && v->n_models < CL_VERDICT_MODELS; i++) snprintf(v->model[v->n_models++], CL_SCORES_NAME, "%s", m[i].name);
    if (!v->n_models)
        for (int i = 0; i < nm && v->n_models < CL_VERDICT_MODELS; i++) snprintf(v->model[v->n_models++], CL_SCORES_NAME, "%s", names[i]);
    int sizes = n > 0;
    for (int i = 1; i < n; i++) sizes += m[i].params != m[i - 1].params;
    for (int i = 0; i < n && v->n < CL_VERDICT_NUMS - 4; i++) claims_num(v, m[i].k.n, "heads: %s (%.3g parameters)", m[i].name, m[i].params);
    if (sizes < 2) {
        claims_reason(v, "needs the mosaics of 2 or more models of different sizes (parameters given); the table has %d", sizes);
        free(m);
        return 0;
    }
    int se = 1, drop = 0;
    for (int i = 0; i < n; i++) se &= m[i].k.have_se;
    for (int i = 1; i < n; i++) {
        const char *why;
        double d = m[i].k.n - m[i - 1].k.n, sd = sqrt(m[i].k.var + m[i - 1].k.var);
        if (m[i].params > m[i - 1].params && decide_pos(d, sd, se, o->tie_heads, o->z, &why) == CL_NOT_SUPPORTED &&
            !(m[i].k.n == 0 && m[i - 1].k.n == 0))
            drop++;
    }
    const double d = m[n - 1].k.n - m[0].k.n, sd = sqrt(m[n - 1].k.var + m[0].k.var);
    claims_num(v, d, "largest minus smallest model");
    claims_num(v, se ? sd : NAN, "its standard error");
    claims_num(v, drop, "steps up in size that lose heads");
    const char *why;
    int vd = decide_pos(d, sd, se, o->tie_heads, o->z, &why);
    if (m[n - 1].k.n == 0 && m[0].k.n == 0) claims_reason(v, "neither the smallest nor the largest model has a head >= %g", o->threshold);
    else if (vd == CL_SUPPORTED && !drop) {
        v->verdict = CL_SUPPORTED;
        claims_reason(v, "%d models: %.0f heads at %.3g parameters, %.0f at %.3g, the increase %s", n, m[0].k.n, m[0].params,
               m[n - 1].k.n, m[n - 1].params, why);
    } else if (vd == CL_NOT_SUPPORTED || drop) {
        v->verdict = CL_NOT_SUPPORTED;
        if (drop) claims_reason(v, "%d step(s) up in size lose heads %s", drop, se ? "beyond the sampling error" : "by more than one head");
        else claims_reason(v, "the largest model has %.0f heads, the smallest %.0f: %s", m[n - 1].k.n, m[0].k.n, why);
    } else {
        claims_reason(v, "%.0f heads at %.3g parameters, %.0f at %.3g: the difference is %s", m[0].k.n, m[0].params, m[n - 1].k.n,
               m[n - 1].params, why);
    }
    free(m);
    return 0;
}

/* ------------------------------------------------------------------ all */

int cl_claims_run(const cl_scores *t, const cl_ms_data *ms, const cl_claims_opts *opt, cl_verdicts *out, cl_error *err) {
    memset(out, 0, sizeof *out);
    cl_claims_opts def;
    cl_claims_default(&def);
    const cl_claims_opts *o = opt ? opt : &def;
    enum { MAXM = 256 };
    const char *names[MAXM];
    int nm = cl_scores_models(t, names, MAXM), rc = 0;
    double d_sum = 0, var_sum = 0, heads_sum = 0;
    int have_se = 1, used = 0;
    for (int k = 0; k < nm && !rc; k++) {
        const char *m = names[k];
        if (claim_exist(t, m, o, out) || claim_band(t, m, o, out, &d_sum, &var_sum, &have_se, &used, &heads_sum) ||
            claim_trend(t, m, 1, o, out) || claim_trend(t, m, 0, o, out) || claim_most(t, m, o, out) ||
            claim_spread(t, m, o, out) || claims_period(ms, m, o, out) || claims_amplitude(t, ms, m, o, out))
            rc = -1;
    }
    /* the cross-model claims per family: Chronos-T5 and Chronos-Bolt counts are not one scale */
    const char *fam[3][MAXM]; /* CL_FAMILY_T5, _BOLT, _CHRONOS2 */
    int nf[3] = {0, 0, 0}, famof[MAXM];
    for (int k = 0; k < nm; k++) {
        const int f = famof[k] = cl_scores_family(t, names[k]);
        fam[f][nf[f]++] = names[k];
    }
    for (int f = 0; f < 3 && !rc; f++)
        if (nf[f] || (f == CL_FAMILY_T5 && !nf[CL_FAMILY_BOLT] && !nf[CL_FAMILY_CHRONOS2])) rc = claim_size(t, fam[f], nf[f], f, o, out);
    if (!rc && nf[CL_FAMILY_T5] > 1) { /* band across the Chronos-T5 models (Chronos-Bolt has no band): the pooled difference */
        cl_verdict *v = claims_verdict(out, "band", T_BAND_C, T_BAND_T, NULL);
        if (!v) rc = -1;
        for (int k = 0; v && k < nf[CL_FAMILY_T5] && v->n_models < CL_VERDICT_MODELS; k++)
            snprintf(v->model[v->n_models++], CL_SCORES_NAME, "%s", fam[CL_FAMILY_T5][k]);
        if (v) {
            claims_num(v, used, "models with both samplings");
            if (used < 2) claims_reason(v, "needs 2 or more models with both samplings at the mosaic; the table has %d", used);
            else if (heads_sum == 0) claims_reason(v, "no head reaches %g with either sampling in any of the %d models", o->threshold, used);
            else {
                const char *why;
                double sd = sqrt(var_sum);
                claims_num(v, d_sum, "total difference (band - all), heads");
                claims_num(v, have_se ? sd : NAN, "its standard error");
                v->verdict = decide_pos(d_sum, sd, have_se, o->tie_heads, o->z, &why);
                claims_reason(v, "over %d models band sampling gives %+.0f heads in all, %s", used, d_sum, why);
            }
        }
    }
    for (int k = 0; k < nm && !rc; k++) rc = claim_strict(t, names[k], o, out) ? -1 : 0;
    for (int i = 0; !rc && i < out->n; i++) /* a model's verdicts are its family's; the sets' are set above */
        if (out->v[i].n_models == 1 && strcmp(out->v[i].id, "size"))
            for (int k = 0; k < nm; k++)
                if (!strcmp(out->v[i].model[0], names[k])) { out->v[i].family = famof[k]; break; }
    if (rc) {
        cl_verdicts_free(out);
        return cl_error_set(err, CL_ENOMEM, "claims: out of memory");
    }
    return 0;
}
