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

/* The parts of one run (--shard K/N, study/common/shard.h), joined (induction_merge.c): each
 * result is the caller's to free (cl_*_free); heads[model] of the sweep's figures. */
typedef struct cl_shard_part cl_shard_part;
int cl_rrp_offsets_merge_parts(const char *const *dirs, const cl_shard_part *p, int n, cl_rrp_offsets_set *out, cl_error *err);
int cl_induction_merge_parts(const char *const *dirs, const cl_shard_part *p, int n, cl_induction_set *out, cl_error *err);
int cl_sweep_merge_parts(const char *const *dirs, const cl_shard_part *p, int n, cl_sweep_set *out, int *heads, cl_error *err);

#endif
