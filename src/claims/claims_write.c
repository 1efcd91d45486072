/* claims_write.c — claims.json and claims.csv from a list of verdicts (claims.h). */
#include "claims/claims.h"
#include "io/outlock.h"
#include "core/core.h"
#include "io/json.h"

#include <cjson/cJSON.h>
#include <sys/stat.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Does a verdict concern Chronos-Bolt? Then the files name every verdict's family. */
static int any_bolt(const cl_verdicts *vs) {
    for (int i = 0; i < vs->n; i++)
        if (vs->v[i].family != CL_FAMILY_T5) return 1;
    return 0;
}

static const char *family_word(int f) { return f == CL_FAMILY_BOLT ? "bolt" : f == CL_FAMILY_CHRONOS2 ? "chronos2" : "t5"; }

int cl_verdicts_write_json(const char *path, const cl_verdicts *vs, cl_error *err) {
    cJSON *root = cJSON_CreateArray();
    const int fam = any_bolt(vs);
    for (int i = 0; i < vs->n; i++) {
        const cl_verdict *v = &vs->v[i];
        cJSON *o = cJSON_CreateObject(), *nums = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", v->id);
        if (v->n_models == 1) cJSON_AddStringToObject(o, "model", v->model[0]);
        else {
            cJSON *a = cJSON_AddArrayToObject(o, "model");
            for (int k = 0; k < v->n_models; k++) cJSON_AddItemToArray(a, cJSON_CreateString(v->model[k]));
        }
        if (fam) cJSON_AddStringToObject(o, "family", family_word(v->family));
        cJSON_AddStringToObject(o, "verdict", cl_verdict_word(v->verdict));
        cJSON_AddStringToObject(o, "claim", v->claim);
        cJSON_AddStringToObject(o, "test", v->test);
        cJSON_AddStringToObject(o, "reason", v->reason);
        cJSON_AddBoolToObject(o, "extension", v->extension);
        for (int j = 0; j < v->n; j++) {
            if (isfinite(v->value[j])) cJSON_AddNumberToObject(nums, v->name[j], v->value[j]);
            else cJSON_AddNullToObject(nums, v->name[j]);
        }
        cJSON_AddItemToObject(o, "numbers", nums);
        cJSON_AddItemToArray(root, o);
    }
    int rc = cl_json_save(path, root, err);
    cJSON_Delete(root);
    return rc;
}

static void quoted(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

int cl_verdicts_write_csv(const char *path, const cl_verdicts *vs, cl_error *err) {
    cl_out out;
    if (cl_out_open(&out, path, err)) return CL_EIO;
    FILE *f = out.fp;
    const int fam = any_bolt(vs);
    fputs(fam ? "id,model,family,verdict,extension,reason,number,value\n" : "id,model,verdict,extension,reason,number,value\n", f);
    for (int i = 0; i < vs->n; i++) {
        const cl_verdict *v = &vs->v[i];
        char models[CL_VERDICT_MODELS * (CL_SCORES_NAME + 1)] = "";
        for (int k = 0; k < v->n_models; k++) {
            if (k) strcat(models, ";");
            strcat(models, v->model[k]);
        }
        for (int j = 0; j < (v->n ? v->n : 1); j++) {
            fprintf(f, "%s,", v->id);
            quoted(f, models);
            if (fam) fprintf(f, ",%s", family_word(v->family));
            fprintf(f, ",%s,%d,", cl_verdict_word(v->verdict), v->extension);
            quoted(f, v->reason);
            fputc(',', f);
            if (v->n) {
                quoted(f, v->name[j]);
                fputc(',', f);
                if (isfinite(v->value[j])) fprintf(f, "%.9g", v->value[j]);
            } else fputc(',', f);
            fputc('\n', f);
        }
    }
    if (ferror(f)) { cl_out_abort(&out); return cl_error_set(err, CL_EIO, "%s: write failed", path); }
    return cl_out_commit(&out, err);
}

/* src's rows into t, refusing a model that src gives another family than t (names: path of src, of t) */
static int merge_checked(cl_scores *t, const cl_scores *src, const char *src_path, const char *t_path, cl_error *err) {
    enum { MAXM = 256 };
    const char *names[MAXM];
    const int nm = cl_scores_models(src, names, MAXM);
    for (int k = 0; k < nm; k++) {
        int in_t = 0;
        for (int i = 0; i < t->n && !in_t; i++) in_t = !strcmp(t->rows[i].model, names[k]);
        const int fs = cl_scores_family(src, names[k]), ft = cl_scores_family(t, names[k]);
        if (in_t && fs != ft)
            return cl_error_set(err, CL_EFORMAT, "%s: model %s has family %s, but %s in %s (one family per model)", src_path,
                                names[k], cl_family_name(fs), cl_family_name(ft), t_path);
    }
    return cl_scores_merge(t, src, err);
}

int cl_claims_from_tables(const char *const *scores, int n_scores, const char *msdir, const cl_claims_opts *o,
                          cl_verdicts *out, cl_error *err) {
    memset(out, 0, sizeof *out);
    if (n_scores < 1) return cl_error_set(err, CL_EINVAL, "claims: no scores table");
    cl_scores t;
    int rc = cl_scores_read(scores[0], &t, err);
    if (rc) return rc;
    for (int i = 1; i < n_scores && !rc; i++) {
        cl_scores u;
        rc = cl_scores_read(scores[i], &u, err);
        if (!rc) rc = merge_checked(&t, &u, scores[i], scores[0], err);
        cl_scores_free(&u);
    }
    enum { MAXM = 256 };
    const char *names[MAXM];
    int nm = rc ? 0 : cl_scores_models(&t, names, MAXM);
    cl_ms_data ms = {0};
    if (!rc && msdir) rc = cl_ms_data_read(msdir, names, nm, &ms, err);
    if (!rc) rc = cl_claims_run(&t, msdir ? &ms : NULL, o, out, err);
    cl_ms_data_free(&ms);
    cl_scores_free(&t);
    /* a report's data/ folder: its Chronos-2 models' group-attention claims too */
    char ga[4096];
    struct stat st;
    if (!rc && msdir && stat(cl_path_join(ga, sizeof ga, msdir, "group-attention/group_attention.json"), &st) == 0)
        rc = cl_claims_group_dir(cl_path_join(ga, sizeof ga, msdir, "group-attention"), o, out, err);
    if (rc) cl_verdicts_free(out);
    return rc;
}

int cl_claims_group_dir(const char *dir, const cl_claims_opts *o, cl_verdicts *out, cl_error *err) {
    cl_group_attention_result r;
    int rc = cl_group_attention_read(dir, &r, err);
    if (rc) return rc;
    rc = cl_claims_group(&r, o, out, err);
    cl_group_attention_free(&r);
    return rc;
}

int cl_claims_write_files(const char *const *scores, int n_scores, const char *msdir, const cl_claims_opts *o,
                          const char *json, const char *csv, cl_error *err) {
    cl_claims_opts def;
    if (!o) { cl_claims_default(&def); o = &def; }
    if (!(o->threshold >= 0 && o->threshold <= 1))
        return cl_error_set(err, CL_EINVAL, "claims: threshold %g: must be in [0, 1]", o->threshold);
    if (!(o->alpha > 0 && o->alpha <= 0.5)) return cl_error_set(err, CL_EINVAL, "claims: alpha %g: must be in (0, 0.5]", o->alpha);
    if (!scores) return cl_error_set(err, CL_EINVAL, "claims: no scores table");
    cl_verdicts v;
    int rc = cl_claims_from_tables(scores, n_scores, msdir, o, &v, err);
    if (!rc && json) rc = cl_verdicts_write_json(json, &v, err);
    if (!rc && csv) rc = cl_verdicts_write_csv(csv, &v, err);
    cl_verdicts_free(&v);
    return rc;
}

int cl_claims_save(const cl_verdicts *v, const char *dir, cl_error *err) {
    char path[4096];
    int rc = cl_mkdirs(dir, err);
    if (!rc) rc = cl_verdicts_write_json(cl_path_join(path, sizeof path, dir, "claims.json"), v, err);
    if (!rc) rc = cl_verdicts_write_csv(cl_path_join(path, sizeof path, dir, "claims.csv"), v, err);
    return rc;
}

void cl_verdicts_print(const cl_verdicts *v, FILE *f) {
    for (int i = 0; i < v->n; i++) {
        const cl_verdict *x = &v->v[i];
        fprintf(f, "%-24s %-28s %-14s %s\n", x->id, x->n_models == 1 ? x->model[0] : "(the model set)",
                cl_verdict_word(x->verdict), x->reason);
    }
}
