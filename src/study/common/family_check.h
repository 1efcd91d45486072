/* family_check.h — the studies' refusal of a model family they do not run yet (Chronos-2:
 * info and forward only), one line naming the folder, before any work. */
#ifndef CL_FAMILY_CHECK_H
#define CL_FAMILY_CHECK_H

#include "chronolens.h"

/* 0, or CL_EINVAL "DIR: is a Chronos-2 model; WHAT runs Chronos-T5 and Chronos-Bolt models
 * only" when m is a Chronos-2 (dir NULL: "model"). */
int cl_study_refuse_chronos2(const cl_model *m, const char *dir, const char *what, cl_error *err);

#endif
