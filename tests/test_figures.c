/* test_figures.c — the figures say what they show: the forecast legend sits outside the
 * data, spectrum and double-FFT figures name their strongest heads (layer, head) in a legend,
 * the sweep line plot's y axis starts at 0 for all-zero counts, an empty layer distribution
 * says "no heads", and the report's setup table has a dtype column. Read back from the PNGs
 * (drawn at 2x) by pixel. */
#include "testutil.h"
#include "core/core.h"
#include "report/plot.h"

#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SMALL CL_FIXTURES "/rand-small"
#define SCALE 2 /* plot.c draws PNGs at twice the figure's size */

typedef struct { cairo_surface_t *s; unsigned char *px; int w, h, stride; } png;

static png load(const char *path) {
    png p;
    p.s = cairo_image_surface_create_from_png(path);
    if (cairo_surface_status(p.s) != CAIRO_STATUS_SUCCESS) fail_msg("%s: not a PNG", path);
    cairo_surface_flush(p.s);
    p.px = cairo_image_surface_get_data(p.s);
    p.w = cairo_image_surface_get_width(p.s);
    p.h = cairo_image_surface_get_height(p.s);
    p.stride = cairo_image_surface_get_stride(p.s);
    return p;
}

/* rgb in [0, 255] of figure point (x, y) (figure units) */
static void at(const png *p, int x, int y, int rgb[3]) {
    const unsigned char *q = p->px + (size_t)(y * SCALE) * p->stride + (size_t)(x * SCALE) * 4;
    rgb[0] = q[2]; rgb[1] = q[1]; rgb[2] = q[0]; /* ARGB32, little endian */
}

/* pixels in the box (figure units) that are not near-white / that are dark / near colour c */
static int count_if(const png *p, int x0, int y0, int x1, int y1, int mode, const double c[3]) {
    int n = 0;
    for (int y = y0; y < y1 && y * SCALE < p->h; y++)
        for (int x = x0; x < x1 && x * SCALE < p->w; x++) {
            int v[3];
            at(p, x, y, v);
            if (mode == 0) n += v[0] < 230 || v[1] < 230 || v[2] < 230;
            else if (mode == 1) n += v[0] < 90 && v[1] < 90 && v[2] < 90;
            else n += abs(v[0] - (int)lround(c[0] * 255)) < 30 && abs(v[1] - (int)lround(c[1] * 255)) < 30 &&
                      abs(v[2] - (int)lround(c[2] * 255)) < 30;
        }
    return n;
}

static void test_forecast_legend_outside(void **st) {
    (void)st;
    char out[600], plot[600];
    snprintf(out, sizeof out, "%s/f.csv", test_tmpdir());
    snprintf(plot, sizeof plot, "%s/f.png", test_tmpdir());
    assert_int_equal(run_cmd("'%s' forecast -q --model " SMALL " --context " CL_FIXTURES "/../../docs/forecast-example.csv "
                             "--out '%s' --compare --horizon 24 --samples 4 --plot '%s' > /dev/null", CL_CLI, out, plot), 0);
    png p = load(plot);
    /* panel 0: x 60..620, y 52..202; its legend right of it */
    if (count_if(&p, 630, 54, 740, 110, 0, NULL) < 50) fail_msg("no legend right of the forecast panel");
    cairo_surface_destroy(p.s);
}

static void test_multisine_names_heads(void **st) {
    (void)st;
    char out[600], f[700];
    snprintf(out, sizeof out, "%s/ms", test_tmpdir());
    assert_int_equal(run_cmd("'%s' multisine -q --model " CL_FIXTURES "/planted-period --out '%s' --permutations 10", CL_CLI, out), 0);
    const char *figs[2] = {"spectra", "double-fft"};
    const int top[2] = {300, 50};
    for (int k = 0; k < 2; k++) {
        snprintf(f, sizeof f, "%s/planted-period-%s.png", out, figs[k]);
        png p = load(f);
        /* right of the colour bar (x 790..830): the legend naming layer and head */
        if (count_if(&p, 840, top[k] + 2, 1030, top[k] + 40, 0, NULL) < 50) fail_msg("%s: no legend of the heads", figs[k]);
        cairo_surface_destroy(p.s);
    }
}

static void test_empty_counts(void **st) {
    (void)st;
    char out[600], f[700];
    snprintf(out, sizeof out, "%s/ind", test_tmpdir());
    /* a random model: no head above the threshold, every count 0 */
    assert_int_equal(run_cmd("'%s' sweep -q --model " SMALL " --reps-list 2,3 --len-list 2,4,6 --batch 4 --out '%s'", CL_CLI, out), 0);
    snprintf(f, sizeof f, "%s/sweep_lines_rand-small.png", out);
    png p = load(f);
    double c0[3], c1[3];
    cl_palette(0, c0); /* R = 2 */
    cl_palette(1, c1); /* R = 3, drawn over it */
    /* panel (70, 60, 290, 220), y from -0.3 to 1.1: the zero lines lie just above the axis (y 280
     * - 0.3 / 1.4 * 220 = 233), not mid-panel, and each R is seen (nudged apart on x: issue 28,
     * R = 4..10 used to hide under each other on the bottom edge) */
    int mid = count_if(&p, 75, 100, 355, 215, 2, c0) + count_if(&p, 75, 100, 355, 215, 2, c1),
        zero0 = count_if(&p, 75, 222, 355, 244, 2, c0), zero1 = count_if(&p, 75, 222, 355, 244, 2, c1);
    if (mid > 0 || zero0 < 10 || zero1 < 10)
        fail_msg("zero counts drawn at mid-panel (%d px) / at 0, R = 2 %d px, R = 3 %d px", mid, zero0, zero1);
    cairo_surface_destroy(p.s);
    assert_int_equal(run_cmd("'%s' induction -q --no-strict --model " SMALL " --batch 4 --out '%s'", CL_CLI, out), 0);
    snprintf(f, sizeof f, "%s/layer_distribution.png", out);
    p = load(f);
    const int W = p.w / SCALE, cx = 70 + (W - 100) / 2;
    if (count_if(&p, cx - 115, 155, cx + 115, 175, 1, NULL) < 100) fail_msg("empty layer distribution without a note");
    cairo_surface_destroy(p.s);
}

static void test_setup_dtype(void **st) {
    (void)st;
    char out[600], f[700];
    snprintf(out, sizeof out, "%s/rep", test_tmpdir());
    assert_int_equal(run_cmd("'%s' report -q --quick --model " SMALL " --model " CL_FIXTURES "/rand-gated-bf16 --out '%s' > /dev/null",
                             CL_CLI, out), 0);
    snprintf(f, sizeof f, "%s/index.html", out);
    char *t = slurp(f);
    assert_non_null(strstr(t, "<th class=\"l\">dtype</th>"));
    assert_non_null(strstr(t, "<td class=\"l\">F32</td>"));
    assert_non_null(strstr(t, "<td class=\"l\">BF16</td>"));
    free(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forecast_legend_outside),
        cmocka_unit_test(test_multisine_names_heads),
        cmocka_unit_test(test_empty_counts),
        cmocka_unit_test(test_setup_dtype),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    run_cmd("rm -rf '%s'", test_tmpdir());
    return rc;
}
