/* chronolens forecast — ChronosPipeline.predict from the command line: sample paths with
 * the model (cached decoder), quantiles and mean in a long CSV, optional sample paths
 * (.npy) and plot; or the context-parroting baseline, alone or compared with the model. */
#include "cli.h"
#include "../src/core/parse.h"
#include "../src/analysis/forecast.h"
#include "../src/analysis/bolt_forecast.h"
#include "../src/analysis/parrot.h"
#include "../src/core/core.h"
#include "../src/io/csv.h"
#include "../src/io/npy.h"
#include "../src/report/plot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_LEVELS 99
#define PLOT_MAX_SERIES 12
/* a horizon above this many prediction_lengths gets a warning */
#define FAR_HORIZON 4

typedef struct fc_args {
    const char *dir, *ctx_path, *out, *samples_out, *plot, *method, *quantiles;
    long horizon, samples, top_k, seed, window, batch;
    double temperature, top_p;
    int have_samples, have_temp, have_topk, have_topp, have_horizon, have_seed;
    int compare, no_cache, parrot;
    double levels[MAX_LEVELS];
    int nlev;
} fc_args;

/* --quantiles: comma-separated levels in (0, 1), through the shared (fuzzed) list parser */
static int parse_levels(const char *s, double *lv, int *n) {
    int ok = cl_parse_double_list(s, 0, 1, lv, MAX_LEVELS, n) == 0 && *n > 0;
    for (int i = 0; ok && i < *n; i++) ok = lv[i] > 0 && lv[i] < 1;
    if (!ok)
        return cli_fail("option --quantiles: '%s' is not a list of at most %d levels in (0, 1), e.g. 0.1,0.5,0.9", s,
                        MAX_LEVELS);
    return 0;
}

static int parse_args(int argc, char **argv, fc_args *a, cli_ui *ui) {
    memset(a, 0, sizeof *a);
    a->method = "model";
    a->quantiles = "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9";
    a->window = 8;
    a->batch = 0;
    for (int i = 1; i < argc; i++) {
        int r = opt_common(argc, argv, &i, ui);
        if (!r) r = opt_str(argc, argv, &i, "--model", &a->dir);
        if (!r) r = opt_str(argc, argv, &i, "--context", &a->ctx_path);
        if (!r) r = opt_str(argc, argv, &i, "--out", &a->out);
        if (!r) r = opt_str(argc, argv, &i, "--samples-out", &a->samples_out);
        if (!r) r = opt_str(argc, argv, &i, "--plot", &a->plot);
        if (!r) r = opt_str(argc, argv, &i, "--method", &a->method);
        if (!r) r = opt_str(argc, argv, &i, "--quantiles", &a->quantiles);
        if (!r && (r = opt_int(argc, argv, &i, "--horizon", 1, 1000000, &a->horizon)) == 1) a->have_horizon = 1;
        if (!r && (r = opt_int(argc, argv, &i, "--samples", 1, 100000, &a->samples)) == 1) a->have_samples = 1;
        if (!r && (r = opt_int(argc, argv, &i, "--top-k", 0, 1000000000, &a->top_k)) == 1) a->have_topk = 1;
        if (!r && (r = opt_double(argc, argv, &i, "--temperature", 0, 1e6, &a->temperature)) == 1) {
            a->have_temp = 1;
            if (!(a->temperature > 0)) return cli_fail("option --temperature: '%s' must be > 0", argv[i]);
        }
        if (!r && (r = opt_double(argc, argv, &i, "--top-p", 0, 1, &a->top_p)) == 1) {
            a->have_topp = 1;
            if (!(a->top_p > 0)) return cli_fail("option --top-p: '%s' is not in (0, 1]", argv[i]);
        }
        if (!r && (r = opt_int(argc, argv, &i, "--seed", 0, 0x7fffffffffffffffL, &a->seed)) == 1) a->have_seed = 1;
        if (!r) r = opt_int(argc, argv, &i, "--parrot-window", 1, 1000000, &a->window);
        if (!r) r = opt_int(argc, argv, &i, "--batch", 1, 100000, &a->batch);
        if (!r && opt_flag(argv, i, "--compare")) r = a->compare = 1;
        if (!r && opt_flag(argv, i, "--no-cache")) r = a->no_cache = 1;
        if (r < 0) return EXIT_BAD;
        if (!r) return cli_fail("forecast: unknown argument '%s'", argv[i]);
    }
    if (!a->ctx_path || !a->out)
        return cli_fail("forecast: usage: chronolens forecast [--model DIR] --context CSV --out OUT.csv [options] (chronolens forecast --help)");
    if (strcmp(a->method, "model") && strcmp(a->method, "parrot"))
        return cli_fail("option --method: '%s' is not model or parrot", a->method);
    a->parrot = !strcmp(a->method, "parrot");
    if (!a->parrot && !a->dir) a->dir = cli_default_model();
    if (a->parrot && a->compare) return cli_fail("forecast: --compare compares the model with the parrot; use it with --method model");
    if (a->parrot) { /* the parrot's one deterministic path has no sampling to set */
        const char *na = a->have_samples ? "--samples" : a->have_temp ? "--temperature" : a->have_topk ? "--top-k"
                       : a->have_topp ? "--top-p" : a->no_cache ? "--no-cache" : a->batch ? "--batch" : NULL;
        if (na) return cli_fail("forecast: %s does not apply to --method parrot (one deterministic path, no sampling)", na);
    }
    return parse_levels(a->quantiles, a->levels, &a->nlev) ? EXIT_BAD : 0;
}

/* ------------------------------------------------------------------ outputs */

static int write_csv(cl_out *o, const fc_args *a, char **names, int B, int H, const float *mean, const float *quant,
                     const float *parrot) {
    FILE *f = o->fp;
    fprintf(f, "series,step,mean");
    for (int i = 0; i < a->nlev; i++) fprintf(f, ",q%g", a->levels[i]);
    if (parrot && !a->parrot) fprintf(f, ",parrot");
    fputc('\n', f);
    for (int b = 0; b < B; b++)
        for (int k = 0; k < H; k++) {
            if (names) csv_write_field(f, names[b]); /* RFC 4180: "sales, EU" stays one field */
            else fprintf(f, "%d", b);
            fprintf(f, ",%d,%.9g", k + 1, mean[(size_t)b * H + k]);
            for (int i = 0; i < a->nlev; i++) fprintf(f, ",%.9g", quant[((size_t)b * H + k) * a->nlev + i]);
            if (parrot && !a->parrot) fprintf(f, ",%.9g", parrot[(size_t)b * H + k]);
            fputc('\n', f);
        }
    return 0;
}

/* One panel per series (the first PLOT_MAX_SERIES): context tail, median, 10-90% band,
 * and the parrot forecast when there is one. */
static int write_plot(const char *path, char **names, const float *ctx, int B, int L, int H, const float *band,
                      const float *parrot, int have_model, cl_error *err) {
    char base[4096];
    snprintf(base, sizeof base, "%s", path);
    size_t n = strlen(base);
    if (n > 4 && (!strcmp(base + n - 4, ".png") || !strcmp(base + n - 4, ".svg"))) base[n - 4] = 0;
    int P = B < PLOT_MAX_SERIES ? B : PLOT_MAX_SERIES;
    const double pw = 760, ph = 210, top = 34; /* 120 px right of each panel for its legend */
    cl_fig *fig = cl_fig_new(pw, top + P * ph);
    cl_fig_title(fig, have_model ? "forecast: context, median and 10-90% band" : "forecast: context parroting");
    int tail = L < 4 * H ? L : 4 * H;
    if (tail < 1) tail = 1;
    double *x = malloc(sizeof(double) * (tail + H) * 6), *y = x + tail + H, *lo = y + tail + H, *hi = lo + tail + H,
           *md = hi + tail + H, *pr = md + tail + H;
    for (int p = 0; p < P; p++) {
        for (int t = 0; t < tail; t++) { x[t] = t - tail + 1; y[t] = ctx[(size_t)p * L + L - tail + t]; }
        double *fx = x + tail;
        for (int k = 0; k < H; k++) {
            fx[k] = k + 1;
            if (have_model) {
                lo[k] = band[((size_t)p * H + k) * 3 + 0];
                md[k] = band[((size_t)p * H + k) * 3 + 1];
                hi[k] = band[((size_t)p * H + k) * 3 + 2];
            }
            if (parrot) pr[k] = parrot[(size_t)p * H + k];
        }
        cl_series s[4];
        int ns = 0;
        s[ns++] = (cl_series){.x = x, .y = y, .n = tail, .label = "context", .style = CL_LINE, .rgb = {0.2, 0.2, 0.2}};
        if (have_model) {
            s[ns++] = (cl_series){.x = fx, .y = hi, .y2 = lo, .n = H, .label = "10-90%", .style = CL_BAND,
                                  .rgb = {0.27, 0.51, 0.71}, .alpha = 0.3};
            s[ns++] = (cl_series){.x = fx, .y = md, .n = H, .label = "median", .style = CL_LINE, .rgb = {0.12, 0.35, 0.62}};
        }
        if (parrot)
            s[ns++] = (cl_series){.x = fx, .y = pr, .n = H, .label = "parrot", .style = CL_LINE, .rgb = {0.85, 0.37, 0.01}};
        char title[256];
        if (names) snprintf(title, sizeof title, "%s", names[p]);
        else snprintf(title, sizeof title, "series %d", p);
        cl_axes ax = {.title = title, .xlabel = "step (0 = last observed)", .ylabel = "value", .xmin = NAN,
                      .xmax = NAN, .ymin = NAN, .ymax = NAN, .legend = 3}; /* outside: never over the data */
        cl_fig_plot(fig, (cl_rect){60, top + p * ph + 18, pw - 200, ph - 60}, &ax, s, ns);
    }
    int rc = cl_fig_save(fig, base, err);
    cl_fig_free(fig);
    free(x);
    return rc;
}

/* ------------------------------------------------------------------ command */

int cmd_forecast(int argc, char **argv) {
    cli_ui ui = CLI_UI_INIT;
    fc_args a;
    int rc = parse_args(argc, argv, &a, &ui);
    if (rc) return rc;
    if (cli_out_file("forecast", a.out) || cli_out_file("forecast", a.samples_out) || cli_out_file("forecast", a.plot))
        return EXIT_BAD;
    cl_error err = {0};
    cl_model *m = NULL;
    cl_generator *g = NULL;
    float *ctx = NULL, *vals = NULL, *mean = NULL, *quant = NULL, *band = NULL, *parrot = NULL;
    char **names = NULL;
    cl_parrot_info *pinfo = NULL;
    int B = 0, L = 0, H = 0, S = 1, csv_open = 0, npy_done = 0;
    cl_out o;
    if ((rc = csv_read_context(a.ctx_path, &ctx, &B, &L, &names, &err))) goto done;
    if (L == 0) { rc = cl_error_set(&err, CL_EFORMAT, "%s: no values", a.ctx_path); goto done; }
    cli_warn_empty_series(&ui, a.ctx_path, ctx, B, L, names);
    cl_forecast_opts fo;
    if (!a.parrot || a.dir) {
        if ((rc = cl_model_load(a.dir, &m, &err))) goto done;
        cl_forecast_defaults(cl_model_config(m), &fo);
    }
    H = a.have_horizon ? (int)a.horizon : (m ? cl_model_config(m)->prediction_length : 64);
    if (H <= 0) H = 64;
    if (!a.parrot && !ui.quiet) {
        /* beyond prediction_length the median is fed back: one more model forecast per chunk */
        const int P = cl_model_config(m)->prediction_length;
        if (P > 0 && H > FAR_HORIZON * P)
            fprintf(stderr, "chronolens: warning: --horizon %d is %d x the model's prediction_length %d: %d rounds of "
                            "forecasting, each on its own medians (slow, and far from what the model was trained on)\n",
                    H, (H + P - 1) / P, P, (H + P - 1) / P);
    }
    const int bolt = !a.parrot && cl_model_is_bolt(m);
    if (bolt) { /* quantiles straight from the model: nothing is sampled */
        const char *bad = a.have_samples ? "--samples" : a.have_temp ? "--temperature" : a.have_topk ? "--top-k"
                        : a.have_topp ? "--top-p" : a.have_seed ? "--seed" : a.no_cache ? "--no-cache" : NULL;
        if (bad) {
            rc = cl_error_set(&err, CL_EINVAL, "forecast: %s means nothing for a Chronos-Bolt model (it predicts "
                              "quantiles, it does not sample)", bad);
            goto done;
        }
        S = cl_model_config(m)->n_quantiles; /* the quantile paths (B, Q, H) stand for the samples */
        size_t nv;
        if (cl_mul_size((size_t)B * S, (size_t)H, &nv) || nv > ((size_t)1 << 31)) {
            rc = cl_error_set(&err, CL_ENOMEM, "forecast: %d series x %d quantiles x %d steps is too many values", B, S, H);
            goto done;
        }
        if (!(vals = malloc(sizeof(float) * nv))) { rc = cl_error_set(&err, CL_ENOMEM, "forecast: out of memory"); goto done; }
        cl_progress pr = cli_progress_of(&ui);
        rc = cl_bolt_predict(m, ctx, B, L, H, (int)a.batch, &pr, vals, &err);
        cli_progress_done(&ui);
        if (rc) goto done;
    } else if (!a.parrot) {
        if (a.have_samples) fo.samples = (int)a.samples;
        if (a.have_temp) fo.sampling.temperature = (float)a.temperature;
        if (a.have_topk) fo.sampling.top_k = (int)a.top_k;
        if (a.have_topp) fo.sampling.top_p = (float)a.top_p;
        fo.seed = (uint64_t)a.seed;
        fo.batch = (int)a.batch;
        fo.use_cache = !a.no_cache;
        S = fo.samples;
        size_t nv;
        if (cl_mul_size((size_t)B * S, (size_t)H, &nv) || nv > ((size_t)1 << 31)) {
            rc = cl_error_set(&err, CL_ENOMEM, "forecast: %d series x %d samples x %d steps is too many values", B, S, H);
            goto done;
        }
        vals = malloc(sizeof(float) * nv);
        if (!vals) { rc = cl_error_set(&err, CL_ENOMEM, "forecast: out of memory"); goto done; }
        if ((rc = cl_generator_new(m, &fo, B, L, H, &g, &err))) goto done;
        cl_progress pr = cli_progress_of(&ui);
        cl_generator_on_progress(g, &pr);
        rc = cl_forecast_loop(cl_model_config(m), ctx, B, L, H, S, cl_generator_run, g, vals, &err);
        cli_progress_done(&ui);
        if (rc) goto done;
    }
    if (a.parrot || a.compare) {
        parrot = malloc(sizeof(float) * (size_t)B * H);
        pinfo = malloc(sizeof *pinfo * (size_t)B);
        if (!parrot || !pinfo) { rc = cl_error_set(&err, CL_ENOMEM, "forecast: out of memory"); goto done; }
        for (int b = 0; b < B; b++)
            if ((rc = cl_parrot_forecast(ctx + (size_t)b * L, L, (int)a.window, H, parrot + (size_t)b * H, &pinfo[b], &err)))
                goto done;
        if (a.parrot) { vals = parrot; parrot = NULL; S = 1; } /* one deterministic path */
    }
    mean = malloc(sizeof(float) * (size_t)B * H);
    quant = malloc(sizeof(float) * (size_t)B * H * a.nlev);
    band = malloc(sizeof(float) * (size_t)B * H * 3);
    if (!mean || !quant || !band) { rc = cl_error_set(&err, CL_ENOMEM, "forecast: out of memory"); goto done; }
    const double band_lv[3] = {0.1, 0.5, 0.9};
    if (bolt) {
        const cl_config *bc = cl_model_config(m);
        if ((rc = cl_bolt_quantiles_at(bc, vals, B, H, a.levels, a.nlev, quant, mean, &err))) goto done;
        if ((rc = cl_bolt_quantiles_at(bc, vals, B, H, band_lv, 3, band, NULL, &err))) goto done;
    } else {
        if ((rc = cl_forecast_summary(vals, B, S, H, a.levels, a.nlev, mean, quant, &err))) goto done;
        if ((rc = cl_forecast_summary(vals, B, S, H, band_lv, 3, mean, band, &err))) goto done;
    }

    /* outputs: the CSV is committed last, so a failure leaves none of them behind */
    if ((rc = cl_out_open(&o, a.out, &err))) goto done;
    csv_open = 1;
    write_csv(&o, &a, names, B, H, mean, quant, parrot);
    if (a.samples_out) {
        int64_t sh[3] = {B, S, H};
        if ((rc = npy_write_f32(a.samples_out, vals, 3, sh, &err))) goto done;
        npy_done = 1;
    }
    if (a.plot && (rc = write_plot(a.plot, names, ctx, B, L, H, band, a.parrot ? vals : parrot, !a.parrot, &err))) goto done;
    rc = cl_out_commit(&o, &err);
    csv_open = 0;
    if (!rc && a.compare) {
        /* agreement of the model's median with the parrot: MAE relative to the series scale */
        printf("series,parrot_period,match_distance,median_vs_parrot_mae_scaled\n");
        double tot = 0;
        for (int b = 0; b < B; b++) {
            double mae = 0;
            for (int k = 0; k < H; k++) mae += fabs((double)band[((size_t)b * H + k) * 3 + 1] - parrot[(size_t)b * H + k]);
            mae /= H * pinfo[b].scale;
            tot += mae;
            if (names) csv_write_field(stdout, names[b]); else printf("%d", b);
            putchar(',');
            printf("%d,%.6g,%.6g\n", pinfo[b].fallback ? 0 : pinfo[b].period, pinfo[b].distance, mae);
        }
        if (!ui.quiet) fprintf(stderr, "mean scaled MAE between the model's median and the parrot: %.4g\n", tot / B);
    }
done:
    if (csv_open) cl_out_abort(&o);
    if (rc && npy_done) unlink(a.samples_out);
    cl_generator_free(g);
    csv_free_names(names, B);
    free(vals); free(mean); free(quant); free(band); free(parrot); free(pinfo);
    cl_free(ctx);
    cl_model_free(m);
    if (rc) return cli_fail_err(&err);
    if (!ui.quiet) fprintf(stderr, "wrote %s\n", a.out);
    return 0;
}
