/* npy.h — NumPy .npy files (format 1.0, little-endian float32, C order): written
 * atomically for the sample paths and embeddings, read back for tests and tools. */
#ifndef CL_NPY_H
#define CL_NPY_H

#include "chronolens.h"
#include "core/export.h"
#include <stdint.h>

#define NPY_MAX_DIMS 8

/* Writes data (prod(shape) float32) with the given shape (ndim <= NPY_MAX_DIMS) to path,
 * under a temporary name renamed on success. */
CL_INTERNAL int npy_write_f32(const char *path, const float *data, int ndim, const int64_t *shape, cl_error *err) CL_SYMBOL(npy_write_f32);

/* Reads a float32 ('<f4', C order) .npy file. *data (malloc'd) and shape/ndim on success. */
int npy_read_f32(const char *path, float **data, int *ndim, int64_t shape[NPY_MAX_DIMS], cl_error *err);

#endif
