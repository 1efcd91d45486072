/* scores_table.c — reading and writing the scores table (scores_table.h). */
#include "study/common/scores_table.h"
#include "io/outlock.h"
#include "core/core.h"
#include "study/common/csv_record.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *CRIT[CL_NCRIT] = {"current", "right", "current_all", "right_all", "ablation", "ablation_median"};
static const char *SAMP[CL_NSAMPLING] = {"band", "all", "patches"};
static const char *FAM[3] = {"t5", "bolt", "chronos2"}; /* CL_FAMILY_* */

const char *cl_criterion_name(int c) { return c >= 0 && c < CL_NCRIT ? CRIT[c] : "?"; }
const char *cl_sampling_name(int s) { return s >= 0 && s < CL_NSAMPLING ? SAMP[s] : "?"; }
const char *cl_family_name(int f) { return f >= 0 && f < 3 ? FAM[f] : "?"; }

/* a row built in code may leave family at 0: its sampling still says Chronos-Bolt */
static int row_family(const cl_score_row *r) {
    if (r->family == CL_FAMILY_CHRONOS2) return CL_FAMILY_CHRONOS2;
    return r->family == CL_FAMILY_BOLT || r->sampling == CL_SAMPLING_PATCHES ? CL_FAMILY_BOLT : CL_FAMILY_T5;
}

int cl_scores_family(const cl_scores *t, const char *model) {
    for (int i = 0; i < t->n; i++)
        if (!strcmp(t->rows[i].model, model)) return row_family(&t->rows[i]);
    return CL_FAMILY_T5;
}

int cl_scores_add(cl_scores *t, const cl_score_row *r, cl_error *err) {
    if (t->n == t->cap) {
        int cap = t->cap ? 2 * t->cap : 256;
        cl_score_row *p = realloc(t->rows, sizeof *p * (size_t)cap);
        if (!p) return cl_error_set(err, CL_ENOMEM, "scores table: out of memory");
        t->rows = p;
        t->cap = cap;
    }
    t->rows[t->n++] = *r;
    return 0;
}

void cl_scores_free(cl_scores *t) {
    free(t->rows);
    memset(t, 0, sizeof *t);
}

static int same_key(const cl_score_row *a, const cl_score_row *b) {
    return a->sampling == b->sampling && a->reps == b->reps && a->seq_len == b->seq_len && a->layer == b->layer &&
           a->head == b->head && a->criterion == b->criterion && !strcmp(a->model, b->model);
}

const cl_score_row *cl_scores_find(const cl_scores *t, const char *model, int sampling, int reps, int seq_len,
                                   int layer, int head, int criterion) {
    for (int i = 0; i < t->n; i++) {
        const cl_score_row *r = &t->rows[i];
        if (r->sampling == sampling && r->reps == reps && r->seq_len == seq_len && r->layer == layer &&
            r->head == head && r->criterion == criterion && !strcmp(r->model, model))
            return r;
    }
    return NULL;
}

int cl_scores_merge(cl_scores *t, const cl_scores *src, cl_error *err) {
    const int n0 = t->n;
    for (int i = 0; i < src->n; i++) {
        int dup = 0;
        for (int j = 0; j < n0 && !dup; j++) dup = same_key(&t->rows[j], &src->rows[i]);
        if (!dup && cl_scores_add(t, &src->rows[i], err)) return CL_ENOMEM;
    }
    return 0;
}

int cl_scores_models(const cl_scores *t, const char **names, int max) {
    int n = 0;
    for (int i = 0; i < t->n; i++) {
        int seen = 0;
        for (int j = 0; j < n && !seen; j++) seen = !strcmp(names[j], t->rows[i].model);
        if (!seen && n < max) names[n++] = t->rows[i].model;
    }
    return n;
}

/* ------------------------------------------------------------------ reading */

enum { C_MODEL, C_PARAMS, C_SAMPLING, C_REPS, C_LEN, C_LAYER, C_HEAD, C_CRIT, C_MEAN, C_STD, C_N, C_FAMILY, NCOL };
static const char *COL[NCOL] = {"model", "parameters", "sampling", "reps", "seq_len", "layer", "head",
                                "criterion", "mean", "std", "n", "family"};

static int parse_num(const char *s, double *v) {
    if (!*s) return -1;
    char *e;
    errno = 0;
    *v = strtod(s, &e);
    return (*e || errno == ERANGE || !isfinite(*v)) ? -1 : 0;
}

static int parse_int(const char *s, long lo, long hi, long *v) {
    if (!*s) return -1;
    char *e;
    errno = 0;
    long x = strtol(s, &e, 10);
    if (*e || errno || x < lo || x > hi) return -1;
    *v = x;
    return 0;
}

/* key comparison for the duplicate check */
static const cl_score_row *g_rows;
static int by_key(const void *a, const void *b) {
    const cl_score_row *x = &g_rows[*(const int *)a], *y = &g_rows[*(const int *)b];
    int c = strcmp(x->model, y->model);
    if (c) return c;
    const int kx[6] = {x->sampling, x->reps, x->seq_len, x->layer, x->head, x->criterion};
    const int ky[6] = {y->sampling, y->reps, y->seq_len, y->layer, y->head, y->criterion};
    for (int i = 0; i < 6; i++)
        if (kx[i] != ky[i]) return (kx[i] > ky[i]) - (kx[i] < ky[i]);
    return (*(const int *)a > *(const int *)b) - (*(const int *)a < *(const int *)b);
}

int cl_scores_parse(const char *text, size_t len, const char *name, cl_scores *t, cl_error *err) {
    memset(t, 0, sizeof *t);
    static char f[CL_CSV_FIELDS][CL_CSV_FIELD]; /* one record; the reader is not reentrant */
    const char *p = text, *end = text + len, *why = NULL;
    int col[NCOL], line = 1, rc = 0, *lines = NULL, nlines = 0;
    for (int c = 0; c < NCOL; c++) col[c] = -1;
    if (len > 0 && memchr(text, 0, len)) return cl_error_set(err, CL_EFORMAT, "%s: binary data (a NUL byte)", name);
    int nh = cl_csv_record(&p, end, f, &why);
    if (nh < 0) return cl_error_set(err, CL_EFORMAT, "%s:1: %s", name, why);
    for (int i = 0; i < nh; i++) {
        cl_csv_trim(f[i]);
        for (int c = 0; c < NCOL; c++)
            if (!strcmp(f[i], COL[c])) {
                if (col[c] >= 0) return cl_error_set(err, CL_EFORMAT, "%s:1: column '%s' twice", name, COL[c]);
                col[c] = i;
            }
    }
    for (int c = 0; c < C_STD; c++)
        if (col[c] < 0)
            return cl_error_set(err, CL_EFORMAT, "%s:1: missing column '%s' (needs model, parameters, sampling, reps, "
                                "seq_len, layer, head, criterion, mean [, std, n])", name, COL[c]);
    if ((col[C_STD] < 0) != (col[C_N] < 0))
        return cl_error_set(err, CL_EFORMAT, "%s:1: column '%s' without '%s' (give both or neither)", name,
                            col[C_STD] < 0 ? "n" : "std", col[C_STD] < 0 ? "std" : "n");
    while (p < end && !rc) {
        line++;
        const char *start = p;
        int nf = cl_csv_record(&p, end, f, &why);
        if (nf < 0) { rc = cl_error_set(err, CL_EFORMAT, "%s:%d: %s", name, line, why); break; }
        if (nf == 1 && !f[0][0] && (p - start) <= 2) continue; /* blank line */
        if (nf != nh) {
            rc = cl_error_set(err, CL_EFORMAT, "%s:%d: %d cells, the header has %d", name, line, nf, nh);
            break;
        }
        for (int i = 0; i < nf; i++) cl_csv_trim(f[i]);
        cl_score_row r = {.parameters = NAN, .std = NAN};
        const char *bad = NULL;
        long v;
        if (!f[col[C_MODEL]][0]) bad = "empty model";
        else if (strlen(f[col[C_MODEL]]) >= CL_SCORES_NAME) bad = "model name longer than 127 characters";
        else snprintf(r.model, sizeof r.model, "%s", f[col[C_MODEL]]);
        const char *ps = f[col[C_PARAMS]];
        if (!bad && *ps && (parse_num(ps, &r.parameters) || r.parameters <= 0)) bad = "parameters: not a positive number";
        const char *ss = f[col[C_SAMPLING]];
        if (!bad) {
            r.sampling = -1;
            for (int q = 0; q < CL_NSAMPLING; q++)
                if (!strcmp(ss, SAMP[q])) r.sampling = q;
            if (r.sampling < 0) bad = "sampling: not 'band', 'all' or 'patches'";
        }
        if (!bad) { /* the family: given, or what the sampling implies */
            const char *fs = col[C_FAMILY] >= 0 ? f[col[C_FAMILY]] : "";
            r.family = r.sampling == CL_SAMPLING_PATCHES ? CL_FAMILY_BOLT : CL_FAMILY_T5;
            if (*fs) {
                r.family = !strcmp(fs, "t5") ? CL_FAMILY_T5 : !strcmp(fs, "bolt") ? CL_FAMILY_BOLT
                         : !strcmp(fs, "chronos2") ? CL_FAMILY_CHRONOS2 : -1;
                if (r.family < 0) bad = "family: not 't5', 'bolt' or 'chronos2'";
                else if ((r.family != CL_FAMILY_T5) != (r.sampling == CL_SAMPLING_PATCHES))
                    bad = r.family == CL_FAMILY_BOLT ? "family bolt: Chronos-Bolt rows have sampling 'patches'"
                        : r.family == CL_FAMILY_CHRONOS2 ? "family chronos2: Chronos-2 rows have sampling 'patches'"
                                                         : "family t5: sampling 'patches' is Chronos-Bolt's (family bolt)";
            }
        }
        if (!bad) {
            if (parse_int(f[col[C_REPS]], 2, 1000000, &v)) bad = "reps: not an integer >= 2";
            else r.reps = (int)v;
        }
        if (!bad) {
            if (parse_int(f[col[C_LEN]], 2, 1000000, &v)) bad = "seq_len: not an integer >= 2";
            else r.seq_len = (int)v;
        }
        if (!bad) {
            if (parse_int(f[col[C_LAYER]], 0, 100000, &v)) bad = "layer: not an integer >= 0";
            else r.layer = (int)v;
        }
        if (!bad) {
            if (parse_int(f[col[C_HEAD]], 0, 100000, &v)) bad = "head: not an integer >= 0";
            else r.head = (int)v;
        }
        if (!bad) {
            r.criterion = -1;
            for (int c = 0; c < CL_NCRIT; c++)
                if (!strcmp(f[col[C_CRIT]], CRIT[c])) r.criterion = c;
            if (r.criterion < 0) bad = "criterion: not current, right, current_all, right_all, ablation or ablation_median";
            else if (r.criterion == CL_CRIT_ABLATION && r.family != CL_FAMILY_T5)
                bad = "criterion ablation (delta log p) on a patch-model row: its ablation score is ablation_median";
            else if (r.criterion == CL_CRIT_ABLATION_MEDIAN && r.family == CL_FAMILY_T5)
                bad = "criterion ablation_median on a Chronos-T5 row: its ablation score is ablation (delta log p)";
        }
        if (!bad && parse_num(f[col[C_MEAN]], &r.mean)) bad = "mean: not a number";
        if (!bad && r.criterion != CL_CRIT_ABLATION && r.criterion != CL_CRIT_ABLATION_MEDIAN &&
            (r.mean < -1e-6 || r.mean > 1 + 1e-6))
            bad = "mean: an attention score outside [0, 1]";
        if (!bad && col[C_STD] >= 0) {
            const char *sd = f[col[C_STD]], *sn = f[col[C_N]];
            if (!*sd != !*sn) bad = "std and n: give both or neither";
            else if (*sd) {
                if (parse_num(sd, &r.std) || r.std < 0) bad = "std: not a number >= 0";
                else if (parse_int(sn, 1, 1000000000L, &r.n)) bad = "n: not an integer >= 1";
            }
        }
        if (bad) { rc = cl_error_set(err, CL_EFORMAT, "%s:%d: %s", name, line, bad); break; }
        rc = cl_scores_add(t, &r, err);
        if (!rc && t->n > nlines) {
            int cap = nlines ? 2 * nlines : 256;
            int *q = realloc(lines, sizeof(int) * (size_t)cap);
            if (!q) rc = cl_error_set(err, CL_ENOMEM, "%s: out of memory", name);
            else { lines = q; nlines = cap; }
        }
        if (!rc) lines[t->n - 1] = line;
    }
    /* duplicates: sort an index by key, report the later line of the pair */
    if (!rc && t->n > 1) {
        int *idx = malloc(sizeof(int) * (size_t)t->n);
        if (!idx) rc = cl_error_set(err, CL_ENOMEM, "%s: out of memory", name);
        for (int i = 0; !rc && i < t->n; i++) idx[i] = i;
        if (!rc) {
            g_rows = t->rows;
            qsort(idx, (size_t)t->n, sizeof(int), by_key);
            for (int i = 1; i < t->n && !rc; i++) {
                const cl_score_row *p0 = &t->rows[idx[i - 1]], *p1 = &t->rows[idx[i]];
                if (!strcmp(p0->model, p1->model) && p0->family != p1->family) { /* sorted by model: one pass */
                    const int a = lines[idx[i - 1]], b = lines[idx[i]];
                    const cl_score_row *late = a > b ? p0 : p1, *early = a > b ? p1 : p0;
                    rc = cl_error_set(err, CL_EFORMAT, "%s:%d: model %s: family %s here, %s on line %d (one family per "
                                      "model)", name, a > b ? a : b, late->model, FAM[late->family], FAM[early->family],
                                      a > b ? b : a);
                    break;
                }
                if (same_key(p0, p1)) {
                    const cl_score_row *r = &t->rows[idx[i]];
                    int a = lines[idx[i - 1]], b = lines[idx[i]];
                    rc = cl_error_set(err, CL_EFORMAT, "%s:%d: duplicate of line %d (model %s, sampling %s, reps %d, "
                                      "seq_len %d, layer %d, head %d, criterion %s)", name, a > b ? a : b, a > b ? b : a,
                                      r->model, SAMP[r->sampling], r->reps, r->seq_len, r->layer, r->head, CRIT[r->criterion]);
                }
            }
        }
        free(idx);
    }
    if (!rc && t->n == 0) rc = cl_error_set(err, CL_EFORMAT, "%s: no rows", name);
    free(lines);
    if (rc) cl_scores_free(t);
    return rc;
}

int cl_scores_read(const char *path, cl_scores *t, cl_error *err) {
    char *text;
    size_t n;
    memset(t, 0, sizeof *t);
    if (cl_read_file(path, (size_t)256 << 20, &text, &n, err)) return CL_EIO;
    int rc = cl_scores_parse(text, n, path, t, err);
    free(text);
    return rc;
}

/* ------------------------------------------------------------------ writing */

static void cell_name(FILE *f, const char *s) {
    if (!strpbrk(s, ",\"\n\r")) { fputs(s, f); return; }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

int cl_scores_write(const char *path, const cl_scores *t, cl_error *err) {
    cl_out out;
    if (cl_out_open(&out, path, err)) return CL_EIO;
    FILE *f = out.fp;
    int bolt = 0;
    for (int i = 0; i < t->n && !bolt; i++) bolt = row_family(&t->rows[i]) != CL_FAMILY_T5;
    fputs(bolt ? "model,parameters,sampling,reps,seq_len,layer,head,criterion,mean,std,n,family\n"
               : "model,parameters,sampling,reps,seq_len,layer,head,criterion,mean,std,n\n", f);
    for (int i = 0; i < t->n; i++) {
        const cl_score_row *r = &t->rows[i];
        cell_name(f, r->model);
        fputc(',', f);
        if (isfinite(r->parameters)) fprintf(f, "%.17g", r->parameters);
        fprintf(f, ",%s,%d,%d,%d,%d,%s,%.17g,", SAMP[r->sampling], r->reps, r->seq_len, r->layer, r->head,
                CRIT[r->criterion], r->mean);
        if (r->n > 0 && isfinite(r->std)) fprintf(f, "%.17g,%ld", r->std, r->n);
        else fputc(',', f);
        if (bolt) fprintf(f, ",%s", FAM[row_family(r)]);
        fputc('\n', f);
    }
    if (ferror(f)) { cl_out_abort(&out); return cl_error_set(err, CL_EIO, "%s: write failed", path); }
    return cl_out_commit(&out, err);
}
