/* mssweep_study.c — the multisine sweep (method.md §3) on one model: random frequency sets,
 * the spectra of every decoder head for each, and how often the detected spacing is the
 * smallest gap (cl_mssweep_summarise); and its files sweep.csv, sweep.json and
 * sweep-summary.md (the only place their keys and columns are spelled). */
#include "study/multisine/msheads.h"
#include "io/outlock.h"
#include "study/multisine/mssweep.h"
#include "study/multisine/multisine.h"
#include "study/multisine/bolt_multisine.h"
#include "core/core.h"
#include "io/csv.h"
#include "io/json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cl_mssweep_default(cl_mssweep_opts *o) {
    memset(o, 0, sizeof *o);
    o->configs = 100;
    cl_multisine_reference(&o->base);
    o->fmin = 1;
    o->fmax = 45;
    o->kmin = 2;
    o->kmax = 6;
    o->batch = 16;
    o->permutations = 10000;
    cl_spacing_default(&o->spacing);
    o->fit_context = 1;
}

void cl_mssweep_free(cl_mssweep_result *r) {
    free(r->cfg); free(r->gap); free(r->gcd); free(r->fund); free(r->nd); free(r->h); free(r->ind); free(r->done);
    memset(r, 0, sizeof *r);
}

static double frac(int a, int b) { return b > 0 ? (double)a / b : NAN; }

static int alloc_configs(cl_mssweep_result *r, int C, cl_error *err) {
    r->C = C;
    r->cfg = malloc(sizeof(cl_multisine) * C);
    r->gap = malloc(sizeof(double) * C);
    r->gcd = malloc(sizeof(double) * C);
    r->fund = malloc(sizeof(double) * C);
    r->nd = malloc((size_t)C);
    return (!r->cfg || !r->gap || !r->gcd || !r->fund || !r->nd)
               ? cl_error_set(err, CL_ENOMEM, "multisine-sweep: out of memory for %d configurations", C) : 0;
}

static int alloc_heads(cl_mssweep_result *r, cl_error *err) {
    r->h = calloc((size_t)r->C * r->G, sizeof *r->h);
    r->ind = malloc(sizeof(double) * r->G);
    return (!r->h || !r->ind) ? cl_error_set(err, CL_ENOMEM, "multisine-sweep: out of memory") : 0;
}

static void name_rows(cl_mssweep_result *r) {
    snprintf(r->row_name[CL_MSS_ALL], 64, "all pairs");
    snprintf(r->row_name[CL_MSS_TOPK], 64, "top-%d heads by amplitude", r->opts.top_k);
    snprintf(r->row_name[CL_MSS_ND_ALL], 64, "non-divisor configs: all pairs");
    snprintf(r->row_name[CL_MSS_ND_TOPK], 64, "non-divisor configs: top-%d", r->opts.top_k);
}

/* The C random configurations of the seed and their series (C, points), one stream:
 * configuration c, then its noise (reproducible, and the same in every shard). */
int cl_mssweep_configs(const cl_mssweep_opts *o, cl_mssweep_result *r, float **series_out, cl_error *err) {
    const cl_multisine *base = &o->base;
    float *series = malloc(sizeof(float) * (size_t)o->configs * base->points);
    int rc = alloc_configs(r, o->configs, err);
    if (!rc && !series) rc = cl_error_set(err, CL_ENOMEM, "multisine-sweep: out of memory for %d configurations", r->C);
    if (!rc) {
        cl_rng rng;
        cl_rng_seed(&rng, o->seed);
        for (int c = 0; c < r->C; c++) {
            cl_multisine_random(&rng, base, o->fmin, o->fmax, o->kmin, o->kmax, &r->cfg[c]);
            cl_multisine_eval(&r->cfg[c], &rng, series + (size_t)c * base->points);
            r->gap[c] = cl_multisine_smallest_gap(&r->cfg[c]);
            r->gcd[c] = cl_multisine_gap_gcd(&r->cfg[c]);
            r->fund[c] = cl_multisine_freq_gcd(&r->cfg[c]);
            r->nd[c] = (unsigned char)cl_multisine_non_divisor(&r->cfg[c]);
        }
    }
    if (rc || !series_out) free(series);
    else *series_out = series;
    return rc;
}

int cl_mssweep_summary(cl_mssweep_result *r, cl_error *err) {
    const double tol = 1.0 / r->opts.base.duration;
    name_rows(r);
    for (int k = 0; k < CL_MSS_NROWS; k++)
        if (cl_mssweep_summarise(r->h, r->gap, r->gcd, r->fund, k >= CL_MSS_ND_ALL ? r->nd : NULL, r->C, r->G,
                                 k == CL_MSS_TOPK || k == CL_MSS_ND_TOPK ? r->opts.top_k : 0, r->ind, tol,
                                 r->opts.permutations, r->opts.seed, &r->rows[k]))
            return cl_error_set(err, CL_ENOMEM, "multisine-sweep: out of memory");
    return 0;
}

/* The sweep on the loaded model m, or (m NULL) the folder dir loaded for this run only. */
static int run_sweep(const cl_model *m, const char *dir, const cl_mssweep_opts *o0, cl_mssweep_result *r,
                     cl_error *err) {
    memset(r, 0, sizeof *r);
    cl_mssweep_opts ob = *o0; /* the series as the model's context allows */
    if (cl_multisine_fit_dirs(&dir, 1, o0->fit_context, &ob.base, err)) return CL_EINVAL;
    const cl_mssweep_opts *o = &ob;
    r->sig_points = ob.base.points;
    { /* Chronos-Bolt: the same series at the patch rate (method.md §4.2) */
        char cp[4096];
        cl_config c0;
        int have = 1;
        if (m) c0 = *cl_model_config(m);
        else {
            snprintf(cp, sizeof cp, "%s/config.json", dir);
            have = cl_config_load(cp, &c0, err) == 0;
        }
        if (have && c0.family != CL_FAMILY_T5) { /* Chronos-2 as Chronos-Bolt: bolt = 2 */
            r->bolt = c0.family == CL_FAMILY_CHRONOS2 ? 2 : 1;
            cl_mssweep_opts fitted = ob;
            cl_bolt_ms_input(&c0, &fitted.base, &ob.base);
            r->sig_points = cl_bolt_num_patches(&c0, ob.base.points);
        }
    }
    const cl_multisine *base = &o->base;
    const double nyq = cl_multisine_nyquist(base);
    /* every option's own bound, here rather than in each caller (the CLI's option table and the
     * Python package both reach this check) */
    if (o->configs < 1) return cl_error_set(err, CL_EINVAL, "multisine-sweep: --configs %d: must be >= 1", o->configs);
    if (base->points < 8) return cl_error_set(err, CL_EINVAL, "multisine-sweep: --points %d: must be >= 8", base->points);
    if (!(base->duration > 0) || !isfinite(base->duration))
        return cl_error_set(err, CL_EINVAL, "multisine-sweep: --duration %g: must be > 0", base->duration);
    if (!(base->noise >= 0) || !isfinite(base->noise))
        return cl_error_set(err, CL_EINVAL, "multisine-sweep: --noise %g: must be >= 0", base->noise);
    if (o->batch < 1) return cl_error_set(err, CL_EINVAL, "multisine-sweep: --batch %d: must be >= 1", o->batch);
    if (o->fmin < 1) return cl_error_set(err, CL_EINVAL, "multisine-sweep: --fmin %d: must be >= 1", o->fmin);
    if (o->kmin < 2 || o->kmax > CL_MS_MAX_FREQS)
        return cl_error_set(err, CL_EINVAL, "multisine-sweep: --min-freqs %d, --max-freqs %d: want 2 <= min <= max <= %d",
                            o->kmin, o->kmax, CL_MS_MAX_FREQS);
    if (o->top_k < 0) return cl_error_set(err, CL_EINVAL, "multisine-sweep: --top-k %d: must be >= 1 (0: 3)", o->top_k);
    if (o->permutations < 0)
        return cl_error_set(err, CL_EINVAL, "multisine-sweep: --permutations %d: must be >= 0", o->permutations);
    if (o->fmax <= o->fmin) return cl_error_set(err, CL_EINVAL, "option --fmax: %d Hz is not above --fmin %d Hz", o->fmax, o->fmin);
    if (!(o->fmax < nyq))
        return cl_error_set(err, CL_EINVAL, "option --fmax: %d Hz is not below the Nyquist frequency %g Hz of %d points over %g s",
                            o->fmax, nyq, base->points, base->duration);
    if (o->kmin > o->kmax) return cl_error_set(err, CL_EINVAL, "option --min-freqs: %d is above --max-freqs %d", o->kmin, o->kmax);
    if (o->kmax > o->fmax - o->fmin + 1)
        return cl_error_set(err, CL_EINVAL, "option --max-freqs: %d distinct integer frequencies do not fit in [%d, %d] Hz",
                            o->kmax, o->fmin, o->fmax);
    r->opts = *o;
    r->opts.progress = (cl_progress){0};
    r->opts.name = NULL;
    snprintf(r->model, sizeof r->model, "%s", dir);
    if (o->name) snprintf(r->name, sizeof r->name, "%s", o->name);
    else cl_study_model_name(dir, r->name, sizeof r->name);
    cl_model *own = NULL;
    cl_state *s = NULL;
    cl_fft *fft = NULL;
    float *series = NULL;
    int rc = cl_mssweep_configs(o, r, &series, err);
    /* a shard: only its configurations go through the model (gathered in front). Its units are
     * the batches of the whole run, so that every series shares its forward pass with the
     * same others as in one run (a batch's products do not depend on the other parts). */
    int nrun = r->C;
    if (!rc && o->shard.n >= 1) {
        if (!(r->done = calloc((size_t)r->C, 1))) rc = cl_error_set(err, CL_ENOMEM, "multisine-sweep: out of memory");
        nrun = 0;
        for (int c = 0; c < r->C && !rc; c++)
            if (cl_shard_has(&o->shard, c / (o->batch > 0 ? o->batch : 1))) {
                r->done[c] = 1;
                memmove(series + (size_t)nrun++ * base->points, series + (size_t)c * base->points, sizeof(float) * base->points);
            }
    }
    const cl_load_opts lo = {o->precision};
    if (!rc && !m && !(rc = cl_model_load(dir, &lo, &own, err))) m = own;
    if (!rc && (cl_model_is_chronos2(m) ? 2 : cl_model_is_bolt(m)) != r->bolt)
        rc = cl_error_set(err, CL_EINVAL, "%s: its config.json and its loaded family differ", dir);
    if (!rc) r->opts.precision = cl_model_precision(m); /* as run */
    if (!rc) rc = cl_state_new(m, &s, err);
    if (!rc) {
        const cl_config *c = cl_model_config(m);
        r->heads = c->num_heads;
        r->G = (r->bolt == 2 ? c->num_layers : c->num_decoder_layers) * c->num_heads; /* Chronos-2: time attention */
        if (!r->opts.top_k) r->opts.top_k = 3 < r->G ? 3 : r->G; /* the default on a model with fewer heads */
        if (r->opts.top_k > r->G)
            rc = cl_error_set(err, CL_EINVAL, "option --top-k: %d exceeds the model's %d decoder heads", r->opts.top_k, r->G);
    }
    if (!rc) rc = alloc_heads(r, err);
    if (!rc) rc = cl_fft_new(r->sig_points, &fft, err);
    if (!rc) {
        rc = r->bolt ? cl_bolt_ms_induction(s, r->ind, NULL, NULL, err) : cl_multisine_induction(s, r->ind, NULL, NULL, err);
        if (!rc && nrun > 0)
            rc = cl_ms_heads(s, fft, series, nrun, base->points, base->duration, o->batch, &o->spacing, r->h, NULL,
                             &o->progress, err);
        if (!rc && r->done) /* spread the shard's heads to their configurations */
            for (int c = r->C - 1, j = nrun - 1; c >= 0; c--) { /* j <= c: sources are never overwritten early */
                if (r->done[c]) {
                    if (c != j) memmove(&r->h[(size_t)c * r->G], &r->h[(size_t)j * r->G], sizeof *r->h * r->G);
                    j--;
                } else {
                    memset(&r->h[(size_t)c * r->G], 0, sizeof *r->h * r->G);
                }
            }
        if (rc) cl_error_prefix(err, dir); /* errors of a loaded model that do not name it */
    }
    if (!rc && !r->done) rc = cl_mssweep_summary(r, err);
    free(series);
    cl_fft_free(fft);
    cl_state_free(s);
    cl_model_free(own);
    if (rc) cl_mssweep_free(r);
    return rc;
}

int cl_mssweep_run(const char *dir, const cl_mssweep_opts *o, cl_mssweep_result *r, cl_error *err) {
    return run_sweep(NULL, dir, o, r, err);
}

int cl_mssweep_run_model(const cl_model *m, const char *path, const cl_mssweep_opts *o, cl_mssweep_result *r,
                         cl_error *err) {
    if (!m) return cl_error_set(err, CL_EINVAL, "multisine-sweep: no model");
    return run_sweep(m, path, o, r, err);
}

/* ------------------------------------------------------------------ files */

static void freq_list(FILE *f, const cl_multisine *m) {
    for (int i = 0; i < m->n; i++) fprintf(f, "%s%g", i ? ";" : "", m->freqs[i]);
}

static const char PAIRS_HEADER[] =
    "config,freqs_hz,smallest_gap_hz,gap_gcd_hz,freq_gcd_hz,non_divisor,layer,head,amplitude,peak,periodic,strength,"
    "spacing_hz,error_hz,match,induction_score,context_mass,max_share\n";

static int write_pairs_csv(const char *path, const cl_mssweep_result *sw, cl_error *err) {
    const double tol = 1.0 / sw->opts.base.duration;
    cl_out o;
    int rc = cl_out_open(&o, path, err);
    if (rc) return rc;
    FILE *f = o.fp;
    fputs(PAIRS_HEADER, f);
    for (int c = 0; c < sw->C; c++)
        for (int g = 0; g < sw->G; g++) {
            const cl_ms_head *h = &sw->h[(size_t)c * sw->G + g];
            double e = h->sp.spacing_hz - sw->gap[c];
            fprintf(f, "%d,", c);
            freq_list(f, &sw->cfg[c]);
            fprintf(f, ",%g,%g,%g,%d,%d,%d,", sw->gap[c], sw->gcd[c], sw->fund[c], sw->nd[c], g / sw->heads,
                    g % sw->heads);
            cl_csv_num(f, h->amplitude); fputc(',', f);
            cl_csv_num(f, h->peak); fputc(',', f);
            fprintf(f, "%d,", h->sp.periodic);
            cl_csv_num(f, h->sp.strength); fputc(',', f);
            cl_csv_num(f, h->sp.spacing_hz); fputc(',', f);
            cl_csv_num(f, e);
            fprintf(f, ",%d,", h->sp.periodic && fabs(e) <= tol);
            cl_csv_num(f, sw->ind[g]); fputc(',', f);
            cl_csv_num(f, h->mass); fputc(',', f);
            cl_csv_num(f, h->max_share); fputc('\n', f);
        }
    return cl_out_commit(&o, err);
}

void cl_mssweep_table(const cl_mssweep_result *sw, FILE *f) {
    const double tol = 1.0 / sw->opts.base.duration;
    fprintf(f, "| subset | configs | pairs | periodic | spacing = smallest gap (+/- %.3g Hz) | = gcd of gaps | "
               "= gcd of freqs | error q05 | q25 | median | q75 | q95 | mean abs error | Spearman rho | p |\n", tol);
    fputs("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n", f);
    for (int r = 0; r < CL_MSS_NROWS; r++) {
        const cl_mssweep_stats *s = &sw->rows[r];
        fprintf(f, "| %s | %d | %d | %.3f | %.3f | %.3f | %.3f |", sw->row_name[r], s->configs, s->pairs,
                frac(s->periodic, s->pairs), frac(s->match, s->pairs), frac(s->match_gcd, s->pairs),
                frac(s->match_fund, s->pairs));
        for (int k = 0; k < 5; k++) fprintf(f, " %.3g |", s->err_q[k]);
        fprintf(f, " %.3g |", s->mean_abs_err);
        if (isnan(s->rho)) fputs(" - | - |\n", f);
        else fprintf(f, " %.3f | %.3g |\n", s->rho, s->p);
    }
}

static int write_table(const char *path, const cl_mssweep_result *sw, cl_error *err) {
    cl_out o;
    int rc = cl_out_open(&o, path, err);
    if (rc) return rc;
    cl_mssweep_table(sw, o.fp);
    return cl_out_commit(&o, err);
}

static const char *QN[5] = {"q05", "q25", "q50", "q75", "q95"};

static cJSON *result_json(const cl_mssweep_result *sw) {
    const cl_mssweep_opts *o = &sw->opts;
    cJSON *root = cJSON_CreateObject(), *set = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "command", "multisine-sweep");
    cJSON_AddStringToObject(set, "model", sw->model);
    cJSON_AddStringToObject(set, "precision", cl_precision_name(o->precision));
    cJSON_AddNumberToObject(set, "configs", sw->C);
    cJSON_AddNumberToObject(set, "seed", (double)o->seed);
    cJSON_AddNumberToObject(set, "points", o->base.points);
    cJSON_AddNumberToObject(set, "duration_s", o->base.duration);
    if (sw->bolt) {
        cJSON_AddStringToObject(set, "family", sw->bolt == 2 ? "chronos2" : "bolt");
        cJSON_AddNumberToObject(set, "patches", sw->sig_points);
        cJSON_AddNumberToObject(set, "patch_nyquist_hz", sw->sig_points / (2 * o->base.duration));
    }
    cJSON_AddNumberToObject(set, "noise", o->base.noise);
    cJSON_AddNumberToObject(set, "fmin_hz", o->fmin);
    cJSON_AddNumberToObject(set, "fmax_hz", o->fmax);
    cJSON_AddNumberToObject(set, "min_freqs", o->kmin);
    cJSON_AddNumberToObject(set, "max_freqs", o->kmax);
    cJSON_AddNumberToObject(set, "top_k", o->top_k);
    cJSON_AddNumberToObject(set, "match_tolerance_hz", 1.0 / o->base.duration);
    cJSON_AddNumberToObject(set, "permutations", (double)o->permutations);
    cJSON_AddNumberToObject(set, "min_strength", o->spacing.min_strength);
    cJSON_AddNumberToObject(set, "harmonic_ratio", o->spacing.harmonic_ratio);
    cJSON_AddNumberToObject(set, "decoder_heads", sw->G);
    cJSON_AddItemToObject(root, "settings", set);
    cJSON *rows = cJSON_AddArrayToObject(root, "summary");
    for (int r = 0; r < CL_MSS_NROWS; r++) {
        const cl_mssweep_stats *s = &sw->rows[r];
        cJSON *x = cJSON_CreateObject(), *q = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "subset", sw->row_name[r]);
        cJSON_AddNumberToObject(x, "configs", s->configs);
        cJSON_AddNumberToObject(x, "pairs", s->pairs);
        cJSON_AddNumberToObject(x, "periodic", s->periodic);
        cJSON_AddNumberToObject(x, "concentrated", s->concentrated);
        cJSON_AddNumberToObject(x, "match", s->match);
        cJSON_AddItemToObject(x, "fraction_match", cl_json_num_or_null(frac(s->match, s->pairs)));
        cJSON_AddNumberToObject(x, "match_gcd", s->match_gcd);
        cJSON_AddItemToObject(x, "fraction_match_gcd", cl_json_num_or_null(frac(s->match_gcd, s->pairs)));
        cJSON_AddNumberToObject(x, "match_freq_gcd", s->match_fund);
        cJSON_AddItemToObject(x, "fraction_match_freq_gcd", cl_json_num_or_null(frac(s->match_fund, s->pairs)));
        for (int k = 0; k < 5; k++) cJSON_AddItemToObject(q, QN[k], cl_json_num_or_null(s->err_q[k]));
        cJSON_AddItemToObject(x, "error_hz", q);
        cJSON_AddItemToObject(x, "mean_abs_error_hz", cl_json_num_or_null(s->mean_abs_err));
        cJSON_AddItemToObject(x, "spearman_rho", cl_json_num_or_null(s->rho));
        cJSON_AddItemToObject(x, "spearman_p", cl_json_num_or_null(s->p));
        cJSON_AddItemToArray(rows, x);
    }
    cJSON *ind = cJSON_AddArrayToObject(root, "induction_score");
    for (int g = 0; g < sw->G; g++) cJSON_AddItemToArray(ind, cl_json_num_or_null(sw->ind[g]));
    cJSON *cf = cJSON_AddArrayToObject(root, "configurations");
    for (int c = 0; c < sw->C; c++) {
        const cl_multisine *m = &sw->cfg[c];
        cJSON *x = cJSON_CreateObject();
        cJSON_AddItemToObject(x, "freqs_hz", cJSON_CreateDoubleArray(m->freqs, m->n));
        cJSON_AddItemToObject(x, "amps", cJSON_CreateDoubleArray(m->amps, m->n));
        cJSON_AddItemToObject(x, "phases_rad", cJSON_CreateDoubleArray(m->phases, m->n));
        cJSON_AddNumberToObject(x, "smallest_gap_hz", sw->gap[c]);
        cJSON_AddNumberToObject(x, "gap_gcd_hz", sw->gcd[c]);
        cJSON_AddNumberToObject(x, "freq_gcd_hz", sw->fund[c]);
        cJSON_AddBoolToObject(x, "non_divisor", sw->nd[c]);
        cJSON_AddItemToArray(cf, x);
    }
    return root;
}

int cl_mssweep_write(const cl_mssweep_result *r, const char *dir, cl_error *err) {
    char path[4096];
    if (r->done) return cl_error_set(err, CL_EINVAL, "multisine-sweep: a shard's result has no summary (cl_mssweep_write_part)");
    int rc = write_pairs_csv(cl_path_join(path, sizeof path, dir, "sweep.csv"), r, err);
    if (!rc) rc = cl_json_save_free(cl_path_join(path, sizeof path, dir, "sweep.json"), result_json(r), err);
    if (!rc) rc = write_table(cl_path_join(path, sizeof path, dir, "sweep-summary.md"), r, err);
    return rc;
}

/* ------------------------------------------------------------------ reading */

/* one CSV cell at *p (up to ',' or end of line) as a number; empty = NaN */
static int cell_num(char **p, double *v) {
    char *s = *p, *e;
    size_t n = strcspn(s, ",\n");
    if (n == 0) *v = NAN;
    else {
        errno = 0;
        *v = strtod(s, &e);
        if (e != s + n || errno) return -1;
    }
    *p = s + n + (s[n] == ',');
    return 0;
}

/* the pairs of sweep.csv: amplitude, peak, periodic, strength, spacing per (config, head),
 * and the heads per layer (the largest head index + 1; sweep.json holds only the total) */
static int read_pairs(const char *path, cl_mssweep_result *r, cl_error *err) {
    char *text;
    if (cl_read_file(path, (size_t)1 << 30, &text, NULL, err)) return CL_EIO;
    int rc = 0;
    char *p = text;
    if (strncmp(p, PAIRS_HEADER, sizeof PAIRS_HEADER - 1)) rc = cl_error_set(err, CL_EFORMAT, "%s: not a multisine-sweep sweep.csv (header)", path);
    p += sizeof PAIRS_HEADER - 1;
    const size_t np = (size_t)r->C * r->G;
    int *lh = malloc(sizeof(int) * 2 * np);
    if (!rc && !lh) rc = cl_error_set(err, CL_ENOMEM, "%s: out of memory", path);
    r->heads = 1;
    for (size_t i = 0; i < np && !rc; i++) {
        double v[18];
        char *q = p;
        for (int k = 0; k < 18 && !rc; k++) {
            if (k == 1) { q += strcspn(q, ",\n"); q += *q == ','; v[k] = 0; continue; } /* freqs: in sweep.json */
            if (cell_num(&q, &v[k])) rc = cl_error_set(err, CL_EFORMAT, "%s: row %zu column %d: not a number", path, i + 2, k + 1);
        }
        if (!rc && (v[0] != (double)(i / r->G) || !(v[6] >= 0 && v[6] < r->G && v[7] >= 0 && v[7] < r->G)))
            rc = cl_error_set(err, CL_EFORMAT, "%s: row %zu: not configuration %zu", path, i + 2, i / r->G);
        if (rc) break;
        lh[2 * i] = (int)v[6];
        lh[2 * i + 1] = (int)v[7];
        if (lh[2 * i + 1] + 1 > r->heads) r->heads = lh[2 * i + 1] + 1;
        cl_ms_head *h = &r->h[i];
        h->amplitude = v[8];
        h->peak = v[9];
        h->sp.periodic = (int)v[10];
        h->sp.strength = v[11];
        h->sp.spacing_hz = v[12];
        h->mass = v[16];
        h->max_share = v[17];
        h->sp.quefrency_s = isfinite(v[12]) ? 1.0 / v[12] : NAN;
        h->sp.q = isfinite(v[12]) ? r->sig_points / (v[12] * r->opts.base.duration) : NAN;
        p = q + strcspn(q, "\n");
        if (*p) p++;
        else if (i + 1 < np) rc = cl_error_set(err, CL_EFORMAT, "%s: %zu rows for %zu pairs", path, i + 1, np);
    }
    for (size_t i = 0; i < np && !rc; i++)
        if (lh[2 * i] * r->heads + lh[2 * i + 1] != (int)(i % r->G))
            rc = cl_error_set(err, CL_EFORMAT, "%s: row %zu: not head %zu of configuration %zu", path, i + 2, i % r->G, i / r->G);
    free(lh);
    free(text);
    return rc;
}

int cl_mssweep_read(const char *dir, cl_mssweep_result *r, cl_error *err) {
    memset(r, 0, sizeof *r);
    char path[4096];
    cl_path_join(path, sizeof path, dir, "sweep.json");
    cJSON *root;
    int lrc = cl_json_load(path, &root, err); /* the load's status: a missing file is CL_EIO */
    if (lrc) return lrc;
    cl_jr j = {path, err, 0};
    cl_mssweep_opts *o = &r->opts;
    cl_mssweep_default(o);
    const cJSON *set = cl_jr_obj(&j, root, "settings");
    const char *model = cl_jr_str(&j, set, "model");
    if (model) snprintf(r->model, sizeof r->model, "%s", model);
    o->precision = cl_jr_precision(&j, set, "precision");
    int C = cl_jr_int(&j, set, "configs");
    o->configs = C;
    o->seed = (uint64_t)cl_jr_num(&j, set, "seed");
    o->base.points = cl_jr_int(&j, set, "points");
    o->base.duration = cl_jr_num(&j, set, "duration_s");
    r->sig_points = o->base.points;
    const cJSON *fam = cJSON_GetObjectItemCaseSensitive(set, "family");
    if (cJSON_IsString(fam) && (!strcmp(fam->valuestring, "bolt") || !strcmp(fam->valuestring, "chronos2"))) {
        r->bolt = strcmp(fam->valuestring, "bolt") ? 2 : 1;
        r->sig_points = cl_jr_int(&j, set, "patches");
    }
    o->base.noise = cl_jr_num(&j, set, "noise");
    o->fmin = cl_jr_int(&j, set, "fmin_hz");
    o->fmax = cl_jr_int(&j, set, "fmax_hz");
    o->kmin = cl_jr_int(&j, set, "min_freqs");
    o->kmax = cl_jr_int(&j, set, "max_freqs");
    o->top_k = cl_jr_int(&j, set, "top_k");
    o->permutations = cl_jr_int(&j, set, "permutations");
    o->spacing.min_strength = cl_jr_num(&j, set, "min_strength");
    o->spacing.harmonic_ratio = cl_jr_num(&j, set, "harmonic_ratio");
    r->G = cl_jr_int(&j, set, "decoder_heads");
    if (!j.rc && (C < 1 || C > 10000000 || r->G < 1 || r->G > 1 << 20 || o->base.points < 8 || !(o->base.duration > 0)))
        cl_jr_fail(&j, "sizes out of range", "settings");
    int nrow, ng, nc;
    const cJSON *rows = cl_jr_arr(&j, root, "summary", &nrow);
    if (!j.rc && nrow != CL_MSS_NROWS) cl_jr_fail(&j, "not 4 rows", "summary");
    for (int k = 0; k < CL_MSS_NROWS && !j.rc; k++) {
        const cJSON *x = cJSON_GetArrayItem(rows, k);
        cl_mssweep_stats *s = &r->rows[k];
        const char *name = cl_jr_str(&j, x, "subset");
        if (name) snprintf(r->row_name[k], sizeof r->row_name[k], "%s", name);
        s->configs = cl_jr_int(&j, x, "configs");
        s->pairs = cl_jr_int(&j, x, "pairs");
        s->periodic = cl_jr_int(&j, x, "periodic");
        s->concentrated = cl_jr_int(&j, x, "concentrated");
        s->match = cl_jr_int(&j, x, "match");
        s->match_gcd = cl_jr_int(&j, x, "match_gcd");
        s->match_fund = cl_jr_int(&j, x, "match_freq_gcd");
        const cJSON *q = cl_jr_obj(&j, x, "error_hz");
        for (int i = 0; i < 5; i++) s->err_q[i] = cl_jr_num(&j, q, QN[i]);
        s->mean_abs_err = cl_jr_num(&j, x, "mean_abs_error_hz");
        s->rho = cl_jr_num(&j, x, "spearman_rho");
        s->p = cl_jr_num(&j, x, "spearman_p");
    }
    const cJSON *ind = cl_jr_arr(&j, root, "induction_score", &ng);
    const cJSON *cf = cl_jr_arr(&j, root, "configurations", &nc);
    if (!j.rc && (ng != r->G || nc != C)) cl_jr_fail(&j, "not one per head / configuration", ng != r->G ? "induction_score" : "configurations");
    if (!j.rc) j.rc = alloc_configs(r, C, err);
    if (!j.rc) j.rc = alloc_heads(r, err);
    for (int g = 0; g < r->G && !j.rc; g++) r->ind[g] = cl_jr_item_num(&j, ind, g);
    for (int c = 0; c < C && !j.rc; c++) {
        const cJSON *x = cJSON_GetArrayItem(cf, c);
        cl_multisine *m = &r->cfg[c];
        *m = o->base;
        m->n = cl_jr_doubles(&j, x, "freqs_hz", m->freqs, CL_MS_MAX_FREQS);
        if (cl_jr_doubles(&j, x, "amps", m->amps, CL_MS_MAX_FREQS) != m->n && !j.rc) cl_jr_fail(&j, "not one per frequency", "amps");
        if (cl_jr_doubles(&j, x, "phases_rad", m->phases, CL_MS_MAX_FREQS) != m->n && !j.rc) cl_jr_fail(&j, "not one per frequency", "phases_rad");
        r->gap[c] = cl_jr_num(&j, x, "smallest_gap_hz");
        r->gcd[c] = cl_jr_num(&j, x, "gap_gcd_hz");
        r->fund[c] = cl_jr_num(&j, x, "freq_gcd_hz");
        r->nd[c] = (unsigned char)cl_jr_bool(&j, x, "non_divisor");
    }
    cJSON_Delete(root);
    if (!j.rc) {
        cl_path_join(path, sizeof path, dir, "sweep.csv");
        j.rc = read_pairs(path, r, err);
    }
    if (j.rc) cl_mssweep_free(r);
    return j.rc;
}
