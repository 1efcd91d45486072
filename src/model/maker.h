/* maker.h — the tensors of a random checkpoint (maker.c): each drawn from the one seeded
 * generator in the order they are added (the order fixes every value), stored F32 or BF16
 * into a safetensors writer. cl_checkpoint_init_random (init.c) draws the embedding and the
 * stacks; a family's init_tensors (family.h) its own tensors in between. */
#ifndef CL_MAKER_H
#define CL_MAKER_H

#include "chronolens.h"
#include "core/core.h"
#include "io/safetensors.h"

struct cl_maker {
    st_writer *w;
    void **bufs;            /* the tensors' data, kept until the writer has saved them */
    int n, cap;
    int bf16;               /* store BF16 (each draw rounded) instead of F32 */
    cl_rng rng;
    size_t done, total;     /* values drawn, and the progress total */
    const cl_progress *progress;
    int rc;                 /* CL_ENOMEM once an allocation failed; later adds do nothing */
};
typedef struct cl_maker cl_maker;

/* A (rows, cols) tensor (cols 0: 1-D, rows values) of N(0, std^2) draws; std = 0 fills
 * with 1 (norm weights), std < 0 with 0 (biases). */
void cl_maker_add(cl_maker *mk, const char *name, int rows, int cols, double std);

#endif
