/* planted.c — the planted-circuit model shared by the induction tests (planted.h). */
#include "testutil.h"
#include "planted.h"
#include "core/core.h"
#include "model/init.h"
#include "io/safetensors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ planted circuit */

/* A model whose only induction head is decoder layer 1, cross-attention head 2:
 *  - token t is a random ±1 vector u_t in dims 0..63 (subspace A);
 *  - encoder head 0 attends to the previous position (relative bias +30 at offset -1) and
 *    copies A into dims 64..127 (subspace B): position j holds u_{t_j} and u_{t_{j-1}};
 *  - decoder cross head (1, 2): query reads A of the current token (s_1), key reads B of the
 *    encoder (the previous token): it attends where the previous token is s_1, i.e. to
 *    m + 1 (and to 2, the first occurrence); its value reads A there (s_2) and writes it back
 *    to A, raising the logit of s_2;
 *  - every other weight is zero (attention with zero queries is uniform, outputs are 0). */
void planted_build(planted *p) {
    memset(p, 0, sizeof *p);
    cl_error err;
    cl_config c;
    assert_int_equal(cl_config_preset("tiny", &c, &err), 0);
    c.d_model = P_D; c.num_heads = P_H; c.d_kv = P_DK; c.d_ff = 8; c.num_layers = 1; c.num_decoder_layers = 2;
    char dir[512];
    snprintf(dir, sizeof dir, "%s/planted", test_tmpdir());
    if (cl_checkpoint_init_random(dir, &c, 7, 0, NULL, &err)) fail_msg("%s", err.msg);
    if (cl_model_load(dir, NULL, &p->m, &err)) fail_msg("%s", err.msg);
    cl_model *m = p->m;
    const size_t W = (size_t)P_HD * P_D;
    p->E = calloc((size_t)P_V * P_D, sizeof(float));
    p->zero = calloc(W > (size_t)8 * P_D ? W : (size_t)8 * P_D, sizeof(float));
    p->ones = malloc(sizeof(float) * P_D);
    p->enc_v = calloc(W, sizeof(float)); p->enc_o = calloc(W, sizeof(float));
    p->q = calloc(W, sizeof(float)); p->k = calloc(W, sizeof(float));
    p->v = calloc(W, sizeof(float)); p->o = calloc(W, sizeof(float));
    p->enc_rel = calloc((size_t)c.num_buckets * P_H, sizeof(float));
    cl_rng rng;
    cl_rng_seed(&rng, 123);
    for (int t = 0; t < P_V; t++)
        for (int i = 0; i < 64; i++) p->E[(size_t)t * P_D + i] = (cl_rng_next(&rng) >> 63) ? 1.0f : -1.0f;
    for (int i = 0; i < P_D; i++) p->ones[i] = 1.0f;
    for (int i = 0; i < 64; i++) {
        p->enc_v[(size_t)(0 * P_DK + i) * P_D + i] = 1.0f;        /* head 0 value: A */
        p->enc_o[(size_t)(64 + i) * P_HD + 0 * P_DK + i] = 1.0f;  /* head 0 output -> B */
        int hh = P_HEAD * P_DK + i;
        p->q[(size_t)hh * P_D + i] = 0.2f;                        /* query: A of s_1 */
        p->k[(size_t)hh * P_D + 64 + i] = 1.0f;                   /* key: B (previous token) */
        p->v[(size_t)hh * P_D + i] = 1.0f;                        /* value: A (the attended token) */
        p->o[(size_t)i * P_HD + hh] = 3.0f;                       /* output: back to A */
    }
    p->enc_rel[cl_relative_bucket(-1, 1, c.num_buckets, c.max_distance) * P_H + 0] = 30.0f;
    m->embed = m->lm_head = p->E;
    m->enc_rel = p->enc_rel;
    m->dec_rel = p->zero;
    m->enc_final = m->dec_final = p->ones;
    layer_w *e = &m->enc[0];
    e->ln_self = e->ln_ff = p->ones;
    e->self = (attn_w){p->zero, p->zero, p->enc_v, p->enc_o};
    e->wi = e->wo = p->zero;
    for (int l = 0; l < 2; l++) {
        layer_w *d = &m->dec[l];
        d->ln_self = d->ln_cross = d->ln_ff = p->ones;
        d->self = (attn_w){p->zero, p->zero, p->zero, p->zero};
        d->cross = l == P_LAYER ? (attn_w){p->q, p->k, p->v, p->o} : (attn_w){p->zero, p->zero, p->zero, p->zero};
        d->wi = d->wo = p->zero;
    }
}

void planted_free(planted *p) {
    cl_model_free(p->m);
    free(p->E); free(p->zero); free(p->ones); free(p->enc_v); free(p->enc_o); free(p->enc_rel);
    free(p->q); free(p->k); free(p->v); free(p->o);
}

/* Writes the planted model as a Hugging Face folder (config.json + model.safetensors). */
void planted_save(const planted *p, const char *dir) {
    const cl_model *m = p->m;
    const cl_config *c = &m->cfg;
    const int d = c->d_model, HD = c->num_heads * c->d_kv, F = c->d_ff;
    cl_error err;
    assert_int_equal(run_cmd("mkdir -p '%s'", dir), 0);
    st_writer *w = st_writer_new();
    char n[256];
    int64_t sv[2] = {c->vocab_size, d}, sq[2] = {HD, d}, so[2] = {d, HD}, sd[1] = {d}, sb[2] = {c->num_buckets, c->num_heads},
            swi[2] = {F, d}, swo[2] = {d, F};
    st_writer_add(w, "shared.weight", ST_F32, 2, sv, m->embed);
    for (int stk = 0; stk < 2; stk++) {
        const char *name = stk ? "decoder" : "encoder";
        const layer_w *Ls = stk ? m->dec : m->enc;
        int nl = stk ? c->num_decoder_layers : c->num_layers;
        for (int i = 0; i < nl; i++) {
            const layer_w *L = &Ls[i];
            for (int a = 0; a < (stk ? 2 : 1); a++) {
                const char *an = a ? "1.EncDecAttention" : "0.SelfAttention";
                const attn_w *A = a ? &L->cross : &L->self;
                const float *wt[4] = {A->q, A->k, A->v, A->o};
                const char *wn[4] = {"q", "k", "v", "o"};
                for (int k = 0; k < 4; k++) {
                    snprintf(n, sizeof n, "%s.block.%d.layer.%s.%s.weight", name, i, an, wn[k]);
                    st_writer_add(w, n, ST_F32, 2, k == 3 ? so : sq, wt[k]);
                }
                snprintf(n, sizeof n, "%s.block.%d.layer.%d.layer_norm.weight", name, i, a);
                st_writer_add(w, n, ST_F32, 1, sd, a ? L->ln_cross : L->ln_self);
            }
            if (i == 0) {
                snprintf(n, sizeof n, "%s.block.0.layer.0.SelfAttention.relative_attention_bias.weight", name);
                st_writer_add(w, n, ST_F32, 2, sb, stk ? m->dec_rel : m->enc_rel);
            }
            int fl = stk ? 2 : 1;
            snprintf(n, sizeof n, "%s.block.%d.layer.%d.DenseReluDense.wi.weight", name, i, fl);
            st_writer_add(w, n, ST_F32, 2, swi, L->wi);
            snprintf(n, sizeof n, "%s.block.%d.layer.%d.DenseReluDense.wo.weight", name, i, fl);
            st_writer_add(w, n, ST_F32, 2, swo, L->wo);
            snprintf(n, sizeof n, "%s.block.%d.layer.%d.layer_norm.weight", name, i, fl);
            st_writer_add(w, n, ST_F32, 1, sd, L->ln_ff);
        }
        snprintf(n, sizeof n, "%s.final_layer_norm.weight", name);
        st_writer_add(w, n, ST_F32, 1, sd, stk ? m->dec_final : m->enc_final);
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    if (st_writer_save(w, path, "pt", &err)) fail_msg("%s", err.msg);
    st_writer_free(w);
    snprintf(path, sizeof path, "%s/config.json", dir);
    if (cl_config_save(path, c, &err)) fail_msg("%s", err.msg);
}

