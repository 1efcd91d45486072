/* report_assets.c — report_assets.h: the two scripts as read-only data of the library, with
 * .incbin (gcc and clang), paths from CMake (CL_PLOTLY_JS, CL_PAGE_JS). The symbols are hidden:
 * the library exports cl_ functions only (tests/exports.sh). */
#include "report/report_assets.h"

#ifndef CL_PLOTLY_JS
#error "CL_PLOTLY_JS: the path of plotly.min.js (CMakeLists.txt sets it)"
#endif
#ifndef CL_PAGE_JS
#error "CL_PAGE_JS: the path of src/report/page.js (CMakeLists.txt sets it)"
#endif

#define BLOB(sym, path)                                                                                     \
    __asm__(".pushsection .rodata\n.balign 16\n.hidden " #sym "\n.globl " #sym "\n" #sym ":\n.incbin \"" path \
            "\"\n.hidden " #sym "_end\n.globl " #sym "_end\n" #sym "_end:\n.byte 0\n.popsection\n")

BLOB(cl_report_blob_plotly, CL_PLOTLY_JS);
BLOB(cl_report_blob_page, CL_PAGE_JS);

extern const char cl_report_blob_plotly[], cl_report_blob_plotly_end[];
extern const char cl_report_blob_page[], cl_report_blob_page_end[];

const char *cl_report_plotly_js(size_t *n) {
    *n = (size_t)(cl_report_blob_plotly_end - cl_report_blob_plotly);
    return cl_report_blob_plotly;
}

const char *cl_report_page_js(size_t *n) {
    *n = (size_t)(cl_report_blob_page_end - cl_report_blob_page);
    return cl_report_blob_page;
}
