/* fuzz_scores.c — the scores table of `chronolens claims` (src/study/common/scores_table.c):
 * rejected with a one-line "FILE:LINE: problem", or rows whose cells are in range; the
 * claims then run on them without failing. */
#include "chronolens.h"
#include "claims/claims.h"
#include "study/common/scores_table.h"
#include "fuzz_util.h"

#include <math.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    cl_scores t;
    cl_error err;
    if (cl_scores_parse((const char *)data, size, "fuzz.csv", &t, &err) != 0) {
        CHECK(err.msg[0] && !strchr(err.msg, '\n'));
        CHECK(t.n == 0 && t.rows == NULL);
        return 0;
    }
    CHECK(t.n >= 1);
    for (int i = 0; i < t.n; i++) {
        const cl_score_row *r = &t.rows[i];
        CHECK(r->reps >= 2 && r->seq_len >= 2 && r->layer >= 0 && r->head >= 0);
        CHECK(r->criterion >= 0 && r->criterion < CL_NCRIT && r->sampling >= 0 && r->sampling < CL_NSAMPLING);
        CHECK(isfinite(r->mean) && (r->n == 0 || (r->n >= 1 && r->std >= 0)));
    }
    cl_verdicts v;
    CHECK(cl_claims_run(&t, NULL, NULL, &v, &err) == 0);
    for (int i = 0; i < v.n; i++) CHECK(v.v[i].verdict >= -1 && v.v[i].verdict <= 1 && v.v[i].reason[0]);
    cl_verdicts_free(&v);
    cl_scores_free(&t);
    return 0;
}
