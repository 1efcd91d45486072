/* msheads.h — per-head attention spectra of multisine inputs: the attention signal of every
 * decoder layer and head (cl_multisine_attention), its spectrum, double FFT, spacing and
 * spectral amplitude (cl_spectrum_analyse), for many series batched through the model. */
#ifndef CL_MSHEADS_H
#define CL_MSHEADS_H

#include "chronolens.h"
#include "spectrum.h"

/* What is reported per (series, layer, head). */
typedef struct cl_ms_head {
    double amplitude; /* spectral amplitude: non-DC power of the attention spectrum */
    double peak;      /* highest non-DC spectral line */
    cl_spacing sp;    /* period of the spectrum */
    double mass;      /* attention on the context (the signal's sum; the rest is on EOS) */
    double max_share; /* the largest single position's share of it (1: a delta) */
} cl_ms_head;

/* A head's attention is "concentrated" — on EOS, or on one position — when its context mass
 * is below CL_MS_CONCENTRATED_MASS or one position holds at least CL_MS_CONCENTRATED_SHARE of
 * it: its spectrum then says nothing about periodicity (the claims report such heads apart). */
#define CL_MS_CONCENTRATED_MASS 0.05
#define CL_MS_CONCENTRATED_SHARE 0.5
static inline int cl_ms_concentrated(const cl_ms_head *h) {
    return h->mass < CL_MS_CONCENTRATED_MASS || h->max_share >= CL_MS_CONCENTRATED_SHARE;
}

/* Full arrays, for figures and the spectra file; each (n, layers*heads, points), doubles. */
typedef struct cl_ms_arrays {
    double *attn;  /* the attention signal */
    double *mag;   /* |FFT| on fftfreq(points, duration / points) Hz */
    double *dfft;  /* |FFT(|FFT|)| over all bins (method.md), quefrency fftfreq(points, 1 / duration) s */
    double *dnodc; /* the DC-free double FFT the spacing is detected in */
} cl_ms_arrays;

void cl_ms_arrays_free(cl_ms_arrays *a);

/* series (n, points) -> out (n, layers*heads), layer-major heads. The series go through the
 * model `batch` at a time (one encoder and one decoder pass per batch). f: a plan of length
 * points, reused for every transform. keep (may be NULL) receives the full arrays (allocated
 * here). progress (may be NULL) is called after each batch with (label, done, n). */
int cl_ms_heads(cl_state *s, cl_fft *f, const float *series, int n, int points, double duration, int batch,
                const cl_spacing_opts *o, cl_ms_head *out, cl_ms_arrays *keep,
                void (*progress)(const char *, double, double), cl_error *err);

#endif
