/* rrt_cli.c — the options shared by `induction` and `sweep`, and loading their models. */
#include "cli.h"
#include "rrt_cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void rrt_cli_init(rrt_cli *o) {
    memset(o, 0, sizeof *o);
    o->seq_len = 10;
    o->reps = 2;
    o->batch = 100;
    o->seeds = 1;
    o->threshold = 0.3;
    o->strict = 1;
}

/* "LO:HI" with 0 <= LO <= HI */
static int parse_range(const char *v, long *lo, long *hi) {
    char *end;
    errno = 0;
    *lo = strtol(v, &end, 10);
    if (end == v || *end != ':' || errno) return -1;
    const char *w = end + 1;
    *hi = strtol(w, &end, 10);
    if (end == w || *end || errno || *lo < 0 || *lo >= *hi) return -1;
    return 0;
}

int rrt_cli_opt(int argc, char **argv, int *i, rrt_cli *o) {
    const char *v;
    int r = opt_str(argc, argv, i, "--model", &v);
    if (r == 1) {
        if (o->n_models == RRT_MAX_MODELS) { cli_fail("--model: at most %d models", RRT_MAX_MODELS); return -1; }
        o->dirs[o->n_models++] = v;
    }
    if (!r) r = opt_str(argc, argv, i, "--out", &o->out);
    if (!r) r = opt_int(argc, argv, i, "--batch", 1, 1000000, &o->batch);
    if (!r) r = opt_int(argc, argv, i, "--seed", 0, 0x7fffffffffffffffL, &o->seed);
    if (!r) r = opt_int(argc, argv, i, "--seeds", 1, 10000, &o->seeds);
    if (!r) r = opt_double(argc, argv, i, "--threshold", 0, 1, &o->threshold);
    if (!r && (r = opt_str(argc, argv, i, "--token-range", &v)) == 1) {
        if (parse_range(v, &o->lo, &o->hi)) {
            cli_fail("option --token-range: '%s' is not LO:HI with 0 <= LO < HI", v);
            return -1;
        }
        o->have_range = 1;
    }
    return r;
}

void rrt_models_free(rrt_models *ms) {
    for (int k = 0; k < ms->n; k++) cl_model_free(ms->m[k]);
    ms->n = 0;
}

/* mkdir -p: creates dir and its missing parents */
static int make_dirs(const char *dir) {
    char p[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof p) { errno = ENAMETOOLONG; return -1; }
    memcpy(p, dir, n + 1);
    for (size_t i = 1; i <= n; i++)
        if (p[i] == '/' || p[i] == 0) {
            char c = p[i];
            p[i] = 0;
            if (mkdir(p, 0777) != 0 && errno != EEXIST) return -1;
            p[i] = c;
        }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) { errno = ENOTDIR; return -1; }
    return 0;
}

int rrt_models_load(const rrt_cli *o, rrt_models *ms, const char *cmd) {
    memset(ms, 0, sizeof *ms);
    cl_error err = {0};
    for (int k = 0; k < o->n_models; k++) {
        if (cl_model_load(o->dirs[k], &ms->m[k], &err)) { rrt_models_free(ms); return cli_fail_err(&err); }
        ms->n++;
        cli_model_name(o->dirs[k], ms->name[k], sizeof ms->name[k]);
        for (int j = 0; j < k; j++)
            if (!strcmp(ms->name[j], ms->name[k])) {
                rrt_models_free(ms);
                return cli_fail("%s: --model: two models are named '%s' (give each its own --name)", cmd, ms->name[k]);
            }
        const cl_config *c = cl_model_config(ms->m[k]);
        const int vocab = c->vocab_size, ctxlen = c->context_length; /* c dies with the model */
        if (o->need_values > ctxlen) {
            rrt_models_free(ms);
            return cli_fail("%s: %ld values (R x L + 1) exceed the context_length %d of %s (the tokenizer would "
                            "truncate such a context): lower --reps or --seq-len", cmd, o->need_values, ctxlen, o->dirs[k]);
        }
        if (o->have_range && o->hi >= vocab) {
            rrt_models_free(ms);
            return cli_fail("%s: option --token-range %ld:%ld: outside the vocabulary [0, %d) of %s", cmd, o->lo, o->hi,
                            vocab, o->dirs[k]);
        }
        int lo, hi;
        if (!o->have_range && cl_rrt_token_band(c, &lo, &hi, &err)) {
            rrt_models_free(ms);
            return cli_fail("%s: %s: %s (give --token-range)", cmd, o->dirs[k], err.msg);
        }
    }
    if (make_dirs(o->out) != 0) {
        int e = errno;
        rrt_models_free(ms);
        return cli_fail("%s: --out %s: cannot create the folder (%s)", cmd, o->out, strerror(e));
    }
    return 0;
}

void rrt_cli_options(const rrt_cli *o, const cl_model *m, cl_induction_opts *io) {
    cl_error err;
    cl_induction_default(cl_model_config(m), io, &err); /* the band was checked by rrt_models_load */
    io->rrt.seq_len = (int)o->seq_len;
    io->rrt.reps = (int)o->reps;
    io->rrt.batch = (int)o->batch;
    io->rrt.seed = (uint64_t)o->seed;
    if (o->have_range) {
        io->rrt.tok_lo = (int)o->lo;
        io->rrt.tok_hi = (int)o->hi;
    }
    io->threshold = o->threshold;
    io->seeds = (int)o->seeds;
    io->strict = o->strict;
}
