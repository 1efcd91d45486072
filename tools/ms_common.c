/* ms_common.c — option lists, output folder, JSON and CSV helpers of the multisine commands. */
#include "ms_common.h"
#include "cli.h"
#include "../src/core/core.h"
#include "../src/io/json.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int ms_parse_list(const char *opt, const char *text, double *out, int max, int *n) {
    *n = 0;
    const char *p = text;
    if (!*p) { cli_fail("option %s: empty list (want comma-separated numbers)", opt); return -1; }
    for (;;) {
        char *end;
        errno = 0;
        double v = strtod(p, &end);
        if (end == p || errno || !isfinite(v) || (*end && *end != ',')) {
            cli_fail("option %s: '%s' is not a comma-separated list of numbers", opt, text);
            return -1;
        }
        if (*n >= max) { cli_fail("option %s: more than %d values", opt, max); return -1; }
        out[(*n)++] = v;
        if (!*end) return 1;
        p = end + 1;
    }
}

int ms_make_outdir(const char *dir) {
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (S_ISDIR(st.st_mode)) return 0;
        cli_fail("--out %s: exists and is not a folder", dir);
        return -1;
    }
    if (mkdir(dir, 0777) != 0) { cli_fail("--out %s: cannot create: %s", dir, strerror(errno)); return -1; }
    return 0;
}

void ms_model_name(const char *dir, char *buf, size_t n) { cli_model_name(dir, buf, n); }

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

int ms_min_context(const char *const *dirs, int n, int *minctx) {
    *minctx = 0;
    for (int k = 0; k < n; k++) {
        char path[4096];
        cl_config c;
        cl_error err = {0};
        if (cl_config_load(cl_path_join(path, sizeof path, dirs[k], "config.json"), &c, &err)) {
            cli_fail("%s", err.msg);
            return -1;
        }
        if (!*minctx || c.context_length < *minctx) *minctx = c.context_length;
    }
    return 0;
}
