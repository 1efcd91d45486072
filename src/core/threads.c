/* threads.c — the thread count. OpenBLAS stays single-threaded: chronolens splits the
 * work itself over its pool (pool.c), so only one set of threads competes for the cores
 * (OpenBLAS's own workers spin after each call, stealing time from whatever runs next). */
#include "core/core.h"
#include <cblas.h>
#include <unistd.h>

#define MAX_THREADS 64

static int n_threads = 1;

void cl_set_threads(int n) {
    if (n <= 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        n = c > 0 ? (int)c : 1;
    }
    if (n > MAX_THREADS) n = MAX_THREADS;
    openblas_set_num_threads(1);
    n_threads = n;
}

/* Called before every product: OpenBLAS splitting a product over its own threads would sum
 * it in an order that depends on its thread count. A program around the library (numpy
 * shares this OpenBLAS; threadpoolctl) may raise that count at any time, and a program that
 * never called cl_set_threads starts with OpenBLAS's default (all cores). */
void cl_blas_serial(void) {
    if (openblas_get_num_threads() != 1) openblas_set_num_threads(1);
}

int cl_get_threads(void) { return n_threads; }
int cl_pool_threads(void) { return n_threads; }
