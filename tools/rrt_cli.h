/* rrt_cli.h — options shared by `induction` and `sweep`, the models they load, and the
 * writers of their JSON/CSV results and figures. */
#ifndef CL_RRT_CLI_H
#define CL_RRT_CLI_H

#include "../src/analysis/induction.h"
#include "../src/analysis/sweep.h"

#define RRT_MAX_MODELS 64

typedef struct rrt_cli {
    const char *dirs[RRT_MAX_MODELS];
    int n_models;
    const char *out;
    long seq_len, reps, batch, seed, seeds;
    double threshold;
    int have_range;
    long lo, hi;
    int sampling_all;   /* --sampling all: every non-special token of each model (else its band) */
    int strict;
} rrt_cli;

/* Defaults: L 10, R 2, batch 100, seed 0, one seed, threshold 0.3, strict. */
void rrt_cli_init(rrt_cli *o);
/* Matches the shared options (--model, --out, --batch, --token-range, --threshold, --seed,
 * --seeds) at argv[*i]; returns as opt_*: 1 matched, 0 not, -1 bad (reported). */
int rrt_cli_opt(int argc, char **argv, int *i, rrt_cli *o);

/* Loaded models with their names (folder basenames, unique). */
typedef struct rrt_models { int n; cl_model *m[RRT_MAX_MODELS]; char name[RRT_MAX_MODELS][256]; } rrt_models;
/* Loads every --model, checks names are unique and the token range fits each vocabulary,
 * and creates the output folder. Reports the error (one line) and returns EXIT_BAD. */
int rrt_models_load(const rrt_cli *o, rrt_models *ms, const char *cmd);
void rrt_models_free(rrt_models *ms);
/* The analysis options for model k (its own token band unless --token-range). */
void rrt_cli_options(const rrt_cli *o, const cl_model *m, cl_induction_opts *io);

/* Writers (atomic, through cl_out); 0 or a cl_error. */
int induction_write_json(const char *path, const rrt_cli *o, const rrt_models *ms, const cl_induction_result *r,
                         const double *seconds, cl_error *err);
int induction_write_csv(const char *path, const rrt_models *ms, const cl_induction_result *r, cl_error *err);
int induction_write_figures(const char *dir, const rrt_models *ms, const cl_induction_result *r, cl_error *err);
int sweep_write_json(const char *path, const rrt_cli *o, const rrt_models *ms, const cl_sweep_result *r,
                     const int *reps, int nr, const int *lens, int nl, cl_error *err);
int sweep_write_csv(const char *path, const rrt_cli *o, const rrt_models *ms, const cl_sweep_result *r, cl_error *err);

/* Beside a sweep cell's counts (method.md §5): the uniform level 1/T (T = R*L + 2); the
 * baseline-aware count — heads whose mean lifts the attention at least `threshold` of the
 * way from 1/T to 1, (score - 1/T) / (1 - 1/T) >= threshold, either criterion; the
 * author's "total" (heads >= threshold on current plus those on right, a head on both
 * counted twice); and the union count of the all-occurrence sums. */
typedef struct sweep_extra { double inv_t; int baseline_any, total, all_any, all_right; } sweep_extra;
sweep_extra sweep_cell_extra(const cl_sweep_cell *c, double threshold);
/* scores.csv (the scores table of method.md §5, src/study/scores_table.h) of the results:
 * per model and cross head the criteria current, right, current_all, right_all (and
 * ablation when strict), mean, std over the seeds*batch sequences, n = seeds*batch.
 * Sampling: band or all by the token range each model was run on; a model run on another
 * range has no rows (*skipped counts them). */
int induction_write_scores(const char *path, const rrt_cli *o, const rrt_models *ms, const cl_induction_result *r,
                           int *skipped, cl_error *err);
int sweep_write_scores(const char *path, const rrt_cli *o, const rrt_models *ms, const cl_sweep_result *r, int *skipped,
                       cl_error *err);
int sweep_write_figures(const char *dir, const rrt_models *ms, const cl_sweep_result *r, const int *reps, int nr,
                        const int *lens, int nl, cl_error *err);

#endif
