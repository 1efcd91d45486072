/* report_pattern.c — attention patterns on real inputs for the report page (report_data.h):
 * the maps of every head of one stack as the page's JSON (page.js draws thumbnails per layer
 * and one head enlarged, CircuitsVis-style). */
#include "report/report_data.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void cl_report_pattern_json(FILE *f, const cl_report_pattern *p) {
    if (!p || !p->maps || p->T < 1) { fputs("null", f); return; }
    fputs("{\"stack\":\"", f);
    for (const char *c = p->stack; *c; c++) if (*c != '"' && *c != '\\' && *c != '<') fputc(*c, f);
    fprintf(f, "\",\"stripe\":%d,\"last\":%d,\"labels\":[", p->stripe, p->last);
    for (int t = 0; t < p->T; t++) {
        fputs(t ? ",\"" : "\"", f);
        for (const char *c = p->labels[t]; *c; c++) if (*c != '"' && *c != '\\' && *c != '<') fputc(*c, f);
        fputc('"', f);
    }
    fputs("],\"maps\":[", f);
    const size_t TT = (size_t)p->T * p->T;
    for (int l = 0; l < p->layers; l++) {
        fputs(l ? ",[" : "[", f);
        for (int h = 0; h < p->heads; h++) {
            const float *m = p->maps + ((size_t)l * p->heads + h) * TT;
            fputs(h ? ",[" : "[", f);
            for (int q = 0; q < p->T; q++) {
                fputs(q ? ",[" : "[", f);
                for (int k = 0; k < p->T; k++) {
                    const float v = m[(size_t)q * p->T + k];
                    if (k) fputc(',', f);
                    if (!isfinite(v)) fputs("null", f);
                    else if (v == 0) fputc('0', f);
                    else fprintf(f, "%.4g", v);
                }
                fputc(']', f);
            }
            fputc(']', f);
        }
        fputc(']', f);
    }
    fputc(']', f);
    if (p->score) {
        fputs(",\"score\":[", f);
        for (int l = 0; l < p->layers; l++) {
            fputs(l ? ",[" : "[", f);
            for (int h = 0; h < p->heads; h++) fprintf(f, "%s%.4g", h ? "," : "", p->score[l * p->heads + h]);
            fputc(']', f);
        }
        fputc(']', f);
    }
    fputc('}', f);
}

void cl_report_pattern_free(cl_report_pattern *p) {
    if (!p) return;
    free(p->maps);
    free(p->score);
    free(p->labels);
    memset(p, 0, sizeof *p);
}
