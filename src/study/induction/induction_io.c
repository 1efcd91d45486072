/* induction_io.c — the files of the induction and sweep studies: induction.json/.csv and
 * sweep.json/.csv, their writers and readers (the only place their keys are spelled); the
 * runs that fill cl_induction_set / cl_sweep_set are induction_study.c's. JSON through cJSON
 * (15 or 17 significant digits: a double reads back exactly); CSV with 9 significant digits. */
#include "study/induction/induction.h"
#include "io/outlock.h"
#include "study/induction/sweep.h"
#include "core/core.h"
#include "io/csv.h"
#include "io/json.h"
#include "study/common/shard.h"
#include "study/induction/scores_from.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* criterion names (CL_CUR, CL_RIGHT, CL_ANY) in every key */
static const char *CRIT[3] = {"current", "right", "any"};
/* Chronos-Bolt's ablation score (rrp.h cl_rrp_ablation): Δ |first-step median − s_1[0]| */
#define BOLT_ABLATION "ablation_dmedian_err"

/* ------------------------------------------------------------------ JSON pieces */

static cJSON *stat_json(const cl_stat *s) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "mean", s->mean);
    cJSON_AddNumberToObject(o, "std", s->std);
    cJSON_AddNumberToObject(o, "seed_std", s->seed_std);
    return o;
}

static void stat_read(cl_jr *r, const cJSON *o, const char *key, cl_stat *s) {
    const cJSON *x = cl_jr_obj(r, o, key);
    s->mean = cl_jr_num(r, x, "mean");
    s->std = cl_jr_num(r, x, "std");
    s->seed_std = cl_jr_num(r, x, "seed_std");
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

static void counts_read(cl_jr *r, const cJSON *o, const char *key, cl_count *c) {
    const cJSON *x = cl_jr_obj(r, o, key);
    for (int k = 0; k < 3; k++) {
        const cJSON *y = cl_jr_obj(r, x, CRIT[k]);
        c[k].n = cl_jr_int(r, y, "n");
        c[k].mean = cl_jr_num(r, y, "mean");
        c[k].std = cl_jr_num(r, y, "std");
    }
}

/* the settings object; with_lr: the induction study's (L, R, strict), else the sweep's */
static cJSON *settings_json(const cl_induction_opts *o, int with_lr) {
    cJSON *s = cJSON_CreateObject();
    if (with_lr) {
        cJSON_AddNumberToObject(s, "seq_len", o->rrt.seq_len);
        cJSON_AddNumberToObject(s, "reps", o->rrt.reps);
    }
    cJSON_AddNumberToObject(s, "batch", o->rrt.batch);
    cJSON_AddNumberToObject(s, "threshold", o->threshold);
    cJSON_AddNumberToObject(s, "seed", (double)o->rrt.seed);
    cJSON_AddNumberToObject(s, "seeds", o->seeds);
    if (with_lr) cJSON_AddBoolToObject(s, "strict", o->strict);
    if (o->rrt.offset) cJSON_AddNumberToObject(s, "offset", o->rrt.offset); /* Chronos-Bolt only (rrp.h) */
    cJSON_AddStringToObject(s, "precision", cl_precision_name(o->precision));
    return s;
}

static void settings_read(cl_jr *r, const cJSON *s, int with_lr, cl_induction_opts *o) {
    memset(o, 0, sizeof *o);
    if (with_lr) {
        o->rrt.seq_len = cl_jr_int(r, s, "seq_len");
        o->rrt.reps = cl_jr_int(r, s, "reps");
    }
    o->rrt.batch = cl_jr_int(r, s, "batch");
    o->threshold = cl_jr_num(r, s, "threshold");
    o->rrt.seed = (uint64_t)cl_jr_num(r, s, "seed");
    o->seeds = cl_jr_int(r, s, "seeds");
    if (with_lr) o->strict = cl_jr_bool(r, s, "strict");
    const cJSON *off = cJSON_GetObjectItemCaseSensitive(s, "offset");
    if (cJSON_IsNumber(off)) o->rrt.offset = off->valueint;
    o->precision = cl_jr_precision(r, s, "precision");
}

/* CL_SAMPLING_BAND, CL_SAMPLING_ALL, CL_SAMPLING_PATCHES (Chronos-Bolt) */
static const char *SAMPLING[CL_NSAMPLING] = {"band", "all", "patches"};

static void model_json(cJSON *m, const cl_study_model *info) {
    cJSON_AddStringToObject(m, "name", info->name);
    cJSON_AddStringToObject(m, "path", info->path);
    cJSON_AddNumberToObject(m, "parameters", info->parameters); /* NaN: null */
    if (info->sampling >= 0 && info->sampling < CL_NSAMPLING)
        cJSON_AddStringToObject(m, "sampling", SAMPLING[info->sampling]);
    else
        cJSON_AddNullToObject(m, "sampling");
}

static void model_read(cl_jr *r, const cJSON *m, cl_study_model *info) {
    const char *name = cl_jr_str(r, m, "name"), *path = cl_jr_str(r, m, "path");
    snprintf(info->name, sizeof info->name, "%s", name ? name : "");
    snprintf(info->path, sizeof info->path, "%s", path ? path : "");
    info->parameters = cl_jr_num(r, m, "parameters");
    info->sampling = -1;
    const cJSON *sm = cJSON_GetObjectItemCaseSensitive(m, "sampling");
    if (cJSON_IsString(sm)) {
        for (int q = 0; q < CL_NSAMPLING; q++)
            if (!strcmp(sm->valuestring, SAMPLING[q])) info->sampling = q;
        if (info->sampling < 0) cl_jr_fail(r, "not band, all, patches or null", "sampling");
    } else if (!cJSON_IsNull(sm)) {
        cl_jr_fail(r, "missing or not band, all, patches or null", "sampling");
    }
}

int cl_induction_depths(const cl_induction_result *r, int crit, double *out) {
    int n = 0;
    for (int i = 0; i < r->layers * r->heads; i++)
        if (cl_induction_above(r, i, crit)) out[n++] = (double)(i / r->heads + 1) / r->layers;
    return n;
}

/* ------------------------------------------------------------------ induction files */

static cJSON *induction_json(const cl_induction_set *s) {
    cJSON *root = cJSON_CreateObject();
    cJSON_AddItemToObject(root, "settings", settings_json(&s->opts, 1));
    cJSON *models = cJSON_AddArrayToObject(root, "models");
    for (int k = 0; k < s->n; k++) {
        const cl_induction_result *x = &s->res[k];
        cJSON *m = cJSON_CreateObject();
        cJSON_AddItemToArray(models, m);
        model_json(m, &s->models[k]);
        cJSON_AddNumberToObject(m, "layers", x->layers);
        cJSON_AddNumberToObject(m, "heads", x->heads);
        cJSON_AddNumberToObject(m, "encoder_layers", x->enc_layers);
        if (x->bolt) { /* repeated random patches (rrp.h): no token range */
            /* Chronos-2: "cross" keys hold the first future token's time-attention row */
            cJSON_AddStringToObject(m, "family", x->chronos2 ? "chronos2" : "bolt");
            cJSON_AddNumberToObject(m, "patch_size", x->patch_size);
            cJSON_AddNumberToObject(m, "offset", x->offset);
        } else {
            cJSON *tr = cJSON_AddArrayToObject(m, "token_range");
            cJSON_AddItemToArray(tr, cJSON_CreateNumber(x->tok_lo));
            cJSON_AddItemToArray(tr, cJSON_CreateNumber(x->tok_hi));
        }
        cJSON_AddNumberToObject(m, "seconds", s->models[k].seconds);
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
            cJSON_AddItemToObject(h, "current_all", stat_json(&x->cur_all[i]));
            cJSON_AddItemToObject(h, "right_all", stat_json(&x->right_all[i]));
            cJSON_AddItemToObject(h, "current_occurrences", cJSON_CreateDoubleArray(x->occ_cur + (size_t)i * x->reps, x->reps));
            cJSON_AddItemToObject(h, "right_occurrences", cJSON_CreateDoubleArray(x->occ_right + (size_t)i * x->reps, x->reps));
            if (x->strict) {
                cJSON_AddItemToObject(h, x->bolt ? BOLT_ABLATION : "ablation_dlogp", stat_json(&x->ablate[i]));
                if (x->copy) cJSON_AddItemToObject(h, "copying", stat_json(&x->copy[i]));
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
        if (!d) { cJSON_Delete(root); return NULL; }
        for (int c = 0; c < 2; c++) {
            int n = cl_induction_depths(x, c, d);
            cJSON_AddItemToObject(ld, CRIT[c], cJSON_CreateDoubleArray(d, n));
        }
        free(d);
    }
    return root;
}

static void csv_stat(FILE *f, const cl_stat *s) { fprintf(f, ",%.9g,%.9g,%.9g", s->mean, s->std, s->seed_std); }

static int induction_csv(const char *path, const cl_induction_set *s, cl_error *err) {
    cl_out out;
    if (cl_out_open(&out, path, err)) return CL_EIO;
    FILE *f = out.fp;
    fputs("model,stack,layer,head,current_mean,current_std,current_seed_std,right_mean,right_std,right_seed_std,"
          "above_current,above_right,ablation_dlogp_mean,ablation_dlogp_std,ablation_dlogp_seed_std,"
          "copying_mean,copying_std,copying_seed_std,strict_current,strict_right,"
          "current_all_mean,current_all_std,current_all_seed_std,right_all_mean,right_all_std,right_all_seed_std,"
          "current_occurrences,right_occurrences\n", f);
    for (int k = 0; k < s->n; k++) {
        const cl_induction_result *x = &s->res[k];
        const char *name = s->models[k].name;
        for (int i = 0; i < x->layers * x->heads; i++) {
            csv_write_field(f, name); /* RFC 4180: "a, b" stays one field */
            fprintf(f, ",%s,%d,%d", x->chronos2 ? "future" : "cross", i / x->heads, i % x->heads);
            csv_stat(f, &x->cur[i]);
            csv_stat(f, &x->right[i]);
            fprintf(f, ",%d,%d", cl_induction_above(x, i, CL_CUR), cl_induction_above(x, i, CL_RIGHT));
            if (x->strict) {
                csv_stat(f, &x->ablate[i]);
                if (x->copy) csv_stat(f, &x->copy[i]);
                else fputs(",,,", f); /* Chronos-Bolt: no copying score */
                fprintf(f, ",%d,%d", cl_induction_strict(x, i, CL_CUR), cl_induction_strict(x, i, CL_RIGHT));
            } else {
                fputs(",,,,,,,,", f);
            }
            /* every occurrence (appended columns): sums, then the per-occurrence means k = 0..R-1 */
            csv_stat(f, &x->cur_all[i]);
            csv_stat(f, &x->right_all[i]);
            for (int q = 0; q < 2; q++) {
                const double *oc = (q ? x->occ_right : x->occ_cur) + (size_t)i * x->reps;
                fputc(',', f);
                for (int j = 0; j < x->reps; j++) fprintf(f, "%s%.9g", j ? ";" : "", oc[j]);
            }
            fputc('\n', f);
        }
        for (int i = 0; i < x->enc_layers * x->heads; i++) {
            csv_write_field(f, name);
            fprintf(f, ",encoder,%d,%d", i / x->heads, i % x->heads);
            csv_stat(f, &x->enc_cur[i]);
            csv_stat(f, &x->enc_right[i]);
            fprintf(f, ",%d,%d,,,,,,,,,,,,,,,,\n", cl_induction_enc_above(x, i, CL_CUR), cl_induction_enc_above(x, i, CL_RIGHT));
        }
    }
    if (ferror(f)) { cl_out_abort(&out); return cl_error_set(err, CL_EIO, "%s: write failed", path); }
    return cl_out_commit(&out, err);
}

/* A model's sampling for the scores table, or -1 when it has no rows there: a token range
 * that is neither the band nor all tokens, or a Chronos-Bolt run whose repeat is shifted off
 * the patch grid (--offset != 0: not the plain RRP test of method.md §4.1, and the table has
 * no column to tell it apart). bolt: the result says Chronos-Bolt (files written before
 * "patches" was recorded keep sampling null). */
static int table_sampling(const cl_study_model *m, int bolt, int offset) {
    if (bolt || m->sampling == CL_SAMPLING_PATCHES) return offset ? -1 : CL_SAMPLING_PATCHES;
    return m->sampling;
}

int cl_induction_scores(const cl_induction_set *s, cl_scores *t, int *skipped, cl_error *err) {
    int rc = 0;
    if (skipped) *skipped = 0;
    for (int k = 0; k < s->n && !rc; k++) {
        const cl_study_model *m = &s->models[k];
        const int sampling = table_sampling(m, s->res[k].bolt, s->opts.rrt.offset);
        if (sampling < 0) { if (skipped) ++*skipped; continue; }
        rc = cl_scores_from_induction(t, m->name, m->parameters, sampling, s->opts.rrt.reps, s->opts.rrt.seq_len,
                                      &s->res[k], (long)s->opts.seeds * s->opts.rrt.batch, err);
    }
    return rc;
}

/* dir/scores.csv of a set's rows (writer: scores_table.c) */
int cl_induction_scores_skipped(const cl_induction_set *s, int *skipped, cl_error *err) {
    cl_scores t = {0};
    int rc = cl_induction_scores(s, &t, skipped, err);
    cl_scores_free(&t);
    return rc;
}

static int scores_csv(const char *dir, int (*rows)(const void *, cl_scores *, int *, cl_error *), const void *set,
                      cl_error *err) {
    char path[4096];
    cl_scores t = {0};
    int rc = rows(set, &t, NULL, err);
    if (!rc) rc = cl_scores_write(cl_path_join(path, sizeof path, dir, "scores.csv"), &t, err);
    cl_scores_free(&t);
    return rc;
}
static int induction_rows(const void *s, cl_scores *t, int *skipped, cl_error *err) {
    return cl_induction_scores(s, t, skipped, err);
}

int cl_induction_write(const cl_induction_set *s, const char *dir, cl_error *err) {
    char path[4096];
    int rc = cl_json_save_free(cl_path_join(path, sizeof path, dir, "induction.json"), induction_json(s), err);
    if (!rc) rc = induction_csv(cl_path_join(path, sizeof path, dir, "induction.csv"), s, err);
    if (!rc) rc = scores_csv(dir, induction_rows, s, err);
    return rc;
}

static cl_stat *stats_alloc(cl_jr *r, int n) {
    cl_stat *s = calloc((size_t)(n > 0 ? n : 1), sizeof *s);
    if (!s && !r->rc) r->rc = cl_error_set(r->err, CL_ENOMEM, "%s: out of memory", r->path);
    return s;
}

static void induction_model_read(cl_jr *r, const cJSON *m, const cl_induction_opts *o, cl_induction_result *x,
                                 cl_study_model *info) {
    model_read(r, m, info);
    info->seconds = cl_jr_num(r, m, "seconds");
    x->layers = cl_jr_int(r, m, "layers");
    x->heads = cl_jr_int(r, m, "heads");
    x->enc_layers = cl_jr_int(r, m, "encoder_layers");
    x->seeds = o->seeds;
    x->strict = o->strict;
    x->reps = o->rrt.reps;
    x->threshold = o->threshold;
    const cJSON *fam = cJSON_GetObjectItemCaseSensitive(m, "family");
    x->chronos2 = cJSON_IsString(fam) && !strcmp(fam->valuestring, "chronos2");
    x->bolt = x->chronos2 || (cJSON_IsString(fam) && !strcmp(fam->valuestring, "bolt"));
    if (x->bolt) {
        x->patch_size = cl_jr_int(r, m, "patch_size");
        x->offset = cl_jr_int(r, m, "offset");
    } else {
        int ntr;
        const cJSON *tr = cl_jr_arr(r, m, "token_range", &ntr);
        if (!r->rc && ntr != 2) cl_jr_fail(r, "not two ids", "token_range");
        x->tok_lo = (int)cl_jr_item_num(r, tr, 0);
        x->tok_hi = (int)cl_jr_item_num(r, tr, 1);
    }
    const cJSON *cnt = cl_jr_obj(r, m, "counts");
    counts_read(r, cnt, "cross", x->cross);
    counts_read(r, cnt, "encoder", x->enc);
    if (x->strict) counts_read(r, cnt, "strict", x->strict_count);
    if (r->rc) return;
    if (x->layers < 1 || x->heads < 1 || x->enc_layers < 1 || x->layers > 4096 || x->heads > 4096 || x->enc_layers > 4096) {
        cl_jr_fail(r, "model sizes out of range", "layers");
        return;
    }
    const int nc = x->layers * x->heads, ne = x->enc_layers * x->heads;
    int n;
    const cJSON *hs = cl_jr_arr(r, m, "cross_heads", &n);
    if (!r->rc && n != nc) cl_jr_fail(r, "not layers x heads entries", "cross_heads");
    x->cur = stats_alloc(r, nc);
    x->right = stats_alloc(r, nc);
    x->cur_all = stats_alloc(r, nc);
    x->right_all = stats_alloc(r, nc);
    if (x->reps < 1 || x->reps > 100000) { cl_jr_fail(r, "out of range", "reps"); return; }
    x->occ_cur = calloc((size_t)nc * x->reps, sizeof(double));
    x->occ_right = calloc((size_t)nc * x->reps, sizeof(double));
    if ((!x->occ_cur || !x->occ_right) && !r->rc) r->rc = cl_error_set(r->err, CL_ENOMEM, "%s: out of memory", r->path);
    if (x->strict) { x->ablate = stats_alloc(r, nc); if (!x->bolt) x->copy = stats_alloc(r, nc); }
    for (int i = 0; i < nc && !r->rc; i++) {
        const cJSON *h = cJSON_GetArrayItem(hs, i);
        stat_read(r, h, "current", &x->cur[i]);
        stat_read(r, h, "right", &x->right[i]);
        stat_read(r, h, "current_all", &x->cur_all[i]);
        stat_read(r, h, "right_all", &x->right_all[i]);
        if (cl_jr_doubles(r, h, "current_occurrences", x->occ_cur + (size_t)i * x->reps, x->reps) != x->reps && !r->rc)
            cl_jr_fail(r, "not reps numbers", "current_occurrences");
        if (cl_jr_doubles(r, h, "right_occurrences", x->occ_right + (size_t)i * x->reps, x->reps) != x->reps && !r->rc)
            cl_jr_fail(r, "not reps numbers", "right_occurrences");
        if (x->strict) {
            stat_read(r, h, x->bolt ? BOLT_ABLATION : "ablation_dlogp", &x->ablate[i]);
            if (x->copy) stat_read(r, h, "copying", &x->copy[i]);
        }
    }
    const cJSON *eh = cl_jr_arr(r, m, "encoder_heads", &n);
    if (!r->rc && n != ne) cl_jr_fail(r, "not encoder layers x heads entries", "encoder_heads");
    x->enc_cur = stats_alloc(r, ne);
    x->enc_right = stats_alloc(r, ne);
    for (int i = 0; i < ne && !r->rc; i++) {
        const cJSON *h = cJSON_GetArrayItem(eh, i);
        stat_read(r, h, "current", &x->enc_cur[i]);
        stat_read(r, h, "right", &x->enc_right[i]);
    }
}

int cl_induction_read(const char *dir, cl_induction_set *s, cl_error *err) {
    memset(s, 0, sizeof *s);
    char path[4096];
    cl_path_join(path, sizeof path, dir, "induction.json");
    cJSON *root;
    int lrc = cl_json_load(path, &root, err); /* the load's status: a missing file is CL_EIO */
    if (lrc) return lrc;
    cl_jr r = {path, err, 0};
    settings_read(&r, cl_jr_obj(&r, root, "settings"), 1, &s->opts);
    int n = 0;
    const cJSON *models = cl_jr_arr(&r, root, "models", &n);
    /* a part of `induction --offsets --shard` may hold none of the models (its units are offsets) */
    if (!r.rc && (n < !cl_shard_present(dir) || n > CL_STUDY_MAX_MODELS)) cl_jr_fail(&r, "not 1 to 64 models", "models");
    if (!r.rc) r.rc = cl_study_set_alloc(n, &s->models, (void **)&s->res, sizeof *s->res, NULL, err);
    if (!r.rc) s->n = n;
    for (int k = 0; k < s->n && !r.rc; k++)
        induction_model_read(&r, cJSON_GetArrayItem(models, k), &s->opts, &s->res[k], &s->models[k]);
    cJSON_Delete(root);
    if (r.rc) cl_induction_set_free(s);
    return r.rc;
}

/* ------------------------------------------------------------------ sweep files */

static cJSON *sweep_json(const cl_sweep_set *s) {
    cJSON *root = cJSON_CreateObject();
    cJSON *st = settings_json(&s->opts, 0);
    cJSON_AddItemToObject(st, "reps_list", cJSON_CreateIntArray(s->reps, s->n_reps));
    cJSON_AddItemToObject(st, "len_list", cJSON_CreateIntArray(s->lens, s->n_lens));
    cJSON_AddItemToObject(root, "settings", st);
    cJSON *models = cJSON_AddArrayToObject(root, "models");
    for (int k = 0; k < s->n; k++) {
        cJSON *m = cJSON_CreateObject();
        cJSON_AddItemToArray(models, m);
        model_json(m, &s->models[k]);
        if (s->res[k].chronos2) cJSON_AddStringToObject(m, "family", "chronos2"); /* "cross": the future token's row */
        /* the cells too long for this model's context (skip_unfit): [R, L] pairs, not run */
        cJSON *unfit = NULL;
        for (int i = 0; s->res[k].done && i < s->res[k].n_reps * s->res[k].n_lens; i++) {
            if (s->res[k].done[i] != CL_CELL_UNFIT) continue;
            if (!unfit) unfit = cJSON_AddArrayToObject(m, "cells_too_long");
            const int rl[2] = {s->reps[i / s->n_lens], s->lens[i % s->n_lens]};
            cJSON_AddItemToArray(unfit, cJSON_CreateIntArray(rl, 2));
        }
        cJSON *cells = cJSON_AddArrayToObject(m, "cells");
        for (int i = 0; i < s->res[k].n_reps * s->res[k].n_lens; i++) {
            const cl_sweep_cell *c = &s->res[k].cells[i];
            if (!cl_sweep_cell_run(&s->res[k], i)) continue; /* another part's, or too long (below) */
            cJSON *x = cJSON_CreateObject();
            cJSON_AddItemToArray(cells, x);
            cJSON_AddNumberToObject(x, "reps", c->reps);
            cJSON_AddNumberToObject(x, "seq_len", c->seq_len);
            cJSON_AddItemToObject(x, "cross", counts_json(c->cross));
            cJSON_AddItemToObject(x, "encoder", counts_json(c->enc));
            cl_sweep_extra e = cl_sweep_cell_extra(c, s->opts.threshold);
            cJSON_AddNumberToObject(x, "uniform_level", e.inv_t);
            cJSON_AddNumberToObject(x, "cross_baseline_any", e.baseline_any);
            cJSON_AddNumberToObject(x, "cross_total", e.total);
            cJSON_AddNumberToObject(x, "cross_all_any", e.all_any);
            cJSON_AddNumberToObject(x, "cross_all_right", e.all_right);
            cJSON_AddNumberToObject(x, "layers", c->layers);
            cJSON_AddNumberToObject(x, "heads", c->heads);
            cJSON *hs = cJSON_AddArrayToObject(x, "cross_heads"); /* the scores behind the counts */
            for (int q = 0; q < c->layers * c->heads; q++) {
                cJSON *h = cJSON_CreateObject();
                cJSON_AddItemToArray(hs, h);
                cJSON_AddItemToObject(h, "current", stat_json(&c->cur[q]));
                cJSON_AddItemToObject(h, "right", stat_json(&c->right[q]));
                cJSON_AddItemToObject(h, "current_all", stat_json(&c->cur_all[q]));
                cJSON_AddItemToObject(h, "right_all", stat_json(&c->right_all[q]));
            }
        }
    }
    return root;
}

static int sweep_csv(const char *path, const cl_sweep_set *s, cl_error *err) {
    cl_out out;
    if (cl_out_open(&out, path, err)) return CL_EIO;
    FILE *f = out.fp;
    fputs("model,reps,seq_len", f);
    for (int st = 0; st < 2; st++)
        for (int c = 0; c < 3; c++) {
            const char *p = st ? "encoder" : "cross";
            fprintf(f, ",%s_%s_n,%s_%s_mean,%s_%s_std", p, CRIT[c], p, CRIT[c], p, CRIT[c]);
        }
    fputs(",uniform_level,cross_baseline_any_n,cross_total_n,cross_all_any_n,cross_all_right_n\n", f);
    for (int k = 0; k < s->n; k++)
        for (int i = 0; i < s->res[k].n_reps * s->res[k].n_lens; i++) {
            const cl_sweep_cell *c = &s->res[k].cells[i];
            if (!cl_sweep_cell_run(&s->res[k], i)) continue;
            csv_write_field(f, s->models[k].name);
            fprintf(f, ",%d,%d", c->reps, c->seq_len);
            for (int st = 0; st < 2; st++)
                for (int q = 0; q < 3; q++) {
                    const cl_count *x = st ? &c->enc[q] : &c->cross[q];
                    fprintf(f, ",%d,%.9g,%.9g", x->n, x->mean, x->std);
                }
            cl_sweep_extra e = cl_sweep_cell_extra(c, s->opts.threshold);
            fprintf(f, ",%.9g,%d,%d,%d,%d\n", e.inv_t, e.baseline_any, e.total, e.all_any, e.all_right);
        }
    if (ferror(f)) { cl_out_abort(&out); return cl_error_set(err, CL_EIO, "%s: write failed", path); }
    return cl_out_commit(&out, err);
}

cl_sweep_extra cl_sweep_cell_extra(const cl_sweep_cell *c, double thr) {
    cl_sweep_extra e = {0};
    const double T = (double)c->reps * c->seq_len + 2, u = 1 / T;
    e.inv_t = u;
    for (int i = 0; c->cur && i < c->layers * c->heads; i++) {
        double a = c->cur[i].mean, b = c->right[i].mean;
        e.baseline_any += (a - u) / (1 - u) >= thr || (b - u) / (1 - u) >= thr;
        e.total += (a >= thr) + (b >= thr);
        e.all_any += c->cur_all[i].mean >= thr || c->right_all[i].mean >= thr;
        e.all_right += c->right_all[i].mean >= thr;
    }
    return e;
}

int cl_sweep_scores(const cl_sweep_set *s, cl_scores *t, int *skipped, cl_error *err) {
    int rc = 0;
    if (skipped) *skipped = 0;
    for (int k = 0; k < s->n && !rc; k++) {
        const cl_study_model *m = &s->models[k];
        const int sampling = table_sampling(m, 0, s->opts.rrt.offset);
        if (sampling < 0) { if (skipped) ++*skipped; continue; }
        rc = cl_scores_from_sweep(t, m->name, m->parameters, sampling, &s->res[k], (long)s->opts.seeds * s->opts.rrt.batch,
                                  err);
    }
    return rc;
}
static int sweep_rows(const void *s, cl_scores *t, int *skipped, cl_error *err) { return cl_sweep_scores(s, t, skipped, err); }

int cl_sweep_write(const cl_sweep_set *s, const char *dir, cl_error *err) {
    char path[4096];
    int rc = cl_json_save_free(cl_path_join(path, sizeof path, dir, "sweep.json"), sweep_json(s), err);
    if (!rc) rc = sweep_csv(cl_path_join(path, sizeof path, dir, "sweep.csv"), s, err);
    if (!rc) rc = scores_csv(dir, sweep_rows, s, err);
    return rc;
}

static void int_list_read(cl_jr *r, const cJSON *o, const char *key, int *out, int *n) {
    const cJSON *a = cl_jr_arr(r, o, key, n);
    if (!r->rc && (*n < 1 || *n > CL_SWEEP_MAX_GRID)) cl_jr_fail(r, "not 1 to 64 values", key);
    for (int i = 0; i < *n && !r->rc; i++) out[i] = (int)cl_jr_item_num(r, a, i);
}

int cl_sweep_read(const char *dir, cl_sweep_set *s, cl_error *err) {
    memset(s, 0, sizeof *s);
    char path[4096];
    cl_path_join(path, sizeof path, dir, "sweep.json");
    cJSON *root;
    int lrc = cl_json_load(path, &root, err); /* the load's status: a missing file is CL_EIO */
    if (lrc) return lrc;
    cl_jr r = {path, err, 0};
    const cJSON *st = cl_jr_obj(&r, root, "settings");
    settings_read(&r, st, 0, &s->opts);
    int_list_read(&r, st, "reps_list", s->reps, &s->n_reps);
    int_list_read(&r, st, "len_list", s->lens, &s->n_lens);
    int n = 0;
    const cJSON *models = cl_jr_arr(&r, root, "models", &n);
    if (!r.rc && (n < 1 || n > CL_STUDY_MAX_MODELS)) cl_jr_fail(&r, "not 1 to 64 models", "models");
    if (!r.rc) r.rc = cl_study_set_alloc(n, &s->models, (void **)&s->res, sizeof *s->res, NULL, err);
    if (!r.rc) s->n = n;
    const int ncell = s->n_reps * s->n_lens, part = cl_shard_present(dir); /* a part may hold fewer cells */
    for (int k = 0; k < s->n && !r.rc; k++) {
        const cJSON *m = cJSON_GetArrayItem(models, k);
        model_read(&r, m, &s->models[k]);
        int nc, nu = 0;
        const cJSON *cells = cl_jr_arr(&r, m, "cells", &nc);
        const cJSON *unfit = cJSON_GetObjectItemCaseSensitive(m, "cells_too_long");
        if (unfit) (void)cl_jr_arr(&r, m, "cells_too_long", &nu);
        const int placed = part || unfit; /* cells placed by their (R, L) */
        if (!r.rc && (part ? nc + nu > ncell : nc + nu != ncell)) cl_jr_fail(&r, "not one cell per (R, L) of the grid", "cells");
        cl_sweep_result *x = &s->res[k];
        if (!r.rc && (!(x->cells = calloc((size_t)ncell, sizeof *x->cells)) || (placed && !(x->done = calloc((size_t)ncell, 1)))))
            r.rc = cl_error_set(err, CL_ENOMEM, "%s: out of memory", path);
        if (!r.rc) { x->n_reps = s->n_reps; x->n_lens = s->n_lens; }
        const cJSON *fam = cJSON_GetObjectItemCaseSensitive(m, "family");
        x->chronos2 = cJSON_IsString(fam) && !strcmp(fam->valuestring, "chronos2");
        for (int i = 0; i < nu && !r.rc; i++) { /* [R, L] of a cell too long for the context */
            const cJSON *p = cJSON_GetArrayItem(unfit, i);
            int at = -1;
            if (cJSON_IsArray(p) && cJSON_GetArraySize(p) == 2)
                for (int q = 0; q < ncell; q++)
                    if (s->reps[q / s->n_lens] == cJSON_GetArrayItem(p, 0)->valuedouble &&
                        s->lens[q % s->n_lens] == cJSON_GetArrayItem(p, 1)->valuedouble) at = q;
            if (at < 0 || x->done[at]) { cl_jr_fail(&r, "not [R, L] of a cell of the grid, once", "cells_too_long"); break; }
            x->done[at] = CL_CELL_UNFIT;
            x->cells[at].reps = s->reps[at / s->n_lens];
            x->cells[at].seq_len = s->lens[at % s->n_lens];
        }
        for (int i = 0; i < nc && !r.rc; i++) {
            const cJSON *c = cJSON_GetArrayItem(cells, i);
            int at = i;
            if (placed) { /* placed by its (R, L) */
                const int R = cl_jr_int(&r, c, "reps"), L = cl_jr_int(&r, c, "seq_len");
                at = -1;
                for (int q = 0; q < ncell && !r.rc; q++)
                    if (s->reps[q / s->n_lens] == R && s->lens[q % s->n_lens] == L) at = q;
                if (!r.rc && (at < 0 || x->done[at])) { cl_jr_fail(&r, "a cell outside the grid or twice", "cells"); break; }
                if (!r.rc) x->done[at] = CL_CELL_RUN;
            }
            if (r.rc) break;
            x->cells[at].reps = cl_jr_int(&r, c, "reps");
            x->cells[at].seq_len = cl_jr_int(&r, c, "seq_len");
            counts_read(&r, c, "cross", x->cells[at].cross);
            counts_read(&r, c, "encoder", x->cells[at].enc);
            cl_sweep_cell *xc = &x->cells[at];
            xc->layers = cl_jr_int(&r, c, "layers");
            xc->heads = cl_jr_int(&r, c, "heads");
            if (r.rc) break;
            if (xc->layers < 1 || xc->heads < 1 || xc->layers > 4096 || xc->heads > 4096) {
                cl_jr_fail(&r, "model sizes out of range", "layers");
                break;
            }
            const int nh = xc->layers * xc->heads;
            int nq;
            const cJSON *hs = cl_jr_arr(&r, c, "cross_heads", &nq);
            if (!r.rc && nq != nh) cl_jr_fail(&r, "not layers x heads entries", "cross_heads");
            xc->cur = stats_alloc(&r, nh);
            xc->right = stats_alloc(&r, nh);
            xc->cur_all = stats_alloc(&r, nh);
            xc->right_all = stats_alloc(&r, nh);
            for (int q = 0; q < nh && !r.rc; q++) {
                const cJSON *h = cJSON_GetArrayItem(hs, q);
                stat_read(&r, h, "current", &xc->cur[q]);
                stat_read(&r, h, "right", &xc->right[q]);
                stat_read(&r, h, "current_all", &xc->cur_all[q]);
                stat_read(&r, h, "right_all", &xc->right_all[q]);
            }
        }
    }
    cJSON_Delete(root);
    if (r.rc) cl_sweep_set_free(s);
    return r.rc;
}
