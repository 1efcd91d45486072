/* bolt_weights.c — the Chronos-Bolt tensors: the input and output residual blocks
 * (input_patch_embedding.*, output_patch_embedding.*, each Linear with a bias), a
 * shared.weight of 1 row ([PAD] = the decoder's query) or 2 ([REG] too), then the shared T5
 * stacks. */
#include "model/bolt/bolt.h"

#include <stdio.h>

static void bind_block(cl_binder *b, resblock_w *r, const char *p, int in, int hidden, int out, size_t *np) {
    char n[256];
    r->in = in; r->hidden = hidden; r->out = out;
    snprintf(n, sizeof n, "%shidden_layer.weight", p); cl_binder_get_w(b, n, hidden, in, &r->hid_w, &r->hid_wh);
    snprintf(n, sizeof n, "%shidden_layer.bias", p); r->hid_b = cl_binder_get(b, n, hidden, 0);
    snprintf(n, sizeof n, "%soutput_layer.weight", p); cl_binder_get_w(b, n, out, hidden, &r->out_w, &r->out_wh);
    snprintf(n, sizeof n, "%soutput_layer.bias", p); r->out_b = cl_binder_get(b, n, out, 0);
    snprintf(n, sizeof n, "%sresidual_layer.weight", p); cl_binder_get_w(b, n, out, in, &r->res_w, &r->res_wh);
    snprintf(n, sizeof n, "%sresidual_layer.bias", p); r->res_b = cl_binder_get(b, n, out, 0);
    *np += (size_t)hidden * (in + 1) + (size_t)out * (hidden + 1) + (size_t)out * (in + 1);
}

/* The blocks and the vocabulary from shared.weight's rows (emb_name); the binder's status. */
static int bind_blocks(cl_model *m, cl_binder *b, const char *emb_name, size_t *np, cl_error *err) {
    cl_config *c = &m->cfg;
    const char *file = m->nfiles == 1 ? m->files[0].path : "model";
    /* shared.weight: 1 or 2 rows; the vocabulary is what the file holds */
    const st_tensor *e = cl_model_find(m, emb_name);
    if (e->ndim == 2 && (e->shape[0] == 1 || e->shape[0] == 2)) c->vocab_size = (int)e->shape[0];
    else if (e->ndim == 2)
        return cl_error_set(err, CL_EFORMAT, "%s: tensor '%s' has %lld rows (a Chronos-Bolt has 1 or 2)", file,
                            emb_name, (long long)e->shape[0]);
    if (c->use_reg_token && c->vocab_size < 2)
        return cl_error_set(err, CL_EFORMAT, "%s: use_reg_token is set but '%s' has no [REG] row (1 row)", file,
                            emb_name);
    if (c->decoder_start_token_id >= c->vocab_size)
        return cl_error_set(err, CL_EFORMAT, "%s: decoder_start_token_id %d outside '%s' (%d rows)", file,
                            c->decoder_start_token_id, emb_name, c->vocab_size);
    /* the head's width says what it emits: name the rule rather than only a shape */
    const int nq = c->n_quantiles * c->prediction_length;
    const st_tensor *o = cl_model_find(m, "output_patch_embedding.output_layer.weight");
    if (o && o->ndim == 2 && o->shape[0] != nq)
        return cl_error_set(err, CL_EFORMAT,
                            "%s: output_patch_embedding emits %lld values, but len(quantiles) x prediction_length = "
                            "%d x %d = %d", file, (long long)o->shape[0], c->n_quantiles, c->prediction_length, nq);
    bind_block(b, &m->patch_in, "input_patch_embedding.", 2 * c->patch_size, c->d_ff, c->d_model, np);
    bind_block(b, &m->patch_out, "output_patch_embedding.", c->d_model, c->d_ff, nq, np);
    return cl_binder_status(b);
}

int cl_bolt_bind(cl_model *m, cl_binder *b, size_t *np, cl_error *err) {
    const char *emb = cl_binder_embedding(b, 0); /* no LM head: lm_head.weight is never the embedding */
    if (!emb) return cl_binder_status(b);
    int rc = bind_blocks(m, b, emb, np, err);
    if (rc) return rc;
    /* its 1-2 rows ([PAD] query, [REG]) are only looked up: fp32 */
    const cl_config *c = &m->cfg;
    m->embed = cl_binder_get(b, emb, c->vocab_size, c->d_model);
    *np += (size_t)c->vocab_size * c->d_model;
    m->lm_head = NULL;
    m->lm_head_h = NULL;
    cl_bind_t5_stacks(b, np);
    return cl_binder_status(b);
}
