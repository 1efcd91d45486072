/* csv.c — small strict CSV readers: every cell is checked, errors name file, line, column. */
#include "csv.h"
#include "../core/core.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Splits one line in place into cells (handles "quoted" cells without embedded commas
 * being special); returns the number of cells or -1 when over max. */
static int split(char *line, char **cells, int max) {
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == max) return -1;
        while (*p == ' ' || *p == '\t') p++;
        char *start = p, *end;
        if (*p == '"') {
            start = ++p;
            while (*p && *p != '"') p++;
            end = p;
            if (*p == '"') p++;
            while (*p && *p != ',') p++;
        } else {
            while (*p && *p != ',') p++;
            end = p;
            while (end > start && (end[-1] == ' ' || end[-1] == '\t')) end--;
        }
        char sep = *p;
        *end = 0;
        cells[n++] = start;
        if (sep != ',') break;
        p++;
    }
    return n;
}

/* 0: number (NaN for empty/NaN), 1: not a number */
static int parse_value(const char *s, float *out) {
    if (!*s || strcasecmp(s, "nan") == 0 || strcasecmp(s, "na") == 0) { *out = NAN; return 0; }
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end) return 1;
    *out = (float)v; /* out-of-range values become ±inf, as in the reference */
    return 0;
}

typedef struct { char *text; char **lines; int *lineno; int nlines; } lines_t;

static int read_lines(const char *path, lines_t *L, cl_error *err) {
    size_t len;
    int rc = cl_read_file(path, CSV_MAX_BYTES, &L->text, &len, err);
    if (rc) return rc;
    if (memchr(L->text, 0, len))
        { free(L->text); return cl_error_set(err, CL_EFORMAT, "%s: binary data (NUL byte) in CSV", path); }
    int cap = 1024;
    L->lines = malloc(sizeof(char *) * (size_t)cap);
    L->lineno = malloc(sizeof(int) * (size_t)cap);
    L->nlines = 0;
    int fileline = 0;
    char *p = L->text;
    if ((unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB && (unsigned char)p[2] == 0xBF) p += 3;
    while (*p) {
        fileline++;
        char *nl = strchr(p, '\n');
        if (nl) *nl = 0;
        size_t n = strlen(p);
        if (n && p[n - 1] == '\r') p[n - 1] = 0;
        char *q = p;
        while (*q == ' ' || *q == '\t') q++;
        if (*q) { /* skip blank lines */
            if (L->nlines == cap) {
                cap *= 2;
                char **nlp = realloc(L->lines, sizeof(char *) * (size_t)cap);
                int *nln = nlp ? realloc(L->lineno, sizeof(int) * (size_t)cap) : NULL;
                if (!nln) {
                    free(nlp ? nlp : L->lines); free(L->lineno); free(L->text);
                    return cl_error_set(err, CL_ENOMEM, "%s: out of memory", path);
                }
                L->lines = nlp;
                L->lineno = nln;
            }
            L->lineno[L->nlines] = fileline;
            L->lines[L->nlines++] = p;
        }
        if (!nl) break;
        p = nl + 1;
    }
    return 0;
}

static void free_lines(lines_t *L) { free(L->lines); free(L->lineno); free(L->text); }

/* Line number (1-based) in the file of the i-th non-blank line. */
static int line_no(const lines_t *L, int i) { return L->lineno[i]; }

void csv_free_names(char **names, int B) {
    if (!names) return;
    for (int i = 0; i < B; i++) free(names[i]);
    free(names);
}

int csv_read_context(const char *path, float **values, int *Bo, int *Lo, char ***names, cl_error *err) {
    lines_t L;
    int rc = read_lines(path, &L, err);
    if (rc) return rc;
    *values = NULL;
    if (names) *names = NULL;
    if (L.nlines == 0) { free_lines(&L); return cl_error_set(err, CL_EFORMAT, "%s: empty CSV (no rows)", path); }
    char **cells = malloc(sizeof(char *) * CSV_MAX_COLUMNS);
    float *vals = NULL;
    char **hdr = NULL;
    int B = 0, first = 0;
    /* columns and header from the first line */
    char *copy = strdup(L.lines[0]);
    B = split(copy, cells, CSV_MAX_COLUMNS);
    if (B < 0) { rc = cl_error_set(err, CL_ENOMEM, "%s: more than %d columns", path, CSV_MAX_COLUMNS); free(copy); goto done; }
    int nonnum = 0;
    for (int j = 0; j < B; j++) { float v; nonnum += parse_value(cells[j], &v); }
    if (nonnum == B) { /* header */
        hdr = calloc((size_t)B, sizeof *hdr);
        for (int j = 0; j < B; j++) hdr[j] = strdup(cells[j]);
        first = 1;
    }
    free(copy);
    int rows = L.nlines - first;
    if (rows == 0) { rc = cl_error_set(err, CL_EFORMAT, "%s: no data rows", path); goto done; }
    size_t n;
    if (cl_mul_size((size_t)B, (size_t)rows, &n) || !(vals = cl_alloc(n * sizeof(float)))) {
        rc = cl_error_set(err, CL_ENOMEM, "%s: too large (%d columns x %d rows)", path, B, rows);
        goto done;
    }
    for (int i = first; i < L.nlines; i++) {
        int nc = split(L.lines[i], cells, CSV_MAX_COLUMNS);
        if (nc != B) {
            rc = cl_error_set(err, CL_EFORMAT, "%s: line %d has %d cells, expected %d", path, line_no(&L, i),
                              nc < 0 ? CSV_MAX_COLUMNS : nc, B);
            goto done;
        }
        for (int j = 0; j < B; j++) {
            float v;
            if (parse_value(cells[j], &v)) {
                rc = cl_error_set(err, CL_EFORMAT, "%s: line %d, column %d: non-numeric cell '%.40s'", path,
                                  line_no(&L, i), j + 1, cells[j]);
                goto done;
            }
            vals[(size_t)j * rows + (i - first)] = v;
        }
    }
    *values = vals;
    vals = NULL;
    *Bo = B;
    *Lo = rows;
    if (names) { *names = hdr; hdr = NULL; }
done:
    cl_free(vals);
    csv_free_names(hdr, B);
    free(cells);
    free_lines(&L);
    return rc;
}

int csv_read_ids(const char *path, int32_t **ids, int *Bo, int *To, cl_error *err) {
    lines_t L;
    int rc = read_lines(path, &L, err);
    if (rc) return rc;
    *ids = NULL;
    if (L.nlines == 0) { free_lines(&L); return cl_error_set(err, CL_EFORMAT, "%s: empty CSV (no rows)", path); }
    char **cells = malloc(sizeof(char *) * CSV_MAX_COLUMNS);
    int32_t *out = NULL;
    int T = -1, B = L.nlines;
    for (int i = 0; i < B; i++) {
        int nc = split(L.lines[i], cells, CSV_MAX_COLUMNS);
        if (nc < 0) { rc = cl_error_set(err, CL_ENOMEM, "%s: more than %d columns", path, CSV_MAX_COLUMNS); break; }
        if (T < 0) {
            T = nc;
            size_t n;
            if (cl_mul_size((size_t)B, (size_t)T, &n) || !(out = cl_alloc(n * sizeof(int32_t)))) {
                rc = cl_error_set(err, CL_ENOMEM, "%s: too large", path);
                break;
            }
        } else if (nc != T) {
            rc = cl_error_set(err, CL_EFORMAT, "%s: line %d has %d ids, expected %d", path, line_no(&L, i), nc, T);
            break;
        }
        for (int j = 0; j < nc; j++) {
            char *end;
            errno = 0;
            long v = strtol(cells[j], &end, 10);
            if (!*cells[j] || *end || errno || v < 0 || v > INT32_MAX) {
                rc = cl_error_set(err, CL_EFORMAT, "%s: line %d, column %d: not a token id '%.40s'", path,
                                  line_no(&L, i), j + 1, cells[j]);
                break;
            }
            out[(size_t)i * T + j] = (int32_t)v;
        }
        if (rc) break;
    }
    if (!rc) { *ids = out; out = NULL; *Bo = B; *To = T; }
    cl_free(out);
    free(cells);
    free_lines(&L);
    return rc;
}
