/* svg_heatmap.h — heatmaps as inline SVG markup for the HTML report: every cell carries its
 * exact value in a <title> (shown on hover), viridis colours (cl_viridis), labelled axes and a
 * colour bar. The figure files stay cairo PNG + SVG (plot.h); cairo cannot write <title>. */
#ifndef CL_SVG_HEATMAP_H
#define CL_SVG_HEATMAP_H

#include <stdio.h>

typedef struct cl_svg_panel {
    const char *title;
    const double *v;  /* (rows, cols) row-major, row 0 at the top; NaN cells grey */
} cl_svg_panel;

typedef struct cl_svg_heatmap {
    int rows, cols;
    double vmin, vmax;                 /* colour range (clipped) */
    const char *xlabel, *ylabel, *cbar_label;
    const char *const *xticks, *const *yticks; /* cols / rows labels (NULL: 0, 1, ..) */
    double mark;                       /* cells >= mark get a red frame (NaN: none) */
    int values;                        /* 1: print each value in its cell when it fits */
    const char *cell_fmt;              /* printf format of those values (NULL: "%.3g") */
} cl_svg_heatmap;

/* Writes one <svg> element with the panels side by side (same axes and colour range) and
 * one colour bar. Each cell: <rect ...><title>ylabel Y, xlabel X: VALUE</title></rect>,
 * VALUE printed with %.9g (the digits of the CSV files). */
void cl_svg_heatmap_write(FILE *f, const cl_svg_heatmap *h, const cl_svg_panel *p, int npanels);

/* Writes s with &, <, >, " escaped for HTML text and attributes. */
void cl_html_escape(FILE *f, const char *s);

#endif
