/* test_report.c — `chronolens report` end to end, for every model family (--quick): the T5
 * report over rand-small under two folder names (alpha, beta), the Bolt report over bolt-rand
 * beside rand-small. For each: the files are there and the page is self-contained; the page's
 * hover values (mosaic, sweep) are the numbers of data/; every claim for every model, and
 * `chronolens claims` on the report's files reproduces claims.json/.csv byte for byte; the
 * page re-rendered from the files (cl_report_read, cl_report_write) is the same page; and, in
 * its own ctest entry (test_report_<family>_browser, SKIP without Chromium), the page works in
 * headless Chromium: sections in order, #model=NAME selects the second model and hides the
 * first, no fragment shows the first, the script ran without error.
 * Per family:
 *  - T5: the claims' numbers are induction.json's, a non-blank screenshot of the window's
 *    size; bad input exits 2 with one line and no page; a second run replaces the first; a
 *    trained model's formation section;
 *  - Bolt: each family's files (data/multisine-bolt/ beside data/multisine/, the sweep's cells
 *    too long for Bolt's 32 patches recorded, not run), the setup names the family and the
 *    patching, the Bolt model's sections speak of patches, `size` per family; a sweep too long
 *    for Bolt refused unless --skip-unfit; a report of Bolt models only. */
#include "testutil.h"
#include "report_page.h"
#include "report/report_html.h"
#include "core/core.h"

#include <cairo.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SMALL CL_FIXTURES "/rand-small"
#define BOLT CL_FIXTURES "/bolt-rand"
#define C2 CL_FIXTURES "/chronos2-rand"

/* ------------------------------------------------------------ the report of each family */

typedef struct report_family {
    const cl_test_family *fam;
    const char *first, *second;  /* the report's two models, in its order */
    int second_bolt;             /* the second model's family (the first's is the report's) */
    const char *numbers_of;      /* the model whose hover values are checked: */
    int layers, heads;           /* its cross-attention mosaic */
    int cells;                   /* its sweep cells run, of 3 x 3 */
    const char *const *files;    /* written, beside index.html */
    int screenshot;              /* the browser case checks a screenshot too */
    const char *rows;            /* induction.csv's rows of that mosaic: cross (Chronos-2: future) */
    int n_t5, n_bolt, n_c2;      /* the report's models of each family */
} report_family;

static const char *T5_FILES[] = {"data/setup.json", "data/claims.json", "data/claims.csv",
                                 "data/induction/induction.json", "data/induction/induction.csv", "data/sweep/sweep.json",
                                 "data/sweep/sweep.csv", "data/multisine/multisine.json", "data/multisine/multisine.csv",
                                 "data/multisine-sweep/beta/sweep.json", "figures/induction/mosaic_beta.png",
                                 "figures/induction/mosaic_encoder_alpha.svg", "figures/induction/layer_distribution.png",
                                 "figures/sweep/sweep_beta.svg", "figures/sweep/sweep_lines_alpha.png",
                                 "figures/multisine/beta-double-fft.png", "figures/multisine-sweep/alpha/sweep.svg",
                                 "data/patterns/alpha.json", "data/patterns/beta.json", NULL};
static const char *BOLT_FILES[] = {"data/multisine/multisine.json", "data/multisine-bolt/multisine.json",
                                   "data/multisine-bolt/bolt-rand-spectra.safetensors",
                                   "data/multisine-notebook-bolt/multisine.csv", "data/multisine-sweep/bolt-rand/sweep.json",
                                   "data/induction-all/induction.json", "figures/multisine/bolt-rand-spectra.png",
                                   "figures/multisine/rand-small-spectra.png", "figures/induction/mosaic_encoder_bolt-rand.png",
                                   "figures/sweep/sweep_bolt-rand.svg", "data/patterns/bolt-rand.json", NULL};

/* T5: rand-small twice (beta's cross: 2 layers x 4 heads, every cell of the sweep); Bolt:
 * bolt-rand (3 x 4, the 5 cells with R x L + 1 <= 32 patches) and rand-small */
static const char *C2_FILES[] = {"data/multisine-chronos2/multisine.json", "data/multisine-notebook-chronos2/multisine.csv",
                                 "data/multisine-bolt/multisine.json", "data/multisine/multisine.json",
                                 "data/group-attention/group_attention.json", "data/group-attention/group_attention.csv",
                                 "figures/group-attention/chronos2-rand_heads.png", "figures/group-attention/chronos2-rand_lag.svg",
                                 "figures/multisine/chronos2-rand-spectra.png", "figures/induction/mosaic_chronos2-rand.png",
                                 "data/multisine-sweep/chronos2-rand/sweep.json", "data/patterns/chronos2-rand.json", NULL};

/* T5: rand-small twice (beta's cross: 2 layers x 4 heads, every cell of the sweep); Bolt:
 * bolt-rand (3 x 4, the 5 cells with R x L + 1 <= 32 patches) and rand-small; Chronos-2:
 * bolt-rand, chronos2-rand (3 layers x 5 heads, its first future token's time attention, the
 * 5 cells that fit 32 patches) and rand-small — every family in one report */
static const report_family T5 = {&cl_test_t5, "alpha", "beta", 0, "beta", 2, 4, 9, T5_FILES, 1, "cross", 2, 0, 0};
static const report_family BOLT_REPORT = {&cl_test_bolt, "bolt-rand", "rand-small", 0, "bolt-rand", 3, 4, 5, BOLT_FILES, 0,
                                          "cross", 1, 1, 0};
static const report_family C2_REPORT = {&cl_test_chronos2, "bolt-rand", "chronos2-rand", 0, "chronos2-rand", 3, 5, 5, C2_FILES,
                                        0, "future", 1, 1, 1};

static const report_family *family(void) {
    const int f = cl_test_family_now()->family;
    return f == CL_FAMILY_BOLT ? &BOLT_REPORT : f == CL_FAMILY_CHRONOS2 ? &C2_REPORT : &T5;
}

/* the per-model blocks of each model: mosaics, layers, sweep, multisine, patterns, claims, and
 * with a Chronos-2 model the group-attention section's */
static int blocks(const report_family *F) { return 6 + (F->n_c2 > 0); }

/* The report of the running family: out (its --out), in a folder of its own (dir), with
 * stdout in dir/stdout. Under ctest, dir is $CL_TEST_SHARED/report-<family>: the browser
 * entry (a FIXTURES_REQUIRED of this one) reads the same report instead of making another. */
static char out[512], dir[400];

static void report_paths(void) {
    const char *shared = getenv("CL_TEST_SHARED");
    if (shared) snprintf(dir, sizeof dir, "%s/report-%s", shared, cl_test_family_now()->name);
    else snprintf(dir, sizeof dir, "%s/report", test_tmpdir());
    snprintf(out, sizeof out, "%s/rep", dir);
}

static int make_report(void) {
    const report_family *F = family();
    if (run_cmd("rm -rf '%s' && mkdir -p '%s'", dir, dir)) return -1;
    if (F->fam->family == CL_FAMILY_T5) {
        char models[700];
        snprintf(models, sizeof models, "%s/models", test_tmpdir());
        if (run_cmd("mkdir -p '%s' && cp -r '%s' '%s/alpha' && cp -r '%s' '%s/beta'", models, SMALL, models, SMALL, models))
            return -1;
        return run_cmd("'%s' report --quiet --threads 1 --quick --model '%s/alpha' --model '%s/beta' --out '%s' >'%s/stdout'",
                       CL_CLI, models, models, out, dir);
    }
    if (F->fam->family == CL_FAMILY_CHRONOS2)
        return run_cmd("'%s' report --quiet --threads 1 --quick --model '%s' --model '%s' --model '%s' --out '%s' >'%s/stdout'",
                       CL_CLI, BOLT, C2, SMALL, out, dir);
    return run_cmd("'%s' report --quiet --threads 1 --quick --model '%s' --model '%s' --out '%s' >'%s/stdout'", CL_CLI, BOLT,
                   SMALL, out, dir);
}

static int setup(void **st) {
    (void)st;
    report_paths();
    return make_report();
}

/* the browser's entry: the report its family's entry made, or a new one */
static int setup_browser(void **st) {
    (void)st;
    report_paths();
    char page[700];
    snprintf(page, sizeof page, "%s/index.html", out);
    return getenv("CL_TEST_SHARED") && file_exists(page) ? 0 : make_report();
}

static const char *no_browser(void) {
    return page_chromium() ? NULL : "chromium not found (Debian package 'chromium'; `make test` installs it)";
}

/* ------------------------------------------------------------ every family */

static void test_files(void **st) {
    (void)st;
    const report_family *F = family();
    char path[800];
    snprintf(path, sizeof path, "%s/index.html", out);
    if (!file_exists(path)) fail_msg("missing %s", path);
    for (const char *const *f = F->files; *f; f++) {
        snprintf(path, sizeof path, "%s/%s", out, *f);
        if (!file_exists(path)) fail_msg("missing %s", path);
    }
    /* stdout: the page's path; no temporary folder left beside --out */
    snprintf(path, sizeof path, "%s/stdout", dir);
    char *s = slurp(path);
    assert_non_null(strstr(s, "/rep/index.html"));
    free(s);
    assert_int_equal(run_cmd("ls -a '%s' | grep -q tmp", dir), 1);
    /* self-contained: no script or style from elsewhere, figures embedded */
    snprintf(path, sizeof path, "%s/index.html", out);
    char *html = slurp(path);
    /* the plotting library and the page's script inlined, last; the page's own markup (before
     * them) fetches nothing (plotly.js's text holds namespace URLs: not fetches) */
    char *lib = strstr(html, "<script id=\"cl-plotly\">\n/**\n* plotly.js (cartesian - minified) v");
    assert_non_null(lib);
    assert_non_null(strstr(lib, "</script>\n<script id=\"cl-page\">"));
    assert_null(strstr(html, "<script src"));
    *lib = 0;
    assert_null(strstr(html, "<link"));
    assert_null(strstr(html, "http://www.w3.org/1999/xhtml\"")); /* nothing fetched */
    assert_null(strstr(html, "src=\"figures/"));
    /* the interactive figures are drawn from the page's data; their PNG/SVG files are linked */
    assert_non_null(strstr(html, "<script id=\"cl-data\" type=\"application/json\">{\"threshold\":0.3,"));
    assert_non_null(strstr(html, "<div class=\"plot\" data-fig=\"sweep-lines\"></div>"));
    assert_non_null(strstr(html, "<div class=\"plot\" data-fig=\"ms-spec\"></div>"));
    assert_non_null(strstr(html, "<a href=\"figures/multisine/"));
    /* findings first: before the setup */
    const char *fi = strstr(html, "<section id=\"findings\">"), *se = strstr(html, "<section id=\"setup\">");
    assert_true(fi && se && fi < se);
    /* the setup table says which precision the products ran in (fp32: no --precision) */
    assert_non_null(strstr(html, "<th>precision</th>"));
    assert_non_null(strstr(html, "<td>fp32</td></tr>"));
    free(html);
    snprintf(path, sizeof path, "%s/data/setup.json", out);
    char *setup = slurp(path);
    assert_non_null(strstr(setup, "\"precision\":\t\"fp32\""));
    free(setup);
}

/* The page's hover values are the numbers of data/induction/induction.csv and sweep.csv: the
 * first model's mosaic cell for cell, its sweep's cells run (the others NaN: not run). */
static void test_page_numbers_equal_data(void **st) {
    (void)st;
    const report_family *F = family();
    char path[700];
    snprintf(path, sizeof path, "%s/index.html", out);
    char *html = slurp(path);
    page_check_mosaic_rows(html, out, F->numbers_of, F->rows, F->layers, F->heads);
    static const int grid[3] = {2, 6, 10}; /* sweep: R, L = 2, 6, 10 */
    assert_int_equal(page_check_sweep(html, out, F->numbers_of, grid, 3), F->cells);
    free(html);
}

/* Every claim of the study, once for each model (Bolt's `band` too: undecided, no token
 * band); every verdict a verdict with a reason. `chronolens claims` on the report's own
 * data/scores.csv (and data/ for the multisine results) reproduces the report's claims.json
 * and claims.csv byte for byte. */
static void test_claims(void **st) {
    (void)st;
    const report_family *F = family();
    char path[700];
    snprintf(path, sizeof path, "%s/data/claims.json", out);
    cJSON *cl = read_json(path);
    static const char *ID[] = {"exist", "band", "longer_more", "more_reps_fewer", "most_at_r2_l10", "spread",
                               "period_is_gap", "amplitude_is_induction", "strict"};
    const char *M[2] = {F->first, F->second};
    const cJSON *c;
    for (size_t i = 0; i < sizeof ID / sizeof *ID; i++)
        for (int k = 0; k < 2; k++) {
            int n = 0;
            cJSON_ArrayForEach(c, cl) {
                const cJSON *m = cJSON_GetObjectItem(c, "model");
                n += cJSON_IsString(m) && !strcmp(m->valuestring, M[k]) && !strcmp(cJSON_GetObjectItem(c, "id")->valuestring, ID[i]);
            }
            if (n != 1) fail_msg("%d verdicts %s for %s", n, ID[i], M[k]);
        }
    cJSON_ArrayForEach(c, cl) {
        const char *v = cJSON_GetObjectItem(c, "verdict")->valuestring;
        assert_true(!strcmp(v, "supported") || !strcmp(v, "not supported") || !strcmp(v, "undecided"));
        assert_true(strlen(cJSON_GetObjectItem(c, "reason")->valuestring) > 0);
    }
    cJSON_Delete(cl);
    char c2[700], a[1000], b[1000];
    snprintf(c2, sizeof c2, "%s/claims-again", test_tmpdir());
    assert_int_equal(run_cmd("'%s' claims --quiet --scores '%s/data/scores.csv' --multisine '%s/data' --out '%s'", CL_CLI,
                             out, out, c2), 0);
    static const char *FILES[2] = {"claims.json", "claims.csv"};
    for (int i = 0; i < 2; i++) {
        snprintf(a, sizeof a, "%s/data/%s", out, FILES[i]);
        snprintf(b, sizeof b, "%s/%s", c2, FILES[i]);
        if (run_cmd("cmp -s '%s' '%s'", a, b)) fail_msg("%s differs from the report's", FILES[i]);
    }
}

/* The page re-rendered from the files (cl_report_read, cl_report_write: each family's
 * multisine folders read back) is the same page, and the same claims. */
static void test_reread(void **st) {
    (void)st;
    const report_family *F = family();
    char copy[700];
    snprintf(copy, sizeof copy, "%s/copy", test_tmpdir());
    assert_int_equal(run_cmd("rm -rf '%s' && cp -r '%s' '%s' && rm '%s/index.html' '%s/data/claims.json'", copy, out, copy,
                             copy, copy), 0);
    cl_report_inputs in;
    cl_error err;
    if (cl_report_read(copy, &in, &err)) fail_msg("%s", err.msg);
    /* the T5 study's multisine and all-token step hold the T5 models, Bolt's the Bolt ones,
     * Chronos-2's (and its group attention) the Chronos-2 ones */
    assert_int_equal(in.ms.n, F->n_t5);
    assert_int_equal(in.ms_bolt.n, F->n_bolt);
    assert_int_equal(in.ms_nb_bolt.n, F->n_bolt);
    assert_int_equal(in.ms_c2.n, F->n_c2);
    assert_int_equal(in.ms_nb_c2.n, F->n_c2);
    assert_int_equal(in.ga.n, F->n_c2);
    assert_int_equal(in.ind_all.n, F->n_t5);
    assert_int_equal(in.setup.models[0].bolt != 0, F->fam->family != CL_FAMILY_T5);
    if (cl_report_write(copy, &in, &err)) fail_msg("%s", err.msg);
    cl_report_inputs_free(&in);
    static const char *FILES[2] = {"index.html", "data/claims.json"};
    for (int i = 0; i < 2; i++)
        if (run_cmd("cmp -s '%s/%s' '%s/%s'", out, FILES[i], copy, FILES[i])) fail_msg("%s differs when re-rendered", FILES[i]);
}

/* In Chromium: every section, in the study's order; #model=SECOND shows the second model's
 * six blocks (mosaics, layers, sweep, multisine, patterns, claims) and hides the first's; no fragment
 * shows the first model. */
static void test_browser(void **st) {
    (void)st;
    const report_family *F = family();
    const char *chrome = page_chromium();
    char png[700], frag[300];
    snprintf(png, sizeof png, "%s/shot.png", test_tmpdir());
    snprintf(frag, sizeof frag, "#model=%s", F->second);
    char *dom = page_dump_dom(chrome, out, frag, F->second, F->screenshot ? png : NULL);
    assert_non_null(strstr(dom, "data-script=\"ok\""));
    char key[300];
    snprintf(key, sizeof key, "data-shown=\"%s\"", F->second);
    assert_non_null(strstr(dom, key));
    static const char *S[] = {"findings", "setup", "mosaics", "counts", "layers", "sweep", "multisine", "group", "patterns",
                              "claims"};
    const char *prev = dom;
    for (int i = 0; i < 10; i++) { /* every section, in the study's order (group attention: with Chronos-2) */
        if (!strcmp(S[i], "group") && !F->n_c2) continue;
        snprintf(key, sizeof key, "<section id=\"%s\">", S[i]);
        const char *p = strstr(dom, key);
        if (!p || p < prev) fail_msg("section %s missing or out of order", S[i]);
        prev = p;
    }
    page_assert_blocks(dom, F->second, 0, blocks(F));
    page_assert_blocks(dom, F->first, 1, blocks(F));
    snprintf(key, sizeof key, "<tr data-model=\"%s\" class=\"sel\">", F->second);
    assert_non_null(strstr(dom, key));
    free(dom);
    dom = page_dump_dom(chrome, out, "", "plain", NULL); /* no fragment: the first model */
    assert_non_null(strstr(dom, "data-script=\"ok\""));
    snprintf(key, sizeof key, "data-shown=\"%s\"", F->first);
    assert_non_null(strstr(dom, key));
    page_assert_blocks(dom, F->first, 0, blocks(F));
    page_assert_blocks(dom, F->second, 1, blocks(F));
    snprintf(key, sizeof key, "<tr data-model=\"%s\" class=\"sel\">", F->first);
    assert_non_null(strstr(dom, key));
    free(dom);
    if (!F->screenshot) return;

    /* the screenshot of the #model=SECOND run */
    cairo_surface_t *s = cairo_image_surface_create_from_png(png);
    assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    assert_int_equal(cairo_image_surface_get_width(s), 1280);
    assert_int_equal(cairo_image_surface_get_height(s), 2000);
    /* non-blank: many pixels differ from the first (white) one, in several colours */
    cairo_surface_flush(s);
    const unsigned char *d = cairo_image_surface_get_data(s);
    const int stride = cairo_image_surface_get_stride(s);
    const uint32_t bg = *(const uint32_t *)d;
    long other = 0, dark = 0, colour = 0;
    for (int y = 0; y < 2000; y++)
        for (int x = 0; x < 1280; x++) {
            uint32_t px = *(const uint32_t *)(d + (size_t)y * stride + 4 * x);
            int r = px >> 16 & 255, g = px >> 8 & 255, b = px & 255;
            other += px != bg;
            dark += r + g + b < 150;
            colour += abs(r - g) > 40 || abs(g - b) > 40;
        }
    cairo_surface_destroy(s);
    assert_true(other > 20000); /* text, tables, heatmaps */
    assert_true(dark > 2000);   /* text */
    assert_true(colour > 2000); /* viridis heatmaps */
}

static void ga_partner(const char *report, const char *name, int a, int b, double *v, int n);

/* What tests/report_drive.js saw at key (its "key<TAB>value" lines), or fails. */
static const char *seen(const char *out, const char *key, char *buf, size_t n) {
    char k[200];
    snprintf(k, sizeof k, "\n%s\t", key);
    const char *p = strstr(out, k);
    if (!p) fail_msg("the drive printed no %s: %s", key, out);
    p += strlen(k);
    size_t len = strcspn(p, "\n");
    snprintf(buf, n, "%.*s", (int)(len < n - 1 ? len : n - 1), p);
    return buf;
}

/* A reader's session in Chromium (tests/report_drive.js over the DevTools pipe, window 1400 x
 * 900): the findings table opens the page (within the first screen), nothing is wider than
 * the window, the script ran; choosing the second model in the selector shows it and draws its
 * figures; hovering a mosaic cell shows the value its SVG title holds (the number of
 * induction.csv: test_page_numbers_equal_data); hovering a point of the sweep lines shows the
 * count of that (R, L) in the sweep heatmap (sweep.csv); clicking a head in the multisine
 * legend hides it and a second click shows it again. */
static void test_interactive(void **st) {
    (void)st;
    const report_family *F = family();
    if (run_cmd("command -v node >/dev/null")) cl_test_skip("node not found (Debian nodejs; make deps installs it)");
    char steps[8192], m[300], c2steps[2048];
    snprintf(m, sizeof m, "[data-model=\\\"%s\\\"]", F->second);
    /* Chronos-2: a cell of its group-attention heatmap, a point of the share over the lags */
    snprintf(c2steps, sizeof c2steps,
             "{\"do\":\"hover\",\"sel\":\"%s .mosaic[data-stack=group] svg rect[fill]:not([fill=none])\",\"key\":\"group\"},"
             "{\"do\":\"hoverpoint\",\"sel\":\"%s div.plot[data-fig=ga-lag]\",\"trace\":0,\"point\":1,\"key\":\"galag\"},"
             "{\"do\":\"hoverpoint\",\"sel\":\"%s div.plot[data-fig=attn-pattern] .group .gmap\",\"trace\":0,\"px\":1,"
             "\"py\":0,\"key\":\"gmap\"},",
             m, m, m);
    snprintf(steps, sizeof steps,
             "[{\"do\":\"open\",\"width\":1400,\"height\":900},{\"do\":\"select\",\"model\":\"%s\"},"
             "{\"do\":\"hover\",\"sel\":\"%s .mosaic svg rect[fill]:not([fill=none])\",\"key\":\"mosaic\"},"
             "{\"do\":\"hoverpoint\",\"sel\":\"%s div.plot[data-fig=sweep-lines]\",\"trace\":0,\"point\":1,\"key\":\"line\"},"
             "{\"do\":\"legend\",\"sel\":\"%s div.plot[data-fig=ms-attn]\",\"item\":1,\"key\":\"off\"},"
             "{\"do\":\"legend\",\"sel\":\"%s div.plot[data-fig=ms-attn]\",\"item\":1,\"key\":\"on\"},"
             "{\"do\":\"hoverpoint\",\"sel\":\"%s div.plot[data-fig=attn-pattern] .big\",\"trace\":0,\"px\":3,\"py\":12,"
             "\"key\":\"pattern\"},%s{\"do\":\"drawn\",\"model\":\"%s\",\"key\":\"drawn\"}]",
             F->second, m, m, m, m, m, F->n_c2 ? c2steps : "", F->second);
    char res[700];
    snprintf(res, sizeof res, "%s/drive.txt", test_tmpdir());
    FILE *f = fopen(res, "w");
    assert_non_null(f);
    fputs("\n", f); /* every key after a newline (seen) */
    fclose(f);
    if (run_cmd("timeout 150 node '%s/../report_drive.js' '%s' 'file://%s/index.html' '%s' >>'%s' 2>'%s.err'", CL_FIXTURES,
                page_chromium(), out, steps, res, res)) {
        char e[800];
        snprintf(e, sizeof e, "%s.err", res);
        fail_msg("report_drive.js failed: %s", slurp(e));
    }
    char *o = slurp(res), v[512];
    assert_string_equal(seen(o, "script", v, sizeof v), "ok");
    assert_string_equal(seen(o, "errors", v, sizeof v), "none");
    assert_true(atoi(seen(o, "findings_top", v, sizeof v)) < 200);   /* the first thing under the header */
    assert_true(atoi(seen(o, "findings_bottom", v, sizeof v)) > 0);
    assert_true(atoi(seen(o, "scroll_width", v, sizeof v)) <= 1400); /* no horizontal overflow */
    assert_string_equal(seen(o, "shown", v, sizeof v), F->first);   /* before the selection */
    const char *sel = strstr(o, "\nshown\t");
    assert_non_null(sel);
    assert_string_equal(seen(sel + 1, "shown", v, sizeof v), F->second);
    /* the figures are drawn as they come near the window: at least the ones hovered */
    assert_true(atoi(seen(o, "drawn", v, sizeof v)) >= 3);       /* sweep lines, multisine, pattern */
    /* the mosaic: the readout is the first cell's title, "layer 0, head 0: VALUE" */
    char path[700];
    snprintf(path, sizeof path, "%s/index.html", out);
    char *html = slurp(path);
    char key[300];
    snprintf(key, sizeof key, "data-model=\"%s\"", F->second);
    const char *blk = strstr(strstr(html, "<section id=\"mosaics\">"), key);
    double cell[1];
    const char *t = strstr(blk, "<title>");
    assert_non_null(t);
    seen(o, "mosaic", v, sizeof v);
    assert_true(!strncmp(v, "layer 0, head 0: ", 17));
    cell[0] = strtod(strstr(t, ": ") + 2, NULL);
    assert_float_equal(strtod(v + 17, NULL), cell[0], 1e-8 * fabs(cell[0]) + 1e-12);
    /* the sweep line of the first R at its second L: the heatmap's count there */
    const char *sw = strstr(strstr(html, "<section id=\"sweep\">"), key);
    double counts[18];
    page_svg_titles(sw, counts, 18);
    seen(o, "line", v, sizeof v);
    char want[64];
    if (isnan(counts[1])) snprintf(want, sizeof want, "R = 2, L = 6: ");      /* not run: no point */
    else snprintf(want, sizeof want, "R = 2, L = 6: %.0f heads", counts[1]);
    if (!strstr(v, want)) fail_msg("sweep line hover '%s', want '%s'", v, want);
    /* a head toggled from the legend */
    assert_string_equal(seen(o, "off", v, sizeof v), "legendonly");
    assert_string_equal(seen(o, "on", v, sizeof v), "true");
    /* the attention pattern: hovering the stripe cell (query 12, key 3: L = 10) of layer 0
     * head 0 shows data/patterns/NAME.json's value there */
    snprintf(path, sizeof path, "%s/data/patterns/%s.json", out, F->second);
    char *pj = slurp(path);
    cJSON *pat = cJSON_Parse(pj);
    assert_non_null(pat);
    assert_int_equal(cJSON_GetObjectItem(pat, "stripe")->valueint, 10);
    const cJSON *mp = cJSON_GetArrayItem(cJSON_GetArrayItem(cJSON_GetArrayItem(cJSON_GetObjectItem(pat, "maps"), 0), 0), 12);
    const double a = cJSON_GetArrayItem(mp, 3)->valuedouble;
    seen(o, "pattern", v, sizeof v);
    const char *at = strstr(v, "attention ");
    if (!at) fail_msg("pattern hover '%s'", v);
    assert_float_equal(strtod(at + 10, NULL), a, 5.1e-5);
    cJSON_Delete(pat);
    free(pj);
    if (F->n_c2) { /* the group-attention cell: layer 0 head 0's partner share at the first cell */
        double want[15], lag1[15];
        ga_partner(out, F->second, 0, 0, want, F->layers * F->heads);
        ga_partner(out, F->second, 1, 0, lag1, F->layers * F->heads);
        seen(o, "group", v, sizeof v);
        if (strncmp(v, "layer 0, head 0: ", 17)) fail_msg("group hover '%s'", v);
        assert_float_equal(strtod(v + 17, NULL), want[0], 1e-8 * fabs(want[0]) + 1e-12);
        /* the lag figure's first line: the head strongest at the first cell, at lag index 1 */
        int best = 0;
        for (int i = 1; i < F->layers * F->heads; i++) if (want[i] > want[best]) best = i;
        seen(o, "galag", v, sizeof v);
        const char *ps = strstr(v, "partner share ");
        if (!ps) fail_msg("lag figure hover '%s'", v);
        assert_float_equal(strtod(ps + 14, NULL), lag1[best], 5.1e-5);
        /* the pattern's group map of layer 0 head 0: B's (query row 0) attention on A (key row 1) */
        snprintf(path, sizeof path, "%s/data/patterns/%s.json", out, F->second);
        cJSON *gp = read_json(path);
        const cJSON *gm = cJSON_GetArrayItem(cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(gp, "group"), "maps"), 0), 0);
        const double ba = cJSON_GetArrayItem(cJSON_GetArrayItem(gm, 0), 1)->valuedouble;
        cJSON_Delete(gp);
        seen(o, "gmap", v, sizeof v);
        const char *ga = strstr(v, "group attention ");
        if (!ga || !strstr(v, "query B") || !strstr(v, "key A")) fail_msg("group map hover '%s'", v);
        assert_float_equal(strtod(ga + 16, NULL), ba, 5.1e-5);
    }
    free(html);
    free(o);
}

/* ------------------------------------------------------------ T5 */

/* The claims' numbers are those of induction.json; `size` and `band` across alpha and beta. */
static void test_t5_claim_numbers(void **st) {
    (void)st;
    char path[700];
    /* claims: their numbers are those of induction.json */
    snprintf(path, sizeof path, "%s/data/induction/induction.json", out);
    cJSON *ind = read_json(path);
    snprintf(path, sizeof path, "%s/data/claims.json", out);
    cJSON *cl = read_json(path);
    const cJSON *c, *mb = cJSON_GetArrayItem(cJSON_GetObjectItem(ind, "models"), 1);
    int found = 0;
    cJSON_ArrayForEach(c, cl) {
        if (!cJSON_IsString(cJSON_GetObjectItem(c, "model")) || strcmp(cJSON_GetObjectItem(c, "model")->valuestring, "beta") ||
            strcmp(cJSON_GetObjectItem(c, "id")->valuestring, "strict"))
            continue;
        const cJSON *nums = cJSON_GetObjectItem(c, "numbers");
        assert_int_equal(cJSON_GetObjectItem(nums, "heads >= 0.3")->valueint,
                         cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(mb, "counts"), "cross"), "any"), "n")->valueint);
        /* the sign alone (the old test) is reported beside the significance test */
        int neg = 0;
        const cJSON *h;
        cJSON_ArrayForEach(h, cJSON_GetObjectItem(mb, "cross_heads"))
            neg += cJSON_GetObjectItem(cJSON_GetObjectItem(h, "ablation_dlogp"), "mean")->valuedouble < 0;
        assert_int_equal(cJSON_GetObjectItem(nums, "heads with mean change < 0 (the sign alone)")->valueint, neg);
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(c, "extension")));
        found = 1;
    }
    assert_true(found);
    /* one `size` verdict for the model set, and one `band` */
    int sets = 0;
    cJSON_ArrayForEach(c, cl) sets += cJSON_IsArray(cJSON_GetObjectItem(c, "model"));
    assert_int_equal(sets, 2); /* size and band across alpha and beta */
    cJSON_Delete(ind);
    cJSON_Delete(cl);
}

/* The scores table holds the mosaic of both samplings and the sweep's grid with all-occurrence
 * sums; `chronolens claims` on a broken copy of it names the file and line. */
static void test_t5_scores_table(void **st) {
    (void)st;
    char a[1000], b[1000];
    snprintf(a, sizeof a, "%s/data/scores.csv", out);
    char *s = slurp(a);
    assert_non_null(strstr(s, "\nbeta,"));
    assert_non_null(strstr(s, ",all,2,10,"));
    assert_non_null(strstr(s, ",band,10,6,"));
    assert_non_null(strstr(s, ",right_all,"));
    assert_non_null(strstr(s, ",ablation,"));
    free(s);
    /* bad input: one line naming the file and line, exit 2, nothing written */
    snprintf(a, sizeof a, "%s/bad-scores.csv", test_tmpdir());
    snprintf(b, sizeof b, "%s/claims-bad", test_tmpdir());
    assert_int_equal(run_cmd("sed '3s/,right,/,nearest,/' '%s/data/scores.csv' > '%s'", out, a), 0);
    assert_int_equal(run_cmd("'%s' claims --scores '%s' --out '%s' 2>'%s.err'", CL_CLI, a, b, b), 2);
    char e[1100];
    snprintf(e, sizeof e, "%s.err", b);
    s = slurp(e);
    if (!strstr(s, "bad-scores.csv:3: criterion")) fail_msg("message: %s", s);
    assert_int_equal((int)(strchr(s, '\n') - s), (int)strlen(s) - 1); /* one line */
    free(s);
    assert_false(dir_exists(b));
    assert_int_equal(run_cmd("head -2 '%s/data/scores.csv' > '%s' && sed -n 2p '%s/data/scores.csv' >> '%s'", out, a, out, a), 0);
    assert_int_equal(run_cmd("'%s' claims --scores '%s' --out '%s' 2>'%s.err'", CL_CLI, a, b, b), 2);
    s = slurp(e);
    if (!strstr(s, "bad-scores.csv:3: duplicate of line 2")) fail_msg("message: %s", s);
    free(s);
    assert_int_equal(run_cmd("'%s' claims --out '%s' 2>/dev/null", CL_CLI, b), 2);
}

/* The attention patterns' inputs: --context CSV (its first series, the last 96 values: labels
 * are its values, no stripe), --pattern-input multisine; a CSV with a bad value: exit 2, one
 * line naming it, no report. */
static void test_pattern_inputs(void **st) {
    (void)st;
    const char *t = test_tmpdir();
    char csv[600], o[600], p[700], log[700];
    snprintf(csv, sizeof csv, "%s/ctx.csv", t);
    FILE *f = fopen(csv, "w");
    assert_non_null(f);
    fputs("load,other\n", f);
    for (int i = 0; i < 120; i++) fprintf(f, "%d.5,%d\n", i % 7, i);
    fclose(f);
    snprintf(o, sizeof o, "%s/ctxrep", t);
    assert_int_equal(run_cmd("'%s' report --quiet --threads 1 --quick --batch 4 --sweep-batch 2 --configs 2 --model '%s' "
                             "--context '%s' --out '%s' >/dev/null", CL_CLI, SMALL, csv, o), 0);
    snprintf(p, sizeof p, "%s/data/patterns/rand-small.json", o);
    char *j = slurp(p);
    assert_non_null(strstr(j, "\"input\":\"the last 96 values of series 'load' of "));
    assert_non_null(strstr(j, "\"stripe\":0,\"last\":96,\"labels\":[\"0: 3.5 (id "));  /* row 24: 24 % 7 = 3 */
    assert_non_null(strstr(j, "\"96: EOS\"]"));
    free(j);
    snprintf(o, sizeof o, "%s/msrep", t);
    assert_int_equal(run_cmd("'%s' report --quiet --threads 1 --quick --batch 4 --sweep-batch 2 --configs 2 --model '%s' "
                             "--pattern-input multisine --out '%s' >/dev/null", CL_CLI, SMALL, o), 0);
    snprintf(p, sizeof p, "%s/data/patterns/rand-small.json", o);
    j = slurp(p);
    assert_non_null(strstr(j, "\"input\":\"the reference multisine"));
    free(j);
    /* bad input: before any work, one line naming the file */
    fclose(fopen(csv, "w"));
    f = fopen(csv, "w");
    fputs("a\n1\nfoo\n", f);
    fclose(f);
    snprintf(o, sizeof o, "%s/badctx", t);
    snprintf(log, sizeof log, "%s/badctx.log", t);
    assert_int_equal(run_cmd("'%s' report --quick --model '%s' --context '%s' --out '%s' 2>'%s'", CL_CLI, SMALL, csv, o, log), 2);
    char *e = slurp(log);
    assert_non_null(strstr(e, csv));
    assert_int_equal(strchr(e, '\n')[1], 0);
    free(e);
    assert_false(dir_exists(o));
    assert_int_equal(run_cmd("'%s' report --quick --model '%s' --pattern-input spiral --out '%s' 2>'%s'", CL_CLI, SMALL, o, log), 2);
    e = slurp(log);
    assert_non_null(strstr(e, "--pattern-input: 'spiral' is not rrt or multisine"));
    free(e);
}

static void test_bad_input(void **st) {
    (void)st;
    const char *t = test_tmpdir();
    char bad[600], o[600], log[700];
    snprintf(log, sizeof log, "%s/bad.log", t);
    /* a model that fails to load: named, exit 2, one line, no page, nothing left behind */
    snprintf(bad, sizeof bad, "%s/broken", t);
    assert_int_equal(run_cmd("mkdir -p '%s' && cp '%s/config.json' '%s/' && printf 'junk' > '%s/model.safetensors'", bad, SMALL,
                             bad, bad), 0);
    snprintf(o, sizeof o, "%s/badrep", t);
    assert_int_equal(run_cmd("'%s' report --quick --model '%s' --model '%s' --out '%s' 2>'%s'", CL_CLI, SMALL, bad, o, log), 2);
    char *e = slurp(log);
    assert_non_null(strstr(e, bad));
    assert_non_null(strchr(e, '\n'));
    assert_int_equal(strchr(e, '\n')[1], 0); /* one line */
    free(e);
    assert_false(dir_exists(o));
    assert_int_equal(run_cmd("ls -a '%s' | grep -q 'chronolens-tmp'", t), 1);
    /* an earlier report at --out survives a failed run untouched */
    assert_int_equal(run_cmd("mkdir -p '%s' && echo old > '%s/index.html'", o, o), 0);
    assert_int_equal(run_cmd("'%s' report --quick --model '%s' --out '%s' 2>/dev/null", CL_CLI, bad, o), 2);
    assert_int_equal(run_cmd("grep -qx old '%s/index.html'", o), 0);
    /* a context too short for the induction step (R x L + 1 = 21 values, this copy takes 16;
     * the sweep's longer cells would be skipped, not refused): exit 2, no page, no folder */
    char shortm[600];
    snprintf(shortm, sizeof shortm, "%s/short", t);
    assert_int_equal(run_cmd("cp -r '%s' '%s' && sed -i 's/\"context_length\": *[0-9]*/\"context_length\": 16/' "
                             "'%s/config.json'", SMALL, shortm, shortm), 0);
    snprintf(o, sizeof o, "%s/shortrep", t);
    assert_int_equal(run_cmd("'%s' report --quick --threads 1 --model '%s' --out '%s' 2>'%s'", CL_CLI, shortm, o, log), 2);
    e = slurp(log);
    assert_non_null(strstr(e, "context_length"));
    free(e);
    assert_false(dir_exists(o));
    assert_int_equal(run_cmd("ls -a '%s' | grep -q 'shortrep'", t), 1);
    /* --out not writable: its parent is a file / a read-only file system */
    char file[600];
    snprintf(file, sizeof file, "%s/plainfile", t);
    assert_int_equal(run_cmd("echo x > '%s'", file), 0);
    assert_int_equal(run_cmd("'%s' report --quick --model '%s' --out '%s/rep' 2>'%s'", CL_CLI, SMALL, file, log), 2);
    e = slurp(log);
    assert_non_null(strstr(e, "--out"));
    free(e);
    assert_int_equal(run_cmd("'%s' report --quick --model '%s' --out /proc/chronolens-report 2>'%s'", CL_CLI, SMALL, log), 2);
    e = slurp(log);
    assert_non_null(strstr(e, "--out /proc/chronolens-report"));
    free(e);
    /* --out an existing file; unknown option */
    assert_int_equal(run_cmd("'%s' report --model '%s' --out '%s' 2>/dev/null", CL_CLI, SMALL, file), 2);
    assert_int_equal(run_cmd("'%s' report --bogus 2>/dev/null", CL_CLI), 2);
    assert_int_equal(run_cmd("'%s' report --batch 0 2>/dev/null", CL_CLI), 2);
}

/* A second run replaces an earlier report in place; a folder that is not a report is refused;
 * without --model the report is of the default model. */
static void test_rerun_replaces(void **st) {
    (void)st;
    char o[600], p[700];
    snprintf(o, sizeof o, "%s/again", test_tmpdir());
    assert_int_equal(run_cmd("mkdir -p '%s' && echo mine > '%s/notes.txt'", o, o), 0);
    assert_int_equal(run_cmd("'%s' report --quick --model '%s' --out '%s' 2>/dev/null", CL_CLI, SMALL, o), 2);
    snprintf(p, sizeof p, "%s/notes.txt", o);
    assert_true(file_exists(p)); /* untouched */
    assert_int_equal(run_cmd("rm '%s' && cp -r '%s/data' '%s/' && echo stale > '%s/stale.txt'", p, out, o, o), 0);
    /* no --model: the bundled default, models/chronos-nano */
    assert_int_equal(run_cmd("env -u CHRONOLENS_MODEL '%s' report --quiet --threads 1 --quick --out '%s' >/dev/null", CL_CLI, o), 0);
    snprintf(p, sizeof p, "%s/index.html", o);
    assert_true(file_exists(p));
    snprintf(p, sizeof p, "%s/data/setup.json", o);
    char *setup = slurp(p);
    assert_non_null(strstr(setup, "\"name\":\t\"chronos-nano\""));
    free(setup);
    snprintf(p, sizeof p, "%s/stale.txt", o);
    assert_false(file_exists(p));
}

/* A model folder with formation.csv/.png (a `chronolens train` run): the report copies them
 * and shows section 8 with the numbers of the CSV; models without them get no such section
 * (the alpha/beta report); a formation.csv without its columns is refused, naming it. */
static void test_formation_section(void **st) {
    (void)st;
    const char *t = test_tmpdir();
    char m[600], o[600], p[800];
    snprintf(m, sizeof m, "%s/trained", t);
    assert_int_equal(run_cmd("cp -r '%s' '%s' && printf '%%s\\n' "
                             "'step,train_loss,eval_loss,icl_score,max_current_token,max_token_to_right,heads_current_ge_0.3,heads_right_ge_0.3,heads_any_ge_0.3' "
                             "'0,nan,7.0,-0.1,0.05,0.04,0,0,0' '100,5.5,5.2,-0.2,0.35,0.12,1,0,1' '200,5.0,4.9,-0.3,0.31,0.45,1,2,3' "
                             "> '%s/formation.csv'", SMALL, m, m), 0);
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 40, 20);
    snprintf(p, sizeof p, "%s/formation.png", m);
    assert_int_equal(cairo_surface_write_to_png(s, p), CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy(s);
    snprintf(o, sizeof o, "%s/frep", t);
    assert_int_equal(run_cmd("'%s' report --quiet --threads 1 --quick --model '%s' --model '%s' --out '%s' >/dev/null", CL_CLI,
                             SMALL, m, o), 0);
    assert_int_equal(run_cmd("cmp -s '%s/formation.csv' '%s/data/formation/trained.csv'", m, o), 0);
    assert_int_equal(run_cmd("cmp -s '%s/formation.png' '%s/figures/formation/trained.png'", m, o), 0);
    snprintf(p, sizeof p, "%s/data/formation/rand-small.csv", o);
    assert_false(file_exists(p));
    snprintf(p, sizeof p, "%s/index.html", o);
    char *html = slurp(p);
    assert_non_null(strstr(html, "<a href=\"#formation\">"));
    const char *sec = strstr(html, "<section id=\"formation\">");
    assert_non_null(sec);
    assert_non_null(strstr(sec, "<tr data-formation=\"trained\"><td>3</td><td>200</td><td>7.000</td><td>4.900</td>"
                                "<td>0.350 (100)</td><td>0.450 (200)</td><td>3 (200)</td><td>100</td><td>-0.300</td></tr>"));
    /* drawn from the page's data; the PNG/SVG of `chronolens formation` linked */
    assert_non_null(strstr(sec, "<div class=\"plot\" data-fig=\"formation\"></div>\n<div class=\"files\">figure for papers: "
                                "<a href=\"figures/formation/trained.png\">"));
    assert_non_null(strstr(html, "\"formation\":{\"step\":[0,100,200],"));
    assert_non_null(strstr(sec, "no formation.csv")); /* rand-small: no training record */
    free(html);
    /* the alpha/beta report of setup(): no training section, no link to it */
    snprintf(p, sizeof p, "%s/index.html", out);
    html = slurp(p);
    assert_null(strstr(html, "id=\"formation\""));
    assert_null(strstr(html, "#formation"));
    free(html);
    /* a formation.csv without the columns: exit 2 naming it, no report */
    assert_int_equal(run_cmd("printf 'step,loss\\n0,1\\n' > '%s/formation.csv'", m), 0);
    snprintf(o, sizeof o, "%s/frep-bad", t);
    snprintf(p, sizeof p, "%s/frep.log", t);
    assert_int_equal(run_cmd("'%s' report --quiet --threads 1 --quick --model '%s' --out '%s' 2>'%s'", CL_CLI, m, o, p), 2);
    char *e = slurp(p);
    assert_non_null(strstr(e, "trained/formation.csv"));
    free(e);
    assert_false(dir_exists(o));
}

/* ------------------------------------------------------------ Bolt */

/* Each family's files: the multisine of each, the all-token step of T5's models, the sweep's
 * cells too long for Bolt recorded; setup.json names the family and the patching. */
static void test_bolt_files(void **st) {
    (void)st;
    char path[700];
    /* the T5 multisine holds rand-small only, the Bolt one bolt-rand at the patch rate */
    snprintf(path, sizeof path, "%s/data/multisine-bolt/multisine.json", out);
    cJSON *ms = read_json(path);
    const cJSON *in = cJSON_GetObjectItem(ms, "input");
    assert_string_equal(cJSON_GetObjectItem(in, "family")->valuestring, "bolt");
    assert_int_equal(cJSON_GetObjectItem(in, "patches")->valueint, 32);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(ms, "models")), 1);
    cJSON_Delete(ms);
    /* the all-token step: Chronos-T5's models only */
    snprintf(path, sizeof path, "%s/data/induction-all/induction.json", out);
    cJSON *ia = read_json(path);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(ia, "models")), 1);
    cJSON_Delete(ia);
    /* the sweep: bolt-rand runs the cells with R x L + 1 <= 32 patches, lists the others */
    snprintf(path, sizeof path, "%s/data/sweep/sweep.json", out);
    cJSON *sw = read_json(path);
    const cJSON *mb = cJSON_GetArrayItem(cJSON_GetObjectItem(sw, "models"), 0),
                *mt = cJSON_GetArrayItem(cJSON_GetObjectItem(sw, "models"), 1);
    assert_string_equal(cJSON_GetObjectItem(mb, "name")->valuestring, "bolt-rand");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(mb, "cells")), 5);          /* of 3 x 3 */
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(mb, "cells_too_long")), 4); /* 6x6 6x10 10x6 10x10 */
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(mb, "cells"))
        assert_true(cJSON_GetObjectItem(c, "reps")->valueint * cJSON_GetObjectItem(c, "seq_len")->valueint + 1 <= 32);
    assert_null(cJSON_GetObjectItem(mt, "cells_too_long"));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(mt, "cells")), 9);
    cJSON_Delete(sw);
    /* setup.json: the family and the patching */
    snprintf(path, sizeof path, "%s/data/setup.json", out);
    cJSON *su = read_json(path);
    const cJSON *m0 = cJSON_GetArrayItem(cJSON_GetObjectItem(su, "models"), 0),
                *m1 = cJSON_GetArrayItem(cJSON_GetObjectItem(su, "models"), 1);
    assert_string_equal(cJSON_GetObjectItem(m0, "family")->valuestring, "chronos-bolt");
    assert_int_equal(cJSON_GetObjectItem(m0, "patch_size")->valueint, 16);
    assert_int_equal(cJSON_GetObjectItem(m0, "context_length")->valueint, 512);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(m0, "reg_token")));
    assert_string_equal(cJSON_GetObjectItem(m1, "family")->valuestring, "chronos-t5");
    assert_null(cJSON_GetObjectItem(m1, "patch_size"));
    cJSON_Delete(su);
}

/* The page: the setup row names the family and patches; the Bolt model's blocks speak of
 * patches; the cells not run are grey. */
static void test_page(void **st) {
    (void)st;
    char path[700];
    snprintf(path, sizeof path, "%s/index.html", out);
    char *html = slurp(path);
    const char *row = strstr(html, "<tr data-model=\"bolt-rand\"><td class=\"l\">bolt-rand</td>");
    assert_non_null(row);
    const char *row_end = strstr(row, "</tr>");
    const char *fam = strstr(row, "Chronos-Bolt"), *pat = strstr(row, "patches of 16, stride 16, [REG] (32 patches)");
    assert_true(fam && fam < row_end && pat && pat < row_end);
    const char *t5 = strstr(html, "<tr data-model=\"rand-small\"><td class=\"l\">rand-small</td>");
    assert_non_null(t5);
    assert_true(strstr(t5, "Chronos-T5") < strstr(t5, "</tr>"));

    /* mosaics: bolt-rand's block in patches; its hover values are induction.csv's */
    const char *sec = strstr(html, "<section id=\"mosaics\">");
    const char *b = strstr(sec, "<div class=\"per-model\" data-model=\"bolt-rand\">");
    assert_non_null(b);
    const char *note = strstr(b, "<p class=\"note bolt\">");
    assert_true(note && note < strstr(b, "<svg"));
    assert_non_null(strstr(b, "current patch (m)"));
    assert_true(strstr(b, "current patch (m)") < strstr(b, "</div>\n</div>"));
    const char *ts = strstr(html, "<div class=\"per-model\" data-model=\"rand-small\">");
    assert_non_null(strstr(ts, "current token (m)"));
    /* (its hover values: test_page_numbers_equal_data) sweep: the 4 cells not run are grey */
    sec = strstr(html, "<section id=\"sweep\">");
    b = strstr(sec, "data-model=\"bolt-rand\"");
    assert_non_null(strstr(b, "not run: R&middot;L + 1 = 61 patches exceed the context"));

    /* multisine: bolt-rand's block states the patch rate and links its family's numbers */
    sec = strstr(html, "<section id=\"multisine\">");
    b = strstr(sec, "<div class=\"per-model\" data-model=\"bolt-rand\">");
    assert_non_null(b);
    const char *end = strstr(b + 1, "<div class=\"per-model\"");
    const char *rate = strstr(b, "patch rate 100.3 Hz");
    assert_true(rate && rate < end);
    const char *al = strstr(b, "no aliasing");
    assert_true(al && al < end);
    const char *link = strstr(b, "data/multisine-bolt/multisine.csv");
    assert_true(link && link < end);
    free(html);
}

/* `size` once per family (one model each: undecided); the Bolt rows are in the scores table. */
static void test_bolt_claims(void **st) {
    (void)st;
    char path[700];
    snprintf(path, sizeof path, "%s/data/claims.json", out);
    cJSON *cl = read_json(path);
    const cJSON *c;
    int size = 0;
    cJSON_ArrayForEach(c, cl) {
        if (strcmp(cJSON_GetObjectItem(c, "id")->valuestring, "size")) continue;
        size++;
        /* one model per family here: undecided */
        assert_string_equal(cJSON_GetObjectItem(c, "verdict")->valuestring, "undecided");
    }
    assert_int_equal(size, 2);
    cJSON_Delete(cl);
    /* the Bolt rows are in the scores table, with their family */
    snprintf(path, sizeof path, "%s/data/scores.csv", out);
    char *s = slurp(path);
    assert_non_null(strstr(s, "\nbolt-rand,"));
    assert_non_null(strstr(s, ",patches,"));
    free(s);
}

/* `chronolens sweep` over both families: a grid too long for Bolt's 32 patches is refused
 * (exit 2, one line naming the model and the cell) unless --skip-unfit, which runs the cells
 * that fit and lists the others; merged shards of such a run equal the whole run. */
static void test_sweep_skip_unfit(void **st) {
    (void)st;
    const char *t = test_tmpdir();
    char log[700];
    snprintf(log, sizeof log, "%s/sweep.log", t);
    assert_int_equal(run_cmd("'%s' sweep --quiet --batch 4 --reps-list 2,6 --len-list 2,10 --model '%s' --model '%s' "
                             "--out '%s/sw-refused' 2>'%s'", CL_CLI, SMALL, BOLT, t, log), 2);
    char *e = slurp(log);
    if (!strstr(e, "bolt-rand") || !strstr(e, "exceed the context length 512")) fail_msg("message: %s", e);
    assert_int_equal((int)(strchr(e, '\n') - e), (int)strlen(e) - 1);
    free(e);
    assert_int_equal(run_cmd("'%s' sweep --quiet --batch 4 --reps-list 2,6 --len-list 2,10 --model '%s' --model '%s' "
                             "--skip-unfit --out '%s/sw'", CL_CLI, SMALL, BOLT, t), 0);
    for (int k = 1; k <= 2; k++)
        assert_int_equal(run_cmd("'%s' sweep --quiet --batch 4 --reps-list 2,6 --len-list 2,10 --model '%s' --model '%s' "
                                 "--skip-unfit --shard %d/2 --out '%s/sw-part%d'", CL_CLI, SMALL, BOLT, k, t, k), 0);
    assert_int_equal(run_cmd("'%s' merge --quiet --out '%s/sw-merged' '%s/sw-part1' '%s/sw-part2'", CL_CLI, t, t, t), 0);
    static const char *F[3] = {"sweep.json", "sweep.csv", "scores.csv"};
    for (int i = 0; i < 3; i++)
        if (run_cmd("cmp -s '%s/sw/%s' '%s/sw-merged/%s'", t, F[i], t, F[i])) fail_msg("merged %s differs", F[i]);
    char path[700];
    snprintf(path, sizeof path, "%s/sw/sweep.json", t);
    cJSON *sw = read_json(path);
    const cJSON *mb = cJSON_GetArrayItem(cJSON_GetObjectItem(sw, "models"), 1);
    const cJSON *u = cJSON_GetObjectItem(mb, "cells_too_long");
    assert_int_equal(cJSON_GetArraySize(u), 1); /* R = 6, L = 10: 61 patches */
    assert_int_equal(cJSON_GetArrayItem(cJSON_GetArrayItem(u, 0), 0)->valueint, 6);
    assert_int_equal(cJSON_GetArrayItem(cJSON_GetArrayItem(u, 0), 1)->valueint, 10);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(mb, "cells")), 3);
    cJSON_Delete(sw);
}

/* A report of Chronos-Bolt models only: no all-token step, no T5 multisine folder; it reads
 * back and re-renders identically. */
static void test_bolt_only(void **st) {
    (void)st;
    char rep[700], copy[700];
    snprintf(rep, sizeof rep, "%s/rep-bolt", test_tmpdir());
    assert_int_equal(run_cmd("'%s' report --quiet --threads 1 --quick --model '%s' --out '%s' >/dev/null", CL_CLI, BOLT, rep), 0);
    char path[800];
    snprintf(path, sizeof path, "%s/data/multisine-bolt/multisine.json", rep);
    assert_true(file_exists(path));
    snprintf(path, sizeof path, "%s/data/multisine/multisine.json", rep);
    assert_false(file_exists(path));
    snprintf(path, sizeof path, "%s/data/induction-all/induction.json", rep);
    assert_false(file_exists(path));
    snprintf(path, sizeof path, "%s/index.html", rep);
    char *html = slurp(path);
    assert_non_null(strstr(html, "not run Chronos-T5 models only (token sampling)"));
    assert_null(strstr(html, "input (Chronos-T5)"));
    free(html);
    snprintf(copy, sizeof copy, "%s/rep-bolt-copy", test_tmpdir());
    assert_int_equal(run_cmd("cp -r '%s' '%s' && rm '%s/index.html'", rep, copy, copy), 0);
    cl_report_inputs in;
    cl_error err;
    if (cl_report_read(copy, &in, &err)) fail_msg("%s", err.msg);
    assert_int_equal(in.ms.n, 0);
    assert_int_equal(in.ms_bolt.n, 1);
    assert_int_equal(in.ind_all.n, 0);
    if (cl_report_write(copy, &in, &err)) fail_msg("%s", err.msg);
    cl_report_inputs_free(&in);
    assert_int_equal(run_cmd("cmp -s '%s/index.html' '%s/index.html'", rep, copy), 0);
}

/* ------------------------------------------------------------ Chronos-2 (with Bolt and T5) */

/* group_attention.json's partner share of model `name` at (lag index a, noise index b) for
 * every head, layer-major */
static void ga_partner(const char *report, const char *name, int a, int b, double *v, int n) {
    char path[700];
    snprintf(path, sizeof path, "%s/data/group-attention/group_attention.json", report);
    cJSON *j = read_json(path);
    const cJSON *s = cJSON_GetObjectItem(j, "settings"), *m;
    const int nn = cJSON_GetArraySize(cJSON_GetObjectItem(s, "noises"));
    int found = 0;
    cJSON_ArrayForEach(m, cJSON_GetObjectItem(j, "models")) {
        if (strcmp(cJSON_GetObjectItem(m, "name")->valuestring, name)) continue;
        const cJSON *cell = cJSON_GetArrayItem(cJSON_GetObjectItem(m, "cells"), a * nn + b);
        const cJSON *hs = cJSON_GetObjectItem(cell, "heads");
        assert_int_equal(cJSON_GetArraySize(hs), n);
        for (int i = 0; i < n; i++) v[i] = cJSON_GetObjectItem(cJSON_GetArrayItem(hs, i), "partner")->valuedouble;
        found = 1;
    }
    cJSON_Delete(j);
    assert_true(found);
}

/* The Chronos-2 model's sections: setup names its family; its group-attention heatmaps hold
 * group_attention.json's partner shares (the first cell, lag 0 noise 0, and the first lag > 0,
 * lag 1 under --quick) cell for cell; the other families' group blocks say why they have none;
 * its patterns carry the group maps; its multisine numbers live in data/multisine-chronos2/. */
static void test_c2_sections(void **st) {
    (void)st;
    char path[700];
    snprintf(path, sizeof path, "%s/index.html", out);
    char *html = slurp(path);
    assert_non_null(strstr(html, "<td class=\"l\">Chronos-2</td>"));
    assert_non_null(strstr(html, "<b>Chronos-2</b> (patches of 16 values, stride 16, [REG] and one future token appended)"));
    const char *sec = strstr(html, "<section id=\"group\">");
    assert_non_null(sec);
    const char *blk = strstr(sec, "data-model=\"chronos2-rand\"");
    assert_non_null(blk);
    enum { NH = 15 };
    double cell[2 * NH], want[NH];
    page_svg_titles(blk, cell, 2 * NH);
    ga_partner(out, "chronos2-rand", 0, 0, want, NH);
    for (int i = 0; i < NH; i++) assert_float_equal(cell[i], want[i], 1e-8 * fabs(want[i]) + 1e-12);
    ga_partner(out, "chronos2-rand", 1, 0, want, NH);
    for (int i = 0; i < NH; i++) assert_float_equal(cell[NH + i], want[i], 1e-8 * fabs(want[i]) + 1e-12);
    const char *bb = strstr(sec, "data-model=\"bolt-rand\"");
    assert_true(bb && strstr(bb, "Chronos-Bolt has no group attention"));
    assert_non_null(strstr(html, "Time attention (query: the first future token; rows future)"));
    assert_non_null(strstr(html, "<a href=\"data/multisine-chronos2/multisine.csv\">"));
    free(html);
    snprintf(path, sizeof path, "%s/data/patterns/chronos2-rand.json", out);
    cJSON *pat = read_json(path);
    const cJSON *g = cJSON_GetObjectItem(pat, "group");
    assert_non_null(g);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(g, "labels")), 4);
    const cJSON *gm = cJSON_GetArrayItem(cJSON_GetArrayItem(cJSON_GetObjectItem(g, "maps"), 0), 0); /* layer 0, head 0 */
    for (int q = 0; q < 4; q++) { /* each query row's group attention sums to 1 */
        double s = 0;
        for (int k = 0; k < 4; k++) s += cJSON_GetArrayItem(cJSON_GetArrayItem(gm, q), k)->valuedouble;
        assert_float_equal(s, 1.0, 1e-5);
    }
    cJSON_Delete(pat);
    snprintf(path, sizeof path, "%s/data/setup.json", out);
    char *setup = slurp(path);
    assert_non_null(strstr(setup, "\"family\":\t\"chronos-2\""));
    assert_non_null(strstr(setup, "\"group_attention\":"));
    free(setup);
}

/* The claims per family: the group-attention claims for the Chronos-2 model only (family
 * chronos2), with their numbers; the findings table has their rows, "does not apply" for the
 * others; the study's per-model claims for every model (test_claims). */
static void test_c2_claims(void **st) {
    (void)st;
    char path[700];
    snprintf(path, sizeof path, "%s/data/claims.json", out);
    cJSON *cl = read_json(path);
    static const char *GA[2] = {"group_partner", "group_lead_lag"};
    const cJSON *c;
    for (int i = 0; i < 2; i++) {
        int n = 0;
        cJSON_ArrayForEach(c, cl) {
            if (strcmp(cJSON_GetObjectItem(c, "id")->valuestring, GA[i])) continue;
            n++;
            assert_string_equal(cJSON_GetObjectItem(c, "model")->valuestring, "chronos2-rand");
            assert_string_equal(cJSON_GetObjectItem(c, "family")->valuestring, "chronos2");
            const cJSON *num = cJSON_GetObjectItem(c, "numbers");
            assert_non_null(cJSON_GetObjectItem(num, "shuffles"));
            assert_float_equal(cJSON_GetObjectItem(num, "baseline 1/G")->valuedouble, 0.25, 1e-12);
        }
        if (n != 1) fail_msg("%d verdicts %s", n, GA[i]);
    }
    cJSON_ArrayForEach(c, cl) { /* the study's claims on the Chronos-2 model: family chronos2 */
        const cJSON *m = cJSON_GetObjectItem(c, "model");
        if (cJSON_IsString(m) && !strcmp(m->valuestring, "chronos2-rand"))
            assert_string_equal(cJSON_GetObjectItem(c, "family")->valuestring, "chronos2");
    }
    cJSON_Delete(cl);
    snprintf(path, sizeof path, "%s/index.html", out);
    char *html = slurp(path);
    const char *row = strstr(html, "<tr data-claim=\"group_partner\">");
    assert_non_null(row);
    const char *end = strstr(row, "</tr>");
    const char *na = strstr(row, "does not apply");
    assert_true(na && na < end);
    const char *sec = strstr(row, "href=\"#group\"");
    assert_true(sec && sec < end);
    free(html);
}

int main(int argc, char **argv) {
#define FAMILY_CASES                                                                                        \
    cmocka_unit_test(test_files), cmocka_unit_test(test_page_numbers_equal_data), cmocka_unit_test(test_claims), \
        cmocka_unit_test(test_reread)
    static const struct CMUnitTest t5[] = {
        FAMILY_CASES,
        cmocka_unit_test(test_t5_claim_numbers),
        cmocka_unit_test(test_t5_scores_table),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_pattern_inputs),
        cmocka_unit_test(test_rerun_replaces),
        cmocka_unit_test(test_formation_section),
    };
    static const struct CMUnitTest bolt[] = {
        FAMILY_CASES,
        cmocka_unit_test(test_bolt_files),
        cmocka_unit_test(test_page),
        cmocka_unit_test(test_bolt_claims),
        cmocka_unit_test(test_sweep_skip_unfit),
        cmocka_unit_test(test_bolt_only),
    };
    static const struct CMUnitTest chronos2[] = {
        FAMILY_CASES,
        cmocka_unit_test(test_c2_sections),
        cmocka_unit_test(test_c2_claims),
    };
    static const struct CMUnitTest browser[] = {cmocka_unit_test(test_browser), cmocka_unit_test(test_interactive)};
    static const cl_test_group groups[] = {
        CL_TEST_GROUP("t5", t5, setup, NULL, &cl_test_t5, NULL),
        CL_TEST_GROUP("bolt", bolt, setup, NULL, &cl_test_bolt, NULL),
        CL_TEST_GROUP("t5_browser", browser, setup_browser, NULL, &cl_test_t5, no_browser),
        CL_TEST_GROUP("bolt_browser", browser, setup_browser, NULL, &cl_test_bolt, no_browser),
        CL_TEST_GROUP("chronos2", chronos2, setup, NULL, &cl_test_chronos2, NULL),
        CL_TEST_GROUP("chronos2_browser", browser, setup_browser, NULL, &cl_test_chronos2, no_browser),
    };
    return cl_test_main(argc, argv, groups, sizeof groups / sizeof *groups);
}
