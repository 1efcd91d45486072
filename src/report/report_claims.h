/* report_claims.h — the study's claims (method.md §2, §3) tested on one model's results, with
 * the numbers each verdict rests on. Reads the JSON files of the induction, sweep, multisine
 * and multisine-sweep commands; runs nothing. */
#ifndef CL_REPORT_CLAIMS_H
#define CL_REPORT_CLAIMS_H

#include <cjson/cJSON.h>

#define CL_CLAIMS 7
#define CL_CLAIM_NUMS 4

typedef struct cl_claim {
    const char *id;       /* short key, e.g. "strict" */
    const char *claim;    /* the claim in words */
    const char *test;     /* how the verdict is decided */
    int verdict;          /* 1 supported, 0 not supported, -1 cannot be decided */
    int n;                /* numbers used */
    const char *name[CL_CLAIM_NUMS];
    double value[CL_CLAIM_NUMS];
} cl_claim;

/* The claims for model `k` of induction.json / sweep.json / multisine.json (same model order)
 * and that model's multisine-sweep sweep.json (mss). Missing items give NaN numbers and
 * verdict -1. out: CL_CLAIMS entries. */
void cl_claims_eval(const cJSON *ind, const cJSON *sweep, const cJSON *ms, const cJSON *mss, int k, cl_claim *out);

/* Looks up a dotted path ("counts.cross.any.n") under o; NaN when missing or null. */
double cl_json_num(const cJSON *o, const char *path);

#endif
