/* threads.c — thread count for matrix products, and a parallel-for for the work between
 * them (attention per head). OpenBLAS owns the threads of large products; inside
 * cl_parallel_for it is switched to one thread so per-head products run side by side. */
#include "core.h"
#include <cblas.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

static int n_threads = 1;

void cl_set_threads(int n) {
    if (n <= 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        n = c > 0 ? (int)c : 1;
    }
    n_threads = n;
    openblas_set_num_threads(n);
}

int cl_get_threads(void) { return n_threads; }
int cl_pool_threads(void) { return n_threads > 0 ? n_threads : 1; }

typedef struct {
    void (*fn)(void *, int, int);
    void *ctx;
    int n;
    atomic_int next;
} job;

typedef struct { job *j; int tid; } worker;

static void *work(void *arg) {
    worker *w = arg;
    job *j = w->j;
    for (int i; (i = atomic_fetch_add(&j->next, 1)) < j->n;) j->fn(j->ctx, i, w->tid);
    return NULL;
}

#define MAX_POOL 256

void cl_parallel_for(int n, void (*fn)(void *ctx, int i, int tid), void *ctx) {
    int nt = cl_pool_threads();
    if (nt > n) nt = n;
    if (nt > MAX_POOL) nt = MAX_POOL;
    if (nt <= 1) {
        for (int i = 0; i < n; i++) fn(ctx, i, 0);
        return;
    }
    job j = {.fn = fn, .ctx = ctx, .n = n};
    atomic_init(&j.next, 0);
    worker w[MAX_POOL];
    pthread_t th[MAX_POOL];
    int started = 0;
    openblas_set_num_threads(1);
    for (int t = 1; t < nt; t++) {
        w[t] = (worker){&j, t};
        if (pthread_create(&th[t], NULL, work, &w[t]) != 0) break; /* fewer threads: still correct */
        started = t;
    }
    w[0] = (worker){&j, 0};
    work(&w[0]);
    for (int t = 1; t <= started; t++) pthread_join(th[t], NULL);
    openblas_set_num_threads(n_threads);
}
