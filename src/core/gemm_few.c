/* gemm_few.c — cl_gemm_few, the few-row product of a decoding step on AVX-512:
 * y (M, N) = x (M, K) · W (N, K)^T, x and W both read along K (W as the checkpoint stores it).
 *
 * Why: a decoder step multiplies 20 rows (the sample paths) by every weight matrix, cut in
 * panels of 128 output columns. oneDNN's sgemm runs those at ~60 % of its large-product
 * rate (it packs W for a product it then uses once); this kernel keeps a 5-row x 4-column
 * tile of dot products in 20 vector registers, reads each W row once per 5 rows from L1,
 * and reached 1.4-1.5x oneDNN's rate on 20 x 128 x 512, 20 x 512 x 512 and 20 x 128 x 2048
 * (one thread, docs/benchmarks.md).
 *
 * Every output is one dot product summed in one fixed order — 16 lanes along K (a masked
 * tail), then the same tree over the lanes — whatever M, N, the tile or the panel it falls
 * in: results depend neither on the thread count nor on how many rows or columns a call
 * has (a batch of 1 or 9 series gives the same samples). They differ from oneDNN's in the
 * last bits (another order of the same sums). */
#include "core/core.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#include <pthread.h>

#define AVX512 __attribute__((target("avx512f,avx512dq")))

/* the lanes of 4 accumulators summed: (sum a, sum b, sum c, sum d), one fixed tree */
static inline AVX512 __m128 hsum4(__m512 a, __m512 b, __m512 c, __m512 d) {
    __m512 ab = _mm512_add_ps(_mm512_unpacklo_ps(a, b), _mm512_unpackhi_ps(a, b));
    __m512 cd = _mm512_add_ps(_mm512_unpacklo_ps(c, d), _mm512_unpackhi_ps(c, d));
    __m512 abcd = _mm512_add_ps(_mm512_shuffle_ps(ab, cd, 0x44), _mm512_shuffle_ps(ab, cd, 0xEE));
    __m256 h = _mm256_add_ps(_mm512_castps512_ps256(abcd), _mm512_extractf32x8_ps(abcd, 1));
    return _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
}

/* One tile: R rows (R <= 5, a constant after inlining) x 4 columns of W (rows w[0..3];
 * missing columns repeat a real one and are not stored: nc of them are). pf (or NULL): the
 * next tile's 4 W rows, prefetched a line per row per step of 16 (W streams from memory:
 * the prefetch keeps several lines in flight, as oneDNN's packing copy does). */
static inline __attribute__((always_inline)) AVX512 void tile(int R, int K, const float *x, int ldx,
                                                              const float *const w[4], int nc,
                                                              const float *const *pf, float beta, float *y,
                                                              int ldy) {
    __m512 acc[5][4];
    for (int i = 0; i < R; i++)
        for (int j = 0; j < 4; j++) acc[i][j] = _mm512_setzero_ps();
    int k = 0;
    for (; k + 16 <= K; k += 16) {
        if (pf)
            for (int j = 0; j < 4; j++) _mm_prefetch((const char *)(pf[j] + k), _MM_HINT_T0);
        __m512 xv[5];
        for (int i = 0; i < R; i++) xv[i] = _mm512_loadu_ps(x + (size_t)i * ldx + k);
        for (int j = 0; j < 4; j++) {
            const __m512 wv = _mm512_loadu_ps(w[j] + k);
            for (int i = 0; i < R; i++) acc[i][j] = _mm512_fmadd_ps(xv[i], wv, acc[i][j]);
        }
    }
    if (k < K) { /* the tail: masked lanes read nothing and add zero */
        const __mmask16 m = (__mmask16)((1u << (K - k)) - 1);
        __m512 xv[5];
        for (int i = 0; i < R; i++) xv[i] = _mm512_maskz_loadu_ps(m, x + (size_t)i * ldx + k);
        for (int j = 0; j < 4; j++) {
            const __m512 wv = _mm512_maskz_loadu_ps(m, w[j] + k);
            for (int i = 0; i < R; i++) acc[i][j] = _mm512_fmadd_ps(xv[i], wv, acc[i][j]);
        }
    }
    for (int i = 0; i < R; i++) {
        float s[4];
        _mm_storeu_ps(s, hsum4(acc[i][0], acc[i][1], acc[i][2], acc[i][3]));
        float *yr = y + (size_t)i * ldy;
        for (int j = 0; j < nc; j++) yr[j] = beta == 0.0f ? s[j] : s[j] + beta * yr[j];
    }
}

static AVX512 void few(int M, int N, int K, const float *x, int ldx, const float *W, int ldw, float beta, float *y,
                       int ldy) {
    for (int n0 = 0; n0 < N; n0 += 4) {
        const int nc = N - n0 < 4 ? N - n0 : 4;
        const float *w[4], *next[4];
        for (int j = 0; j < 4; j++) {
            w[j] = W + (size_t)(n0 + (j < nc ? j : nc - 1)) * ldw;
            next[j] = W + (size_t)(n0 + 4 + j < N ? n0 + 4 + j : N - 1) * ldw;
        }
        const float *const *pf = next; /* the first row tile prefetches the next columns' W */
        int r = 0;
        for (; r + 5 <= M; r += 5, pf = NULL)
            tile(5, K, x + (size_t)r * ldx, ldx, w, nc, pf, beta, y + (size_t)r * ldy + n0, ldy);
        switch (M - r) {
        case 4: tile(4, K, x + (size_t)r * ldx, ldx, w, nc, pf, beta, y + (size_t)r * ldy + n0, ldy); break;
        case 3: tile(3, K, x + (size_t)r * ldx, ldx, w, nc, pf, beta, y + (size_t)r * ldy + n0, ldy); break;
        case 2: tile(2, K, x + (size_t)r * ldx, ldx, w, nc, pf, beta, y + (size_t)r * ldy + n0, ldy); break;
        case 1: tile(1, K, x + (size_t)r * ldx, ldx, w, nc, pf, beta, y + (size_t)r * ldy + n0, ldy); break;
        default: break;
        }
    }
}

static int own = -1;
static pthread_once_t own_once = PTHREAD_ONCE_INIT;

/* from the CPU (and CHRONOLENS_GEMM: a forced oneDNN or OpenBLAS runs every product) */
static void decide(void) {
    const char *e = getenv("CHRONOLENS_GEMM");
    __builtin_cpu_init();
    own = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
          !(e && (!strcmp(e, "openblas") || !strcmp(e, "onednn")));
}

int cl_gemm_few_own(void) {
    pthread_once(&own_once, decide);
    return own;
}

void cl_gemm_few_force(int on) {
    pthread_once(&own_once, decide);
    if (on < 0) decide();
    else {
        __builtin_cpu_init();
        own = on && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
    }
}

void cl_gemm_few(int M, int N, int K, const float *x, int ldx, const float *W, int ldw, float beta, float *y, int ldy,
                 double *flops) {
    if (M <= 0 || N <= 0) return;
    if (flops) *flops += 2.0 * M * N * K;
    if (!cl_gemm_few_own()) { cl_sgemm(1, M, N, K, 1.0f, x, ldx, W, ldw, beta, y, ldy, NULL); return; }
    few(M, N, K, x, ldx, W, ldw, beta, y, ldy);
}

#else /* no AVX-512 kernel on this compiler or CPU family: cl_sgemm */

int cl_gemm_few_own(void) { return 0; }
void cl_gemm_few_force(int on) { (void)on; }
void cl_gemm_few(int M, int N, int K, const float *x, int ldx, const float *W, int ldw, float beta, float *y, int ldy,
                 double *flops) {
    cl_sgemm(1, M, N, K, 1.0f, x, ldx, W, ldw, beta, y, ldy, flops);
}

#endif
