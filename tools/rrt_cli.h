/* rrt_cli.h — the options `induction` and `sweep` share, parsed into the study's opts
 * (chronolens_study.h), and loading their models with the checks that name an option. */
#ifndef CL_RRT_CLI_H
#define CL_RRT_CLI_H

#include "chronolens_study.h"

typedef struct rrt_cli {
    const char *dirs[CL_STUDY_MAX_MODELS];
    const char *names[CL_STUDY_MAX_MODELS]; /* --name of each --model (NULL: its folder's name) */
    int n_models;
    const char *out;
    const char *cmd;            /* "induction" or "sweep", for messages */
    cl_induction_study_opts o;  /* the study's settings (defaults: cl_induction_study_default) */
    cl_precision precision;     /* --precision: the models load in it */
} rrt_cli;

void rrt_cli_init(rrt_cli *c, const char *cmd);
/* Matches the shared options (--model, --name, --out, --precision, --shard, --batch, --token-range, --threshold, --seed,
 * --seeds, --offset: Chronos-Bolt's repeated block shifted against the patch grid) at argv[*i]; returns as opt_*: 1 matched, 0 not, -1 bad (reported). */
int rrt_cli_opt(int argc, char **argv, int *i, rrt_cli *c);

/* Loads every --model (names unique; a part of a study over models, units_per_model 1, loads
 * only its own and leaves the others NULL), checks --token-range fits each vocabulary or that each
 * has a token band, that the longest input (R x L + 1 values; grid: the sweep's largest cell,
 * NULL: c->o's) fits each loaded model's context_length, that --shard has no more parts than
 * units (models x units_per_model): cl_rrt_study_check. Reports the error (one line) and
 * returns EXIT_BAD; m and info have c->n_models entries. */
int rrt_models_load(const rrt_cli *c, cl_model **m, cl_study_model *info, int units_per_model, const cl_sweep_study_opts *grid,
                    const char *cmd);
void rrt_models_free(cl_model **m, int n);

#endif
