/* params.c — flat parameter buffers, their cl_model views, init, load and save. */
#include "train/params.h"
#include "core/core.h"
#include "model/init.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* One walk over every tensor in checkpoint order; the visitor sees the tensor's name,
 * shape, init std (0: norm weight = 1) and its pointer slot in a cl_model view. */
typedef void (*visit_fn)(void *ctx, const char *name, int rows, int cols, double std, const float **slot);

static void walk(const cl_config *c, cl_model *m, visit_fn fn, void *ctx) {
    const int d = c->d_model, HD = c->num_heads * c->d_kv, F = c->d_ff, V = c->vocab_size;
    const double s_d = 1.0 / sqrt(d), s_q = 1.0 / sqrt((double)d * c->d_kv), s_o = 1.0 / sqrt(HD),
                 s_f = 1.0 / sqrt(F);
    char n[112];
    fn(ctx, "shared.weight", V, d, 1.0, &m->embed);
    for (int s = 0; s < 2; s++) {
        const char *stk = s ? "decoder" : "encoder";
        int layers = s ? c->num_decoder_layers : c->num_layers;
        for (int i = 0; i < layers; i++) {
            layer_w *L = s ? &m->dec[i] : &m->enc[i];
            for (int a = 0; a < (s ? 2 : 1); a++) {
                const char *an = a ? "1.EncDecAttention" : "0.SelfAttention";
                attn_w *A = a ? &L->cross : &L->self;
                snprintf(n, sizeof n, "%s.block.%d.layer.%s.q.weight", stk, i, an); fn(ctx, n, HD, d, s_q, &A->q);
                snprintf(n, sizeof n, "%s.block.%d.layer.%s.k.weight", stk, i, an); fn(ctx, n, HD, d, s_d, &A->k);
                snprintf(n, sizeof n, "%s.block.%d.layer.%s.v.weight", stk, i, an); fn(ctx, n, HD, d, s_d, &A->v);
                snprintf(n, sizeof n, "%s.block.%d.layer.%s.o.weight", stk, i, an); fn(ctx, n, d, HD, s_o, &A->o);
                snprintf(n, sizeof n, "%s.block.%d.layer.%d.layer_norm.weight", stk, i, a);
                fn(ctx, n, d, 0, 0, a ? &L->ln_cross : &L->ln_self);
            }
            if (i == 0) {
                snprintf(n, sizeof n, "%s.block.0.layer.0.SelfAttention.relative_attention_bias.weight", stk);
                fn(ctx, n, c->num_buckets, c->num_heads, s_d, s ? &m->dec_rel : &m->enc_rel);
            }
            int fl = s ? 2 : 1;
            snprintf(n, sizeof n, "%s.block.%d.layer.%d.DenseReluDense.wi.weight", stk, i, fl); fn(ctx, n, F, d, s_d, &L->wi);
            snprintf(n, sizeof n, "%s.block.%d.layer.%d.DenseReluDense.wo.weight", stk, i, fl); fn(ctx, n, d, F, s_f, &L->wo);
            snprintf(n, sizeof n, "%s.block.%d.layer.%d.layer_norm.weight", stk, i, fl); fn(ctx, n, d, 0, 0, &L->ln_ff);
        }
        snprintf(n, sizeof n, "%s.final_layer_norm.weight", stk);
        fn(ctx, n, d, 0, 0, s ? &m->dec_final : &m->enc_final);
    }
}

/* ---- visitors */

typedef struct { cl_params *p; size_t off; int record; float *base; } layout_ctx;

static void v_layout(void *vc, const char *name, int rows, int cols, double std, const float **slot) {
    layout_ctx *c = vc;
    size_t n = (size_t)rows * (cols ? cols : 1);
    if (c->record) {
        cl_ptensor *t = &c->p->t[c->p->nt++];
        snprintf(t->name, sizeof t->name, "%s", name);
        t->ndim = cols ? 2 : 1;
        t->shape[0] = rows;
        t->shape[1] = cols;
        t->off = c->off;
        t->n = n;
    }
    if (c->base) *slot = c->base + c->off;
    c->off += n;
}

typedef struct { float *w; size_t off; cl_rng rng; } init_ctx;

static void v_init(void *vc, const char *name, int rows, int cols, double std, const float **slot) {
    init_ctx *c = vc;
    size_t n = (size_t)rows * (cols ? cols : 1);
    for (size_t i = 0; i < n; i++) c->w[c->off + i] = std > 0 ? (float)(std * cl_rng_normal(&c->rng)) : 1.0f;
    c->off += n;
}

typedef struct { float *w; size_t off; } copy_ctx;

static void v_copy(void *vc, const char *name, int rows, int cols, double std, const float **slot) {
    copy_ctx *c = vc;
    size_t n = (size_t)rows * (cols ? cols : 1);
    memcpy(c->w + c->off, *slot, n * sizeof(float));
    c->off += n;
}

static void count_visit(void *vc, const char *name, int rows, int cols, double std, const float **slot) {
    (void)name; (void)rows; (void)cols; (void)std; (void)slot;
    ++*(int *)vc;
}

/* ---- construction */

int cl_params_check_config(const cl_config *c, cl_error *err) {
    if (c->gated || c->act_gelu != 0)
        return cl_error_set(err, CL_EINVAL, "training supports the ReLU feed-forward of the published models only");
    if (!c->tied) return cl_error_set(err, CL_EINVAL, "training supports tied embeddings only");
    if (c->d_model < 1 || c->d_kv < 1 || c->num_heads < 1 || c->d_ff < 1 || c->num_layers < 1 ||
        c->num_decoder_layers < 1 || c->vocab_size < 3 || c->num_buckets < 2)
        return cl_error_set(err, CL_EINVAL, "training: bad model shape");
    return 0;
}

static void views_free(cl_model *m) { free(m->enc); free(m->dec); }

static int views_alloc(cl_model *m, const cl_config *c) {
    memset(m, 0, sizeof *m);
    m->cfg = *c;
    m->enc = calloc((size_t)c->num_layers, sizeof(layer_w));
    m->dec = calloc((size_t)c->num_decoder_layers, sizeof(layer_w));
    snprintf(m->dtype, sizeof m->dtype, "F32");
    return m->enc && m->dec ? 0 : -1;
}

static int params_alloc(const cl_config *cfg, cl_params **out, cl_error *err) {
    int rc = cl_params_check_config(cfg, err);
    if (rc) return rc;
    cl_params *p = calloc(1, sizeof *p);
    if (!p) return cl_error_set(err, CL_ENOMEM, "params: out of memory");
    p->cfg = *cfg;
    int nt = 0;
    cl_model tmp;
    if (views_alloc(&tmp, cfg)) { free(p); return cl_error_set(err, CL_ENOMEM, "params: out of memory"); }
    walk(cfg, &tmp, count_visit, &nt);
    views_free(&tmp);
    p->t = calloc((size_t)nt, sizeof *p->t);
    layout_ctx lc = {.p = p, .record = 1};
    if (p->t && !views_alloc(&p->wm, cfg) && !views_alloc(&p->gm, cfg)) {
        walk(cfg, &p->wm, v_layout, &lc);
        p->n = lc.off;
        p->w = cl_calloc(p->n * sizeof(float));
        p->g = cl_calloc(p->n * sizeof(float));
    }
    if (!p->t || !p->w || !p->g) { cl_params_free(p); return cl_error_set(err, CL_ENOMEM, "params: out of memory"); }
    layout_ctx wv = {.p = p, .base = p->w}, gv = {.p = p, .base = p->g};
    walk(cfg, &p->wm, v_layout, &wv);
    walk(cfg, &p->gm, v_layout, &gv);
    /* tied: the output head is the embedding */
    p->wm.lm_head = p->wm.embed;
    p->gm.lm_head = p->gm.embed;
    p->wm.nparams = p->gm.nparams = p->n;
    *out = p;
    return 0;
}

int cl_params_views(const cl_params *p, float *base, cl_model *out) {
    if (views_alloc(out, &p->cfg)) { views_free(out); memset(out, 0, sizeof *out); return -1; }
    layout_ctx v = {.p = (cl_params *)p, .base = base};
    walk(&p->cfg, out, v_layout, &v);
    out->lm_head = out->embed;
    out->nparams = p->n;
    return 0;
}

void cl_params_views_free(cl_model *m) { views_free(m); memset(m, 0, sizeof *m); }

int cl_params_new(const cl_config *cfg, uint64_t seed, cl_params **out, cl_error *err) {
    cl_params *p;
    int rc = params_alloc(cfg, &p, err);
    if (rc) return rc;
    init_ctx ic = {.w = p->w};
    cl_rng_seed(&ic.rng, seed);
    walk(cfg, &p->wm, v_init, &ic);
    *out = p;
    return 0;
}

void cl_params_value_embeddings(cl_params *p, uint64_t seed, double alpha) {
    const cl_config *c = &p->cfg;
    const int d = c->d_model, half = d / 2 > 0 ? d / 2 : 1;
    cl_rng r;
    cl_rng_seed(&r, seed ^ 0x656d6265645f7631ULL);
    float *E = p->w; /* shared.weight is the first tensor */
    const double a = sqrt(alpha), b = sqrt(1 - alpha);
    for (int id = c->n_special_tokens; id < c->vocab_size && id < c->n_tokens; id++) {
        double v = cl_tokenizer_center(c, id);
        float *row = E + (size_t)id * d;
        for (int j = 0; j < d; j++) {
            int k = j / 2;
            double w = 0.2 * pow(300.0, half > 1 ? (double)k / (half - 1) : 0.0);
            double f = (j % 2 ? cos(w * v) : sin(w * v)) * sqrt(2.0);
            row[j] = (float)(b * cl_rng_normal(&r) + a * f);
        }
    }
}

void cl_params_position_init(cl_params *p, double strength, const int *offsets, int n) {
    static const int def[2] = {-1, 1};
    const cl_config *c = &p->cfg;
    float *rel = (float *)p->wm.enc_rel; /* (num_buckets, H), shared by every encoder layer */
    const int H = c->num_heads;
    if (n <= 0) { offsets = def; n = 2; }
    for (int h = 0; h < n && h < H; h++)
        rel[(size_t)cl_relative_bucket(offsets[h], 1, c->num_buckets, c->max_distance) * H + h] += (float)strength;
}

int cl_params_load(const char *dir, cl_params **out, cl_error *err) {
    cl_model *m;
    int rc = cl_model_load(dir, NULL, &m, err);
    if (rc) return rc;
    if ((rc = cl_model_require_t5(m, dir, "training", err))) { /* the backward pass is Chronos-T5's */
        cl_model_free(m);
        return rc;
    }
    cl_params *p;
    if ((rc = params_alloc(&m->cfg, &p, err))) {
        cl_model_free(m);
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err ? err->msg : "cannot train this model");
        return cl_error_set(err, rc, "%s: %s", dir, why);
    }
    copy_ctx cc = {.w = p->w};
    walk(&m->cfg, m, v_copy, &cc);
    cl_model_free(m);
    *out = p;
    return 0;
}

void cl_params_free(cl_params *p) {
    if (!p) return;
    views_free(&p->wm);
    views_free(&p->gm);
    cl_free(p->w);
    cl_free(p->g);
    free(p->t);
    free(p);
}

int cl_params_save(const cl_params *p, const char *dir, cl_error *err) {
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return cl_error_set(err, CL_EIO, "%s: cannot create directory: %s", dir, strerror(errno));
    st_writer *w = st_writer_new();
    if (!w) return cl_error_set(err, CL_ENOMEM, "%s: out of memory", dir);
    for (int i = 0; i < p->nt; i++)
        st_writer_add(w, p->t[i].name, ST_F32, p->t[i].ndim, p->t[i].shape, p->w + p->t[i].off);
    char path[4096];
    int rc = st_writer_save(w, cl_path_join(path, sizeof path, dir, "model.safetensors"), "pt", err);
    st_writer_free(w);
    if (!rc) rc = cl_config_save(cl_path_join(path, sizeof path, dir, "config.json"), &p->cfg, err);
    return rc;
}

int cl_params_find(const cl_params *p, const char *name) {
    for (int i = 0; i < p->nt; i++)
        if (strcmp(p->t[i].name, name) == 0) return i;
    return -1;
}

void cl_params_zero_grad(cl_params *p) { memset(p->g, 0, p->n * sizeof(float)); }
