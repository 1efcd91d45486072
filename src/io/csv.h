/* csv.h — the two CSV inputs: context series (one column per series) and decoder ids. */
#ifndef CL_CSV_H
#define CL_CSV_H

#include "chronolens.h"
#include "core/export.h"
#include <stdio.h>

#include <stdio.h>

/* Limits (docs/inputs.md "Limits"): larger inputs are refused with a message, never half-read. */
#define CSV_MAX_BYTES ((size_t)256 << 20) /* 256 MiB of text */
#define CSV_MAX_COLUMNS 100000            /* series (context: one batch) or ids per row */
#define CSV_MAX_CELLS ((size_t)1 << 26)   /* rows x columns: 256 MiB of float32 */

/* Context CSV: one column per series, time down the rows, optional header row, empty cell
 * or NaN = missing (shorter series start with empty cells). Returns (B, L) row-major:
 * values[b * L + t]; names (B strings, or NULL without header) — free with csv_free_names. */
/* A CSV cell: %.9g, or nothing when not finite. */
CL_INTERNAL void cl_csv_num(FILE *f, double v);
CL_INTERNAL int csv_read_context(const char *path, float **values, int *B, int *L, char ***names,
                                 cl_error *err) CL_SYMBOL(csv_read_context);
CL_INTERNAL void csv_free_names(char **names, int B) CL_SYMBOL(csv_free_names);

/* Decoder ids CSV: one row per series, integers, every row the same length.
 * Returns ids (B, T) row-major. */
CL_INTERNAL int csv_read_ids(const char *path, int32_t **ids, int *B, int *T, cl_error *err) CL_SYMBOL(csv_read_ids);

/* A CSV as text cells (predict_df's long format: names, timestamps, numbers): a header row
 * of unique names, then rows of exactly that many cells. cells[r * cols + c] (row 0 the
 * header) point into text; line[r] is the 1-based line of row r in the file. */
typedef struct csv_table { char *text; char **cells; int *line; int rows, cols; } csv_table;
CL_INTERNAL int csv_read_table(const char *path, csv_table *t, cl_error *err) CL_SYMBOL(csv_read_table);
CL_INTERNAL void csv_table_free(csv_table *t) CL_SYMBOL(csv_table_free);
/* A cell as the context reader reads it: cl_parse_cell (include/chronolens.h). */

/* Writes one CSV field as RFC 4180 does: quoted ("a, b" -> "\"a, b\"", a quote doubled)
 * when it holds a comma, a quote, a line break or leading/trailing blanks; as is otherwise. */
CL_INTERNAL void csv_write_field(FILE *f, const char *s) CL_SYMBOL(csv_write_field);

#endif
