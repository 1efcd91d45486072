/* alloc.c — aligned, bounded allocation. */
#include "core.h"
#include <stdlib.h>
#include <string.h>

void *cl_alloc(size_t n) {
    if (n == 0) n = 64;
    if (n > CL_MAX_ALLOC) return NULL;
    void *p = NULL;
    size_t r = (n + 63) & ~(size_t)63;
    if (posix_memalign(&p, 64, r) != 0) return NULL;
    return p;
}

void *cl_calloc(size_t n) {
    void *p = cl_alloc(n);
    if (p) memset(p, 0, n);
    return p;
}

void cl_free(void *p) { free(p); }

int cl_mul_size(size_t a, size_t b, size_t *out) {
    if (a != 0 && b > SIZE_MAX / a) return -1;
    *out = a * b;
    return 0;
}
