/* c2_pipeline.h — Chronos2Pipeline.predict and predict_quantiles (../shared/docs/
 * chronos2_method.md §3): tasks into batches, the first pass, the long horizon's unrolling over
 * quantile paths, and the quantile arithmetic of chronos.utils (c2_quantiles.c). */
#ifndef CL_C2_PIPELINE_H
#define CL_C2_PIPELINE_H

#include "chronolens_study.h"

/* Rows of one model pass at most (whole groups; a larger group runs alone): the pipeline's
 * unrolled passes hold B x |U| rows, and a pass is split between groups, which never see
 * each other, so the forecast does not change. */
#define CL_C2_PASS_ROWS 256

/* Chronos2Pipeline.predict on the series context (B, L) (NaN = missing): the rows with one
 * task id form a task (task_ids NULL: each row its own), tasks in order of first appearance
 * join a batch while it has fewer than batch_size rows; group id = the task's index in its
 * batch, or 0 for all with cross_learning. fc (B, F) known future covariates in data units
 * (NaN = unknown; NULL: none; F <= horizon). unrolled (nU levels, each a model level): the
 * quantile paths of a long horizon (NULL: 0.1 .. 0.9). pred: (B, Q, horizon), every row. */
int cl_c2_predict(const cl_model *m, const float *context, int B, int L, const int *task_ids, int cross_learning,
                  const float *fc, int F, int horizon, const double *unrolled, int n_unrolled, int batch_size,
                  const cl_progress *progress, float *pred, cl_error *err);

/* cl_c2_predict with the hook set hk (NULL: none) attached to every pass (the interventions,
 * callbacks and caches of include/chronolens.h; a cache keeps the last pass's activations).
 * Passes regroup and repeat the series (tasks into batches, the unrolled paths), so a PATCH or
 * RESAMPLE, indexed by series, is refused. */
int cl_c2_predict_hk(const cl_model *m, const float *context, int B, int L, const int *task_ids, int cross_learning,
                     const float *fc, int F, int horizon, const double *unrolled, int n_unrolled, int batch_size,
                     const cl_progress *progress, float *pred, struct cl_hooks *hk, cl_error *err);

/* unrolled levels each one of the model's (exact equality, as upstream checks them, even
 * when nothing unrolls): 0, or CL_EINVAL naming the first that is not. */
int cl_c2_check_unrolled(const cl_config *c, const double *U, int nU, cl_error *err);

/* predict_quantiles on pred (B, Q, H): quant (B, H, nlev) — the model's columns when every
 * level is one of its own, else interp_quantiles over all (levels outside [q_0, q_Q-1] get
 * the end values); mean (B, H) (may be NULL) = the 0.5 column. */
int cl_c2_quantiles_at(const cl_config *c, const float *pred, int B, int H, const double *levels, int nlev,
                       float *quant, float *mean, cl_error *err);

/* chronos.utils.interp_quantiles for one row: values v at K increasing levels lv, with
 * level 0 (value v[0]) prepended when pre0 and level 1 (value v[K-1]) appended when app1,
 * at the nq query levels -> out. float32 throughout. */
void cl_c2_interp(const float *query, int nq, const float *lv, const float *v, int K, int pre0, int app1, float *out);
/* weighted_quantile over R rows of K samples (weights (K)): out (R, nq); -1 out of memory. */
int cl_c2_weighted_quantiles(const float *query, int nq, const float *weights, const float *samples, int R, int K,
                             float *out);
/* The trapezoid mass of each of K levels, normalised: (l_{i+1} - l_{i-1}) / 2, l_0 = 0, l_{K+1} = 1. */
void cl_c2_prob_mass(const double *levels, int K, float *mass);

#endif
