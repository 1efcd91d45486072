/* svg_heatmap.c — inline SVG heatmaps with hover values (see svg_heatmap.h). */
#include "report/svg_heatmap.h"
#include "report/plot.h"

#include <math.h>

void cl_html_escape(FILE *f, const char *s) {
    for (; s && *s; s++) switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
}

static void fill(FILE *f, double t) {
    double c[3];
    cl_viridis(t, c);
    fprintf(f, "fill=\"#%02x%02x%02x\"", (int)lround(c[0] * 255), (int)lround(c[1] * 255), (int)lround(c[2] * 255));
}

static void tick(FILE *f, const char *const *ticks, int i) {
    if (ticks) cl_html_escape(f, ticks[i]);
    else fprintf(f, "%d", i);
}

void cl_svg_heatmap_write(FILE *f, const cl_svg_heatmap *h, const cl_svg_panel *p, int np) {
    /* cell size: panels of about 360 points, cells between 8 and 64 points (a 4 x 4 mosaic
     * is 256 points wide, not the ~150 of 40-point cells: issue 28) */
    double cs = 360.0 / (h->rows > h->cols ? h->rows : h->cols);
    cs = cs > 64 ? 64 : cs < 8 ? 8 : cs;
    const double left = 58, top = 34, gap = 46, pw = h->cols * cs, ph = h->rows * cs;
    const double cbx = left + np * pw + (np - 1) * gap + 24, cbh = ph < 120 ? 120 : ph;
    const double W = cbx + 80, H = top + (cbh > ph ? cbh : ph) + 46;
    const int step = cs >= 14 ? 1 : (int)ceil(14 / cs); /* tick labels that do not overlap */
    const double span = h->vmax > h->vmin ? h->vmax - h->vmin : 1;
    fprintf(f, "<svg class=\"heatmap\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
               "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"12\">\n", W, H, W, H);
    for (int k = 0; k < np; k++) {
        const double x0 = left + k * (pw + gap);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"13\">", x0 + pw / 2, top - 10);
        cl_html_escape(f, p[k].title);
        fputs("</text>\n", f);
        for (int r = 0; r < h->rows; r++)
            for (int c = 0; c < h->cols; c++) {
                const double v = p[k].v[r * h->cols + c];
                fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" ", x0 + c * cs, top + r * cs, cs, cs);
                if (isnan(v)) fputs("fill=\"#bbbbbb\"", f);
                else fill(f, (v - h->vmin) / span);
                fputs("><title>", f);
                cl_html_escape(f, h->ylabel);
                fputc(' ', f);
                tick(f, h->yticks, r);
                fputs(", ", f);
                cl_html_escape(f, h->xlabel);
                fputc(' ', f);
                tick(f, h->xticks, c);
                fprintf(f, ": %.9g</title></rect>\n", v);
                if (!isnan(h->mark) && v >= h->mark)
                    fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"none\" stroke=\"#e8112d\" "
                               "stroke-width=\"2\" pointer-events=\"none\"/>\n", x0 + c * cs + 1, top + r * cs + 1, cs - 2, cs - 2);
                if (h->values && cs >= 26 && !isnan(v)) {
                    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"10\" fill=\"%s\" "
                               "pointer-events=\"none\">", x0 + c * cs + cs / 2, top + r * cs + cs / 2 + 3.5,
                            (v - h->vmin) / span > 0.6 ? "#000" : "#fff");
                    fprintf(f, h->cell_fmt ? h->cell_fmt : "%.3g", v);
                    fputs("</text>\n", f);
                }
            }
        for (int c = 0; c < h->cols; c += step) {
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", x0 + c * cs + cs / 2, top + ph + 14);
            tick(f, h->xticks, c);
            fputs("</text>\n", f);
        }
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", x0 + pw / 2, top + ph + 32);
        cl_html_escape(f, h->xlabel);
        fputs("</text>\n", f);
        for (int r = 0; r < h->rows; r += step) {
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", x0 - 5, top + r * cs + cs / 2 + 4);
            tick(f, h->yticks, r);
            fputs("</text>\n", f);
        }
        if (k == 0) { /* the panels share the axis: one label */
            fprintf(f, "<text transform=\"translate(%.1f,%.1f) rotate(-90)\" text-anchor=\"middle\">", x0 - 36, top + ph / 2);
            cl_html_escape(f, h->ylabel);
            fputs("</text>\n", f);
        }
    }
    /* colour bar: 64 bands, top = vmax */
    const int nb = 64;
    for (int i = 0; i < nb; i++) {
        fprintf(f, "<rect x=\"%.1f\" y=\"%.2f\" width=\"14\" height=\"%.2f\" ", cbx, top + cbh * i / nb, cbh / nb + 0.3);
        fill(f, 1.0 - (i + 0.5) / nb);
        fputs("/>\n", f);
    }
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"%.1f\" fill=\"none\" stroke=\"#555\"/>\n", cbx, top, cbh);
    for (int i = 0; i <= 4; i++) {
        const double y = top + cbh * (1 - i / 4.0);
        fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#555\"/>"
                   "<text x=\"%.1f\" y=\"%.1f\">%.3g</text>\n", cbx + 14, cbx + 18, y, y, cbx + 20, y + 4,
                h->vmin + span * i / 4.0);
    }
    if (h->cbar_label) {
        fprintf(f, "<text transform=\"translate(%.1f,%.1f) rotate(-90)\" text-anchor=\"middle\">", cbx + 62, top + cbh / 2);
        cl_html_escape(f, h->cbar_label);
        fputs("</text>\n", f);
    }
    fputs("</svg>\n", f);
}
