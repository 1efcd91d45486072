/* report_data.c — the numbers the report page's figures draw (report_data.h), as one JSON
 * object in <script id="cl-data" type="application/json">: page.js reads it. Only numbers the
 * study files hold (data/), cut to what each figure shows; non-finite values are null. */
#include "report/report_data.h"
#include "report/fig_multisine.h"
#include "report/svg_heatmap.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* A JSON string, '<' written \u003c so that no "</script" can end the element early. */
static void jstr(FILE *f, const char *s) {
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
        else if (*p == '<') fputs("\\u003c", f);
        else if (*p < 0x20) fprintf(f, "\\u%04x", *p);
        else fputc(*p, f);
    }
    fputc('"', f);
}

static void jnum(FILE *f, double v, const char *fmt) {
    if (isfinite(v)) fprintf(f, fmt, v);
    else fputs("null", f);
}

/* [x[0], x[stride], ...] of n values */
static void jarr(FILE *f, const double *x, int n, const char *fmt) {
    fputc('[', f);
    for (int i = 0; i < n; i++) {
        if (i) fputc(',', f);
        jnum(f, x[i], fmt);
    }
    fputc(']', f);
}

/* rows of a (nrows, stride) array, columns [from, from + n) of each */
static void jrows(FILE *f, const double *a, int nrows, size_t stride, int from, int n, const char *fmt) {
    fputc('[', f);
    for (int r = 0; r < nrows; r++) {
        if (r) fputc(',', f);
        jarr(f, a + (size_t)r * stride + from, n, fmt);
    }
    fputc(']', f);
}

/* the sweep's counts of one criterion (c: CL_CUR, CL_RIGHT, CL_ANY), R down, L across; a cell
 * not run is null */
static void sweep_counts(FILE *f, const cl_sweep_set *sw, int k, int c) {
    const cl_sweep_result *r = &sw->res[k];
    fputc('[', f);
    for (int i = 0; i < sw->n_reps; i++) {
        fputs(i ? ",[" : "[", f);
        for (int j = 0; j < sw->n_lens; j++) {
            const int cell = i * sw->n_lens + j;
            if (j) fputc(',', f);
            if (cl_sweep_cell_run(r, cell)) fprintf(f, "%d", r->cells[cell].cross[c].n);
            else fputs("null", f);
        }
        fputc(']', f);
    }
    fputc(']', f);
}

/* One model's multisine result (its family's; NULL: none). */
static void multisine(FILE *f, const cl_multisine_result *r, const char *name) {
    int j = -1;
    for (int i = 0; r && i < r->n && j < 0; i++)
        if (!strcmp(r->models[i].name, name)) j = i;
    if (j < 0) { fputs("null", f); return; }
    const cl_multisine_model *x = &r->res[j];
    const cl_multisine *in = &r->opts.input;
    const int n = r->sig_points, ns = in->points, nh = x->layers * x->heads, half = (n + 1) / 2;
    const int shalf = (ns + 1) / 2 < half ? (ns + 1) / 2 : half; /* as fig_multisine.c */
    const double dur = in->duration;
    double ax[8192];
    if (n > 8192 || ns > 8192 || half < 2) { fputs("null", f); return; }
    fprintf(f, "{\"layers\":%d,\"heads\":%d,\"clip\":%g,\"gap_hz\":", x->layers, x->heads, CL_FIG_INDUCTION_CLIP);
    jnum(f, cl_multisine_smallest_gap(in), "%.9g");
    fputs(",\"induction\":", f);
    jarr(f, x->ind, nh, "%.6g");
    for (int i = 0; i < ns; i++) ax[i] = i * dur / ns;
    fputs(",\"ts\":", f);
    jarr(f, ax, ns, "%.6g");
    fputs(",\"series\":", f);
    jarr(f, r->series, ns, "%.6g");
    for (int i = 0; i < n; i++) ax[i] = i * dur / n;
    fputs(",\"t\":", f);
    jarr(f, ax, n, "%.6g");
    fputs(",\"attn\":", f);
    jrows(f, x->arr.attn, nh, (size_t)n, 0, n, "%.5g");
    for (int i = 0; i < half; i++) ax[i] = i / dur; /* fftfreq(n, duration / n), non-negative half */
    fputs(",\"shz\":", f);
    jarr(f, ax, shalf, "%.6g");
    fputs(",\"series_mag\":", f);
    jarr(f, r->series_mag, shalf, "%.5g");
    fputs(",\"hz\":", f);
    jarr(f, ax + 1, half - 1, "%.6g"); /* the heads' spectra without the DC bin */
    fputs(",\"mag\":", f);
    jrows(f, x->arr.mag, nh, (size_t)n, 1, half - 1, "%.5g");
    for (int i = 0; i < half; i++) ax[i] = i * dur / n; /* fftfreq(n, 1 / duration): quefrency */
    fputs(",\"qs\":", f);
    jarr(f, ax + 1, half - 1, "%.6g");
    fputs(",\"dfft\":", f);
    jrows(f, x->arr.dnodc, nh, (size_t)n, 1, half - 1, "%.5g");
    fputc('}', f);
}

static void mssweep(FILE *f, const cl_mssweep_result *s) {
    if (!s || !s->h) { fputs("null", f); return; }
    const size_t np = (size_t)s->C * s->G;
    fputs("{\"gap\":[", f);
    for (size_t i = 0; i < np; i++) { if (i) fputc(',', f); jnum(f, s->gap[i / s->G], "%.6g"); }
    fputs("],\"det\":[", f);
    for (size_t i = 0; i < np; i++) {
        if (i) fputc(',', f);
        const double d = s->h[i].sp.spacing_hz, g = s->gap[i / s->G];
        jnum(f, isfinite(g) ? d : NAN, "%.6g");
    }
    fputs("],\"nd\":[", f);
    for (size_t i = 0; i < np; i++) fprintf(f, "%s%d", i ? "," : "", s->nd[i / s->G] ? 1 : 0);
    fputs("]}", f);
}

static void formation(FILE *f, const cl_formation_result *fr) {
    if (!fr || !fr->pts || fr->n < 1) { fputs("null", f); return; }
    static const char *K[6] = {"step", "cur", "right", "heads", "loss", "icl"};
    fputc('{', f);
    for (int q = 0; q < 6; q++) {
        fprintf(f, "%s\"%s\":[", q ? "," : "", K[q]);
        for (int i = 0; i < fr->n; i++) {
            const cl_formation_point *x = &fr->pts[i];
            const double v[6] = {x->step, x->max_cur, x->max_right, x->n_any, x->eval_loss, x->icl};
            if (i) fputc(',', f);
            jnum(f, v[q], q == 0 || q == 3 ? "%.0f" : "%.6g");
        }
        fputc(']', f);
    }
    fputc('}', f);
}

/* Chronos-2's group-attention study for model `name`: the lags and noise levels, 1/G, and per
 * head (layer-major) its partner share over the lags (first noise) and over the noise levels
 * (first lag) and its significance in those cells; null when the model has none. */
static void group_attention(FILE *f, const cl_group_attention_result *r, const char *name) {
    int j = -1;
    for (int i = 0; r && i < r->n && j < 0; i++)
        if (!strcmp(r->models[i].name, name)) j = i;
    if (j < 0) { fputs("null", f); return; }
    const cl_group_attention_opts *o = &r->opts;
    const cl_group_attention_model *x = &r->res[j];
    fputs("{\"lags\":[", f);
    for (int a = 0; a < o->n_lags; a++) fprintf(f, "%s%d", a ? "," : "", o->lags[a]);
    fputs("],\"noises\":", f);
    jarr(f, o->noises, o->n_noises, "%.6g");
    fputs(",\"baseline\":", f);
    jnum(f, 1.0 / o->group_size, "%.9g");
    fprintf(f, ",\"layers\":%d,\"heads\":%d,\"lag\":[", x->layers, x->heads);
    for (int by_lag = 1; by_lag >= 0; by_lag--) {
        const int n = by_lag ? o->n_lags : o->n_noises;
        for (int i = 0; i < x->layers * x->heads; i++) {
            fputs(i ? ",[" : "[", f);
            for (int c = 0; c < n; c++) {
                const cl_ga_head *e = cl_group_attention_head(r, j, by_lag ? c : 0, by_lag ? 0 : c, i / x->heads, i % x->heads);
                if (c) fputc(',', f);
                jnum(f, e->partner, "%.9g");
            }
            fputc(']', f);
        }
        fputs(by_lag ? "],\"noise\":[" : "]", f);
    }
    fputs(",\"sig\":[", f); /* significant in how many cells */
    const int cells = o->n_lags * o->n_noises;
    for (int i = 0; i < x->layers * x->heads; i++) {
        int n = 0;
        for (int c = 0; c < cells; c++) n += x->h[(size_t)c * x->layers * x->heads + i].significant;
        fprintf(f, "%s%d", i ? "," : "", n);
    }
    fputs("]}", f);
}

void cl_report_data_write(FILE *f, const cl_report_inputs *in, const char *const *names, int n) {
    const cl_sweep_set *sw = &in->sweep;
    const double thr = in->ind.opts.threshold;
    fputs("<script id=\"cl-data\" type=\"application/json\">{\"threshold\":", f);
    jnum(f, thr, "%.9g");
    fputs(",\"models\":[", f);
    for (int k = 0; k < n; k++) { if (k) fputc(',', f); jstr(f, names[k]); }
    fputs("],\"m\":{", f);
    for (int k = 0; k < n; k++) {
        const cl_report_model *md = &in->setup.models[k];
        const cl_induction_result *m = &in->ind.res[k];
        if (k) fputc(',', f);
        jstr(f, names[k]);
        fprintf(f, ":{\"bolt\":%d,\"c2\":%d,\"unit\":\"%s\",\"sweep\":{\"R\":", md->bolt, md->chronos2,
                md->bolt ? "patch" : "token");
        fputc('[', f);
        for (int i = 0; i < sw->n_reps; i++) fprintf(f, "%s%d", i ? "," : "", sw->reps[i]);
        fputs("],\"L\":[", f);
        for (int i = 0; i < sw->n_lens; i++) fprintf(f, "%s%d", i ? "," : "", sw->lens[i]);
        fputs("],\"cur\":", f);
        sweep_counts(f, sw, k, CL_CUR);
        fputs(",\"right\":", f);
        sweep_counts(f, sw, k, CL_RIGHT);
        fputs(",\"any\":", f);
        sweep_counts(f, sw, k, CL_ANY);
        fputs("},\"depth\":[", f); /* relative depth of every decoder head >= threshold (either) */
        int first = 1;
        for (int i = 0; i < m->layers * m->heads; i++)
            if (cl_induction_above(m, i, CL_CUR) || cl_induction_above(m, i, CL_RIGHT)) {
                fprintf(f, "%s%.6g", first ? "" : ",", (i / m->heads + 1.0) / m->layers);
                first = 0;
            }
        fputs("],\"ms\":", f);
        multisine(f, md->chronos2 ? &in->ms_c2 : md->bolt ? &in->ms_bolt : &in->ms, names[k]);
        fputs(",\"mss\":", f);
        mssweep(f, in->mss ? &in->mss[k] : NULL);
        fputs(",\"ga\":", f);
        group_attention(f, &in->ga, names[k]);
        fputs(",\"formation\":", f);
        formation(f, in->formation ? &in->formation[k] : NULL);
        fputs(",\"pattern\":", f);
        fputs(in->patterns && in->patterns[k] ? in->patterns[k] : "null", f);
        fputc('}', f);
    }
    fputs("}}</script>\n", f);
}
