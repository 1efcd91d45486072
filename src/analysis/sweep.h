/* sweep.h — the repetitions × sequence-length sweep of the induction test (method.md §2):
 * for every (R, L) of a grid, the number of heads whose mean score reaches the threshold,
 * per criterion, over one or several seeds. */
#ifndef CL_SWEEP_H
#define CL_SWEEP_H

#include "induction.h"

typedef struct cl_sweep_opts {
    cl_induction_opts base;  /* batch, token range, seed, seeds, threshold; L, R and strict ignored */
    int n_reps, n_lens;
    const int *reps, *lens;  /* the grid: R values (>= 2), L values (>= 2) */
} cl_sweep_opts;

/* One cell of the grid: counts as in cl_induction_result (cross and encoder), and the
 * per-head cross-attention scores behind them (layers*heads, layer-major; owned by the
 * result): most recent occurrence (cur, right) and the sums over every occurrence. */
typedef struct cl_sweep_cell {
    int reps, seq_len;
    cl_count cross[3], enc[3];
    int layers, heads;
    cl_stat *cur, *right, *cur_all, *right_all;
} cl_sweep_cell;

typedef struct cl_sweep_result {
    int n_reps, n_lens;
    cl_sweep_cell *cells; /* (n_reps, n_lens), R-major */
} cl_sweep_result;

/* Runs cl_induction_run (scores only) for every cell; base.progress, if set, reports
 * (cells done, cells). */
int cl_sweep_run(const cl_model *m, const cl_sweep_opts *o, cl_sweep_result *r, cl_error *err);
void cl_sweep_free(cl_sweep_result *r);

#endif
