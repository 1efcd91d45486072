/* load.c — cl_model_load: a Hugging Face folder (config.json + model.safetensors, or the
 * shards a model.safetensors.index.json lists) into a cl_model. The config says the family;
 * the family's table binds the tensors (binder.h), then every tensor must be accounted for
 * and every file still whole. */
#include "model/binder.h"
#include "model/family.h"
#include "core/core.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define INDEX_MAX_BYTES ((size_t)16 << 20) /* docs/inputs.md "Limits" */

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Loads the shards listed in model.safetensors.index.json (weight_map values). */
static int open_files(cl_model *m, const char *dir, cl_error *err) {
    char path[4096];
    struct stat st;
    /* whatever carries the name (a broken link from a Hugging Face cache without its blob,
     * a FIFO): st_open says what is wrong with it; never opened here, a FIFO would hang */
    if (lstat(cl_path_join(path, sizeof path, dir, "model.safetensors"), &st) == 0) {
        m->files = calloc(1, sizeof *m->files);
        if (!m->files) return cl_error_set(err, CL_ENOMEM, "%s: out of memory", path);
        int rc = st_open(path, &m->files[0], err);
        if (!rc) m->nfiles = 1;
        return rc;
    }
    cl_path_join(path, sizeof path, dir, "model.safetensors.index.json");
    char *text;
    size_t len;
    int rc = cl_read_file(path, INDEX_MAX_BYTES, &text, &len, err);
    if (rc && (rc == CL_ENOMEM || lstat(path, &st) == 0)) return rc; /* over the limit, a FIFO: say so */
    if (rc) return cl_error_set(err, CL_EIO, "%s: no model.safetensors or model.safetensors.index.json", dir);
    cJSON *root = cJSON_ParseWithLength(text, len);
    free(text);
    const cJSON *wm = cJSON_GetObjectItemCaseSensitive(root, "weight_map");
    if (!cJSON_IsObject(wm)) {
        cJSON_Delete(root);
        return cl_error_set(err, CL_EFORMAT, "%s: not a JSON object with a weight_map", path);
    }
    int cap = cJSON_GetArraySize(wm);
    const char **names = calloc((size_t)cap + 1, sizeof *names);
    if (!names) { cJSON_Delete(root); return cl_error_set(err, CL_ENOMEM, "%s: out of memory", path); }
    int nn = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, wm) {
        if (!cJSON_IsString(e) || strchr(e->valuestring, '/') || strcmp(e->valuestring, "..") == 0) {
            rc = cl_error_set(err, CL_EFORMAT, "%s: bad shard name for '%s'", path, e->string);
            break;
        }
        names[nn++] = e->valuestring;
    }
    /* the distinct shard names, in name order (model-00001-of-... first); sorting keeps
     * this n log n for an index that names a different shard for every tensor */
    if (!rc && nn) {
        qsort(names, (size_t)nn, sizeof *names, cmp_str);
        int u = 1;
        for (int i = 1; i < nn; i++)
            if (strcmp(names[i], names[u - 1]) != 0) names[u++] = names[i];
        nn = u;
    }
    if (!rc && !(m->files = calloc((size_t)nn + 1, sizeof *m->files)))
        rc = cl_error_set(err, CL_ENOMEM, "%s: out of memory", path);
    if (!rc) {
        for (int i = 0; i < nn && !rc; i++) {
            char sp[4096];
            rc = st_open(cl_path_join(sp, sizeof sp, dir, names[i]), &m->files[i], err);
            if (!rc) m->nfiles++;
        }
    }
    free(names);
    cJSON_Delete(root);
    return rc;
}

int cl_model_load(const char *dir, const cl_load_opts *opts, cl_model **out, cl_error *err) {
    *out = NULL;
    if (opts && opts->precision != CL_FP32 && opts->precision != CL_BF16)
        return cl_error_set(err, CL_EINVAL, "%s: unknown precision %d", dir, (int)opts->precision);
    /* bf16 where the CPU runs it natively; elsewhere fp32 (docs/precision.md) */
    const int bf16 = opts && opts->precision == CL_BF16 && cl_bf16_supported();
    cl_model *m = calloc(1, sizeof *m);
    if (!m) return cl_error_set(err, CL_ENOMEM, "%s: out of memory", dir);
    char path[4096], target[1024];
    if (cl_broken_link(dir, target, sizeof target)) {
        free(m);
        return cl_error_set(err, CL_EIO, "%s: a broken symbolic link (to %s, which does not exist)", dir, target);
    }
    int rc = cl_config_load(cl_path_join(path, sizeof path, dir, "config.json"), &m->cfg, err);
    if (!rc) rc = open_files(m, dir, err);
    if (rc) { cl_model_free(m); return rc; }
    const cl_family *fam = cl_family_of(m->cfg.family);
    cl_binder b = {.m = m, .dir = dir, .err = err, .bf16 = bf16};
    m->precision = bf16 ? CL_BF16 : CL_FP32;
    if (m->nfiles == 1) b.dir = m->files[0].path;
    size_t np = 0;
    rc = fam->bind(m, &b, &np, err);
    if (!rc) rc = cl_binder_round(&b);
    m->nparams = np;
    /* a tied output head may be stored under lm_head.weight (fam->lm_head: the family has one) */
    if (!rc) rc = cl_binder_check_accounted(&b, m->cfg.tied && fam->lm_head);
    if (!rc) rc = cl_model_check_files(m, err); /* read (bf16 widened) from a file shrunk meanwhile */
    free(b.bound);
    free(b.jobs);
    if (rc) { cl_model_free(m); return rc; }
    *out = m;
    return 0;
}
