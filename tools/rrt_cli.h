/* rrt_cli.h — the options `induction` and `sweep` share, parsed into the study's opts
 * (chronolens_study.h) through their option tables (opt.h), and loading their models with
 * the checks that name an option. */
#ifndef CL_RRT_CLI_H
#define CL_RRT_CLI_H

#include "opt.h"

typedef struct rrt_cli {
    cli_models models;          /* --model, --name */
    const char *out;
    cl_induction_study_opts o;  /* the study's settings (defaults: cl_induction_study_default) */
    cl_precision precision;     /* --precision: the models load in it */
} rrt_cli;

/* The defaults: the study's, and at most CL_STUDY_MAX_MODELS models. */
void rrt_cli_init(rrt_cli *c);
/* --token-range LO:HI and --sampling band|all into c->o (the field of their table entries is
 * the rrt_cli); refused together. 0, or -1 after one line. */
int rrt_token_range(rrt_cli *c, const char *value);
int rrt_opt_token_range(const cli_opt *o, void *args, const char *value, const char *cmd);
int rrt_opt_sampling(const cli_opt *o, void *args, const char *value, const char *cmd);
const char *rrt_show_sampling(const cli_opt *o, const void *args, char *buf, size_t n);

/* The shared options' table entries for a command whose arguments T hold the rrt_cli at m. */
#define RRT_MODELS(T, m) CLI_MODELS(T, m.models)
#define RRT_OUT(T, m, what)                                                                                       \
    {.name = "--out", .arg = "DIR", .type = OPT_STR, .off = offsetof(T, m.out), .flags = OPT_REQUIRED, .help = what}
#define RRT_BATCH(T, m, what)                                                                                     \
    {.name = "--batch", .arg = "N", .type = OPT_INT, .off = offsetof(T, m.o.base.rrt.batch), .ilo = 1, .ihi = 1000000, \
     .help = what}
#define RRT_TOKEN_RANGE(T, m)                                                                                     \
    {.name = "--token-range", .arg = "LO:HI", .type = OPT_FN, .off = offsetof(T, m), .fn = rrt_opt_token_range,    \
     .def = "the ids of the band [-1.019, 1.012]", .help = "token ids drawn from"}
#define RRT_THRESHOLD(T, m)                                                                                       \
    {.name = "--threshold", .arg = "T", .type = OPT_NUM, .off = offsetof(T, m.o.base.threshold), .dlo = 0, .dhi = 1, \
     .help = "a head counts when its mean score is >= T"}
#define RRT_SEED(T, m)                                                                                            \
    {.name = "--seed", .arg = "S", .type = OPT_U64, .off = offsetof(T, m.o.base.rrt.seed), .ilo = 0,               \
     .ihi = 0x7fffffffffffffffL, .help = "seed of the first batch"}
#define RRT_SEEDS(T, m)                                                                                           \
    {.name = "--seeds", .arg = "K", .type = OPT_INT, .off = offsetof(T, m.o.base.seeds), .ilo = 1, .ihi = 10000,   \
     .help = "independent batches, seeds S, S+1, ..."}
#define RRT_SHARD(T, m, what)                                                                                     \
    {.name = "--shard", .arg = "K/N", .type = OPT_FN, .off = offsetof(T, m.o.shard), .fn = cli_opt_shard,          \
     .def = "the whole run", .help = what}
#define RRT_SAMPLING(T, m, what)                                                                                  \
    {.name = "--sampling", .arg = "band|all", .type = OPT_FN, .off = offsetof(T, m), .fn = rrt_opt_sampling,      \
     .show = rrt_show_sampling, .help = what}
#define RRT_OFFSET(T, m)                                                                                          \
    {.name = "--offset", .arg = "N", .type = OPT_INT, .off = offsetof(T, m.o.base.rrt.offset), .ilo = 0, .ihi = 100000, \
     .help = "Chronos-Bolt: the repeated block shifted N values against the patch grid"}

/* Loads every --model (names unique; a part of a study over models, units_per_model 1, loads
 * only its own and leaves the others NULL), checks --token-range fits each vocabulary or that each
 * has a token band, that the longest input (R x L + 1 values; grid: the sweep's largest cell,
 * NULL: c->o's) fits each loaded model's context_length, that --shard has no more parts than
 * units (models x units_per_model): cl_rrt_study_check. Reports the error (one line) and
 * returns EXIT_BAD; m and info have c->models.n entries. */
int rrt_models_load(const rrt_cli *c, cl_model **m, cl_study_model *info, int units_per_model, const cl_sweep_study_opts *grid,
                    const char *cmd);
void rrt_models_free(cl_model **m, int n);

#endif
