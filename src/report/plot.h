/* plot.h — figures drawn once with cairo and written as PNG and SVG.
 *
 * A cl_fig records drawing commands (cairo recording surface); cl_fig_save replays them
 * onto an image surface (PNG, 2x for sharpness) and an SVG surface. Coordinates are in
 * points, origin top-left. Panels are placed by the caller with cl_rect. Colours follow
 * viridis (perceptually uniform) for heatmaps; series colours default to a fixed
 * qualitative palette (cl_palette). */
#ifndef CL_PLOT_H
#define CL_PLOT_H

#include "chronolens.h"

typedef struct cl_fig cl_fig;
typedef struct { double x, y, w, h; } cl_rect;

cl_fig *cl_fig_new(double width, double height);
void cl_fig_free(cl_fig *f);
/* Writes <base>.png and <base>.svg atomically (temporary name, rename on success). */
int cl_fig_save(cl_fig *f, const char *base, cl_error *err);
/* Title centred at the top of the figure. */
void cl_fig_title(cl_fig *f, const char *text);
/* Free text at (x, y) (baseline-left), size in points. */
void cl_fig_text(cl_fig *f, double x, double y, double size, const char *text);

/* Heatmap panel: data (rows, cols) row-major, row 0 at the top; colours clipped to
 * [vmin, vmax] (viridis). mark (rows*cols, may be NULL): non-zero cells get a red frame.
 * xticks/yticks (cols/rows strings, may be NULL: indices are used). NaN cells are grey.
 * If values != 0 each cell also shows its value as text when the cell is large enough. */
void cl_fig_heatmap(cl_fig *f, cl_rect r, const float *data, int rows, int cols, double vmin,
                    double vmax, const unsigned char *mark, const char *title, const char *xlabel,
                    const char *ylabel, const char *const *xticks, const char *const *yticks,
                    int values);
/* Vertical colour bar for [vmin, vmax] with ticks. */
void cl_fig_colorbar(cl_fig *f, cl_rect r, double vmin, double vmax, const char *label);

enum { CL_LINE = 0, CL_DOTS = 1, CL_LINEDOTS = 2, CL_BAND = 3, CL_ERRBAR = 4, CL_STEMS = 5 };

typedef struct cl_series {
    const double *x, *y;  /* n points (x may be NULL: 0..n-1) */
    const double *y2;     /* CL_BAND: lower edge (y = upper); CL_ERRBAR: half-width; else NULL */
    int n;
    const char *label;    /* legend entry (NULL: none) */
    int style;            /* CL_LINE, CL_DOTS, ... */
    double rgb[3];        /* colour; all < 0 means palette colour by series index */
    double width;         /* line width or dot radius in points (0: default) */
    double alpha;         /* 0: opaque (1) */
} cl_series;

typedef struct cl_axes {
    const char *title, *xlabel, *ylabel;
    double xmin, xmax, ymin, ymax; /* NaN: automatic from the data */
    int legend;                    /* 0 none, 1 top-right, 2 top-left, 3 outside, right of the
                                      panel (legend_dx further right), never over the data */
    const char *const *xticklabels; /* categorical x axis: labels at x = 0..nxt-1 (or NULL) */
    int nxt;
    int xlog;                      /* 1: x on a log10(1 + x) scale (x >= 0, e.g. training steps),
                                    * ticks at 0, 1, 10, 100, ...; xmin/xmax stay in data units */
    double legend_dx;              /* legend 3: extra room between panel and legend (a colour bar) */
    int yint;                      /* 1: y counts something (heads): integer ticks only */
} cl_axes;

/* Line / scatter / band panel with axes, ticks and an optional legend. */
void cl_fig_plot(cl_fig *f, cl_rect r, const cl_axes *ax, const cl_series *s, int n);

/* Viridis colour of t in [0, 1] (clamped). */
void cl_viridis(double t, double rgb[3]);
/* Qualitative palette colour i (cycles). */
void cl_palette(int i, double rgb[3]);

#endif
