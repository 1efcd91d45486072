/* patching.h — activation patching over layer x head (x position) (patching.c): its options,
 * run and result are in chronolens_study.h (cl_patching_*). */
#ifndef CL_PATCHING_H
#define CL_PATCHING_H

#include "chronolens_study.h"

#endif
