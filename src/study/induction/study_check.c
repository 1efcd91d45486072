/* study_check.c — the checks of `induction` and `sweep` options against the models they run,
 * made before any work or output so that a bad option leaves nothing behind. */
#include "study/induction/induction.h"
#include "study/common/rrt.h"
#include "study/common/rrp.h"
#include "core/core.h"

int cl_rrt_study_check(cl_model *const *m, const cl_study_model *info, int n, const cl_induction_study_opts *o,
                       const cl_sweep_study_opts *grid, int units_per_model, cl_error *err) {
    const int offset = o->base.rrt.offset;
    for (int k = 0; k < n; k++) {
        if (!m[k]) continue;
        const cl_config *cfg = cl_model_config(m[k]);
        const char *dir = info[k].path;
        if (cl_rrp_model(m[k])) { /* repeated random patches: no token range */
            if (offset >= cfg->patch_size)
                return cl_error_set(err, CL_EINVAL, "option --offset %d: must be below the patch size %d of %s", offset,
                                    cfg->patch_size, dir);
            continue;
        }
        if (offset)
            return cl_error_set(err, CL_EINVAL, "option --offset: means nothing for the Chronos-T5 model %s (patches only)", dir);
        if (!o->sampling_all && o->tok_lo >= 0 && o->tok_hi >= cfg->vocab_size)
            return cl_error_set(err, CL_EINVAL, "option --token-range %d:%d: outside the vocabulary [0, %d) of %s", o->tok_lo,
                                o->tok_hi, cfg->vocab_size, dir);
        int lo, hi;
        cl_error e = {0};
        if (!o->sampling_all && o->tok_lo < 0 && cl_rrt_token_band(cfg, &lo, &hi, &e))
            return cl_error_set(err, e.code, "%s: %s (give --token-range)", dir, e.msg);
    }
    /* the longest input against every context */
    if (grid ? cl_sweep_study_check(m, info, n, grid, err) : cl_induction_study_check(m, info, n, o, err)) return CL_EINVAL;
    return cl_shard_check(&o->shard, n * units_per_model, "units", err);
}

/* The longest encoder input, R x L + 1 values, against every model's context_length: the
 * tokenizer would silently keep only the last context_length values. */
static int check_rrt_fits(cl_model *const *m, const cl_study_model *info, int n, long reps, long len, cl_error *err) {
    const long need = reps * len + 1;
    for (int k = 0; k < n; k++) {
        if (!m[k]) continue; /* another part's model (cl_study_models_load's shard) */
        const int ctx = cl_model_config(m[k])->context_length;
        if (need > ctx)
            return cl_error_set(err, CL_EINVAL, "%s: %ld values (R x L + 1 = %ld x %ld + 1) exceed its context_length %d "
                                "(the tokenizer would truncate such a context): lower R or L", info ? info[k].path : "model",
                                need, reps, len, ctx);
    }
    return 0;
}

int cl_induction_study_check(cl_model *const *m, const cl_study_model *info, int n, const cl_induction_study_opts *o,
                             cl_error *err) {
    return check_rrt_fits(m, info, n, o->base.rrt.reps, o->base.rrt.seq_len, err);
}

int cl_sweep_study_check(cl_model *const *m, const cl_study_model *info, int n, const cl_sweep_study_opts *o,
                         cl_error *err) {
    long r = 0, l = 0, r0 = 0, l0 = 0;
    for (int i = 0; i < o->n_reps && i < CL_SWEEP_MAX_GRID; i++) r = o->reps[i] > r ? o->reps[i] : r;
    for (int i = 0; i < o->n_lens && i < CL_SWEEP_MAX_GRID; i++) l = o->lens[i] > l ? o->lens[i] : l;
    if (!o->skip_unfit) return check_rrt_fits(m, info, n, r, l, err);
    /* skip_unfit: the cells too long for a model are skipped; its smallest must fit */
    r0 = r; l0 = l;
    for (int i = 0; i < o->n_reps && i < CL_SWEEP_MAX_GRID; i++) r0 = o->reps[i] < r0 ? o->reps[i] : r0;
    for (int i = 0; i < o->n_lens && i < CL_SWEEP_MAX_GRID; i++) l0 = o->lens[i] < l0 ? o->lens[i] : l0;
    for (int k = 0; k < n; k++)
        if (m[k] && !cl_sweep_cell_fits(m[k], (int)r0, (int)l0))
            return cl_error_set(err, CL_EINVAL, "%s: no cell of the sweep fits its context (the smallest, R = %ld, L = %ld, "
                                "needs %ld %s)", info ? info[k].path : "model", r0, l0, r0 * l0 + 1,
                                cl_rrp_model(m[k]) ? "patches" : "tokens");
    return 0;
}
