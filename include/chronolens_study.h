/*
 * chronolens_study.h — the studies of chronolens as a C API (libchronolens_study).
 *
 * Every study follows one shape:
 *   cl_<study>_opts + cl_<study>_default()   what to run, with the study's defaults
 *   cl_<study>_run(...)                      runs it -> a typed result struct
 *   cl_<study>_write(result, dir)            writes exactly the files it documents
 *   cl_<study>_read(dir, &result)            reads them back into the same struct
 *   cl_<study>_free(&result)
 * A result is a struct, not a file: the report and the Python package read the struct, and
 * the JSON/CSV keys of a study are defined once, in its writer/reader (src/study/<module>/).
 * Conventions of chronolens.h hold: 0 or a status with a one-line cl_error; the library never
 * prints or exits; long functions report through the cl_progress carried in their opts.
 * The method of every number: docs/method.md (§2 induction heads, §3 multisine spectra).
 */
#ifndef CHRONOLENS_STUDY_H
#define CHRONOLENS_STUDY_H

#include "chronolens.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- shards */

/* Part k of n of a study over independent units (models, sweep cells, multisine-sweep
 * configurations): unit u belongs to part k when u % n == k - 1. n = 0: the whole run.
 * A part writes its files and DIR/shard.json; cl_merge joins the parts into exactly the
 * files one run writes (the same numbers for the same seed; run times aside). */
typedef struct cl_shard { int k, n; } cl_shard;
static inline int cl_shard_has(const cl_shard *s, int unit) { return !s || s->n <= 1 || unit % s->n == s->k - 1; }
/* Parses "K/N" (1 <= K <= N <= 100000); 0 or CL_EINVAL. */
CL_API int cl_shard_parse(const char *text, cl_shard *s, cl_error *err);
/* Joins part folders (written with --shard K/N, every K once) into out (created). */
CL_API int cl_merge(const char *const *parts, int n, const char *out, cl_error *err);
/* More parts than units is refused before any work: CL_EINVAL, "option --shard: N parts for
 * UNITS WHAT" (what: "units", "models", ...). s NULL or s->n 0 (the whole run): 0. */
CL_API int cl_shard_check(const cl_shard *s, int units, const char *what, cl_error *err);

/* Where a study's files go (the cl_<study>_save calls, src/report/save.c): the whole run
 * (shard.n 0) writes its result and draws its figures; a part of a sharded run writes its
 * result and DIR/shard.json (part k of n, units: the whole run's) instead, and cl_merge
 * draws the figures of the joined run. NULL: the whole run. */
typedef struct cl_save_part {
    cl_shard shard;
    int units;
} cl_save_part;

/* ---------------------------------------------------------------- models of a study */

#define CL_STUDY_MAX_MODELS 64

/* A model of a multi-model study as its files name it: name = folder basename (unique in a
 * study), path = the folder as given, seconds = its run time (0 when not measured). */
typedef struct cl_study_model {
    char name[256];
    char path[4096];
    double seconds;
    double parameters; /* the model's parameter count (NaN: unknown) */
    int sampling;      /* the token range a study ran it on: CL_SAMPLING_BAND 0, CL_SAMPLING_ALL 1,
                        * CL_SAMPLING_PATCHES 2 (Chronos-Bolt: repeated random patches), -1 another
                        * range (no scores-table rows) */
} cl_study_model;

/* Loads the models of a study, dirs[0..n), and names them (cl_study_model): names (n) or
 * NULL, a NULL entry (or names NULL) takes cl_study_model_name of the folder, a given name
 * passes cl_study_name_check; two models of one name are an error. Every model is named,
 * only those of part shard (unit = model index; NULL: every model) are loaded, the
 * others' m[k] NULL. lo: cl_model_load's options (NULL: the defaults). m (n) receives the
 * models (free each with cl_model_free); info (n) their names. */
CL_API int cl_study_models_load(const char *const *dirs, const char *const *names, int n, const cl_shard *shard,
                                const cl_load_opts *lo, cl_model **m, cl_study_model *info, cl_error *err);
/* A model's default name: the folder's basename, and for a Hugging Face cache snapshot
 * (.../models--ORG--NAME/snapshots/HASH) NAME; "model" for an empty path. */
CL_API void cl_study_model_name(const char *dir, char *buf, size_t n);
/* A name is used in file names: 1 to 100 characters, no '/', not "." or "..". 0 or CL_EINVAL. */
CL_API int cl_study_name_check(const char *name, cl_error *err);

/* ---------------------------------------------------------------- induction (method.md §2) */

typedef struct cl_rrt_opts {
    int seq_len;        /* L: length of the random sequence S (10) */
    int reps;           /* R: repetitions of S (2) */
    int batch;          /* number of random sequences averaged (100) */
    int tok_lo, tok_hi; /* token ids drawn uniformly from [tok_lo, tok_hi] (Chronos-T5) */
    uint64_t seed;
    int offset;         /* Chronos-Bolt (repeated random patches, method.md §4.1): the repeated
                         * block shifted this many values against the patch grid, 0 <= offset <
                         * patch_size (0: the plain test); ignored by Chronos-T5 */
} cl_rrt_opts;

/* One batch of repeated random tokens for a Chronos-T5 config, as cl_induction_run draws a
 * seed's batch: enc (batch, R*L + 2) `S .. S s_0 EOS` (S: L tokens uniform in [tok_lo, tok_hi]
 * from seed), mask (batch, R*L + 2) all 1, dec (batch, 2) = [decoder start, s_1]. Validates
 * the options (L >= 2, R >= 2, batch >= 1, token ids inside the vocabulary). */
CL_API int cl_rrt_make(const cl_config *c, const cl_rrt_opts *o, int32_t *enc, uint8_t *mask, int32_t *dec,
                       cl_error *err);

typedef struct cl_induction_opts {
    cl_rrt_opts rrt;   /* L, R, batch, token range, first seed */
    double threshold;  /* a head counts for a criterion when its mean score >= threshold (0.3) */
    int seeds;         /* independent batches (1) */
    int strict;        /* 1: also ablation and copying scores (1) */
    cl_progress progress;  /* optional: stage "induction", forward passes done of all */
    cl_precision precision; /* of the models' products, as recorded (settings.precision): the
                             * study runs fill it from cl_model_precision (a model's precision is
                             * chosen when it is loaded: cl_load_opts); cl_induction_run ignores it */
} cl_induction_opts;

/* mean: over all seeds * batch values (= mean of the per-seed means);
 * std: sample standard deviation over those seeds * batch values;
 * seed_std: sample standard deviation of the per-seed means (0 when seeds = 1). */
typedef struct cl_stat { double mean, std, seed_std; } cl_stat;

/* A count of heads: n = heads whose mean score (over seeds) >= threshold;
 * mean, std = mean and sample std over the seeds of the per-seed counts. */
typedef struct cl_count { int n; double mean, std; } cl_count;

enum { CL_CUR = 0, CL_RIGHT = 1, CL_ANY = 2 }; /* criterion index of the count arrays */

typedef struct cl_induction_result {
    int layers, heads, enc_layers; /* decoder layers, heads per layer, encoder layers */
    int seeds, strict;
    int tok_lo, tok_hi;            /* the token range used (Chronos-T5) */
    int bolt;                      /* 1: a Chronos-Bolt model, scored with repeated random patches
                                    * (positions are patch indices; ablate = Δ error of the first-step
                                    * median, copy = NULL; docs/induction.md (Chronos-Bolt)) */
    int patch_size, offset;        /* Chronos-Bolt: the model's patch size, the RRP offset used */
    double threshold;
    /* (layers * heads), layer-major: decoder cross-attention */
    cl_stat *cur, *right;
    /* every occurrence (cl_rrt_scores): sums over the R occurrences of the attention on the
     * current token and on the token to its right, per head; occ_cur, occ_right
     * (layers*heads, reps): mean attention on each occurrence k = 0..R-1 (R-1 = the most
     * recent: cur, right) */
    int reps;
    cl_stat *cur_all, *right_all;
    double *occ_cur, *occ_right;
    cl_stat *ablate;               /* Δ log p(s_2); NULL unless strict */
    cl_stat *copy;                 /* copying score; NULL unless strict */
    /* (enc_layers * heads): encoder self-attention */
    cl_stat *enc_cur, *enc_right;
    /* counts per criterion (CL_CUR, CL_RIGHT, CL_ANY: either of the two) */
    cl_count cross[3], enc[3];
    /* heads >= threshold for the criterion AND mean Δ < 0 (ablation lowers log p(s_2));
     * per seed: attention score of that seed >= threshold and that seed's Δ < 0 */
    cl_count strict_count[3];
    int chronos2;                  /* 1: a Chronos-2 model (bolt is 1 too: repeated random patches);
                                    * the "cross" arrays (layers = its layers) are the first future
                                    * token's time-attention row (rows "future" in induction.csv),
                                    * ablate gates a time-attention head (docs/induction.md) */
} cl_induction_result;

/* The study's defaults for a model: L 10, R 2, batch 100, token band of its vocabulary,
 * seed 0, threshold 0.3, one seed, strict on. */
CL_API int cl_induction_default(const cl_config *c, cl_induction_opts *o, cl_error *err);

/* Runs the analysis on one model (one forward pass per seed for the scores; with strict,
 * one decoder pass per cross-attention head on top, reusing that encoder output). Validates
 * the options (threshold in [0, 1], seeds >= 1, L >= 2, R >= 2, ids inside the vocab). */
CL_API int cl_induction_run(const cl_model *m, const cl_induction_opts *o, cl_induction_result *r, cl_error *err);
CL_API void cl_induction_free(cl_induction_result *r);

/* Flags of a cross head (layer-major index i): above threshold for a criterion
 * (CL_CUR, CL_RIGHT, CL_ANY), and strict (above and mean Δ < 0; 0 unless strict). */
CL_API int cl_induction_above(const cl_induction_result *r, int i, int criterion);
CL_API int cl_induction_strict(const cl_induction_result *r, int i, int criterion);
CL_API int cl_induction_enc_above(const cl_induction_result *r, int i, int criterion);
/* One number per cross head for rankings and correlations: max(cur.mean, right.mean). */
CL_API double cl_induction_head_score(const cl_induction_result *r, int layer, int head);

/* The induction study over several models: what induction.json and induction.csv hold. */
typedef struct cl_induction_set {
    cl_induction_opts opts;   /* the settings: rrt.seq_len, rrt.reps, rrt.batch, rrt.seed, seeds,
                               * threshold, strict (each model's token range is in its result) */
    int n;                    /* models */
    cl_study_model *models;   /* (n) */
    cl_induction_result *res; /* (n) */
} cl_induction_set;

/* The settings of a multi-model run: opts as cl_induction_default (token range ignored) plus
 * the token range used for every model (tok_lo < 0: each model's own band). */
typedef struct cl_induction_study_opts {
    cl_induction_opts base;
    int tok_lo, tok_hi;
    int sampling_all; /* 1: every non-special token of each model (tok_lo ignored; --sampling all) */
    cl_shard shard;  /* induction: units are the models; sweep: the (model, cell) pairs */
} cl_induction_study_opts;
CL_API void cl_induction_study_default(cl_induction_study_opts *o);
/* Runs cl_induction_run on every model (names as cl_study_models_load gives them, paths as
 * given); progress over all models ("induction: NAME (k/n)"). The models share one precision
 * (else CL_EINVAL); out->opts.precision records it. */
/* Checks the settings against every model before any work: R x L + 1 values fit each
 * context_length (cl_induction_study_run checks it too, before its first model). */
CL_API int cl_induction_study_check(cl_model *const *m, const cl_study_model *info, int n, const cl_induction_study_opts *o,
                                    cl_error *err);
CL_API int cl_induction_study_run(cl_model *const *m, const cl_study_model *info, int n, const cl_induction_study_opts *o,
                                  cl_induction_set *out, cl_error *err);
/* dir/induction.json (settings, per model: sizes, parameters, sampling, token range, seconds,
 * counts, every head's scores — the most recent occurrence and every occurrence — and flags,
 * layer distribution), dir/induction.csv (one row per head) and dir/scores.csv (the scores
 * table of method.md §5, cl_induction_scores); atomic. */
CL_API int cl_induction_write(const cl_induction_set *s, const char *dir, cl_error *err);
/* Reads dir/induction.json back: every number as written (cJSON keeps 15 digits when they
 * read back within one ulp, else 17), so writing the read set gives the same bytes. */
CL_API int cl_induction_read(const char *dir, cl_induction_set *s, cl_error *err);
CL_API void cl_induction_set_free(cl_induction_set *s);
/* The models of s that scores.csv leaves out (a token range that is neither the band nor all
 * tokens, or a Chronos-Bolt repeat off the patch grid, offset != 0), as the writer counts them. */
CL_API int cl_induction_scores_skipped(const cl_induction_set *s, int *skipped, cl_error *err);
/* `chronolens induction`'s files in dir (created when missing): cl_induction_write, then the
 * figures (mosaics, layer distribution) or, for a part, shard.json; offset_units: with
 * --offsets, the (model, offset) units of offsets.json the merge joins too (0: none). */
CL_API int cl_induction_save(const cl_induction_set *s, const char *dir, const cl_save_part *part, int offset_units,
                      cl_error *err);

/* ---------------------------------------------------------------- sweep (method.md §2) */

#define CL_SWEEP_MAX_GRID 64

typedef struct cl_sweep_opts {
    cl_induction_opts base;  /* batch, token range, seed, seeds, threshold; L, R and strict ignored */
    int n_reps, n_lens;
    const int *reps, *lens;  /* the grid: R values (>= 2), L values (>= 2) */
    const unsigned char *only; /* (n_reps*n_lens): run only these cells (a shard); NULL: all */
    int skip_unfit;          /* 1: cells whose R x L + 1 tokens (patches) exceed the model's context
                              * are not run (done = CL_CELL_UNFIT); 0: such a grid is refused */
} cl_sweep_opts;

/* One cell of the grid: counts as in cl_induction_result (cross and encoder), and the
 * per-head cross-attention scores behind them (layers*heads, layer-major; owned by the
 * result): most recent occurrence (cur, right) and the sums over every occurrence. */
typedef struct cl_sweep_cell {
    int reps, seq_len;
    cl_count cross[3], enc[3];
    int layers, heads;
    cl_stat *cur, *right, *cur_all, *right_all;
} cl_sweep_cell;

/* Beside a sweep cell's counts (method.md §5): the uniform level 1/T (T = R*L + 2); the
 * baseline-aware count — heads whose mean lifts the attention at least `threshold` of the
 * way from 1/T to 1, (score - 1/T) / (1 - 1/T) >= threshold, either criterion; the
 * author's "total" (heads >= threshold on current plus those on right, a head on both
 * counted twice); and the union count of the all-occurrence sums. */
typedef struct cl_sweep_extra { double inv_t; int baseline_any, total, all_any, all_right; } cl_sweep_extra;
CL_API cl_sweep_extra cl_sweep_cell_extra(const cl_sweep_cell *c, double threshold);

enum { CL_CELL_ELSEWHERE = 0, CL_CELL_RUN = 1, CL_CELL_UNFIT = 2 };
typedef struct cl_sweep_result {
    int n_reps, n_lens;
    cl_sweep_cell *cells; /* (n_reps, n_lens), R-major */
    unsigned char *done;  /* (n_reps*n_lens) CL_CELL_RUN, CL_CELL_ELSEWHERE (another shard part's)
                           * or CL_CELL_UNFIT (longer than the context: skip_unfit); NULL: all run */
    int chronos2;         /* 1: a Chronos-2 model ("cross" = the first future token's row, as
                           * cl_induction_result.chronos2) */
} cl_sweep_result;
/* 1 when cell i of r was run (its scores are there). */
CL_API int cl_sweep_cell_run(const cl_sweep_result *r, int i);
/* 1 when R x L + 1 tokens (T5) or patches (Bolt, at offset 0) fit the model's context. */
CL_API int cl_sweep_cell_fits(const cl_model *m, int reps, int seq_len);

/* Runs cl_induction_run (scores only) for every cell; base.progress, if set, reports
 * (stage "sweep", cells done of all). */
CL_API int cl_sweep_run(const cl_model *m, const cl_sweep_opts *o, cl_sweep_result *r, cl_error *err);
CL_API void cl_sweep_free(cl_sweep_result *r);

/* The sweep over several models: what sweep.json and sweep.csv hold. */
typedef struct cl_sweep_set {
    cl_induction_opts opts;  /* settings: rrt.batch, rrt.seed, seeds, threshold */
    int n_reps, n_lens;
    int reps[CL_SWEEP_MAX_GRID], lens[CL_SWEEP_MAX_GRID];
    int n;
    cl_study_model *models;  /* (n) */
    cl_sweep_result *res;    /* (n) */
} cl_sweep_set;

/* The multi-model sweep: the grid (default R, L in {2, 4, 6, 8, 10}) and the settings. */
typedef struct cl_sweep_study_opts {
    cl_induction_study_opts base;
    int n_reps, n_lens;
    int reps[CL_SWEEP_MAX_GRID], lens[CL_SWEEP_MAX_GRID];
    int skip_unfit;          /* 1: each model runs the cells that fit its context (at least one
                              * must), the others are recorded as skipped; 0: every cell must fit */
} cl_sweep_study_opts;
CL_API void cl_sweep_study_default(cl_sweep_study_opts *o);
/* The largest R x L + 1 of the grid fits every context_length (run by cl_sweep_study_run first). */
CL_API int cl_sweep_study_check(cl_model *const *m, const cl_study_model *info, int n, const cl_sweep_study_opts *o,
                                cl_error *err);
CL_API int cl_sweep_study_run(cl_model *const *m, const cl_study_model *info, int n, const cl_sweep_study_opts *o,
                              cl_sweep_set *out, cl_error *err);
/* dir/sweep.json (settings with the grid, per model its cells: counts, the uniform level and
 * the cl_sweep_extra counts, every cross head's scores), dir/sweep.csv and dir/scores.csv
 * (cl_sweep_scores); atomic. */
CL_API int cl_sweep_write(const cl_sweep_set *s, const char *dir, cl_error *err);
CL_API int cl_sweep_read(const char *dir, cl_sweep_set *s, cl_error *err);
CL_API void cl_sweep_set_free(cl_sweep_set *s);
/* `chronolens sweep`'s files in dir (created when missing): cl_sweep_write, then a heatmap
 * and a line plot per model or, for a part, shard.json; heads (s->n: a part's set names every
 * model): each model's decoder heads, layers x heads (the figures' scale). */
CL_API int cl_sweep_save(const cl_sweep_set *s, const int *heads, const char *dir, const cl_save_part *part, cl_error *err);

/* Every check of the options of `induction` and `sweep` against their models, before any
 * work or output (m[k] NULL: a model another part runs, skipped): base.rrt.offset below the
 * patch size of each Chronos-Bolt model and 0 for a Chronos-T5 one; the token range inside each
 * Chronos-T5 vocabulary, or (neither a range nor sampling_all) a token band in it; the longest
 * input against every context (grid: the sweep's largest cell, cl_sweep_study_check; NULL:
 * o's R x L, cl_induction_study_check); at most n x units_per_model shard parts. Messages
 * name the option and the model folder as given (info[k].path). */
CL_API int cl_rrt_study_check(cl_model *const *m, const cl_study_model *info, int n, const cl_induction_study_opts *o,
                       const cl_sweep_study_opts *grid, int units_per_model, cl_error *err);

/* ---------------------------------------------------------------- RRP offsets (method.md §4.1) */

/* Chronos-Bolt only: the induction test with the repeated block shifted 0 <= offset <
 * patch_size values against the patch grid (cl_rrt_opts.offset), one run per offset, to see
 * how much of a head's score survives when no earlier patch repeats the query exactly. */
#define CL_RRP_MAX_OFFSETS 64

typedef struct cl_rrp_offsets_set {
    cl_induction_opts opts;       /* L, R, batch, seed, seeds, threshold (strict off) */
    int n_off;
    int offsets[CL_RRP_MAX_OFFSETS]; /* distinct */
    int n;                        /* models */
    cl_study_model *models;       /* (n) */
    cl_induction_result *res;     /* (n, n_off), model-major */
    unsigned char *done;          /* (n, n_off): the units (model, offset) run, a part of
                                   * --shard K/N (unit k*n_off + j); NULL: every one */
} cl_rrp_offsets_set;

/* cl_induction_run (scores only) per model and offset; every model must be a Chronos-Bolt
 * (else CL_EINVAL naming it) and every offset in [0, its patch size), no offset twice.
 * o->shard: only the units (model k, offset j) of the part, unit k*n_off + j (m[k] may be
 * NULL for a model none of whose units is the part's). */
CL_API int cl_rrp_offsets_run(cl_model *const *m, const cl_study_model *info, int n, const cl_induction_study_opts *o,
                              const int *offsets, int n_off, cl_rrp_offsets_set *out, cl_error *err);
/* dir/offsets.json (settings; per model its sizes and per offset run: counts, the largest
 * scores and every head's mean scores) and dir/offsets.csv (model, offset, stack, layer,
 * head, current_mean, right_mean, flags); a part writes its units only; atomic. */
CL_API int cl_rrp_offsets_write(const cl_rrp_offsets_set *s, const char *dir, cl_error *err);
/* Reads dir/offsets.json back: every number as written (cJSON keeps 15 digits when they
 * read back within one ulp, else 17), so writing the read set gives the same bytes
 * (offsets.csv included); runs missing (a part) leave done set. A malformed file:
 * CL_EFORMAT, "PATH: problem". */
CL_API int cl_rrp_offsets_read(const char *dir, cl_rrp_offsets_set *s, cl_error *err);
CL_API void cl_rrp_offsets_free(cl_rrp_offsets_set *s);
/* `induction --offsets`' files in dir (created when missing): cl_rrp_offsets_write and, for the
 * whole run, offsets.png/svg (a part's shard.json is cl_induction_save's). */
CL_API int cl_rrp_offsets_save(const cl_rrp_offsets_set *s, const char *dir, const cl_save_part *part, cl_error *err);

/* ---------------------------------------------------------------- multisine (method.md §3) */

#define CL_MS_MAX_FREQS 64

/* f(t) = sum_i amps[i] sin(2 pi freqs[i] t + phases[i]) + noise * N(0, 1),
 * at t_j = j * duration / points, j = 0 .. points-1 (evenly spaced on [0, duration)). */
typedef struct cl_multisine {
    int n;                         /* number of frequencies */
    double freqs[CL_MS_MAX_FREQS]; /* Hz, distinct, 0 < f < Nyquist */
    double amps[CL_MS_MAX_FREQS];
    double phases[CL_MS_MAX_FREQS]; /* radians */
    int points;                    /* >= 8 */
    double duration;               /* seconds, > 0 */
    double noise;                  /* standard deviation of added Gaussian noise, >= 0 */
} cl_multisine;

/* The reference of the study: 5, 10, 20, 40 Hz, amplitudes 1, .5, .25, .25, phases 0,
 * 301 points over 3 s, no noise. */
CL_API void cl_multisine_reference(cl_multisine *m);
/* Checks points >= 8, duration > 0, 1 <= n <= CL_MS_MAX_FREQS, finite amplitudes and phases,
 * distinct frequencies in (0, Nyquist), noise >= 0. */
CL_API int cl_multisine_check(const cl_multisine *m, cl_error *err);
/* A model whose context_length is below m->points (method.md §3): keep the sampling rate
 * points/duration and take N = context_length points, so the frequencies, gaps and the
 * double FFT's quefrencies are unchanged (the resolution becomes rate/N Hz). Unchanged when
 * the points fit. */
CL_API void cl_multisine_fit_context(cl_multisine *m, int context_length);
/* Smallest |f_i - f_j| over i != j (NaN for a single frequency). */
CL_API double cl_multisine_smallest_gap(const cl_multisine *m);

/* Spacing detection settings (defaults: cl_spacing_default). */
typedef struct cl_spacing_opts {
    double min_strength;   /* a spectrum is periodic when its strongest double-FFT peak has
                              prominence >= min_strength * D_0 (0.3) */
    double harmonic_ratio; /* a lower-quefrency peak of prominence >= harmonic_ratio times the
                              strongest, of which the strongest is the h-th harmonic (h = 2..6),
                              is the fundamental period (0.5) */
} cl_spacing_opts;

CL_API void cl_spacing_default(cl_spacing_opts *o);

/* The detected period of one spectrum (cl_spacing_detect, docs/method.md §3). */
typedef struct cl_spacing {
    int periodic;       /* 1 when the prominence rule holds */
    double q;           /* refined double-FFT bin of the period (NaN without any peak) */
    double quefrency_s; /* q * duration / n (NaN when not periodic) */
    double spacing_hz;  /* 1 / quefrency_s (NaN when not periodic) */
    double strength;    /* prominence of the strongest peak / D_0 (0 without any peak) */
} cl_spacing;

/* What is reported per (series, layer, head). */
typedef struct cl_ms_head {
    double amplitude; /* spectral amplitude: non-DC power of the attention spectrum */
    double peak;      /* highest non-DC spectral line */
    cl_spacing sp;    /* period of the spectrum */
    double mass;      /* attention on the context (the signal's sum; the rest is on EOS) */
    double max_share; /* the largest single position's share of it (1: a delta) */
} cl_ms_head;

/* Full arrays, for figures and the spectra file; each (n, layers*heads, points), doubles. */
typedef struct cl_ms_arrays {
    double *attn;  /* the attention signal */
    double *mag;   /* |FFT| on fftfreq(points, duration / points) Hz */
    double *dfft;  /* |FFT(|FFT|)| over all bins (method.md), quefrency fftfreq(points, 1 / duration) s */
    double *dnodc; /* the DC-free double FFT the spacing is detected in */
} cl_ms_arrays;

CL_API void cl_ms_arrays_free(cl_ms_arrays *a);

typedef struct cl_multisine_opts {
    cl_multisine input;      /* the series (default: cl_multisine_reference) */
    uint64_t seed;           /* noise draws and the permutation test (0) */
    int permutations;        /* of the Spearman permutation p-value (10000) */
    cl_spacing_opts spacing; /* cl_spacing_default */
    cl_progress progress;    /* stage "multisine", models done of all */
    cl_shard shard;          /* units: the models */
    cl_precision precision;  /* the models are loaded in it (CL_FP32); as run: the one they got */
    int fit_context;         /* 1 (default): an input longer than the shortest context_length of
                              * the models is cut to it at the same rate (cl_multisine_fit_context,
                              * method.md §3); 0: such an input is refused */
    const char *const *names;/* (n) or NULL: the models' names (NULL entry: cl_study_model_name) */
} cl_multisine_opts;
CL_API void cl_multisine_default(cl_multisine_opts *o);

/* One model: per decoder head (layers*heads, layer-major) its spectrum summary and
 * induction score (max of current / right of the RRT test, study defaults), the counts and
 * the Spearman correlation of amplitude with induction score, and the full arrays. */
typedef struct cl_multisine_model {
    int layers, heads;
    cl_ms_head *h;                /* (layers*heads) */
    double *ind, *cur, *right;    /* (layers*heads) */
    double rho, p;                /* Spearman(amplitude, induction), permutation p-value */
    int periodic, matching;       /* heads with a period; at the smallest gap (+/- 1/duration) */
    cl_ms_arrays arr;             /* (1, layers*heads, points) */
} cl_multisine_model;

/* What multisine.json, multisine.csv and NAME-spectra.safetensors hold. */
typedef struct cl_multisine_result {
    cl_multisine_opts opts;       /* as run (progress cleared); Chronos-Bolt: input as cl_bolt_ms_input */
    double *series, *series_mag;  /* (points) the input series and its |FFT| */
    int bolt, stride;             /* Chronos-Bolt models (method.md §4.2): one attention sample per patch;
                                   * bolt = 2: Chronos-2 models, read the same way (the first future
                                   * token's time attention over the patches) */
    int sig_points;               /* samples of every attention signal and spectrum: points (T5), points /
                                   * stride (Bolt), over the same duration (patch rate sig_points / duration) */
    int n;
    cl_study_model *models;       /* (n) names unique: a repeated basename gets "-k" */
    cl_multisine_model *res;      /* (n) */
} cl_multisine_result;

/* The input for these models, before any work: the shortest context_length of their
 * config.json files (read, not loaded) fits o->input (fit_context) or refuses it; then
 * cl_multisine_check. cl_multisine_run does this itself. */
CL_API int cl_multisine_fit_models(const char *const *dirs, int n, cl_multisine_opts *o, cl_error *err);
/* Loads each model in turn (one in memory at a time) and analyses the series. */
CL_API int cl_multisine_run(const char *const *dirs, int n, const cl_multisine_opts *o, cl_multisine_result *r,
                            cl_error *err);
/* The same on models already loaded: m (n), paths (n) the folders they came from (the names
 * of the result; not read). For bindings that hold a cl_model (python/chronolens). */
CL_API int cl_multisine_run_models(const cl_model *const *m, const char *const *paths, int n, const cl_multisine_opts *o,
                                   cl_multisine_result *r, cl_error *err);
/* dir/multisine.json, dir/multisine.csv and dir/NAME-spectra.safetensors per model (atomic). */
CL_API int cl_multisine_write(const cl_multisine_result *r, const char *dir, cl_error *err);
/* Reads them back (the JSON's numbers; the arrays from the spectra files). */
CL_API int cl_multisine_read(const char *dir, cl_multisine_result *r, cl_error *err);
CL_API void cl_multisine_free(cl_multisine_result *r);
/* `chronolens multisine`'s files in dir (created when missing): cl_multisine_write, then the
 * figures of every model or, for a part, shard.json (units: the models). */
CL_API int cl_multisine_save(const cl_multisine_result *r, const char *dir, const cl_save_part *part, cl_error *err);

/* ---------------------------------------------------------------- multisine sweep (method.md §3) */

/* The numbers of one subset of (configuration, head) pairs. */
typedef struct cl_mssweep_stats {
    int configs;     /* configurations included */
    int pairs;       /* (configuration, head) pairs included */
    int periodic;    /* pairs whose spectrum has a detected period */
    int match;       /* pairs with |spacing - smallest gap| <= tol */
    int match_gcd;   /* pairs with |spacing - gcd of the gaps| <= tol */
    int match_fund;  /* pairs with |spacing - gcd of the frequencies| <= tol (the fundamental) */
    int concentrated; /* pairs whose attention is concentrated (cl_ms_concentrated), included above */
    double err_q[5]; /* quantiles 5, 25, 50, 75, 95 % of spacing - smallest gap over periodic pairs
                        (numpy's linear interpolation; NaN when none) */
    double mean_abs_err;
    double rho, p;   /* Spearman(amplitude, induction score) over the pairs and its permutation
                        p-value (cl_spearman_grouped: induction scores shuffled across heads);
                        NaN for top-k subsets, whose selection is by amplitude */
} cl_mssweep_stats;

enum { CL_MSS_ALL, CL_MSS_TOPK, CL_MSS_ND_ALL, CL_MSS_ND_TOPK, CL_MSS_NROWS }; /* the summary rows */

typedef struct cl_mssweep_opts {
    int configs;             /* random frequency sets (100) */
    uint64_t seed;           /* the sets, their noise and the permutation tests (0) */
    cl_multisine base;       /* points, duration, noise of every set (reference: 301, 3 s, 0) */
    int fmin, fmax;          /* integer frequencies in [fmin, fmax] Hz (1, 45) */
    int kmin, kmax;          /* frequencies per set (2, 6) */
    int top_k;               /* heads of largest amplitude per set in the top-k rows (3); 0: 3,
                              * or every head of a model with fewer */
    int batch;               /* series per forward pass (16) */
    int permutations;        /* of the Spearman p-value (10000) */
    cl_spacing_opts spacing;
    cl_progress progress;    /* stage "multisine", series done of all */
    cl_shard shard;          /* units: the configurations */
    cl_precision precision;  /* the model is loaded in it (CL_FP32); as run: the one it got */
    int fit_context;         /* 1 (default): base cut to the model's context_length at the same
                              * rate (cl_multisine_fit_context); 0: a longer base is refused */
    const char *name;        /* the model's name in figures (NULL: cl_study_model_name) */
} cl_mssweep_opts;
CL_API void cl_mssweep_default(cl_mssweep_opts *o);

/* What sweep.json, sweep.csv and sweep-summary.md hold (one model). */
typedef struct cl_mssweep_result {
    cl_mssweep_opts opts;    /* as run: top_k resolved, progress cleared */
    char model[4096];        /* the model folder as given */
    char name[256];          /* its name (opts.name or cl_study_model_name; not in the files) */
    int C, G, heads;         /* configurations, decoder heads (layers*heads), heads per layer */
    cl_multisine *cfg;       /* (C) */
    double *gap, *gcd, *fund;/* (C) smallest gap, gcd of the gaps, gcd of the frequencies */
    unsigned char *nd;       /* (C) the smallest gap does not divide every other gap */
    cl_ms_head *h;           /* (C, G) */
    double *ind;             /* (G) induction scores */
    int bolt, sig_points;    /* Chronos-Bolt (method.md §4.2; bolt = 2: Chronos-2, read the same way):
                              * opts.base at the patch rate (cl_bolt_ms_input),
                              * attention signals of sig_points = points / stride patches; T5: points */
    cl_mssweep_stats rows[CL_MSS_NROWS];
    char row_name[CL_MSS_NROWS][64];
    unsigned char *done;     /* (C) configurations analysed (a shard: no summary); NULL: all */
} cl_mssweep_result;

/* Checks the options (fmin < fmax < Nyquist, kmin <= kmax <= fmax - fmin + 1, top_k <= heads). */
CL_API int cl_mssweep_run(const char *model_dir, const cl_mssweep_opts *o, cl_mssweep_result *r, cl_error *err);
/* The same on a model already loaded (path: the folder it came from, as r->model records). */
CL_API int cl_mssweep_run_model(const cl_model *m, const char *path, const cl_mssweep_opts *o, cl_mssweep_result *r,
                                cl_error *err);
/* dir/sweep.csv (one row per pair), dir/sweep.json (settings, summary rows, induction scores,
 * configurations), dir/sweep-summary.md (the summary as a markdown table); atomic. */
CL_API int cl_mssweep_write(const cl_mssweep_result *r, const char *dir, cl_error *err);
/* Reads sweep.json (and the pairs from sweep.csv: 9 significant digits, as written). */
CL_API int cl_mssweep_read(const char *dir, cl_mssweep_result *r, cl_error *err);
/* The summary table (markdown) as sweep-summary.md holds it. */
CL_API void cl_mssweep_table(const cl_mssweep_result *r, FILE *f);
CL_API void cl_mssweep_free(cl_mssweep_result *r);
/* `chronolens multisine-sweep`'s files in dir (created when missing): cl_mssweep_write and the
 * figure, or for a part its pairs (mssweep-part.safetensors) and shard.json, which the merge
 * summarises. */
CL_API int cl_mssweep_save(const cl_mssweep_result *r, const char *dir, const cl_save_part *part, cl_error *err);

/* ---------------------------------------------------------------- formation (method.md §2) */

/* Induction heads over training: at every checkpoint of a `chronolens train
 * --checkpoint-every K` run, the RRT summary next to the losses the trainer logged. */
#define CL_INDUCTION_THRESHOLD 0.3f

typedef struct cl_formation_point {
    int step;
    double train_loss;        /* mean training loss of the steps since the previous point */
    double eval_loss, icl;    /* held-out loss; loss late - loss early in the horizon */
    float max_cur, max_right; /* max over heads of the mean RRT scores */
    int n_cur, n_right;       /* heads with mean score >= 0.3 for that criterion */
    int n_any;                /* heads >= 0.3 for either criterion */
} cl_formation_point;

typedef struct cl_formation_opts {
    const char *run;       /* the training folder (train.csv, checkpoints.csv, checkpoints/) */
    uint64_t seed;         /* of the RRT batches (0) */
    cl_progress progress;  /* stage "formation: checkpoints", checkpoints done of all */
    cl_precision precision; /* the checkpoints are loaded in it (CL_FP32) */
} cl_formation_opts;
CL_API void cl_formation_default(cl_formation_opts *o);

typedef struct cl_formation_result {
    int n;
    cl_formation_point *pts;          /* (n) one per checkpoint */
    int ntrain;                       /* the per-step training loss (a run's; 0 when read back) */
    double *train_step, *train_loss;  /* (ntrain) */
} cl_formation_result;

CL_API int cl_formation_run(const cl_formation_opts *o, cl_formation_result *r, cl_error *err);
/* dir/formation.csv (one row per checkpoint, 6 decimals). */
CL_API int cl_formation_write(const cl_formation_result *r, const char *dir, cl_error *err);
/* Reads dir/formation.csv back (its columns by name; the training curve is not in it). */
CL_API int cl_formation_read(const char *dir, cl_formation_result *r, cl_error *err);
/* The same from a file of another name (the report's data/formation/NAME.csv). */
CL_API int cl_formation_read_file(const char *path, cl_formation_result *r, cl_error *err);
CL_API void cl_formation_free(cl_formation_result *r);
/* `chronolens formation`'s files in dir: formation.csv and formation.png/.svg. */
CL_API int cl_formation_save(const cl_formation_result *r, const char *dir, cl_error *err);

/* ---------------------------------------------------------------- eval */

/* Forecast accuracy on the held-out synthetic suite (and a CSV): MASE and weighted quantile
 * loss against the seasonal-naive baseline, per series family (docs/forecasting.md "eval"). */
#define CL_EVAL_FAMILIES 4          /* gp, seasonal, random_walk, repeat (src/data/synth.h) */
#define CL_EVAL_CSV CL_EVAL_FAMILIES /* the group index of the --csv series */

typedef struct cl_eval_opts {
    const char *model;       /* the model folder */
    int series;              /* per family of the synthetic suite (100; 0: none) */
    uint64_t seed;           /* of the suite and the sample paths (20261126) */
    int context_length;      /* of the suite (0: the model's) */
    int samples;             /* sample paths (20); 0: median-token decoding */
    int family;              /* one family only (-1: all) */
    const char *csv;         /* a context CSV whose last `horizon` rows are the target (NULL: none) */
    int horizon;             /* of the CSV (0: the model's prediction_length) */
    int per_series;          /* keep one row per series (cl_eval_write_series) */
    int step_loss;           /* teacher-forced loss per horizon step and family */
    cl_progress progress;    /* "eval: synthetic suite", "eval: CSV series" */
    cl_precision precision;  /* the model is loaded in it (CL_FP32) */
} cl_eval_opts;
CL_API void cl_eval_default(cl_eval_opts *o);
/* The name of a family of the synthetic suite ("gp", "seasonal", "random_walk", "repeat"),
 * 0 <= family < CL_EVAL_FAMILIES; NULL otherwise. */
CL_API const char *cl_eval_family_name(int family);

/* Sums over the series of a group: MASE of the model and of the seasonal naive (over the
 * n_mase series with a non-flat context), quantile losses and sum |y| (WQL = ql / absy). */
typedef struct cl_eval_group { double mase_m, mase_sn, ql_m, ql_sn, absy; int n, n_mase; } cl_eval_group;
typedef struct cl_eval_series { int group, series, season; double scale, mase, mase_sn, wql, wql_sn; } cl_eval_series;

typedef struct cl_eval_result {
    cl_eval_opts opts;                       /* as run (progress cleared; model, csv point into the caller's) */
    cl_eval_group group[CL_EVAL_FAMILIES + 1]; /* the families, then the CSV */
    int n_series;
    cl_eval_series *series;                  /* (n_series) when opts.per_series */
    int H;                                   /* prediction length of the suite */
    double *step_sum;                        /* (CL_EVAL_FAMILIES, H) when opts.step_loss */
    long *step_n;
} cl_eval_result;

CL_API int cl_eval_run(const cl_eval_opts *o, cl_eval_result *r, cl_error *err);
/* The table (family, n, MASE, its ratio to the seasonal naive, WQL, ratio): csv 0 as the
 * command prints it (with its heading), csv 1 as --out writes it. */
CL_API void cl_eval_table(const cl_eval_result *r, FILE *f, int csv);
CL_API int cl_eval_write_table(const cl_eval_result *r, const char *path, cl_error *err);   /* --out */
CL_API int cl_eval_write_series(const cl_eval_result *r, const char *path, cl_error *err);  /* --series-out */
CL_API int cl_eval_write_step_loss(const cl_eval_result *r, const char *path, cl_error *err); /* --step-loss */
CL_API void cl_eval_free(cl_eval_result *r);

/* ---------------------------------------------------------------- context series */

/* A context CSV (one column per series, time down the rows; src/io/csv.h): values (B, L)
 * row-major, NaN = missing; names (B) from the header row, NULL without one. */
typedef struct cl_context {
    float *values;
    int B, L;
    char **names;
    char *path;    /* the file read (for messages); NULL when built in memory */
} cl_context;
/* Reads path; a file without any value is an error ("PATH: no values"). */
CL_API int cl_context_read(const char *path, cl_context *s, cl_error *err);
/* cl_context_check of s for model m (NULL: the values only), naming s's file and series:
 * every study that reads a context calls it before any work or output. */
CL_API int cl_context_check_model(const cl_context *s, const cl_model *m, cl_error *err);
CL_API void cl_context_free(cl_context *s);

/* ---------------------------------------------------------------- forecast (method.md §1, §4) */

#define CL_FORECAST_MAX_LEVELS 99

enum { CL_FORECAST_MODEL = 0, CL_FORECAST_PARROT = 1 }; /* cl_forecast_study_opts.method */

/* ChronosPipeline.predict / ChronosBoltPipeline.predict, or context parroting, on a batch of
 * series. A field < 0 (or have_* 0) keeps the model's chronos_config value. */
typedef struct cl_forecast_study_opts {
    int method;            /* CL_FORECAST_MODEL or CL_FORECAST_PARROT */
    int compare;           /* model method: also the parrot forecast (its column, cl_forecast_compare) */
    int horizon;           /* steps (0: the model's prediction_length; the parrot alone: 64) */
    int nlev;              /* quantile levels in (0, 1) of the CSV (0.1 .. 0.9) */
    double levels[CL_FORECAST_MAX_LEVELS];
    int samples;           /* T5 sample paths (0: the model's num_samples) */
    double temperature;    /* T5 (0: the model's) */
    long top_k;            /* T5 (-1: the model's) */
    double top_p;          /* T5 (0: the model's) */
    int have_seed;         /* seed given (refused for Bolt) */
    uint64_t seed;         /* T5: series b draws from stream (seed, b) (0) */
    int batch;             /* series per model batch (0: auto) */
    int no_cache;          /* T5: decode on the growing prefix instead of the key/value cache */
    int window;            /* parrot: matched window D (8) */
    cl_progress progress;  /* stage "forecast": decoder steps (T5) or model rows (Bolt, Chronos-2) */
    cl_hooks *hooks;       /* the model's hook set (interventions) run in every pass and every
                            * cached decoding step (NULL: none); series b of the context is
                            * series b of the set's sources (T5, Bolt); Chronos-2 regroups
                            * the series in its passes and refuses PATCH and RESAMPLE */
    /* Chronos-2 only (Chronos2Pipeline.predict; docs/chronos2.md "Forecasting"): */
    const int *group_ids;  /* (n_group_ids = B): series sharing an id form one multivariate task;
                              NULL: every series its own task */
    int n_group_ids;
    int cross_learning;    /* every task of a batch in one group */
    const float *future_covariates; /* (B, F) known future values in data units, NaN = unknown;
                              NULL: none; F <= horizon */
    int F;
    int n_unrolled;        /* the quantile paths of a long horizon (0: 0.1 .. 0.9); each must be */
    double unrolled[CL_FORECAST_MAX_LEVELS]; /* one of the model's quantiles */
    const uint8_t *targets; /* (B): 1 = a row of the result (predict_df: the target columns);
                              NULL: every series */
} cl_forecast_study_opts;
CL_API void cl_forecast_study_default(cl_forecast_study_opts *o);

/* The match of context parroting for one series (method.md §1). */
typedef struct cl_parrot_info {
    int period;      /* p: the match ends p steps before the end; the forecast repeats with period p */
    double distance; /* RMS distance between the matched window and the last D values, on values
                        divided by the series' mean |x| (the tokenizer's scale) */
    double scale;    /* that scale */
    int fallback;    /* 1: no complete window to match (too short, or gaps): last value repeated */
} cl_parrot_info;

/* What the long CSV, the sample paths and the plot hold. */
typedef struct cl_forecast_result {
    int B, H, L;          /* series, horizon, context length */
    int S;                /* paths per series: samples (T5), quantiles (Bolt), 1 (parrot alone) */
    int method, bolt;
    int nlev;
    double levels[CL_FORECAST_MAX_LEVELS];
    char **names;         /* (B) series names, NULL: numbered 0 .. B-1 */
    float *context;       /* (B, L) the input (for the plot); NULL when read back */
    float *paths;         /* (B, S, H) sample paths / Bolt quantile paths / the parrot's path */
    float *mean;          /* (B, H) */
    float *quant;         /* (B, H, nlev) */
    float *band;          /* (B, H, 3) levels 0.1, 0.5, 0.9 (the plot); NULL when read back */
    float *parrot;        /* (B, H) with compare; NULL otherwise (method parrot: in paths) */
    cl_parrot_info *pinfo; /* (B) parrot matches (compare or method parrot); NULL otherwise */
} cl_forecast_result;

/* The options alone, before any work: levels, --compare only with the model, and the parrot
 * refuses every sampling setting and --batch (one deterministic path). Run by _run too. */
CL_API int cl_forecast_study_check(const cl_forecast_study_opts *o, cl_error *err);
/* A horizon above CL_FORECAST_FAR_HORIZON prediction_lengths of the model: 1 and *rounds the
 * forecasting rounds (each fed the previous round's medians), for a warning; 0 otherwise. */
#define CL_FORECAST_FAR_HORIZON 4
CL_API int cl_forecast_far_horizon(const cl_model *m, const cl_forecast_study_opts *o, int *rounds);
/* m: the model (may be NULL for the parrot alone). Checks the options against the model
 * (sampling settings mean nothing for a Chronos-Bolt model) and the sizes. */
CL_API int cl_forecast_study_run(const cl_model *m, const cl_context *ctx, const cl_forecast_study_opts *o,
                                 cl_forecast_result *r, cl_error *err);

/* The files of `chronolens forecast`: csv (the long CSV: series,step,mean,q<level>..[,parrot]),
 * samples (.npy (B, S, H) float32; NULL: none), plot (.png/.svg; NULL: none). The CSV is
 * committed last: on failure none of them is left behind. */
typedef struct cl_forecast_files { const char *csv, *samples, *plot; } cl_forecast_files;
CL_API int cl_forecast_write(const cl_forecast_result *r, const cl_forecast_files *f, cl_error *err);
/* Reads a long CSV back (names, H, levels, mean, quantiles, the parrot column): writing the
 * result read gives the same bytes. context, paths, band and pinfo stay NULL. */
CL_API int cl_forecast_read(const char *csv, cl_forecast_result *r, cl_error *err);
/* --compare: per series the parrot's period, match distance and the MAE of the model's
 * median against the parrot relative to the series scale, as CSV into f;
 * returns the mean of that MAE over the series (NaN without a parrot). */
CL_API double cl_forecast_compare(const cl_forecast_result *r, FILE *f);
CL_API void cl_forecast_free(cl_forecast_result *r);

/* predict_df's long format (Chronos-2; docs/forecasting.md "Chronos-2"): a CSV with a row per
 * item and time step — an id column, a timestamp column (integers or ISO dates
 * YYYY-MM-DD[ HH:MM[:SS]], regularly spaced, increasing), the numeric target column(s) and any
 * other columns (covariates: past-only, or known in the future when future_df has them; a
 * column with a cell that is not a number is categorical, encoded as upstream's
 * from_data_frame does: per item target encoding with one target, ordinal codes with several).
 * Each item is one task: its rows are the targets (in the order given), the past-only
 * covariates, then the known ones (each sorted by name), as Chronos2Pipeline lays them out. */
typedef struct cl_forecast_df_opts {
    const char *df;               /* the long CSV */
    const char *future_df;        /* the future rows: id, timestamp, known covariates; horizon rows
                                     per item continuing its timestamps (NULL: none) */
    const char *id_column;        /* NULL: "item_id" */
    const char *timestamp_column; /* NULL: "timestamp" */
    const char *target;           /* a column, or several comma-separated (NULL: "target") */
} cl_forecast_df_opts;
CL_API void cl_forecast_df_default(cl_forecast_df_opts *o);

/* What the forecast study takes (cl_forecast_study_opts: group_ids, future_covariates, F,
 * targets): rows = items x (targets + covariates), left-padded with NaN to the longest item,
 * named "<item>" (one target) or "<item>/<column>". */
typedef struct cl_forecast_df {
    cl_context ctx;               /* (rows, L) */
    int *group_ids;               /* (rows): the item's index */
    float *future_covariates;     /* (rows, F) NaN but for the known covariates; NULL without future_df */
    int F;                        /* the horizon (with future_df) */
    uint8_t *targets;             /* (rows): 1 = a target row */
    int items;
} cl_forecast_df;
/* Reads o->df (and o->future_df, which must hold horizon rows per item); bad input: CL_EFORMAT
 * naming the file, its line and the problem (a missing column, a non-numeric target, an
 * irregular or decreasing timestamp, an item without future rows ...). */
CL_API int cl_forecast_df_read(const cl_forecast_df_opts *o, int horizon, cl_forecast_df *d, cl_error *err);
CL_API void cl_forecast_df_free(cl_forecast_df *d);

/* ---------------------------------------------------------------- activation patching */

/* Activation patching over layer x head (x position) (src/study/patching/, docs/python.md):
 * one clean run's cache of a per-layer hook point, then for every cell the corrupted run with
 * that cell's activation patched from the clean run (or zeroed, or set to the clean run's
 * mean), scored by a metric computed in C. The corrupted run's state below the patched
 * sublayer is the same for every cell of a layer, so it is computed once: the encoder output
 * (decoder points: no encoder work per cell; the cross-attention keys and values cached), and
 * the decoder resumes from the residual stream saved at the layer (cross-attention points and
 * everything after them in the layer: at that layer's cross-attention; the self-attention's:
 * at the layer below's). Encoder points run the whole corrupted pass per cell. Each cell's
 * numbers are those of the same pass run with the same intervention by hand (cl_encode,
 * cl_decode with last_only at the read position; tests/test_patching.c), bit for bit. */
typedef enum {
    CL_PATCH_LOGPROB = 0,    /* T5: log p(target) at the read position (default target: the clean
                              * run's most likely token there) */
    CL_PATCH_LOGIT_DIFF = 1, /* T5: logit(target) - logit(target2) at the read position */
    CL_PATCH_QUANTILES = 2,  /* Chronos-Bolt: every quantile's prediction (Q * horizon values) */
} cl_patch_metric;
typedef enum {
    CL_PATCH_FROM_CLEAN = 0, /* the clean run's activation (CL_IV_PATCH) */
    CL_PATCH_ZERO = 1,       /* zero ablation (the clean run unused but for its metric) */
    CL_PATCH_MEAN = 2,       /* the clean run's mean over series and positions (CL_IV_MEAN) */
} cl_patch_mode;

/* One run's inputs: Chronos-T5 token ids (B, T) with mask (B, T) (NULL: all 1) and decoder ids
 * (B, Td); Chronos-Bolt a context (B, L) of values (NaN = missing). */
typedef struct cl_patching_input {
    int B;                   /* series */
    const int32_t *ids;
    const uint8_t *mask;
    int T;
    const int32_t *dec;
    int Td;
    const float *context;
    int L;
} cl_patching_input;

typedef struct cl_patching_opts {
    char hook[96];           /* a per-layer point, "{l}" for the layer ("decoder.{l}.cross_attn.hook_z") */
    cl_patch_metric metric;  /* (LOGPROB; QUANTILES for Chronos-Bolt) */
    cl_patch_mode mode;      /* (FROM_CLEAN) */
    int per_position;        /* 1: a cell per position of the point's position axis (query positions
                              * on scores/pattern) (0: positions patched together) */
    int n_pos;               /* the positions patched (absolute), pos NULL: all */
    const int *pos;
    int read_pos;            /* T5: the decoder position the metric reads (-1: the last); the
                              * decoder runs positions 0..read_pos only, logits of that one */
    const int32_t *target;   /* (B) LOGPROB / LOGIT_DIFF: NULL = the clean run's argmax */
    const int32_t *target2;  /* (B) LOGIT_DIFF: the token subtracted (required) */
    cl_progress progress;    /* stage "patching": cells done of all */
} cl_patching_opts;

typedef struct cl_patching_result {
    int layers, heads, positions; /* heads 1 for a point without heads; positions 1 unless per_position */
    int B, width;            /* series; values per series (1, or Q * horizon for QUANTILES) */
    int Q, horizon;          /* QUANTILES: the quantiles and prediction length (else 0) */
    float *cells;            /* (layers, heads, positions, B, width) */
    float *clean, *corrupted;/* (B, width): the metric of the clean and of the unpatched corrupted run */
    int32_t *target;         /* (B) the token LOGPROB / LOGIT_DIFF read (NULL for QUANTILES) */
} cl_patching_result;

CL_API void cl_patching_default(cl_patching_opts *o);
/* Runs the grid on a state of its own. clean and corrupted have the same B (and the same T /
 * Td for T5, the same L for Bolt). Errors: an unknown point or one without "{l}", a metric the
 * family has not, a point the hook layer cannot patch (CL_EINVAL, one line). */
CL_API int cl_patching_run(const cl_model *m, const cl_patching_input *clean, const cl_patching_input *corrupted,
                           const cl_patching_opts *o, cl_patching_result *r, cl_error *err);
CL_API void cl_patching_free(cl_patching_result *r);

/* ---------------------------------------------------------------- embed (method.md §1, §4) */

typedef struct cl_embed_opts {
    int batch;             /* series per encoder pass (16); Chronos-2: tasks join a pass while it
                              has fewer rows (upstream's batch_size), so a pass may exceed it */
    cl_progress progress;  /* stage "embed": series done of all */
    const int *group_ids;  /* Chronos-2: (series) the task of each series (rows sharing an id are
                              one multivariate task: they attend to each other); NULL: each its own */
    int cross_learning;    /* Chronos-2: every row of a pass in one group */
} cl_embed_opts;
CL_API void cl_embed_default(cl_embed_opts *o);

/* ChronosPipeline.embed / ChronosBoltPipeline.embed / Chronos2Pipeline.embed: the encoder's
 * last hidden state (Chronos-2: one output patch, as upstream; tasks from o->group_ids, rows in
 * the context's order). group_ids or cross_learning on another family: CL_EINVAL. */
typedef struct cl_embed_result {
    int B, T, d, bolt;  /* T: tokens incl. EOS (T5), patches [+ REG] (Bolt), patches + [REG] + the
                           output token (Chronos-2); bolt: 1 for Bolt and Chronos-2 (loc, scale) */
    float *emb;         /* (B, T, d) */
    float *scale;       /* T5: (B) the tokenizer scale; Bolt, Chronos-2: (B, 2) loc, scale */
} cl_embed_result;
CL_API int cl_embed_run(const cl_model *m, const cl_context *ctx, const cl_embed_opts *o, cl_embed_result *r, cl_error *err);
/* out: the embeddings (.npy); scales (.npy; NULL: none). Nothing is left on failure. */
CL_API int cl_embed_write(const cl_embed_result *r, const char *out, const char *scales, cl_error *err);
CL_API void cl_embed_free(cl_embed_result *r);

/* ---------------------------------------------------------------- forward (method.md §1, §4) */

#define CL_FORWARD_MAX_DECODER 4096 /* decoder ids per row: each map is (H, Td, Td) */
#define CL_FORWARD_MAX_TENSORS 512

#define CL_FORWARD_MAX_SEL 1024     /* layers or heads selected */

typedef struct cl_forward_opts {
    const char *decoder_ids_csv; /* T5 decoder input: one row of ids per series (src/io/csv.h) */
    const int32_t *decoder_ids; /* or (Bd, Td) in memory; neither: the start token */
    int Bd, Td;                 /* its rows (must be B) and length */
    /* T5 only (a Bolt forward writes every tensor of its golden): */
    int keep[CL_NSTACKS];       /* maps kept per stack (CL_ENC_SELF, CL_DEC_SELF, CL_CROSS; all 1) */
    int n_layers, layers[CL_FORWARD_MAX_SEL]; /* layers kept of every kept stack (0: all) */
    int n_heads, heads[CL_FORWARD_MAX_SEL];   /* heads kept, in this order (0: all; file tensor "heads") */
    int chunk;                  /* cl_forward_stream: series per pass (0: as many as keep all of a
                                 * pass's memory, activations and maps, within 256 MiB) */
    cl_progress progress;       /* stage "forward" */
    /* Chronos-2 only (its forward writes every tensor of its golden, in one pass: its series
     * attend to each other, so no chunks and no map selection): */
    const int *group_ids;       /* (n_group_ids = B) the group of each series; NULL: each its own */
    int n_group_ids;
    int cross_learning;         /* every series in one group (no group_ids with it) */
    const float *future_covariates; /* (B, F) in data units, NaN = unknown; NULL: none */
    int F;
    int output_patches;         /* N future tokens (0: the model's max_output_patches) */
    /* Chronos-2 capture by specification (the forward writes only what is asked): c2_maps of
     * CL_C2_TIME | CL_C2_GROUP | CL_C2_HIDDEN (all by default); layers and heads above select the
     * time and group maps' layers and heads (and the hidden states' layers); rows: the time
     * attention's query tokens; group_tokens: the tokens whose group maps are kept (both: a
     * negative t is S + t, so -1 is the last future token; none twice; 0 of them: all). */
    int c2_maps;
    int n_rows, rows[CL_FORWARD_MAX_SEL];
    int n_group_tokens, group_tokens[CL_FORWARD_MAX_SEL];
} cl_forward_opts;
enum { CL_C2_TIME = 1, CL_C2_GROUP = 2, CL_C2_HIDDEN = 4, CL_C2_ALL = 7 };
CL_API void cl_forward_default(cl_forward_opts *o);
/* The options against the model, before any work: layers and heads below its counts and none
 * twice; for Bolt no decoder ids and no selection. Run by cl_forward_run / _stream too. */
CL_API int cl_forward_check(const cl_model *m, const cl_forward_opts *o, cl_error *err);

/* One named tensor of the forward file (the golden's name, dtype, shape). */
typedef struct cl_forward_tensor {
    char name[64];
    int i64;               /* 1: int64 data, 0: float32 */
    int ndim;
    int64_t shape[4];
    const void *data;      /* into the result's buffers or its model state */
} cl_forward_tensor;

/* Every tensor of the reference's forward, in the golden's order and names. T5: token_ids,
 * attention_mask, scale, encoder_hidden, enc_attn.l, dec_attn.l, cross_attn.l, logits.
 * Bolt: loc, scale, attention_mask, input_embeds, encoder_hidden, enc_attn.l, dec_attn.l,
 * cross_attn.l, decoder_hidden, quantile_preds. Chronos-2: loc, scale, patches,
 * future_patches, attention_mask, input_embeds, time_attn.l (B, H, S, S), group_attn.l
 * (S, H, B, B), hidden_time.l, hidden_group.l, hidden.l, encoder_hidden,
 * quantile_preds_normalized, quantile_preds (B, Q, N*ps). A selection keeps the stacks and layers chosen
 * (named by their layer index) and adds "heads" (the heads kept) before the logits; a Chronos-2
 * selection (c2_maps, layers, heads, rows, group_tokens) keeps time_attn.l (B, heads, rows, S),
 * group_attn.l (tokens, heads, B, B) and the hidden states of the layers chosen, and adds
 * "heads", "rows" and "group_tokens" (int64, resolved) for what it selects. */
typedef struct cl_forward_result {
    int bolt;
    cl_precision precision;  /* of the model's products (the file's __metadata__ "precision") */
    int n;
    cl_forward_tensor t[CL_FORWARD_MAX_TENSORS];
    int64_t *ids64, *mask64, *heads64; /* owned */
    float *scale;            /* owned (T5) */
    cl_state *state;         /* owned: holds the maps, hidden states and logits */
    float *group_sel;        /* owned (Chronos-2): the group maps of the layers and heads selected */
    int64_t *sel64;          /* owned (Chronos-2): the rows and group tokens selected, resolved */
} cl_forward_result;
/* Checks the decoder ids (rows = series, length <= CL_FORWARD_MAX_DECODER, ids inside the
 * vocabulary; none for Bolt, whose decoder has one fixed query). */
CL_API int cl_forward_run(const cl_model *m, const cl_context *ctx, const cl_forward_opts *o, cl_forward_result *r,
                          cl_error *err);
/* The tensor of that name, NULL when none. */
CL_API const cl_forward_tensor *cl_forward_get(const cl_forward_result *r, const char *name);
/* out (.safetensors): every tensor, atomically. */
CL_API int cl_forward_write(const cl_forward_result *r, const char *out, cl_error *err);
/* cl_forward_run and cl_forward_write in one, for batches larger than memory: a batch (T5 or
 * Bolt) runs in chunks of o->chunk series, each written into its place in out (the same layout,
 * the same numbers within float rounding of the batch size); nothing is left on failure. */
CL_API int cl_forward_stream(const cl_model *m, const cl_context *ctx, const cl_forward_opts *o, const char *out, cl_error *err);
CL_API void cl_forward_free(cl_forward_result *r);

/* ---------------------------------------------------------------- claims (method.md §5) */

/* The study's claims as tests on scores tables and multisine results (`chronolens claims`,
 * docs/claims.md): one verdict per claim and model, or model set. */
typedef struct cl_claims_opts {
    double threshold;     /* 0.3 */
    double z;             /* two-sided 95 %: 1.96 */
    double alpha;         /* significance level of the tests with p-values: 0.05 */
    double tie_heads;     /* means only: a count difference <= this is a tie (1) */
    double tie_score;     /* means only: a score difference <= this is a tie (0.05) */
    double concentrated_mass;  /* a head is concentrated when its context attention is below this (0.05) */
    double concentrated_share; /* ... or one position holds at least this share of it (0.5) */
} cl_claims_opts;
CL_API void cl_claims_default(cl_claims_opts *o);

/* The verdicts (one struct cl_verdict each: src/claims/claims.h). */
typedef struct cl_verdict cl_verdict;
typedef struct cl_verdicts { cl_verdict *v; int n, cap; } cl_verdicts;
CL_API void cl_verdicts_free(cl_verdicts *v);

/* What `chronolens claims` computes: the scores tables scores[0..n_scores) (an induction run's
 * and a sweep's: their rows joined, the first table's row kept where two give the same key)
 * and, when msdir is not NULL, the multisine results of their models there; o NULL = the
 * defaults. A model that two tables give different families is refused (CL_EFORMAT). */
CL_API int cl_claims_from_tables(const char *const *scores, int n_scores, const char *msdir, const cl_claims_opts *o,
                                 cl_verdicts *out, cl_error *err);
/* The group-attention claims (group_partner, group_lead_lag: docs/claims.md) of the
 * Chronos-2 models of dir/group_attention.json (`chronolens group-attention`), appended to
 * out (which may hold the verdicts of cl_claims_from_tables; cl_claims_from_tables adds them
 * itself when msdir holds a report's group-attention/). o NULL: the defaults. */
CL_API int cl_claims_group_dir(const char *dir, const cl_claims_opts *o, cl_verdicts *out, cl_error *err);
/* dir/claims.json and dir/claims.csv (dir created when missing); atomic. */
CL_API int cl_claims_save(const cl_verdicts *v, const char *dir, cl_error *err);
/* One line per verdict into f as the command prints them: id, the model (or
 * "(the model set)"), the verdict, its reason. */
CL_API void cl_verdicts_print(const cl_verdicts *v, FILE *f);

/* What `chronolens claims` computes and writes: the claims of the scores tables scores
 * (n_scores, method.md §5; rows joined, the first table's kept where two give the same key)
 * and, msdir not NULL, of the multisine results in msdir; as claims.json to json and
 * claims.csv to csv (either NULL: not written; atomic). o NULL: the defaults. Refuses a
 * threshold outside [0, 1] and an alpha outside (0, 0.5]. */
CL_API int cl_claims_write_files(const char *const *scores, int n_scores, const char *msdir, const cl_claims_opts *o,
                                 const char *json, const char *csv, cl_error *err);

/* ---------------------------------------------------------------- training */

/* Training a Chronos T5 from scratch (or resuming) on synthetic series generated on the fly
 * (`chronolens train`): AdamW with decoupled weight decay, linear warm-up then cosine or linear
 * decay, clipping by global gradient norm; checkpoints are ordinary checkpoint folders plus
 * the optimizer state, and a run resumes bit for bit (same --shards: batches are a function
 * of (seed, step), never of the thread count). */
#define CL_TRAIN_FAMILIES 4 /* gp, seasonal, random walk, repeat (cl_eval_family_name) */

typedef struct cl_train_opts {
    int steps;            /* total optimizer steps (1000) */
    int batch;            /* series per step (32) */
    int warmup;           /* linear warm-up steps (100) */
    int cosine;           /* 1: cosine decay to lr * min_lr_frac; 0: linear decay (1) */
    double lr, min_lr_frac, weight_decay, clip; /* 1e-3, 0.1, 0.01, 1; clip <= 0: no clipping */
    double beta1, beta2, adam_eps; /* 0.9, 0.999, 1e-8 */
    uint64_t seed;        /* weights (new runs) and data (1) */
    int checkpoint_every; /* 0: only the final state */
    int eval_batches;     /* held-out batches scored at every checkpoint (4; 0: none) */
    double mix[CL_TRAIN_FAMILIES]; /* data family weights (0.35, 0.25, 0.1, 0.3) */
    double short_frac;    /* fraction of short, left-padded contexts (0) */
    double bias_lr_mult;     /* learning rate multiplier of the relative position tables (1: none) */
    double position_init;    /* > 0: planted previous/next-token encoder heads of this strength; 0: HF init */
    int position_offsets[8]; /* its offset per head (n_position_offsets of them; 0: -1, +1) */
    int n_position_offsets;
    double embed_value_init; /* > 0: value-aware embedding init with this alpha; 0: HF init */
    double first_step_weight; /* loss weight of the first horizon step, the others 1 (1: the plain mean) */
    double motif_frac;    /* fraction of repeated segments over a 2-4 value alphabet (0: none) */
    int shards;           /* data-parallel shards of a step's batch (1-64, default 2; 1: one pass):
                           * the numbers depend on it, never on the thread count */
} cl_train_opts;
CL_API void cl_train_default(cl_train_opts *o);

typedef struct cl_train_row {  /* one line of train.csv */
    int step;                  /* 1-based number of the update just made */
    double loss, lr, grad_norm, tokens_per_s;
} cl_train_row;

typedef struct cl_eval_row {   /* one line of checkpoints.csv: the held-out batches */
    int step;
    double loss;               /* mean token cross-entropy */
    double loss_early, loss_late; /* first / last quarter of the horizon (EOS excluded) */
    double icl;                /* loss_late - loss_early: < 0 when later tokens gain from context */
    char dir[256];             /* checkpoint folder (relative to the run folder) */
} cl_eval_row;

/* The shipped nano shape: the chronos-t5 configuration (vocabulary 4096, tokenizer, 32
 * buckets, ReLU, tied) at d_model 128, d_ff 512, 4 heads of 32, 2 + 2 layers, context 128,
 * horizon 32. */
CL_API void cl_config_nano(cl_config *c);
/* The shape train --config names: "nano" (cl_config_nano) or a cl_config_preset size. */
CL_API int cl_train_config(const char *name, cl_config *cfg, cl_error *err);
/* --mix "GP,SEASONAL,WALK,REPEAT": w (CL_TRAIN_FAMILIES) non-negative weights, not all 0. */
CL_API int cl_train_parse_mix(const char *s, double *w, cl_error *err);
/* --position-offsets "D1,D2,..": 1 to min(heads, 8) integers in [-4096, 4096] into o. */
CL_API int cl_train_parse_offsets(const char *s, int heads, cl_train_opts *o, cl_error *err);
/* The rule of a run's folder, before any work: out must be missing or empty, or be the run
 * resume (a checkpoint folder RUN/checkpoints/step-N, or RUN itself) continues in place;
 * anything else would mix two runs' checkpoints (formation reads both). force: trains there
 * anyway and removes out/checkpoints first. 0 or CL_EINVAL naming the first entry. */
CL_API int cl_train_out_check(const char *out, const char *resume, int force, cl_error *err);

/* A training run (src/train/train.h). */
typedef struct cl_trainer cl_trainer;
/* A fresh run of shape cfg: weights drawn from opts->seed. */
CL_API int cl_trainer_new(const cl_config *cfg, const cl_train_opts *opts, cl_trainer **out, cl_error *err);
/* Resumes from a checkpoint folder a run wrote (model, optimizer state, options, step, logs).
 * steps > 0 replaces the total number of steps. */
CL_API int cl_trainer_resume(const char *dir, int steps, cl_trainer **out, cl_error *err);
CL_API void cl_trainer_free(cl_trainer *t);
/* From the next step on (saved with the run, so resuming continues the new phase bit for bit):
 * the loss weight of the first horizon step (1: plain mean); the data family weights; the
 * fraction of small-alphabet repeated segments; a checkpoint every k steps (0: the final only). */
CL_API int cl_trainer_set_first_step_weight(cl_trainer *t, double w, cl_error *err);
CL_API int cl_trainer_set_mix(cl_trainer *t, const double *w, cl_error *err);
CL_API int cl_trainer_set_motif_frac(cl_trainer *t, double f, cl_error *err);
CL_API void cl_trainer_set_checkpoint_every(cl_trainer *t, int every);
/* Trains t to its opts' steps into out (created): a checkpoint folder out/checkpoints/step-NNNNNN
 * every checkpoint_every steps (and at step 0 of a new run), the held-out evaluation at the
 * end, then the run itself (config.json + model.safetensors, loadable by cl_model_load;
 * optimizer.safetensors, trainer_state.json, train.csv, checkpoints.csv). Progress: stage
 * "train: step S/N, loss L" after every step (done = steps of this call), and stage
 * "train: checkpoint PATH" after each checkpoint is saved (cl_trainer_last_eval is its). */
CL_API int cl_trainer_run(cl_trainer *t, const char *out, const cl_progress *progress, cl_error *err);
/* What a run holds: its options, the updates done, its parameter count, the last train.csv
 * line and the last held-out evaluation (NULL before the first). */
CL_API const cl_train_opts *cl_trainer_opts(const cl_trainer *t);
CL_API int cl_trainer_steps_done(const cl_trainer *t);
CL_API size_t cl_trainer_param_count(const cl_trainer *t);
CL_API const cl_train_row *cl_trainer_last_row(const cl_trainer *t);
CL_API const cl_eval_row *cl_trainer_last_eval(const cl_trainer *t);

/* ---------------------------------------------------------------- report */

#define CL_REPORT_MAX_MODELS 16

/* The whole study of one or more models as one page (`chronolens report`). */
typedef struct cl_report_opts {
    const char *const *dirs; /* model folders (n) */
    int n;
    const char *const *names; /* (n) or NULL: the models' names (NULL entry: cl_study_model_name) */
    const char *out;         /* the report folder ("report"); replaced only if it holds an earlier report */
    int quick;               /* smaller batches and grids, 1000 permutations */
    uint64_t seed;           /* every random choice (0) */
    int batch, sweep_batch, configs; /* -1: 100, 100, 30 (quick: 20, 10, 8) */
    cl_progress progress;    /* "report: step K/6 ...", share of the whole run */
    cl_precision precision;  /* the models are loaded in it (CL_FP32); setup.json records the one they got */
    int pattern_input;       /* the attention patterns' input: 0 a repeated random sequence, 1 the
                              * reference multisine (data/patterns/, the page's section 8) */
    const char *context;     /* a context CSV: the patterns on its first series instead (NULL: none) */
} cl_report_opts;
CL_API void cl_report_default(cl_report_opts *o);
/* Runs the studies in memory (induction on the band and on all tokens, sweep, multisine with
 * the text's and the notebooks' amplitudes, multisine sweep), writes out/data (their files,
 * setup.json, scores.csv, claims.*),
 * out/figures and out/index.html through a temporary folder renamed into place on success;
 * index receives the page's full path. */
CL_API int cl_report_run(const cl_report_opts *o, char *index, size_t index_n, cl_error *err);

/* ---------------------------------------------------------------- group attention (Chronos-2)
 * The cross-series analogue of induction heads (docs/group_attention.md): groups of
 * group_size series where series B is series A shifted by `lag` patches (B[t] = A[t − lag·ps]
 * + noise·N(0, 1)) plus group_size − 2 independent distractors, i.i.d. N(0, 1) values; per
 * Chronos-2 layer and head, the share of B's group attention that lands on A (its partner)
 * against the distractors and the uniform 1/group_size, at the last context patch (and at the
 * first future token), for every (lag, noise) cell; a permutation test against shuffled
 * pairings (the partner label moved to a random non-B row of each group) with Holm's
 * correction over the heads of a cell. Only the two tokens' group maps are captured
 * (cl_chronos2_input.group_tokens). */
#define CL_GA_MAX_GRID 16
typedef struct cl_group_attention_opts {
    int groups;          /* groups per cell (64) */
    int group_size;      /* rows per group, >= 3: B, A and group_size − 2 distractors (4) */
    int patches;         /* context patches of each series (0: min(32, the context)) */
    int n_lags, lags[CL_GA_MAX_GRID];             /* lags in patches (0, 1, 2, 4) */
    int n_noises; double noises[CL_GA_MAX_GRID];  /* noise std on B (0, 0.5, 1) */
    int permutations;    /* shuffled pairings per cell (1000) */
    double alpha;        /* Holm's level over the heads of a cell (0.05) */
    int batch_groups;    /* groups per forward pass (16): the pass's rows are batch_groups × group_size */
    uint64_t seed;       /* the series' and the shuffles' seed (0) */
    cl_progress progress; /* stage "group-attention", passes done of all */
    cl_precision precision; /* the models are loaded in it (CL_FP32); as run: the one they got */
    const char *const *names; /* (models) or NULL: each model's name (default: its folder's) */
    cl_shard shard;      /* units: the (lag, noise) cells, lag-major (unit = lag index × n_noises
                          * + noise index); a part runs its cells on every model, the others'
                          * heads are NaN (null in the json); {0, 0}: the whole run */
} cl_group_attention_opts;

/* One head in one cell: means over the groups. */
typedef struct cl_ga_head {
    double partner, partner_std; /* B's group attention on A at the last context patch, its std over groups */
    double distractor;           /* on one distractor (the mean over them) */
    double self;                 /* on itself */
    double partner_future;       /* on A at the first future token */
    double p;                    /* permutation p-value of partner (one-sided: above the shuffled) */
    int significant;             /* Holm-rejected at alpha and partner > 1/group_size */
} cl_ga_head;

typedef struct cl_group_attention_model {
    int layers, heads;
    cl_ga_head *h;       /* (n_lags, n_noises, layers*heads), lag-major, layer-major heads */
} cl_group_attention_model;

typedef struct cl_group_attention_result {
    cl_group_attention_opts opts; /* as run (progress, names cleared; patches resolved) */
    int n;
    cl_study_model *models;          /* (n) */
    cl_group_attention_model *res;   /* (n) */
} cl_group_attention_result;

CL_API void cl_group_attention_default(cl_group_attention_opts *o);
/* Loads and runs every model (Chronos-2 only: any other is refused in one line naming it). */
CL_API int cl_group_attention_run(const char *const *dirs, int n, const cl_group_attention_opts *o,
                                  cl_group_attention_result *r, cl_error *err);
/* One loaded model into r (allocated; free with cl_group_attention_model_free). */
CL_API int cl_group_attention_model_run(const cl_model *m, const cl_group_attention_opts *o, cl_group_attention_model *r,
                                        cl_error *err);
CL_API void cl_group_attention_model_free(cl_group_attention_model *r);
CL_API void cl_group_attention_free(cl_group_attention_result *r);
/* The head of model k at (lag index, noise index, layer, head). */
CL_API const cl_ga_head *cl_group_attention_head(const cl_group_attention_result *r, int k, int lag, int noise, int layer,
                                                 int head);
/* dir/group_attention.json and dir/group_attention.csv (atomic); the reader takes the json back. */
CL_API int cl_group_attention_write(const cl_group_attention_result *r, const char *dir, cl_error *err);
CL_API int cl_group_attention_read(const char *dir, cl_group_attention_result *r, cl_error *err);
/* `chronolens group-attention`'s files: the folder (created), the files, the figures or, for
 * a part (units: the cells), shard.json; cl_merge joins the parts' cells. */
CL_API int cl_group_attention_save(const cl_group_attention_result *r, const char *dir, const cl_save_part *part,
                                   cl_error *err);

/* ---------------------------------------------------------------- ABI */

/* sizeof the public struct type_name ("cl_config", "cl_induction_opts", ...) of chronolens.h
 * and this header; 0 for another name. For bindings that mirror the structs (python/chronolens
 * checks every mirror against it when it loads the libraries). */
CL_API size_t cl_abi_sizeof(const char *type_name);

#ifdef __cplusplus
}
#endif
#endif /* CHRONOLENS_STUDY_H */
