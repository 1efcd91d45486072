/* formation.c — the RRT summary of one checkpoint (see formation.h). */
#include "study/formation/formation.h"
#include "study/common/rrt.h"

int cl_formation_rrt(const cl_model *m, uint64_t seed, cl_formation_point *pt, cl_error *err) {
    cl_rrt_opts o;
    int rc = cl_rrt_default(cl_model_config(m), &o, err);
    if (rc) return rc;
    o.seed = seed;
    cl_state *s;
    if ((rc = cl_state_new(m, &s, err))) return rc;
    cl_rrt_scores sc;
    rc = cl_rrt_cross_scores(s, &o, &sc, err);
    cl_state_free(s);
    if (rc) return rc;
    pt->max_cur = pt->max_right = 0;
    pt->n_cur = pt->n_right = pt->n_any = 0;
    for (int i = 0; i < sc.layers * sc.heads; i++) {
        float c = sc.cur_mean[i], r = sc.right_mean[i];
        if (c > pt->max_cur) pt->max_cur = c;
        if (r > pt->max_right) pt->max_right = r;
        pt->n_cur += c >= CL_INDUCTION_THRESHOLD;
        pt->n_right += r >= CL_INDUCTION_THRESHOLD;
        pt->n_any += c >= CL_INDUCTION_THRESHOLD || r >= CL_INDUCTION_THRESHOLD;
    }
    cl_rrt_scores_free(&sc);
    return 0;
}
