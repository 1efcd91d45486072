/* rrp_offsets_io.c — offsets.json and offsets.csv of the RRP offsets sweep (rrp_offsets.c):
 * written from a set (a part: its units only) and read back number for number, so a merge
 * of parts writes the bytes of one run. */
#include "study/induction/induction.h"
#include "io/outlock.h"
#include "study/common/rrp.h"
#include "core/core.h"
#include "io/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *CRIT[3] = {"current", "right", "any"};
/* the per-head arrays of a run: (layers*heads) cross, (enc_layers*heads) encoder means */
static const char *HEADS[4] = {"cross_current", "cross_right", "encoder_current", "encoder_right"};
static const char *MAXES[4] = {"cross_max_current", "cross_max_right", "encoder_max_current", "encoder_max_right"};

static cl_stat **heads_of(cl_induction_result *x, int a) {
    return a == 0 ? &x->cur : a == 1 ? &x->right : a == 2 ? &x->enc_cur : &x->enc_right;
}

static double max_mean(const cl_stat *s, int n) {
    double x = 0;
    for (int i = 0; i < n; i++) x = s[i].mean > x ? s[i].mean : x;
    return x;
}

static cJSON *counts(const cl_count *c) {
    cJSON *o = cJSON_CreateObject();
    for (int k = 0; k < 3; k++) cJSON_AddNumberToObject(o, CRIT[k], c[k].n);
    return o;
}

static cJSON *means(const cl_stat *s, int n) {
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++) cJSON_AddItemToArray(a, cl_json_num_or_null(s[i].mean));
    return a;
}

static int unit_done(const cl_rrp_offsets_set *s, int u) { return !s->done || s->done[u]; }

/* the first run of model k (its sizes), or NULL when the part ran none of its offsets */
static const cl_induction_result *first_run(const cl_rrp_offsets_set *s, int k) {
    for (int j = 0; j < s->n_off; j++)
        if (unit_done(s, k * s->n_off + j)) return &s->res[k * s->n_off + j];
    return NULL;
}

int cl_rrp_offsets_write(const cl_rrp_offsets_set *s, const char *dir, cl_error *err) {
    char path[4096];
    cJSON *root = cJSON_CreateObject(), *set = cJSON_AddObjectToObject(root, "settings");
    cJSON_AddNumberToObject(set, "seq_len", s->opts.rrt.seq_len);
    cJSON_AddNumberToObject(set, "reps", s->opts.rrt.reps);
    cJSON_AddNumberToObject(set, "batch", s->opts.rrt.batch);
    cJSON_AddNumberToObject(set, "threshold", s->opts.threshold);
    cJSON_AddNumberToObject(set, "seed", (double)s->opts.rrt.seed);
    cJSON_AddNumberToObject(set, "seeds", s->opts.seeds);
    cJSON_AddItemToObject(set, "offsets", cJSON_CreateIntArray(s->offsets, s->n_off));
    cJSON *models = cJSON_AddArrayToObject(root, "models");
    for (int k = 0; k < s->n; k++) {
        cJSON *m = cJSON_CreateObject();
        cJSON_AddItemToArray(models, m);
        cJSON_AddStringToObject(m, "name", s->models[k].name);
        cJSON_AddStringToObject(m, "path", s->models[k].path);
        cJSON_AddNumberToObject(m, "seconds", s->models[k].seconds);
        const cl_induction_result *x0 = first_run(s, k);
        cJSON_AddNumberToObject(m, "layers", x0 ? x0->layers : 0);
        cJSON_AddNumberToObject(m, "heads", x0 ? x0->heads : 0);
        cJSON_AddNumberToObject(m, "encoder_layers", x0 ? x0->enc_layers : 0);
        cJSON_AddNumberToObject(m, "patch_size", x0 ? x0->patch_size : 0);
        cJSON *runs = cJSON_AddArrayToObject(m, "runs");
        for (int j = 0; j < s->n_off; j++) {
            if (!unit_done(s, k * s->n_off + j)) continue; /* another part's unit */
            cl_induction_result *x = &s->res[k * s->n_off + j];
            const int nc = x->layers * x->heads, ne = x->enc_layers * x->heads;
            cJSON *r = cJSON_CreateObject();
            cJSON_AddItemToArray(runs, r);
            cJSON_AddNumberToObject(r, "offset", s->offsets[j]);
            cJSON_AddItemToObject(r, "cross", counts(x->cross));
            cJSON_AddItemToObject(r, "encoder", counts(x->enc));
            for (int a = 0; a < 4; a++) cJSON_AddNumberToObject(r, MAXES[a], max_mean(*heads_of(x, a), a < 2 ? nc : ne));
            for (int a = 0; a < 4; a++) cJSON_AddItemToObject(r, HEADS[a], means(*heads_of(x, a), a < 2 ? nc : ne));
        }
    }
    int rc = cl_json_save_free(cl_path_join(path, sizeof path, dir, "offsets.json"), root, err);
    if (rc) return rc;
    cl_out out;
    if (cl_out_open(&out, cl_path_join(path, sizeof path, dir, "offsets.csv"), err)) return CL_EIO;
    FILE *f = out.fp;
    fputs("model,offset,stack,layer,head,current_mean,right_mean,above_current,above_right\n", f);
    for (int k = 0; k < s->n; k++)
        for (int j = 0; j < s->n_off; j++) {
            if (!unit_done(s, k * s->n_off + j)) continue;
            const cl_induction_result *x = &s->res[k * s->n_off + j];
            for (int st = 0; st < 2; st++) {
                const int nl = st ? x->enc_layers : x->layers;
                const cl_stat *a = st ? x->enc_cur : x->cur, *b = st ? x->enc_right : x->right;
                for (int i = 0; i < nl * x->heads; i++)
                    fprintf(f, "%s,%d,%s,%d,%d,%.9g,%.9g,%d,%d\n", s->models[k].name, s->offsets[j],
                            st ? "encoder" : "cross", i / x->heads, i % x->heads, a[i].mean, b[i].mean,
                            a[i].mean >= x->threshold, b[i].mean >= x->threshold);
            }
        }
    if (ferror(f)) { cl_out_abort(&out); return cl_error_set(err, CL_EIO, "%s: write failed", path); }
    return cl_out_commit(&out, err);
}

/* ------------------------------------------------------------------ reading back */

static void read_counts(cl_jr *j, const cJSON *r, const char *key, cl_count *c) {
    const cJSON *o = cl_jr_obj(j, r, key);
    for (int k = 0; k < 3; k++) c[k].n = cl_jr_int(j, o, CRIT[k]);
}

/* One run of a model: the offset's index (into the settings' offsets) and its numbers. */
static int read_run(cl_jr *j, const cJSON *r, cl_rrp_offsets_set *s, int k, int layers, int heads, int enc_layers,
                    int patch_size) {
    const int off = cl_jr_int(j, r, "offset");
    if (j->rc) return j->rc;
    int idx = -1;
    for (int q = 0; q < s->n_off; q++) idx = s->offsets[q] == off ? q : idx;
    if (idx < 0) return cl_jr_fail(j, "not one of the settings' offsets", "offset");
    if (s->done[k * s->n_off + idx]) return cl_jr_fail(j, "a second run of that offset", "offset");
    s->done[k * s->n_off + idx] = 1;
    cl_induction_result *x = &s->res[k * s->n_off + idx];
    x->layers = layers;
    x->heads = heads;
    x->enc_layers = enc_layers;
    x->seeds = s->opts.seeds;
    x->reps = s->opts.rrt.reps;
    x->bolt = 1;
    x->patch_size = patch_size;
    x->offset = off;
    x->threshold = s->opts.threshold;
    read_counts(j, r, "cross", x->cross);
    read_counts(j, r, "encoder", x->enc);
    for (int a = 0; a < 4 && !j->rc; a++) {
        const int want = (a < 2 ? layers : enc_layers) * heads;
        int n = 0;
        const cJSON *arr = cl_jr_arr(j, r, HEADS[a], &n);
        if (j->rc) break;
        if (n != want) {
            char what[96];
            snprintf(what, sizeof what, "%d values for %d heads", n, want);
            return cl_jr_fail(j, what, HEADS[a]);
        }
        cl_stat *st = *heads_of(x, a) = calloc((size_t)(want > 0 ? want : 1), sizeof(cl_stat));
        if (!st) return j->rc = cl_error_set(j->err, CL_ENOMEM, "%s: out of memory", j->path);
        for (int i = 0; i < want; i++) st[i].mean = cl_jr_item_num(j, arr, i);
        /* the largest score is written beside the heads: they must agree */
        const double mx = cl_jr_num(j, r, MAXES[a]);
        if (!j->rc && mx != max_mean(st, want)) return cl_jr_fail(j, "not the largest of the heads' scores", MAXES[a]);
    }
    return j->rc;
}

int cl_rrp_offsets_read(const char *dir, cl_rrp_offsets_set *s, cl_error *err) {
    memset(s, 0, sizeof *s);
    char path[4096];
    cl_path_join(path, sizeof path, dir, "offsets.json");
    cJSON *root;
    if (cl_json_load(path, &root, err)) return CL_EFORMAT;
    cl_jr j = {path, err, 0};
    const cJSON *set = cl_jr_obj(&j, root, "settings");
    s->opts.rrt.seq_len = cl_jr_int(&j, set, "seq_len");
    s->opts.rrt.reps = cl_jr_int(&j, set, "reps");
    s->opts.rrt.batch = cl_jr_int(&j, set, "batch");
    s->opts.threshold = cl_jr_num(&j, set, "threshold");
    s->opts.rrt.seed = (uint64_t)cl_jr_num(&j, set, "seed");
    s->opts.seeds = cl_jr_int(&j, set, "seeds");
    int n_off = 0, n = 0;
    const cJSON *offs = cl_jr_arr(&j, set, "offsets", &n_off);
    if (!j.rc && (n_off < 1 || n_off > CL_RRP_MAX_OFFSETS)) cl_jr_fail(&j, "not 1 to 64 offsets", "offsets");
    for (int q = 0; q < n_off && !j.rc; q++) {
        const double v = cl_jr_item_num(&j, offs, q);
        if (!(v >= 0 && v < 100000 && v == (int)v)) cl_jr_fail(&j, "not non-negative integers", "offsets");
        else s->offsets[q] = (int)v;
        for (int i = 0; i < q && !j.rc; i++)
            if (s->offsets[i] == s->offsets[q]) cl_jr_fail(&j, "an offset twice", "offsets");
    }
    s->n_off = j.rc ? 0 : n_off;
    const cJSON *models = cl_jr_arr(&j, root, "models", &n);
    if (!j.rc && (n < 1 || n > CL_STUDY_MAX_MODELS)) cl_jr_fail(&j, "not 1 to 64 models", "models");
    if (!j.rc) {
        s->models = calloc((size_t)n, sizeof *s->models);
        s->res = calloc((size_t)n * s->n_off, sizeof *s->res);
        s->done = calloc((size_t)n * s->n_off, 1);
        if (!s->models || !s->res || !s->done) j.rc = cl_error_set(err, CL_ENOMEM, "%s: out of memory", path);
        else s->n = n;
    }
    for (int k = 0; k < s->n && !j.rc; k++) {
        const cJSON *m = cJSON_GetArrayItem(models, k);
        const char *name = cl_jr_str(&j, m, "name"), *mp = cl_jr_str(&j, m, "path");
        if (name) snprintf(s->models[k].name, sizeof s->models[k].name, "%s", name);
        if (mp) snprintf(s->models[k].path, sizeof s->models[k].path, "%s", mp);
        s->models[k].seconds = cl_jr_num(&j, m, "seconds");
        s->models[k].parameters = NAN;
        const int layers = cl_jr_int(&j, m, "layers"), heads = cl_jr_int(&j, m, "heads");
        const int enc_layers = cl_jr_int(&j, m, "encoder_layers"), ps = cl_jr_int(&j, m, "patch_size");
        int nr = 0;
        const cJSON *runs = cl_jr_arr(&j, m, "runs", &nr);
        if (!j.rc && (layers < 0 || heads < 0 || enc_layers < 0 || layers > 4096 || heads > 4096 || enc_layers > 4096 ||
                      ps < 0 || (nr > 0 && (layers < 1 || heads < 1 || enc_layers < 1 || ps < 1))))
            cl_jr_fail(&j, "sizes out of range", "layers");
        for (int r = 0; r < nr && !j.rc; r++) read_run(&j, cJSON_GetArrayItem(runs, r), s, k, layers, heads, enc_layers, ps);
    }
    cJSON_Delete(root);
    if (!j.rc) { /* every unit there: a whole run, no mask */
        int all = 1;
        for (int u = 0; u < s->n * s->n_off; u++) all &= s->done[u];
        if (all) { free(s->done); s->done = NULL; }
    }
    if (j.rc) cl_rrp_offsets_free(s);
    return j.rc;
}
