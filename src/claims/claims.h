/* claims.h — the study's claims (method.md §5) as tests on a scores table (scores_table.h)
 * and, for the multisine claims, the multisine results: one verdict per model, or per model
 * set for the claims that compare models (one set per family: Chronos-T5, Chronos-Bolt), with
 * the test applied, its numbers and — when the data cannot decide — the reason. A model is
 * tested on its own sampling (band for Chronos-T5, patches for Chronos-Bolt, scores_table.h).
 * docs/claims.md states every test.
 *
 * Sampling error: where a row has std and n, a head's score is its mean ± std/sqrt(n) and a
 * count of heads (mean >= threshold) has the variance sum_h p_h (1 - p_h), p_h the normal
 * probability that the head's mean is above the threshold; a difference is decided when it
 * exceeds z (1.96) of its standard error. A table of means only is decided on the means,
 * a difference of one head or less (0.05 of attention for scores) being a tie. */
#ifndef CL_CLAIMS_H
#define CL_CLAIMS_H

#include "study/common/scores_table.h"
#include "chronolens_study.h"

enum { CL_UNDECIDED = -1, CL_NOT_SUPPORTED = 0, CL_SUPPORTED = 1 };

#define CL_VERDICT_NUMS 14
#define CL_VERDICT_MODELS 16

/* (typedef cl_verdict, cl_verdicts and cl_verdicts_free: chronolens_study.h) */
struct cl_verdict {
    const char *id;        /* exist, size, band, longer_more, more_reps_fewer, most_at_r2_l10,
                              spread, period_is_gap, amplitude_is_induction; strict (extension) */
    const char *claim;     /* the claim in words */
    const char *test;      /* the test applied */
    int extension;         /* 1: not a claim of the study (strict) */
    int family;            /* CL_FAMILY_T5 / CL_FAMILY_BOLT: the model's, or the set's (cross-model
                              claims are decided per family) */
    int n_models;          /* 1: a model's verdict; more: the set's */
    char model[CL_VERDICT_MODELS][CL_SCORES_NAME];
    int verdict;           /* CL_SUPPORTED, CL_NOT_SUPPORTED, CL_UNDECIDED */
    char reason[512];      /* what decided it, or why it is undecided */
    int n;
    char name[CL_VERDICT_NUMS][72];
    double value[CL_VERDICT_NUMS]; /* NaN: not available */
};

/* ---- multisine results for the claims ---- */

/* One head on one input: the reference input (config -1) or a random configuration. */
typedef struct cl_ms_obs {
    int config, layer, head;
    double gap, gap_gcd, freq_gcd; /* of the input, Hz */
    int non_divisor;               /* smallest gap divides no other gap... (multisine.h) */
    double amplitude, strength;    /* spectral amplitude; double-FFT prominence (NaN: not given) */
    int periodic;
    double spacing_hz;             /* NaN when not periodic */
    double mass, max_share;        /* attention on the context (EOS excluded) and the largest
                                      share of one position in it; NaN when not given */
} cl_ms_obs;

typedef struct cl_ms_model {
    char model[CL_SCORES_NAME];
    int n_ref[2];                  /* reference input, amplitudes of the text [0] and of the notebooks [1] */
    cl_ms_obs *ref[2];
    int n_sweep;                   /* the multisine sweep's (configuration, head) pairs */
    cl_ms_obs *sweep;
    double tol_hz;                 /* a spacing "at" a gap: within 1 / duration of this model's input
                                    * (its spectral resolution; 0: the set's tol_hz) */
} cl_ms_model;

typedef struct cl_ms_data { int n; cl_ms_model *m; double tol_hz; } cl_ms_data;

/* Reads the multisine results of the named models from dir: the reference input from
 * dir/multisine/multisine.csv or dir/multisine.csv (rows of every model), the notebooks'
 * amplitudes from dir/multisine-notebook/multisine.csv or dir/multisine-notebook.csv
 * (optional); a report's Chronos-Bolt models from dir/multisine-bolt/ and
 * dir/multisine-notebook-bolt/ (the same files); a model's tolerance is 1 / the duration of
 * the input in the multisine.json beside its rows (1/3 s without one); the sweep from dir/multisine-sweep/NAME/sweep.csv or dir/NAME/sweep.csv
 * (optional per model). Formats: those of `chronolens multisine` and `multisine-sweep`.
 * A missing file is no error (that claim is then undecided); a malformed one is
 * (CL_EFORMAT, "PATH:LINE: problem"). */
int cl_ms_data_read(const char *dir, const char *const *models, int n_models, cl_ms_data *d, cl_error *err);
void cl_ms_data_free(cl_ms_data *d);
/* The same from the studies' typed results (claims_from.c): the reference input (ref), the
 * notebooks' amplitudes (notebook) — n_res of each, one per model family (Chronos-T5,
 * Chronos-Bolt: their inputs differ), any entry NULL — and sweeps (n_models, one per model in
 * order, or NULL). Absent parts are absent for the claims. Models are matched by name. */
int cl_ms_data_from(const cl_multisine_result *const *ref, const cl_multisine_result *const *notebook, int n_res,
                    const cl_mssweep_result *sweeps, const char *const *models, int n_models, cl_ms_data *d,
                    cl_error *err);

/* ---- the claims ---- */

/* cl_claims_opts, cl_claims_default, cl_claims_from_tables, cl_claims_write_files,
 * cl_claims_save, cl_verdicts_print: chronolens_study.h */

/* All claims for every model of t (ms may be NULL: the multisine claims are then
 * undecided), then the strict extension. out is filled (cl_verdicts_free). */
int cl_claims_run(const cl_scores *t, const cl_ms_data *ms, const cl_claims_opts *o, cl_verdicts *out, cl_error *err);

/* The group-attention claims (claims_group.c, docs/claims.md) of every model of a
 * group-attention result, appended to out: group_partner (the grid's first cell) and
 * group_lead_lag (the cells with lag > 0), family CL_FAMILY_CHRONOS2. o NULL: the defaults. */
int cl_claims_group(const cl_group_attention_result *r, const cl_claims_opts *o, cl_verdicts *out, cl_error *err);

/* claims.json: an array of {id, model (a string, or the list for a model set), verdict
 * ("supported" / "not supported" / "undecided"), claim, test, reason, extension, numbers
 * {name: value or null}}; claims.csv: id,model,verdict,extension,reason,number,value (one
 * row per number; a set's models joined by ';'). When a verdict is Chronos-Bolt's, every
 * verdict also gets its family ("t5" / "bolt": a "family" key after "model", a family column
 * after model): a Chronos-T5 run's files keep their bytes. Atomic. */
int cl_verdicts_write_json(const char *path, const cl_verdicts *v, cl_error *err);
int cl_verdicts_write_csv(const char *path, const cl_verdicts *v, cl_error *err);
const char *cl_verdict_word(int verdict);

#endif
