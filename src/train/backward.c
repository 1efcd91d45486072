/* backward.c — the Chronos T5 training step: a forward pass that keeps every activation
 * the gradients need (one arena per batch shape), the loss, and the backward pass.
 * Every matrix product goes through cl_sgemm / cl_gemm. */
#include "train/backward.h"
#include "core/core.h"
#include "model/blocks.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct enc_act {           /* one encoder layer; R = B*T rows */
    float *x, *h1, *q, *k, *v, *o; /* x: layer input (R, d); q,k,v,o (R, HD) */
    float *p;                      /* (B, H, T, T) attention probabilities */
    float *xm, *h2, *a;            /* after attention (R, d); ff input (R, d); relu(wi h2) (R, F) */
} enc_act;

typedef struct dec_act {           /* one decoder layer; Rd = B*Td rows */
    float *x, *h1, *q, *k, *v, *o, *p;       /* self-attention; p (B, H, Td, Td) */
    float *xm1, *h2, *cq, *ck, *cv, *co, *cp; /* cross: ck, cv (R, HD); cp (B, H, Td, T) */
    float *xm2, *h3, *a;
} dec_act;

struct cl_grad_ws {
    int B, T, Td;                  /* shape the arena is carved for */
    float *arena;
    enc_act *enc; dec_act *dec;
    float *ex_final, *enc_out;     /* (R, d): last residual, normed encoder output */
    float *dx_final, *y, *logits;  /* (Rd, d), (Rd, d) scaled head input, (Rd, V) */
    float *ebias, *dbias;          /* (H, T, T), (H, Td, Td) */
    float *tok_loss;               /* (B, Td) */
    /* gradient scratch */
    float *gx, *gh, *go, *gq, *gk, *gv, *ga;  /* (Rmax, d|HD|F) */
    float *genc;                               /* (R, d) */
    float *gs;                                 /* (Tmax, Tmax) */
    float *gebias, *gdbias;                    /* (H, T, T), (H, Td, Td) */
    int nenc, ndec;
};

cl_grad_ws *cl_grad_ws_new(void) { return calloc(1, sizeof(cl_grad_ws)); }

void cl_grad_ws_free(cl_grad_ws *ws) {
    if (!ws) return;
    cl_free(ws->arena);
    free(ws->enc);
    free(ws->dec);
    free(ws);
}

const float *cl_grad_ws_token_loss(const cl_grad_ws *ws) { return ws->tok_loss; }

/* Carves the arena; with base NULL only counts. Returns the number of floats. */
static size_t carve(cl_grad_ws *ws, const cl_config *c, float *base) {
    const size_t B = ws->B, T = ws->T, Td = ws->Td, d = c->d_model, HD = (size_t)c->num_heads * c->d_kv,
                 F = c->d_ff, H = c->num_heads, V = c->vocab_size, R = B * T, Rd = B * Td;
    const size_t Rm = R > Rd ? R : Rd, Tm = T > Td ? T : Td;
    size_t off = 0;
#define TAKE(ptr, n) do { if (base) (ptr) = base + off; off += ((n) + 15) & ~(size_t)15; } while (0)
    for (int l = 0; l < c->num_layers; l++) {
        enc_act *e = &ws->enc[l];
        TAKE(e->x, R * d); TAKE(e->h1, R * d); TAKE(e->q, R * HD); TAKE(e->k, R * HD); TAKE(e->v, R * HD);
        TAKE(e->o, R * HD); TAKE(e->p, B * H * T * T); TAKE(e->xm, R * d); TAKE(e->h2, R * d); TAKE(e->a, R * F);
    }
    for (int l = 0; l < c->num_decoder_layers; l++) {
        dec_act *e = &ws->dec[l];
        TAKE(e->x, Rd * d); TAKE(e->h1, Rd * d); TAKE(e->q, Rd * HD); TAKE(e->k, Rd * HD); TAKE(e->v, Rd * HD);
        TAKE(e->o, Rd * HD); TAKE(e->p, B * H * Td * Td);
        TAKE(e->xm1, Rd * d); TAKE(e->h2, Rd * d); TAKE(e->cq, Rd * HD); TAKE(e->ck, R * HD); TAKE(e->cv, R * HD);
        TAKE(e->co, Rd * HD); TAKE(e->cp, B * H * Td * T);
        TAKE(e->xm2, Rd * d); TAKE(e->h3, Rd * d); TAKE(e->a, Rd * F);
    }
    TAKE(ws->ex_final, R * d); TAKE(ws->enc_out, R * d);
    TAKE(ws->dx_final, Rd * d); TAKE(ws->y, Rd * d); TAKE(ws->logits, Rd * V);
    TAKE(ws->ebias, H * T * T); TAKE(ws->dbias, H * Td * Td); TAKE(ws->tok_loss, Rd);
    TAKE(ws->gx, Rm * d); TAKE(ws->gh, Rm * d); TAKE(ws->go, Rm * HD); TAKE(ws->gq, Rm * HD);
    TAKE(ws->gk, Rm * HD); TAKE(ws->gv, Rm * HD); TAKE(ws->ga, Rm * F); TAKE(ws->genc, R * d);
    TAKE(ws->gs, Tm * Tm); TAKE(ws->gebias, H * T * T); TAKE(ws->gdbias, H * Td * Td);
#undef TAKE
    return off;
}

static int ws_ensure(cl_grad_ws *ws, const cl_config *c, int B, int T, int Td, cl_error *err) {
    if (ws->arena && ws->B == B && ws->T == T && ws->Td == Td && ws->nenc == c->num_layers &&
        ws->ndec == c->num_decoder_layers)
        return 0;
    cl_free(ws->arena);
    ws->arena = NULL;
    free(ws->enc);
    free(ws->dec);
    ws->enc = calloc((size_t)c->num_layers, sizeof *ws->enc);
    ws->dec = calloc((size_t)c->num_decoder_layers, sizeof *ws->dec);
    if (!ws->enc || !ws->dec) return cl_error_set(err, CL_ENOMEM, "train: out of memory");
    ws->B = B; ws->T = T; ws->Td = Td;
    ws->nenc = c->num_layers; ws->ndec = c->num_decoder_layers;
    size_t n = carve(ws, c, NULL);
    ws->arena = cl_alloc(n * sizeof(float));
    if (!ws->arena) return cl_error_set(err, CL_ENOMEM, "train: cannot allocate %zu floats of activations", n);
    carve(ws, c, ws->arena);
    return 0;
}

/* ------------------------------------------------------------------ forward pieces */

typedef struct attn_io {
    const float *q, *k, *v;    /* (B, Tq|Tk, HD) */
    float *p;                  /* (B, H, Tq, Tk) probabilities, kept */
    float *o;                  /* (B, Tq, HD) */
    int B, Tq, Tk, H, dk;
    const float *bias;         /* (H, Tq, Tk) or NULL */
    const uint8_t *kmask;      /* (B, Tk) or NULL */
    int causal;
    double *flops;
} attn_io;

/* In-place row softmax of (rows, n) with libm's expf. The training pass keeps its own (the
 * engine's is being tuned for speed): a run's numbers must not move when inference changes. */
static void softmax_rows(float *x, int rows, int n) {
    for (int i = 0; i < rows; i++) {
        float *r = x + (size_t)i * n, mx = r[0];
        for (int j = 1; j < n; j++) mx = r[j] > mx ? r[j] : mx;
        float sum = 0;
        for (int j = 0; j < n; j++) { r[j] = expf(r[j] - mx); sum += r[j]; }
        float inv = 1.0f / sum;
        for (int j = 0; j < n; j++) r[j] *= inv;
    }
}

/* o = softmax(q k^T + bias, masked) v; masked scores are float min as in the reference. */
static void attn_forward(const attn_io *a) {
    const int HD = a->H * a->dk, Tq = a->Tq, Tk = a->Tk;
    for (int b = 0; b < a->B; b++)
        for (int h = 0; h < a->H; h++) {
            const float *qb = a->q + (size_t)b * Tq * HD + h * a->dk, *kb = a->k + (size_t)b * Tk * HD + h * a->dk,
                        *vb = a->v + (size_t)b * Tk * HD + h * a->dk;
            float *P = a->p + ((size_t)b * a->H + h) * Tq * Tk;
            cl_sgemm(1, Tq, Tk, a->dk, 1.0f, qb, HD, kb, HD, 0.0f, P, Tk, a->flops);
            const uint8_t *km = a->kmask ? a->kmask + (size_t)b * Tk : NULL;
            for (int i = 0; i < Tq; i++) {
                float *r = P + (size_t)i * Tk;
                if (a->bias) {
                    const float *br = a->bias + ((size_t)h * Tq + i) * Tk;
                    for (int j = 0; j < Tk; j++) r[j] += br[j];
                }
                if (km)
                    for (int j = 0; j < Tk; j++)
                        if (!km[j]) r[j] = -FLT_MAX;
                if (a->causal)
                    for (int j = i + 1; j < Tk; j++) r[j] = -FLT_MAX;
            }
            softmax_rows(P, Tq, Tk);
            cl_sgemm(0, Tq, a->dk, Tk, 1.0f, P, Tk, vb, HD, 0.0f, a->o + (size_t)b * Tq * HD + h * a->dk, HD,
                     a->flops);
        }
}

/* ------------------------------------------------------------------ backward pieces */

/* Given do (B, Tq, HD): dq, dk, dv (overwritten) and dbias (H, Tq, Tk) += dscores.
 * scratch (Tq, Tk). Masked scores have probability 0, so they receive no gradient. */
static void attn_backward(const attn_io *a, const float *dout, float *dq, float *dk, float *dv, float *dbias,
                          float *scratch) {
    const int HD = a->H * a->dk, Tq = a->Tq, Tk = a->Tk, dkv = a->dk;
    for (int b = 0; b < a->B; b++)
        for (int h = 0; h < a->H; h++) {
            const size_t qo = (size_t)b * Tq * HD + h * dkv, ko = (size_t)b * Tk * HD + h * dkv;
            const float *P = a->p + ((size_t)b * a->H + h) * Tq * Tk;
            float *dS = scratch;
            /* dP (Tq, Tk) = dO · V^T;  dV (Tk, dk) = P^T · dO */
            cl_gemm(0, 1, Tq, Tk, dkv, 1.0f, dout + qo, HD, a->v + ko, HD, 0.0f, dS, Tk, a->flops);
            cl_gemm(1, 0, Tk, dkv, Tq, 1.0f, P, Tk, dout + qo, HD, 0.0f, dv + ko, HD, a->flops);
            /* softmax: dS = P * (dP - sum_j P dP) */
            for (int i = 0; i < Tq; i++) {
                const float *pr = P + (size_t)i * Tk;
                float *sr = dS + (size_t)i * Tk;
                double dot = 0;
                for (int j = 0; j < Tk; j++) dot += (double)pr[j] * sr[j];
                for (int j = 0; j < Tk; j++) sr[j] = pr[j] * (sr[j] - (float)dot);
                if (dbias) {
                    float *br = dbias + ((size_t)h * Tq + i) * Tk;
                    for (int j = 0; j < Tk; j++) br[j] += sr[j];
                }
            }
            /* dQ (Tq, dk) = dS · K;  dK (Tk, dk) = dS^T · Q */
            cl_gemm(0, 0, Tq, dkv, Tk, 1.0f, dS, Tk, a->k + ko, HD, 0.0f, dq + qo, HD, a->flops);
            cl_gemm(1, 0, Tk, dkv, Tq, 1.0f, dS, Tk, a->q + qo, HD, 0.0f, dk + ko, HD, a->flops);
        }
}

/* y (R, out) = x (R, in) · W^T:  dW (out, in) += dy^T · x;  dx = beta * dx + dy · W (dx may be NULL). */
static void linear_back(const float *x, const float *dy, int R, int in, int out, const float *W, float *dW,
                        float *dx, float beta, double *flops) {
    cl_gemm(1, 0, out, in, R, 1.0f, dy, out, x, in, 1.0f, dW, in, flops);
    if (dx) cl_gemm(0, 0, R, in, out, 1.0f, dy, out, W, in, beta, dx, in, flops);
}

/* y = w * x * r with r = 1/sqrt(mean(x^2) + eps):
 * dw += sum_rows dy * x * r;  dx += r * g - r^3 * x * mean(g * x), g = dy * w. */
static void rms_back(const float *x, const float *w, const float *dy, int R, int d, float eps, float *dw,
                     float *dx) {
    for (int r = 0; r < R; r++) {
        const float *xr = x + (size_t)r * d, *gr = dy + (size_t)r * d;
        float *dr = dx + (size_t)r * d;
        double ss = 0, gx = 0;
        for (int i = 0; i < d; i++) ss += (double)xr[i] * xr[i];
        float inv = 1.0f / sqrtf((float)(ss / d) + eps);
        for (int i = 0; i < d; i++) {
            gx += (double)gr[i] * w[i] * xr[i];
            dw[i] += gr[i] * xr[i] * inv;
        }
        float k = (float)((double)inv * inv * inv * gx / d);
        for (int i = 0; i < d; i++) dr[i] += inv * gr[i] * w[i] - k * xr[i];
    }
}

/* Scatters a dense bias gradient (H, Tq, Tk) into the bucket table (num_buckets, H). */
static void bias_back(const cl_config *c, const float *dbias, int Tq, int Tk, int bidirectional, float *drel) {
    const int H = c->num_heads;
    for (int i = 0; i < Tq; i++)
        for (int j = 0; j < Tk; j++) {
            int bk = cl_relative_bucket(j - i, bidirectional, c->num_buckets, c->max_distance);
            for (int h = 0; h < H; h++) drel[(size_t)bk * H + h] += dbias[((size_t)h * Tq + i) * Tk + j];
        }
}

/* ------------------------------------------------------------------ the step */

int cl_loss_grad(cl_params *p, cl_grad_ws *ws, const cl_batch *bt, int backward, double *loss_out,
                 int *ntok_out, double *flops, cl_error *err) {
    return cl_loss_grad_to(p, &p->gm, ws, bt, backward, 0, loss_out, ntok_out, flops, err);
}

int cl_loss_grad_to(cl_params *p, cl_model *g, cl_grad_ws *ws, const cl_batch *bt, int backward, double norm_in,
                    double *loss_out, int *ntok_out, double *flops, cl_error *err) {
    const cl_config *c = &p->cfg;
    const cl_model *m = &p->wm;
    const int B = bt->B, T = bt->T, Td = bt->Td;
    if (B <= 0 || T <= 0 || Td <= 0) return cl_error_set(err, CL_EINVAL, "train: bad batch shape (%d, %d, %d)", B, T, Td);
    for (size_t i = 0; i < (size_t)B * T; i++)
        if (bt->enc_ids[i] < 0 || bt->enc_ids[i] >= c->vocab_size)
            return cl_error_set(err, CL_EINVAL, "train: encoder token %d outside the vocabulary", bt->enc_ids[i]);
    for (size_t i = 0; i < (size_t)B * Td; i++) {
        if (bt->dec_ids[i] < 0 || bt->dec_ids[i] >= c->vocab_size)
            return cl_error_set(err, CL_EINVAL, "train: decoder token %d outside the vocabulary", bt->dec_ids[i]);
        if (bt->labels[i] != -100 && (bt->labels[i] < 0 || bt->labels[i] >= c->vocab_size))
            return cl_error_set(err, CL_EINVAL, "train: label %d outside the vocabulary", bt->labels[i]);
    }
    int rc = ws_ensure(ws, c, B, T, Td, err);
    if (rc) return rc;
    const int d = c->d_model, HD = c->num_heads * c->d_kv, F = c->d_ff, H = c->num_heads, V = c->vocab_size;
    const int R = B * T, Rd = B * Td, Le = c->num_layers, Ld = c->num_decoder_layers;
    const float eps = c->eps;

    /* ---------------- encoder */
    cl_embed(m, bt->enc_ids, (size_t)R, ws->enc[0].x);
    cl_position_bias(c, m->enc_rel, T, T, 1, ws->ebias);
    for (int l = 0; l < Le; l++) {
        const layer_w *L = &m->enc[l];
        enc_act *e = &ws->enc[l];
        cl_rms_norm(e->x, L->ln_self, R, d, eps, e->h1);
        cl_linear(e->h1, R, d, L->self.q, HD, 0.0f, e->q, flops);
        cl_linear(e->h1, R, d, L->self.k, HD, 0.0f, e->k, flops);
        cl_linear(e->h1, R, d, L->self.v, HD, 0.0f, e->v, flops);
        attn_io a = {e->q, e->k, e->v, e->p, e->o, B, T, T, H, c->d_kv, ws->ebias, bt->enc_mask, 0, flops};
        attn_forward(&a);
        memcpy(e->xm, e->x, sizeof(float) * R * d);
        cl_linear(e->o, R, HD, L->self.o, d, 1.0f, e->xm, flops);
        cl_rms_norm(e->xm, L->ln_ff, R, d, eps, e->h2);
        float *next = l + 1 < Le ? ws->enc[l + 1].x : ws->ex_final;
        memcpy(next, e->xm, sizeof(float) * R * d);
        cl_feed_forward(m, L, e->h2, R, e->a, next, flops);
    }
    cl_rms_norm(ws->ex_final, m->enc_final, R, d, eps, ws->enc_out);

    /* ---------------- decoder */
    cl_embed(m, bt->dec_ids, (size_t)Rd, ws->dec[0].x);
    cl_position_bias(c, m->dec_rel, Td, Td, 0, ws->dbias);
    for (int l = 0; l < Ld; l++) {
        const layer_w *L = &m->dec[l];
        dec_act *e = &ws->dec[l];
        cl_rms_norm(e->x, L->ln_self, Rd, d, eps, e->h1);
        cl_linear(e->h1, Rd, d, L->self.q, HD, 0.0f, e->q, flops);
        cl_linear(e->h1, Rd, d, L->self.k, HD, 0.0f, e->k, flops);
        cl_linear(e->h1, Rd, d, L->self.v, HD, 0.0f, e->v, flops);
        attn_io a = {e->q, e->k, e->v, e->p, e->o, B, Td, Td, H, c->d_kv, ws->dbias, NULL, 1, flops};
        attn_forward(&a);
        memcpy(e->xm1, e->x, sizeof(float) * Rd * d);
        cl_linear(e->o, Rd, HD, L->self.o, d, 1.0f, e->xm1, flops);

        cl_rms_norm(e->xm1, L->ln_cross, Rd, d, eps, e->h2);
        cl_linear(e->h2, Rd, d, L->cross.q, HD, 0.0f, e->cq, flops);
        cl_linear(ws->enc_out, R, d, L->cross.k, HD, 0.0f, e->ck, flops);
        cl_linear(ws->enc_out, R, d, L->cross.v, HD, 0.0f, e->cv, flops);
        attn_io x = {e->cq, e->ck, e->cv, e->cp, e->co, B, Td, T, H, c->d_kv, NULL, bt->enc_mask, 0, flops};
        attn_forward(&x);
        memcpy(e->xm2, e->xm1, sizeof(float) * Rd * d);
        cl_linear(e->co, Rd, HD, L->cross.o, d, 1.0f, e->xm2, flops);

        cl_rms_norm(e->xm2, L->ln_ff, Rd, d, eps, e->h3);
        float *next = l + 1 < Ld ? ws->dec[l + 1].x : ws->dx_final;
        memcpy(next, e->xm2, sizeof(float) * Rd * d);
        cl_feed_forward(m, L, e->h3, Rd, e->a, next, flops);
    }
    /* tied head: logits = (d^-0.5 * norm(x)) · E^T */
    const float sc = (float)pow(d, -0.5);
    cl_rms_norm(ws->dx_final, m->dec_final, Rd, d, eps, ws->y);
    for (size_t i = 0; i < (size_t)Rd * d; i++) ws->y[i] *= sc;
    cl_linear(ws->y, Rd, d, m->lm_head, V, 0.0f, ws->logits, flops);

    /* ---------------- loss; logits become d loss / d logits in place */
    int ntok = 0;
    for (int i = 0; i < Rd; i++) ntok += bt->labels[i] != -100;
    double total = 0;
    /* a shard scales by the whole batch's weight; a whole batch by its own */
    const double norm = norm_in > 0 ? norm_in : cl_batch_weight(bt);
    for (int i = 0; i < Rd; i++) {
        float *r = ws->logits + (size_t)i * V;
        int lab = bt->labels[i];
        float mx = r[0];
        for (int j = 1; j < V; j++) mx = r[j] > mx ? r[j] : mx;
        if (lab == -100) {
            ws->tok_loss[i] = NAN;
            memset(r, 0, sizeof(float) * V);
            continue;
        }
        /* one expf per logit (kept for the gradient), summed in double */
        const float zlab = r[lab] - mx;
        double sum = 0;
        for (int j = 0; j < V; j++) { r[j] = expf(r[j] - mx); sum += r[j]; }
        double li = log(sum) - zlab;
        ws->tok_loss[i] = (float)li;
        const double w = bt->pos_weight ? bt->pos_weight[i % Td] : 1.0;
        total += w * li;
        const float inv_n = norm > 0 ? (float)w / (float)norm : 0.0f; /* w = 1: 1 / count, as before */
        const float k = (float)(1.0 / sum) * inv_n;
        for (int j = 0; j < V; j++) r[j] *= k;
        r[lab] -= inv_n;
    }
    *loss_out = norm_in > 0 ? total : norm > 0 ? total / norm : 0.0;
    if (ntok_out) *ntok_out = ntok;
    if (!backward || !ntok) return 0;

    /* ---------------- backward: head and final norm */
    float *E = (float *)m->embed, *dE = (float *)g->embed;
    (void)E;
    /* dE += dlogits^T · y;  dy = dlogits · E, then the d^-0.5 scale */
    linear_back(ws->y, ws->logits, Rd, d, V, m->lm_head, dE, ws->gh, 0.0f, flops);
    for (size_t i = 0; i < (size_t)Rd * d; i++) ws->gh[i] *= sc;
    memset(ws->gx, 0, sizeof(float) * Rd * d);
    rms_back(ws->dx_final, m->dec_final, ws->gh, Rd, d, eps, (float *)g->dec_final, ws->gx);

    /* ---------------- decoder layers, last first; gx is d loss / d residual */
    memset(ws->genc, 0, sizeof(float) * R * d);
    memset(ws->gdbias, 0, sizeof(float) * H * Td * Td);
    for (int l = Ld - 1; l >= 0; l--) {
        const layer_w *L = &m->dec[l];
        layer_w *G = &g->dec[l];
        dec_act *e = &ws->dec[l];
        /* feed-forward: x += wo · relu(wi · h3) */
        linear_back(e->a, ws->gx, Rd, F, d, L->wo, (float *)G->wo, ws->ga, 0.0f, flops);
        for (size_t i = 0; i < (size_t)Rd * F; i++) if (!(e->a[i] > 0)) ws->ga[i] = 0;
        linear_back(e->h3, ws->ga, Rd, d, F, L->wi, (float *)G->wi, ws->gh, 0.0f, flops);
        rms_back(e->xm2, L->ln_ff, ws->gh, Rd, d, eps, (float *)G->ln_ff, ws->gx);
        /* cross-attention */
        linear_back(e->co, ws->gx, Rd, HD, d, L->cross.o, (float *)G->cross.o, ws->go, 0.0f, flops);
        attn_io x = {e->cq, e->ck, e->cv, e->cp, e->co, B, Td, T, H, c->d_kv, NULL, bt->enc_mask, 0, flops};
        attn_backward(&x, ws->go, ws->gq, ws->gk, ws->gv, NULL, ws->gs);
        linear_back(e->h2, ws->gq, Rd, d, HD, L->cross.q, (float *)G->cross.q, ws->gh, 0.0f, flops);
        linear_back(ws->enc_out, ws->gk, R, d, HD, L->cross.k, (float *)G->cross.k, ws->genc, 1.0f, flops);
        linear_back(ws->enc_out, ws->gv, R, d, HD, L->cross.v, (float *)G->cross.v, ws->genc, 1.0f, flops);
        rms_back(e->xm1, L->ln_cross, ws->gh, Rd, d, eps, (float *)G->ln_cross, ws->gx);
        /* causal self-attention */
        linear_back(e->o, ws->gx, Rd, HD, d, L->self.o, (float *)G->self.o, ws->go, 0.0f, flops);
        attn_io a = {e->q, e->k, e->v, e->p, e->o, B, Td, Td, H, c->d_kv, ws->dbias, NULL, 1, flops};
        attn_backward(&a, ws->go, ws->gq, ws->gk, ws->gv, ws->gdbias, ws->gs);
        linear_back(e->h1, ws->gq, Rd, d, HD, L->self.q, (float *)G->self.q, ws->gh, 0.0f, flops);
        linear_back(e->h1, ws->gk, Rd, d, HD, L->self.k, (float *)G->self.k, ws->gh, 1.0f, flops);
        linear_back(e->h1, ws->gv, Rd, d, HD, L->self.v, (float *)G->self.v, ws->gh, 1.0f, flops);
        rms_back(e->x, L->ln_self, ws->gh, Rd, d, eps, (float *)G->ln_self, ws->gx);
    }
    bias_back(c, ws->gdbias, Td, Td, 0, (float *)g->dec_rel);
    for (int i = 0; i < Rd; i++) {
        float *dr = dE + (size_t)bt->dec_ids[i] * d;
        const float *gr = ws->gx + (size_t)i * d;
        for (int j = 0; j < d; j++) dr[j] += gr[j];
    }

    /* ---------------- encoder */
    memset(ws->gx, 0, sizeof(float) * R * d);
    rms_back(ws->ex_final, m->enc_final, ws->genc, R, d, eps, (float *)g->enc_final, ws->gx);
    memset(ws->gebias, 0, sizeof(float) * H * T * T);
    for (int l = Le - 1; l >= 0; l--) {
        const layer_w *L = &m->enc[l];
        layer_w *G = &g->enc[l];
        enc_act *e = &ws->enc[l];
        linear_back(e->a, ws->gx, R, F, d, L->wo, (float *)G->wo, ws->ga, 0.0f, flops);
        for (size_t i = 0; i < (size_t)R * F; i++) if (!(e->a[i] > 0)) ws->ga[i] = 0;
        linear_back(e->h2, ws->ga, R, d, F, L->wi, (float *)G->wi, ws->gh, 0.0f, flops);
        rms_back(e->xm, L->ln_ff, ws->gh, R, d, eps, (float *)G->ln_ff, ws->gx);
        linear_back(e->o, ws->gx, R, HD, d, L->self.o, (float *)G->self.o, ws->go, 0.0f, flops);
        attn_io a = {e->q, e->k, e->v, e->p, e->o, B, T, T, H, c->d_kv, ws->ebias, bt->enc_mask, 0, flops};
        attn_backward(&a, ws->go, ws->gq, ws->gk, ws->gv, ws->gebias, ws->gs);
        linear_back(e->h1, ws->gq, R, d, HD, L->self.q, (float *)G->self.q, ws->gh, 0.0f, flops);
        linear_back(e->h1, ws->gk, R, d, HD, L->self.k, (float *)G->self.k, ws->gh, 1.0f, flops);
        linear_back(e->h1, ws->gv, R, d, HD, L->self.v, (float *)G->self.v, ws->gh, 1.0f, flops);
        rms_back(e->x, L->ln_self, ws->gh, R, d, eps, (float *)G->ln_self, ws->gx);
    }
    bias_back(c, ws->gebias, T, T, 1, (float *)g->enc_rel);
    for (int i = 0; i < R; i++) {
        float *dr = dE + (size_t)bt->enc_ids[i] * d;
        const float *gr = ws->gx + (size_t)i * d;
        for (int j = 0; j < d; j++) dr[j] += gr[j];
    }
    return 0;
}
