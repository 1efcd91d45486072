/* chronolens train — train a Chronos T5 from scratch (or resume) on synthetic series
 * generated on the fly; writes checkpoint folders any chronolens command can load. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const char *USAGE =
    "train: usage: chronolens train --out DIR [--config nano|tiny|mini|small|base|large] [--d-model N] [--layers N]\n"
    "  [--decoder-layers N] [--heads N] [--d-kv N] [--d-ff N] [--context-length N] [--prediction-length N] [--steps N] [--batch N]\n"
    "  [--lr X] [--warmup N] [--decay cosine|linear] [--min-lr-frac X] [--weight-decay X] [--clip X] [--seed N]\n"
    "  [--mix GP,SEASONAL,WALK,REPEAT] [--short-frac X] [--embed-value-init ALPHA] [--bias-lr-mult M] [--position-init S]\n  [--position-offsets D1,D2,..] [--first-step-weight W] [--motif-frac X] [--checkpoint-every K] [--eval-batches N] [--shards K] [--resume CHECKPOINT_DIR] [--threads N] [--quiet]";

/* the progress line, and one line per checkpoint with its held-out losses */
typedef struct { cli_ui *ui; const cl_trainer *t; } train_ui;

static void on_progress(void *ctx, const char *stage, double done, double total) {
    const train_ui *p = ctx;
    static const char CK[] = "train: checkpoint ";
    if (strncmp(stage, CK, sizeof CK - 1)) { cli_progress(p->ui, stage, done, total); return; }
    const cl_eval_row *e = cl_trainer_last_eval(p->t);
    if (p->ui->quiet || !e) return;
    const cl_train_row *last = cl_trainer_last_row(p->t);
    cli_progress_done(p->ui);
    fprintf(stderr, "step %d: train loss %.4f, held-out loss %.4f (early %.4f, late %.4f) -> %s\n", cl_trainer_steps_done(p->t),
            last ? last->loss : e->loss, e->loss, e->loss_early, e->loss_late, stage + sizeof CK - 1);
}

int cmd_train(int argc, char **argv) {
    cli_ui ui = CLI_UI_INIT;
    int force = 0;
    const char *out = NULL, *preset = "nano", *resume = NULL, *decay = NULL, *mix = NULL, *poffs = NULL;
    long d_model = 0, layers = 0, dlayers = 0, heads = 0, d_kv = 0, d_ff = 0, ctx = 0, pred = 0, steps = 0, batch = -1,
         warmup = -1, seed = -1, every = -1, evalb = -1, shards = -1;
    int rc;
    double lr = -1, wd = -1, clip = -2, minf = -1, shortf = -1, evi = -1, blm = -1, pin = -1, fsw = -1, motif = -1;
    for (int i = 1; i < argc; i++) {
        int r = opt_common(argc, argv, &i, &ui);
        if (!r) r = opt_str(argc, argv, &i, "--out", &out);
        if (!r && opt_flag(argv, i, "--force")) r = force = 1;
        if (!r) r = opt_str(argc, argv, &i, "--config", &preset);
        if (!r) r = opt_str(argc, argv, &i, "--resume", &resume);
        if (!r) r = opt_str(argc, argv, &i, "--decay", &decay);
        if (!r) r = opt_str(argc, argv, &i, "--mix", &mix);
        if (!r) r = opt_double(argc, argv, &i, "--short-frac", 0, 1, &shortf);
        if (!r) r = opt_double(argc, argv, &i, "--embed-value-init", 0, 1, &evi);
        if (!r) r = opt_double(argc, argv, &i, "--bias-lr-mult", 1e-3, 1000, &blm);
        if (!r) r = opt_double(argc, argv, &i, "--position-init", 0, 100, &pin);
        if (!r) r = opt_double(argc, argv, &i, "--first-step-weight", 0.01, 1000, &fsw);
        if (!r) r = opt_double(argc, argv, &i, "--motif-frac", 0, 1, &motif);
        if (!r) r = opt_str(argc, argv, &i, "--position-offsets", &poffs);
        if (!r) r = opt_int(argc, argv, &i, "--d-model", 1, 8192, &d_model);
        if (!r) r = opt_int(argc, argv, &i, "--layers", 1, 64, &layers);
        if (!r) r = opt_int(argc, argv, &i, "--decoder-layers", 1, 64, &dlayers);
        if (!r) r = opt_int(argc, argv, &i, "--heads", 1, 256, &heads);
        if (!r) r = opt_int(argc, argv, &i, "--d-kv", 1, 1024, &d_kv);
        if (!r) r = opt_int(argc, argv, &i, "--d-ff", 1, 65536, &d_ff);
        if (!r) r = opt_int(argc, argv, &i, "--context-length", 2, 4096, &ctx);
        if (!r) r = opt_int(argc, argv, &i, "--prediction-length", 1, 1024, &pred);
        if (!r) r = opt_int(argc, argv, &i, "--steps", 1, 100000000, &steps);
        if (!r) r = opt_int(argc, argv, &i, "--batch", 1, 65536, &batch);
        if (!r) r = opt_int(argc, argv, &i, "--warmup", 0, 100000000, &warmup);
        if (!r) r = opt_int(argc, argv, &i, "--seed", 0, 0x7fffffffffffffffL, &seed);
        if (!r) r = opt_int(argc, argv, &i, "--checkpoint-every", 0, 100000000, &every);
        if (!r) r = opt_int(argc, argv, &i, "--eval-batches", 0, 10000, &evalb);
        if (!r) r = opt_int(argc, argv, &i, "--shards", 1, 64, &shards);
        if (!r) r = opt_double(argc, argv, &i, "--lr", 1e-9, 10, &lr);
        if (!r) r = opt_double(argc, argv, &i, "--min-lr-frac", 0, 1, &minf);
        if (!r) r = opt_double(argc, argv, &i, "--weight-decay", 0, 10, &wd);
        if (!r) r = opt_double(argc, argv, &i, "--clip", 0, 1e9, &clip);
        if (r < 0) return EXIT_BAD;
        if (!r) return cli_fail("train: unknown argument '%s'", argv[i]);
    }
    if (!out) return cli_fail("%s", USAGE);
    cl_error err = {0};
    if (cli_out_dir("train", out)) return EXIT_BAD;
    /* --out empty, or the run --resume continues in place (--force: its checkpoints/ removed) */
    if (cl_train_out_check(out, resume, force, &err)) return cli_fail("train: %s", err.msg);
    if (decay && strcmp(decay, "cosine") != 0 && strcmp(decay, "linear") != 0)
        return cli_fail("option --decay: '%s' is not cosine or linear", decay);
    double mixw[CL_TRAIN_FAMILIES];
    if (mix && cl_train_parse_mix(mix, mixw, &err)) return cli_fail_err(&err);
    cl_trainer *t = NULL;
    if (resume) {
        if (d_model || layers || dlayers || heads || d_kv || d_ff || ctx || pred || batch >= 0 || warmup >= 0 || seed >= 0 ||
            lr >= 0 || wd >= 0 || clip > -2 || minf >= 0 || decay || evalb >= 0 || shards >= 0 || shortf >= 0 || evi >= 0 || blm >= 0 || pin >= 0 || poffs)
            return cli_fail("train: --resume continues the checkpoint's run: only --steps, --checkpoint-every, --first-step-weight, --mix, --motif-frac, --out, --threads, --quiet may be given");
        if ((rc = cl_trainer_resume(resume, (int)steps, &t, &err))) return cli_fail_err(&err);
        if (every >= 0) cl_trainer_set_checkpoint_every(t, (int)every);
        /* a second phase that weights the first horizon step, or draws another data mixture,
         * from here on (saved with the run, so resuming the new phase continues it bit for bit) */
        if ((fsw >= 0 && (rc = cl_trainer_set_first_step_weight(t, fsw, &err))) ||
            (mix && (rc = cl_trainer_set_mix(t, mixw, &err))) || (motif >= 0 && (rc = cl_trainer_set_motif_frac(t, motif, &err)))) {
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
        if (cl_train_config(preset, &cfg, &err)) return cli_fail("option --config: %s", err.msg);
        if (d_model) cfg.d_model = (int)d_model;
        if (layers) cfg.num_layers = cfg.num_decoder_layers = (int)layers;
        if (dlayers) cfg.num_decoder_layers = (int)dlayers; /* T5's num_decoder_layers */
        if (heads) cfg.num_heads = (int)heads;
        if (d_kv) cfg.d_kv = (int)d_kv;
        else if (heads || d_model) cfg.d_kv = cfg.d_model / cfg.num_heads > 0 ? cfg.d_model / cfg.num_heads : 1;
        if (d_ff) cfg.d_ff = (int)d_ff;
        if (ctx) cfg.context_length = (int)ctx;
        if (pred) cfg.prediction_length = (int)pred;
        cl_train_opts o;
        cl_train_default(&o);
        if (steps) o.steps = (int)steps;
        if (batch >= 0) o.batch = (int)batch;
        if (warmup >= 0) o.warmup = (int)warmup;
        if (seed >= 0) o.seed = (uint64_t)seed;
        if (every >= 0) o.checkpoint_every = (int)every;
        if (evalb >= 0) o.eval_batches = (int)evalb;
        if (shards >= 0) o.shards = (int)shards;
        if (lr >= 0) o.lr = lr;
        if (minf >= 0) o.min_lr_frac = minf;
        if (wd >= 0) o.weight_decay = wd;
        if (clip > -2) o.clip = clip;
        if (decay) o.cosine = strcmp(decay, "cosine") == 0;
        if (shortf >= 0) o.short_frac = shortf;
        if (evi >= 0) o.embed_value_init = evi;
        if (blm >= 0) o.bias_lr_mult = blm;
        if (pin >= 0) o.position_init = pin;
        if (fsw >= 0) o.first_step_weight = fsw;
        if (motif >= 0) o.motif_frac = motif;
        if (poffs && cl_train_parse_offsets(poffs, cfg.num_heads, &o, &err)) return cli_fail_err(&err);
        if (mix) memcpy(o.mix, mixw, sizeof mixw);
        if ((rc = cl_trainer_new(&cfg, &o, &t, &err))) return cli_fail_err(&err);
    }
    train_ui tu = {&ui, t};
    cl_progress pr = {.fn = on_progress, .ctx = &tu};
    rc = cl_trainer_run(t, out, &pr, &err);
    cli_progress_done(&ui);
    const cl_train_row *last = cl_trainer_last_row(t);
    if (!rc && !ui.quiet)
        fprintf(stderr, "trained %d steps (%zu parameters): final loss %.4f -> %s\n", cl_trainer_steps_done(t),
                cl_trainer_param_count(t), last ? last->loss : 0.0, out);
    cl_trainer_free(t);
    return rc ? cli_fail_err(&err) : 0;
}
