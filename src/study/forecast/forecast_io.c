/* forecast_io.c — the files of the forecast study: the long CSV (written and read back; its
 * columns are defined here once), the sample paths (.npy) and the plot. */
#include "chronolens_study.h"
#include "io/outlock.h"
#include "study/forecast/parrot.h"
#include "core/core.h"
#include "io/csv.h"
#include "io/npy.h"
#include "report/plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PLOT_MAX_SERIES 12

/* the parrot column beside the model's (only with compare) */
static int has_parrot_column(const cl_forecast_result *r) { return r->parrot && r->method != CL_FORECAST_PARROT; }

static void write_csv(FILE *f, const cl_forecast_result *r) {
    const int H = r->H;
    fprintf(f, "series,step,mean");
    for (int i = 0; i < r->nlev; i++) fprintf(f, ",q%g", r->levels[i]);
    if (has_parrot_column(r)) fprintf(f, ",parrot");
    fputc('\n', f);
    for (int b = 0; b < r->B; b++)
        for (int k = 0; k < H; k++) {
            if (r->names) csv_write_field(f, r->names[b]); /* RFC 4180: "sales, EU" stays one field */
            else fprintf(f, "%d", b);
            fprintf(f, ",%d,%.9g", k + 1, r->mean[(size_t)b * H + k]);
            for (int i = 0; i < r->nlev; i++) fprintf(f, ",%.9g", r->quant[((size_t)b * H + k) * r->nlev + i]);
            if (has_parrot_column(r)) fprintf(f, ",%.9g", r->parrot[(size_t)b * H + k]);
            fputc('\n', f);
        }
}

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
    write_csv(o.fp, r);
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

/* ------------------------------------------------------------------ reading the long CSV */

/* The next field of a CSV line from *p (a field may be "quoted", "" inside is one "),
 * NUL-terminated in place; *p moves past its comma. NULL at the end of the line. */
static char *next_field(char **p, int *more) {
    char *s = *p, *out = s, *start = s;
    if (!*more) return NULL;
    if (*s == '"') {
        for (s++;; s++) {
            if (!*s) break;
            if (*s == '"') {
                if (s[1] == '"') { *out++ = '"'; s++; continue; }
                s++;
                break;
            }
            *out++ = *s;
        }
    } else
        while (*s && *s != ',') *out++ = *s++;
    *more = *s == ',';
    if (*s) s++;
    *out = 0;
    *p = s;
    return start;
}

static int parse_float(const char *s, float *v) {
    char *e;
    double d = strtod(s, &e);
    if (e == s || *e) return -1;
    *v = (float)d;
    return 0;
}

int cl_forecast_read(const char *csv, cl_forecast_result *r, cl_error *err) {
    memset(r, 0, sizeof *r);
    char *text = NULL;
    size_t len;
    int rc = cl_read_file(csv, (size_t)1 << 30, &text, &len, err);
    if (rc) return rc;
    /* lines: header, then B*H rows, series-major with steps 1..H */
    int nlines = 0;
    for (size_t i = 0; i < len; i++) nlines += text[i] == '\n';
    char **line = malloc(sizeof *line * (size_t)(nlines + 1));
    if (!line) { free(text); return cl_error_set(err, CL_ENOMEM, "%s: out of memory", csv); }
    int n = 0;
    for (char *p = text, *e; p < text + len; p = e + 1) {
        e = memchr(p, '\n', (size_t)(text + len - p));
        if (!e) e = text + len;
        *e = 0;
        if (e > p && e[-1] == '\r') e[-1] = 0;
        if (*p) line[n++] = p;
    }
    int more = 1, col = 0, with_parrot = 0;
    char *p = n ? line[0] : NULL, *fld;
    if (!p) { rc = cl_error_set(err, CL_EFORMAT, "%s: empty file", csv); goto fail; }
    while ((fld = next_field(&p, &more))) {
        if (col == 0 && strcmp(fld, "series")) break;
        if (col == 1 && strcmp(fld, "step")) break;
        if (col == 2 && strcmp(fld, "mean")) break;
        if (col >= 3) {
            if (!strcmp(fld, "parrot") && !more) { with_parrot = 1; col++; fld = NULL; break; }
            char *e;
            if (fld[0] != 'q' || r->nlev == CL_FORECAST_MAX_LEVELS) break;
            r->levels[r->nlev] = strtod(fld + 1, &e);
            if (e == fld + 1 || *e || !(r->levels[r->nlev] > 0 && r->levels[r->nlev] < 1)) break;
            r->nlev++;
        }
        col++;
    }
    if (fld || col < 4 || r->nlev == 0) {
        rc = cl_error_set(err, CL_EFORMAT, "%s: not a forecast CSV (header series,step,mean,q<level>..[,parrot])", csv);
        goto fail;
    }
    const int ncol = 3 + r->nlev + with_parrot, rows = n - 1;
    /* H: the steps of the first series */
    int H = 0;
    for (int i = 1; i < n; i++) { /* on a copy: next_field cuts the line in place */
        char *copy = strdup(line[i]), *q = copy, *s;
        int m = 1;
        if (!copy) { rc = cl_error_set(err, CL_ENOMEM, "%s: out of memory", csv); goto fail; }
        next_field(&q, &m);
        s = next_field(&q, &m);
        const int next = s && atoi(s) == H + 1;
        free(copy);
        if (!next) break;
        H++;
    }
    if (H == 0 || rows % H) {
        rc = cl_error_set(err, CL_EFORMAT, "%s: %d rows are not whole series of the %d steps of the first", csv, rows, H);
        goto fail;
    }
    const int B = rows / H;
    r->B = B;
    r->H = H;
    r->S = 0;
    r->mean = malloc(sizeof(float) * (size_t)B * H);
    r->quant = malloc(sizeof(float) * (size_t)B * H * r->nlev);
    r->names = calloc((size_t)B, sizeof *r->names);
    if (with_parrot) r->parrot = malloc(sizeof(float) * (size_t)B * H);
    if (!r->mean || !r->quant || !r->names || (with_parrot && !r->parrot)) {
        rc = cl_error_set(err, CL_ENOMEM, "%s: out of memory", csv);
        goto fail;
    }
    for (int i = 0; i < rows; i++) {
        const int b = i / H, k = i % H;
        char *q = line[i + 1], *c[CL_FORECAST_MAX_LEVELS + 4];
        int m = 1, nc = 0;
        while (nc < ncol + 1 && (c[nc] = next_field(&q, &m))) nc++;
        if (nc != ncol) { rc = cl_error_set(err, CL_EFORMAT, "%s: row %d has %d fields, expected %d", csv, i + 2, nc, ncol); goto fail; }
        if (k == 0 && !(r->names[b] = strdup(c[0]))) { rc = cl_error_set(err, CL_ENOMEM, "%s: out of memory", csv); goto fail; }
        float step;
        int bad = strcmp(c[0], r->names[b]) || parse_float(c[1], &step) || step != k + 1 ||
                  parse_float(c[2], &r->mean[(size_t)b * H + k]);
        for (int j = 0; !bad && j < r->nlev; j++) bad = parse_float(c[3 + j], &r->quant[((size_t)b * H + k) * r->nlev + j]);
        if (!bad && with_parrot) bad = parse_float(c[ncol - 1], &r->parrot[(size_t)b * H + k]);
        if (bad) { rc = cl_error_set(err, CL_EFORMAT, "%s: row %d: not series %s, step %d and numbers", csv, i + 2, r->names[b], k + 1); goto fail; }
    }
    free(line);
    free(text);
    return 0;
fail:
    free(line);
    free(text);
    cl_forecast_free(r);
    return rc;
}
