/* fig_multisine.h — figures of the multisine analyses (PNG + SVG through plot.h). They read
 * results only; nothing here runs a model. */
#ifndef CL_FIG_MULTISINE_H
#define CL_FIG_MULTISINE_H

#include "chronolens_study.h"

/* Heads are coloured by induction score on viridis over [0, CL_FIG_INDUCTION_CLIP]
 * (scores above are clipped, as in the study). */
#define CL_FIG_INDUCTION_CLIP 0.3

/* What the three figures of one model need. Arrays of nh = layers*heads signals of n points. */
typedef struct cl_fig_ms {
    const char *name;        /* model name for titles */
    int n, nh;
    int ns;                  /* points of the series (0: n; Chronos-Bolt: n patches of ns / n values) */
    int heads;               /* heads per layer: head i is layer i / heads, head i % heads */
    double duration;         /* seconds */
    double gap_hz;           /* smallest gap of the input (NaN: none) */
    const double *series;    /* (ns) the input series */
    const double *series_mag;/* (ns) its |FFT| */
    const double *attn;      /* (nh, n) attention signals */
    const double *mag;       /* (nh, n) their |FFT| */
    const double *dnodc;     /* (nh, n) DC-free double FFTs */
    const double *induction; /* (nh) induction scores */
} cl_fig_ms;

/* Writes <base>-attention, <base>-spectra and <base>-double-fft (.png and .svg). */
int cl_fig_multisine(const cl_fig_ms *m, const char *base, cl_error *err);

/* Sweep figure <base>.png/.svg: detected spacing against the smallest gap, one dot per
 * (configuration, head) pair with a detected period, coloured by whether the smallest gap
 * divides the other gaps; and the histogram of the error (detected - gap), bins 1/duration Hz. */
int cl_fig_sweep(const double *gap, const double *detected, const unsigned char *non_divisor, int n,
                 double duration, const char *title, const char *base, cl_error *err);

/* The three figures of every model of a multisine study: dir/<name>-attention, -spectra,
 * -double-fft. */
int cl_fig_multisine_result(const cl_multisine_result *r, const char *dir, cl_error *err);

/* The multisine sweep's figure dir/sweep.png/.svg (cl_fig_sweep over every pair). */
int cl_fig_mssweep_result(const cl_mssweep_result *r, const char *dir, cl_error *err);

#endif
