/* binder.h — binding a checkpoint's tensors to a cl_model (weights.c): each found by its
 * Hugging Face name, checked against the shape the config implies, used in place or
 * widened (or with precision bf16 rounded) once. The loader (load.c) makes a binder; a
 * family's bind (family.h) binds its tensors with it. */
#ifndef CL_BINDER_H
#define CL_BINDER_H

#include "model/model.h"

typedef struct cl_binder cl_binder;

/* A matrix to round to bf16 (weights.c): bound at once (*dst set by cl_binder_round, in one
 * block with the others), filled by cl_binder_round on the thread pool. */
typedef struct cl_round_job {
    const st_tensor *t;
    size_t n, at;            /* elements; offset in the block */
    const uint16_t **dst;
} cl_round_job;

/* bound: every tensor bound so far (cl_binder_check_accounted refuses the others);
 * jobs: the matrices still to round (precision bf16), see cl_binder_round */
struct cl_binder {
    cl_model *m;
    const char *dir;  /* named in messages: the folder, or the one weight file */
    cl_error *err;
    int rc;           /* the first failure's code; later binds do nothing */
    int bf16;         /* bind the matrices of products in bf16 (model.h's twins) */
    const st_tensor **bound;
    int nbound, capbound;
    cl_round_job *jobs;
    int njobs, capjobs;
    int rounds;       /* cl_binder_round calls that rounded something: the cache serves the first */
};

/* The tensor `name` with shape (d0) or (d0, d1) (d1 = 0: 1-D), as f32 (in place or widened
 * once); NULL with the binder's error set when missing or misshapen. */
const float *cl_binder_get(cl_binder *b, const char *name, int d0, int d1);
/* The matrix of a product: as cl_binder_get into *w, or with precision bf16 its bf16 twin
 * into *h too (model.h's twins: *w NULL for a BF16 tensor bound in place). */
void cl_binder_get_w(cl_binder *b, const char *name, int d0, int d1, const float **w, const uint16_t **h);
/* A matrix only looked up by rows (an untied input embedding, cl_embed): fp32 into *w,
 * except that with precision bf16 a BF16 tensor is kept as stored into *h (*w untouched). */
void cl_binder_get_rows(cl_binder *b, const char *name, int d0, int d1, const float **w, const uint16_t **h);
/* Rounds the matrices bound so far in bf16 (cl_binder_get_w with precision bf16 and a
 * tensor that is not BF16 in place) into one block, split across the thread pool in fixed
 * ranges (element by element, round to nearest even: the same bits under any thread
 * count), and sets their pointers. The loader calls it after the family's bind; a
 * pointer of such a matrix is NULL until then, so a family that copies one (a tied head)
 * calls it first. Rounds only what was bound since the last call. 0 or the binder's error. */
int cl_binder_round(cl_binder *b);
/* 0, or the status of the first failed bind. */
int cl_binder_status(const cl_binder *b);
/* The name the checkpoint gives the token embedding (shared.weight, or one of its aliases
 * encoder.embed_tokens.weight, decoder.embed_tokens.weight, and lm_head.weight when
 * lm_head_alias: a tied output head); NULL with the binder's error set when none is there. */
const char *cl_binder_embedding(cl_binder *b, int lm_head_alias);
/* The T5 encoder and decoder stacks (relative position biases, every layer, the final
 * norms) as config.json shapes them; adds their parameters to *np. */
void cl_bind_t5_stacks(cl_binder *b, size_t *np);
/* 0 when every tensor of the checkpoint was bound (or is an alias of the embedding, with
 * lm_head_alias as cl_binder_embedding), else CL_EFORMAT naming the first other one. */
int cl_binder_check_accounted(cl_binder *b, int lm_head_alias);

/* The tensor `name` in any of the model's files, or NULL. */
const st_tensor *cl_model_find(const cl_model *m, const char *name);

#endif
