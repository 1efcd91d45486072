/* chronolens multisine — the attention spectra of a multisine input (method.md §3): per
 * decoder layer and head, the decoder-start cross-attention over the context, its spectrum,
 * its double FFT, the detected spacing against the smallest input gap, the spectral amplitude,
 * and the Spearman correlation of amplitude with the head's induction score. */
#include "cli.h"
#include "../src/io/csv.h"
#include "ms_common.h"
#include "../src/analysis/msheads.h"
#include "../src/analysis/multisine.h"
#include "../src/analysis/stats.h"
#include "../src/io/safetensors.h"
#include "../src/report/fig_multisine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MODELS 16

typedef struct model_run {
    const char *dir;
    char name[128];
    int layers, heads;
    cl_ms_head *h;     /* (layers*heads) */
    cl_ms_arrays arr;  /* (1, layers*heads, points) */
    double *ind, *cur, *right;
    double rho, p;
    int periodic, matching;
} model_run;

static void run_free(model_run *r) {
    free(r->h); free(r->ind); free(r->cur); free(r->right);
    cl_ms_arrays_free(&r->arr);
}

static const char USAGE[] =
    "multisine: usage: chronolens multisine [--model DIR ...] --out DIR [--freqs 5,10,20,40] "
    "[--amps 1,0.5,0.25,0.25] [--phases 0,..] [--points 301] [--duration 3] [--noise SIGMA] [--seed N] "
    "[--permutations 10000] [--min-strength 0.3] [--harmonic-ratio 0.5]";

/* Runs one model on the series: induction scores, then the spectra of every head. */
static int run_model(model_run *r, const float *series, const cl_multisine *ms, cl_fft *fft,
                     const cl_spacing_opts *so, long perms, long seed, cl_error *err) {
    cl_model *m = NULL;
    cl_state *s = NULL;
    int rc = cl_model_load(r->dir, &m, err);
    if (!rc) rc = cl_state_new(m, &s, err);
    if (!rc) {
        const cl_config *c = cl_model_config(m);
        r->layers = c->num_decoder_layers;
        r->heads = c->num_heads;
        const int LH = r->layers * r->heads;
        r->h = calloc((size_t)LH, sizeof *r->h);
        r->ind = malloc(sizeof(double) * LH);
        r->cur = malloc(sizeof(double) * LH);
        r->right = malloc(sizeof(double) * LH);
        if (!r->h || !r->ind || !r->cur || !r->right) rc = cl_error_set(err, CL_ENOMEM, "multisine: out of memory");
        if (!rc) rc = cl_multisine_induction(s, r->ind, r->cur, r->right, err);
        if (!rc) rc = cl_ms_heads(s, fft, series, 1, ms->points, ms->duration, 1, so, r->h, &r->arr, NULL, err);
        if (!rc) {
            double *amp = malloc(sizeof(double) * LH);
            const double gap = cl_multisine_smallest_gap(ms), tol = 1.0 / ms->duration;
            for (int i = 0; i < LH && amp; i++) {
                amp[i] = r->h[i].amplitude;
                r->periodic += r->h[i].sp.periodic;
                r->matching += r->h[i].sp.periodic && fabs(r->h[i].sp.spacing_hz - gap) <= tol;
            }
            if (!amp || cl_spearman_grouped(amp, 1, LH, r->ind, (int)perms, (uint64_t)seed, &r->rho, &r->p))
                rc = cl_error_set(err, CL_ENOMEM, "multisine: out of memory");
            free(amp);
        }
    }
    if (rc && m) ms_err_prefix(err, r->dir); /* load errors name the file already */
    cl_state_free(s);
    cl_model_free(m);
    return rc;
}

static cJSON *json_list(const double *v, int n) {
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++) cJSON_AddItemToArray(a, ms_num(v[i]));
    return a;
}

static int write_json(const char *path, const cl_multisine *ms, long seed, long perms, const cl_spacing_opts *so,
                      const model_run *runs, int nm, cl_error *err) {
    const double gap = cl_multisine_smallest_gap(ms), tol = 1.0 / ms->duration;
    cJSON *root = cJSON_CreateObject(), *in = cJSON_CreateObject(), *def = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "command", "multisine");
    cJSON_AddItemToObject(in, "freqs_hz", json_list(ms->freqs, ms->n));
    cJSON_AddItemToObject(in, "amps", json_list(ms->amps, ms->n));
    cJSON_AddItemToObject(in, "phases_rad", json_list(ms->phases, ms->n));
    cJSON_AddNumberToObject(in, "points", ms->points);
    cJSON_AddNumberToObject(in, "duration_s", ms->duration);
    cJSON_AddNumberToObject(in, "noise", ms->noise);
    cJSON_AddNumberToObject(in, "seed", (double)seed);
    cJSON_AddNumberToObject(in, "nyquist_hz", cl_multisine_nyquist(ms));
    cJSON_AddItemToObject(in, "smallest_gap_hz", ms_num(gap));
    cJSON_AddItemToObject(root, "input", in);
    cJSON_AddStringToObject(def, "amplitude", "non-DC power of the attention spectrum: (1/N) sum_{k=1}^{N-1} |X_k|^2");
    cJSON_AddStringToObject(def, "peak", "highest non-DC |X_k|");
    cJSON_AddStringToObject(def, "induction_score",
                            "max(mean cross-attention at m, at m+1) of the repeated-random-token test, study defaults");
    cJSON_AddStringToObject(def, "spacing_hz", "period of the attention spectrum from the DC-free double-FFT peak");
    cJSON_AddNumberToObject(def, "match_tolerance_hz", tol);
    cJSON_AddNumberToObject(def, "min_strength", so->min_strength);
    cJSON_AddNumberToObject(def, "harmonic_ratio", so->harmonic_ratio);
    cJSON_AddNumberToObject(def, "permutations", (double)perms);
    cJSON_AddItemToObject(root, "definitions", def);
    cJSON *models = cJSON_AddArrayToObject(root, "models");
    for (int k = 0; k < nm; k++) {
        const model_run *r = &runs[k];
        cJSON *mo = cJSON_CreateObject(), *sp = cJSON_CreateObject();
        cJSON_AddStringToObject(mo, "name", r->name);
        cJSON_AddStringToObject(mo, "path", r->dir);
        cJSON_AddNumberToObject(mo, "layers", r->layers);
        cJSON_AddNumberToObject(mo, "heads", r->heads);
        cJSON_AddNumberToObject(mo, "periodic_heads", r->periodic);
        cJSON_AddNumberToObject(mo, "heads_at_smallest_gap", r->matching);
        cJSON_AddItemToObject(sp, "rho", ms_num(r->rho));
        cJSON_AddItemToObject(sp, "p", ms_num(r->p));
        cJSON_AddItemToObject(mo, "spearman_amplitude_induction", sp);
        cJSON *hs = cJSON_AddArrayToObject(mo, "per_head");
        for (int i = 0; i < r->layers * r->heads; i++) {
            const cl_ms_head *h = &r->h[i];
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "layer", i / r->heads);
            cJSON_AddNumberToObject(o, "head", i % r->heads);
            cJSON_AddItemToObject(o, "amplitude", ms_num(h->amplitude));
            cJSON_AddItemToObject(o, "peak", ms_num(h->peak));
            cJSON_AddBoolToObject(o, "periodic", h->sp.periodic);
            cJSON_AddItemToObject(o, "strength", ms_num(h->sp.strength));
            cJSON_AddItemToObject(o, "spacing_hz", ms_num(h->sp.spacing_hz));
            cJSON_AddItemToObject(o, "quefrency_s", ms_num(h->sp.quefrency_s));
            cJSON_AddItemToObject(o, "error_hz", ms_num(h->sp.spacing_hz - gap));
            cJSON_AddItemToObject(o, "induction_score", ms_num(r->ind[i]));
            cJSON_AddItemToObject(o, "induction_current", ms_num(r->cur[i]));
            cJSON_AddItemToObject(o, "induction_right", ms_num(r->right[i]));
            cJSON_AddItemToArray(hs, o);
        }
        cJSON_AddItemToArray(models, mo);
    }
    int rc = ms_write_json(path, root, err);
    cJSON_Delete(root);
    return rc;
}

static int write_csv(const char *path, const cl_multisine *ms, const model_run *runs, int nm, cl_error *err) {
    const double gap = cl_multisine_smallest_gap(ms);
    cl_out o;
    int rc = cl_out_open(&o, path, err);
    if (rc) return rc;
    FILE *f = o.fp;
    fputs("model,layer,head,amplitude,peak,periodic,strength,spacing_hz,quefrency_s,smallest_gap_hz,error_hz,"
          "induction_score,induction_current,induction_right\n", f);
    for (int k = 0; k < nm; k++)
        for (int i = 0; i < runs[k].layers * runs[k].heads; i++) {
            const cl_ms_head *h = &runs[k].h[i];
            csv_write_field(f, runs[k].name);
            fprintf(f, ",%d,%d,", i / runs[k].heads, i % runs[k].heads);
            ms_csv_num(f, h->amplitude); fputc(',', f);
            ms_csv_num(f, h->peak); fputc(',', f);
            fprintf(f, "%d,", h->sp.periodic);
            ms_csv_num(f, h->sp.strength); fputc(',', f);
            ms_csv_num(f, h->sp.spacing_hz); fputc(',', f);
            ms_csv_num(f, h->sp.quefrency_s); fputc(',', f);
            ms_csv_num(f, gap); fputc(',', f);
            ms_csv_num(f, h->sp.spacing_hz - gap); fputc(',', f);
            ms_csv_num(f, runs[k].ind[i]); fputc(',', f);
            ms_csv_num(f, runs[k].cur[i]); fputc(',', f);
            ms_csv_num(f, runs[k].right[i]); fputc('\n', f);
        }
    return cl_out_commit(&o, err);
}

/* The arrays behind the figures, for the report and for re-plotting. */
static int write_spectra(const char *path, const model_run *r, const double *series, const double *series_mag,
                         const cl_multisine *ms, cl_error *err) {
    const int n = ms->points, LH = r->layers * r->heads;
    double *hz = malloc(sizeof(double) * n), *qs = malloc(sizeof(double) * n), *amp = malloc(sizeof(double) * LH);
    if (!hz || !qs || !amp) { free(hz); free(qs); free(amp); return cl_error_set(err, CL_ENOMEM, "%s: out of memory", path); }
    cl_fftfreq(n, ms->duration / n, hz);
    cl_fftfreq(n, 1.0 / ms->duration, qs);
    for (int i = 0; i < LH; i++) amp[i] = r->h[i].amplitude;
    st_writer *w = st_writer_new();
    int64_t s1[1] = {n}, s2[2] = {r->layers, r->heads}, s3[3] = {r->layers, r->heads, n};
    st_writer_add(w, "series", ST_F64, 1, s1, series);
    st_writer_add(w, "series_spectrum", ST_F64, 1, s1, series_mag);
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

int cmd_multisine(int argc, char **argv) {
    const char *dirs[MAX_MODELS], *out = NULL, *freqs = NULL, *amps = NULL, *phases = NULL;
    int nm = 0;
    long points = 301, seed = 0, perms = 10000;
    int have_points = 0, have_duration = 0;
    double duration = 3, noise = 0;
    cl_spacing_opts so;
    cl_spacing_defaults(&so);
    for (int i = 1; i < argc; i++) {
        const char *d = NULL;
        int r = opt_common(argc, argv, &i);
        if (!r) r = opt_str(argc, argv, &i, "--model", &d);
        if (r == 1 && d) {
            if (nm >= MAX_MODELS) return cli_fail("multisine: more than %d --model options", MAX_MODELS);
            dirs[nm++] = d;
        }
        if (!r) r = opt_str(argc, argv, &i, "--out", &out);
        if (!r) r = opt_str(argc, argv, &i, "--freqs", &freqs);
        if (!r) r = opt_str(argc, argv, &i, "--amps", &amps);
        if (!r) r = opt_str(argc, argv, &i, "--phases", &phases);
        if (!r && (r = opt_int(argc, argv, &i, "--points", 8, 1000000, &points)) == 1) have_points = 1;
        if (!r && (r = opt_double(argc, argv, &i, "--duration", 1e-6, 1e9, &duration)) == 1) have_duration = 1;
        if (!r) r = opt_double(argc, argv, &i, "--noise", 0, 1e9, &noise);
        if (!r) r = opt_int(argc, argv, &i, "--seed", 0, 0x7fffffffffffffffL, &seed);
        if (!r) r = opt_int(argc, argv, &i, "--permutations", 0, 100000000, &perms);
        if (!r) r = ms_opt_spacing(argc, argv, &i, &so);
        if (r < 0) return EXIT_BAD;
        if (!r) return cli_fail("multisine: unknown argument '%s'", argv[i]);
    }
    if (!nm) dirs[nm++] = cli_default_model();
    if (!out) return cli_fail("%s", USAGE);
    if (cli_out_dir("multisine", out)) return EXIT_BAD;
    cl_multisine ms;
    cl_multisine_reference(&ms);
    ms.points = (int)points;
    ms.duration = duration;
    ms.noise = noise;
    if (freqs) {
        if (ms_parse_list("--freqs", freqs, ms.freqs, CL_MS_MAX_FREQS, &ms.n) < 0) return EXIT_BAD;
        if (!amps) for (int i = 0; i < ms.n; i++) ms.amps[i] = 1.0; /* the reference amplitudes fit only its freqs */
        memset(ms.phases, 0, sizeof ms.phases);
    }
    int n;
    if (amps) {
        if (ms_parse_list("--amps", amps, ms.amps, CL_MS_MAX_FREQS, &n) < 0) return EXIT_BAD;
        if (n != ms.n) return cli_fail("option --amps: %d values for %d frequencies", n, ms.n);
    }
    if (phases) {
        if (ms_parse_list("--phases", phases, ms.phases, CL_MS_MAX_FREQS, &n) < 0) return EXIT_BAD;
        if (n != ms.n) return cli_fail("option --phases: %d values for %d frequencies", n, ms.n);
    }
    /* the models' contexts, before any work: the reference adapts to a shorter one (the
     * shortest of all models: they see one input), explicit --points must fit */
    int minctx;
    if (ms_min_context(dirs, nm, &minctx)) return EXIT_BAD;
    if (!have_points && !have_duration) cl_multisine_fit_context(&ms, minctx);
    else if (ms.points > minctx)
        return cli_fail("multisine: --points %d exceeds the context_length %d of a model", ms.points, minctx);
    cl_error err = {0};
    if (cl_multisine_check(&ms, &err)) return cli_fail("multisine: %s", err.msg);

    float *series = malloc(sizeof(float) * ms.points);
    double *sd = malloc(sizeof(double) * ms.points), *smag = malloc(sizeof(double) * ms.points);
    model_run *runs = calloc((size_t)nm, sizeof *runs);
    cl_fft *fft = NULL;
    int rc = (!series || !sd || !smag || !runs) ? cl_error_set(&err, CL_ENOMEM, "multisine: out of memory") : 0;
    if (!rc) rc = cl_fft_new(ms.points, &fft, &err);
    if (!rc) {
        cl_rng rng;
        cl_rng_seed(&rng, (uint64_t)seed);
        cl_multisine_eval(&ms, &rng, series);
        for (int j = 0; j < ms.points; j++) sd[j] = series[j];
        cl_fft_abs(fft, sd, smag);
    }
    for (int k = 0; k < nm && !rc; k++) {
        runs[k].dir = dirs[k];
        ms_model_name(dirs[k], runs[k].name, sizeof runs[k].name);
        for (int j = 0; j < k; j++) /* two folders of the same name: keep file names apart */
            if (!strcmp(runs[j].name, runs[k].name)) {
                size_t l = strlen(runs[k].name);
                snprintf(runs[k].name + (l < 100 ? l : 100), 28, "-%d", k + 1);
                break;
            }
        progress("multisine", k, nm);
        rc = run_model(&runs[k], series, &ms, fft, &so, perms, seed, &err);
    }
    progress_done();
    /* everything is computed: now the outputs */
    if (!rc && ms_make_outdir(out) < 0) rc = -1;
    char path[4096], base[4096];
    if (!rc) rc = write_json(cl_path_join(path, sizeof path, out, "multisine.json"), &ms, seed, perms, &so, runs, nm, &err);
    if (!rc) rc = write_csv(cl_path_join(path, sizeof path, out, "multisine.csv"), &ms, runs, nm, &err);
    for (int k = 0; k < nm && !rc; k++) {
        snprintf(base, sizeof base, "%s-spectra.safetensors", runs[k].name);
        rc = write_spectra(cl_path_join(path, sizeof path, out, base), &runs[k], sd, smag, &ms, &err);
        cl_fig_ms fm = {.name = runs[k].name, .n = ms.points, .nh = runs[k].layers * runs[k].heads, .heads = runs[k].heads,
                        .duration = ms.duration, .gap_hz = cl_multisine_smallest_gap(&ms), .series = sd,
                        .series_mag = smag, .attn = runs[k].arr.attn, .mag = runs[k].arr.mag,
                        .dnodc = runs[k].arr.dnodc, .induction = runs[k].ind};
        if (!rc) rc = cl_fig_multisine(&fm, cl_path_join(path, sizeof path, out, runs[k].name), &err);
    }
    if (!rc && !cli_quiet && cli_summary) {
        const double gap = cl_multisine_smallest_gap(&ms);
        for (int k = 0; k < nm; k++) {
            const model_run *r = &runs[k];
            printf("%s: %d heads, %d with a periodic spectrum, %d at the smallest gap (%g Hz, +/- %.3g Hz); "
                   "Spearman(amplitude, induction) = %.3f (p = %.3g)\n",
                   r->name, r->layers * r->heads, r->periodic, r->matching, gap, 1.0 / ms.duration, r->rho, r->p);
        }
        fprintf(stderr, "wrote %s/multisine.json, multisine.csv, spectra and figures\n", out);
    }
    for (int k = 0; runs && k < nm; k++) run_free(&runs[k]);
    free(runs); free(series); free(sd); free(smag);
    cl_fft_free(fft);
    if (rc > 0) return cli_fail_err(&err);
    return rc ? EXIT_BAD : 0;
}
