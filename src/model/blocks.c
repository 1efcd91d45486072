/* blocks.c — the T5 building blocks shared by inference, cached decoding and training:
 * RMS norm, feed-forward, embedding lookup, relative position bias. */
#include "model/blocks.h"
#include "core/core.h"
#include "core/gemm_bf16.h"
#include "model/hooks.h"

#include <math.h>
#include <string.h>

/* Element-wise passes over many rows (a batch of RRT sequences: 2200 rows) run on the pool,
 * in blocks of rows; each row is computed exactly as on one thread, so results do not depend
 * on the thread count. Few rows (a decoding step) stay on the calling thread. */
#define ROWS_SERIAL 64
#define ROW_BLOCKS 16

typedef struct { const float *x, *w; float *y; int rows, d; float eps; } norm_job;

static void norm_rows(const norm_job *j, int a, int b) {
    for (int r = a; r < b; r++) {
        const float *xr = j->x + (size_t)r * j->d;
        float *yr = j->y + (size_t)r * j->d;
        double ss = 0;
        for (int i = 0; i < j->d; i++) ss += (double)xr[i] * xr[i];
        float inv = 1.0f / sqrtf((float)(ss / j->d) + j->eps);
        for (int i = 0; i < j->d; i++) yr[i] = j->w[i] * (xr[i] * inv);
    }
}

static void norm_task(void *ctx, int i, int tid) {
    (void)tid;
    const norm_job *j = ctx;
    const int per = (j->rows + ROW_BLOCKS - 1) / ROW_BLOCKS, a = i * per, b = a + per < j->rows ? a + per : j->rows;
    if (a < b) norm_rows(j, a, b);
}

/* y (rows, d) = w * x / sqrt(mean(x^2) + eps) */
void cl_rms_norm(const float *x, const float *w, int rows, int d, float eps, float *y) {
    norm_job j = {x, w, y, rows, d, eps};
    if (rows < ROWS_SERIAL || cl_pool_threads() < 2) norm_rows(&j, 0, rows);
    else cl_parallel_for(ROW_BLOCKS, norm_task, &j);
}

void cl_linear_w(const float *x, int rows, int in, const float *W, const uint16_t *Wh, int out, float beta,
                 float *y, double *flops) {
    if (Wh) cl_linear_bf16(x, in, rows, in, Wh, in, out, beta, y, out, flops);
    else cl_linear(x, rows, in, W, out, beta, y, flops);
}

void cl_linear_few_w(const float *x, int rows, int in, const float *W, const uint16_t *Wh, int out, float beta,
                     float *y, int ldy, double *flops) {
    if (Wh) cl_linear_bf16(x, in, rows, in, Wh, in, out, beta, y, ldy, flops);
    else cl_linear_few(x, rows, in, W, out, beta, y, ldy, flops);
}

void cl_linear_w_n(const float *x, int rows, int in, int n, const cl_wprod *p, double *flops) {
    enum { MAXN = 16 };
    int bf16 = n > 0, fp32 = n > 0;
    for (int i = 0; i < n; i++) { bf16 &= p[i].Wh != NULL; fp32 &= p[i].Wh == NULL; }
    if (fp32 && rows <= CL_FEW_ROWS) { /* few rows (a decoding step): one pool job for all the panels */
        for (int a = 0; a < n; a += MAXN) {
            cl_few_prod q[MAXN];
            int k = n - a < MAXN ? n - a : MAXN;
            for (int i = 0; i < k; i++) q[i] = (cl_few_prod){p[a + i].W, in, p[a + i].out, p[a + i].beta, p[a + i].y, p[a + i].out};
            cl_linear_few_n(x, in, rows, in, k, q, flops);
        }
        return;
    }
    if (!bf16) {
        for (int i = 0; i < n; i++) cl_linear_w(x, rows, in, p[i].W, p[i].Wh, p[i].out, p[i].beta, p[i].y, flops);
        return;
    }
    for (int a = 0; a < n; a += MAXN) { /* in groups: one rounding serves up to MAXN products */
        cl_bf16_prod q[MAXN];
        int k = n - a < MAXN ? n - a : MAXN;
        for (int i = 0; i < k; i++) q[i] = (cl_bf16_prod){p[a + i].Wh, in, p[a + i].out, p[a + i].beta, p[a + i].y, p[a + i].out};
        cl_linear_bf16_n(x, in, rows, in, k, q, flops);
    }
}

void cl_cross_kv(const cl_model *m, const float *enc, int rows, int l0, int l1, float *ck, float *cv, size_t per,
                 double *flops) {
    const cl_config *c = &m->cfg;
    const int HD = c->num_heads * c->d_kv;
    enum { GROUP = CL_CROSS_KV_GROUP };
    for (int g = l0; g < l1; g += GROUP) {
        cl_wprod p[2 * GROUP];
        int n = 0;
        for (int l = g; l < l1 && l < g + GROUP; l++) {
            const layer_w *L = &m->dec[l];
            p[n++] = (cl_wprod){L->cross.k, L->cross_h.k, HD, 0.0f, ck + l * per};
            p[n++] = (cl_wprod){L->cross.v, L->cross_h.v, HD, 0.0f, cv + l * per};
        }
        cl_linear_w_n(enc, rows, c->d_model, n, p, flops);
    }
}

static inline float gelu_new(float x) {
    return 0.5f * x * (1.0f + tanhf(0.7978845608028654f * (x + 0.044715f * x * x * x)));
}

/* x (rows, d) += wo · act(wi · h)  (or gated: act(wi0 · h) * (wi1 · h)) */
/* the activation of elements [a, b) of buf (g: the gate, NULL when not gated) */
static void act_range(int act_gelu, float *buf, const float *g, size_t a, size_t b) {
    if (g) {
        if (act_gelu == 2)
            for (size_t i = a; i < b; i++) buf[i] = 0.5f * buf[i] * (1.0f + erff(buf[i] * 0.70710678f)) * g[i];
        else if (act_gelu == 1)
            for (size_t i = a; i < b; i++) buf[i] = gelu_new(buf[i]) * g[i];
        else
            for (size_t i = a; i < b; i++) buf[i] = (buf[i] > 0 ? buf[i] : 0.0f) * g[i];
    } else {
        if (act_gelu == 0)
            for (size_t i = a; i < b; i++) buf[i] = buf[i] > 0 ? buf[i] : 0.0f;
        else if (act_gelu == 1)
            for (size_t i = a; i < b; i++) buf[i] = gelu_new(buf[i]);
        else
            for (size_t i = a; i < b; i++) buf[i] = 0.5f * buf[i] * (1.0f + erff(buf[i] * 0.70710678f));
    }
}

typedef struct { int act_gelu; float *buf; const float *g; size_t n; } act_job;

static void act_task(void *ctx, int i, int tid) {
    (void)tid;
    const act_job *j = ctx;
    const size_t per = (j->n + ROW_BLOCKS - 1) / ROW_BLOCKS, a = (size_t)i * per, b = a + per < j->n ? a + per : j->n;
    if (a < b) act_range(j->act_gelu, j->buf, j->g, a, b);
}

/* buf (rows, F) = wi · h, and the gate g = wi1 · h (rows, F) after it when gated (else NULL) */
static float *ff_in(const cl_model *m, const layer_w *L, const float *h, int rows, float *buf, double *flops) {
    const cl_config *c = &m->cfg;
    const int d = c->d_model, F = c->d_ff;
    float *g = c->gated ? buf + (size_t)rows * F : NULL;
    if (g) {
        cl_wprod p[2] = {{L->wi0, L->wi0h, F, 0.0f, buf}, {L->wi1, L->wi1h, F, 0.0f, g}};
        cl_linear_w_n(h, rows, d, 2, p, flops);
    } else {
        cl_linear_w(h, rows, d, L->wi, L->wih, F, 0.0f, buf, flops);
    }
    return g;
}

/* buf (rows, F) = act(buf) (* g when gated), on the pool for many rows */
static void ff_act(const cl_config *c, float *buf, const float *g, int rows) {
    const size_t n = (size_t)rows * c->d_ff;
    act_job j = {c->act_gelu, buf, g, n};
    if (rows < ROWS_SERIAL || cl_pool_threads() < 2) act_range(c->act_gelu, buf, g, 0, n);
    else cl_parallel_for(ROW_BLOCKS, act_task, &j);
}

void cl_feed_forward(const cl_model *m, const layer_w *L, const float *h, int rows, float *buf, float *x,
                     double *flops) {
    ff_act(&m->cfg, buf, ff_in(m, L, h, rows, buf, flops), rows);
    cl_linear_w(buf, rows, m->cfg.d_ff, L->wo, L->woh, m->cfg.d_model, 1.0f, x, flops);
}

static void add_rows(float *x, const float *t, size_t n) {
    for (size_t i = 0; i < n; i++) x[i] += t[i];
}

void cl_out_proj_hk(const float *z, int rows, int in, const float *W, const uint16_t *Wh, int d, float *x,
                    double *flops, cl_hooks *hk, int id, int B, int T, int pos0, float *tmp) {
    if (!cl_hk_on(hk, id)) { cl_linear_w(z, rows, in, W, Wh, d, 1.0f, x, flops); return; }
    cl_linear_w(z, rows, in, W, Wh, d, 0.0f, tmp, flops);
    cl_hk_resid(hk, id, tmp, B, T, d, pos0);
    add_rows(x, tmp, (size_t)rows * d);
}

void cl_feed_forward_hk(const cl_model *m, const layer_w *L, const float *h, int rows, float *buf, float *x,
                        double *flops, cl_hooks *hk, int stack, int layer, int B, int T, int pos0, float *tmp) {
    const int pre = cl_hk_layer_on(hk, stack, layer, HK_MLP_PRE), lin = cl_hk_layer_on(hk, stack, layer, HK_MLP_PRE_LINEAR);
    const int post = cl_hk_layer_on(hk, stack, layer, HK_MLP_POST), out = cl_hk_layer_on(hk, stack, layer, HK_MLP_OUT);
    if (!pre && !lin && !post && !out) { cl_feed_forward(m, L, h, rows, buf, x, flops); return; }
    const int d = m->cfg.d_model, F = m->cfg.d_ff;
    float *g = ff_in(m, L, h, rows, buf, flops);
    if (pre) cl_hk_resid(hk, cl_hk_id(hk, stack, layer, HK_MLP_PRE), buf, B, T, F, pos0);
    if (lin && g) cl_hk_resid(hk, cl_hk_id(hk, stack, layer, HK_MLP_PRE_LINEAR), g, B, T, F, pos0);
    ff_act(&m->cfg, buf, g, rows);
    if (post) cl_hk_resid(hk, cl_hk_id(hk, stack, layer, HK_MLP_POST), buf, B, T, F, pos0);
    cl_out_proj_hk(buf, rows, F, L->wo, L->woh, d, x, flops, hk, cl_hk_id(hk, stack, layer, HK_MLP_OUT), B, T, pos0, tmp);
}

void cl_embed(const cl_model *m, const int32_t *ids, size_t n, float *x) {
    const int d = m->cfg.d_model;
    if (!m->embed) { /* a bf16 checkpoint run in bf16: its rows widen exactly */
        for (size_t i = 0; i < n; i++)
            for (int j = 0; j < d; j++) x[i * d + j] = cl_bf16_to_f32(m->embed_h[(size_t)ids[i] * d + j]);
        return;
    }
    for (size_t i = 0; i < n; i++) memcpy(x + i * d, m->embed + (size_t)ids[i] * d, sizeof(float) * d);
}

/* bias (H, Tq, Tk): rel[bucket(j - i)][h] */
void cl_position_bias(const cl_config *c, const float *rel, int Tq, int Tk, int bidirectional, float *bias) {
    const int H = c->num_heads;
    for (int i = 0; i < Tq; i++)
        for (int j = 0; j < Tk; j++) {
            int bk = cl_relative_bucket(j - i, bidirectional, c->num_buckets, c->max_distance);
            for (int h = 0; h < H; h++) bias[((size_t)h * Tq + i) * Tk + j] = rel[(size_t)bk * H + h];
        }
}

