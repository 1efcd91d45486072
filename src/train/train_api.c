/* train_api.c — what the public training API (chronolens_study.h) adds to the trainer: the
 * shapes --config names, the list options of a run, the rule of its folder, and read access
 * to a run for the caller's progress lines. */
#include "train/train.h"
#include "core/core.h"

#include <float.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(SYN_NFAMILIES == CL_TRAIN_FAMILIES, "cl_train_opts.mix has one weight per synthetic family");

int cl_train_config(const char *name, cl_config *cfg, cl_error *err) {
    if (strcmp(name, "nano") == 0) { cl_config_nano(cfg); return 0; }
    cl_error e = {0};
    if (cl_config_preset(name, cfg, &e)) return cl_error_set(err, e.code, "%s (or nano)", e.msg);
    return 0;
}

int cl_train_parse_mix(const char *s, double *w, cl_error *err) {
    int n = 0;
    double sum = 0;
    if (cl_parse_double_list(s, 0, DBL_MAX, w, CL_TRAIN_FAMILIES, &n) || n != CL_TRAIN_FAMILIES)
        return cl_error_set(err, CL_EINVAL, "option --mix: '%s' is not %d non-negative weights (gp,seasonal,random_walk,repeat)",
                            s, CL_TRAIN_FAMILIES);
    for (int f = 0; f < n; f++) sum += w[f];
    if (!(sum > 0)) return cl_error_set(err, CL_EINVAL, "option --mix: '%s': every weight is 0", s);
    return 0;
}

int cl_train_parse_offsets(const char *s, int heads, cl_train_opts *o, cl_error *err) {
    const int max = (int)(sizeof o->position_offsets / sizeof o->position_offsets[0]);
    long v[sizeof o->position_offsets / sizeof o->position_offsets[0]];
    int n = 0;
    if (cl_parse_long_list(s, -4096, 4096, v, max, &n) || n < 1 || n > heads)
        return cl_error_set(err, CL_EINVAL, "option --position-offsets: '%s' is not 1 to %d integer offsets (one per head, e.g. -1,1)",
                            s, heads < max ? heads : max);
    for (int i = 0; i < n; i++) o->position_offsets[i] = (int)v[i];
    o->n_position_offsets = n;
    return 0;
}

int cl_train_out_check(const char *out, const char *resume, int force, cl_error *err) {
    char first[256], a[PATH_MAX], b[PATH_MAX], c[PATH_MAX + 8];
    if (!cl_dir_foreign(out, NULL, first, sizeof first)) return 0;
    if (resume && realpath(out, a)) {
        snprintf(c, sizeof c, "%s/../..", resume); /* RUN/checkpoints/step-N */
        if ((realpath(resume, b) && !strcmp(a, b)) || (realpath(c, b) && !strcmp(a, b))) return 0;
    }
    if (!force)
        return cl_error_set(err, CL_EINVAL, "--out %s: not empty (holds '%s'): choose an empty folder, resume the run in "
                            "place (--resume %s/checkpoints/step-N), or give --force", out, first, out);
    char ck[PATH_MAX + 16];
    snprintf(ck, sizeof ck, "%s/checkpoints", out);
    cl_rm_tree(ck);
    return 0;
}

void cl_trainer_set_checkpoint_every(cl_trainer *t, int every) { t->o.checkpoint_every = every; }
const cl_train_opts *cl_trainer_opts(const cl_trainer *t) { return &t->o; }
int cl_trainer_steps_done(const cl_trainer *t) { return t->step; }
size_t cl_trainer_param_count(const cl_trainer *t) { return t->p->n; }
const cl_train_row *cl_trainer_last_row(const cl_trainer *t) { return t->nrows ? &t->rows[t->nrows - 1] : NULL; }
const cl_eval_row *cl_trainer_last_eval(const cl_trainer *t) { return t->nevals ? &t->evals[t->nevals - 1] : NULL; }
