/* msheads.h — per-head attention spectra of multisine inputs: the attention signal of every
 * decoder layer and head (cl_multisine_attention), its spectrum, double FFT, spacing and
 * spectral amplitude (cl_spectrum_analyse), for many series batched through the model. */
#ifndef CL_MSHEADS_H
#define CL_MSHEADS_H

#include "chronolens.h"
#include "study/common/spectrum.h"

/* A head's attention is "concentrated" — on EOS, or on one position — when its context mass
 * is below CL_MS_CONCENTRATED_MASS or one position holds at least CL_MS_CONCENTRATED_SHARE of
 * it: its spectrum then says nothing about periodicity (the claims report such heads apart). */
#define CL_MS_CONCENTRATED_MASS 0.05
#define CL_MS_CONCENTRATED_SHARE 0.5
static inline int cl_ms_concentrated(const cl_ms_head *h) {
    return h->mass < CL_MS_CONCENTRATED_MASS || h->max_share >= CL_MS_CONCENTRATED_SHARE;
}


/* series (n, points) -> out (n, layers*heads), layer-major heads. Chronos-Bolt: the signal
 * has one sample per patch (cl_bolt_ms_attention), f is of that length and keep's arrays are
 * (n, layers*heads, patches). The series go through the
 * model `batch` at a time (one encoder and one decoder pass per batch). f: a plan of length
 * points, reused for every transform. keep (may be NULL) receives the full arrays (allocated
 * here). progress (may be NULL) is reported after each batch: stage "multisine", series done of n. */
int cl_ms_heads(cl_state *s, cl_fft *f, const float *series, int n, int points, double duration, int batch,
                const cl_spacing_opts *o, cl_ms_head *out, cl_ms_arrays *keep,
                const cl_progress *progress, cl_error *err);

#endif
