/* help.c — per-command help: every option with its default and a one-line meaning, and one
 * example, from one table. `chronolens help CMD` and `chronolens CMD --help` print it (exit 0).
 * README's "Options of every command" section lists the same options (tests/test_help.c). */
#include "help.h"

#include <stdio.h>
#include <string.h>

typedef struct { const char *opt, *arg, *def, *meaning; } help_opt;
typedef struct {
    const char *name, *synopsis, *summary, *example;
    help_opt opts[48];
} help_cmd;

#define END {NULL, NULL, NULL, NULL}
#define MODEL_OPT {"--model", "DIR", "models/chronos-nano ($CHRONOLENS_MODEL)", "the checkpoint folder"}
#define NAME_OPT {"--name", "NAME", "the folder name (NAME of a models--ORG--NAME cache)", "names the --model before it in tables, figures, file names"}

static const help_cmd CMDS[] = {
    {"info", "info [MODEL_DIR | --model DIR]",
     "sizes, dtype, parameters and tokenizer settings of a checkpoint (Chronos-Bolt: patches and quantiles too)",
     "chronolens info models/chronos-nano",
     {MODEL_OPT, END}},
    {"forward", "forward [--model DIR] --context CSV [--decoder-ids CSV] --out OUT.safetensors [--maps ..] [--chunk N]",
     "tokenize, run the model, write token ids, mask, scale, encoder output, attention maps, logits "
     "(Chronos-Bolt: every tensor of its golden, patches to quantile predictions; no map selection)",
     "chronolens forward --context series.csv --out fwd.safetensors",
     {MODEL_OPT,
      {"--context", "CSV", "required", "one column per series, time down the rows"},
      {"--decoder-ids", "CSV", "the decoder start token", "one row of decoder token ids per series (T5 only)"},
      {"--out", "FILE", "required", "the .safetensors file written"},
      {"--maps", "enc,dec,cross", "all", "attention maps kept (or none); T5 only"},
      {"--layers", "L,...", "all", "layers whose maps are kept; T5 only"},
      {"--heads", "H,...", "all", "heads kept in every kept map (listed in a 'heads' tensor); T5 only"},
      {"--chunk", "N", "auto (256 MiB a chunk)", "series run together; the file does not depend on it"},
      {"--precision", "fp32|bf16", "fp32", "bf16 matrix products (oneDNN) where the CPU has AVX512-BF16/AMX, else fp32 with a warning"},
      END}},
    {"forecast", "forecast [--model DIR] --context CSV --out OUT.csv [options]",
     "sample forecasts as ChronosPipeline.predict: quantiles and mean per step; or the parrot baseline. "
     "A Chronos-Bolt model predicts its quantiles directly: --samples, --temperature, --top-k, --top-p, --seed "
     "and --no-cache do not apply to it",
     "chronolens forecast --context series.csv --out f.csv --horizon 32 --plot f.png",
     {MODEL_OPT,
      {"--context", "CSV", "required", "one column per series, time down the rows"},
      {"--out", "FILE", "required", "long CSV: series, step, mean, quantiles"},
      {"--horizon", "H", "the model's prediction_length", "steps to forecast"},
      {"--samples", "N", "the model's num_samples", "sample paths per series"},
      {"--temperature", "T", "the model's temperature", "divides the logits, > 0"},
      {"--top-k", "K", "the model's top_k", "keep the K most likely tokens; 0 = off"},
      {"--top-p", "P", "the model's top_p", "nucleus sampling in (0, 1]; 1 = off"},
      {"--seed", "S", "0", "series b draws from its own stream seeded by (S, b)"},
      {"--quantiles", "L,...", "0.1,0.2,...,0.9", "quantile levels in (0, 1)"},
      {"--samples-out", "X.npy", "none", "all sample paths, float32 (series, samples, horizon); Bolt: its quantile paths"},
      {"--plot", "F.png", "none", "F.png and F.svg: context tail, median, 10-90% band"},
      {"--batch", "N", "auto (series x samples <= 48)", "series decoded together"},
      {"--no-cache", "", "off", "re-run the decoder on the whole prefix at every step (slow)"},
      {"--method", "model|parrot", "model", "the model, or the context-parroting baseline"},
      {"--parrot-window", "D", "8", "length of the window the parrot matches"},
      {"--compare", "", "off", "also run the parrot: a parrot column and per-series agreement"},
      {"--precision", "fp32|bf16", "fp32", "bf16 matrix products (oneDNN) where the CPU has AVX512-BF16/AMX, else fp32 with a warning"},
      END}},
    {"embed", "embed [--model DIR] --context CSV --out OUT.npy [--scales-out S.npy]",
     "the encoder's last hidden state per series (series, tokens incl. EOS, d_model; Bolt: patches [+ REG])",
     "chronolens embed --context series.csv --out emb.npy --scales-out scales.npy",
     {MODEL_OPT,
      {"--context", "CSV", "required", "one column per series, time down the rows"},
      {"--out", "FILE", "required", "float32 .npy (series, tokens, d_model)"},
      {"--scales-out", "FILE", "none", "the tokenizer scales, float32 .npy (series); Bolt: (series, 2) loc and scale"},
      {"--batch", "N", "16", "series encoded together"},
      {"--precision", "fp32|bf16", "fp32", "bf16 matrix products (oneDNN) where the CPU has AVX512-BF16/AMX, else fp32 with a warning"},
      END}},
    {"induction", "induction [--model DIR ...] --out DIR [options]",
     "induction heads with repeated random tokens: scores, counts, strict tests, mosaics",
     "chronolens induction --model models/chronos-nano --out out/induction",
     {MODEL_OPT, NAME_OPT,
      {"--out", "DIR", "required", "folder for induction.json/csv and figures (created)"},
      {"--seq-len", "L", "10", "length of the random sequence, >= 2"},
      {"--reps", "R", "2", "repetitions of the sequence, >= 2"},
      {"--batch", "N", "100", "sequences per seed"},
      {"--token-range", "LO:HI", "the ids of the band [-1.019, 1.012]", "token ids drawn from"},
      {"--threshold", "T", "0.3", "a head counts when its mean score is >= T"},
      {"--seed", "S", "0", "seed of the first batch"},
      {"--seeds", "K", "1", "independent batches, seeds S, S+1, ..."},
      {"--no-strict", "", "off", "skip the ablation and copying tests"},
      {"--shard", "K/N", "the whole run", "part K of N (units: the models; with --offsets also the (model, offset) pairs); chronolens merge joins the parts"},
      {"--sampling", "band|all", "band", "token ids from the band, or every non-special token (the claim band)"},
      {"--offset", "N", "0", "Chronos-Bolt: the repeated block shifted N values against the patch grid"},
      {"--offsets", "N,...", "none", "Chronos-Bolt: also run each offset (offsets.json, offsets.csv, offsets.png/svg)"},
      {"--precision", "fp32|bf16", "fp32", "bf16 matrix products (oneDNN) where the CPU has AVX512-BF16/AMX, else fp32 with a warning"},
      END}},
    {"sweep", "sweep [--model DIR ...] --out DIR [options]",
     "induction-head counts over a grid of repetitions R x sequence lengths L",
     "chronolens sweep --reps-list 2,4 --len-list 2,10 --out out/sweep",
     {MODEL_OPT, NAME_OPT,
      {"--out", "DIR", "required", "folder for sweep.json/csv and figures (created)"},
      {"--reps-list", "R,...", "2,4,6,8,10", "repetitions R, each >= 2"},
      {"--len-list", "L,...", "2,4,6,8,10", "sequence lengths L, each >= 2"},
      {"--batch", "N", "100", "sequences per (R, L) and seed"},
      {"--token-range", "LO:HI", "the ids of the band [-1.019, 1.012]", "token ids drawn from"},
      {"--threshold", "T", "0.3", "a head counts when its mean score is >= T"},
      {"--seed", "S", "0", "seed of the first batch"},
      {"--seeds", "K", "1", "independent batches, seeds S, S+1, ..."},
      {"--shard", "K/N", "the whole run", "part K of N (units: the (model, R, L) cells); chronolens merge joins the parts"},
      {"--sampling", "band|all", "band", "token ids from the band, or every non-special token"},
      {"--offset", "N", "0", "Chronos-Bolt: the repeated block shifted N values against the patch grid"},
      {"--skip-unfit", "", "refused", "cells whose R x L + 1 tokens (patches) exceed a model's context are skipped for it (listed in sweep.json)"},
      {"--precision", "fp32|bf16", "fp32", "bf16 matrix products (oneDNN) where the CPU has AVX512-BF16/AMX, else fp32 with a warning"},
      END}},
    {"train", "train --out DIR [--config nano] [--steps N] [options]",
     "train a Chronos T5 from scratch on synthetic series generated on the fly",
     "chronolens train --out runs/nano --config nano --steps 2000 --checkpoint-every 250",
     {{"--out", "DIR", "required", "the run folder (a checkpoint folder plus logs): empty, or the run --resume continues"},
      {"--force", "", "off", "train into a non-empty --out anyway; its old checkpoints/ is removed"},
      {"--config", "NAME", "nano", "nano, tiny, mini, small, base or large"},
      {"--d-model", "N", "the config's", "hidden size"},
      {"--layers", "N", "the config's", "encoder (and decoder) layers"},
      {"--decoder-layers", "N", "= --layers", "decoder layers apart"},
      {"--heads", "N", "the config's", "attention heads"},
      {"--d-kv", "N", "d_model / heads", "size of a head"},
      {"--d-ff", "N", "the config's", "feed-forward size"},
      {"--context-length", "N", "the config's (nano 128)", "context values per series"},
      {"--prediction-length", "N", "the config's (nano 32)", "horizon trained on"},
      {"--steps", "N", "1000", "optimiser steps"},
      {"--batch", "N", "32", "series per step"},
      {"--lr", "LR", "1e-3", "peak learning rate"},
      {"--warmup", "N", "100", "linear warm-up steps"},
      {"--decay", "cosine|linear", "cosine", "schedule after the warm-up"},
      {"--min-lr-frac", "F", "0.1", "final learning rate as a fraction of --lr"},
      {"--weight-decay", "W", "0.01", "AdamW decay on matrices"},
      {"--clip", "C", "1", "clip by global gradient norm; 0 = off"},
      {"--seed", "S", "1", "seed of init and data"},
      {"--checkpoint-every", "K", "0 (off)", "write checkpoints/step-NNNNNN every K steps"},
      {"--eval-batches", "N", "4", "held-out batches per checkpoint"},
      {"--shards", "K", "2", "data-parallel shards of a step (the numbers depend on K, not on --threads)"},
      {"--resume", "CKPT", "none", "continue a run bit for bit from a checkpoint"},
      {"--mix", "GP,SEAS,WALK,REP", "0.35,0.25,0.1,0.3", "weights of the four synthetic families"},
      {"--short-frac", "X", "0", "fraction of contexts left-padded to a shorter length"},
      {"--motif-frac", "X", "0", "fraction of repeated segments drawn from a 2-4 value alphabet"},
      {"--embed-value-init", "ALPHA", "0 (off)", "mix sin/cos value features into the embeddings"},
      {"--position-init", "S", "0 (off)", "plant previous/next-token encoder heads with bias S"},
      {"--position-offsets", "D1,D2,...", "-1,1", "offsets of the planted heads"},
      {"--bias-lr-mult", "M", "1", "learning-rate factor of the relative position tables"},
      {"--first-step-weight", "W", "1", "weight of the first horizon step in the loss"},
      END}},
    {"formation", "formation --run TRAIN_OUT [--out DIR] [--seed N]",
     "induction heads over training: RRT summary of every checkpoint, losses, ICL score",
     "chronolens formation --run runs/nano",
     {{"--run", "DIR", "required", "a train --out folder with checkpoints/"},
      {"--out", "DIR", "the run folder", "folder for formation.csv and formation.png/.svg"},
      {"--seed", "S", "0", "seed of the RRT batches"},
      {"--precision", "fp32|bf16", "fp32", "bf16 matrix products (oneDNN) where the CPU has AVX512-BF16/AMX, else fp32 with a warning"},
      END}},
    {"eval", "eval [--model DIR] [--series N] [--csv FILE [--horizon H]] [options]",
     "MASE and weighted quantile loss vs seasonal naive, per synthetic family and on a CSV",
     "chronolens eval --series 20 --out eval.csv",
     {MODEL_OPT,
      {"--series", "N", "100 (0 with --csv)", "synthetic series per family"},
      {"--seed", "S", "20261126", "seed of the synthetic series"},
      {"--context-length", "N", "the model's context_length", "context values of the synthetic series"},
      {"--family", "F", "all", "gp, seasonal, random_walk or repeat only"},
      {"--samples", "S", "20", "sample paths; 0 = median-token decoding"},
      {"--csv", "FILE", "none", "also score these columns (last --horizon rows = target)"},
      {"--horizon", "H", "the model's prediction_length", "target rows of --csv"},
      {"--out", "CSV", "none", "the per-family table as CSV"},
      {"--series-out", "CSV", "none", "one row per series"},
      {"--step-loss", "CSV", "none", "teacher-forced loss per horizon step and family"},
      {"--precision", "fp32|bf16", "fp32", "bf16 matrix products (oneDNN) where the CPU has AVX512-BF16/AMX, else fp32 with a warning"},
      END}},
    {"init", "init --size tiny|mini|small|base|large|bolt-tiny|bolt-mini|bolt-small|bolt-base --out DIR [--seed N] [--dtype f32|bf16]",
     "a randomly initialised checkpoint with the exact shape of that chronos-t5 model, or of that Chronos-Bolt model (bolt-*)",
     "chronolens init --size tiny --out /tmp/tiny",
     {{"--size", "NAME", "required", "tiny, mini, small, base, large; bolt-tiny, bolt-mini, bolt-small, bolt-base"},
      {"--out", "DIR", "required", "the checkpoint folder (config.json, model.safetensors): empty or a checkpoint"},
      {"--force", "", "off", "write into a folder that holds other files too (they are kept)"},
      {"--seed", "S", "0", "seed of the weights"},
      {"--dtype", "f32|bf16", "f32", "dtype of the weights"},
      END}},
    {"multisine", "multisine [--model DIR ...] --out DIR [options]",
     "attention spectra of a multisine input per decoder layer and head",
     "chronolens multisine --model tests/fixtures/planted-period --out out/ms",
     {MODEL_OPT, NAME_OPT,
      {"--out", "DIR", "required", "folder for multisine.json/csv, spectra, figures (created)"},
      {"--freqs", "F,...", "5,10,20,40", "frequencies in Hz"},
      {"--amps", "A,...", "1,0.5,0.25,0.25 (1 with --freqs)", "amplitudes"},
      {"--phases", "P,...", "0", "phases in radians"},
      {"--points", "N", "301, or the shortest context_length when below", "values of the series"},
      {"--duration", "SEC", "3 (N x 3/301 when N < 301)", "time the points span"},
      {"--noise", "SIGMA", "0", "Gaussian noise added"},
      {"--seed", "S", "0", "seed of the noise and the permutations"},
      {"--permutations", "N", "10000", "permutations of the Spearman test"},
      {"--min-strength", "X", "0.3", "a spectrum is periodic when its strength is >= X"},
      {"--harmonic-ratio", "X", "0.5", "prominence ratio for a lower harmonic to win"},
      {"--shard", "K/N", "the whole run", "part K of N (units: the models); chronolens merge joins the parts"},
      {"--precision", "fp32|bf16", "fp32", "bf16 matrix products (oneDNN) where the CPU has AVX512-BF16/AMX, else fp32 with a warning"},
      END}},
    {"multisine-sweep", "multisine-sweep [--model DIR] --out DIR [options]",
     "the 'period = smallest frequency gap' claim over random frequency sets",
     "chronolens multisine-sweep --configs 20 --out out/mss",
     {MODEL_OPT, NAME_OPT,
      {"--out", "DIR", "required", "folder for sweep.csv/json/md and sweep.png (created)"},
      {"--configs", "N", "100", "random frequency sets"},
      {"--seed", "S", "0", "seed of the sets, noise and permutations"},
      {"--points", "N", "301, or the context_length when below", "values of each series"},
      {"--duration", "SEC", "3 (N x 3/301 when N < 301)", "time the points span"},
      {"--noise", "SIGMA", "0", "Gaussian noise added"},
      {"--fmin", "F", "1", "lowest frequency in Hz"},
      {"--fmax", "F", "45", "highest frequency in Hz"},
      {"--min-freqs", "K", "2", "fewest frequencies in a set"},
      {"--max-freqs", "K", "6", "most frequencies in a set"},
      {"--top-k", "K", "3 (every head when fewer)", "heads of largest amplitude per configuration"},
      {"--batch", "N", "16", "series per forward pass"},
      {"--permutations", "N", "10000", "permutations of the Spearman test"},
      {"--min-strength", "X", "0.3", "a spectrum is periodic when its strength is >= X"},
      {"--harmonic-ratio", "X", "0.5", "prominence ratio for a lower harmonic to win"},
      {"--shard", "K/N", "the whole run", "part K of N (units: the batches of configurations); chronolens merge joins the parts"},
      {"--precision", "fp32|bf16", "fp32", "bf16 matrix products (oneDNN) where the CPU has AVX512-BF16/AMX, else fp32 with a warning"},
      END}},
    {"claims", "claims --scores FILE.csv [--scores FILE2.csv ...] [--multisine DIR] --out DIR",
     "the study's claims as tests (method.md §5, docs/claims.md) from a scores table: claims.json, claims.csv",
     "chronolens claims --scores out/report/data/scores.csv --multisine out/report/data --out out/claims",
     {{"--scores", "CSV", "required", "one row per model, sampling, reps, seq_len, layer, head, criterion: mean [, std, n] [, family]; repeatable (an induction's and a sweep's tables: the first's row wins)"},
      {"--multisine", "DIR", "none", "the multisine results (a report's data/): period_is_gap, amplitude_is_induction"},
      {"--out", "DIR", "required", "folder for claims.json and claims.csv (created)"},
      {"--threshold", "T", "0.3", "a head counts when its mean score is >= T"},
      {"--alpha", "A", "0.05", "significance level of the tests with p-values"},
      END}},
    {"merge", "merge PART_DIR... --out DIR",
     "join the parts of a --shard K/N run (induction, with --offsets too, sweep, multisine, multisine-sweep) into one run's files",
     "chronolens merge out/ind-1 out/ind-2 --out out/induction",
     {{"--out", "DIR", "required", "the folder for the joined files and figures (created)"},
      END}},
    {"report", "report [--model DIR ...] [--out DIR] [--quick] [options]",
     "the whole study as one page: DIR/index.html, figures/, data/",
     "chronolens report --model models/chronos-nano --out out/report",
     {MODEL_OPT, NAME_OPT,
      {"--out", "DIR", "report", "the report folder (an earlier report there is replaced)"},
      {"--quick", "", "off", "smaller batches and grids"},
      {"--seed", "S", "0", "seed of every random choice"},
      {"--batch", "N", "100 (quick 20)", "induction sequences"},
      {"--sweep-batch", "N", "100 (quick 10)", "sweep sequences per (R, L)"},
      {"--configs", "N", "30 (quick 8)", "multisine-sweep frequency sets"},
      {"--precision", "fp32|bf16", "fp32", "bf16 matrix products (oneDNN) where the CPU has AVX512-BF16/AMX, else fp32 with a warning"},
      END}},
};
#define NCMDS (int)(sizeof CMDS / sizeof CMDS[0])

static const help_opt COMMON[] = {
    {"--threads", "N", "all cores", "worker threads"},
    {"--quiet", "", "off", "no progress or summary on stderr (also -q)"},
    {"--help", "", "", "this help (also -h)"},
};

static const help_cmd *find(const char *name) {
    for (int i = 0; i < NCMDS; i++)
        if (!strcmp(CMDS[i].name, name)) return &CMDS[i];
    return NULL;
}

int help_known(const char *cmd) { return find(cmd) != NULL; }

static void print_opt(FILE *f, const help_opt *o) {
    char head[64];
    snprintf(head, sizeof head, "%s%s%s", o->opt, o->arg[0] ? " " : "", o->arg);
    fprintf(f, "  %-24s %s", head, o->meaning);
    if (!strcmp(o->def, "required")) fputs(" (required)", f);
    else if (o->def[0]) fprintf(f, " [default: %s]", o->def);
    fputc('\n', f);
}

int help_print(FILE *f, const char *cmd) {
    const help_cmd *c = find(cmd);
    if (!c) return -1;
    fprintf(f, "usage: chronolens %s\n\n%s\n\noptions:\n", c->synopsis, c->summary);
    for (const help_opt *o = c->opts; o->opt; o++) print_opt(f, o);
    for (size_t i = 0; i < sizeof COMMON / sizeof COMMON[0]; i++) print_opt(f, &COMMON[i]);
    fprintf(f, "\nAn option's value may follow it or be joined by '=' (--samples=5).\n");
    fprintf(f, "\nexample:\n  %s\n", c->example);
    return 0;
}

void help_usage(FILE *f) {
    for (int i = 0; i < NCMDS; i++) fprintf(f, "  chronolens %-16s %s\n", CMDS[i].name, CMDS[i].summary);
}
