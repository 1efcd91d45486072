/* csv.c — small strict CSV readers: every cell is checked, errors name file, line, column.
 * Memory is bounded by the input: the file (at most CSV_MAX_BYTES) is read once and
 * walked twice (count the rows, then parse them in place), the cell table is sized by
 * the first line, and the values by rows x columns (at most CSV_MAX_CELLS). */
#include "io/csv.h"
#include "core/core.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void csv_write_field(FILE *f, const char *s) {
    size_t n = strlen(s);
    int quote = n && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t');
    for (const char *p = s; *p && !quote; p++) quote = *p == ',' || *p == '"' || *p == '\n' || *p == '\r';
    if (!quote) { fputs(s, f); return; }
    fputc('"', f);
    for (const char *p = s; *p; p++) {
        if (*p == '"') fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

/* Splits one line in place into cells (a "quoted" cell may hold commas, and "" for a
 * quote, as RFC 4180 writes them); returns the number of cells, or -1 when the line has
 * more than max. */
static int split(char *line, char **cells, int max) {
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == max) return -1;
        while (*p == ' ' || *p == '\t') p++;
        char *start = p, *end;
        if (*p == '"') {
            start = ++p;
            char *w = p; /* unescaping in place: the cell only shrinks */
            while (*p && !(*p == '"' && p[1] != '"')) {
                if (*p == '"') p++; /* "" -> " */
                *w++ = *p++;
            }
            end = w;
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

/* An upper bound on split()'s count for this line: separators + 1. */
static size_t max_cells(const char *line) {
    size_t n = 1;
    for (const char *p = line; *p; p++) n += *p == ',';
    return n;
}

/* 0: number (NaN for empty/NaN), 1: not a number, 2: a number that is not finite in
 * float32 (inf, -inf, 1e400, 1e39): refused, as a forecast of it would be inf or NaN.
 * Public (cl_parse_cell) so that the Python package reads a text cell by the same rule. */
int cl_parse_cell(const char *s, float *out) {
    if (!*s || strcasecmp(s, "nan") == 0 || strcasecmp(s, "na") == 0) { *out = NAN; return 0; }
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end) return 1;
    if (isnan(v)) { *out = NAN; return 0; } /* "nan(...)" and friends: missing */
    *out = (float)v;
    return isfinite(*out) ? 0 : 2;
}

/* The file's text and a cursor over its non-blank lines. Lines are NUL-terminated in
 * place as they are visited; a second walk (lines_rewind) sees the same lines, since
 * the input holds no NUL byte of its own. */
typedef struct { char *text, *start, *p, *end; int lineno; } lines_t;

static int lines_open(const char *path, lines_t *L, cl_error *err) {
    size_t len;
    int rc = cl_read_file(path, CSV_MAX_BYTES, &L->text, &len, err);
    if (rc) return rc;
    if (memchr(L->text, 0, len))
        { free(L->text); return cl_error_set(err, CL_EFORMAT, "%s: binary data (NUL byte) in CSV", path); }
    L->start = L->text;
    if (len >= 3 && memcmp(L->text, "\xEF\xBB\xBF", 3) == 0) L->start += 3; /* UTF-8 BOM */
    L->end = L->text + len;
    L->p = L->start;
    L->lineno = 0;
    return 0;
}

static void lines_rewind(lines_t *L) { L->p = L->start; L->lineno = 0; }

/* The next non-blank line (L->lineno: its 1-based number in the file), or NULL. */
static char *lines_next(lines_t *L) {
    while (L->p < L->end) {
        char *s = L->p, *e = s + strcspn(s, "\n");
        *e = 0;
        L->p = e + 1;
        L->lineno++;
        if (e > s && e[-1] == '\r') e[-1] = ' '; /* CRLF: a trailing blank, trimmed by split */
        const char *q = s;
        while (*q == ' ' || *q == '\t') q++;
        if (*q) return s;
    }
    return NULL;
}

static int lines_count(lines_t *L) {
    int n = 0;
    while (lines_next(L)) n++;
    lines_rewind(L);
    return n;
}

void csv_free_names(char **names, int B) {
    if (!names) return;
    for (int i = 0; i < B; i++) free(names[i]);
    free(names);
}

/* The cell table for a first line: -1 (error set) when it has too many columns. */
static int alloc_cells(const char *path, const char *line, char ***cells, cl_error *err) {
    size_t n = max_cells(line);
    if (n > CSV_MAX_COLUMNS) n = CSV_MAX_COLUMNS + 1; /* enough to see that it is too many */
    *cells = malloc(sizeof(char *) * n);
    if (!*cells) return cl_error_set(err, CL_ENOMEM, "%s: out of memory", path);
    return 0;
}

/* Values for rows x cols cells, within CSV_MAX_CELLS. */
static void *alloc_table(const char *path, int cols, int rows, size_t elem, cl_error *err, int *rc) {
    size_t n;
    void *p = NULL;
    if (cl_mul_size((size_t)cols, (size_t)rows, &n) || n > CSV_MAX_CELLS)
        *rc = cl_error_set(err, CL_ENOMEM, "%s: too large (%d columns x %d rows; at most %ld cells)", path,
                           cols, rows, (long)CSV_MAX_CELLS);
    else if (!(p = cl_alloc(n * elem)))
        *rc = cl_error_set(err, CL_ENOMEM, "%s: out of memory for %d columns x %d rows", path, cols, rows);
    return p;
}

static const char *const *sort_names;
static int cmp_idx(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b, c = strcmp(sort_names[x], sort_names[y]);
    return c ? c : (x > y) - (x < y);
}

/* Header names are series names in every output: two columns of one name would be two
 * series no output could tell apart. Sorted, so 100,000 columns stay cheap. */
static int check_unique(const char *path, char **hdr, int B, cl_error *err) {
    int *idx = malloc(sizeof(int) * (size_t)(B ? B : 1));
    if (!idx) return cl_error_set(err, CL_ENOMEM, "%s: out of memory", path);
    for (int j = 0; j < B; j++) idx[j] = j;
    sort_names = (const char *const *)hdr;
    qsort(idx, (size_t)B, sizeof *idx, cmp_idx);
    int rc = 0;
    for (int j = 1; j < B && !rc; j++)
        if (!strcmp(hdr[idx[j - 1]], hdr[idx[j]]))
            rc = cl_error_set(err, CL_EFORMAT, "%s: line 1: columns %d and %d have the same name '%.60s' (series names must be unique)",
                              path, idx[j - 1] + 1, idx[j] + 1, hdr[idx[j]]);
    free(idx);
    return rc;
}

int csv_read_context(const char *path, float **values, int *Bo, int *Lo, char ***names, cl_error *err) {
    lines_t L;
    *values = NULL;
    if (names) *names = NULL;
    int rc = lines_open(path, &L, err);
    if (rc) return rc;
    int nlines = lines_count(&L);
    if (nlines == 0) { free(L.text); return cl_error_set(err, CL_EFORMAT, "%s: empty CSV (no rows)", path); }
    char **cells = NULL, **hdr = NULL;
    float *vals = NULL;
    int B = 0, rows = nlines;
    /* columns and header from a copy of the first line (the walk below re-reads it) */
    char *line = lines_next(&L), *copy = strdup(line);
    lines_rewind(&L);
    if (!copy) { rc = cl_error_set(err, CL_ENOMEM, "%s: out of memory", path); goto done; }
    if ((rc = alloc_cells(path, copy, &cells, err))) { free(copy); goto done; }
    B = split(copy, cells, CSV_MAX_COLUMNS);
    if (B < 0) {
        free(copy);
        rc = cl_error_set(err, CL_ENOMEM, "%s: more than %d columns", path, CSV_MAX_COLUMNS);
        goto done;
    }
    int nonnum = 0;
    for (int j = 0; j < B; j++) { float v; nonnum += cl_parse_cell(cells[j], &v) == 1; }
    if (nonnum == B) { /* header */
        hdr = calloc((size_t)B, sizeof *hdr);
        for (int j = 0; hdr && j < B; j++)
            if (!(hdr[j] = strdup(cells[j]))) { csv_free_names(hdr, B); hdr = NULL; }
        if (!hdr) rc = cl_error_set(err, CL_ENOMEM, "%s: out of memory", path);
        rows--;
        lines_next(&L); /* skip it */
        if (hdr && (rc = check_unique(path, hdr, B, err))) goto done_copy;
    }
done_copy:
    free(copy);
    if (rc) goto done;
    line = lines_next(&L);
    if (rows == 0) { rc = cl_error_set(err, CL_EFORMAT, "%s: no data rows", path); goto done; }
    if (!(vals = alloc_table(path, B, rows, sizeof(float), err, &rc))) goto done;
    for (int i = 0; i < rows; i++, line = lines_next(&L)) {
        int nc = split(line, cells, B);
        if (nc != B) {
            rc = nc < 0 ? cl_error_set(err, CL_EFORMAT, "%s: line %d has more than %d cells", path, L.lineno, B)
                        : cl_error_set(err, CL_EFORMAT, "%s: line %d has %d cells, expected %d", path,
                                       L.lineno, nc, B);
            goto done;
        }
        for (int j = 0; j < B; j++) {
            float v;
            int bad = cl_parse_cell(cells[j], &v);
            if (bad) {
                rc = cl_error_set(err, CL_EFORMAT, bad == 1 ? "%s: line %d, column %d: non-numeric cell '%.40s'"
                                                           : "%s: line %d, column %d: value '%.40s' is not finite in float32 (use NaN or an empty cell for a missing value)",
                                  path, L.lineno, j + 1, cells[j]);
                goto done;
            }
            vals[(size_t)j * rows + i] = v;
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
    free(L.text);
    return rc;
}

int csv_read_ids(const char *path, int32_t **ids, int *Bo, int *To, cl_error *err) {
    lines_t L;
    *ids = NULL;
    int rc = lines_open(path, &L, err);
    if (rc) return rc;
    int B = lines_count(&L);
    if (B == 0) { free(L.text); return cl_error_set(err, CL_EFORMAT, "%s: empty CSV (no rows)", path); }
    char **cells = NULL;
    int32_t *out = NULL;
    int T = -1;
    for (int i = 0; i < B; i++) {
        char *line = lines_next(&L);
        if (i == 0 && (rc = alloc_cells(path, line, &cells, err))) break;
        int nc = split(line, cells, T < 0 ? CSV_MAX_COLUMNS : T);
        if (nc < 0) {
            rc = T < 0 ? cl_error_set(err, CL_ENOMEM, "%s: more than %d columns", path, CSV_MAX_COLUMNS)
                       : cl_error_set(err, CL_EFORMAT, "%s: line %d has more than %d ids", path, L.lineno, T);
            break;
        }
        if (T < 0) {
            T = nc;
            if (!(out = alloc_table(path, T, B, sizeof(int32_t), err, &rc))) break;
        } else if (nc != T) {
            rc = cl_error_set(err, CL_EFORMAT, "%s: line %d has %d ids, expected %d", path, L.lineno, nc, T);
            break;
        }
        for (int j = 0; j < nc; j++) {
            char *end;
            errno = 0;
            long v = strtol(cells[j], &end, 10);
            if (!*cells[j] || *end || errno || v < 0 || v > INT32_MAX) {
                rc = cl_error_set(err, CL_EFORMAT, "%s: line %d, column %d: not a token id '%.40s'", path,
                                  L.lineno, j + 1, cells[j]);
                break;
            }
            out[(size_t)i * T + j] = (int32_t)v;
        }
        if (rc) break;
    }
    if (!rc) { *ids = out; out = NULL; *Bo = B; *To = T; }
    cl_free(out);
    free(cells);
    free(L.text);
    return rc;
}

void csv_table_free(csv_table *t) {
    if (!t) return;
    free(t->text); free(t->cells); free(t->line);
    memset(t, 0, sizeof *t);
}

int csv_read_table(const char *path, csv_table *t, cl_error *err) {
    lines_t L;
    memset(t, 0, sizeof *t);
    int rc = lines_open(path, &L, err);
    if (rc) return rc;
    const int n = lines_count(&L);
    if (n < 2) { free(L.text); return cl_error_set(err, CL_EFORMAT, "%s: %s", path, n ? "no data rows" : "empty CSV (no rows)"); }
    char *line = lines_next(&L);
    const size_t mc = max_cells(line);
    if (mc > CSV_MAX_COLUMNS) { free(L.text); return cl_error_set(err, CL_ENOMEM, "%s: more than %d columns", path, CSV_MAX_COLUMNS); }
    size_t ncell;
    if (cl_mul_size(mc, (size_t)n, &ncell) || ncell > CSV_MAX_CELLS) {
        free(L.text);
        return cl_error_set(err, CL_ENOMEM, "%s: too large (%d rows; at most %ld cells)", path, n, (long)CSV_MAX_CELLS);
    }
    t->text = L.text;
    t->cells = malloc(sizeof(char *) * ncell);
    t->line = malloc(sizeof(int) * (size_t)n);
    if (!t->cells || !t->line) { csv_table_free(t); return cl_error_set(err, CL_ENOMEM, "%s: out of memory", path); }
    t->cols = split(line, t->cells, (int)mc);
    t->line[0] = L.lineno;
    if ((rc = check_unique(path, t->cells, t->cols, err))) { csv_table_free(t); return rc; }
    for (int r = 1; r < n; r++) {
        line = lines_next(&L);
        const int nc = split(line, t->cells + (size_t)r * t->cols, t->cols);
        if (nc != t->cols) {
            rc = nc < 0 ? cl_error_set(err, CL_EFORMAT, "%s: line %d has more than %d cells", path, L.lineno, t->cols)
                        : cl_error_set(err, CL_EFORMAT, "%s: line %d has %d cells, expected %d", path, L.lineno, nc,
                                       t->cols);
            csv_table_free(t);
            return rc;
        }
        t->line[r] = L.lineno;
    }
    t->rows = n;
    return 0;
}

void cl_csv_num(FILE *f, double v) {
    if (isfinite(v)) fprintf(f, "%.9g", v);
}
