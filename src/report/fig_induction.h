/* fig_induction.h — figures of the induction-head analysis (mosaic, layer distribution,
 * sweep heatmap and lines), drawn from plain arrays so that the report can redraw them
 * from induction.json / sweep.json. Each writes <base>.png and <base>.svg. */
#ifndef CL_FIG_INDUCTION_H
#define CL_FIG_INDUCTION_H

#include "chronolens_study.h"

/* Two panels, "current token" and "token to right" (unit "token"; Chronos-Bolt: "patch"):
 * layers down, heads across, colour range fixed to [0, 1], colour bar, heads >= threshold
 * framed in red. cur, right: (layers, heads) mean scores. */
int cl_fig_induction_mosaic(const char *base, const char *title, const float *cur, const float *right,
                            int layers, int heads, double threshold, const char *unit, cl_error *err);

/* One group of heads for the layer distribution: the relative depths (layer+1)/layers of
 * the heads above threshold. */
typedef struct cl_depth_group { const char *label; const double *depth; int n; } cl_depth_group;

/* Strip plot with a box (quartiles, median) per group; y = relative depth in (0, 1]. */
int cl_fig_layer_distribution(const char *base, const char *title, const cl_depth_group *g, int n,
                              cl_error *err);

/* Sweep heatmap: two panels (current token, token to right), R down, L across, each cell
 * the (mean) count of heads >= threshold, printed in the cell. cur, right: (nr, nl).
 * vmax: top of the colour range (e.g. the number of heads). */
int cl_fig_sweep_heatmap(const char *base, const char *title, const float *cur, const float *right,
                         const int *reps, int nr, const int *lens, int nl, double vmax, const char *unit, cl_error *err);

/* Count against L, one line per R, two panels; std (nr, nl) as error bars (NULL: none). */
int cl_fig_sweep_lines(const char *base, const char *title, const double *cur, const double *cur_std,
                       const double *right, const double *right_std, const int *reps, int nr,
                       const int *lens, int nl, const char *unit, cl_error *err);

/* The figures of an induction study in dir: mosaic_<name> and mosaic_encoder_<name> per
 * model, layer_distribution of all models. */
int cl_fig_induction_set(const cl_induction_set *s, const char *dir, cl_error *err);
/* The figures of a sweep in dir: sweep_<name> (heatmap, colour range up to heads[k], the
 * cross-attention heads of model k) and sweep_lines_<name>. */
int cl_fig_sweep_set(const cl_sweep_set *s, const int *heads, const char *dir, cl_error *err);

#endif
