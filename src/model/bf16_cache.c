/* bf16_cache.c — the bf16 copy of a checkpoint's matrices, kept beside it (issue 27).
 *
 * Loading in bf16 rounds every matrix of an fp32 checkpoint into a fresh block: on a small
 * model 92 MB that the kernel must zero page by page before the rounding writes it (slow in
 * a virtual machine: with the rounding itself ~20 % of a whole bf16 induction run). The
 * first bf16 load writes that block as a safetensors file beside the checkpoint,
 * CACHE_NAME, holding one BF16 tensor named after a key; later loads map it (the page cache:
 * nothing to zero, nothing to round) when the key still matches.
 *
 * The key is a hash of what the block was made from: every checkpoint file's identity
 * (device, inode, size, modification and change times to the nanosecond — any write to a
 * file changes its change time, which no user tool can set back) and the layout of the
 * rounded matrices (names, dtypes, sizes, offsets). A checkpoint replaced or rewritten gets
 * a new key, and the next load rounds again and replaces the cache. A folder that cannot be
 * written (a read-only model directory, a full disk) keeps no cache: the load rounds in
 * memory as without it. CHRONOLENS_BF16_CACHE=0 turns the cache off (nothing read or
 * written). The mapped cache is checked like the checkpoint's files (cl_model_check_files):
 * a cache truncated while in use is an error, never silently wrong numbers. */
#include "model/bf16_cache.h"
#include "io/safetensors.h"
#include "core/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#define CACHE_NAME ".chronolens-bf16.safetensors"

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

/* the cache's path (beside the first checkpoint file) and its tensor's name; -1: none */
static int names(const cl_binder *b, size_t total, char *path, size_t np, char *tensor, size_t nt) {
    if (!enabled() || b->m->nfiles < 1) return -1;
    uint64_t key = cache_key(b, total);
    if (!key) return -1;
    const char *file = b->m->files[0].path, *slash = strrchr(file, '/');
    int dl = slash ? (int)(slash + 1 - file) : 0;
    if ((size_t)snprintf(path, np, "%.*s%s", dl, file, CACHE_NAME) >= np) return -1;
    snprintf(tensor, nt, "bf16.%016llx", (unsigned long long)key);
    return 0;
}

int cl_bf16_cache_map(cl_binder *b, size_t total, const uint16_t **block) {
    char path[4096], tensor[64];
    if (b->m->bf16_cache || names(b, total, path, sizeof path, tensor, sizeof tensor)) return -1;
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
    if (names(b, total, path, sizeof path, tensor, sizeof tensor)) return;
    st_writer *w = st_writer_new();
    const int64_t shape[1] = {(int64_t)total};
    cl_error e;
    /* atomic (a temporary name, then rename): a reader never maps a half-written cache;
     * failure (read-only folder, full disk) leaves no file and no message: the load stands */
    if (w && st_writer_add(w, tensor, ST_BF16, 1, shape, block) == 0) st_writer_save(w, path, "pt", &e);
    st_writer_free(w);
}
