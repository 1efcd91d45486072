/* forward_study.c — one forward pass with every tensor the reference writes (cl_forward_run):
 * T5: tokenize the context, encode, decode the decoder ids (or the start token), capture
 * every attention map; Bolt: patches, the encoder, the one query of its decoder. The
 * tensors keep the golden's names and order; cl_forward_write saves them as safetensors. */
#include "chronolens_study.h"
#include "../core/core.h"
#include "../io/csv.h"
#include "../io/safetensors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *STACK_NAME[CL_NSTACKS] = {"enc_attn", "dec_attn", "cross_attn"};

void cl_forward_default(cl_forward_opts *o) { memset(o, 0, sizeof *o); }

void cl_forward_free(cl_forward_result *r) {
    if (!r) return;
    free(r->ids64); free(r->mask64); free(r->scale);
    cl_state_free(r->state);
    memset(r, 0, sizeof *r);
}

static void add(cl_forward_result *r, const char *name, int i64, int ndim, const int64_t *shape, const void *data) {
    cl_forward_tensor *t = &r->t[r->n++];
    snprintf(t->name, sizeof t->name, "%s", name);
    t->i64 = i64;
    t->ndim = ndim;
    memcpy(t->shape, shape, sizeof(int64_t) * ndim);
    t->data = data;
}

/* every captured map, one tensor per stack and layer: (B, H, rows, keys) */
static int add_maps(cl_forward_result *r, cl_error *err) {
    char name[64];
    for (int st = 0; st < CL_NSTACKS; st++) {
        int shape[5];
        const float *a = cl_state_attn(r->state, (cl_stack)st, shape);
        if (r->n + shape[0] + 2 > CL_FORWARD_MAX_TENSORS)
            return cl_error_set(err, CL_EINVAL, "forward: more than %d tensors", CL_FORWARD_MAX_TENSORS);
        size_t per = (size_t)shape[1] * shape[2] * shape[3] * shape[4];
        int64_t s4[4] = {shape[1], shape[2], shape[3], shape[4]};
        for (int l = 0; l < shape[0]; l++) {
            snprintf(name, sizeof name, "%s.%d", STACK_NAME[st], l);
            add(r, name, 0, 4, s4, a + l * per);
        }
    }
    return 0;
}

static int run_bolt(const cl_model *m, const cl_context *x, cl_forward_result *r, cl_error *err) {
    const cl_config *c = cl_model_config(m);
    const int B = x->B, L = x->L;
    int rc = cl_bolt_forward(r->state, x->values, B, L, err);
    if (rc) return rc;
    const int T = cl_bolt_num_tokens(c, L), d = c->d_model;
    if (!(r->mask64 = malloc(sizeof *r->mask64 * (size_t)B * T))) return cl_error_set(err, CL_ENOMEM, "forward: out of memory");
    const uint8_t *mk = cl_bolt_mask(r->state);
    for (size_t i = 0; i < (size_t)B * T; i++) r->mask64[i] = mk[i];
    int64_t sb[1] = {B}, sm[2] = {B, T}, se[3] = {B, T, d}, sd[3] = {B, 1, d}, sq[3] = {B, c->n_quantiles, c->prediction_length};
    add(r, "loc", 0, 1, sb, cl_bolt_loc(r->state));
    add(r, "scale", 0, 1, sb, cl_bolt_scale(r->state));
    add(r, "attention_mask", 1, 2, sm, r->mask64);
    add(r, "input_embeds", 0, 3, se, cl_bolt_input_embeds(r->state));
    add(r, "encoder_hidden", 0, 3, se, cl_state_encoder_hidden(r->state, NULL, NULL));
    if ((rc = add_maps(r, err))) return rc;
    add(r, "decoder_hidden", 0, 3, sd, cl_bolt_decoder_hidden(r->state));
    add(r, "quantile_preds", 0, 3, sq, cl_bolt_quantiles(r->state));
    return 0;
}

/* the decoder input: the ids given (checked), or the start token per series; *dec is
 * ours to cl_free unless it is the caller's o->decoder_ids */
static int decoder_input(const cl_config *c, const cl_context *x, const cl_forward_opts *o, int32_t **dec, int *Td,
                         cl_error *err) {
    const int B = x->B;
    const char *src = o->decoder_ids_csv ? o->decoder_ids_csv : "decoder ids", *ctx = x->path ? x->path : "the context";
    int Bd = o->Bd, rc;
    *dec = NULL;
    *Td = o->Td;
    if (o->decoder_ids_csv) {
        if ((rc = csv_read_ids(o->decoder_ids_csv, dec, &Bd, Td, err))) return rc;
    } else if (!o->decoder_ids) {
        *Td = 1;
        if (!(*dec = cl_alloc(sizeof **dec * (size_t)B)))
            return cl_error_set(err, CL_ENOMEM, "%s: out of memory for %d series", ctx, B);
        for (int b = 0; b < B; b++) (*dec)[b] = c->decoder_start_token_id;
        return 0;
    }
    const int32_t *ids = *dec ? *dec : o->decoder_ids;
    if (*Td > CL_FORWARD_MAX_DECODER) /* the (H, Td, Td) maps grow quadratically */
        return cl_error_set(err, CL_EFORMAT, "%s: %d decoder ids per row (at most %d)", src, *Td, CL_FORWARD_MAX_DECODER);
    if (Bd != B) return cl_error_set(err, CL_EFORMAT, "%s: %d rows of decoder ids for %d series in %s", src, Bd, B, ctx);
    for (size_t i = 0; i < (size_t)B * *Td; i++)
        if (ids[i] < 0 || ids[i] >= c->vocab_size)
            return cl_error_set(err, CL_EFORMAT, "%s: token id %d outside the vocabulary [0, %d)", src, ids[i], c->vocab_size);
    return 0;
}

static int run_t5(const cl_model *m, const cl_context *x, const cl_forward_opts *o, cl_forward_result *r, cl_error *err) {
    const cl_config *c = cl_model_config(m);
    const int B = x->B, L = x->L, T = cl_tokenizer_length(c, L);
    int32_t *own_dec = NULL, *ids = NULL;
    uint8_t *mask = NULL;
    int Td, rc = decoder_input(c, x, o, &own_dec, &Td, err);
    if (rc) { cl_free(own_dec); return rc; }
    const int32_t *dec = own_dec ? own_dec : o->decoder_ids;
    ids = malloc(sizeof *ids * (size_t)B * T);
    mask = malloc((size_t)B * T);
    r->scale = malloc(sizeof *r->scale * (size_t)B);
    r->ids64 = malloc(sizeof *r->ids64 * (size_t)B * T);
    r->mask64 = malloc(sizeof *r->mask64 * (size_t)B * T);
    if (!ids || !mask || !r->scale || !r->ids64 || !r->mask64) {
        rc = cl_error_set(err, CL_ENOMEM, "%s: out of memory for %d series", x->path ? x->path : "forward", B);
        goto done;
    }
    if ((rc = cl_tokenizer_encode(c, x->values, B, L, ids, mask, r->scale, err))) goto done;
    cl_state_capture_all(r->state);
    cl_state_set_progress(r->state, &o->progress);
    cl_progress_report(&o->progress, "forward", 0, 1);
    if ((rc = cl_encode(r->state, ids, mask, B, T, err))) goto done;
    if ((rc = cl_decode(r->state, dec, Td, 0, err))) goto done;
    for (size_t i = 0; i < (size_t)B * T; i++) { r->ids64[i] = ids[i]; r->mask64[i] = mask[i]; }
    int64_t sh[2] = {B, T}, sb[1] = {B}, se[3] = {B, T, c->d_model};
    add(r, "token_ids", 1, 2, sh, r->ids64);
    add(r, "attention_mask", 1, 2, sh, r->mask64);
    add(r, "scale", 0, 1, sb, r->scale);
    add(r, "encoder_hidden", 0, 3, se, cl_state_encoder_hidden(r->state, NULL, NULL));
    if ((rc = add_maps(r, err))) goto done;
    int Bl, Tl, V;
    const float *logits = cl_state_logits(r->state, &Bl, &Tl, &V);
    int64_t sl[3] = {Bl, Tl, V};
    add(r, "logits", 0, 3, sl, logits);
done:
    cl_free(own_dec); free(ids); free(mask);
    return rc;
}

int cl_forward_run(const cl_model *m, const cl_context *x, const cl_forward_opts *o, cl_forward_result *r,
                   cl_error *err) {
    memset(r, 0, sizeof *r);
    r->bolt = cl_model_is_bolt(m);
    if (r->bolt && (o->decoder_ids || o->decoder_ids_csv)) /* one query, no decoder ids */
        return cl_error_set(err, CL_EINVAL, "forward: --decoder-ids: a Chronos-Bolt decoder has one fixed query");
    int rc = cl_state_new(m, &r->state, err);
    if (!rc && r->bolt) cl_state_capture_all(r->state);
    if (!rc) rc = r->bolt ? run_bolt(m, x, r, err) : run_t5(m, x, o, r, err);
    if (rc) cl_forward_free(r);
    return rc;
}

const cl_forward_tensor *cl_forward_get(const cl_forward_result *r, const char *name) {
    for (int i = 0; i < r->n; i++)
        if (!strcmp(r->t[i].name, name)) return &r->t[i];
    return NULL;
}

int cl_forward_write(const cl_forward_result *r, const char *out, cl_error *err) {
    st_writer *w = st_writer_new();
    if (!w) return cl_error_set(err, CL_ENOMEM, "%s: out of memory", out);
    for (int i = 0; i < r->n; i++)
        st_writer_add(w, r->t[i].name, r->t[i].i64 ? ST_I64 : ST_F32, r->t[i].ndim, r->t[i].shape, r->t[i].data);
    int rc = st_writer_save(w, out, NULL, err);
    st_writer_free(w);
    return rc;
}
