/* bf16_cache.h — the rounded bf16 matrices of a checkpoint kept in the user's cache folder
 * (bf16_cache.c). */
#ifndef CL_BF16_CACHE_H
#define CL_BF16_CACHE_H

#include "model/binder.h"

/* Maps the cache of the matrices b has to round (b->jobs, laid out in a block of `total`
 * elements) when the user's cache holds one that matches them: 0 with *block set (kept mapped in
 * b->m until cl_model_free), -1 when there is none (or it is off, stale or damaged). */
int cl_bf16_cache_map(cl_binder *b, size_t total, const uint16_t **block);
/* Writes the rounded block as the checkpoint's cache, replacing an older one; silently
 * nothing where the cache folder cannot be made or written. */
void cl_bf16_cache_save(const cl_binder *b, size_t total, const uint16_t *block);

#endif
