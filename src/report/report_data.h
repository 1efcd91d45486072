/* report_data.h — the numbers behind the report page's interactive figures (page.js draws
 * them with plotly.js): one JSON object in the page, per model its sweep counts, the relative
 * depths of its heads >= threshold, its multisine signals, spectra and double FFTs per head,
 * its multisine-sweep points, its training record and its attention patterns on real inputs. */
#ifndef CL_REPORT_DATA_H
#define CL_REPORT_DATA_H

#include "report/report_html.h"

#include <stdio.h>

/* Attention patterns of one model on one input (report_pattern.c): every head of every layer
 * of one stack, query x key, with a label per position. */
typedef struct cl_report_pattern {
    char stack[64];          /* "encoder self-attention" */
    char input[512];         /* the input in words */
    int layers, heads, T;
    float *maps;             /* (layers, heads, T, T), query-major */
    double *score;           /* (layers, heads) the head's mean on the induction stripe, or NULL */
    char (*labels)[40];      /* (T) "3: 1.25 (id 1987)" */
    int stripe;              /* L of a repeated sequence: query q >= L attends q - L + 1; 0: none */
    int last;                /* queries below last carry the stripe (the repeats, not EOS) */
    /* Chronos-2: the group attention of the pass's group at one patch (gmaps NULL otherwise) —
     * the input (row 0) with a partner that leads it by one patch and two distractors */
    int gB, gpos;            /* rows of the group; the token (index into labels) the maps are at */
    float *gmaps;            /* (layers, heads, gB, gB): query row x key row */
    char (*glabels)[40];     /* (gB) "B: the input", "A: leads B by 1 patch", "D1: distractor" */
} cl_report_pattern;

/* The input of the patterns (report --pattern-input; --context CSV takes its first series). */
enum { CL_PATTERN_RRT = 0, CL_PATTERN_MULTISINE = 1 };
/* One forward pass of m on the input (csv: its first series, else kind; seed: the random
 * sequence's), its encoder self-attention maps into p (freed with cl_report_pattern_free). */
int cl_report_pattern_run(const cl_model *m, int kind, const cl_context *csv, uint64_t seed, cl_report_pattern *p,
                          cl_error *err);
/* The pattern as JSON ("null" for NULL or an empty one). */
void cl_report_pattern_json(FILE *f, const cl_report_pattern *p);
void cl_report_pattern_free(cl_report_pattern *p);

/* <script id="cl-data" type="application/json">…</script> for models names[0..n) of in (its
 * patterns: each model's JSON text, NULL entries "null"). */
void cl_report_data_write(FILE *f, const cl_report_inputs *in, const char *const *names, int n);

#endif
