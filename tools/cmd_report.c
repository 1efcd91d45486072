/* chronolens report — the whole induction-head study of one or more models as one
 * self-contained page: it runs the `induction`, `sweep`, `multisine` and `multisine-sweep`
 * commands (the same code, the same files) into a temporary folder beside --out, moves their
 * figures under figures/ and their numbers under data/, writes data/setup.json, and lets
 * src/report/report_html.c build data/claims.* and index.html from those files. The folder is
 * renamed into place only when everything succeeded, so a failure leaves no half-written page. */
#include "cli.h"
#include "../src/io/outlock.h"
#include "../src/analysis/multisine.h"
#include "../src/analysis/rrt.h"
#include "../src/core/core.h"
#include "../src/io/json.h"
#include "../src/report/report_html.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define USAGE "report: usage: chronolens report [--model DIR ...] [--out DIR] [--quick] [--seed S] " \
              "[--batch N] [--sweep-batch N] [--configs N]"
#define MAX_MODELS 16

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *f) {
    (void)sb; (void)flag; (void)f;
    return remove(p);
}
static void rm_tree(const char *dir) { nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS); }

/* folder basename, trailing slashes ignored (the name the other commands give a model) */
static void base_name(const char *dir, char *out, size_t n) {
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/') len--;
    size_t s = len;
    while (s > 0 && dir[s - 1] != '/') s--;
    snprintf(out, n, "%.*s", (int)(len - s), dir + s);
}

/* Moves the figures (*.png, *.svg) of folder src into folder dst (created). */
static int move_figures(const char *src, const char *dst, cl_error *err) {
    if (mkdir(dst, 0777) != 0 && errno != EEXIST) return cl_error_set(err, CL_EIO, "%s: cannot create (%s)", dst, strerror(errno));
    DIR *d = opendir(src);
    if (!d) return cl_error_set(err, CL_EIO, "%s: cannot read (%s)", src, strerror(errno));
    struct dirent *e;
    char a[PATH_MAX], b[PATH_MAX];
    int rc = 0;
    while (!rc && (e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 5 || (strcmp(e->d_name + l - 4, ".png") && strcmp(e->d_name + l - 4, ".svg"))) continue;
        if (rename(cl_path_join(a, sizeof a, src, e->d_name), cl_path_join(b, sizeof b, dst, e->d_name)))
            rc = cl_error_set(err, CL_EIO, "%s: cannot move (%s)", a, strerror(errno));
    }
    closedir(d);
    return rc;
}

static int is_empty_dir(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d))) n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n == 0;
}

typedef struct report_opts {
    const char *dirs[MAX_MODELS];
    char names[MAX_MODELS][256];
    int n;
    const char *out;
    int quick;
    long seed, batch, sweep_batch, configs, perms;
    const char *reps_list, *len_list;
    int min_context; /* the shortest context_length: the multisine reference adapts to it */
} report_opts;

/* Copies file src to dst (written atomically). */
static int copy_file(const char *src, const char *dst, cl_error *err) {
    char *d;
    size_t n;
    if (cl_read_file(src, (size_t)1 << 28, &d, &n, err)) return CL_EIO;
    cl_out out;
    int rc = cl_out_open(&out, dst, err);
    if (!rc && fwrite(d, 1, n, (FILE *)out.fp) != n) {
        cl_out_abort(&out);
        rc = cl_error_set(err, CL_EIO, "%s: write failed", dst);
    } else if (!rc) rc = cl_out_commit(&out, err);
    free(d);
    return rc;
}

/* A model folder written by `chronolens train` + `chronolens formation` holds formation.csv
 * (and formation.png/.svg): the induction heads over its training. The report shows them:
 * data/formation/<name>.csv, figures/formation/<name>.png/.svg. Models without them: nothing. */
static int copy_formation(const report_opts *o, const char *data, const char *figs, cl_error *err) {
    char src[PATH_MAX], dst[PATH_MAX], dd[PATH_MAX], fd[PATH_MAX], file[300];
    struct stat st;
    int rc = 0;
    cl_path_join(dd, sizeof dd, data, "formation");
    cl_path_join(fd, sizeof fd, figs, "formation");
    for (int k = 0; k < o->n && !rc; k++) {
        if (stat(cl_path_join(src, sizeof src, o->dirs[k], "formation.csv"), &st) != 0) continue;
        if ((mkdir(dd, 0777) && errno != EEXIST) || (mkdir(fd, 0777) && errno != EEXIST))
            return cl_error_set(err, CL_EIO, "%s: cannot create (%s)", dd, strerror(errno));
        snprintf(file, sizeof file, "%s.csv", o->names[k]);
        rc = copy_file(src, cl_path_join(dst, sizeof dst, dd, file), err);
        static const char *EXT[2] = {"png", "svg"};
        for (int e = 0; e < 2 && !rc; e++) {
            snprintf(file, sizeof file, "formation.%s", EXT[e]);
            if (stat(cl_path_join(src, sizeof src, o->dirs[k], file), &st) != 0) continue;
            snprintf(file, sizeof file, "%s.%s", o->names[k], EXT[e]);
            rc = copy_file(src, cl_path_join(dst, sizeof dst, fd, file), err);
        }
    }
    return rc;
}

/* Runs one subcommand with the arguments given (NULL-terminated), as one stage of the job. */
static int run_step(int (*cmd)(int, char **), const char *stage, double from, double to, const char **args) {
    char *argv[2 * MAX_MODELS + 32];
    int argc = 0;
    while (args[argc] && argc < (int)(sizeof argv / sizeof *argv) - 1) { argv[argc] = (char *)args[argc]; argc++; }
    argv[argc] = NULL;
    progress_stage(stage, from, to);
    int rc = cmd(argc, argv);
    progress_done();
    return rc;
}

static cJSON *setup_json(const report_opts *o, cl_model *const *m, const char **step_names, const double *step_secs,
                         int nsteps, double total) {
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "chronolens_version", CHRONOLENS_VERSION);
    char when[64];
    time_t t = time(NULL);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", gmtime(&t));
    cJSON_AddStringToObject(root, "created", when);
    cJSON_AddBoolToObject(root, "quick", o->quick);
    cJSON_AddNumberToObject(root, "seed", (double)o->seed);
    cJSON_AddNumberToObject(root, "threads", cl_get_threads());
    cJSON *s = cJSON_AddObjectToObject(root, "settings");
    cJSON *ind = cJSON_AddObjectToObject(s, "induction");
    cJSON_AddNumberToObject(ind, "seq_len", 10);
    cJSON_AddNumberToObject(ind, "reps", 2);
    cJSON_AddNumberToObject(ind, "batch", (double)o->batch);
    cJSON_AddNumberToObject(ind, "threshold", 0.3);
    cJSON_AddStringToObject(ind, "tokens", "band of the vocabulary around 0 (1910..2187 for 4096 tokens)");
    cJSON *sw = cJSON_AddObjectToObject(s, "sweep");
    cJSON_AddStringToObject(sw, "reps_list", o->reps_list);
    cJSON_AddStringToObject(sw, "len_list", o->len_list);
    cJSON_AddNumberToObject(sw, "batch", (double)o->sweep_batch);
    cJSON *ms = cJSON_AddObjectToObject(s, "multisine");
    cl_multisine ref;
    cl_multisine_reference(&ref);
    cl_multisine_fit_context(&ref, o->min_context); /* as the multisine steps do (method.md §3) */
    char input[256];
    snprintf(input, sizeof input, "5, 10, 20, 40 Hz, amplitudes 1, 0.5, 0.25, 0.25, phases 0, %d points over %.4g s%s",
             ref.points, ref.duration, ref.points < 301 ? " (the reference's 301 points per 3 s, cut to the shortest context)" : "");
    cJSON_AddStringToObject(ms, "input", input);
    cJSON_AddNumberToObject(ms, "points", ref.points);
    cJSON_AddNumberToObject(ms, "duration", ref.duration);
    cJSON_AddNumberToObject(ms, "permutations", (double)o->perms);
    cJSON *mss = cJSON_AddObjectToObject(s, "multisine_sweep");
    cJSON_AddNumberToObject(mss, "configs", (double)o->configs);
    cJSON_AddNumberToObject(mss, "permutations", (double)o->perms);
    cJSON *models = cJSON_AddArrayToObject(root, "models");
    for (int k = 0; k < o->n; k++) {
        const cl_config *c = cl_model_config(m[k]);
        cJSON *x = cJSON_CreateObject();
        cJSON_AddItemToArray(models, x);
        cJSON_AddStringToObject(x, "name", o->names[k]);
        cJSON_AddStringToObject(x, "path", o->dirs[k]);
        cJSON_AddNumberToObject(x, "parameters", (double)cl_model_param_count(m[k]));
        cJSON_AddStringToObject(x, "dtype", cl_model_dtype(m[k]));
        cJSON_AddNumberToObject(x, "d_model", c->d_model);
        cJSON_AddNumberToObject(x, "d_ff", c->d_ff);
        cJSON_AddNumberToObject(x, "d_kv", c->d_kv);
        cJSON_AddNumberToObject(x, "heads", c->num_heads);
        cJSON_AddNumberToObject(x, "encoder_layers", c->num_layers);
        cJSON_AddNumberToObject(x, "decoder_layers", c->num_decoder_layers);
        cJSON_AddNumberToObject(x, "vocab_size", c->vocab_size);
    }
    cJSON *st = cJSON_AddArrayToObject(root, "steps");
    for (int i = 0; i < nsteps; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddItemToArray(st, x);
        cJSON_AddStringToObject(x, "step", step_names[i]);
        cJSON_AddNumberToObject(x, "seconds", step_secs[i]);
    }
    cJSON_AddNumberToObject(root, "seconds", total);
    return root;
}

/* setup.json: written atomically, root consumed */
static int write_json_file(const char *path, cJSON *root, cl_error *err) {
    int rc = cl_json_save(path, root, err);
    cJSON_Delete(root);
    return rc;
}

/* R x L + 1 for the largest R and L of the sweep's lists (the induction step's 2 x 10 + 1 is less) */
static int longest_rrt(const report_opts *o) {
    long r = 0, l = 0;
    for (const char *p = o->reps_list; *p;) { long v = strtol(p, (char **)&p, 10); r = v > r ? v : r; if (*p) p++; }
    for (const char *p = o->len_list; *p;) { long v = strtol(p, (char **)&p, 10); l = v > l ? v : l; if (*p) p++; }
    return (int)(r * l + 1 > 21 ? r * l + 1 : 21);
}

/* Checks every model loads, has a token band and a unique name; keeps them for the sizes. */
static int load_models(report_opts *o, cl_model **m) {
    cl_error err = {0};
    for (int k = 0; k < o->n; k++) {
        if (cl_model_load(o->dirs[k], &m[k], &err)) return cli_fail("report: %s", err.msg);
        cli_model_name(o->dirs[k], o->names[k], sizeof o->names[k]);
        for (int j = 0; j < k; j++)
            if (!strcmp(o->names[j], o->names[k]))
                return cli_fail("report: --model: two models are named '%s' (give each its own --name)", o->names[k]);
        int lo, hi;
        if (cl_rrt_token_band(cl_model_config(m[k]), &lo, &hi, &err)) return cli_fail("report: %s: %s", o->dirs[k], err.msg);
        /* every step's settings against this model, before the first step runs: the sweep's
         * longest sequence (R x L + 1 values) and the multisine input (at least 8 points,
         * adapted to a shorter context by the step itself) */
        const int ctx = cl_model_config(m[k])->context_length, need = longest_rrt(o);
        if (need > ctx)
            return cli_fail("report: %s: context_length %d is below the sweep's longest input, %d values (R x L + 1); "
                            "no report for it", o->dirs[k], ctx, need);
        if (ctx < 8) return cli_fail("report: %s: context_length %d is below the multisine's 8 points", o->dirs[k], ctx);
        if (!o->min_context || ctx < o->min_context) o->min_context = ctx;
    }
    return 0;
}

/* The temporary folder beside out: <parent>/.<name>.tmp-PID-XXXXXX (outlock.h: removed at
 * SIGINT/SIGTERM, and by the next run when PID is dead) */
static int make_tmp(const char *out, char *tmp, size_t n) {
    char parent[PATH_MAX], name[256];
    snprintf(parent, sizeof parent, "%s", out);
    size_t len = strlen(parent);
    while (len > 1 && parent[len - 1] == '/') parent[--len] = 0;
    base_name(parent, name, sizeof name);
    char *slash = strrchr(parent, '/');
    if (!slash) snprintf(parent, sizeof parent, ".");
    else if (slash == parent) parent[1] = 0;
    else *slash = 0;
    char prefix[PATH_MAX];
    snprintf(prefix, sizeof prefix, "%s/.%s.tmp-%ld-", parent, name, (long)getpid());
    if (cl_tmp_create(tmp, n, prefix, 1) != 0)
        return cli_fail("report: --out %s: cannot create a folder in %s (%s)", out, parent, strerror(errno));
    chmod(tmp, 0755);
    return 0;
}

/* Renames tmp to out; an existing out (a folder) is replaced. */
static int commit(const char *tmp, const char *out, cl_error *err) {
    struct stat st;
    char old[PATH_MAX + 16];
    int had = stat(out, &st) == 0;
    if (had) {
        snprintf(old, sizeof old, "%s.old-XXXXXX", tmp);
        if (!mkdtemp(old) || rmdir(old) || rename(out, old))
            return cl_error_set(err, CL_EIO, "--out %s: cannot replace the existing folder (%s)", out, strerror(errno));
    }
    if (rename(tmp, out)) {
        int e = errno;
        if (had) rename(old, out);
        return cl_error_set(err, CL_EIO, "--out %s: cannot rename the report into place (%s)", out, strerror(e));
    }
    if (had) rm_tree(old);
    return 0;
}

int cmd_report(int argc, char **argv) {
    report_opts o = {.out = "report", .seed = 0, .batch = -1, .sweep_batch = -1, .configs = -1};
    for (int i = 1; i < argc; i++) {
        const char *d = NULL;
        int r = opt_common(argc, argv, &i);
        if (!r && (r = opt_str(argc, argv, &i, "--model", &d)) == 1) {
            if (o.n == MAX_MODELS) return cli_fail("report: --model: at most %d models", MAX_MODELS);
            o.dirs[o.n++] = d;
        }
        if (!r) r = opt_str(argc, argv, &i, "--out", &o.out);
        if (!r && opt_flag(argv, i, "--quick")) { o.quick = 1; r = 1; }
        if (!r) r = opt_int(argc, argv, &i, "--seed", 0, 0x7fffffffffffffffL, &o.seed);
        if (!r) r = opt_int(argc, argv, &i, "--batch", 1, 100000, &o.batch);
        if (!r) r = opt_int(argc, argv, &i, "--sweep-batch", 1, 100000, &o.sweep_batch);
        if (!r) r = opt_int(argc, argv, &i, "--configs", 1, 100000, &o.configs);
        if (r < 0) return EXIT_BAD;
        if (!r) return cli_fail("report: unknown argument '%s' (%s)", argv[i], USAGE + 8);
    }
    if (!*o.out) return cli_fail("report: option --out: empty path");
    if (!o.n) o.dirs[o.n++] = cli_default_model();
    /* defaults: the study's induction batch; sweep and multisine sweep sized to keep a
     * report of tiny-to-base checkpoints within minutes (README "report" has the timings) */
    if (o.batch < 0) o.batch = o.quick ? 20 : 100;
    if (o.sweep_batch < 0) o.sweep_batch = o.quick ? 10 : 25;
    if (o.configs < 0) o.configs = o.quick ? 8 : 30;
    o.perms = o.quick ? 1000 : 10000;
    o.reps_list = o.quick ? "2,6,10" : "2,4,6,8,10";
    o.len_list = o.quick ? "2,6,10" : "2,4,6,8,10";
    struct stat st;
    if (stat(o.out, &st) == 0) { /* replace only an earlier report or an empty folder */
        if (!S_ISDIR(st.st_mode)) return cli_fail("report: --out %s: exists and is not a folder", o.out);
        char p[PATH_MAX];
        if (!is_empty_dir(o.out) && stat(cl_path_join(p, sizeof p, o.out, "data/setup.json"), &st) != 0)
            return cli_fail("report: --out %s: exists and holds no earlier report (choose another folder)", o.out);
    }
    cl_error cerr = {0};
    if (cl_out_check_dir(o.out, &cerr) || cl_out_claim(o.out, 1, &cerr)) return cli_fail("report: %s", cerr.msg);

    cl_model *models[MAX_MODELS] = {0};
    int rc = load_models(&o, models);
    char tmp[PATH_MAX];
    if (!rc) rc = make_tmp(o.out, tmp, sizeof tmp);
    if (rc) {
        for (int k = 0; k < o.n; k++) cl_model_free(models[k]);
        return EXIT_BAD;
    }
    /* tmp/data/<step>, tmp/figures/<step> */
    char data[PATH_MAX], figs[PATH_MAX], a[PATH_MAX], b[PATH_MAX];
    cl_path_join(data, sizeof data, tmp, "data");
    cl_path_join(figs, sizeof figs, tmp, "figures");
    cl_error err = {0};
    if (mkdir(data, 0777) || mkdir(figs, 0777)) rc = cl_error_set(&err, CL_EIO, "%s: cannot create (%s)", data, strerror(errno));

    char sbatch[32], ibatch[32], sseed[32], sconf[32], sperm[32];
    snprintf(ibatch, sizeof ibatch, "%ld", o.batch);
    snprintf(sbatch, sizeof sbatch, "%ld", o.sweep_batch);
    snprintf(sseed, sizeof sseed, "%ld", o.seed);
    snprintf(sconf, sizeof sconf, "%ld", o.configs);
    snprintf(sperm, sizeof sperm, "%ld", o.perms);
    /* shares of the whole run, measured on random tiny, mini, small, base checkpoints at the defaults */
    static const char *STEP[4] = {"induction", "sweep", "multisine", "multisine-sweep"};
    static const double SHARE[5] = {0, 0.34, 0.78, 0.85, 1.0};
    double secs[4] = {0}, t_all = now();
    int saved_summary = cli_summary;
    cli_summary = 0;
    for (int s = 0; s < 4 && !rc; s++) {
        double t0 = now();
        char out[PATH_MAX], stage[400];
        cl_path_join(out, sizeof out, data, STEP[s]);
        const char *args[2 * MAX_MODELS + 24];
        int na = 0;
        args[na++] = STEP[s];
        if (s < 3) {
            for (int k = 0; k < o.n; k++) { args[na++] = "--model"; args[na++] = o.dirs[k]; }
            args[na++] = "--out"; args[na++] = out;
            args[na++] = "--seed"; args[na++] = sseed;
            if (s == 0) { args[na++] = "--batch"; args[na++] = ibatch; }
            if (s == 1) {
                args[na++] = "--batch"; args[na++] = sbatch;
                args[na++] = "--reps-list"; args[na++] = o.reps_list;
                args[na++] = "--len-list"; args[na++] = o.len_list;
            }
            if (s == 2) { args[na++] = "--permutations"; args[na++] = sperm; }
            args[na] = NULL;
            snprintf(stage, sizeof stage, "report: step %d/4 %s", s + 1, STEP[s]);
            if (run_step(s == 0 ? cmd_induction : s == 1 ? cmd_sweep : cmd_multisine, stage, SHARE[s], SHARE[s + 1], args))
                rc = -1;
            if (!rc) rc = move_figures(out, cl_path_join(a, sizeof a, figs, STEP[s]), &err);
        } else {
            if (mkdir(out, 0777)) rc = cl_error_set(&err, CL_EIO, "%s: cannot create (%s)", out, strerror(errno));
            if (!rc) rc = mkdir(cl_path_join(a, sizeof a, figs, STEP[s]), 0777) ? cl_error_set(&err, CL_EIO, "%s: cannot create", a) : 0;
            for (int k = 0; k < o.n && !rc; k++) {
                char mout[PATH_MAX];
                cl_path_join(mout, sizeof mout, out, o.names[k]);
                const char *margs[] = {"multisine-sweep", "--model", o.dirs[k], "--out", mout, "--seed", sseed,
                                       "--configs", sconf, "--permutations", sperm, NULL};
                double w = (SHARE[4] - SHARE[3]) / o.n;
                snprintf(stage, sizeof stage, "report: step 4/4 multisine-sweep, model %d/%d %s", k + 1, o.n, o.names[k]);
                if (run_step(cmd_multisine_sweep, stage, SHARE[3] + k * w, SHARE[3] + (k + 1) * w, margs)) rc = -1;
                if (!rc) rc = move_figures(mout, cl_path_join(b, sizeof b, a, o.names[k]), &err);
            }
        }
        secs[s] = now() - t0;
    }
    cli_summary = saved_summary;
    progress_stage(NULL, 0, 0);
    if (!rc) rc = copy_formation(&o, data, figs, &err);
    if (!rc) {
        cJSON *setup = setup_json(&o, models, STEP, secs, 4, now() - t_all);
        rc = write_json_file(cl_path_join(a, sizeof a, data, "setup.json"), setup, &err);
    }
    if (!rc) rc = cl_report_write(tmp, &err);
    if (!rc) rc = commit(tmp, o.out, &err);
    for (int k = 0; k < o.n; k++) cl_model_free(models[k]);
    if (rc) rm_tree(tmp);
    cl_tmp_unregister(tmp);
    if (rc) {
        return rc > 0 ? cli_fail("report: %s", err.msg) : EXIT_BAD; /* -1: the step reported it */
    }
    if (!cli_quiet) fprintf(stderr, "report of %d model%s written in %.1fs\n", o.n, o.n > 1 ? "s" : "", now() - t_all);
    char *full = realpath(o.out, NULL);
    printf("%s/index.html\n", full ? full : o.out);
    free(full);
    return 0;
}
