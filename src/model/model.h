/* model.h — the in-memory model: config, bound weight pointers, owned widened copies.
 * Every matrix of a product has an fp32 pointer and a bf16 one (the `h` twins). fp32 models
 * (the default) leave the bf16 pointers NULL. A model loaded with precision bf16 has them
 * all: a bf16 checkpoint's tensors in place (their fp32 pointers NULL: no widened copy), an
 * fp32 one's rounded once (fp32 pointers still in place). Products go through cl_linear_w
 * (blocks.h), which picks the bf16 twin when there is one. */
#ifndef CL_MODEL_H
#define CL_MODEL_H

#include "chronolens.h"
#include "io/safetensors.h"

typedef struct attn_w { const float *q, *k, *v, *o; } attn_w; /* q,k,v (HD, d); o (d, HD) */
typedef struct attn_h { const uint16_t *q, *k, *v, *o; } attn_h; /* the same in bf16 */

typedef struct layer_w {
    const float *ln_self, *ln_cross, *ln_ff; /* (d); ln_cross only in the decoder */
    attn_w self, cross;                       /* cross only in the decoder */
    attn_h self_h, cross_h;                   /* their bf16 twins, or NULL */
    const float *wi, *wi0, *wi1;              /* (d_ff, d): wi for relu, wi0/wi1 for gated */
    const float *wo;                          /* (d, d_ff) */
    const uint16_t *wih, *wi0h, *wi1h, *woh;  /* the same in bf16, or NULL */
} layer_w;

/* A Chronos-Bolt ResidualBlock: out(relu(hid x + hb)) + ob + res x + rb (every Linear biased). */
typedef struct resblock_w {
    const float *hid_w, *hid_b;  /* (d_ff, in), (d_ff) */
    const float *out_w, *out_b;  /* (out, d_ff), (out) */
    const float *res_w, *res_b;  /* (out, in), (out) */
    const uint16_t *hid_wh, *out_wh, *res_wh; /* the weights' bf16 twins, or NULL (biases stay fp32) */
    int in, hidden, out;
} resblock_w;

struct cl_model {
    cl_config cfg;
    st_file *files;
    int nfiles;
    st_file *bf16_cache;    /* the mapped bf16 cache of the matrices, or NULL (bf16_cache.c) */
    const float *embed;     /* (V, d) shared input embedding */
    const float *lm_head;   /* (V, d) output head (== embed when tied) */
    const uint16_t *embed_h, *lm_head_h; /* the same in bf16, or NULL (embed NULL: looked up in embed_h) */
    cl_precision precision; /* of the products: CL_FP32 unless loaded with CL_BF16 */
    const float *enc_rel;   /* (num_buckets, H) */
    const float *dec_rel;   /* (num_buckets, H) */
    layer_w *enc, *dec;
    const float *enc_final, *dec_final; /* (d) */
    void **owned;
    int nowned, capowned;
    size_t owned_bytes, nparams;
    char dtype[8];
    resblock_w patch_in, patch_out; /* Chronos-Bolt only (bolt/bolt_weights.c) */
};

/* torch.nansum of a contiguous float32 row in ATen's exact summation order (nansum.c): the
 * scales the families divide a series by (Chronos-T5's tokenizer, Chronos-Bolt's instance
 * norm) are bit-identical to the reference's. */
float cl_torch_nansum(const float *x, int n);
/* 0 while every mapped checkpoint file is whole; CL_EIO naming the file that was truncated
 * while in use (st_check). Called after each pass that read the weights: its results are
 * then discarded by the caller. (model.c) */
int cl_model_check_files(const cl_model *m, cl_error *err);

#endif
