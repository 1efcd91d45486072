/* py_multisine.c — flat entry points (chronolens_study.h) of the multisine study and the
 * multisine sweep: the flat arguments into the studies' opts, cl_multisine_run_models /
 * cl_mssweep_run_model (the code of the commands), the typed results into caller-owned arrays. */
#include "chronolens_study.h"
#include "py/py_progress.h"
#include "study/common/spectrum.h"

#include <math.h>
#include <string.h>

_Static_assert(CL_PY_MAX_FREQS == CL_MS_MAX_FREQS, "the flat arrays are sized by CL_MS_MAX_FREQS");
_Static_assert(CL_PY_SWEEP_ROWS == CL_MSS_NROWS, "the summary rows");

static int spacing_opts(double min_strength, double harmonic_ratio, int perms, cl_spacing_opts *so, cl_error *err) {
    cl_spacing_default(so);
    if (!(min_strength >= 0 && min_strength <= 1))
        return cl_error_set(err, CL_EINVAL, "multisine: min_strength %g is not in [0, 1]", min_strength);
    if (!(harmonic_ratio >= 0 && harmonic_ratio <= 1))
        return cl_error_set(err, CL_EINVAL, "multisine: harmonic_ratio %g is not in [0, 1]", harmonic_ratio);
    if (perms < 0) return cl_error_set(err, CL_EINVAL, "multisine: permutations %d: must be >= 0", perms);
    so->min_strength = min_strength;
    so->harmonic_ratio = harmonic_ratio;
    return 0;
}

static void put_head(const cl_ms_head *h, double *out) { /* (6) */
    out[0] = h->amplitude;
    out[1] = h->peak;
    out[2] = h->sp.periodic;
    out[3] = h->sp.strength;
    out[4] = h->sp.spacing_hz;
    out[5] = h->sp.quefrency_s;
}

int cl_py_multisine(const cl_model *m, const char *path, const double *freqs, const double *amps,
                    const double *phases, int n, int points, double duration, double noise, uint64_t seed, int perms,
                    double min_strength, double harmonic_ratio, double *series, double *series_spectrum, double *axes,
                    double *arrays, double *heads, double *induction, double *corr, cl_error *err) {
    cl_multisine_opts o;
    cl_multisine_default(&o);
    o.fit_context = 0; /* the caller sized its arrays for these points (python/chronolens fits the defaults) */
    int rc = spacing_opts(min_strength, harmonic_ratio, perms, &o.spacing, err);
    if (rc) return rc;
    if (n < 1 || n > CL_MS_MAX_FREQS)
        return cl_error_set(err, CL_EINVAL, "multisine: %d frequencies (1 to %d)", n, CL_MS_MAX_FREQS);
    memset(&o.input, 0, sizeof o.input);
    o.input.n = n;
    memcpy(o.input.freqs, freqs, sizeof(double) * n);
    memcpy(o.input.amps, amps, sizeof(double) * n);
    memcpy(o.input.phases, phases, sizeof(double) * n);
    o.input.points = points;
    o.input.duration = duration;
    o.input.noise = noise;
    o.seed = seed;
    o.permutations = perms;
    const cl_model *ms[1] = {m};
    const char *paths[1] = {path ? path : "model"};
    cl_multisine_result r;
    if ((rc = cl_multisine_run_models(ms, paths, 1, &o, &r, err))) return rc;
    const cl_multisine_model *x = &r.res[0];
    const int LH = x->layers * x->heads;
    const size_t per = (size_t)LH * points;
    memcpy(series, r.series, sizeof(double) * points);
    memcpy(series_spectrum, r.series_mag, sizeof(double) * points);
    cl_fftfreq(points, duration / points, axes);
    cl_fftfreq(points, 1.0 / duration, axes + points);
    memcpy(arrays, x->arr.attn, sizeof(double) * per);
    memcpy(arrays + per, x->arr.mag, sizeof(double) * per);
    memcpy(arrays + 2 * per, x->arr.dfft, sizeof(double) * per);
    memcpy(arrays + 3 * per, x->arr.dnodc, sizeof(double) * per);
    for (int i = 0; i < LH; i++) { /* heads (LH, 6); induction (LH, 3): score, current, right */
        put_head(&x->h[i], heads + 6 * i);
        induction[3 * i] = x->ind[i];
        induction[3 * i + 1] = x->cur[i];
        induction[3 * i + 2] = x->right[i];
    }
    corr[0] = x->rho;
    corr[1] = x->p;
    cl_multisine_free(&r);
    return 0;
}

int cl_py_multisine_sweep(const cl_model *m, const char *path, int configs, uint64_t seed, int points,
                          double duration, double noise, int fmin, int fmax, int kmin, int kmax, int topk, int batch,
                          int perms, double min_strength, double harmonic_ratio, cl_py_progress progress, void *ctx,
                          int *nfreqs, double *cfg, double *cfg_stats, double *heads, double *induction, double *rows,
                          cl_error *err) {
    cl_mssweep_opts o;
    cl_mssweep_default(&o);
    o.fit_context = 0; /* the caller sized its arrays for these points (python/chronolens fits the defaults) */
    int rc = spacing_opts(min_strength, harmonic_ratio, perms, &o.spacing, err);
    if (rc) return rc;
    /* the checks of the command's options that the study leaves to its callers */
    if (configs < 1) return cl_error_set(err, CL_EINVAL, "multisine-sweep: configs %d: must be >= 1", configs);
    if (points < 8) return cl_error_set(err, CL_EINVAL, "multisine-sweep: points %d: must be >= 8", points);
    if (!(duration > 0)) return cl_error_set(err, CL_EINVAL, "multisine-sweep: duration %g: must be > 0", duration);
    if (!(noise >= 0)) return cl_error_set(err, CL_EINVAL, "multisine-sweep: noise %g: must be >= 0", noise);
    if (batch < 1) return cl_error_set(err, CL_EINVAL, "multisine-sweep: batch %d: must be >= 1", batch);
    if (fmin < 1) return cl_error_set(err, CL_EINVAL, "multisine-sweep: fmin %d: must be >= 1", fmin);
    if (kmin < 2 || kmax > CL_MS_MAX_FREQS)
        return cl_error_set(err, CL_EINVAL, "multisine-sweep: min_freqs %d, max_freqs %d: want 2 <= min <= max <= %d",
                            kmin, kmax, CL_MS_MAX_FREQS);
    if (topk < 1) return cl_error_set(err, CL_EINVAL, "multisine-sweep: top_k %d: must be >= 1", topk);
    o.configs = configs;
    o.seed = seed;
    o.base.points = points;
    o.base.duration = duration;
    o.base.noise = noise;
    o.fmin = fmin;
    o.fmax = fmax;
    o.kmin = kmin;
    o.kmax = kmax;
    o.top_k = topk;
    o.batch = batch;
    o.permutations = perms;
    cl_py_progress_ctx pp;
    o.progress = cl_py_progress_of(&pp, progress, ctx);
    cl_mssweep_result r;
    if ((rc = cl_mssweep_run_model(m, path ? path : "model", &o, &r, err))) return rc;
    const int C = r.C, G = r.G;
    for (int k = 0; k < CL_MSS_NROWS; k++) { /* all, top-k, non-divisor all, non-divisor top-k */
        const cl_mssweep_stats *st = &r.rows[k];
        double *x = rows + CL_PY_SWEEP_COLS * k;
        x[0] = st->configs; x[1] = st->pairs; x[2] = st->periodic; x[3] = st->match; x[4] = st->match_gcd;
        x[5] = st->match_fund;
        for (int q = 0; q < 5; q++) x[6 + q] = st->err_q[q];
        x[11] = st->mean_abs_err; x[12] = st->rho; x[13] = st->p;
    }
    memcpy(induction, r.ind, sizeof(double) * G);
    for (int k = 0; k < C; k++) {
        const cl_multisine *c = &r.cfg[k];
        nfreqs[k] = c->n;
        double *x = cfg + (size_t)k * 3 * CL_MS_MAX_FREQS;
        for (int i = 0; i < 3 * CL_MS_MAX_FREQS; i++) x[i] = NAN;
        memcpy(x, c->freqs, sizeof(double) * c->n);
        memcpy(x + CL_MS_MAX_FREQS, c->amps, sizeof(double) * c->n);
        memcpy(x + 2 * CL_MS_MAX_FREQS, c->phases, sizeof(double) * c->n);
        double *y = cfg_stats + 4 * k;
        y[0] = r.gap[k]; y[1] = r.gcd[k]; y[2] = r.fund[k]; y[3] = r.nd[k];
        for (int g = 0; g < G; g++) put_head(&r.h[(size_t)k * G + g], heads + ((size_t)k * G + g) * 6);
    }
    cl_mssweep_free(&r);
    return 0;
}
