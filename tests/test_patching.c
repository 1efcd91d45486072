/* test_patching.c — activation patching in C (src/study/patching/, cl_patching_run) on the
 * small random checkpoint of each family: every cell of the grid equals the same pass written
 * by hand with the hook layer (a clean run caching the point, the corrupted run with the
 * cell's intervention, cl_encode + cl_decode with last_only at the read position; Bolt:
 * cl_bolt_forward), bit for bit — for points whose cells resume the decoder at their layer's
 * cross-attention, at the layer below's (self-attention points), that rerun the decoder or the
 * whole pass (encoder points), per position, zero and mean ablation, both T5 metrics; the
 * clean and corrupted metrics; the refusals; a cancelled grid. */
#include "testutil.h"
#include "chronolens_study.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { B = 2, L = 40, TD = 3 };

typedef struct fixture {
    cl_model *m;
    const cl_config *c;
    float ctx[2][B * L];
    int32_t ids[2][B * 64], dec[2][B * TD];
    uint8_t mask[2][B * 64];
    int T;
    cl_patching_input in[2]; /* clean, corrupted */
} fixture;

static int bolt(const fixture *f) { return cl_model_is_bolt(f->m); }

static void open_fixture(fixture *f) {
    cl_error err;
    memset(f, 0, sizeof *f);
    if (cl_model_load(cl_test_family_now()->fixture, NULL, &f->m, &err)) fail_msg("%s", err.msg);
    f->c = cl_model_config(f->m);
    for (int i = 0; i < B * L; i++) {
        f->ctx[0][i] = (float)(10 + 3 * sin(0.7 * i) + (i % 5));
        f->ctx[1][i] = (float)(10 + 3 * cos(1.3 * i) + (i % 3));
    }
    for (int k = 0; k < 2; k++) {
        cl_patching_input *x = &f->in[k];
        x->B = B;
        if (bolt(f)) {
            x->context = f->ctx[k];
            x->L = L;
            continue;
        }
        float scale[B];
        f->T = cl_tokenizer_length(f->c, L);
        assert_true(f->T <= 64);
        assert_int_equal(cl_tokenizer_encode(f->c, f->ctx[k], B, L, f->ids[k], f->mask[k], scale, &err), 0);
        for (int i = 0; i < B * TD; i++) f->dec[k][i] = i % TD == 0 ? f->c->decoder_start_token_id : 5 + 7 * i + k;
        x->ids = f->ids[k];
        x->mask = f->mask[k];
        x->T = f->T;
        x->dec = f->dec[k];
        x->Td = TD;
    }
}

/* The pass of input k with hk attached (decoder cut at read position rp), the metric of
 * opts o read from it into out (B, width). */
static void pass(fixture *f, int k, cl_hooks *hk, int rp, const cl_patching_opts *o, const int32_t *target,
                 float *out) {
    cl_error err;
    cl_state *s;
    assert_int_equal(cl_state_new(f->m, &s, &err), 0);
    cl_state_set_hooks(s, hk);
    if (bolt(f)) {
        if (cl_bolt_forward(s, f->ctx[k], B, L, &err)) fail_msg("%s", err.msg);
        memcpy(out, cl_bolt_quantiles(s), sizeof(float) * B * f->c->n_quantiles * f->c->prediction_length);
    } else {
        int td = rp + 1;
        int32_t dec[B * TD];
        for (int b = 0; b < B; b++) memcpy(dec + b * td, f->dec[k] + b * TD, sizeof(int32_t) * td);
        if (cl_encode(s, f->ids[k], f->mask[k], B, f->T, &err) || cl_decode(s, dec, td, 1, &err)) fail_msg("%s", err.msg);
        int V;
        const float *lg = cl_state_logits(s, NULL, NULL, &V);
        for (int b = 0; b < B; b++) {
            const float *z = lg + (size_t)b * V;
            if (o->metric == CL_PATCH_LOGIT_DIFF) { out[b] = z[target[b]] - z[o->target2[b]]; continue; }
            float mx = z[0];
            for (int v = 1; v < V; v++) mx = z[v] > mx ? z[v] : mx;
            double se = 0;
            for (int v = 0; v < V; v++) se += exp((double)z[v] - mx);
            out[b] = (float)((double)z[target[b]] - mx - log(se));
        }
    }
    cl_state_set_hooks(s, NULL);
    cl_state_free(s);
}

/* The clean run's activation at name (B, pos, ...) (caller frees), its shape in info. */
static float *clean_cache(fixture *f, const char *name, int rp, cl_hook_info *info) {
    cl_error err;
    cl_hooks *hk;
    assert_int_equal(cl_hooks_new(f->m, &hk, &err), 0);
    cl_intervention iv = {.kind = CL_IV_CACHE, .name = name, .head = -1};
    if (cl_hooks_add_intervention(hk, &iv, &err)) fail_msg("%s", err.msg);
    cl_patching_opts o;
    cl_patching_default(&o);
    int32_t t[B] = {0, 0};
    float out[4096];
    pass(f, 0, hk, rp, &o, t, out);
    const float *a = cl_hooks_cached(hk, name, info);
    assert_non_null(a);
    size_t n = 1;
    for (int i = 0; i < info->ndim; i++) n *= (size_t)info->shape[i];
    float *copy = malloc(sizeof(float) * n);
    memcpy(copy, a, sizeof(float) * n);
    cl_hooks_free(hk);
    return copy;
}

/* Every cell of r against the hand-written pass with the same intervention. */
static void check_grid(fixture *f, const cl_patching_opts *o, const cl_patching_result *r) {
    cl_error err;
    const int rp = o->read_pos < 0 ? TD - 1 : o->read_pos;
    const int W = r->width;
    float *want = malloc(sizeof(float) * B * W);
    pass(f, 0, NULL, rp, o, r->target, want);
    assert_memory_equal(want, r->clean, sizeof(float) * B * W);
    pass(f, 1, NULL, rp, o, r->target, want);
    assert_memory_equal(want, r->corrupted, sizeof(float) * B * W);
    for (int l = 0; l < r->layers; l++) {
        char name[128];
        const char *lp = strstr(o->hook, "{l}");
        snprintf(name, sizeof name, "%.*s%d%s", (int)(lp - o->hook), o->hook, l, lp + 3);
        cl_hook_info info;
        float *src = clean_cache(f, name, rp, &info);
        for (int h = 0; h < r->heads; h++)
            for (int q = 0; q < r->positions; q++) {
                cl_hooks *hk;
                assert_int_equal(cl_hooks_new(f->m, &hk, &err), 0);
                int head = r->heads > 1 ? h : -1, pos = o->pos ? o->pos[q] : q;
                cl_intervention iv = {.name = name, .head = head};
                if (o->per_position) { iv.n_pos = 1; iv.pos = &pos; }
                else if (o->pos) { iv.n_pos = o->n_pos; iv.pos = o->pos; }
                float mean[512];
                if (o->mode == CL_PATCH_ZERO) iv.kind = CL_IV_ZERO;
                else if (o->mode == CL_PATCH_MEAN) { /* over series and positions, in double */
                    const int rows = info.shape[0] * info.shape[1];
                    const int w = info.ndim == 4 ? info.shape[2] * info.shape[3] : info.shape[2];
                    const int off = head >= 0 ? head * info.shape[3] : 0, n = head >= 0 ? info.shape[3] : w;
                    assert_true(n <= 512);
                    for (int j = 0; j < n; j++) {
                        double acc = 0;
                        for (int rr = 0; rr < rows; rr++) acc += src[(size_t)rr * w + off + j];
                        mean[j] = (float)(acc / rows);
                    }
                    iv.kind = CL_IV_MEAN;
                    iv.value = mean;
                    iv.n_value = n;
                } else {
                    iv.kind = CL_IV_PATCH;
                    iv.src = src;
                    iv.src_batch = info.shape[0];
                    iv.src_pos = info.shape[1];
                }
                if (cl_hooks_add_intervention(hk, &iv, &err)) fail_msg("%s", err.msg);
                pass(f, 1, hk, rp, o, r->target, want);
                const float *got = r->cells + (((size_t)l * r->heads + h) * r->positions + q) * B * W;
                if (memcmp(want, got, sizeof(float) * B * W))
                    fail_msg("%s head %d pos %d: %.9g != %.9g", name, head, q, (double)got[0], (double)want[0]);
                cl_hooks_free(hk);
            }
        free(src);
    }
    free(want);
}

static void run_and_check(fixture *f, cl_patching_opts *o, int heads, int positions) {
    cl_error err;
    cl_patching_result r;
    if (cl_patching_run(f->m, &f->in[0], &f->in[1], o, &r, &err)) fail_msg("%s: %s", o->hook, err.msg);
    const int dec = !strncmp(o->hook, "decoder", 7);
    assert_int_equal(r.layers, dec ? f->c->num_decoder_layers : f->c->num_layers);
    assert_int_equal(r.heads, heads);
    assert_int_equal(r.positions, positions);
    assert_int_equal(r.width, bolt(f) ? f->c->n_quantiles * f->c->prediction_length : 1);
    check_grid(f, o, &r);
    /* the patching moves something, and the unpatched cells differ from the clean run */
    int moved = 0;
    for (size_t i = 0; i < (size_t)r.layers * r.heads * r.positions * B * r.width; i++)
        moved |= r.cells[i] != r.corrupted[i % ((size_t)B * r.width)];
    assert_true(moved);
    cl_patching_free(&r);
}

static void test_cross_heads(void **st) {
    (void)st;
    fixture f;
    open_fixture(&f);
    cl_patching_opts o;
    cl_patching_default(&o);
    if (bolt(&f)) o.metric = CL_PATCH_QUANTILES;
    run_and_check(&f, &o, f.c->num_heads, 1); /* the default: decoder.{l}.cross_attn.hook_z */
    if (!bolt(&f)) {
        o.read_pos = 1; /* another read position: the decoder cut there */
        run_and_check(&f, &o, f.c->num_heads, 1);
        o.read_pos = -1;
        int32_t t1[B] = {1700, 1800}, t2[B] = {1500, 1900};
        o.metric = CL_PATCH_LOGIT_DIFF;
        o.target = t1;
        o.target2 = t2;
        run_and_check(&f, &o, f.c->num_heads, 1);
    }
    cl_model_free(f.m);
}

static void test_other_points(void **st) {
    (void)st;
    fixture f;
    open_fixture(&f);
    cl_patching_opts o;
    cl_patching_default(&o);
    if (bolt(&f)) o.metric = CL_PATCH_QUANTILES;
    const int H = f.c->num_heads;
    snprintf(o.hook, sizeof o.hook, "decoder.{l}.attn.hook_z"); /* resumes at the layer below */
    run_and_check(&f, &o, H, 1);
    snprintf(o.hook, sizeof o.hook, "decoder.{l}.hook_resid_mid_cross");
    o.per_position = 1; /* a cell per decoder position */
    run_and_check(&f, &o, 1, bolt(&f) ? 1 : TD);
    o.per_position = 0;
    snprintf(o.hook, sizeof o.hook, "encoder.{l}.attn.hook_v"); /* the whole pass per cell */
    int pos[2] = {1, 3};
    o.pos = pos;
    o.n_pos = 2;
    run_and_check(&f, &o, H, 1);
    o.per_position = 1;
    run_and_check(&f, &o, H, 2);
    o.pos = NULL;
    o.n_pos = o.per_position = 0;
    if (!bolt(&f)) {
        snprintf(o.hook, sizeof o.hook, "decoder.{l}.cross_attn.hook_k"); /* the keys again, per cell */
        run_and_check(&f, &o, H, 1);
    }
    snprintf(o.hook, sizeof o.hook, "decoder.{l}.cross_attn.hook_z");
    o.mode = CL_PATCH_ZERO;
    run_and_check(&f, &o, H, 1);
    o.mode = CL_PATCH_MEAN;
    run_and_check(&f, &o, H, 1);
    snprintf(o.hook, sizeof o.hook, "decoder.{l}.hook_mlp_out");
    run_and_check(&f, &o, 1, 1);
    cl_model_free(f.m);
}

static int stop_at_3(void *ctx, const char *stage, double done, double total) {
    (void)total;
    assert_string_equal(stage, "patching");
    *(int *)ctx += 1;
    return done >= 3;
}

static void test_refusals_and_cancel(void **st) {
    (void)st;
    fixture f;
    open_fixture(&f);
    cl_error err;
    cl_patching_opts o;
    cl_patching_result r;
    cl_patching_default(&o);
    if (bolt(&f)) o.metric = CL_PATCH_QUANTILES;
    snprintf(o.hook, sizeof o.hook, "decoder.0.cross_attn.hook_z");
    assert_int_equal(cl_patching_run(f.m, &f.in[0], &f.in[1], &o, &r, &err), CL_EINVAL);
    assert_non_null(strstr(err.msg, "{l}"));
    snprintf(o.hook, sizeof o.hook, "decoder.{l}.cross_attn.hook_nothing");
    assert_int_equal(cl_patching_run(f.m, &f.in[0], &f.in[1], &o, &r, &err), CL_EINVAL);
    assert_non_null(strstr(err.msg, "no such hook point"));
    cl_patching_default(&o);
    o.metric = bolt(&f) ? CL_PATCH_LOGPROB : CL_PATCH_QUANTILES;
    assert_int_equal(cl_patching_run(f.m, &f.in[0], &f.in[1], &o, &r, &err), CL_EINVAL);
    assert_non_null(strstr(err.msg, bolt(&f) ? "no logits" : "Chronos-Bolt's"));
    o.metric = bolt(&f) ? CL_PATCH_QUANTILES : CL_PATCH_LOGPROB;
    cl_patching_input one = f.in[1];
    one.B = 1;
    assert_int_equal(cl_patching_run(f.m, &f.in[0], &one, &o, &r, &err), CL_EINVAL);
    assert_non_null(strstr(err.msg, "2 series, the corrupted 1"));
    int calls = 0;
    o.progress = (cl_progress){stop_at_3, &calls};
    assert_int_equal(cl_patching_run(f.m, &f.in[0], &f.in[1], &o, &r, &err), CL_ECANCELED);
    assert_non_null(strstr(err.msg, "patching: cancelled"));
    assert_true(calls >= 3); /* the passes' layers relayed too (stage "patching", cells done) */
    assert_null(r.cells);
    cl_model_free(f.m);
}

int main(int argc, char **argv) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cross_heads),
        cmocka_unit_test(test_other_points),
        cmocka_unit_test(test_refusals_and_cancel),
    };
    const cl_test_group groups[] = {
        CL_TEST_GROUP("t5", tests, NULL, NULL, &cl_test_t5, NULL),
        CL_TEST_GROUP("bolt", tests, NULL, NULL, &cl_test_bolt, NULL),
    };
    return cl_test_main(argc, argv, groups, sizeof groups / sizeof *groups);
}
