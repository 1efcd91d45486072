/* report_page.h — checks of a report's index.html shared by the report tests: the hover
 * values of an inline SVG heatmap, and the page as headless Chromium renders it. */
#ifndef CL_REPORT_PAGE_H
#define CL_REPORT_PAGE_H

/* The values of the <title>s "…: VALUE" of the first SVG after `from` (exactly n of them;
 * "nan" for a cell not run); returns the SVG's end. Fails the test otherwise. */
const char *page_svg_titles(const char *from, double *v, int n);
/* The cross-attention mosaic of `model` in the page (html) shows, cell for cell, the
 * current / to-right means of data/induction/induction.csv under report (layers x heads). */
void page_check_mosaic(const char *html, const char *report, const char *model, int layers, int heads);
/* The same against induction.csv's rows `rows` of the model (cross; Chronos-2: future). */
void page_check_mosaic_rows(const char *html, const char *report, const char *model, const char *rows, int layers, int heads);
/* The sweep heatmap of `model` shows sweep.csv's current / right counts on the grid
 * (R = grid[0..n) down, L = grid across); returns the cells found in the CSV (the others
 * must be NaN on the page: cells not run). */
int page_check_sweep(const char *html, const char *report, const char *model, const int *grid, int n);
/* Debian's chromium, or NULL (the caller skips). */
const char *page_chromium(void);
/* The DOM of report/index.html after its scripts ran, the URL fragment frag ("" for none);
 * with shot, also a screenshot of a 1280 x 2000 window to that file. name: the files'
 * basename in the test's folder. Fails the test on a script error. Caller frees. */
char *page_dump_dom(const char *chrome, const char *report, const char *frag, const char *name, const char *shot);
/* Each per-model block of model name in the DOM is hidden (1) or shown (0); there are n. */
void page_assert_blocks(const char *dom, const char *name, int hidden, int n);

#endif
