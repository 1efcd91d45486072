/* sweep.h — the repetitions × sequence-length sweep of the induction test (method.md §2):
 * for every (R, L) of a grid, the number of heads whose mean score reaches the threshold,
 * per criterion, over one or several seeds. */
#ifndef CL_SWEEP_H
#define CL_SWEEP_H

#include "induction.h"

/* The types and cl_sweep_run/free are in chronolens_study.h. */

#endif
