/* claims.c — the study's claims as tests on a scores table (claims.h, docs/claims.md). */
#include "claims.h"
#include "../analysis/stats.h"
#include "../core/core.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cl_claims_defaults(cl_claims_opts *o) {
    o->threshold = 0.3;
    o->z = 1.96;
    o->alpha = 0.05;
    o->tie_heads = 1;
    o->tie_score = 0.05;
    o->concentrated_mass = 0.05;
    o->concentrated_share = 0.5;
}

void cl_verdicts_free(cl_verdicts *v) {
    free(v->v);
    memset(v, 0, sizeof *v);
}

const char *cl_verdict_word(int v) { return v == CL_SUPPORTED ? "supported" : v == CL_NOT_SUPPORTED ? "not supported" : "undecided"; }

/* ------------------------------------------------------------------ verdict building */

static cl_verdict *new_verdict(cl_verdicts *out, const char *id, const char *claim, const char *test, const char *model) {
    if (out->n == out->cap) {
        int cap = out->cap ? 2 * out->cap : 32;
        cl_verdict *p = realloc(out->v, sizeof *p * (size_t)cap);
        if (!p) return NULL;
        out->v = p;
        out->cap = cap;
    }
    cl_verdict *v = &out->v[out->n++];
    memset(v, 0, sizeof *v);
    v->id = id;
    v->claim = claim;
    v->test = test;
    v->verdict = CL_UNDECIDED;
    if (model) {
        snprintf(v->model[0], CL_SCORES_NAME, "%s", model);
        v->n_models = 1;
    }
    return v;
}

static void num(cl_verdict *v, double x, const char *fmt, ...) {
    if (v->n >= CL_VERDICT_NUMS) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->name[v->n], sizeof v->name[v->n], fmt, ap);
    va_end(ap);
    v->value[v->n++] = x;
}

static void reason(cl_verdict *v, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->reason, sizeof v->reason, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------ cells of the table */

typedef struct head_rows { int layer, head; const cl_score_row *r[CL_NCRIT]; } head_rows;
typedef struct cell { int reps, seq_len, n, cap; head_rows *h; } cell;

static void cell_free(cell *c) { free(c->h); memset(c, 0, sizeof *c); }

/* The heads of (model, sampling, reps, seq_len); 0 (c->n = 0 when none), -1 out of memory. */
static int cell_get(const cl_scores *t, const char *model, int sampling, int reps, int len, cell *c) {
    memset(c, 0, sizeof *c);
    c->reps = reps;
    c->seq_len = len;
    for (int i = 0; i < t->n; i++) {
        const cl_score_row *r = &t->rows[i];
        if (r->sampling != sampling || r->reps != reps || r->seq_len != len || strcmp(r->model, model)) continue;
        int k = 0;
        while (k < c->n && (c->h[k].layer != r->layer || c->h[k].head != r->head)) k++;
        if (k == c->n) {
            if (c->n == c->cap) {
                int cap = c->cap ? 2 * c->cap : 64;
                head_rows *p = realloc(c->h, sizeof *p * (size_t)cap);
                if (!p) { cell_free(c); return -1; }
                c->h = p;
                c->cap = cap;
            }
            memset(&c->h[c->n], 0, sizeof *c->h);
            c->h[c->n].layer = r->layer;
            c->h[c->n].head = r->head;
            c->n++;
        }
        c->h[k].r[r->criterion] = r;
    }
    return 0;
}

static double se_of(const cl_score_row *r) { return r && r->n > 0 && isfinite(r->std) ? r->std / sqrt((double)r->n) : NAN; }

/* P(the head's mean is >= thr) under its sampling error (a step without it). */
static double p_above(const cl_score_row *r, double thr) {
    double se = se_of(r);
    if (isnan(se) || se == 0) return r->mean >= thr;
    return cl_norm_cdf((r->mean - thr) / se);
}

/* A count of heads (the union over `current` and `right`, or the all-occurrence pair when
 * all = 1): n on the means, var its sampling variance, have_se when every row has std/n. */
typedef struct count { int heads; double n, var, sum, n_base, best; int have_se; } count;

static count cell_count(const cell *c, double thr, int all) {
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
            if (isnan(se_of(r))) k.have_se = 0;
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

/* Distinct values of reps (what = 0) or seq_len (1) of the model's band rows. */
static int grid_values(const cl_scores *t, const char *model, int what, int *v, int max) {
    int n = 0;
    for (int i = 0; i < t->n; i++) {
        const cl_score_row *r = &t->rows[i];
        if (r->sampling != CL_SAMPLING_BAND || strcmp(r->model, model) || r->criterion > CL_CRIT_RIGHT) continue;
        int x = what ? r->seq_len : r->reps, seen = 0;
        for (int j = 0; j < n && !seen; j++) seen = v[j] == x;
        if (!seen && n < max) v[n++] = x;
    }
    for (int i = 1; i < n; i++) /* ascending */
        for (int j = i; j > 0 && v[j - 1] > v[j]; j--) { int s = v[j]; v[j] = v[j - 1]; v[j - 1] = s; }
    return n;
}

#define GRID 64

/* Does the model have all-occurrence rows (band) at (reps, seq_len)? */
static int has_sum(const cl_scores *t, const char *model, int reps, int len) {
    for (int i = 0; i < t->n; i++) {
        const cl_score_row *r = &t->rows[i];
        if (r->sampling == CL_SAMPLING_BAND && r->reps == reps && r->seq_len == len &&
            (r->criterion == CL_CRIT_CURRENT_ALL || r->criterion == CL_CRIT_RIGHT_ALL) && !strcmp(r->model, model))
            return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------ texts */

static const char *T_EXIST_C = "Chronos has induction heads in decoder cross-attention (a head >= 0.3 at R = 2, L = 10)";
static const char *T_EXIST_T =
    "some head's mean attention on the current token m or the token to its right m+1 is >= 0.3 (band, R = 2, L = 10); "
    "with std/n: beyond its sampling error (one-sided, Bonferroni over the heads); not supported when every head is "
    "below beyond its error";
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
static const char *T_PERIOD_C =
    "The attention spectrum is periodic with the smallest difference between the input frequencies";
static const char *T_PERIOD_T =
    "multisine sweep, configurations whose smallest gap divides no other gap (there the gap and the gcd differ): "
    "per configuration, the share of its heads (concentrated ones apart) whose spectrum is periodic at the smallest "
    "gap (+/- tolerance) against the "
    "share at the gcd (of the gaps or of the frequencies); supported when the gap's share beats the gcd's (paired t "
    "over configurations, p < alpha) and is the majority; not supported when the gcd's beats it or the gap's share "
    "is below 1/2 (t, p < alpha); heads with concentrated attention apart";
static const char *T_AMP_C = "The heads with the highest spectral (and double-FFT) amplitudes are the induction heads";
static const char *T_AMP_T =
    "reference input: of the k heads with the largest spectral amplitude (k = the number of induction heads at the "
    "mosaic), how many are induction heads, against chance (hypergeometric, p < alpha); the same for the double "
    "FFT's peak strength; supported when both are, not supported when neither beats the chance overlap";
static const char *T_STRICT_C =
    "(extension, not a claim of the study) The heads >= 0.3 are induction heads in the strict sense of Olsson et al.: "
    "ablating one lowers log p(s_2)";
static const char *T_STRICT_T =
    "per head a one-sided t-test of the batch's per-sequence change of log p(s_2) under ablation (mean < 0, from "
    "mean, std, n), Holm's correction over every head; supported when a head >= 0.3 is significant";

/* ------------------------------------------------------------------ per-model claims */

static int claim_exist(const cl_scores *t, const char *model, const cl_claims_opts *o, cl_verdicts *out) {
    cl_verdict *v = new_verdict(out, "exist", T_EXIST_C, T_EXIST_T, model);
    if (!v) return -1;
    cell c;
    if (cell_get(t, model, CL_SAMPLING_BAND, 2, 10, &c)) return -1;
    count k = cell_count(&c, o->threshold, 0);
    if (!k.heads) {
        reason(v, "no rows with sampling band, reps 2, seq_len 10 (the mosaic)");
        cell_free(&c);
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
            double se = se_of(r);
            if (r->mean > best) { best = r->mean; bl = c.h[i].layer; bh = c.h[i].head; }
            if (isnan(se)) continue;
            if (se == 0 ? r->mean >= o->threshold : (r->mean - o->threshold) / se > zb) s = 1;
            if (!(se == 0 ? r->mean < o->threshold : (o->threshold - r->mean) / se > zb)) b = 0;
        }
        sig += any && s;
        below += any && b;
    }
    num(v, k.n, "heads >= %g", o->threshold);
    num(v, k.have_se ? sig : NAN, "heads >= %g beyond sampling error", o->threshold);
    num(v, k.heads, "cross-attention heads");
    num(v, best, "largest mean score");
    num(v, bl, "its layer");
    num(v, bh, "its head");
    if (!k.have_se) {
        v->verdict = k.n > 0 ? CL_SUPPORTED : CL_NOT_SUPPORTED;
        reason(v, "%.0f of %d heads have a mean >= %g (means only: no std/n)", k.n, k.heads, o->threshold);
    } else if (sig > 0) {
        v->verdict = CL_SUPPORTED;
        reason(v, "%d head(s) >= %g beyond sampling error (one-sided z > %.2f, Bonferroni over %d heads x criteria)", sig,
               o->threshold, zb, tests);
    } else if (below == k.heads) {
        v->verdict = CL_NOT_SUPPORTED;
        reason(v, "every head is below %g beyond its sampling error (largest mean %.3f)", o->threshold, best);
    } else if (k.n > 0) {
        reason(v, "%.0f head(s) reach %g on the means, but none beyond its sampling error", k.n, o->threshold);
    } else {
        reason(v, "no head reaches %g on the means, but %d head(s) are within their sampling error of it (largest mean "
                  "%.3f)", o->threshold, k.heads - below, best);
    }
    cell_free(&c);
    return 0;
}

static int claim_band(const cl_scores *t, const char *model, const cl_claims_opts *o, cl_verdicts *out,
                      double *d_sum, double *var_sum, int *have_se, int *used, double *heads_sum) {
    cl_verdict *v = new_verdict(out, "band", T_BAND_C, T_BAND_T, model);
    if (!v) return -1;
    cell a, b;
    if (cell_get(t, model, CL_SAMPLING_BAND, 2, 10, &a)) return -1;
    if (cell_get(t, model, CL_SAMPLING_ALL, 2, 10, &b)) { cell_free(&a); return -1; }
    count ka = cell_count(&a, o->threshold, 0), kb = cell_count(&b, o->threshold, 0);
    num(v, ka.n, "heads >= %g, band sampling", o->threshold);
    num(v, kb.heads ? kb.n : NAN, "heads >= %g, all tokens", o->threshold);
    num(v, ka.best, "top score, band");
    num(v, kb.heads ? kb.best : NAN, "top score, all tokens");
    if (!ka.heads || !kb.heads) {
        reason(v, "needs the mosaic (reps 2, seq_len 10) with both samplings; no rows with sampling %s",
               !ka.heads ? "band" : "all");
    } else {
        double d = ka.n - kb.n, sd = sqrt(ka.var + kb.var);
        int se = ka.have_se && kb.have_se;
        const char *why;
        num(v, d, "difference (band - all)");
        num(v, se ? sd : NAN, "its standard error");
        if (ka.n == 0 && kb.n == 0) reason(v, "no head reaches %g with either sampling", o->threshold);
        else {
            v->verdict = decide_pos(d, sd, se, o->tie_heads, o->z, &why);
            reason(v, "band gives %.0f heads, all tokens %.0f: the difference is %s", ka.n, kb.n, why);
        }
        *d_sum += d;
        *heads_sum += ka.n + kb.n;
        *var_sum += ka.var + kb.var;
        *have_se &= se;
        (*used)++;
    }
    cell_free(&a);
    cell_free(&b);
    return 0;
}

/* longer_more (what = 1: over L) or more_reps_fewer (what = 0: over R) */
static int claim_trend(const cl_scores *t, const char *model, int what, const cl_claims_opts *o, cl_verdicts *out) {
    cl_verdict *v = what ? new_verdict(out, "longer_more", T_LONG_C, T_LONG_T, model)
                         : new_verdict(out, "more_reps_fewer", T_REPS_C, T_REPS_T, model);
    if (!v) return -1;
    int R[GRID], L[GRID], nr = grid_values(t, model, 0, R, GRID), nl = grid_values(t, model, 1, L, GRID);
    int nv = what ? nl : nr, no = what ? nr : nl;
    const int *V = what ? L : R, *O = what ? R : L;
    if (nv < 2) {
        reason(v, "the sweep has %d value%s of %s (needs 2 or more)", nv, nv == 1 ? "" : "s", what ? "seq_len" : "reps");
        return 0;
    }
    double d = 0, var = 0, db = 0, lo_n = 0, hi_n = 0;
    int k = 0, se = 1;
    for (int i = 0; i < no; i++) {
        cell a, b;
        int ra = what ? O[i] : V[0], la = what ? V[0] : O[i], rb = what ? O[i] : V[nv - 1], lb = what ? V[nv - 1] : O[i];
        if (cell_get(t, model, CL_SAMPLING_BAND, ra, la, &a)) return -1;
        if (cell_get(t, model, CL_SAMPLING_BAND, rb, lb, &b)) { cell_free(&a); return -1; }
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
        cell_free(&a);
        cell_free(&b);
    }
    num(v, V[0], what ? "shortest L" : "fewest R");
    num(v, V[nv - 1], what ? "longest L" : "most R");
    if (!k) {
        reason(v, "no %s holds both ends of the grid", what ? "R" : "L");
        return 0;
    }
    d /= k;
    db /= k;
    double sd = sqrt(var) / k;
    num(v, lo_n / k, what ? "mean count, shortest L" : "mean count, fewest R");
    num(v, hi_n / k, what ? "mean count, longest L" : "mean count, most R");
    num(v, d, "difference (claimed direction)");
    num(v, se ? sd : NAN, "its standard error");
    num(v, db, "difference, baseline-aware count");
    num(v, k, what ? "values of R compared" : "values of L compared");
    if (lo_n == 0 && hi_n == 0) {
        reason(v, "no head reaches %g at either end of the grid", o->threshold);
        return 0;
    }
    const char *why;
    v->verdict = decide_pos(d, sd, se, o->tie_heads, o->z, &why);
    reason(v, "the mean count changes by %+.2f heads in the claimed direction, %s (baseline-aware count: %+.2f); "
              "the fixed threshold favours small T = R*L+2, where the uniform level 1/T is high",
           d, why, db);
    return 0;
}

static int claim_most(const cl_scores *t, const char *model, const cl_claims_opts *o, cl_verdicts *out) {
    cl_verdict *v = new_verdict(out, "most_at_r2_l10", T_MOST_C, T_MOST_T, model);
    if (!v) return -1;
    int R[GRID], L[GRID], nr = grid_values(t, model, 0, R, GRID), nl = grid_values(t, model, 1, L, GRID);
    count at = {0}, best = {0};
    int br = 0, bl = 0, cells = 0, have = 0;
    for (int i = 0; i < nr; i++)
        for (int j = 0; j < nl; j++) {
            cell c;
            if (cell_get(t, model, CL_SAMPLING_BAND, R[i], L[j], &c)) return -1;
            count k = cell_count(&c, o->threshold, 0);
            cell_free(&c);
            if (!k.heads) continue;
            cells++;
            if (R[i] == 2 && L[j] == 10) { at = k; have = 1; }
            if (!best.heads || k.n > best.n) { best = k; br = R[i]; bl = L[j]; }
        }
    num(v, have ? at.n : NAN, "heads at R=2, L=10");
    num(v, cells ? best.n : NAN, "most heads in the grid");
    num(v, cells ? br : NAN, "at R");
    num(v, cells ? bl : NAN, "at L");
    num(v, cells, "cells");
    if (!have || cells < 2) {
        reason(v, !have ? "no rows at reps 2, seq_len 10" : "a sweep of one cell");
        return 0;
    }
    if (best.n == 0) {
        reason(v, "no head reaches %g anywhere on the grid", o->threshold);
        return 0;
    }
    int se = at.have_se && best.have_se;
    double d = best.n - at.n, sd = (br == 2 && bl == 10) ? 0 : sqrt(at.var + best.var), m = se ? o->z * sd : o->tie_heads;
    num(v, d, "shortfall from the maximum");
    num(v, se ? sd : NAN, "its standard error");
    v->verdict = d <= m ? CL_SUPPORTED : CL_NOT_SUPPORTED;
    if (d <= m) reason(v, "R = 2, L = 10 has %.0f heads, the maximum %.0f (R = %d, L = %d): within %s", at.n, best.n, br,
                       bl, se ? "the sampling error" : "one head");
    else reason(v, "the maximum %.0f (R = %d, L = %d) exceeds R = 2, L = 10 (%.0f) by more than %s", best.n, br, bl, at.n,
                se ? "the sampling error" : "one head");
    return 0;
}

static int claim_spread(const cl_scores *t, const char *model, const cl_claims_opts *o, cl_verdicts *out) {
    cl_verdict *v = new_verdict(out, "spread", T_SPREAD_C, T_SPREAD_T, model);
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
        reason(v, "needs the all-occurrence scores (criteria current_all, right_all) at two values of reps or more "
                  "for one seq_len");
        return 0;
    }
    cell a, b;
    if (cell_get(t, model, CL_SAMPLING_BAND, r0, Ls, &a)) return -1;
    if (cell_get(t, model, CL_SAMPLING_BAND, r1, Ls, &b)) { cell_free(&a); return -1; }
    double s0 = 0, s1 = 0, q0 = 0, q1 = 0, vs0 = 0, vs1 = 0, vq0 = 0, vq1 = 0;
    int k = 0, se = 1, each = 0;
    for (int i = 0; i < a.n; i++) {
        const head_rows *ha = &a.h[i];
        const head_rows *hb = NULL;
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
        double e[4] = {se_of(ra), se_of(rb), se_of(sa), se_of(sb)};
        for (int j = 0; j < 4; j++) se &= !isnan(e[j]);
        if (se) { vq0 += e[0] * e[0]; vq1 += e[1] * e[1]; vs0 += e[2] * e[2]; vs1 += e[3] * e[3]; }
        each += ra->mean - rb->mean > o->tie_score && sb->mean >= 0.75 * sa->mean;
    }
    cell_free(&a);
    cell_free(&b);
    num(v, Ls, "L");
    num(v, r0, "fewest R");
    num(v, r1, "most R");
    num(v, k, "heads with an all-occurrence sum >= %g at the fewest R", o->threshold);
    if (!k) {
        reason(v, "no head puts %g of its attention after the earlier occurrences at R = %d, L = %d", o->threshold, r0, Ls);
        return 0;
    }
    q0 /= k; q1 /= k; s0 /= k; s1 /= k;
    num(v, q0, "most-recent score, fewest R");
    num(v, q1, "most-recent score, most R");
    num(v, s0, "all-occurrence sum, fewest R");
    num(v, s1, "all-occurrence sum, most R");
    num(v, each, "of the heads, spreading one by one");
    const double dq = q0 - q1, sdq = sqrt(vq0 + vq1) / k, K = s1 - 0.75 * s0, sdK = sqrt(vs1 + 0.5625 * vs0) / k;
    const double mq = se ? o->z * sdq : o->tie_score, mk = se ? o->z * sdK : o->tie_score;
    const int fall = dq > mq, nofall = dq < -mq || (se && mq == 0 && dq <= 0);
    const int keep = K >= 0, lose = K < -mk || (se && mk == 0 && K < 0);
    if (fall && keep) {
        v->verdict = CL_SUPPORTED;
        reason(v, "over %d head(s), R = %d -> %d at L = %d: the most-recent score falls %.3f -> %.3f while the "
                  "all-occurrence sum stays %.3f -> %.3f; by the study's criterion such heads fade with R although they "
                  "still attend after an earlier occurrence", k, r0, r1, Ls, q0, q1, s0, s1);
    } else if (nofall || lose) {
        v->verdict = CL_NOT_SUPPORTED;
        if (nofall) reason(v, "the most-recent score does not fall (%.3f -> %.3f; sum %.3f -> %.3f)", q0, q1, s0, s1);
        else
            reason(v, "the all-occurrence sum falls %.3f -> %.3f, below 3/4 of its value (most-recent %.3f -> %.3f): the "
                      "heads fade rather than spread", s0, s1, q0, q1);
    } else {
        reason(v, "most-recent %.3f -> %.3f, sum %.3f -> %.3f: %s", q0, q1, s0, s1,
               !fall ? "the fall of the most-recent score is within its error" : "the sum's fall is within its error of 3/4");
    }
    return 0;
}

/* ------------------------------------------------------------------ multisine claims */

static const cl_ms_model *ms_model(const cl_ms_data *ms, const char *model) {
    for (int i = 0; ms && i < ms->n; i++)
        if (!strcmp(ms->m[i].model, model)) return &ms->m[i];
    return NULL;
}

static int concentrated(const cl_ms_obs *h, const cl_claims_opts *o) {
    return (isfinite(h->mass) && h->mass < o->concentrated_mass) || (isfinite(h->max_share) && h->max_share >= o->concentrated_share);
}

/* mean and its standard error of x (n) */
static void mean_se(const double *x, int n, double *m, double *se) {
    double s = 0, ss = 0;
    for (int i = 0; i < n; i++) s += x[i];
    *m = n ? s / n : NAN;
    for (int i = 0; i < n; i++) ss += (x[i] - *m) * (x[i] - *m);
    *se = n > 1 ? sqrt(ss / (n - 1) / n) : NAN;
}

/* one-sided p-value of "mean > mu" from mean, se, n (t with n - 1 df); se 0: exact */
static double p_greater(double m, double se, int n, double mu) {
    if (n < 2 || isnan(se)) return NAN;
    if (se == 0) return m > mu ? 0 : 1;
    return 1 - cl_t_cdf((m - mu) / se, n - 1);
}

static int claim_period(const cl_ms_data *ms, const char *model, const cl_claims_opts *o, cl_verdicts *out) {
    cl_verdict *v = new_verdict(out, "period_is_gap", T_PERIOD_C, T_PERIOD_T, model);
    if (!v) return -1;
    const cl_ms_model *mm = ms_model(ms, model);
    const double tol = ms && ms->tol_hz > 0 ? ms->tol_hz : 1.0 / 3;
    /* the reference inputs: their gap equals the gcd, reported, not deciding */
    for (int s = 0; s < 2; s++) {
        int per = 0, at = 0, conc = 0, n = mm ? mm->n_ref[s] : 0;
        for (int i = 0; i < n; i++) {
            const cl_ms_obs *h = &mm->ref[s][i];
            if (concentrated(h, o)) { conc++; continue; }
            per += h->periodic;
            at += h->periodic && fabs(h->spacing_hz - h->gap) <= tol;
        }
        const char *amps = s ? "amplitudes 1, .75, .5, .5" : "amplitudes 1, .5, .25, .25";
        num(v, n ? at : NAN, "reference (%s): heads at the gap = gcd", amps);
        num(v, n ? per : NAN, "reference (%s): periodic heads", amps);
        if (s == 0) num(v, n ? conc : NAN, "reference: concentrated heads (apart)");
    }
    if (!mm || !mm->n_sweep) {
        reason(v, "no multisine sweep for this model: the reference input alone cannot decide (its smallest gap, 5 Hz, "
                  "is also the gcd of its frequencies)");
        return 0;
    }
    /* per non-divisor configuration: shares among periodic, non-concentrated heads */
    int maxc = 0;
    for (int i = 0; i < mm->n_sweep; i++) maxc = mm->sweep[i].config > maxc ? mm->sweep[i].config : maxc;
    double *g = calloc((size_t)maxc + 1, sizeof(double)), *q = calloc((size_t)maxc + 1, sizeof(double)),
           *np = calloc((size_t)maxc + 1, sizeof(double)), *dg = malloc(sizeof(double) * ((size_t)maxc + 1)),
           *gg = malloc(sizeof(double) * ((size_t)maxc + 1));
    unsigned char *nd = calloc((size_t)maxc + 1, 1);
    if (!g || !q || !np || !dg || !gg || !nd) { free(g); free(q); free(np); free(dg); free(gg); free(nd); return -1; }
    int pairs = 0, conc = 0, periodic = 0, at_gap = 0, at_gcd = 0, cfgs = 0;
    for (int i = 0; i < mm->n_sweep; i++) {
        const cl_ms_obs *h = &mm->sweep[i];
        if (!h->non_divisor || h->config < 0) continue;
        nd[h->config] = 1;
        pairs++;
        if (concentrated(h, o)) { conc++; continue; }
        np[h->config]++; /* the unit: the configuration's non-concentrated heads */
        if (!h->periodic) continue;
        periodic++;
        int a = fabs(h->spacing_hz - h->gap) <= tol;
        int b = (h->gap_gcd > 0 && fabs(h->spacing_hz - h->gap_gcd) <= tol) ||
                (h->freq_gcd > 0 && fabs(h->spacing_hz - h->freq_gcd) <= tol);
        at_gap += a;
        at_gcd += b;
        g[h->config] += a;
        q[h->config] += b;
    }
    int units = 0;
    for (int c = 0; c <= maxc; c++) {
        cfgs += nd[c];
        if (!np[c]) continue;
        dg[units] = (g[c] - q[c]) / np[c];
        gg[units] = g[c] / np[c];
        units++;
    }
    double md, sd_d, mg, sd_g;
    mean_se(dg, units, &md, &sd_d);
    mean_se(gg, units, &mg, &sd_g);
    free(g); free(q); free(np); free(dg); free(gg); free(nd);
    num(v, cfgs, "non-divisor configurations");
    num(v, pairs, "their (configuration, head) pairs");
    num(v, conc, "concentrated pairs (apart)");
    const int used = pairs - conc;
    num(v, periodic, "periodic pairs (not concentrated)");
    num(v, used ? (double)at_gap / used : NAN, "share at the smallest gap");
    num(v, used ? (double)at_gcd / used : NAN, "share at the gcd");
    num(v, units, "configurations with a head not concentrated");
    if (units < 3) {
        reason(v, "%d non-divisor configuration(s) with a head whose attention is not concentrated: too few to test "
                  "(needs 3)", units);
        return 0;
    }
    const double p_gap = p_greater(md, sd_d, units, 0), p_gcd = p_greater(-md, sd_d, units, 0),
                 p_minor = p_greater(-mg, sd_g, units, -0.5);
    if (p_gap < o->alpha && mg > 0.5) {
        v->verdict = CL_SUPPORTED;
        reason(v, "on non-divisor sets the spectrum's period is the smallest gap for %.0f%% of the heads, the gcd for %.0f%% "
                  "(%d concentrated apart; paired t over %d configurations, p = %.2g)", 100.0 * at_gap / used,
               100.0 * at_gcd / used, conc, units, p_gap);
    } else if (p_gcd < o->alpha || p_minor < o->alpha) {
        v->verdict = CL_NOT_SUPPORTED;
        reason(v, "on non-divisor sets the spectrum's period is the smallest gap for %.0f%% of the heads and the gcd for "
                  "%.0f%%, %d of %d periodic (%s, p = %.2g over %d configurations): %s", 100.0 * at_gap / used,
               100.0 * at_gcd / used, periodic, used,
               p_gcd < o->alpha ? "the gcd beats the gap" : "the gap's share is below 1/2",
               p_gcd < o->alpha ? p_gcd : p_minor, units,
               p_gcd < o->alpha ? "the period follows the gcd (the signal's fundamental), not the smallest gap"
                                : "the smallest gap is not the period of most heads' spectra");
    } else {
        reason(v, "smallest gap %.0f%% vs gcd %.0f%% of the heads: not decided at p < %g over %d configurations",
               100.0 * at_gap / used, 100.0 * at_gcd / used, o->alpha, units);
    }
    return 0;
}

static const double *rank_key;
static int by_key_desc(const void *a, const void *b) {
    double x = rank_key[*(const int *)a], y = rank_key[*(const int *)b];
    return (x < y) - (x > y);
}

static int claim_amplitude(const cl_scores *t, const cl_ms_data *ms, const char *model, const cl_claims_opts *o,
                           cl_verdicts *out) {
    cl_verdict *v = new_verdict(out, "amplitude_is_induction", T_AMP_C, T_AMP_T, model);
    if (!v) return -1;
    const cl_ms_model *mm = ms_model(ms, model);
    if (!mm || !mm->n_ref[0]) {
        reason(v, "no multisine results on the reference input for this model");
        return 0;
    }
    cell c;
    if (cell_get(t, model, CL_SAMPLING_BAND, 2, 10, &c)) return -1;
    const int G = mm->n_ref[0];
    double *amp = malloc(sizeof(double) * G), *str = malloc(sizeof(double) * G), *sc = malloc(sizeof(double) * G);
    unsigned char *ind = calloc((size_t)G, 1);
    int *idx = malloc(sizeof(int) * G);
    if (!amp || !str || !sc || !ind || !idx) { free(amp); free(str); free(sc); free(ind); free(idx); cell_free(&c); return -1; }
    int k = 0, matched = 0;
    for (int i = 0; i < G; i++) {
        const cl_ms_obs *h = &mm->ref[0][i];
        amp[i] = h->amplitude;
        str[i] = isfinite(h->strength) ? h->strength : -INFINITY;
        sc[i] = NAN;
        for (int j = 0; j < c.n; j++)
            if (c.h[j].layer == h->layer && c.h[j].head == h->head) {
                const cl_score_row *a = c.h[j].r[CL_CRIT_CURRENT], *b = c.h[j].r[CL_CRIT_RIGHT];
                double s = fmax(a ? a->mean : -1, b ? b->mean : -1);
                if (s >= 0) { sc[i] = s; matched++; ind[i] = s >= o->threshold; k += ind[i]; }
            }
    }
    cell_free(&c);
    num(v, k, "induction heads (mosaic)");
    num(v, G, "heads");
    if (matched < G) {
        reason(v, "the scores table has no mosaic scores for %d of the %d heads of the multisine results", G - matched, G);
    } else if (k == 0 || k == G) {
        reason(v, k == 0 ? "no induction heads at the mosaic: no top heads to compare with"
                         : "every head is an induction head: the ranking cannot tell");
    } else {
        int x[2];
        double p[2];
        for (int s = 0; s < 2; s++) {
            for (int i = 0; i < G; i++) idx[i] = i;
            rank_key = s ? str : amp;
            qsort(idx, (size_t)G, sizeof(int), by_key_desc);
            x[s] = 0;
            for (int i = 0; i < k; i++) x[s] += ind[idx[i]];
            p[s] = cl_hypergeom_sf(x[s], G, k, k);
        }
        const double expect = (double)k * k / G;
        num(v, x[0], "induction heads among the top-%d by amplitude", k);
        num(v, p[0], "p (hypergeometric), amplitude");
        num(v, x[1], "induction heads among the top-%d by double-FFT peak", k);
        num(v, p[1], "p (hypergeometric), double FFT");
        num(v, expect, "overlap expected by chance");
        double rho = cl_spearman(amp, sc, G);
        num(v, rho, "Spearman rho (amplitude, induction score), all heads");
        if (mm->n_ref[1] == G) {
            for (int i = 0; i < G; i++) { amp[i] = mm->ref[1][i].amplitude; idx[i] = i; }
            rank_key = amp;
            qsort(idx, (size_t)G, sizeof(int), by_key_desc);
            int x1 = 0;
            for (int i = 0; i < k; i++) x1 += ind[idx[i]];
            num(v, x1, "top-%d by amplitude, notebooks' amplitudes", k);
        }
        if (p[0] < o->alpha && p[1] < o->alpha) {
            v->verdict = CL_SUPPORTED;
            reason(v, "%d of the top-%d heads by amplitude and %d by double FFT are induction heads (chance %.2f; p = "
                      "%.2g, %.2g)", x[0], k, x[1], expect, p[0], p[1]);
        } else if (x[0] <= expect && x[1] <= expect) {
            v->verdict = CL_NOT_SUPPORTED;
            reason(v, "the top-%d heads by amplitude hold %d induction heads, by double FFT %d: no more than chance (%.2f)",
                   k, x[0], x[1], expect);
        } else {
            reason(v, "top-%d overlap %d (amplitude, p = %.2g) and %d (double FFT, p = %.2g): not both beyond chance at p < "
                      "%g", k, x[0], p[0], x[1], p[1], o->alpha);
        }
    }
    free(amp); free(str); free(sc); free(ind); free(idx);
    return 0;
}

static int claim_strict(const cl_scores *t, const char *model, const cl_claims_opts *o, cl_verdicts *out) {
    cl_verdict *v = new_verdict(out, "strict", T_STRICT_C, T_STRICT_T, model);
    if (!v) return -1;
    v->extension = 1;
    cell c;
    if (cell_get(t, model, CL_SAMPLING_BAND, 2, 10, &c)) return -1;
    double *p = malloc(sizeof(double) * (size_t)(c.n + 1));
    unsigned char *rej = malloc((size_t)c.n + 1);
    if (!p || !rej) { free(p); free(rej); cell_free(&c); return -1; }
    int nabl = 0, nse = 0, relaxed = 0, neg = 0;
    for (int i = 0; i < c.n; i++) {
        const cl_score_row *a = c.h[i].r[CL_CRIT_ABLATION];
        p[i] = NAN;
        if (!a) continue;
        nabl++;
        neg += a->mean < 0;
        double se = se_of(a);
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
    num(v, relaxed, "heads >= %g", o->threshold);
    num(v, neg, "heads with mean change < 0 (the sign alone)");
    num(v, nse ? sig : NAN, "heads lowering log p(s_2) significantly (Holm)");
    num(v, nse ? strict : NAN, "of the heads >= %g, significant", o->threshold);
    num(v, nabl, "heads with an ablation score");
    if (!nabl) reason(v, "no ablation rows (criterion ablation) at the mosaic");
    else if (!nse) reason(v, "the ablation rows have no std/n: the sign of a mean is no test");
    else if (strict > 0) {
        v->verdict = CL_SUPPORTED;
        reason(v, "%d head(s) >= %g lower log p(s_2) when ablated, significant after Holm's correction over %d heads", strict,
               o->threshold, nse);
    } else {
        v->verdict = CL_NOT_SUPPORTED;
        reason(v, relaxed ? "no head >= %g lowers log p(s_2) beyond chance (Holm over %d heads; %d head(s) in all are significant)"
                          : "no head reaches %g (Holm over %d heads; %d head(s) in all lower log p(s_2) significantly)",
               o->threshold, nse, strict_any);
    }
    (void)sig;
    free(p); free(rej);
    cell_free(&c);
    return 0;
}

/* ------------------------------------------------------------------ the set claim: size */

static int claim_size(const cl_scores *t, const char *const *names, int nm, const cl_claims_opts *o, cl_verdicts *out) {
    cl_verdict *v = new_verdict(out, "size", T_SIZE_C, T_SIZE_T, NULL);
    if (!v) return -1;
    typedef struct { const char *name; double params; count k; } mc;
    mc *m = malloc(sizeof(mc) * (size_t)(nm + 1));
    if (!m) return -1;
    int n = 0;
    for (int i = 0; i < nm; i++) {
        double params = NAN;
        for (int r = 0; r < t->n && isnan(params); r++)
            if (!strcmp(t->rows[r].model, names[i])) params = t->rows[r].parameters;
        if (isnan(params)) continue;
        cell c;
        if (cell_get(t, names[i], CL_SAMPLING_BAND, 2, 10, &c)) { free(m); return -1; }
        count k = cell_count(&c, o->threshold, 0);
        cell_free(&c);
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
    for (int i = 0; i < n && v->n < CL_VERDICT_NUMS - 4; i++) num(v, m[i].k.n, "heads: %s (%.3g parameters)", m[i].name, m[i].params);
    if (sizes < 2) {
        reason(v, "needs the mosaics of 2 or more models of different sizes (parameters given); the table has %d", sizes);
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
    num(v, d, "largest minus smallest model");
    num(v, se ? sd : NAN, "its standard error");
    num(v, drop, "steps up in size that lose heads");
    const char *why;
    int vd = decide_pos(d, sd, se, o->tie_heads, o->z, &why);
    if (m[n - 1].k.n == 0 && m[0].k.n == 0) reason(v, "neither the smallest nor the largest model has a head >= %g", o->threshold);
    else if (vd == CL_SUPPORTED && !drop) {
        v->verdict = CL_SUPPORTED;
        reason(v, "%d models: %.0f heads at %.3g parameters, %.0f at %.3g, the increase %s", n, m[0].k.n, m[0].params,
               m[n - 1].k.n, m[n - 1].params, why);
    } else if (vd == CL_NOT_SUPPORTED || drop) {
        v->verdict = CL_NOT_SUPPORTED;
        if (drop) reason(v, "%d step(s) up in size lose heads %s", drop, se ? "beyond the sampling error" : "by more than one head");
        else reason(v, "the largest model has %.0f heads, the smallest %.0f: %s", m[n - 1].k.n, m[0].k.n, why);
    } else {
        reason(v, "%.0f heads at %.3g parameters, %.0f at %.3g: the difference is %s", m[0].k.n, m[0].params, m[n - 1].k.n,
               m[n - 1].params, why);
    }
    free(m);
    return 0;
}

/* ------------------------------------------------------------------ all */

int cl_claims_run(const cl_scores *t, const cl_ms_data *ms, const cl_claims_opts *opt, cl_verdicts *out, cl_error *err) {
    memset(out, 0, sizeof *out);
    cl_claims_opts def;
    cl_claims_defaults(&def);
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
            claim_spread(t, m, o, out) || claim_period(ms, m, o, out) || claim_amplitude(t, ms, m, o, out))
            rc = -1;
    }
    if (!rc) rc = claim_size(t, names, nm, o, out);
    if (!rc && nm > 1) { /* band across the models: the pooled difference */
        cl_verdict *v = new_verdict(out, "band", T_BAND_C, T_BAND_T, NULL);
        if (!v) rc = -1;
        for (int k = 0; v && k < nm && v->n_models < CL_VERDICT_MODELS; k++)
            snprintf(v->model[v->n_models++], CL_SCORES_NAME, "%s", names[k]);
        if (v) {
            num(v, used, "models with both samplings");
            if (used < 2) reason(v, "needs 2 or more models with both samplings at the mosaic; the table has %d", used);
            else if (heads_sum == 0) reason(v, "no head reaches %g with either sampling in any of the %d models", o->threshold, used);
            else {
                const char *why;
                double sd = sqrt(var_sum);
                num(v, d_sum, "total difference (band - all), heads");
                num(v, have_se ? sd : NAN, "its standard error");
                v->verdict = decide_pos(d_sum, sd, have_se, o->tie_heads, o->z, &why);
                reason(v, "over %d models band sampling gives %+.0f heads in all, %s", used, d_sum, why);
            }
        }
    }
    for (int k = 0; k < nm && !rc; k++) rc = claim_strict(t, names[k], o, out) ? -1 : 0;
    if (rc) {
        cl_verdicts_free(out);
        return cl_error_set(err, CL_ENOMEM, "claims: out of memory");
    }
    return 0;
}
