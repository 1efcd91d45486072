/* chronolens — command-line entry: one subcommand per job, each defined by its option table
 * (opt.h, cmd_*.c). */
#include "cli.h"
#include "opt.h"

#include <stdlib.h>
#include <string.h>

extern const cli_cmd CMD_INFO, CMD_FORWARD, CMD_FORECAST, CMD_EMBED, CMD_INDUCTION, CMD_SWEEP, CMD_TRAIN,
    CMD_FORMATION, CMD_EVAL, CMD_INIT, CMD_MULTISINE, CMD_MULTISINE_SWEEP, CMD_GROUP_ATTENTION, CMD_CLAIMS, CMD_MERGE, CMD_REPORT;

/* every command, in the order of the command list */
static const cli_cmd *const CLI_COMMANDS[] = {
    &CMD_INFO, &CMD_FORWARD, &CMD_FORECAST, &CMD_EMBED, &CMD_INDUCTION, &CMD_SWEEP, &CMD_TRAIN, &CMD_FORMATION,
    &CMD_EVAL, &CMD_INIT, &CMD_MULTISINE, &CMD_MULTISINE_SWEEP, &CMD_GROUP_ATTENTION, &CMD_CLAIMS, &CMD_MERGE, &CMD_REPORT,
};
static const int CLI_NCOMMANDS = (int)(sizeof CLI_COMMANDS / sizeof CLI_COMMANDS[0]);

static const cli_cmd *cli_find(const char *name) {
    for (int i = 0; i < CLI_NCOMMANDS; i++)
        if (!strcmp(CLI_COMMANDS[i]->name, name)) return CLI_COMMANDS[i];
    return NULL;
}

static void usage(FILE *f) {
    fprintf(f, "chronolens %s — look inside Chronos time-series models\n\nusage: chronolens COMMAND [options]\n\n",
            CHRONOLENS_VERSION);
    cli_help_commands(f, CLI_COMMANDS, CLI_NCOMMANDS);
    fprintf(f, "\ncommon options: --threads N (default: the usable cores), --quiet, --progress (line-based progress when stderr is no terminal), --help\n"
               "every command that runs a model: --precision fp32|bf16 (default fp32; bf16 products where the CPU has AVX512-BF16/AMX)\n"
               "chronolens help COMMAND (or COMMAND --help): the command's options, defaults and an example\n");
}

/* "unknown command 'X'" with the nearest command, or the pointer to the list */
static int unknown_command(const char *prefix, const char *name) {
    const char *names[64];
    for (int i = 0; i < CLI_NCOMMANDS; i++) names[i] = CLI_COMMANDS[i]->name;
    const char *near = cli_nearest(name, names, CLI_NCOMMANDS);
    if (near) return cli_fail("%sunknown command '%s' (did you mean %s?)", prefix, name, near);
    return cli_fail("%sunknown command '%s' (try: chronolens --help)", prefix, name);
}

/* --name names a --model of the commands whose table has it; the others refuse it before
 * parsing, naming those that take it */
static int refuse_name(const char *cmd, int argc, char **argv) {
    const cli_cmd *c = cli_find(cmd);
    int k;
    for (k = 0; c && c->opts[k].name && strcmp(c->opts[k].name, "--name"); k++) {}
    if (!c || c->opts[k].name) return 0; /* it takes --name */
    char naming[256] = "";
    int n = 0, len = 0;
    for (int i = 0; i < CLI_NCOMMANDS; i++)
        for (const cli_opt *o = CLI_COMMANDS[i]->opts; o->name; o++)
            if (!strcmp(o->name, "--name")) n++;
    for (int i = 0, j = 0; i < CLI_NCOMMANDS; i++)
        for (const cli_opt *o = CLI_COMMANDS[i]->opts; o->name; o++)
            if (!strcmp(o->name, "--name") && len < (int)sizeof naming) {
                j++;
                len += snprintf(naming + len, sizeof naming - len, "%s%s", j == 1 ? "" : j == n ? " or " : ", ",
                                CLI_COMMANDS[i]->name);
            }
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--name"))
            return cli_fail("%s: --name does not apply (it names a --model of %s)", cmd, naming);
    return 0;
}

/* `CMD --help` / `CMD -h` anywhere on the line: the command's help, before any parsing */
static int wants_help(int argc, char **argv) {
    for (int i = 2; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return 1;
    return 0;
}

int main(int argc, char **argv) {
    cl_set_threads(0);
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_BAD : 0;
    }
    if (strcmp(argv[1], "help") == 0) {
        if (argc == 2) { usage(stdout); return 0; }
        if (!strcmp(argv[2], "--markdown")) { cli_help_markdown(stdout, CLI_COMMANDS, CLI_NCOMMANDS); return 0; } /* docs/cli.md */
        const cli_cmd *c = cli_find(argv[2]);
        if (!c) return unknown_command("help: ", argv[2]);
        cli_help(stdout, c);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) { printf("chronolens %s\n", CHRONOLENS_VERSION); return 0; }
    const cli_cmd *c = cli_find(argv[1]);
    if (!c) return unknown_command("", argv[1]);
    if (wants_help(argc, argv)) { cli_help(stdout, c); return 0; }
    int n;
    char **args = cli_split_eq(argc - 1, argv + 1, &n);
    if (!args) return cli_fail("out of memory");
    int rc = refuse_name(argv[1], n, args);
    cl_signals_install(); /* temporaries and locks go with the process */
    if (!rc) rc = c->run(n, args);
    rc = cli_out_dirs_finish(rc); /* folder outputs moved into place, or removed */
    cl_out_release_all();
    free(args);
    return rc;
}
