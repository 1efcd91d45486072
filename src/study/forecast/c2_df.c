/* c2_df.c — predict_df's long format (cl_forecast_df_read): a CSV with a row per item and
 * time step into the rows Chronos2Pipeline forecasts — per item its targets, past-only
 * covariates and known covariates (chronos2_method.md §3's row layout), left-padded with NaN
 * to the longest item, with the group ids, the known future values and which rows are targets.
 * Timestamps are checked to be regularly spaced (by a fixed number of seconds, or of months
 * on one day of the month, or at month ends) through the context and its future. */
#include "chronolens_study.h"
#include "core/core.h"
#include "io/csv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cl_forecast_df_default(cl_forecast_df_opts *o) { memset(o, 0, sizeof *o); }

void cl_forecast_df_free(cl_forecast_df *d) {
    if (!d) return;
    cl_context_free(&d->ctx);
    free(d->group_ids); free(d->future_covariates); free(d->targets);
    memset(d, 0, sizeof *d);
}

/* ------------------------------------------------------------------ timestamps */

/* A timestamp: seconds (integers: the value itself), and for dates the month count and the
 * offsets from the month's start and end. */
typedef struct { int date; long long sec, mon, from_start, to_end; } stamp;

static long long days_from_civil(long long y, int m, int d) { /* H. Hinnant's algorithm */
    y -= m <= 2;
    const long long era = (y >= 0 ? y : y - 399) / 400;
    const long long yoe = y - era * 400, doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static int days_in_month(long long y, int m) {
    static const int D[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 29 : D[m - 1];
}

/* 0 and *t, or -1: not an integer nor an ISO date YYYY-MM-DD[(T| )HH:MM[:SS[.fff]]][Z] */
static int parse_stamp(const char *s, stamp *t) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*s && !*end && !errno) { *t = (stamp){0, v, 0, 0, 0}; return 0; }
    int y, mo, d, h = 0, mi = 0, n = 0;
    double sec = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10) return -1;
    const char *p = s + n;
    if (*p == 'T' || *p == ' ') {
        int k = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &k) != 2) return -1;
        p += 1 + k;
        if (*p == ':') {
            char *e;
            sec = strtod(p + 1, &e);
            if (e == p + 1) return -1;
            p = e;
        }
    }
    if (*p == 'Z') p++;
    if (*p || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec < 0 || sec >= 61)
        return -1;
    const long long tod = (long long)h * 3600 + mi * 60 + (long long)sec;
    t->date = 1;
    t->sec = days_from_civil(y, mo, d) * 86400 + tod;
    t->mon = (long long)y * 12 + (mo - 1);
    t->from_start = (long long)(d - 1) * 86400 + tod;
    t->to_end = (long long)(days_in_month(y, mo) - d) * 86400 + tod;
    return 0;
}

/* the step of a regular series: seconds (kind 0), months on one day (1) or at month ends (2) */
typedef struct { int kind; long long step; } spacing;

/* 1 when b follows a by the spacing sp (found from the first two stamps of the item) */
static int follows(const stamp *a, const stamp *b, const spacing *sp) {
    if (sp->kind == 0) return b->sec - a->sec == sp->step;
    if (b->mon - a->mon != sp->step) return 0;
    return sp->kind == 1 ? b->from_start == a->from_start : b->to_end == a->to_end;
}

static int spacing_of(const stamp *a, const stamp *b, spacing *sp) {
    if (b->sec <= a->sec) return -1;
    *sp = (spacing){0, b->sec - a->sec};
    if (!a->date || b->mon == a->mon) return 0;
    /* months vary in length: a whole number of months on one day, or at month ends */
    if (b->from_start == a->from_start && a->from_start != a->to_end) *sp = (spacing){1, b->mon - a->mon};
    else if (b->to_end == a->to_end) *sp = (spacing){2, b->mon - a->mon};
    else if (b->from_start == a->from_start) *sp = (spacing){1, b->mon - a->mon};
    return 0;
}

/* ------------------------------------------------------------------ one long CSV */

typedef struct {
    const char *path;
    csv_table t;
    int id, ts;          /* column indices */
    int *order, nitems;  /* data rows (1 ..) by item, items in order of first appearance */
    int *start;          /* (nitems + 1) into order */
    stamp *st;           /* (rows) */
} table;

static const csv_table *sort_t;
static int sort_id;
static int cmp_rows(const void *a, const void *b) {
    const int x = *(const int *)a, y = *(const int *)b;
    const int c = strcmp(sort_t->cells[(size_t)x * sort_t->cols + sort_id], sort_t->cells[(size_t)y * sort_t->cols + sort_id]);
    return c ? c : (x > y) - (x < y);
}
static const int *sort_first;
static int cmp_items(const void *a, const void *b) {
    const int x = sort_first[*(const int *)a], y = sort_first[*(const int *)b];
    return (x > y) - (x < y);
}

static int column(const table *T, const char *name, const char *what, cl_error *err) {
    for (int c = 0; c < T->t.cols; c++)
        if (!strcmp(T->t.cells[c], name)) return c;
    cl_error_set(err, CL_EFORMAT, "%s: no %s column '%.60s' in its header", T->path, what, name);
    return -1;
}

static const char *cell(const table *T, int r, int c) { return T->t.cells[(size_t)r * T->t.cols + c]; }

static void table_free(table *T) {
    csv_table_free(&T->t);
    free(T->order); free(T->start); free(T->st);
}

/* reads path, finds the id and timestamp columns, groups the rows by item (each item's rows
 * in file order) and parses every timestamp */
static int table_read(table *T, const char *path, const char *idc, const char *tsc, cl_error *err) {
    memset(T, 0, sizeof *T);
    T->path = path;
    int rc = csv_read_table(path, &T->t, err);
    if (rc) return rc;
    if ((T->id = column(T, idc, "id", err)) < 0 || (T->ts = column(T, tsc, "timestamp", err)) < 0) return CL_EFORMAT;
    const int n = T->t.rows - 1;
    int *first = NULL, *idx = NULL;
    T->order = malloc(sizeof(int) * n);
    T->start = malloc(sizeof(int) * (n + 1));
    T->st = malloc(sizeof(stamp) * T->t.rows);
    first = malloc(sizeof(int) * n);
    idx = malloc(sizeof(int) * n);
    if (!T->order || !T->start || !T->st || !first || !idx) {
        free(first); free(idx);
        return cl_error_set(err, CL_ENOMEM, "%s: out of memory", path);
    }
    for (int r = 1; r <= n; r++) {
        const char *s = cell(T, r, T->ts);
        if (parse_stamp(s, &T->st[r])) {
            free(first); free(idx);
            return cl_error_set(err, CL_EFORMAT, "%s: line %d: timestamp '%.40s' is neither an integer nor an ISO date "
                                "(YYYY-MM-DD[ HH:MM[:SS]])", path, T->t.line[r], s);
        }
        if (T->st[r].date != T->st[1].date) {
            free(first); free(idx);
            return cl_error_set(err, CL_EFORMAT, "%s: line %d: timestamp '%.40s' mixes integers and dates", path,
                                T->t.line[r], s);
        }
        T->order[r - 1] = r;
    }
    sort_t = &T->t;
    sort_id = T->id;
    qsort(T->order, (size_t)n, sizeof(int), cmp_rows);
    /* runs of one id, then the runs by their first row */
    int g = 0;
    for (int i = 0; i < n; i++)
        if (!i || strcmp(cell(T, T->order[i], T->id), cell(T, T->order[i - 1], T->id))) {
            T->start[g] = i;
            first[g] = T->order[i];
            g++;
        }
    T->start[g] = n;
    for (int k = 0; k < g; k++) idx[k] = k;
    sort_first = first;
    qsort(idx, (size_t)g, sizeof(int), cmp_items);
    int *ord = malloc(sizeof(int) * n), *st = malloc(sizeof(int) * (g + 1));
    if (!ord || !st) { free(ord); free(st); free(first); free(idx); return cl_error_set(err, CL_ENOMEM, "%s: out of memory", path); }
    for (int k = 0, i = 0; k < g; k++) {
        st[k] = i;
        for (int j = T->start[idx[k]]; j < T->start[idx[k] + 1]; j++) ord[i++] = T->order[j];
    }
    st[g] = n;
    free(T->order); free(T->start);
    T->order = ord;
    T->start = st;
    T->nitems = g;
    free(first); free(idx);
    return 0;
}

/* the item of `t` named id, or -1 */
static int find_item(const table *T, const char *id) {
    int lo = 0, hi = T->nitems - 1; /* linear: items are few next to rows (each named once) */
    for (int k = lo; k <= hi; k++)
        if (!strcmp(cell(T, T->order[T->start[k]], T->id), id)) return k;
    return -1;
}

/* every step of item k of T (then, when F, its future rows in Fu's item kf) regularly spaced */
static int check_item(const table *T, int k, const table *Fu, int kf, cl_error *err) {
    const int n = T->start[k + 1] - T->start[k];
    const int nf = Fu ? Fu->start[kf + 1] - Fu->start[kf] : 0;
    spacing sp;
    const stamp *prev = NULL;
    for (int i = 0; i < n + nf; i++) {
        const table *W = i < n ? T : Fu;
        const int r = i < n ? T->order[T->start[k] + i] : Fu->order[Fu->start[kf] + i - n];
        const stamp *cur = &W->st[r];
        if (i && cur->date != prev->date)
            return cl_error_set(err, CL_EFORMAT, "%s: line %d: timestamp '%.40s' mixes integers and dates", W->path,
                                W->t.line[r], cell(W, r, W->ts));
        int ok = 1;
        if (i == 1) ok = !spacing_of(prev, cur, &sp);
        else if (i > 1) ok = follows(prev, cur, &sp);
        if (!ok)
            return cl_error_set(err, CL_EFORMAT, "%s: line %d: timestamp '%.40s' of item '%.40s' is not regularly spaced "
                                "(every step of an item, its future included, must be the same, increasing)",
                                W->path, W->t.line[r], cell(W, r, W->ts), cell(W, r, W->id));
        prev = cur;
    }
    return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* ------------------------------------------------------------------ categorical covariates */

/* A covariate column with a cell that is not a number is categorical, as pandas reads the CSV
 * (a non-numeric or bool column becomes "category" in upstream's from_data_frame). Its
 * categories are its distinct labels in the past (df), sorted (pandas' categories); a cell
 * pandas reads as missing is the NaN category (slot n, after the n labels) and a future label
 * never seen in the past the unseen one (slot n + 1). Then, as chronos2/preprocess.py's
 * _encode_categorical: with one target, per item target encoding — slot s of item i gets
 * (mean_i + sum_{i,s}) / (1 + count_{i,s}) over the item's past rows whose target is finite
 * (mean_i their mean, 0 when none: an unseen slot gets mean_i), in double, rounded once to
 * float32; with several targets, the ordinal codes (the unseen slot: NaN). */

/* pandas.read_csv's default missing-value strings */
static int na_label(const char *s) {
    static const char *const NA[] = {"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
                                     "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"};
    for (size_t i = 0; i < sizeof NA / sizeof *NA; i++)
        if (!strcmp(s, NA[i])) return 1;
    return 0;
}

/* pandas' bool spellings: 0 false, 1 true, -1 neither */
static int bool_label(const char *s) {
    if (!strcmp(s, "True") || !strcmp(s, "TRUE") || !strcmp(s, "true")) return 1;
    if (!strcmp(s, "False") || !strcmp(s, "FALSE") || !strcmp(s, "false")) return 0;
    return -1;
}

/* how pandas types column c of W: 0 numeric (every cell a number or missing), 1 bool (every
 * non-missing cell a bool spelling), 2 text */
static int column_kind(const table *W, int c) {
    int num = 1, boo = 1;
    for (int r = 1; r < W->t.rows; r++) {
        const char *v = cell(W, r, c);
        float f;
        if (na_label(v)) continue;
        if (cl_parse_cell(v, &f)) num = 0;
        if (bool_label(v) < 0) boo = 0;
    }
    return num ? 0 : boo ? 1 : 2;
}

/* a label as its category is named: bools as "False" / "True" (pandas' order: False first) */
static const char *label_of(const char *v, int kind) {
    return kind == 1 ? (bool_label(v) ? "True" : "False") : v;
}

/* the slot of cell v (pandas' column kind vkind) among the n sorted labels (past kind pkind) */
static int slot_of(const char *v, int vkind, int pkind, char *const *lab, int n) {
    if (na_label(v)) return n;
    /* a number does not match a text category (pandas' get_indexer of ints into strings) */
    if (vkind == 0 || (vkind == 1) != (pkind == 1)) return n + 1;
    const char *key = label_of(v, vkind);
    char *const *hit = bsearch(&key, lab, (size_t)n, sizeof *lab, cmp_str);
    return hit ? (int)(hit - lab) : n + 1;
}

/* column c of T (categorical) encoded into ep (T's rows, by data row), and its future column
 * fc of Fu (or -1) into ef (Fu's rows); tc: the one target's column, or -1 for ordinal codes */
static int encode_categorical(const table *T, int c, const table *Fu, int fc, int tc, float *ep, float *ef, cl_error *err) {
    const int rows = T->t.rows, pkind = column_kind(T, c), fkind = fc >= 0 ? column_kind(Fu, fc) : 0;
    char **lab = malloc(sizeof(char *) * (size_t)rows);
    int *code = malloc(sizeof(int) * (size_t)rows), n = 0, rc = 0;
    double *sum = NULL, *cnt = NULL;
    if (!lab || !code) { rc = cl_error_set(err, CL_ENOMEM, "forecast: out of memory"); goto done; }
    for (int r = 1; r < rows; r++)
        if (!na_label(cell(T, r, c))) lab[n++] = (char *)label_of(cell(T, r, c), pkind);
    qsort(lab, (size_t)n, sizeof *lab, cmp_str);
    int u = 0; /* distinct */
    for (int i = 0; i < n; i++)
        if (!u || strcmp(lab[u - 1], lab[i])) lab[u++] = lab[i];
    n = u;
    for (int r = 1; r < rows; r++) code[r] = slot_of(cell(T, r, c), pkind, pkind, lab, n);
    const int slots = n + 2;
    if (tc < 0) { /* ordinal: the code; the unseen slot (future only) NaN */
        for (int r = 1; r < rows; r++) ep[r] = (float)code[r];
        for (int r = 1; fc >= 0 && r < Fu->t.rows; r++) {
            const int k = slot_of(cell(Fu, r, fc), fkind, pkind, lab, n);
            ef[r] = k == n + 1 ? NAN : (float)k;
        }
        goto done;
    }
    sum = malloc(sizeof(double) * slots);
    cnt = malloc(sizeof(double) * slots);
    if (!sum || !cnt) { rc = cl_error_set(err, CL_ENOMEM, "forecast: out of memory"); goto done; }
    for (int k = 0; k < T->nitems; k++) {
        double isum = 0, icnt = 0;
        for (int s = 0; s < slots; s++) sum[s] = cnt[s] = 0;
        for (int i = T->start[k]; i < T->start[k + 1]; i++) { /* the item's rows in time order, as np.bincount adds them */
            const int r = T->order[i];
            float y;
            if (cl_parse_cell(cell(T, r, tc), &y) || !isfinite(y)) continue;
            isum += y; icnt += 1;
            sum[code[r]] += y; cnt[code[r]] += 1;
        }
        const double mean = icnt > 0 ? isum / icnt : 0;
        for (int i = T->start[k]; i < T->start[k + 1]; i++) {
            const int r = T->order[i];
            ep[r] = (float)((mean + sum[code[r]]) / (1.0 + cnt[code[r]]));
        }
        const int kf = fc >= 0 ? find_item(Fu, cell(T, T->order[T->start[k]], T->id)) : -1;
        for (int i = kf >= 0 ? Fu->start[kf] : 0; kf >= 0 && i < Fu->start[kf + 1]; i++) {
            const int r = Fu->order[i], s = slot_of(cell(Fu, r, fc), fkind, pkind, lab, n);
            ef[r] = (float)((mean + sum[s]) / (1.0 + cnt[s]));
        }
    }
done:
    free(lab); free(code); free(sum); free(cnt);
    return rc;
}

int cl_forecast_df_read(const cl_forecast_df_opts *o, int horizon, cl_forecast_df *d, cl_error *err) {
    memset(d, 0, sizeof *d);
    if (!o || !o->df) return cl_error_set(err, CL_EINVAL, "forecast: no --df file");
    const char *idc = o->id_column ? o->id_column : "item_id", *tsc = o->timestamp_column ? o->timestamp_column : "timestamp";
    const char *tgs = o->target ? o->target : "target";
    table T, Fu;
    memset(&Fu, 0, sizeof Fu);
    int rc = table_read(&T, o->df, idc, tsc, err);
    if (!rc && o->future_df) rc = table_read(&Fu, o->future_df, idc, tsc, err);
    const int cols = T.t.cols;
    int *role = NULL, *rowcol = NULL; /* per column: 0 id/ts, 1 target, 2 past-only, 3 known */
    char **cov = NULL;
    int nt = 0, ncov = 0, nknown = 0, *tcol = NULL, *fcol = NULL;
    unsigned char *cat = NULL, *fcat = NULL; /* per column of df / future_df: a categorical covariate */
    float **encp = NULL, **encf = NULL;      /* per column of df: its encoding (df's rows, future_df's) */
    if (rc) goto done;
    role = calloc((size_t)cols, sizeof(int));
    tcol = malloc(sizeof(int) * cols);
    fcol = malloc(sizeof(int) * cols); /* a known covariate's column in future_df */
    cov = malloc(sizeof(char *) * cols);
    rowcol = malloc(sizeof(int) * cols);
    if (!role || !tcol || !fcol || !cov || !rowcol) { rc = cl_error_set(err, CL_ENOMEM, "forecast: out of memory"); goto done; }
    /* the targets, in the order given */
    {
        char buf[4096];
        snprintf(buf, sizeof buf, "%s", tgs);
        for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            while (*tok == ' ') tok++;
            const int c = column(&T, tok, "target", err);
            if (c < 0) { rc = CL_EFORMAT; goto done; }
            if (c == T.id || c == T.ts || role[c] == 1) {
                rc = cl_error_set(err, CL_EINVAL, "option --target: '%.60s' is %s", tok,
                                  role[c] == 1 ? "given twice" : "the id or timestamp column");
                goto done;
            }
            role[c] = 1;
            tcol[nt++] = c;
        }
        if (!nt) { rc = cl_error_set(err, CL_EINVAL, "option --target: no column named"); goto done; }
    }
    /* every other column a covariate; known when future_df has it */
    for (int c = 0; c < cols; c++) {
        if (c == T.id || c == T.ts || role[c] == 1) continue;
        role[c] = 2;
        fcol[c] = -1;
        cov[ncov++] = T.t.cells[c];
    }
    for (int c = 0; o->future_df && c < Fu.t.cols; c++) {
        if (c == Fu.id || c == Fu.ts) continue;
        const char *nm = Fu.t.cells[c];
        int k = -1;
        for (int j = 0; j < cols && k < 0; j++) if (!strcmp(T.t.cells[j], nm)) k = j;
        if (k < 0 || role[k] != 2) {
            rc = cl_error_set(err, CL_EFORMAT, "%s: column '%.60s' is not a covariate of %s%s", o->future_df, nm, o->df,
                              k >= 0 ? " (it is a target)" : "");
            goto done;
        }
        role[k] = 3;
        fcol[k] = c;
        nknown++;
    }
    /* rows of a task: targets, past-only covariates (sorted), known covariates (sorted) */
    qsort(cov, (size_t)ncov, sizeof *cov, cmp_str);
    {
        int j = 0;
        for (int i = 0; i < nt; i++) rowcol[j++] = tcol[i];
        for (int pass = 2; pass <= 3; pass++)
            for (int i = 0; i < ncov; i++)
                for (int c = 0; c < cols; c++)
                    if (role[c] == pass && !strcmp(T.t.cells[c], cov[i])) rowcol[j++] = c;
    }
    const int per = nt + ncov, items = T.nitems, R = items * per;
    /* values: every target cell numeric; a covariate with a cell that is not a number is
     * categorical (encoded below), every cell of a numeric one finite in float32 */
    if (!(cat = calloc((size_t)cols, 1))) { rc = cl_error_set(err, CL_ENOMEM, "forecast: out of memory"); goto done; }
    for (int c = 0; c < cols; c++)
        if (role[c] >= 2) cat[c] = column_kind(&T, c) != 0;
    for (int r = 1; r < T.t.rows; r++)
        for (int c = 0; c < cols; c++) {
            float v;
            int bad;
            if (role[c] && !cat[c] && (bad = cl_parse_cell(cell(&T, r, c), &v))) {
                rc = cl_error_set(err, CL_EFORMAT, bad == 1 ? "%s: line %d, column '%.40s': non-numeric cell '%.40s' "
                                                            "(a target is a number)"
                                                          : "%s: line %d, column '%.40s': value '%.40s' is not finite in float32",
                                  o->df, T.t.line[r], T.t.cells[c], cell(&T, r, c));
                goto done;
            }
        }
    /* each item regularly spaced; its future: horizon rows continuing it */
    int L = 0;
    for (int k = 0; k < items; k++) {
        const int n = T.start[k + 1] - T.start[k];
        if (n > L) L = n;
        int kf = -1;
        if (o->future_df) {
            const char *id = cell(&T, T.order[T.start[k]], T.id);
            kf = find_item(&Fu, id);
            const int nf = kf < 0 ? 0 : Fu.start[kf + 1] - Fu.start[kf];
            if (nf != horizon) {
                rc = cl_error_set(err, CL_EFORMAT, "%s: item '%.40s' has %d future rows; the horizon is %d", o->future_df,
                                  id, nf, horizon);
                goto done;
            }
        }
        if ((rc = check_item(&T, k, o->future_df ? &Fu : NULL, kf, err))) goto done;
    }
    /* a future column of a categorical covariate takes labels (mapped onto the past's) */
    if (o->future_df && !(fcat = calloc((size_t)Fu.t.cols, 1))) { rc = cl_error_set(err, CL_ENOMEM, "forecast: out of memory"); goto done; }
    for (int c = 0; c < cols; c++)
        if (cat[c] && role[c] == 3) fcat[fcol[c]] = 1;
    for (int k = 0; o->future_df && k < Fu.nitems; k++) {
        const int r = Fu.order[Fu.start[k]];
        if (find_item(&T, cell(&Fu, r, Fu.id)) < 0) {
            rc = cl_error_set(err, CL_EFORMAT, "%s: line %d: item '%.40s' is not in %s", o->future_df, Fu.t.line[r],
                              cell(&Fu, r, Fu.id), o->df);
            goto done;
        }
        for (int i = Fu.start[k]; i < Fu.start[k + 1]; i++)
            for (int c = 0; c < Fu.t.cols; c++) {
                float v;
                const int rr = Fu.order[i];
                if (c != Fu.id && c != Fu.ts && !fcat[c] && cl_parse_cell(cell(&Fu, rr, c), &v)) {
                    rc = cl_error_set(err, CL_EFORMAT, "%s: line %d, column '%.40s': '%.40s' is not a number",
                                      o->future_df, Fu.t.line[rr], Fu.t.cells[c], cell(&Fu, rr, c));
                    goto done;
                }
            }
    }
    /* the categorical covariates' encodings (target encoding with one target, else ordinal) */
    if (!(encp = calloc((size_t)cols, sizeof *encp)) || !(encf = calloc((size_t)cols, sizeof *encf))) {
        rc = cl_error_set(err, CL_ENOMEM, "forecast: out of memory");
        goto done;
    }
    for (int c = 0; c < cols && !rc; c++) {
        if (!cat[c]) continue;
        const int fc = role[c] == 3 ? fcol[c] : -1;
        encp[c] = malloc(sizeof(float) * (size_t)T.t.rows);
        encf[c] = fc >= 0 ? malloc(sizeof(float) * (size_t)Fu.t.rows) : NULL;
        if (!encp[c] || (fc >= 0 && !encf[c])) rc = cl_error_set(err, CL_ENOMEM, "forecast: out of memory");
        else rc = encode_categorical(&T, c, &Fu, fc, nt == 1 ? tcol[0] : -1, encp[c], encf[c], err);
    }
    if (rc) goto done;
    /* the rows */
    cl_context *x = &d->ctx;
    x->B = R;
    x->L = L;
    x->values = cl_alloc(sizeof(float) * (size_t)R * L);
    x->names = calloc((size_t)R, sizeof(char *));
    x->path = strdup(o->df);
    d->group_ids = malloc(sizeof(int) * R);
    d->targets = malloc((size_t)R);
    d->items = items;
    if (o->future_df) {
        d->F = horizon;
        d->future_covariates = malloc(sizeof(float) * (size_t)R * horizon);
    }
    if (!x->values || !x->names || !x->path || !d->group_ids || !d->targets || (o->future_df && !d->future_covariates)) {
        rc = cl_error_set(err, CL_ENOMEM, "forecast: out of memory reading %s", o->df);
        goto done;
    }
    for (int k = 0; k < items; k++) {
        const int n = T.start[k + 1] - T.start[k];
        const char *id = cell(&T, T.order[T.start[k]], T.id);
        const int kf = o->future_df ? find_item(&Fu, id) : -1;
        for (int j = 0; j < per; j++) {
            const int b = k * per + j, c = rowcol[j];
            float *v = x->values + (size_t)b * L;
            for (int i = 0; i < L - n; i++) v[i] = NAN;
            for (int i = 0; i < n; i++) {
                const int r = T.order[T.start[k] + i];
                if (cat[c]) v[L - n + i] = encp[c][r];
                else cl_parse_cell(cell(&T, r, c), &v[L - n + i]);
            }
            d->group_ids[b] = k;
            d->targets[b] = j < nt;
            const size_t len = strlen(id) + strlen(T.t.cells[c]) + 2;
            if (!(x->names[b] = malloc(len))) { rc = cl_error_set(err, CL_ENOMEM, "forecast: out of memory"); goto done; }
            if (j < nt && nt == 1) snprintf(x->names[b], len, "%s", id);
            else snprintf(x->names[b], len, "%s/%s", id, T.t.cells[c]);
            if (!d->future_covariates) continue;
            float *f = d->future_covariates + (size_t)b * horizon;
            for (int i = 0; i < horizon; i++) {
                f[i] = NAN;
                const int r = Fu.order[Fu.start[kf] + i];
                if (role[c] == 3 && cat[c]) f[i] = encf[c][r];
                else if (role[c] == 3) cl_parse_cell(cell(&Fu, r, fcol[c]), &f[i]);
            }
        }
    }
done:
    for (int c = 0; encp && c < cols; c++) { free(encp[c]); free(encf[c]); }
    free(encp); free(encf); free(cat); free(fcat);
    free(role); free(tcol); free(fcol); free(cov); free(rowcol);
    table_free(&T);
    table_free(&Fu);
    if (rc) cl_forecast_df_free(d);
    return rc;
}
