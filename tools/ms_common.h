/* ms_common.h — helpers shared by the multisine and multisine-sweep commands: option lists,
 * the output folder, JSON/CSV writing and the options both commands take. */
#ifndef CL_MS_COMMON_H
#define CL_MS_COMMON_H

#include "chronolens.h"
#include "../src/analysis/spectrum.h"

#include <cjson/cJSON.h>
#include <stdio.h>

/* Creates the output folder and its parents when missing. Returns 0 or prints and -1. */
int ms_make_outdir(const char *dir);
/* Writes root as indented JSON to path atomically. */
int ms_write_json(const char *path, const cJSON *root, cl_error *err);
/* A JSON number, or null when not finite. */
cJSON *ms_num(double v);
/* A CSV cell: %.9g, or empty when not finite. */
void ms_csv_num(FILE *f, double v);
/* Prefixes err's message with "<dir>: " (errors of a loaded model that do not name it). */
void ms_err_prefix(cl_error *err, const char *dir);
/* The spacing options both commands accept (--min-strength, --harmonic-ratio). */
int ms_opt_spacing(int argc, char **argv, int *i, cl_spacing_opts *o);

#endif
