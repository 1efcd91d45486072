/* maker.c — drawing a random checkpoint's tensors (maker.h) into a safetensors writer. */
#include "model/maker.h"

#include <stdlib.h>

void cl_maker_add(cl_maker *mk, const char *name, int rows, int cols, double std) {
    if (mk->rc) return;
    if (mk->n == mk->cap) {
        int cap = mk->cap ? 2 * mk->cap : 64;
        void **nb = realloc(mk->bufs, sizeof *nb * (size_t)cap);
        if (!nb) { mk->rc = CL_ENOMEM; return; }
        mk->bufs = nb;
        mk->cap = cap;
    }
    size_t n = (size_t)rows * (cols ? cols : 1);
    void *buf = cl_alloc(n * (mk->bf16 ? 2 : 4));
    if (!buf) { mk->rc = CL_ENOMEM; return; }
    mk->bufs[mk->n++] = buf;
    for (size_t i = 0; i < n; i++) {
        float v = std > 0 ? (float)(std * cl_rng_normal(&mk->rng)) : std < 0 ? 0.0f : 1.0f;
        if (mk->bf16) ((uint16_t *)buf)[i] = cl_f32_to_bf16(v);
        else ((float *)buf)[i] = v;
    }
    int64_t shape[2] = {rows, cols};
    st_writer_add(mk->w, name, mk->bf16 ? ST_BF16 : ST_F32, cols ? 2 : 1, shape, buf);
    mk->done += n;
    cl_progress_report(mk->progress, "init: drawing weights", (double)mk->done, (double)mk->total);
}
