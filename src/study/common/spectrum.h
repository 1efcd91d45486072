/* spectrum.h — attention spectra (method.md §3): the magnitude FFT, the double FFT, the
 * spacing (period in Hz) of a spectrum from its double-FFT peak, and the spectral amplitude.
 *
 * Every transform goes through FFTW3 (double precision). A cl_fft holds one plan for one
 * length, created once (FFTW_ESTIMATE: deterministic, no timing runs) and executed for every
 * signal, as FFTW intends: plan once, execute many. Not thread-safe: one cl_fft per thread.
 *
 * Axes (numpy's definitions): a signal of n samples spanning `duration` seconds has spectrum
 * bins on fftfreq(n, d = duration / n) Hz, 1 / duration Hz apart; the double FFT of that
 * n-bin spectrum has bins on fftfreq(n, d = 1 / duration), the quefrency in seconds. A
 * spectrum periodic every s Hz has its double-FFT peak at quefrency 1 / s (bin n / (s * duration)).
 */
#ifndef CL_SPECTRUM_H
#define CL_SPECTRUM_H

#include "chronolens_study.h" /* cl_spacing_opts, cl_spacing */

typedef struct cl_fft cl_fft;

/* A plan for real signals of length n (n >= 2). */
int cl_fft_new(int n, cl_fft **out, cl_error *err);
void cl_fft_free(cl_fft *f);
int cl_fft_len(const cl_fft *f);

/* X_k = sum_j x_j exp(-2 pi i j k / n) for all n bins (those above n / 2 by Hermitian
 * symmetry of a real signal). x (n) -> re (n), im (n). */
void cl_fft_real(cl_fft *f, const double *x, double *re, double *im);
/* |X_k| for all n bins. x (n) -> mag (n); mag may alias x. */
void cl_fft_abs(cl_fft *f, const double *x, double *mag);

/* numpy.fft.fftfreq(n, d): [0, 1, .., ceil(n/2)-1, -floor(n/2), .., -1] / (n d). out (n). */
void cl_fftfreq(int n, double d, double *out);


/* The period of a magnitude spectrum, found in its DC-free double FFT
 *   D_q = | sum_{k != 0} mag_k exp(-2 pi i k q / n) |,  q = 0..n-1.
 * (The DC bin mag_0 = sum of the signal is left out: it is no part of the periodic pattern, and
 * it would add the constant mag_0 to every bin of the transform, hiding the pattern's shape.)
 *
 * Rule, over the quefrency bins q in [2, n/2] (q = 1 would be one period over the whole band):
 *  1. candidates are the local maxima (D_q > D_{q-1} and D_q >= D_{q+1});
 *  2. each candidate's prominence is its height above the higher of the two lowest points
 *     between it and the nearest higher point on either side inside the range (the definition
 *     of scipy.signal.peak_prominences);
 *  3. the strongest candidate is the one of largest prominence; strength = prominence / D_0,
 *     which is about 1 for a perfect comb (every tooth in phase) and below 0.3 for 99% of
 *     non-periodic random spectra (docs/multisine.md); periodic iff strength >= min_strength;
 *  4. a comb with spacing s also peaks at the harmonics h / s of its quefrency: if a candidate
 *     at lower quefrency has prominence >= harmonic_ratio times the strongest and the strongest
 *     lies within one bin of h times it (h = 2..6), the lowest such candidate is the period;
 *  5. the chosen bin is refined below one bin: D is evaluated on a grid CL_FFT_PAD times finer
 *     (the spectrum zero-padded on its signed frequency axis, one FFTW transform) and a
 *     parabola is fitted through the finest maximum within one bin and its two neighbours.
 *     (A parabola through the coarse bins alone is biased by up to a quarter bin on these
 *     sinc-shaped peaks: 1% of the period at 5 Hz.)
 * spacing_hz = 1 / quefrency_s = n / (q * duration).
 * A signal constant to float precision has no period: when D_0 = sum_{k != 0} mag_k is at most
 * CL_FLAT_REL * mag_0 (a modulation depth of 1e-5; float attention carries about 1e-7).
 * mag (n): a magnitude spectrum of the plan's length (mag_k = mag_{n-k}); mag_0 is left out of
 * the transform and only used for that flatness test.
 * dnodc (n, may be NULL) receives D. Requires n >= 8. */
#define CL_FFT_PAD 8
#define CL_FLAT_REL 1e-5


void cl_spacing_detect(cl_fft *f, const double *mag, double duration, const cl_spacing_opts *o, double *dnodc,
                       cl_spacing *out);

/* Everything chronolens reports about one attention signal. */
typedef struct cl_spectrum_summary {
    double power;    /* spectral amplitude: non-DC power (1/n) sum_{k=1}^{n-1} |X_k|^2, which
                        by Parseval equals sum_j (x_j - mean x)^2 */
    double peak;     /* max_{k >= 1} |X_k|: the highest non-DC spectral line */
    cl_spacing sp;
} cl_spectrum_summary;

/* x (n) -> mag (n) = |FFT(x)|, dfft (n) = |FFT(mag)| (method.md's double FFT, DC included),
 * dnodc (n) = the DC-free double FFT used for detection; any output may be NULL.
 * Uses the plan's scratch buffers. */
void cl_spectrum_analyse(cl_fft *f, const double *x, double duration, const cl_spacing_opts *o, double *mag,
                         double *dfft, double *dnodc, cl_spectrum_summary *out);

#endif
