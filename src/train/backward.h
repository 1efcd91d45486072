/* backward.h — training forward (keeping the activations the gradients need), the mean
 * token cross-entropy, and the backward pass of the Chronos T5 (ReLU feed-forward, tied
 * embeddings rescaled by d_model^-0.5, relative position bias, RMS norm, padding masks). */
#ifndef CL_BACKWARD_H
#define CL_BACKWARD_H

#include "train/params.h"
#include "data/batch.h"

typedef struct cl_grad_ws cl_grad_ws;

cl_grad_ws *cl_grad_ws_new(void);
void cl_grad_ws_free(cl_grad_ws *ws);

/* Loss = mean cross-entropy over labels != -100 (*ntok of them; 0 tokens gives loss 0),
 * weighted by pos_weight when set (sum w_j CE_j / sum w_j: a training choice that makes
 * some horizon steps count more; the published objective is the unweighted one).
 * With backward != 0, ADDS d loss / d parameter to p->g (the caller zeroes it).
 * Single-threaded code outside OpenBLAS: the result depends only on the thread count of
 * the matrix products. FLOPs of its products are added to *flops (may be NULL). */
int cl_loss_grad(cl_params *p, cl_grad_ws *ws, const cl_batch *b, int backward, double *loss,
                 int *ntok, double *flops, cl_error *err);

/* The same for one shard of a batch (data-parallel training): gradients are ADDED to the
 * views g (same layout as p->gm, onto any buffer); with norm > 0 every token's gradient is
 * scaled by w_j / norm (norm: the whole batch's cl_batch_weight) and *loss is the SUM of
 * the shard's weighted token losses; norm = 0 is cl_loss_grad. */
int cl_loss_grad_to(cl_params *p, cl_model *g, cl_grad_ws *ws, const cl_batch *b, int backward, double norm,
                    double *loss, int *ntok, double *flops, cl_error *err);

/* Per-position cross-entropy of the last cl_loss_grad call: (B, Td), NaN where ignored. */
const float *cl_grad_ws_token_loss(const cl_grad_ws *ws);

#endif
