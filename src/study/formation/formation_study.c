/* formation_study.c — induction heads over training (cl_formation_run): the RRT summary of
 * every checkpoint of a training run with the mean training loss since the previous one, the
 * held-out loss and the ICL score; and its file formation.csv (the only place its columns
 * are spelled). */
#include "study/formation/formation.h"
#include "io/outlock.h"
#include "core/core.h"
#include "io/csv.h"
#include "train/train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char HEADER[] = "step,train_loss,eval_loss,icl_score,max_current_token,max_token_to_right,"
                             "heads_current_ge_0.3,heads_right_ge_0.3,heads_any_ge_0.3";

void cl_formation_default(cl_formation_opts *o) { memset(o, 0, sizeof *o); }

void cl_formation_free(cl_formation_result *r) {
    free(r->pts); free(r->train_step); free(r->train_loss);
    memset(r, 0, sizeof *r);
}

int cl_formation_run(const cl_formation_opts *o, cl_formation_result *r, cl_error *err) {
    memset(r, 0, sizeof *r);
    cl_trainer *t;
    if (cl_trainer_resume(o->run, 0, &t, err)) return CL_EFORMAT;
    int rc = 0;
    r->pts = calloc((size_t)(t->nevals ? t->nevals : 1), sizeof *r->pts);
    r->train_step = malloc(sizeof(double) * (size_t)(t->nrows ? t->nrows : 1));
    r->train_loss = malloc(sizeof(double) * (size_t)(t->nrows ? t->nrows : 1));
    if (!r->pts || !r->train_step || !r->train_loss) rc = cl_error_set(err, CL_ENOMEM, "formation: out of memory");
    for (int i = 0; i < t->nrows && !rc; i++) { r->train_step[i] = t->rows[i].step; r->train_loss[i] = t->rows[i].loss; }
    if (!rc) r->ntrain = t->nrows;
    int r0 = 0;
    for (int i = 0; i < t->nevals && !rc; i++) {
        const cl_eval_row *e = &t->evals[i];
        if (!e->dir[0] || strcmp(e->dir, ".") == 0) continue; /* the final eval has no checkpoint of its own */
        char path[4096];
        cl_path_join(path, sizeof path, o->run, e->dir);
        cl_model *m;
        if ((rc = cl_progress_point(&o->progress, "formation: checkpoints", i, t->nevals, err))) break;
        const cl_load_opts lo = {o->precision};
        if ((rc = cl_model_load(path, &lo, &m, err))) break;
        if ((rc = cl_model_require_t5(m, path, "formation", err))) { cl_model_free(m); break; }
        cl_formation_point *p = &r->pts[r->n];
        p->step = e->step; p->eval_loss = e->loss; p->icl = e->icl;
        double s = 0;
        int k = 0;
        for (; r0 < t->nrows && t->rows[r0].step <= e->step; r0++, k++) s += t->rows[r0].loss;
        p->train_loss = k ? s / k : NAN;
        rc = cl_formation_rrt(m, o->seed, p, err);
        cl_model_free(m);
        r->n++;
    }
    cl_trainer_free(t);
    if (rc) cl_formation_free(r);
    return rc;
}

int cl_formation_write(const cl_formation_result *r, const char *dir, cl_error *err) {
    char path[4096];
    cl_out o;
    int rc = cl_out_open(&o, cl_path_join(path, sizeof path, dir, "formation.csv"), err);
    if (rc) return rc;
    fprintf(o.fp, "%s\n", HEADER);
    for (int i = 0; i < r->n; i++) {
        const cl_formation_point *p = &r->pts[i];
        fprintf(o.fp, "%d,%.6f,%.6f,%.6f,%.6f,%.6f,%d,%d,%d\n", p->step, p->train_loss, p->eval_loss, p->icl, p->max_cur,
                p->max_right, p->n_cur, p->n_right, p->n_any);
    }
    return cl_out_commit(&o, err);
}

int cl_formation_read(const char *dir, cl_formation_result *r, cl_error *err) {
    char path[4096];
    return cl_formation_read_file(cl_path_join(path, sizeof path, dir, "formation.csv"), r, err);
}

int cl_formation_read_file(const char *path, cl_formation_result *r, cl_error *err) {
    memset(r, 0, sizeof *r);
    char *text;
    if (cl_read_file(path, (size_t)1 << 28, &text, NULL, err)) return CL_EIO;
    int rc = strncmp(text, HEADER, sizeof HEADER - 1) || (text[sizeof HEADER - 1] != '\n' && text[sizeof HEADER - 1] != '\r')
                 ? cl_error_set(err, CL_EFORMAT, "%s: not a formation.csv (header: %s)", path, HEADER) : 0;
    int rows = 0;
    for (const char *c = text; *c; c++) rows += *c == '\n';
    if (!rc && !(r->pts = calloc((size_t)(rows ? rows : 1), sizeof *r->pts))) rc = cl_error_set(err, CL_ENOMEM, "%s: out of memory", path);
    const char *p = rc ? NULL : strchr(text, '\n');
    while (!rc && p && *++p) {
        cl_formation_point *x = &r->pts[r->n];
        char tail;
        double mc, mr;
        int got = sscanf(p, "%d,%lf,%lf,%lf,%lf,%lf,%d,%d,%d%c", &x->step, &x->train_loss, &x->eval_loss, &x->icl, &mc, &mr,
                         &x->n_cur, &x->n_right, &x->n_any, &tail);
        if (got < 9 || (got == 10 && tail != '\n' && tail != '\r'))
            rc = cl_error_set(err, CL_EFORMAT, "%s: row %d: not nine numbers", path, r->n + 2);
        x->max_cur = (float)mc;
        x->max_right = (float)mr;
        r->n++;
        p = strchr(p, '\n');
    }
    free(text);
    if (rc) cl_formation_free(r);
    return rc;
}
