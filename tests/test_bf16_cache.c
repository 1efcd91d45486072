/* test_bf16_cache.c — the bf16 copy of a checkpoint kept beside it (src/model/bf16_cache.c):
 * the first bf16 load writes it, the next maps it and binds the same bits as rounding does;
 * a rewritten checkpoint, a damaged cache or a cache that cannot be written fall back to
 * rounding (and the first two replace it); CHRONOLENS_BF16_CACHE=0 neither reads nor
 * writes one. Runs in copies of the rand-small fixture (ctest turns the cache off for every
 * other test, which load the source tree's fixtures). */
#include "testutil.h"
#include "model/model.h"
#include "core/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SMALL CL_FIXTURES "/rand-small"
#define CACHE ".chronolens-bf16.safetensors"

static char dir[4096], cache[4200];

static cl_model *load16(void) {
    cl_error err;
    cl_model *m;
    cl_load_opts o = {CL_BF16};
    if (cl_model_load(dir, &o, &m, &err)) fail_msg("%s", err.msg);
    assert_int_equal(cl_model_precision(m), CL_BF16);
    return m;
}

/* every bf16 matrix of two loads of the same checkpoint: the same bits */
static void assert_same(const cl_model *a, const cl_model *b) {
    const cl_config *c = &a->cfg;
    const size_t d = (size_t)c->d_model, HD = (size_t)c->num_heads * c->d_kv, ff = (size_t)c->d_ff;
    assert_memory_equal(a->embed_h, b->embed_h, (size_t)c->vocab_size * d * 2);
    for (int l = 0; l < c->num_layers; l++) {
        const layer_w *x = &a->enc[l], *y = &b->enc[l];
        assert_memory_equal(x->self_h.q, y->self_h.q, HD * d * 2);
        assert_memory_equal(x->self_h.o, y->self_h.o, HD * d * 2);
        assert_memory_equal(x->woh, y->woh, ff * d * 2);
    }
    for (int l = 0; l < c->num_decoder_layers; l++) {
        const layer_w *x = &a->dec[l], *y = &b->dec[l];
        assert_memory_equal(x->cross_h.v, y->cross_h.v, HD * d * 2);
        assert_memory_equal(x->wih, y->wih, ff * d * 2);
    }
}

static void copy_fixture(void) {
    assert_int_equal(run_cmd("cp '%s/config.json' '%s/model.safetensors' '%s/'", SMALL, SMALL, dir), 0);
}

static void test_cache(void **st) {
    (void)st;
    if (!cl_bf16_supported()) cl_test_skip("this CPU has no AVX512-BF16/AMX: a bf16 load runs fp32, nothing to cache");
    snprintf(dir, sizeof dir, "%s/model", test_tmpdir());
    snprintf(cache, sizeof cache, "%s/" CACHE, dir);
    assert_int_equal(run_cmd("mkdir -p '%s'", dir), 0);
    copy_fixture();

    /* off: nothing read or written */
    setenv("CHRONOLENS_BF16_CACHE", "0", 1);
    cl_model *plain = load16();
    assert_null(plain->bf16_cache);
    assert_false(file_exists(cache));

    /* on: the first load rounds and writes it, the next maps it; same bits */
    setenv("CHRONOLENS_BF16_CACHE", "1", 1);
    cl_model *first = load16();
    assert_null(first->bf16_cache);
    assert_true(file_exists(cache));
    cl_model *hit = load16();
    assert_non_null(hit->bf16_cache);
    assert_same(plain, first);
    assert_same(plain, hit);
    cl_error err;
    assert_int_equal(cl_model_check_files(hit, &err), 0);
    cl_model_free(first);
    cl_model_free(hit);

    /* the checkpoint rewritten (same bytes, a new file): stale, rounded again and replaced */
    struct stat before, after;
    assert_int_equal(stat(cache, &before), 0);
    copy_fixture();
    cl_model *stale = load16();
    assert_null(stale->bf16_cache);
    assert_same(plain, stale);
    cl_model_free(stale);
    assert_int_equal(stat(cache, &after), 0);
    assert_true(after.st_ino != before.st_ino); /* replaced (renamed into place) */
    cl_model *again = load16();
    assert_non_null(again->bf16_cache);
    cl_model_free(again);

    /* damaged (cut short): not used, rounded again, replaced by a whole one */
    assert_int_equal(truncate(cache, after.st_size / 2), 0);
    cl_model *cut = load16();
    assert_null(cut->bf16_cache);
    assert_same(plain, cut);
    cl_model_free(cut);
    cl_model *mended = load16();
    assert_non_null(mended->bf16_cache);
    assert_same(plain, mended);
    cl_model_free(mended);

    /* cannot be written (its name taken by a folder; as a read-only model folder would
     * refuse it): the load rounds in memory, says nothing, leaves nothing */
    assert_int_equal(run_cmd("rm -f '%s' && mkdir '%s'", cache, cache), 0);
    cl_model *ro = load16();
    assert_null(ro->bf16_cache);
    assert_same(plain, ro);
    cl_model_free(ro);
    assert_true(dir_exists(cache));
    assert_int_equal(run_cmd("ls -A '%s' | grep -v -e '^config.json$' -e '^model.safetensors$' -e '^" CACHE "$' | "
                             "wc -l | grep -qx 0", dir), 0);
    if (geteuid() != 0) { /* a read-only folder (root writes anyway) */
        assert_int_equal(run_cmd("rmdir '%s' && chmod a-w '%s'", cache, dir), 0);
        cl_model *rd = load16();
        assert_null(rd->bf16_cache);
        assert_same(plain, rd);
        cl_model_free(rd);
        assert_false(file_exists(cache));
        run_cmd("chmod u+w '%s'", dir);
    }
    cl_model_free(plain);
    setenv("CHRONOLENS_BF16_CACHE", "0", 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cache),
    };
    return cl_run_group_tests(tests, NULL, NULL);
}
