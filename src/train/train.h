/* train.h — training a Chronos T5 on synthetic series: AdamW with decoupled weight
 * decay, linear warm-up then cosine or linear decay, clipping by global gradient norm,
 * checkpoints that are ordinary checkpoint folders plus the optimizer state, and
 * bit-for-bit resumption (same thread count: batches are a function of (seed, step)). */
#ifndef CL_TRAIN_H
#define CL_TRAIN_H

#include "data/batch.h"
#include "train/backward.h"

typedef struct cl_train_opts {
    int steps;            /* total optimizer steps */
    int batch;            /* series per step */
    int warmup;           /* linear warm-up steps */
    int cosine;           /* 1: cosine decay to lr * min_lr_frac; 0: linear decay */
    double lr, min_lr_frac, weight_decay, clip; /* clip <= 0: no clipping */
    double beta1, beta2, adam_eps;
    uint64_t seed;        /* weights (new runs) and data */
    int checkpoint_every; /* 0: only the final state */
    int eval_batches;     /* held-out batches scored at every checkpoint (0: none) */
    double mix[SYN_NFAMILIES]; /* data family weights (gp, seasonal, random walk, repeat) */
    double short_frac;    /* fraction of short, left-padded contexts */
    double bias_lr_mult;     /* learning rate multiplier of the relative position tables (1: none) */
    double position_init;    /* > 0: cl_params_position_init with this strength; 0: HF init */
    int position_offsets[8]; /* its offset per head (n_position_offsets of them; 0: -1, +1) */
    int n_position_offsets;
    double embed_value_init; /* > 0: value-aware embedding init with this alpha (see params.h); 0: HF init */
    double first_step_weight; /* loss weight of the first horizon step, the others 1 (1: the plain mean) */
    double motif_frac;    /* fraction of repeated segments over a 2-4 value alphabet (0: none) */
    int shards;           /* data-parallel shards of a step's batch (1-64, default 2; 1: one pass):
                           * the numbers depend on it, never on the thread count (the pool's
                           * threads take shards as they come) */
} cl_train_opts;

/* Defaults: lr 1e-3, warm-up 100, cosine to 0.1 lr, weight decay 0.01, clip 1, betas
 * (0.9, 0.999), eps 1e-8, batch 32, 4 held-out batches, 2 shards. */
void cl_train_opts_default(cl_train_opts *o);

typedef struct cl_train_row {  /* one line of train.csv */
    int step;                  /* 1-based number of the update just made */
    double loss, lr, grad_norm, tokens_per_s;
} cl_train_row;

typedef struct cl_eval_row {   /* one line of checkpoints.csv: the held-out batches */
    int step;
    double loss;               /* mean token cross-entropy */
    double loss_early, loss_late; /* first / last quarter of the horizon (EOS excluded) */
    double icl;                /* loss_late - loss_early: < 0 when later tokens gain from context */
    char dir[256];             /* checkpoint folder (relative to the run folder) */
} cl_eval_row;

typedef struct cl_trainer {
    cl_train_opts o;
    cl_params *p;
    float *m, *v;              /* (n) Adam moments */
    int step;                  /* updates done */
    cl_data *data, *held;      /* training stream, held-out stream (separate seed) */
    cl_grad_ws *ws;
    /* data-parallel shards (o.shards of them, whatever the thread count): each runs
     * forward and backward on its rows of the batch, serially, into its own gradient
     * buffer; the buffers are then summed in shard order, so a run depends on o.shards and
     * never on the thread count */
    int nshards;
    cl_grad_ws **sws;
    float **sg;                /* (nshards) x (n) shard gradients; shard 0 writes p->g */
    cl_model *sgm;             /* views onto sg */
    float *posw;               /* (Td) loss weight per decoder position; NULL when all 1 */
    cl_train_row *rows; int nrows, caprows;
    cl_eval_row *evals; int nevals, capevals;
} cl_trainer;

/* A fresh run: weights drawn from opts->seed. */
int cl_trainer_new(const cl_config *cfg, const cl_train_opts *opts, cl_trainer **out, cl_error *err);
/* Resumes from a checkpoint folder written by cl_trainer_save (model, optimizer state,
 * options, step, logs). steps > 0 replaces the total number of steps. */
int cl_trainer_resume(const char *dir, int steps, cl_trainer **out, cl_error *err);
void cl_trainer_free(cl_trainer *t);
/* Changes the loss weight of the first horizon step from the next step on (1: plain mean). */
int cl_trainer_set_first_step_weight(cl_trainer *t, double w, cl_error *err);
/* Changes the data family weights (training and held-out batches) from the next step on. */
int cl_trainer_set_mix(cl_trainer *t, const double *w, cl_error *err);
/* Changes the fraction of small-alphabet repeated segments (both batch sets) from the next step on. */
int cl_trainer_set_motif_frac(cl_trainer *t, double f, cl_error *err);
/* One update: batch number t->step, loss, gradient, clipping, AdamW. Fills *row. */
int cl_trainer_step(cl_trainer *t, cl_train_row *row, cl_error *err);
/* Scores the held-out batches and appends an eval row (dir is recorded as given). */
int cl_trainer_evaluate(cl_trainer *t, const char *dir, cl_eval_row *row, cl_error *err);
/* Writes DIR: config.json + model.safetensors (loadable by cl_model_load),
 * optimizer.safetensors, trainer_state.json, train.csv, checkpoints.csv. */
int cl_trainer_save(const cl_trainer *t, const char *dir, cl_error *err);
/* Trains t to t->o.steps steps into out (created): a checkpoint folder
 * out/checkpoints/step-NNNNNN every checkpoint_every steps (and at step 0 of a new run),
 * the held-out evaluation at the end, then the run itself (cl_trainer_save). Progress: stage
 * "train: step S/N, loss L" after every step (done = steps of this call), and stage
 * "train: checkpoint PATH" after each checkpoint is saved (its evaluation is t's last). */
int cl_trainer_run(cl_trainer *t, const char *out, const cl_progress *progress, cl_error *err);
/* The shipped nano shape: the chronos-t5 configuration (vocabulary 4096, tokenizer,
 * 32 buckets, ReLU, tied) at d_model 128, d_ff 512, 4 heads of 32, 2 + 2 layers, context
 * 128, horizon 32. */
void cl_config_nano(cl_config *c);
/* Learning rate of update number step (0-based). */
double cl_train_lr(const cl_train_opts *o, int step);

#endif
