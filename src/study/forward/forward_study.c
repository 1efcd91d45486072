/* forward_study.c — one forward pass with every tensor the reference writes (cl_forward_run):
 * T5: tokenize the context, encode, decode the decoder ids (or the start token), capture the
 * attention maps (every map, or the stacks, layers and heads selected); Bolt: patches, the
 * encoder, the one query of its decoder. The tensors keep the golden's names and order;
 * cl_forward_write saves them, cl_forward_stream runs a batch (T5 or Bolt) in chunks of series
 * written into one file, so that memory is bounded by a chunk, not by the batch. */
#include "chronolens_study.h"
#include "core/core.h"
#include "io/csv.h"
#include "io/safetensors.h"
#include "model/state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the default chunk of cl_forward_stream: as many series as keep all of a chunk's memory
 * (the state's buffers and the chunk's int64 copy of its tokens) in this */
#define FORWARD_CHUNK_BYTES ((size_t)256 << 20)

static const char *STACK_NAME[CL_NSTACKS] = {"enc_attn", "dec_attn", "cross_attn"};

void cl_forward_default(cl_forward_opts *o) {
    memset(o, 0, sizeof *o);
    for (int st = 0; st < CL_NSTACKS; st++) o->keep[st] = 1;
    o->c2_maps = CL_C2_ALL;
}

void cl_forward_free(cl_forward_result *r) {
    if (!r) return;
    free(r->ids64); free(r->mask64); free(r->scale); free(r->heads64); free(r->group_sel); free(r->sel64);
    cl_state_free(r->state);
    memset(r, 0, sizeof *r);
}

/* a selection of maps (anything but every map of every stack): T5 only */
static int selecting(const cl_forward_opts *o) {
    return !o->keep[0] || !o->keep[1] || !o->keep[2] || o->n_layers || o->n_heads;
}

/* every index in the model (cl_layer_check / cl_head_check: the message Python's capture
 * gives), none twice; st: the stack of a layer list, -1 for heads */
static int check_list(const char *opt, const int *v, int n, const cl_config *c, int st, cl_error *err) {
    for (int i = 0; i < n; i++) {
        if (st >= 0 ? cl_layer_check(c, (cl_stack)st, v[i], opt, err) : cl_head_check(c, v[i], opt, err)) return CL_EINVAL;
        for (int j = 0; j < i; j++)
            if (v[j] == v[i]) return cl_error_set(err, CL_EINVAL, "%s: %d given twice", opt, v[i]);
    }
    return 0;
}

int cl_forward_check(const cl_model *m, const cl_forward_opts *o, cl_error *err) {
    const cl_config *c = cl_model_config(m);
    if (o->n_layers < 0 || o->n_layers > CL_FORWARD_MAX_SEL || o->n_heads < 0 || o->n_heads > CL_FORWARD_MAX_SEL)
        return cl_error_set(err, CL_EINVAL, "forward: at most %d layers and heads", CL_FORWARD_MAX_SEL);
    const int c2 = cl_model_is_chronos2(m);
    if (!c2 && (o->group_ids || o->cross_learning || o->future_covariates || o->output_patches))
        return cl_error_set(err, CL_EINVAL, "forward: --group-ids, --cross-learning, --future-covariates and "
                            "--output-patches are Chronos-2 options");
    if (!c2 && (o->c2_maps != CL_C2_ALL || o->n_rows || o->n_group_tokens))
        return cl_error_set(err, CL_EINVAL, "forward: --maps time,group,hidden, --rows and --group-tokens select a "
                            "Chronos-2 forward's tensors");
    if (c2) {
        if (o->decoder_ids || o->decoder_ids_csv)
            return cl_error_set(err, CL_EINVAL, "forward: --decoder-ids: a Chronos-2 model has no decoder");
        if (!o->keep[0] || !o->keep[1] || !o->keep[2])
            return cl_error_set(err, CL_EINVAL, "forward: --maps enc,dec,cross are T5's stacks; a Chronos-2 model's "
                                "are time, group, hidden");
        if (o->c2_maps & ~CL_C2_ALL) return cl_error_set(err, CL_EINVAL, "forward: maps %#x: not time, group, hidden", o->c2_maps);
        if (o->n_rows < 0 || o->n_rows > CL_FORWARD_MAX_SEL || o->n_group_tokens < 0 || o->n_group_tokens > CL_FORWARD_MAX_SEL)
            return cl_error_set(err, CL_EINVAL, "forward: at most %d rows and group tokens", CL_FORWARD_MAX_SEL);
        if (o->n_rows && !(o->c2_maps & CL_C2_TIME))
            return cl_error_set(err, CL_EINVAL, "forward: --rows selects the time maps' rows, but --maps has no time");
        if (o->n_group_tokens && !(o->c2_maps & CL_C2_GROUP))
            return cl_error_set(err, CL_EINVAL, "forward: --group-tokens selects group maps, but --maps has no group");
        if (o->n_heads && !(o->c2_maps & (CL_C2_TIME | CL_C2_GROUP)))
            return cl_error_set(err, CL_EINVAL, "forward: --heads selects the maps' heads, but --maps has no time or group");
        int rc = check_list("option --layers", o->layers, o->n_layers, c, CL_ENC_SELF, err);
        if (!rc) rc = check_list("option --heads", o->heads, o->n_heads, c, -1, err);
        if (rc) return rc;
        if (o->group_ids && o->cross_learning)
            return cl_error_set(err, CL_EINVAL, "forward: --group-ids and --cross-learning exclude each other");
        if (o->output_patches < 0 || o->output_patches > c->max_output_patches)
            return cl_error_set(err, CL_EINVAL, "forward: --output-patches %d: the model has 1 to %d", o->output_patches,
                                c->max_output_patches);
        return 0;
    }
    if (cl_model_is_bolt(m)) {
        if (o->decoder_ids || o->decoder_ids_csv) /* one query, no decoder ids */
            return cl_error_set(err, CL_EINVAL, "forward: --decoder-ids: a Chronos-Bolt decoder has one fixed query");
        if (selecting(o))
            return cl_error_set(err, CL_EINVAL, "forward: --maps, --layers and --heads select T5 attention maps; a "
                                "Chronos-Bolt forward writes every tensor of its golden");
        return 0;
    }
    for (int st = 0; st < CL_NSTACKS; st++) {
        int rc = o->keep[st] ? check_list("option --layers", o->layers, o->n_layers, c, st, err) : 0;
        if (rc) return rc;
    }
    return check_list("option --heads", o->heads, o->n_heads, c, -1, err);
}

static void add(cl_forward_result *r, const char *name, int i64, int ndim, const int64_t *shape, const void *data) {
    cl_forward_tensor *t = &r->t[r->n++];
    snprintf(t->name, sizeof t->name, "%s", name);
    t->i64 = i64;
    t->ndim = ndim;
    memcpy(t->shape, shape, sizeof(int64_t) * ndim);
    t->data = data;
}

/* the file name of the k-th kept layer of a stack */
static void map_name(char *name, size_t n, int st, const cl_forward_opts *o, int k) {
    snprintf(name, n, "%s.%d", STACK_NAME[st], o && o->n_layers ? o->layers[k] : k);
}

/* the captured maps, one tensor per stack and kept layer: (B, H, rows, keys) */
static int add_maps(cl_forward_result *r, const cl_forward_opts *o, cl_error *err) {
    char name[64];
    for (int st = 0; st < CL_NSTACKS; st++) {
        int shape[5];
        const float *a = cl_state_attn(r->state, (cl_stack)st, shape);
        if (!a) continue;
        if (r->n + shape[0] + 3 > CL_FORWARD_MAX_TENSORS)
            return cl_error_set(err, CL_EINVAL, "forward: more than %d tensors", CL_FORWARD_MAX_TENSORS);
        size_t per = (size_t)shape[1] * shape[2] * shape[3] * shape[4];
        int64_t s4[4] = {shape[1], shape[2], shape[3], shape[4]};
        for (int l = 0; l < shape[0]; l++) {
            map_name(name, sizeof name, st, o, l);
            add(r, name, 0, 4, s4, a + l * per);
        }
    }
    return 0;
}

static int run_bolt(const cl_model *m, const cl_context *x, cl_forward_result *r, cl_error *err) {
    const cl_config *c = cl_model_config(m);
    const int B = x->B, L = x->L;
    cl_state_capture_all(r->state);
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
    if ((rc = add_maps(r, NULL, err))) return rc;
    add(r, "decoder_hidden", 0, 3, sd, cl_bolt_decoder_hidden(r->state));
    add(r, "quantile_preds", 0, 3, sq, cl_bolt_quantiles(r->state));
    return 0;
}

/* token indices t (negative: S + t) into [0, S), none twice; out: the resolved list */
static int c2_tokens(const char *opt, const int *v, int n, int S, int64_t *out, cl_error *err) {
    for (int i = 0; i < n; i++) {
        const int t = v[i] < 0 ? S + v[i] : v[i];
        if (t < 0 || t >= S)
            return cl_error_set(err, CL_EINVAL, "option %s: token %d is outside the pass's %d tokens [-%d, %d)", opt, v[i], S,
                                S, S);
        for (int j = 0; j < i; j++)
            if (out[j] == t) return cl_error_set(err, CL_EINVAL, "option %s: token %d given twice", opt, t);
        out[i] = t;
    }
    return 0;
}

/* Chronos-2: one pass over the whole batch (its series attend to each other), every tensor
 * of the golden (method.md §5 of chronos2_method.md) or what o selects: the time maps of the
 * layers, heads and rows chosen (the state's capture keeps only those), the group maps of
 * the tokens chosen (the engine keeps only those tokens; the layers and heads chosen are
 * copied out of them), the hidden states of the layers chosen. */
static int run_chronos2(const cl_model *m, const cl_context *x, const cl_forward_opts *o, cl_forward_result *r,
                        cl_error *err) {
    const cl_config *c = cl_model_config(m);
    const int B = x->B, N = o->output_patches ? o->output_patches : c->max_output_patches, ps = c->patch_size;
    if (o->group_ids && o->n_group_ids != B)
        return cl_error_set(err, CL_EINVAL, "forward: --group-ids has %d ids for %d series in %s", o->n_group_ids, B,
                            x->path ? x->path : "the context");
    if (o->future_covariates && o->F > N * ps)
        return cl_error_set(err, CL_EINVAL, "forward: --future-covariates has %d steps, more than %d output patches x %d",
                            o->F, N, ps);
    const int S0 = cl_chronos2_num_tokens(c, x->L, N), nr = o->n_rows, ng = o->n_group_tokens;
    const int maps = o->c2_maps, H = c->num_heads, nl = c->num_layers;
    const int NLs = o->n_layers ? o->n_layers : nl, Hs = o->n_heads ? o->n_heads : H;
    if (!(r->sel64 = malloc(sizeof(int64_t) * (size_t)(nr + ng + 1)))) return cl_error_set(err, CL_ENOMEM, "forward: out of memory");
    int64_t *rows64 = r->sel64, *tok64 = r->sel64 + nr;
    int rc = c2_tokens("--rows", o->rows, nr, S0, rows64, err);
    if (!rc) rc = c2_tokens("--group-tokens", o->group_tokens, ng, S0, tok64, err);
    if (rc) return rc;
    int rows[CL_FORWARD_MAX_SEL], toks[CL_FORWARD_MAX_SEL];
    for (int i = 0; i < nr; i++) rows[i] = (int)rows64[i];
    for (int i = 0; i < ng; i++) toks[i] = (int)tok64[i];
    if (o->n_heads && !(r->heads64 = malloc(sizeof(int64_t) * (size_t)o->n_heads)))
        return cl_error_set(err, CL_ENOMEM, "forward: out of memory");
    for (int k = 0; k < o->n_heads; k++) r->heads64[k] = o->heads[k];
    /* the time attention: the state's capture of the selection; the other stacks: nothing */
    cl_capture_spec off = {0}, spec = {.enabled = !!(maps & CL_C2_TIME), .n_layers = o->n_layers,
                                       .layers = o->n_layers ? o->layers : NULL, .n_heads = o->n_heads,
                                       .heads = o->n_heads ? o->heads : NULL, .n_rows = nr, .rows = nr ? rows : NULL};
    for (int st = 0; st < CL_NSTACKS && !rc; st++) rc = cl_state_set_capture(r->state, (cl_stack)st, st == CL_ENC_SELF ? &spec : &off, err);
    if (rc) return rc;
    int *gid = NULL;
    if (o->cross_learning) {
        if (!(gid = calloc((size_t)B, sizeof *gid))) return cl_error_set(err, CL_ENOMEM, "forward: out of memory");
    }
    cl_state_set_progress(r->state, &o->progress);
    cl_chronos2_input in = {.context = x->values, .B = B, .L = x->L, .group_ids = gid ? gid : o->group_ids,
                            .future_covariates = o->future_covariates, .F = o->F, .num_output_patches = N,
                            .capture_group = !!(maps & CL_C2_GROUP), .capture_hidden = !!(maps & CL_C2_HIDDEN),
                            .n_group_tokens = ng, .group_tokens = ng ? toks : NULL};
    cl_chronos2_result q;
    rc = cl_chronos2_forward(r->state, &in, &q, err);
    free(gid);
    if (rc) return rc;
    const int S = q.S, P = q.P, d = c->d_model, Q = q.Q, Tg = q.n_group_tokens;
    const float *ga = q.group_attn;
    if ((maps & CL_C2_GROUP) && (o->n_layers || o->n_heads)) { /* (NLs, Tg, Hs, B, B) out of (nl, Tg, H, B, B) */
        const size_t bb = (size_t)B * B;
        if (!(r->group_sel = malloc(sizeof(float) * (size_t)NLs * Tg * Hs * bb)))
            return cl_error_set(err, CL_ENOMEM, "forward: out of memory for the group maps of %d series", B);
        for (int k = 0; k < NLs; k++)
            for (int t = 0; t < Tg; t++)
                for (int h = 0; h < Hs; h++) {
                    const int l = o->n_layers ? o->layers[k] : k, hh = o->n_heads ? o->heads[h] : h;
                    memcpy(r->group_sel + (((size_t)k * Tg + t) * Hs + h) * bb, ga + (((size_t)l * Tg + t) * H + hh) * bb,
                           sizeof(float) * bb);
                }
        ga = r->group_sel;
    }
    if (!(r->mask64 = malloc(sizeof *r->mask64 * (size_t)B * S))) return cl_error_set(err, CL_ENOMEM, "forward: out of memory");
    for (size_t i = 0; i < (size_t)B * S; i++) r->mask64[i] = q.attention_mask[i];
    if (r->n + 5 * NLs + 13 > CL_FORWARD_MAX_TENSORS)
        return cl_error_set(err, CL_EINVAL, "forward: more than %d tensors", CL_FORWARD_MAX_TENSORS);
    int tshape[5] = {0};
    const float *ta = (maps & CL_C2_TIME) ? cl_state_attn(r->state, CL_ENC_SELF, tshape) : NULL;
    const int Rs = ta ? tshape[3] : 0;
    int64_t sb[1] = {B}, sp[3] = {B, P, 3 * ps}, sf[3] = {B, N, 3 * ps}, sm[2] = {B, S}, se[3] = {B, S, d},
            sq[3] = {B, Q, (int64_t)N * ps}, st[4] = {B, Hs, Rs, S}, sg[4] = {Tg, Hs, B, B};
    add(r, "loc", 0, 1, sb, q.loc);
    add(r, "scale", 0, 1, sb, q.scale);
    add(r, "patches", 0, 3, sp, q.patches);
    add(r, "future_patches", 0, 3, sf, q.future_patches);
    add(r, "attention_mask", 1, 2, sm, r->mask64);
    add(r, "input_embeds", 0, 3, se, q.input_embeds);
    const size_t tper = (size_t)B * Hs * Rs * S, gper = (size_t)Tg * Hs * B * B, hper = (size_t)B * S * d;
    char name[64];
    for (int k = 0; k < NLs; k++) {
        const int l = o->n_layers ? o->layers[k] : k;
        if (ta) { snprintf(name, sizeof name, "time_attn.%d", l); add(r, name, 0, 4, st, ta + k * tper); }
        if (ga) { snprintf(name, sizeof name, "group_attn.%d", l); add(r, name, 0, 4, sg, ga + k * gper); }
        if (maps & CL_C2_HIDDEN) {
            snprintf(name, sizeof name, "hidden_time.%d", l); add(r, name, 0, 3, se, q.hidden_time + l * hper);
            snprintf(name, sizeof name, "hidden_group.%d", l); add(r, name, 0, 3, se, q.hidden_group + l * hper);
            snprintf(name, sizeof name, "hidden.%d", l); add(r, name, 0, 3, se, q.hidden + l * hper);
        }
    }
    int64_t shh[1] = {o->n_heads}, shr[1] = {nr}, sht[1] = {ng};
    if (o->n_heads && (maps & (CL_C2_TIME | CL_C2_GROUP))) add(r, "heads", 1, 1, shh, r->heads64);
    if (nr && ta) add(r, "rows", 1, 1, shr, rows64);
    if (ng && ga) add(r, "group_tokens", 1, 1, sht, tok64);
    add(r, "encoder_hidden", 0, 3, se, q.encoder_hidden);
    add(r, "quantile_preds_normalized", 0, 3, sq, q.quantile_preds_normalized);
    add(r, "quantile_preds", 0, 3, sq, q.quantile_preds);
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

/* T5 inputs of the whole batch: decoder ids, token ids and mask (as int32, and as the file's
 * int64 when wide: cl_forward_stream widens a chunk at a time), scale; and the capture of the
 * selection on r->state */
typedef struct t5_in { int32_t *own_dec, *ids; const int32_t *dec; uint8_t *mask; int T, Td; } t5_in;

static void t5_in_free(t5_in *in) { cl_free(in->own_dec); free(in->ids); free(in->mask); }

static int t5_prepare(const cl_model *m, const cl_context *x, const cl_forward_opts *o, int wide, cl_forward_result *r,
                      t5_in *in, cl_error *err) {
    const cl_config *c = cl_model_config(m);
    const int B = x->B;
    memset(in, 0, sizeof *in);
    in->T = cl_tokenizer_length(c, x->L);
    int rc = decoder_input(c, x, o, &in->own_dec, &in->Td, err);
    if (rc) return rc;
    in->dec = in->own_dec ? in->own_dec : o->decoder_ids;
    const size_t BT = (size_t)B * in->T;
    in->ids = malloc(sizeof *in->ids * BT);
    in->mask = malloc(BT);
    r->scale = malloc(sizeof *r->scale * (size_t)B);
    if (wide) {
        r->ids64 = malloc(sizeof *r->ids64 * BT);
        r->mask64 = malloc(sizeof *r->mask64 * BT);
    }
    if (o->n_heads) r->heads64 = malloc(sizeof *r->heads64 * (size_t)o->n_heads);
    if (!in->ids || !in->mask || !r->scale || (wide && (!r->ids64 || !r->mask64)) || (o->n_heads && !r->heads64))
        return cl_error_set(err, CL_ENOMEM, "%s: out of memory for %d series", x->path ? x->path : "forward", B);
    if ((rc = cl_tokenizer_encode(c, x->values, B, x->L, in->ids, in->mask, r->scale, err))) return rc;
    for (size_t i = 0; wide && i < BT; i++) { r->ids64[i] = in->ids[i]; r->mask64[i] = in->mask[i]; }
    for (int k = 0; k < o->n_heads; k++) r->heads64[k] = o->heads[k];
    for (int st = 0; st < CL_NSTACKS && !rc; st++) {
        cl_capture_spec spec = {.enabled = o->keep[st], .n_layers = o->n_layers, .layers = o->n_layers ? o->layers : NULL,
                                .n_heads = o->n_heads, .heads = o->n_heads ? o->heads : NULL};
        rc = cl_state_set_capture(r->state, (cl_stack)st, &spec, err);
    }
    cl_state_set_progress(r->state, &o->progress);
    return rc;
}

static int run_t5(const cl_model *m, const cl_context *x, const cl_forward_opts *o, cl_forward_result *r, cl_error *err) {
    const cl_config *c = cl_model_config(m);
    const int B = x->B;
    t5_in in;
    int rc = t5_prepare(m, x, o, 1, r, &in, err);
    if (rc) goto done;
    if ((rc = cl_progress_point(&o->progress, "forward", 0, 1, err))) goto done;
    if ((rc = cl_encode(r->state, in.ids, in.mask, B, in.T, err))) goto done;
    if ((rc = cl_decode(r->state, in.dec, in.Td, 0, err))) goto done;
    int64_t sh[2] = {B, in.T}, sb[1] = {B}, se[3] = {B, in.T, c->d_model}, shh[1] = {o->n_heads};
    add(r, "token_ids", 1, 2, sh, r->ids64);
    add(r, "attention_mask", 1, 2, sh, r->mask64);
    add(r, "scale", 0, 1, sb, r->scale);
    add(r, "encoder_hidden", 0, 3, se, cl_state_encoder_hidden(r->state, NULL, NULL));
    if ((rc = add_maps(r, o, err))) goto done;
    if (o->n_heads) add(r, "heads", 1, 1, shh, r->heads64); /* the heads kept, in the maps' order */
    int Bl, Tl, V;
    const float *logits = cl_state_logits(r->state, &Bl, &Tl, &V);
    int64_t sl[3] = {Bl, Tl, V};
    add(r, "logits", 0, 3, sl, logits);
done:
    t5_in_free(&in);
    return rc;
}

int cl_forward_run(const cl_model *m, const cl_context *x, const cl_forward_opts *o, cl_forward_result *r,
                   cl_error *err) {
    memset(r, 0, sizeof *r);
    int rc = cl_forward_check(m, o, err);
    if (!rc) rc = cl_context_check_model(x, m, err);
    if (rc) return rc;
    r->bolt = cl_model_is_bolt(m);
    r->precision = cl_model_precision(m);
    rc = cl_state_new(m, &r->state, err);
    if (!rc) rc = cl_model_is_chronos2(m) ? run_chronos2(m, x, o, r, err)
                  : r->bolt                 ? run_bolt(m, x, r, err)
                                            : run_t5(m, x, o, r, err);
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
    st_writer_meta(w, "precision", cl_precision_name(r->precision)); /* what produced these numbers */
    int rc = st_writer_save(w, out, NULL, err);
    st_writer_free(w);
    return rc;
}

/* ------------------------------------------------------------------ streamed */

/* The default chunk: as many of B series as keep all of a chunk's memory within
 * FORWARD_CHUNK_BYTES: the state's buffers for T and Td positions and its captures
 * (cl_state_footprint: activations, logits, attention scratch, maps), plus extra bytes per
 * series the caller holds for a chunk; at least one series. */
static int default_chunk(const cl_state *s, int B, int T, int Td, size_t extra) {
    size_t per, fixed;
    cl_state_footprint(s, T, Td, &per, &fixed);
    per += extra;
    size_t n = fixed < FORWARD_CHUNK_BYTES ? (FORWARD_CHUNK_BYTES - fixed) / per : 0;
    return n < 1 ? 1 : n > (size_t)B ? B : (int)n;
}

/* a chunk's int32 tokens (or mask) widened to the file's int64 and put at series b0 */
static int put_wide(st_writer *w, const char *name, const int32_t *ids, const uint8_t *mask, int b0, int n, int T, int64_t *buf,
                    cl_error *err) {
    const size_t k = (size_t)n * T, at = (size_t)b0 * T;
    for (size_t i = 0; i < k; i++) buf[i] = ids ? ids[at + i] : mask[at + i];
    return st_writer_put(w, name, sizeof *buf * at, buf, sizeof *buf * k, err);
}

/* T5 in chunks of series: the file's layout is declared first (the same file
 * cl_forward_write writes), then every chunk's tensors are put at their series' offset. */
static int stream_t5(const cl_model *m, const cl_context *x, const cl_forward_opts *o, const char *out, cl_error *err) {
    const cl_config *c = cl_model_config(m);
    const int B = x->B, d = c->d_model, V = c->vocab_size, Hs = o->n_heads ? o->n_heads : c->num_heads;
    cl_forward_result r = {0};
    st_writer *w = NULL;
    int64_t *wide = NULL;
    t5_in in;
    int rc = cl_state_new(m, &r.state, err);
    if (!rc) rc = t5_prepare(m, x, o, 0, &r, &in, err);
    else memset(&in, 0, sizeof in);
    if (rc) goto done;
    const int T = in.T, Td = in.Td;
    /* the maps kept: the file's layout */
    const int nlay[CL_NSTACKS] = {c->num_layers, c->num_decoder_layers, c->num_decoder_layers};
    const int rows[CL_NSTACKS] = {T, Td, Td}, keys[CL_NSTACKS] = {T, Td, T};
    const int nb = o->chunk ? (o->chunk < B ? o->chunk : B) : default_chunk(r.state, B, T, Td, sizeof *wide * (size_t)T);
    if (!(wide = malloc(sizeof *wide * (size_t)nb * T))) {
        rc = cl_error_set(err, CL_ENOMEM, "%s: out of memory for %d series", out, nb);
        goto done;
    }

    if (!(w = st_writer_new())) { rc = cl_error_set(err, CL_ENOMEM, "%s: out of memory", out); goto done; }
    char name[64];
    int64_t sh[2] = {B, T}, sb[1] = {B}, se[3] = {B, T, d}, shh[1] = {o->n_heads}, sl[3] = {B, Td, V};
    st_writer_add(w, "token_ids", ST_I64, 2, sh, NULL);
    st_writer_add(w, "attention_mask", ST_I64, 2, sh, NULL);
    st_writer_add(w, "scale", ST_F32, 1, sb, NULL);
    st_writer_add(w, "encoder_hidden", ST_F32, 3, se, NULL);
    for (int st = 0; st < CL_NSTACKS; st++) {
        if (!o->keep[st]) continue;
        int64_t s4[4] = {B, Hs, rows[st], keys[st]};
        for (int k = 0; k < (o->n_layers ? o->n_layers : nlay[st]); k++) {
            map_name(name, sizeof name, st, o, k);
            st_writer_add(w, name, ST_F32, 4, s4, NULL);
        }
    }
    if (o->n_heads) st_writer_add(w, "heads", ST_I64, 1, shh, NULL);
    st_writer_add(w, "logits", ST_F32, 3, sl, NULL);
    st_writer_meta(w, "precision", cl_precision_name(cl_model_precision(m)));
    if ((rc = st_writer_begin(w, out, NULL, err))) goto done;
    if ((rc = st_writer_put(w, "scale", 0, r.scale, sizeof *r.scale * (size_t)B, err)) ||
        (o->n_heads && (rc = st_writer_put(w, "heads", 0, r.heads64, sizeof *r.heads64 * (size_t)o->n_heads, err))))
        goto done;
    for (int b0 = 0; b0 < B && !rc; b0 += nb) {
        const int n = B - b0 < nb ? B - b0 : nb;
        if ((rc = cl_progress_point(&o->progress, "forward", b0, B, err))) break;
        if ((rc = put_wide(w, "token_ids", in.ids, NULL, b0, n, T, wide, err)) ||
            (rc = put_wide(w, "attention_mask", NULL, in.mask, b0, n, T, wide, err)))
            break;
        if ((rc = cl_encode(r.state, in.ids + (size_t)b0 * T, in.mask + (size_t)b0 * T, n, T, err))) break;
        if ((rc = cl_decode(r.state, in.dec + (size_t)b0 * Td, Td, 0, err))) break;
        rc = st_writer_put(w, "encoder_hidden", sizeof(float) * (size_t)b0 * T * d, cl_state_encoder_hidden(r.state, NULL, NULL),
                           sizeof(float) * (size_t)n * T * d, err);
        for (int st = 0; st < CL_NSTACKS && !rc; st++) {
            if (!o->keep[st]) continue;
            int shape[5];
            const float *a = cl_state_attn(r.state, (cl_stack)st, shape); /* (layers, n, Hs, rows, keys) */
            const size_t per = (size_t)shape[1] * shape[2] * shape[3] * shape[4], one = per / (size_t)n;
            for (int k = 0; k < shape[0] && !rc; k++) {
                map_name(name, sizeof name, st, o, k);
                rc = st_writer_put(w, name, sizeof(float) * (size_t)b0 * one, a + k * per, sizeof(float) * per, err);
            }
        }
        int Bl, Tl, Vl;
        const float *logits = cl_state_logits(r.state, &Bl, &Tl, &Vl); /* (n, Td, V) */
        if (!rc) rc = st_writer_put(w, "logits", sizeof(float) * (size_t)b0 * Td * V, logits, sizeof(float) * (size_t)n * Td * V, err);
    }
    if (!rc) rc = st_writer_finish(w, err);
done:
    st_writer_free(w); /* removes an unfinished temporary */
    free(wide);
    t5_in_free(&in);
    cl_forward_free(&r);
    return rc;
}

/* the file's bytes of a tensor */
static size_t tensor_bytes(const cl_forward_tensor *t) {
    size_t n = t->i64 ? sizeof(int64_t) : sizeof(float);
    for (int k = 0; k < t->ndim; k++) n *= (size_t)t->shape[k];
    return n;
}

/* Chronos-Bolt in chunks of series: every tensor of its forward (run_bolt) has the series
 * first, so the layout is the first chunk's tensors with B series (cl_forward_write's file),
 * declared once that chunk has run, and each chunk's tensors go at their series' offset. */
static int stream_bolt(const cl_model *m, const cl_context *x, const cl_forward_opts *o, const char *out, cl_error *err) {
    const int B = x->B, L = x->L, T = cl_bolt_num_tokens(cl_model_config(m), L);
    cl_forward_result r = {.bolt = 1, .precision = cl_model_precision(m)};
    st_writer *w = NULL;
    int rc = cl_state_new(m, &r.state, err);
    if (rc) return rc;
    cl_state_capture_all(r.state); /* what run_bolt captures: the footprint counts these maps */
    const int nb = o->chunk ? (o->chunk < B ? o->chunk : B) : default_chunk(r.state, B, T, 1, sizeof *r.mask64 * (size_t)T);
    for (int b0 = 0; b0 < B && !rc; b0 += nb) {
        const int n = B - b0 < nb ? B - b0 : nb;
        cl_context part = *x;
        part.values = x->values + (size_t)b0 * L;
        part.B = n;
        if ((rc = cl_progress_point(&o->progress, "forward", b0, B, err))) break;
        free(r.mask64);
        r.mask64 = NULL;
        r.n = 0;
        if ((rc = run_bolt(m, &part, &r, err))) break;
        if (!w) {
            if (!(w = st_writer_new())) { rc = cl_error_set(err, CL_ENOMEM, "%s: out of memory", out); break; }
            for (int i = 0; i < r.n; i++) {
                int64_t shape[4];
                memcpy(shape, r.t[i].shape, sizeof(int64_t) * r.t[i].ndim);
                shape[0] = B;
                st_writer_add(w, r.t[i].name, r.t[i].i64 ? ST_I64 : ST_F32, r.t[i].ndim, shape, NULL);
            }
            st_writer_meta(w, "precision", cl_precision_name(r.precision));
            if ((rc = st_writer_begin(w, out, NULL, err))) break;
        }
        for (int i = 0; i < r.n && !rc; i++) {
            const size_t bytes = tensor_bytes(&r.t[i]);
            rc = st_writer_put(w, r.t[i].name, bytes / (size_t)n * b0, r.t[i].data, bytes, err);
        }
    }
    if (!rc) rc = st_writer_finish(w, err);
    st_writer_free(w); /* removes an unfinished temporary */
    cl_forward_free(&r);
    return rc;
}

int cl_forward_stream(const cl_model *m, const cl_context *x, const cl_forward_opts *o, const char *out, cl_error *err) {
    int rc = cl_forward_check(m, o, err);
    if (!rc) rc = cl_context_check_model(x, m, err); /* before the file is begun */
    if (rc) return rc;
    if (cl_model_is_chronos2(m)) { /* one pass: series of a group attend to each other */
        if (o->chunk && o->chunk < x->B)
            return cl_error_set(err, CL_EINVAL, "forward: --chunk %d: a Chronos-2 forward runs the whole batch in one "
                                "pass (its series attend to each other)", o->chunk);
        cl_forward_result r;
        rc = cl_forward_run(m, x, o, &r, err);
        if (!rc) rc = cl_forward_write(&r, out, err);
        cl_forward_free(&r);
        return rc;
    }
    return cl_model_is_bolt(m) ? stream_bolt(m, x, o, out, err) : stream_t5(m, x, o, out, err);
}
