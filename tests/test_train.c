/* test_train.c — training on a tiny model: the held-out loss goes down, a resumed run
 * equals the uninterrupted one bit for bit, checkpoints load in the engine and its logits
 * equal the training forward's; the CLI's bad-input paths. */
#include "testutil.h"
#include "core/core.h"
#include "model/init.h"
#include "train/train.h"
#include "train/params.h"
#include "data/batch.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void tiny(cl_config *c, cl_train_opts *o) {
    cl_config_preset("tiny", c, NULL);
    c->d_model = 16; c->d_kv = 8; c->num_heads = 2; c->d_ff = 32;
    c->num_layers = 1; c->num_decoder_layers = 1;
    c->context_length = 24; c->prediction_length = 6;
    cl_train_default(o);
    o->steps = 100; o->batch = 8; o->warmup = 5; o->lr = 1e-2; o->seed = 9; o->eval_batches = 2;
}

static void test_loss_goes_down(void **st) {
    (void)st;
    cl_config c;
    cl_train_opts o;
    tiny(&c, &o);
    cl_trainer *t;
    cl_error err;
    if (cl_trainer_new(&c, &o, &t, &err)) fail_msg("%s", err.msg);
    cl_eval_row before, after;
    assert_int_equal(cl_trainer_evaluate(t, NULL, &before, &err), 0);
    for (int i = 0; i < o.steps; i++) assert_int_equal(cl_trainer_step(t, NULL, &err), 0);
    assert_int_equal(cl_trainer_evaluate(t, NULL, &after, &err), 0);
    if (!(after.loss < before.loss - 1.0))
        fail_msg("held-out loss %.4f -> %.4f after %d steps", before.loss, after.loss, o.steps);
    /* the schedule: warm-up to lr, then cosine down to min_lr_frac * lr */
    assert_true(fabs(t->rows[4].lr - o.lr) < 1e-12);
    assert_true(t->rows[0].lr < t->rows[4].lr && t->rows[o.steps - 1].lr < t->rows[10].lr);
    assert_true(fabs(cl_train_lr(&o, o.steps) - o.lr * o.min_lr_frac) < 1e-12);
    cl_trainer_free(t);
}

static double cosine(const float *a, const float *b, int d) {
    double ab = 0, aa = 0, bb = 0;
    for (int i = 0; i < d; i++) { ab += (double)a[i] * b[i]; aa += (double)a[i] * a[i]; bb += (double)b[i] * b[i]; }
    return ab / sqrt(aa * bb);
}

/* value-aware embedding init: neighbours alike, distant values not, specials untouched */
static void test_value_embeddings(void **st) {
    (void)st;
    cl_config c;
    cl_train_opts o;
    tiny(&c, &o);
    c.d_model = 128;
    c.d_kv = 64;
    cl_params *p, *q;
    cl_error err;
    assert_int_equal(cl_params_new(&c, 4, &p, &err), 0);
    assert_int_equal(cl_params_new(&c, 4, &q, &err), 0);
    cl_params_value_embeddings(p, 4, 0.75);
    const int d = 128;
    assert_memory_equal(p->w, q->w, 2 * d * sizeof(float));             /* PAD, EOS */
    assert_memory_equal(p->w + 4096 * d, q->w + 4096 * d, (p->n - 4096 * d) * sizeof(float));
    const float *E = p->w;
    assert_true(cosine(E + 2185 * d, E + 2186 * d, d) > 0.6);            /* +1.000 vs +1.007 */
    assert_true(fabs(cosine(E + 2049 * d, E + 2458 * d, d)) < 0.3);      /* 0 vs +3 */
    assert_true(fabs(cosine(q->w + 2185 * d, q->w + 2186 * d, d)) < 0.35); /* the HF init is not smooth */
    double ss = 0;
    for (size_t i = 2 * d; i < 4096 * (size_t)d; i++) ss += (double)E[i] * E[i];
    assert_true(fabs(ss / (4094.0 * d) - 1.0) < 0.1);
    cl_params_free(p);
    cl_params_free(q);
}

static void test_resume_bit_for_bit(void **st) {
    (void)st;
    cl_config c;
    cl_train_opts o;
    tiny(&c, &o);
    o.steps = 10;
    o.first_step_weight = 3; /* saved and restored with the rest of the recipe */
    cl_error err;
    cl_trainer *a, *b, *r;
    if (cl_trainer_new(&c, &o, &a, &err)) fail_msg("%s", err.msg);
    for (int i = 0; i < 10; i++) assert_int_equal(cl_trainer_step(a, NULL, &err), 0);
    if (cl_trainer_new(&c, &o, &b, &err)) fail_msg("%s", err.msg);
    for (int i = 0; i < 4; i++) assert_int_equal(cl_trainer_step(b, NULL, &err), 0);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/resume-ckpt", test_tmpdir());
    if (cl_trainer_save(b, dir, &err)) fail_msg("%s", err.msg);
    if (cl_trainer_resume(dir, 0, &r, &err)) fail_msg("%s", err.msg);
    assert_int_equal(r->step, 4);
    assert_int_equal(r->nrows, 4);
    assert_true(r->o.first_step_weight == 3);
    for (int i = 0; i < 6; i++) assert_int_equal(cl_trainer_step(r, NULL, &err), 0);
    assert_int_equal(r->step, 10);
    assert_memory_equal(a->p->w, r->p->w, a->p->n * sizeof(float));
    assert_memory_equal(a->m, r->m, a->p->n * sizeof(float));
    assert_memory_equal(a->v, r->v, a->p->n * sizeof(float));
    for (int i = 0; i < 10; i++) {
        assert_true(a->rows[i].loss == r->rows[i].loss || i < 4); /* logged rows are re-read as text */
        assert_true(fabs(a->rows[i].loss - r->rows[i].loss) < 1e-7);
    }
    /* and the interrupted run is not trivially equal: it had moved on from step 4 */
    assert_true(memcmp(a->p->w, b->p->w, a->p->n * sizeof(float)) != 0);
    cl_trainer_free(a); cl_trainer_free(b); cl_trainer_free(r);
}

/* positional init: exactly two entries of the encoder's position table move, head 0 at
 * distance -1 and head 1 at distance +1; the decoder's table is untouched */
static void test_position_init(void **st) {
    (void)st;
    cl_config c;
    cl_train_opts o;
    tiny(&c, &o);
    cl_params *p, *q;
    cl_error err;
    assert_int_equal(cl_params_new(&c, 4, &p, &err), 0);
    assert_int_equal(cl_params_new(&c, 4, &q, &err), 0);
    cl_params_position_init(q, 6.0, NULL, 0);
    const int H = c.num_heads, nb = c.num_buckets;
    const int prev = cl_relative_bucket(-1, 1, nb, c.max_distance), next = cl_relative_bucket(1, 1, nb, c.max_distance);
    assert_true(prev != next);
    int moved = 0;
    for (size_t i = 0; i < p->n; i++) moved += p->w[i] != q->w[i];
    assert_int_equal(moved, 2);
    const float *a = p->wm.enc_rel, *b = q->wm.enc_rel;
    assert_true(fabsf(b[prev * H + 0] - a[prev * H + 0] - 6.0f) < 1e-5f);
    assert_true(fabsf(b[next * H + 1] - a[next * H + 1] - 6.0f) < 1e-5f);
    assert_memory_equal(p->wm.dec_rel, q->wm.dec_rel, sizeof(float) * nb * H);
    /* explicit offsets: head h at offset offs[h] (here two heads, lags 2 and 3) */
    cl_params *r;
    assert_int_equal(cl_params_new(&c, 4, &r, &err), 0);
    const int offs[2] = {-2, -3};
    cl_params_position_init(r, 5.0, offs, 2);
    moved = 0;
    for (size_t i = 0; i < p->n; i++) moved += p->w[i] != r->w[i];
    assert_int_equal(moved, 2);
    const int b2 = cl_relative_bucket(-2, 1, nb, c.max_distance), b3 = cl_relative_bucket(-3, 1, nb, c.max_distance);
    const float *e = r->wm.enc_rel;
    assert_true(fabsf(e[b2 * H + 0] - a[b2 * H + 0] - 5.0f) < 1e-5f);
    assert_true(fabsf(e[b3 * H + 1] - a[b3 * H + 1] - 5.0f) < 1e-5f);
    cl_params_free(r);
    cl_params_free(p);
    cl_params_free(q);
}

/* per-position loss weights: loss = sum w_j CE_j / sum w_j, and the gradient is the same
 * weighted mean of per-position gradients (checked by linearity against weights 1 and e_0) */
static void test_position_weights(void **st) {
    (void)st;
    cl_config c;
    cl_train_opts o;
    tiny(&c, &o);
    cl_error err;
    cl_trainer *t;
    if (cl_trainer_new(&c, &o, &t, &err)) fail_msg("%s", err.msg);
    cl_data_make(t->held, 0, -1);
    cl_batch b = t->held->batch;
    const int B = b.B, Td = b.Td;
    const size_t n = t->p->n;
    float *w = malloc(sizeof(float) * Td), *e0 = calloc(Td, sizeof(float));
    double *g1 = malloc(sizeof(double) * n), *gf = malloc(sizeof(double) * n);
    float *tl = malloc(sizeof(float) * B * Td);
    assert_non_null(w); assert_non_null(e0); assert_non_null(g1); assert_non_null(gf); assert_non_null(tl);
    for (int j = 0; j < Td; j++) w[j] = j == 0 ? 5.0f : 1.0f;
    e0[0] = 1.0f;
    double l_all, l_first, l_w;
    int ntok;
    /* all weights 1 */
    cl_params_zero_grad(t->p);
    assert_int_equal(cl_loss_grad(t->p, t->ws, &b, 1, &l_all, &ntok, NULL, &err), 0);
    memcpy(tl, cl_grad_ws_token_loss(t->ws), sizeof(float) * B * Td);
    for (size_t i = 0; i < n; i++) g1[i] = t->p->g[i];
    /* only the first step */
    b.pos_weight = e0;
    double n_first = cl_batch_weight(&b);
    assert_true(n_first > 0 && n_first <= B);
    cl_params_zero_grad(t->p);
    assert_int_equal(cl_loss_grad(t->p, t->ws, &b, 1, &l_first, NULL, NULL, &err), 0);
    for (size_t i = 0; i < n; i++) gf[i] = t->p->g[i];
    /* first step x5 */
    b.pos_weight = w;
    const double wsum = cl_batch_weight(&b);
    assert_true(fabs(wsum - (ntok + 4 * n_first)) < 1e-9);
    cl_params_zero_grad(t->p);
    assert_int_equal(cl_loss_grad(t->p, t->ws, &b, 1, &l_w, NULL, NULL, &err), 0);
    double want = 0, first = 0;
    for (int i = 0; i < B * Td; i++)
        if (!isnan(tl[i])) { want += (i % Td == 0 ? 5.0 : 1.0) * tl[i]; if (i % Td == 0) first += tl[i]; }
    want /= wsum;
    if (!(fabs(l_w - want) < 1e-5 * want)) fail_msg("weighted loss %.9g, from token losses %.9g", l_w, want);
    if (!(fabs(l_first - first / n_first) < 1e-5 * l_first)) fail_msg("first-step loss %.9g vs %.9g", l_first, first / n_first);
    assert_true(l_w > l_all); /* the first step is the hardest: weighting it raises the mean */
    double dd = 0, nn = 0;
    for (size_t i = 0; i < n; i++) {
        double expect = (g1[i] * ntok + 4.0 * gf[i] * n_first) / wsum;
        dd += (t->p->g[i] - expect) * (t->p->g[i] - expect);
        nn += expect * expect;
    }
    if (!(sqrt(dd) <= 1e-5 * sqrt(nn))) fail_msg("weighted gradient off by %.3g of its norm", sqrt(dd / nn));
    free(w); free(e0); free(g1); free(gf); free(tl);
    /* the trainer's own weights: set, then back to 1 (no weight array: the plain path) */
    assert_int_not_equal(cl_trainer_set_first_step_weight(t, 0, &err), 0);
    assert_int_equal(cl_trainer_set_first_step_weight(t, 5, &err), 0);
    assert_non_null(t->posw);
    assert_true(t->posw[0] == 5.0f && t->posw[1] == 1.0f);
    assert_int_equal(cl_trainer_set_first_step_weight(t, 1, &err), 0);
    assert_null(t->posw);
    /* another mixture from the next step on: only seasonal series (family 1) are drawn */
    const double only_seasonal[SYN_NFAMILIES] = {0, 2, 0, 0}, none[SYN_NFAMILIES] = {0};
    assert_int_not_equal(cl_trainer_set_mix(t, none, &err), 0);
    assert_int_equal(cl_trainer_set_mix(t, only_seasonal, &err), 0);
    assert_true(t->o.mix[1] == 1.0 && t->o.mix[0] == 0.0);
    cl_train_row row;
    assert_int_equal(cl_trainer_step(t, &row, &err), 0);
    for (int b = 0; b < t->data->B; b++) assert_int_equal(t->data->family[b], 1);
    cl_trainer_free(t);
}

/* data-parallel shards (--shards K): the same loss and gradient as one pass over the whole
 * batch (up to float summation order), and the same bits under any thread count */
static void sharded_step(double first_step_weight) {
    cl_config c;
    cl_train_opts o;
    tiny(&c, &o);
    o.first_step_weight = first_step_weight;
    o.steps = 3;
    o.batch = 7; /* uneven shards: 2 + 2 + 3 */
    cl_error err;
    cl_trainer *one, *sh, *sh1, *sh2;
    o.shards = 1;
    if (cl_trainer_new(&c, &o, &one, &err)) fail_msg("%s", err.msg);
    o.shards = 3;
    if (cl_trainer_new(&c, &o, &sh, &err) || cl_trainer_new(&c, &o, &sh1, &err) || cl_trainer_new(&c, &o, &sh2, &err))
        fail_msg("%s", err.msg);
    cl_train_row r1, r3, r3b;
    cl_set_threads(3);
    assert_int_equal(cl_trainer_step(one, &r1, &err), 0);
    assert_int_equal(one->nshards, 0);
    assert_int_equal(cl_trainer_step(sh, &r3, &err), 0);
    assert_int_equal(sh->nshards, 3);
    if (!(fabs(r1.loss - r3.loss) < 1e-6 * fabs(r1.loss))) fail_msg("loss %.9g (one pass) vs %.9g (3 shards)", r1.loss, r3.loss);
    if (!(fabs(r1.grad_norm - r3.grad_norm) < 1e-5 * r1.grad_norm))
        fail_msg("gradient norm %.9g vs %.9g", r1.grad_norm, r3.grad_norm);
    /* the gradients themselves: compare per tensor, in norm */
    for (int i = 0; i < one->p->nt; i++) {
        const cl_ptensor *pt = &one->p->t[i];
        double dd = 0, nn = 0;
        for (size_t j = 0; j < pt->n; j++) {
            double a = one->p->g[pt->off + j], b = sh->p->g[pt->off + j];
            dd += (a - b) * (a - b);
            nn += a * a;
        }
        if (!(sqrt(dd) <= 1e-5 * sqrt(nn) + 1e-12)) fail_msg("%s: gradient differs by %.3g of its norm", pt->name, sqrt(dd / nn));
    }
    /* the same 3 shards under 1 and 2 threads: the same numbers as under 3, bit for bit, at
     * every step (the shard count decides, never the thread count) */
    for (int step = 0; step < 2; step++) {
        cl_set_threads(1);
        assert_int_equal(cl_trainer_step(sh1, &r3b, &err), 0);
        assert_true(r3.loss == r3b.loss);
        assert_memory_equal(sh->p->w, sh1->p->w, sh->p->n * sizeof(float));
        cl_set_threads(2);
        assert_int_equal(cl_trainer_step(sh2, &r3b, &err), 0);
        assert_true(r3.loss == r3b.loss);
        assert_memory_equal(sh->p->w, sh2->p->w, sh->p->n * sizeof(float));
        cl_set_threads(3);
        if (step == 0) assert_int_equal(cl_trainer_step(sh, &r3, &err), 0);
    }
    cl_set_threads(1);
    cl_trainer_free(one); cl_trainer_free(sh); cl_trainer_free(sh1); cl_trainer_free(sh2);
}

static void test_sharded_step(void **st) {
    (void)st;
    sharded_step(1.0);
    sharded_step(6.0); /* with a first-step loss weight: shards normalise by the whole batch's weight */
}

/* a saved checkpoint is an ordinary model: the engine's logits equal the training forward's */
static void checkpoint_loads_in_engine(int enc_layers, int dec_layers) {
    cl_config c;
    cl_train_opts o;
    tiny(&c, &o);
    c.num_layers = enc_layers;
    c.num_decoder_layers = dec_layers;
    cl_error err;
    cl_trainer *t;
    if (cl_trainer_new(&c, &o, &t, &err)) fail_msg("%s", err.msg);
    for (int i = 0; i < 3; i++) assert_int_equal(cl_trainer_step(t, NULL, &err), 0);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/engine-ckpt", test_tmpdir());
    if (cl_trainer_save(t, dir, &err)) fail_msg("%s", err.msg);
    cl_model *m;
    if (cl_model_load(dir, NULL, &m, &err)) fail_msg("%s", err.msg);
    assert_int_equal(cl_model_param_count(m), t->p->n);
    cl_data_make(t->held, 0, -1);
    const cl_batch *bt = &t->held->batch;
    double loss;
    assert_int_equal(cl_loss_grad(t->p, t->ws, bt, 0, &loss, NULL, NULL, &err), 0);
    cl_state *s;
    assert_int_equal(cl_state_new(m, &s, &err), 0);
    assert_int_equal(cl_encode(s, bt->enc_ids, bt->enc_mask, bt->B, bt->T, &err), 0);
    assert_int_equal(cl_decode(s, bt->dec_ids, bt->Td, 0, &err), 0);
    int B, Td, V;
    const float *lg = cl_state_logits(s, &B, &Td, &V);
    double sum = 0;
    int n = 0;
    for (int i = 0; i < B * Td; i++) {
        const float *r = lg + (size_t)i * V;
        double mx = r[0], z = 0;
        for (int j = 1; j < V; j++) mx = r[j] > mx ? r[j] : mx;
        for (int j = 0; j < V; j++) z += exp(r[j] - mx);
        sum += mx + log(z) - r[bt->labels[i]];
        n++;
    }
    if (fabs(sum / n - loss) > 1e-5) fail_msg("%d + %d layers: engine loss %.7f, training loss %.7f", enc_layers, dec_layers, sum / n, loss);
    cl_state_free(s);
    cl_model_free(m);
    cl_trainer_free(t);
}

static void test_checkpoint_loads_in_engine(void **st) {
    (void)st;
    checkpoint_loads_in_engine(1, 1);
    checkpoint_loads_in_engine(2, 1); /* a deeper encoder than decoder (--decoder-layers) */
}

/* resumes run `out` from step 2 to 4 with extra options; its trainer_state.json holds want1
 * (and want2 unless NULL) */
static void second_phase(const char *out, const char *extra, const char *want1, const char *want2) {
    assert_int_equal(run_cmd("'%s' train -q --force --out '%s/phase2' --resume '%s/checkpoints/step-000002' --steps 4 --threads 1 %s",
                             CL_CLI, out, out, extra), 0);
    char path[4200];
    snprintf(path, sizeof path, "%s/phase2/trainer_state.json", out);
    char *state = slurp(path);
    assert_non_null(state);
    if (!strstr(state, want1) || (want2 && !strstr(state, want2))) fail_msg("%s: no %s / %s", path, want1, want2 ? want2 : "-");
    free(state);
}

/* eval --step-loss on the model in dir (context 24, horizon 6): every (family, step) row is
 * the mean teacher-forced loss of that step over the suite's first 10 series, as computed
 * here from the suite's own batches (chunk 0 of each family, seed 5) */
static void check_step_loss(const char *dir) {
    char path[4200];
    snprintf(path, sizeof path, "%s/steploss.csv", dir);
    assert_int_equal(run_cmd("'%s' eval -q --model '%s' --series 10 --samples 0 --seed 5 --step-loss '%s' --threads 1 > /dev/null",
                             CL_CLI, dir, path), 0);
    char *csv = slurp(path);
    assert_non_null(csv);
    cl_error err;
    cl_params *p;
    assert_int_equal(cl_params_load(dir, &p, &err), 0);
    cl_data *d;
    assert_int_equal(cl_data_new(&p->cfg, 25, 5, &d, &err), 0);
    cl_grad_ws *ws = cl_grad_ws_new();
    const char *row = strchr(csv, '\n') + 1; /* past the header */
    int rows = 0;
    for (int f = 0; f < SYN_NFAMILIES; f++) {
        cl_data_make(d, 0, f);
        double loss;
        int ntok;
        assert_int_equal(cl_loss_grad(p, ws, &d->batch, 0, &loss, &ntok, NULL, &err), 0);
        const float *tl = cl_grad_ws_token_loss(ws);
        for (int j = 0; j < 6; j++) {
            double want = 0;
            for (int i = 0; i < 10; i++) want += tl[(size_t)i * d->batch.Td + j];
            want /= 10;
            char name[32];
            int step, n;
            double got;
            assert_int_equal(sscanf(row, "%31[^,],%d,%lf,%d", name, &step, &got, &n), 4);
            assert_string_equal(name, syn_family_name(f));
            assert_int_equal(step, j + 1);
            assert_int_equal(n, 10);
            if (!(fabs(got - want) <= 2e-6 + 1e-6 * want)) fail_msg("%s step %d: %.6f, recomputed %.6f", name, step, got, want);
            row = strchr(row, '\n') + 1;
            rows++;
        }
    }
    assert_int_equal(rows, SYN_NFAMILIES * 6);
    assert_int_equal(*row, 0);
    cl_grad_ws_free(ws);
    cl_data_free(d);
    cl_params_free(p);
    free(csv);
    assert_int_equal(run_cmd("'%s' eval -q --model '%s' --series 0 --csv '%s' --step-loss '%s/x.csv' 2>/dev/null", CL_CLI, dir, path, dir), 2);
}

static void test_cli(void **st) {
    (void)st;
    char out[4096];
    snprintf(out, sizeof out, "%s/cli-run", test_tmpdir());
    const char *shape = "--d-model 16 --heads 2 --d-ff 32 --layers 1 --context-length 24 --prediction-length 6 --batch 4";
    assert_int_equal(run_cmd("'%s' train -q --out '%s' %s --steps 4 --warmup 1 --checkpoint-every 2 --threads 1 --seed 3 --eval-batches 1"
                             " --position-init 6 --position-offsets -1,-2 --first-step-weight 2",
                             CL_CLI, out, shape), 0);
    char path[4200];
    snprintf(path, sizeof path, "%s/checkpoints/step-000002/model.safetensors", out);
    assert_true(file_exists(path));
    snprintf(path, sizeof path, "%s/train.csv", out);
    assert_true(file_exists(path));
    /* resume to 6 steps from the step-2 checkpoint */
    assert_int_equal(run_cmd("'%s' train -q --out '%s/resumed' --resume '%s/checkpoints/step-000002' --steps 6 --threads 1",
                             CL_CLI, out, out), 0);
    snprintf(path, sizeof path, "%s/resumed/trainer_state.json", out);
    assert_true(file_exists(path));
    char *state = slurp(path); /* the recipe travels with the run */
    assert_non_null(state);
    assert_non_null(strstr(state, "\"first_step_weight\":\t2"));
    assert_non_null(strstr(state, "\"position_offsets\":\t[-1, -2]"));
    free(state);
    /* a second phase: resume with another first-step weight, data mixture (normalised) or
     * alphabet-segment fraction; each is saved with the run */
    second_phase(out, "--first-step-weight 3", "\"first_step_weight\":\t3", NULL);
    second_phase(out, "--mix 0,1,0,3 --motif-frac 0.5", "\"mix\":\t[0, 0.25, 0, 0.75]", "\"motif_frac\":\t0.5");
    /* formation over the run's checkpoints (0, 2, 4) */
    assert_int_equal(run_cmd("'%s' formation -q --run '%s' --threads 1", CL_CLI, out), 0);
    snprintf(path, sizeof path, "%s/formation.csv", out);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[512];
    int lines = 0;
    while (fgets(line, sizeof line, f)) lines++;
    fclose(f);
    assert_int_equal(lines, 1 + 3);
    snprintf(path, sizeof path, "%s/formation.png", out);
    assert_true(file_exists(path));
    /* eval on the synthetic suite and a CSV */
    snprintf(path, sizeof path, "%s/series.csv", out);
    f = fopen(path, "w");
    fprintf(f, "a,b\n");
    for (int t = 0; t < 40; t++) fprintf(f, "%g,%g\n", 5 + sin(t * 0.9), 1.0 + t);
    fclose(f);
    assert_int_equal(run_cmd("'%s' eval -q --model '%s' --series 3 --csv '%s' --horizon 6 --out '%s/eval.csv' --threads 1"
                             " --series-out '%s/per-series.csv' > /dev/null", CL_CLI, out, path, out, out), 0);
    { /* one row per series: 4 families x 3, then the CSV's 2 columns; the seasonal rows'
       * mean MASE is the table's */
        char pp[4200], l2[512];
        snprintf(pp, sizeof pp, "%s/per-series.csv", out);
        FILE *pf = fopen(pp, "r");
        assert_non_null(pf);
        int rows = 0, nseas = 0;
        double seas = 0;
        while (fgets(l2, sizeof l2, pf)) {
            rows++;
            if (rows == 2) assert_true(strncmp(l2, "gp,0,", 5) == 0);
            if (rows == 15) assert_true(strncmp(l2, "csv,1,", 6) == 0);
            if (!strncmp(l2, "seasonal,", 9)) {
                double sc, mm;
                int idx, m;
                assert_int_equal(sscanf(l2 + 9, "%d,%d,%lf,%lf", &idx, &m, &sc, &mm), 4);
                if (sc > 0) { seas += mm; nseas++; }
            }
        }
        fclose(pf);
        assert_int_equal(rows, 1 + 4 * 3 + 2);
        snprintf(pp, sizeof pp, "%s/eval.csv", out);
        pf = fopen(pp, "r");
        assert_non_null(pf);
        double table = NAN;
        while (fgets(l2, sizeof l2, pf))
            if (!strncmp(l2, "seasonal,", 9)) assert_int_equal(sscanf(l2 + 9, "%*d,%lf", &table), 1);
        fclose(pf);
        assert_true(nseas > 0);
        if (!(fabs(seas / nseas - table) < 1e-5 * fabs(table))) fail_msg("per-series MASE mean %.6f, table %.6f", seas / nseas, table);
        /* a failing run leaves no per-series file */
        snprintf(pp, sizeof pp, "%s/per-series-bad.csv", out);
        assert_int_equal(run_cmd("'%s' eval -q --model '%s' --series 3 --csv '%s/nowhere.csv' --series-out '%s' 2>/dev/null",
                                 CL_CLI, out, out, pp), 2);
        assert_false(file_exists(pp));
    }
    snprintf(path, sizeof path, "%s/eval.csv", out);
    f = fopen(path, "r");
    assert_non_null(f);
    lines = 0;
    while (fgets(line, sizeof line, f)) lines++;
    fclose(f);
    assert_int_equal(lines, 1 + 4 + 1);
    check_step_loss(out);
    /* median-token decoding instead of sample paths: same table */
    assert_int_equal(run_cmd("'%s' eval -q --model '%s' --series 3 --samples 0 --out '%s/eval0.csv' --threads 1 > /dev/null",
                             CL_CLI, out, out), 0);
    snprintf(path, sizeof path, "%s/eval0.csv", out);
    assert_true(file_exists(path));
    assert_int_equal(run_cmd("'%s' eval -q --model '%s' --samples -1 2>/dev/null", CL_CLI, out), 2);
    assert_int_equal(run_cmd("'%s' eval -q --model '%s' --family weekly 2>/dev/null", CL_CLI, out), 2);
    /* one family: its row only */
    assert_int_equal(run_cmd("'%s' eval -q --model '%s' --series 2 --family seasonal --out '%s/eval1.csv' --threads 1 > /dev/null",
                             CL_CLI, out, out), 0);
    snprintf(path, sizeof path, "%s/eval1.csv", out);
    f = fopen(path, "r");
    assert_non_null(f);
    lines = 0;
    while (fgets(line, sizeof line, f)) { lines++; if (lines == 2) assert_true(strncmp(line, "seasonal,2,", 11) == 0); }
    fclose(f);
    assert_int_equal(lines, 2);
    assert_int_equal(run_cmd("'%s' eval -q --model '%s' --horizon 6 2>/dev/null", CL_CLI, out), 2);
    assert_int_equal(run_cmd("'%s' eval -q --model '%s/nowhere' 2>/dev/null", CL_CLI, out), 2);
    assert_int_equal(run_cmd("'%s' formation -q --run '%s/nowhere' 2>/dev/null", CL_CLI, out), 2);
    /* bad input: exit 2 */
    assert_int_equal(run_cmd("'%s' train -q --out '%s/x' --steps 0 2>/dev/null", CL_CLI, out), 2);
    assert_int_equal(run_cmd("'%s' train -q --out '%s/x' --decay sideways 2>/dev/null", CL_CLI, out), 2);
    assert_int_equal(run_cmd("'%s' train -q --out '%s/x' --config huge 2>/dev/null", CL_CLI, out), 2);
    assert_int_equal(run_cmd("'%s' train -q --out '%s/x' --position-offsets -1,x 2>/dev/null", CL_CLI, out), 2);
    assert_int_equal(run_cmd("'%s' train -q --out '%s/x' --position-offsets -1,1,2,3,4 2>/dev/null", CL_CLI, out), 2);
    assert_int_equal(run_cmd("'%s' train -q --out '%s/x' --first-step-weight 0 2>/dev/null", CL_CLI, out), 2);
    assert_int_equal(run_cmd("'%s' train -q --out '%s/x' --resume '%s' --first-step-weight 5000 2>/dev/null", CL_CLI, out, out), 2);
    assert_int_equal(run_cmd("'%s' train -q --out '%s/x' --resume '%s' --mix 0,0,0,0 2>/dev/null", CL_CLI, out, out), 2);
    assert_int_equal(run_cmd("'%s' train -q --out '%s/x' --motif-frac 1.5 2>/dev/null", CL_CLI, out), 2);
    assert_int_equal(run_cmd("'%s' train -q --out '%s/x' --resume '%s' --mix 1,1,x,1 2>/dev/null", CL_CLI, out, out), 2);
    assert_int_equal(run_cmd("'%s' train -q --out '%s/x' --resume '%s/nowhere' 2>/dev/null", CL_CLI, out, out), 2);
    assert_int_equal(run_cmd("'%s' train -q --out '%s/x' --resume '%s' --lr 0.1 2>/dev/null", CL_CLI, out, out), 2);
    assert_int_equal(run_cmd("'%s' train -q 2>/dev/null", CL_CLI), 2);
    assert_int_equal(run_cmd("'%s' train -q --out '%s/train.csv' %s --steps 1 2>/dev/null", CL_CLI, out, shape), 2);
    snprintf(path, sizeof path, "%s/x", out);
    assert_false(dir_exists(path));
}

int main(void) {
    cl_set_threads(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loss_goes_down),
        cmocka_unit_test(test_value_embeddings),
        cmocka_unit_test(test_resume_bit_for_bit),
        cmocka_unit_test(test_sharded_step),
        cmocka_unit_test(test_position_weights),
        cmocka_unit_test(test_position_init),
        cmocka_unit_test(test_checkpoint_loads_in_engine),
        cmocka_unit_test(test_cli),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
