/* report_claims.h — the claims of a report (method.md §5): its scores table is assembled from
 * the steps' scores.csv files and written to data/scores.csv, and the claims are computed from
 * it by src/study/claims.c — the same code as `chronolens claims --scores data/scores.csv
 * --multisine data`, so a report's claims can be recomputed from its data folder. */
#ifndef CL_REPORT_CLAIMS_H
#define CL_REPORT_CLAIMS_H

#include "../study/claims.h"

#include <cjson/cJSON.h>

/* dir: the report folder. Merges data/induction/scores.csv, data/induction-all/scores.csv
 * (when present) and data/sweep/scores.csv — the first file's row wins where two hold the
 * same key (the induction step's R = 2, L = 10) — into data/scores.csv; reads the multisine
 * results under data/; fills out and writes data/claims.json and data/claims.csv. */
int cl_report_claims(const char *dir, const char *const *models, int n_models, cl_verdicts *out, cl_error *err);

/* Looks up a dotted path ("counts.cross.any.n") under o; NaN when missing or null. */
double cl_json_num(const cJSON *o, const char *path);

#endif
