/* cli.h — helpers shared by the subcommands: option parsing, errors, progress. */
#ifndef CL_CLI_H
#define CL_CLI_H

#include "chronolens.h"
#include <stdio.h>

/* Exit status for bad input or usage: every error is one line on stderr. */
#define EXIT_BAD 2

extern int cli_quiet;

/* Prints "chronolens: <message>" (one line) to stderr and returns EXIT_BAD. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_fail_err(const cl_error *err);

/* Option matching: if argv[*i] is `name`, takes its value (next argument) and advances *i.
 * Returns 1 when matched, 0 when not, -1 on a bad value (already reported). */
int opt_str(int argc, char **argv, int *i, const char *name, const char **out);
int opt_int(int argc, char **argv, int *i, const char *name, long lo, long hi, long *out);
int opt_double(int argc, char **argv, int *i, const char *name, double lo, double hi, double *out);
int opt_flag(char **argv, int i, const char *name);

/* Common options every command accepts: --threads N, --quiet. Returns as opt_*. */
int opt_common(int argc, char **argv, int *i);

/* Progress on stderr when it is a terminal and not --quiet. */
void progress(const char *label, double done, double total);
void progress_done(void);

int cmd_info(int argc, char **argv);
int cmd_forward(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_forecast(int argc, char **argv);
int cmd_embed(int argc, char **argv);
int cmd_induction(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_multisine(int argc, char **argv);
int cmd_multisine_sweep(int argc, char **argv);

#endif
