/* train.h — training a Chronos T5 on synthetic series: AdamW with decoupled weight
 * decay, linear warm-up then cosine or linear decay, clipping by global gradient norm,
 * checkpoints that are ordinary checkpoint folders plus the optimizer state, and
 * bit-for-bit resumption (same thread count: batches are a function of (seed, step)). */
#ifndef CL_TRAIN_H
#define CL_TRAIN_H

#include "chronolens_study.h"
#include "data/batch.h"
#include "train/backward.h"

/* cl_train_opts and cl_train_default, cl_train_row, cl_eval_row and the run's calls
 * (cl_trainer_new, _resume, _set_*, _run, _free): chronolens_study.h, the public training API.
 * The trainer's insides, for the library and its tests: */
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

/* One update: batch number t->step, loss, gradient, clipping, AdamW. Fills *row. */
int cl_trainer_step(cl_trainer *t, cl_train_row *row, cl_error *err);
/* Scores the held-out batches and appends an eval row (dir is recorded as given). */
int cl_trainer_evaluate(cl_trainer *t, const char *dir, cl_eval_row *row, cl_error *err);
/* Writes DIR: config.json + model.safetensors (loadable by cl_model_load),
 * optimizer.safetensors, trainer_state.json, train.csv, checkpoints.csv. */
int cl_trainer_save(const cl_trainer *t, const char *dir, cl_error *err);
/* Learning rate of update number step (0-based). */
double cl_train_lr(const cl_train_opts *o, int step);

#endif
