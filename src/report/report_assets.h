/* report_assets.h — the scripts the report page inlines, embedded into the library at build
 * time (report_assets.c): the plotting library (plotly.js-cartesian-dist-min, npm, pinned by
 * package-lock.json; installed by `make deps` or by cmake with `npm ci`) and the page's own
 * script (src/report/page.js). So a page written by the library, the command or Python is one
 * file that opens offline from a file:// URL. */
#ifndef CL_REPORT_ASSETS_H
#define CL_REPORT_ASSETS_H

#include <stddef.h>

/* The text of each (NUL-terminated) and its length. */
const char *cl_report_plotly_js(size_t *n);
const char *cl_report_page_js(size_t *n);

#endif
