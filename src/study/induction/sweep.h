/* sweep.h — the repetitions × sequence-length sweep of the induction test (method.md §2):
 * for every (R, L) of a grid, the number of heads whose mean score reaches the threshold,
 * per criterion, over one or several seeds. */
#ifndef CL_SWEEP_H
#define CL_SWEEP_H

#include "study/induction/induction.h"

/* The scores table of every cell run (as cl_induction_scores); cl_sweep_write writes it as
 * dir/scores.csv. */
int cl_sweep_scores(const cl_sweep_set *s, cl_scores *t, int *skipped, cl_error *err);

/* The types and cl_sweep_run/free are in chronolens_study.h. */

#endif
