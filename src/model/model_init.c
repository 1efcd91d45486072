/* model_init.c — `chronolens init` as one public call (chronolens.h): a random checkpoint of a
 * published shape, and the rule of the folder it goes to. A thin wrapper over init.c. */
#include "model/init.h"
#include "core/core.h"

#include <string.h>

void cl_model_init_default(cl_model_init_opts *o) { memset(o, 0, sizeof *o); }

int cl_model_init(const char *dir, const cl_config *cfg, const cl_model_init_opts *o, cl_error *err) {
    cl_model_init_opts d;
    if (!o) cl_model_init_default(&d), o = &d;
    return cl_checkpoint_init_random(dir, cfg, o->seed, o->bf16, &o->progress, err);
}

int cl_model_init_out_check(const char *out, int force, cl_error *err) {
    /* an earlier checkpoint is replaced; a folder holding more (a model card, formation.csv
     * of a trained model) would describe the new random weights with another model's files;
     * the bf16 cache that builds before issue 27's move to ~/.cache wrote beside the old
     * checkpoint is its own (bf16_cache.c: stale once replaced) */
    static const char *const own[] = {"config.json", "model.safetensors", ".chronolens-bf16.safetensors", NULL};
    char first[256];
    if (!force && cl_dir_foreign(out, own, first, sizeof first))
        return cl_error_set(err, CL_EINVAL, "--out %s: holds '%s', not only a checkpoint (config.json, model.safetensors): "
                            "choose an empty folder or give --force", out, first);
    return 0;
}
