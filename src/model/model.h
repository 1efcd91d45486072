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
};

#endif
