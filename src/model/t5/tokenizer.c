/* tokenizer.c — Chronos-T5's tokenizer, MeanScaleUniformBins, reproducing the reference's
 * float32 arithmetic: torch.linspace centers, midpoint boundaries, bucketize(right=True);
 * the scale is nansum(|x|) / observed (torch's summation order: nansum.c). */
#include "model/t5/t5.h"
#include "model/model.h"
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

float cl_tokenizer_scale(const float *x, int n, float *ax) {
    long cnt = 0;
    for (int t = 0; t < n; t++) {
        ax[t] = fabsf(x[t]);
        cnt += !isnan(x[t]);
    }
    /* nansum(|x| * mask) / nansum(mask); not > 0 (zero, NaN, all missing) -> 1 */
    float s = cl_torch_nansum(ax, n) / (float)cnt;
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
    if (c->family != CL_FAMILY_T5) /* (a Chronos-2 config has no bins: it would allocate a negative count) */
        return cl_error_set(err, CL_EINVAL, "tokenizer: a %s model has no tokenizer (it reads patches)",
                            c->family == CL_FAMILY_BOLT ? "Chronos-Bolt" : "Chronos-2");
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
