/* report_claims.c — a report's scores table and its claims (report_claims.h). */
#include "report/report_claims.h"
#include "study/induction/sweep.h"
#include "core/core.h"

#include <limits.h>
#include <string.h>

int cl_report_claims(const char *dir, const cl_report_inputs *in, const char *const *models, int n_models,
                     cl_verdicts *out, cl_error *err) {
    char path[PATH_MAX];
    cl_scores all = {0}, t = {0};
    memset(out, 0, sizeof *out);
    int rc = cl_induction_scores(&in->ind, &all, NULL, err);
    if (!rc && in->ind_all.n) { /* an older report: no all-token step */
        rc = cl_induction_scores(&in->ind_all, &t, NULL, err);
        if (!rc) rc = cl_scores_merge(&all, &t, err);
        cl_scores_free(&t);
    }
    if (!rc) rc = cl_sweep_scores(&in->sweep, &t, NULL, err);
    if (!rc) rc = cl_scores_merge(&all, &t, err);
    cl_scores_free(&t);
    if (!rc) rc = cl_scores_write(cl_path_join(path, sizeof path, dir, "data/scores.csv"), &all, err);
    cl_ms_data ms = {0};
    /* each family's multisine results (Chronos-T5 and Chronos-Bolt read different inputs) */
    const cl_multisine_result *ref[3] = {in->ms.n ? &in->ms : NULL, in->ms_bolt.n ? &in->ms_bolt : NULL,
                                         in->ms_c2.n ? &in->ms_c2 : NULL},
                              *nb[3] = {in->ms_nb.n ? &in->ms_nb : NULL, in->ms_nb_bolt.n ? &in->ms_nb_bolt : NULL,
                                        in->ms_nb_c2.n ? &in->ms_nb_c2 : NULL};
    if (!rc) rc = cl_ms_data_from(ref, nb, 3, in->mss, models, n_models, &ms, err);
    if (!rc) rc = cl_claims_run(&all, &ms, NULL, out, err);
    if (!rc && in->ga.n) rc = cl_claims_group(&in->ga, NULL, out, err); /* Chronos-2: its group attention */
    if (!rc) rc = cl_verdicts_write_json(cl_path_join(path, sizeof path, dir, "data/claims.json"), out, err);
    if (!rc) rc = cl_verdicts_write_csv(cl_path_join(path, sizeof path, dir, "data/claims.csv"), out, err);
    cl_ms_data_free(&ms);
    cl_scores_free(&all);
    return rc;
}
