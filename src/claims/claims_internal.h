/* claims_internal.h — shared by the files of the claims module (claims.c: the induction-head
 * claims and the run; claims_spectral.c: the multisine claims; claims_util.c: building a
 * verdict, the heads of one cell of the scores table). Not a public header. */
#ifndef CL_CLAIMS_INTERNAL_H
#define CL_CLAIMS_INTERNAL_H

#include "claims/claims.h"

/* A new verdict appended to out (undecided, no numbers; model NULL: a set, filled by the
 * caller); NULL if out of memory. id, claim and test must outlive out (static strings). */
cl_verdict *claims_verdict(cl_verdicts *out, const char *id, const char *claim, const char *test, const char *model);
/* Appends a named number (name printf-style; at most CL_VERDICT_NUMS). */
void claims_num(cl_verdict *v, double x, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Sets the reason (printf-style). */
void claims_reason(cl_verdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The rows of one head, by criterion (NULL: absent), and the heads of one cell
 * (model, sampling, reps, seq_len) of the table. */
typedef struct claims_head_rows { int layer, head; const cl_score_row *r[CL_NCRIT]; } claims_head_rows;
typedef struct claims_cell { int reps, seq_len, n, cap; claims_head_rows *h; } claims_cell;

/* Fills c (c->n = 0 when the cell has no rows); 0, or -1 out of memory. */
int claims_cell_get(const cl_scores *t, const char *model, int sampling, int reps, int len, claims_cell *c);
void claims_cell_free(claims_cell *c);
/* The sampling of a model's mosaic and sweep: CL_SAMPLING_PATCHES for a Chronos-Bolt model
 * (family bolt), CL_SAMPLING_BAND for Chronos-T5. */
int claims_sampling(const cl_scores *t, const char *model);
/* std / sqrt(n), NaN when the row has no std/n (or r is NULL). */
double claims_se(const cl_score_row *r);

/* The multisine claims of one model (claims_spectral.c); ms may be NULL. 0, or -1 out of memory. */
int claims_period(const cl_ms_data *ms, const char *model, const cl_claims_opts *o, cl_verdicts *out);
int claims_amplitude(const cl_scores *t, const cl_ms_data *ms, const char *model, const cl_claims_opts *o, cl_verdicts *out);

#endif
