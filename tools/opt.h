/* opt.h — one table per command defines each option once: its name, the value it takes and
 * where it goes (a field of the command's arguments, filled with the library's cl_*_default
 * first), its range, its default as the help shows it (read from that field unless said in
 * words) and its meaning. The parser, `--help`, the usage lines, the "did you mean" of an
 * unknown option and docs/cli.md (`chronolens help --markdown`) all come from the tables
 * (as llama.cpp's common/arg.cpp does for its tools). */
#ifndef CL_OPT_H
#define CL_OPT_H

#include "cli.h"

#include <stddef.h>
#include <stdio.h>

typedef enum {
    OPT_FLAG,  /* no value: the int field becomes 1 */
    OPT_CLEAR, /* no value: the int field becomes 0 (--no-strict) */
    OPT_STR,   /* const char *: the value as given */
    OPT_INT,   /* int in [ilo, ihi] */
    OPT_LONG,  /* long in [ilo, ihi] */
    OPT_U64,   /* uint64_t in [ilo, ihi] (seeds) */
    OPT_NUM,   /* double in [dlo, dhi] */
    OPT_INTS,  /* a list (cl_parse_long_list) of at most max ints in [ilo, ihi]: int array at
                * the field, its count in the int at noff */
    OPT_FN,    /* fn takes the value (repeatable options, names, enumerations) */
    OPT_HELP,  /* --help: answered before any parsing (main) */
} opt_type;

enum {
    OPT_REQUIRED = 1, /* the command's usage without it */
    OPT_REPEAT = 2,   /* may be given more than once ("..." in the usage) */
};

typedef struct cli_opt {
    const char *name;  /* "--seq-len"; NULL ends a table */
    const char *alias; /* "-q", or NULL */
    const char *arg;   /* what the value is, in the help ("L", "fp32|bf16"); NULL: no value */
    opt_type type;
    size_t off;        /* the field: an offset into the command's arguments */
    long ilo, ihi;     /* integers, and the items of OPT_INTS */
    double dlo, dhi;   /* numbers */
    int max;           /* OPT_INTS: capacity */
    size_t noff;       /* OPT_INTS: the count's offset */
    /* OPT_FN: takes the value; other types: a check after the value is stored. 0, or -1
     * after one line on stderr (cli_fail). cmd: the command's name, for messages. */
    int (*fn)(const struct cli_opt *o, void *args, const char *value, const char *cmd);
    /* the default in words from the arguments after their defaults (NULL: the field's value) */
    const char *(*show)(const struct cli_opt *o, const void *args, char *buf, size_t n);
    const char *def;   /* the default in words where it is not a value ("the model's
                        * prediction_length"); NULL: show, else the field */
    const char *help;  /* the meaning, one sentence */
    unsigned flags;    /* OPT_REQUIRED, OPT_REPEAT */
} cli_opt;

/* A command: its options and what runs it. */
typedef struct cli_cmd {
    const char *name;
    const char *summary;    /* what it does, one sentence (the command list, the help) */
    const char *example;    /* one command line */
    const char *positional; /* the usage of its plain arguments ("[MODEL_DIR]"), or NULL: none */
    int need_positional;    /* at least one plain argument (merge's parts) */
    const cli_opt *opts;    /* ended by {NULL}; the common options (--threads, --quiet, --help) follow */
    size_t size;            /* of its arguments, a struct beginning with a cli_ui */
    void (*init)(void *args); /* the defaults (the library's cl_*_default) */
    /* a plain argument (positional != NULL): 0, or -1 reported */
    int (*pos)(void *args, const char *value);
    int (*run)(int argc, char **argv);
} cli_cmd;

/* The arguments of a parse: what was given (cli_given). */
#define CLI_MAX_OPTS 64
typedef struct cli_parsed {
    unsigned char given[CLI_MAX_OPTS];
} cli_parsed;

/* Sets args to the command's defaults (init), then parses argv[1..argc): every option of
 * the table and the common ones, plain arguments through pos; an unknown one is refused,
 * naming the nearest option when one is close ("did you mean --threads?"); then the
 * required options and plain arguments, or the usage. 0, or EXIT_BAD after one line. */
int cli_parse(const cli_cmd *c, void *args, int argc, char **argv, cli_parsed *p);
/* 1 when option name (of c's table) was given on the command line. */
int cli_given(const cli_cmd *c, const cli_parsed *p, const char *name);
/* "CMD: usage: chronolens CMD <plain arguments> <required options> [options] (chronolens CMD
 * --help)": the one line printed when a required argument is missing; EXIT_BAD. */
int cli_usage_fail(const cli_cmd *c);

/* The nearest name of list (n) to s within a few edits, or NULL. */
const char *cli_nearest(const char *s, const char *const *list, int n);

/* `chronolens help CMD`, `CMD --help`: usage, summary, every option with its default, the
 * common options and an example, wrapped to the width of f (a terminal's, else 80). */
void cli_help(FILE *f, const cli_cmd *c);
/* The command list of `chronolens --help`: cmds (n), in order. */
void cli_help_commands(FILE *f, const cli_cmd *const *cmds, int n);
/* docs/cli.md: the reference of every command of cmds (n) in Markdown (`chronolens help --markdown`). */
void cli_help_markdown(FILE *f, const cli_cmd *const *cmds, int n);

/* The options every command that runs a model takes, and --model with the bundled default. */
int cli_opt_precision(const cli_opt *o, void *args, const char *value, const char *cmd);
const char *cli_show_precision(const cli_opt *o, const void *args, char *buf, size_t n);
#define CLI_PRECISION(T, field)                                                                                     \
    {.name = "--precision", .arg = "fp32|bf16", .type = OPT_FN, .off = offsetof(T, field), .fn = cli_opt_precision, \
     .show = cli_show_precision,                                                                                    \
     .help = "bf16 matrix products (oneDNN) where the CPU has AVX512-BF16/AMX, else fp32 with a warning"}
#define CLI_MODEL_DEFAULT "models/chronos-nano ($CHRONOLENS_MODEL)"
/* --shard K/N into a cl_shard field */
int cli_opt_shard(const cli_opt *o, void *args, const char *value, const char *cmd);

/* Models given by --model (repeatable) and named by --name after each (cli_opt_name). */
typedef struct cli_models {
    const char *dirs[CL_STUDY_MAX_MODELS];
    const char *names[CL_STUDY_MAX_MODELS]; /* --name of each --model (NULL: its folder's name) */
    int n;
    int max;                /* more --model options: too_many (a format of max) */
    const char *too_many;
} cli_models;
int cli_opt_model(const cli_opt *o, void *args, const char *value, const char *cmd); /* field: a cli_models */
int cli_opt_name(const cli_opt *o, void *args, const char *value, const char *cmd);  /* field: a cli_models */
/* The field of option o in args, as a T *. */
#define CLI_FIELD(o, args, T) ((T *)((char *)(args) + (o)->off))
#define CLI_MODELS(T, field)                                                                                  \
    {.name = "--model", .arg = "DIR", .type = OPT_FN, .off = offsetof(T, field), .fn = cli_opt_model,          \
     .def = CLI_MODEL_DEFAULT, .help = "the checkpoint folder",                                               \
     .flags = OPT_REPEAT},                                                                                    \
    {.name = "--name", .arg = "NAME", .type = OPT_FN, .off = offsetof(T, field), .fn = cli_opt_name,           \
     .def = "the folder name (NAME of a models--ORG--NAME cache)",                                            \
     .help = "names the --model before it in tables, figures, file names"}

#endif
