/* rrt_cli.c — the options shared by `induction` and `sweep`, and loading their models. */
#include "cli.h"
#include "rrt_cli.h"

#include <limits.h>
#include <string.h>

void rrt_cli_init(rrt_cli *c, const char *cmd) {
    memset(c, 0, sizeof *c);
    c->cmd = cmd;
    cl_induction_study_default(&c->o);
}

int rrt_cli_opt(int argc, char **argv, int *i, rrt_cli *c) {
    const char *v;
    long x;
    double t;
    int r = opt_str(argc, argv, i, "--model", &v);
    if (r == 1) {
        if (c->n_models == CL_STUDY_MAX_MODELS) { cli_fail("--model: at most %d models", CL_STUDY_MAX_MODELS); return -1; }
        c->dirs[c->n_models++] = v;
    }
    if (!r) r = opt_name(argc, argv, i, c->cmd, c->n_models, c->names);
    if (!r) r = opt_str(argc, argv, i, "--out", &c->out);
    if (!r) r = opt_precision(argc, argv, i, &c->precision);
    if (!r) r = opt_shard(argc, argv, i, &c->o.shard);
    if (!r && (r = opt_int(argc, argv, i, "--batch", 1, 1000000, &x)) == 1) c->o.base.rrt.batch = (int)x;
    if (!r && (r = opt_int(argc, argv, i, "--seed", 0, 0x7fffffffffffffffL, &x)) == 1) c->o.base.rrt.seed = (uint64_t)x;
    if (!r && (r = opt_int(argc, argv, i, "--seeds", 1, 10000, &x)) == 1) c->o.base.seeds = (int)x;
    if (!r && (r = opt_double(argc, argv, i, "--threshold", 0, 1, &t)) == 1) c->o.base.threshold = t;
    if (!r && (r = opt_int(argc, argv, i, "--offset", 0, 100000, &x)) == 1) c->o.base.rrt.offset = (int)x;
    if (!r && (r = opt_str(argc, argv, i, "--token-range", &v)) == 1) {
        long lo, hi;
        if (cl_parse_int_range(v, 0, INT_MAX, &lo, &hi) || lo >= hi) {
            cli_fail("option --token-range: '%s' is not LO:HI with 0 <= LO < HI", v);
            return -1;
        }
        c->o.tok_lo = (int)lo;
        c->o.tok_hi = (int)hi;
    }
    if (!r && (r = opt_str(argc, argv, i, "--sampling", &v)) == 1) {
        if (strcmp(v, "band") && strcmp(v, "all")) {
            cli_fail("option --sampling: '%s' is not band or all", v);
            return -1;
        }
        c->o.sampling_all = !strcmp(v, "all");
    }
    if (r == 1 && c->o.sampling_all && c->o.tok_lo >= 0) {
        cli_fail("options --sampling all and --token-range: give one of them");
        return -1;
    }
    return r;
}

void rrt_models_free(cl_model **m, int n) {
    for (int k = 0; k < n; k++) { cl_model_free(m[k]); m[k] = NULL; }
}

int rrt_models_load(const rrt_cli *c, cl_model **m, cl_study_model *info, int units_per_model, const cl_sweep_study_opts *grid,
                    const char *cmd) {
    cl_error err = {0};
    /* a part of a study over models loads only its own */
    const cl_shard *part = units_per_model == 1 && c->o.shard.n ? &c->o.shard : NULL;
    const cl_load_opts lo = {c->precision};
    cli_precision_note(c->precision);
    if (cl_study_models_load_named(c->dirs, c->names, c->n_models, part, &lo, m, info, &err)) return cli_fail("%s: %s", cmd, err.msg);
    /* the offset, token range, longest input and --shard against every model, before the output folder exists */
    if (cl_rrt_study_check(m, info, c->n_models, &c->o, grid, units_per_model, &err))
        return rrt_models_free(m, c->n_models), cli_fail("%s: %s", cmd, err.msg);
    return 0;
}
