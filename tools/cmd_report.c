/* chronolens report — the whole induction-head study of one or more models as one
 * self-contained page: options into cl_report_opts, cl_report_run (src/report/report_run.c:
 * the four studies in memory, their files under data/, figures under figures/, index.html),
 * the page's path on stdout. */
#include "cli.h"

#include <stdio.h>

#define USAGE "report: usage: chronolens report [--model DIR ...] [--out DIR] [--quick] [--seed S] " \
              "[--batch N] [--sweep-batch N] [--configs N]"

int cmd_report(int argc, char **argv) {
    cli_ui ui = CLI_UI_INIT;
    const char *dirs[CL_REPORT_MAX_MODELS], *names[CL_REPORT_MAX_MODELS] = {0};
    cl_report_opts o;
    cl_report_default(&o);
    o.dirs = dirs;
    o.names = names;
    for (int i = 1; i < argc; i++) {
        const char *d = NULL;
        long x;
        int r = opt_common(argc, argv, &i, &ui);
        if (!r) r = opt_precision(argc, argv, &i, &o.precision);
        if (!r && (r = opt_str(argc, argv, &i, "--model", &d)) == 1) {
            if (o.n == CL_REPORT_MAX_MODELS) return cli_fail("report: --model: at most %d models", CL_REPORT_MAX_MODELS);
            dirs[o.n++] = d;
        }
        if (!r) r = opt_name(argc, argv, &i, "report", o.n, names);
        if (!r) r = opt_str(argc, argv, &i, "--out", &o.out);
        if (!r && opt_flag(argv, i, "--quick")) { o.quick = 1; r = 1; }
        if (!r && (r = opt_int(argc, argv, &i, "--seed", 0, 0x7fffffffffffffffL, &x)) == 1) o.seed = (uint64_t)x;
        if (!r && (r = opt_int(argc, argv, &i, "--batch", 1, 100000, &x)) == 1) o.batch = (int)x;
        if (!r && (r = opt_int(argc, argv, &i, "--sweep-batch", 1, 100000, &x)) == 1) o.sweep_batch = (int)x;
        if (!r && (r = opt_int(argc, argv, &i, "--configs", 1, 100000, &x)) == 1) o.configs = (int)x;
        if (r < 0) return EXIT_BAD;
        if (!r) return cli_fail("report: unknown argument '%s' (%s)", argv[i], USAGE + 8);
    }
    if (!o.n) dirs[o.n++] = cli_default_model();
    if (cli_out_dir("report", o.out)) return EXIT_BAD; /* one run per report folder */
    o.progress = cli_progress_of(&ui);
    cli_precision_note(o.precision);
    char index[8192];
    cl_error err = {0};
    double t0 = cl_now();
    int rc = cl_report_run(&o, index, sizeof index, &err);
    cli_progress_done(&ui);
    if (rc) return cli_fail("report: %s", err.msg);
    if (!ui.quiet) fprintf(stderr, "report of %d model%s written in %.1fs\n", o.n, o.n > 1 ? "s" : "", cl_now() - t0);
    printf("%s\n", index);
    return 0;
}
