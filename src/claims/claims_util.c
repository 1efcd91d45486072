/* claims_util.c — building verdicts and reading one cell of the scores table, for the files
 * of the claims module (claims_internal.h). */
#include "claims/claims_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

cl_verdict *claims_verdict(cl_verdicts *out, const char *id, const char *claim, const char *test, const char *model) {
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

void claims_num(cl_verdict *v, double x, const char *fmt, ...) {
    if (v->n >= CL_VERDICT_NUMS) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->name[v->n], sizeof v->name[v->n], fmt, ap);
    va_end(ap);
    v->value[v->n++] = x;
}

void claims_reason(cl_verdict *v, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->reason, sizeof v->reason, fmt, ap);
    va_end(ap);
}

void claims_cell_free(claims_cell *c) { free(c->h); memset(c, 0, sizeof *c); }

int claims_cell_get(const cl_scores *t, const char *model, int sampling, int reps, int len, claims_cell *c) {
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
                claims_head_rows *p = realloc(c->h, sizeof *p * (size_t)cap);
                if (!p) { claims_cell_free(c); return -1; }
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

int claims_sampling(const cl_scores *t, const char *model) {
    return cl_scores_family(t, model) != CL_FAMILY_T5 ? CL_SAMPLING_PATCHES : CL_SAMPLING_BAND;
}

double claims_se(const cl_score_row *r) { return r && r->n > 0 && isfinite(r->std) ? r->std / sqrt((double)r->n) : NAN; }

