/* safetensors.c — the checkpoint container: 8-byte little-endian header length, a JSON
 * header {name: {dtype, shape, data_offsets}}, then the data area. The header is
 * untrusted input: every field is checked before any byte of data is touched. */
#include "io/safetensors.h"
#include "io/outlock.h"
#include "core/core.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct { const char *name; size_t size; } DTYPES[ST_NDTYPES] = {
    [ST_F32] = {"F32", 4}, [ST_F16] = {"F16", 2}, [ST_BF16] = {"BF16", 2},
    [ST_F64] = {"F64", 8}, [ST_I64] = {"I64", 8}, [ST_I32] = {"I32", 4},
    [ST_I16] = {"I16", 2}, [ST_I8] = {"I8", 1},   [ST_U8] = {"U8", 1},
    [ST_BOOL] = {"BOOL", 1},
};

const char *st_dtype_name(st_dtype d) { return DTYPES[d].name; }
size_t st_dtype_size(st_dtype d) { return DTYPES[d].size; }

size_t st_numel(const st_tensor *t) {
    size_t n = 1;
    for (int i = 0; i < t->ndim; i++) n *= (size_t)t->shape[i];
    return n;
}

/* ------------------------------------------------------------------ SIGBUS guard */

/* The live mappings, read by the SIGBUS handler: a slot is live once `used` is set, after
 * its range is written (registration under a mutex; the handler only reads). */
#define ST_MAX_MAPS 256
static struct { uintptr_t lo, hi; volatile sig_atomic_t used, truncated; } maps[ST_MAX_MAPS];
static pthread_mutex_t maps_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sigaction prev_bus;

static void on_sigbus(int sig, siginfo_t *si, void *uc) {
    const uintptr_t a = (uintptr_t)si->si_addr, page = (uintptr_t)sysconf(_SC_PAGESIZE);
    for (int i = 0; i < ST_MAX_MAPS; i++) {
        if (!maps[i].used || a < maps[i].lo || a >= maps[i].hi) continue;
        /* the file shrank under us: the rest of the mapping becomes zero pages, so the read
         * that faulted (in whichever thread) completes, and the file is marked for st_check */
        uintptr_t from = a & ~(page - 1);
        if (mmap((void *)from, maps[i].hi - from, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
            break;
        maps[i].truncated = 1;
        return;
    }
    /* not a mapped weight: as before this handler (Python's faulthandler, or death) */
    if (prev_bus.sa_flags & SA_SIGINFO) prev_bus.sa_sigaction(sig, si, uc);
    else if (prev_bus.sa_handler != SIG_DFL && prev_bus.sa_handler != SIG_IGN) prev_bus.sa_handler(sig);
    else {
        signal(SIGBUS, SIG_DFL); /* the faulting read runs again and kills the process */
    }
}

/* (Re)installed at every mapping: a handler set since (a test framework's, Python's
 * faulthandler) would otherwise take the guard's place; it becomes the one chained to. */
static void install_sigbus(void) {
    struct sigaction sa, cur;
    if (sigaction(SIGBUS, NULL, &cur) == 0 && (cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == on_sigbus) return;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER; /* NODEFER: a fault of another thread meanwhile is handled too */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, &prev_bus);
}

static int map_register(void *map, size_t size) {
    const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    pthread_mutex_lock(&maps_lock);
    install_sigbus();
    int slot = -1;
    for (int i = 0; i < ST_MAX_MAPS && slot < 0; i++)
        if (!maps[i].used) slot = i;
    if (slot >= 0) {
        maps[slot].lo = (uintptr_t)map;
        maps[slot].hi = ((uintptr_t)map + size + page - 1) & ~(page - 1);
        maps[slot].truncated = 0;
        __atomic_store_n(&maps[slot].used, 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&maps_lock);
    return slot;
}

static void map_unregister(int slot) {
    if (slot < 0) return;
    pthread_mutex_lock(&maps_lock);
    __atomic_store_n(&maps[slot].used, 0, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&maps_lock);
}

int st_check(const st_file *f, cl_error *err) {
    if (f->map && f->guard >= 0 && maps[f->guard].truncated)
        return cl_error_set(err, CL_EIO, "%s: the file was truncated while in use (it had %zu bytes); results discarded",
                            f->path, f->size);
    return 0;
}

/* ------------------------------------------------------------------ reader */

static int cmp_begin(const void *a, const void *b) {
    const st_tensor *x = *(const st_tensor *const *)a, *y = *(const st_tensor *const *)b;
    return x->begin < y->begin ? -1 : x->begin > y->begin ? 1 : (x->end > y->end) - (x->end < y->end);
}

static int cmp_name_ptr(const void *a, const void *b) {
    return strcmp((*(const st_tensor *const *)a)->name, (*(const st_tensor *const *)b)->name);
}

/* A JSON number that is a non-negative integer representable exactly. */
static int json_uint(const cJSON *j, uint64_t *out) {
    if (!cJSON_IsNumber(j)) return -1;
    double v = j->valuedouble;
    if (!(v >= 0) || v > 9007199254740992.0 || v != floor(v)) return -1;
    *out = (uint64_t)v;
    return 0;
}

static int parse_entry(const char *path, const cJSON *e, st_tensor *t, size_t data_size,
                       cl_error *err) {
    const char *name = e->string;
    if (!cJSON_IsObject(e))
        return cl_error_set(err, CL_EFORMAT, "%s: tensor '%s' is not a JSON object", path, name);
    const cJSON *dt = cJSON_GetObjectItemCaseSensitive(e, "dtype");
    const cJSON *sh = cJSON_GetObjectItemCaseSensitive(e, "shape");
    const cJSON *of = cJSON_GetObjectItemCaseSensitive(e, "data_offsets");
    if (!cJSON_IsString(dt) || !cJSON_IsArray(sh) || !cJSON_IsArray(of))
        return cl_error_set(err, CL_EFORMAT, "%s: tensor '%s' lacks dtype, shape or data_offsets",
                            path, name);
    int d;
    for (d = 0; d < ST_NDTYPES; d++)
        if (strcmp(dt->valuestring, DTYPES[d].name) == 0) break;
    if (d == ST_NDTYPES)
        return cl_error_set(err, CL_EFORMAT, "%s: tensor '%s' has unknown dtype '%.32s'", path,
                            name, dt->valuestring);
    t->dtype = (st_dtype)d;
    int nd = cJSON_GetArraySize(sh);
    if (nd > ST_MAX_DIMS)
        return cl_error_set(err, CL_EFORMAT, "%s: tensor '%s' has %d dimensions (max %d)", path,
                            name, nd, ST_MAX_DIMS);
    t->ndim = nd;
    size_t bytes = DTYPES[d].size;
    int i = 0;
    const cJSON *x;
    cJSON_ArrayForEach(x, sh) {
        uint64_t v;
        if (json_uint(x, &v) != 0)
            return cl_error_set(err, CL_EFORMAT, "%s: tensor '%s' has a bad shape entry", path, name);
        t->shape[i++] = (int64_t)v;
        if (cl_mul_size(bytes, (size_t)v, &bytes) != 0)
            return cl_error_set(err, CL_EFORMAT, "%s: tensor '%s' shape overflows", path, name);
    }
    uint64_t a, b;
    if (cJSON_GetArraySize(of) != 2 || json_uint(cJSON_GetArrayItem(of, 0), &a) != 0 ||
        json_uint(cJSON_GetArrayItem(of, 1), &b) != 0 || a > b)
        return cl_error_set(err, CL_EFORMAT, "%s: tensor '%s' has bad data_offsets", path, name);
    if (b > data_size)
        return cl_error_set(err, CL_EFORMAT,
                            "%s: tensor '%s' offsets [%llu, %llu) lie outside the data area (%zu bytes)",
                            path, name, (unsigned long long)a, (unsigned long long)b, data_size);
    if (b - a != bytes)
        return cl_error_set(err, CL_EFORMAT,
                            "%s: tensor '%s' occupies %llu bytes but dtype x shape needs %zu", path,
                            name, (unsigned long long)(b - a), bytes);
    t->begin = (size_t)a;
    t->end = (size_t)b;
    return 0;
}

int st_open(const char *path, st_file *f, cl_error *err) {
    memset(f, 0, sizeof *f);
    int fd = cl_open_read(path, err); /* a regular file, never a FIFO or device */
    if (fd < 0) return CL_EIO;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return cl_error_set(err, CL_EIO, "%s: cannot size: %s", path, strerror(errno));
    }
    size_t size = (size_t)st.st_size;
    if (size < 8) {
        close(fd);
        return cl_error_set(err, CL_EFORMAT, "%s: truncated safetensors file (%zu bytes)", path, size);
    }
    void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) return cl_error_set(err, CL_EIO, "%s: cannot mmap: %s", path, strerror(errno));
    f->map = map;
    f->size = size;
    f->path = strdup(path);
    /* mapped and used in place (no copy, shared page cache); a file truncated meanwhile is
     * an error (st_check), not a Bus error. Without a free slot the file is read as before. */
    f->guard = map_register(map, size);
    const unsigned char *p = map;
    uint64_t hn = 0;
    for (int i = 7; i >= 0; i--) hn = (hn << 8) | p[i];
    int rc = 0;
    cJSON *root = NULL;
    if (hn > size - 8) {
        rc = cl_error_set(err, CL_EFORMAT, "%s: header length %llu exceeds the file size (%zu bytes)",
                          path, (unsigned long long)hn, size);
        goto fail;
    }
    if (hn > ST_MAX_HEADER || hn < 2) {
        rc = hn < 2 ? cl_error_set(err, CL_EFORMAT, "%s: implausible header length %llu", path,
                                   (unsigned long long)hn)
                    : cl_error_set(err, CL_ENOMEM, "%s: header of %llu bytes exceeds the limit of %zu",
                                   path, (unsigned long long)hn, ST_MAX_HEADER);
        goto fail;
    }
    root = cJSON_ParseWithLength((const char *)p + 8, (size_t)hn);
    if ((rc = st_check(f, err))) goto fail; /* the header read from a file shrunk meanwhile */
    if (!root || !cJSON_IsObject(root)) {
        rc = cl_error_set(err, CL_EFORMAT, "%s: header is not a well-formed JSON object", path);
        goto fail;
    }
    size_t data_off = 8 + (size_t)hn, data_size = size - data_off;
    int n = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, root) if (strcmp(e->string, "__metadata__") != 0) n++;
    f->t = calloc((size_t)n + 1, sizeof *f->t);
    if (!f->t) { rc = cl_error_set(err, CL_ENOMEM, "%s: out of memory", path); goto fail; }
    cJSON_ArrayForEach(e, root) {
        if (strcmp(e->string, "__metadata__") == 0) continue;
        st_tensor *t = &f->t[f->n];
        if ((rc = parse_entry(path, e, t, data_size, err)) != 0) goto fail;
        if (!(t->name = strdup(e->string))) { rc = cl_error_set(err, CL_ENOMEM, "%s: out of memory", path); goto fail; }
        t->data = p + data_off + t->begin;
        f->n++;
    }
    /* duplicate names and overlaps: sort, then compare neighbours (n log n: a header may
     * list millions of entries) */
    st_tensor **order = malloc(((size_t)f->n + 1) * sizeof *order);
    if (!order) { rc = cl_error_set(err, CL_ENOMEM, "%s: out of memory", path); goto fail; }
    for (int i = 0; i < f->n; i++) order[i] = &f->t[i];
    qsort(order, (size_t)f->n, sizeof *order, cmp_name_ptr);
    for (int i = 1; i < f->n; i++)
        if (strcmp(order[i - 1]->name, order[i]->name) == 0) {
            rc = cl_error_set(err, CL_EFORMAT, "%s: tensor '%s' appears twice", path, order[i]->name);
            free(order);
            goto fail;
        }
    /* empty tensors never overlap */
    qsort(order, (size_t)f->n, sizeof *order, cmp_begin);
    size_t prev_end = 0;
    const char *prev = NULL;
    for (int i = 0; i < f->n; i++) {
        if (order[i]->begin == order[i]->end) continue;
        if (prev && order[i]->begin < prev_end) {
            rc = cl_error_set(err, CL_EFORMAT, "%s: tensors '%s' and '%s' overlap", path, prev,
                              order[i]->name);
            free(order);
            goto fail;
        }
        prev_end = order[i]->end;
        prev = order[i]->name;
    }
    free(order);
    cJSON_Delete(root);
    return 0;
fail:
    cJSON_Delete(root);
    st_close(f);
    return rc ? rc : CL_EFORMAT;
}

void st_close(st_file *f) {
    if (f->map) { map_unregister(f->guard); munmap(f->map, f->size); }
    for (int i = 0; i < f->n; i++) free(f->t[i].name);
    free(f->t);
    free(f->path);
    memset(f, 0, sizeof *f);
}

const st_tensor *st_find(const st_file *f, const char *name) {
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->t[i].name, name) == 0) return &f->t[i];
    return NULL;
}

/* ------------------------------------------------------------------ writer */

typedef struct { char *name; st_dtype dtype; int ndim; int64_t shape[ST_MAX_DIMS]; const void *data; size_t bytes, off; } wentry;
/* streaming (st_writer_begin): the open temporary and where the data area starts */
#define ST_MAX_META 8
struct st_writer {
    wentry *e;
    int n, cap;
    cl_out out;
    int open;
    size_t data_start;
    int n_meta;
    char meta[ST_MAX_META][2][64]; /* __metadata__ key, value */
};

int st_writer_meta(st_writer *w, const char *key, const char *value) {
    if (w->n_meta >= ST_MAX_META || strlen(key) >= 64 || strlen(value) >= 64) return -1;
    snprintf(w->meta[w->n_meta][0], 64, "%s", key);
    snprintf(w->meta[w->n_meta++][1], 64, "%s", value);
    return 0;
}

st_writer *st_writer_new(void) { return calloc(1, sizeof(st_writer)); }

int st_writer_add(st_writer *w, const char *name, st_dtype dtype, int ndim, const int64_t *shape,
                  const void *data) {
    if (ndim > ST_MAX_DIMS) return -1;
    if (w->n == w->cap) {
        int cap = w->cap ? 2 * w->cap : 16;
        wentry *e = realloc(w->e, (size_t)cap * sizeof *e);
        if (!e) return -1;
        w->e = e;
        w->cap = cap;
    }
    wentry *e = &w->e[w->n++];
    memset(e, 0, sizeof *e);
    e->name = strdup(name);
    e->dtype = dtype;
    e->ndim = ndim;
    e->bytes = st_dtype_size(dtype);
    for (int i = 0; i < ndim; i++) { e->shape[i] = shape[i]; e->bytes *= (size_t)shape[i]; }
    e->data = data;
    return 0;
}

static int cmp_name(const void *a, const void *b) {
    return strcmp(((const wentry *)a)->name, ((const wentry *)b)->name);
}

/* An integer as JSON text, every digit kept (cJSON prints numbers through a double with
 * 15 significant digits when that round-trips "closely enough", which rounds integers
 * above 1e15: a shape [0, 9007199254740992] would come back different). */
static cJSON *json_int(uint64_t v) {
    char buf[24];
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
    return cJSON_CreateRaw(buf);
}

/* Sorts the entries, gives each its offset and writes the header to a new temporary of path
 * (w->out); the data follows at w->data_start. */
static int write_header(st_writer *w, const char *path, const char *format_meta, cl_error *err) {
    if (w->n) qsort(w->e, (size_t)w->n, sizeof *w->e, cmp_name); /* same order as the reference */
    cJSON *root = cJSON_CreateObject();
    size_t off = 0;
    for (int i = 0; i < w->n; i++) {
        wentry *e = &w->e[i];
        e->off = off;
        cJSON *t = cJSON_AddObjectToObject(root, e->name);
        cJSON_AddStringToObject(t, "dtype", st_dtype_name(e->dtype));
        cJSON *sh = cJSON_AddArrayToObject(t, "shape");
        for (int d = 0; d < e->ndim; d++) cJSON_AddItemToArray(sh, json_int((uint64_t)e->shape[d]));
        cJSON *of = cJSON_AddArrayToObject(t, "data_offsets");
        cJSON_AddItemToArray(of, json_int(off));
        cJSON_AddItemToArray(of, json_int(off + e->bytes));
        off += e->bytes;
    }
    if (format_meta || w->n_meta) {
        cJSON *m = cJSON_AddObjectToObject(root, "__metadata__");
        if (format_meta) cJSON_AddStringToObject(m, "format", format_meta);
        for (int i = 0; i < w->n_meta; i++) cJSON_AddStringToObject(m, w->meta[i][0], w->meta[i][1]);
    }
    char *hj = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!hj) return cl_error_set(err, CL_ENOMEM, "%s: out of memory", path);
    size_t hn = strlen(hj), pad = (8 - hn % 8) % 8;
    int rc = cl_out_open(&w->out, path, err);
    if (rc) { free(hj); return rc; }
    w->open = 1;
    FILE *fp = w->out.fp;
    unsigned char len8[8];
    uint64_t total = hn + pad;
    for (int i = 0; i < 8; i++) len8[i] = (unsigned char)(total >> (8 * i));
    fwrite(len8, 1, 8, fp);
    fwrite(hj, 1, hn, fp);
    for (size_t i = 0; i < pad; i++) fputc(' ', fp);
    free(hj);
    w->data_start = 8 + hn + pad;
    return 0;
}

int st_writer_save(st_writer *w, const char *path, const char *format_meta, cl_error *err) {
    int rc = write_header(w, path, format_meta, err);
    if (rc) return rc;
    FILE *fp = w->out.fp;
    for (int i = 0; i < w->n; i++)
        if (w->e[i].bytes) fwrite(w->e[i].data, 1, w->e[i].bytes, fp);
    w->open = 0;
    return cl_out_commit(&w->out, err);
}

int st_writer_begin(st_writer *w, const char *path, const char *format_meta, cl_error *err) {
    int rc = write_header(w, path, format_meta, err);
    if (rc) return rc;
    size_t total = w->data_start;
    for (int i = 0; i < w->n; i++) total += w->e[i].bytes;
    FILE *fp = w->out.fp;
    /* the whole file's size at once: a full disk shows now, not after the computation */
    int e = 0;
    if (fflush(fp) != 0 || ftruncate(fileno(fp), (off_t)total) != 0) e = errno ? errno : EIO;
    else if ((e = posix_fallocate(fileno(fp), 0, (off_t)total)) == EOPNOTSUPP || e == EINVAL) e = 0; /* not on every fs */
    if (e) {
        cl_out_abort(&w->out);
        w->open = 0;
        return cl_error_set(err, CL_EIO, "%s: cannot make room for %zu bytes: %s", path, total, strerror(e));
    }
    return 0;
}

int st_writer_put(st_writer *w, const char *name, size_t offset, const void *data, size_t bytes, cl_error *err) {
    for (int i = 0; i < w->n; i++) {
        const wentry *e = &w->e[i];
        if (strcmp(e->name, name) != 0) continue;
        if (offset > e->bytes || bytes > e->bytes - offset)
            return cl_error_set(err, CL_EINVAL, "%s: %s: bytes [%zu, %zu) outside the tensor's %zu", w->out.path, name,
                                offset, offset + bytes, e->bytes);
        const char *p = data;
        off_t at = (off_t)(w->data_start + e->off + offset);
        while (bytes) {
            ssize_t k = pwrite(fileno((FILE *)w->out.fp), p, bytes, at);
            if (k < 0 && errno == EINTR) continue;
            if (k <= 0) return cl_error_set(err, CL_EIO, "%s: write error: %s", w->out.path, strerror(k < 0 ? errno : ENOSPC));
            p += k; at += k; bytes -= (size_t)k;
        }
        return 0;
    }
    return cl_error_set(err, CL_EINVAL, "%s: no tensor '%s' in the writer", w->out.path, name);
}

int st_writer_finish(st_writer *w, cl_error *err) {
    w->open = 0;
    return cl_out_commit(&w->out, err);
}

void st_writer_free(st_writer *w) {
    if (!w) return;
    if (w->open) cl_out_abort(&w->out); /* begun, never finished: no output */
    for (int i = 0; i < w->n; i++) free(w->e[i].name);
    free(w->e);
    free(w);
}
