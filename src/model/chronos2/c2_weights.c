/* c2_weights.c — the Chronos-2 tensors by upstream's names (method.md §1): shared.weight
 * [2, d] (row 1 = [REG]), input_patch_embedding [3ps -> d_ff -> d] and output_patch_embedding
 * [d -> d_ff -> Q*ps] (ResidualBlocks, every Linear biased), and per layer l under
 * encoder.block.{l}.layer.: 0.self_attention.{q,k,v,o} + 0.layer_norm (time attention),
 * 1.self_attention.* + 1.layer_norm (group attention), 2.mlp.{wi,wo} + 2.layer_norm; then
 * encoder.final_layer_norm. No relative position bias, no decoder. */
#include "model/chronos2/chronos2.h"

#include <stdio.h>
#include <stdlib.h>

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

/* q, k, v [HD, d] and o [d, HD] under prefix (…self_attention.) */
static void bind_attn(cl_binder *b, attn_w *a, attn_h *h, const char *p, int HD, int d) {
    char n[256];
    snprintf(n, sizeof n, "%sq.weight", p); cl_binder_get_w(b, n, HD, d, &a->q, &h->q);
    snprintf(n, sizeof n, "%sk.weight", p); cl_binder_get_w(b, n, HD, d, &a->k, &h->k);
    snprintf(n, sizeof n, "%sv.weight", p); cl_binder_get_w(b, n, HD, d, &a->v, &h->v);
    snprintf(n, sizeof n, "%so.weight", p); cl_binder_get_w(b, n, d, HD, &a->o, &h->o);
}

int cl_c2_bind(cl_model *m, cl_binder *b, size_t *np, cl_error *err) {
    const cl_config *c = &m->cfg;
    const int d = c->d_model, HD = c->num_heads * c->d_kv, F = c->d_ff, ps = c->patch_size;
    const int QP = c->n_quantiles * ps;
    const char *file = m->nfiles == 1 ? m->files[0].path : "model";
    /* the head's width says what it emits: name the rule rather than only a shape */
    const st_tensor *o = cl_model_find(m, "output_patch_embedding.output_layer.weight");
    if (o && o->ndim == 2 && o->shape[0] != QP)
        return cl_error_set(err, CL_EFORMAT,
                            "%s: output_patch_embedding emits %lld values, but len(quantiles) x output_patch_size = "
                            "%d x %d = %d", file, (long long)o->shape[0], c->n_quantiles, ps, QP);
    /* [PAD] (unused) and [REG]: only looked up, fp32 */
    m->embed = cl_binder_get(b, "shared.weight", c->vocab_size, d);
    *np += (size_t)c->vocab_size * d;
    bind_block(b, &m->patch_in, "input_patch_embedding.", 3 * ps, F, d, np);
    bind_block(b, &m->patch_out, "output_patch_embedding.", d, F, QP, np);
    if (cl_binder_status(b)) return cl_binder_status(b);
    m->enc = calloc((size_t)c->num_layers, sizeof *m->enc);
    if (!m->enc) return cl_error_set(err, CL_ENOMEM, "%s: out of memory", file);
    char p[256], n[256];
    for (int l = 0; l < c->num_layers && !cl_binder_status(b); l++) {
        layer_w *L = &m->enc[l];
        snprintf(p, sizeof p, "encoder.block.%d.layer.0.self_attention.", l); bind_attn(b, &L->self, &L->self_h, p, HD, d);
        snprintf(n, sizeof n, "encoder.block.%d.layer.0.layer_norm.weight", l); L->ln_self = cl_binder_get(b, n, d, 0);
        snprintf(p, sizeof p, "encoder.block.%d.layer.1.self_attention.", l); bind_attn(b, &L->cross, &L->cross_h, p, HD, d);
        snprintf(n, sizeof n, "encoder.block.%d.layer.1.layer_norm.weight", l); L->ln_cross = cl_binder_get(b, n, d, 0);
        snprintf(n, sizeof n, "encoder.block.%d.layer.2.mlp.wi.weight", l); cl_binder_get_w(b, n, F, d, &L->wi, &L->wih);
        snprintf(n, sizeof n, "encoder.block.%d.layer.2.mlp.wo.weight", l); cl_binder_get_w(b, n, d, F, &L->wo, &L->woh);
        snprintf(n, sizeof n, "encoder.block.%d.layer.2.layer_norm.weight", l); L->ln_ff = cl_binder_get(b, n, d, 0);
        *np += 2 * (4 * (size_t)HD * d + d) + 2 * (size_t)F * d + d;
    }
    m->enc_final = cl_binder_get(b, "encoder.final_layer_norm.weight", d, 0);
    *np += (size_t)d;
    return cl_binder_status(b);
}
