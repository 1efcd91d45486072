/*
 * chronolens_study.h — the public C API of the studies (libchronolens_study.so), on top of
 * the engine of chronolens.h (libchronolens.so).
 *
 * Conventions as in chronolens.h: 0 on success, else a status and a one-line cl_error.
 */
#ifndef CHRONOLENS_STUDY_H
#define CHRONOLENS_STUDY_H

#include "chronolens.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==================================================================== flat entry points
 * (branch py) For bindings (python/chronolens, over ctypes) and any caller that wants no
 * struct of an internal header: every argument is a scalar, a string or a caller-owned
 * array of the documented shape (row-major, outermost first). Each runs the same library
 * code as the corresponding command, so its numbers equal the command's files for the same
 * inputs and seed. Implemented in src/study/py_*.c. Progress callbacks may be NULL; they are
 * called on the calling thread with (done, total) in the study's own units. */

typedef void (*cl_py_progress)(void *ctx, double done, double total);

/* sizeof(cl_config), so that a binding can check its mirror of the struct. */
size_t cl_py_config_size(void);

/* ---- repeated random tokens (method.md §2) */

/* The token ids of the study's value band [lo, hi] for the model's vocabulary. */
int cl_py_rrt_band(const cl_model *m, int *lo, int *hi, cl_error *err);
/* One RRT batch: enc (batch, reps*seq_len + 2) `S .. S s_0 EOS`, mask (batch, same) all 1,
 * dec (batch, 2) = [decoder start, s_1]; tokens uniform in [tok_lo, tok_hi] (tok_lo < 0: the
 * model's band), drawn from seed. */
int cl_py_rrt_batch(const cl_model *m, int seq_len, int reps, int batch, int tok_lo, int tok_hi, uint64_t seed,
                    int32_t *enc, uint8_t *mask, int32_t *dec, cl_error *err);

/* The induction study (chronolens induction, one model). tok_lo < 0: the model's band.
 * Every statistic is (mean, std, seed_std); ablation and copying are NaN unless strict.
 *   cross       (4, layers*heads, 3): current token, token to right, ablation Δlog p, copying
 *   enc         (2, enc_layers*heads, 3): current token, token to right
 *   counts      (3, 3, 3): [cross, encoder, strict] x [current, right, any] x (n, mean, std)
 *   cross_flags (layers*heads, 4): above current, above right, strict current, strict right
 *   enc_flags   (enc_layers*heads, 2): above current, above right
 *   tok_range   (2): the token range used
 * progress: forward passes done of total. */
int cl_py_induction(const cl_model *m, int seq_len, int reps, int batch, int tok_lo, int tok_hi, uint64_t seed,
                    int seeds, double threshold, int strict, cl_py_progress progress, void *ctx, double *cross,
                    double *enc, double *counts, uint8_t *cross_flags, uint8_t *enc_flags, int *tok_range,
                    cl_error *err);

/* The R x L sweep (chronolens sweep, one model): counts (n_reps, n_lens, 2, 3, 3) =
 * [cross, encoder] x [current, right, any] x (n, mean, std). progress: cells. */
int cl_py_sweep(const cl_model *m, const int *reps, int n_reps, const int *lens, int n_lens, int batch, int tok_lo,
                int tok_hi, uint64_t seed, int seeds, double threshold, cl_py_progress progress, void *ctx,
                double *counts, cl_error *err);

/* ---- multisine spectra (method.md §3) */

#define CL_PY_MAX_FREQS 64

/* The multisine study (chronolens multisine, one model). The input: n frequencies (Hz),
 * amplitudes, phases (rad), points samples over duration s, Gaussian noise from seed.
 * With LH = decoder layers x heads:
 *   series, series_spectrum (points); axes (2, points): frequency_hz, quefrency_s
 *   arrays (4, LH, points): attention, spectrum, double_fft, double_fft_nodc
 *   heads (LH, 6): amplitude, peak, periodic (0/1), strength, spacing_hz, quefrency_s
 *   induction (LH, 3): score, current, right;  corr (2): Spearman rho, p (perms permutations) */
int cl_py_multisine(const cl_model *m, const double *freqs, const double *amps, const double *phases, int n,
                    int points, double duration, double noise, uint64_t seed, int perms, double min_strength,
                    double harmonic_ratio, double *series, double *series_spectrum, double *axes, double *arrays,
                    double *heads, double *induction, double *corr, cl_error *err);

/* The multisine sweep (chronolens multisine-sweep). G = decoder layers x heads.
 *   nfreqs (configs); cfg (configs, 3, CL_PY_MAX_FREQS): freqs, amps, phases (first nfreqs used)
 *   cfg_stats (configs, 4): smallest gap, gcd of the gaps, gcd of the freqs, non-divisor (0/1)
 *   heads (configs, G, 6) as cl_py_multisine; induction (G)
 *   rows (4, 14): [all pairs, top-k, non-divisor all, non-divisor top-k] x (configs, pairs,
 *     periodic, match, match_gcd, match_fund, err q05, q25, q50, q75, q95, mean abs error, rho, p)
 * progress: series done of configs. */
#define CL_PY_SWEEP_ROWS 4
#define CL_PY_SWEEP_COLS 14
int cl_py_multisine_sweep(const cl_model *m, int configs, uint64_t seed, int points, double duration, double noise,
                          int fmin, int fmax, int kmin, int kmax, int topk, int batch, int perms, double min_strength,
                          double harmonic_ratio, cl_py_progress progress, void *ctx, int *nfreqs, double *cfg,
                          double *cfg_stats, double *heads, double *induction, double *rows, cl_error *err);

/* ---- forecasting (method.md §1) */

/* ChronosPipeline.predict: context (B, L), NaN = missing -> values (B, samples, horizon).
 * batch 0 = automatic. */
int cl_py_forecast(const cl_model *m, const float *context, int B, int L, int horizon, int samples,
                   double temperature, int top_k, double top_p, uint64_t seed, int batch, int use_cache,
                   float *values, cl_error *err);
/* mean (B, H) and quantiles (B, H, nq) of values (B, S, H), as the forecast command writes. */
int cl_py_forecast_summary(const float *values, int B, int S, int H, const double *levels, int nq, float *mean,
                           float *quant, cl_error *err);
/* Context parroting of each series x (B, L) with window D: out (B, H); info (B, 4): period,
 * distance, scale, fallback. */
int cl_py_parrot(const float *x, int B, int L, int window, int H, float *out, double *info, cl_error *err);

/* ---- claims (method.md §5) */

#define CL_PY_CLAIMS 7
#define CL_PY_CLAIM_NUMS 4
/* The verdicts of the study's claims for model k of the commands' JSON files (induction.json,
 * sweep.json, multisine.json, multisine-sweep's sweep.json; a NULL path = not run). Strings
 * are static. text (7, 3): id, claim, test; verdict (7): 1 supported, 0 not, -1 undecided;
 * n (7) numbers per claim, names (7, 4), values (7, 4). */
int cl_py_claims(const char *induction_json, const char *sweep_json, const char *multisine_json,
                 const char *mss_json, int k, const char **text, int *verdict, int *n, const char **names,
                 double *values, cl_error *err);

/* ==================================================================== end (branch py) */

#ifdef __cplusplus
}
#endif
#endif /* CHRONOLENS_STUDY_H */
