/* gemm_bf16.c — bf16 products through oneDNN's matmul primitive (see gemm_bf16.h).
 *
 * oneDNN (Debian's libdnnl, OpenMP runtime) is kept single-threaded, as OpenBLAS is: a
 * product is cut into the fixed panels of cl_product_panels (from its shape alone, so the
 * thread count cannot change a result) and every panel is one oneDNN call on a worker, with the OpenMP
 * thread count of that worker set to 1. A primitive is made once per shape (dims, strides,
 * alpha, beta) and kept in a small table: creating one costs ~10-100 us, executing a
 * cached one a few us. Memory objects are made per call (they only wrap the pointers). */
#include "core/gemm_bf16.h"
#include "core/core.h"

#include <oneapi/dnnl/dnnl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* libgomp's, declared here: omp.h is not on every compiler's path (clang without libomp) */
extern void omp_set_num_threads(int n);
extern int omp_get_max_threads(void);

/* ------------------------------------------------------------------ engine, isa */

static dnnl_engine_t engine;
static int engine_ok;
static pthread_once_t engine_once = PTHREAD_ONCE_INIT;

static void engine_init(void) { engine_ok = dnnl_engine_create(&engine, dnnl_cpu, 0) == dnnl_success; }

int cl_bf16_available(void) {
    pthread_once(&engine_once, engine_init);
    if (!engine_ok) return 0;
    /* the isa values are bit sets: bf16 (0xe7) and amx (0x3e7) contain avx512_core_bf16 */
    dnnl_cpu_isa_t isa = dnnl_get_effective_cpu_isa();
    return (isa & dnnl_cpu_isa_avx512_core_bf16) == dnnl_cpu_isa_avx512_core_bf16;
}

const char *cl_bf16_isa(void) {
    switch (dnnl_get_effective_cpu_isa()) {
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    case dnnl_cpu_isa_avx2: return "avx2";
    default: return "older than avx2";
    }
}

/* ------------------------------------------------------------------ rounding */

/* the same rounding as cl_f32_to_bf16, written so the loop vectorises */
void cl_round_bf16(const float *x, uint16_t *y, size_t n) {
    const uint32_t *u = (const uint32_t *)(const void *)x;
    for (size_t i = 0; i < n; i++) {
        uint32_t v = u[i];
        uint32_t r = (v + 0x7fffu + ((v >> 16) & 1u)) >> 16;
        y[i] = (uint16_t)((v & 0x7fffffffu) > 0x7f800000u ? (v >> 16) | 0x40u : r);
    }
}

/* ------------------------------------------------------------------ primitive cache */

typedef struct {
    int transB, M, N, K, lda, ldb, ldc;
    float alpha, beta;
} shape_key;

typedef struct {
    shape_key key;
    dnnl_primitive_t prim;
    dnnl_memory_desc_t a, b, c, scratch; /* scratch: the primitive's scratchpad (bytes below) */
    size_t scratch_bytes;
} entry;

#define CACHE_SIZE 1024 /* shapes: a model's few (N, K) x the row counts of its workloads */
static entry cache[CACHE_SIZE];
static int cache_n;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static int key_eq(const shape_key *a, const shape_key *b) {
    return a->transB == b->transB && a->M == b->M && a->N == b->N && a->K == b->K && a->lda == b->lda &&
           a->ldb == b->ldb && a->ldc == b->ldc && a->alpha == b->alpha && a->beta == b->beta;
}

/* Makes the primitive of one shape; 0 on success. */
static int make_entry(const shape_key *k, entry *e) {
    memset(e, 0, sizeof *e);
    e->key = *k;
    dnnl_dims_t da = {k->M, k->K}, sa = {k->lda, 1};
    dnnl_dims_t db = {k->K, k->N}, sb_t = {1, k->ldb}, sb_n = {k->ldb, 1};
    dnnl_dims_t dc = {k->M, k->N}, sc = {k->ldc, 1};
    if (dnnl_memory_desc_init_by_strides(&e->a, 2, da, dnnl_bf16, sa) != dnnl_success ||
        dnnl_memory_desc_init_by_strides(&e->b, 2, db, dnnl_bf16, k->transB ? sb_t : sb_n) != dnnl_success ||
        dnnl_memory_desc_init_by_strides(&e->c, 2, dc, dnnl_f32, sc) != dnnl_success)
        return -1;
    dnnl_matmul_desc_t md;
    if (dnnl_matmul_desc_init(&md, &e->a, &e->b, NULL, &e->c) != dnnl_success) return -1;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t po = NULL;
    /* the scratchpad is the caller's (run_product: one per thread): with the library's
     * own, one primitive run on two threads at once (two panels of one shape) shares it,
     * and the panels' results mix */
    int rc = dnnl_primitive_attr_create(&attr) != dnnl_success ||
             dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user) != dnnl_success;
    if (!rc && k->alpha != 1.0f) rc = dnnl_primitive_attr_set_output_scales(attr, 1, 0, &k->alpha) != dnnl_success;
    if (!rc && k->beta != 0.0f) {
        rc = dnnl_post_ops_create(&po) != dnnl_success || dnnl_post_ops_append_sum(po, k->beta) != dnnl_success ||
             dnnl_primitive_attr_set_post_ops(attr, po) != dnnl_success;
    }
    dnnl_primitive_desc_t pd = NULL;
    if (!rc) rc = dnnl_primitive_desc_create(&pd, &md, attr, engine, NULL) != dnnl_success;
    if (!rc) {
        const dnnl_memory_desc_t *sp = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
        if (sp) e->scratch = *sp;
        e->scratch_bytes = sp ? dnnl_memory_desc_get_size(sp) : 0;
        rc = dnnl_primitive_create(&e->prim, pd) != dnnl_success;
    }
    if (pd) dnnl_primitive_desc_destroy(pd);
    if (po) dnnl_post_ops_destroy(po);
    if (attr) dnnl_primitive_attr_destroy(attr);
    return rc ? -1 : 0;
}

/* The cached entry of a shape (made on first use); a full table makes a temporary one
 * (*temp = 1: the caller destroys it). NULL when oneDNN refuses the shape. */
static const entry *lookup(const shape_key *k, entry *tmp, int *temp) {
    *temp = 0;
    pthread_mutex_lock(&cache_lock);
    for (int i = 0; i < cache_n; i++)
        if (key_eq(&cache[i].key, k)) {
            pthread_mutex_unlock(&cache_lock);
            return &cache[i];
        }
    const entry *r = NULL;
    if (cache_n < CACHE_SIZE) {
        if (make_entry(k, &cache[cache_n]) == 0) r = &cache[cache_n++];
    } else if (make_entry(k, tmp) == 0) {
        r = tmp;
        *temp = 1;
    }
    pthread_mutex_unlock(&cache_lock);
    return r;
}

/* a stream and a scratchpad per thread: oneDNN streams are not meant to be shared between
 * threads, and a scratchpad serves one execution at a time */
static __thread dnnl_stream_t tls_stream;
static __thread void *tls_scratch;
static __thread size_t tls_scratch_cap;

/* The product on this thread's stream with the shape's cached primitive; 0 or -1. */
static int run_product(int transB, int M, int N, int K, float alpha, const uint16_t *A, int lda, const uint16_t *B,
                       int ldb, float beta, float *C, int ldc) {
    if (!tls_stream && dnnl_stream_create(&tls_stream, engine, dnnl_stream_default_flags) != dnnl_success) {
        tls_stream = NULL;
        return -1;
    }
    shape_key k = {transB, M, N, K, lda, ldb, ldc, alpha, beta};
    entry tmp;
    int temp;
    const entry *e = lookup(&k, &tmp, &temp);
    if (!e) return -1;
    int rc = 0;
    if (e->scratch_bytes > tls_scratch_cap) {
        cl_free(tls_scratch);
        tls_scratch = cl_alloc(e->scratch_bytes);
        tls_scratch_cap = tls_scratch ? e->scratch_bytes : 0;
        rc = !tls_scratch;
    }
    dnnl_memory_t ma = NULL, mb = NULL, mc = NULL, ms = NULL;
    rc = rc || dnnl_memory_create(&ma, &e->a, engine, (void *)A) != dnnl_success ||
         dnnl_memory_create(&mb, &e->b, engine, (void *)B) != dnnl_success ||
         dnnl_memory_create(&mc, &e->c, engine, C) != dnnl_success ||
         (e->scratch_bytes && dnnl_memory_create(&ms, &e->scratch, engine, tls_scratch) != dnnl_success);
    if (!rc) {
        dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, ma}, {DNNL_ARG_WEIGHTS, mb}, {DNNL_ARG_DST, mc},
                                   {DNNL_ARG_SCRATCHPAD, ms}};
        rc = dnnl_primitive_execute(e->prim, tls_stream, ms ? 4 : 3, args) != dnnl_success ||
             dnnl_stream_wait(tls_stream) != dnnl_success;
    }
    if (ma) dnnl_memory_destroy(ma);
    if (mb) dnnl_memory_destroy(mb);
    if (mc) dnnl_memory_destroy(mc);
    if (ms) dnnl_memory_destroy(ms);
    if (temp) dnnl_primitive_destroy(tmp.prim);
    return rc ? -1 : 0;
}

int cl_gemm_bf16(int transB, int M, int N, int K, float alpha, const uint16_t *A, int lda, const uint16_t *B,
                 int ldb, float beta, float *C, int ldc, double *flops) {
    if (M <= 0 || N <= 0) return 0;
    if (!cl_bf16_available()) return -1;
    /* this thread's OpenMP team of one (the pool does the splitting), restored after: a
     * program around the library may use OpenMP on the same thread */
    const int omp_prev = omp_get_max_threads();
    omp_set_num_threads(1);
    int rc = run_product(transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    omp_set_num_threads(omp_prev);
    if (!rc && flops) *flops += 2.0 * M * N * K;
    return rc;
}

/* ------------------------------------------------------------------ linear layers */

/* the caller's bf16 copy of x, grown as needed and kept for the thread's next products */
static __thread uint16_t *tls_x;
static __thread size_t tls_cap;

static uint16_t *scratch(size_t n) {
    if (n > tls_cap) {
        cl_free(tls_x);
        tls_x = cl_alloc(n * sizeof(uint16_t));
        tls_cap = tls_x ? n : 0;
    }
    return tls_x;
}

typedef struct {
    const float *x; int ldx;
    uint16_t *xb;                 /* (rows, in) bf16 copy of x */
    const uint16_t *W; int ldw;
    float *y; int ldy;
    int rows, in, out, chunks;    /* chunks: of the rounding pass */
    cl_panels p;                  /* the product's fixed panels (cl_product_panels) */
    float beta;
} lin_job;

/* panel i of rows (or of output columns) of the product */
static void block(const lin_job *j, int i, int *a, int *b) {
    int total = j->p.by_rows ? j->rows : j->out;
    *a = i * j->p.size;
    *b = *a + j->p.size < total ? *a + j->p.size : total;
}

static void round_task(void *ctx, int i, int tid) {
    (void)tid;
    const lin_job *j = ctx;
    int per = (j->rows + j->chunks - 1) / j->chunks, a = i * per, b = a + per < j->rows ? a + per : j->rows;
    for (int r = a; r < b; r++) cl_round_bf16(j->x + (size_t)r * j->ldx, j->xb + (size_t)r * j->in, (size_t)j->in);
}

/* oneDNN refused a shape (never seen on a bf16 CPU): the same rounded product, widened to
 * fp32. C (M, N) [ldc] = A (M, K) [lda] · op(B) (+ C when beta = 1), op(B) = B^T with B
 * (N, K) [ldb] when transB, else B (K, N) [ldb]. */
static void widened(int transB, int M, int N, int K, const uint16_t *A, int lda, const uint16_t *B, int ldb,
                    float beta, float *C, int ldc) {
    const int br = transB ? N : K, bc = transB ? K : N; /* B's rows and columns as stored */
    float *af = cl_alloc(sizeof(float) * (size_t)M * K), *bf = cl_alloc(sizeof(float) * (size_t)br * bc);
    if (af && bf) {
        for (int r = 0; r < M; r++)
            for (int i = 0; i < K; i++) af[(size_t)r * K + i] = cl_bf16_to_f32(A[(size_t)r * lda + i]);
        for (int r = 0; r < br; r++)
            for (int i = 0; i < bc; i++) bf[(size_t)r * bc + i] = cl_bf16_to_f32(B[(size_t)r * ldb + i]);
        cl_sgemm(transB, M, N, K, 1.0f, af, K, bf, bc, beta, C, ldc, NULL);
    } else { /* out of memory: NaN, never a silently wrong number */
        for (int r = 0; r < M; r++)
            for (int o = 0; o < N; o++) C[(size_t)r * ldc + o] = __builtin_nanf("");
    }
    cl_free(af);
    cl_free(bf);
}

static void product_task(void *ctx, int i, int tid) {
    (void)tid;
    const lin_job *j = ctx;
    int a, b;
    block(j, i, &a, &b);
    if (a >= b) return;
    const int by_rows = j->p.by_rows;
    int M = by_rows ? b - a : j->rows, N = by_rows ? j->out : b - a;
    const uint16_t *A = by_rows ? j->xb + (size_t)a * j->in : j->xb;
    const uint16_t *W = by_rows ? j->W : j->W + (size_t)a * j->ldw;
    float *C = by_rows ? j->y + (size_t)a * j->ldy : j->y + a;
    if (cl_gemm_bf16(1, M, N, j->in, 1.0f, A, j->in, W, j->ldw, j->beta, C, j->ldy, NULL))
        widened(1, M, N, j->in, A, j->in, W, j->ldw, j->beta, C, j->ldy);
}

/* the panels of several products laid end to end: item i is panel i - first[k] of j[k] */
typedef struct { int n; lin_job j[16]; int first[17]; } multi_job;

static void multi_task(void *ctx, int i, int tid) {
    const multi_job *m = ctx;
    int k = 0;
    while (i >= m->first[k + 1]) k++;
    product_task((void *)&m->j[k], i - m->first[k], tid);
}

void cl_linear_bf16_n(const float *x, int ldx, int rows, int in, int n, const cl_bf16_prod *p, double *flops) {
    if (rows <= 0 || n <= 0) return;
    uint16_t *xb = scratch((size_t)rows * in);
    int nt = cl_pool_threads();
    if (!xb) { /* out of memory: NaN, never a silently wrong number */
        for (int i = 0; i < n; i++)
            for (int r = 0; r < rows; r++)
                for (int o = 0; o < p[i].out; o++) p[i].y[(size_t)r * p[i].ldy + o] = __builtin_nanf("");
        return;
    }
    /* the rounding of a few rows (a decoding step) on this thread: a pool pass for it
     * would cost a second barrier per product, which a loaded machine makes expensive */
    lin_job rj = {.x = x, .ldx = ldx, .xb = xb, .rows = rows, .in = in, .chunks = nt};
    if (nt == 1 || (size_t)rows * in < 65536) {
        rj.chunks = 1;
        round_task(&rj, 0, 0);
    } else {
        cl_parallel_for(nt, round_task, &rj);
    }
    /* fixed panels from the shape alone: the result does not depend on the thread count.
     * The panels of up to GROUP products go to the pool as one job (a decoder step's q, k
     * and v: one hand-off instead of three), each the same call as alone. */
    enum { GROUP = 16 };
    for (int a = 0; a < n; a += GROUP) {
        multi_job mj = {.n = 0};
        for (int i = a; i < n && i < a + GROUP; i++) {
            const int out = p[i].out;
            if (out <= 0) continue;
            if (flops) *flops += 2.0 * rows * out * in;
            mj.j[mj.n] = (lin_job){x, ldx, xb, p[i].W, p[i].ldw, p[i].y, p[i].ldy, rows, in, out, 1,
                                   cl_product_panels(rows, out, in), p[i].beta};
            mj.first[mj.n + 1] = mj.first[mj.n] + mj.j[mj.n].p.count;
            mj.n++;
        }
        if (mj.first[mj.n] == 1) product_task(&mj.j[0], 0, 0);
        else if (mj.first[mj.n] > 1) cl_parallel_for(mj.first[mj.n], multi_task, &mj);
    }
}

void cl_linear_bf16(const float *x, int ldx, int rows, int in, const uint16_t *W, int ldw, int out, float beta,
                    float *y, int ldy, double *flops) {
    cl_bf16_prod one = {W, ldw, out, beta, y, ldy};
    cl_linear_bf16_n(x, ldx, rows, in, 1, &one, flops);
}

void cl_matmul_bf16(int transB, int M, int N, int K, const float *A, int lda, const uint16_t *W, int ldw, float *C,
                    int ldc, double *flops) {
    if (M <= 0 || N <= 0) return;
    if (flops) *flops += 2.0 * M * N * K;
    uint16_t *ab = scratch((size_t)M * K);
    if (!ab) { /* out of memory: NaN, never a silently wrong number */
        for (int r = 0; r < M; r++)
            for (int o = 0; o < N; o++) C[(size_t)r * ldc + o] = __builtin_nanf("");
        return;
    }
    for (int r = 0; r < M; r++) cl_round_bf16(A + (size_t)r * lda, ab + (size_t)r * K, (size_t)K);
    if (cl_gemm_bf16(transB, M, N, K, 1.0f, ab, K, W, ldw, 0.0f, C, ldc, NULL))
        widened(transB, M, N, K, ab, K, W, ldw, 0.0f, C, ldc);
}

/* ------------------------------------------------------------------ public names */

int cl_bf16_supported(void) { return cl_bf16_available(); }

const char *cl_precision_name(cl_precision p) { return p == CL_BF16 ? "bf16" : "fp32"; }

int cl_precision_parse(const char *name, cl_precision *p) {
    if (name && strcmp(name, "fp32") == 0) { *p = CL_FP32; return 0; }
    if (name && strcmp(name, "bf16") == 0) { *p = CL_BF16; return 0; }
    return -1;
}
