/* chronolens formation — induction heads over training: the RRT summary of every
 * checkpoint of a `chronolens train --checkpoint-every K` run, with its losses and
 * in-context-learning score; writes formation.csv and formation.png/.svg. */
#include "cli.h"

#include <stdio.h>

int cmd_formation(int argc, char **argv) {
    cli_ui ui = CLI_UI_INIT;
    const char *run = NULL, *out = NULL;
    long seed = 0;
    cl_precision precision = CL_FP32;
    for (int i = 1; i < argc; i++) {
        int r = opt_common(argc, argv, &i, &ui);
        if (!r) r = opt_precision(argc, argv, &i, &precision);
        if (!r) r = opt_str(argc, argv, &i, "--run", &run);
        if (!r) r = opt_str(argc, argv, &i, "--out", &out);
        if (!r) r = opt_int(argc, argv, &i, "--seed", 0, 0x7fffffffffffffffL, &seed);
        if (r < 0) return EXIT_BAD;
        if (!r) return cli_fail("formation: unknown argument '%s'", argv[i]);
    }
    if (!run) return cli_fail("formation: usage: chronolens formation --run TRAIN_OUT_DIR [--out DIR] [--seed N]");
    if (!out) out = run;
    if (cli_out_dir_staged("formation", &out)) return EXIT_BAD;
    cl_formation_opts fo;
    cl_formation_default(&fo);
    fo.run = run;
    fo.seed = (uint64_t)seed;
    fo.progress = cli_progress_of(&ui);
    fo.precision = precision;
    cli_precision_note(precision);
    cl_formation_result r;
    cl_error err = {0};
    int rc = cl_formation_run(&fo, &r, &err);
    cli_progress_done(&ui);
    if (!rc) rc = cl_formation_save(&r, out, &err);
    const int n = r.n;
    cl_formation_free(&r);
    if (rc) return cli_fail_err(&err);
    if (!ui.quiet) fprintf(stderr, "wrote %s/formation.csv and formation.png/.svg (%d checkpoints)\n", cli_out_shown(out), n);
    return 0;
}
