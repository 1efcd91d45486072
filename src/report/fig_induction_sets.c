/* fig_induction_sets.c — the figures of an induction or sweep study over several models:
 * per model the mosaics (cross-attention, encoder) and the sweep heatmap and lines, and one
 * layer-distribution strip plot of all models. */
#include "report/fig_induction.h"
#include "study/induction/induction.h"
#include "study/common/scores_table.h"

#include <stdio.h>
#include <math.h>
#include <stdlib.h>

static float *to_float(const cl_stat *s, int n) {
    float *f = malloc(sizeof(float) * (size_t)n);
    for (int i = 0; f && i < n; i++) f[i] = (float)s[i].mean;
    return f;
}

int cl_fig_induction_set(const cl_induction_set *s, const char *dir, cl_error *err) {
    const cl_induction_result *r = s->res;
    char base[4096], title[512];
    int rc = 0;
    int ng = 2 * s->n, nd = 0;
    cl_depth_group *g = calloc((size_t)ng, sizeof *g);
    char (*lab)[300] = calloc((size_t)ng, sizeof *lab);
    double **dd = calloc((size_t)ng, sizeof(double *));
    if (!g || !lab || !dd) rc = cl_error_set(err, CL_ENOMEM, "figures: out of memory");
    for (int k = 0; k < s->n && !rc; k++) {
        const cl_induction_result *x = &r[k];
        for (int st = 0; st < 2 && !rc; st++) { /* 0: cross-attention, 1: encoder self-attention */
            int nl = st ? x->enc_layers : x->layers, n = nl * x->heads;
            float *a = to_float(st ? x->enc_cur : x->cur, n), *b = to_float(st ? x->enc_right : x->right, n);
            if (!a || !b) rc = cl_error_set(err, CL_ENOMEM, "figures: out of memory");
            snprintf(base, sizeof base, "%s/mosaic_%s%s", dir, st ? "encoder_" : "", s->models[k].name);
            snprintf(title, sizeof title, "%s: %s induction scores", s->models[k].name,
                     st ? "encoder self-attention" : "decoder cross-attention");
            if (!rc) rc = cl_fig_induction_mosaic(base, title, a, b, nl, x->heads, x->threshold, x->bolt ? "patch" : "token", err);
            free(a); free(b);
            if (st == 0 && !rc) { /* every occurrence: the sums over the R earlier occurrences */
                a = to_float(x->cur_all, n);
                b = to_float(x->right_all, n);
                if (!a || !b) rc = cl_error_set(err, CL_ENOMEM, "figures: out of memory");
                snprintf(base, sizeof base, "%s/mosaic_all_%s", dir, s->models[k].name);
                snprintf(title, sizeof title, "%s: cross-attention, sums over every earlier occurrence", s->models[k].name);
                if (!rc) rc = cl_fig_induction_mosaic(base, title, a, b, nl, x->heads, x->threshold, x->bolt ? "patch" : "token", err);
                free(a); free(b);
            }
        }
        for (int c = 0; c < 2 && !rc; c++, nd++) {
            dd[nd] = malloc(sizeof(double) * (size_t)(x->layers * x->heads + 1));
            if (!dd[nd]) { rc = cl_error_set(err, CL_ENOMEM, "figures: out of memory"); break; }
            g[nd].n = cl_induction_depths(x, c, dd[nd]);
            g[nd].depth = dd[nd];
            snprintf(lab[nd], sizeof lab[nd], "%s %s", s->models[k].name, c ? "right" : "current");
            g[nd].label = lab[nd];
        }
    }
    if (!rc) {
        snprintf(base, sizeof base, "%s/layer_distribution", dir);
        rc = cl_fig_layer_distribution(base, "Depth of the induction heads (decoder cross-attention)", g, nd, err);
    }
    for (int i = 0; dd && i < nd; i++) free(dd[i]);
    free(dd); free(lab); free(g);
    return rc;
}

int cl_fig_sweep_set(const cl_sweep_set *s, const int *heads, const char *dir, cl_error *err) {
    const cl_sweep_result *r = s->res;
    const int *reps = s->reps, *lens = s->lens, nr = s->n_reps, nl = s->n_lens;
    const size_t n = (size_t)nr * nl;
    float *fc = malloc(sizeof(float) * n * 2);
    double *d = malloc(sizeof(double) * n * 4);
    char base[4096], title[512];
    int rc = (!fc || !d) ? cl_error_set(err, CL_ENOMEM, "figures: out of memory") : 0;
    for (int k = 0; k < s->n && !rc; k++) {
        for (size_t i = 0; i < n; i++) {
            const cl_sweep_cell *x = &r[k].cells[i];
            const int run = cl_sweep_cell_run(&r[k], (int)i); /* not run (too long): grey, no point */
            fc[i] = run ? (float)x->cross[CL_CUR].mean : NAN;
            fc[n + i] = run ? (float)x->cross[CL_RIGHT].mean : NAN;
            d[i] = run ? x->cross[CL_CUR].mean : NAN;
            d[n + i] = run ? x->cross[CL_CUR].std : NAN;
            d[2 * n + i] = run ? x->cross[CL_RIGHT].mean : NAN;
            d[3 * n + i] = run ? x->cross[CL_RIGHT].std : NAN;
        }
        snprintf(base, sizeof base, "%s/sweep_%s", dir, s->models[k].name);
        snprintf(title, sizeof title, "%s: cross-attention heads >= threshold (of %d)", s->models[k].name,
                 heads[k]);
        const char *unit = s->models[k].sampling == CL_SAMPLING_PATCHES ? "patch" : "token";
        rc = cl_fig_sweep_heatmap(base, title, fc, fc + n, reps, nr, lens, nl, heads[k], unit, err);
        snprintf(base, sizeof base, "%s/sweep_lines_%s", dir, s->models[k].name);
        if (!rc) rc = cl_fig_sweep_lines(base, title, d, d + n, d + 2 * n, d + 3 * n, reps, nr, lens, nl, unit, err);
    }
    free(fc); free(d);
    return rc;
}
