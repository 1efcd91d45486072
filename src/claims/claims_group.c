/* claims_group.c — the claims about Chronos-2's group attention (claims.h: cl_claims_group),
 * from the group-attention study's result (docs/group_attention.md, docs/claims.md):
 *
 *   group_partner   at the grid's first cell (by default lag 0, noise 0: A is B's copy) some
 *                   head's share of B's group attention on A is above 1/G and beats the
 *                   shuffled pairings: Holm over the model's heads at alpha;
 *   group_lead_lag  the same in some cell with lag > 0 at the first noise level (A leads B:
 *                   it carries B's future), Holm over the heads of each such cell at
 *                   alpha / (those cells) — Bonferroni over the lags.
 *
 * The p-values are the study's (one-sided, (1 + #{shuffled >= observed}) / (1 + shuffles));
 * Holm is applied here at the claims' alpha, so `claims --alpha` moves it as for the other
 * tests. With S shuffles no p is below 1/(1 + S): when that is above Holm's first level
 * (level / heads) nothing can be rejected, and the verdict is undecided rather than "not
 * supported". */
#include "claims/claims_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const C_PARTNER = "(Chronos-2 group attention) some head reads its partner series above 1/(group size), "
                                     "significant against shuffled pairings (lag 0: the partner is the querying series' copy)";
static const char *const T_PARTNER = "first cell of the grid (lag, noise); per head the share of B's group attention on A at "
                                     "the last context patch against shuffled pairings (one-sided permutation p); Holm over "
                                     "the heads at alpha; supported when a rejected head's share is above 1/G";
static const char *const C_LEAD = "(Chronos-2 group attention) some head reads its lead-lag partner (A leads B by lag > 0 "
                                  "patches) above 1/(group size), significant against shuffled pairings";
static const char *const T_LEAD = "cells with lag > 0 at the first noise level; per cell Holm over the heads at alpha / "
                                  "(those cells) (Bonferroni over the lags); supported when a rejected head's share is above "
                                  "1/G in some cell";

static int cmp_p(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Holm at `level` over the m heads' p (NaN counts as 1): the largest rejected p, or -1 when
 * none is rejected (a head is rejected when its p is <= that value). */
static double holm_cut(const cl_ga_head *h, int m, double level) {
    double *p = malloc(sizeof(double) * (m > 0 ? m : 1)), cut = -1;
    if (!p) return -2;
    for (int i = 0; i < m; i++) p[i] = isfinite(h[i].p) ? h[i].p : 1;
    qsort(p, (size_t)m, sizeof *p, cmp_p);
    for (int i = 0; i < m && p[i] <= level / (m - i); i++) cut = p[i];
    free(p);
    return cut;
}

/* One verdict over the cells (lag index a, first noise) of `lags` (n of them). */
static int decide(const cl_group_attention_result *r, int k, const int *lags, int n, const char *id, const char *claim,
                  const char *test, const cl_claims_opts *o, cl_verdicts *out) {
    const cl_group_attention_opts *go = &r->opts;
    const cl_group_attention_model *x = &r->res[k];
    const int m = x->layers * x->heads;
    const double base = 1.0 / go->group_size, level = o->alpha / (n > 0 ? n : 1), floor_p = 1.0 / (1.0 + go->permutations);
    cl_verdict *v = claims_verdict(out, id, claim, test, r->models[k].name);
    if (!v) return -1;
    v->family = CL_FAMILY_CHRONOS2;
    if (n < 1 || m < 1) {
        claims_reason(v, "the grid has no cell with lag > 0 (--lags): the lead-lag question is not asked");
        return 0;
    }
    int sig = 0, bl = -1, bc = -1, best_sig = -1, best_sig_cell = -1;
    double best = -1;
    char lags_sig[160] = "";
    size_t len = 0;
    for (int c = 0; c < n; c++) {
        const cl_ga_head *h = &x->h[(size_t)lags[c] * go->n_noises * m]; /* (lag, noise 0) */
        const double cut = holm_cut(h, m, level);
        if (cut < -1) return -1;
        int here = 0;
        for (int i = 0; i < m; i++) {
            const int rej = cut >= 0 && isfinite(h[i].p) && h[i].p <= cut && h[i].partner > base;
            here += rej;
            if (rej && (best_sig < 0 || h[i].partner > r->res[k].h[(size_t)lags[best_sig_cell] * go->n_noises * m + best_sig].partner)) {
                best_sig = i;
                best_sig_cell = c;
            }
            if (h[i].partner > best) { best = h[i].partner; bl = i; bc = c; }
        }
        sig += here;
        if (here && len < sizeof lags_sig - 16) len += (size_t)snprintf(lags_sig + len, sizeof lags_sig - len, "%s%d", len ? ", " : "", go->lags[lags[c]]);
    }
    /* the head the verdict names: the strongest significant one, else the strongest */
    const int hi = best_sig >= 0 ? best_sig : bl, hc = best_sig >= 0 ? best_sig_cell : bc;
    const cl_ga_head *e = &x->h[((size_t)lags[hc] * go->n_noises) * m + hi];
    claims_num(v, e->partner, "largest partner share%s", best_sig >= 0 ? " of a significant head" : "");
    claims_num(v, hi / x->heads, "its layer");
    claims_num(v, hi % x->heads, "its head");
    claims_num(v, go->lags[lags[hc]], "its lag (patches)");
    claims_num(v, go->noises[0], "noise");
    claims_num(v, e->p, "its p (shuffled pairings)");
    claims_num(v, base, "baseline 1/G");
    claims_num(v, sig, "significant (head, cell) pairs");
    claims_num(v, m, "heads");
    claims_num(v, n, "cells");
    claims_num(v, go->permutations, "shuffles");
    claims_num(v, level / m, "Holm's first level");
    if (sig) {
        v->verdict = CL_SUPPORTED;
        claims_reason(v, "%d head%s above 1/G = %.3g beyond the shuffled pairings (lag %s); the strongest: layer %d head %d, "
                      "share %.3f, p %.3g", sig, sig == 1 ? "" : "s", base, lags_sig, hi / x->heads, hi % x->heads, e->partner, e->p);
    } else if (floor_p > level / m) {
        claims_reason(v, "%d shuffles give no p below %.3g, above Holm's first level %.3g over %d heads: the test cannot "
                      "reject (more --permutations)", go->permutations, floor_p, level / m, m);
    } else {
        v->verdict = CL_NOT_SUPPORTED;
        claims_reason(v, "no head's share beats the shuffled pairings at Holm's level (largest share %.3f, layer %d head %d, "
                      "p %.3g; 1/G = %.3g)", e->partner, hi / x->heads, hi % x->heads, e->p, base);
    }
    return 0;
}

int cl_claims_group(const cl_group_attention_result *r, const cl_claims_opts *opt, cl_verdicts *out, cl_error *err) {
    cl_claims_opts def;
    cl_claims_default(&def);
    const cl_claims_opts *o = opt ? opt : &def;
    int lead[CL_GA_MAX_GRID], nl = 0, first = 0, rc = 0;
    for (int a = 0; a < r->opts.n_lags && nl < CL_GA_MAX_GRID; a++)
        if (r->opts.lags[a] > 0) lead[nl++] = a;
    for (int k = 0; k < r->n && !rc; k++) {
        rc = decide(r, k, &first, 1, "group_partner", C_PARTNER, T_PARTNER, o, out);
        if (!rc) rc = decide(r, k, lead, nl, "group_lead_lag", C_LEAD, T_LEAD, o, out);
    }
    return rc ? cl_error_set(err, CL_ENOMEM, "claims: out of memory") : 0;
}
