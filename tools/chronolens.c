/* chronolens — command-line entry: one subcommand per job. */
#include "cli.h"

#include <string.h>

static const struct { const char *name; int (*run)(int, char **); const char *help; } COMMANDS[] = {
    {"info", cmd_info, "[MODEL_DIR]                    sizes, dtype, parameters, tokenizer"},
    {"forward", cmd_forward, "[--model DIR] --context CSV [--decoder-ids CSV] --out OUT.safetensors"},
    {"forecast", cmd_forecast, "--model DIR --context CSV --out OUT.csv [--horizon H] [--samples N] [--seed S] ... (README)"},
    {"embed", cmd_embed, "--model DIR --context CSV --out OUT.npy [--scales-out SCALES.npy]"},
    {"induction", cmd_induction, "--model DIR [--model DIR ..] --out DIR [--seq-len L] [--reps R] [--batch N] [--token-range LO:HI | --sampling all]\n"
                                 "                             [--threshold T] [--seed S] [--seeds K] [--no-strict]"},
    {"sweep", cmd_sweep, "--model DIR [--model DIR ..] --out DIR [--reps-list 2,4,..] [--len-list 2,4,..]\n"
                         "                             [--batch N] [--token-range LO:HI | --sampling all] [--threshold T] [--seed S] [--seeds K]"},
    {"train", cmd_train, "--out DIR [--config nano] [--steps N] [--checkpoint-every K] [--resume CKPT] ..."},
    {"formation", cmd_formation, "--run TRAIN_OUT_DIR [--out DIR] [--seed N]   induction heads over training"},
    {"eval", cmd_eval, "[--model DIR] [--series N] [--seed N] [--context-length N] [--family F] [--samples S] [--csv FILE [--horizon H]] [--out CSV] [--series-out CSV] [--step-loss CSV]"},
    {"init", cmd_init, "--size tiny|mini|small|base|large --out DIR [--seed N] [--dtype f32|bf16]"},
    {"multisine", cmd_multisine, "--model DIR [--model DIR ...] --out DIR [--freqs 5,10,20,40] [--amps ..] [--phases ..]"},
    {"multisine-sweep", cmd_multisine_sweep, "--model DIR --out DIR [--configs 100] [--seed N] [--top-k 3]"},
    {"claims", cmd_claims, "--scores FILE.csv [--multisine DIR] --out DIR   the study's claims as tests (claims.json, .csv)"},
    {"merge", cmd_merge, "PART_DIR... --out DIR         join the parts of a --shard K/N run (induction, sweep, multisine, multisine-sweep)"},
    {"report", cmd_report, "[--model DIR ..] [--out DIR] [--quick] [--seed S] [--batch N] [--sweep-batch N] [--configs N]\n"
                           "                             the whole study as one page: DIR/index.html, figures/, data/"},
};
#define NCOMMANDS (int)(sizeof COMMANDS / sizeof COMMANDS[0])

static void usage(FILE *f) {
    fprintf(f, "chronolens %s — look inside Chronos time-series models\n\nusage:\n", CHRONOLENS_VERSION);
    for (int i = 0; i < NCOMMANDS; i++) fprintf(f, "  chronolens %-15s %s\n", COMMANDS[i].name, COMMANDS[i].help);
    fprintf(f, "\ncommon options: --threads N (default: all cores), --quiet; every command that runs a model:\n"
               "  --precision fp32|bf16 (default fp32; bf16 products where the CPU has AVX512-BF16/AMX)\n");
}

int main(int argc, char **argv) {
    cl_set_threads(0);
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_BAD : 0;
    }
    if (strcmp(argv[1], "--version") == 0) { printf("chronolens %s\n", CHRONOLENS_VERSION); return 0; }
    for (int i = 0; i < NCOMMANDS; i++)
        if (strcmp(argv[1], COMMANDS[i].name) == 0) return COMMANDS[i].run(argc - 1, argv + 1);
    return cli_fail("unknown command '%s' (try: chronolens --help)", argv[1]);
}
