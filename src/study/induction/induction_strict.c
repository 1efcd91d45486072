/* induction_strict.c — the strict tests of an induction head (Olsson et al. 2022): ablating a
 * cross-attention head and measuring log p(s_2), and the copying score of its OV circuit
 * through the unembedding. Both work on a state that already holds the encoder output. */
#include "study/induction/induction.h"
#include "core/core.h"
#include "model/blocks.h"
#include "model/decode_from.h"
#include "model/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* log p(tok) at the single logits row of each batch element: logits (B, 1, V) */
static void logp_of(const float *logits, int B, int V, const int32_t *enc_ids, int T, double *out) {
    for (int b = 0; b < B; b++) {
        const float *z = logits + (size_t)b * V;
        float mx = z[0];
        for (int v = 1; v < V; v++) mx = z[v] > mx ? z[v] : mx;
        double se = 0;
        for (int v = 0; v < V; v++) se += exp((double)z[v] - mx);
        out[b] = (double)z[enc_ids[(size_t)b * T + 2]] - mx - log(se); /* s_2 at encoder position 2 */
    }
}

int cl_induction_ablation(cl_state *s, const cl_rrt_opts *o, const int32_t *enc_ids, const int32_t *dec,
                          float *dlogp, cl_error *err) {
    const cl_config *c = cl_model_config(cl_state_model(s));
    const int B = o->batch, T = cl_rrt_enc_len(o), H = c->num_heads, NL = c->num_decoder_layers;
    int sb, st;
    cl_state_encoder_hidden(s, &sb, &st);
    if (sb != B || st != T)
        return cl_error_set(err, CL_EINVAL, "ablation: the state holds an encoder output of (%d, %d), not (%d, %d)",
                            sb, st, B, T);
    const size_t rows = (size_t)B * 2, d = (size_t)c->d_model;
    double *clean = malloc(sizeof(double) * 2 * (size_t)B), *abl = clean ? clean + B : NULL;
    float *resid = cl_alloc(sizeof(float) * NL * rows * d); /* (NL, B*2, d) entering each cross-attention */
    int rc = (!clean || !resid) ? cl_error_set(err, CL_ENOMEM, "ablation: out of memory") : 0;
    cl_capture_spec off = {0};
    for (int stk = 0; stk < CL_NSTACKS && !rc; stk++) rc = cl_state_set_capture(s, (cl_stack)stk, &off, err);
    cl_state_reset_gates(s);
    int V = c->vocab_size;
    if (!rc) rc = cl_decode(s, dec, 2, 1, err); /* logits of position 1 only: (B, 1, V) */
    if (!rc) logp_of(cl_state_logits(s, NULL, NULL, NULL), B, V, enc_ids, T, clean);
    if (!rc) rc = cl_decode_save(s, dec, 2, 1, resid, err);
    for (int l = 0; l < NL && !rc; l++)
        for (int h = 0; h < H && !rc; h++) {
            /* the layers below l's cross-attention do not change: resume there; the cross
             * K/V of the encoder output stay cached, so there is no encoder work at all */
            rc = cl_state_set_head_gate(s, CL_CROSS, l, h, 0.0f, err);
            if (!rc) rc = cl_decode_from_cross(s, 2, 1, l, resid, err);
            cl_state_reset_gates(s);
            if (rc) break;
            logp_of(cl_state_logits(s, NULL, NULL, NULL), B, V, enc_ids, T, abl);
            float *row = dlogp + ((size_t)l * H + h) * B;
            for (int b = 0; b < B; b++) row[b] = (float)(abl[b] - clean[b]);
        }
    cl_free(resid);
    free(clean);
    return rc;
}

int cl_induction_copying(cl_state *s, const cl_rrt_opts *o, const int32_t *enc_ids, float *copy,
                         cl_error *err) {
    const cl_model *m = cl_state_model(s);
    const cl_config *c = &m->cfg;
    const int H = c->num_heads, dk = c->d_kv, HD = H * dk, d = c->d_model, NL = c->num_decoder_layers;
    const int B = o->batch, T = cl_rrt_enc_len(o), RL = o->reps * o->seq_len;
    const int lo = o->tok_lo, nband = o->tok_hi - o->tok_lo + 1;
    int sb, st;
    const float *x = cl_state_encoder_hidden(s, &sb, &st); /* (B, T, d) */
    if (!x || sb != B || st != T)
        return cl_error_set(err, CL_EINVAL, "copying: the state holds no encoder output of (%d, %d)", B, T);
    if (lo < 0 || o->tok_hi >= c->vocab_size || nband < 2)
        return cl_error_set(err, CL_EINVAL, "copying: token range %d:%d outside the vocabulary", lo, o->tok_hi);
    const size_t rows = (size_t)B * T;
    float *v = cl_alloc(sizeof(float) * rows * HD);          /* (B*T, HD) value vectors of a layer */
    float *g = cl_alloc(sizeof(float) * (size_t)d * dk);     /* (d, dk) diag(g α) W_O^h */
    float *mh = cl_alloc(sizeof(float) * (size_t)nband * dk); /* (nband, dk) U_band g α W_O^h */
    float *z = cl_alloc(sizeof(float) * rows * nband);        /* (B*T, nband) logits of the band */
    int rc = (!v || !g || !mh || !z) ? cl_error_set(err, CL_ENOMEM, "copying: out of memory") : 0;
    const float alpha = c->tied ? (float)pow(d, -0.5) : 1.0f;
    /* (nband, d): a bf16 model may hold its output head in bf16 only: widened (exact) */
    float *Uw = m->lm_head ? NULL : cl_alloc(sizeof(float) * (size_t)nband * d);
    if (!rc && !m->lm_head && !Uw) rc = cl_error_set(err, CL_ENOMEM, "copying: out of memory");
    for (size_t i = 0; Uw && i < (size_t)nband * d; i++) Uw[i] = cl_bf16_to_f32(m->lm_head_h[(size_t)lo * d + i]);
    const float *U = m->lm_head ? m->lm_head + (size_t)lo * d : Uw;
    double flops = 0;
    for (int l = 0; l < NL && !rc; l++) {
        const layer_w *L = &m->dec[l];
        cl_linear_w(x, (int)rows, d, L->cross.v, L->cross_h.v, HD, 0.0f, v, &flops);
        for (int h = 0; h < H; h++) {
            for (int i = 0; i < d; i++)
                for (int k = 0; k < dk; k++) {
                    size_t at = (size_t)i * HD + h * dk + k;
                    float wo = L->cross.o ? L->cross.o[at] : cl_bf16_to_f32(L->cross_h.o[at]);
                    g[(size_t)i * dk + k] = m->dec_final[i] * alpha * wo;
                }
            cl_sgemm(0, nband, dk, d, 1.0f, U, d, g, dk, 0.0f, mh, dk, &flops);
            cl_sgemm(1, (int)rows, nband, dk, 1.0f, v + h * dk, HD, mh, dk, 0.0f, z, nband, &flops);
            for (int b = 0; b < B; b++) {
                double acc = 0;
                for (int j = 0; j < RL; j++) {
                    const float *zr = z + ((size_t)b * T + j) * nband;
                    double s1 = 0, s2 = 0;
                    for (int t = 0; t < nband; t++) s1 += zr[t];
                    double mean = s1 / nband;
                    for (int t = 0; t < nband; t++) s2 += (zr[t] - mean) * (zr[t] - mean);
                    double sd = sqrt(s2 / nband);
                    int tok = enc_ids[(size_t)b * T + j] - lo;
                    acc += sd > 0 ? (zr[tok] - mean) / sd : 0.0;
                }
                copy[((size_t)l * H + h) * B + b] = (float)(acc / RL);
            }
        }
    }
    cl_free(v); cl_free(g); cl_free(mh); cl_free(z); cl_free(Uw);
    return rc;
}
