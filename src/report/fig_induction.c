/* fig_induction.c — mosaic, layer distribution and sweep figures on top of plot.h. */
#include "report/fig_induction.h"
#include "report/plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cl_fig_induction_mosaic(const char *base, const char *title, const float *cur, const float *right,
                            int layers, int heads, double threshold, const char *unit, cl_error *err) {
    char lc[32], lr[32];
    snprintf(lc, sizeof lc, "current %s", unit);
    snprintf(lr, sizeof lr, "%s to right", unit);
    size_t n = (size_t)layers * heads;
    unsigned char *mark = malloc(2 * n);
    if (!mark) return cl_error_set(err, CL_ENOMEM, "%s: out of memory", base);
    for (size_t i = 0; i < n; i++) {
        mark[i] = cur[i] >= threshold;
        mark[n + i] = right[i] >= threshold;
    }
    /* cells 12..32 pt (square for large models); panels at least 220 x 140 pt so that the
     * titles and ticks of small models fit */
    double cell = fmin(32, fmax(12, fmin(360.0 / heads, 360.0 / layers)));
    double pw = fmax(220, cell * heads), ph = fmax(140, cell * layers), left = 60, top = 60, gap = 70;
    double W = fmax(640, left + 2 * pw + gap + 110), Hh = top + ph + 80;
    cl_fig *f = cl_fig_new(W, Hh);
    if (!f) { free(mark); return cl_error_set(err, CL_ENOMEM, "%s: cannot create figure", base); }
    cl_fig_title(f, title);
    cl_fig_heatmap(f, (cl_rect){left, top, pw, ph}, cur, layers, heads, 0, 1, mark, lc, "head", "layer",
                   NULL, NULL, 1);
    cl_fig_heatmap(f, (cl_rect){left + pw + gap, top, pw, ph}, right, layers, heads, 0, 1, mark + n,
                   lr, "head", "layer", NULL, NULL, 1);
    cl_fig_colorbar(f, (cl_rect){left + 2 * pw + gap + 20, top, 14, ph}, 0, 1, "mean attention");
    char note[96];
    snprintf(note, sizeof note, "red frame: mean >= %.3g", threshold);
    cl_fig_text(f, left, Hh - 10, 10, note);
    int rc = cl_fig_save(f, base, err);
    cl_fig_free(f);
    free(mark);
    return rc;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* q-quantile of sorted v (linear interpolation) */
static double quantile(const double *v, int n, double q) {
    double p = q * (n - 1);
    int i = (int)floor(p);
    if (i >= n - 1) return v[n - 1];
    return v[i] + (p - i) * (v[i + 1] - v[i]);
}

int cl_fig_layer_distribution(const char *base, const char *title, const cl_depth_group *g, int n,
                              cl_error *err) {
    /* per group: dots (jittered), box edges (quartiles) and median as short lines */
    int ns = 0, maxn = 1;
    for (int k = 0; k < n; k++) maxn = g[k].n > maxn ? g[k].n : maxn;
    cl_series *s = calloc((size_t)n * 4 + 1, sizeof *s);
    double *buf = calloc((size_t)n * (2 * maxn + 16), sizeof(double));
    char **labels = calloc((size_t)n + 1, sizeof(char *));
    if (!s || !buf || !labels) {
        free(s); free(buf); free(labels);
        return cl_error_set(err, CL_ENOMEM, "%s: out of memory", base);
    }
    for (int k = 0; k < n; k++) {
        double *x = buf + (size_t)k * (2 * maxn + 16), *y = x + maxn, *bx = y + maxn;
        labels[k] = malloc(strlen(g[k].label) + 16);
        if (labels[k]) sprintf(labels[k], "%s (%d)", g[k].label, g[k].n);
        double rgb[3];
        cl_palette(k, rgb);
        for (int i = 0; i < g[k].n; i++) {
            y[i] = g[k].depth[i];
            x[i] = k + 0.25 * (((i * 7919) % 97) / 96.0 - 0.5); /* deterministic jitter */
        }
        s[ns++] = (cl_series){.x = x, .y = y, .n = g[k].n, .style = CL_DOTS, .rgb = {rgb[0], rgb[1], rgb[2]},
                              .width = 3, .alpha = 0.7};
        if (g[k].n == 0) continue;
        qsort(y, (size_t)g[k].n, sizeof(double), cmp_double);
        double q1 = quantile(y, g[k].n, 0.25), q2 = quantile(y, g[k].n, 0.5), q3 = quantile(y, g[k].n, 0.75);
        /* box outline as one polyline, then the median */
        double *px = bx, *py = bx + 5, *mx = bx + 10, *my = bx + 12;
        double xl = k - 0.2, xr = k + 0.2;
        double pxv[5] = {xl, xr, xr, xl, xl}, pyv[5] = {q1, q1, q3, q3, q1};
        memcpy(px, pxv, sizeof pxv);
        memcpy(py, pyv, sizeof pyv);
        mx[0] = xl; mx[1] = xr; my[0] = my[1] = q2;
        s[ns++] = (cl_series){.x = px, .y = py, .n = 5, .style = CL_LINE, .rgb = {0.2, 0.2, 0.2}, .width = 1};
        s[ns++] = (cl_series){.x = mx, .y = my, .n = 2, .style = CL_LINE, .rgb = {0, 0, 0}, .width = 2};
    }
    double W = fmax(480, 100 + 140.0 * n), Hh = 340; /* 480: room for the title */
    cl_fig *f = cl_fig_new(W, Hh);
    int rc;
    if (!f) rc = cl_error_set(err, CL_ENOMEM, "%s: cannot create figure", base);
    else {
        cl_fig_title(f, title);
        cl_axes ax = {.title = "heads above threshold", .xlabel = "model / criterion (heads)",
                      .ylabel = "relative depth (layer+1)/layers", .xmin = -0.6, .xmax = n - 0.4, .ymin = 0,
                      .ymax = 1.05, .xticklabels = (const char *const *)labels, .nxt = n};
        cl_fig_plot(f, (cl_rect){70, 60, W - 100, Hh - 120}, &ax, s, ns);
        int any = 0;
        for (int k = 0; k < n; k++) any |= g[k].n > 0;
        if (!any) /* an empty panel says why */
            cl_fig_text(f, 70 + (W - 100) / 2 - 110, 60 + (Hh - 120) / 2, 13, "no heads above the threshold");
        rc = cl_fig_save(f, base, err);
        cl_fig_free(f);
    }
    for (int k = 0; k < n; k++) free(labels[k]);
    free(labels); free(s); free(buf);
    return rc;
}

int cl_fig_sweep_heatmap(const char *base, const char *title, const float *cur, const float *right,
                         const int *reps, int nr, const int *lens, int nl, double vmax, const char *unit, cl_error *err) {
    char lc[32], lr[32];
    snprintf(lc, sizeof lc, "current %s", unit);
    snprintf(lr, sizeof lr, "%s to right", unit);
    char **xt = calloc((size_t)nl, sizeof(char *)), **yt = calloc((size_t)nr, sizeof(char *));
    int rc = 0;
    if (!xt || !yt) rc = cl_error_set(err, CL_ENOMEM, "%s: out of memory", base);
    for (int j = 0; j < nl && !rc; j++) if ((xt[j] = malloc(16))) snprintf(xt[j], 16, "%d", lens[j]);
    for (int i = 0; i < nr && !rc; i++) if ((yt[i] = malloc(16))) snprintf(yt[i], 16, "%d", reps[i]);
    double cell = fmax(30, fmin(48, 300.0 / (nl > nr ? nl : nr)));
    double pw = cell * nl, ph = cell * nr, left = 60, top = 60, gap = 70;
    cl_fig *f = rc ? NULL : cl_fig_new(left + 2 * pw + gap + 110, top + ph + 60);
    if (!rc && !f) rc = cl_error_set(err, CL_ENOMEM, "%s: cannot create figure", base);
    if (!rc) {
        cl_fig_title(f, title);
        cl_fig_heatmap(f, (cl_rect){left, top, pw, ph}, cur, nr, nl, 0, vmax, NULL, lc,
                       "sequence length L", "repetitions R", (const char *const *)xt, (const char *const *)yt, 1);
        cl_fig_heatmap(f, (cl_rect){left + pw + gap, top, pw, ph}, right, nr, nl, 0, vmax, NULL, lr,
                       "sequence length L", "repetitions R", (const char *const *)xt, (const char *const *)yt, 1);
        cl_fig_colorbar(f, (cl_rect){left + 2 * pw + gap + 20, top, 14, ph}, 0, vmax, "heads >= threshold");
        rc = cl_fig_save(f, base, err);
    }
    cl_fig_free(f);
    for (int j = 0; xt && j < nl; j++) free(xt[j]);
    for (int i = 0; yt && i < nr; i++) free(yt[i]);
    free(xt); free(yt);
    return rc;
}

int cl_fig_sweep_lines(const char *base, const char *title, const double *cur, const double *cur_std,
                       const double *right, const double *right_std, const int *reps, int nr,
                       const int *lens, int nl, const char *unit, cl_error *err) {
    char lc[32], lr[32];
    snprintf(lc, sizeof lc, "current %s", unit);
    snprintf(lr, sizeof lr, "%s to right", unit);
    cl_series *s = calloc(2 * (size_t)nr, sizeof *s); /* per R: a line (labelled) and its error bars */
    double *x = malloc(sizeof(double) * (size_t)nl * (nr > 0 ? nr : 1)); /* per R, nudged apart */
    char **lab = calloc((size_t)nr, sizeof(char *));
    cl_fig *f = cl_fig_new(760, 340);
    int rc = 0;
    if (!s || !x || !lab || !f) rc = cl_error_set(err, CL_ENOMEM, "%s: out of memory", base);
    for (int i = 0; i < nr && !rc; i++)
        if ((lab[i] = malloc(16))) snprintf(lab[i], 16, "R = %d", reps[i]);
    if (!rc) {
        /* each R's points nudged apart on x (a fraction of the smallest step of L), so that equal
         * counts — often all 0 — do not hide each other (issue 28: R = 4..10 were invisible) */
        double step = 1;
        for (int j = 1; j < nl; j++) step = j == 1 ? fabs((double)lens[1] - lens[0]) : fmin(step, fabs((double)lens[j] - lens[j - 1]));
        if (!(step > 0)) step = 1;
        for (int i = 0; i < nr; i++)
            for (int j = 0; j < nl; j++) x[(size_t)i * nl + j] = lens[j] + (i - (nr - 1) / 2.0) * 0.06 * step;
        cl_fig_title(f, title);
        for (int panel = 0; panel < 2; panel++) {
            const double *y = panel ? right : cur, *e = panel ? right_std : cur_std;
            int ns = 0;
            for (int i = 0; i < nr; i++) {
                double rgb[3];
                cl_palette(i, rgb);
                s[ns++] = (cl_series){.x = x + (size_t)i * nl, .y = y + (size_t)i * nl, .n = nl, .label = lab[i],
                                      .style = CL_LINEDOTS, .rgb = {rgb[0], rgb[1], rgb[2]}};
                if (e)
                    s[ns++] = (cl_series){.x = x + (size_t)i * nl, .y = y + (size_t)i * nl, .y2 = e + (size_t)i * nl, .n = nl,
                                          .style = CL_ERRBAR, .rgb = {rgb[0], rgb[1], rgb[2]}, .width = 1};
            }
            double top = 1; /* the largest count (and error bar) of both panels, at least 1 */
            for (int q = 0; q < 2; q++)
                for (int i = 0; i < nr * nl; i++) {
                    const double *yy = q ? right : cur, *ee = q ? right_std : cur_std;
                    if (isfinite(yy[i])) top = fmax(top, yy[i] + (ee && isfinite(ee[i]) ? ee[i] : 0));
                }
            top *= 1.1;
            cl_axes ax = {.title = panel ? lr : lc, .xlabel = "sequence length L",
                          .ylabel = "heads >= threshold", .xmin = NAN, .xmax = NAN, .ymin = -0.3, .ymax = top,
                          .legend = 1, .yint = 1}; /* counts mostly fall with L: the top right is emptiest;
                                                     * below 0 a little, so a line of zeros shows */
            cl_fig_plot(f, (cl_rect){70 + panel * 370, 60, 290, 220}, &ax, s, ns);
        }
        rc = cl_fig_save(f, base, err);
    }
    cl_fig_free(f);
    for (int i = 0; lab && i < nr; i++) free(lab[i]);
    free(lab); free(s); free(x);
    return rc;
}
