/* rrt_cli.c — the options shared by `induction` and `sweep`, and loading their models. */
#include "cli.h"
#include "rrt_cli.h"

#include <limits.h>
#include <string.h>

void rrt_cli_init(rrt_cli *c) {
    memset(c, 0, sizeof *c);
    c->models.max = CL_STUDY_MAX_MODELS;
    c->models.too_many = "--model: at most %d models";
    cl_induction_study_default(&c->o);
}

static int one_of_them(const rrt_cli *c) {
    if (c->o.sampling_all && c->o.tok_lo >= 0) return cli_fail("options --sampling all and --token-range: give one of them"), -1;
    return 0;
}

int rrt_token_range(rrt_cli *c, const char *v) {
    long lo, hi;
    if (cl_parse_int_range(v, 0, INT_MAX, &lo, &hi) || lo >= hi)
        return cli_fail("option --token-range: '%s' is not LO:HI with 0 <= LO < HI", v), -1;
    c->o.tok_lo = (int)lo;
    c->o.tok_hi = (int)hi;
    return one_of_them(c);
}

int rrt_opt_token_range(const cli_opt *o, void *args, const char *value, const char *cmd) {
    return rrt_token_range(CLI_FIELD(o, args, rrt_cli), value);
}

int rrt_opt_sampling(const cli_opt *o, void *args, const char *v, const char *cmd) {
    rrt_cli *c = CLI_FIELD(o, args, rrt_cli);
    if (strcmp(v, "band") && strcmp(v, "all")) return cli_fail("option --sampling: '%s' is not band or all", v), -1;
    c->o.sampling_all = !strcmp(v, "all");
    return one_of_them(c);
}

const char *rrt_show_sampling(const cli_opt *o, const void *args, char *buf, size_t n) {
    return ((const rrt_cli *)((const char *)args + o->off))->o.sampling_all ? "all" : "band";
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
    const int n = c->models.n;
    cli_precision_note(c->precision);
    if (cl_study_models_load(c->models.dirs, c->models.names, n, part, &lo, m, info, &err))
        return cli_fail("%s: %s", cmd, err.msg);
    /* the offset, token range, longest input and --shard against every model, before the output folder exists */
    if (cl_rrt_study_check(m, info, n, &c->o, grid, units_per_model, &err))
        return rrt_models_free(m, n), cli_fail("%s: %s", cmd, err.msg);
    return 0;
}
