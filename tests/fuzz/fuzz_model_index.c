/* fuzz_model_index.c — model.safetensors.index.json, the map of a sharded checkpoint
 * (weight_map: tensor name -> shard file). The fuzz input is the index of a model folder
 * that holds the tiny config and two valid shards of the tiny T5 (F32 and BF16 copies
 * from the safetensors corpus); cl_model_load must load it or fail with a message, and
 * never open a path outside the folder. Seeds: tests/fuzz/corpus/model_index. */
#include "chronolens.h"
#include "fuzz_util.h"

static char dir[64];

static void cleanup(void) {
    static const char *names[] = {"config.json", "model.safetensors.index.json",
                                  "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"};
    char p[256];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
}

static void setup(const char *input_path) {
    if (dir[0]) return;
    fuzz_tiny_model_dir("ix", dir, sizeof dir);
    atexit(cleanup);
    char p[256];
    snprintf(p, sizeof p, "%s/model.safetensors.index.json", dir);
    if (symlink(input_path, p) != 0) abort();
    snprintf(p, sizeof p, "%s/model-00001-of-00002.safetensors", dir);
    if (symlink(CL_FUZZ_CORPUS "/safetensors/tiny-f32.safetensors", p) != 0) abort();
    snprintf(p, sizeof p, "%s/model-00002-of-00002.safetensors", dir);
    if (symlink(CL_FUZZ_CORPUS "/safetensors/tiny-bf16.safetensors", p) != 0) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *path = fuzz_file(data, size);
    setup(path);
    cl_model *m;
    cl_error err;
    if (cl_model_load(dir, NULL, &m, &err) == 0) {
        CHECK(cl_model_param_count(m) == 396); /* the tiny T5, whichever shard served it */
        cl_model_free(m);
    } else {
        CHECK(err.msg[0]);
    }
    return 0;
}
