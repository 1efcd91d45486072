/* relpos.c — T5's bucketed relative positions (HF _relative_position_bucket), with the
 * logarithmic part computed in float32 as the reference does. */
#include "chronolens.h"
#include <math.h>

/* The bidirectional encoder halves its buckets between the two signs first; half of the
 * rest are exact. */
int cl_relative_exact(int num_buckets, int bidirectional) {
    return (bidirectional ? num_buckets / 2 : num_buckets) / 2;
}

/* max_distance > max_exact keeps the logarithm's denominator > 0 (the loader refuses any
 * other config): else the bucket goes negative or NaN, outside the bias table. */
int cl_relative_bucket(int rel, int bidirectional, int num_buckets, int max_distance) {
    const int max_exact = cl_relative_exact(num_buckets, bidirectional);
    int bucket = 0, n;
    if (bidirectional) {
        num_buckets /= 2;
        if (rel > 0) bucket += num_buckets;
        n = rel < 0 ? -rel : rel;
    } else {
        n = rel < 0 ? -rel : 0;
    }
    if (n < max_exact) return bucket + n;
    float r = logf((float)n / (float)max_exact) / (float)log((double)max_distance / max_exact) *
              (float)(num_buckets - max_exact);
    long large = max_exact + (long)r;
    if (large > num_buckets - 1) large = num_buckets - 1;
    return bucket + (int)large;
}
