/* report_claims.h — the claims of a report (method.md §5) from its typed results: the scores
 * table of the induction steps and the sweep (data/scores.csv) and the multisine results go
 * to the claims module (src/claims/claims.c) — the same code as `chronolens claims --scores
 * data/scores.csv --multisine data`, so a report's claims can be recomputed from its data
 * folder. Runs no model. */
#ifndef CL_REPORT_CLAIMS_H
#define CL_REPORT_CLAIMS_H

#include "report/report_html.h"
#include "claims/claims.h"

/* Merges the rows of in->ind, in->ind_all (when run) and in->sweep — the first source wins
 * where two hold the same key (the induction step's R = 2, L = 10) — into dir/data/scores.csv,
 * decides the claims on it and on in->ms, in->ms_nb, in->mss (out: cl_verdicts_free), and
 * writes dir/data/claims.json and claims.csv. */
int cl_report_claims(const char *dir, const cl_report_inputs *in, const char *const *models, int n_models,
                     cl_verdicts *out, cl_error *err);

#endif
