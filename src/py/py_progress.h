/* py_progress.h — the flat entry points' progress callback (ctx, done, total) -> cancel,
 * simple to declare in ctypes, carried as the fn of the library's one progress type. */
#ifndef CL_PY_PROGRESS_H
#define CL_PY_PROGRESS_H

#include "chronolens_study.h"

typedef struct cl_py_progress_ctx { cl_py_progress fn; void *ctx; } cl_py_progress_ctx;

static inline int cl_py_progress_bridge(void *ctx, const char *stage, double done, double total) {
    (void)stage;
    const cl_py_progress_ctx *p = ctx;
    return p->fn(p->ctx, done, total);
}

/* A cl_progress calling fn(ctx, ...) through p (which must outlive its use); none without fn. */
static inline cl_progress cl_py_progress_of(cl_py_progress_ctx *p, cl_py_progress fn, void *ctx) {
    p->fn = fn;
    p->ctx = ctx;
    return fn ? (cl_progress){.fn = cl_py_progress_bridge, .ctx = p} : (cl_progress){0};
}

#endif
