/* chronolens multisine-sweep — the "period = smallest frequency gap" claim over many random
 * frequency sets: how often each head's detected spacing equals the smallest gap, the error
 * distribution, the amplitude-induction rank correlation, and the same where the smallest gap
 * does not divide the other gaps. */
#include "cli.h"
#include "ms_common.h"
#include "../src/analysis/msheads.h"
#include "../src/analysis/mssweep.h"
#include "../src/analysis/multisine.h"
#include "../src/report/fig_multisine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char USAGE[] =
    "multisine-sweep: usage: chronolens multisine-sweep [--model DIR] --out DIR [--configs 100] [--seed N] "
    "[--top-k 3] [--points 301] [--duration 3] [--noise SIGMA] [--fmin 1] [--fmax 45] [--min-freqs 2] "
    "[--max-freqs 6] [--batch 16] [--permutations 10000] [--min-strength 0.3] [--harmonic-ratio 0.5]";

enum { ROW_ALL, ROW_TOPK, ROW_ND_ALL, ROW_ND_TOPK, NROWS };

typedef struct sweep {
    int C, G, heads;
    cl_multisine *cfg;   /* (C) */
    double *gap, *gcd, *fund; /* (C) smallest gap, gcd of the gaps, gcd of the frequencies */
    unsigned char *nd;   /* (C) smallest gap not a divisor of the other gaps */
    cl_ms_head *h;       /* (C, G) */
    double *ind;         /* (G) */
    cl_sweep_stats rows[NROWS];
    char row_name[NROWS][64];
} sweep;

static void freq_list(FILE *f, const cl_multisine *m) {
    for (int i = 0; i < m->n; i++) fprintf(f, "%s%g", i ? ";" : "", m->freqs[i]);
}

static int write_pairs_csv(const char *path, const sweep *sw, double tol, cl_error *err) {
    cl_out o;
    int rc = cl_out_open(&o, path, err);
    if (rc) return rc;
    FILE *f = o.fp;
    fputs("config,freqs_hz,smallest_gap_hz,gap_gcd_hz,freq_gcd_hz,non_divisor,layer,head,amplitude,peak,periodic,strength,"
          "spacing_hz,error_hz,match,induction_score\n", f);
    for (int c = 0; c < sw->C; c++)
        for (int g = 0; g < sw->G; g++) {
            const cl_ms_head *h = &sw->h[(size_t)c * sw->G + g];
            double e = h->sp.spacing_hz - sw->gap[c];
            fprintf(f, "%d,", c);
            freq_list(f, &sw->cfg[c]);
            fprintf(f, ",%g,%g,%g,%d,%d,%d,", sw->gap[c], sw->gcd[c], sw->fund[c], sw->nd[c], g / sw->heads,
                    g % sw->heads);
            ms_csv_num(f, h->amplitude); fputc(',', f);
            ms_csv_num(f, h->peak); fputc(',', f);
            fprintf(f, "%d,", h->sp.periodic);
            ms_csv_num(f, h->sp.strength); fputc(',', f);
            ms_csv_num(f, h->sp.spacing_hz); fputc(',', f);
            ms_csv_num(f, e);
            fprintf(f, ",%d,", h->sp.periodic && fabs(e) <= tol);
            ms_csv_num(f, sw->ind[g]); fputc('\n', f);
        }
    return cl_out_commit(&o, err);
}

static double frac(int a, int b) { return b > 0 ? (double)a / b : NAN; }

/* The summary table (markdown), to a file and to stdout. */
static void table(FILE *f, const sweep *sw, double tol) {
    fprintf(f, "| subset | configs | pairs | periodic | spacing = smallest gap (+/- %.3g Hz) | = gcd of gaps | "
               "= gcd of freqs | error q05 | q25 | median | q75 | q95 | mean abs error | Spearman rho | p |\n", tol);
    fputs("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n", f);
    for (int r = 0; r < NROWS; r++) {
        const cl_sweep_stats *s = &sw->rows[r];
        fprintf(f, "| %s | %d | %d | %.3f | %.3f | %.3f | %.3f |", sw->row_name[r], s->configs, s->pairs,
                frac(s->periodic, s->pairs), frac(s->match, s->pairs), frac(s->match_gcd, s->pairs),
                frac(s->match_fund, s->pairs));
        for (int k = 0; k < 5; k++) fprintf(f, " %.3g |", s->err_q[k]);
        fprintf(f, " %.3g |", s->mean_abs_err);
        if (isnan(s->rho)) fputs(" - | - |\n", f);
        else fprintf(f, " %.3f | %.3g |\n", s->rho, s->p);
    }
}

static int write_table(const char *path, const sweep *sw, double tol, cl_error *err) {
    cl_out o;
    int rc = cl_out_open(&o, path, err);
    if (rc) return rc;
    table(o.fp, sw, tol);
    return cl_out_commit(&o, err);
}

static int write_json(const char *path, const sweep *sw, const char *model, long seed, long perms, int topk,
                      const cl_multisine *base, int fmin, int fmax, int kmin, int kmax, double tol,
                      const cl_spacing_opts *so, cl_error *err) {
    cJSON *root = cJSON_CreateObject(), *set = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "command", "multisine-sweep");
    cJSON_AddStringToObject(set, "model", model);
    cJSON_AddNumberToObject(set, "configs", sw->C);
    cJSON_AddNumberToObject(set, "seed", (double)seed);
    cJSON_AddNumberToObject(set, "points", base->points);
    cJSON_AddNumberToObject(set, "duration_s", base->duration);
    cJSON_AddNumberToObject(set, "noise", base->noise);
    cJSON_AddNumberToObject(set, "fmin_hz", fmin);
    cJSON_AddNumberToObject(set, "fmax_hz", fmax);
    cJSON_AddNumberToObject(set, "min_freqs", kmin);
    cJSON_AddNumberToObject(set, "max_freqs", kmax);
    cJSON_AddNumberToObject(set, "top_k", topk);
    cJSON_AddNumberToObject(set, "match_tolerance_hz", tol);
    cJSON_AddNumberToObject(set, "permutations", (double)perms);
    cJSON_AddNumberToObject(set, "min_strength", so->min_strength);
    cJSON_AddNumberToObject(set, "harmonic_ratio", so->harmonic_ratio);
    cJSON_AddNumberToObject(set, "decoder_heads", sw->G);
    cJSON_AddItemToObject(root, "settings", set);
    cJSON *rows = cJSON_AddArrayToObject(root, "summary");
    for (int r = 0; r < NROWS; r++) {
        const cl_sweep_stats *s = &sw->rows[r];
        cJSON *o = cJSON_CreateObject(), *q = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "subset", sw->row_name[r]);
        cJSON_AddNumberToObject(o, "configs", s->configs);
        cJSON_AddNumberToObject(o, "pairs", s->pairs);
        cJSON_AddNumberToObject(o, "periodic", s->periodic);
        cJSON_AddNumberToObject(o, "match", s->match);
        cJSON_AddItemToObject(o, "fraction_match", ms_num(frac(s->match, s->pairs)));
        cJSON_AddNumberToObject(o, "match_gcd", s->match_gcd);
        cJSON_AddItemToObject(o, "fraction_match_gcd", ms_num(frac(s->match_gcd, s->pairs)));
        cJSON_AddNumberToObject(o, "match_freq_gcd", s->match_fund);
        cJSON_AddItemToObject(o, "fraction_match_freq_gcd", ms_num(frac(s->match_fund, s->pairs)));
        static const char *qn[5] = {"q05", "q25", "q50", "q75", "q95"};
        for (int k = 0; k < 5; k++) cJSON_AddItemToObject(q, qn[k], ms_num(s->err_q[k]));
        cJSON_AddItemToObject(o, "error_hz", q);
        cJSON_AddItemToObject(o, "mean_abs_error_hz", ms_num(s->mean_abs_err));
        cJSON_AddItemToObject(o, "spearman_rho", ms_num(s->rho));
        cJSON_AddItemToObject(o, "spearman_p", ms_num(s->p));
        cJSON_AddItemToArray(rows, o);
    }
    cJSON *ind = cJSON_AddArrayToObject(root, "induction_score");
    for (int g = 0; g < sw->G; g++) cJSON_AddItemToArray(ind, ms_num(sw->ind[g]));
    cJSON *cf = cJSON_AddArrayToObject(root, "configurations");
    for (int c = 0; c < sw->C; c++) {
        const cl_multisine *m = &sw->cfg[c];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToObject(o, "freqs_hz", cJSON_CreateDoubleArray(m->freqs, m->n));
        cJSON_AddItemToObject(o, "amps", cJSON_CreateDoubleArray(m->amps, m->n));
        cJSON_AddItemToObject(o, "phases_rad", cJSON_CreateDoubleArray(m->phases, m->n));
        cJSON_AddNumberToObject(o, "smallest_gap_hz", sw->gap[c]);
        cJSON_AddNumberToObject(o, "gap_gcd_hz", sw->gcd[c]);
        cJSON_AddNumberToObject(o, "freq_gcd_hz", sw->fund[c]);
        cJSON_AddBoolToObject(o, "non_divisor", sw->nd[c]);
        cJSON_AddItemToArray(cf, o);
    }
    int rc = ms_write_json(path, root, err);
    cJSON_Delete(root);
    return rc;
}

int cmd_multisine_sweep(int argc, char **argv) {
    const char *dir = NULL, *out = NULL;
    long configs = 100, seed = 0, points = 301, fmin = 1, fmax = 45, kmin = 2, kmax = 6, topk = 3, batch = 16,
         perms = 10000;
    double duration = 3, noise = 0;
    int topk_set = 0, nmodels = 0, have_points = 0, have_duration = 0;
    cl_spacing_opts so;
    cl_spacing_defaults(&so);
    for (int i = 1; i < argc; i++) {
        int r = opt_common(argc, argv, &i);
        if (!r && (r = opt_str(argc, argv, &i, "--model", &dir)) == 1 && ++nmodels > 1)
            return cli_fail("multisine-sweep: one --model per run (the sweep's summary is one model's); run it once per model "
                            "with its own --out, or use report for several");
        if (!r) r = opt_str(argc, argv, &i, "--out", &out);
        if (!r) r = opt_int(argc, argv, &i, "--configs", 1, 100000, &configs);
        if (!r) r = opt_int(argc, argv, &i, "--seed", 0, 0x7fffffffffffffffL, &seed);
        if (!r && (r = opt_int(argc, argv, &i, "--points", 8, 1000000, &points)) == 1) have_points = 1;
        if (!r && (r = opt_double(argc, argv, &i, "--duration", 1e-6, 1e9, &duration)) == 1) have_duration = 1;
        if (!r) r = opt_double(argc, argv, &i, "--noise", 0, 1e9, &noise);
        if (!r) r = opt_int(argc, argv, &i, "--fmin", 1, 1000000, &fmin);
        if (!r) r = opt_int(argc, argv, &i, "--fmax", 1, 1000000, &fmax);
        if (!r) r = opt_int(argc, argv, &i, "--min-freqs", 2, CL_MS_MAX_FREQS, &kmin);
        if (!r) r = opt_int(argc, argv, &i, "--max-freqs", 2, CL_MS_MAX_FREQS, &kmax);
        if (!r && (r = opt_int(argc, argv, &i, "--top-k", 1, 100000, &topk)) == 1) topk_set = 1;
        if (!r) r = opt_int(argc, argv, &i, "--batch", 1, 4096, &batch);
        if (!r) r = opt_int(argc, argv, &i, "--permutations", 0, 100000000, &perms);
        if (!r) r = ms_opt_spacing(argc, argv, &i, &so);
        if (r < 0) return EXIT_BAD;
        if (!r) return cli_fail("multisine-sweep: unknown argument '%s'", argv[i]);
    }
    if (!dir) dir = cli_default_model();
    if (!out) return cli_fail("%s", USAGE);
    if (cli_out_dir("multisine-sweep", out)) return EXIT_BAD;
    cl_multisine base;
    cl_multisine_reference(&base);
    base.points = (int)points;
    base.duration = duration;
    base.noise = noise;
    int minctx;
    if (ms_min_context(&dir, 1, &minctx)) return EXIT_BAD;
    if (!have_points && !have_duration) cl_multisine_fit_context(&base, minctx); /* method.md §3 */
    else if (base.points > minctx)
        return cli_fail("multisine-sweep: --points %d exceeds the context_length %d of %s", base.points, minctx, dir);
    points = base.points;
    duration = base.duration;
    const double nyq = cl_multisine_nyquist(&base), tol = 1.0 / duration;
    if (fmax <= fmin) return cli_fail("option --fmax: %ld Hz is not above --fmin %ld Hz", fmax, fmin);
    if (!(fmax < nyq))
        return cli_fail("option --fmax: %ld Hz is not below the Nyquist frequency %g Hz of %ld points over %g s", fmax, nyq,
                        points, duration);
    if (kmin > kmax) return cli_fail("option --min-freqs: %ld is above --max-freqs %ld", kmin, kmax);
    if (kmax > fmax - fmin + 1)
        return cli_fail("option --max-freqs: %ld distinct integer frequencies do not fit in [%ld, %ld] Hz", kmax, fmin, fmax);

    sweep sw = {0};
    sw.C = (int)configs;
    cl_error err = {0};
    cl_model *m = NULL;
    cl_state *s = NULL;
    cl_fft *fft = NULL;
    float *series = NULL;
    sw.cfg = malloc(sizeof(cl_multisine) * sw.C);
    sw.gap = malloc(sizeof(double) * sw.C);
    sw.gcd = malloc(sizeof(double) * sw.C);
    sw.fund = malloc(sizeof(double) * sw.C);
    sw.nd = malloc((size_t)sw.C);
    series = malloc(sizeof(float) * (size_t)sw.C * base.points);
    int rc = (!sw.cfg || !sw.gap || !sw.gcd || !sw.fund || !sw.nd || !series)
                 ? cl_error_set(&err, CL_ENOMEM, "multisine-sweep: out of memory for %d configurations", sw.C) : 0;
    if (!rc) {
        cl_rng rng;
        cl_rng_seed(&rng, (uint64_t)seed);
        for (int c = 0; c < sw.C; c++) { /* configuration c, then its noise: one stream, reproducible */
            cl_multisine_random(&rng, &base, (int)fmin, (int)fmax, (int)kmin, (int)kmax, &sw.cfg[c]);
            cl_multisine_eval(&sw.cfg[c], &rng, series + (size_t)c * base.points);
            sw.gap[c] = cl_multisine_smallest_gap(&sw.cfg[c]);
            sw.gcd[c] = cl_multisine_gap_gcd(&sw.cfg[c]);
            sw.fund[c] = cl_multisine_freq_gcd(&sw.cfg[c]);
            sw.nd[c] = (unsigned char)cl_multisine_non_divisor(&sw.cfg[c]);
        }
    }
    if (!rc) rc = cl_model_load(dir, &m, &err);
    if (!rc) rc = cl_state_new(m, &s, &err);
    if (!rc) {
        const cl_config *c = cl_model_config(m);
        sw.heads = c->num_heads;
        sw.G = c->num_decoder_layers * c->num_heads;
        if (topk > sw.G && !topk_set) topk = sw.G; /* the default on a model with fewer heads */
        if (topk > sw.G) rc = cl_error_set(&err, CL_EINVAL, "option --top-k: %ld exceeds the model's %d decoder heads", topk, sw.G);
    }
    if (!rc) {
        sw.h = calloc((size_t)sw.C * sw.G, sizeof *sw.h);
        sw.ind = malloc(sizeof(double) * sw.G);
        if (!sw.h || !sw.ind) rc = cl_error_set(&err, CL_ENOMEM, "multisine-sweep: out of memory");
    }
    if (!rc) rc = cl_fft_new(base.points, &fft, &err);
    if (!rc) {
        rc = cl_multisine_induction(s, sw.ind, NULL, NULL, &err);
        if (!rc) rc = cl_ms_heads(s, fft, series, sw.C, base.points, duration, (int)batch, &so, sw.h, NULL, progress, &err);
        if (rc) ms_err_prefix(&err, dir);
    }
    progress_done();
    if (!rc) {
        snprintf(sw.row_name[ROW_ALL], 64, "all pairs");
        snprintf(sw.row_name[ROW_TOPK], 64, "top-%ld heads by amplitude", topk);
        snprintf(sw.row_name[ROW_ND_ALL], 64, "non-divisor configs: all pairs");
        snprintf(sw.row_name[ROW_ND_TOPK], 64, "non-divisor configs: top-%ld", topk);
        for (int r = 0; r < NROWS && !rc; r++)
            if (cl_sweep_summarise(sw.h, sw.gap, sw.gcd, sw.fund, r >= ROW_ND_ALL ? sw.nd : NULL, sw.C, sw.G,
                                   r == ROW_TOPK || r == ROW_ND_TOPK ? (int)topk : 0, sw.ind, tol, (int)perms,
                                   (uint64_t)seed, &sw.rows[r]))
                rc = cl_error_set(&err, CL_ENOMEM, "multisine-sweep: out of memory");
    }
    if (!rc && ms_make_outdir(out) < 0) rc = -1;
    char path[4096];
    if (!rc) rc = write_pairs_csv(cl_path_join(path, sizeof path, out, "sweep.csv"), &sw, tol, &err);
    if (!rc) rc = write_json(cl_path_join(path, sizeof path, out, "sweep.json"), &sw, dir, seed, perms, (int)topk, &base,
                             (int)fmin, (int)fmax, (int)kmin, (int)kmax, tol, &so, &err);
    if (!rc) rc = write_table(cl_path_join(path, sizeof path, out, "sweep-summary.md"), &sw, tol, &err);
    if (!rc) {
        const size_t np = (size_t)sw.C * sw.G;
        double *g = malloc(sizeof(double) * np), *d = malloc(sizeof(double) * np);
        unsigned char *nd = malloc(np);
        if (!g || !d || !nd) rc = cl_error_set(&err, CL_ENOMEM, "multisine-sweep: out of memory");
        for (size_t i = 0; i < np && !rc; i++) {
            g[i] = sw.gap[i / sw.G];
            d[i] = sw.h[i].sp.spacing_hz;
            nd[i] = sw.nd[i / sw.G];
        }
        char title[256], name[128];
        ms_model_name(dir, name, sizeof name);
        snprintf(title, sizeof title, "%s: detected spacing vs smallest gap (%d configurations x %d heads)", name, sw.C, sw.G);
        if (!rc) rc = cl_fig_sweep(g, d, nd, (int)np, duration, title, cl_path_join(path, sizeof path, out, "sweep"), &err);
        free(g); free(d); free(nd);
    }
    if (!rc && !cli_quiet && cli_summary) {
        table(stdout, &sw, tol);
        fprintf(stderr, "wrote %s/sweep.csv, sweep.json, sweep-summary.md, sweep.png, sweep.svg\n", out);
    }
    free(sw.cfg); free(sw.gap); free(sw.gcd); free(sw.fund); free(sw.nd); free(sw.h); free(sw.ind); free(series);
    cl_fft_free(fft);
    cl_state_free(s);
    cl_model_free(m);
    if (rc > 0) return cli_fail_err(&err);
    return rc ? EXIT_BAD : 0;
}
