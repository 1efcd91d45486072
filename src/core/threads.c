/* threads.c — chronolens' own thread pool. OpenBLAS runs single-threaded inside each call;
 * parallelism comes from splitting work across the pool: large products by rows (or by
 * output columns when there are few rows), attention by (batch, head). One pool for all
 * work means no two thread pools fighting over the cores (OpenBLAS's workers spin after
 * each call, which on a 2-core machine steals time from whatever runs next).
 * Workers spin briefly for the next job, then sleep on a condition variable. */
#include "core.h"
#include <cblas.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#define MAX_POOL 64
#define SPIN 4000

typedef struct {
    void (*fn)(void *, int, int);
    void *ctx;
    int n;
    atomic_int next;
    atomic_int pending; /* workers still inside this job */
} job;

static struct {
    pthread_mutex_t mu;
    pthread_cond_t start, done;
    pthread_t th[MAX_POOL];
    int started;               /* workers alive */
    int want;                  /* threads per job, caller included */
    atomic_uint generation;
    job *cur;
    pthread_mutex_t busy;      /* one job at a time; others run serially */
} P = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, {0}, 0, 1, 0, NULL,
       PTHREAD_MUTEX_INITIALIZER};

static void run_tasks(job *j, int tid) {
    for (int i; (i = atomic_fetch_add(&j->next, 1)) < j->n;) j->fn(j->ctx, i, tid);
}

static unsigned start_gen[MAX_POOL];

static void *worker(void *arg) {
    int tid = (int)(intptr_t)arg;
    /* the generation current when this worker was created (jobs may start before the
     * thread first runs: reading P.generation here would skip them and deadlock) */
    unsigned seen = start_gen[tid];
    for (;;) {
        for (int k = 0; k < SPIN && atomic_load_explicit(&P.generation, memory_order_acquire) == seen; k++)
            __builtin_ia32_pause();
        if (atomic_load(&P.generation) == seen) {
            pthread_mutex_lock(&P.mu);
            while (atomic_load(&P.generation) == seen) pthread_cond_wait(&P.start, &P.mu);
            pthread_mutex_unlock(&P.mu);
        }
        seen = atomic_load(&P.generation);
        job *j = P.cur;
        if (tid < P.want) run_tasks(j, tid);
        if (atomic_fetch_sub(&j->pending, 1) == 1) {
            pthread_mutex_lock(&P.mu);
            pthread_cond_signal(&P.done);
            pthread_mutex_unlock(&P.mu);
        }
    }
    return NULL;
}

void cl_set_threads(int n) {
    if (n <= 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        n = c > 0 ? (int)c : 1;
    }
    if (n > MAX_POOL) n = MAX_POOL;
    openblas_set_num_threads(1);
    pthread_mutex_lock(&P.busy);
    while (P.started < n - 1) {
        start_gen[P.started + 1] = atomic_load(&P.generation);
        if (pthread_create(&P.th[P.started], NULL, worker, (void *)(intptr_t)(P.started + 1)) != 0) break;
        pthread_detach(P.th[P.started]);
        P.started++;
    }
    P.want = n <= P.started + 1 ? n : P.started + 1;
    pthread_mutex_unlock(&P.busy);
}

int cl_get_threads(void) { return P.want; }
int cl_pool_threads(void) { return P.want > 0 ? P.want : 1; }

void cl_parallel_for(int n, void (*fn)(void *ctx, int i, int tid), void *ctx) {
    if (n <= 0) return;
    if (P.want <= 1 || n == 1 || pthread_mutex_trylock(&P.busy) != 0) {
        /* single thread, one task, or the pool is busy (a nested or concurrent call) */
        for (int i = 0; i < n; i++) fn(ctx, i, 0);
        return;
    }
    job j = {.fn = fn, .ctx = ctx, .n = n};
    atomic_init(&j.next, 0);
    atomic_init(&j.pending, P.started);
    pthread_mutex_lock(&P.mu);
    P.cur = &j;
    atomic_fetch_add_explicit(&P.generation, 1, memory_order_release);
    pthread_cond_broadcast(&P.start);
    pthread_mutex_unlock(&P.mu);
    run_tasks(&j, 0);
    for (int k = 0; k < SPIN * 4 && atomic_load(&j.pending) > 0; k++) __builtin_ia32_pause();
    if (atomic_load(&j.pending) > 0) {
        pthread_mutex_lock(&P.mu);
        while (atomic_load(&j.pending) > 0) pthread_cond_wait(&P.done, &P.mu);
        pthread_mutex_unlock(&P.mu);
    }
    pthread_mutex_unlock(&P.busy);
}
