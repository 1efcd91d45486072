/* report_claims.c — verdicts of the study's claims from the typed results of the induction,
 * sweep, multisine and multisine-sweep studies; claims.json and claims.csv. */
#include "report_claims.h"
#include "../core/core.h"
#include "../io/csv.h"
#include "../io/json.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

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
static double sweep_mean(const cl_sweep_result *w, int r, int l) {
    double s = 0;
    int n = 0;
    for (int i = 0; w && i < w->n_reps * w->n_lens; i++) {
        const cl_sweep_cell *c = &w->cells[i];
        if ((r > 0 && c->reps != r) || (l > 0 && c->seq_len != l)) continue;
        s += c->cross[CL_ANY].mean;
        n++;
    }
    return n ? s / n : NAN;
}

static void grid_ends(const int *v, int n, int *lo, int *hi) {
    *lo = *hi = 0;
    for (int i = 0; i < n; i++) {
        if (!*lo || v[i] < *lo) *lo = v[i];
        if (v[i] > *hi) *hi = v[i];
    }
}

void cl_claims_eval(const cl_induction_set *ind, const cl_sweep_set *sweep, const cl_multisine_result *ms,
                    const cl_mssweep_result *mss, int k, cl_claim *out) {
    const cl_induction_result *mi = ind && k < ind->n ? &ind->res[k] : NULL;
    const cl_sweep_result *mw = sweep && k < sweep->n ? &sweep->res[k] : NULL;
    const cl_multisine_model *mm = ms && k < ms->n ? &ms->res[k] : NULL;
    const double total = mi ? (double)mi->layers * mi->heads : NAN;
    const double any = mi ? mi->cross[CL_ANY].n : NAN, strict = mi && mi->strict ? mi->strict_count[CL_ANY].n : NAN;

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

    double best = -1, at = NAN, br = NAN, bl = NAN;
    for (int i = 0; mw && i < mw->n_reps * mw->n_lens; i++) {
        const cl_sweep_cell *x = &mw->cells[i];
        double v = x->cross[CL_ANY].mean;
        if (v > best) { best = v; br = x->reps; bl = x->seq_len; }
        if (x->reps == 2 && x->seq_len == 10) at = v;
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
    grid_ends(sweep ? sweep->lens : NULL, sweep ? sweep->n_lens : 0, &lo, &hi);
    double a = sweep_mean(mw, 0, lo), b = sweep_mean(mw, 0, hi);
    c = &out[3];
    set(c, "longer_more", "Longer sequences give more heads",
        "mean count over R at the longest L is above that at the shortest L");
    num(c, "mean count, shortest L", a);
    num(c, "mean count, longest L", b);
    num(c, "shortest L", lo);
    num(c, "longest L", hi);
    if (!isnan(a) && !isnan(b) && lo < hi && (a > 0 || b > 0)) c->verdict = b > a;

    grid_ends(sweep ? sweep->reps : NULL, sweep ? sweep->n_reps : 0, &lo, &hi);
    a = sweep_mean(mw, lo, 0);
    b = sweep_mean(mw, hi, 0);
    c = &out[4];
    set(c, "more_reps_fewer", "More repetitions give fewer heads",
        "mean count over L at the most repetitions R is below that at the fewest R");
    num(c, "mean count, fewest R", a);
    num(c, "mean count, most R", b);
    num(c, "fewest R", lo);
    num(c, "most R", hi);
    if (!isnan(a) && !isnan(b) && lo < hi && (a > 0 || b > 0)) c->verdict = b < a;

    const double nh = mm ? (double)mm->layers * mm->heads : NAN;
    const double match = mm ? mm->matching : NAN;
    const cl_mssweep_stats *row0 = mss ? &mss->rows[CL_MSS_ALL] : NULL;
    const double frac0 = row0 && row0->pairs > 0 ? (double)row0->match / row0->pairs : NAN;
    c = &out[5];
    set(c, "period_is_gap", "The attention spectrum is periodic with the smallest input gap (5 Hz: double FFT peak at 0.2 s)",
        "more than half of the heads show the period of the smallest gap (+/- 1/3 Hz) on the reference input");
    num(c, "heads at the smallest gap", match);
    num(c, "heads with a periodic spectrum", mm ? mm->periodic : NAN);
    num(c, "heads", nh);
    num(c, "fraction matching, random inputs", frac0);
    if (!isnan(match) && nh > 0) c->verdict = match > nh / 2;

    const double rho = mm ? mm->rho : NAN, p = mm ? mm->p : NAN;
    c = &out[6];
    set(c, "amplitude_is_induction", "The heads with the highest spectral amplitude are the induction heads",
        "Spearman correlation of spectral amplitude with induction score over the heads is > 0 with p < 0.05 (reference input)");
    num(c, "Spearman rho", rho);
    num(c, "p", p);
    num(c, "rho, random inputs", row0 ? row0->rho : NAN);
    num(c, "p, random inputs", row0 ? row0->p : NAN);
    if (!isnan(rho) && !isnan(p)) c->verdict = rho > 0 && p < 0.05;
}

const char *cl_claim_verdict_word(int v) { return v == 1 ? "supported" : v == 0 ? "not supported" : "undecided"; }

int cl_claims_write(const cl_claim *claims, const char *const *names, int n_models, const char *dir, cl_error *err) {
    char path[4096];
    cJSON *root = cJSON_CreateArray();
    for (int k = 0; k < n_models; k++)
        for (int i = 0; i < CL_CLAIMS; i++) {
            const cl_claim *c = &claims[k * CL_CLAIMS + i];
            cJSON *o = cJSON_CreateObject(), *v = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "model", names[k]);
            cJSON_AddStringToObject(o, "id", c->id);
            cJSON_AddStringToObject(o, "claim", c->claim);
            cJSON_AddStringToObject(o, "test", c->test);
            cJSON_AddStringToObject(o, "verdict", cl_claim_verdict_word(c->verdict));
            for (int j = 0; j < c->n; j++) cJSON_AddItemToObject(v, c->name[j], cl_json_num_or_null(c->value[j]));
            cJSON_AddItemToObject(o, "numbers", v);
            cJSON_AddItemToArray(root, o);
        }
    int rc = cl_json_save_free(cl_path_join(path, sizeof path, dir, "claims.json"), root, err);
    if (rc) return rc;
    cl_out out;
    if (cl_out_open(&out, cl_path_join(path, sizeof path, dir, "claims.csv"), err)) return CL_EIO;
    FILE *f = out.fp;
    fputs("model,claim,verdict,number,value\n", f);
    for (int k = 0; k < n_models; k++)
        for (int i = 0; i < CL_CLAIMS; i++) {
            const cl_claim *c = &claims[k * CL_CLAIMS + i];
            for (int j = 0; j < c->n; j++) {
                csv_write_field(f, names[k]);
                fprintf(f, ",%s,%s,\"%s\",", c->id, cl_claim_verdict_word(c->verdict), c->name[j]);
                if (isfinite(c->value[j])) fprintf(f, "%.9g", c->value[j]);
                fputc('\n', f);
            }
        }
    return cl_out_commit(&out, err);
}
