/* scores_from.c — scores-table rows from induction and sweep results (scores_from.h). */
#include "study/induction/scores_from.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* x as the study's JSON files keep it (cJSON: 15 significant digits when they read back
 * within an ulp, else all 17): a table made from a run and one made from its files read back
 * (cl_induction_read, cl_sweep_read) are then the same rows, and scores.csv the same bytes. */
static double as_kept(double x) {
    char b[32];
    snprintf(b, sizeof b, "%.15g", x);
    return strtod(b, NULL);
}

static int put(cl_scores *t, const cl_score_row *base, int layer, int head, int crit, const cl_stat *s, long n,
               cl_error *err) {
    cl_score_row r = *base;
    r.layer = layer;
    r.head = head;
    r.criterion = crit;
    r.mean = as_kept(s->mean);
    r.std = as_kept(s->std);
    r.n = n;
    return cl_scores_add(t, &r, err);
}

/* per cross head (layer-major): cur, right, the sums (may be NULL), the ablation (may be NULL) */
static int put_heads(cl_scores *t, const cl_score_row *base, int layers, int heads, const cl_stat *cur,
                     const cl_stat *right, const cl_stat *cur_all, const cl_stat *right_all, const cl_stat *abl, long n,
                     cl_error *err) {
    int rc = 0;
    for (int i = 0; i < layers * heads && !rc; i++) {
        const int l = i / heads, h = i % heads;
        rc = put(t, base, l, h, CL_CRIT_CURRENT, &cur[i], n, err);
        if (!rc) rc = put(t, base, l, h, CL_CRIT_RIGHT, &right[i], n, err);
        if (!rc && cur_all) rc = put(t, base, l, h, CL_CRIT_CURRENT_ALL, &cur_all[i], n, err);
        if (!rc && right_all) rc = put(t, base, l, h, CL_CRIT_RIGHT_ALL, &right_all[i], n, err);
        /* Chronos-Bolt's ablation is another quantity (the change of the median's error): another criterion */
        if (!rc && abl)
            rc = put(t, base, l, h, base->family != CL_FAMILY_T5 ? CL_CRIT_ABLATION_MEDIAN : CL_CRIT_ABLATION, &abl[i], n, err);
    }
    return rc;
}

static void base_row(cl_score_row *b, const char *name, double params, int sampling, int reps, int len, int c2) {
    memset(b, 0, sizeof *b);
    snprintf(b->model, sizeof b->model, "%s", name);
    b->parameters = params;
    b->sampling = sampling;
    b->family = c2 ? CL_FAMILY_CHRONOS2 : sampling == CL_SAMPLING_PATCHES ? CL_FAMILY_BOLT : CL_FAMILY_T5;
    b->reps = reps;
    b->seq_len = len;
}

int cl_scores_from_induction(cl_scores *t, const char *name, double params, int sampling, int reps, int seq_len,
                             const cl_induction_result *r, long n, cl_error *err) {
    cl_score_row b;
    base_row(&b, name, params, sampling, reps, seq_len, r->chronos2);
    return put_heads(t, &b, r->layers, r->heads, r->cur, r->right, r->cur_all, r->right_all, r->strict ? r->ablate : NULL, n,
                     err);
}

int cl_scores_from_sweep(cl_scores *t, const char *name, double params, int sampling, const cl_sweep_result *r, long n,
                         cl_error *err) {
    int rc = 0;
    for (int i = 0; i < r->n_reps * r->n_lens && !rc; i++) {
        const cl_sweep_cell *c = &r->cells[i];
        if (!cl_sweep_cell_run(r, i) || !c->cur) continue; /* another part's cell, or too long */
        cl_score_row b;
        base_row(&b, name, params, sampling, c->reps, c->seq_len, r->chronos2);
        rc = put_heads(t, &b, c->layers, c->heads, c->cur, c->right, c->cur_all, c->right_all, NULL, n, err);
    }
    return rc;
}
