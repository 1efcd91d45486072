/* chronolens formation — induction heads over training: the RRT summary of every
 * checkpoint of a `chronolens train --checkpoint-every K` run, with its losses and
 * in-context-learning score; writes formation.csv and formation.png/.svg (cl_formation_save). */
#include "cli.h"
#include "opt.h"

#include <stdio.h>

typedef struct formation_args {
    cli_ui ui;
    const char *out;
    cl_formation_opts fo; /* cl_formation_default: run, seed, precision */
} formation_args;

static void init(void *p) { cl_formation_default(&((formation_args *)p)->fo); }

#define A formation_args
static const cli_opt OPTS[] = {
    {.name = "--run", .arg = "DIR", .type = OPT_STR, .off = offsetof(A, fo.run), .flags = OPT_REQUIRED,
     .help = "a train --out folder with checkpoints/"},
    {.name = "--out", .arg = "DIR", .type = OPT_STR, .off = offsetof(A, out), .def = "the run folder",
     .help = "folder for formation.csv and formation.png/.svg"},
    {.name = "--seed", .arg = "S", .type = OPT_U64, .off = offsetof(A, fo.seed), .ilo = 0, .ihi = 0x7fffffffffffffffL,
     .help = "seed of the RRT batches"},
    CLI_PRECISION(A, fo.precision),
    {NULL},
};
#undef A

const cli_cmd CMD_FORMATION = {
    .name = "formation",
    .summary = "induction heads over training: RRT summary of every checkpoint, losses, ICL score",
    .example = "chronolens formation --run runs/nano",
    .opts = OPTS, .size = sizeof(formation_args), .init = init, .run = cmd_formation,
};

int cmd_formation(int argc, char **argv) {
    formation_args a;
    cli_parsed p;
    if (cli_parse(&CMD_FORMATION, &a, argc, argv, &p)) return EXIT_BAD;
    cli_ui *ui = &a.ui;
    const char *out = a.out ? a.out : a.fo.run;
    if (cli_out_dir_staged("formation", &out)) return EXIT_BAD;
    cl_formation_opts fo = a.fo;
    fo.progress = cli_progress_of(ui);
    cli_precision_note(fo.precision);
    cl_formation_result r;
    cl_error err = {0};
    int rc = cl_formation_run(&fo, &r, &err);
    cli_progress_done(ui);
    if (!rc) rc = cl_formation_save(&r, out, &err);
    const int n = r.n;
    cl_formation_free(&r);
    if (rc) return cli_fail_err(&err);
    if (!ui->quiet) fprintf(stderr, "wrote %s/formation.csv and formation.png/.svg (%d checkpoints)\n", cli_out_shown(out), n);
    return 0;
}
