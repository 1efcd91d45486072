/* py_claims.c — flat entry point (chronolens_study.h) of the claims: the same library call as
 * `chronolens claims` (cl_claims_from_files), its verdicts written as claims.json. */
#include "chronolens_study.h"
#include "claims/claims.h"

int cl_py_claims(const char *scores, const char *msdir, double threshold, double alpha, const char *json_path,
                 cl_error *err) {
    if (!scores || !json_path) return cl_error_set(err, CL_EINVAL, "claims: a scores table and an output path are needed");
    if (!(threshold >= 0 && threshold <= 1)) return cl_error_set(err, CL_EINVAL, "claims: threshold %g: must be in [0, 1]", threshold);
    if (!(alpha > 0 && alpha <= 0.5)) return cl_error_set(err, CL_EINVAL, "claims: alpha %g: must be in (0, 0.5]", alpha);
    cl_claims_opts o;
    cl_claims_default(&o);
    o.threshold = threshold;
    o.alpha = alpha;
    cl_verdicts v = {0};
    int rc = cl_claims_from_files(scores, msdir, &o, &v, err);
    if (!rc) rc = cl_verdicts_write_json(json_path, &v, err);
    cl_verdicts_free(&v);
    return rc;
}
