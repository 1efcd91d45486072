/* multisine_study.c — the multisine study (method.md §3) over several models: the input
 * series, per model the spectra of every decoder head and the Spearman correlation of
 * spectral amplitude with induction score; and its files, multisine.json, multisine.csv and
 * NAME-spectra.safetensors (the only place their keys are spelled). */
#include "study/multisine/msheads.h"
#include "io/outlock.h"
#include "study/multisine/multisine.h"
#include "study/multisine/bolt_multisine.h"
#include "core/stats.h"
#include "core/core.h"
#include "io/csv.h"
#include "io/json.h"
#include "io/safetensors.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cl_multisine_default(cl_multisine_opts *o) {
    memset(o, 0, sizeof *o);
    cl_multisine_reference(&o->input);
    o->permutations = 10000;
    cl_spacing_default(&o->spacing);
    o->fit_context = 1;
}

int cl_multisine_fit_dirs(const char *const *dirs, int n, int fit, cl_multisine *in, cl_error *err) {
    int minctx = 0;
    const char *shortest = NULL;
    for (int k = 0; k < n; k++) {
        char path[4096];
        cl_config c;
        if (cl_config_load(cl_path_join(path, sizeof path, dirs[k], "config.json"), &c, err)) return CL_EFORMAT;
        if (!shortest || c.context_length < minctx) { minctx = c.context_length; shortest = dirs[k]; }
    }
    if (fit) cl_multisine_fit_context(in, minctx);
    else if (shortest && in->points > minctx)
        return cl_error_set(err, CL_EINVAL, "--points %d exceeds the context_length %d of %s", in->points, minctx, shortest);
    return 0;
}

int cl_multisine_fit_models(const char *const *dirs, int n, cl_multisine_opts *o, cl_error *err) {
    int rc = cl_multisine_fit_dirs(dirs, n, o->fit_context, &o->input, err);
    if (rc) return rc;
    return cl_multisine_check(&o->input, err) ? CL_EINVAL : 0;
}

static void model_free(cl_multisine_model *r) {
    free(r->h); free(r->ind); free(r->cur); free(r->right);
    cl_ms_arrays_free(&r->arr);
    memset(r, 0, sizeof *r);
}

void cl_multisine_free(cl_multisine_result *r) {
    for (int k = 0; r->res && k < r->n; k++) model_free(&r->res[k]);
    free(r->res); free(r->models); free(r->series); free(r->series_mag);
    memset(r, 0, sizeof *r);
}

static int model_alloc(cl_multisine_model *r, int layers, int heads, cl_error *err) {
    r->layers = layers;
    r->heads = heads;
    const int LH = layers * heads;
    r->h = calloc((size_t)LH, sizeof *r->h);
    r->ind = malloc(sizeof(double) * LH);
    r->cur = malloc(sizeof(double) * LH);
    r->right = malloc(sizeof(double) * LH);
    return (!r->h || !r->ind || !r->cur || !r->right) ? cl_error_set(err, CL_ENOMEM, "multisine: out of memory") : 0;
}

/* One loaded model on the series: induction scores, then the spectra of every head. */
static int analyse_model(const cl_model *m, cl_multisine_model *r, const float *series, const cl_multisine_result *res,
                         cl_fft *fft, cl_error *err) {
    const cl_multisine_opts *o = &res->opts;
    const cl_multisine *ms = &o->input;
    cl_state *s = NULL;
    int rc = 0;
    /* one family per run: the input (and the signal's length) depends on it */
    static const char *const FAM[3] = {"Chronos-T5", "Chronos-Bolt", "Chronos-2"}; /* res->bolt: 0, 1, 2 */
    const int fam = cl_model_is_chronos2(m) ? 2 : cl_model_is_bolt(m);
    if (fam != res->bolt)
        rc = cl_error_set(err, CL_EINVAL, "a %s model among %s models: run the families separately", FAM[fam], FAM[res->bolt]);
    if (!rc && res->bolt && (cl_model_config(m)->patch_stride != res->stride ||
                             cl_bolt_num_patches(cl_model_config(m), ms->points) != res->sig_points))
        rc = cl_error_set(err, CL_EINVAL, "%s models of another context length or patch stride than the "
                          "first: run them separately", FAM[res->bolt]);
    if (!rc) rc = cl_state_new(m, &s, err);
    if (!rc) rc = model_alloc(r, fam == 2 ? cl_model_config(m)->num_layers : cl_model_config(m)->num_decoder_layers,
                              cl_model_config(m)->num_heads, err);
    if (!rc) {
        const int LH = r->layers * r->heads;
        rc = res->bolt ? cl_bolt_ms_induction(s, r->ind, r->cur, r->right, err)
                       : cl_multisine_induction(s, r->ind, r->cur, r->right, err);
        if (!rc) rc = cl_ms_heads(s, fft, series, 1, ms->points, ms->duration, 1, &o->spacing, r->h, &r->arr, NULL, err);
        if (!rc) {
            double *amp = malloc(sizeof(double) * LH);
            const double gap = cl_multisine_smallest_gap(ms), tol = 1.0 / ms->duration;
            for (int i = 0; i < LH && amp; i++) {
                amp[i] = r->h[i].amplitude;
                r->periodic += r->h[i].sp.periodic;
                r->matching += r->h[i].sp.periodic && fabs(r->h[i].sp.spacing_hz - gap) <= tol;
            }
            if (!amp || cl_spearman_grouped(amp, 1, LH, r->ind, o->permutations, o->seed, &r->rho, &r->p))
                rc = cl_error_set(err, CL_ENOMEM, "multisine: out of memory");
            free(amp);
        }
    }
    cl_state_free(s);
    return rc;
}

/* One model: the loaded one (m) or the folder (dir), loaded for this run only. */
static int run_model(const cl_model *m, const char *dir, cl_multisine_model *r, const float *series,
                     const cl_multisine_result *res, cl_fft *fft, cl_error *err) {
    cl_model *own = NULL;
    int rc = 0;
    if (!m) {
        const cl_load_opts lo = {res->opts.precision};
        if (!(rc = cl_model_load(dir, &lo, &own, err))) m = own;
    }
    if (!rc) {
        rc = analyse_model(m, r, series, res, fft, err);
        if (rc) cl_error_prefix(err, dir); /* load errors name the file already */
    }
    cl_model_free(own);
    return rc;
}

/* The study over models given as folders (dirs) or loaded (m, paths in dirs); the folders'
 * basenames name them. */
static int run_study(const cl_model *const *m, const char *const *dirs, int n, const cl_multisine_opts *o,
                     cl_multisine_result *r, cl_error *err) {
    memset(r, 0, sizeof *r);
    if (n < 1 || n > CL_STUDY_MAX_MODELS) return cl_error_set(err, CL_EINVAL, "multisine: 1 to %d models", CL_STUDY_MAX_MODELS);
    cl_multisine_opts fitted = *o; /* the input as the models' contexts allow */
    if (cl_multisine_fit_models(dirs, n, &fitted, err)) return CL_EINVAL;
    o = &fitted;
    r->opts = *o;
    r->opts.progress = (cl_progress){0};
    r->opts.names = NULL;
    r->sig_points = o->input.points;
    { /* the first model's family sets the input: Chronos-Bolt reads it at the patch rate (§4.2),
       * with the values the shortest Bolt context holds (a longer one reads the same series) */
        char cp[4096];
        cl_config c0, ck;
        int have = 1;
        for (int k = 0; k < n && have; k++) {
            if (m) ck = *cl_model_config(m[k]);
            else {
                snprintf(cp, sizeof cp, "%s/config.json", dirs[k]);
                have = cl_config_load(cp, &ck, err) == 0;
            }
            if (have && (k == 0 || (ck.family != CL_FAMILY_T5 && ck.context_length < c0.context_length &&
                                    c0.family == ck.family)))
                c0 = ck;
        }
        if (have && c0.family != CL_FAMILY_T5) { /* Chronos-2 reads it as Chronos-Bolt does: bolt = 2 */
            r->bolt = c0.family == CL_FAMILY_CHRONOS2 ? 2 : 1;
            r->stride = c0.patch_stride;
            cl_bolt_ms_input(&c0, &o->input, &r->opts.input);
            r->sig_points = cl_bolt_num_patches(&c0, r->opts.input.points);
            if (cl_multisine_check(&r->opts.input, err)) return cl_error_prefix(err, dirs[0]);
        }
    }
    /* as run: what cl_model_load gives every model for the asked precision */
    r->opts.precision = o->precision == CL_BF16 && cl_bf16_supported() ? CL_BF16 : CL_FP32;
    const cl_multisine *ms = &r->opts.input;
    float *series = malloc(sizeof(float) * ms->points);
    r->series = malloc(sizeof(double) * ms->points);
    r->series_mag = malloc(sizeof(double) * ms->points);
    r->models = calloc((size_t)n, sizeof *r->models);
    r->res = calloc((size_t)n, sizeof *r->res);
    cl_fft *fft = NULL, *sfft = NULL; /* the series' plan; the signals' (Bolt: one per patch) */
    int rc = (!series || !r->series || !r->series_mag || !r->models || !r->res)
                 ? cl_error_set(err, CL_ENOMEM, "multisine: out of memory") : 0;
    if (!rc) r->n = n;
    if (!rc) rc = cl_fft_new(ms->points, &fft, err);
    if (!rc && r->bolt) rc = cl_fft_new(r->sig_points, &sfft, err);
    if (!rc) {
        cl_rng rng;
        cl_rng_seed(&rng, o->seed);
        cl_multisine_eval(ms, &rng, series);
        for (int j = 0; j < ms->points; j++) r->series[j] = series[j];
        cl_fft_abs(fft, r->series, r->series_mag);
    }
    for (int k = 0; k < n && !rc; k++) {
        cl_study_model *mi = &r->models[k];
        snprintf(mi->path, sizeof mi->path, "%s", dirs[k]);
        if (o->names && o->names[k]) {
            if ((rc = cl_study_name_check(o->names[k], err))) break;
            snprintf(mi->name, 128, "%s", o->names[k]);
        } else cl_study_model_name(dirs[k], mi->name, 128);
        for (int j = 0; j < k; j++) /* two folders of the same name: keep file names apart */
            if (!strcmp(r->models[j].name, mi->name)) {
                size_t l = strlen(mi->name);
                snprintf(mi->name + (l < 100 ? l : 100), 28, "-%d", k + 1);
                break;
            }
        if (!cl_shard_has(&o->shard, k)) continue; /* another part's model: named (for the names after it), not run */
        if ((rc = cl_progress_point(&o->progress, "multisine", k, n, err))) break;
        double t0 = cl_now();
        rc = run_model(m ? m[k] : NULL, dirs[k], &r->res[k], series, r, r->bolt ? sfft : fft, err);
        mi->seconds = cl_now() - t0;
    }
    if (!rc && o->shard.n > 1) { /* keep this part's models only */
        int j = 0;
        for (int k = 0; k < n; k++) {
            if (!cl_shard_has(&o->shard, k)) { model_free(&r->res[k]); continue; }
            r->models[j] = r->models[k];
            r->res[j++] = r->res[k];
        }
        r->n = j;
    }
    free(series);
    cl_fft_free(fft);
    cl_fft_free(sfft);
    if (rc) cl_multisine_free(r);
    return rc;
}

int cl_multisine_run(const char *const *dirs, int n, const cl_multisine_opts *o, cl_multisine_result *r,
                     cl_error *err) {
    return run_study(NULL, dirs, n, o, r, err);
}

int cl_multisine_run_models(const cl_model *const *m, const char *const *paths, int n, const cl_multisine_opts *o,
                            cl_multisine_result *r, cl_error *err) {
    if (!m) return cl_error_set(err, CL_EINVAL, "multisine: no models");
    return run_study(m, paths, n, o, r, err);
}

/* ------------------------------------------------------------------ files */

static cJSON *json_list(const double *v, int n) {
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++) cJSON_AddItemToArray(a, cl_json_num_or_null(v[i]));
    return a;
}

static cJSON *result_json(const cl_multisine_result *r) {
    const cl_multisine *ms = &r->opts.input;
    const cl_spacing_opts *so = &r->opts.spacing;
    const double gap = cl_multisine_smallest_gap(ms), tol = 1.0 / ms->duration;
    cJSON *root = cJSON_CreateObject(), *in = cJSON_CreateObject(), *def = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "command", "multisine");
    cJSON_AddStringToObject(root, "precision", cl_precision_name(r->opts.precision));
    cJSON_AddItemToObject(in, "freqs_hz", json_list(ms->freqs, ms->n));
    cJSON_AddItemToObject(in, "amps", json_list(ms->amps, ms->n));
    cJSON_AddItemToObject(in, "phases_rad", json_list(ms->phases, ms->n));
    cJSON_AddNumberToObject(in, "points", ms->points);
    cJSON_AddNumberToObject(in, "duration_s", ms->duration);
    cJSON_AddNumberToObject(in, "noise", ms->noise);
    cJSON_AddNumberToObject(in, "seed", (double)r->opts.seed);
    cJSON_AddNumberToObject(in, "nyquist_hz", cl_multisine_nyquist(ms));
    cJSON_AddItemToObject(in, "smallest_gap_hz", cl_json_num_or_null(gap));
    if (r->bolt) { /* Chronos-Bolt (§4.2): one attention sample per patch, at the patch rate */
        double fa[CL_MS_MAX_FREQS], al[CL_MS_MAX_FREQS];
        const int na = cl_bolt_ms_aliases(ms, r->sig_points, fa, al);
        cJSON_AddStringToObject(in, "family", r->bolt == 2 ? "chronos2" : "bolt");
        cJSON_AddNumberToObject(in, "patch_stride", r->stride);
        cJSON_AddNumberToObject(in, "patches", r->sig_points);
        cJSON_AddNumberToObject(in, "patch_rate_hz", r->sig_points / ms->duration);
        cJSON_AddNumberToObject(in, "patch_nyquist_hz", r->sig_points / (2 * ms->duration));
        cJSON *a = cJSON_AddArrayToObject(in, "aliased");
        for (int i = 0; i < na; i++) {
            cJSON *x = cJSON_CreateObject();
            cJSON_AddNumberToObject(x, "freq_hz", fa[i]);
            cJSON_AddNumberToObject(x, "alias_hz", al[i]);
            cJSON_AddItemToArray(a, x);
        }
    }
    cJSON_AddItemToObject(root, "input", in);
    cJSON_AddStringToObject(def, "amplitude", "non-DC power of the attention spectrum: (1/N) sum_{k=1}^{N-1} |X_k|^2");
    cJSON_AddStringToObject(def, "peak", "highest non-DC |X_k|");
    cJSON_AddStringToObject(def, "induction_score",
                            "max(mean cross-attention at m, at m+1) of the repeated-random-token test, study defaults");
    cJSON_AddStringToObject(def, "spacing_hz", "period of the attention spectrum from the DC-free double-FFT peak");
    cJSON_AddNumberToObject(def, "match_tolerance_hz", tol);
    cJSON_AddNumberToObject(def, "min_strength", so->min_strength);
    cJSON_AddNumberToObject(def, "harmonic_ratio", so->harmonic_ratio);
    cJSON_AddNumberToObject(def, "permutations", (double)r->opts.permutations);
    cJSON_AddItemToObject(root, "definitions", def);
    cJSON *models = cJSON_AddArrayToObject(root, "models");
    for (int k = 0; k < r->n; k++) {
        const cl_multisine_model *x = &r->res[k];
        cJSON *mo = cJSON_CreateObject(), *sp = cJSON_CreateObject();
        cJSON_AddStringToObject(mo, "name", r->models[k].name);
        cJSON_AddStringToObject(mo, "path", r->models[k].path);
        cJSON_AddNumberToObject(mo, "layers", x->layers);
        cJSON_AddNumberToObject(mo, "heads", x->heads);
        cJSON_AddNumberToObject(mo, "periodic_heads", x->periodic);
        cJSON_AddNumberToObject(mo, "heads_at_smallest_gap", x->matching);
        cJSON_AddItemToObject(sp, "rho", cl_json_num_or_null(x->rho));
        cJSON_AddItemToObject(sp, "p", cl_json_num_or_null(x->p));
        cJSON_AddItemToObject(mo, "spearman_amplitude_induction", sp);
        cJSON *hs = cJSON_AddArrayToObject(mo, "per_head");
        for (int i = 0; i < x->layers * x->heads; i++) {
            const cl_ms_head *h = &x->h[i];
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "layer", i / x->heads);
            cJSON_AddNumberToObject(o, "head", i % x->heads);
            cJSON_AddItemToObject(o, "amplitude", cl_json_num_or_null(h->amplitude));
            cJSON_AddItemToObject(o, "peak", cl_json_num_or_null(h->peak));
            cJSON_AddBoolToObject(o, "periodic", h->sp.periodic);
            cJSON_AddItemToObject(o, "strength", cl_json_num_or_null(h->sp.strength));
            cJSON_AddItemToObject(o, "spacing_hz", cl_json_num_or_null(h->sp.spacing_hz));
            cJSON_AddItemToObject(o, "quefrency_s", cl_json_num_or_null(h->sp.quefrency_s));
            cJSON_AddItemToObject(o, "error_hz", cl_json_num_or_null(h->sp.spacing_hz - gap));
            cJSON_AddItemToObject(o, "induction_score", cl_json_num_or_null(x->ind[i]));
            cJSON_AddItemToObject(o, "induction_current", cl_json_num_or_null(x->cur[i]));
            cJSON_AddItemToObject(o, "induction_right", cl_json_num_or_null(x->right[i]));
            cJSON_AddItemToObject(o, "context_mass", cl_json_num_or_null(h->mass));
            cJSON_AddItemToObject(o, "max_share", cl_json_num_or_null(h->max_share));
            cJSON_AddItemToArray(hs, o);
        }
        cJSON_AddItemToArray(models, mo);
    }
    return root;
}

static int result_csv(const char *path, const cl_multisine_result *r, cl_error *err) {
    const double gap = cl_multisine_smallest_gap(&r->opts.input);
    cl_out o;
    int rc = cl_out_open(&o, path, err);
    if (rc) return rc;
    FILE *f = o.fp;
    fputs("model,layer,head,amplitude,peak,periodic,strength,spacing_hz,quefrency_s,smallest_gap_hz,error_hz,"
          "induction_score,induction_current,induction_right,context_mass,max_share\n", f);
    for (int k = 0; k < r->n; k++) {
        const cl_multisine_model *x = &r->res[k];
        for (int i = 0; i < x->layers * x->heads; i++) {
            const cl_ms_head *h = &x->h[i];
            csv_write_field(f, r->models[k].name);
            fprintf(f, ",%d,%d,", i / x->heads, i % x->heads);
            cl_csv_num(f, h->amplitude); fputc(',', f);
            cl_csv_num(f, h->peak); fputc(',', f);
            fprintf(f, "%d,", h->sp.periodic);
            cl_csv_num(f, h->sp.strength); fputc(',', f);
            cl_csv_num(f, h->sp.spacing_hz); fputc(',', f);
            cl_csv_num(f, h->sp.quefrency_s); fputc(',', f);
            cl_csv_num(f, gap); fputc(',', f);
            cl_csv_num(f, h->sp.spacing_hz - gap); fputc(',', f);
            cl_csv_num(f, x->ind[i]); fputc(',', f);
            cl_csv_num(f, x->cur[i]); fputc(',', f);
            cl_csv_num(f, x->right[i]); fputc(',', f);
            cl_csv_num(f, h->mass); fputc(',', f);
            cl_csv_num(f, h->max_share); fputc('\n', f);
        }
    }
    return cl_out_commit(&o, err);
}

/* The arrays behind the figures, for the report and for re-plotting. */
static int write_spectra(const char *path, const cl_multisine_result *res, int k, cl_error *err) {
    const cl_multisine *ms = &res->opts.input;
    const cl_multisine_model *r = &res->res[k];
    const int n = res->sig_points, LH = r->layers * r->heads;
    double *hz = malloc(sizeof(double) * n), *qs = malloc(sizeof(double) * n), *amp = malloc(sizeof(double) * LH);
    if (!hz || !qs || !amp) { free(hz); free(qs); free(amp); return cl_error_set(err, CL_ENOMEM, "%s: out of memory", path); }
    cl_fftfreq(n, ms->duration / n, hz);
    cl_fftfreq(n, 1.0 / ms->duration, qs);
    for (int i = 0; i < LH; i++) amp[i] = r->h[i].amplitude;
    st_writer *w = st_writer_new();
    int64_t s0[1] = {ms->points}, s1[1] = {n}, s2[2] = {r->layers, r->heads}, s3[3] = {r->layers, r->heads, n};
    st_writer_add(w, "series", ST_F64, 1, s0, res->series);
    st_writer_add(w, "series_spectrum", ST_F64, 1, s0, res->series_mag);
    st_writer_add(w, "frequency_hz", ST_F64, 1, s1, hz);
    st_writer_add(w, "quefrency_s", ST_F64, 1, s1, qs);
    st_writer_add(w, "attention", ST_F64, 3, s3, r->arr.attn);
    st_writer_add(w, "spectrum", ST_F64, 3, s3, r->arr.mag);
    st_writer_add(w, "double_fft", ST_F64, 3, s3, r->arr.dfft);
    st_writer_add(w, "double_fft_nodc", ST_F64, 3, s3, r->arr.dnodc);
    st_writer_add(w, "amplitude", ST_F64, 2, s2, amp);
    st_writer_add(w, "induction_score", ST_F64, 2, s2, r->ind);
    int rc = st_writer_save(w, path, NULL, err);
    st_writer_free(w);
    free(hz); free(qs); free(amp);
    return rc;
}

int cl_multisine_write(const cl_multisine_result *r, const char *dir, cl_error *err) {
    char path[4096], base[300];
    int rc = cl_json_save_free(cl_path_join(path, sizeof path, dir, "multisine.json"), result_json(r), err);
    if (!rc) rc = result_csv(cl_path_join(path, sizeof path, dir, "multisine.csv"), r, err);
    for (int k = 0; k < r->n && !rc; k++) {
        snprintf(base, sizeof base, "%s-spectra.safetensors", r->models[k].name);
        rc = write_spectra(cl_path_join(path, sizeof path, dir, base), r, k, err);
    }
    return rc;
}

/* a (len) F64 tensor of the spectra file */
static int st_copy(const st_file *f, const char *name, size_t len, double *out, cl_error *err) {
    const st_tensor *t = st_find(f, name);
    if (!t || t->dtype != ST_F64 || st_numel(t) != len)
        return cl_error_set(err, CL_EFORMAT, "%s: tensor '%s': missing or not %zu F64 values", f->path, name, len);
    memcpy(out, t->data, sizeof(double) * len);
    return 0;
}

static int read_spectra(const char *path, cl_multisine_result *res, int k, cl_error *err) {
    cl_multisine_model *r = &res->res[k];
    const size_t n = (size_t)res->sig_points, per = (size_t)r->layers * r->heads * n;
    cl_ms_arrays *a = &r->arr;
    a->attn = malloc(sizeof(double) * per);
    a->mag = malloc(sizeof(double) * per);
    a->dfft = malloc(sizeof(double) * per);
    a->dnodc = malloc(sizeof(double) * per);
    if (!a->attn || !a->mag || !a->dfft || !a->dnodc) return cl_error_set(err, CL_ENOMEM, "%s: out of memory", path);
    st_file f;
    if (st_open(path, &f, err)) return CL_EFORMAT;
    int rc = st_copy(&f, "attention", per, a->attn, err);
    if (!rc) rc = st_copy(&f, "spectrum", per, a->mag, err);
    if (!rc) rc = st_copy(&f, "double_fft", per, a->dfft, err);
    if (!rc) rc = st_copy(&f, "double_fft_nodc", per, a->dnodc, err);
    /* amplitude and induction score: the file's exact doubles (the JSON's are within one ulp) */
    const size_t LH = (size_t)r->layers * r->heads;
    double *amp = malloc(sizeof(double) * LH);
    if (!rc && !amp) rc = cl_error_set(err, CL_ENOMEM, "%s: out of memory", path);
    if (!rc) rc = st_copy(&f, "amplitude", LH, amp, err);
    for (size_t i = 0; !rc && i < LH; i++) r->h[i].amplitude = amp[i];
    free(amp);
    if (!rc) rc = st_copy(&f, "induction_score", LH, r->ind, err);
    const size_t ns = (size_t)res->opts.input.points; /* the series: points values (Bolt: more than n) */
    if (!rc && k == 0) rc = st_copy(&f, "series", ns, res->series, err);
    if (!rc && k == 0) rc = st_copy(&f, "series_spectrum", ns, res->series_mag, err);
    st_close(&f);
    return rc;
}

int cl_multisine_read(const char *dir, cl_multisine_result *r, cl_error *err) {
    memset(r, 0, sizeof *r);
    char path[4096];
    cl_path_join(path, sizeof path, dir, "multisine.json");
    cJSON *root;
    int lrc = cl_json_load(path, &root, err); /* the load's status: a missing file is CL_EIO */
    if (lrc) return lrc;
    cl_jr j = {path, err, 0};
    cl_multisine *ms = &r->opts.input;
    const cJSON *in = cl_jr_obj(&j, root, "input"), *def = cl_jr_obj(&j, root, "definitions");
    ms->n = cl_jr_doubles(&j, in, "freqs_hz", ms->freqs, CL_MS_MAX_FREQS);
    if (cl_jr_doubles(&j, in, "amps", ms->amps, CL_MS_MAX_FREQS) != ms->n && !j.rc) cl_jr_fail(&j, "not one per frequency", "amps");
    if (cl_jr_doubles(&j, in, "phases_rad", ms->phases, CL_MS_MAX_FREQS) != ms->n && !j.rc)
        cl_jr_fail(&j, "not one per frequency", "phases_rad");
    ms->points = cl_jr_int(&j, in, "points");
    ms->duration = cl_jr_num(&j, in, "duration_s");
    ms->noise = cl_jr_num(&j, in, "noise");
    r->opts.seed = (uint64_t)cl_jr_num(&j, in, "seed");
    r->opts.precision = cl_jr_precision(&j, root, "precision");
    r->opts.spacing.min_strength = cl_jr_num(&j, def, "min_strength");
    r->opts.spacing.harmonic_ratio = cl_jr_num(&j, def, "harmonic_ratio");
    r->opts.permutations = cl_jr_int(&j, def, "permutations");
    r->sig_points = ms->points;
    const cJSON *fam = cJSON_GetObjectItemCaseSensitive(in, "family");
    if (cJSON_IsString(fam) && (!strcmp(fam->valuestring, "bolt") || !strcmp(fam->valuestring, "chronos2"))) {
        r->bolt = strcmp(fam->valuestring, "bolt") ? 2 : 1;
        r->stride = cl_jr_int(&j, in, "patch_stride");
        r->sig_points = cl_jr_int(&j, in, "patches");
        if (!j.rc && (r->sig_points < 8 || r->sig_points > ms->points)) cl_jr_fail(&j, "out of range", "patches");
    }
    if (!j.rc && cl_multisine_check(ms, err)) j.rc = cl_error_set(err, CL_EFORMAT, "%s: input: %s", path, err->msg);
    int n = 0;
    const cJSON *models = cl_jr_arr(&j, root, "models", &n);
    if (!j.rc && (n < 1 || n > CL_STUDY_MAX_MODELS)) cl_jr_fail(&j, "not 1 to 64 models", "models");
    if (!j.rc) {
        r->series = malloc(sizeof(double) * ms->points);
        r->series_mag = malloc(sizeof(double) * ms->points);
        r->models = calloc((size_t)n, sizeof *r->models);
        r->res = calloc((size_t)n, sizeof *r->res);
        if (!r->series || !r->series_mag || !r->models || !r->res) j.rc = cl_error_set(err, CL_ENOMEM, "%s: out of memory", path);
        else r->n = n;
    }
    for (int k = 0; k < r->n && !j.rc; k++) {
        const cJSON *mo = cJSON_GetArrayItem(models, k);
        cl_multisine_model *x = &r->res[k];
        const char *name = cl_jr_str(&j, mo, "name"), *mp = cl_jr_str(&j, mo, "path");
        if (j.rc) break;
        snprintf(r->models[k].name, sizeof r->models[k].name, "%s", name);
        snprintf(r->models[k].path, sizeof r->models[k].path, "%s", mp);
        int L = cl_jr_int(&j, mo, "layers"), H = cl_jr_int(&j, mo, "heads"), nh;
        if (!j.rc && (L < 1 || H < 1 || L > 4096 || H > 4096)) cl_jr_fail(&j, "out of range", "layers");
        if (j.rc || (j.rc = model_alloc(x, L, H, err))) break;
        x->periodic = cl_jr_int(&j, mo, "periodic_heads");
        x->matching = cl_jr_int(&j, mo, "heads_at_smallest_gap");
        const cJSON *sp = cl_jr_obj(&j, mo, "spearman_amplitude_induction");
        x->rho = cl_jr_num(&j, sp, "rho");
        x->p = cl_jr_num(&j, sp, "p");
        const cJSON *hs = cl_jr_arr(&j, mo, "per_head", &nh);
        if (!j.rc && nh != L * H) cl_jr_fail(&j, "not layers x heads entries", "per_head");
        for (int i = 0; i < L * H && !j.rc; i++) {
            const cJSON *o = cJSON_GetArrayItem(hs, i);
            cl_ms_head *h = &x->h[i];
            h->amplitude = cl_jr_num(&j, o, "amplitude");
            h->peak = cl_jr_num(&j, o, "peak");
            h->sp.periodic = cl_jr_bool(&j, o, "periodic");
            h->sp.strength = cl_jr_num(&j, o, "strength");
            h->sp.spacing_hz = cl_jr_num(&j, o, "spacing_hz");
            h->sp.quefrency_s = cl_jr_num(&j, o, "quefrency_s");
            h->sp.q = NAN; /* not in the file: the refined bin is quefrency_s * points / duration */
            if (isfinite(h->sp.quefrency_s)) h->sp.q = h->sp.quefrency_s * r->sig_points / ms->duration;
            x->ind[i] = cl_jr_num(&j, o, "induction_score");
            x->cur[i] = cl_jr_num(&j, o, "induction_current");
            x->right[i] = cl_jr_num(&j, o, "induction_right");
            h->mass = cl_jr_num(&j, o, "context_mass");
            h->max_share = cl_jr_num(&j, o, "max_share");
        }
        char file[300], sp_path[4096];
        snprintf(file, sizeof file, "%s-spectra.safetensors", r->models[k].name);
        if (!j.rc) j.rc = read_spectra(cl_path_join(sp_path, sizeof sp_path, dir, file), r, k, err);
    }
    cJSON_Delete(root);
    if (j.rc) cl_multisine_free(r);
    return j.rc;
}
