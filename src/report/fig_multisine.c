/* fig_multisine.c — attention, spectra and double-FFT figures of one model; the sweep figure. */
#include "report/fig_multisine.h"
#include "report/plot.h"
#include "study/multisine/multisine.h"
#include "core/core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Heads ordered by increasing induction score, so the strongest are drawn last (on top). */
static const double *order_key;
static int by_score(const void *a, const void *b) {
    double x = order_key[*(const int *)a], y = order_key[*(const int *)b];
    return (x > y) - (x < y);
}

/* The heads named in the legends: the NAMED highest induction scores, in palette colours */
#define NAMED 3
static char named_label[NAMED][64];

/* One series per head over x (m points from offset `from` of each row of data), coloured by
 * induction score; the NAMED strongest in palette colours with a legend entry (layer, head,
 * score), so that a line can be told apart. s must hold nh series. */
static void head_series(const cl_fig_ms *m, const double *data, const double *x, int from, int count, cl_series *s,
                        int *order) {
    for (int i = 0; i < m->nh; i++) order[i] = i;
    order_key = m->induction;
    qsort(order, (size_t)m->nh, sizeof(int), by_score);
    for (int k = 0; k < m->nh; k++) {
        int i = order[k];
        memset(&s[k], 0, sizeof s[k]);
        s[k].x = x;
        s[k].y = data + (size_t)i * m->n + from;
        s[k].n = count;
        s[k].style = CL_LINE;
        s[k].width = 0.9;
        s[k].alpha = 0.85;
        cl_viridis(m->induction[i] / CL_FIG_INDUCTION_CLIP, s[k].rgb);
        const int rank = m->nh - 1 - k; /* 0: the highest score */
        if (m->heads > 0 && rank < NAMED) {
            snprintf(named_label[rank], sizeof named_label[rank], "layer %d head %d (%.2f)", i / m->heads,
                     i % m->heads, m->induction[i]);
            s[k].label = named_label[rank];
            cl_palette(rank + 1, s[k].rgb); /* palette 0 is taken by the input's dark line */
            s[k].width = 1.6;
            s[k].alpha = 1;
        }
    }
}

#define AUTO_AXES(t, xl, yl) {.title = t, .xlabel = xl, .ylabel = yl, .xmin = NAN, .xmax = NAN, .ymin = NAN, .ymax = NAN}

static int save(cl_fig *f, const char *base, const char *suffix, cl_error *err) {
    char path[4096];
    snprintf(path, sizeof path, "%s%s", base, suffix);
    int rc = cl_fig_save(f, path, err);
    cl_fig_free(f);
    return rc;
}

int cl_fig_multisine(const cl_fig_ms *m, const char *base, cl_error *err) {
    const int n = m->n, half = (n + 1) / 2; /* non-negative fftfreq bins */
    /* the series may be longer than the signals (Chronos-Bolt: a sample per patch) over the
     * same duration: its own time axis, and its spectrum on the signals' bins (same spacing) */
    const int ns = m->ns > 0 ? m->ns : n, shalf = (ns + 1) / 2 < half ? (ns + 1) / 2 : half;
    double *ts = malloc(sizeof(double) * ns);
    if (!ts) return cl_error_set(err, CL_ENOMEM, "figures: out of memory");
    for (int j = 0; j < ns; j++) ts[j] = j * m->duration / ns;
    double *t = malloc(sizeof(double) * n), *hz = malloc(sizeof(double) * n), *qs = malloc(sizeof(double) * n);
    cl_series *s = malloc(sizeof(cl_series) * (size_t)(m->nh + 2));
    int *order = malloc(sizeof(int) * (size_t)m->nh);
    if (!t || !hz || !qs || !s || !order) {
        free(ts); free(t); free(hz); free(qs); free(s); free(order);
        return cl_error_set(err, CL_ENOMEM, "figures: out of memory");
    }
    for (int j = 0; j < n; j++) {
        t[j] = j * m->duration / n;
        hz[j] = j / m->duration;   /* fftfreq(n, duration / n), non-negative half */
        qs[j] = j * m->duration / n; /* fftfreq(n, 1 / duration), non-negative half */
    }
    char title[256], cbl[64], gapl[32];
    snprintf(cbl, sizeof cbl, "induction score (clipped at %.1f)", CL_FIG_INDUCTION_CLIP);
    const double W = 1040, PW = 700; /* right of the colour bar: the legend naming the strongest heads */
    int rc = 0;

    /* 1. the series, and every head's attention over it */
    cl_fig *f = cl_fig_new(W, 600);
    snprintf(title, sizeof title, "%s: multisine input and decoder-start cross-attention", m->name);
    cl_fig_title(f, title);
    cl_series ser = {.x = ts, .y = m->series, .n = ns, .style = CL_LINE, .rgb = {0.2, 0.2, 0.2}, .width = 1.2};
    cl_axes a1 = AUTO_AXES("input series", "time (s)", "value");
    cl_fig_plot(f, (cl_rect){70, 50, PW, 190}, &a1, &ser, 1);
    head_series(m, m->attn, t, 0, n, s, order);
    cl_axes a2 = AUTO_AXES("every decoder head's attention over the context (EOS, [REG] excluded); colour: induction "
                           "score (bar); legend: the 3 strongest", "time (s)", "attention");
    a2.legend = 3;
    a2.legend_dx = 60;
    cl_fig_plot(f, (cl_rect){70, 300, PW, 240}, &a2, s, m->nh);
    cl_fig_colorbar(f, (cl_rect){790, 300, 14, 240}, 0, CL_FIG_INDUCTION_CLIP, cbl);
    rc = save(f, base, "-attention", err);

    /* 2. spectra (non-negative frequencies; each head's DC bin, the sum of its attention, omitted) */
    if (!rc) {
        f = cl_fig_new(W, 600);
        snprintf(title, sizeof title, "%s: spectra (|FFT|)", m->name);
        cl_fig_title(f, title);
        cl_series sm = {.x = hz, .y = m->series_mag, .n = shalf, .style = CL_LINE, .rgb = {0.2, 0.2, 0.2}, .width = 1.2};
        cl_axes b1 = AUTO_AXES("input series", "frequency (Hz)", "|FFT|");
        cl_fig_plot(f, (cl_rect){70, 50, PW, 190}, &b1, &sm, 1);
        head_series(m, m->mag, hz + 1, 1, half - 1, s, order);
        cl_axes b2 = AUTO_AXES("every head's spectrum (DC bin omitted); colour: induction score (bar); legend: the 3 "
                               "strongest", "frequency (Hz)", "|FFT|");
        b2.legend = 3;
        b2.legend_dx = 60;
        cl_fig_plot(f, (cl_rect){70, 300, PW, 240}, &b2, s, m->nh);
        cl_fig_colorbar(f, (cl_rect){790, 300, 14, 240}, 0, CL_FIG_INDUCTION_CLIP, cbl);
        rc = save(f, base, "-spectra", err);
    }

    /* 3. double FFT of the DC-free spectra, with the quefrency of the smallest gap marked */
    if (!rc) {
        f = cl_fig_new(W, 420);
        snprintf(title, sizeof title, "%s: double FFT |FFT(|FFT| without DC)|", m->name);
        cl_fig_title(f, title);
        head_series(m, m->dnodc, qs + 1, 1, half - 1, s, order);
        int ns = m->nh;
        double mx = 0, lx[2], ly[2];
        for (int i = 0; i < m->nh; i++)
            for (int j = 1; j < half; j++) mx = fmax(mx, m->dnodc[(size_t)i * n + j]);
        if (isfinite(m->gap_hz) && m->gap_hz > 0) {
            lx[0] = lx[1] = 1.0 / m->gap_hz;
            ly[0] = 0;
            ly[1] = mx;
            memset(&s[ns], 0, sizeof s[ns]);
            s[ns].x = lx; s[ns].y = ly; s[ns].n = 2; s[ns].style = CL_LINE;
            s[ns].rgb[0] = 0.85; s[ns].rgb[1] = 0.1; s[ns].rgb[2] = 0.1;
            s[ns].width = 1.0;
            snprintf(gapl, sizeof gapl, "1 / (%.3g Hz)", m->gap_hz);
            s[ns].label = gapl;
            ns++;
        }
        snprintf(title, sizeof title, "every head (colour: induction score, bar; legend: the 3 strongest); red: the "
                 "quefrency of the smallest input gap");
        cl_axes c1 = AUTO_AXES(title, "quefrency (s)", "|FFT(|FFT|)|");
        c1.legend = 3;
        c1.legend_dx = 60;
        cl_fig_plot(f, (cl_rect){70, 50, PW, 300}, &c1, s, ns);
        cl_fig_colorbar(f, (cl_rect){790, 50, 14, 300}, 0, CL_FIG_INDUCTION_CLIP, cbl);
        rc = save(f, base, "-double-fft", err);
    }
    free(ts); free(t); free(hz); free(qs); free(s); free(order);
    return rc;
}

int cl_fig_sweep(const double *gap, const double *detected, const unsigned char *non_divisor, int n,
                 double duration, const char *title, const char *base, cl_error *err) {
    double *x[2], *y[2], *errv = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
    int cnt[2] = {0, 0}, ne = 0;
    x[0] = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1)); y[0] = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
    x[1] = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1)); y[1] = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
    const double bw = 1.0 / duration, lim = 20.0;
    const int nb = (int)ceil(2 * lim / bw) + 1;
    double *hx = malloc(sizeof(double) * nb), *hy = calloc((size_t)nb, sizeof(double));
    int rc = 0;
    if (!x[0] || !x[1] || !y[0] || !y[1] || !errv || !hx || !hy) {
        rc = cl_error_set(err, CL_ENOMEM, "figures: out of memory");
        goto done;
    }
    double gmax = 1;
    for (int i = 0; i < n; i++) {
        if (!isfinite(detected[i]) || !isfinite(gap[i])) continue;
        int k = non_divisor[i] ? 1 : 0;
        x[k][cnt[k]] = gap[i];
        y[k][cnt[k]++] = detected[i];
        gmax = fmax(gmax, fmax(gap[i], detected[i]));
        double e = detected[i] - gap[i];
        errv[ne++] = e;
        int b = (int)lround((fmax(-lim, fmin(lim, e)) + lim) / bw);
        if (b >= 0 && b < nb) hy[b] += 1;
    }
    for (int b = 0; b < nb; b++) hx[b] = -lim + b * bw;
    cl_fig *f = cl_fig_new(900, 430);
    cl_fig_title(f, title);
    double lx[2] = {0, gmax}, ly[2] = {0, gmax};
    cl_series s[3] = {
        {.x = lx, .y = ly, .n = 2, .style = CL_LINE, .rgb = {0.6, 0.6, 0.6}, .width = 1, .label = "detected = smallest gap"},
        {.x = x[0], .y = y[0], .n = cnt[0], .style = CL_DOTS, .rgb = {0.0, 0.447, 0.698}, .width = 2.2, .alpha = 0.5,
         .label = "smallest gap divides the others"},
        {.x = x[1], .y = y[1], .n = cnt[1], .style = CL_DOTS, .rgb = {0.835, 0.369, 0.0}, .width = 2.2, .alpha = 0.5,
         .label = "smallest gap is not a divisor"},
    };
    cl_axes a = {.title = "one dot per (configuration, head) with a detected period", .xlabel = "smallest input gap (Hz)",
                 .ylabel = "detected spacing (Hz)", .xmin = 0, .xmax = gmax * 1.03, .ymin = 0, .ymax = gmax * 1.03,
                 .legend = 2};
    cl_fig_plot(f, (cl_rect){70, 50, 360, 320}, &a, s, 3);
    cl_series h = {.x = hx, .y = hy, .n = nb, .style = CL_STEMS, .rgb = {0.3, 0.3, 0.3}, .width = 2};
    char ht[128];
    snprintf(ht, sizeof ht, "error distribution (%d pairs; clipped at +/-%g Hz)", ne, lim);
    cl_axes b = {.title = ht, .xlabel = "detected - smallest gap (Hz)", .ylabel = "pairs", .xmin = -lim - 0.5,
                 .xmax = lim + 0.5, .ymin = 0, .ymax = NAN, .yint = 1};
    cl_fig_plot(f, (cl_rect){520, 50, 350, 320}, &b, &h, 1);
    rc = cl_fig_save(f, base, err);
    cl_fig_free(f);
done:
    free(x[0]); free(x[1]); free(y[0]); free(y[1]); free(errv); free(hx); free(hy);
    return rc;
}

int cl_fig_multisine_result(const cl_multisine_result *r, const char *dir, cl_error *err) {
    const cl_multisine *ms = &r->opts.input;
    char path[4096];
    int rc = 0;
    for (int k = 0; k < r->n && !rc; k++) {
        const cl_multisine_model *x = &r->res[k];
        cl_fig_ms fm = {.name = r->models[k].name, .n = r->sig_points, .ns = ms->points, .nh = x->layers * x->heads, .heads = x->heads,
                        .duration = ms->duration, .gap_hz = cl_multisine_smallest_gap(ms), .series = r->series,
                        .series_mag = r->series_mag, .attn = x->arr.attn, .mag = x->arr.mag,
                        .dnodc = x->arr.dnodc, .induction = x->ind};
        rc = cl_fig_multisine(&fm, cl_path_join(path, sizeof path, dir, r->models[k].name), err);
    }
    return rc;
}

int cl_fig_mssweep_result(const cl_mssweep_result *sw, const char *dir, cl_error *err) {
    const size_t np = (size_t)sw->C * sw->G;
    double *g = malloc(sizeof(double) * np), *d = malloc(sizeof(double) * np);
    unsigned char *nd = malloc(np);
    int rc = (!g || !d || !nd) ? cl_error_set(err, CL_ENOMEM, "multisine-sweep: out of memory") : 0;
    for (size_t i = 0; i < np && !rc; i++) {
        g[i] = sw->gap[i / sw->G];
        d[i] = sw->h[i].sp.spacing_hz;
        nd[i] = sw->nd[i / sw->G];
    }
    char title[512], name[256], path[4096];
    if (sw->name[0]) snprintf(name, sizeof name, "%s", sw->name);
    else cl_study_model_name(sw->model, name, sizeof name);
    snprintf(title, sizeof title, "%s: detected spacing vs smallest gap (%d configurations x %d heads)", name, sw->C, sw->G);
    if (!rc) rc = cl_fig_sweep(g, d, nd, (int)np, sw->opts.base.duration, title, cl_path_join(path, sizeof path, dir, "sweep"), err);
    free(g); free(d); free(nd);
    return rc;
}
