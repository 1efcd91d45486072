/* alloc.c — aligned, bounded allocation. */
#include "core/core.h"
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The largest single request honoured: CL_MAX_ALLOC, and at most half of this machine's
 * physical memory (a larger block would only be granted by overcommit and then get the
 * process killed when touched; refusing it gives the caller a clear error instead). */
size_t cl_alloc_limit(void) {
    static size_t limit;
    if (!limit) {
        long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
        size_t half = pages > 0 && psize > 0 ? (size_t)pages / 2 * (size_t)psize : CL_MAX_ALLOC;
        limit = half < CL_MAX_ALLOC ? half : CL_MAX_ALLOC;
    }
    return limit;
}

/* Blocks of HUGE_MIN bytes or more (activations, kept maps, bf16 weights) start on a 2 MiB
 * boundary and are marked MADV_HUGEPAGE: where transparent huge pages are enabled (even
 * "madvise" only, as Debian ships them), their first touch faults once per 2 MiB instead of
 * once per 4 KiB page. Each fault costs microseconds in a virtual machine: before this, page
 * faults took 15-22 % of a whole small induction run (docs/benchmarks.md). The contents and
 * every result are unchanged; at most 2 MiB of address space per block is spent on the
 * alignment. Smaller blocks stay 64-byte aligned (cache lines, AVX-512 loads). */
#define HUGE_PAGE ((size_t)2 << 20)
#define HUGE_MIN ((size_t)4 << 20)

void *cl_alloc(size_t n) {
    if (n == 0) n = 64;
    if (n > cl_alloc_limit()) return NULL;
    void *p = NULL;
    size_t r = (n + 63) & ~(size_t)63;
    if (r >= HUGE_MIN) {
        r = (r + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
        if (posix_memalign(&p, HUGE_PAGE, r) != 0) return NULL;
#ifdef MADV_HUGEPAGE
        madvise(p, r, MADV_HUGEPAGE); /* advice only: refused (no THP), the block works as is */
#endif
        return p;
    }
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
