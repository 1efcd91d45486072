/* fuzz_npy.c — the .npy reader (npy_read_f32: magic, version, header dict, shape): any
 * file is rejected with a message, or gives float32 data of exactly prod(shape) values.
 * Seeds: tests/fuzz/corpus/npy (make_seeds.py). */
#include "chronolens.h"
#include "io/npy.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    float *d = NULL;
    int nd = -1;
    int64_t shape[NPY_MAX_DIMS];
    cl_error err;
    if (npy_read_f32(fuzz_file(data, size), &d, &nd, shape, &err) != 0) {
        CHECK(err.msg[0]);
        return 0;
    }
    CHECK(nd >= 0 && nd <= NPY_MAX_DIMS);
    size_t count = 1;
    for (int i = 0; i < nd; i++) {
        CHECK(shape[i] >= 0);
        count *= (size_t)shape[i];
    }
    CHECK(count * sizeof(float) <= size); /* never more values than the file holds */
    unsigned bits = 0;
    for (size_t i = 0; i < count; i++) {
        uint32_t u;
        memcpy(&u, &d[i], 4);
        bits ^= u;
    }
    (void)bits;
    free(d);
    return 0;
}
