/* stack.c — the T5 encoder-decoder stacks on a cl_state, shared by the families that are
 * built on them (Chronos-T5: token ids in, logits out; Chronos-Bolt: patch embeddings in,
 * one query, the final state out): the buffers of a pass and what they weigh, the encoder
 * loop, the decoder loop and its cross-attention cache.
 * Pre-norm blocks x + f(rmsnorm(x)); unscaled attention; relative position bias from
 * block 0 of each stack reused by every layer; no bias in cross-attention; tied output
 * head rescaled by d_model^-0.5. Weight products go through cl_linear_w (fp32 sgemm, or bf16
 * with precision bf16), attention products through cl_sgemm. What differs between the
 * families is read from the state's family table (s->fam: lm_head, cross_direct, its own
 * scratch's footprint), never by calling a family. */
#include "model/attention.h"
#include "model/blocks.h"
#include "model/hooks.h"
#include "core/core.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ capture and gates */

static const float *gates_of(const cl_state *s, cl_stack st, int layer) {
    return s->gates[st] ? s->gates[st] + (size_t)layer * s->m->cfg.num_heads : NULL;
}

/* Resolves rows and sizes the buffer for a pass with B batches, Tq queries, Tk keys. */
static int capture_begin(cl_state *s, cl_stack st, int B, int Tq, int Tk, cl_error *err) {
    capture *cp = &s->cap[st];
    cp->valid = 0;
    if (!cp->spec.enabled) return 0;
    int nr = cp->rows ? cp->spec.n_rows : Tq;
    free(cp->row_idx);
    cp->row_idx = malloc(sizeof(int) * (size_t)(nr > 0 ? nr : 1));
    if (!cp->row_idx) return cl_error_set(err, CL_ENOMEM, "capture: out of memory");
    for (int i = 0; i < nr; i++) {
        int r = cp->rows ? cp->rows[i] : i;
        int rr = r < 0 ? Tq + r : r;
        if (rr < 0 || rr >= Tq)
            return cl_error_set(err, CL_EINVAL, "capture: query row %d out of range for %d queries", r, Tq);
        cp->row_idx[i] = rr;
    }
    cp->all_rows = nr == Tq;
    for (int i = 0; i < nr && cp->all_rows; i++) cp->all_rows = cp->row_idx[i] == i;
    size_t n = (size_t)cp->spec.n_layers * B * cp->spec.n_heads * nr * Tk;
    if (n > cp->cap) {
        cl_free(cp->buf);
        cp->buf = cl_alloc(n * sizeof(float));
        cp->cap = cp->buf ? n : 0;
        if (!cp->buf) return cl_error_set(err, CL_ENOMEM, "capture: cannot allocate %zu floats", n);
    }
    int shape[5] = {cp->spec.n_layers, B, cp->spec.n_heads, nr, Tk};
    memcpy(cp->shape, shape, sizeof shape);
    cp->valid = 1;
    return 0;
}



static int grow(float **p, size_t *cap, size_t n, cl_error *err) {
    if (n <= *cap) return 0;
    cl_free(*p);
    *p = cl_alloc(n * sizeof(float));
    *cap = *p ? n : 0;
    if (!*p) return cl_error_set(err, CL_ENOMEM, "state: cannot allocate %zu floats", n);
    return 0;
}

static size_t ff_width(const cl_config *c) { return (size_t)c->d_ff * (c->gated ? 2 : 1); }

/* Floats per encoder row of the encoder's scratch, eq..eff: free once the encoder output is
 * made, so the cross-attention K/V of every decoder layer (ensure_cross) live there instead
 * of in a block of their own. On a small mosaic (2200 rows) that is 36 MB less fresh memory
 * for the kernel to zero at first touch (issue 27: ~10 % of a whole run was
 * clear_page_erms, slow in this VM). Families without per-row K/V (Chronos-Bolt's direct
 * cross-attention, encoder-only Chronos-2) keep the plain scratch. */
static size_t enc_scratch(const cl_state *s) {
    const cl_config *c = &s->m->cfg;
    const size_t HD = (size_t)c->num_heads * c->d_kv, own = 4 * HD + ff_width(c);
    const size_t cross = s->fam->cross_direct ? 0 : 2 * (size_t)c->num_decoder_layers * HD;
    return own > cross ? own : cross;
}

/* One allocation for the encoder activations (and the cross K/V after them), carved into
 * named buffers. */
static int ensure_encoder(cl_state *s, int B, int T, cl_error *err) {
    const cl_config *c = &s->m->cfg;
    size_t rows = (size_t)B * T, d = c->d_model, HD = (size_t)c->num_heads * c->d_kv;
    if (rows > s->enc_rows_cap) {
        size_t per = 3 * d + enc_scratch(s), n;
        if (cl_mul_size(rows, per, &n)) return cl_error_set(err, CL_ENOMEM, "state: batch too large");
        cl_free(s->ex);
        s->ex = cl_alloc(n * sizeof(float));
        if (!s->ex) { s->enc_rows_cap = 0; return cl_error_set(err, CL_ENOMEM, "state: cannot allocate %zu floats for %zu encoder rows", n, rows); }
        s->enc_rows_cap = rows;
        float *p = s->ex + rows * d;
        s->eh = p; p += rows * d;
        s->enc_out = p; p += rows * d;
        s->eq = p; p += rows * HD;
        s->ek = p; p += rows * HD;
        s->ev = p; p += rows * HD;
        s->eo = p; p += rows * HD;
        s->eff = p;
        free(s->enc_ids); free(s->enc_mask);
        s->enc_ids = NULL; s->enc_mask = NULL;
    }
    if (!s->enc_ids) {
        s->enc_ids = malloc(sizeof(int32_t) * s->enc_rows_cap);
        s->enc_mask = malloc(s->enc_rows_cap);
        if (!s->enc_ids || !s->enc_mask) return cl_error_set(err, CL_ENOMEM, "state: out of memory");
    }
    size_t nb = (size_t)c->num_heads * T * T;
    if (grow(&s->enc_bias, &s->enc_bias_cap, nb, err)) return CL_ENOMEM;
    return grow(&s->scores, &s->scores_cap, (size_t)cl_pool_threads() * T * T, err);
}

static int ensure_decoder(cl_state *s, int B, int Td, cl_error *err) {
    const cl_config *c = &s->m->cfg;
    size_t rows = (size_t)B * Td, d = c->d_model, HD = (size_t)c->num_heads * c->d_kv;
    if (rows > s->dec_rows_cap) {
        size_t per = 2 * d + 4 * HD + ff_width(c), n;
        if (cl_mul_size(rows, per, &n)) return cl_error_set(err, CL_ENOMEM, "state: batch too large");
        cl_free(s->dx);
        s->dx = cl_alloc(n * sizeof(float));
        if (!s->dx) { s->dec_rows_cap = 0; return cl_error_set(err, CL_ENOMEM, "state: cannot allocate decoder buffers"); }
        s->dec_rows_cap = rows;
        float *p = s->dx + rows * d;
        s->dh = p; p += rows * d;
        s->dq = p; p += rows * HD;
        s->dk = p; p += rows * HD;
        s->dv = p; p += rows * HD;
        s->dout = p; p += rows * HD;
        s->dff = p;
    }
    size_t Tk = (size_t)(Td > s->T ? Td : s->T);
    if (grow(&s->dec_bias, &s->dec_bias_cap, (size_t)c->num_heads * Td * Td, err)) return CL_ENOMEM;
    if (grow(&s->logits, &s->logits_cap, rows * (size_t)c->vocab_size, err)) return CL_ENOMEM;
    if (s->fam->cross_direct && grow(&s->xdir, &s->xdir_cap, 2 * rows * (size_t)c->num_heads * d, err)) return CL_ENOMEM;
    return grow(&s->scores, &s->scores_cap, (size_t)cl_pool_threads() * Td * Tk, err);
}

/* The bytes of the buffers above (and capture_begin's maps, the family's scratch, the bf16
 * copy of a product's input) for a pass of B series of T encoder positions and Td decoder
 * positions with the captures set on s: *per_series grows with B, *fixed does not. Kept next
 * to the allocations it counts, so that a chunk of series sized by it (forward) bounds all of
 * a pass's memory, not only the part a caller keeps. */
void cl_state_footprint(const cl_state *s, int T, int Td, size_t *per_series, size_t *fixed) {
    const cl_config *c = &s->m->cfg;
    const size_t d = c->d_model, HD = (size_t)c->num_heads * c->d_kv, H = c->num_heads, F = sizeof(float);
    const size_t t = (size_t)T, td = (size_t)Td, tk = td > t ? td : t;
    const int direct = s->fam->cross_direct;
    size_t per = t * ((3 * d + enc_scratch(s)) * F + sizeof(int32_t) + 1);        /* ensure_encoder, ensure_cross */
    per += td * (2 * d + 4 * HD + ff_width(c) + (size_t)c->vocab_size) * F;        /* ensure_decoder */
    if (direct) per += 2 * td * H * d * F;                                         /* its xdir */
    const int tq[CL_NSTACKS] = {T, Td, Td}, tkey[CL_NSTACKS] = {T, Td, T};
    for (int st = 0; st < CL_NSTACKS; st++) {                                      /* capture_begin */
        const capture *cp = &s->cap[st];
        if (!cp->spec.enabled) continue;
        size_t nr = (size_t)(cp->rows ? cp->spec.n_rows : tq[st]);
        per += (size_t)cp->spec.n_layers * cp->spec.n_heads * nr * (size_t)tkey[st] * F;
    }
    if (cl_model_precision(s->m) == CL_BF16) { /* gemm_bf16.c's copy of a product's input */
        size_t in = d > HD ? d : HD;
        in = in > (size_t)c->d_ff ? in : (size_t)c->d_ff;
        per += tk * in * sizeof(uint16_t);
    }
    size_t fix = H * (t * t + td * td) * F + (size_t)cl_pool_threads() * (t * t > td * tk ? t * t : td * tk) * F;
    if (s->fam->footprint) { /* the family's own scratch (Chronos-Bolt: bolt.c's) */
        size_t fper, ffix;
        s->fam->footprint(c, T, &fper, &ffix);
        per += fper;
        fix += ffix;
    }
    *per_series = per;
    *fixed = fix;
}

/* ------------------------------------------------------------------ encoder */

int cl_check_ids(const cl_config *c, const int32_t *ids, size_t n, const char *what, cl_error *err) {
    for (size_t i = 0; i < n; i++)
        if (ids[i] < 0 || ids[i] >= c->vocab_size)
            return cl_error_set(err, CL_EINVAL, "%s: token id %d outside the vocabulary [0, %d)", what,
                                ids[i], c->vocab_size);
    return 0;
}

/* Sizes the encoder buffers for (B, T) and starts the pass's capture: the caller then fills
 * s->ex (B*T, d) with the input embeddings and s->enc_mask (B*T) and calls cl_encoder_run. */
int cl_encoder_prepare(cl_state *s, int B, int T, cl_error *err) {
    if (B <= 0 || T <= 0) return cl_error_set(err, CL_EINVAL, "encode: bad shape (%d, %d)", B, T);
    int rc = ensure_encoder(s, B, T, err);
    if (!rc) rc = capture_begin(s, CL_ENC_SELF, B, T, T, err);
    if (rc) return rc;
    s->B = B;
    s->T = T;
    s->cross_valid = 0;
    s->cap[CL_DEC_SELF].valid = s->cap[CL_CROSS].valid = 0;
    return 0;
}

/* A pass stopped by the progress callback (CL_ECANCELED): the state then holds no encoder
 * output and no maps, so a later cl_decode or a map read cannot see a half-run pass. */
static int pass_cancelled(cl_state *s) {
    s->B = s->T = s->Td = 0;
    s->cross_valid = 0;
    s->logits_rows = 0;
    for (int i = 0; i < CL_NSTACKS; i++) s->cap[i].valid = 0;
    return CL_ECANCELED;
}

/* The encoder's layer loop on the embeddings in s->ex, for Chronos (token embeddings) and
 * Chronos-Bolt (patch embeddings and [REG]) alike. */
int cl_encoder_run(cl_state *s, cl_error *err) {
    const cl_model *m = s->m;
    const cl_config *c = &m->cfg;
    const int B = s->B, T = s->T;
    const size_t rows = (size_t)B * T;
    const int d = c->d_model, HD = c->num_heads * c->d_kv;
    cl_hooks *hk = s->hooks;
    const int H = c->num_heads, dk = c->d_kv;
    cl_position_bias(c, m->enc_rel, T, T, 1, s->enc_bias);
    if (hk) cl_hk_resid(hk, HK_EMBED, s->ex, B, T, d, 0);
    for (int l = 0; l < c->num_layers; l++) {
        const layer_w *L = &m->enc[l];
        if (hk) cl_hk_resid(hk, cl_hk_id(hk, HK_ENC, l, HK_RESID_PRE), s->ex, B, T, d, 0);
        cl_rms_norm(s->ex, L->ln_self, (int)rows, d, c->eps, s->eh);
        cl_wprod qkv[3] = {{L->self.q, L->self_h.q, HD, 0.0f, s->eq}, {L->self.k, L->self_h.k, HD, 0.0f, s->ek},
                           {L->self.v, L->self_h.v, HD, 0.0f, s->ev}};
        cl_linear_w_n(s->eh, (int)rows, d, 3, qkv, &s->flops);
        if (hk) {
            cl_hk_heads(hk, cl_hk_id(hk, HK_ENC, l, HK_Q), s->eq, B, T, H, dk, 0);
            cl_hk_heads(hk, cl_hk_id(hk, HK_ENC, l, HK_K), s->ek, B, T, H, dk, 0);
            cl_hk_heads(hk, cl_hk_id(hk, HK_ENC, l, HK_V), s->ev, B, T, H, dk, 0);
        }
        attn_args a = {.q = s->eq, .ldq = HD, .k = s->ek, .v = s->ev, .ldk = HD, .B = B, .Tq = T, .Tk = T,
                       .H = c->num_heads, .dk = c->d_kv, .bias = s->enc_bias, .kmask = s->enc_mask,
                       .gates = gates_of(s, CL_ENC_SELF, l), .out = s->eo, .ldo = HD, .scores = s->scores,
                       .cap = &s->cap[CL_ENC_SELF], .layer = l, .flops = &s->flops};
        if (hk) { a.hk = hk; a.hk_scores = cl_hk_id(hk, HK_ENC, l, HK_SCORES); a.hk_pattern = cl_hk_id(hk, HK_ENC, l, HK_PATTERN); }
        cl_attention(&a);
        /* z, then the output projection apart when hook_attn_out is registered (s->eh is free);
         * without hooks these are the plain projection */
        cl_hk_heads(hk, cl_hk_id(hk, HK_ENC, l, HK_Z), s->eo, B, T, H, dk, 0);
        cl_out_proj_hk(s->eo, (int)rows, HD, L->self.o, L->self_h.o, d, s->ex, &s->flops, hk,
                       cl_hk_id(hk, HK_ENC, l, HK_ATTN_OUT), B, T, 0, s->eh);
        cl_hk_resid(hk, cl_hk_id(hk, HK_ENC, l, HK_RESID_MID), s->ex, B, T, d, 0);
        cl_rms_norm(s->ex, L->ln_ff, (int)rows, d, c->eps, s->eh);
        if (hk) { /* hook_mlp_out's product apart into s->eo (free after the output projection) */
            cl_feed_forward_hk(m, L, s->eh, (int)rows, s->eff, s->ex, &s->flops, hk, HK_ENC, l, B, T, 0,
                               HD >= d ? s->eo : s->eq); /* else eq..eo: 4 HD >= d */
            cl_hk_resid(hk, cl_hk_id(hk, HK_ENC, l, HK_RESID_POST), s->ex, B, T, d, 0);
            if (hk->rc) { pass_cancelled(s); return cl_hooks_status(hk, err); }
        } else
            cl_feed_forward(m, L, s->eh, (int)rows, s->eff, s->ex, &s->flops);
        if (cl_progress_point(&s->progress, "forward", l + 1, c->num_layers + c->num_decoder_layers, err))
            return pass_cancelled(s);
    }
    cl_rms_norm(s->ex, m->enc_final, (int)rows, d, c->eps, s->enc_out);
    if (hk) cl_hk_resid(hk, HK_ENC_FINAL, s->enc_out, B, T, d, 0);
    return cl_hooks_status(hk, err);
}

int cl_encode_embeds(cl_state *s, const float *x, const uint8_t *mask, int B, int T, cl_error *err) {
    if (!s->m->enc_rel) /* a family with stacks of its own (Chronos-2: forward.c) */
        return cl_error_set(err, CL_EINVAL, "encode: a %s model has no T5 encoder stack", s->fam->name);
    int rc = cl_encoder_prepare(s, B, T, err);
    if (rc) return rc;
    const size_t rows = (size_t)B * T;
    memset(s->enc_ids, 0, sizeof(int32_t) * rows); /* no token ids on this path */
    memcpy(s->enc_mask, mask, rows);
    memcpy(s->ex, x, sizeof(float) * rows * s->m->cfg.d_model);
    rc = cl_encoder_run(s, err);
    return rc ? rc : cl_model_check_files(s->m, err);
}

/* ------------------------------------------------------------------ decoder */

static int ensure_cross(cl_state *s, cl_error *err) {
    if (s->cross_valid) return 0;
    if (s->fam->cross_direct) { s->cross_valid = 1; return 0; } /* cl_cross_attention_direct: no K/V */
    const cl_config *c = &s->m->cfg;
    const size_t rows = (size_t)s->B * s->T, HD = (size_t)c->num_heads * c->d_kv;
    size_t per = rows * HD;
    /* in the encoder's scratch (enc_scratch: sized for them), dead once enc_out is made; the
     * next encoder pass overwrites them, and cl_encoder_prepare has cleared cross_valid */
    s->ck = s->eq;
    s->cv = s->ck + per * c->num_decoder_layers;
    const int NL = c->num_decoder_layers;
    for (int l0 = 0; l0 < NL; l0 += CL_CROSS_KV_GROUP) { /* a progress point per group: deep models take long here */
        cl_cross_kv(s->m, s->enc_out, (int)rows, l0, l0 + CL_CROSS_KV_GROUP < NL ? l0 + CL_CROSS_KV_GROUP : NL, s->ck,
                    s->cv, per, &s->flops);
        if (cl_progress_point(&s->progress, "forward", c->num_layers, c->num_layers + NL, err)) return pass_cancelled(s);
    }
    for (int l = 0; s->hooks && l < NL; l++) { /* computed once per encoder output, hooked then */
        cl_hk_heads(s->hooks, cl_hk_id(s->hooks, HK_DEC, l, HK_XK), s->ck + l * per, s->B, s->T, c->num_heads, c->d_kv, 0);
        cl_hk_heads(s->hooks, cl_hk_id(s->hooks, HK_DEC, l, HK_XV), s->cv + l * per, s->B, s->T, c->num_heads, c->d_kv, 0);
    }
    int hrc = cl_hooks_status(s->hooks, err);
    if (hrc) { pass_cancelled(s); return hrc; }
    s->cross_valid = 1;
    return 0;
}

int cl_decode(cl_state *s, const int32_t *dec_ids, int Td, int last_only, cl_error *err) {
    const cl_model *m = s->m;
    const cl_config *c = &m->cfg;
    const int B = s->B, T = s->T;
    if (B <= 0) return cl_error_set(err, CL_EINVAL, "decode: no encoder output (call cl_encode first)");
    if (Td <= 0) return cl_error_set(err, CL_EINVAL, "decode: empty decoder input");
    int rc = cl_check_ids(c, dec_ids, (size_t)B * Td, "decoder input", err);
    if (!rc) rc = ensure_decoder(s, B, Td, err);
    if (!rc) rc = ensure_cross(s, err);
    if (!rc) rc = capture_begin(s, CL_DEC_SELF, B, Td, Td, err);
    if (!rc) rc = capture_begin(s, CL_CROSS, B, Td, T, err);
    if (rc) return rc;
    s->Td = Td;
    return cl_decoder_run(s, dec_ids, Td, last_only, 0, NULL, NULL, 1, err);
}

/* The decoder's layer loop, shared by cl_decode and the resumed passes of decode_from.c:
 * runs layers from the cross-attention of l0 (or from the embedding when emb_ids), saving
 * the residual entering each cross-attention sublayer when save != NULL, keeping attention
 * maps when capture (a full pass after capture_begin), then the output head. */
int cl_decoder_run(cl_state *s, const int32_t *emb_ids, int Td, int last_only, int l0, const float *resid,
                   float *save, int capture, cl_error *err) {
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
    cl_hooks *hk = s->hooks;
    const int H = c->num_heads, dk = c->d_kv;
#define HKD(kind) cl_hk_id(hk, HK_DEC, l, kind)
    cl_position_bias(c, m->dec_rel, Td, Td, 0, s->dec_bias);
    if (emb_ids) cl_embed(m, emb_ids, rows, s->dx);
    else memcpy(s->dx, resid + (size_t)l0 * rows * d, sizeof(float) * rows * d);
    for (int l = l0; l < NL; l++) {
        const layer_w *L = &m->dec[l];
        if (emb_ids || l > l0) { /* self-attention sublayer (skipped where we resume) */
            if (hk) cl_hk_resid(hk, HKD(HK_RESID_PRE), s->dx, B, Td, d, 0);
            cl_rms_norm(s->dx, L->ln_self, (int)rows, d, c->eps, s->dh);
            cl_wprod qkv[3] = {{L->self.q, L->self_h.q, HD, 0.0f, s->dq}, {L->self.k, L->self_h.k, HD, 0.0f, s->dk},
                               {L->self.v, L->self_h.v, HD, 0.0f, s->dv}};
            cl_linear_w_n(s->dh, (int)rows, d, 3, qkv, &s->flops);
            if (hk) {
                cl_hk_heads(hk, HKD(HK_Q), s->dq, B, Td, H, dk, 0);
                cl_hk_heads(hk, HKD(HK_K), s->dk, B, Td, H, dk, 0);
                cl_hk_heads(hk, HKD(HK_V), s->dv, B, Td, H, dk, 0);
            }
            attn_args a = {.q = s->dq, .ldq = HD, .k = s->dk, .v = s->dv, .ldk = HD, .B = B, .Tq = Td, .Tk = Td,
                           .H = c->num_heads, .dk = c->d_kv, .bias = s->dec_bias, .causal = 1,
                           .gates = gates_of(s, CL_DEC_SELF, l), .out = s->dout, .ldo = HD, .scores = s->scores,
                           .cap = capture ? &s->cap[CL_DEC_SELF] : NULL, .layer = l, .flops = &s->flops};
            if (hk) { a.hk = hk; a.hk_scores = HKD(HK_SCORES); a.hk_pattern = HKD(HK_PATTERN); }
            cl_attention(&a);
            cl_hk_heads(hk, HKD(HK_Z), s->dout, B, Td, H, dk, 0);
            cl_out_proj_hk(s->dout, (int)rows, HD, L->self.o, L->self_h.o, d, s->dx, &s->flops, hk, HKD(HK_ATTN_OUT),
                           B, Td, 0, s->dh);
            cl_hk_resid(hk, HKD(HK_RESID_MID), s->dx, B, Td, d, 0);
        }
        if (save) memcpy(save + (size_t)l * rows * d, s->dx, sizeof(float) * rows * d);

        cl_rms_norm(s->dx, L->ln_cross, (int)rows, d, c->eps, s->dh);
        cl_linear_w(s->dh, (int)rows, d, L->cross.q, L->cross_h.q, HD, 0.0f, s->dq, &s->flops);
        if (hk) cl_hk_heads(hk, HKD(HK_XQ), s->dq, B, Td, H, dk, 0);
        if (s->fam->cross_direct) { /* Chronos-Bolt's one query: no per-row K/V of the encoder output */
            const size_t uc = rows * (size_t)c->num_heads * d;
            cl_cross_attention_direct(s->dq, L->cross.k, L->cross.v, L->cross_h.k, L->cross_h.v, s->enc_out, s->enc_mask, B, Td, T, c->num_heads,
                                      c->d_kv, d, gates_of(s, CL_CROSS, l), capture ? &s->cap[CL_CROSS] : NULL, l,
                                      s->scores, s->xdir, s->xdir + uc, s->dout, &s->flops, hk,
                                      hk ? HKD(HK_XSCORES) : 0, hk ? HKD(HK_XPATTERN) : 0);
        } else {
            attn_args x = {.q = s->dq, .ldq = HD, .k = s->ck + l * per, .v = s->cv + l * per, .ldk = HD, .B = B,
                           .Tq = Td, .Tk = T, .H = c->num_heads, .dk = c->d_kv, .kmask = s->enc_mask,
                           .gates = gates_of(s, CL_CROSS, l), .out = s->dout, .ldo = HD, .scores = s->scores,
                           .cap = capture ? &s->cap[CL_CROSS] : NULL, .layer = l, .flops = &s->flops};
            if (hk) { x.hk = hk; x.hk_scores = HKD(HK_XSCORES); x.hk_pattern = HKD(HK_XPATTERN); }
            cl_attention(&x);
        }
        cl_hk_heads(hk, HKD(HK_XZ), s->dout, B, Td, H, dk, 0);
        cl_out_proj_hk(s->dout, (int)rows, HD, L->cross.o, L->cross_h.o, d, s->dx, &s->flops, hk, HKD(HK_XATTN_OUT),
                       B, Td, 0, s->dh);
        cl_hk_resid(hk, HKD(HK_RESID_MID_CROSS), s->dx, B, Td, d, 0);

        cl_rms_norm(s->dx, L->ln_ff, (int)rows, d, c->eps, s->dh);
        if (hk) { /* hook_mlp_out's product apart into s->dq..s->dout (free now: 4 HD >= d) */
            cl_feed_forward_hk(m, L, s->dh, (int)rows, s->dff, s->dx, &s->flops, hk, HK_DEC, l, B, Td, 0, s->dq);
            cl_hk_resid(hk, HKD(HK_RESID_POST), s->dx, B, Td, d, 0);
            if (hk->rc) { pass_cancelled(s); return cl_hooks_status(hk, err); }
        } else
            cl_feed_forward(m, L, s->dh, (int)rows, s->dff, s->dx, &s->flops);
        if (capture && cl_progress_point(&s->progress, "forward", c->num_layers + l + 1, c->num_layers + NL, err))
            return pass_cancelled(s);
    }
#undef HKD
    if (!s->fam->lm_head) { /* Chronos-Bolt: no LM head; s->dh keeps the final state (B*Td, d) */
        cl_rms_norm(s->dx, m->dec_final, (int)rows, d, c->eps, s->dh);
        if (hk) cl_hk_resid(hk, HK_DEC_FINAL, s->dh, B, Td, d, 0);
        int hrc = cl_hooks_status(hk, err);
        if (hrc) { pass_cancelled(s); return hrc; }
        s->logits_rows = 0;
        if (!capture) s->cap[CL_DEC_SELF].valid = s->cap[CL_CROSS].valid = 0;
        return cl_model_check_files(m, err);
    }
    /* final norm of the rows that need logits, then the output head */
    int lr = last_only ? B : (int)rows;
    for (int b = 0; b < B && last_only; b++)
        cl_rms_norm(s->dx + ((size_t)b * Td + Td - 1) * d, m->dec_final, 1, d, c->eps, s->dh + (size_t)b * d);
    if (!last_only) cl_rms_norm(s->dx, m->dec_final, lr, d, c->eps, s->dh);
    if (hk) cl_hk_resid(hk, HK_DEC_FINAL, s->dh, B, last_only ? 1 : Td, d, last_only ? Td - 1 : 0);
    int hrc = cl_hooks_status(hk, err);
    if (hrc) { pass_cancelled(s); return hrc; }
    if (c->tied) {
        const float sc = (float)pow(d, -0.5);
        for (size_t i = 0; i < (size_t)lr * d; i++) s->dh[i] *= sc;
    }
    cl_linear_w(s->dh, lr, d, m->lm_head, m->lm_head_h, c->vocab_size, 0.0f, s->logits, &s->flops);
    s->logits_rows = last_only ? 1 : Td;
    if (!capture) /* nothing captured by this pass */
        s->cap[CL_DEC_SELF].valid = s->cap[CL_CROSS].valid = 0;
    return cl_model_check_files(m, err); /* a weight file truncated meanwhile: an error */
}

