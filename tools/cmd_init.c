/* chronolens init — a randomly initialised checkpoint with the exact shape of a
 * published chronos-t5 model (for benchmarks and tests: real weights cannot be fetched). */
#include "cli.h"

#include <string.h>

int cmd_init(int argc, char **argv) {
    cli_ui ui = CLI_UI_INIT;
    const char *size = NULL, *out = NULL, *dtype = "f32";
    long seed = 0;
    int force = 0;
    for (int i = 1; i < argc; i++) {
        int r = opt_common(argc, argv, &i, &ui);
        if (!r) r = opt_str(argc, argv, &i, "--size", &size);
        if (!r) r = opt_str(argc, argv, &i, "--out", &out);
        if (!r) r = opt_str(argc, argv, &i, "--dtype", &dtype);
        if (!r) r = opt_int(argc, argv, &i, "--seed", 0, 0x7fffffffffffffffL, &seed);
        if (!r && opt_flag(argv, i, "--force")) r = force = 1;
        if (r < 0) return EXIT_BAD;
        if (!r) return cli_fail("init: unknown argument '%s'", argv[i]);
    }
    if (!size || !out) return cli_fail("init: usage: chronolens init --size tiny|mini|small|base|large|bolt-tiny|bolt-mini|bolt-small|bolt-base --out DIR [--seed N] [--dtype f32|bf16]");
    if (cli_out_dir("init", out)) return EXIT_BAD;
    cl_error err;
    if (cl_model_init_out_check(out, force, &err)) return cli_fail("init: %s", err.msg);
    if (strcmp(dtype, "f32") && strcmp(dtype, "bf16")) return cli_fail("init: --dtype must be f32 or bf16, not '%s'", dtype);
    if (cli_out_dir_staged("init", &out)) return EXIT_BAD; /* after the look at what --out holds */
    cl_config cfg;
    if (cl_config_preset(size, &cfg, &err)) return cli_fail("init: %s", err.msg);
    cl_model_init_opts io;
    cl_model_init_default(&io);
    io.seed = (uint64_t)seed;
    io.bf16 = strcmp(dtype, "bf16") == 0;
    io.progress = cli_progress_of(&ui);
    int rc = cl_model_init(out, &cfg, &io, &err);
    cli_progress_done(&ui);
    if (rc) return cli_fail_err(&err);
    if (!ui.quiet) fprintf(stderr, "wrote %s (%s%s shape, seed %ld, %s)\n", cli_out_shown(out),
                           strncmp(size, "bolt-", 5) ? "chronos-t5-" : "chronos-", size, seed, dtype);
    return 0;
}
