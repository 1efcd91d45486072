/* t5_weights.c — Chronos-T5's tensors: the token embedding (a product's matrix when it is
 * the tied output head, else only looked up), the output head (the embedding, tied, or
 * lm_head.weight), then the shared T5 stacks. */
#include "model/t5/t5.h"
#include "model/binder.h"

int cl_t5_bind(cl_model *m, cl_binder *b, size_t *np, cl_error *err) {
    (void)err;
    const cl_config *c = &m->cfg;
    const int d = c->d_model, V = c->vocab_size;
    const char *emb = cl_binder_embedding(b, c->tied); /* tied: lm_head.weight may hold it */
    if (!emb) return cl_binder_status(b);
    if (c->tied) cl_binder_get_w(b, emb, V, d, &m->embed, &m->embed_h);
    else cl_binder_get_rows(b, emb, V, d, &m->embed, &m->embed_h);
    *np += (size_t)V * d;
    if (!c->tied) { cl_binder_get_w(b, "lm_head.weight", V, d, &m->lm_head, &m->lm_head_h); *np += (size_t)V * d; }
    cl_bind_t5_stacks(b, np);
    /* a matrix rounded to bf16 has its pointer once rounded: the tied head copies it after */
    cl_binder_round(b);
    if (c->tied) { m->lm_head = m->embed; m->lm_head_h = m->embed_h; }
    return cl_binder_status(b);
}
