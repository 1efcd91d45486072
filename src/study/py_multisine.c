/* py_multisine.c — flat entry points (chronolens_study.h) of the multisine study and the
 * multisine sweep: the same steps as the multisine and multisine-sweep commands, results in
 * caller-owned arrays. */
#include "chronolens_study.h"
#include "../analysis/msheads.h"
#include "../analysis/mssweep.h"
#include "../analysis/multisine.h"
#include "../analysis/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(CL_PY_MAX_FREQS == CL_MS_MAX_FREQS, "the flat arrays are sized by CL_MS_MAX_FREQS");

static int spacing_opts(double min_strength, double harmonic_ratio, int perms, cl_spacing_opts *so, cl_error *err) {
    cl_spacing_defaults(so);
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

int cl_py_multisine(const cl_model *m, const double *freqs, const double *amps, const double *phases, int n,
                    int points, double duration, double noise, uint64_t seed, int perms, double min_strength,
                    double harmonic_ratio, double *series, double *series_spectrum, double *axes, double *arrays,
                    double *heads, double *induction, double *corr, cl_error *err) {
    cl_spacing_opts so;
    int rc = spacing_opts(min_strength, harmonic_ratio, perms, &so, err);
    if (rc) return rc;
    if (n < 1 || n > CL_MS_MAX_FREQS)
        return cl_error_set(err, CL_EINVAL, "multisine: %d frequencies (1 to %d)", n, CL_MS_MAX_FREQS);
    cl_multisine ms;
    memset(&ms, 0, sizeof ms);
    ms.n = n;
    memcpy(ms.freqs, freqs, sizeof(double) * n);
    memcpy(ms.amps, amps, sizeof(double) * n);
    memcpy(ms.phases, phases, sizeof(double) * n);
    ms.points = points;
    ms.duration = duration;
    ms.noise = noise;
    if ((rc = cl_multisine_check(&ms, err))) return rc;
    const cl_config *c = cl_model_config(m);
    const int LH = c->num_decoder_layers * c->num_heads;
    cl_state *s = NULL;
    cl_fft *fft = NULL;
    cl_ms_arrays arr = {0};
    float *sf = malloc(sizeof(float) * points);
    cl_ms_head *h = calloc((size_t)LH, sizeof *h);
    double *amp = malloc(sizeof(double) * LH);
    if (!sf || !h || !amp) rc = cl_error_set(err, CL_ENOMEM, "multisine: out of memory");
    if (!rc) rc = cl_fft_new(points, &fft, err);
    if (!rc) { /* the input and its spectrum, as the command computes them */
        cl_rng rng;
        cl_rng_seed(&rng, seed);
        cl_multisine_eval(&ms, &rng, sf);
        for (int j = 0; j < points; j++) series[j] = sf[j];
        cl_fft_abs(fft, series, series_spectrum);
        cl_fftfreq(points, duration / points, axes);
        cl_fftfreq(points, 1.0 / duration, axes + points);
    }
    if (!rc) rc = cl_state_new(m, &s, err);
    if (!rc) rc = cl_multisine_induction(s, induction, induction + LH, induction + 2 * LH, err);
    if (!rc) rc = cl_ms_heads(s, fft, sf, 1, points, duration, 1, &so, h, &arr, NULL, err);
    if (!rc) {
        const size_t per = (size_t)LH * points;
        memcpy(arrays, arr.attn, sizeof(double) * per);
        memcpy(arrays + per, arr.mag, sizeof(double) * per);
        memcpy(arrays + 2 * per, arr.dfft, sizeof(double) * per);
        memcpy(arrays + 3 * per, arr.dnodc, sizeof(double) * per);
        for (int i = 0; i < LH; i++) {
            put_head(&h[i], heads + 6 * i);
            amp[i] = h[i].amplitude;
        }
        if (cl_spearman_grouped(amp, 1, LH, induction, perms, seed, &corr[0], &corr[1]))
            rc = cl_error_set(err, CL_ENOMEM, "multisine: out of memory");
    }
    if (!rc) { /* (LH, 3) score, current, right, from the three (LH) blocks */
        double *t = malloc(sizeof(double) * 3 * LH);
        if (!t) rc = cl_error_set(err, CL_ENOMEM, "multisine: out of memory");
        for (int i = 0; t && i < LH; i++)
            for (int k = 0; k < 3; k++) t[3 * i + k] = induction[k * LH + i];
        if (t) memcpy(induction, t, sizeof(double) * 3 * LH);
        free(t);
    }
    cl_ms_arrays_free(&arr);
    cl_fft_free(fft);
    cl_state_free(s);
    free(sf); free(h); free(amp);
    return rc;
}

/* cl_ms_heads reports progress without a context pointer: the caller's callback is carried
 * for the duration of one call on this thread. */
static _Thread_local struct { cl_py_progress fn; void *ctx; } ms_progress;
static void ms_progress_bridge(const char *label, double done, double total) {
    (void)label;
    if (ms_progress.fn) ms_progress.fn(ms_progress.ctx, done, total);
}

int cl_py_multisine_sweep(const cl_model *m, int configs, uint64_t seed, int points, double duration, double noise,
                          int fmin, int fmax, int kmin, int kmax, int topk, int batch, int perms, double min_strength,
                          double harmonic_ratio, cl_py_progress progress, void *ctx, int *nfreqs, double *cfg,
                          double *cfg_stats, double *heads, double *induction, double *rows, cl_error *err) {
    cl_spacing_opts so;
    int rc = spacing_opts(min_strength, harmonic_ratio, perms, &so, err);
    if (rc) return rc;
    cl_multisine base;
    cl_multisine_reference(&base);
    base.points = points;
    base.duration = duration;
    base.noise = noise;
    /* the command's option checks */
    if (configs < 1) return cl_error_set(err, CL_EINVAL, "multisine-sweep: configs %d: must be >= 1", configs);
    if (points < 8) return cl_error_set(err, CL_EINVAL, "multisine-sweep: points %d: must be >= 8", points);
    if (!(duration > 0)) return cl_error_set(err, CL_EINVAL, "multisine-sweep: duration %g: must be > 0", duration);
    if (!(noise >= 0)) return cl_error_set(err, CL_EINVAL, "multisine-sweep: noise %g: must be >= 0", noise);
    if (batch < 1) return cl_error_set(err, CL_EINVAL, "multisine-sweep: batch %d: must be >= 1", batch);
    const double nyq = cl_multisine_nyquist(&base), tol = 1.0 / duration;
    if (fmin < 1 || fmax <= fmin)
        return cl_error_set(err, CL_EINVAL, "multisine-sweep: fmin %d, fmax %d: want 1 <= fmin < fmax", fmin, fmax);
    if (!(fmax < nyq))
        return cl_error_set(err, CL_EINVAL, "multisine-sweep: fmax %d Hz is not below the Nyquist frequency %g Hz", fmax,
                            nyq);
    if (kmin < 2 || kmin > kmax || kmax > CL_MS_MAX_FREQS)
        return cl_error_set(err, CL_EINVAL, "multisine-sweep: min_freqs %d, max_freqs %d: want 2 <= min <= max <= %d",
                            kmin, kmax, CL_MS_MAX_FREQS);
    if (kmax > fmax - fmin + 1)
        return cl_error_set(err, CL_EINVAL, "multisine-sweep: %d distinct integer frequencies do not fit in [%d, %d] Hz",
                            kmax, fmin, fmax);
    const cl_config *c = cl_model_config(m);
    const int G = c->num_decoder_layers * c->num_heads;
    if (topk < 1 || topk > G)
        return cl_error_set(err, CL_EINVAL, "multisine-sweep: top_k %d: want 1 to the model's %d decoder heads", topk, G);
    const int C = configs;
    cl_multisine *cf = malloc(sizeof *cf * C);
    double *gap = malloc(sizeof(double) * C), *gcd = malloc(sizeof(double) * C), *fund = malloc(sizeof(double) * C);
    unsigned char *nd = malloc((size_t)C);
    float *series = malloc(sizeof(float) * (size_t)C * points);
    cl_ms_head *h = calloc((size_t)C * G, sizeof *h);
    cl_state *s = NULL;
    cl_fft *fft = NULL;
    if (!cf || !gap || !gcd || !fund || !nd || !series || !h)
        rc = cl_error_set(err, CL_ENOMEM, "multisine-sweep: out of memory for %d configurations", C);
    if (!rc) {
        cl_rng rng;
        cl_rng_seed(&rng, seed);
        for (int k = 0; k < C; k++) { /* configuration k, then its noise: one stream, as the command */
            cl_multisine_random(&rng, &base, fmin, fmax, kmin, kmax, &cf[k]);
            cl_multisine_eval(&cf[k], &rng, series + (size_t)k * points);
            gap[k] = cl_multisine_smallest_gap(&cf[k]);
            gcd[k] = cl_multisine_gap_gcd(&cf[k]);
            fund[k] = cl_multisine_freq_gcd(&cf[k]);
            nd[k] = (unsigned char)cl_multisine_non_divisor(&cf[k]);
        }
    }
    if (!rc) rc = cl_state_new(m, &s, err);
    if (!rc) rc = cl_fft_new(points, &fft, err);
    if (!rc) rc = cl_multisine_induction(s, induction, NULL, NULL, err);
    if (!rc) {
        ms_progress.fn = progress;
        ms_progress.ctx = ctx;
        rc = cl_ms_heads(s, fft, series, C, points, duration, batch, &so, h, NULL, progress ? ms_progress_bridge : NULL,
                         err);
        ms_progress.fn = NULL;
    }
    for (int r = 0; r < CL_PY_SWEEP_ROWS && !rc; r++) { /* all, top-k, non-divisor all, non-divisor top-k */
        cl_sweep_stats st;
        if (cl_sweep_summarise(h, gap, gcd, fund, r >= 2 ? nd : NULL, C, G, (r & 1) ? topk : 0, induction, tol, perms,
                               seed, &st)) {
            rc = cl_error_set(err, CL_ENOMEM, "multisine-sweep: out of memory");
            break;
        }
        double *o = rows + CL_PY_SWEEP_COLS * r;
        o[0] = st.configs; o[1] = st.pairs; o[2] = st.periodic; o[3] = st.match; o[4] = st.match_gcd;
        o[5] = st.match_fund;
        for (int q = 0; q < 5; q++) o[6 + q] = st.err_q[q];
        o[11] = st.mean_abs_err; o[12] = st.rho; o[13] = st.p;
    }
    for (int k = 0; k < C && !rc; k++) {
        nfreqs[k] = cf[k].n;
        double *x = cfg + (size_t)k * 3 * CL_MS_MAX_FREQS;
        for (int i = 0; i < 3 * CL_MS_MAX_FREQS; i++) x[i] = NAN;
        memcpy(x, cf[k].freqs, sizeof(double) * cf[k].n);
        memcpy(x + CL_MS_MAX_FREQS, cf[k].amps, sizeof(double) * cf[k].n);
        memcpy(x + 2 * CL_MS_MAX_FREQS, cf[k].phases, sizeof(double) * cf[k].n);
        double *y = cfg_stats + 4 * k;
        y[0] = gap[k]; y[1] = gcd[k]; y[2] = fund[k]; y[3] = nd[k];
        for (int g = 0; g < G; g++) put_head(&h[(size_t)k * G + g], heads + ((size_t)k * G + g) * 6);
    }
    cl_fft_free(fft);
    cl_state_free(s);
    free(cf); free(gap); free(gcd); free(fund); free(nd); free(series); free(h);
    return rc;
}
