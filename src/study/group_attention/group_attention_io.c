/* group_attention_io.c — group_attention.json (every cell of every head) and
 * group_attention.csv (a row per model × layer × head: the first cell, the partner share over
 * the lags and over the noise levels), the writer and the json's reader: the only place their
 * keys are spelled. JSON numbers keep 17 digits (a double reads back exactly). */
#include "chronolens_study.h"
#include "core/core.h"
#include "io/csv.h"
#include "io/json.h"
#include "io/outlock.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cJSON *settings_json(const cl_group_attention_opts *o) {
    cJSON *s = cJSON_CreateObject();
    cJSON_AddNumberToObject(s, "groups", o->groups);
    cJSON_AddNumberToObject(s, "group_size", o->group_size);
    cJSON_AddNumberToObject(s, "patches", o->patches);
    cJSON_AddItemToObject(s, "lags", cJSON_CreateIntArray(o->lags, o->n_lags));
    cJSON_AddItemToObject(s, "noises", cJSON_CreateDoubleArray(o->noises, o->n_noises));
    cJSON_AddNumberToObject(s, "permutations", o->permutations);
    cJSON_AddNumberToObject(s, "alpha", o->alpha);
    cJSON_AddNumberToObject(s, "batch_groups", o->batch_groups);
    cJSON_AddNumberToObject(s, "seed", (double)o->seed);
    cJSON_AddNumberToObject(s, "baseline", 1.0 / o->group_size);
    cJSON_AddStringToObject(s, "precision", cl_precision_name(o->precision));
    return s;
}

static cJSON *head_json(int layer, int head, const cl_ga_head *h) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "layer", layer);
    cJSON_AddNumberToObject(o, "head", head);
    cJSON_AddNumberToObject(o, "partner", h->partner);
    cJSON_AddNumberToObject(o, "partner_std", h->partner_std);
    cJSON_AddNumberToObject(o, "distractor", h->distractor);
    cJSON_AddNumberToObject(o, "self", h->self);
    cJSON_AddNumberToObject(o, "partner_future", h->partner_future);
    cJSON_AddItemToObject(o, "p", cl_json_num_or_null(h->p));
    cJSON_AddBoolToObject(o, "significant", h->significant);
    return o;
}

static cJSON *result_json(const cl_group_attention_result *r) {
    cJSON *root = cJSON_CreateObject();
    cJSON_AddItemToObject(root, "settings", settings_json(&r->opts));
    cJSON *models = cJSON_AddArrayToObject(root, "models");
    for (int k = 0; k < r->n; k++) {
        const cl_group_attention_model *x = &r->res[k];
        cJSON *m = cJSON_CreateObject();
        cJSON_AddItemToArray(models, m);
        cJSON_AddStringToObject(m, "name", r->models[k].name);
        cJSON_AddStringToObject(m, "path", r->models[k].path);
        cJSON_AddNumberToObject(m, "parameters", r->models[k].parameters);
        cJSON_AddNumberToObject(m, "seconds", r->models[k].seconds);
        cJSON_AddNumberToObject(m, "layers", x->layers);
        cJSON_AddNumberToObject(m, "heads", x->heads);
        cJSON *cells = cJSON_AddArrayToObject(m, "cells");
        for (int a = 0; a < r->opts.n_lags; a++)
            for (int b = 0; b < r->opts.n_noises; b++) {
                cJSON *c = cJSON_CreateObject();
                cJSON_AddItemToArray(cells, c);
                cJSON_AddNumberToObject(c, "lag", r->opts.lags[a]);
                cJSON_AddNumberToObject(c, "noise", r->opts.noises[b]);
                int nsig = 0;
                cJSON *hs = cJSON_AddArrayToObject(c, "heads");
                for (int l = 0; l < x->layers; l++)
                    for (int h = 0; h < x->heads; h++) {
                        const cl_ga_head *e = cl_group_attention_head(r, k, a, b, l, h);
                        nsig += e->significant;
                        cJSON_AddItemToArray(hs, head_json(l, h, e));
                    }
                cJSON_AddNumberToObject(c, "significant_heads", nsig);
            }
    }
    return root;
}

static void list(FILE *f, const double *v, int n) {
    fputc(',', f);
    for (int i = 0; i < n; i++) fprintf(f, "%s%.9g", i ? ";" : "", v[i]);
}

static int result_csv(const char *path, const cl_group_attention_result *r, cl_error *err) {
    cl_out out;
    if (cl_out_open(&out, path, err)) return CL_EIO;
    FILE *f = out.fp;
    const cl_group_attention_opts *o = &r->opts;
    fputs("model,layer,head,lag,noise,partner,partner_std,distractor,self,baseline,lift,partner_future,p,significant,"
          "partner_by_lag,partner_by_noise,significant_cells\n", f);
    double v[CL_GA_MAX_GRID];
    for (int k = 0; k < r->n; k++) {
        const cl_group_attention_model *x = &r->res[k];
        for (int l = 0; l < x->layers; l++)
            for (int h = 0; h < x->heads; h++) {
                const cl_ga_head *e = cl_group_attention_head(r, k, 0, 0, l, h);
                csv_write_field(f, r->models[k].name);
                fprintf(f, ",%d,%d,%d,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%d", l, h, o->lags[0], o->noises[0],
                        e->partner, e->partner_std, e->distractor, e->self, 1.0 / o->group_size, e->partner * o->group_size,
                        e->partner_future, e->p, e->significant);
                for (int a = 0; a < o->n_lags; a++) v[a] = cl_group_attention_head(r, k, a, 0, l, h)->partner;
                list(f, v, o->n_lags);
                for (int b = 0; b < o->n_noises; b++) v[b] = cl_group_attention_head(r, k, 0, b, l, h)->partner;
                list(f, v, o->n_noises);
                int nsig = 0;
                for (int a = 0; a < o->n_lags; a++)
                    for (int b = 0; b < o->n_noises; b++) nsig += cl_group_attention_head(r, k, a, b, l, h)->significant;
                fprintf(f, ",%d\n", nsig);
            }
    }
    if (ferror(f)) { cl_out_abort(&out); return cl_error_set(err, CL_EIO, "%s: write failed", path); }
    return cl_out_commit(&out, err);
}

int cl_group_attention_write(const cl_group_attention_result *r, const char *dir, cl_error *err) {
    char path[4096];
    int rc = cl_json_save_free(cl_path_join(path, sizeof path, dir, "group_attention.json"), result_json(r), err);
    if (!rc) rc = result_csv(cl_path_join(path, sizeof path, dir, "group_attention.csv"), r, err);
    return rc;
}

int cl_group_attention_read(const char *dir, cl_group_attention_result *r, cl_error *err) {
    memset(r, 0, sizeof *r);
    char path[4096];
    cl_path_join(path, sizeof path, dir, "group_attention.json");
    cJSON *root;
    int lrc = cl_json_load(path, &root, err);
    if (lrc) return lrc;
    cl_jr j = {path, err, 0};
    cl_group_attention_opts *o = &r->opts;
    const cJSON *s = cl_jr_obj(&j, root, "settings");
    o->groups = cl_jr_int(&j, s, "groups");
    o->group_size = cl_jr_int(&j, s, "group_size");
    o->patches = cl_jr_int(&j, s, "patches");
    int nl = 0;
    const cJSON *lags = cl_jr_arr(&j, s, "lags", &nl);
    if (!j.rc && (nl < 1 || nl > CL_GA_MAX_GRID)) cl_jr_fail(&j, "not 1 to 16 lags", "lags");
    for (int i = 0; i < nl && !j.rc; i++) o->lags[i] = (int)cl_jr_item_num(&j, lags, i);
    o->n_lags = j.rc ? 0 : nl;
    o->n_noises = cl_jr_doubles(&j, s, "noises", o->noises, CL_GA_MAX_GRID);
    o->permutations = cl_jr_int(&j, s, "permutations");
    o->alpha = cl_jr_num(&j, s, "alpha");
    o->batch_groups = cl_jr_int(&j, s, "batch_groups");
    o->seed = (uint64_t)cl_jr_num(&j, s, "seed");
    o->precision = cl_jr_precision(&j, s, "precision");
    if (!j.rc && o->group_size < 3) cl_jr_fail(&j, "not >= 3", "group_size");
    int n = 0;
    const cJSON *models = cl_jr_arr(&j, root, "models", &n);
    if (!j.rc && (n < 1 || n > CL_STUDY_MAX_MODELS)) cl_jr_fail(&j, "not 1 to 64 models", "models");
    if (!j.rc) {
        r->models = calloc((size_t)n, sizeof *r->models);
        r->res = calloc((size_t)n, sizeof *r->res);
        if (!r->models || !r->res) j.rc = cl_error_set(err, CL_ENOMEM, "%s: out of memory", path);
        else r->n = n;
    }
    for (int k = 0; k < r->n && !j.rc; k++) {
        const cJSON *m = cJSON_GetArrayItem(models, k);
        const char *name = cl_jr_str(&j, m, "name"), *mp = cl_jr_str(&j, m, "path");
        snprintf(r->models[k].name, sizeof r->models[k].name, "%s", name ? name : "");
        snprintf(r->models[k].path, sizeof r->models[k].path, "%s", mp ? mp : "");
        r->models[k].parameters = cl_jr_num(&j, m, "parameters");
        r->models[k].seconds = cl_jr_num(&j, m, "seconds");
        r->models[k].sampling = -1;
        cl_group_attention_model *x = &r->res[k];
        x->layers = cl_jr_int(&j, m, "layers");
        x->heads = cl_jr_int(&j, m, "heads");
        if (!j.rc && (x->layers < 1 || x->heads < 1 || x->layers > 4096 || x->heads > 4096))
            cl_jr_fail(&j, "not 1 to 4096", "layers/heads");
        int nc = 0;
        const cJSON *cells = cl_jr_arr(&j, m, "cells", &nc);
        const int NH = j.rc ? 0 : x->layers * x->heads;
        if (!j.rc && nc != o->n_lags * o->n_noises) cl_jr_fail(&j, "not one cell per (lag, noise)", "cells");
        if (!j.rc && !(x->h = calloc((size_t)nc * NH, sizeof *x->h)))
            j.rc = cl_error_set(err, CL_ENOMEM, "%s: out of memory", path);
        for (int c = 0; c < nc && !j.rc; c++) {
            int nh = 0;
            const cJSON *hs = cl_jr_arr(&j, cJSON_GetArrayItem(cells, c), "heads", &nh);
            if (!j.rc && nh != NH) cl_jr_fail(&j, "not one per layer and head", "heads");
            for (int i = 0; i < nh && !j.rc; i++) {
                const cJSON *e = cJSON_GetArrayItem(hs, i);
                cl_ga_head *h = &x->h[(size_t)c * NH + i];
                h->partner = cl_jr_num(&j, e, "partner");
                h->partner_std = cl_jr_num(&j, e, "partner_std");
                h->distractor = cl_jr_num(&j, e, "distractor");
                h->self = cl_jr_num(&j, e, "self");
                h->partner_future = cl_jr_num(&j, e, "partner_future");
                h->p = cl_jr_num(&j, e, "p");
                h->significant = cl_jr_bool(&j, e, "significant");
            }
        }
    }
    cJSON_Delete(root);
    if (j.rc) cl_group_attention_free(r);
    return j.rc;
}
