/* chronolens init — a randomly initialised checkpoint with the exact shape of a published
 * chronos-t5, Chronos-Bolt or Chronos-2 model (for benchmarks and tests: real weights cannot be
 * fetched): cl_config_preset, cl_model_init. */
#include "cli.h"
#include "opt.h"

#include <string.h>

typedef struct init_args {
    cli_ui ui;
    const char *size, *out, *dtype;
    int force;
    cl_model_init_opts io; /* cl_model_init_default: seed */
} init_args;

static void init(void *p) {
    init_args *a = p;
    a->dtype = "f32";
    cl_model_init_default(&a->io);
}

#define A init_args
static const cli_opt OPTS[] = {
    {.name = "--size", .arg = "NAME", .type = OPT_STR, .off = offsetof(A, size), .flags = OPT_REQUIRED,
     .help = "tiny, mini, small, base, large; bolt-tiny, bolt-mini, bolt-small, bolt-base; chronos2-small, "
             "chronos2-base"},
    {.name = "--out", .arg = "DIR", .type = OPT_STR, .off = offsetof(A, out), .flags = OPT_REQUIRED,
     .help = "the checkpoint folder (config.json, model.safetensors): empty or a checkpoint"},
    {.name = "--force", .type = OPT_FLAG, .off = offsetof(A, force),
     .help = "write into a folder that holds other files too (they are kept)"},
    {.name = "--seed", .arg = "S", .type = OPT_U64, .off = offsetof(A, io.seed), .ilo = 0, .ihi = 0x7fffffffffffffffL,
     .help = "seed of the weights"},
    {.name = "--dtype", .arg = "f32|bf16", .type = OPT_STR, .off = offsetof(A, dtype), .help = "dtype of the weights"},
    {NULL},
};
#undef A

const cli_cmd CMD_INIT = {
    .name = "init",
    .summary = "a randomly initialised checkpoint with the exact shape of that chronos-t5 model, of that "
               "Chronos-Bolt model (bolt-*), or of amazon/chronos-2 (chronos2-base) and chronos-2-small "
               "(chronos2-small, its shape assumed: docs/chronos2.md)",
    .example = "chronolens init --size tiny --out /tmp/tiny",
    .opts = OPTS, .size = sizeof(init_args), .init = init, .run = cmd_init,
};

int cmd_init(int argc, char **argv) {
    init_args a;
    cli_parsed p;
    if (cli_parse(&CMD_INIT, &a, argc, argv, &p)) return EXIT_BAD;
    cli_ui *ui = &a.ui;
    const char *out = a.out;
    if (cli_out_dir("init", out)) return EXIT_BAD;
    cl_error err;
    if (cl_model_init_out_check(out, a.force, &err)) return cli_fail("init: %s", err.msg);
    if (strcmp(a.dtype, "f32") && strcmp(a.dtype, "bf16")) return cli_fail("init: --dtype must be f32 or bf16, not '%s'", a.dtype);
    if (cli_out_dir_staged("init", &out)) return EXIT_BAD; /* after the look at what --out holds */
    cl_config cfg;
    if (cl_config_preset(a.size, &cfg, &err)) return cli_fail("init: %s", err.msg);
    cl_model_init_opts io = a.io;
    io.bf16 = strcmp(a.dtype, "bf16") == 0;
    io.progress = cli_progress_of(ui);
    int rc = cl_model_init(out, &cfg, &io, &err);
    cli_progress_done(ui);
    if (rc) return cli_fail_err(&err);
    /* the published name: chronos-t5-small, chronos-bolt-small, chronos-2 / chronos-2-small */
    const int c2 = strncmp(a.size, "chronos2-", 9) == 0;
    const char *pre = c2 ? "chronos-2" : strncmp(a.size, "bolt-", 5) ? "chronos-t5-" : "chronos-";
    const char *rest = !c2 ? a.size : strcmp(a.size + 9, "base") ? a.size + 8 : "";
    if (!ui->quiet) fprintf(stderr, "wrote %s (%s%s shape, seed %ld, %s)\n", cli_out_shown(out), pre, rest,
                            (long)io.seed, a.dtype);
    return 0;
}
