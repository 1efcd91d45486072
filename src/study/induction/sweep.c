/* sweep.c — induction-head counts over a grid of repetitions R and sequence lengths L. */
#include "study/induction/sweep.h"
#include "study/common/rrp.h"

#include <stdlib.h>
#include <string.h>

void cl_sweep_free(cl_sweep_result *r) {
    for (int i = 0; r->cells && i < r->n_reps * r->n_lens; i++) {
        cl_sweep_cell *c = &r->cells[i];
        free(c->cur); free(c->right); free(c->cur_all); free(c->right_all);
    }
    free(r->cells);
    free(r->done);
    memset(r, 0, sizeof *r);
}

int cl_sweep_cell_run(const cl_sweep_result *r, int i) { return !r->done || r->done[i] == CL_CELL_RUN; }

int cl_sweep_cell_fits(const cl_model *m, int reps, int seq_len) {
    const cl_config *c = cl_model_config(m);
    if (!cl_rrp_model(m)) return (long)reps * seq_len + 1 <= c->context_length;
    cl_rrt_opts ro = {.reps = reps, .seq_len = seq_len, .batch = 1};
    cl_error e;
    return cl_rrp_check(c, &ro, &e) == 0;
}

/* The cell's run as a share of the sweep's progress, so the caller sees it move (and can
 * cancel) within a cell, not only between cells. */
typedef struct { const cl_progress *up; int cell, ncell; } cell_progress;

static int on_cell_progress(void *ctx, const char *stage, double done, double total) {
    const cell_progress *p = ctx;
    (void)stage;
    return cl_progress_ask(p->up, "sweep", p->cell + (total > 0 ? done / total : 0), p->ncell);
}

int cl_sweep_run(const cl_model *m, const cl_sweep_opts *o, cl_sweep_result *r, cl_error *err) {
    memset(r, 0, sizeof *r);
    if (o->n_reps < 1 || o->n_lens < 1) return cl_error_set(err, CL_EINVAL, "sweep: empty grid");
    for (int i = 0; i < o->n_reps; i++)
        if (o->reps[i] < 2) return cl_error_set(err, CL_EINVAL, "sweep: repetitions %d: must be >= 2", o->reps[i]);
    for (int i = 0; i < o->n_lens; i++)
        if (o->lens[i] < 2) return cl_error_set(err, CL_EINVAL, "sweep: sequence length %d: must be >= 2", o->lens[i]);
    if (cl_rrp_model(m)) /* every cell must fit the context before any runs */
        for (int i = 0; i < o->n_reps; i++)
            for (int j = 0; j < o->n_lens; j++) {
                if (o->skip_unfit && !cl_sweep_cell_fits(m, o->reps[i], o->lens[j])) continue;
                cl_rrt_opts ro = o->base.rrt;
                ro.reps = o->reps[i];
                ro.seq_len = o->lens[j];
                if (ro.batch < 1) ro.batch = 1; /* checked by the run */
                int rc = cl_rrp_check(cl_model_config(m), &ro, err);
                if (rc) return rc;
            }
    const int ncell = o->n_reps * o->n_lens;
    r->cells = calloc((size_t)ncell, sizeof *r->cells);
    if (!r->cells) return cl_error_set(err, CL_ENOMEM, "sweep: out of memory");
    r->n_reps = o->n_reps;
    r->n_lens = o->n_lens;
    r->chronos2 = cl_model_is_chronos2(m);
    if ((o->only || o->skip_unfit) && !(r->done = calloc((size_t)ncell, 1))) {
        cl_sweep_free(r);
        return cl_error_set(err, CL_ENOMEM, "sweep: out of memory");
    }
    cl_induction_opts io = o->base;
    io.strict = 0;        /* counts only: one forward pass per cell and seed */
    cell_progress cp = {&o->base.progress, 0, ncell};
    io.progress = (cl_progress){.ctx = &cp, .fn = on_cell_progress};
    int rc = cl_progress_point(&o->base.progress, "sweep", 0, ncell, err);
    if (rc) { cl_sweep_free(r); return rc; }
    for (int i = 0; i < o->n_reps; i++)
        for (int j = 0; j < o->n_lens; j++) {
            if (o->only && !o->only[i * o->n_lens + j]) continue; /* CL_CELL_ELSEWHERE */
            if (o->skip_unfit && !cl_sweep_cell_fits(m, o->reps[i], o->lens[j])) {
                r->done[i * o->n_lens + j] = CL_CELL_UNFIT;
                r->cells[i * o->n_lens + j].reps = o->reps[i];
                r->cells[i * o->n_lens + j].seq_len = o->lens[j];
                continue;
            }
            if (r->done) r->done[i * o->n_lens + j] = CL_CELL_RUN;
            io.rrt.reps = o->reps[i];
            io.rrt.seq_len = o->lens[j];
            cl_induction_result ir;
            cp.cell = i * o->n_lens + j;
            rc = cl_induction_run(m, &io, &ir, err);
            if (rc) { cl_sweep_free(r); return rc; }
            cl_sweep_cell *c = &r->cells[i * o->n_lens + j];
            c->reps = o->reps[i];
            c->seq_len = o->lens[j];
            memcpy(c->cross, ir.cross, sizeof c->cross);
            memcpy(c->enc, ir.enc, sizeof c->enc);
            c->layers = ir.layers;
            c->heads = ir.heads;
            c->cur = ir.cur; c->right = ir.right; c->cur_all = ir.cur_all; c->right_all = ir.right_all;
            ir.cur = ir.right = ir.cur_all = ir.right_all = NULL; /* moved into the cell */
            cl_induction_free(&ir);
            if ((rc = cl_progress_point(&o->base.progress, "sweep", i * o->n_lens + j + 1, ncell, err))) {
                cl_sweep_free(r);
                return rc;
            }
        }
    return 0;
}
