/* test_bf16_cache.c — the bf16 copy of a checkpoint kept in the user's cache folder
 * (src/model/bf16_cache.c): the first bf16 load writes it under $XDG_CACHE_HOME/chronolens/bf16
 * (else ~/.cache/chronolens/bf16) and nothing beside the checkpoint, the next maps it and
 * binds the same bits as rounding does; a rewritten checkpoint, a damaged cache or a cache
 * that cannot be written fall back to rounding (and the first two replace it);
 * CHRONOLENS_BF16_CACHE=0 neither reads nor writes one. Runs in copies of the rand-small
 * fixture with a cache folder of its own (ctest turns the cache off for every other test). */
#include "testutil.h"
#include "model/model.h"
#include "core/core.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SMALL CL_FIXTURES "/rand-small"

static char dir[4096], xdg[4096], bf16dir[4200], cache[4200 + 1 + 256]; /* dir + "/" + a d_name */

/* the one cache file in bf16dir into cache; 0 files: cache[0] = 0; more: a failure */
static void find_cache(void) {
    cache[0] = 0;
    DIR *d = opendir(bf16dir);
    if (!d) return;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        n++;
        snprintf(cache, sizeof cache, "%s/%s", bf16dir, e->d_name);
    }
    closedir(d);
    assert_true(n <= 1); /* one per checkpoint location: a rewrite replaces, never adds */
}

/* the checkpoint's folder holds only what was copied there: no cache beside it */
static void assert_model_dir_clean(void) {
    assert_int_equal(run_cmd("ls -A '%s' | grep -v -e '^config.json$' -e '^model.safetensors$' | wc -l | grep -qx 0", dir), 0);
}

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
    snprintf(xdg, sizeof xdg, "%s/xdg", test_tmpdir());
    snprintf(bf16dir, sizeof bf16dir, "%s/chronolens/bf16", xdg);
    assert_int_equal(run_cmd("mkdir -p '%s'", dir), 0);
    copy_fixture();
    setenv("XDG_CACHE_HOME", xdg, 1);

    /* off: nothing read or written */
    setenv("CHRONOLENS_BF16_CACHE", "0", 1);
    cl_model *plain = load16();
    assert_null(plain->bf16_cache);
    assert_false(dir_exists(xdg));
    assert_model_dir_clean();

    /* on: the first load rounds and writes it in the cache folder (private), the next maps
     * it; same bits; nothing beside the checkpoint */
    setenv("CHRONOLENS_BF16_CACHE", "1", 1);
    cl_model *first = load16();
    assert_null(first->bf16_cache);
    find_cache();
    assert_true(cache[0] && file_exists(cache));
    assert_model_dir_clean();
    struct stat ds;
    char own[4400];
    snprintf(own, sizeof own, "%s/chronolens", xdg);
    assert_int_equal(stat(own, &ds), 0);
    assert_int_equal(ds.st_mode & 0777, 0700);
    cl_model *hit = load16();
    assert_non_null(hit->bf16_cache);
    assert_same(plain, first);
    assert_same(plain, hit);
    cl_error err;
    assert_int_equal(cl_model_check_files(hit, &err), 0);
    cl_model_free(first);
    cl_model_free(hit);

    /* the checkpoint rewritten (same bytes, a new file): stale, rounded again and replaced
     * (the same file name: one cache per checkpoint location) */
    struct stat before, after;
    assert_int_equal(stat(cache, &before), 0);
    copy_fixture();
    cl_model *stale = load16();
    assert_null(stale->bf16_cache);
    assert_same(plain, stale);
    cl_model_free(stale);
    assert_int_equal(stat(cache, &after), 0);
    assert_true(after.st_ino != before.st_ino); /* replaced (renamed into place) */
    find_cache();
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

    /* cannot be written (its name taken by a folder): the load rounds in memory, says
     * nothing, leaves nothing */
    assert_int_equal(run_cmd("rm -f '%s' && mkdir '%s'", cache, cache), 0);
    cl_model *ro = load16();
    assert_null(ro->bf16_cache);
    assert_same(plain, ro);
    cl_model_free(ro);
    assert_true(dir_exists(cache));
    assert_int_equal(run_cmd("ls -A '%s' | wc -l | grep -qx 1", bf16dir), 0);
    assert_model_dir_clean();
    if (geteuid() != 0) { /* a read-only cache folder (root writes anyway) */
        assert_int_equal(run_cmd("rmdir '%s' && chmod a-w '%s'", cache, bf16dir), 0);
        cl_model *rd = load16();
        assert_null(rd->bf16_cache);
        assert_same(plain, rd);
        cl_model_free(rd);
        assert_false(file_exists(cache));
        run_cmd("chmod u+w '%s'", bf16dir);
    }

    /* the cache root is a file: no folder can be made there, no cache */
    char notdir[4400];
    snprintf(notdir, sizeof notdir, "%s/a-file", test_tmpdir());
    assert_int_equal(run_cmd("touch '%s'", notdir), 0);
    setenv("XDG_CACHE_HOME", notdir, 1);
    cl_model *nf = load16();
    assert_null(nf->bf16_cache);
    assert_same(plain, nf);
    cl_model_free(nf);
    assert_model_dir_clean();

    /* no XDG_CACHE_HOME (or a relative one, which XDG says to ignore): ~/.cache/chronolens */
    char home[4400], home_cache[4600];
    const char *old_home = getenv("HOME");
    char *saved_home = old_home ? strdup(old_home) : NULL;
    snprintf(home, sizeof home, "%s/home", test_tmpdir());
    assert_int_equal(run_cmd("mkdir -p '%s'", home), 0);
    setenv("HOME", home, 1);
    setenv("XDG_CACHE_HOME", "relative/cache", 1);
    cl_model *h1 = load16();
    assert_null(h1->bf16_cache);
    cl_model_free(h1);
    snprintf(home_cache, sizeof home_cache, "%s/.cache/chronolens/bf16", home);
    assert_int_equal(run_cmd("ls '%s' | grep -c '\\.safetensors$' | grep -qx 1", home_cache), 0);
    assert_false(dir_exists("relative"));
    unsetenv("XDG_CACHE_HOME");
    cl_model *h2 = load16();
    assert_non_null(h2->bf16_cache);
    assert_same(plain, h2);
    cl_model_free(h2);

    /* neither HOME nor XDG_CACHE_HOME: no cache, rounds */
    unsetenv("HOME");
    cl_model *nh = load16();
    assert_null(nh->bf16_cache);
    assert_same(plain, nh);
    cl_model_free(nh);
    if (saved_home) setenv("HOME", saved_home, 1);
    free(saved_home);
    assert_model_dir_clean();

    cl_model_free(plain);
    setenv("CHRONOLENS_BF16_CACHE", "0", 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cache),
    };
    return cl_run_group_tests(tests, NULL, NULL);
}
