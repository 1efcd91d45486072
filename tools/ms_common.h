/* ms_common.h — helpers shared by the multisine and multisine-sweep commands: option lists,
 * the output folder, JSON/CSV writing and the options both commands take. */
#ifndef CL_MS_COMMON_H
#define CL_MS_COMMON_H

#include "chronolens.h"
#include "../src/analysis/spectrum.h"

#include <cjson/cJSON.h>
#include <stdio.h>

/* Parses "1,2.5,3" into out (at most max values). Returns 1 on success, or -1 after printing
 * one error line naming the option (empty list, non-numeric item, too many values). */
int ms_parse_list(const char *opt, const char *text, double *out, int max, int *n);
/* Creates the output folder when missing (parents must exist). Returns 0 or prints and -1. */
int ms_make_outdir(const char *dir);
/* A short name for a model folder: its last path component ("model" for "/"). */
void ms_model_name(const char *dir, char *buf, size_t n);
/* Writes root as indented JSON to path atomically. */
int ms_write_json(const char *path, const cJSON *root, cl_error *err);
/* A JSON number, or null when not finite. */
cJSON *ms_num(double v);
/* A CSV cell: %.9g, or empty when not finite. */
void ms_csv_num(FILE *f, double v);
/* The smallest context_length of the models' config.json files (read, not loaded): the
 * input's length before any work. 0, or -1 after printing the error. */
int ms_min_context(const char *const *dirs, int n, int *minctx);
/* Prefixes err's message with "<dir>: " (errors of a loaded model that do not name it). */
void ms_err_prefix(cl_error *err, const char *dir);
/* The spacing options both commands accept (--min-strength, --harmonic-ratio). */
int ms_opt_spacing(int argc, char **argv, int *i, cl_spacing_opts *o);

#endif
