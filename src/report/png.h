/* png.h — a cairo image surface as PNG, at zlib's fastest level (png.c). */
#ifndef CL_REPORT_PNG_H
#define CL_REPORT_PNG_H

#include <cairo.h>
#include <stdio.h>

/* Writes img (CAIRO_FORMAT_ARGB32) to fp as an 8-bit PNG (RGB when opaque, else RGBA); 0,
 * or -1 on a write error (or another format). */
int cl_png_write(cairo_surface_t *img, FILE *fp);

#endif
