/* parse.c — list and range option values (declared in chronolens.h). Hand-written on top of
 * strtod/strtol so that the accepted syntax is exactly what chronolens.h documents. */
#include "chronolens.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

static const char *skip_spaces(const char *p) {
    while (*p == ' ' || *p == '\t') p++;
    return p;
}

/* One decimal integer at p (optional sign, no leading spaces: callers skip them); end
 * after it. -1 when there is none or it overflows long. */
static int read_long(const char *p, long *v, const char **end) {
    if (!((*p >= '0' && *p <= '9') || ((*p == '-' || *p == '+') && p[1] >= '0' && p[1] <= '9')))
        return -1;
    char *e;
    errno = 0;
    long x = strtol(p, &e, 10);
    if (errno) return -1;
    *v = x;
    *end = e;
    return 0;
}

/* One finite number at p; strtod's syntax minus inf/nan (rejected via isfinite). */
static int read_double(const char *p, double *v, const char **end) {
    if (!*p || *p == ',' || *p == ' ' || *p == '\t') return -1;
    char *e;
    double x = strtod(p, &e);
    if (e == p || !isfinite(x)) return -1;
    *v = x;
    *end = e;
    return 0;
}

int cl_parse_double_list(const char *s, double lo, double hi, double *out, int max, int *n) {
    if (!s || max <= 0) return -1;
    int k = 0;
    const char *p = s;
    for (;;) {
        p = skip_spaces(p);
        double v;
        if (k == max || read_double(p, &v, &p) != 0 || !(v >= lo && v <= hi)) return -1;
        out[k++] = v;
        p = skip_spaces(p);
        if (*p == 0) break;
        if (*p++ != ',') return -1;
    }
    *n = k;
    return 0;
}

int cl_parse_long_list(const char *s, long lo, long hi, long *out, int max, int *n) {
    if (!s || max <= 0) return -1;
    int k = 0;
    const char *p = s;
    for (;;) {
        p = skip_spaces(p);
        long v;
        if (k == max || read_long(p, &v, &p) != 0 || v < lo || v > hi) return -1;
        out[k++] = v;
        p = skip_spaces(p);
        if (*p == 0) break;
        if (*p++ != ',') return -1;
    }
    *n = k;
    return 0;
}

int cl_parse_int_range(const char *s, long lo, long hi, long *a, long *b) {
    if (!s) return -1;
    long x, y;
    const char *p = s;
    if (read_long(p, &x, &p) != 0 || *p++ != ':' || read_long(p, &y, &p) != 0 || *p) return -1;
    if (x < lo || y > hi || x > y) return -1;
    *a = x;
    *b = y;
    return 0;
}
