/* bolt_cli.h — `info` on a Chronos-Bolt model. */
#ifndef CL_BOLT_CLI_H
#define CL_BOLT_CLI_H

#include "chronolens.h"

/* `info` on a Bolt model: family, sizes, patch settings, quantiles. */
void bolt_info(const cl_model *m, const char *dir);
#endif
