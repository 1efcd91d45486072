/* report_setup.c — data/setup.json of a report: the version, date, seed, threads, the settings
 * of every step, the models with their sizes and the run times (the only place its keys are
 * spelled). */
#include "report/report_html.h"
#include "io/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const CL_REPORT_STEP_NAMES[CL_REPORT_STEPS] = {"induction", "induction-all", "sweep", "multisine",
                                                           "multisine-notebook", "multisine-sweep"};

int cl_report_setup_write(const cl_report_setup *s, const char *path, cl_error *err) {
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "chronolens_version", s->version);
    cJSON_AddStringToObject(root, "created", s->created);
    cJSON_AddBoolToObject(root, "quick", s->quick);
    cJSON_AddNumberToObject(root, "seed", (double)s->seed);
    cJSON_AddNumberToObject(root, "threads", s->threads);
    cJSON_AddStringToObject(root, "precision", cl_precision_name(s->precision));
    cJSON *set = cJSON_AddObjectToObject(root, "settings");
    cJSON *ind = cJSON_AddObjectToObject(set, "induction");
    cJSON_AddNumberToObject(ind, "seq_len", s->ind_seq_len);
    cJSON_AddNumberToObject(ind, "reps", s->ind_reps);
    cJSON_AddNumberToObject(ind, "batch", s->ind_batch);
    cJSON_AddNumberToObject(ind, "threshold", s->ind_threshold);
    cJSON_AddStringToObject(ind, "tokens", s->ind_tokens);
    if (s->ind_patches[0]) cJSON_AddStringToObject(ind, "patches", s->ind_patches);
    cJSON *ia = cJSON_AddObjectToObject(set, "induction_all");
    cJSON_AddNumberToObject(ia, "seq_len", s->ind_seq_len);
    cJSON_AddNumberToObject(ia, "reps", s->ind_reps);
    cJSON_AddNumberToObject(ia, "batch", s->ind_batch);
    cJSON_AddStringToObject(ia, "tokens", s->ind_all_tokens);
    cJSON *sw = cJSON_AddObjectToObject(set, "sweep");
    cJSON_AddStringToObject(sw, "reps_list", s->sweep_reps);
    cJSON_AddStringToObject(sw, "len_list", s->sweep_lens);
    cJSON_AddNumberToObject(sw, "batch", s->sweep_batch);
    cJSON *ms = cJSON_AddObjectToObject(set, "multisine");
    cJSON_AddStringToObject(ms, "input", s->ms_input);
    if (s->ms_input_bolt[0]) cJSON_AddStringToObject(ms, "input_bolt", s->ms_input_bolt);
    cJSON_AddNumberToObject(ms, "permutations", s->ms_permutations);
    cJSON *mn = cJSON_AddObjectToObject(set, "multisine_notebook");
    cJSON_AddStringToObject(mn, "input", s->ms_nb_input);
    if (s->ms_nb_input_bolt[0]) cJSON_AddStringToObject(mn, "input_bolt", s->ms_nb_input_bolt);
    if (s->ms_input_c2[0]) cJSON_AddStringToObject(ms, "input_chronos2", s->ms_input_c2);
    if (s->ms_nb_input_c2[0]) cJSON_AddStringToObject(mn, "input_chronos2", s->ms_nb_input_c2);
    if (s->ga_groups > 0) { /* Chronos-2 models only */
        cJSON *ga = cJSON_AddObjectToObject(set, "group_attention");
        cJSON_AddNumberToObject(ga, "groups", s->ga_groups);
        cJSON_AddNumberToObject(ga, "group_size", s->ga_group_size);
        cJSON_AddStringToObject(ga, "lags", s->ga_lags);
        cJSON_AddStringToObject(ga, "noises", s->ga_noises);
        cJSON_AddNumberToObject(ga, "permutations", s->ga_permutations);
        cJSON_AddNumberToObject(ga, "seconds", s->ga_seconds);
    }
    cJSON_AddNumberToObject(mn, "permutations", s->ms_permutations);
    cJSON *mss = cJSON_AddObjectToObject(set, "multisine_sweep");
    cJSON_AddNumberToObject(mss, "configs", s->mss_configs);
    cJSON_AddNumberToObject(mss, "permutations", s->mss_permutations);
    cJSON *models = cJSON_AddArrayToObject(root, "models");
    for (int k = 0; k < s->n; k++) {
        const cl_report_model *m = &s->models[k];
        cJSON *x = cJSON_CreateObject();
        cJSON_AddItemToArray(models, x);
        cJSON_AddStringToObject(x, "name", m->name);
        cJSON_AddStringToObject(x, "path", m->path);
        cJSON_AddNumberToObject(x, "parameters", m->parameters);
        cJSON_AddStringToObject(x, "dtype", m->dtype);
        cJSON_AddNumberToObject(x, "d_model", m->d_model);
        cJSON_AddNumberToObject(x, "d_ff", m->d_ff);
        cJSON_AddNumberToObject(x, "d_kv", m->d_kv);
        cJSON_AddNumberToObject(x, "heads", m->heads);
        cJSON_AddNumberToObject(x, "encoder_layers", m->encoder_layers);
        cJSON_AddNumberToObject(x, "decoder_layers", m->decoder_layers);
        cJSON_AddNumberToObject(x, "vocab_size", m->vocab_size);
        cJSON_AddStringToObject(x, "precision", cl_precision_name(m->precision));
        cJSON_AddStringToObject(x, "family", m->chronos2 ? "chronos-2" : m->bolt ? "chronos-bolt" : "chronos-t5");
        cJSON_AddNumberToObject(x, "context_length", m->context_length);
        if (m->bolt) {
            cJSON_AddNumberToObject(x, "patch_size", m->patch_size);
            cJSON_AddNumberToObject(x, "patch_stride", m->patch_stride);
            cJSON_AddBoolToObject(x, "reg_token", m->reg_token);
        }
    }
    cJSON *st = cJSON_AddArrayToObject(root, "steps");
    for (int i = 0; i < CL_REPORT_STEPS; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddItemToArray(st, x);
        cJSON_AddStringToObject(x, "step", CL_REPORT_STEP_NAMES[i]);
        cJSON_AddNumberToObject(x, "seconds", s->step_seconds[i]);
    }
    cJSON_AddNumberToObject(root, "seconds", s->seconds);
    return cl_json_save_free(path, root, err);
}

static void str(cl_jr *j, const cJSON *o, const char *key, char *out, size_t n) {
    const char *v = cl_jr_str(j, o, key);
    snprintf(out, n, "%s", v ? v : "");
}

int cl_report_setup_read(const char *path, cl_report_setup *s, cl_error *err) {
    memset(s, 0, sizeof *s);
    cJSON *root;
    if (cl_json_load(path, &root, err)) return CL_EFORMAT;
    cl_jr j = {path, err, 0};
    str(&j, root, "chronolens_version", s->version, sizeof s->version);
    str(&j, root, "created", s->created, sizeof s->created);
    s->quick = cl_jr_bool(&j, root, "quick");
    s->seed = (uint64_t)cl_jr_num(&j, root, "seed");
    s->threads = cl_jr_int(&j, root, "threads");
    s->precision = cl_jr_precision(&j, root, "precision");
    const cJSON *set = cl_jr_obj(&j, root, "settings");
    const cJSON *ind = cl_jr_obj(&j, set, "induction"), *sw = cl_jr_obj(&j, set, "sweep");
    const cJSON *ms = cl_jr_obj(&j, set, "multisine"), *mss = cl_jr_obj(&j, set, "multisine_sweep");
    s->ind_seq_len = cl_jr_int(&j, ind, "seq_len");
    s->ind_reps = cl_jr_int(&j, ind, "reps");
    s->ind_batch = cl_jr_int(&j, ind, "batch");
    s->ind_threshold = cl_jr_num(&j, ind, "threshold");
    str(&j, ind, "tokens", s->ind_tokens, sizeof s->ind_tokens);
    str(&j, cl_jr_obj(&j, set, "induction_all"), "tokens", s->ind_all_tokens, sizeof s->ind_all_tokens);
    str(&j, cl_jr_obj(&j, set, "multisine_notebook"), "input", s->ms_nb_input, sizeof s->ms_nb_input);
    str(&j, sw, "reps_list", s->sweep_reps, sizeof s->sweep_reps);
    str(&j, sw, "len_list", s->sweep_lens, sizeof s->sweep_lens);
    s->sweep_batch = cl_jr_int(&j, sw, "batch");
    str(&j, ms, "input", s->ms_input, sizeof s->ms_input);
    /* optional: Chronos-Bolt's inputs, in reports with Bolt models */
    if (cJSON_GetObjectItemCaseSensitive(ind, "patches")) str(&j, ind, "patches", s->ind_patches, sizeof s->ind_patches);
    if (cJSON_GetObjectItemCaseSensitive(ms, "input_bolt")) str(&j, ms, "input_bolt", s->ms_input_bolt, sizeof s->ms_input_bolt);
    const cJSON *mnb = cl_jr_obj(&j, set, "multisine_notebook");
    if (cJSON_GetObjectItemCaseSensitive(mnb, "input_bolt"))
        str(&j, mnb, "input_bolt", s->ms_nb_input_bolt, sizeof s->ms_nb_input_bolt);
    if (cJSON_GetObjectItemCaseSensitive(ms, "input_chronos2")) str(&j, ms, "input_chronos2", s->ms_input_c2, sizeof s->ms_input_c2);
    if (cJSON_GetObjectItemCaseSensitive(mnb, "input_chronos2"))
        str(&j, mnb, "input_chronos2", s->ms_nb_input_c2, sizeof s->ms_nb_input_c2);
    const cJSON *ga = cJSON_GetObjectItemCaseSensitive(set, "group_attention"); /* with Chronos-2 models only */
    if (ga) {
        s->ga_groups = cl_jr_int(&j, ga, "groups");
        s->ga_group_size = cl_jr_int(&j, ga, "group_size");
        str(&j, ga, "lags", s->ga_lags, sizeof s->ga_lags);
        str(&j, ga, "noises", s->ga_noises, sizeof s->ga_noises);
        s->ga_permutations = cl_jr_int(&j, ga, "permutations");
        s->ga_seconds = cl_jr_num(&j, ga, "seconds");
    }
    s->ms_permutations = cl_jr_int(&j, ms, "permutations");
    s->mss_configs = cl_jr_int(&j, mss, "configs");
    s->mss_permutations = cl_jr_int(&j, mss, "permutations");
    int n = 0, ns = 0;
    const cJSON *models = cl_jr_arr(&j, root, "models", &n);
    if (!j.rc && (n < 1 || n > CL_STUDY_MAX_MODELS)) cl_jr_fail(&j, "not 1 to 64 models", "models");
    if (!j.rc && !(s->models = calloc((size_t)n, sizeof *s->models))) j.rc = cl_error_set(err, CL_ENOMEM, "%s: out of memory", path);
    if (!j.rc) s->n = n;
    for (int k = 0; k < s->n && !j.rc; k++) {
        const cJSON *x = cJSON_GetArrayItem(models, k);
        cl_report_model *m = &s->models[k];
        str(&j, x, "name", m->name, sizeof m->name);
        str(&j, x, "path", m->path, sizeof m->path);
        m->parameters = cl_jr_num(&j, x, "parameters");
        /* optional: reports before the dtype column have none */
        if (cJSON_GetObjectItemCaseSensitive(x, "dtype")) str(&j, x, "dtype", m->dtype, sizeof m->dtype);
        m->d_model = cl_jr_int(&j, x, "d_model");
        m->d_ff = cl_jr_int(&j, x, "d_ff");
        m->d_kv = cl_jr_int(&j, x, "d_kv");
        m->heads = cl_jr_int(&j, x, "heads");
        m->encoder_layers = cl_jr_int(&j, x, "encoder_layers");
        m->decoder_layers = cl_jr_int(&j, x, "decoder_layers");
        m->vocab_size = cl_jr_int(&j, x, "vocab_size");
        m->precision = cl_jr_precision(&j, x, "precision");
        /* optional: reports before Chronos-Bolt have no family (all Chronos-T5) */
        const cJSON *fam = cJSON_GetObjectItemCaseSensitive(x, "family");
        if (fam) {
            const char *f = cl_jr_str(&j, x, "family");
            if (f && strcmp(f, "chronos-t5") && strcmp(f, "chronos-bolt") && strcmp(f, "chronos-2"))
                cl_jr_fail(&j, "not chronos-t5, chronos-bolt or chronos-2", "family");
            m->chronos2 = f && !strcmp(f, "chronos-2");
            m->bolt = f && (!strcmp(f, "chronos-bolt") || m->chronos2); /* both: patches */
            m->context_length = cl_jr_int(&j, x, "context_length");
        }
        if (m->bolt) {
            m->patch_size = cl_jr_int(&j, x, "patch_size");
            m->patch_stride = cl_jr_int(&j, x, "patch_stride");
            m->reg_token = cl_jr_bool(&j, x, "reg_token");
        }
    }
    const cJSON *steps = cl_jr_arr(&j, root, "steps", &ns);
    if (!j.rc && ns != CL_REPORT_STEPS) cl_jr_fail(&j, "not the six steps", "steps");
    for (int i = 0; i < CL_REPORT_STEPS && !j.rc; i++) {
        const cJSON *x = cJSON_GetArrayItem(steps, i);
        const char *name = cl_jr_str(&j, x, "step");
        if (name && strcmp(name, CL_REPORT_STEP_NAMES[i])) cl_jr_fail(&j, "steps out of order", "step");
        s->step_seconds[i] = cl_jr_num(&j, x, "seconds");
    }
    s->seconds = cl_jr_num(&j, root, "seconds");
    cJSON_Delete(root);
    if (j.rc) cl_report_setup_free(s);
    return j.rc;
}

void cl_report_setup_free(cl_report_setup *s) {
    free(s->models);
    memset(s, 0, sizeof *s);
}
