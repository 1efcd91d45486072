/* chronolens train — train a Chronos T5 from scratch (or resume) on synthetic series
 * generated on the fly; writes checkpoint folders any chronolens command can load. */
#include "cli.h"
#include "opt.h"

#include <stdio.h>
#include <string.h>

typedef struct train_args {
    cli_ui ui;
    const char *out, *preset, *resume, *decay, *mix, *poffs;
    int force;
    /* the shape over the --config (0: the config's) */
    int d_model, layers, dlayers, heads, d_kv, d_ff, ctx, pred;
    cl_train_opts o; /* cl_train_default */
} train_args;

static void init(void *p) {
    train_args *a = p;
    a->preset = "nano";
    cl_train_default(&a->o);
}

static const char *show_decay(const cli_opt *o, const void *p, char *buf, size_t n) {
    return ((const train_args *)p)->o.cosine ? "cosine" : "linear";
}

static const char *show_mix(const cli_opt *o, const void *p, char *buf, size_t n) {
    const double *w = ((const train_args *)p)->o.mix;
    snprintf(buf, n, "%g,%g,%g,%g", w[0], w[1], w[2], w[3]);
    return buf;
}

#define A train_args
#define SHAPE(nm, ar, f, l, h, d, hl) \
    {.name = nm, .arg = ar, .type = OPT_INT, .off = offsetof(A, f), .ilo = l, .ihi = h, .def = d, .help = hl}
#define INT(nm, ar, f, l, h, hl) {.name = nm, .arg = ar, .type = OPT_INT, .off = offsetof(A, o.f), .ilo = l, .ihi = h, .help = hl}
#define NUM(nm, ar, f, l, h, hl) {.name = nm, .arg = ar, .type = OPT_NUM, .off = offsetof(A, o.f), .dlo = l, .dhi = h, .help = hl}
static const cli_opt OPTS[] = {
    {.name = "--out", .arg = "DIR", .type = OPT_STR, .off = offsetof(A, out), .flags = OPT_REQUIRED,
     .help = "the run folder (a checkpoint folder plus logs): empty, or the run --resume continues"},
    {.name = "--force", .type = OPT_FLAG, .off = offsetof(A, force),
     .help = "train into a non-empty --out anyway; its old checkpoints/ is removed"},
    {.name = "--config", .arg = "NAME", .type = OPT_STR, .off = offsetof(A, preset),
     .help = "nano, tiny, mini, small, base or large"},
    SHAPE("--d-model", "N", d_model, 1, 8192, "the config's", "hidden size"),
    SHAPE("--layers", "N", layers, 1, 64, "the config's", "encoder (and decoder) layers"),
    SHAPE("--decoder-layers", "N", dlayers, 1, 64, "= --layers", "decoder layers apart"),
    SHAPE("--heads", "N", heads, 1, 256, "the config's", "attention heads"),
    SHAPE("--d-kv", "N", d_kv, 1, 1024, "d_model / heads", "size of a head"),
    SHAPE("--d-ff", "N", d_ff, 1, 65536, "the config's", "feed-forward size"),
    SHAPE("--context-length", "N", ctx, 2, 4096, "the config's (nano 128)", "context values per series"),
    SHAPE("--prediction-length", "N", pred, 1, 1024, "the config's (nano 32)", "horizon trained on"),
    INT("--steps", "N", steps, 1, 100000000, "optimiser steps"),
    INT("--batch", "N", batch, 1, 65536, "series per step"),
    NUM("--lr", "LR", lr, 1e-9, 10, "peak learning rate"),
    INT("--warmup", "N", warmup, 0, 100000000, "linear warm-up steps"),
    {.name = "--decay", .arg = "cosine|linear", .type = OPT_STR, .off = offsetof(A, decay), .show = show_decay,
     .help = "schedule after the warm-up"},
    NUM("--min-lr-frac", "F", min_lr_frac, 0, 1, "final learning rate as a fraction of --lr"),
    NUM("--weight-decay", "W", weight_decay, 0, 10, "AdamW decay on matrices"),
    NUM("--clip", "C", clip, 0, 1e9, "clip by global gradient norm; 0 = off"),
    {.name = "--seed", .arg = "S", .type = OPT_U64, .off = offsetof(A, o.seed), .ilo = 0, .ihi = 0x7fffffffffffffffL,
     .help = "seed of init and data"},
    INT("--checkpoint-every", "K", checkpoint_every, 0, 100000000,
        "write checkpoints/step-NNNNNN every K steps; 0 = the final state only"),
    INT("--eval-batches", "N", eval_batches, 0, 10000, "held-out batches per checkpoint"),
    INT("--shards", "K", shards, 1, 64, "data-parallel shards of a step (the numbers depend on K, not on --threads)"),
    {.name = "--resume", .arg = "CKPT", .type = OPT_STR, .off = offsetof(A, resume),
     .help = "continue a run bit for bit from a checkpoint"},
    {.name = "--mix", .arg = "GP,SEAS,WALK,REP", .type = OPT_STR, .off = offsetof(A, mix), .show = show_mix,
     .help = "weights of the four synthetic families"},
    NUM("--short-frac", "X", short_frac, 0, 1, "fraction of contexts left-padded to a shorter length"),
    NUM("--motif-frac", "X", motif_frac, 0, 1, "fraction of repeated segments drawn from a 2-4 value alphabet"),
    NUM("--embed-value-init", "ALPHA", embed_value_init, 0, 1, "mix sin/cos value features into the embeddings; 0 = off"),
    NUM("--position-init", "S", position_init, 0, 100, "plant previous/next-token encoder heads with bias S; 0 = off"),
    {.name = "--position-offsets", .arg = "D1,D2,...", .type = OPT_STR, .off = offsetof(A, poffs), .def = "-1,1",
     .help = "offsets of the planted heads"},
    NUM("--bias-lr-mult", "M", bias_lr_mult, 1e-3, 1000, "learning-rate factor of the relative position tables"),
    NUM("--first-step-weight", "W", first_step_weight, 0.01, 1000, "weight of the first horizon step in the loss"),
    {NULL},
};
#undef NUM
#undef INT
#undef SHAPE
#undef A

const cli_cmd CMD_TRAIN = {
    .name = "train",
    .summary = "train a Chronos T5 from scratch on synthetic series generated on the fly",
    .example = "chronolens train --out runs/nano --config nano --steps 2000 --checkpoint-every 250",
    .opts = OPTS, .size = sizeof(train_args), .init = init, .run = cmd_train,
};

/* what a --resume continues is the checkpoint's run: its shape and schedule stay */
static const char *const NOT_ON_RESUME[] = {
    "--d-model", "--layers", "--decoder-layers", "--heads", "--d-kv", "--d-ff", "--context-length",
    "--prediction-length", "--batch", "--warmup", "--seed", "--lr", "--weight-decay", "--clip", "--min-lr-frac",
    "--decay", "--eval-batches", "--shards", "--short-frac", "--embed-value-init", "--bias-lr-mult",
    "--position-init", "--position-offsets", NULL};

/* the progress line, and one line per checkpoint with its held-out losses */
typedef struct { cli_ui *ui; const cl_trainer *t; } train_ui;

static int on_progress(void *ctx, const char *stage, double done, double total) {
    const train_ui *p = ctx;
    static const char CK[] = "train: checkpoint ";
    if (strncmp(stage, CK, sizeof CK - 1)) return cli_progress(p->ui, stage, done, total);
    const cl_eval_row *e = cl_trainer_last_eval(p->t);
    if (p->ui->quiet || !e) return 0;
    const cl_train_row *last = cl_trainer_last_row(p->t);
    cli_progress_done(p->ui);
    fprintf(stderr, "step %d: train loss %.4f, held-out loss %.4f (early %.4f, late %.4f) -> %s\n", cl_trainer_steps_done(p->t),
            last ? last->loss : e->loss, e->loss, e->loss_early, e->loss_late, stage + sizeof CK - 1);
    return 0;
}

int cmd_train(int argc, char **argv) {
    train_args a;
    cli_parsed p;
    if (cli_parse(&CMD_TRAIN, &a, argc, argv, &p)) return EXIT_BAD;
    cli_ui *ui = &a.ui;
    const char *out = a.out, *resume = a.resume;
    cl_train_opts o = a.o;
    int rc;
    cl_error err = {0};
    if (cli_out_dir("train", out)) return EXIT_BAD;
    /* --out empty, or the run --resume continues in place (--force: its checkpoints/ removed) */
    if (cl_train_out_check(out, resume, a.force, &err)) return cli_fail("train: %s", err.msg);
    if (a.decay && strcmp(a.decay, "cosine") != 0 && strcmp(a.decay, "linear") != 0)
        return cli_fail("option --decay: '%s' is not cosine or linear", a.decay);
    double mixw[CL_TRAIN_FAMILIES];
    if (a.mix && cl_train_parse_mix(a.mix, mixw, &err)) return cli_fail_err(&err);
    cl_trainer *t = NULL;
    if (resume) {
        for (int k = 0; NOT_ON_RESUME[k]; k++)
            if (cli_given(&CMD_TRAIN, &p, NOT_ON_RESUME[k]))
                return cli_fail("train: --resume continues the checkpoint's run: only --steps, --checkpoint-every, --first-step-weight, --mix, --motif-frac, --out, --threads, --quiet may be given");
        const long steps = cli_given(&CMD_TRAIN, &p, "--steps") ? o.steps : 0;
        if ((rc = cl_trainer_resume(resume, (int)steps, &t, &err))) return cli_fail_err(&err);
        if (cli_given(&CMD_TRAIN, &p, "--checkpoint-every")) cl_trainer_set_checkpoint_every(t, o.checkpoint_every);
        /* a second phase that weights the first horizon step, or draws another data mixture,
         * from here on (saved with the run, so resuming the new phase continues it bit for bit) */
        if ((cli_given(&CMD_TRAIN, &p, "--first-step-weight") && (rc = cl_trainer_set_first_step_weight(t, o.first_step_weight, &err))) ||
            (a.mix && (rc = cl_trainer_set_mix(t, mixw, &err))) ||
            (cli_given(&CMD_TRAIN, &p, "--motif-frac") && (rc = cl_trainer_set_motif_frac(t, o.motif_frac, &err)))) {
            cl_trainer_free(t);
            return cli_fail_err(&err);
        }
        if (cl_trainer_steps_done(t) > cl_trainer_opts(t)->steps) {
            int done = cl_trainer_steps_done(t);
            cl_trainer_free(t);
            return cli_fail("train: %s is at step %d, past --steps %ld", resume, done, steps);
        }
    } else {
        cl_config cfg;
        if (cl_train_config(a.preset, &cfg, &err)) return cli_fail("option --config: %s", err.msg);
        if (a.d_model) cfg.d_model = a.d_model;
        if (a.layers) cfg.num_layers = cfg.num_decoder_layers = a.layers;
        if (a.dlayers) cfg.num_decoder_layers = a.dlayers; /* T5's num_decoder_layers */
        if (a.heads) cfg.num_heads = a.heads;
        if (a.d_kv) cfg.d_kv = a.d_kv;
        else if (a.heads || a.d_model) cfg.d_kv = cfg.d_model / cfg.num_heads > 0 ? cfg.d_model / cfg.num_heads : 1;
        if (a.d_ff) cfg.d_ff = a.d_ff;
        if (a.ctx) cfg.context_length = a.ctx;
        if (a.pred) cfg.prediction_length = a.pred;
        if (a.decay) o.cosine = strcmp(a.decay, "cosine") == 0;
        if (a.poffs && cl_train_parse_offsets(a.poffs, cfg.num_heads, &o, &err)) return cli_fail_err(&err);
        if (a.mix) memcpy(o.mix, mixw, sizeof mixw);
        if ((rc = cl_trainer_new(&cfg, &o, &t, &err))) return cli_fail_err(&err);
    }
    train_ui tu = {ui, t};
    cl_progress pr = {.fn = on_progress, .ctx = &tu};
    rc = cl_trainer_run(t, out, &pr, &err);
    cli_progress_done(ui);
    const cl_train_row *last = cl_trainer_last_row(t);
    if (!rc && !ui->quiet)
        fprintf(stderr, "trained %d steps (%zu parameters): final loss %.4f -> %s\n", cl_trainer_steps_done(t),
                cl_trainer_param_count(t), last ? last->loss : 0.0, out);
    cl_trainer_free(t);
    return rc ? cli_fail_err(&err) : 0;
}
