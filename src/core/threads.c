/* threads.c — thread count for matrix products (OpenBLAS owns the worker threads). */
#include "chronolens.h"
#include <cblas.h>
#include <unistd.h>

void cl_set_threads(int n) {
    if (n <= 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        n = c > 0 ? (int)c : 1;
    }
    openblas_set_num_threads(n);
}

int cl_get_threads(void) { return openblas_get_num_threads(); }
