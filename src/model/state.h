/* state.h — the per-run state: scratch buffers, encoder output, cross K/V cache, capture;
 * the entry points of the shared T5-style stacks (stack.c) that the families run. */
#ifndef CL_STATE_H
#define CL_STATE_H

#include "model/family.h"
#include "model/model.h"
#include "core/export.h"

typedef struct capture {
    cl_capture_spec spec;       /* lists below are owned copies */
    int *layers, *heads, *rows;
    int *layer_sel;             /* layer -> selection index or -1 (size: layers of the stack) */
    int *head_sel;              /* head -> selection index or -1 */
    int *row_idx;               /* resolved query rows of the current pass */
    int all_rows;               /* row_idx is 0..Tq-1: probabilities are computed in place */
    float *buf;                 /* (nl, B, nh, nr, Tk) */
    size_t cap;
    int shape[5];
    int valid;
} capture;

struct cl_state {
    const cl_model *m;
    const cl_family *fam;       /* m's family (cl_state_new): how the stacks run it */
    /* encoder-side: sized for B*T rows */
    int B, T;
    size_t enc_rows_cap;
    float *ex, *eh, *eq, *ek, *ev, *eo, *eff, *enc_out; /* (B*T, d|HD|d_ff) */
    int32_t *enc_ids;
    uint8_t *enc_mask;
    float *enc_bias; size_t enc_bias_cap;               /* (H, T, T) */
    /* cross-attention K/V of every decoder layer, computed once per encoder output, in the
     * encoder's scratch from eq on (stack.c: enc_scratch; not allocated apart) */
    float *ck, *cv; int cross_valid;                    /* (nl, B*T, HD) */
    float *xdir; size_t xdir_cap;                       /* (2, B*Td, H*d): cl_cross_attention_direct's u, c */
    /* decoder-side: sized for B*Td rows */
    int Td, logits_rows;
    size_t dec_rows_cap;
    float *dx, *dh, *dq, *dk, *dv, *dout, *dff;         /* (B*Td, d|HD|d_ff) */
    float *dec_bias; size_t dec_bias_cap;               /* (H, Td, Td) */
    float *logits; size_t logits_cap;                   /* (B*Td | B, V) */
    float *scores; size_t scores_cap;                   /* (threads, Tq, Tk): one head per thread */
    capture cap[CL_NSTACKS];
    float *gates[CL_NSTACKS];                           /* (layers, H); NULL = all 1 */
    double flops;
    cl_progress progress;
    struct cl_hooks *hooks;     /* cl_state_set_hooks (not owned), or NULL: what the passes run */
    void *family_scratch;       /* the family's own buffers (Chronos-Bolt: bolt.c's), or NULL;
                                 * freed by its table's scratch_free */
};

/* The encoder entry shared by cl_encode (t5/t5.c) and the Bolt path (bolt/bolt.c), in
 * stack.c: prepare sizes the buffers for (B, T) and starts the capture; the caller fills
 * s->ex (B*T, d_model) and s->enc_mask (B*T); run is the layer loop and the final norm
 * into s->enc_out. */
int cl_encoder_prepare(cl_state *s, int B, int T, cl_error *err);
int cl_encoder_run(cl_state *s, cl_error *err); /* CL_ECANCELED when the progress callback stops it */
/* 0 when every id of ids (n) is in the vocabulary, else CL_EINVAL naming `what`. */
int cl_check_ids(const cl_config *c, const int32_t *ids, size_t n, const char *what, cl_error *err);
/* What a pass of B series takes in s's buffers: B * per_series + fixed bytes, for T encoder
 * positions (Bolt: tokens), Td decoder positions and the captures set on s (stack.c, with
 * the family's own scratch: its table's footprint). */
CL_INTERNAL void cl_state_footprint(const cl_state *s, int T, int Td, size_t *per_series, size_t *fixed);

/* The decoder layer loop (stack.c): from the embedding of emb_ids, or resumed at the
 * cross-attention sublayer of l0 from resid[l0] (layers, B*Td, d); save (may be NULL)
 * receives the residual entering every cross-attention sublayer; capture keeps attention
 * maps (after capture_begin). Requires cl_decode to have sized the buffers for Td. */
int cl_decoder_run(cl_state *s, const int32_t *emb_ids, int Td, int last_only, int l0, const float *resid,
                   float *save, int capture, cl_error *err);

#endif
