/* cli.h — helpers shared by the subcommands: option parsing, errors, progress. */
#ifndef CL_CLI_H
#define CL_CLI_H

#include "chronolens.h"
#include <stdio.h>

/* Exit status for bad input or usage: every error is one line on stderr. */
#define EXIT_BAD 2

extern int cli_quiet;
/* 0 while another command drives this one (report): its closing summary lines are left out. */
extern int cli_summary;

/* Prints "chronolens: <message>" (one line) to stderr and returns EXIT_BAD. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_fail_err(const cl_error *err);

/* Option matching: if argv[*i] is `name`, takes its value (next argument) and advances *i.
 * Returns 1 when matched, 0 when not, -1 on a bad value (already reported). */
int opt_str(int argc, char **argv, int *i, const char *name, const char **out);
int opt_int(int argc, char **argv, int *i, const char *name, long lo, long hi, long *out);
int opt_double(int argc, char **argv, int *i, const char *name, double lo, double hi, double *out);
int opt_flag(char **argv, int i, const char *name);
/* List and range values (syntax in src/core/parse.h): `--freqs 5,10,20` fills out[0..*n)
 * with at most max numbers in [lo, hi]; `--range 1910:2187` gives lo <= *a <= *b <= hi. */
int opt_double_list(int argc, char **argv, int *i, const char *name, double lo, double hi,
                    double *out, int max, int *n);
int opt_long_list(int argc, char **argv, int *i, const char *name, long lo, long hi, long *out,
                  int max, int *n);
int opt_range(int argc, char **argv, int *i, const char *name, long lo, long hi, long *a, long *b);

/* argv with every "--opt=value" split into "--opt" "value", so that every option of every
 * command takes either form; *nargc gets the new count. NULL when out of memory. */
char **cli_split_eq(int argc, char **argv, int *nargc);

/* Common options every command accepts: --threads N, --quiet. Returns as opt_*. */
int opt_common(int argc, char **argv, int *i);

/* Every output is checked before any work (src/io/outlock.h): a file output is not a folder
 * and its folder is writable; a folder output is a folder or can be created. The output is
 * then owned by this run (a lock beside it; stale temporaries of dead runs removed).
 * NULL paths are skipped. Returns 0, or EXIT_BAD after one line naming cmd and the path. */
int cli_out_file(const char *cmd, const char *path);
int cli_out_dir(const char *cmd, const char *dir);

/* 1 when folder dir holds an entry not named in own (NULL-terminated; NULL: any entry is
 * foreign), its name in first; 0 when it holds only those, is empty or does not exist. */
int cli_out_foreign(const char *dir, const char *const *own, char *first, size_t n);

/* Removes every `--name NAME` from argv (*argc updated): NAME names the --model before it.
 * Only the commands that name models take it; others refuse it. 0, or EXIT_BAD (reported). */
int cli_take_names(const char *cmd, int *argc, char **argv);
/* A model's name in tables, figures and file names: its --name, else the folder's basename,
 * and for a Hugging Face cache snapshot (.../models--ORG--NAME/snapshots/HASH) NAME. */
void cli_model_name(const char *dir, char *buf, size_t n);

/* A warning on stderr (unless --quiet) for every series of the context (B, L) with no value. */
void cli_warn_empty_series(const char *path, const float *ctx, int B, int L, char **names);

/* Progress on stderr when it is a terminal and not --quiet. */
void progress(const char *label, double done, double total);
void progress_done(void);
/* A command run as one stage of a longer job (report): progress lines are prefixed with
 * the stage's name and the whole job's share done and time left; the stage covers the
 * fraction [from, to) of the job. progress_stage(NULL, 0, 0) ends the staging. */
void progress_stage(const char *name, double from, double to);

int cmd_info(int argc, char **argv);
int cmd_forward(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_forecast(int argc, char **argv);
int cmd_embed(int argc, char **argv);
int cmd_induction(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_multisine(int argc, char **argv);
int cmd_multisine_sweep(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_formation(int argc, char **argv);
int cmd_eval(int argc, char **argv);

/* The bundled model (models/chronos-nano of the source tree, or $CHRONOLENS_MODEL):
 * what a command uses when --model is omitted. */
const char *cli_default_model(void);

#endif
