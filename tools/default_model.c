/* default_model.c — where the bundled default model lives. */
#include "cli.h"
#include <stdlib.h>

#ifndef CL_DEFAULT_MODEL
#define CL_DEFAULT_MODEL "models/chronos-nano"
#endif

const char *cli_default_model(void) {
    const char *env = getenv("CHRONOLENS_MODEL");
    return env && *env ? env : CL_DEFAULT_MODEL;
}
