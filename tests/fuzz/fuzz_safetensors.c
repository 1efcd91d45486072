/* fuzz_safetensors.c — a checkpoint is attacker-controlled input. The fuzz input is a
 * model.safetensors file; st_open must reject it cleanly or accept one whose every
 * tensor lies inside the data area. An accepted file is also (1) read byte for byte,
 * (2) written back with st_writer_save and re-read identically, and (3) loaded as a
 * model against a tiny fixed config.json (tensor lookup, shape checks, bf16/f16
 * widening in weights.c). Seeds: tests/fuzz/corpus/safetensors (make_seeds.py). */
#include "chronolens.h"
#include "io/safetensors.h"
#include "fuzz_util.h"


static char dir[64];

static void cleanup(void) {
    char p[128];
    snprintf(p, sizeof p, "%s/config.json", dir); unlink(p);
    snprintf(p, sizeof p, "%s/model.safetensors", dir); unlink(p);
    snprintf(p, sizeof p, "%s/rt.safetensors", dir); unlink(p);
    rmdir(dir);
}

/* A model folder whose model.safetensors is a link to the fuzz input's memfd. */
static void setup(const char *input_path) {
    if (dir[0]) return;
    fuzz_tiny_model_dir("st", dir, sizeof dir);
    atexit(cleanup);
    char p[128];
    snprintf(p, sizeof p, "%s/model.safetensors", dir);
    if (symlink(input_path, p) != 0) abort();
}

static void round_trip(const st_file *f) {
    char p[128];
    snprintf(p, sizeof p, "%s/rt.safetensors", dir);
    st_writer *w = st_writer_new();
    for (int i = 0; i < f->n; i++)
        CHECK(st_writer_add(w, f->t[i].name, f->t[i].dtype, f->t[i].ndim, f->t[i].shape, f->t[i].data) == 0);
    cl_error err;
    if (st_writer_save(w, p, NULL, &err) != 0) { fprintf(stderr, "%s\n", err.msg); abort(); }
    st_writer_free(w);
    st_file g;
    if (st_open(p, &g, &err) != 0) { fprintf(stderr, "re-read: %s\n", err.msg); abort(); }
    CHECK(g.n == f->n);
    for (int i = 0; i < f->n; i++) {
        const st_tensor *a = &f->t[i], *b = st_find(&g, a->name);
        CHECK(b && b->dtype == a->dtype && b->ndim == a->ndim);
        CHECK(memcmp(a->shape, b->shape, sizeof a->shape[0] * (size_t)a->ndim) == 0);
        CHECK(b->end - b->begin == a->end - a->begin);
        CHECK(memcmp(a->data, b->data, a->end - a->begin) == 0);
    }
    st_close(&g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *path = fuzz_file(data, size);
    setup(path);
    st_file f;
    cl_error err;
    if (st_open(path, &f, &err) != 0) {
        CHECK(err.msg[0] && f.map == NULL && f.t == NULL); /* failed cleanly, nothing held */
        return 0;
    }
    /* every accepted tensor is inside the file and sized by dtype x shape */
    unsigned sum = 0;
    for (int i = 0; i < f.n; i++) {
        const st_tensor *t = &f.t[i];
        CHECK(t->begin <= t->end && t->end <= f.size);
        CHECK(st_numel(t) * st_dtype_size(t->dtype) == t->end - t->begin);
        CHECK(st_find(&f, t->name) == t); /* names are unique */
        const unsigned char *b = t->data;
        for (size_t k = 0; k < t->end - t->begin; k++) sum += b[k];
    }
    (void)sum;
    round_trip(&f);
    st_close(&f);
    cl_model *m;
    if (cl_model_load(dir, NULL, &m, &err) == 0) {
        CHECK(cl_model_param_count(m) > 0);
        cl_model_free(m);
    } else {
        CHECK(err.msg[0]);
    }
    return 0;
}
