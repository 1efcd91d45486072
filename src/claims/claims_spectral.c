/* claims_spectral.c — the multisine claims (period_is_gap, amplitude_is_induction) of the
 * claims module: docs/claims.md states their tests. */
#include "claims/claims_internal.h"
#include "core/stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int claims_period(const cl_ms_data *ms, const char *model, const cl_claims_opts *o, cl_verdicts *out) {
    cl_verdict *v = claims_verdict(out, "period_is_gap", T_PERIOD_C, T_PERIOD_T, model);
    if (!v) return -1;
    const cl_ms_model *mm = ms_model(ms, model);
    const double tol = mm && mm->tol_hz > 0 ? mm->tol_hz : ms && ms->tol_hz > 0 ? ms->tol_hz : 1.0 / 3;
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
        claims_num(v, n ? at : NAN, "reference (%s): heads at the gap = gcd", amps);
        claims_num(v, n ? per : NAN, "reference (%s): periodic heads", amps);
        if (s == 0) claims_num(v, n ? conc : NAN, "reference: concentrated heads (apart)");
    }
    if (!mm || !mm->n_sweep) {
        claims_reason(v, "no multisine sweep for this model: the reference input alone cannot decide (its smallest gap, 5 Hz, "
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
    claims_num(v, cfgs, "non-divisor configurations");
    claims_num(v, pairs, "their (configuration, head) pairs");
    claims_num(v, conc, "concentrated pairs (apart)");
    const int used = pairs - conc;
    claims_num(v, periodic, "periodic pairs (not concentrated)");
    claims_num(v, used ? (double)at_gap / used : NAN, "share at the smallest gap");
    claims_num(v, used ? (double)at_gcd / used : NAN, "share at the gcd");
    claims_num(v, units, "configurations with a head not concentrated");
    if (units < 3) {
        claims_reason(v, "%d non-divisor configuration(s) with a head whose attention is not concentrated: too few to test "
                  "(needs 3)", units);
        return 0;
    }
    const double p_gap = p_greater(md, sd_d, units, 0), p_gcd = p_greater(-md, sd_d, units, 0),
                 p_minor = p_greater(-mg, sd_g, units, -0.5);
    if (p_gap < o->alpha && mg > 0.5) {
        v->verdict = CL_SUPPORTED;
        claims_reason(v, "on non-divisor sets the spectrum's period is the smallest gap for %.0f%% of the heads, the gcd for %.0f%% "
                  "(%d concentrated apart; paired t over %d configurations, p = %.2g)", 100.0 * at_gap / used,
               100.0 * at_gcd / used, conc, units, p_gap);
    } else if (p_gcd < o->alpha || p_minor < o->alpha) {
        v->verdict = CL_NOT_SUPPORTED;
        claims_reason(v, "on non-divisor sets the spectrum's period is the smallest gap for %.0f%% of the heads and the gcd for "
                  "%.0f%%, %d of %d periodic (%s, p = %.2g over %d configurations): %s", 100.0 * at_gap / used,
               100.0 * at_gcd / used, periodic, used,
               p_gcd < o->alpha ? "the gcd beats the gap" : "the gap's share is below 1/2",
               p_gcd < o->alpha ? p_gcd : p_minor, units,
               p_gcd < o->alpha ? "the period follows the gcd (the signal's fundamental), not the smallest gap"
                                : "the smallest gap is not the period of most heads' spectra");
    } else {
        claims_reason(v, "smallest gap %.0f%% vs gcd %.0f%% of the heads: not decided at p < %g over %d configurations",
               100.0 * at_gap / used, 100.0 * at_gcd / used, o->alpha, units);
    }
    return 0;
}

static const double *rank_key;
static int by_key_desc(const void *a, const void *b) {
    double x = rank_key[*(const int *)a], y = rank_key[*(const int *)b];
    return (x < y) - (x > y);
}

int claims_amplitude(const cl_scores *t, const cl_ms_data *ms, const char *model, const cl_claims_opts *o,
                           cl_verdicts *out) {
    cl_verdict *v = claims_verdict(out, "amplitude_is_induction", T_AMP_C, T_AMP_T, model);
    if (!v) return -1;
    const cl_ms_model *mm = ms_model(ms, model);
    if (!mm || !mm->n_ref[0]) {
        claims_reason(v, "no multisine results on the reference input for this model");
        return 0;
    }
    claims_cell c;
    if (claims_cell_get(t, model, claims_sampling(t, model), 2, 10, &c)) return -1; /* the model's mosaic */
    const int G = mm->n_ref[0];
    double *amp = malloc(sizeof(double) * G), *str = malloc(sizeof(double) * G), *sc = malloc(sizeof(double) * G);
    unsigned char *ind = calloc((size_t)G, 1);
    int *idx = malloc(sizeof(int) * G);
    if (!amp || !str || !sc || !ind || !idx) { free(amp); free(str); free(sc); free(ind); free(idx); claims_cell_free(&c); return -1; }
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
    claims_cell_free(&c);
    claims_num(v, k, "induction heads (mosaic)");
    claims_num(v, G, "heads");
    if (matched < G) {
        claims_reason(v, "the scores table has no mosaic scores for %d of the %d heads of the multisine results", G - matched, G);
    } else if (k == 0 || k == G) {
        claims_reason(v, k == 0 ? "no induction heads at the mosaic: no top heads to compare with"
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
        claims_num(v, x[0], "induction heads among the top-%d by amplitude", k);
        claims_num(v, p[0], "p (hypergeometric), amplitude");
        claims_num(v, x[1], "induction heads among the top-%d by double-FFT peak", k);
        claims_num(v, p[1], "p (hypergeometric), double FFT");
        claims_num(v, expect, "overlap expected by chance");
        double rho = cl_spearman(amp, sc, G);
        claims_num(v, rho, "Spearman rho (amplitude, induction score), all heads");
        if (mm->n_ref[1] == G) {
            for (int i = 0; i < G; i++) { amp[i] = mm->ref[1][i].amplitude; idx[i] = i; }
            rank_key = amp;
            qsort(idx, (size_t)G, sizeof(int), by_key_desc);
            int x1 = 0;
            for (int i = 0; i < k; i++) x1 += ind[idx[i]];
            claims_num(v, x1, "top-%d by amplitude, notebooks' amplitudes", k);
        }
        if (p[0] < o->alpha && p[1] < o->alpha) {
            v->verdict = CL_SUPPORTED;
            claims_reason(v, "%d of the top-%d heads by amplitude and %d by double FFT are induction heads (chance %.2f; p = "
                      "%.2g, %.2g)", x[0], k, x[1], expect, p[0], p[1]);
        } else if (x[0] <= expect && x[1] <= expect) {
            v->verdict = CL_NOT_SUPPORTED;
            claims_reason(v, "the top-%d heads by amplitude hold %d induction heads, by double FFT %d: no more than chance (%.2f)",
                   k, x[0], x[1], expect);
        } else {
            claims_reason(v, "top-%d overlap %d (amplitude, p = %.2g) and %d (double FFT, p = %.2g): not both beyond chance at p < "
                      "%g", k, x[0], p[0], x[1], p[1], o->alpha);
        }
    }
    free(amp); free(str); free(sc); free(ind); free(idx);
    return 0;
}
