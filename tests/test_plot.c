/* test_plot.c — figures: PNG and SVG written, sizes right, colours where they belong. */
#include "testutil.h"
#include "report/plot.h"

#include <cairo.h>
#include "core/core.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_viridis_ends(void **st) {
    (void)st;
    double a[3], b[3], c[3];
    cl_viridis(0, a);
    cl_viridis(1, b);
    cl_viridis(2, c); /* clamped */
    assert_float_equal(a[0], 0.267004, 1e-6);
    assert_float_equal(b[1], 0.906157, 1e-6);
    assert_memory_equal(b, c, sizeof b);
    /* perceptual ordering: luminance increases monotonically */
    double prev = -1;
    for (int i = 0; i <= 50; i++) {
        double rgb[3];
        cl_viridis(i / 50.0, rgb);
        double lum = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
        assert_true(lum > prev);
        prev = lum;
    }
}

static void test_heatmap_and_lines(void **st) {
    (void)st;
    cl_fig *f = cl_fig_new(400, 220);
    float data[6] = {0, 0.5, 1, 1, 0.5, 0};
    unsigned char mark[6] = {0, 0, 1, 0, 0, 0};
    cl_fig_title(f, "test figure");
    cl_fig_heatmap(f, (cl_rect){40, 40, 120, 80}, data, 2, 3, 0, 1, mark, "mosaic", "head", "layer", NULL, NULL, 1);
    cl_fig_colorbar(f, (cl_rect){170, 40, 10, 80}, 0, 1, "score");
    double x[5] = {0, 1, 2, 3, 4}, y[5] = {1, 3, 2, 5, 4};
    cl_series s = {.x = x, .y = y, .n = 5, .label = "series", .style = CL_LINEDOTS, .rgb = {-1, -1, -1}};
    cl_axes ax = {.title = "lines", .xlabel = "x", .ylabel = "y", .xmin = NAN, .xmax = NAN, .ymin = NAN,
                  .ymax = NAN, .legend = 1};
    cl_fig_plot(f, (cl_rect){260, 40, 120, 120}, &ax, &s, 1);
    char base[512], png[600], svg[600];
    snprintf(base, sizeof base, "%s/fig", test_tmpdir());
    cl_error err;
    assert_int_equal(cl_fig_save(f, base, &err), 0);
    cl_fig_free(f);
    snprintf(png, sizeof png, "%s.png", base);
    snprintf(svg, sizeof svg, "%s.svg", base);
    cairo_surface_t *img = cairo_image_surface_create_from_png(png);
    assert_int_equal(cairo_surface_status(img), CAIRO_STATUS_SUCCESS);
    assert_int_equal(cairo_image_surface_get_width(img), 800); /* 2x */
    assert_int_equal(cairo_image_surface_get_height(img), 440);
    /* cell (row 1, col 0) = 1.0 -> viridis yellow; cell (0, 0) = 0 -> dark purple */
    unsigned char *px = cairo_image_surface_get_data(img);
    int stride = cairo_image_surface_get_stride(img);
    uint32_t yellow = *(uint32_t *)(px + (2 * 84) * stride + 4 * (2 * 44));
    uint32_t purple = *(uint32_t *)(px + (2 * 44) * stride + 4 * (2 * 44));
    assert_true(((yellow >> 16) & 0xff) > 200 && ((yellow >> 8) & 0xff) > 200 && (yellow & 0xff) < 80);
    assert_true(((purple >> 16) & 0xff) < 90 && ((purple >> 8) & 0xff) < 30 && (purple & 0xff) > 60);
    cairo_surface_destroy(img);
    char *text;
    size_t n;
    assert_int_equal(cl_read_file(svg, 1 << 24, &text, &n, &err), 0);
    assert_non_null(strstr(text, "<svg"));
    assert_non_null(strstr(text, "400pt"));
    free(text);
    run_cmd("rm -rf '%s'", test_tmpdir());
}

/* a log x axis (log10(1 + x)): x = 0, 9, 99, 999 land at equal spacing */
static void test_log_axis(void **st) {
    (void)st;
    cl_fig *f = cl_fig_new(400, 200);
    double x[4] = {0, 9, 99, 999}, y[4] = {0.5, 0.5, 0.5, 0.5};
    cl_series s = {.x = x, .y = y, .n = 4, .label = "dots", .style = CL_DOTS, .rgb = {1, 0, 0}, .width = 3};
    cl_axes ax = {.title = "log", .xlabel = "step", .ylabel = "y", .xmin = 0, .xmax = 999, .ymin = 0, .ymax = 1,
                  .xlog = 1};
    cl_fig_plot(f, (cl_rect){40, 40, 300, 100}, &ax, &s, 1);
    char base[512], png[600];
    run_cmd("mkdir -p '%s'", test_tmpdir()); /* the test before removes it */
    snprintf(base, sizeof base, "%s/logfig", test_tmpdir());
    cl_error err;
    assert_int_equal(cl_fig_save(f, base, &err), 0);
    cl_fig_free(f);
    snprintf(png, sizeof png, "%s.png", base);
    cairo_surface_t *img = cairo_image_surface_create_from_png(png);
    assert_int_equal(cairo_surface_status(img), CAIRO_STATUS_SUCCESS);
    unsigned char *px = cairo_image_surface_get_data(img);
    int stride = cairo_image_surface_get_stride(img);
#define RED(X, Y) ({ uint32_t v_ = *(uint32_t *)(px + (2 * (Y)) * stride + 4 * (2 * (X))); \
                     ((v_ >> 16) & 0xff) > 200 && ((v_ >> 8) & 0xff) < 60 && (v_ & 0xff) < 60; })
    assert_true(RED(140, 90)); /* x = 9: a third of the way */
    assert_true(RED(240, 90)); /* x = 99: two thirds */
    assert_false(RED(43, 90) && !RED(40, 90)); /* not where a linear axis puts x = 9 (0.9 % in) */
    assert_false(RED(190, 90)); /* nothing between the decades */
#undef RED
    cairo_surface_destroy(img);
    run_cmd("rm -rf '%s'", test_tmpdir());
}

static void test_save_error(void **st) {
    (void)st;
    cl_fig *f = cl_fig_new(10, 10);
    cl_error err;
    assert_int_not_equal(cl_fig_save(f, "/nonexistent-dir/fig", &err), 0);
    assert_non_null(strstr(err.msg, "/nonexistent-dir/fig.png"));
    cl_fig_free(f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_viridis_ends),
        cmocka_unit_test(test_heatmap_and_lines),
        cmocka_unit_test(test_log_axis),
        cmocka_unit_test(test_save_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
