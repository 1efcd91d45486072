/* py_claims.c — flat entry point (chronolens_study.h) of the claims: the commands' output
 * folders read back by the studies' own readers into typed results, cl_claims_eval, the
 * verdicts in plain arrays. */
#include "chronolens_study.h"

#include <stdlib.h>
#include <string.h>

_Static_assert(CL_PY_CLAIMS == CL_CLAIMS && CL_PY_CLAIM_NUMS == CL_CLAIM_NUMS, "claims table sizes");

int cl_py_claims(const char *induction_dir, const char *sweep_dir, const char *multisine_dir, const char *mss_dir,
                 int k, const char **text, int *verdict, int *n, const char **names, double *values, cl_error *err) {
    if (k < 0) return cl_error_set(err, CL_EINVAL, "claims: model index %d: must be >= 0", k);
    /* a NULL folder: that study was not run (its claims are undecided) */
    cl_induction_set ind;
    cl_sweep_set sw;
    cl_multisine_result ms;
    cl_mssweep_result mss;
    memset(&ind, 0, sizeof ind);
    memset(&sw, 0, sizeof sw);
    memset(&ms, 0, sizeof ms);
    memset(&mss, 0, sizeof mss);
    int rc = 0;
    if (!rc && induction_dir) rc = cl_induction_read(induction_dir, &ind, err);
    if (!rc && sweep_dir) rc = cl_sweep_read(sweep_dir, &sw, err);
    if (!rc && multisine_dir) rc = cl_multisine_read(multisine_dir, &ms, err);
    if (!rc && mss_dir) rc = cl_mssweep_read(mss_dir, &mss, err);
    if (!rc) {
        cl_claim c[CL_CLAIMS];
        cl_claims_eval(induction_dir ? &ind : NULL, sweep_dir ? &sw : NULL, multisine_dir ? &ms : NULL,
                       mss_dir ? &mss : NULL, k, c);
        for (int i = 0; i < CL_CLAIMS; i++) {
            text[3 * i] = c[i].id;
            text[3 * i + 1] = c[i].claim;
            text[3 * i + 2] = c[i].test;
            verdict[i] = c[i].verdict;
            n[i] = c[i].n;
            for (int q = 0; q < CL_CLAIM_NUMS; q++) {
                names[CL_CLAIM_NUMS * i + q] = q < c[i].n ? c[i].name[q] : NULL;
                values[CL_CLAIM_NUMS * i + q] = q < c[i].n ? c[i].value[q] : 0;
            }
        }
    }
    cl_induction_set_free(&ind);
    cl_sweep_set_free(&sw);
    cl_multisine_free(&ms);
    cl_mssweep_free(&mss);
    return rc;
}
