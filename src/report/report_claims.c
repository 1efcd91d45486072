/* report_claims.c — verdicts of the study's claims from the commands' JSON results. */
#include "report_claims.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

double cl_json_num(const cJSON *o, const char *path) {
    char key[128];
    while (o && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (n >= sizeof key) return NAN;
        memcpy(key, path, n);
        key[n] = 0;
        o = cJSON_GetObjectItemCaseSensitive(o, key);
        path += n + (dot != NULL);
    }
    return cJSON_IsNumber(o) ? o->valuedouble : NAN;
}

static void set(cl_claim *c, const char *id, const char *claim, const char *test) {
    memset(c, 0, sizeof *c);
    c->id = id;
    c->claim = claim;
    c->test = test;
    c->verdict = -1;
}

static void num(cl_claim *c, const char *name, double v) {
    if (c->n < CL_CLAIM_NUMS) { c->name[c->n] = name; c->value[c->n++] = v; }
}

/* mean count (cross, either criterion) over the sweep cells with reps == r (r > 0) or
 * seq_len == l (l > 0) */
static double sweep_mean(const cJSON *cells, int r, int l) {
    double s = 0;
    int n = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cells) {
        if ((r > 0 && cl_json_num(c, "reps") != r) || (l > 0 && cl_json_num(c, "seq_len") != l)) continue;
        s += cl_json_num(c, "cross.any.mean");
        n++;
    }
    return n ? s / n : NAN;
}

static const cJSON *model(const cJSON *root, int k) {
    return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "models"), k);
}

static void grid_ends(const cJSON *sweep, const char *key, int *lo, int *hi) {
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(sweep, "settings"), key), *x;
    *lo = *hi = 0;
    cJSON_ArrayForEach(x, a) {
        int v = x->valueint;
        if (!*lo || v < *lo) *lo = v;
        if (v > *hi) *hi = v;
    }
}

void cl_claims_eval(const cJSON *ind, const cJSON *sweep, const cJSON *ms, const cJSON *mss, int k, cl_claim *out) {
    const cJSON *mi = model(ind, k), *mw = model(sweep, k), *mm = model(ms, k);
    const double total = cl_json_num(mi, "layers") * cl_json_num(mi, "heads");
    const double any = cl_json_num(mi, "counts.cross.any.n"), strict = cl_json_num(mi, "counts.strict.any.n");

    cl_claim *c = &out[0];
    set(c, "exist", "Chronos has induction heads in decoder cross-attention",
        "some head's mean attention at the current token m or the token to its right m+1 is >= 0.3 (R = 2, L = 10)");
    num(c, "heads >= 0.3", any);
    num(c, "cross-attention heads", total);
    if (!isnan(any)) c->verdict = any > 0;

    c = &out[1];
    set(c, "strict", "They are induction heads in the strict sense (Olsson et al. 2022)",
        "of the heads >= 0.3, some also lower log p(s_2) when ablated (mean change < 0)");
    num(c, "heads >= 0.3", any);
    num(c, "of them strict", strict);
    if (!isnan(strict) && any > 0) c->verdict = strict > 0;

    const cJSON *cells = cJSON_GetObjectItemCaseSensitive(mw, "cells"), *x;
    double best = -1, at = NAN, br = NAN, bl = NAN;
    cJSON_ArrayForEach(x, cells) {
        double v = cl_json_num(x, "cross.any.mean");
        if (v > best) { best = v; br = cl_json_num(x, "reps"); bl = cl_json_num(x, "seq_len"); }
        if (cl_json_num(x, "reps") == 2 && cl_json_num(x, "seq_len") == 10) at = v;
    }
    c = &out[2];
    set(c, "most_at_r2_l10", "R = 2 repetitions of L = 10 tokens is the setting with the most heads",
        "the sweep's count of heads >= 0.3 (either criterion) at R = 2, L = 10 equals the grid's maximum (> 0)");
    num(c, "heads at R=2, L=10", at);
    num(c, "most heads in the grid", best < 0 ? NAN : best);
    num(c, "at R", br);
    num(c, "at L", bl);
    if (!isnan(at) && best > 0) c->verdict = at >= best;

    int lo, hi;
    grid_ends(sweep, "len_list", &lo, &hi);
    double a = sweep_mean(cells, 0, lo), b = sweep_mean(cells, 0, hi);
    c = &out[3];
    set(c, "longer_more", "Longer sequences give more heads",
        "mean count over R at the longest L is above that at the shortest L");
    num(c, "mean count, shortest L", a);
    num(c, "mean count, longest L", b);
    num(c, "shortest L", lo);
    num(c, "longest L", hi);
    if (!isnan(a) && !isnan(b) && lo < hi && (a > 0 || b > 0)) c->verdict = b > a;

    grid_ends(sweep, "reps_list", &lo, &hi);
    a = sweep_mean(cells, lo, 0);
    b = sweep_mean(cells, hi, 0);
    c = &out[4];
    set(c, "more_reps_fewer", "More repetitions give fewer heads",
        "mean count over L at the most repetitions R is below that at the fewest R");
    num(c, "mean count, fewest R", a);
    num(c, "mean count, most R", b);
    num(c, "fewest R", lo);
    num(c, "most R", hi);
    if (!isnan(a) && !isnan(b) && lo < hi && (a > 0 || b > 0)) c->verdict = b < a;

    const double nh = cl_json_num(mm, "layers") * cl_json_num(mm, "heads");
    const double match = cl_json_num(mm, "heads_at_smallest_gap");
    const cJSON *row0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(mss, "summary"), 0);
    c = &out[5];
    set(c, "period_is_gap", "The attention spectrum is periodic with the smallest input gap (5 Hz: double FFT peak at 0.2 s)",
        "more than half of the heads show the period of the smallest gap (+/- 1/3 Hz) on the reference input");
    num(c, "heads at the smallest gap", match);
    num(c, "heads with a periodic spectrum", cl_json_num(mm, "periodic_heads"));
    num(c, "heads", nh);
    num(c, "fraction matching, random inputs", cl_json_num(row0, "fraction_match"));
    if (!isnan(match) && nh > 0) c->verdict = match > nh / 2;

    const double rho = cl_json_num(mm, "spearman_amplitude_induction.rho"), p = cl_json_num(mm, "spearman_amplitude_induction.p");
    c = &out[6];
    set(c, "amplitude_is_induction", "The heads with the highest spectral amplitude are the induction heads",
        "Spearman correlation of spectral amplitude with induction score over the heads is > 0 with p < 0.05 (reference input)");
    num(c, "Spearman rho", rho);
    num(c, "p", p);
    num(c, "rho, random inputs", cl_json_num(row0, "spearman_rho"));
    num(c, "p, random inputs", cl_json_num(row0, "spearman_p"));
    if (!isnan(rho) && !isnan(p)) c->verdict = rho > 0 && p < 0.05;
}
