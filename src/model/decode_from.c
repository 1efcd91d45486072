/* decode_from.c — the decoder resumed at a layer's cross-attention (see decode_from.h).
 * The layer code follows cl_decode in t5.c operation for operation, so an uninterrupted
 * pass gives its numbers (tests/test_induction.c checks that). */
#include "decode_from.h"
#include "attention.h"
#include "blocks.h"
#include "../core/core.h"

#include <math.h>
#include <string.h>

static const float *gates(const cl_state *s, cl_stack st, int layer) {
    return s->gates[st] ? s->gates[st] + (size_t)layer * s->m->cfg.num_heads : NULL;
}

/* Runs decoder layers from the cross-attention of l0 (or from the embedding when emb_ids),
 * saving the residual entering each cross-attention sublayer when save != NULL. */
static int run(cl_state *s, const int32_t *emb_ids, int Td, int last_only, int l0, const float *resid,
               float *save, cl_error *err) {
    const cl_model *m = s->m;
    const cl_config *c = &m->cfg;
    const int B = s->B, T = s->T, NL = c->num_decoder_layers;
    const size_t rows = (size_t)B * Td, per = (size_t)B * T * c->num_heads * c->d_kv;
    const int d = c->d_model, HD = c->num_heads * c->d_kv;
    const size_t tk = (size_t)(Td > T ? Td : T);
    if (B <= 0 || !s->cross_valid || s->Td != Td || s->dec_rows_cap < rows ||
        s->scores_cap < (size_t)cl_pool_threads() * Td * tk || s->dec_bias_cap < (size_t)c->num_heads * Td * Td)
        return cl_error_set(err, CL_EINVAL, "decode_from: run cl_decode with %d decoder positions first", Td);
    if (l0 < 0 || l0 >= NL) return cl_error_set(err, CL_EINVAL, "decode_from: layer %d out of range [0, %d)", l0, NL);
    cl_position_bias(c, m->dec_rel, Td, Td, 0, s->dec_bias);
    if (emb_ids) cl_embed(m, emb_ids, rows, s->dx);
    else memcpy(s->dx, resid + (size_t)l0 * rows * d, sizeof(float) * rows * d);
    for (int l = l0; l < NL; l++) {
        const layer_w *L = &m->dec[l];
        if (emb_ids || l > l0) { /* self-attention sublayer (skipped where we resume) */
            cl_rms_norm(s->dx, L->ln_self, (int)rows, d, c->eps, s->dh);
            cl_linear(s->dh, (int)rows, d, L->self.q, HD, 0.0f, s->dq, &s->flops);
            cl_linear(s->dh, (int)rows, d, L->self.k, HD, 0.0f, s->dk, &s->flops);
            cl_linear(s->dh, (int)rows, d, L->self.v, HD, 0.0f, s->dv, &s->flops);
            attn_args a = {.q = s->dq, .ldq = HD, .k = s->dk, .v = s->dv, .ldk = HD, .B = B, .Tq = Td, .Tk = Td,
                           .H = c->num_heads, .dk = c->d_kv, .bias = s->dec_bias, .causal = 1,
                           .gates = gates(s, CL_DEC_SELF, l), .out = s->dout, .ldo = HD, .scores = s->scores,
                           .cap = NULL, .layer = l, .flops = &s->flops};
            cl_attention(&a);
            cl_linear(s->dout, (int)rows, HD, L->self.o, d, 1.0f, s->dx, &s->flops);
        }
        if (save) memcpy(save + (size_t)l * rows * d, s->dx, sizeof(float) * rows * d);

        cl_rms_norm(s->dx, L->ln_cross, (int)rows, d, c->eps, s->dh);
        cl_linear(s->dh, (int)rows, d, L->cross.q, HD, 0.0f, s->dq, &s->flops);
        attn_args x = {.q = s->dq, .ldq = HD, .k = s->ck + l * per, .v = s->cv + l * per, .ldk = HD, .B = B,
                       .Tq = Td, .Tk = T, .H = c->num_heads, .dk = c->d_kv, .kmask = s->enc_mask,
                       .gates = gates(s, CL_CROSS, l), .out = s->dout, .ldo = HD, .scores = s->scores,
                       .cap = NULL, .layer = l, .flops = &s->flops};
        cl_attention(&x);
        cl_linear(s->dout, (int)rows, HD, L->cross.o, d, 1.0f, s->dx, &s->flops);

        cl_rms_norm(s->dx, L->ln_ff, (int)rows, d, c->eps, s->dh);
        cl_feed_forward(m, L, s->dh, (int)rows, s->dff, s->dx, &s->flops);
    }
    /* final norm of the rows that need logits, then the output head */
    int lr = last_only ? B : (int)rows;
    for (int b = 0; b < B && last_only; b++)
        cl_rms_norm(s->dx + ((size_t)b * Td + Td - 1) * d, m->dec_final, 1, d, c->eps, s->dh + (size_t)b * d);
    if (!last_only) cl_rms_norm(s->dx, m->dec_final, lr, d, c->eps, s->dh);
    if (c->tied) {
        const float sc = (float)pow(d, -0.5);
        for (size_t i = 0; i < (size_t)lr * d; i++) s->dh[i] *= sc;
    }
    cl_linear(s->dh, lr, d, m->lm_head, c->vocab_size, 0.0f, s->logits, &s->flops);
    s->logits_rows = last_only ? 1 : Td;
    for (int st = 0; st < CL_NSTACKS; st++)
        if (st != CL_ENC_SELF) s->cap[st].valid = 0; /* nothing captured by this pass */
    return 0;
}

int cl_decode_save(cl_state *s, const int32_t *dec_ids, int Td, int last_only, float *resid, cl_error *err) {
    const cl_config *c = &s->m->cfg;
    for (size_t i = 0; i < (size_t)s->B * Td; i++)
        if (dec_ids[i] < 0 || dec_ids[i] >= c->vocab_size)
            return cl_error_set(err, CL_EINVAL, "decoder input: token id %d outside the vocabulary [0, %d)", dec_ids[i],
                                c->vocab_size);
    return run(s, dec_ids, Td, last_only, 0, NULL, resid, err);
}

int cl_decode_from_cross(cl_state *s, int Td, int last_only, int layer, const float *resid, cl_error *err) {
    return run(s, NULL, Td, last_only, layer, resid, NULL, err);
}
