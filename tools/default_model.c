/* default_model.c — where the bundled default model lives. Nothing absolute is compiled in:
 * $CHRONOLENS_MODEL wins; otherwise the model is looked up beside the running binary,
 * <bin>/../share/chronolens/models/chronos-nano (an installed copy: cmake --install) or
 * <bin>/share/chronolens/models/chronos-nano (a build folder: CMake links share/chronolens/models
 * to the source tree's models/). When neither exists, the installed path is returned, so the
 * error names where the model was expected. */
#include "cli.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CL_MODEL_SUBDIR "share/chronolens/models/chronos-nano"

static int has_config(const char *dir) {
    char p[PATH_MAX + 128];
    struct stat st;
    snprintf(p, sizeof p, "%s/config.json", dir);
    return stat(p, &st) == 0;
}

const char *cli_default_model(void) {
    const char *env = getenv("CHRONOLENS_MODEL");
    if (env && *env) return env;
    static char path[PATH_MAX + 64];
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return "models/chronos-nano"; /* no /proc: relative to the working folder */
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (slash) *slash = 0;
    snprintf(path, sizeof path, "%s/" CL_MODEL_SUBDIR, exe);
    if (has_config(path)) return path;
    snprintf(path, sizeof path, "%s/../" CL_MODEL_SUBDIR, exe);
    return path;
}
