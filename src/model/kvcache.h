/* kvcache.h — incremental decoding for sampling: one decoder step for every sample path of
 * every series at once, with the self-attention keys/values of earlier steps cached and the
 * cross-attention keys/values computed once per series and shared by all its samples.
 *
 * Rows are series-major: row = series * samples + sample. Everything is allocated once by
 * cl_kvcache_new; cl_kvcache_begin and cl_kvcache_step allocate nothing. */
#ifndef CL_KVCACHE_H
#define CL_KVCACHE_H

#include "model/model.h"
#include "core/export.h"

typedef struct cl_kvcache cl_kvcache;

/* Sized for up to max_series series of up to max_T encoder tokens, `samples` rows per
 * series and max_steps decoder steps. */
CL_INTERNAL int cl_kvcache_new(const cl_model *m, int max_series, int max_T, int samples, int max_steps,
                               cl_kvcache **out, cl_error *err);
CL_INTERNAL void cl_kvcache_free(cl_kvcache *kv);

/* Starts a decoding against an encoder output enc (B, T, d_model) with its mask (B, T)
 * (0 = padded key, masked in cross-attention): computes the cross-attention K/V of every
 * decoder layer (B*T rows, once) and resets the position to 0. */
CL_INTERNAL int cl_kvcache_begin(cl_kvcache *kv, const float *enc, const uint8_t *mask, int B, int T,
                                 cl_error *err);

/* Feeds tokens (B*samples) at the current position t, then t += 1. The logits of that step,
 * (B*samples, V), are returned by cl_kvcache_logits. The self-attention bias of the query
 * at step t is row t of the causal position bias (keys 0..t). */
CL_INTERNAL int cl_kvcache_step(cl_kvcache *kv, const int32_t *tokens, cl_error *err);
CL_INTERNAL const float *cl_kvcache_logits(const cl_kvcache *kv, int *rows, int *V);

/* Runs hook set hk (not owned; NULL: none) in the next begin and steps: the decoder's points
 * at one position a step (pos0 = the step), rows series x samples. */
CL_INTERNAL void cl_kvcache_set_hooks(cl_kvcache *kv, struct cl_hooks *hk);

/* Current position (steps fed since begin) and FLOPs of the matrix products so far. */
int cl_kvcache_pos(const cl_kvcache *kv);
double cl_kvcache_flops(const cl_kvcache *kv);
/* Bytes of memory held (cache + scratch), for reports. */
size_t cl_kvcache_bytes(const cl_kvcache *kv);

#endif
