/* family_check.c — see family_check.h. */
#include "study/common/family_check.h"

int cl_study_refuse_chronos2(const cl_model *m, const char *dir, const char *what, cl_error *err) {
    if (!cl_model_is_chronos2(m)) return 0;
    return cl_error_set(err, CL_EINVAL, "%s: is a Chronos-2 model; %s runs Chronos-T5 and Chronos-Bolt models only "
                        "(Chronos-2: info, forward)", dir ? dir : "model", what);
}
