/* clock.c — the one monotonic clock of chronolens (run times, progress rates). */
#include "core/core.h"
#include <time.h>

double cl_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}
