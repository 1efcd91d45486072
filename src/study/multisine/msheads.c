/* msheads.c — batched attention capture and per-head spectra of multisine inputs. */
#include "study/multisine/msheads.h"
#include "study/multisine/multisine.h"
#include "study/multisine/bolt_multisine.h"

#include <stdlib.h>
#include <string.h>

void cl_ms_arrays_free(cl_ms_arrays *a) {
    free(a->attn); free(a->mag); free(a->dfft); free(a->dnodc);
    memset(a, 0, sizeof *a);
}

int cl_ms_heads(cl_state *s, cl_fft *f, const float *series, int n, int points, double duration, int batch,
                const cl_spacing_opts *o, cl_ms_head *out, cl_ms_arrays *keep,
                const cl_progress *progress, cl_error *err) {
    const cl_config *c = cl_model_config(cl_state_model(s));
    /* Chronos-Bolt and Chronos-2: one sample per patch; Chronos-2's heads are its layers' time attention */
    const int c2 = c->family == CL_FAMILY_CHRONOS2, bolt = c->family == CL_FAMILY_BOLT || c2;
    const int LH = (c2 ? c->num_layers : c->num_decoder_layers) * c->num_heads, series_len = points;
    points = bolt ? cl_bolt_num_patches(c, series_len) : series_len; /* Bolt: one sample per patch */
    if (cl_fft_len(f) != points) return cl_error_set(err, CL_EINVAL, "multisine: FFT plan of length %d for %d samples", cl_fft_len(f), points);
    if (batch < 1) batch = 1;
    if (batch > n) batch = n;
    const size_t per = (size_t)LH * points, total = (size_t)n * per;
    if (keep) {
        memset(keep, 0, sizeof *keep);
        keep->attn = malloc(sizeof(double) * total);
        keep->mag = malloc(sizeof(double) * total);
        keep->dfft = malloc(sizeof(double) * total);
        keep->dnodc = malloc(sizeof(double) * total);
        if (!keep->attn || !keep->mag || !keep->dfft || !keep->dnodc) {
            cl_ms_arrays_free(keep);
            return cl_error_set(err, CL_ENOMEM, "multisine: out of memory for %d series x %d heads", n, LH);
        }
    }
    float *attn = malloc(sizeof(float) * (size_t)batch * per);
    double *sig = malloc(sizeof(double) * (size_t)points);
    int rc = (!attn || !sig) ? cl_error_set(err, CL_ENOMEM, "multisine: out of memory") : 0;
    for (int b0 = 0; b0 < n && !rc; b0 += batch) {
        const int nb = n - b0 < batch ? n - b0 : batch;
        const float *x = series + (size_t)b0 * series_len;
        rc = bolt ? cl_bolt_ms_attention(s, x, nb, series_len, attn, err)
                  : cl_multisine_attention(s, x, nb, series_len, attn, err); /* (nb, LH, points) */
        for (int b = 0; b < nb && !rc; b++)
            for (int i = 0; i < LH; i++) {
                const float *a = attn + ((size_t)b * LH + i) * points;
                for (int j = 0; j < points; j++) sig[j] = a[j];
                size_t at = ((size_t)(b0 + b) * LH + i) * points;
                if (keep) memcpy(keep->attn + at, sig, sizeof(double) * (size_t)points);
                cl_spectrum_summary sum;
                cl_spectrum_analyse(f, sig, duration, o, keep ? keep->mag + at : NULL, keep ? keep->dfft + at : NULL,
                                    keep ? keep->dnodc + at : NULL, &sum);
                cl_ms_head *h = &out[(size_t)(b0 + b) * LH + i];
                h->amplitude = sum.power;
                h->peak = sum.peak;
                h->sp = sum.sp;
                double tot = 0, mx = 0;
                for (int j = 0; j < points; j++) { tot += sig[j]; mx = sig[j] > mx ? sig[j] : mx; }
                h->mass = tot;
                h->max_share = tot > 0 ? mx / tot : 1;
            }
        if (!rc) rc = cl_progress_point(progress, "multisine", b0 + nb, n, err);
    }
    free(attn);
    free(sig);
    if (rc && keep) cl_ms_arrays_free(keep);
    return rc;
}
