/* chronolens merge — joins the parts of a study run with --shard K/N (induction, sweep,
 * multisine, multisine-sweep) into exactly the files one run writes (cl_merge). */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

#define USAGE "merge: usage: chronolens merge PART_DIR... --out DIR"
#define MAX_PARTS 100000

int cmd_merge(int argc, char **argv) {
    cli_ui ui = CLI_UI_INIT;
    const char *out = NULL;
    const char **parts = calloc((size_t)argc, sizeof *parts);
    int n = 0;
    if (!parts) return cli_fail("merge: out of memory");
    for (int i = 1; i < argc; i++) {
        int r = opt_common(argc, argv, &i, &ui);
        if (!r) r = opt_str(argc, argv, &i, "--out", &out);
        if (r < 0) { free(parts); return EXIT_BAD; }
        if (!r && argv[i][0] == '-') { free(parts); return cli_fail("merge: unknown argument '%s'", argv[i]); }
        if (!r) parts[n++] = argv[i];
    }
    if (!out || !n) { free(parts); return cli_fail(USAGE); }
    if (cli_out_dir_staged("merge", &out)) { free(parts); return EXIT_BAD; }
    cl_error err = {0};
    int rc = cl_merge(parts, n, out, &err);
    free(parts);
    if (rc) return cli_fail("merge: %s", err.msg);
    if (!ui.quiet) fprintf(stderr, "merged %d parts into %s\n", n, cli_out_shown(out));
    return 0;
}
