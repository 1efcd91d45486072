/* rrp_offsets.c — the repeated-random-patches test over the block's offset against the patch
 * grid (Chronos-Bolt, method.md §4.1): the runs, per model and offset (the units of a
 * --shard part). Files: rrp_offsets_io.c. */
#include "study/induction/induction.h"
#include "study/common/rrp.h"
#include "core/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cl_rrp_offsets_free(cl_rrp_offsets_set *s) {
    for (int i = 0; s->res && i < s->n * s->n_off; i++) cl_induction_free(&s->res[i]);
    free(s->res);
    free(s->models);
    free(s->done);
    memset(s, 0, sizeof *s);
}

int cl_rrp_offsets_run(cl_model *const *m, const cl_study_model *info, int n, const cl_induction_study_opts *o,
                       const int *offsets, int n_off, cl_rrp_offsets_set *out, cl_error *err) {
    memset(out, 0, sizeof *out);
    if (n_off < 1 || n_off > CL_RRP_MAX_OFFSETS)
        return cl_error_set(err, CL_EINVAL, "--offsets: 1 to %d offsets", CL_RRP_MAX_OFFSETS);
    for (int j = 0; j < n_off; j++)
        for (int i = 0; i < j; i++)
            if (offsets[i] == offsets[j]) return cl_error_set(err, CL_EINVAL, "--offsets: %d given twice", offsets[j]);
    const int U = n * n_off;
    for (int k = 0; k < n; k++) {
        int mine = 0; /* a part checks the models it runs (the others may not be loaded) */
        for (int j = 0; j < n_off; j++) mine |= cl_shard_has(&o->shard, k * n_off + j);
        if (!mine) continue;
        if (!m[k]) return cl_error_set(err, CL_EINVAL, "--offsets: %s is not loaded", info[k].path);
        if (!cl_model_is_bolt(m[k]))
            return cl_error_set(err, CL_EINVAL, "--offsets: %s is not a Chronos-Bolt model (offsets are of the patch grid)",
                                info[k].path);
        for (int j = 0; j < n_off; j++)
            if (offsets[j] < 0 || offsets[j] >= cl_model_config(m[k])->patch_size)
                return cl_error_set(err, CL_EINVAL, "--offsets: %d outside [0, %d) (the patch size of %s)", offsets[j],
                                    cl_model_config(m[k])->patch_size, info[k].path);
    }
    out->opts = o->base;
    out->opts.strict = 0;
    out->opts.progress = (cl_progress){0};
    out->n_off = n_off;
    memcpy(out->offsets, offsets, sizeof(int) * (size_t)n_off);
    out->models = calloc((size_t)(n > 0 ? n : 1), sizeof *out->models);
    out->res = calloc((size_t)(n > 0 ? n : 1) * n_off, sizeof *out->res);
    if (o->shard.n > 1 && !(out->done = calloc((size_t)U, 1))) {
        cl_rrp_offsets_free(out);
        return cl_error_set(err, CL_ENOMEM, "offsets: out of memory");
    }
    if (!out->models || !out->res) { cl_rrp_offsets_free(out); return cl_error_set(err, CL_ENOMEM, "offsets: out of memory"); }
    out->n = n;
    memcpy(out->models, info, sizeof *info * (size_t)n);
    int rc = 0, units = 0, done = 0; /* this part's (model, offset) units, and those run */
    for (int u = 0; u < U; u++) units += cl_shard_has(&o->shard, u);
    for (int k = 0; k < n && !rc; k++) {
        double t0 = cl_now();
        for (int j = 0; j < n_off && !rc; j++) {
            if (!cl_shard_has(&o->shard, k * n_off + j)) continue; /* another part's unit */
            cl_induction_opts io = out->opts;
            io.rrt.offset = offsets[j];
            rc = cl_induction_run(m[k], &io, &out->res[k * n_off + j], err);
            if (out->done) out->done[k * n_off + j] = 1;
            if (!rc) rc = cl_progress_point(&o->base.progress, "offsets", ++done, units, err);
        }
        out->models[k].seconds = cl_now() - t0;
    }
    if (rc) cl_rrp_offsets_free(out);
    return rc;
}

