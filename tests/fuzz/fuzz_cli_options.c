/* fuzz_cli_options.c — the list and range option parsers the commands use today, which
 * wrap cl_parse_* (chronolens.h): `--freqs/--amps/--phases` (cli_double_list, multisine) and
 * `--token-range LO:HI` (rrt_token_range, induction and sweep). The first input byte picks
 * the parser and list capacity, the rest is the option value; whatever is accepted must
 * keep the parser's promise. */
#include "chronolens.h"
#include "../../tools/cli.h"
#include "../../tools/rrt_cli.h"
#include "fuzz_util.h"

#include <float.h>
#include <math.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* the parsers' one-line rejections would fill gigabytes of log: send the stderr
     * stream (not fd 2, where sanitizer reports and CHECK go) to /dev/null */
    static int quiet;
    if (!quiet++) {
        FILE *null = fopen("/dev/null", "w");
        if (null) stderr = null;
    }
    if (size == 0) return 0;
    int sel = data[0] & 1, max = 1 + ((data[0] >> 1) & 15);
    char *s = fuzz_cstr(data + 1, size - 1);
    if (sel == 0) {
        double v[16];
        int n = -1;
        if (cli_double_list("--freqs", s, -DBL_MAX, DBL_MAX, v, max, &n) == 1) {
            CHECK(n >= 1 && n <= max);
            for (int i = 0; i < n; i++) CHECK(isfinite(v[i]));
        }
    } else {
        rrt_cli o;
        rrt_cli_init(&o);
        int r = rrt_token_range(&o, s);
        CHECK(r == 0 || r == -1);
        if (r == 0) CHECK(0 <= o.o.tok_lo && o.o.tok_lo < o.o.tok_hi);
    }
    free(s);
    return 0;
}
