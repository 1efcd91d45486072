/* pool.c — chronolens' one thread pool (cl_parallel_for): products split into row or
 * column blocks, attention split by (batch, head), few-row decoding products cut into
 * panels (~60 jobs per decoder step). OpenBLAS runs single-threaded inside every item.
 * Workers are persistent and sleep between jobs (starting and joining threads per call
 * stalled decoding on a loaded machine: 2 threads twice as slow as 1). Items are
 * handed out one at a time and the caller works too: a worker that wakes late finds the
 * job done and costs nothing. Items are claimed with a compare-and-swap on (job, next) so a
 * late worker cannot run an item of a newer job with an older job's function. Results do
 * not depend on which thread ran an item. */
#include "core/core.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#define POOL_MAX 64
#define POOL_SPIN 20000 /* pause instructions, roughly 50-100 us */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER, finished = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t run_mu = PTHREAD_MUTEX_INITIALIZER; /* one job at a time */
static int nworkers;
static uint32_t job_id;                      /* guarded by mu */
static void (*job_fn)(void *, int, int);
static void *job_arg;
static int job_n, job_threads;            /* items; threads allowed (tid < job_threads) */
static _Atomic uint64_t cursor;              /* (job id << 32) | next item */
static _Atomic int done_items;

/* Claims the next item of job `id`; -1 when none is left (or the job is over). */
static int claim(uint32_t id, int n) {
    uint64_t cur = atomic_load(&cursor);
    for (;;) {
        if ((uint32_t)(cur >> 32) != id || (int)(uint32_t)cur >= n) return -1;
        if (atomic_compare_exchange_weak(&cursor, &cur, cur + 1)) return (int)(uint32_t)cur;
    }
}

static void run_items(uint32_t id, void (*fn)(void *, int, int), void *arg, int n, int tid) {
    int i;
    while ((i = claim(id, n)) >= 0) {
        fn(arg, i, tid);
        if (atomic_fetch_add(&done_items, 1) + 1 == n) {
            pthread_mutex_lock(&mu);
            pthread_cond_broadcast(&finished);
            pthread_mutex_unlock(&mu);
        }
    }
}

static void *worker(void *tidp) {
    const int tid = (int)(intptr_t)tidp;
    uint32_t seen = 0;
    for (;;) {
        /* jobs come in bursts (a decoder step is ~60 of them): spin briefly before
         * sleeping, so a job that follows at once is taken without a futex wake-up */
        for (int k = 0; k < POOL_SPIN && __atomic_load_n(&job_id, __ATOMIC_ACQUIRE) == seen; k++)
            __builtin_ia32_pause();
        pthread_mutex_lock(&mu);
        while (job_id == seen) pthread_cond_wait(&wake, &mu);
        seen = job_id;
        void (*fn)(void *, int, int) = job_fn;
        void *arg = job_arg;
        int n = job_n, allowed = tid < job_threads;
        pthread_mutex_unlock(&mu);
        if (allowed) run_items(seen, fn, arg, n, tid); /* workers beyond a lowered count sit out */
    }
    return NULL;
}

/* Starts workers up to `want` (they live until the process exits). */
static void ensure_workers(int want) {
    if (want > POOL_MAX) want = POOL_MAX;
    while (nworkers < want) {
        pthread_t t;
        if (pthread_create(&t, NULL, worker, (void *)(intptr_t)(nworkers + 1)) != 0) break;
        pthread_detach(t);
        nworkers++;
    }
}

void cl_parallel_for(int n, void (*fn)(void *, int, int), void *arg) {
    int threads = cl_get_threads();
    if (n <= 0) return;
    /* one thread, one item, or the pool already busy (a call from inside an item, or from
     * another thread of the caller's program): run here, serially */
    if (threads <= 1 || n == 1 || pthread_mutex_trylock(&run_mu) != 0) {
        for (int i = 0; i < n; i++) fn(arg, i, 0);
        return;
    }
    pthread_mutex_lock(&mu);
    ensure_workers(threads - 1);
    uint32_t id = job_id + 1;
    if (id == 0) id = 1; /* 0 is every worker's initial "seen" */
    __atomic_store_n(&job_id, id, __ATOMIC_RELEASE); /* spinning workers read it unlocked */
    job_fn = fn;
    job_arg = arg;
    job_n = n;
    job_threads = threads;
    atomic_store(&done_items, 0);
    atomic_store(&cursor, (uint64_t)id << 32);
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&mu);
    run_items(id, fn, arg, n, 0);
    /* the last items are usually a few microseconds from done on a running worker: spin
     * for them before sleeping (a futex sleep and wake-up per job was most of the hand-off
     * cost of a decoder step's ~40 short jobs) */
    for (int k = 0; k < POOL_SPIN && atomic_load(&done_items) < n; k++) __builtin_ia32_pause();
    pthread_mutex_lock(&mu);
    while (atomic_load(&done_items) < n) pthread_cond_wait(&finished, &mu);
    pthread_mutex_unlock(&mu);
    pthread_mutex_unlock(&run_mu);
}
