/* fig_offsets.c — how much of the induction scores survives misalignment to the patch grid:
 * per model, the best heads' scores and the counts above threshold against the offset. */
#include "report/fig_offsets.h"
#include "report/plot.h"
#include "core/core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int *sort_key;
static int by_offset(const void *a, const void *b) {
    int x = sort_key[*(const int *)a], y = sort_key[*(const int *)b];
    return (x > y) - (x < y);
}

static double max_mean(const cl_stat *s, int n) {
    double x = 0;
    for (int i = 0; i < n; i++) x = s[i].mean > x ? s[i].mean : x;
    return x;
}

int cl_fig_offsets(const cl_rrp_offsets_set *s, const char *dir, cl_error *err) {
    if (s->done) return cl_error_set(err, CL_EINVAL, "offsets figure: a part of a sharded run (merge the parts)");
    const int no = s->n_off, RH = 300;
    int order[CL_RRP_MAX_OFFSETS];
    for (int j = 0; j < no; j++) order[j] = j;
    sort_key = s->offsets;
    qsort(order, (size_t)no, sizeof order[0], by_offset); /* lines left to right */
    /* per model: x, 4 score lines, 2 count lines, the threshold (2 points) */
    double *v = malloc(sizeof(double) * (size_t)no * 7);
    cl_fig *f = cl_fig_new(900, 30 + RH * (s->n > 0 ? s->n : 1));
    int rc = (!v || !f) ? cl_error_set(err, CL_ENOMEM, "offsets figure: out of memory") : 0;
    if (!rc) cl_fig_title(f, "Repeated random patches with the repeated block shifted against the patch grid");
    static const char *SL[4] = {"cross-attention, current", "cross-attention, to right", "encoder, current",
                                "encoder, to right"};
    static const char *CL[2] = {"cross-attention", "encoder"};
    for (int k = 0; k < s->n && !rc; k++) {
        double *x = v, *y = v + no, tx[2], ty[2];
        int heads_c = 0, heads_e = 0;
        for (int q = 0; q < no; q++) {
            const cl_induction_result *r = &s->res[k * no + order[q]];
            const int nc = r->layers * r->heads, ne = r->enc_layers * r->heads;
            heads_c = nc;
            heads_e = ne;
            x[q] = s->offsets[order[q]];
            y[0 * no + q] = max_mean(r->cur, nc);
            y[1 * no + q] = max_mean(r->right, nc);
            y[2 * no + q] = max_mean(r->enc_cur, ne);
            y[3 * no + q] = max_mean(r->enc_right, ne);
            y[4 * no + q] = r->cross[CL_ANY].n;
            y[5 * no + q] = r->enc[CL_ANY].n;
        }
        tx[0] = x[0] - 0.5;
        tx[1] = x[no - 1] + 0.5;
        ty[0] = ty[1] = s->opts.threshold;
        /* encoder lines wide and pale underneath, cross-attention lines on top: where the two
         * stacks score the same (a planted circuit) both stay visible */
        cl_series sc[5], sn[2];
        static const int draw[4] = {2, 3, 0, 1}; /* encoder current, right, cross current, right */
        for (int q = 0; q < 4; q++) {
            const int a = draw[q];
            sc[q] = (cl_series){.x = x, .y = y + (size_t)a * no, .n = no, .label = SL[a], .style = CL_LINEDOTS,
                                .width = a >= 2 ? 3.5 : 0, .alpha = a >= 2 ? 0.55 : 0};
            cl_palette(a, sc[q].rgb);
        }
        sc[4] = (cl_series){.x = tx, .y = ty, .n = 2, .label = "threshold", .style = CL_LINE, .rgb = {0.6, 0.6, 0.6}, .width = 1};
        for (int q = 0; q < 2; q++) {
            const int a = 1 - q; /* encoder first, underneath */
            sn[q] = (cl_series){.x = x, .y = y + (size_t)(4 + a) * no, .n = no, .label = CL[a], .style = CL_LINEDOTS,
                                .width = a ? 3.5 : 0, .alpha = a ? 0.55 : 0};
            cl_palette(2 * a, sn[q].rgb);
        }
        char t1[400], t2[400];
        snprintf(t1, sizeof t1, "%s: largest mean score over heads", s->models[k].name);
        snprintf(t2, sizeof t2, "%s: heads >= %.2g (of %d cross, %d encoder)", s->models[k].name, s->opts.threshold, heads_c,
                 heads_e);
        const double top = 60 + (double)RH * k;
        cl_axes a1 = {.title = t1, .xlabel = "offset (values)", .ylabel = "attention score", .xmin = tx[0], .xmax = tx[1],
                      .ymin = 0, .ymax = 1.05, .legend = 1};
        cl_fig_plot(f, (cl_rect){70, top, 360, RH - 90}, &a1, sc, 5);
        cl_axes a2 = {.title = t2, .xlabel = "offset (values)", .ylabel = "heads >= threshold", .xmin = tx[0], .xmax = tx[1],
                      .ymin = 0, .ymax = NAN, .legend = 1};
        cl_fig_plot(f, (cl_rect){510, top, 360, RH - 90}, &a2, sn, 2);
    }
    char base[4096];
    if (!rc) rc = cl_fig_save(f, cl_path_join(base, sizeof base, dir, "offsets"), err);
    cl_fig_free(f);
    free(v);
    return rc;
}
