/* formation.h — induction heads forming over training: at every checkpoint of a run, the
 * RRT summary (method.md §2: max "current token" and "token to right" cross-attention
 * scores over decoder layers x heads, and how many heads reach the 0.3 threshold), next
 * to the held-out loss and the in-context-learning score the trainer logged. */
#ifndef CL_FORMATION_H
#define CL_FORMATION_H

#include "chronolens_study.h" /* cl_formation_point */


/* RRT summary of a model with the study's defaults (L 10, R 2, batch 100) and seed. */
int cl_formation_rrt(const cl_model *m, uint64_t seed, cl_formation_point *pt, cl_error *err);

/* formation.png/.svg at base: loss curves, RRT maxima with the threshold, head counts,
 * ICL score, all against the training step. train_* : the per-step training loss. */
int cl_formation_plot(const cl_formation_point *pts, int n, const double *train_step, const double *train_loss,
                      int ntrain, const char *base, cl_error *err);

#endif
