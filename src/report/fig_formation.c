/* formation_plot.c — the induction-head formation figure: four panels against the step, on a
 * log scale (log10(1 + step)): heads form in the first few hundred steps of tens of thousands. */
#include "study/formation/formation.h"
#include "report/plot.h"

#include <math.h>
#include <stdlib.h>

int cl_formation_plot(const cl_formation_point *p, int n, const double *tstep, const double *tloss, int nt,
                      const char *base, cl_error *err) {
    double *x = malloc(sizeof(double) * (size_t)(n ? n : 1) * 8);
    if (!x) return cl_error_set(err, CL_ENOMEM, "formation plot: out of memory");
    double *ev = x + n, *cur = x + 2 * n, *right = x + 3 * n, *ncur = x + 4 * n, *nright = x + 5 * n,
           *icl = x + 6 * n, *thr = x + 7 * n;
    for (int i = 0; i < n; i++) {
        x[i] = p[i].step; ev[i] = p[i].eval_loss; cur[i] = p[i].max_cur; right[i] = p[i].max_right;
        ncur[i] = p[i].n_cur; nright[i] = p[i].n_right; icl[i] = p[i].icl; thr[i] = CL_INDUCTION_THRESHOLD;
    }
    const double W = 980, H = 720, pw = 390, ph = 290;
    cl_fig *f = cl_fig_new(W, H);
    cl_fig_title(f, "Induction heads forming during training (RRT L=10, R=2, 100 sequences)");
    const double none[3] = {-1, -1, -1}, grey[3] = {0.5, 0.5, 0.5};
#define S(xx, yy, nn, lab, sty, col) (cl_series){xx, yy, NULL, nn, lab, sty, {col[0], col[1], col[2]}, 0, 0}
    cl_series loss[2] = {S(tstep, tloss, nt, "training loss", CL_LINE, none), S(x, ev, n, "held-out loss", CL_LINEDOTS, none)};
    cl_axes a1 = {"Loss (mean token cross-entropy)", "step (log scale)", "loss", NAN, NAN, NAN, NAN, 1, NULL, 0, 1, 0, 0};
    cl_fig_plot(f, (cl_rect){70, 50, pw, ph}, &a1, loss, 2);
    cl_series rrt[3] = {S(x, cur, n, "max current-token score", CL_LINEDOTS, none),
                        S(x, right, n, "max token-to-right score", CL_LINEDOTS, none),
                        S(x, thr, n, "threshold 0.3", CL_LINE, grey)};
    cl_axes a2 = {"RRT cross-attention scores (max over heads)", "step (log scale)", "mean attention", NAN, NAN, 0, 1, 2, NULL, 0, 1, 0, 0};
    cl_fig_plot(f, (cl_rect){575, 50, pw, ph}, &a2, rrt, 3);
    cl_series cnt[2] = {S(x, ncur, n, "heads >= 0.3 (current token)", CL_LINEDOTS, none),
                        S(x, nright, n, "heads >= 0.3 (token to right)", CL_LINEDOTS, none)};
    double top = 1;
    for (int i = 0; i < n; i++) top = fmax(top, fmax(ncur[i], nright[i]));
    /* headroom above the highest count for the legend (top left) */
    cl_axes a3 = {"Induction heads (count, mean score >= 0.3)", "step (log scale)", "heads", NAN, NAN, 0, 1.4 * top + 0.5, 2, NULL, 0, 1, 0, 0};
    a3.yint = 1;
    cl_fig_plot(f, (cl_rect){70, 400, pw, ph}, &a3, cnt, 2);
    cl_series ic[1] = {S(x, icl, n, "loss late - loss early", CL_LINEDOTS, none)};
    cl_axes a4 = {"In-context learning score (held-out horizon)", "step (log scale)", "nats", NAN, NAN, NAN, NAN, 1, NULL, 0, 1, 0, 0};
    cl_fig_plot(f, (cl_rect){575, 400, pw, ph}, &a4, ic, 1);
#undef S
    int rc = cl_fig_save(f, base, err);
    cl_fig_free(f);
    free(x);
    return rc;
}
