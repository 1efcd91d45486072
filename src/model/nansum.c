/* nansum.c — torch.nansum of a float32 row in ATen's order: the one sum under the scales
 * of both families (Chronos-T5's tokenizer, Chronos-Bolt's instance norm). Compiled, as the
 * tokenizer, with -ffp-contract=off (CMakeLists.txt). */
#include "model/model.h"

#include <math.h>

/* torch.nansum of a contiguous float32 row, in the reference's exact order (ATen's
 * cascade_sum: vectorized_inner_sum over 8-lane AVX2 vectors when n >= 8, else
 * scalar_inner_sum; both use row_sum's 4-way ILP and multi_row_sum's 4-level cascade),
 * so that the scale is bit-identical to the reference's. Checked against torch for
 * n = 1..300 and larger sizes, with NaNs. */
#define SUM_W 8
float cl_torch_nansum(const float *x, int n) {
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
