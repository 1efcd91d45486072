/* report_html.c — index.html and the claims files of `chronolens report` (report_html.h). */
#include "report/report_html.h"
#include "io/outlock.h"
#include "report/report_claims.h"
#include "report/report_assets.h"
#include "report/report_data.h"
#include "report/report_findings.h"
#include "io/json.h"
#include "report/svg_heatmap.h"
#include "core/core.h"
#include "study/multisine/bolt_multisine.h"

#include <sys/stat.h>

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXM 64

typedef struct page {
    const char *dir;
    const cl_report_inputs *in;
    int n;                  /* models */
    const char *name[MAXM];
    cl_verdicts verdicts;   /* the claims (report_claims.c), also in data/claims.json */
} page;

/* ------------------------------------------------------------- page pieces */

static const char CSS[] =
    "body{font-family:sans-serif;font-size:15px;line-height:1.45;color:#222;max-width:1240px;margin:0 auto;padding:0 16px 40px}"
    "header{position:sticky;top:0;background:#fff;border-bottom:1px solid #ccc;padding:6px 0;z-index:10;display:flex;"
    "align-items:center;gap:20px;flex-wrap:wrap}h1{font-size:20px;margin:0}h2{font-size:19px;margin-top:30px;"
    "border-bottom:1px solid #ddd}h3{font-size:16px}nav a{margin-right:10px}section,tr[id]{scroll-margin-top:56px}"
    /* tables never wider than the page: long cells wrap (a folder path anywhere) */
    "table{border-collapse:collapse;margin:8px 0;max-width:100%}"
    "td,th{border:1px solid #ccc;padding:3px 7px;text-align:right;overflow-wrap:break-word}th{background:#f3f3f3}"
    "td.path{word-break:break-all}"
    "td.l,th.l{text-align:left}tr.sel td,td.sel,th.sel{background:#fff6d5}"
    "table.setup{font-size:13px}table.findings{width:100%;font-size:13.5px;line-height:1.3}table.findings td.claim{width:30%}"
    "table.findings .num{font-size:13px;color:#333}a.sec{font-size:12px;color:#666;white-space:nowrap}"
    "table.claims td:nth-child(1){width:26%}table.claims td:nth-child(2){width:24%}"
    "img{max-width:100%;height:auto;display:block;margin:6px 0}.note{color:#555;font-size:13px}"
    ".files{font-size:13px}.yes{color:#176b1d;font-weight:bold}.no{color:#a11;font-weight:bold}.und{color:#777}"
    "a.yes,a.no,a.und{text-decoration:none}"
    "select{font-size:15px}svg.heatmap{display:block;margin:6px 0;max-width:100%;height:auto}"
    ".readout{font-size:13px;font-family:monospace;min-height:1.3em;color:#333}"
    ".plot{margin:8px 0;max-width:100%;overflow:hidden}.empty{border:1px dashed #bbb;padding:10px;color:#444}"
    ".thumbs{display:flex;flex-wrap:wrap;gap:6px}.thumb{cursor:pointer;border:2px solid transparent}"
    ".thumb.on{border-color:#e8112d}.pattern{display:flex;gap:16px;flex-wrap:wrap;align-items:flex-start}";

/* A figure page.js draws from the page's data (data-fig: its kind; it draws the shown model's
 * once it is shown) and the links to the same figure's PNG and SVG files for papers (rel: path
 * under figures/ without extension; NULL: none). */
static void plot_div(FILE *f, const char *fig, const char *rel) {
    fprintf(f, "<div class=\"plot\" data-fig=\"%s\"></div>\n", fig);
    if (!rel) return;
    fputs("<div class=\"files\">figure for papers: <a href=\"figures/", f);
    cl_html_escape(f, rel);
    fputs(".png\">PNG</a> · <a href=\"figures/", f);
    cl_html_escape(f, rel);
    fputs(".svg\">SVG</a></div>\n", f);
}

static void open_model(FILE *f, const char *name) {
    fputs("<div class=\"per-model\" data-model=\"", f);
    cl_html_escape(f, name);
    fputs("\">\n", f);
}

static int is_bolt(const page *p, int k) { return p->in->setup.models[k].bolt; } /* Bolt or Chronos-2: patches */
static int is_c2(const page *p, int k) { return p->in->setup.models[k].chronos2; }

static int any_t5(const page *p) {
    for (int k = 0; k < p->n; k++)
        if (!is_bolt(p, k)) return 1;
    return 0;
}

static int any_bolt(const page *p) {
    for (int k = 0; k < p->n; k++)
        if (is_bolt(p, k)) return 1;
    return 0;
}

/* The multisine result holding model k (its family's; notebook: the notebooks' amplitudes). */
static const cl_multisine_result *ms_of(const page *p, int k, int notebook) {
    const cl_report_inputs *in = p->in;
    if (is_c2(p, k)) return notebook ? &in->ms_nb_c2 : &in->ms_c2;
    return is_bolt(p, k) ? (notebook ? &in->ms_nb_bolt : &in->ms_bolt) : (notebook ? &in->ms_nb : &in->ms);
}

/* A Chronos-Bolt model's block opens with what its section means in patches (method.md §4). */
static void bolt_note(FILE *f, const page *p, int k, const char *text) {
    if (!is_bolt(p, k)) return;
    const cl_report_model *m = &p->in->setup.models[k];
    fprintf(f, "<p class=\"note bolt\"><b>%s</b> (patches of %d values, stride %d%s): %s</p>\n",
            m->chronos2 ? "Chronos-2" : "Chronos-Bolt", m->patch_size, m->patch_stride,
            m->chronos2 ? ", [REG] and one future token appended" : m->reg_token ? ", [REG] appended" : "", text);
}

/* The two criteria's panel titles in model k's unit (token / patch, as the PNG figures'
 * cl_fig_* unit): "current UNIT SUFFIX", "UNIT to right SUFFIX". */
static void panel_titles(const page *p, int k, const char *cur_sfx, const char *right_sfx, char cur[80], char right[80]) {
    const char *unit = is_bolt(p, k) ? "patch" : "token";
    snprintf(cur, 80, "current %s%s", unit, cur_sfx);
    snprintf(right, 80, "%s to right%s", unit, right_sfx);
}

static void td_num(FILE *f, double v, const char *fmt) {
    fputs("<td>", f);
    if (isfinite(v)) fprintf(f, fmt, v);
    else fputs("–", f);
    fputs("</td>", f);
}

/* "key value" of one setting, "; " between them */
static void setting(FILE *f, int *first, const char *key, const char *text, double v) {
    fprintf(f, "%s", *first ? "" : "; ");
    *first = 0;
    cl_html_escape(f, key);
    fputs(" ", f);
    if (text) cl_html_escape(f, text);
    else fprintf(f, "%g", v);
}

static void setup_section(FILE *f, const page *p) {
    const cl_report_setup *s = &p->in->setup;
    fputs("<section id=\"setup\"><h2>2. Setup</h2>\n<table class=\"setup\"><tr><th class=\"l\">model</th><th class=\"l\">folder</th>"
          "<th class=\"l\">family</th><th>parameters</th><th class=\"l\">dtype</th><th>context</th><th class=\"l\">input</th>"
          "<th>d_model</th><th>d_ff</th><th>encoder layers</th><th>decoder layers</th><th>heads</th>"
          "<th>d_kv</th><th>vocabulary</th><th>precision</th></tr>\n", f);
    for (int k = 0; k < p->n; k++) {
        const cl_report_model *m = &s->models[k];
        fputs("<tr data-model=\"", f);
        cl_html_escape(f, p->name[k]);
        fputs("\"><td class=\"l\">", f);
        cl_html_escape(f, p->name[k]);
        fputs("</td><td class=\"l path\">", f);
        cl_html_escape(f, m->path);
        fprintf(f, "</td><td class=\"l\">%s</td>", m->chronos2 ? "Chronos-2" : m->bolt ? "Chronos-Bolt" : "Chronos-T5");
        td_num(f, m->parameters, "%.0f");
        fputs("<td class=\"l\">", f);
        cl_html_escape(f, m->dtype);
        fputs("</td>", f);
        td_num(f, m->context_length > 0 ? m->context_length : NAN, "%.0f"); /* older reports: not recorded */
        if (m->bolt) /* the patching: what one attention position is */
            fprintf(f, "<td class=\"l\">patches of %d, stride %d%s (%d patches)</td>", m->patch_size, m->patch_stride,
                    m->chronos2 ? ", [REG], future tokens" : m->reg_token ? ", [REG]" : "",
                    m->patch_stride > 0 ? m->context_length / m->patch_stride : 0);
        else fputs("<td class=\"l\">tokens (mean scaling, bins)</td>", f);
        /* a Bolt checkpoint's vocabulary is its [PAD]/[REG] embeddings only: not a token vocabulary */
        const int v[7] = {m->d_model, m->d_ff, m->encoder_layers, m->decoder_layers, m->heads, m->d_kv, m->bolt ? -1 : m->vocab_size};
        for (int i = 0; i < 7; i++) td_num(f, v[i] < 0 ? NAN : v[i], "%.0f");
        /* of the matrix products (--precision) */
        fputs("<td>", f);
        cl_html_escape(f, cl_precision_name(m->precision));
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n<table class=\"setup\"><tr><th class=\"l\">step</th><th class=\"l\">settings</th><th>run time (s)</th></tr>\n", f);
    for (int i = 0; i < CL_REPORT_STEPS; i++) {
        fputs("<tr><td class=\"l\">", f);
        cl_html_escape(f, CL_REPORT_STEP_NAMES[i]);
        fputs("</td><td class=\"l\">", f);
        int first = 1;
        if (i == CL_REPORT_INDUCTION || i == CL_REPORT_INDUCTION_ALL) {
            setting(f, &first, "seq_len", NULL, s->ind_seq_len);
            setting(f, &first, "reps", NULL, s->ind_reps);
            setting(f, &first, "batch", NULL, s->ind_batch);
            if (i == CL_REPORT_INDUCTION) setting(f, &first, "threshold", NULL, s->ind_threshold);
            if (any_t5(p) || !s->ind_patches[0]) /* an older report: no families recorded */
                setting(f, &first, "tokens", i == CL_REPORT_INDUCTION ? s->ind_tokens : s->ind_all_tokens, 0);
            if (i == CL_REPORT_INDUCTION && s->ind_patches[0]) setting(f, &first, "patches", s->ind_patches, 0);
            if (i == CL_REPORT_INDUCTION_ALL && !any_t5(p)) setting(f, &first, "not run", "Chronos-T5 models only (token sampling)", 0);
            else if (i == CL_REPORT_INDUCTION_ALL && any_bolt(p)) setting(f, &first, "models", "the Chronos-T5 models", 0);
        } else if (i == CL_REPORT_SWEEP) {
            setting(f, &first, "reps_list", s->sweep_reps, 0);
            setting(f, &first, "len_list", s->sweep_lens, 0);
            setting(f, &first, "batch", NULL, s->sweep_batch);
        } else if (i == CL_REPORT_MULTISINE || i == CL_REPORT_MULTISINE_NB) {
            if (any_t5(p)) setting(f, &first, any_bolt(p) ? "input (Chronos-T5)" : "input",
                                   i == CL_REPORT_MULTISINE ? s->ms_input : s->ms_nb_input, 0);
            const char *ib = i == CL_REPORT_MULTISINE ? s->ms_input_bolt : s->ms_nb_input_bolt;
            if (ib[0]) setting(f, &first, "input (Chronos-Bolt)", ib, 0);
            const char *ic = i == CL_REPORT_MULTISINE ? s->ms_input_c2 : s->ms_nb_input_c2;
            if (ic[0]) setting(f, &first, "input (Chronos-2)", ic, 0);
            setting(f, &first, "permutations", NULL, s->ms_permutations);
        } else {
            setting(f, &first, "configs", NULL, s->mss_configs);
            setting(f, &first, "permutations", NULL, s->mss_permutations);
        }
        fputs("</td>", f);
        td_num(f, s->step_seconds[i], "%.1f");
        fputs("</tr>\n", f);
    }
    if (s->ga_groups > 0) { /* Chronos-2 models only */
        int first = 1;
        fputs("<tr><td class=\"l\">group-attention</td><td class=\"l\">", f);
        setting(f, &first, "groups", NULL, s->ga_groups);
        setting(f, &first, "group_size", NULL, s->ga_group_size);
        setting(f, &first, "lags", s->ga_lags, 0);
        setting(f, &first, "noises", s->ga_noises, 0);
        setting(f, &first, "permutations", NULL, s->ga_permutations);
        setting(f, &first, "models", "the Chronos-2 models", 0);
        fputs("</td>", f);
        td_num(f, s->ga_seconds, "%.1f");
        fputs("</tr>\n", f);
    }
    fprintf(f, "</table>\n<p>seed %.0f (every random choice), %.0f threads, %s settings, total run time %.1f s, "
               "chronolens %s, created %s.</p>\n</section>\n",
            (double)s->seed, (double)s->threads, s->quick ? "quick (--quick)" : "default", s->seconds, s->version,
            s->created);
}

/* mean scores of n heads */
static void head_means(const cl_stat *st, double *out, int n) {
    for (int i = 0; i < n; i++) out[i] = st[i].mean;
}

static int mosaics_section(FILE *f, const page *p, cl_error *err) {
    fputs("<section id=\"mosaics\"><h2>3. Induction mosaics</h2>\n<p class=\"note\">Mean attention over the batch of "
          "repeated random tokens (S repeated R = 2 times, L = 10), per layer (down) and head (across). "
          "<b>current token</b>: at the most recent earlier occurrence m of the query's token; <b>token to right</b>: at m+1. "
          "Red frames: heads &ge; 0.3. Hover a cell: its exact value shows under the mosaic.", f);
    fprintf(f, " Batch: %d sequences (this section and section 3).", p->in->ind.opts.rrt.batch);
    fputs(" <b>Every occurrence</b> (the third mosaic): the attention on each of the R earlier occurrences of the "
          "query's token (and on the token after each), summed — the token-to-right sum is Olsson et al.'s prefix-matching "
          "score. A head that matches by content splits its attention over the R occurrences, so its most-recent score is "
          "about 1/R of its sum: the study's criterion misses it as R grows (claim <code>spread</code>). Tokens: the ids "
          "whose bin centres lie in the band of 1910..2187 of the 4096-token vocabulary (the study's text says 1910, its "
          "code 1911).</p>\n", f);
    const double thr = p->in->ind.opts.threshold;
    for (int k = 0; k < p->n; k++) {
        const cl_induction_result *m = &p->in->ind.res[k];
        const int heads = m->heads, bolt = is_bolt(p, k);
        open_model(f, p->name[k]);
        if (is_c2(p, k))
            bolt_note(f, p, k, "repeated random patches with ONE future token (method.md §4.1; S = R&middot;L + 1 patches, "
                               "[REG], one future token) — S is L = 10 patches of i.i.d. N(0, 1) values, repeated R = 2 "
                               "times, then s<sub>0</sub> again; Chronos-2 has no decoder: both mosaics are its <b>time "
                               "attention</b>. Upper: the query is the first <b>future token</b> (rows <code>future</code> of "
                               "induction.csv: it must read s<sub>1</sub> to forecast it; the claims are tested on it); lower: "
                               "the final s<sub>0</sub> patch (rows <code>encoder</code>). <b>current patch</b>: attention "
                               "on (R&minus;1)&middot;L, the most recent earlier s<sub>0</sub>; <b>patch to right</b>: on "
                               "(R&minus;1)&middot;L + 1 (s<sub>1</sub>). Strict: a time-attention head gated in the whole "
                               "pass moves the first-step median away from s<sub>1</sub>[0].");
        else bolt_note(f, p, k, "repeated random patches (method.md §4.1) — S is L = 10 patches of i.i.d. N(0, 1) values, "
                           "repeated R = 2 times, then its first patch s<sub>0</sub> again; read <i>token</i> as "
                           "<i>patch</i> above. <b>current patch</b>: attention on the most recent earlier occurrence m of "
                           "s<sub>0</sub>; <b>patch to right</b>: on m+1 (s<sub>1</sub>). Encoder query: the final "
                           "s<sub>0</sub> patch; cross-attention: the decoder's single query (Chronos-Bolt decodes every "
                           "quantile of the horizon in one step). No token band: the values are continuous.");
        for (int st = 0; st < 2; st++) {
            const int layers = st ? m->enc_layers : m->layers, n = layers * heads;
            double *a = malloc(sizeof(double) * (n + 1)), *b = malloc(sizeof(double) * (n + 1));
            if (!a || !b) { free(a); free(b); return cl_error_set(err, CL_ENOMEM, "report: out of memory"); }
            head_means(st ? m->enc_cur : m->cur, a, n);
            head_means(st ? m->enc_right : m->right, b, n);
            if (is_c2(p, k))
                fprintf(f, "<h3>%s</h3>\n", st ? "Time attention (query: the final s<sub>0</sub> patch; rows encoder)"
                                               : "Time attention (query: the first future token; rows future)");
            else fprintf(f, "<h3>%s</h3>\n", st ? (bolt ? "Encoder self-attention (query: the final s<sub>0</sub> patch)"
                                                 : "Encoder self-attention (query: the final s<sub>0</sub>)")
                                           : (bolt ? "Decoder cross-attention (query: the decoder's single query)"
                                                   : "Decoder cross-attention (query: s<sub>1</sub> at decoder position 1)"));
            cl_svg_heatmap h = {.rows = layers, .cols = heads, .vmin = 0, .vmax = 1, .xlabel = "head", .ylabel = "layer",
                                .cbar_label = "mean attention", .mark = thr, .values = 1,
                                .cell_fmt = "%.2f"};
            char tc[80], tr[80];
            panel_titles(p, k, " (m)", " (m+1)", tc, tr);
            cl_svg_panel pan[2] = {{tc, a}, {tr, b}};
            fprintf(f, "<div class=\"mosaic\" data-stack=\"%s\">\n", st ? "encoder" : "cross");
            cl_svg_heatmap_write(f, &h, pan, 2);
            fputs("<div class=\"readout\"></div></div>\n<div class=\"files\">files: <a href=\"figures/induction/", f);
            char rel[400];
            snprintf(rel, sizeof rel, "mosaic_%s%s", st ? "encoder_" : "", p->name[k]);
            cl_html_escape(f, rel);
            fputs(".png\">PNG</a> · <a href=\"figures/induction/", f);
            cl_html_escape(f, rel);
            fputs(".svg\">SVG</a> · numbers: <a href=\"data/induction/induction.csv\">induction.csv</a></div>\n", f);
            if (st == 0) { /* every occurrence: the sums */
                head_means(m->cur_all, a, n);
                head_means(m->right_all, b, n);
                fprintf(f, "<h3>%s, every earlier occurrence (sums over k)</h3>\n<div class=\"mosaic\" "
                        "data-stack=\"cross-all\">\n", is_c2(p, k) ? "Time attention of the first future token"
                                                                    : "Decoder cross-attention");
                panel_titles(p, k, ", all occurrences", ", all occurrences", tc, tr);
                cl_svg_panel pa[2] = {{tc, a}, {tr, b}};
                cl_svg_heatmap_write(f, &h, pa, 2);
                fputs("<div class=\"readout\"></div></div>\n<div class=\"files\">files: <a href=\"figures/induction/mosaic_all_", f);
                cl_html_escape(f, p->name[k]);
                fputs(".png\">PNG</a> · <a href=\"figures/induction/mosaic_all_", f);
                cl_html_escape(f, p->name[k]);
                fputs(".svg\">SVG</a></div>\n", f);
            }
            free(a); free(b);
        }
        fputs("</div>\n", f);
    }
    fputs("</section>\n", f);
    return 0;
}

static void counts_section(FILE *f, const page *p) {
    fputs("<section id=\"counts\"><h2>4. Counts across models</h2>\n<p class=\"note\"><b>relaxed</b>: mean attention "
          "&ge; 0.3; <b>strict</b>: relaxed and ablating the head lowers log p(s<sub>2</sub>) on average (mean change &lt; 0 "
          "— the sign alone, which a random model shows on many heads; section 9 tests it for significance; "
          "Chronos-Bolt: ablating it moves the first-step median forecast away from s<sub>1</sub>'s first value, "
          "&Delta;|median &minus; s<sub>1</sub>[0]|, README). "
          "<b>either</b>: current token or token to right. The selected model's row is highlighted.</p>\n"
          "<table><tr><th class=\"l\" rowspan=\"2\">model</th><th rowspan=\"2\">cross-attention heads</th>"
          "<th colspan=\"3\">relaxed</th><th colspan=\"3\">strict</th><th colspan=\"3\">encoder (relaxed)</th></tr>\n<tr>", f);
    for (int i = 0; i < 3; i++) fputs("<th>current</th><th>right</th><th>either</th>", f);
    fputs("</tr>\n", f);
    for (int k = 0; k < p->n; k++) {
        const cl_induction_result *m = &p->in->ind.res[k];
        fputs("<tr data-model=\"", f);
        cl_html_escape(f, p->name[k]);
        fputs("\"><td class=\"l\">", f);
        cl_html_escape(f, p->name[k]);
        fputs("</td>", f);
        td_num(f, (double)m->layers * m->heads, "%.0f");
        const cl_count *S[3] = {m->cross, m->strict ? m->strict_count : NULL, m->enc}; /* no strict test: – */
        for (int s = 0; s < 3; s++)
            for (int c = 0; c < 3; c++) td_num(f, S[s] ? S[s][c].n : NAN, "%.0f");
        fputs("</tr>\n", f);
    }
    fputs("</table>\n<div class=\"files\">numbers: <a href=\"data/induction/induction.json\">induction.json</a></div>\n"
          "</section>\n", f);
}

/* The largest mean score (either criterion) of model k's decoder heads, and where. */
static double best_head(const cl_induction_result *m, int *layer, int *head) {
    double best = -1;
    *layer = *head = -1;
    for (int i = 0; i < m->layers * m->heads; i++) {
        const double v = fmax(m->cur[i].mean, m->right[i].mean);
        if (v > best) { best = v; *layer = i / m->heads; *head = i % m->heads; }
    }
    return best;
}

static int heads_above(const cl_induction_result *m) {
    int n = 0;
    for (int i = 0; i < m->layers * m->heads; i++) n += cl_induction_above(m, i, CL_CUR) || cl_induction_above(m, i, CL_RIGHT);
    return n;
}

static int layers_section(FILE *f, const page *p, cl_error *err) {
    (void)err;
    const double thr = p->in->ind.opts.threshold;
    fprintf(f, "<section id=\"layers\"><h2>5. Layer distribution</h2>\n<p class=\"note\">Relative depth (layer+1)/layers of "
               "the decoder cross-attention heads &ge; %g (either criterion), every model (boxes: quartiles and median; "
               "points: the heads; the selected model bold; hover a point for its depth). The table counts the selected "
               "model's heads per layer.</p>\n", thr);
    int total = 0;
    for (int k = 0; k < p->n; k++) total += heads_above(&p->in->ind.res[k]);
    if (total) plot_div(f, "depth", "induction/layer_distribution");
    else { /* no box to draw: say why in words */
        int bk = 0, bl = -1, bh = -1;
        double best = -1;
        for (int k = 0; k < p->n; k++) {
            int l, h;
            const double v = best_head(&p->in->ind.res[k], &l, &h);
            if (v > best) { best = v; bk = k; bl = l; bh = h; }
        }
        fprintf(f, "<p class=\"empty\" id=\"depth-empty\">No figure: no decoder cross-attention head of %s reaches the "
                   "threshold %g on either criterion, so there is no depth to show. The largest mean score is %.3f (",
                p->n > 1 ? "any model" : "the model", thr, best);
        cl_html_escape(f, p->name[bk]);
        fprintf(f, ", decoder layer %d, head %d).</p>\n", bl, bh);
    }
    for (int k = 0; k < p->n; k++) {
        const cl_induction_result *m = &p->in->ind.res[k];
        const int L = m->layers, H = m->heads;
        open_model(f, p->name[k]);
        if (total && !heads_above(m)) {
            int l, h;
            const double v = best_head(m, &l, &h);
            fprintf(f, "<p class=\"empty\">No head of this model reaches %g (its largest mean score: %.3f, decoder layer "
                       "%d, head %d): it has no point in the figure.</p>\n", thr, v, l, h);
        }
        fputs("<table><tr><th>decoder layer</th><th>relative depth</th><th>heads &ge; 0.3, current</th>"
              "<th>token to right</th><th>strict, either</th></tr>\n", f);
        for (int l = 0; l < L; l++) {
            int a = 0, b = 0, s = 0;
            for (int h = 0; h < H; h++) {
                a += cl_induction_above(m, l * H + h, CL_CUR);
                b += cl_induction_above(m, l * H + h, CL_RIGHT);
                s += cl_induction_strict(m, l * H + h, CL_CUR) || cl_induction_strict(m, l * H + h, CL_RIGHT);
            }
            fprintf(f, "<tr><td>%d</td><td>%.3g</td><td>%d</td><td>%d</td><td>%d</td></tr>\n", l, (l + 1.0) / L, a, b, s);
        }
        fputs("</table>\n</div>\n", f);
    }
    fputs("</section>\n", f);
    return 0;
}

static int sweep_section(FILE *f, const page *p, cl_error *err) {
    fputs("<section id=\"sweep\"><h2>6. Sweep over repetitions R and sequence length L</h2>\n<p class=\"note\">Number of "
          "decoder cross-attention heads &ge; 0.3 for each (R, L); colour range 0 to the model's number of heads. "
          "Hover a cell: its exact value shows under the heatmap. The lines below: one per R, nudged apart on x so "
          "that equal counts (often 0) stay visible; hover a point for R, L and the count; click a legend entry to hide "
          "or show that R.", f);
    const cl_sweep_set *sw = &p->in->sweep;
    const int sb = sw->opts.rrt.batch, ib = p->in->ind.opts.rrt.batch;
    fprintf(f, " Batch: %d sequences per cell", sb);
    if (sb != ib) fprintf(f, " (the induction section used %d: its R = 2, L = 10 counts can differ from this grid's by a "
                             "head or two; the claims use the induction step's rows for that cell)", ib);
    fputs(". The table beside: the uniform level 1/T (T = R&middot;L + 2) — the fixed threshold 0.3 sits far above it "
          "at large T and close to it at small T, which inflates the small-L cells; the <b>baseline-aware</b> count "
          "(heads whose attention rises at least 0.3 of the way from 1/T to 1); the author's <b>total</b> (heads on "
          "current plus heads on right: a head on both counts twice) beside the union <b>either</b>; and the heads whose "
          "<b>all-occurrence</b> sum is &ge; 0.3.</p>\n", f);
    const int nr = sw->n_reps, nl = sw->n_lens;
    char (*rt)[16] = calloc((size_t)nr + 1, 16), (*lt)[16] = calloc((size_t)nl + 1, 16);
    const char **rp = calloc((size_t)nr + 1, sizeof *rp), **lp = calloc((size_t)nl + 1, sizeof *lp);
    double *a = malloc(sizeof(double) * (nr * nl + 1)), *b = malloc(sizeof(double) * (nr * nl + 1));
    int rc = (!rt || !lt || !rp || !lp || !a || !b) ? cl_error_set(err, CL_ENOMEM, "report: out of memory") : 0;
    for (int i = 0; !rc && i < nr; i++) { snprintf(rt[i], 16, "%d", sw->reps[i]); rp[i] = rt[i]; }
    for (int i = 0; !rc && i < nl; i++) { snprintf(lt[i], 16, "%d", sw->lens[i]); lp[i] = lt[i]; }
    for (int k = 0; k < p->n && !rc; k++) {
        const cl_induction_result *mi = &p->in->ind.res[k];
        for (int i = 0; i < nr * nl; i++) { /* a cell too long for the model's context: grey, no value */
            const cl_sweep_cell *c = &sw->res[k].cells[i];
            const int run = cl_sweep_cell_run(&sw->res[k], i);
            a[i] = run ? c->cross[CL_CUR].mean : NAN;
            b[i] = run ? c->cross[CL_RIGHT].mean : NAN;
        }
        open_model(f, p->name[k]);
        bolt_note(f, p, k, "R repetitions of L random patches (repeated random patches, as in section 2); a grey "
                           "cell was not run: its R&middot;L + 1 patches exceed this model's context. T counts the "
                           "patches and [REG].");
        cl_svg_heatmap h = {.rows = nr, .cols = nl, .vmin = 0, .vmax = (double)mi->layers * mi->heads,
                            .xlabel = "L", .ylabel = "R", .xticks = lp, .yticks = rp, .cbar_label = "heads >= 0.3",
                            .mark = NAN, .values = 1};
        char tc[80], tr[80];
        panel_titles(p, k, "", "", tc, tr);
        cl_svg_panel pan[2] = {{tc, a}, {tr, b}};
        fputs("<div class=\"sweepmap\">\n", f);
        cl_svg_heatmap_write(f, &h, pan, 2);
        fputs("<div class=\"readout\"></div></div>\n<div class=\"files\">numbers: <a href=\"data/sweep/sweep.csv\">sweep.csv</a></div>\n", f);
        fputs("<table class=\"sweeptab\"><tr><th>R</th><th>L</th><th>1/T</th><th>current</th><th>right</th>"
              "<th>either</th><th>total (sum)</th><th>baseline-aware</th><th>all occurrences</th></tr>\n", f);
        for (int i = 0; i < nr * nl; i++) {
            const cl_sweep_cell *c = &sw->res[k].cells[i];
            if (!cl_sweep_cell_run(&sw->res[k], i)) {
                fprintf(f, "<tr><td>%d</td><td>%d</td><td colspan=\"7\" class=\"l\">not run: R&middot;L + 1 = %d %s "
                           "exceed the context</td></tr>\n", sw->reps[i / nl], sw->lens[i % nl],
                        sw->reps[i / nl] * sw->lens[i % nl] + 1, is_bolt(p, k) ? "patches" : "tokens");
                continue;
            }
            const cl_sweep_extra e = cl_sweep_cell_extra(c, sw->opts.threshold);
            fputs("<tr>", f);
            td_num(f, c->reps, "%.0f");
            td_num(f, c->seq_len, "%.0f");
            td_num(f, e.inv_t, "%.3f");
            td_num(f, c->cross[CL_CUR].n, "%.0f");
            td_num(f, c->cross[CL_RIGHT].n, "%.0f");
            td_num(f, c->cross[CL_ANY].n, "%.0f");
            td_num(f, e.total, "%.0f");
            td_num(f, e.baseline_any, "%.0f");
            td_num(f, e.all_any, "%.0f");
            fputs("</tr>\n", f);
        }
        fputs("</table>\n", f);
        char rel[400];
        snprintf(rel, sizeof rel, "sweep/sweep_lines_%s", p->name[k]);
        plot_div(f, "sweep-lines", rel);
        fputs("</div>\n", f);
    }
    fputs("</section>\n", f);
    free(rt); free(lt); free(rp); free(lp); free(a); free(b);
    return rc;
}

static int multisine_section(FILE *f, const page *p, cl_error *err) {
    /* the input as the multisine step made it (301 points over 3 s, or fewer at the same rate
     * for a shorter context) */
    const char *input = p->in->setup.ms_input;
    fputs("<section id=\"multisine\"><h2>7. Multisine inputs and attention spectra</h2>\n<p class=\"note\">Reference input ", f);
    cl_html_escape(f, input[0] ? input : "5, 10, 20, 40 Hz, amplitudes 1, 0.5, 0.25, 0.25, phases 0, 301 points over 3 s");
    fputs(". Figures: hover a line for its values, drag to zoom (double-click resets), click a head in the legend to hide "
          "or show it (double-click: that head alone); the legend names every head drawn (layer, head, induction "
          "score), strongest first. The attention of the decoder "
          "start query over the context, per decoder head (coloured by induction score), its spectrum and its double "
          "FFT; then the sweep over random frequency sets: detected spacing against the smallest gap. Amplitudes: the "
          "study's text gives 1, 0.5, 0.25, 0.25, the author's notebooks computed with 1, 0.75, 0.5, 0.5; both are the "
          "reference input here (the second set's figures: figures/multisine-notebook/, numbers: "
          "data/multisine-notebook/), and on a small model the choice can change the periodicity result. The reference "
          "input cannot tell the smallest gap (5 Hz) from the gcd of its frequencies (also 5 Hz): "
          "<code>period_is_gap</code> is decided on the random sets whose smallest gap divides no other gap, where they "
          "differ; heads whose attention sits on EOS or on one position are reported apart. The heads' colouring and the "
          "Spearman columns use the induction score at the study's batch of 100; the claim "
          "<code>amplitude_is_induction</code> takes its induction heads from the mosaic (section 2's batch).</p>\n", f);
    int rc = 0;
    static const char *FIG[3][2] = {{"-attention", "ms-attn"}, {"-spectra", "ms-spec"}, {"-double-fft", "ms-dfft"}};
    for (int k = 0; k < p->n && !rc; k++) {
        open_model(f, p->name[k]);
        if (is_bolt(p, k)) { /* the signal at the patch rate, and what aliases there (method.md §4.2) */
            const cl_multisine_result *r = ms_of(p, k, 0);
            const cl_multisine *in = &r->opts.input;
            const double rate = r->sig_points / in->duration;
            double fa[CL_MS_MAX_FREQS], al[CL_MS_MAX_FREQS];
            const int na = cl_bolt_ms_aliases(in, r->sig_points, fa, al);
            char text[1400];
            int len = snprintf(text, sizeof text, "the attention signal is %s over the %d "
                               "context patches, one sample per patch: spectra are over patches at the patch rate %.4g Hz "
                               "(Nyquist %.4g Hz), resolution %.3g Hz. Input: %d values over %.4g s. ",
                               is_c2(p, k) ? "the first future token's time attention" : "the decoder query's cross-attention",
                               r->sig_points, rate, rate / 2, 1 / in->duration, in->points, in->duration);
            if (!na) snprintf(text + len, sizeof text - len, "No input frequency lies above the patch Nyquist: no aliasing.");
            for (int i = 0; i < na && len < (int)sizeof text - 80; i++)
                len += snprintf(text + len, sizeof text - len, "%s%g Hz aliases to %.4g Hz at the patch rate%s",
                                i ? "; " : "<b>Aliasing</b>: ", fa[i], al[i], i == na - 1 ? "." : "");
            bolt_note(f, p, k, text);
        }
        char rel[400];
        for (int i = 0; i < 3 && !rc; i++) {
            snprintf(rel, sizeof rel, "multisine/%s%s", p->name[k], FIG[i][0]);
            plot_div(f, FIG[i][1], rel);
        }
        snprintf(rel, sizeof rel, "multisine-sweep/%s/sweep", p->name[k]);
        plot_div(f, "mss", rel);
        fputs("<table><tr><th class=\"l\">subset</th><th>configs</th><th>pairs</th><th>concentrated</th><th>spacing = smallest gap</th>"
              "<th>= gcd of the gaps</th><th>= gcd of the frequencies</th>"
              "<th>median error (Hz)</th><th>mean |error| (Hz)</th><th>Spearman rho</th><th>p</th></tr>\n", f);
        const cl_mssweep_result *ms = &p->in->mss[k];
        for (int r = 0; r < CL_MSS_NROWS; r++) {
            const cl_mssweep_stats *row = &ms->rows[r];
            fputs("<tr><td class=\"l\">", f);
            cl_html_escape(f, ms->row_name[r]);
            fputs("</td>", f);
            td_num(f, row->configs, "%.0f");
            td_num(f, row->pairs, "%.0f");
            td_num(f, row->concentrated, "%.0f");
            td_num(f, row->pairs > 0 ? (double)row->match / row->pairs : NAN, "%.3f");
            td_num(f, row->pairs > 0 ? (double)row->match_gcd / row->pairs : NAN, "%.3f");
            td_num(f, row->pairs > 0 ? (double)row->match_fund / row->pairs : NAN, "%.3f");
            td_num(f, row->err_q[2], "%.3g");
            td_num(f, row->mean_abs_err, "%.3g");
            td_num(f, row->rho, "%.3f");
            td_num(f, row->p, "%.3g");
            fputs("</tr>\n", f);
        }
        fprintf(f, "</table>\n<div class=\"files\">numbers: <a href=\"data/multisine%s/multisine.csv\">multisine.csv</a> · "
                   "<a href=\"data/multisine-sweep/", is_c2(p, k) ? "-chronos2" : is_bolt(p, k) ? "-bolt" : "");
        cl_html_escape(f, p->name[k]);
        fputs("/sweep.json\">multisine-sweep</a></div>\n</div>\n", f);
    }
    fputs("</section>\n", f);
    return rc;
}

/* The index of model k in the group-attention result (by name), -1 when absent. */
static int ga_index(const page *p, int k) {
    for (int j = 0; j < p->in->ga.n; j++)
        if (!strcmp(p->in->ga.models[j].name, p->name[k])) return j;
    return -1;
}

/* The first lag > 0 of the group-attention grid (a lead–lag cell proper), -1 when none. */
static int ga_first_lead(const cl_group_attention_opts *o) {
    for (int a = 0; a < o->n_lags; a++)
        if (o->lags[a] > 0) return a;
    return -1;
}

/* One Chronos-2 model's group-attention block: the partner share per layer × head at the first
 * cell and at the first lag > 0 (inline SVG, hover values), the significant heads of every cell,
 * the share over the lags and over the noise (page.js). */
static int ga_block(FILE *f, const page *p, int k, cl_error *err) {
    const cl_group_attention_result *r = &p->in->ga;
    const int j = ga_index(p, k);
    if (j < 0) {
        fputs("<p class=\"empty\">No group-attention result for this model in this report.</p>\n", f);
        return 0;
    }
    const cl_group_attention_opts *o = &r->opts;
    const cl_group_attention_model *x = &r->res[j];
    const int L = x->layers, H = x->heads, lead = ga_first_lead(o);
    double *a = malloc(sizeof(double) * (L * H + 1)), *b = malloc(sizeof(double) * (L * H + 1));
    if (!a || !b) { free(a); free(b); return cl_error_set(err, CL_ENOMEM, "report: out of memory"); }
    for (int i = 0; i < L * H; i++) {
        a[i] = cl_group_attention_head(r, j, 0, 0, i / H, i % H)->partner;
        b[i] = lead >= 0 ? cl_group_attention_head(r, j, lead, 0, i / H, i % H)->partner : NAN;
    }
    char ta[96], tb[96];
    snprintf(ta, sizeof ta, "partner share, lag %d, noise %g", o->lags[0], o->noises[0]);
    snprintf(tb, sizeof tb, "partner share, lag %d, noise %g", lead >= 0 ? o->lags[lead] : 0, o->noises[0]);
    cl_svg_heatmap h = {.rows = L, .cols = H, .vmin = 0, .vmax = 1, .xlabel = "head", .ylabel = "layer",
                        .cbar_label = "B's group attention on A", .mark = NAN, .values = 1, .cell_fmt = "%.2f"};
    cl_svg_panel pan[2] = {{ta, a}, {tb, b}};
    fputs("<div class=\"mosaic\" data-stack=\"group\">\n", f);
    cl_svg_heatmap_write(f, &h, pan, lead >= 0 ? 2 : 1);
    fputs("<div class=\"readout\"></div></div>\n<div class=\"files\">figure for papers: <a href=\"figures/group-attention/", f);
    cl_html_escape(f, p->name[k]);
    fputs("_heads.png\">PNG</a> · <a href=\"figures/group-attention/", f);
    cl_html_escape(f, p->name[k]);
    fputs("_heads.svg\">SVG</a> · numbers: <a href=\"data/group-attention/group_attention.csv\">group_attention.csv</a>, "
          "<a href=\"data/group-attention/group_attention.json\">group_attention.json</a></div>\n", f);
    free(a); free(b);
    /* every cell: its significant heads, and the strongest head with its p */
    fprintf(f, "<table class=\"gatab\"><tr><th>lag</th><th>noise</th><th>significant heads</th><th class=\"l\">they are "
               "(partner share, p)</th><th class=\"l\">largest partner share (head, p)</th></tr>\n");
    for (int ai = 0; ai < o->n_lags; ai++)
        for (int bi = 0; bi < o->n_noises; bi++) {
            int nsig = 0, best = 0;
            for (int i = 0; i < L * H; i++) {
                const cl_ga_head *e = cl_group_attention_head(r, j, ai, bi, i / H, i % H);
                nsig += e->significant;
                if (e->partner > cl_group_attention_head(r, j, ai, bi, best / H, best % H)->partner) best = i;
            }
            fprintf(f, "<tr><td>%d</td><td>%g</td><td>%d</td><td class=\"l\">", o->lags[ai], o->noises[bi], nsig);
            int shown = 0;
            for (int i = 0; i < L * H && shown < 8; i++) {
                const cl_ga_head *e = cl_group_attention_head(r, j, ai, bi, i / H, i % H);
                if (!e->significant) continue;
                fprintf(f, "%slayer %d head %d (%.3f, %.2g)", shown ? "; " : "", i / H, i % H, e->partner, e->p);
                shown++;
            }
            if (nsig > shown) fprintf(f, "; … %d more", nsig - shown);
            if (!nsig) fputs("none", f);
            const cl_ga_head *e = cl_group_attention_head(r, j, ai, bi, best / H, best % H);
            fprintf(f, "</td><td class=\"l\">%.3f (layer %d head %d, p %.2g)</td></tr>\n", e->partner, best / H, best % H, e->p);
        }
    fputs("</table>\n", f);
    char rel[400];
    snprintf(rel, sizeof rel, "group-attention/%s_lag", p->name[k]);
    plot_div(f, "ga-lag", rel);
    snprintf(rel, sizeof rel, "group-attention/%s_noise", p->name[k]);
    plot_div(f, "ga-noise", rel);
    return 0;
}

/* Group attention across series (Chronos-2 only; docs/group_attention.md). */
static int ga_section(FILE *f, const page *p, cl_error *err) {
    const cl_group_attention_opts *o = &p->in->ga.opts;
    fprintf(f, "<section id=\"group\"><h2>7b. Group attention across series (Chronos-2)</h2>\n<p class=\"note\">Chronos-2's "
               "every layer has a <b>group attention</b>: at each patch the series of one group attend to each other. The "
               "cross-series analogue of the induction test: groups of %d series of i.i.d. N(0, 1) values — B, its "
               "<b>partner</b> A and %d distractors — where B is A shifted by <i>lag</i> patches plus noise (A leads: it "
               "already shows what B will show), %d groups per (lag, noise) cell. Per layer and head, the share of B's "
               "group attention at the last context patch that lands on A, against the uniform 1/%d = %.3g; a head is "
               "<b>significant</b> when its share beats %d shuffled pairings (the partner label moved to a random non-B row "
               "of each group; one-sided p, Holm over the heads of the cell at %g) and is above 1/%d. At lag 0 A is B's "
               "copy (a head that reads it is a similarity head); a head that still reads A at lag &gt; 0 looks up the "
               "series that carries B's future. Hover a cell: its exact value shows under the heatmap; the figures below: "
               "the share over the lags and the noise (the strongest heads shown, the others in the legend).</p>\n",
            o->group_size, o->group_size - 2, o->groups, o->group_size, 1.0 / o->group_size, o->permutations, o->alpha,
            o->group_size);
    int rc = 0;
    for (int k = 0; k < p->n && !rc; k++) {
        open_model(f, p->name[k]);
        if (!is_c2(p, k))
            fprintf(f, "<p class=\"empty\">%s has no group attention: its series never attend to each other.</p>\n",
                    is_bolt(p, k) ? "Chronos-Bolt" : "Chronos-T5");
        else rc = ga_block(f, p, k, err);
        fputs("</div>\n", f);
    }
    fputs("</section>\n", f);
    return rc;
}

/* 8. Attention patterns on a real input (report_pattern.c): per model, the encoder's maps of
 * the layer chosen as thumbnails, one head enlarged; drawn by page.js from the page's data. */
static void patterns_section(FILE *f, const page *p) {
    fputs("<section id=\"patterns\"><h2>8. Attention patterns on a real input</h2>\n<p class=\"note\">One forward pass "
          "of each model on one series (<code>report --pattern-input rrt|multisine</code>, or the first series of "
          "<code>report --context CSV</code>): the encoder self-attention of every head of the chosen layer, query (down) "
          "by key (across), as thumbnails (titles: the head's mean attention on the induction stripe); click one to enlarge "
          "it, hover a cell for the query and key (position, value, token id or patch) and the attention. On a repeated "
          "sequence the <b>induction stripe</b> is marked in red: from the second repeat on, a query's key is the position "
          "after its previous occurrence (L &minus; 1 back), where an induction head looks. Data: "
          "data/patterns/.</p>\n", f);
    for (int k = 0; k < p->n; k++) {
        const char *js = p->in->patterns ? p->in->patterns[k] : NULL;
        open_model(f, p->name[k]);
        if (!js) {
            fputs("<p class=\"empty\">No attention pattern for this model in this report.</p>\n</div>\n", f);
            continue;
        }
        const int layers = p->in->setup.models[k].encoder_layers;
        if (is_c2(p, k))
            bolt_note(f, p, k, "the maps are the <b>time attention</b> of the input's row, over its patches, [REG] and "
                               "one future token. The pass holds the input in a group of four series — the input (B), "
                               "a partner A that leads it by one patch (A's patch t is B's patch t + 1) and two "
                               "distractors (i.i.d. N(0, 1)) — and under the maps each head's <b>group attention</b> "
                               "among them at the last context patch (query row down, key row across).");
        fprintf(f, "<div class=\"plot\" data-fig=\"attn-pattern\"><label>%s layer <select class=\"layer\">",
                is_c2(p, k) ? "" : "encoder");
        for (int l = 0; l < layers; l++) fprintf(f, "<option value=\"%d\">%d</option>", l, l);
        fputs("</select></label> <span class=\"note\">click a thumbnail to enlarge that head</span>\n<div class=\"pattern\">"
              "<div class=\"thumbs\"></div><div class=\"big\"></div></div>", f);
        if (is_c2(p, k))
            fputs("<h3>Group attention at the last context patch</h3><p class=\"note\">Each head of the layer: query row "
                  "(down) by key row (across) — B the input, A its partner leading by one patch, D1, D2 distractors; "
                  "hover a cell for its value.</p><div class=\"group thumbs\"></div>", f);
        fputs("</div>\n<div class=\"files\">numbers: <a href=\"data/"
              "patterns/", f);
        cl_html_escape(f, p->name[k]);
        fputs(".json\">", f);
        cl_html_escape(f, p->name[k]);
        fputs(".json</a></div>\n</div>\n", f);
    }
    fputs("</section>\n", f);
}

static void verdict_row(FILE *f, const cl_verdict *c, int i) {
    fprintf(f, "<tr id=\"v%d\" data-claim=\"%s\"><td class=\"l\">", i, c->id);
    cl_html_escape(f, c->claim);
    fputs("</td><td class=\"l\">", f);
    cl_html_escape(f, c->test);
    fputs("</td><td class=\"l\">", f);
    for (int j = 0; j < c->n; j++) {
        fprintf(f, "%s", j ? "<br>" : "");
        cl_html_escape(f, c->name[j]);
        if (isfinite(c->value[j])) fprintf(f, ": %.4g", c->value[j]);
        else fputs(": –", f);
    }
    fprintf(f, "</td><td class=\"l %s\">%s", c->verdict == 1 ? "yes" : c->verdict == 0 ? "no" : "und",
            cl_verdict_word(c->verdict));
    fputs("<br><span class=\"note\">", f);
    cl_html_escape(f, c->reason);
    fputs("</span></td></tr>\n", f);
}

static const char CLAIMS_HEAD[] = "<table class=\"claims\"><tr><th class=\"l\">claim</th><th class=\"l\">test</th><th class=\"l\">"
                                  "numbers</th><th class=\"l\">verdict</th></tr>\n";

static void claims_section(FILE *f, const page *p) {
    fputs("<section id=\"claims\"><h2>9. Claims tested</h2>\n<p class=\"note\">Each claim of the study (method.md "
          "§5, docs/claims.md), the test applied, the numbers it rests on and the verdict with its reason; computed "
          "from data/scores.csv and the multisine results by the same code as <code>chronolens claims --scores "
          "data/scores.csv --multisine data</code> (data/claims.json, claims.csv). Where a row has std and n the "
          "sampling error decides (a difference beyond 1.96 standard errors); <b>undecided</b> means the data cannot "
          "decide, and says why. Limits: the fixed threshold 0.3 is the study's, but the uniform level 1/T falls "
          "from 0.167 (R = 2, L = 2) to 0.010 (R = 10, L = 10), so short-sequence cells are inflated by construction; "
          "a head that matches by content splits its attention over the R earlier occurrences, so a perfect "
          "induction head loses the study's criterion as R grows (<code>spread</code>). <code>strict</code> is an "
          "extension (Olsson et al.'s criterion), not a claim of the study. Batches: the rows at R = 2, L = 10 are the "
          "induction step's (section 3), every other cell the sweep's (section 6).</p>\n", f);
    for (int k = 0; k < p->n; k++) {
        open_model(f, p->name[k]);
        fputs(CLAIMS_HEAD, f);
        for (int i = 0; i < p->verdicts.n; i++) {
            const cl_verdict *c = &p->verdicts.v[i];
            if (c->n_models == 1 && !strcmp(c->model[0], p->name[k]) && !(c->id && !strcmp(c->id, "size"))) verdict_row(f, c, i);
        }
        fputs("</table>\n</div>\n", f);
    }
    fputs("<h3>Across the models</h3>\n<p class=\"note\">Claims that compare models get one verdict for the set.</p>\n", f);
    fputs(CLAIMS_HEAD, f);
    for (int i = 0; i < p->verdicts.n; i++) {
        const cl_verdict *c = &p->verdicts.v[i];
        if (c->n_models != 1 || !strcmp(c->id, "size")) verdict_row(f, c, i);
    }
    fputs("</table>\n</section>\n", f);
}

/* One model's training record as the section draws it: float columns (rows) of the
 * typed formation result (formation.csv holds 6 decimals: a float keeps what it shows). */
typedef struct formation {
    float *v;              /* (6, rows): step, max current, max right, heads >= 0.3, loss, icl */
    int rows, present;
} formation;

static int formation_load(const cl_formation_result *fr, formation *fm, cl_error *err) {
    memset(fm, 0, sizeof *fm);
    if (!fr || !fr->pts) return 0;
    fm->present = 1;
    fm->rows = fr->n;
    if (!(fm->v = malloc(sizeof(float) * 6 * (size_t)(fr->n ? fr->n : 1)))) return cl_error_set(err, CL_ENOMEM, "report: out of memory");
    for (int i = 0; i < fr->n; i++) {
        const cl_formation_point *x = &fr->pts[i];
        const float c[6] = {(float)x->step, x->max_cur, x->max_right, (float)x->n_any, (float)x->eval_loss, (float)x->icl};
        for (int q = 0; q < 6; q++) fm->v[(size_t)q * fr->n + i] = c[q];
    }
    return 0;
}

static void formation_free(formation *fm) { free(fm->v); }

/* Row of the largest value of x (first on ties), -1 when none is finite. */
static int argmax_f(const float *x, int n) {
    int b = -1;
    for (int i = 0; i < n; i++)
        if (isfinite(x[i]) && (b < 0 || x[i] > x[b])) b = i;
    return b;
}

/* Did some model's folder hold formation.csv? */
static int has_formation(const page *p) {
    for (int k = 0; p->in->formation && k < p->n; k++)
        if (p->in->formation[k].pts) return 1;
    return 0;
}

/* 8. Induction heads over training: only when some model's folder held formation.csv. */
static int formation_section(FILE *f, const page *p, cl_error *err) {
    formation fm[MAXM];
    int any = 0, rc = 0;
    for (int k = 0; k < p->n; k++) fm[k] = (formation){0};
    for (int k = 0; k < p->n && !rc; k++) {
        rc = formation_load(p->in->formation ? &p->in->formation[k] : NULL, &fm[k], err);
        any |= fm[k].present;
    }
    if (!rc && any) {
        fputs("<section id=\"formation\"><h2>10. Induction heads over training</h2>\n<p class=\"note\">For a model trained "
              "by <code>chronolens train --checkpoint-every K</code> whose folder holds <code>formation.csv</code> "
              "(<code>chronolens formation</code>): at every checkpoint, the RRT test of the induction step (L = 10, "
              "R = 2, threshold 0.3) on the decoder cross-attention — the largest mean \"current token\" and \"token to "
              "right\" score over heads and the number of heads ≥ 0.3 — with the held-out loss and the in-context-learning "
              "score (loss of the last quarter of the horizon minus the first). Data: data/formation/.</p>\n", f);
        for (int k = 0; k < p->n && !rc; k++) {
            open_model(f, p->name[k]);
            const formation *x = &fm[k];
            if (!x->present) {
                fputs("<p>No training record: this model's folder holds no formation.csv.</p>\n</div>\n", f);
                continue;
            }
            const int nr = x->rows;
            const float *step = x->v, *cur = x->v + nr, *right = x->v + 2 * (size_t)nr, *heads = x->v + 3 * (size_t)nr,
                        *loss = x->v + 4 * (size_t)nr, *icl = x->v + 5 * (size_t)nr;
            if (nr < 1) {
                rc = cl_error_set(err, CL_EFORMAT, "%s/formation.csv: not a formation.csv (columns step, eval_loss, "
                                  "icl_score, max_current_token, max_token_to_right, heads_any_ge_0.3, one row or more)",
                                  p->in->setup.models[k].path);
                fputs("</div>\n", f);
                break;
            }
            const int n = x->rows, ic = argmax_f(cur, n), ir = argmax_f(right, n), ih = argmax_f(heads, n);
            int first = -1;
            for (int i = 0; i < n && first < 0; i++) if (heads[i] >= 1) first = i;
            fputs("<table><tr><th>checkpoints</th><th>last step</th><th>held-out loss, first</th><th>held-out loss, last</th>"
                  "<th>max current token (step)</th><th>max token to right (step)</th><th>most heads ≥ 0.3 (step)</th>"
                  "<th>first step with a head ≥ 0.3</th><th>ICL score, last</th></tr>\n<tr data-formation=\"", f);
            cl_html_escape(f, p->name[k]);
            fprintf(f, "\"><td>%d</td><td>%.0f</td>", n, step[n - 1]);
            td_num(f, loss[0], "%.3f");
            td_num(f, loss[n - 1], "%.3f");
            if (ic >= 0) fprintf(f, "<td>%.3f (%.0f)</td>", cur[ic], step[ic]); else fputs("<td>–</td>", f);
            if (ir >= 0) fprintf(f, "<td>%.3f (%.0f)</td>", right[ir], step[ir]); else fputs("<td>–</td>", f);
            if (ih >= 0 && heads[ih] > 0) fprintf(f, "<td>%.0f (%.0f)</td>", heads[ih], step[ih]);
            else fputs(ih >= 0 ? "<td>0</td>" : "<td>–</td>", f);
            if (first >= 0) fprintf(f, "<td>%.0f</td>", step[first]); else fputs("<td>none</td>", f);
            td_num(f, icl[n - 1], "%.3f");
            fputs("</tr>\n</table>\n", f);
            char rel[400], png[PATH_MAX];
            snprintf(rel, sizeof rel, "formation/%s", p->name[k]);
            snprintf(png, sizeof png, "%s/figures/%s.png", p->dir, rel);
            struct stat pst; /* present (a FIFO there is refused by the reader, never opened here) */
            plot_div(f, "formation", lstat(png, &pst) == 0 ? rel : NULL);
            fputs("</div>\n", f);
        }
        fputs("</section>\n", f);
    }
    for (int k = 0; k < p->n; k++) formation_free(&fm[k]);
    return rc;
}

static int write_page(const page *p, cl_error *err) {
    char path[PATH_MAX];
    cl_out out;
    if (cl_out_open(&out, cl_path_join(path, sizeof path, p->dir, "index.html"), err)) return CL_EIO;
    FILE *f = out.fp;
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>chronolens report: induction "
               "heads in Chronos</title>\n<style>%s</style>\n</head>\n<body data-script=\"none\">\n<header><h1>Induction "
               "heads in Chronos</h1>\n<label>Model <select id=\"model\">\n", CSS);
    for (int k = 0; k < p->n; k++) {
        fputs("<option value=\"", f);
        cl_html_escape(f, p->name[k]);
        fputs("\">", f);
        cl_html_escape(f, p->name[k]);
        fputs("</option>\n", f);
    }
    fputs("</select></label>\n<nav><a href=\"#findings\">findings</a><a href=\"#setup\">setup</a><a href=\"#mosaics\">mosaics</a><a href=\"#counts\">counts"
          "</a><a href=\"#layers\">layers</a><a href=\"#sweep\">sweep</a><a href=\"#multisine\">multisine</a>"
          , f);
    if (p->in->ga.n) fputs("<a href=\"#group\">group attention</a>", f);
    if (p->in->patterns) fputs("<a href=\"#patterns\">patterns</a>", f);
    fputs("<a href=\"#claims\">claims</a>", f);
    if (has_formation(p)) fputs("<a href=\"#formation\">training</a>", f);
    fputs("</nav></header>\n", f);
    cl_report_findings(f, &p->verdicts, p->name, p->n);
    setup_section(f, p);
    int rc = mosaics_section(f, p, err);
    if (!rc) counts_section(f, p);
    if (!rc) rc = layers_section(f, p, err);
    if (!rc) rc = sweep_section(f, p, err);
    if (!rc) rc = multisine_section(f, p, err);
    if (!rc && p->in->ga.n) rc = ga_section(f, p, err);
    if (!rc && p->in->patterns) patterns_section(f, p);
    if (!rc) claims_section(f, p);
    if (!rc) rc = formation_section(f, p, err);
    if (!rc) {
        size_t np, nj;
        const char *plotly = cl_report_plotly_js(&np), *js = cl_report_page_js(&nj);
        fprintf(f, "<footer><p class=\"note\">Made by chronolens %s. All numbers: <a href=\"data/\">data/</a> (JSON "
                   "+ CSV); figures as PNG and SVG for papers: <a href=\"figures/\">figures/</a>. Interactive figures: "
                   "plotly.js, inlined (MIT licence).</p></footer>\n", CHRONOLENS_VERSION);
        cl_report_data_write(f, p->in, p->name, p->n);
        /* the library as npm ships it: it holds no "</script" (checked here, so it cannot end
         * its element early) */
        if (strstr(plotly, "</script") || strstr(js, "</script"))
            rc = cl_error_set(err, CL_EINVAL, "report: an inlined script holds </script");
        fputs("<script id=\"cl-plotly\">\n", f);
        fwrite(plotly, 1, np, f);
        fputs("\n</script>\n<script id=\"cl-page\">\n", f);
        fwrite(js, 1, nj, f);
        fputs("</script>\n</body></html>\n", f);
    }
    if (rc) { cl_out_abort(&out); return rc; }
    if (ferror(f)) { cl_out_abort(&out); return cl_error_set(err, CL_EIO, "%s: write failed", path); }
    return cl_out_commit(&out, err);
}

int cl_report_write(const char *dir, const cl_report_inputs *in, cl_error *err) {
    page *p = calloc(1, sizeof *p);
    if (!p) return cl_error_set(err, CL_ENOMEM, "report: out of memory");
    p->dir = dir;
    p->in = in;
    p->n = in->setup.n;
    int rc = 0;
    const int nms = in->ms.n + in->ms_bolt.n + in->ms_c2.n;
    if (p->n < 1 || p->n > MAXM || in->ind.n != p->n || in->sweep.n != p->n || nms != p->n)
        rc = cl_error_set(err, CL_EINVAL, "report: %d models in the setup, %d, %d and %d in the studies", p->n, in->ind.n,
                          in->sweep.n, nms);
    for (int k = 0; k < p->n && !rc; k++) { /* each model in its family's multisine result */
        const cl_report_model *md = &in->setup.models[k];
        const cl_multisine_result *r = md->chronos2 ? &in->ms_c2 : md->bolt ? &in->ms_bolt : &in->ms;
        int found = 0;
        for (int j = 0; j < r->n; j++) found |= !strcmp(r->models[j].name, in->setup.models[k].name);
        if (!found) rc = cl_error_set(err, CL_EINVAL, "report: model %s has no multisine result of its family", in->setup.models[k].name);
    }
    for (int k = 0; k < p->n && !rc; k++) p->name[k] = in->setup.models[k].name;
    if (!rc) rc = cl_report_claims(dir, in, p->name, p->n, &p->verdicts, err);
    if (!rc) rc = write_page(p, err);
    cl_verdicts_free(&p->verdicts);
    free(p);
    return rc;
}

int cl_report_read(const char *dir, cl_report_inputs *in, cl_error *err) {
    memset(in, 0, sizeof *in);
    char path[PATH_MAX];
    int rc = cl_report_setup_read(cl_path_join(path, sizeof path, dir, "data/setup.json"), &in->setup, err);
    if (!rc) rc = cl_induction_read(cl_path_join(path, sizeof path, dir, "data/induction"), &in->ind, err);
    if (!rc) rc = cl_sweep_read(cl_path_join(path, sizeof path, dir, "data/sweep"), &in->sweep, err);
    /* each family's multisine results (a report of one family has only its folders); the
     * all-token induction: Chronos-T5's, in every report since the claims */
    static const char *OPT[8] = {"data/multisine", "data/induction-all", "data/multisine-notebook", "data/multisine-bolt",
                                 "data/multisine-notebook-bolt", "data/multisine-chronos2", "data/multisine-notebook-chronos2",
                                 "data/group-attention"};
    static const char *FILE1[8] = {"multisine.json", "induction.json", "multisine.json", "multisine.json", "multisine.json",
                                   "multisine.json", "multisine.json", "group_attention.json"};
    for (int i = 0; i < 8 && !rc; i++) {
        char probe[PATH_MAX + 32];
        struct stat st;
        cl_path_join(path, sizeof path, dir, OPT[i]);
        snprintf(probe, sizeof probe, "%s/%s", path, FILE1[i]);
        if (stat(probe, &st) != 0) continue;
        cl_multisine_result *r[8] = {&in->ms, NULL, &in->ms_nb, &in->ms_bolt, &in->ms_nb_bolt, &in->ms_c2, &in->ms_nb_c2, NULL};
        rc = i == 1 ? cl_induction_read(path, &in->ind_all, err)
           : i == 7 ? cl_group_attention_read(path, &in->ga, err)
                    : cl_multisine_read(path, r[i], err);
    }
    if (!rc && !(in->mss = calloc((size_t)in->setup.n, sizeof *in->mss)))
        rc = cl_error_set(err, CL_ENOMEM, "report: out of memory");
    if (!rc && !(in->formation = calloc((size_t)in->setup.n, sizeof *in->formation)))
        rc = cl_error_set(err, CL_ENOMEM, "report: out of memory");
    for (int k = 0; k < in->setup.n && !rc; k++) {
        snprintf(path, sizeof path, "%s/data/multisine-sweep/%s", dir, in->setup.models[k].name);
        rc = cl_mssweep_read(path, &in->mss[k], err);
        snprintf(path, sizeof path, "%s/data/patterns/%s.json", dir, in->setup.models[k].name);
        struct stat ast;
        if (!rc && lstat(path, &ast) == 0) { /* an earlier report has none */
            size_t len;
            if (!in->patterns && !(in->patterns = calloc((size_t)in->setup.n, sizeof *in->patterns)))
                rc = cl_error_set(err, CL_ENOMEM, "report: out of memory");
            if (!rc) rc = cl_read_file(path, (size_t)1 << 28, &in->patterns[k], &len, err);
        }
        snprintf(path, sizeof path, "%s/data/formation/%s.csv", dir, in->setup.models[k].name);
        struct stat pst; /* present: read by the checked opener (a FIFO refused, not waited on) */
        if (!rc && lstat(path, &pst) == 0) {
            rc = cl_formation_read_file(path, &in->formation[k], err);
        }
    }
    if (rc) cl_report_inputs_free(in);
    return rc;
}

void cl_report_inputs_free(cl_report_inputs *in) {
    for (int k = 0; in->mss && k < in->setup.n; k++) cl_mssweep_free(&in->mss[k]);
    free(in->mss);
    for (int k = 0; in->formation && k < in->setup.n; k++) cl_formation_free(&in->formation[k]);
    free(in->formation);
    for (int k = 0; in->patterns && k < in->setup.n; k++) free(in->patterns[k]);
    free(in->patterns);
    cl_induction_set_free(&in->ind);
    cl_induction_set_free(&in->ind_all);
    cl_sweep_set_free(&in->sweep);
    cl_multisine_free(&in->ms);
    cl_multisine_free(&in->ms_nb);
    cl_multisine_free(&in->ms_bolt);
    cl_multisine_free(&in->ms_nb_bolt);
    cl_multisine_free(&in->ms_c2);
    cl_multisine_free(&in->ms_nb_c2);
    cl_group_attention_free(&in->ga);
    cl_report_setup_free(&in->setup);
    memset(in, 0, sizeof *in);
}
