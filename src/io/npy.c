/* npy.c — the .npy format: magic "\x93NUMPY", version 1.0, a little-endian uint16 header
 * length, a Python dict literal padded with spaces and '\n' so the data starts on a
 * 64-byte boundary, then the raw array. */
#include "io/npy.h"
#include "io/outlock.h"
#include "core/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NPY_MAX_BYTES ((size_t)4 << 30)

int npy_write_f32(const char *path, const float *data, int ndim, const int64_t *shape, cl_error *err) {
    if (ndim < 0 || ndim > NPY_MAX_DIMS) return cl_error_set(err, CL_EINVAL, "%s: %d dimensions", path, ndim);
    char dict[512];
    int n = snprintf(dict, sizeof dict, "{'descr': '<f4', 'fortran_order': False, 'shape': (");
    size_t count = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0) return cl_error_set(err, CL_EINVAL, "%s: negative dimension", path);
        n += snprintf(dict + n, sizeof dict - n, "%lld%s", (long long)shape[i], (ndim == 1 || i < ndim - 1) ? ", " : "");
        count *= (size_t)shape[i];
    }
    n += snprintf(dict + n, sizeof dict - n, "), }");
    /* 10 bytes of preamble + dict + padding + '\n' = a multiple of 64 */
    int total = ((10 + n + 1) + 63) / 64 * 64;
    int pad = total - 10 - n - 1;
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0};
    uint16_t hl = (uint16_t)(total - 10);
    pre[8] = (unsigned char)(hl & 0xff);
    pre[9] = (unsigned char)(hl >> 8);
    cl_out o;
    int rc = cl_out_open(&o, path, err);
    if (rc) return rc;
    FILE *f = o.fp;
    fwrite(pre, 1, sizeof pre, f);
    fwrite(dict, 1, (size_t)n, f);
    for (int i = 0; i < pad; i++) fputc(' ', f);
    fputc('\n', f);
    if (count) fwrite(data, sizeof(float), count, f);
    return cl_out_commit(&o, err);
}

/* value of 'key': in the header dict, or NULL */
static const char *dict_value(const char *h, const char *key) {
    const char *p = strstr(h, key);
    if (!p) return NULL;
    p += strlen(key);
    while (*p == ' ' || *p == ':') p++;
    return p;
}

int npy_read_f32(const char *path, float **data, int *ndim, int64_t shape[NPY_MAX_DIMS], cl_error *err) {
    char *buf;
    size_t len;
    int rc = cl_read_file(path, NPY_MAX_BYTES, &buf, &len, err);
    if (rc) return rc;
    const unsigned char *u = (const unsigned char *)buf;
    if (len < 10 || memcmp(u, "\x93NUMPY", 6) != 0) { free(buf); return cl_error_set(err, CL_EFORMAT, "%s: not a .npy file", path); }
    size_t hl, off;
    if (u[6] == 1) { hl = u[8] | (size_t)u[9] << 8; off = 10; }
    else if (u[6] == 2 || u[6] == 3) {
        if (len < 12) { free(buf); return cl_error_set(err, CL_EFORMAT, "%s: truncated header", path); }
        hl = u[8] | (size_t)u[9] << 8 | (size_t)u[10] << 16 | (size_t)u[11] << 24;
        off = 12;
    } else {
        int version = u[6];
        free(buf);
        return cl_error_set(err, CL_EFORMAT, "%s: unsupported .npy version %d", path, version);
    }
    if (hl > len - off) { free(buf); return cl_error_set(err, CL_EFORMAT, "%s: truncated header", path); }
    char *h = malloc(hl + 1);
    memcpy(h, buf + off, hl);
    h[hl] = 0;
    const char *descr = dict_value(h, "'descr'"), *fo = dict_value(h, "'fortran_order'"), *sh = dict_value(h, "'shape'");
    if (!descr || strncmp(descr, "'<f4'", 5) != 0) rc = cl_error_set(err, CL_EFORMAT, "%s: not little-endian float32", path);
    else if (!fo || strncmp(fo, "False", 5) != 0) rc = cl_error_set(err, CL_EFORMAT, "%s: Fortran order is not supported", path);
    else if (!sh || *sh != '(') rc = cl_error_set(err, CL_EFORMAT, "%s: no shape in the header", path);
    size_t count = 1;
    int nd = 0;
    if (!rc) {
        const char *p = sh + 1;
        for (;;) {
            while (*p == ' ' || *p == ',') p++;
            if (*p == ')') break;
            char *end;
            long long v = strtoll(p, &end, 10);
            if (end == p || v < 0 || nd == NPY_MAX_DIMS) { rc = cl_error_set(err, CL_EFORMAT, "%s: bad shape", path); break; }
            shape[nd++] = v;
            if ((size_t)v && count > SIZE_MAX / (size_t)v) { rc = cl_error_set(err, CL_EFORMAT, "%s: bad shape", path); break; }
            count *= (size_t)v;
            p = end;
        }
    }
    free(h);
    off += hl;
    if (!rc && (len - off) / sizeof(float) != count)
        rc = cl_error_set(err, CL_EFORMAT, "%s: %zu bytes of data for %zu floats", path, len - off, count);
    if (rc) { free(buf); return rc; }
    float *d = malloc(sizeof(float) * (count ? count : 1));
    if (!d) { free(buf); return cl_error_set(err, CL_ENOMEM, "%s: out of memory", path); }
    memcpy(d, buf + off, sizeof(float) * count);
    free(buf);
    *data = d;
    *ndim = nd;
    return 0;
}
