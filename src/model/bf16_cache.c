/* bf16_cache.c — the bf16 copy of a checkpoint's matrices, kept in the user's cache (issue 27).
 *
 * Loading in bf16 rounds every matrix of an fp32 checkpoint into a fresh block: on a small
 * model 92 MB that the kernel must zero page by page before the rounding writes it (slow in
 * a virtual machine: with the rounding itself ~20 % of a whole bf16 induction run). The
 * first bf16 load writes that block as a safetensors file holding one BF16 tensor named
 * after a key; later loads map it (the page cache: nothing to zero, nothing to round) when
 * the key still matches.
 *
 * Where: a per-user cache folder, $XDG_CACHE_HOME/chronolens/bf16 (an absolute
 * XDG_CACHE_HOME, as the XDG spec asks), else ~/.cache/chronolens/bf16 — never the model's
 * folder, which may be shared, read-only or under version control. One file per checkpoint
 * location, named by a hash of the first checkpoint file's resolved path, so a checkpoint
 * rewritten in place replaces its cache instead of adding one. The folders are created on
 * the first save (chronolens/ with mode 0700, as XDG asks of the cache's own folder).
 *
 * The key is a hash of what the block was made from: every checkpoint file's identity
 * (device, inode, size, modification and change times to the nanosecond — any write to a
 * file changes its change time, which no user tool can set back) and the layout of the
 * rounded matrices (names, dtypes, sizes, offsets). A checkpoint replaced or rewritten gets
 * a new key, and the next load rounds again and replaces the cache. No cache folder (no
 * HOME), one that cannot be created or written (read-only, a file in the way, a full disk):
 * no cache, the load rounds in memory as without it, silently. CHRONOLENS_BF16_CACHE=0 turns
 * the cache off (nothing read or written). The mapped cache is checked like the
 * checkpoint's files (cl_model_check_files): a cache truncated while in use is an error,
 * never silently wrong numbers. */
#include "model/bf16_cache.h"
#include "io/safetensors.h"
#include "core/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>


static int enabled(void) {
    const char *e = getenv("CHRONOLENS_BF16_CACHE");
    return !(e && !strcmp(e, "0"));
}

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++) h = (h ^ c[i]) * 1099511628211ULL;
    return h;
}

/* 0 when a file cannot be stat'ed (no cache then) */
static uint64_t cache_key(const cl_binder *b, size_t total) {
    static const char version[] = "chronolens bf16 cache 1";
    uint64_t h = fnv(1469598103934665603ULL, version, sizeof version);
    for (int i = 0; i < b->m->nfiles; i++) {
        struct stat st;
        if (stat(b->m->files[i].path, &st) != 0) return 0;
        const int64_t id[] = {(int64_t)st.st_dev, (int64_t)st.st_ino, (int64_t)st.st_size,
                              (int64_t)st.st_mtim.tv_sec, (int64_t)st.st_mtim.tv_nsec,
                              (int64_t)st.st_ctim.tv_sec, (int64_t)st.st_ctim.tv_nsec};
        h = fnv(h, id, sizeof id);
    }
    for (int j = 0; j < b->njobs; j++) {
        const cl_round_job *r = &b->jobs[j];
        const int64_t lay[] = {(int64_t)r->t->dtype, (int64_t)r->n, (int64_t)r->at, (int64_t)r->t->begin};
        h = fnv(h, r->t->name, strlen(r->t->name) + 1);
        h = fnv(h, lay, sizeof lay);
    }
    h = fnv(h, &total, sizeof total);
    return h ? h : 1;
}

/* the cache's folder, <cache>/chronolens/bf16, into dir; create: make it (and its parents)
 * when missing. -1: no HOME, too long, or (create) cannot be made */
static int cache_dir(char *dir, size_t nd, int create) {
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    char base[4096];
    int n;
    if (xdg && xdg[0] == '/') n = snprintf(base, sizeof base, "%s/chronolens", xdg); /* a relative one: ignored (XDG) */
    else if (home && home[0]) n = snprintf(base, sizeof base, "%s/.cache/chronolens", home);
    else return -1;
    if (n < 0 || (size_t)n >= sizeof base || (size_t)snprintf(dir, nd, "%s/bf16", base) >= nd) return -1;
    if (!create) return 0;
    char *slash = strrchr(base, '/');
    cl_error e;
    *slash = 0; /* the cache root ($XDG_CACHE_HOME, ~/.cache): as the user's umask makes it */
    if (cl_mkdirs(base, &e)) return -1;
    *slash = '/';
    if (mkdir(base, 0700) != 0 && errno != EEXIST) return -1; /* ours: private, as XDG asks */
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) return -1;
    struct stat st;
    return stat(dir, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

/* the cache's path (named by the checkpoint's resolved path) and its tensor's name; -1: none */
static int names(const cl_binder *b, size_t total, int create, char *path, size_t np, char *tensor, size_t nt) {
    if (!enabled() || b->m->nfiles < 1) return -1;
    uint64_t key = cache_key(b, total);
    char real[PATH_MAX], dir[4096];
    if (!key || !realpath(b->m->files[0].path, real) || cache_dir(dir, sizeof dir, create)) return -1;
    static const char salt[] = "chronolens bf16 cache path";
    uint64_t where = fnv(fnv(1469598103934665603ULL, salt, sizeof salt), real, strlen(real));
    if ((size_t)snprintf(path, np, "%s/%016llx.safetensors", dir, (unsigned long long)where) >= np) return -1;
    snprintf(tensor, nt, "bf16.%016llx", (unsigned long long)key);
    return 0;
}

int cl_bf16_cache_map(cl_binder *b, size_t total, const uint16_t **block) {
    char path[4096], tensor[64];
    if (b->m->bf16_cache || names(b, total, 0, path, sizeof path, tensor, sizeof tensor)) return -1;
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode)) return -1; /* no cache (or not ours) */
    st_file *f = calloc(1, sizeof *f);
    cl_error e;
    if (!f || st_open(path, f, &e) != 0) { free(f); return -1; } /* unreadable, damaged: rounded again */
    const st_tensor *t = st_find(f, tensor);
    if (!t || f->n != 1 || t->dtype != ST_BF16 || t->ndim != 1 || (size_t)t->shape[0] != total ||
        ((uintptr_t)t->data & 1)) {
        st_close(f); /* another checkpoint's or an older one's: replaced after rounding */
        free(f);
        return -1;
    }
#ifdef MADV_POPULATE_READ
    /* the whole block is read by the first pass: map it in one call, not page by page */
    madvise(f->map, f->size, MADV_POPULATE_READ); /* advice: refused (old kernel), pages fault in */
#endif
    b->m->bf16_cache = f;
    *block = t->data;
    return 0;
}

void cl_bf16_cache_save(const cl_binder *b, size_t total, const uint16_t *block) {
    char path[4096], tensor[64];
    if (names(b, total, 1, path, sizeof path, tensor, sizeof tensor)) return;
    st_writer *w = st_writer_new();
    const int64_t shape[1] = {(int64_t)total};
    cl_error e;
    /* atomic (a temporary name, then rename): a reader never maps a half-written cache;
     * failure (read-only cache, full disk) leaves no file and no message: the load stands */
    if (w && st_writer_add(w, tensor, ST_BF16, 1, shape, block) == 0) st_writer_save(w, path, "pt", &e);
    st_writer_free(w);
}
