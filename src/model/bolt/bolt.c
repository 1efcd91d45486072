/* bolt.c — the Chronos-Bolt forward pass (method.md §4): instance norm, patches, the input
 * residual block and [REG] into the T5 encoder (stack.c's layer loop, fed embeddings), the
 * one-query T5 decoder (cl_decode: no LM head for Bolt), the quantile residual block; and
 * the family's table (family.h): its scratch, its scale, its config and weights' files. */
#include "model/bolt/bolt.h"
#include "model/attention.h"
#include "model/blocks.h"
#include "model/hooks.h"
#include "core/core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bolt_scratch {
    int B, T, P, encoded, decoded;
    size_t cap_rows, cap_b, cap_l;
    float *loc, *scale;     /* (B) */
    float *feat;            /* (B*P, 2 * patch_size): [values, mask] of each patch */
    float *hid, *res;       /* (max(B*P, B), d_ff), (max(B*P, B), max(d, Q*H)): block scratch */
    float *blk;             /* (max(B*P, B), max(d, Q*H)): a block's output */
    float *emb;             /* (B*T, d): the encoder's input embeddings */
    uint8_t *mask;          /* (B*T): 1 = attended */
    float *dec;             /* (B, d): the decoder's final state */
    float *quant;           /* (B, Q*H): quantiles in data units */
    float *row;             /* (3 * padded length): one series' normalised values, mask, squares */
};

/* the table's scratch_free: s->family_scratch */
static void scratch_free(void *p) {
    struct bolt_scratch *b = p;
    if (!b) return;
    free(b->loc); free(b->scale); cl_free(b->feat); cl_free(b->hid); cl_free(b->res); cl_free(b->blk);
    cl_free(b->emb); free(b->mask); cl_free(b->dec); cl_free(b->quant); free(b->row);
    free(b);
}

int cl_bolt_num_patches(const cl_config *c, int L) {
    int n = L < c->context_length ? L : c->context_length;
    if (n <= 0 || c->patch_size <= 0) return 0;
    int padded = (n + c->patch_size - 1) / c->patch_size * c->patch_size;
    return (padded - c->patch_size) / c->patch_stride + 1;
}

int cl_bolt_num_tokens(const cl_config *c, int L) { return cl_bolt_num_patches(c, L) + (c->use_reg_token ? 1 : 0); }

/* Sizes the scratch for B series of P patches (T tokens) and padded length Lp. */
static int ensure(cl_state *s, int B, int P, int T, int Lp, cl_error *err) {
    const cl_config *c = &s->m->cfg;
    if (!s->family_scratch && !(s->family_scratch = calloc(1, sizeof(struct bolt_scratch))))
        return cl_error_set(err, CL_ENOMEM, "bolt: out of memory");
    struct bolt_scratch *b = s->family_scratch;
    const size_t d = c->d_model, QH = (size_t)c->n_quantiles * c->prediction_length;
    const size_t rcap = (size_t)B * T, wide = d > QH ? d : QH; /* B*T >= B*P and >= B rows */
    if (rcap > b->cap_rows || (size_t)B > b->cap_b) {
        size_t n1, n2;
        if (cl_mul_size(rcap, wide, &n1) || cl_mul_size(rcap, (size_t)c->d_ff, &n2))
            return cl_error_set(err, CL_ENOMEM, "bolt: batch too large");
        cl_free(b->feat); cl_free(b->hid); cl_free(b->res); cl_free(b->blk); cl_free(b->emb);
        free(b->mask); free(b->loc); free(b->scale); cl_free(b->dec); cl_free(b->quant);
        b->feat = cl_alloc(sizeof(float) * rcap * 2 * c->patch_size);
        b->hid = cl_alloc(sizeof(float) * n2);
        b->res = cl_alloc(sizeof(float) * n1);
        b->blk = cl_alloc(sizeof(float) * n1);
        b->emb = cl_alloc(sizeof(float) * rcap * d);
        b->mask = malloc(rcap);
        b->loc = malloc(sizeof(float) * B);
        b->scale = malloc(sizeof(float) * B);
        b->dec = cl_alloc(sizeof(float) * B * d);
        b->quant = cl_alloc(sizeof(float) * B * QH);
        b->cap_rows = rcap;
        b->cap_b = (size_t)B;
        if (!b->feat || !b->hid || !b->res || !b->blk || !b->emb || !b->mask || !b->loc || !b->scale || !b->dec ||
            !b->quant) {
            b->cap_rows = b->cap_b = 0;
            return cl_error_set(err, CL_ENOMEM, "bolt: cannot allocate buffers for %d series x %d patches", B, P);
        }
    }
    if ((size_t)Lp * 3 > b->cap_l) {
        free(b->row);
        b->row = malloc(sizeof(float) * (size_t)Lp * 3);
        b->cap_l = b->row ? (size_t)Lp * 3 : 0;
        if (!b->row) return cl_error_set(err, CL_ENOMEM, "bolt: out of memory");
    }
    b->B = B; b->P = P; b->T = T;
    return 0;
}

/* ensure's buffers for B series of T tokens, as cl_state_footprint counts them: per series
 * and fixed (one series' padded row, at most the context length); the table's footprint */
static void footprint(const cl_config *c, int T, size_t *per_series, size_t *fixed) {
    const size_t d = c->d_model, QH = (size_t)c->n_quantiles * c->prediction_length, wide = d > QH ? d : QH;
    const size_t t = (size_t)T, F = sizeof(float);
    *per_series = t * ((2 * (size_t)c->patch_size + c->d_ff + 2 * wide + d) * F + 1) + (2 + d + QH) * F;
    const size_t lp = ((size_t)c->context_length + c->patch_size - 1) / c->patch_size * c->patch_size;
    *fixed = 3 * lp * F;
}

/* y (rows, out) = (out_w·relu(hid_w·x + hid_b) + out_b) + (res_w·x + res_b), the order of
 * the reference. hid (rows, hidden), res (rows, out): scratch. */
static void resblock(const resblock_w *r, const float *x, int rows, float *hid, float *res, float *y,
                     double *flops) {
    cl_linear_w(x, rows, r->in, r->hid_w, r->hid_wh, r->hidden, 0.0f, hid, flops);
    for (size_t i = 0; i < (size_t)rows; i++) {
        float *h = hid + i * r->hidden;
        for (int j = 0; j < r->hidden; j++) { float v = h[j] + r->hid_b[j]; h[j] = v > 0 ? v : 0; }
    }
    cl_linear_w(hid, rows, r->hidden, r->out_w, r->out_wh, r->out, 0.0f, y, flops);
    cl_linear_w(x, rows, r->in, r->res_w, r->res_wh, r->out, 0.0f, res, flops);
    for (size_t i = 0; i < (size_t)rows; i++) {
        float *o = y + i * r->out, *q = res + i * r->out;
        for (int j = 0; j < r->out; j++) o[j] = (o[j] + r->out_b[j]) + (q[j] + r->res_b[j]);
    }
}

/* Instance norm of one series x (n values, NaN = missing), as torch: loc = nanmean (NaN ->
 * 0), scale = sqrt(nanmean((x - loc)^2)) (NaN -> 1, 0 -> 1e-5). sq: scratch (n). */
void cl_bolt_instance_norm(const float *x, int n, float *sq, float *loc, float *scale) {
    int cnt = 0;
    for (int i = 0; i < n; i++) cnt += !isnan(x[i]);
    float l = cl_torch_nansum(x, n) / (float)cnt; /* 0/0 = NaN when nothing is observed */
    if (isnan(l)) l = 0;
    for (int i = 0; i < n; i++) { float d = x[i] - l; sq[i] = d * d; }
    float v = cl_torch_nansum(sq, n) / (float)cnt, sc = sqrtf(v);
    if (isnan(sc)) sc = 1;
    if (sc == 0) sc = 1e-5f;
    *loc = l;
    *scale = sc;
}

int cl_bolt_encode(cl_state *s, const float *context, int B, int L, cl_error *err) {
    const cl_model *m = s->m;
    const cl_config *c = &m->cfg;
    if (c->family != CL_FAMILY_BOLT) return cl_error_set(err, CL_EINVAL, "bolt: not a Chronos-Bolt model");
    if (B <= 0 || L <= 0) return cl_error_set(err, CL_EINVAL, "bolt: bad context shape (%d, %d)", B, L);
    const int n = L < c->context_length ? L : c->context_length, off = L - n, ps = c->patch_size;
    const int Lp = (n + ps - 1) / ps * ps, pad = Lp - n, P = cl_bolt_num_patches(c, L);
    const int T = P + (c->use_reg_token ? 1 : 0), d = c->d_model;
    int rc = ensure(s, B, P, T, Lp, err);
    if (!rc) rc = cl_encoder_prepare(s, B, T, err);
    if (rc) return rc;
    struct bolt_scratch *bs = s->family_scratch;
    bs->encoded = bs->decoded = 0;
    float *xn = bs->row, *mk = bs->row + Lp, *sq = bs->row + 2 * (size_t)Lp;
    for (int b = 0; b < B; b++) {
        const float *x = context + (size_t)b * L + off;
        cl_bolt_instance_norm(x, n, sq, &bs->loc[b], &bs->scale[b]);
        /* left padding: NaN values with a NaN mask, both 0 once patched */
        for (int i = 0; i < pad; i++) { xn[i] = 0; mk[i] = 0; }
        for (int i = 0; i < n; i++) {
            int obs = !isnan(x[i]);
            mk[pad + i] = (float)obs;
            xn[pad + i] = obs ? (x[i] - bs->loc[b]) / bs->scale[b] : 0;
        }
        for (int p = 0; p < P; p++) {
            float *f = bs->feat + ((size_t)b * P + p) * 2 * ps;
            const int st = p * c->patch_stride;
            int any = 0;
            for (int j = 0; j < ps; j++) { f[j] = xn[st + j]; f[ps + j] = mk[st + j]; any |= mk[st + j] > 0; }
            bs->mask[(size_t)b * T + p] = (uint8_t)any;
        }
        if (c->use_reg_token) bs->mask[(size_t)b * T + P] = 1;
    }
    resblock(&m->patch_in, bs->feat, B * P, bs->hid, bs->res, bs->blk, &s->flops); /* (B*P, d) */
    cl_hk_resid(s->hooks, CL_HK_FAMILY(0), bs->blk, B, P, d, 0);
    for (int b = 0; b < B; b++) {
        memcpy(bs->emb + (size_t)b * T * d, bs->blk + (size_t)b * P * d, sizeof(float) * (size_t)P * d);
        if (c->use_reg_token) /* [REG] = shared.weight[1] */
            memcpy(bs->emb + ((size_t)b * T + P) * d, m->embed + d, sizeof(float) * d);
    }
    memcpy(s->ex, bs->emb, sizeof(float) * (size_t)B * T * d);
    memcpy(s->enc_mask, bs->mask, (size_t)B * T);
    memset(s->enc_ids, 0, sizeof(int32_t) * (size_t)B * T);
    rc = cl_encoder_run(s, err);
    if (!rc) rc = cl_model_check_files(m, err); /* a weight file truncated meanwhile */
    bs->encoded = !rc;
    return rc;
}

int cl_bolt_decode(cl_state *s, cl_error *err) {
    const cl_model *m = s->m;
    const cl_config *c = &m->cfg;
    struct bolt_scratch *bs = c->family == CL_FAMILY_BOLT ? s->family_scratch : NULL;
    if (!bs || !bs->encoded)
        return cl_error_set(err, CL_EINVAL, "bolt: decode needs cl_bolt_encode first");
    const int B = bs->B, d = c->d_model, QH = c->n_quantiles * c->prediction_length;
    int32_t *start = malloc(sizeof(int32_t) * (size_t)B);
    if (!start) return cl_error_set(err, CL_ENOMEM, "bolt: out of memory");
    for (int b = 0; b < B; b++) start[b] = c->decoder_start_token_id; /* the query: shared.weight[0] */
    int rc = cl_decode(s, start, 1, 0, err);
    free(start);
    if (rc) return rc;
    memcpy(bs->dec, s->dh, sizeof(float) * (size_t)B * d);
    resblock(&m->patch_out, bs->dec, B, bs->hid, bs->res, bs->quant, &s->flops); /* (B, Q*H) normalised */
    if (cl_hk_on(s->hooks, CL_HK_FAMILY(1))) { /* (batch, quantiles, horizon), before the de-normalisation */
        int sh[3] = {B, c->n_quantiles, c->prediction_length};
        cl_hooks_fire(s->hooks, CL_HK_FAMILY(1), bs->quant, 3, sh, 0);
    }
    if ((rc = cl_hooks_status(s->hooks, err))) return rc;
    for (int b = 0; b < B; b++) {
        float *q = bs->quant + (size_t)b * QH;
        for (int j = 0; j < QH; j++) q[j] = q[j] * bs->scale[b] + bs->loc[b];
    }
    if ((rc = cl_model_check_files(m, err))) return rc; /* the output block read a truncated file */
    bs->decoded = 1;
    return 0;
}

int cl_bolt_forward(cl_state *s, const float *context, int B, int L, cl_error *err) {
    int rc = cl_bolt_encode(s, context, B, L, err);
    return rc ? rc : cl_bolt_decode(s, err);
}

/* The scratch of a Bolt state, or NULL (another family's state, or none allocated yet). */
static const struct bolt_scratch *scratch_of(const cl_state *s) {
    return s->m->cfg.family == CL_FAMILY_BOLT ? s->family_scratch : NULL;
}

#define ENC(x) (scratch_of(s) && scratch_of(s)->encoded ? scratch_of(s)->x : NULL)
#define DEC(x) (scratch_of(s) && scratch_of(s)->decoded ? scratch_of(s)->x : NULL)
const float *cl_bolt_loc(const cl_state *s) { return ENC(loc); }
const float *cl_bolt_scale(const cl_state *s) { return ENC(scale); }
const uint8_t *cl_bolt_mask(const cl_state *s) { return ENC(mask); }
const float *cl_bolt_input_embeds(const cl_state *s) { return ENC(emb); }
const float *cl_bolt_decoder_hidden(const cl_state *s) { return DEC(dec); }
const float *cl_bolt_quantiles(const cl_state *s) { return DEC(quant); }

/* ------------------------------------------------------------------ the family's table */

/* The instance norm's loc and scale must stay finite: the scale, or NaN. */
static float context_scale(const cl_config *c, const float *x, int n, float *scratch) {
    (void)c;
    float loc, scale;
    cl_bolt_instance_norm(x, n, scratch, &loc, &scale);
    return isfinite(loc) && isfinite(scale) ? scale : NAN;
}

static void scale_rule(const cl_config *c, int n, char *buf, size_t len) {
    (void)c;
    snprintf(buf, len, "the mean or standard deviation of the last %d values", n);
}

static const char *const HOOK_NAMES[] = {"input_patch_embedding.hook_out", "output_patch_embedding.hook_out", NULL};

const cl_family cl_family_bolt = {
    .id = CL_FAMILY_BOLT,
    .name = "Chronos-Bolt",
    .reads = "patches",
    .lm_head = 0,
    .cross_direct = 1,
    .min_vocab = 1, /* [PAD/start], or [PAD/start, REG] */
    .detect = cl_bolt_config_detect,
    .parse = cl_bolt_config_parse,
    .config_save = cl_bolt_config_save,
    .sizes = "bolt-tiny, bolt-mini, bolt-small, bolt-base",
    .preset = cl_bolt_config_preset,
    .init_tensors = cl_bolt_init_tensors,
    .init_values = cl_bolt_init_values,
    .bind = cl_bolt_bind,
    .footprint = footprint,
    .scratch_free = scratch_free,
    .hook_names = HOOK_NAMES,
    .context_scale = context_scale,
    .scale_rule = scale_rule,
};
