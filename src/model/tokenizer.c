/* tokenizer.c — Chronos MeanScaleUniformBins, reproducing the reference's float32
 * arithmetic: torch.linspace centers, midpoint boundaries, bucketize(right=True). */
#include "chronolens.h"
#include "core/core.h"

#include <math.h>
#include <stdlib.h>

/* centers[i], i in [0, n): torch.linspace(low, high, n) in float32, bit for bit (checked
 * against torch for several sizes). ATen's kernel fills the first half forward from low
 * and the second half backward from high, with the product fused (fma). With AVX2 it
 * writes pairs of 8-lane vectors, lane k = base + k * step (not fused), base computed from
 * the vector's first index; the last n % 16 values come one by one. This file is
 * compiled with -ffp-contract=off so the compiler fuses nothing behind our back. */
#define LINSPACE_W 8
static float linspace_at(float lo, float hi, float step, int n, int i) {
    return i < n / 2 ? fmaf(step, (float)i, lo) : fmaf(-step, (float)(n - i - 1), hi);
}

static float center_at(const cl_config *c, int i) {
    int n = c->n_tokens - c->n_special_tokens - 1;
    float lo = c->low_limit, hi = c->high_limit;
    float step = (hi - lo) / (float)(n - 1);
    if (i < n - n % (2 * LINSPACE_W)) {
        int b = i - i % LINSPACE_W;
        return linspace_at(lo, hi, step, n, b) + (float)(i % LINSPACE_W) * step;
    }
    return linspace_at(lo, hi, step, n, i);
}

float cl_tokenizer_center(const cl_config *c, int id) {
    int n = c->n_tokens - c->n_special_tokens - 1;
    int i = id - c->n_special_tokens - 1;
    if (i < 0) i = 0;
    if (i > n - 1) i = n - 1;
    return center_at(c, i);
}

/* torch.nansum of a contiguous float32 row, in the reference's exact order (ATen's
 * cascade_sum: vectorized_inner_sum over 8-lane AVX2 vectors when n >= 8, else
 * scalar_inner_sum; both use row_sum's 4-way ILP and multi_row_sum's 4-level cascade),
 * so that the scale is bit-identical to the reference's. Checked against torch for
 * n = 1..300 and larger sizes, with NaNs. */
#define SUM_W 8
static float torch_nansum(const float *x, int n) {
    enum { ILP = 4, LEVELS = 4 };
    const int W = n >= SUM_W ? SUM_W : 1;
    long vec_size = n / W, size_ilp = vec_size / ILP;
    float acc[LEVELS][ILP][SUM_W] = {{{0}}};
#define LD(i) (isnan(x[i]) ? 0.0f : x[i])
    int ceil_log2 = 0;
    while ((1L << ceil_log2) < size_ilp) ceil_log2++;
    long level_power = ceil_log2 / LEVELS > 4 ? ceil_log2 / LEVELS : 4, level_step = 1L << level_power;
    long level_mask = level_step - 1, i = 0;
    while (i + level_step <= size_ilp) {
        for (long j = 0; j < level_step; j++, i++)
            for (int k = 0; k < ILP; k++)
                for (int w = 0; w < W; w++) acc[0][k][w] += LD((i * ILP + k) * W + w);
        for (int j = 1; j < LEVELS; j++) {
            for (int k = 0; k < ILP; k++)
                for (int w = 0; w < W; w++) { acc[j][k][w] += acc[j - 1][k][w]; acc[j - 1][k][w] = 0; }
            if ((i & (level_mask << (j * level_power))) != 0) break;
        }
    }
    for (; i < size_ilp; i++)
        for (int k = 0; k < ILP; k++)
            for (int w = 0; w < W; w++) acc[0][k][w] += LD((i * ILP + k) * W + w);
    for (int j = 1; j < LEVELS; j++)
        for (int k = 0; k < ILP; k++)
            for (int w = 0; w < W; w++) acc[0][k][w] += acc[j][k][w];
    /* row_sum: leftover vectors into partial 0, then partials 1..3 into 0 */
    for (long v = size_ilp * ILP; v < vec_size; v++)
        for (int w = 0; w < W; w++) acc[0][0][w] += LD(v * W + w);
    for (int k = 1; k < ILP; k++)
        for (int w = 0; w < W; w++) acc[0][0][w] += acc[0][k][w];
    /* vectorized_inner_sum: scalar tail first, then the lanes */
    float total = 0;
    for (long t = vec_size * W; t < n; t++) total += LD(t);
    for (int w = 0; w < W; w++) total += acc[0][0][w];
#undef LD
    return total;
}

float cl_torch_nansum(const float *x, int n) { return torch_nansum(x, n); }

float cl_tokenizer_scale(const float *x, int n, float *ax) {
    long cnt = 0;
    for (int t = 0; t < n; t++) {
        ax[t] = fabsf(x[t]);
        cnt += !isnan(x[t]);
    }
    /* nansum(|x| * mask) / nansum(mask); not > 0 (zero, NaN, all missing) -> 1 */
    float s = torch_nansum(ax, n) / (float)cnt;
    return s > 0 ? s : 1.0f;
}

int cl_tokenizer_length(const cl_config *c, int L) {
    return (L < c->context_length ? L : c->context_length) + (c->use_eos_token ? 1 : 0);
}

/* torch.bucketize(x, boundaries, right=True): the number of boundaries <= x, found by
 * the same binary search (a NaN compares as "not less than" anything: it lands last). */
static int bucketize(float x, const float *bd, int nb) {
    int lo = 0, hi = nb;
    while (lo < hi) {
        int mid = lo + ((hi - lo) >> 1);
        if (!(bd[mid] > x)) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

int cl_tokenizer_encode(const cl_config *c, const float *context, int B, int L, int32_t *ids,
                        uint8_t *mask, float *scale, cl_error *err) {
    if (B <= 0 || L < 0) return cl_error_set(err, CL_EINVAL, "tokenizer: bad shape (%d, %d)", B, L);
    if (c->family == CL_FAMILY_BOLT)
        return cl_error_set(err, CL_EINVAL, "tokenizer: a Chronos-Bolt model has no tokenizer (it reads patches)");
    int n = c->n_tokens - c->n_special_tokens - 1, nb = n + 1;
    float *bd = malloc(sizeof(float) * (size_t)nb), *ax = malloc(sizeof(float) * ((size_t)L + 1));
    if (!bd || !ax) { free(bd); free(ax); return cl_error_set(err, CL_ENOMEM, "tokenizer: out of memory"); }
    bd[0] = -1e20f;
    for (int i = 1; i < n; i++) bd[i] = (center_at(c, i) + center_at(c, i - 1)) / 2.0f;
    bd[n] = 1e20f;
    int Lk = L < c->context_length ? L : c->context_length, T = cl_tokenizer_length(c, L);
    for (int b = 0; b < B; b++) {
        const float *x = context + (size_t)b * L + (L - Lk);
        const float s = cl_tokenizer_scale(x, Lk, ax);
        scale[b] = s;
        int32_t *id = ids + (size_t)b * T;
        uint8_t *mk = mask + (size_t)b * T;
        for (int t = 0; t < Lk; t++) {
            if (isnan(x[t])) { id[t] = c->tok_pad_id; mk[t] = 0; continue; }
            int v = bucketize(x[t] / s, bd, nb + 0) + c->n_special_tokens;
            if (v > c->n_tokens - 1) v = c->n_tokens - 1;
            id[t] = v;
            mk[t] = 1;
        }
        if (c->use_eos_token) { id[Lk] = c->tok_eos_id; mk[Lk] = 1; }
    }
    free(bd);
    free(ax);
    return 0;
}

void cl_tokenizer_decode(const cl_config *c, const int32_t *ids, int n, float scale, float *values) {
    for (int i = 0; i < n; i++) values[i] = cl_tokenizer_center(c, ids[i]) * scale;
}
