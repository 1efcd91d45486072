/* progress.c — the progress points where a run may be cancelled (cl_progress.fn answering non-zero). */
#include "chronolens.h"

int cl_progress_point(const cl_progress *p, const char *stage, double done, double total, cl_error *err) {
    if (!cl_progress_ask(p, stage, done, total)) return 0;
    return cl_error_set(err, CL_ECANCELED, "%s: cancelled", stage && *stage ? stage : "run");
}
