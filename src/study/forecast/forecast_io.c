/* forecast_io.c — the files of the forecast study: the long CSV (written and read back; its
 * columns are defined here once); report/fig_forecast.c writes it with the sample paths and
 * the plot (cl_forecast_write). */
#include "chronolens_study.h"
#include "io/outlock.h"
#include "study/forecast/parrot.h"
#include "core/core.h"
#include "io/csv.h"
#include "io/npy.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* the parrot column beside the model's (only with compare) */
static int has_parrot_column(const cl_forecast_result *r) { return r->parrot && r->method != CL_FORECAST_PARROT; }

void cl_forecast_csv(FILE *f, const cl_forecast_result *r) {
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
