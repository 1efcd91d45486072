/* rrp_offsets.c — the repeated-random-patches test over the block's offset against the patch
 * grid (Chronos-Bolt, method.md §4.1): runs, offsets.json and offsets.csv. */
#include "induction.h"
#include "rrp.h"
#include "../core/core.h"
#include "../io/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *CRIT[3] = {"current", "right", "any"};

void cl_rrp_offsets_free(cl_rrp_offsets_set *s) {
    for (int i = 0; s->res && i < s->n * s->n_off; i++) cl_induction_free(&s->res[i]);
    free(s->res);
    free(s->models);
    memset(s, 0, sizeof *s);
}

int cl_rrp_offsets_run(cl_model *const *m, const cl_study_model *info, int n, const cl_induction_study_opts *o,
                       const int *offsets, int n_off, cl_rrp_offsets_set *out, cl_error *err) {
    memset(out, 0, sizeof *out);
    if (n_off < 1 || n_off > CL_RRP_MAX_OFFSETS)
        return cl_error_set(err, CL_EINVAL, "--offsets: 1 to %d offsets", CL_RRP_MAX_OFFSETS);
    for (int k = 0; k < n; k++) {
        if (!cl_model_is_bolt(m[k]))
            return cl_error_set(err, CL_EINVAL, "--offsets: %s is not a Chronos-Bolt model (offsets are of the patch grid)",
                                info[k].path);
        for (int j = 0; j < n_off; j++)
            if (offsets[j] < 0 || offsets[j] >= cl_model_config(m[k])->patch_size)
                return cl_error_set(err, CL_EINVAL, "--offsets: %d outside [0, %d) (the patch size of %s)", offsets[j],
                                    cl_model_config(m[k])->patch_size, info[k].path);
    }
    out->opts = o->base;
    out->opts.strict = 0;
    out->opts.progress = (cl_progress){0};
    out->n_off = n_off;
    memcpy(out->offsets, offsets, sizeof(int) * (size_t)n_off);
    out->models = calloc((size_t)(n > 0 ? n : 1), sizeof *out->models);
    out->res = calloc((size_t)(n > 0 ? n : 1) * n_off, sizeof *out->res);
    if (!out->models || !out->res) { cl_rrp_offsets_free(out); return cl_error_set(err, CL_ENOMEM, "offsets: out of memory"); }
    out->n = n;
    memcpy(out->models, info, sizeof *info * (size_t)n);
    int rc = 0;
    for (int k = 0; k < n && !rc; k++) {
        double t0 = cl_now();
        for (int j = 0; j < n_off && !rc; j++) {
            cl_induction_opts io = out->opts;
            io.rrt.offset = offsets[j];
            rc = cl_induction_run(m[k], &io, &out->res[k * n_off + j], err);
            cl_progress_report(&o->base.progress, "offsets", k * n_off + j + 1, n * n_off);
        }
        out->models[k].seconds = cl_now() - t0;
    }
    if (rc) cl_rrp_offsets_free(out);
    return rc;
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
        cJSON *runs = cJSON_AddArrayToObject(m, "runs");
        for (int j = 0; j < s->n_off; j++) {
            const cl_induction_result *x = &s->res[k * s->n_off + j];
            const int nc = x->layers * x->heads, ne = x->enc_layers * x->heads;
            cJSON *r = cJSON_CreateObject();
            cJSON_AddItemToArray(runs, r);
            cJSON_AddNumberToObject(r, "offset", s->offsets[j]);
            cJSON_AddItemToObject(r, "cross", counts(x->cross));
            cJSON_AddItemToObject(r, "encoder", counts(x->enc));
            cJSON_AddNumberToObject(r, "cross_max_current", max_mean(x->cur, nc));
            cJSON_AddNumberToObject(r, "cross_max_right", max_mean(x->right, nc));
            cJSON_AddNumberToObject(r, "encoder_max_current", max_mean(x->enc_cur, ne));
            cJSON_AddNumberToObject(r, "encoder_max_right", max_mean(x->enc_right, ne));
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
