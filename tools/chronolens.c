/* chronolens — command-line entry: one subcommand per job. */
#include "cli.h"
#include "help.h"

#include <stdlib.h>
#include <string.h>

static const struct { const char *name; int (*run)(int, char **); } COMMANDS[] = {
    {"info", cmd_info},           {"forward", cmd_forward},     {"forecast", cmd_forecast},
    {"embed", cmd_embed},         {"induction", cmd_induction}, {"sweep", cmd_sweep},
    {"train", cmd_train},         {"formation", cmd_formation}, {"eval", cmd_eval},
    {"init", cmd_init},           {"multisine", cmd_multisine}, {"multisine-sweep", cmd_multisine_sweep},
    {"claims", cmd_claims},       {"merge", cmd_merge},         {"report", cmd_report},
};
#define NCOMMANDS (int)(sizeof COMMANDS / sizeof COMMANDS[0])

static void usage(FILE *f) {
    fprintf(f, "chronolens %s — look inside Chronos time-series models\n\nusage: chronolens COMMAND [options]\n\n",
            CHRONOLENS_VERSION);
    help_usage(f);
    fprintf(f, "\ncommon options: --threads N (default: all cores), --quiet, --help\n"
               "every command that runs a model: --precision fp32|bf16 (default fp32; bf16 products where the CPU has AVX512-BF16/AMX)\n"
               "chronolens help COMMAND (or COMMAND --help): the command's options, defaults and an example\n");
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
        if (help_print(stdout, argv[2]) != 0)
            return cli_fail("help: unknown command '%s' (try: chronolens --help)", argv[2]);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) { printf("chronolens %s\n", CHRONOLENS_VERSION); return 0; }
    for (int i = 0; i < NCOMMANDS; i++)
        if (strcmp(argv[1], COMMANDS[i].name) == 0) {
            if (wants_help(argc, argv)) return help_print(stdout, argv[1]) ? EXIT_BAD : 0;
            int n;
            char **args = cli_split_eq(argc - 1, argv + 1, &n);
            if (!args) return cli_fail("out of memory");
            int rc = cli_refuse_name(argv[1], n, args);
            cl_signals_install(); /* temporaries and locks go with the process */
            if (!rc) rc = COMMANDS[i].run(n, args);
            rc = cli_out_dirs_finish(rc); /* folder outputs moved into place, or removed */
            cl_out_release_all();
            free(args);
            return rc;
        }
    return cli_fail("unknown command '%s' (try: chronolens --help)", argv[1]);
}
