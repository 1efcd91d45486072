/* png.c — a cairo image surface written as PNG with libpng at zlib's fastest level.
 *
 * cairo_surface_write_to_png compresses at zlib's default level with libpng's adaptive
 * filters and cannot be told otherwise: the figures of a whole small `induction` run cost
 * 6-11 % of its CPU samples there (docs/benchmarks.md). Level 1 with the Sub filter (each
 * byte minus the one to its left: flat runs of a plot's background and of a mosaic's cells
 * become zeros) writes them several times faster, in files somewhat larger. The pixels are
 * cairo's, unpremultiplied exactly as cairo's own writer does (8 bits; RGB when every pixel
 * is opaque, else RGBA). */
#include "report/png.h"

#include <png.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* 1 when every pixel is opaque: written as RGB then, as cairo's writer does */
static int opaque(const unsigned char *data, int w, int h, int stride) {
    for (int y = 0; y < h; y++) {
        const uint32_t *r = (const uint32_t *)(const void *)(data + (size_t)y * stride);
        for (int i = 0; i < w; i++)
            if ((r[i] >> 24) != 0xff) return 0;
    }
    return 1;
}

/* cairo's ARGB32 pixel (premultiplied, native-endian uint32) to straight RGBA bytes, or
 * RGB of opaque ones (rgb) */
static void unpremultiply(const uint32_t *src, unsigned char *dst, int w, int rgb) {
    if (rgb) {
        for (int i = 0; i < w; i++) {
            const uint32_t p = src[i];
            dst[3 * i] = (unsigned char)(p >> 16), dst[3 * i + 1] = (unsigned char)(p >> 8), dst[3 * i + 2] = (unsigned char)p;
        }
        return;
    }
    for (int i = 0; i < w; i++) {
        const uint32_t p = src[i];
        const unsigned a = p >> 24;
        unsigned char *o = dst + 4 * i;
        if (a == 0) { o[0] = o[1] = o[2] = o[3] = 0; continue; }
        o[0] = (unsigned char)((((p >> 16) & 0xff) * 255 + a / 2) / a);
        o[1] = (unsigned char)((((p >> 8) & 0xff) * 255 + a / 2) / a);
        o[2] = (unsigned char)(((p & 0xff) * 255 + a / 2) / a);
        o[3] = (unsigned char)a;
    }
}

/* libpng's errors (a write error of fp: a full disk) end the write through the setjmp
 * below, silently: the caller prints the one-line error; warnings are not errors */
static void quiet_error(png_structp p, png_const_charp msg) {
    (void)msg;
    png_longjmp(p, 1);
}
static void quiet_warning(png_structp p, png_const_charp msg) { (void)p, (void)msg; }

int cl_png_write(cairo_surface_t *img, FILE *fp) {
    /* (w, h) ARGB32 pixels -> rows of 3 or 4 bytes */
    cairo_surface_flush(img);
    if (cairo_image_surface_get_format(img) != CAIRO_FORMAT_ARGB32) return -1;
    const int w = cairo_image_surface_get_width(img), h = cairo_image_surface_get_height(img);
    const int stride = cairo_image_surface_get_stride(img);
    const unsigned char *data = cairo_image_surface_get_data(img);
    unsigned char *row = malloc((size_t)4 * (w > 0 ? w : 1));
    png_structp p = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, quiet_error, quiet_warning);
    png_infop info = p ? png_create_info_struct(p) : NULL;
    if (!data || !row || !info) {
        free(row);
        png_destroy_write_struct(&p, info ? &info : NULL);
        return -1;
    }
    if (setjmp(png_jmpbuf(p))) { /* quiet_error */
        free(row);
        png_destroy_write_struct(&p, &info);
        return -1;
    }
    png_init_io(p, fp);
    png_set_compression_level(p, 1);
    png_set_filter(p, PNG_FILTER_TYPE_BASE, PNG_FILTER_SUB);
    const int rgb = opaque(data, w, h, stride);
    png_set_IHDR(p, info, (png_uint_32)w, (png_uint_32)h, 8, rgb ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGB_ALPHA, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(p, info);
    for (int y = 0; y < h; y++) {
        unpremultiply((const uint32_t *)(const void *)(data + (size_t)y * stride), row, w, rgb);
        png_write_row(p, row);
    }
    png_write_end(p, info);
    png_destroy_write_struct(&p, &info);
    free(row);
    return ferror(fp) ? -1 : 0;
}
