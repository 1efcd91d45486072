/* report_page.c — see report_page.h. */
#include "testutil.h"
#include "report_page.h"

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
