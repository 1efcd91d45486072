/* induction_study.c — the multi-model runs of the induction and sweep studies: each model's
 * settings from the study's options (its sampling band, its family), one precision for all,
 * progress over every model, into cl_induction_set / cl_sweep_set (their files:
 * induction_io.c). */
#include "study/induction/induction.h"
#include "study/induction/sweep.h"
#include "study/common/rrp.h"
#include "core/core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ runs */

void cl_induction_study_default(cl_induction_study_opts *o) {
    memset(o, 0, sizeof *o);
    o->base.rrt.seq_len = 10;
    o->base.rrt.reps = 2;
    o->base.rrt.batch = 100;
    o->base.threshold = 0.3;
    o->base.seeds = 1;
    o->base.strict = 1;
    o->tok_lo = o->tok_hi = -1;
}

/* model k of n: the caller's progress over all models, labelled with the model; the
 * caller's answer (cancel) goes back to the model's run */
typedef struct { const cl_progress *up; const char *study, *name; int k, n; } model_progress;

static int on_model_progress(void *ctx, const char *stage, double done, double total) {
    const model_progress *p = ctx;
    char label[400];
    (void)stage;
    snprintf(label, sizeof label, "%s: %s (%d/%d)", p->study, p->name, p->k + 1, p->n);
    return cl_progress_ask(p->up, label, p->k * total + done, p->n * total);
}

/* CL_SAMPLING_BAND / _ALL for a token range of model m, -1 for any other range;
 * CL_SAMPLING_PATCHES for Chronos-Bolt (repeated random patches: no token sampling) */
static int sampling_of(const cl_model *m, int lo, int hi) {
    if (cl_rrp_model(m)) return CL_SAMPLING_PATCHES;
    cl_error err;
    const cl_config *c = cl_model_config(m);
    int blo, bhi;
    if (!cl_rrt_token_band(c, &blo, &bhi, &err) && lo == blo && hi == bhi) return CL_SAMPLING_BAND;
    if (lo <= c->n_special_tokens && hi >= (c->n_tokens < c->vocab_size ? c->n_tokens : c->vocab_size) - 1)
        return CL_SAMPLING_ALL;
    return -1;
}

/* The options of model m: the study's settings with its token band (or every non-special
 * token, or the given range). */
static int model_opts(const cl_model *m, const cl_induction_study_opts *o, cl_induction_opts *io, cl_error *err) {
    *io = o->base;
    if (cl_rrp_model(m)) return 0; /* repeated random patches: no tokens */
    if (o->sampling_all) {
        const cl_config *c = cl_model_config(m);
        io->rrt.tok_lo = c->n_special_tokens;
        io->rrt.tok_hi = (c->n_tokens < c->vocab_size ? c->n_tokens : c->vocab_size) - 1;
        return 0;
    }
    if (o->tok_lo >= 0) {
        io->rrt.tok_lo = o->tok_lo;
        io->rrt.tok_hi = o->tok_hi;
        return 0;
    }
    return cl_rrt_token_band(cl_model_config(m), &io->rrt.tok_lo, &io->rrt.tok_hi, err);
}

/* The one precision of a study's models (recorded in its settings); CL_EINVAL when they differ. */
static int models_precision(cl_model *const *m, const cl_study_model *info, int n, cl_precision *p, cl_error *err) {
    /* a shard part holds only its own models (the others' m[k] are NULL) */
    int first = -1;
    for (int k = 0; k < n; k++) {
        if (!m[k]) continue;
        if (first < 0) { first = k; *p = cl_model_precision(m[k]); continue; }
        if (cl_model_precision(m[k]) != *p)
            return cl_error_set(err, CL_EINVAL, "%s runs in %s, %s in %s: the models of one study share a precision",
                                info[first].path, cl_precision_name(*p), info[k].path,
                                cl_precision_name(cl_model_precision(m[k])));
    }
    if (first < 0) *p = CL_FP32;
    return 0;
}

int cl_induction_study_run(cl_model *const *m, const cl_study_model *info, int n, const cl_induction_study_opts *o,
                           cl_induction_set *out, cl_error *err) {
    memset(out, 0, sizeof *out);
    out->opts = o->base;
    out->opts.progress = (cl_progress){0};
    int rc = cl_induction_study_check(m, info, n, o, err); /* every model before the first runs */
    if (!rc) rc = models_precision(m, info, n, &out->opts.precision, err);
    if (rc) return rc;
    rc = cl_study_set_alloc(n, &out->models, (void **)&out->res, sizeof *out->res, info, err);
    if (rc) { cl_induction_set_free(out); return rc; }
    for (int k = 0; k < n && !rc; k++) {
        if (!cl_shard_has(&o->shard, k)) continue; /* another part's model */
        const int j = out->n++;
        out->models[j] = info[k];
        cl_induction_opts io;
        model_progress mp = {&o->base.progress, "induction", info[k].name, k, n};
        rc = model_opts(m[k], o, &io, err);
        out->models[j].sampling = rc ? -1 : sampling_of(m[k], io.rrt.tok_lo, io.rrt.tok_hi);
        io.progress = (cl_progress){.ctx = &mp, .fn = on_model_progress};
        double t0 = cl_now();
        if (!rc) rc = cl_induction_run(m[k], &io, &out->res[j], err);
        out->models[j].seconds = cl_now() - t0;
    }
    if (rc) cl_induction_set_free(out);
    return rc;
}

void cl_sweep_study_default(cl_sweep_study_opts *o) {
    memset(o, 0, sizeof *o);
    cl_induction_study_default(&o->base);
    o->n_reps = o->n_lens = 5;
    for (int i = 0; i < 5; i++) o->reps[i] = o->lens[i] = 2 * (i + 1);
}

int cl_sweep_study_run(cl_model *const *m, const cl_study_model *info, int n, const cl_sweep_study_opts *o,
                       cl_sweep_set *out, cl_error *err) {
    memset(out, 0, sizeof *out);
    if (o->n_reps < 1 || o->n_reps > CL_SWEEP_MAX_GRID || o->n_lens < 1 || o->n_lens > CL_SWEEP_MAX_GRID)
        return cl_error_set(err, CL_EINVAL, "sweep: the grid needs 1 to %d values of R and of L", CL_SWEEP_MAX_GRID);
    if (cl_sweep_study_check(m, info, n, o, err)) return CL_EINVAL; /* every model before the first runs */
    out->opts = o->base.base;
    out->opts.progress = (cl_progress){0};
    out->n_reps = o->n_reps;
    out->n_lens = o->n_lens;
    memcpy(out->reps, o->reps, sizeof out->reps);
    memcpy(out->lens, o->lens, sizeof out->lens);
    int rc = models_precision(m, info, n, &out->opts.precision, err);
    if (!rc) rc = cl_study_set_alloc(n, &out->models, (void **)&out->res, sizeof *out->res, info, err);
    if (rc) { cl_sweep_set_free(out); return rc; }
    out->n = n;
    const int ncell = o->n_reps * o->n_lens;
    unsigned char *only = o->base.shard.n > 1 ? calloc((size_t)ncell, 1) : NULL;
    if (o->base.shard.n > 1 && !only) rc = cl_error_set(err, CL_ENOMEM, "sweep: out of memory");
    for (int k = 0; k < n && !rc; k++) {
        cl_sweep_opts so = {.n_reps = o->n_reps, .n_lens = o->n_lens, .reps = o->reps, .lens = o->lens, .only = only,
                            .skip_unfit = o->skip_unfit};
        for (int c = 0; only && c < ncell; c++) only[c] = (unsigned char)cl_shard_has(&o->base.shard, k * ncell + c);
        model_progress mp = {&o->base.base.progress, "sweep", info[k].name, k, n};
        rc = model_opts(m[k], &o->base, &so.base, err);
        out->models[k].sampling = rc ? -1 : sampling_of(m[k], so.base.rrt.tok_lo, so.base.rrt.tok_hi);
        so.base.progress = (cl_progress){.ctx = &mp, .fn = on_model_progress};
        double t0 = cl_now();
        if (!rc && (rc = cl_sweep_run(m[k], &so, &out->res[k], err))) cl_error_prefix(err, info[k].path);
        out->models[k].seconds = cl_now() - t0;
    }
    free(only);
    if (rc) cl_sweep_set_free(out);
    return rc;
}

