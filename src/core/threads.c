/* threads.c — the thread count. OpenBLAS stays single-threaded: chronolens splits the
 * work itself over its pool (pool.c), so only one set of threads competes for the cores
 * (OpenBLAS's own workers spin after each call, stealing time from whatever runs next). */
#include "core/core.h"
#include <cblas.h>
#include <sched.h>
#include <unistd.h>

#define MAX_THREADS 64

static int n_threads = 1;

/* The CPUs this process may run on: a Slurm task, a container's cpuset or `taskset` give
 * fewer than the machine has online, and more threads than that only contend. */
static int usable_cpus(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    return c > 0 ? (int)c : 1;
}

void cl_set_threads(int n) {
    if (n <= 0) n = usable_cpus();
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
