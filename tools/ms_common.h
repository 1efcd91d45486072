/* ms_common.h — what the multisine and multisine-sweep commands share: the output folder and
 * the spacing options both take. */
#ifndef CL_MS_COMMON_H
#define CL_MS_COMMON_H

#include "chronolens_study.h"

/* The spacing options both commands accept (--min-strength, --harmonic-ratio). */
int ms_opt_spacing(int argc, char **argv, int *i, cl_spacing_opts *o);

#endif
