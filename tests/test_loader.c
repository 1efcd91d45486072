/* test_loader.c — checkpoint variants, for every model family: sharded files, fp16/bf16
 * widened once at load, fp32 used in place, presets' shapes; a checkpoint truncated under a
 * run. */
#include "testutil.h"
#include "core/core.h"
#include "io/csv.h"
#include "model/init.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SMALL CL_FIXTURES "/rand-small"

/* ------------------------------------------------------------ one pass per family */

/* logits of the rand-small golden inputs (first series, decoder start only) for a model dir */
static float *logits_of(const char *dir, size_t *n) {
    cl_error err;
    cl_model *m;
    if (cl_model_load(dir, NULL, &m, &err)) fail_msg("%s", err.msg);
    const cl_config *c = cl_model_config(m);
    int32_t ids[5] = {2000, 2100, 2050, 1990, 1};
    uint8_t mask[5] = {1, 1, 1, 1, 1};
    int32_t dec[2] = {0, 2049};
    cl_state *s;
    assert_int_equal(cl_state_new(m, &s, &err), 0);
    assert_int_equal(cl_encode(s, ids, mask, 1, 5, &err), 0);
    assert_int_equal(cl_decode(s, dec, 2, 0, &err), 0);
    *n = 2 * (size_t)c->vocab_size;
    float *out = malloc(sizeof(float) * *n);
    memcpy(out, cl_state_logits(s, NULL, NULL, NULL), sizeof(float) * *n);
    cl_state_free(s);
    cl_model_free(m);
    return out;
}

/* quantiles (B, Q, H) of one Bolt forward pass of model dir on the bolt-rand context (B, L) */
static float *quantiles_of(const char *dir, size_t *n) {
    cl_error err;
    float *ctx;
    int B, L;
    if (csv_read_context(CL_FIXTURES "/bolt-rand/context.csv", &ctx, &B, &L, NULL, &err)) fail_msg("%s", err.msg);
    float *q = cl_test_bolt_quantiles(dir, ctx, B, L, n);
    cl_free(ctx);
    return q;
}

/* quantile_preds (B, Q, N*ps) of one Chronos-2 forward of model dir on the chronos2-rand
 * context, its groups 0,1,2,2 */
static float *chronos2_of(const char *dir, size_t *n) {
    cl_error err;
    float *ctx;
    int B, L;
    if (csv_read_context(CL_FIXTURES "/chronos2-rand/context.csv", &ctx, &B, &L, NULL, &err)) fail_msg("%s", err.msg);
    cl_model *m;
    if (cl_model_load(dir, NULL, &m, &err)) fail_msg("%s", err.msg);
    cl_state *s;
    assert_int_equal(cl_state_new(m, &s, &err), 0);
    const int gid[4] = {0, 1, 2, 2};
    assert_int_equal(B, 4);
    cl_chronos2_input in = {.context = ctx, .B = B, .L = L, .group_ids = gid};
    cl_chronos2_result r;
    if (cl_chronos2_forward(s, &in, &r, &err)) fail_msg("%s", err.msg);
    *n = (size_t)B * r.Q * r.N * r.ps;
    float *out = malloc(sizeof(float) * *n);
    memcpy(out, r.quantile_preds, sizeof(float) * *n);
    cl_state_free(s);
    cl_model_free(m);
    cl_free(ctx);
    return out;
}

/* What differs per family: the model's output on fixed inputs, the fixture's numbers, presets. */
typedef struct preset {
    const char *size;
    size_t params;          /* the published checkpoint's (method.md table) */
    const char *dtype;      /* NULL: the library's init, fp32; else `chronolens init --dtype` */
    void (*check)(const cl_model *m, const char *dir); /* the family's own checks of the preset, or NULL */
} preset;

typedef struct loader_family {
    const cl_test_family *fam;
    float *(*output_of)(const char *dir, size_t *n);
    size_t params;          /* the fixture's: every tensor of the file, counted once */
    /* |half - fp32| of the output below this (f16, bf16): half precision perturbs the weights
     * a little (0: not measured for the family) */
    double half_bound[2];
    preset presets[3];
    const char *bad_preset;
} loader_family;

/* bolt-small: amazon/chronos-bolt-small's shape */
static void bolt_small(const cl_model *m, const char *dir) {
    (void)dir;
    const cl_config *mc = cl_model_config(m);
    assert_int_equal(mc->context_length, 2048);
    assert_int_equal(mc->patch_size, 16);
    assert_int_equal(mc->n_quantiles, 9);
    assert_int_equal(cl_bolt_num_tokens(mc, 2048), 129);
}

/* mini has heads x d_kv = 512 != d_model = 384 */
static const loader_family T5 = {&cl_test_t5, logits_of, 492544, {0.05, 0.5},
                                 {{"tiny", 8394496, NULL, NULL}, {"mini", 20456192, NULL, NULL}}, "huge"};
static const loader_family BOLT = {&cl_test_bolt, quantiles_of, 414528, {0, 0},
                                   {{"bolt-small", 47718016, NULL, bolt_small}, {"bolt-tiny", 8652672, "bf16", NULL},
                                    {"bolt-mini", 21236096, "bf16", NULL}}, "bolt-huge"};

/* chronos2-small (autogluon/chronos-2-small, shape assumed: docs/chronos2.md): the config read
 * back is amazon/chronos-2's chronos_config, `chronolens info` reads it, a forward runs */
static void c2_small(const cl_model *m, const char *dir) {
    const cl_config *mc = cl_model_config(m);
    assert_int_equal(mc->context_length, 8192);
    assert_int_equal(mc->patch_size, 16);
    assert_int_equal(mc->max_output_patches, 64);
    assert_int_equal(mc->prediction_length, 1024);
    assert_int_equal(mc->n_quantiles, 21);
    assert_true(mc->use_arcsinh && mc->use_reg_token);
    assert_true(fabs(mc->time_encoding_scale - 8192) < 1e-9 && fabs(mc->rope_theta - 10000) < 1e-9);
    assert_int_equal(run_cmd("'%s' info --model '%s' >/dev/null", CL_CLI, dir), 0);
    size_t n;
    float *q = chronos2_of(dir, &n);
    for (size_t i = 0; i < n; i++) assert_true(isfinite(q[i]));
    free(q);
}

/* chronos2-base is amazon/chronos-2 (119,477,664 parameters): 480 MB of fp32 to write, so
 * its count comes from the preset's shape by upstream's tensor list (method.md §1) */
static void test_c2_base_count(void **st) {
    (void)st;
    cl_config c;
    cl_error err;
    assert_int_equal(cl_config_preset("chronos2-base", &c, &err), 0);
    const size_t d = c.d_model, F = c.d_ff, HD = (size_t)c.num_heads * c.d_kv, ps = c.patch_size;
    const size_t QP = (size_t)c.n_quantiles * ps;
    size_t np = (size_t)c.vocab_size * d;                                     /* shared.weight */
    np += F * (3 * ps + 1) + d * (F + 1) + d * (3 * ps + 1);                  /* input_patch_embedding */
    np += F * (d + 1) + QP * (F + 1) + QP * (d + 1);                          /* output_patch_embedding */
    np += (size_t)c.num_layers * (2 * (4 * HD * d + d) + 2 * F * d + d);      /* the layers */
    np += d;                                                                  /* final norm */
    assert_int_equal(np, 119477664);
    assert_int_equal(c.num_layers, 12);
    /* the message of an unknown size names every family's sizes */
    assert_int_not_equal(cl_config_preset("chronos2-huge", &c, &err), 0);
    assert_non_null(strstr(err.msg, "chronos2-small, chronos2-base"));
    assert_int_not_equal(cl_config_preset("huge", &c, &err), 0);
    assert_non_null(strstr(err.msg, "bolt-base, chronos2-small, chronos2-base"));
}

static const loader_family C2 = {&cl_test_chronos2, chronos2_of, 113728, {0, 0},
                                 {{"chronos2-small", 28262560, NULL, c2_small}, {"chronos2-small", 28262560, "bf16", NULL}},
                                 "chronos2-huge"};

static const loader_family *family(void) {
    const int f = cl_test_family_now()->family;
    return f == CL_FAMILY_BOLT ? &BOLT : f == CL_FAMILY_CHRONOS2 ? &C2 : &T5;
}

/* ------------------------------------------------------------ variants of the fixture */

static const char *copy_config(const char *tag) {
    static char dir[512];
    snprintf(dir, sizeof dir, "%s/%s-%s", test_tmpdir(), cl_test_family_now()->name, tag);
    assert_int_equal(run_cmd("mkdir -p '%s' && cp '%s/config.json' '%s/'", dir, cl_test_family_now()->fixture, dir), 0);
    return dir;
}

/* Writes the family fixture's tensors in dtype into dir, split in nshards. */
static void write_variant(const char *dir, int nshards, st_dtype dtype) {
    st_file f;
    cl_error err;
    char path[1024];
    snprintf(path, sizeof path, "%s/model.safetensors", cl_test_family_now()->fixture);
    if (st_open(path, &f, &err)) fail_msg("%s", err.msg);
    void **bufs = calloc((size_t)f.n, sizeof(void *));
    FILE *idx = NULL;
    if (nshards > 1) {
        snprintf(path, sizeof path, "%s/model.safetensors.index.json", dir);
        idx = fopen(path, "w");
        fprintf(idx, "{\"metadata\": {}, \"weight_map\": {");
    }
    for (int k = 0; k < nshards; k++) {
        st_writer *w = st_writer_new();
        for (int i = k; i < f.n; i += nshards) {
            const st_tensor *t = &f.t[i];
            size_t n = st_numel(t);
            const float *src = t->data;
            void *data = (void *)t->data;
            if (dtype != ST_F32) {
                uint16_t *h = malloc(2 * n + 2);
                for (size_t j = 0; j < n; j++) {
                    if (dtype == ST_BF16) h[j] = cl_f32_to_bf16(src[j]);
                    else { _Float16 v = (_Float16)src[j]; memcpy(&h[j], &v, 2); }
                }
                data = bufs[i] = h;
            }
            st_writer_add(w, t->name, dtype, t->ndim, t->shape, data);
            if (idx) fprintf(idx, "%s\"%s\": \"model-%05d-of-%05d.safetensors\"", i ? ", " : "", t->name, k + 1, nshards);
        }
        if (nshards > 1) snprintf(path, sizeof path, "%s/model-%05d-of-%05d.safetensors", dir, k + 1, nshards);
        else snprintf(path, sizeof path, "%s/model.safetensors", dir);
        assert_int_equal(st_writer_save(w, path, "pt", &err), 0);
        st_writer_free(w);
    }
    if (idx) { fprintf(idx, "}}\n"); fclose(idx); }
    for (int i = 0; i < f.n; i++) free(bufs[i]);
    free(bufs);
    st_close(&f);
}

static void test_sharded_equals_single(void **st) {
    (void)st;
    const loader_family *F = family();
    const char *dir = copy_config("shards");
    write_variant(dir, 3, ST_F32);
    size_t n;
    float *a = F->output_of(F->fam->fixture, &n), *b = F->output_of(dir, &n);
    assert_memory_equal(a, b, n * sizeof(float)); /* same weights, same arithmetic */
    free(a);
    free(b);
}

/* A half-precision file gives exactly the output of an fp32 file holding the same (rounded)
 * values: widening is exact and happens once, at load (every parameter owned exactly once). */
static void check_half(st_dtype dt, const char *tag) {
    const loader_family *F = family();
    char half[512], wide[600];
    snprintf(half, sizeof half, "%s", copy_config(tag));
    write_variant(half, 1, dt);
    /* fp32 copy of the rounded weights: load the half model's tensors and write them wide */
    snprintf(wide, sizeof wide, "%s-wide", half);
    assert_int_equal(run_cmd("mkdir -p '%s' && cp '%s/config.json' '%s/'", wide, half, wide), 0);
    st_file f;
    cl_error err;
    char path[1024];
    snprintf(path, sizeof path, "%s/model.safetensors", half);
    if (st_open(path, &f, &err)) fail_msg("%s", err.msg);
    st_writer *w = st_writer_new();
    float **bufs = calloc((size_t)f.n, sizeof(float *));
    for (int i = 0; i < f.n; i++) {
        size_t n = st_numel(&f.t[i]);
        bufs[i] = malloc(4 * n + 4);
        const uint16_t *h = f.t[i].data;
        for (size_t j = 0; j < n; j++) bufs[i][j] = dt == ST_BF16 ? cl_bf16_to_f32(h[j]) : cl_f16_to_f32(h[j]);
        st_writer_add(w, f.t[i].name, ST_F32, f.t[i].ndim, f.t[i].shape, bufs[i]);
    }
    snprintf(path, sizeof path, "%s/model.safetensors", wide);
    assert_int_equal(st_writer_save(w, path, "pt", &err), 0);
    st_writer_free(w);
    for (int i = 0; i < f.n; i++) free(bufs[i]);
    free(bufs);
    st_close(&f);
    size_t n;
    float *a = F->output_of(half, &n), *b = F->output_of(wide, &n), *ref = F->output_of(F->fam->fixture, &n);
    assert_memory_equal(a, b, n * sizeof(float));
    /* and close to the unrounded model */
    const double bound = F->half_bound[dt == ST_BF16];
    if (bound > 0) assert_true(max_abs_diff(a, ref, n) < bound);
    cl_model *m;
    assert_int_equal(cl_model_load(half, NULL, &m, &err), 0);
    assert_string_equal(cl_model_dtype(m), dt == ST_BF16 ? "BF16" : "F16");
    assert_int_equal(cl_model_owned_bytes(m), 4 * cl_model_param_count(m)); /* widened copies, once */
    cl_model_free(m);
    free(a); free(b); free(ref);
}

static void test_f16(void **st) { (void)st; check_half(ST_F16, "f16"); }
static void test_bf16(void **st) { (void)st; check_half(ST_BF16, "bf16"); }

static void test_f16_conversion(void **st) {
    (void)st;
    assert_true(cl_f16_to_f32(0x3C00) == 1.0f);
    assert_true(cl_f16_to_f32(0xC000) == -2.0f);
    assert_true(cl_f16_to_f32(0x7BFF) == 65504.0f);
    assert_true(cl_f16_to_f32(0x0001) == 5.9604644775390625e-8f); /* smallest subnormal */
    assert_true(cl_f16_to_f32(0x03FF) == 6.097555160522461e-5f);  /* largest subnormal */
    assert_true(isinf(cl_f16_to_f32(0x7C00)));
    assert_true(isnan(cl_f16_to_f32(0x7E00)));
    assert_true(cl_bf16_to_f32(0x3F80) == 1.0f);
    assert_int_equal(cl_f32_to_bf16(1.0f), 0x3F80);
    assert_int_equal(cl_f32_to_bf16(1.00390625f), 0x3F80); /* tie to even */
}

static void test_f32_in_place(void **st) {
    (void)st;
    const loader_family *F = family();
    cl_error err;
    cl_model *m;
    assert_int_equal(cl_model_load(F->fam->fixture, NULL, &m, &err), 0);
    assert_int_equal(cl_model_owned_bytes(m), 0); /* no second copy of fp32 weights */
    assert_string_equal(cl_model_dtype(m), "F32");
    assert_int_equal(cl_model_param_count(m), F->params);
    cl_model_free(m);
}

/* A checkpoint truncated while a model has it mapped (another process rewriting it in
 * place): the next pass fails with an error naming the file, not a Bus error, and the
 * model can still be freed */
static void test_truncated_under_run(void **st) {
    (void)st;
    const char *dir = copy_config("truncated");
    char path[600];
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    assert_int_equal(run_cmd("cp " SMALL "/model.safetensors '%s'", path), 0);
    cl_error err = {0};
    cl_model *m;
    cl_state *s;
    if (cl_model_load(dir, NULL, &m, &err)) fail_msg("%s", err.msg);
    assert_int_equal(cl_state_new(m, &s, &err), 0);
    int32_t ids[5] = {2000, 2100, 2050, 1990, 1}, dec[2] = {0, 2049};
    uint8_t mask[5] = {1, 1, 1, 1, 1};
    assert_int_equal(cl_encode(s, ids, mask, 1, 5, &err), 0); /* whole: fine */
    assert_int_equal(truncate(path, 0), 0);
    int rc = cl_encode(s, ids, mask, 1, 5, &err);
    if (!rc) rc = cl_decode(s, dec, 2, 0, &err);
    assert_int_equal(rc, CL_EIO);
    if (!strstr(err.msg, path) || !strstr(err.msg, "truncated")) fail_msg("error does not name the file: %s", err.msg);
    assert_int_equal(cl_decode(s, dec, 2, 0, &err), CL_EIO); /* and stays so */
    cl_state_free(s);
    cl_model_free(m);
}

/* the presets' parameter counts are the published checkpoints' */
static void test_preset_shapes(void **st) {
    (void)st;
    const loader_family *F = family();
    cl_config c;
    cl_error err;
    for (const preset *p = F->presets; p < F->presets + 3 && p->size; p++) {
        char dir[512];
        snprintf(dir, sizeof dir, "%s/init-%s", test_tmpdir(), p->size);
        if (!p->dtype) {
            assert_int_equal(cl_config_preset(p->size, &c, &err), 0);
            assert_int_equal(cl_checkpoint_init_random(dir, &c, 7, 0, NULL, &err), 0);
        } else {
            assert_int_equal(run_cmd("'%s' init --quiet --size %s --dtype %s --out '%s'", CL_CLI, p->size, p->dtype, dir), 0);
        }
        cl_model *m;
        if (cl_model_load(dir, NULL, &m, &err)) fail_msg("%s", err.msg);
        assert_int_equal(cl_model_is_bolt(m), F->fam->family == CL_FAMILY_BOLT);
        assert_int_equal(cl_model_param_count(m), p->params);
        if (p->dtype) assert_string_equal(cl_model_dtype(m), p->dtype[0] == 'b' ? "BF16" : "F16");
        if (p->check) p->check(m, dir);
        cl_model_free(m);
        run_cmd("rm -rf '%s'", dir); /* bolt-small is 190 MB */
    }
    assert_int_not_equal(cl_config_preset(F->bad_preset, &c, &err), 0);
}

int main(int argc, char **argv) {
    static const struct CMUnitTest common[] = {cmocka_unit_test(test_f16_conversion)};
    /* the variants of each family's fixture */
#define FAMILY_CASES                                                                   \
    cmocka_unit_test(test_sharded_equals_single), cmocka_unit_test(test_f16),          \
        cmocka_unit_test(test_bf16), cmocka_unit_test(test_f32_in_place), cmocka_unit_test(test_preset_shapes)
    static const struct CMUnitTest t5[] = {FAMILY_CASES, cmocka_unit_test(test_truncated_under_run)};
    static const struct CMUnitTest bolt[] = {FAMILY_CASES};
    static const struct CMUnitTest chronos2[] = {FAMILY_CASES, cmocka_unit_test(test_c2_base_count)};
    static const cl_test_group groups[] = {
        CL_TEST_GROUP("common", common, NULL, NULL, NULL, NULL),
        CL_TEST_GROUP("t5", t5, NULL, NULL, &cl_test_t5, NULL),
        CL_TEST_GROUP("bolt", bolt, NULL, NULL, &cl_test_bolt, NULL),
        CL_TEST_GROUP("chronos2", chronos2, NULL, NULL, &cl_test_chronos2, NULL),
    };
    int rc = cl_test_main(argc, argv, groups, sizeof groups / sizeof *groups);
    run_cmd("rm -rf '%s'", test_tmpdir());
    return rc;
}
