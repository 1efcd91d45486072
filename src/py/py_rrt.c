/* py_rrt.c — flat entry points (chronolens_study.h) of the RRT studies: the batch, the
 * induction study and the R x L sweep, in plain arrays for bindings. */
#include "chronolens_study.h"
#include "py/py_progress.h"
#include "study/common/rrt.h"

#include <math.h>
#include <string.h>

size_t cl_py_config_size(void) { return sizeof(cl_config); }

int cl_py_rrt_band(const cl_model *m, int *lo, int *hi, cl_error *err) {
    return cl_rrt_token_band(cl_model_config(m), lo, hi, err);
}

/* the induction options of the flat arguments (tok_lo < 0: the model's band) */
static int induction_opts(const cl_model *m, int seq_len, int reps, int batch, int tok_lo, int tok_hi, uint64_t seed,
                          int seeds, double threshold, int strict, cl_induction_opts *o, cl_error *err) {
    int rc = cl_induction_default(cl_model_config(m), o, err);
    if (rc && tok_lo < 0) return rc;
    if (batch < 1) return cl_error_set(err, CL_EINVAL, "rrt: batch %d: must be >= 1", batch);
    o->rrt.seq_len = seq_len;
    o->rrt.reps = reps;
    o->rrt.batch = batch;
    o->rrt.seed = seed;
    if (tok_lo >= 0) {
        if (tok_hi <= tok_lo)
            return cl_error_set(err, CL_EINVAL, "rrt: token range %d:%d is not LO:HI with LO < HI", tok_lo, tok_hi);
        o->rrt.tok_lo = tok_lo;
        o->rrt.tok_hi = tok_hi;
    }
    o->seeds = seeds;
    o->threshold = threshold;
    o->strict = strict;
    return 0;
}

int cl_py_rrt_batch(const cl_model *m, int seq_len, int reps, int batch, int tok_lo, int tok_hi, uint64_t seed,
                    int32_t *enc, uint8_t *mask, int32_t *dec, cl_error *err) {
    cl_induction_opts o;
    int rc = induction_opts(m, seq_len, reps, batch, tok_lo, tok_hi, seed, 1, 0.3, 0, &o, err);
    return rc ? rc : cl_rrt_make(cl_model_config(m), &o.rrt, enc, mask, dec, err);
}

static void put_stats(const cl_stat *s, int n, double *out) { /* (n, 3) */
    for (int i = 0; i < n; i++) {
        out[3 * i] = s ? s[i].mean : NAN;
        out[3 * i + 1] = s ? s[i].std : NAN;
        out[3 * i + 2] = s ? s[i].seed_std : NAN;
    }
}

static void put_counts(const cl_count *c, double *out) { /* (3, 3) */
    for (int k = 0; k < 3; k++) {
        out[3 * k] = c[k].n;
        out[3 * k + 1] = c[k].mean;
        out[3 * k + 2] = c[k].std;
    }
}

int cl_py_induction(const cl_model *m, int seq_len, int reps, int batch, int tok_lo, int tok_hi, uint64_t seed,
                    int seeds, double threshold, int strict, cl_py_progress progress, void *ctx, double *cross,
                    double *enc, double *counts, uint8_t *cross_flags, uint8_t *enc_flags, int *tok_range,
                    cl_error *err) {
    cl_induction_opts o;
    int rc = induction_opts(m, seq_len, reps, batch, tok_lo, tok_hi, seed, seeds, threshold, strict, &o, err);
    if (rc) return rc;
    cl_py_progress_ctx pp;
    o.progress = cl_py_progress_of(&pp, progress, ctx);
    cl_induction_result r;
    if ((rc = cl_induction_run(m, &o, &r, err))) return rc;
    const int n = r.layers * r.heads, ne = r.enc_layers * r.heads;
    put_stats(r.cur, n, cross);
    put_stats(r.right, n, cross + 3 * n);
    put_stats(r.ablate, n, cross + 6 * n);
    put_stats(r.copy, n, cross + 9 * n);
    put_stats(r.enc_cur, ne, enc);
    put_stats(r.enc_right, ne, enc + 3 * ne);
    put_counts(r.cross, counts);
    put_counts(r.enc, counts + 9);
    if (r.strict) put_counts(r.strict_count, counts + 18);
    else for (int i = 18; i < 27; i++) counts[i] = NAN;
    for (int i = 0; i < n; i++) {
        cross_flags[4 * i] = (uint8_t)cl_induction_above(&r, i, CL_CUR);
        cross_flags[4 * i + 1] = (uint8_t)cl_induction_above(&r, i, CL_RIGHT);
        cross_flags[4 * i + 2] = (uint8_t)cl_induction_strict(&r, i, CL_CUR);
        cross_flags[4 * i + 3] = (uint8_t)cl_induction_strict(&r, i, CL_RIGHT);
    }
    for (int i = 0; i < ne; i++) {
        enc_flags[2 * i] = (uint8_t)cl_induction_enc_above(&r, i, CL_CUR);
        enc_flags[2 * i + 1] = (uint8_t)cl_induction_enc_above(&r, i, CL_RIGHT);
    }
    tok_range[0] = r.tok_lo;
    tok_range[1] = r.tok_hi;
    cl_induction_free(&r);
    return 0;
}

int cl_py_sweep(const cl_model *m, const int *reps, int n_reps, const int *lens, int n_lens, int batch, int tok_lo,
                int tok_hi, uint64_t seed, int seeds, double threshold, cl_py_progress progress, void *ctx,
                double *counts, cl_error *err) {
    cl_sweep_opts o = {.n_reps = n_reps, .n_lens = n_lens, .reps = reps, .lens = lens};
    /* L and R are set per cell; 10 and 2 only pass the option check */
    int rc = induction_opts(m, 10, 2, batch, tok_lo, tok_hi, seed, seeds, threshold, 0, &o.base, err);
    if (rc) return rc;
    cl_py_progress_ctx pp;
    o.base.progress = cl_py_progress_of(&pp, progress, ctx);
    cl_sweep_result r;
    if ((rc = cl_sweep_run(m, &o, &r, err))) return rc;
    for (int i = 0; i < n_reps * n_lens; i++) {
        put_counts(r.cells[i].cross, counts + 18 * i);
        put_counts(r.cells[i].enc, counts + 18 * i + 9);
    }
    cl_sweep_free(&r);
    return 0;
}
