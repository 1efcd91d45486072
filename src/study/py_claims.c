/* py_claims.c — flat entry point (chronolens_study.h) of the claims: the JSON files of the
 * commands read back, cl_claims_eval, the verdicts in plain arrays. */
#include "chronolens_study.h"
#include "../core/core.h"
#include "../report/report_claims.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

_Static_assert(CL_PY_CLAIMS == CL_CLAIMS && CL_PY_CLAIM_NUMS == CL_CLAIM_NUMS, "claims table sizes");

/* NULL path: *out = NULL (that study was not run) */
static int load(const char *path, cJSON **out, cl_error *err) {
    *out = NULL;
    if (!path) return 0;
    char *text;
    size_t len;
    int rc = cl_read_file(path, (size_t)1 << 30, &text, &len, err);
    if (rc) return rc;
    *out = cJSON_ParseWithLength(text, len);
    free(text);
    if (!*out || !cJSON_IsObject(*out)) {
        cJSON_Delete(*out);
        *out = NULL;
        return cl_error_set(err, CL_EFORMAT, "%s: not a JSON object", path);
    }
    return 0;
}

int cl_py_claims(const char *induction_json, const char *sweep_json, const char *multisine_json,
                 const char *mss_json, int k, const char **text, int *verdict, int *n, const char **names,
                 double *values, cl_error *err) {
    if (k < 0) return cl_error_set(err, CL_EINVAL, "claims: model index %d: must be >= 0", k);
    cJSON *j[4] = {0};
    const char *p[4] = {induction_json, sweep_json, multisine_json, mss_json};
    int rc = 0;
    for (int i = 0; i < 4 && !rc; i++) rc = load(p[i], &j[i], err);
    if (!rc) {
        cl_claim c[CL_CLAIMS];
        cl_claims_eval(j[0], j[1], j[2], j[3], k, c);
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
    for (int i = 0; i < 4; i++) cJSON_Delete(j[i]);
    return rc;
}
