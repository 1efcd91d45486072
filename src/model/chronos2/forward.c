/* forward.c — the Chronos-2 forward pass (method.md §2, Chronos2Model.forward): instance norm
 * and asinh, NaN-padded patches [time | values | mask], the input residual block, [REG], the
 * future tokens (known covariates), then per layer a RoPE time self-attention, a group
 * self-attention across the rows of a group at every token position and a feed-forward; the
 * final norm and the quantile head at the future tokens, sinh and de-normalisation. And the
 * family's table (family.h).
 *
 * The shared pieces: the state's encoder buffers and its CL_ENC_SELF capture (stack.c's
 * cl_encoder_prepare: the time attention's maps by the caller's specification), the attention
 * core (attention.c: unscaled, masked keys at float32 min so a fully masked row is uniform, as
 * upstream), RMS norm, feed-forward and weight products (blocks.c). Its own: RoPE, the group
 * attention run group by group (a group's rows at one token position as the attention's
 * "batch": O(S * group size^2), nothing of (S, H, B, B) unless captured), the residual blocks
 * with the config's activation, the time features and the head. */
#include "model/chronos2/chronos2.h"
#include "model/attention.h"
#include "model/blocks.h"
#include "model/hooks.h"
#include "model/state.h"
#include "core/core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct c2_scratch {
    int done;                      /* a pass's outputs are valid */
    int head_only;                 /* the pass's last layer at the future tokens only */
    int B, P, S, N;
    float *loc, *scale;            /* (B) */
    float *feat;                   /* (B*P, 3ps) */
    float *ffeat;                  /* (B*N, 3ps) */
    float *hid, *res, *blk;        /* residual-block scratch: (rows, d_ff), (rows, wide), (rows, wide) */
    float *emb;                    /* (B*S, d) */
    uint8_t *mask;                 /* (B*S) */
    /* the group attention runs group by group: rows laid out as G blocks of (S, ng, ·), group
     * g's block at row S*gstart[g], its member j (row order[gstart[g] + j]) at t*ng + j */
    int G, maxng;
    int empty;                     /* some group has no real key at some token (group_keys) */
    int *order, *gstart, *gof, *gpos; /* (B), (G+1), (B): a row's group, its place in it */
    uint8_t *gmask;                /* (S*B) in that layout: 1 = a real token */
    uint8_t *ones;                 /* (B*N) all 1: the future tokens' group keys (head_only) */
    float *gscores;                /* (threads, maxng, maxng) */
    float *vmean;                  /* (H*dk): the values' mean over every row at one token */
    capture gtc;                   /* one group's maps (1, S, H, ng, ng), when captured */
    float *cosv, *sinv;            /* (S, dk/2): RoPE at positions 0..S-1 */
    float *head_in;                /* (B*N, d) */
    float *qn, *qp;                /* (B, Q, N*ps): normalised, in data units */
    float *row;                    /* (3 * padded length): one series' values, mask, squares */
    float *hidden[3];              /* (layers, B, S, d) each, when captured */
    capture gcap;                  /* the group maps (layers, nt, H, B, B), when captured */
    int nt, *gtok, *gsel;          /* captured tokens: nt positions, gsel (S): token -> index or -1 */
    float *hkbuf;                  /* (B*S, max(H*dk, d)) with a hook set: the group attention's
                                    * activations in (batch, pos, ...) order, sublayer outputs apart */
};

static void scratch_clear(struct c2_scratch *x) {
    free(x->loc); free(x->scale); cl_free(x->feat); cl_free(x->ffeat); cl_free(x->hid); cl_free(x->res);
    cl_free(x->blk); cl_free(x->emb); free(x->mask); free(x->gmask); free(x->ones); cl_free(x->gscores); free(x->vmean);
    free(x->order); free(x->gstart); free(x->gof); free(x->gpos);
    free(x->gtc.layer_sel); free(x->gtc.head_sel); free(x->gtc.row_idx); cl_free(x->gtc.buf);
    free(x->cosv); free(x->sinv); cl_free(x->head_in); cl_free(x->qn); cl_free(x->qp); free(x->row);
    for (int i = 0; i < 3; i++) cl_free(x->hidden[i]);
    free(x->gcap.layer_sel); free(x->gcap.head_sel); free(x->gcap.row_idx); cl_free(x->gcap.buf);
    free(x->gtok); free(x->gsel); cl_free(x->hkbuf);
    memset(x, 0, sizeof *x);
}

/* the table's scratch_free: s->family_scratch */
static void scratch_free(void *p) {
    if (!p) return;
    scratch_clear(p);
    free(p);
}

static int num_patches(const cl_config *c, int L) {
    int n = L < c->context_length ? L : c->context_length;
    if (n <= 0 || c->patch_size <= 0) return 0;
    int padded = (n + c->patch_size - 1) / c->patch_size * c->patch_size;
    return (padded - c->patch_size) / c->patch_stride + 1;
}

int cl_chronos2_num_tokens(const cl_config *c, int L, int N) { return num_patches(c, L) + 1 + N; }

int cl_model_is_chronos2(const cl_model *m) { return m && m->cfg.family == CL_FAMILY_CHRONOS2; }

/* Instance norm of one series x (n values, NaN = missing), as torch does it: loc = nanmean
 * (NaN -> 0), scale = sqrt(nanmean((x - loc)^2)) (NaN -> 1, exactly 0 -> 1e-5). sq: n floats. */
static void instance_norm(const float *x, int n, float *sq, float *loc, float *scale) {
    int cnt = 0;
    for (int i = 0; i < n; i++) cnt += !isnan(x[i]);
    float l = cl_torch_nansum(x, n) / (float)cnt; /* 0/0 = NaN when nothing is observed */
    if (isnan(l)) l = 0;
    for (int i = 0; i < n; i++) { float d = x[i] - l; sq[i] = d * d; }
    float sc = sqrtf(cl_torch_nansum(sq, n) / (float)cnt);
    if (isnan(sc)) sc = 1;
    if (sc == 0) sc = 1e-5f;
    *loc = l;
    *scale = sc;
}

static inline float act(int a, float v) {
    if (a == 0) return v > 0 ? v : 0.0f;
    if (a == 1) return 0.5f * v * (1.0f + tanhf(0.7978845608028654f * (v + 0.044715f * v * v * v)));
    return 0.5f * v * (1.0f + erff(v * 0.70710678f));
}

/* y (rows, out) = (out_w · act(hid_w · x + hid_b) + out_b) + (res_w · x + res_b), upstream's
 * ResidualBlock at inference. x (rows, in); hid (rows, hidden), res (rows, out): scratch. */
static void resblock(const resblock_w *r, int a, const float *x, int rows, float *hid, float *res, float *y,
                     double *flops) {
    cl_linear_w(x, rows, r->in, r->hid_w, r->hid_wh, r->hidden, 0.0f, hid, flops);
    for (size_t i = 0; i < (size_t)rows; i++) {
        float *h = hid + i * r->hidden;
        for (int j = 0; j < r->hidden; j++) h[j] = act(a, h[j] + r->hid_b[j]);
    }
    cl_linear_w(hid, rows, r->hidden, r->out_w, r->out_wh, r->out, 0.0f, y, flops);
    cl_linear_w(x, rows, r->in, r->res_w, r->res_wh, r->out, 0.0f, res, flops);
    for (size_t i = 0; i < (size_t)rows; i++) {
        float *o = y + i * r->out, *q = res + i * r->out;
        for (int j = 0; j < r->out; j++) o[j] = (o[j] + r->out_b[j]) + (q[j] + r->res_b[j]);
    }
}

/* RoPE in place on x (B*S rows of stride ld; H heads of dk features), token t of a row at
 * position t0 + t (rope: t0 = 0): rotate-half form, u1' = u1 cos - u2 sin, u2' = u2 cos + u1 sin over the halves
 * (u1, u2) of each head; cosv, sinv (S, dk/2). */
static void rope_from(float *x, int B, int S, int t0, int ld, int H, int dk, const float *cosv, const float *sinv) {
    const int half = dk / 2;
    for (int b = 0; b < B; b++)
        for (int t = 0; t < S; t++) {
            float *r = x + ((size_t)b * S + t) * ld;
            const float *cs = cosv + (size_t)(t0 + t) * half, *sn = sinv + (size_t)(t0 + t) * half;
            for (int h = 0; h < H; h++) {
                float *u = r + h * dk;
                for (int i = 0; i < half; i++) {
                    const float u1 = u[i], u2 = u[i + half];
                    u[i] = u1 * cs[i] - u2 * sn[i];
                    u[i + half] = u2 * cs[i] + u1 * sn[i];
                }
            }
        }
}

static void rope(float *x, int B, int S, int ld, int H, int dk, const float *cosv, const float *sinv) {
    rope_from(x, B, S, 0, ld, H, dk, cosv, sinv);
}

/* the group layout (struct c2_scratch) of src (B, S, d) into dst; back: dst (B, S, d) from
 * src in the group layout */
static void to_groups(const struct c2_scratch *x, const float *src, float *dst, int d, int back) {
    const int S = x->S;
    for (int g = 0; g < x->G; g++) {
        const int gs = x->gstart[g], ng = x->gstart[g + 1] - gs;
        for (int t = 0; t < S; t++)
            for (int j = 0; j < ng; j++) {
                const size_t gi = (size_t)S * gs + (size_t)t * ng + j, xi = (size_t)x->order[gs + j] * S + t;
                if (back) memcpy(dst + xi * d, src + gi * d, sizeof(float) * d);
                else memcpy(dst + gi * d, src + xi * d, sizeof(float) * d);
            }
    }
}

/* rows by group id, then by index (a stable order) */
typedef struct { int g, b; } grow;
static int cmp_grow(const void *a, const void *b) {
    const grow *p = a, *q = b;
    return p->g != q->g ? (p->g < q->g ? -1 : 1) : (p->b > q->b) - (p->b < q->b);
}

#define NEW(p, n) (((p) = cl_alloc(sizeof *(p) * (size_t)(n))) == NULL)

/* Every buffer of a pass of B rows, P patches, N future tokens (S tokens) over a padded row of
 * Lp values; freed and made again per pass (a pass's own sizes). */
static int alloc_pass(cl_state *s, struct c2_scratch *x, int B, int P, int N, int Lp, const cl_chronos2_input *in,
                      cl_error *err) {
    const cl_config *c = &s->m->cfg;
    const int S = P + 1 + N, d = c->d_model, H = c->num_heads, dk = c->d_kv, ps = c->patch_size;
    const int QP = c->n_quantiles * ps, wide = d > QP ? d : QP, L = c->num_layers, HD_ = H * dk;
    const size_t rows = (size_t)B * (P > N ? P : N);
    scratch_clear(x);
    int bad = NEW(x->feat, (size_t)B * P * 3 * ps) | NEW(x->ffeat, (size_t)B * N * 3 * ps) |
              NEW(x->hid, rows * c->d_ff) | NEW(x->res, rows * wide) | NEW(x->blk, rows * wide) |
              NEW(x->emb, (size_t)B * S * d) | NEW(x->head_in, (size_t)B * N * d) |
              NEW(x->qn, (size_t)B * N * QP) | NEW(x->qp, (size_t)B * N * QP);
    x->loc = malloc(sizeof(float) * B);
    x->scale = malloc(sizeof(float) * B);
    x->mask = malloc((size_t)B * S);
    x->gmask = malloc((size_t)B * S);
    x->order = malloc(sizeof(int) * B);
    x->gstart = malloc(sizeof(int) * (B + 1));
    x->gof = malloc(sizeof(int) * B);
    x->gpos = malloc(sizeof(int) * B);
    x->vmean = malloc(sizeof(float) * (size_t)H * dk);
    x->cosv = malloc(sizeof(float) * (size_t)S * (dk / 2 ? dk / 2 : 1));
    x->sinv = malloc(sizeof(float) * (size_t)S * (dk / 2 ? dk / 2 : 1));
    x->row = malloc(sizeof(float) * 3 * (size_t)Lp);
    bad |= !x->loc || !x->scale || !x->mask || !x->gmask || !x->cosv || !x->sinv || !x->row || !x->order ||
           !x->gstart || !x->gof || !x->gpos || !x->vmean;
    /* the groups: their rows, and the largest one for the attention's scratch */
    grow *gr = bad ? NULL : malloc(sizeof *gr * B);
    bad |= !gr;
    if (!bad) {
        for (int b = 0; b < B; b++) gr[b] = (grow){in->group_ids ? in->group_ids[b] : b, b};
        qsort(gr, (size_t)B, sizeof *gr, cmp_grow);
        x->G = x->maxng = 0;
        for (int i = 0; i < B; i++) {
            if (!i || gr[i].g != gr[i - 1].g) x->gstart[x->G++] = i;
            x->order[i] = gr[i].b;
            x->gof[gr[i].b] = x->G - 1;
            x->gpos[gr[i].b] = i - x->gstart[x->G - 1];
        }
        x->gstart[x->G] = B;
        for (int g = 0; g < x->G; g++)
            if (x->gstart[g + 1] - x->gstart[g] > x->maxng) x->maxng = x->gstart[g + 1] - x->gstart[g];
        bad |= NEW(x->gscores, (size_t)cl_pool_threads() * x->maxng * x->maxng);
    }
    free(gr);
    if (s->hooks && s->hooks->n) bad |= NEW(x->hkbuf, (size_t)B * S * (HD_ > d ? HD_ : d));
    if (in->capture_hidden)
        for (int i = 0; i < 3; i++) bad |= NEW(x->hidden[i], (size_t)L * B * S * d);
    if (in->head_only) {
        bad |= !(x->ones = malloc((size_t)B * N));
        if (x->ones) memset(x->ones, 1, (size_t)B * N);
    }
    if (in->capture_group) { /* the tokens whose maps are kept: the input's list, or all */
        const int nt = in->n_group_tokens > 0 ? in->n_group_tokens : S;
        x->gtok = malloc(sizeof(int) * nt);
        x->gsel = malloc(sizeof(int) * S);
        bad |= !x->gtok || !x->gsel;
        if (!bad) {
            x->nt = nt;
            for (int t = 0; t < S; t++) x->gsel[t] = in->n_group_tokens > 0 ? -1 : t;
            for (int i = 0; i < nt; i++) {
                x->gtok[i] = in->n_group_tokens > 0 ? (in->group_tokens[i] < 0 ? S + in->group_tokens[i] : in->group_tokens[i]) : i;
                x->gsel[x->gtok[i]] = i; /* checked by cl_chronos2_forward */
            }
        }
    }
    if (in->capture_group && !bad) {
        const int nt = x->nt;
        capture *g = &x->gcap;
        g->layer_sel = malloc(sizeof(int) * L);
        g->head_sel = malloc(sizeof(int) * H);
        g->row_idx = malloc(sizeof(int) * B);
        capture *t = &x->gtc;
        t->layer_sel = calloc(1, sizeof(int));
        t->head_sel = malloc(sizeof(int) * H);
        t->row_idx = malloc(sizeof(int) * (x->maxng ? x->maxng : 1));
        bad |= !g->layer_sel || !g->head_sel || !g->row_idx || NEW(g->buf, (size_t)L * nt * H * B * B) ||
               !t->layer_sel || !t->head_sel || !t->row_idx || NEW(t->buf, (size_t)S * H * x->maxng * x->maxng);
        if (!bad) {
            for (int h = 0; h < H; h++) t->head_sel[h] = h;
            for (int j = 0; j < x->maxng; j++) t->row_idx[j] = j;
            t->all_rows = 1;
            t->valid = 1;
            for (int l = 0; l < L; l++) g->layer_sel[l] = l;
            for (int h = 0; h < H; h++) g->head_sel[h] = h;
            for (int b = 0; b < B; b++) g->row_idx[b] = b;
            g->all_rows = 1;
            g->shape[0] = L; g->shape[1] = nt; g->shape[2] = H; g->shape[3] = B; g->shape[4] = B;
            g->valid = 1;
        }
    }
    if (bad) {
        scratch_clear(x);
        return cl_error_set(err, CL_ENOMEM, "chronos2: cannot allocate a pass of %d series x %d tokens", B, S);
    }
    x->B = B; x->P = P; x->S = S; x->N = N;
    return 0;
}

/* The inputs of the encoder (method.md §2 steps 1-8): x->emb (B*S, d), x->mask (B*S), loc,
 * scale, the patch features; off: the first of the last n context values of each row. */
static void embed_inputs(cl_state *s, struct c2_scratch *x, const cl_chronos2_input *in, int n, int Lp) {
    const cl_model *m = s->m;
    const cl_config *c = &m->cfg;
    const int B = x->B, P = x->P, S = x->S, N = x->N, ps = c->patch_size, d = c->d_model, L = in->L;
    const int off = L - n, pad = Lp - n;
    const float te = c->time_encoding_scale;
    float *z = x->row, *mk = x->row + Lp, *sq = x->row + 2 * (size_t)Lp;
    for (int b = 0; b < B; b++) {
        const float *xr = in->context + (size_t)b * L + off;
        instance_norm(xr, n, sq, &x->loc[b], &x->scale[b]);
        for (int i = 0; i < pad; i++) { z[i] = 0; mk[i] = 0; } /* left padding: NaN, masked */
        for (int i = 0; i < n; i++) {
            const int obs = !isnan(xr[i]);
            float v = (xr[i] - x->loc[b]) / x->scale[b];
            if (c->use_arcsinh) v = asinhf(v);
            mk[pad + i] = (float)obs;
            z[pad + i] = obs ? v : 0.0f;
        }
        for (int p = 0; p < P; p++) {
            float *f = x->feat + ((size_t)b * P + p) * 3 * ps;
            const int st = p * c->patch_stride;
            int any = 0;
            for (int k = 0; k < ps; k++) {
                f[k] = (float)(-(P - p) * ps + k) / te; /* upstream's (-P*ps .. -1) / scale as (P, ps) */
                f[ps + k] = z[st + k];
                f[2 * ps + k] = mk[st + k];
                any |= mk[st + k] > 0;
            }
            x->mask[(size_t)b * S + p] = (uint8_t)any;
        }
        for (int t = P; t < S; t++) x->mask[(size_t)b * S + t] = 1; /* [REG] and the future tokens */
        /* future tokens: time (0 .. N*ps-1) / scale; known covariates normalised as the context */
        for (int j = 0; j < N; j++) {
            float *f = x->ffeat + ((size_t)b * N + j) * 3 * ps;
            for (int k = 0; k < ps; k++) {
                const int step = j * ps + k;
                float v = 0, mm = 0;
                if (in->future_covariates && step < in->F) {
                    float u = (in->future_covariates[(size_t)b * in->F + step] - x->loc[b]) / x->scale[b];
                    if (c->use_arcsinh) u = asinhf(u);
                    if (!isnan(u)) { v = u; mm = 1; }
                }
                f[k] = (float)step / te;
                f[ps + k] = v;
                f[2 * ps + k] = mm;
            }
        }
    }
    resblock(&m->patch_in, c->act_gelu, x->feat, B * P, x->hid, x->res, x->blk, &s->flops); /* (B*P, d) */
    cl_hk_resid(s->hooks, CL_HK_FAMILY(0), x->blk, B, P, d, 0); /* input_patch_embedding.hook_out */
    for (int b = 0; b < B; b++) {
        memcpy(x->emb + (size_t)b * S * d, x->blk + (size_t)b * P * d, sizeof(float) * (size_t)P * d);
        memcpy(x->emb + ((size_t)b * S + P) * d, m->embed + d, sizeof(float) * d); /* [REG] = shared.weight[1] */
    }
    resblock(&m->patch_in, c->act_gelu, x->ffeat, B * N, x->hid, x->res, x->blk, &s->flops); /* (B*N, d) */
    for (int b = 0; b < B; b++)
        memcpy(x->emb + ((size_t)b * S + P + 1) * d, x->blk + (size_t)b * N * d, sizeof(float) * (size_t)N * d);
}

/* RoPE tables for positions 0..S-1 in float32 as upstream: inv_freq_i = 1 / theta^(2i/dk),
 * angle = pos * inv_freq_i. */
static void rope_tables(const cl_config *c, int S, float *cosv, float *sinv) {
    const int half = c->d_kv / 2;
    for (int i = 0; i < half; i++) {
        const float inv = 1.0f / powf(c->rope_theta, (float)(2 * i) / (float)c->d_kv);
        for (int t = 0; t < S; t++) {
            const float a = (float)t * inv;
            cosv[(size_t)t * half + i] = cosf(a);
            sinv[(size_t)t * half + i] = sinf(a);
        }
    }
}

/* The group attention's key mask in the group layout: key row k is visible to the rows of
 * its group at token t iff token t of row k is real (rows of other groups never are: each
 * group runs on its own block). */
static void group_keys(struct c2_scratch *x) {
    const int S = x->S;
    x->empty = 0;
    for (int g = 0; g < x->G; g++) {
        const int gs = x->gstart[g], ng = x->gstart[g + 1] - gs;
        for (int t = 0; t < S; t++) {
            int any = 0;
            for (int j = 0; j < ng; j++)
                any |= x->gmask[(size_t)S * gs + (size_t)t * ng + j] = x->mask[(size_t)x->order[gs + j] * S + t];
            x->empty |= !any;
        }
    }
}

/* The group attention of layer l on q, k, v (B*S, H*dk) in the group layout into out: each
 * group's block through the attention core (its rows the "batch" axis: token t is batch t),
 * its maps scattered into the (S, H, B, B) capture. Upstream's one exception: a token padded
 * in every row of a group gives those queries scores all float32 min, a uniform softmax over
 * ALL B rows (other groups too, method.md pitfall 3): their output is the mean of every row's
 * values there, their map 1/B across the row. */
static void group_attention(cl_state *s, struct c2_scratch *x, int l, const float *q, const float *k, const float *v,
                            float *out, cl_hooks *hk) {
    const cl_config *c = &s->m->cfg;
    const int B = x->B, S = x->S, H = c->num_heads, dk = c->d_kv, HD = H * dk;
    const int nt = x->nt;
    float *gbuf = x->gcap.valid ? x->gcap.buf + (size_t)l * nt * H * B * B : NULL;
    if (gbuf) memset(gbuf, 0, sizeof(float) * (size_t)nt * H * B * B);
    for (int g = 0; g < x->G; g++) {
        const int gs = x->gstart[g], ng = x->gstart[g + 1] - gs;
        const size_t off = (size_t)S * gs;
        capture *cp = NULL;
        if (gbuf) {
            cp = &x->gtc;
            const int shape[5] = {1, S, H, ng, ng};
            memcpy(cp->shape, shape, sizeof shape);
        }
        attn_args a = {.q = q + off * HD, .ldq = HD, .k = k + off * HD, .v = v + off * HD, .ldk = HD, .B = S, .Tq = ng,
                       .Tk = ng, .H = H, .dk = dk, .kmask = x->gmask + off, .out = out + off * HD, .ldo = HD,
                       .scores = x->gscores, .cap = cp, .layer = 0, .flops = &s->flops};
        if (hk) { a.hk = hk; a.hk_scores = cl_hk_id(hk, HK_ENC, l, HK_XSCORES); a.hk_pattern = cl_hk_id(hk, HK_ENC, l, HK_XPATTERN); }
        cl_attention(&a);
        for (size_t ti = 0; gbuf && ti < (size_t)nt; ti++) /* (S, H, ng, ng) -> (nt, H, B, B) */
            for (int h = 0; h < H; h++)
                for (int i = 0; i < ng; i++) {
                    const size_t t = (size_t)x->gtok[ti];
                    const float *src = cp->buf + (((t * H + h) * ng + i) * ng);
                    float *dst = gbuf + ((ti * H + h) * B + x->order[gs + i]) * B;
                    for (int j = 0; j < ng; j++) dst[x->order[gs + j]] = src[j];
                }
    }
    /* the fully masked (group, token) pairs */
    const float p = 1.0f / (float)B;
    for (int t = 0; t < S; t++) {
        int have_mean = 0;
        for (int g = 0; g < x->G; g++) {
            const int gs = x->gstart[g], ng = x->gstart[g + 1] - gs;
            const uint8_t *km = x->gmask + (size_t)S * gs + (size_t)t * ng;
            int any = 0;
            for (int j = 0; j < ng && !any; j++) any = km[j];
            if (any) continue;
            if (!have_mean) {
                for (int i = 0; i < HD; i++) x->vmean[i] = 0;
                for (int b = 0; b < B; b++) {
                    const int gb = x->gof[b], sb = x->gstart[gb], nb = x->gstart[gb + 1] - sb;
                    const float *vr = v + ((size_t)S * sb + (size_t)t * nb + x->gpos[b]) * HD;
                    for (int i = 0; i < HD; i++) x->vmean[i] += p * vr[i];
                }
                have_mean = 1;
            }
            for (int j = 0; j < ng; j++) {
                memcpy(out + ((size_t)S * gs + (size_t)t * ng + j) * HD, x->vmean, sizeof(float) * HD);
                for (int h = 0; gbuf && x->gsel[t] >= 0 && h < H; h++) {
                    float *dst = gbuf + (((size_t)x->gsel[t] * H + h) * B + x->order[gs + j]) * B;
                    for (int b = 0; b < B; b++) dst[b] = p;
                }
            }
        }
    }
}

/* The group attention when every group is one row, on v (B*S, H*dk) in the group layout
 * (row b's token t at b*S + t): out = v where the token is real; where it is padded the
 * query's only key is masked, its scores all float32 min, and upstream's uniform softmax over
 * all B rows gives the mean of every row's values at t (method.md pitfall 3). */
static void singleton_groups(struct c2_scratch *x, int HD, const float *v, float *out) {
    const int B = x->B, S = x->S;
    const float p = 1.0f / (float)B;
    memcpy(out, v, sizeof(float) * (size_t)B * S * HD);
    for (int t = 0; t < S; t++) {
        int have_mean = 0;
        for (int g = 0; g < x->G; g++) {
            const size_t gi = (size_t)S * x->gstart[g] + t;
            if (x->gmask[gi]) continue;
            if (!have_mean) {
                for (int i = 0; i < HD; i++) x->vmean[i] = 0;
                for (int b = 0; b < B; b++) {
                    const float *vr = v + ((size_t)S * x->gstart[x->gof[b]] + t) * HD;
                    for (int i = 0; i < HD; i++) x->vmean[i] += p * vr[i];
                }
                have_mean = 1;
            }
            memcpy(out + gi * HD, x->vmean, sizeof(float) * HD);
        }
    }
}

/* The last layer at the N future tokens alone (head_only), s->ex (B*S, d) in, the final norm
 * of the future tokens into their rows of s->enc_out: the keys and values of the time
 * attention over every token, its queries, output, the group attention across the rows at each
 * future token (always real: no padded case) and the feed-forward only at the future tokens,
 * the only ones the head reads. The group layout of the future tokens: struct c2_scratch's with
 * N tokens (S = N while it runs, every key real). */
static void last_layer_future(cl_state *s, struct c2_scratch *x, const layer_w *Lw) {
    const cl_model *m = s->m;
    const cl_config *c = &m->cfg;
    const int B = x->B, S = x->S, N = x->N, P = S - N, d = c->d_model, H = c->num_heads, dk = c->d_kv, HD = H * dk;
    const int rows = B * S, fr = B * N, l = c->num_layers - 1;
    float *xf = x->head_in; /* (B*N, d): the future tokens' residual stream */
    for (int b = 0; b < B; b++)
        memcpy(xf + (size_t)b * N * d, s->ex + ((size_t)b * S + P) * d, sizeof(float) * (size_t)N * d);
    cl_rms_norm(s->ex, Lw->ln_self, rows, d, c->eps, s->eh);
    cl_wprod kv[2] = {{Lw->self.k, Lw->self_h.k, HD, 0.0f, s->ek}, {Lw->self.v, Lw->self_h.v, HD, 0.0f, s->ev}};
    cl_linear_w_n(s->eh, rows, d, 2, kv, &s->flops);
    rope(s->ek, B, S, HD, H, dk, x->cosv, x->sinv);
    cl_rms_norm(xf, Lw->ln_self, fr, d, c->eps, s->eh);
    cl_linear_w(s->eh, fr, d, Lw->self.q, Lw->self_h.q, HD, 0.0f, s->eq, &s->flops);
    rope_from(s->eq, B, N, P, HD, H, dk, x->cosv, x->sinv);
    attn_args a = {.q = s->eq, .ldq = HD, .k = s->ek, .v = s->ev, .ldk = HD, .B = B, .Tq = N, .Tk = S, .H = H,
                   .dk = dk, .kmask = s->enc_mask,
                   .gates = s->gates[CL_ENC_SELF] ? s->gates[CL_ENC_SELF] + (size_t)l * H : NULL, .out = s->eo,
                   .ldo = HD, .scores = s->scores, .cap = NULL, .layer = l, .flops = &s->flops};
    cl_attention(&a);
    cl_linear_w(s->eo, fr, HD, Lw->self.o, Lw->self_h.o, d, 1.0f, xf, &s->flops);
    /* the group attention at the future tokens: every key real */
    uint8_t *gm = x->gmask;
    x->gmask = x->ones; /* (B*N) */
    x->S = N;
    to_groups(x, xf, s->enc_out, d, 0);
    cl_rms_norm(s->enc_out, Lw->ln_cross, fr, d, c->eps, s->eh);
    cl_wprod gqkv[3] = {{Lw->cross.v, Lw->cross_h.v, HD, 0.0f, s->ev},
                        {Lw->cross.q, Lw->cross_h.q, HD, 0.0f, s->eq},
                        {Lw->cross.k, Lw->cross_h.k, HD, 0.0f, s->ek}};
    if (x->maxng == 1) {
        cl_linear_w_n(s->eh, fr, d, 1, gqkv, &s->flops);
        memcpy(s->eo, s->ev, sizeof(float) * (size_t)fr * HD);
    } else {
        cl_linear_w_n(s->eh, fr, d, 3, gqkv, &s->flops);
        group_attention(s, x, l, s->eq, s->ek, s->ev, s->eo, NULL);
    }
    cl_linear_w(s->eo, fr, HD, Lw->cross.o, Lw->cross_h.o, d, 1.0f, s->enc_out, &s->flops);
    to_groups(x, s->enc_out, xf, d, 1);
    x->S = S;
    x->gmask = gm;
    cl_rms_norm(xf, Lw->ln_ff, fr, d, c->eps, s->eh);
    cl_feed_forward(m, Lw, s->eh, fr, s->eff, xf, &s->flops);
    for (int b = 0; b < B; b++)
        cl_rms_norm(xf + (size_t)b * N * d, m->enc_final, N, d, c->eps, s->enc_out + ((size_t)b * S + P) * d);
}

/* a per-head activation a (B*S, H*dk) in the group layout fired at point kind of layer l in
 * (batch, pos, head, d_head) order (through x->hkbuf), edits carried back */
static void group_heads_hook(cl_state *s, struct c2_scratch *x, int l, int kind, float *a) {
    cl_hooks *hk = s->hooks;
    const int id = cl_hk_id(hk, HK_ENC, l, kind), H = s->m->cfg.num_heads, dk = s->m->cfg.d_kv;
    if (!hk->on[id]) return;
    to_groups(x, a, x->hkbuf, H * dk, 1);
    cl_hk_heads(hk, id, x->hkbuf, x->B, x->S, H, dk, 0);
    to_groups(x, x->hkbuf, a, H * dk, 0);
}

static int cancelled(cl_state *s) {
    s->B = s->T = 0;
    for (int i = 0; i < CL_NSTACKS; i++) s->cap[i].valid = 0;
    return CL_ECANCELED;
}

/* The encoder layers on s->ex (B*S, d) into s->enc_out; 0, or CL_ECANCELED between layers, or
 * a hook's error. With a hook set (s->hooks) its points fire where each activation is ready
 * (hooks.h; the names: c2_hooks.c): the group attention's in (batch, pos, ...) order. */
static int encoder(cl_state *s, struct c2_scratch *x, cl_error *err) {
    const cl_model *m = s->m;
    const cl_config *c = &m->cfg;
    const int B = x->B, S = x->S, d = c->d_model, H = c->num_heads, dk = c->d_kv, HD = H * dk;
    const int rows = B * S;
    const size_t plane = (size_t)rows * d;
    cl_hooks *hk = s->hooks && s->hooks->n ? s->hooks : NULL;
#define ON(kind) cl_hk_layer_on(hk, HK_ENC, l, kind)
#define ID(kind) cl_hk_id(hk, HK_ENC, l, kind)
    for (int l = 0; l < c->num_layers; l++) {
        const layer_w *Lw = &m->enc[l];
        if (x->head_only && l == c->num_layers - 1) {
            last_layer_future(s, x, Lw);
            if (!cl_progress_point(&s->progress, "forward", l + 1, c->num_layers, err)) return 0;
            return cancelled(s);
        }
        if (hk) cl_hk_resid(hk, ID(HK_RESID_PRE), s->ex, B, S, d, 0);
        /* time attention (layer.0): (B, S) rows, RoPE, keys masked by the token mask; q and k
         * hooked before RoPE (TransformerLens's hook_q / hook_k of a rotary model) */
        cl_rms_norm(s->ex, Lw->ln_self, rows, d, c->eps, s->eh);
        cl_wprod qkv[3] = {{Lw->self.q, Lw->self_h.q, HD, 0.0f, s->eq}, {Lw->self.k, Lw->self_h.k, HD, 0.0f, s->ek},
                           {Lw->self.v, Lw->self_h.v, HD, 0.0f, s->ev}};
        cl_linear_w_n(s->eh, rows, d, 3, qkv, &s->flops);
        if (hk) {
            cl_hk_heads(hk, ID(HK_Q), s->eq, B, S, H, dk, 0);
            cl_hk_heads(hk, ID(HK_K), s->ek, B, S, H, dk, 0);
            cl_hk_heads(hk, ID(HK_V), s->ev, B, S, H, dk, 0);
        }
        rope(s->eq, B, S, HD, H, dk, x->cosv, x->sinv);
        rope(s->ek, B, S, HD, H, dk, x->cosv, x->sinv);
        attn_args a = {.q = s->eq, .ldq = HD, .k = s->ek, .v = s->ev, .ldk = HD, .B = B, .Tq = S, .Tk = S, .H = H,
                       .dk = dk, .kmask = s->enc_mask,
                       .gates = s->gates[CL_ENC_SELF] ? s->gates[CL_ENC_SELF] + (size_t)l * H : NULL, .out = s->eo,
                       .ldo = HD, .scores = s->scores, .cap = &s->cap[CL_ENC_SELF], .layer = l, .flops = &s->flops};
        if (hk) { a.hk = hk; a.hk_scores = ID(HK_SCORES); a.hk_pattern = ID(HK_PATTERN); }
        cl_attention(&a);
        if (hk) { /* z, the output projection apart when hook_time_attn_out is registered (s->eh is free) */
            cl_hk_heads(hk, ID(HK_Z), s->eo, B, S, H, dk, 0);
            cl_out_proj_hk(s->eo, rows, HD, Lw->self.o, Lw->self_h.o, d, s->ex, &s->flops, hk, ID(HK_ATTN_OUT), B, S, 0,
                           s->eh);
            cl_hk_resid(hk, ID(HK_RESID_MID), s->ex, B, S, d, 0);
        } else
            cl_linear_w(s->eo, rows, HD, Lw->self.o, Lw->self_h.o, d, 1.0f, s->ex, &s->flops);
        if (x->hidden[0]) memcpy(x->hidden[0] + l * plane, s->ex, sizeof(float) * plane);

        /* group attention (layer.1): at each token t the rows of a group attend to each
         * other; rows in the group layout in s->enc_out (group_attention) */
        to_groups(x, s->ex, s->enc_out, d, 0);
        cl_rms_norm(s->enc_out, Lw->ln_cross, rows, d, c->eps, s->eh);
        cl_wprod gqkv[3] = {{Lw->cross.v, Lw->cross_h.v, HD, 0.0f, s->ev},
                            {Lw->cross.q, Lw->cross_h.q, HD, 0.0f, s->eq},
                            {Lw->cross.k, Lw->cross_h.k, HD, 0.0f, s->ek}};
        /* the maps formed whole when hooked — but a pattern only zeroed or scaled (a head's
         * ablation) fires a group at a time, (S, H, ng, ng), where no group is without a real
         * key at some token (upstream's cross-group exception, group_attention) */
        const int gmaps = hk && (ON(HK_XSCORES) || ON(HK_XPATTERN));
        const int pergroup = gmaps && !ON(HK_XSCORES) && cl_hooks_rowwise(hk, ID(HK_XPATTERN)) && !x->empty;
        if (x->maxng == 1 && !x->gcap.valid && !(hk && (ON(HK_XQ) || ON(HK_XK) || gmaps))) {
            /* every group one row (univariate tasks): a softmax over one real key is exactly 1,
             * so the output is the row's own value and the queries and keys are never read —
             * a quarter of the layer's attention products saved; a padded token still takes
             * the mean of every row's values (group_attention's rule) */
            cl_linear_w_n(s->eh, rows, d, 1, gqkv, &s->flops);
            if (hk) group_heads_hook(s, x, l, HK_XV, s->ev);
            singleton_groups(x, HD, s->ev, s->eo);
        } else {
            cl_linear_w_n(s->eh, rows, d, 3, gqkv, &s->flops);
            if (hk) {
                group_heads_hook(s, x, l, HK_XQ, s->eq);
                group_heads_hook(s, x, l, HK_XK, s->ek);
                group_heads_hook(s, x, l, HK_XV, s->ev);
            }
            if (gmaps && !pergroup) {
                const cl_c2_groups g = {S, B, x->gstart, x->gof, x->gpos, x->gmask};
                cl_c2_group_attention_hooked(hk, l, &g, H, dk, s->eq, s->ek, s->ev, s->eo,
                                             x->gcap.valid ? x->gcap.buf + (size_t)l * x->nt * H * B * B : NULL,
                                             x->gtok, x->nt, &s->flops);
            } else
                group_attention(s, x, l, s->eq, s->ek, s->ev, s->eo, pergroup ? hk : NULL);
        }
        if (hk) group_heads_hook(s, x, l, HK_XZ, s->eo);
        if (hk && ON(HK_XATTN_OUT)) { /* the output projection apart, hooked in (batch, pos, d) order */
            cl_linear_w(s->eo, rows, HD, Lw->cross.o, Lw->cross_h.o, d, 0.0f, s->eh, &s->flops);
            to_groups(x, s->eh, x->hkbuf, d, 1);
            cl_hk_resid(hk, ID(HK_XATTN_OUT), x->hkbuf, B, S, d, 0);
            for (size_t i = 0; i < plane; i++) s->ex[i] += x->hkbuf[i];
        } else {
            cl_linear_w(s->eo, rows, HD, Lw->cross.o, Lw->cross_h.o, d, 1.0f, s->enc_out, &s->flops);
            to_groups(x, s->enc_out, s->ex, d, 1);
        }
        if (hk) cl_hk_resid(hk, ID(HK_RESID_MID_CROSS), s->ex, B, S, d, 0);
        if (x->hidden[1]) memcpy(x->hidden[1] + l * plane, s->ex, sizeof(float) * plane);

        /* feed-forward (layer.2) */
        cl_rms_norm(s->ex, Lw->ln_ff, rows, d, c->eps, s->eh);
        if (hk) { /* hook_mlp_out's product apart into x->hkbuf */
            cl_feed_forward_hk(m, Lw, s->eh, rows, s->eff, s->ex, &s->flops, hk, HK_ENC, l, B, S, 0, x->hkbuf);
            cl_hk_resid(hk, ID(HK_RESID_POST), s->ex, B, S, d, 0);
            if (hk->rc) { cancelled(s); return cl_hooks_status(hk, err); }
        } else
            cl_feed_forward(m, Lw, s->eh, rows, s->eff, s->ex, &s->flops);
        if (x->hidden[2]) memcpy(x->hidden[2] + l * plane, s->ex, sizeof(float) * plane);
        if (cl_progress_point(&s->progress, "forward", l + 1, c->num_layers, err)) return cancelled(s);
    }
#undef ON
#undef ID
    cl_rms_norm(s->ex, m->enc_final, rows, d, c->eps, s->enc_out);
    if (hk) cl_hk_resid(hk, HK_ENC_FINAL, s->enc_out, B, S, d, 0);
    return cl_hooks_status(hk, err);
}

/* The quantile head (steps 10-11): the last N tokens of every row -> (B, Q, N*ps). */
static void head(cl_state *s, struct c2_scratch *x) {
    const cl_model *m = s->m;
    const cl_config *c = &m->cfg;
    const int B = x->B, S = x->S, N = x->N, d = c->d_model, ps = c->patch_size, Q = c->n_quantiles, QP = Q * ps;
    for (int b = 0; b < B; b++)
        memcpy(x->head_in + (size_t)b * N * d, s->enc_out + ((size_t)b * S + S - N) * d, sizeof(float) * (size_t)N * d);
    resblock(&m->patch_out, c->act_gelu, x->head_in, B * N, x->hid, x->res, x->blk, &s->flops); /* (B*N, Q*ps) */
    for (int b = 0; b < B; b++)
        for (int j = 0; j < N; j++)
            for (int q = 0; q < Q; q++)
                for (int k = 0; k < ps; k++)
                    x->qn[((size_t)b * Q + q) * N * ps + (size_t)j * ps + k] =
                        x->blk[((size_t)b * N + j) * QP + (size_t)q * ps + k];
    if (cl_hk_on(s->hooks, CL_HK_FAMILY(1))) { /* output_patch_embedding.hook_out: (B, Q, N*ps), normalised */
        const int sh[3] = {B, Q, N * ps};
        cl_hooks_fire(s->hooks, CL_HK_FAMILY(1), x->qn, 3, sh, 0);
    }
    for (size_t o = 0; o < (size_t)B * QP * N; o++) {
        const float y = x->qn[o];
        x->qp[o] = (c->use_arcsinh ? sinhf(y) : y) * x->scale[o / ((size_t)QP * N)] + x->loc[o / ((size_t)QP * N)];
    }
}

int cl_chronos2_forward(cl_state *s, const cl_chronos2_input *in, cl_chronos2_result *out, cl_error *err) {
    const cl_model *m = s->m;
    const cl_config *c = &m->cfg;
    memset(out, 0, sizeof *out);
    if (c->family != CL_FAMILY_CHRONOS2) return cl_error_set(err, CL_EINVAL, "chronos2: not a Chronos-2 model");
    if (!in->context || in->B <= 0 || in->L <= 0)
        return cl_error_set(err, CL_EINVAL, "chronos2: bad context shape (%d, %d)", in->B, in->L);
    const int N = in->num_output_patches ? in->num_output_patches : c->max_output_patches;
    if (N < 1 || N > c->max_output_patches)
        return cl_error_set(err, CL_EINVAL, "chronos2: %d output patches (the model has 1 to %d)", N,
                            c->max_output_patches);
    if (in->future_covariates && (in->F < 0 || in->F > N * c->patch_size))
        return cl_error_set(err, CL_EINVAL, "chronos2: future covariates of %d steps, more than %d output patches x %d",
                            in->F, N, c->patch_size);
    const int B = in->B, n = in->L < c->context_length ? in->L : c->context_length, ps = c->patch_size;
    const int Lp = (n + ps - 1) / ps * ps, P = num_patches(c, in->L), S = P + 1 + N;
    if ((size_t)B * S > (size_t)1 << 30) return cl_error_set(err, CL_ENOMEM, "chronos2: batch too large");
    if (in->head_only && (in->capture_group || in->capture_hidden))
        return cl_error_set(err, CL_EINVAL, "chronos2: head_only keeps no hidden states or group maps");
    if (in->capture_group && in->n_group_tokens > 0) { /* the tokens of the group maps: in range, distinct */
        if (!in->group_tokens || in->n_group_tokens > S)
            return cl_error_set(err, CL_EINVAL, "chronos2: %d group-map tokens of %d", in->n_group_tokens, S);
        for (int i = 0; i < in->n_group_tokens; i++) {
            const int t = in->group_tokens[i] < 0 ? S + in->group_tokens[i] : in->group_tokens[i];
            if (t < 0 || t >= S) return cl_error_set(err, CL_EINVAL, "chronos2: group-map token %d outside the %d tokens",
                                                     in->group_tokens[i], S);
            for (int j = 0; j < i; j++)
                if ((in->group_tokens[j] < 0 ? S + in->group_tokens[j] : in->group_tokens[j]) == t)
                    return cl_error_set(err, CL_EINVAL, "chronos2: group-map token %d given twice", t);
        }
    }
    if (!s->family_scratch && !(s->family_scratch = calloc(1, sizeof(struct c2_scratch))))
        return cl_error_set(err, CL_ENOMEM, "chronos2: out of memory");
    struct c2_scratch *x = s->family_scratch;
    int rc = alloc_pass(s, x, B, P, N, Lp, in, err);
    if (!rc) rc = cl_encoder_prepare(s, B, S, err); /* the time attention's buffers and capture */
    if (rc) return rc;
    embed_inputs(s, x, in, n, Lp);
    rope_tables(c, S, x->cosv, x->sinv);
    group_keys(x);
    /* with hooks every token runs every layer: the points see whole activations (head_only
     * changes no forecast, only what the last layer computes) */
    x->head_only = in->head_only && !(s->hooks && s->hooks->n);
    memcpy(s->ex, x->emb, sizeof(float) * (size_t)B * S * c->d_model);
    cl_hk_resid(s->hooks, HK_EMBED, s->ex, B, S, c->d_model, 0);
    memcpy(s->enc_mask, x->mask, (size_t)B * S);
    memset(s->enc_ids, 0, sizeof(int32_t) * (size_t)B * S);
    rc = encoder(s, x, err);
    if (!rc) head(s, x);
    if (!rc) rc = cl_hooks_status(s->hooks, err);
    if (!rc) rc = cl_model_check_files(m, err); /* a weight file truncated meanwhile */
    if (rc) return rc;
    x->done = 1;
    *out = (cl_chronos2_result){.B = B, .P = P, .S = S, .N = N, .Q = c->n_quantiles, .ps = ps, .loc = x->loc,
                                .scale = x->scale, .attention_mask = x->mask, .patches = x->feat,
                                .future_patches = x->ffeat, .input_embeds = x->emb, .encoder_hidden = s->enc_out,
                                .quantile_preds_normalized = x->qn, .quantile_preds = x->qp,
                                .group_attn = x->gcap.valid ? x->gcap.buf : NULL, .n_group_tokens = x->gcap.valid ? x->nt : 0,
                                .hidden_time = x->hidden[0],
                                .hidden_group = x->hidden[1], .hidden = x->hidden[2]};
    return 0;
}

/* ------------------------------------------------------------------ the family's table */

/* What a pass of B series of T tokens takes besides the stacks' buffers (an estimate by
 * series: features, residual blocks, embeddings, masks, head), for cl_state_footprint. */
static void footprint(const cl_config *c, int T, size_t *per_series, size_t *fixed) {
    const size_t d = c->d_model, ps = c->patch_size, QP = (size_t)c->n_quantiles * ps, wide = d > QP ? d : QP;
    const size_t t = (size_t)T, F = sizeof(float);
    *per_series = t * ((3 * ps + c->d_ff + 2 * wide + 2 * d) * F + 2) + 3 * QP * c->max_output_patches * F;
    *fixed = 3 * ((size_t)c->context_length + ps) * F + t * (size_t)c->d_kv * F;
}

/* The instance norm's loc and scale must stay finite: the scale, or NaN. */
static float context_scale(const cl_config *c, const float *x, int n, float *scratch) {
    (void)c;
    float loc, scale;
    instance_norm(x, n, scratch, &loc, &scale);
    return isfinite(loc) && isfinite(scale) ? scale : NAN;
}

static void scale_rule(const cl_config *c, int n, char *buf, size_t len) {
    (void)c;
    snprintf(buf, len, "the mean or standard deviation of the last %d values", n);
}

const cl_family cl_family_chronos2 = {
    .id = CL_FAMILY_CHRONOS2,
    .name = "Chronos-2",
    .reads = "patches",
    .lm_head = 0,
    .cross_direct = 0,
    .min_vocab = 2, /* [PAD], [REG] */
    .detect = cl_c2_config_detect,
    .parse = cl_c2_config_parse,
    .config_save = cl_c2_config_save,
    .sizes = "chronos2-small, chronos2-base",
    .preset = cl_c2_preset,
    .init_tensors = cl_c2_init_tensors,
    .init_values = cl_c2_init_values,
    .own_stacks = 1, /* no T5 stacks: its init_tensors draws its layers */
    .bind = cl_c2_bind,
    .footprint = footprint,
    .scratch_free = scratch_free,
    .hook_names = cl_c2_hook_names,
    .hook_kinds = cl_c2_hook_kinds,
    .context_scale = context_scale,
    .scale_rule = scale_rule,
};
