/* cli.c — option parsing, one-line errors and a progress line for the subcommands. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* the folder outputs of this run, built in temporary folders (cli_out_dir_staged) */
#define MAX_STAGED 4
static cl_outdir staged[MAX_STAGED];
static int n_staged;

int cli_fail(const char *fmt, ...) {
    if (isatty(STDERR_FILENO)) fputs("\r\033[K", stderr); /* a progress line may be showing */
    char msg[4096], rest[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* a path inside a staged folder is shown inside the --out the user gave */
    for (int k = 0; k < n_staged; k++) {
        size_t tl = strlen(staged[k].tmp);
        char *p;
        while (tl && (p = strstr(msg, staged[k].tmp))) {
            snprintf(rest, sizeof rest, "%s", p + tl);
            snprintf(p, sizeof msg - (size_t)(p - msg), "%s%s", staged[k].out, rest);
        }
    }
    fprintf(stderr, "chronolens: %s\n", msg);
    return EXIT_BAD;
}

int cli_fail_err(const cl_error *err) { return cli_fail("%s", err->msg); }

char **cli_split_eq(int argc, char **argv, int *nargc) {
    int extra = 0;
    for (int i = 1; i < argc; i++) extra += !strncmp(argv[i], "--", 2) && argv[i][2] && strchr(argv[i], '=') != NULL;
    char **args = malloc(sizeof(char *) * (size_t)(argc + extra + 1));
    if (!args) return NULL;
    int n = 0;
    for (int i = 0; i < argc; i++) {
        char *eq = i > 0 && !strncmp(argv[i], "--", 2) && argv[i][2] ? strchr(argv[i], '=') : NULL;
        if (!eq) { args[n++] = argv[i]; continue; }
        *eq = 0; /* argv's strings are ours to change: "--opt" and "value" */
        args[n++] = argv[i];
        args[n++] = eq + 1;
    }
    args[n] = NULL;
    *nargc = n;
    return args;
}

int cli_double_list(const char *name, const char *v, double lo, double hi, double *out, int max, int *n) {
    if (cl_parse_double_list(v, lo, hi, out, max, n) != 0) {
        cli_fail("option %s: '%.200s' is not a comma-separated list of at most %d numbers in [%g, %g]",
                 name, v, max, lo, hi);
        return -1;
    }
    return 1;
}

void cli_precision_note(cl_precision p) {
    if (p == CL_BF16 && !cl_bf16_supported())
        fputs("chronolens: --precision bf16: this CPU has no AVX512-BF16 or AMX; running fp32\n", stderr);
}

int cli_progress(void *ctx, const char *label, double done, double total) {
    cli_ui *ui = ctx;
    const int tty = isatty(STDERR_FILENO);
    if (ui->quiet || (!tty && !ui->progress)) return 0;
    /* the stage: the label without its numbers ("train: step 62/11000, loss 5.1" is one stage
     * from step to step; "report: step 3/6 sweep" and "... 4/6 multisine" are two) */
    char stage[sizeof ui->last_stage];
    size_t n = 0;
    for (const char *c = label; *c && n + 1 < sizeof stage; c++)
        if (!(*c >= '0' && *c <= '9') && !(*c == '.' && c > label && c[-1] >= '0' && c[-1] <= '9')) stage[n++] = *c;
    stage[n] = 0;
    const int new_stage = strcmp(ui->last_stage, stage) != 0;
    if (ui->t0 < 0 || done == 0) ui->t0 = cl_now();
    double el = cl_now() - ui->t0, frac = total > 0 ? done / total : 0;
    if (frac > 1) frac = 1;
    char eta[32] = "";
    if (frac > 0.01 && frac < 1) snprintf(eta, sizeof eta, ", %.0fs left", el * (1 - frac) / frac);
    if (tty) {
        fprintf(stderr, "\r\033[K%s: %3.0f%% (%.1fs%s)", label, 100 * frac, el, eta);
        ui->shown = 1;
    } else { /* line mode: a line when the stage changes or the count reaches the next 10% */
        const int step = (int)floor(frac * 10 + 1e-9);
        if (!new_stage && step <= ui->last_step) return 0;
        memcpy(ui->last_stage, stage, sizeof stage);
        ui->last_step = step;
        fprintf(stderr, "%s: %3.0f%% (%.1fs%s)\n", label, 100 * frac, el, eta);
    }
    fflush(stderr);
    return 0;
}

void cli_progress_done(cli_ui *ui) {
    if (ui->shown) { fputs("\r\033[K", stderr); fflush(stderr); }
    ui->shown = 0;
    ui->t0 = -1;
    ui->last_step = -1;
    ui->last_stage[0] = 0;
}

int cli_out_file(const char *cmd, const char *path) {
    if (!path) return 0;
    cl_error err = {0};
    if (cl_out_check(path, &err) || cl_out_claim(path, 0, &err)) return cli_fail("%s: %s", cmd, err.msg);
    return 0;
}

int cli_out_dir(const char *cmd, const char *dir) {
    if (!dir) return 0;
    cl_error err = {0};
    if (cl_out_check_dir(dir, &err) || cl_out_claim(dir, 1, &err)) return cli_fail("%s: %s", cmd, err.msg);
    return 0;
}

int cli_out_dir_staged(const char *cmd, const char **dir) {
    if (!*dir) return 0;
    if (cli_out_dir(cmd, *dir)) return EXIT_BAD;
    if (n_staged == MAX_STAGED) return cli_fail("%s: --out %s: too many output folders", cmd, *dir);
    cl_error err = {0};
    if (cl_outdir_begin(&staged[n_staged], *dir, &err)) return cli_fail("%s: %s", cmd, err.msg);
    *dir = staged[n_staged++].tmp;
    return 0;
}

const char *cli_out_shown(const char *dir) {
    for (int k = 0; k < n_staged; k++)
        if (!strcmp(dir, staged[k].tmp)) return staged[k].out;
    return dir;
}

int cli_out_dirs_finish(int rc) {
    cl_error err = {0};
    for (int k = 0; k < n_staged; k++) {
        if (!rc && cl_outdir_commit(&staged[k], CL_OUTDIR_MERGE, &err)) rc = cli_fail("%s", err.msg);
        cl_outdir_abort(&staged[k]);
    }
    n_staged = 0;
    return rc;
}

int cli_parse_group_ids(const char *name, const char *v, int **ids, int *n) {
    int cap = 1;
    for (const char *p = v; *p; p++) cap += *p == ',';
    long *l = malloc(sizeof *l * (size_t)cap);
    *ids = malloc(sizeof **ids * (size_t)cap);
    if (!l || !*ids || cl_parse_long_list(v, 0, 2147483647L, l, cap, n)) {
        free(l);
        free(*ids);
        *ids = NULL;
        return cli_fail("option %s: '%.80s' is not a list of integers >= 0", name, v);
    }
    for (int i = 0; i < *n; i++) (*ids)[i] = (int)l[i];
    free(l);
    return 0;
}

int cli_refuse_chronos2(const cl_model *m, const char *dir, const char *cmd, cl_error *err) {
    if (!cl_model_is_chronos2(m)) return 0;
    return cl_error_set(err, CL_EINVAL, "%s: is a Chronos-2 model; %s runs Chronos-T5 and Chronos-Bolt models only "
                        "(Chronos-2: info, forward)", dir, cmd);
}

void cli_warn_empty_series(cli_ui *ui, const char *path, const float *ctx, int B, int L, char **names) {
    if (ui->quiet) return;
    for (int b = 0; b < B; b++) {
        int any = 0;
        for (int t = 0; t < L && !any; t++) any = !isnan(ctx[(size_t)b * L + t]);
        if (any) continue;
        cli_progress_done(ui);
        if (names) fprintf(stderr, "chronolens: warning: %s: series '%s' (column %d) has no values (all missing)\n", path, names[b], b + 1);
        else fprintf(stderr, "chronolens: warning: %s: series %d (column %d) has no values (all missing)\n", path, b, b + 1);
    }
}
