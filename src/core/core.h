/* core.h — small shared helpers: errors, allocation, matrix products, threads, rng. */
#ifndef CL_CORE_H
#define CL_CORE_H

#include "chronolens.h"
#include "core/export.h"
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------ errors */
/* "<prefix>: <message>" (an error of a file that does not name it); returns err->code. */
CL_INTERNAL int cl_error_prefix(cl_error *err, const char *prefix);

/* ------------------------------------------------------------------ alloc */
/* 64-byte aligned allocation; NULL on failure or when n exceeds cl_alloc_limit(). */
#define CL_MAX_ALLOC ((size_t)16 << 30) /* 16 GiB: larger requests are refused */
/* min(CL_MAX_ALLOC, half the machine's physical memory): the largest single block. */
size_t cl_alloc_limit(void);
CL_INTERNAL void *cl_alloc(size_t n);
CL_INTERNAL void *cl_calloc(size_t n);
CL_INTERNAL void cl_free(void *p);
/* a*b (*c) with overflow check; returns 0 and sets *out on success. */
CL_INTERNAL int cl_mul_size(size_t a, size_t b, size_t *out);

/* ------------------------------------------------------------------ matmul */
/* C (M, N) = alpha * op(A) (M, K) · op(B) (K, N) + beta * C, row-major, via cblas_sgemm (gemm.c).
 * op(A) = A^T when transA (A stored (K, M): the backward pass's dW = dY^T · X);
 * op(B) = B^T when transB (B stored (N, K): a weight stored out x in, as in PyTorch).
 * lda/ldb/ldc are row strides. Adds 2*M*N*K to *flops when flops != NULL. */
CL_INTERNAL void cl_gemm(int transA, int transB, int M, int N, int K, float alpha, const float *A, int lda,
                         const float *B, int ldb, float beta, float *C, int ldc, double *flops);
/* 1 when cl_gemm runs oneDNN's sgemm, 0 for OpenBLAS's: chosen once per process from the CPU
 * (oneDNN on AVX-512), or by CHRONOLENS_GEMM=openblas|onednn (gemm.c). */
CL_INTERNAL int cl_gemm_onednn(void);
/* Tests and benchmarks: force the kernel (0 OpenBLAS, 1 oneDNN; -1 back to the choice). */
CL_INTERNAL void cl_gemm_force(int kernel);
/* cl_gemm with A not transposed (every forward product). */
static inline void cl_sgemm(int transB, int M, int N, int K, float alpha, const float *A, int lda,
                            const float *B, int ldb, float beta, float *C, int ldc, double *flops) {
    cl_gemm(0, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, flops);
}

/* How a product y (rows, out) = x (rows, in) · W^T is cut for the pool: `count` blocks of
 * `size` rows (by_rows) or output columns (the last one shorter), from the shape alone —
 * never from the thread count, so results do not depend on it (matmul.c). count = 1: one
 * call for the whole product. */
typedef struct cl_panels { int by_rows, size, count; } cl_panels;
#define CL_PANEL 128         /* rows (or output columns) of a panel */
#define CL_PANEL_WORK 2e6    /* rows*out*in below which a product is one call */
cl_panels cl_product_panels(int rows, int out, int in);

/* y (rows, out) = x (rows, in) · W^T, with W (out, in). beta=1 accumulates into y.
 * Cut into fixed panels (cl_product_panels) spread over the thread pool; with few rows (a
 * decoding step) into panels of output columns that OpenBLAS multiplies without packing
 * (cl_linear_few_ld). The result does not depend on the thread count. */
CL_INTERNAL void cl_linear(const float *x, int rows, int in, const float *W, int out, float beta, float *y,
                           double *flops);

/* The same with an output row stride ldy, tuned for few rows (a decoding step): W is cut
 * into panels that OpenBLAS multiplies without packing (see linear_few.c). */
void cl_linear_few(const float *x, int rows, int in, const float *W, int out, float beta, float *y, int ldy,
                   double *flops);
#define CL_FEW_ROWS 48
/* The same with row strides for x (ldx) and W (ldw): e.g. one head's columns. */
void cl_linear_few_ld(const float *x, int ldx, int rows, int in, const float *W, int ldw, int out, float beta,
                      float *y, int ldy, double *flops);
/* Products sharing x (rows, in) [ldx]: y_k (rows, out_k) [ldy_k] = x · W_k^T (+ y_k when
 * beta_k = 1), W_k (out_k, in) [ldw_k]; ldw 0 means in, ldy 0 means out. Each product cut
 * exactly as cl_linear_few_ld cuts it (same bits), all panels in one pool job (one hand-off
 * for a decoder step's q, k and v). */
typedef struct cl_few_prod {
    const float *W;
    int ldw, out;
    float beta;
    float *y;
    int ldy;
} cl_few_prod;
#define CL_FEW_MAX 16
void cl_linear_few_n(const float *x, int ldx, int rows, int in, int n, const cl_few_prod *p, double *flops);
/* y (M, N) [ldy] = x (M, K) [ldx] · W^T, W (N, K) [ldw] (+ beta * y): the few-row kernel
 * of a decoding step (gemm_few.c): this project's own AVX-512 dot products where the CPU has
 * AVX-512F/DQ (each output summed in one fixed order, whatever M and N), else cl_sgemm.
 * cl_gemm_few_own: 1 where it runs its own; 0 also when CHRONOLENS_GEMM forces a kernel.
 * cl_gemm_few_force (tests, benchmarks): 1 own, 0 cl_sgemm, -1 back to the choice. */
CL_INTERNAL void cl_gemm_few(int M, int N, int K, const float *x, int ldx, const float *W, int ldw, float beta,
                             float *y, int ldy, double *flops);
CL_INTERNAL int cl_gemm_few_own(void);
CL_INTERNAL void cl_gemm_few_force(int on);

/* ------------------------------------------------------------------ threads */
/* Runs fn(ctx, i, tid) for i in [0, n) on the pool (cl_pool_threads() threads, tid below
 * that), items handed out one at a time; returns when all are done (never waiting for a
 * worker that has not started an item). A call made while the pool is busy (from inside an
 * item, or from another thread) runs serially on the calling thread. OpenBLAS is
 * single-threaded: items call cl_sgemm freely. Results never depend on which thread ran
 * an item. */
CL_INTERNAL void cl_parallel_for(int n, void (*fn)(void *ctx, int i, int tid), void *ctx);
/* Number of threads cl_parallel_for uses (>= 1). */
int cl_pool_threads(void);
/* Keeps OpenBLAS single-threaded (threads.c); every product calls it first. */
CL_INTERNAL void cl_blas_serial(void);

/* ------------------------------------------------------------------ rng */
/* xoshiro256** seeded by splitmix64: deterministic across platforms. */
typedef struct cl_rng { uint64_t s[4]; } cl_rng;
CL_INTERNAL void cl_rng_seed(cl_rng *r, uint64_t seed);
uint64_t cl_rng_next(cl_rng *r);
CL_INTERNAL double cl_rng_uniform(cl_rng *r);           /* [0, 1) */
CL_INTERNAL double cl_rng_normal(cl_rng *r);            /* N(0, 1), Box–Muller */
CL_INTERNAL int cl_rng_int(cl_rng *r, int lo, int hi);  /* uniform in [lo, hi] inclusive */

/* ------------------------------------------------------------------ numbers */
CL_INTERNAL float cl_bf16_to_f32(uint16_t h);
float cl_f16_to_f32(uint16_t h);
uint16_t cl_f32_to_bf16(float f); /* round to nearest even */

/* ------------------------------------------------------------------ time */
/* cl_now (the monotonic clock): chronolens.h. */

/* ------------------------------------------------------------------ paths */
/* Joins dir and name into buf ("dir/name", one slash); returns buf. */
CL_INTERNAL char *cl_path_join(char *buf, size_t n, const char *dir, const char *name);
/* The last component of path, trailing slashes ignored ("a/b/" -> "b"); "model" when
 * there is none ("/", ""). The name a model folder gets in results. */
void cl_path_basename(const char *path, char *out, size_t n);
/* mkdir -p: creates dir and its missing parents; 0 or CL_EIO naming dir. */
CL_INTERNAL int cl_mkdirs(const char *dir, cl_error *err);
/* rm -rf path (a folder and all it holds, or a file), links not followed; best effort. */
CL_INTERNAL void cl_rm_tree(const char *path);
/* The process's umask, left as it is (files made 0600 by mkstemp get 0666 & ~umask). */
unsigned cl_umask(void);

/* ------------------------------------------------------------------ files */
/* The one way an input file is opened: a regular file (symbolic links followed) or an error
 * naming path and what it is ("not a regular file (a FIFO)"), opened O_NONBLOCK and then
 * made blocking, so that a FIFO swapped in after the check cannot hang the open. Returns a
 * read-only descriptor (O_CLOEXEC), or -1 with err set (CL_EIO). */
int cl_open_read(const char *path, cl_error *err);
/* What a file mode is, in words, for messages: "a FIFO", "a socket", "a folder", ... */
const char *cl_file_kind(unsigned mode);
/* Reads a whole (small) file into a NUL-terminated buffer (max bytes). */
CL_INTERNAL int cl_read_file(const char *path, size_t max, char **out, size_t *len, cl_error *err);
/* 1 when folder dir holds an entry not named in own (NULL-terminated; NULL: any entry is
 * foreign), its name in first[n]; 0 when it holds only those, is empty or does not exist.
 * The rules of the output folders that must not mix two runs (init, train). */
CL_INTERNAL int cl_dir_foreign(const char *dir, const char *const *own, char *first, size_t n);
/* 1 when path is a symbolic link to nothing (its target in target[n]); 0 otherwise. */
int cl_broken_link(const char *path, char *target, size_t n);

#endif
