/* test_report.c — `chronolens report` end to end on the rand-small fixture under two folder
 * names (--quick): the files are there, the page's hover values and tables are the numbers of
 * data/, the page works in a real browser (headless Chromium: sections, #model=NAME selects the
 * second model and hides the first, the script ran without error, a non-blank screenshot of
 * the window's size), and bad input exits 2 with one line and no page. */
#include "testutil.h"
#include "report_page.h"
#include "core/core.h"

#include <cairo.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SMALL CL_FIXTURES "/rand-small"

static char out[512], models[512];

static int setup(void **st) {
    (void)st;
    snprintf(models, sizeof models, "%s/models", test_tmpdir());
    snprintf(out, sizeof out, "%s/rep", test_tmpdir());
    if (run_cmd("mkdir -p '%s' && cp -r '%s' '%s/alpha' && cp -r '%s' '%s/beta'", models, SMALL, models, SMALL, models))
        return -1;
    return run_cmd("'%s' report --quiet --threads 1 --quick --model '%s/alpha' --model '%s/beta' --out '%s' >'%s/stdout'",
                   CL_CLI, models, models, out, test_tmpdir());
}

static void test_files(void **st) {
    (void)st;
    static const char *F[] = {"index.html", "data/setup.json", "data/claims.json", "data/claims.csv",
                              "data/induction/induction.json", "data/induction/induction.csv", "data/sweep/sweep.json",
                              "data/sweep/sweep.csv", "data/multisine/multisine.json", "data/multisine/multisine.csv",
                              "data/multisine-sweep/beta/sweep.json", "figures/induction/mosaic_beta.png",
                              "figures/induction/mosaic_encoder_alpha.svg", "figures/induction/layer_distribution.png",
                              "figures/sweep/sweep_beta.svg", "figures/sweep/sweep_lines_alpha.png",
                              "figures/multisine/beta-double-fft.png", "figures/multisine-sweep/alpha/sweep.svg"};
    char path[700];
    for (size_t i = 0; i < sizeof F / sizeof *F; i++) {
        snprintf(path, sizeof path, "%s/%s", out, F[i]);
        if (!file_exists(path)) fail_msg("missing %s", path);
    }
    /* stdout: the page's path; no temporary folder left beside --out */
    snprintf(path, sizeof path, "%s/stdout", test_tmpdir());
    char *s = slurp(path);
    assert_non_null(strstr(s, "/rep/index.html"));
    free(s);
    assert_int_equal(run_cmd("ls -a '%s' | grep -q tmp", test_tmpdir()), 1);
    /* self-contained: no script or style from elsewhere, figures embedded */
    snprintf(path, sizeof path, "%s/index.html", out);
    char *html = slurp(path);
    assert_null(strstr(html, "<script src"));
    assert_null(strstr(html, "<link"));
    assert_null(strstr(html, "http://www.w3.org/1999/xhtml\"")); /* nothing fetched */
    assert_null(strstr(html, "src=\"figures/"));
    assert_non_null(strstr(html, "src=\"data:image/png;base64,iVBORw0KGgo"));
    /* the setup table says which precision the products ran in (fp32: no --precision) */
    assert_non_null(strstr(html, "<th>precision</th>"));
    assert_non_null(strstr(html, "<td>fp32</td></tr>"));
    free(html);
    snprintf(path, sizeof path, "%s/data/setup.json", out);
    char *setup = slurp(path);
    assert_non_null(strstr(setup, "\"precision\":\t\"fp32\""));
    free(setup);
}

/* The page's hover values are the numbers of data/induction/induction.csv and sweep.csv. */
static void test_page_numbers_equal_data(void **st) {
    (void)st;
    char path[700];
    snprintf(path, sizeof path, "%s/index.html", out);
    char *html = slurp(path);
    page_check_mosaic(html, out, "beta", 2, 4); /* cross: 2 layers x 4 heads */
    static const int grid[3] = {2, 6, 10};      /* sweep: R, L = 2, 6, 10 */
    assert_int_equal(page_check_sweep(html, out, "beta", grid, 3), 9);

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
    /* every claim of the study for every model, and one `size` verdict for the model set */
    static const char *ID[] = {"exist", "band", "longer_more", "more_reps_fewer", "most_at_r2_l10", "spread",
                               "period_is_gap", "amplitude_is_induction", "strict"};
    for (size_t i = 0; i < sizeof ID / sizeof *ID; i++)
        for (int k = 0; k < 2; k++) {
            int n = 0;
            cJSON_ArrayForEach(c, cl)
                n += cJSON_IsString(cJSON_GetObjectItem(c, "model")) &&
                     !strcmp(cJSON_GetObjectItem(c, "model")->valuestring, k ? "beta" : "alpha") &&
                     !strcmp(cJSON_GetObjectItem(c, "id")->valuestring, ID[i]);
            if (n != 1) fail_msg("%d verdicts %s for %s", n, ID[i], k ? "beta" : "alpha");
        }
    int sets = 0;
    cJSON_ArrayForEach(c, cl) {
        const char *v = cJSON_GetObjectItem(c, "verdict")->valuestring;
        assert_true(!strcmp(v, "supported") || !strcmp(v, "not supported") || !strcmp(v, "undecided"));
        assert_true(strlen(cJSON_GetObjectItem(c, "reason")->valuestring) > 0);
        sets += cJSON_IsArray(cJSON_GetObjectItem(c, "model"));
    }
    assert_int_equal(sets, 2); /* size and band across alpha and beta */
    cJSON_Delete(ind);
    cJSON_Delete(cl);
    free(html);
}

/* `chronolens claims` on the report's own data/scores.csv (and data/ for the multisine
 * results) reproduces the report's claims.json and claims.csv byte for byte; the scores
 * table holds the mosaic of both samplings and the sweep's grid with all-occurrence sums. */
static void test_claims_recomputed(void **st) {
    (void)st;
    char c2[700], a[1000], b[1000];
    snprintf(c2, sizeof c2, "%s/claims-again", test_tmpdir());
    assert_int_equal(run_cmd("'%s' claims --quiet --scores '%s/data/scores.csv' --multisine '%s/data' --out '%s'", CL_CLI,
                             out, out, c2), 0);
    static const char *F[2] = {"claims.json", "claims.csv"};
    for (int i = 0; i < 2; i++) {
        snprintf(a, sizeof a, "%s/data/%s", out, F[i]);
        snprintf(b, sizeof b, "%s/%s", c2, F[i]);
        if (run_cmd("cmp -s '%s' '%s'", a, b)) fail_msg("%s differs from the report's", F[i]);
    }
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

/* Each per-model block of name: mosaics, layers, sweep, multisine, claims */
static void assert_blocks(const char *dom, const char *name, int hidden) { page_assert_blocks(dom, name, hidden, 5); }

static void test_browser(void **st) {
    (void)st;
    const char *chrome = page_chromium();
    if (!chrome) cl_test_skip("chromium not found (Debian package 'chromium'; `make test` installs it)");
    char png[700];
    snprintf(png, sizeof png, "%s/shot.png", test_tmpdir());
    char *dom = page_dump_dom(chrome, out, "#model=beta", "beta", png);
    assert_non_null(strstr(dom, "data-script=\"ok\""));
    assert_non_null(strstr(dom, "data-shown=\"beta\""));
    static const char *S[] = {"setup", "mosaics", "counts", "layers", "sweep", "multisine", "claims"};
    const char *prev = dom;
    for (int i = 0; i < 7; i++) { /* every section, in the study's order */
        char key[64];
        snprintf(key, sizeof key, "<section id=\"%s\">", S[i]);
        const char *p = strstr(dom, key);
        if (!p || p < prev) fail_msg("section %s missing or out of order", S[i]);
        prev = p;
    }
    assert_blocks(dom, "beta", 0);
    assert_blocks(dom, "alpha", 1);
    assert_non_null(strstr(dom, "<tr data-model=\"beta\" class=\"sel\">"));
    free(dom);
    dom = page_dump_dom(chrome, out, "", "plain", NULL); /* no fragment: the first model */
    assert_non_null(strstr(dom, "data-script=\"ok\""));
    assert_blocks(dom, "alpha", 0);
    assert_blocks(dom, "beta", 1);
    free(dom);

    /* the screenshot of the #model=beta run */
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
    assert_non_null(strstr(sec, "alt=\"losses, RRT maxima"));
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

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_page_numbers_equal_data),
        cmocka_unit_test(test_claims_recomputed),
        cmocka_unit_test(test_browser),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_rerun_replaces),
        cmocka_unit_test(test_formation_section),
    };
    return cl_run_group_tests(tests, setup, NULL);
}
