/* params.h — a trainable Chronos T5: every parameter in one flat fp32 buffer (and its
 * gradient in a second one of the same layout), with cl_model views onto both so the
 * engine's blocks and forward pass run on the live weights. Only the architecture of the
 * published models: ReLU feed-forward, tied embeddings. */
#ifndef CL_PARAMS_H
#define CL_PARAMS_H

#include "model/model.h"

typedef struct cl_ptensor {
    char name[112];
    int ndim;
    int64_t shape[2];
    size_t off, n;      /* offset and length in the flat buffers */
} cl_ptensor;

typedef struct cl_params {
    cl_config cfg;
    float *w, *g;        /* (n) weights, gradients */
    size_t n;
    cl_ptensor *t;       /* tensors in checkpoint order */
    int nt;
    cl_model wm, gm;     /* views: wm's pointers into w (usable by cl_state), gm's into g */
} cl_params;

/* Checks that cfg is trainable here (relu, ungated, tied) and of sane size. */
int cl_params_check_config(const cl_config *cfg, cl_error *err);
/* Allocates parameters for cfg, drawn as Hugging Face's T5 initialiser does (factor 1)
 * from seed; gradients zeroed. */
int cl_params_new(const cl_config *cfg, uint64_t seed, cl_params **out, cl_error *err);
/* Value-aware embedding init: the row of every value token becomes
 * sqrt(1 - alpha) * N(0, 1) + sqrt(alpha) * sqrt(2) * sin(w_k * center + phase) over d_model
 * features (w_k geometric from 0.2 to 60 per scaled unit, sin/cos pairs), so embeddings
 * of nearby values start out similar (the tied head then scores neighbours alike).
 * Special tokens (PAD, EOS) keep their draws. Each entry still has variance 1. */
void cl_params_value_embeddings(cl_params *p, uint64_t seed, double alpha);
/* Positional init of the encoder's relative position table: head h starts attending to
 * the token at offset offsets[h] (key position - query position; strength added to that
 * distance's bucket; about 6 puts ~85 % of a 64-token row there), for h < n (at most the
 * head count). n = 0: the default {-1, +1}, a previous-token head and a next-token head.
 * The table is shared by every encoder layer, as in T5. Training is free to undo it. */
void cl_params_position_init(cl_params *p, double strength, const int *offsets, int n);
/* Loads the weights of a checkpoint folder (any dtype, widened to fp32). */
int cl_params_load(const char *dir, cl_params **out, cl_error *err);
void cl_params_free(cl_params *p);
/* Writes DIR/config.json and DIR/model.safetensors (fp32, tied embedding as shared.weight). */
int cl_params_save(const cl_params *p, const char *dir, cl_error *err);
/* Index of the tensor called name, or -1. */
int cl_params_find(const cl_params *p, const char *name);
void cl_params_zero_grad(cl_params *p);
/* cl_model views with p's layout onto another flat buffer of p->n floats (a shard's
 * gradients); -1 when out of memory. Free with cl_params_views_free. */
int cl_params_views(const cl_params *p, float *base, cl_model *out);
void cl_params_views_free(cl_model *m);

#endif
