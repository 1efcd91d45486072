/* relpos.c — T5's bucketed relative positions (HF _relative_position_bucket), with the
 * logarithmic part computed in float32 as the reference does. */
#include "chronolens.h"
#include <math.h>

int cl_relative_bucket(int rel, int bidirectional, int num_buckets, int max_distance) {
    int bucket = 0, n;
    if (bidirectional) {
        num_buckets /= 2;
        if (rel > 0) bucket += num_buckets;
        n = rel < 0 ? -rel : rel;
    } else {
        n = rel < 0 ? -rel : 0;
    }
    int max_exact = num_buckets / 2;
    if (n < max_exact) return bucket + n;
    float r = logf((float)n / (float)max_exact) / (float)log((double)max_distance / max_exact) *
              (float)(num_buckets - max_exact);
    long large = max_exact + (long)r;
    if (large > num_buckets - 1) large = num_buckets - 1;
    return bucket + (int)large;
}
