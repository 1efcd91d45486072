/* model.h — the in-memory model: config, bound weight pointers, owned widened copies. */
#ifndef CL_MODEL_H
#define CL_MODEL_H

#include "chronolens.h"
#include "../io/safetensors.h"

typedef struct attn_w { const float *q, *k, *v, *o; } attn_w; /* q,k,v (HD, d); o (d, HD) */

typedef struct layer_w {
    const float *ln_self, *ln_cross, *ln_ff; /* (d); ln_cross only in the decoder */
    attn_w self, cross;                       /* cross only in the decoder */
    const float *wi, *wi0, *wi1;              /* (d_ff, d): wi for relu, wi0/wi1 for gated */
    const float *wo;                          /* (d, d_ff) */
} layer_w;

/* A Chronos-Bolt ResidualBlock: out(relu(hid x + hb)) + ob + res x + rb (every Linear biased). */
typedef struct resblock_w {
    const float *hid_w, *hid_b;  /* (d_ff, in), (d_ff) */
    const float *out_w, *out_b;  /* (out, d_ff), (out) */
    const float *res_w, *res_b;  /* (out, in), (out) */
    int in, hidden, out;
} resblock_w;

struct cl_model {
    cl_config cfg;
    st_file *files;
    int nfiles;
    const float *embed;     /* (V, d) shared input embedding */
    const float *lm_head;   /* (V, d) output head (== embed when tied) */
    const float *enc_rel;   /* (num_buckets, H) */
    const float *dec_rel;   /* (num_buckets, H) */
    layer_w *enc, *dec;
    const float *enc_final, *dec_final; /* (d) */
    void **owned;
    int nowned, capowned;
    size_t owned_bytes, nparams;
    char dtype[8];
    resblock_w patch_in, patch_out; /* Chronos-Bolt only (bolt_weights.c) */
};

/* torch.nansum of a contiguous float32 row in ATen's exact summation order (tokenizer.c):
 * the tokenizer's scale and Bolt's loc/scale are bit-identical to the reference's. */
float cl_torch_nansum(const float *x, int n);

/* Tensor binding of weights.c, shared with the Bolt loader (bolt_weights.c). */
typedef struct cl_binder cl_binder;
/* The tensor `name` with shape (d0) or (d0, d1) (d1 = 0: 1-D), as f32 (in place or widened
 * once); NULL with the binder's error set when missing or misshapen. */
const float *cl_binder_get(cl_binder *b, const char *name, int d0, int d1);
/* 0, or the status of the first failed cl_binder_get. */
int cl_binder_status(const cl_binder *b);
/* The tensor `name` in any of the model's files, or NULL. */
const st_tensor *cl_model_find(const cl_model *m, const char *name);
/* Bolt: binds the residual blocks, sets the vocabulary from shared.weight's rows; adds the
 * parameters to *np. Returns the binder's status. */
int cl_bolt_bind(cl_model *m, cl_binder *b, const char *emb_name, size_t *np, cl_error *err);

#endif
