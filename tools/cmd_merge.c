/* chronolens merge — joins the parts of a study run with --shard K/N (induction, sweep,
 * multisine, multisine-sweep, group-attention) into exactly the files one run writes (cl_merge). */
#include "cli.h"
#include "opt.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct merge_args {
    cli_ui ui;
    const char *out;
    const char **parts; /* the plain arguments */
    int n;
} merge_args;

static int add_part(void *p, const char *v) {
    merge_args *a = p;
    const char **more = realloc(a->parts, sizeof *more * (size_t)(a->n + 1));
    if (!more) return cli_fail("merge: out of memory"), -1;
    a->parts = more;
    a->parts[a->n++] = v;
    return 0;
}

static const cli_opt OPTS[] = {
    {.name = "--out", .arg = "DIR", .type = OPT_STR, .off = offsetof(merge_args, out), .flags = OPT_REQUIRED,
     .help = "the folder for the joined files and figures (created)"},
    {NULL},
};

const cli_cmd CMD_MERGE = {
    .name = "merge",
    .summary = "join the parts of a --shard K/N run (induction, with --offsets too, sweep, multisine, multisine-sweep, "
               "group-attention) "
               "into one run's files",
    .example = "chronolens merge out/ind-1 out/ind-2 --out out/induction",
    .positional = "PART_DIR...", .need_positional = 1,
    .opts = OPTS, .size = sizeof(merge_args), .pos = add_part, .run = cmd_merge,
};

int cmd_merge(int argc, char **argv) {
    merge_args a;
    cli_parsed p;
    int rc = cli_parse(&CMD_MERGE, &a, argc, argv, &p);
    const char *out = a.out;
    if (!rc && cli_out_dir_staged("merge", &out)) rc = EXIT_BAD;
    cl_error err = {0};
    if (!rc && cl_merge(a.parts, a.n, out, &err)) rc = cli_fail("merge: %s", err.msg);
    if (!rc && !a.ui.quiet) fprintf(stderr, "merged %d parts into %s\n", a.n, cli_out_shown(out));
    free(a.parts);
    return rc;
}
