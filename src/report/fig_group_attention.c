/* fig_group_attention.c — the figures of the group-attention study (docs/group_attention.md),
 * per model: <name>_heads (B's share on its partner per layer and head at the first cell,
 * significant heads framed), <name>_lag and <name>_noise (that share over the lags and over
 * the noise levels for the strongest heads, against 1/group_size). */
#include "chronolens_study.h"
#include "report/plot.h"
#include "core/core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOP 5

/* the TOP heads of model k by their largest partner share over the cells: idx (TOP), returns how many */
static int strongest(const cl_group_attention_result *r, int k, int *idx) {
    const cl_group_attention_model *x = &r->res[k];
    const int NH = x->layers * x->heads, cells = r->opts.n_lags * r->opts.n_noises;
    double best[TOP];
    int n = 0;
    for (int i = 0; i < NH; i++) {
        double v = 0;
        for (int c = 0; c < cells; c++) v = fmax(v, x->h[(size_t)c * NH + i].partner);
        int at = n < TOP ? n++ : TOP;
        while (at > 0 && best[at - 1] < v) {
            if (at < TOP) { best[at] = best[at - 1]; idx[at] = idx[at - 1]; }
            at--;
        }
        if (at < TOP) { best[at] = v; idx[at] = i; }
    }
    return n;
}

/* the partner share of the strongest heads over one axis of the grid (lags or noises) */
static int fig_axis(const cl_group_attention_result *r, int k, int by_lag, const char *base, cl_error *err) {
    const cl_group_attention_opts *o = &r->opts;
    const cl_group_attention_model *x = &r->res[k];
    const int n = by_lag ? o->n_lags : o->n_noises;
    int idx[TOP];
    const int nt = strongest(r, k, idx);
    double xs[CL_GA_MAX_GRID], ys[TOP + 1][CL_GA_MAX_GRID];
    char labels[TOP][48], title[400];
    cl_series s[TOP + 1];
    for (int j = 0; j < n; j++) xs[j] = by_lag ? o->lags[j] : o->noises[j];
    for (int t = 0; t < nt; t++) {
        const int l = idx[t] / x->heads, h = idx[t] % x->heads;
        for (int j = 0; j < n; j++)
            ys[t][j] = cl_group_attention_head(r, k, by_lag ? j : 0, by_lag ? 0 : j, l, h)->partner;
        snprintf(labels[t], sizeof labels[t], "layer %d head %d", l, h);
        s[t] = (cl_series){.x = xs, .y = ys[t], .n = n, .label = labels[t], .style = CL_LINEDOTS, .rgb = {-1, -1, -1}};
    }
    for (int j = 0; j < n; j++) ys[TOP][j] = 1.0 / o->group_size;
    s[nt] = (cl_series){.x = xs, .y = ys[TOP], .n = n, .label = "1 / group size", .style = CL_LINE, .rgb = {0.5, 0.5, 0.5}};
    cl_fig *f = cl_fig_new(860, 420);
    if (!f) return cl_error_set(err, CL_ENOMEM, "figure: out of memory");
    if (by_lag)
        snprintf(title, sizeof title, "%s: B's group attention on A against the lag (noise %g)", r->models[k].name, o->noises[0]);
    else
        snprintf(title, sizeof title, "%s: B's group attention on A against the noise (lag %d)", r->models[k].name, o->lags[0]);
    cl_fig_title(f, title);
    cl_axes ax = {.title = "the last context patch; the strongest heads", .xlabel = by_lag ? "lag (patches)" : "noise std on B",
                  .ylabel = "share on the partner", .xmin = NAN, .xmax = NAN, .ymin = 0, .ymax = 1, .legend = 3};
    cl_fig_plot(f, (cl_rect){70, 50, 560, 320}, &ax, s, nt + 1);
    int rc = cl_fig_save(f, base, err);
    cl_fig_free(f);
    return rc;
}

/* layers × heads of the first cell's partner share */
static int fig_heads(const cl_group_attention_result *r, int k, const char *base, cl_error *err) {
    const cl_group_attention_opts *o = &r->opts;
    const cl_group_attention_model *x = &r->res[k];
    const int NH = x->layers * x->heads;
    float *v = malloc(sizeof(float) * NH);
    unsigned char *mark = malloc((size_t)NH);
    if (!v || !mark) { free(v); free(mark); return cl_error_set(err, CL_ENOMEM, "figure: out of memory"); }
    for (int i = 0; i < NH; i++) {
        v[i] = (float)x->h[i].partner;
        mark[i] = (unsigned char)x->h[i].significant;
    }
    char title[400], sub[200];
    const double cw = x->heads > 24 ? 24 : 48, W = 200 + cw * x->heads, Hh = 170 + 30.0 * x->layers;
    cl_fig *f = cl_fig_new(W < 600 ? 600 : W, Hh);
    int rc = f ? 0 : cl_error_set(err, CL_ENOMEM, "figure: out of memory");
    if (!rc) {
        snprintf(title, sizeof title, "%s: B's group attention on its partner A (lag %d, noise %g)", r->models[k].name,
                 o->lags[0], o->noises[0]);
        cl_fig_title(f, title);
        snprintf(sub, sizeof sub, "baseline 1/%d = %.3g; framed: above it beyond shuffled pairings (Holm, alpha %g)",
                 o->group_size, 1.0 / o->group_size, o->alpha);
        cl_fig_text(f, 20, 52, 11, sub); /* left-aligned: wider than a small model's panel */
        cl_fig_heatmap(f, (cl_rect){70, 90, cw * x->heads, 30.0 * x->layers}, v, x->layers, x->heads, 0, 1, mark,
                       "share of B's group attention on A", "head", "layer", NULL, NULL, 1);
        cl_fig_colorbar(f, (cl_rect){90 + cw * x->heads, 90, 14, 30.0 * x->layers}, 0, 1, "share");
        rc = cl_fig_save(f, base, err);
    }
    cl_fig_free(f);
    free(v);
    free(mark);
    return rc;
}

int cl_fig_group_attention(const cl_group_attention_result *r, const char *dir, cl_error *err) {
    char path[4096], base[4400];
    int rc = 0;
    for (int k = 0; k < r->n && !rc; k++) {
        cl_path_join(path, sizeof path, dir, r->models[k].name);
        snprintf(base, sizeof base, "%s_heads", path);
        rc = fig_heads(r, k, base, err);
        snprintf(base, sizeof base, "%s_lag", path);
        if (!rc) rc = fig_axis(r, k, 1, base, err);
        snprintf(base, sizeof base, "%s_noise", path);
        if (!rc) rc = fig_axis(r, k, 0, base, err);
    }
    return rc;
}
