/* report_html.h — the page of `chronolens report`: from the results under DIR/data (setup.json,
 * induction/, sweep/, multisine/, multisine-sweep/<model>/) and the figures under DIR/figures,
 * writes DIR/data/claims.json, DIR/data/claims.csv and DIR/index.html — one self-contained page
 * (inline CSS, inline SVG heatmaps with hover values, figures embedded as PNG data, a little
 * plain JavaScript for the model selector). Reads results only; runs no model. */
#ifndef CL_REPORT_HTML_H
#define CL_REPORT_HTML_H

#include "chronolens.h"

int cl_report_write(const char *dir, cl_error *err);

#endif
