/* induction_merge.c — joining the parts (--shard K/N) of the induction study, its offsets
 * (`induction --offsets`) and the sweep: each part's units moved into one result, exactly
 * the result of one run. report/merge.c writes it and its figures. */
#include "study/induction/induction.h"
#include "study/induction/sweep.h"
#include "study/common/shard.h"
#include "core/core.h"
#include "io/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* `induction --offsets` parts: their offsets.json units (model k, offset j), unit k*n_off + j */
int cl_rrp_offsets_merge_parts(const char *const *dirs, const cl_shard_part *p, int n, cl_rrp_offsets_set *out, cl_error *err) {
    cl_rrp_offsets_set *s = calloc((size_t)n, sizeof *s);
    int rc = !s ? cl_error_set(err, CL_ENOMEM, "merge: out of memory") : 0;
    for (int i = 0; i < n && !rc; i++) rc = cl_rrp_offsets_read(dirs[i], &s[i], err);
    cl_rrp_offsets_set *m = s; /* the first part's set takes the others' units */
    const int U = rc ? 0 : m->n * m->n_off;
    for (int i = 0; i < n && !rc; i++) {
        const cJSON *ou = cJSON_GetObjectItemCaseSensitive(p[i].root, "offset_units");
        if (!cJSON_IsNumber(ou) || ou->valuedouble != U)
            rc = cl_error_set(err, CL_EFORMAT, "%s/" CL_SHARD_FILE ": offset_units is not the %d units of %s/offsets.json",
                              dirs[i], U, dirs[0]);
    }
    for (int i = 1; i < n && !rc; i++)
        if (s[i].n != m->n || s[i].n_off != m->n_off || memcmp(s[i].offsets, m->offsets, sizeof(int) * (size_t)m->n_off))
            rc = cl_error_set(err, CL_EFORMAT, "%s: other offsets or other models than %s", dirs[i], dirs[0]);
    for (int k = 0; k < m->n && !rc; k++) {
        double seconds = 0; /* each part ran some of the model's offsets */
        for (int i = 0; i < n && !rc; i++) {
            if (strcmp(s[i].models[k].name, m->models[k].name))
                rc = cl_error_set(err, CL_EFORMAT, "%s: model %d is %s, in %s %s", dirs[i], k + 1, s[i].models[k].name, dirs[0],
                                  m->models[k].name);
            seconds += s[i].models[k].seconds;
        }
        m->models[k].seconds = seconds;
    }
    for (int u = 0; u < U && !rc; u++) {
        int i = cl_shard_part_of(p, n, u);
        if (s[i].done && !s[i].done[u]) { /* done NULL: the part holds every unit */
            rc = cl_error_set(err, CL_EFORMAT, "%s: offset %d of model %s missing", dirs[i], m->offsets[u % m->n_off],
                              m->models[u / m->n_off].name);
            break;
        }
        if (i == 0) continue; /* already in place */
        cl_induction_free(&m->res[u]);
        m->res[u] = s[i].res[u]; /* moved, not shared */
        memset(&s[i].res[u], 0, sizeof s[i].res[u]);
    }
    if (!rc) { free(m->done); m->done = NULL; }
    if (!rc) { *out = *m; memset(m, 0, sizeof *m); } /* the caller's now */
    for (int i = 0; s && i < n; i++) cl_rrp_offsets_free(&s[i]);
    free(s);
    return rc;
}

int cl_induction_merge_parts(const char *const *dirs, const cl_shard_part *p, int n, cl_induction_set *out, cl_error *err) {
    cl_induction_set *s = calloc((size_t)n, sizeof *s), m;
    memset(&m, 0, sizeof m);
    const int U = p[0].units;
    int rc = !s ? cl_error_set(err, CL_ENOMEM, "merge: out of memory") : 0;
    for (int i = 0; i < n && !rc; i++) rc = cl_induction_read(dirs[i], &s[i], err);
    if (!rc) {
        m.opts = s[0].opts;
        m.models = calloc((size_t)U, sizeof *m.models);
        m.res = calloc((size_t)U, sizeof *m.res);
        if (!m.models || !m.res) rc = cl_error_set(err, CL_ENOMEM, "merge: out of memory");
    }
    int *next = calloc((size_t)n, sizeof(int));
    for (int u = 0; u < U && !rc; u++) {
        int i = cl_shard_part_of(p, n, u);
        if (!next || next[i] >= s[i].n) { rc = cl_error_set(err, CL_EFORMAT, "%s: fewer models than its part holds", dirs[i]); break; }
        m.models[u] = s[i].models[next[i]];
        m.res[u] = s[i].res[next[i]];
        memset(&s[i].res[next[i]], 0, sizeof s[i].res[0]); /* moved */
        next[i]++;
        m.n = u + 1;
    }
    free(next);
    if (rc) cl_induction_set_free(&m);
    else *out = m; /* the caller's now */
    for (int i = 0; s && i < n; i++) cl_induction_set_free(&s[i]);
    free(s);
    return rc;
}

int cl_sweep_merge_parts(const char *const *dirs, const cl_shard_part *p, int n, cl_sweep_set *out, int *heads, cl_error *err) {
    cl_sweep_set *s = calloc((size_t)n, sizeof *s);
    int rc = !s ? cl_error_set(err, CL_ENOMEM, "merge: out of memory") : 0;
    for (int i = 0; i < n && !rc; i++) rc = cl_sweep_read(dirs[i], &s[i], err);
    int nh = 0;
    if (!rc) {
        cl_jr j = {CL_SHARD_FILE, err, 0};
        const cJSON *h = cl_jr_arr(&j, p[0].root, "heads", &nh);
        for (int k = 0; k < nh && k < CL_STUDY_MAX_MODELS; k++) heads[k] = (int)cl_jr_item_num(&j, h, k);
        rc = j.rc;
        if (!rc && nh != s[0].n) rc = cl_error_set(err, CL_EFORMAT, "%s/" CL_SHARD_FILE ": heads of %d models for %d", dirs[0], nh, s[0].n);
    }
    cl_sweep_set *m = &s[0];
    const int ncell = m->n_reps * m->n_lens;
    for (int i = 1; i < n && !rc; i++)
        if (s[i].n != m->n || s[i].n_reps != m->n_reps || s[i].n_lens != m->n_lens)
            rc = cl_error_set(err, CL_EFORMAT, "%s: another grid or other models than %s", dirs[i], dirs[0]);
    for (int k = 0; k < m->n && !rc; k++)
        for (int c = 0; c < ncell && !rc; c++) {
            int i = cl_shard_part_of(p, n, k * ncell + c);
            if (s[i].res[k].done && s[i].res[k].done[c] == CL_CELL_UNFIT) { /* too long for the model: not run */
                if (!m->res[k].done && !(m->res[k].done = calloc((size_t)ncell, 1))) {
                    rc = cl_error_set(err, CL_ENOMEM, "merge: out of memory");
                    break;
                }
                m->res[k].done[c] = CL_CELL_UNFIT;
                continue;
            }
            if (!s[i].res[k].done || s[i].res[k].done[c] != CL_CELL_RUN) {
                rc = cl_error_set(err, CL_EFORMAT, "%s: cell %d of model %s missing", dirs[i], c, m->models[k].name);
                break;
            }
            if (i == 0) continue; /* already in place */
            cl_sweep_cell *to = &m->res[k].cells[c], *from = &s[i].res[k].cells[c];
            free(to->cur); free(to->right); free(to->cur_all); free(to->right_all);
            *to = *from; /* the cell owns its heads' scores: moved, not shared */
            from->cur = from->right = from->cur_all = from->right_all = NULL;
        }
    for (int k = 0; k < m->n && !rc; k++) { /* every cell run: no done flags; else only the too-long ones stay */
        int unfit = 0;
        for (int c = 0; m->res[k].done && c < ncell; c++) {
            if (m->res[k].done[c] != CL_CELL_UNFIT) m->res[k].done[c] = CL_CELL_RUN;
            unfit += m->res[k].done[c] == CL_CELL_UNFIT;
        }
        if (!unfit) { free(m->res[k].done); m->res[k].done = NULL; }
    }
    if (!rc) { *out = *m; memset(m, 0, sizeof *m); } /* the caller's now */
    for (int i = 0; s && i < n; i++) cl_sweep_set_free(&s[i]);
    free(s);
    return rc;
}

