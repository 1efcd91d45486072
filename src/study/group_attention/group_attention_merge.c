/* group_attention_merge.c — the group-attention study's parts (--shard K/N, units: the
 * (lag, noise) cells): each part's group_attention.json holds every model and every cell, its
 * own cells' heads computed and the others' null; the merge takes each cell from the part
 * that ran it. A cell's numbers depend on its cell index and the seed only (its series and
 * its shuffles are seeded by them), so the joined files are the one run's byte for byte.
 * report/merge.c writes them and draws the figures. */
#include "study/group_attention/group_attention.h"
#include "study/common/shard.h"
#include "core/core.h"

#include <stdlib.h>
#include <string.h>

/* the settings of two parts of one run */
static int same_run(const cl_group_attention_result *a, const cl_group_attention_result *b) {
    const cl_group_attention_opts *x = &a->opts, *y = &b->opts;
    if (x->groups != y->groups || x->group_size != y->group_size || x->patches != y->patches || x->n_lags != y->n_lags ||
        x->n_noises != y->n_noises || x->permutations != y->permutations || x->alpha != y->alpha ||
        x->batch_groups != y->batch_groups || x->seed != y->seed || x->precision != y->precision || a->n != b->n)
        return 0;
    if (memcmp(x->lags, y->lags, sizeof(int) * (size_t)x->n_lags) || memcmp(x->noises, y->noises, sizeof(double) * (size_t)x->n_noises))
        return 0;
    for (int k = 0; k < a->n; k++)
        if (strcmp(a->models[k].name, b->models[k].name) || a->res[k].layers != b->res[k].layers ||
            a->res[k].heads != b->res[k].heads)
            return 0;
    return 1;
}

int cl_group_attention_merge_parts(const char *const *dirs, const cl_shard_part *p, int n, cl_group_attention_result *out,
                                   cl_error *err) {
    cl_group_attention_result *s = calloc((size_t)n, sizeof *s);
    int rc = !s ? cl_error_set(err, CL_ENOMEM, "merge: out of memory") : 0;
    for (int i = 0; i < n && !rc; i++) {
        rc = cl_group_attention_read(dirs[i], &s[i], err);
        if (!rc && !same_run(&s[0], &s[i]))
            rc = cl_error_set(err, CL_EINVAL, "%s/group_attention.json: settings or models other than %s's", dirs[i], dirs[0]);
    }
    const int cells = rc ? 0 : s[0].opts.n_lags * s[0].opts.n_noises;
    if (!rc && p[0].units != cells)
        rc = cl_error_set(err, CL_EFORMAT, "%s/" CL_SHARD_FILE ": %d units, the run has %d cells", dirs[0], p[0].units, cells);
    if (!rc) {
        /* part 0's result becomes the joined one: every cell copied from the part that ran it,
         * the run times summed over the parts */
        cl_group_attention_result *m = &s[0];
        for (int k = 0; k < m->n; k++) {
            const int NH = m->res[k].layers * m->res[k].heads;
            double seconds = 0;
            for (int i = 0; i < n; i++) seconds += s[i].models[k].seconds;
            m->models[k].seconds = seconds;
            for (int c = 0; c < cells; c++) {
                const int i = cl_shard_part_of(p, n, c);
                if (i > 0) memcpy(m->res[k].h + (size_t)c * NH, s[i].res[k].h + (size_t)c * NH, sizeof(cl_ga_head) * (size_t)NH);
            }
        }
        *out = *m; /* the caller's now */
        memset(m, 0, sizeof *m);
    }
    for (int i = 0; s && i < n; i++) cl_group_attention_free(&s[i]);
    free(s);
    return rc;
}
