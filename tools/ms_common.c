/* ms_common.c — option lists, output folder, JSON and CSV helpers of the multisine commands. */
#include "ms_common.h"
#include "cli.h"
#include "../src/core/core.h"
#include "../src/io/json.h"

#include <math.h>
#include <string.h>

int ms_make_outdir(const char *dir) {
    cl_error err;
    if (cl_mkdirs(dir, &err)) { cli_fail("--out %s", err.msg); return -1; }
    return 0;
}

int ms_write_json(const char *path, const cJSON *root, cl_error *err) {
    return cl_json_save(path, root, err);
}

cJSON *ms_num(double v) { return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull(); }

void ms_csv_num(FILE *f, double v) {
    if (isfinite(v)) fprintf(f, "%.9g", v);
}

int ms_opt_spacing(int argc, char **argv, int *i, cl_spacing_opts *o) {
    int r = opt_double(argc, argv, i, "--min-strength", 0, 1, &o->min_strength);
    if (!r) r = opt_double(argc, argv, i, "--harmonic-ratio", 0, 1, &o->harmonic_ratio);
    return r;
}

void ms_err_prefix(cl_error *err, const char *dir) {
    char msg[sizeof err->msg];
    snprintf(msg, sizeof msg, "%s", err->msg);
    snprintf(err->msg, sizeof err->msg, "%.200s: %.500s", dir, msg);
}
