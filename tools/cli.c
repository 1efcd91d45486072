/* cli.c — option parsing, one-line errors and a progress line for the subcommands. */
#include "cli.h"
#include "../src/core/parse.h"
#include "../src/io/outlock.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int cli_quiet = 0;
int cli_summary = 1;

int cli_fail(const char *fmt, ...) {
    progress_done();
    va_list ap;
    va_start(ap, fmt);
    fputs("chronolens: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return EXIT_BAD;
}

int cli_fail_err(const cl_error *err) { return cli_fail("%s", err->msg); }

/* kept for the process's lifetime (the commands hold pointers into it) */
static char **split_args;

char **cli_split_eq(int argc, char **argv, int *nargc) {
    int extra = 0;
    for (int i = 1; i < argc; i++) extra += !strncmp(argv[i], "--", 2) && argv[i][2] && strchr(argv[i], '=') != NULL;
    split_args = malloc(sizeof(char *) * (size_t)(argc + extra + 1));
    if (!split_args) return NULL;
    int n = 0;
    for (int i = 0; i < argc; i++) {
        char *eq = i > 0 && !strncmp(argv[i], "--", 2) && argv[i][2] ? strchr(argv[i], '=') : NULL;
        if (!eq) { split_args[n++] = argv[i]; continue; }
        *eq = 0; /* argv's strings are ours to change: "--opt" and "value" */
        split_args[n++] = argv[i];
        split_args[n++] = eq + 1;
    }
    split_args[n] = NULL;
    *nargc = n;
    return split_args;
}

static int need_value(int argc, char **argv, int i) {
    if (i + 1 >= argc) { cli_fail("option %s needs a value", argv[i]); return -1; }
    return 0;
}

int opt_flag(char **argv, int i, const char *name) { return strcmp(argv[i], name) == 0; }

int opt_str(int argc, char **argv, int *i, const char *name, const char **out) {
    if (strcmp(argv[*i], name) != 0) return 0;
    if (need_value(argc, argv, *i)) return -1;
    *out = argv[++*i];
    return 1;
}

int opt_int(int argc, char **argv, int *i, const char *name, long lo, long hi, long *out) {
    if (strcmp(argv[*i], name) != 0) return 0;
    if (need_value(argc, argv, *i)) return -1;
    const char *v = argv[++*i];
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (!*v || *end || errno || x < lo || x > hi) {
        cli_fail("option %s: '%s' is not an integer in [%ld, %ld]", name, v, lo, hi);
        return -1;
    }
    *out = x;
    return 1;
}

int opt_double(int argc, char **argv, int *i, const char *name, double lo, double hi, double *out) {
    if (strcmp(argv[*i], name) != 0) return 0;
    if (need_value(argc, argv, *i)) return -1;
    const char *v = argv[++*i];
    char *end;
    double x = strtod(v, &end);
    if (!*v || *end || !isfinite(x) || x < lo || x > hi) {
        cli_fail("option %s: '%s' is not a number in [%g, %g]", name, v, lo, hi);
        return -1;
    }
    *out = x;
    return 1;
}

int opt_double_list(int argc, char **argv, int *i, const char *name, double lo, double hi,
                    double *out, int max, int *n) {
    if (strcmp(argv[*i], name) != 0) return 0;
    if (need_value(argc, argv, *i)) return -1;
    const char *v = argv[++*i];
    if (cl_parse_double_list(v, lo, hi, out, max, n) != 0) {
        cli_fail("option %s: '%.200s' is not a comma-separated list of at most %d numbers in [%g, %g]",
                 name, v, max, lo, hi);
        return -1;
    }
    return 1;
}

int opt_long_list(int argc, char **argv, int *i, const char *name, long lo, long hi, long *out,
                  int max, int *n) {
    if (strcmp(argv[*i], name) != 0) return 0;
    if (need_value(argc, argv, *i)) return -1;
    const char *v = argv[++*i];
    if (cl_parse_long_list(v, lo, hi, out, max, n) != 0) {
        cli_fail("option %s: '%.200s' is not a comma-separated list of at most %d integers in [%ld, %ld]",
                 name, v, max, lo, hi);
        return -1;
    }
    return 1;
}

int opt_range(int argc, char **argv, int *i, const char *name, long lo, long hi, long *a, long *b) {
    if (strcmp(argv[*i], name) != 0) return 0;
    if (need_value(argc, argv, *i)) return -1;
    const char *v = argv[++*i];
    if (cl_parse_int_range(v, lo, hi, a, b) != 0) {
        cli_fail("option %s: '%.200s' is not a range A:B with %ld <= A <= B <= %ld", name, v, lo, hi);
        return -1;
    }
    return 1;
}

int opt_common(int argc, char **argv, int *i) {
    long t;
    int r = opt_int(argc, argv, i, "--threads", 1, 1024, &t);
    if (r == 1) cl_set_threads((int)t);
    if (r) return r;
    if (opt_flag(argv, *i, "--quiet") || opt_flag(argv, *i, "-q")) { cli_quiet = 1; return 1; }
    return 0;
}

static int progress_shown = 0;
static double progress_t0 = -1;
/* staging (progress_stage): the stage's label and share of the whole job */
static char stage_name[256];
static double stage_from, stage_to, job_t0 = -1;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

void progress(const char *label, double done, double total) {
    if (cli_quiet || !isatty(STDERR_FILENO)) return;
    if (progress_t0 < 0 || done == 0) progress_t0 = now();
    double el = now() - progress_t0, frac = total > 0 ? done / total : 0;
    char eta[32] = "", job[320] = "";
    if (frac > 0.01 && frac < 1) snprintf(eta, sizeof eta, ", %.0fs left", el * (1 - frac) / frac);
    if (stage_name[0]) { /* the whole job: share done, time left at the pace so far */
        double f = stage_from + (stage_to - stage_from) * (frac < 1 ? frac : 1), jel = now() - job_t0;
        char jeta[48] = "";
        if (f > 0.01 && f < 1) snprintf(jeta, sizeof jeta, ", ~%.0fs left in all", jel * (1 - f) / f);
        snprintf(job, sizeof job, "[%s %2.0f%%%s] ", stage_name, 100 * f, jeta);
    }
    fprintf(stderr, "\r\033[K%s%s: %3.0f%% (%.1fs%s)", job, label, 100 * frac, el, eta);
    fflush(stderr);
    progress_shown = 1;
}

void progress_done(void) {
    if (progress_shown) { fputs("\r\033[K", stderr); fflush(stderr); }
    progress_shown = 0;
    progress_t0 = -1;
}

void progress_stage(const char *name, double from, double to) {
    if (!name) { stage_name[0] = 0; job_t0 = -1; return; }
    if (job_t0 < 0) job_t0 = now();
    snprintf(stage_name, sizeof stage_name, "%s", name);
    stage_from = from;
    stage_to = to;
}

int cli_out_file(const char *cmd, const char *path) {
    if (!path) return 0;
    cl_error err = {0};
    /* a command run by another (report) writes inside the folder its driver owns */
    if (cl_out_check(path, &err) || (cli_summary && cl_out_claim(path, 0, &err)))
        return cli_fail("%s: %s", cmd, err.msg);
    return 0;
}

int cli_out_dir(const char *cmd, const char *dir) {
    if (!dir) return 0;
    cl_error err = {0};
    if (cl_out_check_dir(dir, &err) || (cli_summary && cl_out_claim(dir, 1, &err)))
        return cli_fail("%s: %s", cmd, err.msg);
    return 0;
}

void cli_warn_empty_series(const char *path, const float *ctx, int B, int L, char **names) {
    if (cli_quiet) return;
    for (int b = 0; b < B; b++) {
        int any = 0;
        for (int t = 0; t < L && !any; t++) any = !isnan(ctx[(size_t)b * L + t]);
        if (any) continue;
        progress_done();
        if (names) fprintf(stderr, "chronolens: warning: %s: series '%s' (column %d) has no values (all missing)\n", path, names[b], b + 1);
        else fprintf(stderr, "chronolens: warning: %s: series %d (column %d) has no values (all missing)\n", path, b, b + 1);
    }
}

int cli_out_foreign(const char *dir, const char *const *own, char *first, size_t n) {
    DIR *d = opendir(dir);
    if (!d) return 0; /* missing: created later */
    struct dirent *e;
    int found = 0;
    while (!found && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        int ok = 0;
        for (int k = 0; own && own[k] && !ok; k++) ok = !strcmp(e->d_name, own[k]);
        if (!ok) { snprintf(first, n, "%s", e->d_name); found = 1; }
    }
    closedir(d);
    return found;
}

/* --name NAME after a --model: the model's name (set by cli_take_names) */
#define MAX_NAMED 64
static struct { const char *dir, *name; } named[MAX_NAMED];
static int n_named;

int cli_take_names(const char *cmd, int *argc, char **argv) {
    static const char *const naming[] = {"induction", "sweep", "multisine", "multisine-sweep", "report", NULL};
    int takes = 0, w = 1;
    for (int k = 0; naming[k]; k++) takes |= !strcmp(cmd, naming[k]);
    const char *model = NULL;
    for (int i = 1; i < *argc; i++) {
        if (!strcmp(argv[i], "--model") && i + 1 < *argc) {
            argv[w++] = argv[i];
            model = argv[++i];
            argv[w++] = argv[i];
            continue;
        }
        if (strcmp(argv[i], "--name") != 0) { argv[w++] = argv[i]; continue; }
        if (!takes) return cli_fail("%s: --name does not apply (it names a --model of induction, sweep, multisine, multisine-sweep or report)", cmd);
        if (i + 1 >= *argc) return cli_fail("option --name needs a value");
        const char *v = argv[++i];
        if (!model) return cli_fail("%s: --name %s: give it after the --model it names", cmd, v);
        if (!*v || strchr(v, '/') || !strcmp(v, ".") || !strcmp(v, "..") || strlen(v) > 100)
            return cli_fail("%s: --name '%.100s': a name is 1 to 100 characters, no '/' (it is used in file names)", cmd, v);
        for (int k = 0; k < n_named; k++)
            if (!strcmp(named[k].dir, model)) return cli_fail("%s: --model %s is named twice", cmd, model);
        if (n_named == MAX_NAMED) return cli_fail("%s: --name: at most %d", cmd, MAX_NAMED);
        named[n_named].dir = model;
        named[n_named++].name = v;
        model = NULL;
    }
    argv[w] = NULL;
    *argc = w;
    return 0;
}

void cli_model_name(const char *dir, char *buf, size_t n) {
    for (int k = 0; k < n_named; k++)
        if (!strcmp(named[k].dir, dir)) { snprintf(buf, n, "%s", named[k].name); return; }
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/') len--;
    size_t b = len;
    while (b > 0 && dir[b - 1] != '/') b--;
    if (b == len) { snprintf(buf, n, "model"); return; }
    /* a Hugging Face cache snapshot, .../models--ORG--NAME/snapshots/HASH: NAME */
    if (b >= 11 && !strncmp(dir + b - 11, "/snapshots/", 11) ) {
        size_t e = b - 11, s = e;
        while (s > 0 && dir[s - 1] != '/') s--;
        if (e - s > 8 && !strncmp(dir + s, "models--", 8)) {
            const char *seg = dir + s, *last = seg;
            for (const char *q = seg; q + 1 < dir + e; q++)
                if (q[0] == '-' && q[1] == '-') last = q + 2;
            if (last < dir + e) { snprintf(buf, n, "%.*s", (int)(dir + e - last), last); return; }
        }
    }
    snprintf(buf, n, "%.*s", (int)(len - b), dir + b);
}
