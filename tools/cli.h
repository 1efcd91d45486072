/* cli.h — helpers shared by the subcommands: option parsing, errors, progress. */
#ifndef CL_CLI_H
#define CL_CLI_H

#include "chronolens.h"
#include "chronolens_study.h"
#include <stdio.h>

/* Exit status for bad input or usage: every error is one line on stderr. */
#define EXIT_BAD 2

/* A command's terminal state: --quiet and its progress line. One per command run, on its
 * stack (no globals); its address is the ctx of cli_progress. */
typedef struct cli_ui {
    int quiet;          /* --quiet: no progress line, no closing summary */
    int shown;          /* a progress line is on the terminal */
    double t0;          /* when the current count started (done == 0) */
    int threads;        /* --threads (0: not given, all cores) */
    int progress;       /* --progress: progress also when stderr is no terminal, one line per step */
    int last_step;      /* line mode: the last 10% step printed (-1: none yet for this stage) */
    char last_stage[160]; /* line mode: the stage of that line */
} cli_ui;
#define CLI_UI_INIT {0, 0, -1, 0, 0, -1, {0}}

/* Prints "chronolens: <message>" (one line) to stderr and returns EXIT_BAD. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_fail_err(const cl_error *err);

/* A list value (syntax: cl_parse_double_list in chronolens.h) of option name, taken earlier:
 * v fills out[0..*n) with at most max numbers in [lo, hi]. 1, or -1 (reported). */
int cli_double_list(const char *name, const char *v, double lo, double hi, double *out, int max, int *n);

/* Asked for bf16 on a CPU without AVX512-BF16/AMX: says so in one line on stderr (the models
 * then load in fp32, docs/precision.md); nothing otherwise. */
void cli_precision_note(cl_precision p);

/* A cl_progress_fn (ctx: the cli_ui): "<stage>: 42% (1.2s, 3s left)" on stderr unless --quiet.
 * On a terminal one line redrawn in place (carriage returns); with --progress on a file, pipe
 * or notebook (no terminal) one plain line per stage and per 10% step, no carriage returns
 * (Jupyter, subprocess and Slurm logs read it line by line); nothing otherwise. Never cancels. */
int cli_progress(void *ctx, const char *stage, double done, double total);
/* The library's progress struct that reports through ui. */
static inline cl_progress cli_progress_of(cli_ui *ui) { return (cl_progress){.fn = cli_progress, .ctx = ui}; }
/* Clears the progress line. */
void cli_progress_done(cli_ui *ui);

/* argv with every "--opt=value" split into "--opt" "value", so that every option of every
 * command takes either form; *nargc gets the new count. A new array (free it; its strings
 * are argv's, changed in place), NULL when out of memory. */
char **cli_split_eq(int argc, char **argv, int *nargc);


/* Every output is checked before any work (cl_out_check, cl_out_claim): a file output is not a folder
 * and its folder is writable; a folder output is a folder or can be created. The output is
 * then owned by this run (a lock beside it; stale temporaries of dead runs removed).
 * NULL paths are skipped. Returns 0, or EXIT_BAD after one line naming cmd and the path. */
int cli_out_file(const char *cmd, const char *path);
int cli_out_dir(const char *cmd, const char *dir);
/* cli_out_dir, then the folder built whole (cl_outdir_begin): *dir is replaced by a
 * temporary folder beside it, where the command writes everything; main moves it into place
 * (cli_out_dirs_finish) only when the command succeeded, so a failure leaves nothing at
 * --out. An existing folder keeps its other files. Messages name the --out as given
 * (cli_fail maps the temporary back; cli_out_shown for others). */
int cli_out_dir_staged(const char *cmd, const char **dir);
const char *cli_out_shown(const char *dir);
/* After the command: rc 0 commits the staged folders (a failure: one line, EXIT_BAD),
 * otherwise removes them. Returns the command's exit status. */
int cli_out_dirs_finish(int rc);

/* A warning on stderr (unless --quiet) for every series of the context (B, L) with no value. */
void cli_warn_empty_series(cli_ui *ui, const char *path, const float *ctx, int B, int L, char **names);
/* A command that does not run Chronos-2 yet (forecast, embed): 0, or CL_EINVAL in err naming
 * the model folder dir (the library's own refusal cannot name it). */
int cli_refuse_chronos2(const cl_model *m, const char *dir, const char *cmd, cl_error *err);

/* --group-ids 0,1,2,2 of option name: *ids (malloc'ed, *n of them), integers in [0, 2^31);
 * 0, or EXIT_BAD after one line. */
int cli_parse_group_ids(const char *name, const char *v, int **ids, int *n);

int cmd_info(int argc, char **argv);
int cmd_forward(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_forecast(int argc, char **argv);
int cmd_embed(int argc, char **argv);
int cmd_induction(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_multisine(int argc, char **argv);
int cmd_multisine_sweep(int argc, char **argv);
int cmd_group_attention(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_claims(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_formation(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_merge(int argc, char **argv);

/* The bundled model ($CHRONOLENS_MODEL, else share/chronolens/models/chronos-nano beside the binary):
 * what a command uses when --model is omitted. */
const char *cli_default_model(void);

#endif
