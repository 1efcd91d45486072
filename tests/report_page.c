/* report_page.c — see report_page.h. */
#include "testutil.h"
#include "report_page.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *page_svg_titles(const char *from, double *v, int n) {
    const char *p = strstr(from, "<svg");
    assert_non_null(p);
    const char *end = strstr(p, "</svg>");
    for (int i = 0; i < n; i++) {
        p = strstr(p, "<title>");
        if (!p || p > end) fail_msg("only %d of %d cell titles", i, n);
        const char *c = strstr(p, "</title>");
        const char *colon = c;
        while (colon > p && *colon != ':') colon--;
        v[i] = strtod(colon + 1, NULL);
        p = c;
    }
    const char *more = strstr(p, "<title>");
    assert_true(!more || more > end); /* exactly n cells */
    return end;
}

/* the first per-model block of model in section id (fails when absent) */
static const char *block(const char *html, const char *id, const char *model) {
    char key[300];
    snprintf(key, sizeof key, "<section id=\"%s\">", id);
    const char *sec = strstr(html, key);
    assert_non_null(sec);
    snprintf(key, sizeof key, "data-model=\"%s\"", model);
    const char *b = strstr(sec, key);
    if (!b) fail_msg("no block of %s in section %s", model, id);
    return b;
}

void page_check_mosaic(const char *html, const char *report, const char *model, int layers, int heads) {
    page_check_mosaic_rows(html, report, model, "cross", layers, heads);
}

void page_check_mosaic_rows(const char *html, const char *report, const char *model, const char *rows, int layers, int heads) {
    const int n = layers * heads;
    double *cell = malloc(sizeof(double) * 2 * n);
    assert_non_null(cell);
    page_svg_titles(block(html, "mosaics", model), cell, 2 * n); /* current, then to right */
    char path[700], line[4096], fmt[400];
    snprintf(path, sizeof path, "%s/data/induction/induction.csv", report);
    snprintf(fmt, sizeof fmt, "%s,%s,%%d,%%d,%%lf,%%*[^,],%%*[^,],%%lf", model, rows);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    int seen = 0;
    while (fgets(line, sizeof line, f)) {
        int layer, head;
        double cur, right;
        if (sscanf(line, fmt, &layer, &head, &cur, &right) != 4) continue;
        assert_float_equal(cell[layer * heads + head], cur, 1e-8 * fabs(cur));
        assert_float_equal(cell[n + layer * heads + head], right, 1e-8 * fabs(right));
        seen++;
    }
    fclose(f);
    free(cell);
    assert_int_equal(seen, n);
}

int page_check_sweep(const char *html, const char *report, const char *model, const int *grid, int n) {
    const int nc = n * n;
    double *sw = malloc(sizeof(double) * 2 * nc);
    unsigned char *found = calloc((size_t)nc, 1);
    assert_true(sw && found);
    page_svg_titles(block(html, "sweep", model), sw, 2 * nc);
    char path[700], line[4096], fmt[400];
    snprintf(path, sizeof path, "%s/data/sweep/sweep.csv", report);
    snprintf(fmt, sizeof fmt, "%s,%%d,%%d,%%d,%%lf,%%lf,%%lf,%%lf", model);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    int seen = 0;
    while (fgets(line, sizeof line, f)) {
        int r, l, k;
        double cm, cs, rn, rm;
        if (sscanf(line, fmt, &r, &l, &k, &cm, &cs, &rn, &rm) != 7) continue;
        int i = -1, j = -1;
        for (int q = 0; q < n; q++) { if (grid[q] == r) i = q; if (grid[q] == l) j = q; }
        assert_true(i >= 0 && j >= 0);
        assert_float_equal(sw[i * n + j], cm, 1e-9);
        assert_float_equal(sw[nc + i * n + j], rm, 1e-9);
        found[i * n + j] = 1;
        seen++;
    }
    fclose(f);
    for (int c = 0; c < nc; c++) /* a cell not in the CSV was not run: grey, no value */
        if (!found[c]) assert_true(isnan(sw[c]) && isnan(sw[nc + c]));
    free(sw);
    free(found);
    return seen;
}

const char *page_chromium(void) {
    static char path[512];
    FILE *p = popen("command -v chromium || command -v chromium-browser", "r");
    if (!p) return NULL;
    int ok = fgets(path, sizeof path, p) != NULL;
    pclose(p);
    if (!ok) return NULL;
    path[strcspn(path, "\n")] = 0;
    return path;
}

#define CHROME_FLAGS "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking " \
                     "--disable-component-update --disable-sync"

char *page_dump_dom(const char *chrome, const char *report, const char *frag, const char *name, const char *shot) {
    char dom[700], err[700];
    snprintf(dom, sizeof dom, "%s/%s.html", test_tmpdir(), name);
    snprintf(err, sizeof err, "%s/%s.err", test_tmpdir(), name);
    char opt[800] = "";
    if (shot) snprintf(opt, sizeof opt, "--screenshot='%s' --window-size=1280,2000", shot);
    int rc = run_cmd("U=$(mktemp -d) && timeout 60 '%s' " CHROME_FLAGS " --user-data-dir=\"$U\" --dump-dom %s "
                     "'file://%s/index.html%s' >'%s' 2>'%s'; s=$?; rm -rf \"$U\"; exit $s",
                     chrome, opt, report, frag, dom, err);
    assert_int_equal(rc, 0);
    char *e = slurp(err);
    if (strstr(e, "Uncaught")) fail_msg("script error: %s", e);
    free(e);
    return slurp(dom);
}

void page_assert_blocks(const char *dom, const char *name, int hidden, int want) {
    char key[300];
    snprintf(key, sizeof key, "<div class=\"per-model\" data-model=\"%s\"", name);
    int n = 0;
    for (const char *p = strstr(dom, key); p; p = strstr(p + 1, key), n++) {
        const char *gt = strchr(p, '>');
        int h = strstr(p, "hidden") && strstr(p, "hidden") < gt;
        if (h != hidden) fail_msg("block %d of %s: hidden %d, want %d", n, name, h, hidden);
    }
    assert_int_equal(n, want);
}
