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
    int strict;
    long need_values; /* the longest encoder input, in values (R·L + 1): at most context_length */
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
int sweep_write_csv(const char *path, const rrt_models *ms, const cl_sweep_result *r, cl_error *err);
int sweep_write_figures(const char *dir, const rrt_models *ms, const cl_sweep_result *r, const int *reps, int nr,
                        const int *lens, int nl, cl_error *err);

#endif
