/* fuzz_options.c — the list and range option parsers of cl_parse_* (chronolens.h) (`--freqs
 * 5,10`, `--quantiles 0.1,0.9`, `1910:2187`). The first input byte picks the bounds and
 * the list capacity, the rest is the option value. Whatever is accepted must respect
 * them, and an accepted integer list, printed back with %ld, must parse to the same
 * values. Seeds: tests/fuzz/corpus/options (hand-made, first byte = selector). */
#include "chronolens.h"
#include "fuzz_util.h"

#include <limits.h>
#include <math.h>

static const double DLO[4] = {0, -1, -1e300, 1e-3}, DHI[4] = {1, 1, 1e300, 1e3};
static const long LLO[4] = {0, -10, LONG_MIN, 1}, LHI[4] = {100, 10, LONG_MAX, 5000};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    int sel = data[0] & 3, max = 1 + ((data[0] >> 2) & 15); /* capacity 1..16 */
    char *s = fuzz_cstr(data + 1, size - 1);
    double d[16];
    long l[16];
    int n = -1;
    if (cl_parse_double_list(s, DLO[sel], DHI[sel], d, max, &n) == 0) {
        CHECK(n >= 1 && n <= max);
        for (int i = 0; i < n; i++) CHECK(isfinite(d[i]) && d[i] >= DLO[sel] && d[i] <= DHI[sel]);
    }
    if (cl_parse_long_list(s, LLO[sel], LHI[sel], l, max, &n) == 0) {
        CHECK(n >= 1 && n <= max);
        for (int i = 0; i < n; i++) CHECK(l[i] >= LLO[sel] && l[i] <= LHI[sel]);
        /* every integer list re-printed parses back to the same values */
        char buf[16 * 24];
        size_t k = 0;
        for (int i = 0; i < n; i++) k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%ld", i ? "," : "", l[i]);
        long l2[16];
        int n2;
        CHECK(cl_parse_long_list(buf, LLO[sel], LHI[sel], l2, max, &n2) == 0 && n2 == n);
        CHECK(memcmp(l, l2, sizeof l[0] * (size_t)n) == 0);
    }
    long a, b;
    if (cl_parse_int_range(s, LLO[sel], LHI[sel], &a, &b) == 0)
        CHECK(LLO[sel] <= a && a <= b && b <= LHI[sel]);
    free(s);
    return 0;
}
