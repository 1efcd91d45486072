/* fig_forecast.c — the forecast study's outputs as one step (cl_forecast_write): the long CSV
 * (study/forecast/forecast_io.c), the sample paths (.npy) and the plot, all or none. */
#include "chronolens_study.h"
#include "study/forecast/forecast.h"
#include "report/plot.h"
#include "io/outlock.h"
#include "io/npy.h"
#include "core/core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PLOT_MAX_SERIES 12

/* One panel per series (the first PLOT_MAX_SERIES): context tail, median, 10-90% band,
 * and the parrot forecast when there is one. */
static int write_plot(const char *path, const cl_forecast_result *r, cl_error *err) {
    const int B = r->B, L = r->L, H = r->H, have_model = r->method != CL_FORECAST_PARROT;
    const float *parrot = have_model ? r->parrot : r->paths;
    if (!r->context || !r->band) return cl_error_set(err, CL_EINVAL, "%s: a forecast read back has no context to plot", path);
    char base[4096];
    snprintf(base, sizeof base, "%s", path);
    size_t n = strlen(base);
    if (n > 4 && (!strcmp(base + n - 4, ".png") || !strcmp(base + n - 4, ".svg"))) base[n - 4] = 0;
    int P = B < PLOT_MAX_SERIES ? B : PLOT_MAX_SERIES;
    const double pw = 760, ph = 210, top = 34; /* 120 px right of each panel for its legend */
    cl_fig *fig = cl_fig_new(pw, top + P * ph);
    cl_fig_title(fig, have_model ? "forecast: context, median and 10-90% band" : "forecast: context parroting");
    int tail = L < 4 * H ? L : 4 * H;
    if (tail < 1) tail = 1;
    double *x = malloc(sizeof(double) * (tail + H) * 6);
    if (!x) { cl_fig_free(fig); return cl_error_set(err, CL_ENOMEM, "%s: out of memory", path); }
    double *y = x + tail + H, *lo = y + tail + H, *hi = lo + tail + H, *md = hi + tail + H, *pr = md + tail + H;
    for (int p = 0; p < P; p++) {
        for (int t = 0; t < tail; t++) { x[t] = t - tail + 1; y[t] = r->context[(size_t)p * L + L - tail + t]; }
        double *fx = x + tail;
        for (int k = 0; k < H; k++) {
            fx[k] = k + 1;
            if (have_model) {
                lo[k] = r->band[((size_t)p * H + k) * 3 + 0];
                md[k] = r->band[((size_t)p * H + k) * 3 + 1];
                hi[k] = r->band[((size_t)p * H + k) * 3 + 2];
            }
            if (parrot) pr[k] = parrot[(size_t)p * H + k];
        }
        cl_series s[4];
        int ns = 0;
        s[ns++] = (cl_series){.x = x, .y = y, .n = tail, .label = "context", .style = CL_LINE, .rgb = {0.2, 0.2, 0.2}};
        if (have_model) {
            s[ns++] = (cl_series){.x = fx, .y = hi, .y2 = lo, .n = H, .label = "10-90%", .style = CL_BAND,
                                  .rgb = {0.27, 0.51, 0.71}, .alpha = 0.3};
            s[ns++] = (cl_series){.x = fx, .y = md, .n = H, .label = "median", .style = CL_LINE, .rgb = {0.12, 0.35, 0.62}};
        }
        if (parrot)
            s[ns++] = (cl_series){.x = fx, .y = pr, .n = H, .label = "parrot", .style = CL_LINE, .rgb = {0.85, 0.37, 0.01}};
        char title[256];
        if (r->names) snprintf(title, sizeof title, "%s", r->names[p]);
        else snprintf(title, sizeof title, "series %d", p);
        cl_axes ax = {.title = title, .xlabel = "step (0 = last observed)", .ylabel = "value", .xmin = NAN,
                      .xmax = NAN, .ymin = NAN, .ymax = NAN, .legend = 3}; /* outside: never over the data */
        cl_fig_plot(fig, (cl_rect){60, top + p * ph + 18, pw - 200, ph - 60}, &ax, s, ns);
    }
    int rc = cl_fig_save(fig, base, err);
    cl_fig_free(fig);
    free(x);
    return rc;
}

int cl_forecast_write(const cl_forecast_result *r, const cl_forecast_files *f, cl_error *err) {
    cl_out o;
    int rc = cl_out_open(&o, f->csv, err), npy_done = 0;
    if (rc) return rc;
    cl_forecast_csv(o.fp, r);
    if (f->samples) {
        int64_t sh[3] = {r->B, r->S, r->H};
        if (!r->paths) rc = cl_error_set(err, CL_EINVAL, "%s: a forecast read back has no sample paths", f->samples);
        else if (!(rc = npy_write_f32(f->samples, r->paths, 3, sh, err))) npy_done = 1;
    }
    if (!rc && f->plot) rc = write_plot(f->plot, r, err);
    if (rc) { /* the CSV is committed last, so a failure leaves none of the files behind */
        cl_out_abort(&o);
        if (npy_done) unlink(f->samples);
        return rc;
    }
    rc = cl_out_commit(&o, err);
    if (rc && npy_done) unlink(f->samples);
    return rc;
}

