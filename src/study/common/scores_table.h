/* scores_table.h — the scores table of method.md §5: how induction-head scores, chronolens'
 * or anyone's (the study's notebooks can export it), are handed to the claims.
 *
 * CSV, one row per (model, sampling, reps, seq_len, layer, head, criterion), header row with
 * the columns (any order, extra columns ignored):
 *   model, parameters, sampling, reps, seq_len, layer, head, criterion, mean [, std, n] [, family]
 *  - parameters: the model's parameter count (an empty cell: unknown; `size` then cannot use it)
 *  - sampling: `band` (token ids of the value band, 1910..2187 of 4096) or `all` (every
 *    non-special token) for Chronos-T5; `patches` (repeated random patches, method.md §4.1)
 *    for Chronos-Bolt
 *  - criterion: `current` (attention on the most recent earlier occurrence m of s_1),
 *    `right` (on m + 1) — the study's; extensions: `current_all`, `right_all` (the sums over
 *    every earlier occurrence, method.md §2), `ablation` (Chronos-T5: Δ log p(s_2) when the
 *    head is zeroed, the strict criterion of Olsson et al.) and `ablation_median`
 *    (Chronos-Bolt: |m − y| − |m_h − y|, m and m_h the first-step median without and with
 *    the head zeroed, y = s_1[0] (rrp.h); negative = the head brought the median closer, the
 *    sign convention of `ablation` — but another quantity, hence another name)
 *  - mean: the batch mean; std (sample std over the n sequences) and n: optional, both or
 *    neither; empty cells = not given.
 *  - family: optional, `t5` or `bolt`; when absent a row of sampling `patches` is `bolt`,
 *    any other `t5`. `bolt` goes with sampling `patches` and criterion `ablation_median`,
 *    `t5` with `band`/`all` and `ablation`; one family per model.
 * The mosaic is the rows with reps 2, seq_len 10 and the model's sampling: band (Chronos-T5)
 * or patches (Chronos-Bolt). */
#ifndef CL_SCORES_TABLE_H
#define CL_SCORES_TABLE_H

#include "chronolens.h"

enum { CL_SAMPLING_BAND = 0, CL_SAMPLING_ALL = 1, CL_SAMPLING_PATCHES = 2, CL_NSAMPLING };
enum { CL_CRIT_CURRENT = 0, CL_CRIT_RIGHT, CL_CRIT_CURRENT_ALL, CL_CRIT_RIGHT_ALL, CL_CRIT_ABLATION,
       CL_CRIT_ABLATION_MEDIAN, CL_NCRIT };

#define CL_SCORES_NAME 128

typedef struct cl_score_row {
    char model[CL_SCORES_NAME];
    double parameters;     /* NaN: unknown */
    int sampling;          /* CL_SAMPLING_* */
    int reps, seq_len, layer, head;
    int criterion;         /* CL_CRIT_* */
    int family;            /* CL_FAMILY_T5 / CL_FAMILY_BOLT (chronolens.h): one per model (the reader checks) */
    double mean;
    double std;            /* NaN when not given */
    long n;                /* 0 when not given */
} cl_score_row;

typedef struct cl_scores {
    cl_score_row *rows;
    int n, cap;
} cl_scores;

const char *cl_criterion_name(int criterion);
const char *cl_sampling_name(int sampling);
const char *cl_family_name(int family); /* "t5", "bolt" */
/* The family of a model's rows (CL_FAMILY_T5 when it has none). */
int cl_scores_family(const cl_scores *t, const char *model);

/* Appends a row (copied). Returns 0 or CL_ENOMEM. */
int cl_scores_add(cl_scores *t, const cl_score_row *r, cl_error *err);
/* Appends every row of src whose key is not in t yet (the first source wins). */
int cl_scores_merge(cl_scores *t, const cl_scores *src, cl_error *err);
void cl_scores_free(cl_scores *t);

/* Reads a scores table. Any problem — missing column, unknown criterion or sampling,
 * non-numeric or out-of-range cell, std without n, duplicate row, a family that does not fit
 * the sampling or criterion, a model with rows of both families — is one message
 * "PATH:LINE: problem" (CL_EFORMAT), and t is left empty. */
int cl_scores_read(const char *path, cl_scores *t, cl_error *err);
/* The same from text in memory (name used in messages). */
int cl_scores_parse(const char *text, size_t len, const char *name, cl_scores *t, cl_error *err);
/* Writes the table (atomic; 17 significant digits, so a re-read is exact). The family column
 * is written only when a row is Chronos-Bolt's: a Chronos-T5 table keeps its bytes. */
int cl_scores_write(const char *path, const cl_scores *t, cl_error *err);

/* The row with this key, or NULL. */
const cl_score_row *cl_scores_find(const cl_scores *t, const char *model, int sampling, int reps, int seq_len,
                                   int layer, int head, int criterion);

/* Distinct model names in order of first appearance: names (at most max) -> count. */
int cl_scores_models(const cl_scores *t, const char **names, int max);

#endif
