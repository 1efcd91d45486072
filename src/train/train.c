/* train.c — the training loop pieces (see train.h). */
#include "train/train.h"
#include "io/outlock.h"
#include "core/core.h"
#include "io/json.h"
#include "model/init.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <sys/stat.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* held-out data comes from a different stream than any training seed's */
#define HELD_OUT_SALT 0x4845c4d07a3bULL

void cl_train_default(cl_train_opts *o) {
    memset(o, 0, sizeof *o);
    o->steps = 1000; o->batch = 32; o->warmup = 100; o->cosine = 1;
    o->lr = 1e-3; o->min_lr_frac = 0.1; o->weight_decay = 0.01; o->clip = 1.0;
    o->beta1 = 0.9; o->beta2 = 0.999; o->adam_eps = 1e-8;
    o->seed = 1; o->checkpoint_every = 0; o->eval_batches = 4; o->shards = 2;
    const double mix[SYN_NFAMILIES] = {0.35, 0.25, 0.10, 0.30};
    memcpy(o->mix, mix, sizeof mix);
    o->short_frac = 0;
    o->bias_lr_mult = 1;
    o->first_step_weight = 1;
}

void cl_config_nano(cl_config *c) {
    cl_config_preset("tiny", c, NULL);
    c->d_model = 128; c->d_ff = 512; c->num_heads = 4; c->d_kv = 32;
    c->num_layers = c->num_decoder_layers = 2;
    c->context_length = 128; c->prediction_length = 32;
}

double cl_train_lr(const cl_train_opts *o, int s) {
    if (s < o->warmup) return o->lr * (s + 1) / o->warmup;
    int span = o->steps - o->warmup;
    double prog = span > 0 ? (double)(s - o->warmup) / span : 1.0, lo = o->lr * o->min_lr_frac;
    if (prog > 1) prog = 1;
    if (o->cosine) return lo + (o->lr - lo) * 0.5 * (1 + cos(M_PI * prog));
    return lo + (o->lr - lo) * (1 - prog);
}

/* posw (Td) from o.first_step_weight; NULL when it is 1 (the plain mean, bitwise) */
static int set_posw(cl_trainer *t, cl_error *err) {
    free(t->posw);
    t->posw = NULL;
    if (t->o.first_step_weight == 1) return 0;
    /* why: from the start token alone the first step must find the continuation inside
     * the encoder (a two-hop circuit); it is 1 of H + 1 terms of the mean */
    const int Td = t->data->batch.Td;
    if (!(t->posw = malloc(sizeof(float) * Td))) return cl_error_set(err, CL_ENOMEM, "train: out of memory");
    for (int j = 0; j < Td; j++) t->posw[j] = j == 0 ? (float)t->o.first_step_weight : 1.0f;
    return 0;
}

/* the data options on both batch sets: the held-out loss measures the mixture being trained on */
static int set_data(cl_trainer *t, const double *mix, double motif_frac, cl_error *err) {
    cl_data *sets[2] = {t->data, t->held};
    int rc = 0;
    for (int i = 0; i < 2 && !rc; i++) {
        rc = cl_data_set_mix(sets[i], mix, t->o.short_frac, err);
        if (!rc) rc = cl_data_set_motif_frac(sets[i], motif_frac, err);
    }
    return rc;
}

static int trainer_alloc(cl_params *p, const cl_train_opts *o, cl_trainer **out, cl_error *err) {
    cl_trainer *t = calloc(1, sizeof *t);
    if (!t) return cl_error_set(err, CL_ENOMEM, "train: out of memory");
    t->o = *o;
    t->p = p;
    t->m = cl_calloc(p->n * sizeof(float));
    t->v = cl_calloc(p->n * sizeof(float));
    t->ws = cl_grad_ws_new();
    int rc = (!t->m || !t->v || !t->ws) ? cl_error_set(err, CL_ENOMEM, "train: out of memory") : 0;
    if (!rc) rc = cl_data_new(&p->cfg, o->batch, o->seed, &t->data, err);
    if (!rc) rc = cl_data_new(&p->cfg, o->batch, o->seed ^ HELD_OUT_SALT, &t->held, err);
    if (!rc) rc = set_data(t, o->mix, o->motif_frac, err);
    if (!rc) rc = set_posw(t, err);
    if (rc) { cl_trainer_free(t); return rc; }
    *out = t;
    return 0;
}

int cl_trainer_set_first_step_weight(cl_trainer *t, double w, cl_error *err) {
    if (!(w > 0) || w > 1000) return cl_error_set(err, CL_EINVAL, "train: first-step weight %g outside (0, 1000]", w);
    t->o.first_step_weight = w;
    return set_posw(t, err);
}

int cl_trainer_set_mix(cl_trainer *t, const double *w, cl_error *err) {
    int rc = set_data(t, w, t->o.motif_frac, err);
    if (!rc) memcpy(t->o.mix, t->data->mix, sizeof t->o.mix); /* as normalised */
    return rc;
}

int cl_trainer_set_motif_frac(cl_trainer *t, double f, cl_error *err) {
    int rc = set_data(t, t->o.mix, f, err);
    if (!rc) t->o.motif_frac = f;
    return rc;
}

static int check_opts(const cl_train_opts *o, cl_error *err) {
    if (o->steps < 1 || o->batch < 1 || o->warmup < 0 || !(o->lr > 0) || o->weight_decay < 0 ||
        o->min_lr_frac < 0 || o->min_lr_frac > 1 || o->embed_value_init < 0 || o->embed_value_init > 1 || !(o->bias_lr_mult > 0) || o->bias_lr_mult > 1000 || !(o->position_init >= 0) || o->position_init > 100 || o->checkpoint_every < 0 || o->eval_batches < 0 ||
        o->n_position_offsets < 0 || o->n_position_offsets > 8 ||
        !(o->first_step_weight > 0) || o->first_step_weight > 1000 || !(o->motif_frac >= 0 && o->motif_frac <= 1) ||
        o->shards < 1 || o->shards > 64)
        return cl_error_set(err, CL_EINVAL, "train: options out of range");
    return 0;
}

int cl_trainer_new(const cl_config *cfg, const cl_train_opts *o, cl_trainer **out, cl_error *err) {
    int rc = check_opts(o, err);
    if (!rc && o->n_position_offsets > cfg->num_heads)
        rc = cl_error_set(err, CL_EINVAL, "train: %d position offsets for %d heads", o->n_position_offsets, cfg->num_heads);
    cl_params *p = NULL;
    if (!rc) rc = cl_params_new(cfg, o->seed, &p, err);
    if (!rc && o->embed_value_init > 0) cl_params_value_embeddings(p, o->seed, o->embed_value_init);
    if (!rc && o->position_init > 0) cl_params_position_init(p, o->position_init, o->position_offsets, o->n_position_offsets);
    if (!rc) rc = trainer_alloc(p, o, out, err);
    else cl_params_free(p);
    return rc;
}

static void shards_free(cl_trainer *t) {
    for (int s = 0; s < t->nshards; s++) {
        if (t->sws) cl_grad_ws_free(t->sws[s]);
        if (t->sg && s > 0) cl_free(t->sg[s]);
        if (t->sgm) cl_params_views_free(&t->sgm[s]);
    }
    free(t->sws); free(t->sg); free(t->sgm);
    t->sws = NULL; t->sg = NULL; t->sgm = NULL;
    t->nshards = 0;
}

/* `want` shards (at most one per series); 1 = the plain single-pass step. */
static int shards_ensure(cl_trainer *t, int want, cl_error *err) {
    if (want > t->data->B) want = t->data->B;
    if (want < 1) want = 1;
    if (want == t->nshards) return 0;
    shards_free(t);
    if (want == 1) return 0;
    t->sws = calloc((size_t)want, sizeof *t->sws);
    t->sg = calloc((size_t)want, sizeof *t->sg);
    t->sgm = calloc((size_t)want, sizeof *t->sgm);
    if (!t->sws || !t->sg || !t->sgm) {
        shards_free(t); /* nshards is still 0: frees the arrays only */
        return cl_error_set(err, CL_ENOMEM, "train: out of memory");
    }
    t->nshards = want;
    for (int s = 0; s < want; s++) {
        t->sws[s] = cl_grad_ws_new();
        t->sg[s] = s == 0 ? t->p->g : cl_calloc(t->p->n * sizeof(float));
        if (!t->sws[s] || !t->sg[s] || cl_params_views(t->p, t->sg[s], &t->sgm[s])) {
            shards_free(t);
            return cl_error_set(err, CL_ENOMEM, "train: out of memory for %d gradient shards", want);
        }
    }
    return 0;
}

typedef struct shard_job {
    cl_trainer *t;
    const cl_batch *bt;
    double norm;
    double loss[64];
    int rc[64];
    cl_error err[64];
} shard_job;

/* Shard s: rows [B s / S, B (s + 1) / S) of the batch; its products run serially inside
 * (a nested cl_parallel_for runs in place). */
static void shard_task(void *ctx, int s, int tid) {
    (void)tid;
    shard_job *j = ctx;
    cl_trainer *t = j->t;
    const cl_batch *bt = j->bt;
    const int S = t->nshards, b0 = bt->B * s / S, b1 = bt->B * (s + 1) / S;
    cl_batch sb = {b1 - b0, bt->T, bt->Td, bt->enc_ids + (size_t)b0 * bt->T, bt->enc_mask + (size_t)b0 * bt->T,
                   bt->dec_ids + (size_t)b0 * bt->Td, bt->labels + (size_t)b0 * bt->Td, bt->pos_weight};
    memset(t->sg[s], 0, t->p->n * sizeof(float));
    j->rc[s] = cl_loss_grad_to(t->p, &t->sgm[s], t->sws[s], &sb, 1, j->norm, &j->loss[s], NULL, NULL, &j->err[s]);
}

/* Loss and gradient (into p->g) of batch bt, split over the shards. */
static int sharded_loss_grad(cl_trainer *t, const cl_batch *bt, double *loss, cl_error *err) {
    const double wsum = cl_batch_weight(bt); /* the token count when every weight is 1 */
    if (!(wsum > 0)) { cl_params_zero_grad(t->p); *loss = 0; return 0; }
    shard_job *j = calloc(1, sizeof *j);
    if (!j) return cl_error_set(err, CL_ENOMEM, "train: out of memory");
    j->t = t; j->bt = bt; j->norm = wsum;
    cl_parallel_for(t->nshards, shard_task, j);
    int rc = 0;
    double total = 0;
    for (int s = 0; s < t->nshards && !rc; s++) {
        if (j->rc[s]) { *err = j->err[s]; rc = j->rc[s]; }
        total += j->loss[s];
    }
    /* p->g is shard 0's buffer: add the others in shard order */
    for (int s = 1; s < t->nshards && !rc; s++) {
        const float *g = t->sg[s];
        for (size_t i = 0; i < t->p->n; i++) t->p->g[i] += g[i];
    }
    free(j);
    *loss = total / wsum;
    return rc;
}

void cl_trainer_free(cl_trainer *t) {
    if (!t) return;
    cl_params_free(t->p);
    cl_free(t->m);
    cl_free(t->v);
    cl_data_free(t->data);
    cl_data_free(t->held);
    cl_grad_ws_free(t->ws);
    shards_free(t);
    free(t->rows);
    free(t->evals);
    free(t->posw);
    free(t);
}

/* Makes room for one more element in *arr (n used of *cap, elements of size elt), doubling
 * from first; -1 when out of memory (the array is left as it was). */
static int grow(void *arr, int n, int *cap, size_t elt, int first) {
    if (n < *cap) return 0;
    int nc = *cap ? 2 * *cap : first;
    void *na = realloc(*(void **)arr, elt * (size_t)nc);
    if (!na) return -1;
    *(void **)arr = na;
    *cap = nc;
    return 0;
}

/* HF Trainer's rule: no decay on norm weights and biases (the relative position tables) */
static int decays(const cl_ptensor *t) { return t->ndim == 2 && !strstr(t->name, "bias"); }

int cl_trainer_step(cl_trainer *t, cl_train_row *row, cl_error *err) {
    double t0 = cl_now(), loss;
    cl_params *p = t->p;
    cl_data_make(t->data, (uint64_t)t->step, -1);
    t->data->batch.pos_weight = t->posw;
    /* shards from the options, not the thread count: the pool's threads take them as they
     * come, each computed the same way on any thread, summed in shard order */
    int rc = shards_ensure(t, t->o.shards, err);
    if (rc) return rc;
    if (t->nshards > 1) {
        rc = sharded_loss_grad(t, &t->data->batch, &loss, err);
    } else {
        cl_params_zero_grad(p);
        int ntok;
        rc = cl_loss_grad(p, t->ws, &t->data->batch, 1, &loss, &ntok, NULL, err);
    }
    if (rc) return rc;
    if (!isfinite(loss)) return cl_error_set(err, CL_EINVAL, "train: loss is not finite at step %d", t->step + 1);
    double ss = 0;
    for (size_t i = 0; i < p->n; i++) ss += (double)p->g[i] * p->g[i];
    double norm = sqrt(ss), gs = 1.0;
    if (t->o.clip > 0 && norm > t->o.clip) gs = t->o.clip / (norm + 1e-6); /* as torch clip_grad_norm_ */
    const double lr = cl_train_lr(&t->o, t->step);
    const int k = t->step + 1;
    const double b1 = t->o.beta1, b2 = t->o.beta2, bc1 = 1 - pow(b1, k), bc2 = 1 - pow(b2, k);
    const float fb1 = (float)b1, fb2 = (float)b2, feps = (float)t->o.adam_eps;
    const float step_size = (float)(lr / bc1), fbc2 = (float)sqrt(bc2), fgs = (float)gs;
    for (int i = 0; i < p->nt; i++) {
        const cl_ptensor *pt = &p->t[i];
        const float wd = decays(pt) ? (float)(1.0 - lr * t->o.weight_decay) : 1.0f;
        /* the position tables move at bias_lr_mult x the rate: Adam moves each entry by ~lr
         * per step, and a sharp previous-token head needs entries of several units */
        const float ss = strstr(pt->name, "relative_attention_bias") ? step_size * (float)t->o.bias_lr_mult : step_size;
        float *w = p->w + pt->off, *g = p->g + pt->off, *m = t->m + pt->off, *v = t->v + pt->off;
        for (size_t j = 0; j < pt->n; j++) {
            float gj = g[j] * fgs;
            m[j] = fb1 * m[j] + (1 - fb1) * gj;
            v[j] = fb2 * v[j] + (1 - fb2) * gj * gj;
            w[j] *= wd; /* decoupled weight decay (torch AdamW: before the Adam update) */
            w[j] -= ss * m[j] / (sqrtf(v[j]) / fbc2 + feps);
        }
    }
    t->step = k;
    double el = cl_now() - t0;
    cl_train_row r = {k, loss, lr, norm, el > 0 ? (double)(t->data->batch.B * (t->data->batch.T + t->data->batch.Td)) / el : 0};
    if (grow(&t->rows, t->nrows, &t->caprows, sizeof *t->rows, 256)) return cl_error_set(err, CL_ENOMEM, "train: out of memory");
    t->rows[t->nrows++] = r;
    if (row) *row = r;
    return 0;
}

int cl_trainer_evaluate(cl_trainer *t, const char *dir, cl_eval_row *row, cl_error *err) {
    cl_eval_row e = {.step = t->step};
    snprintf(e.dir, sizeof e.dir, "%s", dir ? dir : "");
    double tot = 0, early = 0, late = 0;
    long n = 0, ne = 0, nl = 0;
    for (int b = 0; b < t->o.eval_batches; b++) {
        cl_data_make(t->held, (uint64_t)b, -1);
        double loss;
        int ntok, rc = cl_loss_grad(t->p, t->ws, &t->held->batch, 0, &loss, &ntok, NULL, err);
        if (rc) return rc;
        tot += loss * ntok;
        n += ntok;
        const float *tl = cl_grad_ws_token_loss(t->ws);
        const int H = t->held->H, Td = t->held->batch.Td, q = H / 4 > 0 ? H / 4 : 1;
        for (int s = 0; s < t->held->B; s++)
            for (int j = 0; j < H; j++) {
                float v = tl[(size_t)s * Td + j];
                if (isnan(v)) continue;
                if (j < q) { early += v; ne++; }
                if (j >= H - q) { late += v; nl++; }
            }
    }
    e.loss = n ? tot / n : NAN;
    e.loss_early = ne ? early / ne : NAN;
    e.loss_late = nl ? late / nl : NAN;
    e.icl = e.loss_late - e.loss_early;
    if (grow(&t->evals, t->nevals, &t->capevals, sizeof *t->evals, 32)) return cl_error_set(err, CL_ENOMEM, "train: out of memory");
    t->evals[t->nevals++] = e;
    if (row) *row = e;
    return 0;
}

/* ------------------------------------------------------------------ save / resume */

static int save_logs(const cl_trainer *t, const char *dir, cl_error *err) {
    char path[4096];
    cl_out o;
    int rc = cl_out_open(&o, cl_path_join(path, sizeof path, dir, "train.csv"), err);
    if (rc) return rc;
    fprintf(o.fp, "step,loss,lr,grad_norm,tokens_per_s\n");
    for (int i = 0; i < t->nrows; i++) {
        const cl_train_row *r = &t->rows[i];
        fprintf(o.fp, "%d,%.9g,%.9g,%.9g,%.1f\n", r->step, r->loss, r->lr, r->grad_norm, r->tokens_per_s);
    }
    if ((rc = cl_out_commit(&o, err))) return rc;
    if ((rc = cl_out_open(&o, cl_path_join(path, sizeof path, dir, "checkpoints.csv"), err))) return rc;
    fprintf(o.fp, "step,eval_loss,loss_early,loss_late,icl_score,checkpoint\n");
    for (int i = 0; i < t->nevals; i++) {
        const cl_eval_row *r = &t->evals[i];
        fprintf(o.fp, "%d,%.9g,%.9g,%.9g,%.9g,%s\n", r->step, r->loss, r->loss_early, r->loss_late, r->icl, r->dir);
    }
    return cl_out_commit(&o, err);
}

int cl_trainer_save(const cl_trainer *t, const char *dir, cl_error *err) {
    int rc = cl_params_save(t->p, dir, err);
    if (rc) return rc;
    char path[4096];
    st_writer *w = st_writer_new();
    int64_t sh[1] = {(int64_t)t->p->n};
    st_writer_add(w, "adam.m", ST_F32, 1, sh, t->m);
    st_writer_add(w, "adam.v", ST_F32, 1, sh, t->v);
    rc = st_writer_save(w, cl_path_join(path, sizeof path, dir, "optimizer.safetensors"), NULL, err);
    st_writer_free(w);
    if (rc) return rc;
    cJSON *j = cJSON_CreateObject();
    char seed[32];
    snprintf(seed, sizeof seed, "%" PRIu64, t->o.seed);
    cJSON_AddNumberToObject(j, "step", t->step);
    cJSON_AddNumberToObject(j, "steps", t->o.steps);
    cJSON_AddNumberToObject(j, "batch", t->o.batch);
    cJSON_AddNumberToObject(j, "warmup", t->o.warmup);
    cJSON_AddStringToObject(j, "decay", t->o.cosine ? "cosine" : "linear");
    cJSON_AddNumberToObject(j, "lr", t->o.lr);
    cJSON_AddNumberToObject(j, "min_lr_frac", t->o.min_lr_frac);
    cJSON_AddNumberToObject(j, "weight_decay", t->o.weight_decay);
    cJSON_AddNumberToObject(j, "clip", t->o.clip);
    cJSON_AddNumberToObject(j, "beta1", t->o.beta1);
    cJSON_AddNumberToObject(j, "beta2", t->o.beta2);
    cJSON_AddNumberToObject(j, "adam_eps", t->o.adam_eps);
    cJSON_AddStringToObject(j, "seed", seed);
    cJSON_AddNumberToObject(j, "checkpoint_every", t->o.checkpoint_every);
    cJSON_AddNumberToObject(j, "eval_batches", t->o.eval_batches);
    cJSON_AddNumberToObject(j, "shards", t->o.shards);
    cJSON_AddItemToObject(j, "mix", cJSON_CreateDoubleArray(t->o.mix, SYN_NFAMILIES));
    cJSON_AddNumberToObject(j, "short_frac", t->o.short_frac);
    cJSON_AddNumberToObject(j, "embed_value_init", t->o.embed_value_init);
    cJSON_AddNumberToObject(j, "bias_lr_mult", t->o.bias_lr_mult);
    cJSON_AddNumberToObject(j, "position_init", t->o.position_init);
    if (t->o.n_position_offsets > 0)
        cJSON_AddItemToObject(j, "position_offsets", cJSON_CreateIntArray(t->o.position_offsets, t->o.n_position_offsets));
    cJSON_AddNumberToObject(j, "first_step_weight", t->o.first_step_weight);
    if (t->o.motif_frac > 0) cJSON_AddNumberToObject(j, "motif_frac", t->o.motif_frac);
    rc = cl_json_save(cl_path_join(path, sizeof path, dir, "trainer_state.json"), j, err);
    cJSON_Delete(j);
    if (!rc) rc = save_logs(t, dir, err);
    return rc;
}

static double jnum(const cJSON *j, const char *k, int *bad) {
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(j, k);
    if (!cJSON_IsNumber(x)) { *bad = 1; return 0; }
    return x->valuedouble;
}

/* An optional number: *dst keeps its value when k is absent; present but not a number is bad. */
static void jnum_opt(const cJSON *j, const char *k, double *dst, int *bad) {
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(j, k);
    if (!x) return;
    if (!cJSON_IsNumber(x)) *bad = 1;
    else *dst = x->valuedouble;
}

static int load_state(const char *dir, cl_train_opts *o, int *step, cl_error *err) {
    char path[4096], *text;
    size_t len;
    cl_path_join(path, sizeof path, dir, "trainer_state.json");
    int rc = cl_read_file(path, 1 << 20, &text, &len, err);
    if (rc) return rc;
    cJSON *j = cJSON_Parse(text);
    free(text);
    if (!j) return cl_error_set(err, CL_EFORMAT, "%s: not valid JSON", path);
    int bad = 0;
    cl_train_default(o);
    *step = (int)jnum(j, "step", &bad);
    o->steps = (int)jnum(j, "steps", &bad);
    o->batch = (int)jnum(j, "batch", &bad);
    o->warmup = (int)jnum(j, "warmup", &bad);
    o->lr = jnum(j, "lr", &bad);
    o->min_lr_frac = jnum(j, "min_lr_frac", &bad);
    o->weight_decay = jnum(j, "weight_decay", &bad);
    o->clip = jnum(j, "clip", &bad);
    o->beta1 = jnum(j, "beta1", &bad);
    o->beta2 = jnum(j, "beta2", &bad);
    o->adam_eps = jnum(j, "adam_eps", &bad);
    o->checkpoint_every = (int)jnum(j, "checkpoint_every", &bad);
    o->eval_batches = (int)jnum(j, "eval_batches", &bad);
    /* data options: absent in the first runs, which used the defaults */
    const cJSON *mx = cJSON_GetObjectItemCaseSensitive(j, "mix");
    if (mx) {
        if (!cJSON_IsArray(mx) || cJSON_GetArraySize(mx) != SYN_NFAMILIES) bad = 1;
        for (int f = 0; f < SYN_NFAMILIES && !bad; f++) {
            const cJSON *e = cJSON_GetArrayItem(mx, f);
            if (!cJSON_IsNumber(e)) bad = 1;
            else o->mix[f] = e->valuedouble;
        }
    }
    const cJSON *po = cJSON_GetObjectItemCaseSensitive(j, "position_offsets");
    if (po) {
        const int n = cJSON_IsArray(po) ? cJSON_GetArraySize(po) : -1;
        if (n < 1 || n > 8) bad = 1;
        for (int h = 0; h < n && !bad; h++) {
            const cJSON *e = cJSON_GetArrayItem(po, h);
            if (!cJSON_IsNumber(e) || fabs(e->valuedouble) > 4096) bad = 1;
            else o->position_offsets[h] = (int)e->valuedouble;
        }
        if (!bad) o->n_position_offsets = n;
    }
    /* absent in older runs: the defaults (0, 0, 1, 0, 1) stand */
    jnum_opt(j, "embed_value_init", &o->embed_value_init, &bad);
    jnum_opt(j, "position_init", &o->position_init, &bad);
    jnum_opt(j, "bias_lr_mult", &o->bias_lr_mult, &bad);
    jnum_opt(j, "short_frac", &o->short_frac, &bad);
    jnum_opt(j, "first_step_weight", &o->first_step_weight, &bad);
    jnum_opt(j, "motif_frac", &o->motif_frac, &bad);
    /* absent before shards were an option: those runs had one shard per thread (2 on the
     * machines they ran on, the bundled model's), the default */
    double shards = o->shards;
    jnum_opt(j, "shards", &shards, &bad);
    o->shards = shards == (int)shards ? (int)shards : -1;
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(j, "decay"), *s = cJSON_GetObjectItemCaseSensitive(j, "seed");
    if (!cJSON_IsString(d) || !cJSON_IsString(s)) bad = 1;
    else {
        o->cosine = strcmp(d->valuestring, "cosine") == 0;
        char *end;
        errno = 0;
        o->seed = strtoull(s->valuestring, &end, 10);
        if (*end || errno) bad = 1;
    }
    cJSON_Delete(j);
    if (bad || *step < 0) return cl_error_set(err, CL_EFORMAT, "%s: missing or malformed field", path);
    return check_opts(o, err) ? cl_error_set(err, CL_EFORMAT, "%s: options out of range", path) : 0;
}

/* Reads back the rows of train.csv / checkpoints.csv written by save_logs. */
static int load_logs(cl_trainer *t, const char *dir, cl_error *err) {
    char path[4096], *text, *line, *save;
    size_t len;
    int rc = cl_read_file(cl_path_join(path, sizeof path, dir, "train.csv"), (size_t)1 << 30, &text, &len, err);
    if (rc) return rc;
    int first = 1;
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save), first = 0) {
        if (first) continue;
        cl_train_row r;
        if (sscanf(line, "%d,%lf,%lf,%lf,%lf", &r.step, &r.loss, &r.lr, &r.grad_norm, &r.tokens_per_s) != 5) {
            free(text);
            return cl_error_set(err, CL_EFORMAT, "%s: malformed row '%.40s'", path, line);
        }
        if (grow(&t->rows, t->nrows, &t->caprows, sizeof *t->rows, 256)) { free(text); return cl_error_set(err, CL_ENOMEM, "train: out of memory"); }
        t->rows[t->nrows++] = r;
    }
    free(text);
    rc = cl_read_file(cl_path_join(path, sizeof path, dir, "checkpoints.csv"), (size_t)1 << 30, &text, &len, err);
    if (rc) return rc;
    first = 1;
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save), first = 0) {
        if (first) continue;
        cl_eval_row e;
        memset(&e, 0, sizeof e);
        if (sscanf(line, "%d,%lf,%lf,%lf,%lf,%255s", &e.step, &e.loss, &e.loss_early, &e.loss_late, &e.icl, e.dir) < 5) {
            free(text);
            return cl_error_set(err, CL_EFORMAT, "%s: malformed row '%.40s'", path, line);
        }
        if (grow(&t->evals, t->nevals, &t->capevals, sizeof *t->evals, 32)) { free(text); return cl_error_set(err, CL_ENOMEM, "train: out of memory"); }
        t->evals[t->nevals++] = e;
    }
    free(text);
    return 0;
}

int cl_trainer_resume(const char *dir, int steps, cl_trainer **out, cl_error *err) {
    cl_train_opts o;
    int step = 0, rc = load_state(dir, &o, &step, err);
    if (rc) return rc;
    if (steps > 0) o.steps = steps;
    cl_params *p;
    if ((rc = cl_params_load(dir, &p, err))) return rc;
    cl_trainer *t;
    if ((rc = trainer_alloc(p, &o, &t, err))) { cl_params_free(p); return rc; }
    t->step = step;
    char path[4096];
    st_file f;
    if ((rc = st_open(cl_path_join(path, sizeof path, dir, "optimizer.safetensors"), &f, err))) goto fail;
    const st_tensor *m = st_find(&f, "adam.m"), *v = st_find(&f, "adam.v");
    if (!m || !v || m->dtype != ST_F32 || v->dtype != ST_F32 || st_numel(m) != p->n || st_numel(v) != p->n) {
        st_close(&f);
        rc = cl_error_set(err, CL_EFORMAT, "%s: adam.m / adam.v missing or not %zu fp32 values (another model?)", path, p->n);
        goto fail;
    }
    memcpy(t->m, m->data, p->n * sizeof(float));
    memcpy(t->v, v->data, p->n * sizeof(float));
    st_close(&f);
    if ((rc = load_logs(t, dir, err))) goto fail;
    *out = t;
    return 0;
fail:
    cl_trainer_free(t);
    return rc;
}

/* out/checkpoints/step-NNNNNN: the held-out evaluation (recorded under that name), the run */
static int save_checkpoint(cl_trainer *t, const char *out, const cl_progress *progress, cl_error *err) {
    char sub[64], path[4096], stage[4200];
    snprintf(sub, sizeof sub, "checkpoints/step-%06d", t->step);
    cl_path_join(path, sizeof path, out, "checkpoints");
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
        return cl_error_set(err, CL_EIO, "%s: cannot create directory: %s", path, strerror(errno));
    cl_path_join(path, sizeof path, out, sub);
    int rc = t->o.eval_batches ? cl_trainer_evaluate(t, sub, NULL, err) : 0;
    if (!rc) rc = cl_trainer_save(t, path, err);
    snprintf(stage, sizeof stage, "train: checkpoint %s", path);
    if (!rc) cl_progress_report(progress, stage, t->step, t->o.steps);
    return rc;
}

int cl_trainer_run(cl_trainer *t, const char *out, const cl_progress *progress, cl_error *err) {
    struct stat sb;
    if ((mkdir(out, 0777) != 0 && errno != EEXIST) || stat(out, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return cl_error_set(err, CL_EIO, "--out %s: cannot create directory: %s", out,
                            errno == EEXIST ? "a file of that name exists" : strerror(errno));
    int rc = 0;
    if (t->o.checkpoint_every > 0 && t->step == 0) rc = save_checkpoint(t, out, progress, err);
    const int start = t->step;
    char label[96];
    while (!rc && t->step < t->o.steps) {
        cl_train_row row;
        if ((rc = cl_trainer_step(t, &row, err))) break;
        snprintf(label, sizeof label, "train: step %d/%d, loss %.3f", t->step, t->o.steps, row.loss);
        if ((rc = cl_progress_point(progress, label, t->step - start, t->o.steps - start, err))) break;
        if (t->o.checkpoint_every > 0 && t->step % t->o.checkpoint_every == 0) rc = save_checkpoint(t, out, progress, err);
    }
    if (!rc && t->o.eval_batches && (t->nevals == 0 || t->evals[t->nevals - 1].step != t->step))
        rc = cl_trainer_evaluate(t, ".", NULL, err);
    if (!rc) rc = cl_trainer_save(t, out, err);
    return rc;
}
