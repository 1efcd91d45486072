/* fuzz_csv_ids.c — the decoder-ids CSV (one row of token ids per series, every row the
 * same length): rejected with a message, or (B, T) ids in [0, INT32_MAX]. */
#include "chronolens.h"
#include "core/core.h"
#include "io/csv.h"
#include "fuzz_util.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    int32_t *ids;
    int B = -1, T = -1;
    cl_error err;
    if (csv_read_ids(fuzz_file(data, size), &ids, &B, &T, &err) != 0) {
        CHECK(err.msg[0]);
        return 0;
    }
    CHECK(B >= 1 && T >= 1 && T <= CSV_MAX_COLUMNS);
    for (size_t i = 0; i < (size_t)B * T; i++) CHECK(ids[i] >= 0);
    cl_free(ids);
    return 0;
}
