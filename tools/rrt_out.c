/* rrt_out.c — induction.json/csv, sweep.json/csv and their figures. JSON through cJSON
 * (cJSON: 15 or 17 digits, within one ulp); CSV with 9 significant digits. */
#include "cli.h"
#include "../src/io/csv.h"
#include "rrt_cli.h"
#include "../src/core/core.h"
#include "../src/io/json.h"
#include "../src/report/fig_induction.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *CRIT[3] = {"current", "right", "any"};

static cJSON *stat_json(const cl_stat *s) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "mean", s->mean);
    cJSON_AddNumberToObject(o, "std", s->std);
    cJSON_AddNumberToObject(o, "seed_std", s->seed_std);
    return o;
}

static cJSON *counts_json(const cl_count *c) {
    cJSON *o = cJSON_CreateObject();
    for (int k = 0; k < 3; k++) {
        cJSON *x = cJSON_AddObjectToObject(o, CRIT[k]);
        cJSON_AddNumberToObject(x, "n", c[k].n);
        cJSON_AddNumberToObject(x, "mean", c[k].mean);
        cJSON_AddNumberToObject(x, "std", c[k].std);
    }
    return o;
}

static cJSON *settings_json(const rrt_cli *o, int with_lr) {
    cJSON *s = cJSON_CreateObject();
    if (with_lr) {
        cJSON_AddNumberToObject(s, "seq_len", (double)o->seq_len);
        cJSON_AddNumberToObject(s, "reps", (double)o->reps);
    }
    cJSON_AddNumberToObject(s, "batch", (double)o->batch);
    cJSON_AddNumberToObject(s, "threshold", o->threshold);
    cJSON_AddNumberToObject(s, "seed", (double)o->seed);
    cJSON_AddNumberToObject(s, "seeds", (double)o->seeds);
    if (with_lr) cJSON_AddBoolToObject(s, "strict", o->strict);
    return s;
}

static int write_json(const char *path, cJSON *root, cl_error *err) {
    int rc = cl_json_save(path, root, err);
    cJSON_Delete(root);
    return rc;
}

/* relative depths (layer+1)/layers of the cross heads above threshold for a criterion */
static int depths(const cl_induction_result *r, int crit, double *out) {
    int n = 0;
    for (int i = 0; i < r->layers * r->heads; i++)
        if (cl_induction_above(r, i, crit)) out[n++] = (double)(i / r->heads + 1) / r->layers;
    return n;
}

int induction_write_json(const char *path, const rrt_cli *o, const rrt_models *ms, const cl_induction_result *r,
                         const double *seconds, cl_error *err) {
    cJSON *root = cJSON_CreateObject();
    cJSON_AddItemToObject(root, "settings", settings_json(o, 1));
    cJSON *models = cJSON_AddArrayToObject(root, "models");
    for (int k = 0; k < ms->n; k++) {
        const cl_induction_result *x = &r[k];
        cJSON *m = cJSON_CreateObject();
        cJSON_AddItemToArray(models, m);
        cJSON_AddStringToObject(m, "name", ms->name[k]);
        cJSON_AddStringToObject(m, "path", o->dirs[k]);
        cJSON_AddNumberToObject(m, "layers", x->layers);
        cJSON_AddNumberToObject(m, "heads", x->heads);
        cJSON_AddNumberToObject(m, "encoder_layers", x->enc_layers);
        cJSON *tr = cJSON_AddArrayToObject(m, "token_range");
        cJSON_AddItemToArray(tr, cJSON_CreateNumber(x->tok_lo));
        cJSON_AddItemToArray(tr, cJSON_CreateNumber(x->tok_hi));
        cJSON_AddNumberToObject(m, "seconds", seconds[k]);
        cJSON *cnt = cJSON_AddObjectToObject(m, "counts");
        cJSON_AddItemToObject(cnt, "cross", counts_json(x->cross));
        cJSON_AddItemToObject(cnt, "encoder", counts_json(x->enc));
        if (x->strict) cJSON_AddItemToObject(cnt, "strict", counts_json(x->strict_count));
        cJSON *heads = cJSON_AddArrayToObject(m, "cross_heads");
        for (int i = 0; i < x->layers * x->heads; i++) {
            cJSON *h = cJSON_CreateObject();
            cJSON_AddItemToArray(heads, h);
            cJSON_AddNumberToObject(h, "layer", i / x->heads);
            cJSON_AddNumberToObject(h, "head", i % x->heads);
            cJSON_AddItemToObject(h, "current", stat_json(&x->cur[i]));
            cJSON_AddItemToObject(h, "right", stat_json(&x->right[i]));
            cJSON_AddBoolToObject(h, "above_current", cl_induction_above(x, i, CL_CUR));
            cJSON_AddBoolToObject(h, "above_right", cl_induction_above(x, i, CL_RIGHT));
            if (x->strict) {
                cJSON_AddItemToObject(h, "ablation_dlogp", stat_json(&x->ablate[i]));
                cJSON_AddItemToObject(h, "copying", stat_json(&x->copy[i]));
                cJSON_AddBoolToObject(h, "strict_current", cl_induction_strict(x, i, CL_CUR));
                cJSON_AddBoolToObject(h, "strict_right", cl_induction_strict(x, i, CL_RIGHT));
            }
        }
        cJSON *eh = cJSON_AddArrayToObject(m, "encoder_heads");
        for (int i = 0; i < x->enc_layers * x->heads; i++) {
            cJSON *h = cJSON_CreateObject();
            cJSON_AddItemToArray(eh, h);
            cJSON_AddNumberToObject(h, "layer", i / x->heads);
            cJSON_AddNumberToObject(h, "head", i % x->heads);
            cJSON_AddItemToObject(h, "current", stat_json(&x->enc_cur[i]));
            cJSON_AddItemToObject(h, "right", stat_json(&x->enc_right[i]));
            cJSON_AddBoolToObject(h, "above_current", cl_induction_enc_above(x, i, CL_CUR));
            cJSON_AddBoolToObject(h, "above_right", cl_induction_enc_above(x, i, CL_RIGHT));
        }
        cJSON *ld = cJSON_AddObjectToObject(m, "layer_distribution");
        double *d = malloc(sizeof(double) * (size_t)(x->layers * x->heads + 1));
        for (int c = 0; c < 2 && d; c++) {
            int n = depths(x, c, d);
            cJSON_AddItemToObject(ld, CRIT[c], cJSON_CreateDoubleArray(d, n));
        }
        free(d);
    }
    return write_json(path, root, err);
}

static void csv_stat(FILE *f, const cl_stat *s) { fprintf(f, ",%.9g,%.9g,%.9g", s->mean, s->std, s->seed_std); }

int induction_write_csv(const char *path, const rrt_models *ms, const cl_induction_result *r, cl_error *err) {
    cl_out out;
    if (cl_out_open(&out, path, err)) return CL_EIO;
    FILE *f = out.fp;
    fputs("model,stack,layer,head,current_mean,current_std,current_seed_std,right_mean,right_std,right_seed_std,"
          "above_current,above_right,ablation_dlogp_mean,ablation_dlogp_std,ablation_dlogp_seed_std,"
          "copying_mean,copying_std,copying_seed_std,strict_current,strict_right\n", f);
    for (int k = 0; k < ms->n; k++) {
        const cl_induction_result *x = &r[k];
        for (int i = 0; i < x->layers * x->heads; i++) {
            csv_write_field(f, ms->name[k]);
            fprintf(f, ",cross,%d,%d", i / x->heads, i % x->heads);
            csv_stat(f, &x->cur[i]);
            csv_stat(f, &x->right[i]);
            fprintf(f, ",%d,%d", cl_induction_above(x, i, CL_CUR), cl_induction_above(x, i, CL_RIGHT));
            if (x->strict) {
                csv_stat(f, &x->ablate[i]);
                csv_stat(f, &x->copy[i]);
                fprintf(f, ",%d,%d\n", cl_induction_strict(x, i, CL_CUR), cl_induction_strict(x, i, CL_RIGHT));
            } else {
                fputs(",,,,,,,,\n", f);
            }
        }
        for (int i = 0; i < x->enc_layers * x->heads; i++) {
            csv_write_field(f, ms->name[k]);
            fprintf(f, ",encoder,%d,%d", i / x->heads, i % x->heads);
            csv_stat(f, &x->enc_cur[i]);
            csv_stat(f, &x->enc_right[i]);
            fprintf(f, ",%d,%d,,,,,,,,\n", cl_induction_enc_above(x, i, CL_CUR), cl_induction_enc_above(x, i, CL_RIGHT));
        }
    }
    if (ferror(f)) { cl_out_abort(&out); return cl_error_set(err, CL_EIO, "%s: write failed", path); }
    return cl_out_commit(&out, err);
}

static float *to_float(const cl_stat *s, int n) {
    float *f = malloc(sizeof(float) * (size_t)n);
    for (int i = 0; f && i < n; i++) f[i] = (float)s[i].mean;
    return f;
}

int induction_write_figures(const char *dir, const rrt_models *ms, const cl_induction_result *r, cl_error *err) {
    char base[4096], title[512];
    int rc = 0;
    int ng = 2 * ms->n, nd = 0;
    cl_depth_group *g = calloc((size_t)ng, sizeof *g);
    char (*lab)[300] = calloc((size_t)ng, sizeof *lab);
    double **dd = calloc((size_t)ng, sizeof(double *));
    if (!g || !lab || !dd) rc = cl_error_set(err, CL_ENOMEM, "figures: out of memory");
    for (int k = 0; k < ms->n && !rc; k++) {
        const cl_induction_result *x = &r[k];
        for (int st = 0; st < 2 && !rc; st++) { /* 0: cross-attention, 1: encoder self-attention */
            int nl = st ? x->enc_layers : x->layers, n = nl * x->heads;
            float *a = to_float(st ? x->enc_cur : x->cur, n), *b = to_float(st ? x->enc_right : x->right, n);
            if (!a || !b) rc = cl_error_set(err, CL_ENOMEM, "figures: out of memory");
            snprintf(base, sizeof base, "%s/mosaic_%s%s", dir, st ? "encoder_" : "", ms->name[k]);
            snprintf(title, sizeof title, "%s: %s induction scores", ms->name[k],
                     st ? "encoder self-attention" : "decoder cross-attention");
            if (!rc) rc = cl_fig_induction_mosaic(base, title, a, b, nl, x->heads, x->threshold, err);
            free(a); free(b);
        }
        for (int c = 0; c < 2 && !rc; c++, nd++) {
            dd[nd] = malloc(sizeof(double) * (size_t)(x->layers * x->heads + 1));
            if (!dd[nd]) { rc = cl_error_set(err, CL_ENOMEM, "figures: out of memory"); break; }
            g[nd].n = depths(x, c, dd[nd]);
            g[nd].depth = dd[nd];
            snprintf(lab[nd], sizeof lab[nd], "%s %s", ms->name[k], c ? "right" : "current");
            g[nd].label = lab[nd];
        }
    }
    if (!rc) {
        snprintf(base, sizeof base, "%s/layer_distribution", dir);
        rc = cl_fig_layer_distribution(base, "Depth of the induction heads (decoder cross-attention)", g, nd, err);
    }
    for (int i = 0; dd && i < nd; i++) free(dd[i]);
    free(dd); free(lab); free(g);
    return rc;
}

/* ------------------------------------------------------------------ sweep */

int sweep_write_json(const char *path, const rrt_cli *o, const rrt_models *ms, const cl_sweep_result *r,
                     const int *reps, int nr, const int *lens, int nl, cl_error *err) {
    cJSON *root = cJSON_CreateObject();
    cJSON *s = settings_json(o, 0);
    cJSON_AddItemToObject(s, "reps_list", cJSON_CreateIntArray(reps, nr));
    cJSON_AddItemToObject(s, "len_list", cJSON_CreateIntArray(lens, nl));
    cJSON_AddItemToObject(root, "settings", s);
    cJSON *models = cJSON_AddArrayToObject(root, "models");
    for (int k = 0; k < ms->n; k++) {
        cJSON *m = cJSON_CreateObject();
        cJSON_AddItemToArray(models, m);
        cJSON_AddStringToObject(m, "name", ms->name[k]);
        cJSON_AddStringToObject(m, "path", o->dirs[k]);
        cJSON *cells = cJSON_AddArrayToObject(m, "cells");
        for (int i = 0; i < r[k].n_reps * r[k].n_lens; i++) {
            const cl_sweep_cell *c = &r[k].cells[i];
            cJSON *x = cJSON_CreateObject();
            cJSON_AddItemToArray(cells, x);
            cJSON_AddNumberToObject(x, "reps", c->reps);
            cJSON_AddNumberToObject(x, "seq_len", c->seq_len);
            cJSON_AddItemToObject(x, "cross", counts_json(c->cross));
            cJSON_AddItemToObject(x, "encoder", counts_json(c->enc));
        }
    }
    return write_json(path, root, err);
}

int sweep_write_csv(const char *path, const rrt_models *ms, const cl_sweep_result *r, cl_error *err) {
    cl_out out;
    if (cl_out_open(&out, path, err)) return CL_EIO;
    FILE *f = out.fp;
    fputs("model,reps,seq_len", f);
    for (int st = 0; st < 2; st++)
        for (int c = 0; c < 3; c++) {
            const char *p = st ? "encoder" : "cross";
            fprintf(f, ",%s_%s_n,%s_%s_mean,%s_%s_std", p, CRIT[c], p, CRIT[c], p, CRIT[c]);
        }
    fputc('\n', f);
    for (int k = 0; k < ms->n; k++)
        for (int i = 0; i < r[k].n_reps * r[k].n_lens; i++) {
            const cl_sweep_cell *c = &r[k].cells[i];
            csv_write_field(f, ms->name[k]);
            fprintf(f, ",%d,%d", c->reps, c->seq_len);
            for (int st = 0; st < 2; st++)
                for (int q = 0; q < 3; q++) {
                    const cl_count *x = st ? &c->enc[q] : &c->cross[q];
                    fprintf(f, ",%d,%.9g,%.9g", x->n, x->mean, x->std);
                }
            fputc('\n', f);
        }
    if (ferror(f)) { cl_out_abort(&out); return cl_error_set(err, CL_EIO, "%s: write failed", path); }
    return cl_out_commit(&out, err);
}

int sweep_write_figures(const char *dir, const rrt_models *ms, const cl_sweep_result *r, const int *reps, int nr,
                        const int *lens, int nl, cl_error *err) {
    const size_t n = (size_t)nr * nl;
    float *fc = malloc(sizeof(float) * n * 2);
    double *d = malloc(sizeof(double) * n * 4);
    char base[4096], title[512];
    int rc = (!fc || !d) ? cl_error_set(err, CL_ENOMEM, "figures: out of memory") : 0;
    for (int k = 0; k < ms->n && !rc; k++) {
        const cl_config *c = cl_model_config(ms->m[k]);
        for (size_t i = 0; i < n; i++) {
            const cl_sweep_cell *x = &r[k].cells[i];
            fc[i] = (float)x->cross[CL_CUR].mean;
            fc[n + i] = (float)x->cross[CL_RIGHT].mean;
            d[i] = x->cross[CL_CUR].mean;
            d[n + i] = x->cross[CL_CUR].std;
            d[2 * n + i] = x->cross[CL_RIGHT].mean;
            d[3 * n + i] = x->cross[CL_RIGHT].std;
        }
        snprintf(base, sizeof base, "%s/sweep_%s", dir, ms->name[k]);
        snprintf(title, sizeof title, "%s: cross-attention heads >= threshold (of %d)", ms->name[k],
                 c->num_decoder_layers * c->num_heads);
        rc = cl_fig_sweep_heatmap(base, title, fc, fc + n, reps, nr, lens, nl, c->num_decoder_layers * c->num_heads,
                                  err);
        snprintf(base, sizeof base, "%s/sweep_lines_%s", dir, ms->name[k]);
        if (!rc) rc = cl_fig_sweep_lines(base, title, d, d + n, d + 2 * n, d + 3 * n, reps, nr, lens, nl, err);
    }
    free(fc); free(d);
    return rc;
}
