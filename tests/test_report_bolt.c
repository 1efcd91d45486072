/* test_report_bolt.c — `chronolens report` over a Chronos-Bolt and a Chronos-T5 model
 * (bolt-rand + rand-small, --quick): each family's files (data/multisine-bolt/ beside
 * data/multisine/, the sweep's cells too long for Bolt's 32 patches recorded, not run), the
 * setup names the family and the patching, the Bolt model's sections speak of patches, its
 * hover values are the numbers of data/, claims per model and `size` per family, `chronolens
 * claims` on the report's files reproduces them byte for byte, and in headless Chromium the
 * selector shows one model's sections and hides the other's. */
#include "testutil.h"
#include "report_page.h"
#include "report/report_html.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOLT CL_FIXTURES "/bolt-rand"
#define SMALL CL_FIXTURES "/rand-small"

static char out[512];

static int setup(void **st) {
    (void)st;
    snprintf(out, sizeof out, "%s/rep", test_tmpdir());
    return run_cmd("'%s' report --quiet --threads 1 --quick --model '%s' --model '%s' --out '%s' >/dev/null", CL_CLI, BOLT,
                   SMALL, out);
}

static void test_files_and_setup(void **st) {
    (void)st;
    static const char *F[] = {"index.html", "data/multisine/multisine.json", "data/multisine-bolt/multisine.json",
                              "data/multisine-bolt/bolt-rand-spectra.safetensors", "data/multisine-notebook-bolt/multisine.csv",
                              "data/multisine-sweep/bolt-rand/sweep.json", "data/induction-all/induction.json",
                              "figures/multisine/bolt-rand-spectra.png", "figures/multisine/rand-small-spectra.png",
                              "figures/induction/mosaic_encoder_bolt-rand.png", "figures/sweep/sweep_bolt-rand.svg"};
    char path[700];
    for (size_t i = 0; i < sizeof F / sizeof *F; i++) {
        snprintf(path, sizeof path, "%s/%s", out, F[i]);
        if (!file_exists(path)) fail_msg("missing %s", path);
    }
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
 * patches and their hover values are data/'s numbers; the cells not run are grey. */
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
    page_check_mosaic(html, out, "bolt-rand", 3, 4); /* cross: 3 layers x 4 heads */
    /* sweep: the 5 cells with R x L + 1 <= 32 patches in sweep.csv, the 4 others grey */
    static const int grid[3] = {2, 6, 10};
    assert_int_equal(page_check_sweep(html, out, "bolt-rand", grid, 3), 5);
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

/* Claims: every per-model claim for both models; `size` once per family. */
static void test_claims(void **st) {
    (void)st;
    char path[700];
    snprintf(path, sizeof path, "%s/data/claims.json", out);
    cJSON *cl = read_json(path);
    static const char *ID[] = {"exist", "longer_more", "more_reps_fewer", "most_at_r2_l10", "spread", "period_is_gap",
                               "amplitude_is_induction", "strict"};
    static const char *M[2] = {"bolt-rand", "rand-small"};
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
    /* `chronolens claims` on the report's files: the same verdicts, byte for byte */
    char c2[700], a[1000], b2[1000];
    snprintf(c2, sizeof c2, "%s/claims-again", test_tmpdir());
    assert_int_equal(run_cmd("'%s' claims --quiet --scores '%s/data/scores.csv' --multisine '%s/data' --out '%s'", CL_CLI,
                             out, out, c2), 0);
    static const char *F[2] = {"claims.json", "claims.csv"};
    for (int i = 0; i < 2; i++) {
        snprintf(a, sizeof a, "%s/data/%s", out, F[i]);
        snprintf(b2, sizeof b2, "%s/%s", c2, F[i]);
        if (run_cmd("cmp -s '%s' '%s'", a, b2)) fail_msg("%s differs from the report's", F[i]);
    }
}

/* In Chromium: #model=bolt-rand shows its five blocks and hides rand-small's; no fragment
 * shows the first model (bolt-rand); #model=rand-small the other way. */
static void test_browser(void **st) {
    (void)st;
    const char *chrome = page_chromium();
    if (!chrome) cl_test_skip("chromium not found (Debian package 'chromium'; `make test` installs it)");
    char *dom = page_dump_dom(chrome, out, "#model=rand-small", "t5", NULL);
    assert_non_null(strstr(dom, "data-script=\"ok\""));
    assert_non_null(strstr(dom, "data-shown=\"rand-small\""));
    page_assert_blocks(dom, "rand-small", 0, 5);
    page_assert_blocks(dom, "bolt-rand", 1, 5);
    assert_non_null(strstr(dom, "<tr data-model=\"rand-small\" class=\"sel\">"));
    free(dom);
    dom = page_dump_dom(chrome, out, "", "plain", NULL);
    assert_non_null(strstr(dom, "data-shown=\"bolt-rand\""));
    page_assert_blocks(dom, "bolt-rand", 0, 5);
    page_assert_blocks(dom, "rand-small", 1, 5);
    assert_non_null(strstr(dom, "<tr data-model=\"bolt-rand\" class=\"sel\">"));
    free(dom);
}

/* The page re-rendered from the files (cl_report_read, cl_report_write: both families'
 * multisine folders read back) is the same page, and the same claims. */
static void test_reread(void **st) {
    (void)st;
    char copy[700];
    snprintf(copy, sizeof copy, "%s/copy", test_tmpdir());
    assert_int_equal(run_cmd("cp -r '%s' '%s' && rm '%s/index.html' '%s/data/claims.json'", out, copy, copy, copy), 0);
    cl_report_inputs in;
    cl_error err;
    if (cl_report_read(copy, &in, &err)) fail_msg("%s", err.msg);
    assert_int_equal(in.ms.n, 1);
    assert_int_equal(in.ms_bolt.n, 1);
    assert_int_equal(in.ms_nb_bolt.n, 1);
    assert_int_equal(in.ind_all.n, 1);
    assert_true(in.setup.models[0].bolt);
    if (cl_report_write(copy, &in, &err)) fail_msg("%s", err.msg);
    cl_report_inputs_free(&in);
    static const char *F[2] = {"index.html", "data/claims.json"};
    for (int i = 0; i < 2; i++)
        if (run_cmd("cmp -s '%s/%s' '%s/%s'", out, F[i], copy, F[i])) fail_msg("%s differs when re-rendered", F[i]);
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

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_files_and_setup),
        cmocka_unit_test(test_page),
        cmocka_unit_test(test_claims),
        cmocka_unit_test(test_browser),
        cmocka_unit_test(test_reread),
        cmocka_unit_test(test_sweep_skip_unfit),
        cmocka_unit_test(test_bolt_only),
    };
    return cl_run_group_tests(tests, setup, NULL);
}
