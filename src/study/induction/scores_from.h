/* scores_from.h — the scores table (scores_table.h) of chronolens' own results: the rows of an
 * induction run (current, right, their all-occurrence sums, and the ablation when strict)
 * and of every cell of a sweep. std is the std over the seeds*batch sequences, n their number.
 * Sampling CL_SAMPLING_PATCHES: a Chronos-Bolt model (family bolt), its ablation rows under
 * the criterion ablation_median (|m - y| - |m_h - y|, rrp.h). */
#ifndef CL_SCORES_FROM_H
#define CL_SCORES_FROM_H

#include "study/common/scores_table.h"
#include "study/induction/sweep.h"

/* Appends the rows of one induction result (reps, seq_len: the run's) for model `name`
 * with `parameters` (NaN: unknown) and `sampling` (CL_SAMPLING_*). n: seeds * batch. */
int cl_scores_from_induction(cl_scores *t, const char *name, double parameters, int sampling, int reps, int seq_len,
                             const cl_induction_result *r, long n, cl_error *err);
/* Appends the rows of every sweep cell. */
int cl_scores_from_sweep(cl_scores *t, const char *name, double parameters, int sampling, const cl_sweep_result *r,
                         long n, cl_error *err);

#endif
