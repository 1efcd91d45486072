/* plot.c — a small figure layer over cairo: panels drawn once onto a recording surface,
 * then replayed onto a PNG image surface (2x) and an SVG surface. */
#include "report/plot.h"
#include "report/png.h"
#include "io/outlock.h"
#include "core/core.h"

#include <cairo-svg.h>
#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cl_fig {
    cairo_surface_t *rec;
    cairo_t *cr;
    double w, h;
};

#define FONT "DejaVu Sans"
#define FS_TITLE 13.0
#define FS_LABEL 11.0
#define FS_TICK 9.0

/* viridis, 16 anchor colours interpolated linearly (matplotlib's _viridis_data subsampled) */
static const double VIRIDIS[17][3] = {
    {0.267004, 0.004874, 0.329415}, {0.282623, 0.140926, 0.457517}, {0.253935, 0.265254, 0.529983},
    {0.206756, 0.371758, 0.553117}, {0.163625, 0.471133, 0.558148}, {0.127568, 0.566949, 0.550556},
    {0.134692, 0.658636, 0.517649}, {0.266941, 0.748751, 0.440573}, {0.477504, 0.821444, 0.318195},
    {0.741388, 0.873449, 0.149561}, {0.993248, 0.906157, 0.143936}, {0, 0, 0}, {0, 0, 0},
    {0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
#define NVIR 11

void cl_viridis(double t, double rgb[3]) {
    if (!(t >= 0)) t = 0;
    if (t > 1) t = 1;
    double x = t * (NVIR - 1);
    int i = (int)x;
    if (i >= NVIR - 1) i = NVIR - 2;
    double f = x - i;
    for (int k = 0; k < 3; k++) rgb[k] = VIRIDIS[i][k] * (1 - f) + VIRIDIS[i + 1][k] * f;
}

/* Okabe–Ito colour-blind-safe palette */
void cl_palette(int i, double rgb[3]) {
    static const double P[8][3] = {{0.0, 0.447, 0.698}, {0.902, 0.624, 0.0}, {0.0, 0.620, 0.451},
                                   {0.835, 0.369, 0.0}, {0.8, 0.475, 0.655}, {0.337, 0.706, 0.914},
                                   {0.941, 0.894, 0.259}, {0.3, 0.3, 0.3}};
    memcpy(rgb, P[((i % 8) + 8) % 8], sizeof(double) * 3);
}

cl_fig *cl_fig_new(double width, double height) {
    cl_fig *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    cairo_rectangle_t ext = {0, 0, width, height};
    f->rec = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &ext);
    f->cr = cairo_create(f->rec);
    f->w = width;
    f->h = height;
    cairo_set_source_rgb(f->cr, 1, 1, 1);
    cairo_paint(f->cr);
    cairo_select_font_face(f->cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    return f;
}

void cl_fig_free(cl_fig *f) {
    if (!f) return;
    cairo_destroy(f->cr);
    cairo_surface_destroy(f->rec);
    free(f);
}

static cairo_status_t write_stream(void *closure, const unsigned char *data, unsigned int len) {
    return fwrite(data, 1, len, (FILE *)closure) == len ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

int cl_fig_save(cl_fig *f, const char *base, cl_error *err) {
    char path[4096];
    cl_out o;
    int rc;
    cairo_surface_flush(f->rec);
    /* PNG at 2x */
    snprintf(path, sizeof path, "%s.png", base);
    if ((rc = cl_out_open(&o, path, err))) return rc;
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int)ceil(2 * f->w), (int)ceil(2 * f->h));
    cairo_t *cr = cairo_create(img);
    cairo_scale(cr, 2, 2);
    cairo_set_source_surface(cr, f->rec, 0, 0);
    cairo_paint(cr);
    cairo_destroy(cr);
    /* our writer at zlib's fastest level (png.c): cairo's has no level and cost 6-11 % of a run */
    cairo_status_t st = cairo_surface_status(img);
    int bad = st != CAIRO_STATUS_SUCCESS || cl_png_write(img, o.fp) != 0;
    cairo_surface_destroy(img);
    if (bad) {
        cl_out_abort(&o);
        return cl_error_set(err, CL_EIO, "%s: cannot write PNG: %s", path,
                            st != CAIRO_STATUS_SUCCESS ? cairo_status_to_string(st) : "write error");
    }
    if ((rc = cl_out_commit(&o, err))) return rc;
    /* SVG */
    snprintf(path, sizeof path, "%s.svg", base);
    if ((rc = cl_out_open(&o, path, err))) return rc;
    cairo_surface_t *svg = cairo_svg_surface_create_for_stream(write_stream, o.fp, f->w, f->h);
    cr = cairo_create(svg);
    cairo_set_source_surface(cr, f->rec, 0, 0);
    cairo_paint(cr);
    cairo_destroy(cr);
    cairo_surface_finish(svg);
    st = cairo_surface_status(svg);
    cairo_surface_destroy(svg);
    if (st != CAIRO_STATUS_SUCCESS) {
        cl_out_abort(&o);
        return cl_error_set(err, CL_EIO, "%s: cannot write SVG: %s", path, cairo_status_to_string(st));
    }
    return cl_out_commit(&o, err);
}

/* ------------------------------------------------------------------ text */

/* Draws text with its anchor: ax 0 left / 0.5 centre / 1 right; ay 0 top / 0.5 middle /
 * 1 baseline-bottom. rot in radians (pi/2 for vertical axis labels, reading upwards). */
static void text_at(cairo_t *cr, double x, double y, double size, double ax, double ay, double rot,
                    const char *s) {
    if (!s || !*s) return;
    cairo_save(cr);
    cairo_set_font_size(cr, size);
    cairo_text_extents_t te;
    cairo_text_extents(cr, s, &te);
    cairo_translate(cr, x, y);
    cairo_rotate(cr, -rot);
    /* baseline offset: cap height ~0.72 em below a top anchor, half of it for middle */
    cairo_move_to(cr, -te.x_advance * ax, size * 0.72 * (1 - ay));
    cairo_show_text(cr, s);
    cairo_restore(cr);
}

void cl_fig_title(cl_fig *f, const char *text) {
    cairo_set_source_rgb(f->cr, 0, 0, 0);
    cairo_select_font_face(f->cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    text_at(f->cr, f->w / 2, 8, FS_TITLE + 1, 0.5, 0, 0, text);
    cairo_select_font_face(f->cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
}

void cl_fig_text(cl_fig *f, double x, double y, double size, const char *text) {
    cairo_set_source_rgb(f->cr, 0, 0, 0);
    text_at(f->cr, x, y, size, 0, 1, 0, text);
}

static void panel_title(cairo_t *cr, cl_rect r, const char *title) {
    if (!title) return;
    cairo_set_source_rgb(cr, 0, 0, 0);
    text_at(cr, r.x + r.w / 2, r.y - 6, FS_TITLE, 0.5, 1, 0, title);
}

/* "nice" tick step for a range, about n ticks */
static double nice_step(double range, int n) {
    if (!(range > 0)) return 1;
    double raw = range / n, mag = pow(10, floor(log10(raw))), f = raw / mag;
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

static void fmt_num(char *buf, size_t n, double v, double step) {
    if (fabs(v) < step * 1e-6) v = 0;
    int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    if (dec > 6) dec = 6;
    if (fabs(v) >= 1e5 || (fabs(v) < 1e-3 && v != 0)) snprintf(buf, n, "%.2g", v);
    else snprintf(buf, n, "%.*f", dec, v);
}

/* ------------------------------------------------------------------ heatmap */

void cl_fig_heatmap(cl_fig *f, cl_rect r, const float *data, int rows, int cols, double vmin, double vmax,
                    const unsigned char *mark, const char *title, const char *xlabel, const char *ylabel,
                    const char *const *xticks, const char *const *yticks, int values) {
    cairo_t *cr = f->cr;
    double cw = r.w / cols, ch = r.h / rows, span = vmax > vmin ? vmax - vmin : 1;
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) {
            double v = data[(size_t)i * cols + j], rgb[3] = {0.75, 0.75, 0.75};
            if (!isnan(v)) cl_viridis((v - vmin) / span, rgb);
            cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
            cairo_rectangle(cr, r.x + j * cw, r.y + i * ch, cw + 0.3, ch + 0.3);
            cairo_fill(cr);
            if (values && cw >= 24 && ch >= 12 && !isnan(v)) {
                char b[32];
                snprintf(b, sizeof b, "%.2f", v);
                double lum = 0.3 * rgb[0] + 0.6 * rgb[1] + 0.1 * rgb[2];
                cairo_set_source_rgb(cr, lum > 0.5 ? 0 : 1, lum > 0.5 ? 0 : 1, lum > 0.5 ? 0 : 1);
                text_at(cr, r.x + (j + 0.5) * cw, r.y + (i + 0.5) * ch, FS_TICK * (cw < 32 ? 0.8 : 1), 0.5, 0.5, 0, b);
            }
        }
    if (mark)
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                if (mark[(size_t)i * cols + j]) {
                    cairo_set_source_rgb(cr, 0.9, 0.1, 0.1);
                    cairo_set_line_width(cr, fmin(2.0, fmin(cw, ch) / 6));
                    cairo_rectangle(cr, r.x + j * cw + 1, r.y + i * ch + 1, cw - 2, ch - 2);
                    cairo_stroke(cr);
                }
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 0.8);
    cairo_rectangle(cr, r.x, r.y, r.w, r.h);
    cairo_stroke(cr);
    /* ticks: at most ~20 labels per axis */
    char b[32];
    int sx = cols > 20 ? (cols + 19) / 20 : 1, sy = rows > 20 ? (rows + 19) / 20 : 1;
    for (int j = 0; j < cols; j += sx) {
        snprintf(b, sizeof b, "%d", j);
        text_at(cr, r.x + (j + 0.5) * cw, r.y + r.h + 4, FS_TICK, 0.5, 0, 0, xticks ? xticks[j] : b);
    }
    for (int i = 0; i < rows; i += sy) {
        snprintf(b, sizeof b, "%d", i);
        text_at(cr, r.x - 4, r.y + (i + 0.5) * ch, FS_TICK, 1, 0.5, 0, yticks ? yticks[i] : b);
    }
    text_at(cr, r.x + r.w / 2, r.y + r.h + 18, FS_LABEL, 0.5, 0, 0, xlabel);
    text_at(cr, r.x - 26, r.y + r.h / 2, FS_LABEL, 0.5, 1, M_PI / 2, ylabel);
    panel_title(cr, r, title);
}

void cl_fig_colorbar(cl_fig *f, cl_rect r, double vmin, double vmax, const char *label) {
    cairo_t *cr = f->cr;
    cairo_pattern_t *p = cairo_pattern_create_linear(0, r.y + r.h, 0, r.y);
    for (int i = 0; i <= 20; i++) {
        double rgb[3];
        cl_viridis(i / 20.0, rgb);
        cairo_pattern_add_color_stop_rgb(p, i / 20.0, rgb[0], rgb[1], rgb[2]);
    }
    cairo_rectangle(cr, r.x, r.y, r.w, r.h);
    cairo_set_source(cr, p);
    cairo_fill(cr);
    cairo_pattern_destroy(p);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 0.8);
    cairo_rectangle(cr, r.x, r.y, r.w, r.h);
    cairo_stroke(cr);
    double span = vmax > vmin ? vmax - vmin : 1, step = nice_step(span, 5);
    char b[32];
    for (double v = ceil(vmin / step) * step; v <= vmax + step * 1e-9; v += step) {
        double y = r.y + r.h - (v - vmin) / span * r.h;
        cairo_move_to(cr, r.x + r.w, y);
        cairo_line_to(cr, r.x + r.w + 3, y);
        cairo_stroke(cr);
        fmt_num(b, sizeof b, v, step);
        text_at(cr, r.x + r.w + 5, y, FS_TICK, 0, 0.5, 0, b);
    }
    text_at(cr, r.x + r.w + 40, r.y + r.h / 2, FS_LABEL, 0.5, 1, M_PI / 2, label);
}

/* ------------------------------------------------------------------ line plots */

static void series_rgb(const cl_series *s, int i, double rgb[3]) {
    if (s->rgb[0] < 0 || s->rgb[1] < 0 || s->rgb[2] < 0) cl_palette(i, rgb);
    else memcpy(rgb, s->rgb, sizeof(double) * 3);
}

/* The x axis' coordinate of a data x: itself, or log10(1 + x) on a log axis. */
static double xcoord(const cl_axes *ax, double x) { return ax->xlog ? log10(1.0 + fmax(x, 0.0)) : x; }

void cl_fig_plot(cl_fig *f, cl_rect r, const cl_axes *ax, const cl_series *s, int n) {
    cairo_t *cr = f->cr;
    double x0 = isnan(ax->xmin) ? NAN : xcoord(ax, ax->xmin), x1 = isnan(ax->xmax) ? NAN : xcoord(ax, ax->xmax);
    double y0 = ax->ymin, y1 = ax->ymax;
    double dx0 = INFINITY, dx1 = -INFINITY, dy0 = INFINITY, dy1 = -INFINITY;
    for (int k = 0; k < n; k++)
        for (int i = 0; i < s[k].n; i++) {
            double x = xcoord(ax, s[k].x ? s[k].x[i] : i), y = s[k].y[i];
            double lo = y, hi = y;
            if (s[k].style == CL_BAND && s[k].y2) lo = s[k].y2[i];
            if (s[k].style == CL_ERRBAR && s[k].y2) { lo = y - s[k].y2[i]; hi = y + s[k].y2[i]; }
            if (isfinite(x)) { dx0 = fmin(dx0, x); dx1 = fmax(dx1, x); }
            if (isfinite(lo)) dy0 = fmin(dy0, lo);
            if (isfinite(hi)) dy1 = fmax(dy1, hi);
        }
    if (!isfinite(dx0)) { dx0 = 0; dx1 = 1; }
    if (!isfinite(dy0)) { dy0 = 0; dy1 = 1; }
    if (isnan(x0)) x0 = dx0 - 0.02 * (dx1 - dx0);
    if (isnan(x1)) x1 = dx1 + 0.02 * (dx1 - dx0);
    if (isnan(y0)) y0 = dy0 - 0.05 * (dy1 - dy0);
    if (isnan(y1)) y1 = dy1 + 0.05 * (dy1 - dy0);
    if (!(x1 > x0)) { x0 -= 0.5; x1 += 0.5; }
    if (!(y1 > y0)) { /* one value (all-zero counts): widen the free side, keep a fixed one */
        if (!isnan(ax->ymin) && isnan(ax->ymax)) y1 = y0 + 1;
        else if (isnan(ax->ymin) && !isnan(ax->ymax)) y0 = y1 - 1;
        else { y0 -= 0.5; y1 += 0.5; }
    }
#define PX(u_) (r.x + (xcoord(ax, u_) - x0) / (x1 - x0) * r.w)
#define PY(v_) (r.y + r.h - ((v_) - y0) / (y1 - y0) * r.h)
    /* grid and ticks */
    char b[32];
    cairo_set_line_width(cr, 0.5);
    double ys = nice_step(y1 - y0, 5);
    if (ax->yint) ys = fmax(1, round(ys)); /* no 0.5 heads */
    for (double v = ceil(y0 / ys) * ys; v <= y1 + ys * 1e-9; v += ys) {
        cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
        cairo_move_to(cr, r.x, PY(v));
        cairo_line_to(cr, r.x + r.w, PY(v));
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        fmt_num(b, sizeof b, v, ys);
        text_at(cr, r.x - 4, PY(v), FS_TICK, 1, 0.5, 0, b);
    }
    if (ax->xticklabels) {
        for (int i = 0; i < ax->nxt; i++)
            if (i >= x0 - 1e-9 && i <= x1 + 1e-9) text_at(cr, PX(i), r.y + r.h + 4, FS_TICK, 0.5, 0, 0, ax->xticklabels[i]);
    } else if (ax->xlog) {
        /* decades 0, 1, 10, 100, ... (PX takes data units) */
        for (double v = 0; xcoord(ax, v) <= x1 + 1e-9; v = v ? v * 10 : 1) {
            if (xcoord(ax, v) < x0 - 1e-9) continue;
            cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
            cairo_move_to(cr, PX(v), r.y);
            cairo_line_to(cr, PX(v), r.y + r.h);
            cairo_stroke(cr);
            cairo_set_source_rgb(cr, 0, 0, 0);
            snprintf(b, sizeof b, "%.0f", v);
            text_at(cr, PX(v), r.y + r.h + 4, FS_TICK, 0.5, 0, 0, b);
        }
    } else {
        double xs = nice_step(x1 - x0, r.w < 200 ? 4 : 6);
        for (double v = ceil(x0 / xs) * xs; v <= x1 + xs * 1e-9; v += xs) {
            cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
            cairo_move_to(cr, PX(v), r.y);
            cairo_line_to(cr, PX(v), r.y + r.h);
            cairo_stroke(cr);
            cairo_set_source_rgb(cr, 0, 0, 0);
            fmt_num(b, sizeof b, v, xs);
            text_at(cr, PX(v), r.y + r.h + 4, FS_TICK, 0.5, 0, 0, b);
        }
    }
    /* data, clipped to the panel */
    cairo_save(cr);
    cairo_rectangle(cr, r.x, r.y, r.w, r.h);
    cairo_clip(cr);
    for (int k = 0; k < n; k++) {
        const cl_series *se = &s[k];
        double rgb[3], a = se->alpha > 0 ? se->alpha : 1, w = se->width > 0 ? se->width : 1.5;
        series_rgb(se, k, rgb);
        cairo_set_source_rgba(cr, rgb[0], rgb[1], rgb[2], a);
        cairo_set_line_width(cr, w);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        if (se->style == CL_BAND && se->y2) {
            int started = 0;
            for (int i = 0; i < se->n; i++) {
                double x = se->x ? se->x[i] : i;
                if (!isfinite(se->y[i])) continue;
                if (!started) { cairo_move_to(cr, PX(x), PY(se->y[i])); started = 1; }
                else cairo_line_to(cr, PX(x), PY(se->y[i]));
            }
            for (int i = se->n - 1; i >= 0; i--) {
                double x = se->x ? se->x[i] : i;
                if (isfinite(se->y2[i])) cairo_line_to(cr, PX(x), PY(se->y2[i]));
            }
            cairo_close_path(cr);
            cairo_set_source_rgba(cr, rgb[0], rgb[1], rgb[2], se->alpha > 0 ? se->alpha : 0.3);
            cairo_fill(cr);
            continue;
        }
        if (se->style == CL_LINE || se->style == CL_LINEDOTS) {
            int pen = 0;
            for (int i = 0; i < se->n; i++) {
                double x = se->x ? se->x[i] : i, y = se->y[i];
                if (!isfinite(x) || !isfinite(y)) { pen = 0; continue; }
                if (!pen) cairo_move_to(cr, PX(x), PY(y));
                else cairo_line_to(cr, PX(x), PY(y));
                pen = 1;
            }
            cairo_stroke(cr);
        }
        if (se->style == CL_STEMS)
            for (int i = 0; i < se->n; i++) {
                double x = se->x ? se->x[i] : i, y = se->y[i];
                if (!isfinite(y)) continue;
                cairo_move_to(cr, PX(x), PY(fmax(y0, fmin(0, y1))));
                cairo_line_to(cr, PX(x), PY(y));
                cairo_stroke(cr);
            }
        if (se->style == CL_DOTS || se->style == CL_LINEDOTS || se->style == CL_ERRBAR) {
            double rad = se->style == CL_DOTS && se->width > 0 ? se->width : 2.5;
            for (int i = 0; i < se->n; i++) {
                double x = se->x ? se->x[i] : i, y = se->y[i];
                if (!isfinite(x) || !isfinite(y)) continue;
                if (se->style == CL_ERRBAR && se->y2 && isfinite(se->y2[i])) {
                    cairo_move_to(cr, PX(x), PY(y - se->y2[i]));
                    cairo_line_to(cr, PX(x), PY(y + se->y2[i]));
                    cairo_stroke(cr);
                }
                cairo_arc(cr, PX(x), PY(y), rad, 0, 2 * M_PI);
                cairo_fill(cr);
            }
        }
    }
    cairo_restore(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 0.8);
    cairo_rectangle(cr, r.x, r.y, r.w, r.h);
    cairo_stroke(cr);
    text_at(cr, r.x + r.w / 2, r.y + r.h + 18, FS_LABEL, 0.5, 0, 0, ax->xlabel);
    text_at(cr, r.x - 40, r.y + r.h / 2, FS_LABEL, 0.5, 1, M_PI / 2, ax->ylabel);
    panel_title(cr, r, ax->title);
    /* legend */
    if (ax->legend) {
        int nl = 0;
        double wmax = 0;
        cairo_set_font_size(cr, FS_TICK);
        for (int k = 0; k < n; k++)
            if (s[k].label) {
                cairo_text_extents_t te;
                cairo_text_extents(cr, s[k].label, &te);
                wmax = fmax(wmax, te.x_advance);
                nl++;
            }
        if (nl) {
            double lw = wmax + 30, lh = nl * 13 + 6;
            double lx = ax->legend == 3 ? r.x + r.w + 8 + ax->legend_dx : ax->legend == 2 ? r.x + 6 : r.x + r.w - lw - 6,
                   ly = ax->legend == 3 ? r.y : r.y + 6;
            cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
            cairo_rectangle(cr, lx, ly, lw, lh);
            cairo_fill(cr);
            int row = 0;
            for (int k = 0; k < n; k++) {
                if (!s[k].label) continue;
                double rgb[3], yy = ly + 10 + 13 * row++;
                series_rgb(&s[k], k, rgb);
                cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
                if (s[k].style == CL_DOTS || s[k].style == CL_ERRBAR) {
                    cairo_arc(cr, lx + 12, yy, 3, 0, 2 * M_PI);
                    cairo_fill(cr);
                } else {
                    cairo_set_line_width(cr, s[k].style == CL_BAND ? 6 : 2);
                    cairo_move_to(cr, lx + 4, yy);
                    cairo_line_to(cr, lx + 20, yy);
                    cairo_stroke(cr);
                }
                cairo_set_source_rgb(cr, 0, 0, 0);
                text_at(cr, lx + 24, yy, FS_TICK, 0, 0.5, 0, s[k].label);
            }
        }
    }
#undef PX
#undef PY
}
