/* spectrum.c — FFTW3 plans, magnitude and double FFTs, spacing detection, spectral amplitude. */
#include "study/common/spectrum.h"

#include <fftw3.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct cl_fft {
    int n;
    double *in;         /* (n) plan input */
    fftw_complex *out;  /* (n/2 + 1) plan output */
    fftw_plan plan;     /* r2c of length n */
    double *mag, *tmp;  /* (n) scratch for cl_spectrum_analyse */
    /* the detection's fine grid: the spectrum zero-padded to CL_FFT_PAD * n bins */
    double *fin;           /* (pad n) */
    fftw_complex *fout;    /* (pad n / 2 + 1) */
    fftw_plan fplan;       /* r2c of length pad n */
    double *fine;          /* (pad n / 2 + 1) |fout| */
};

int cl_fft_new(int n, cl_fft **out, cl_error *err) {
    *out = NULL;
    if (n < 2) return cl_error_set(err, CL_EINVAL, "fft: length %d: must be >= 2", n);
    cl_fft *f = calloc(1, sizeof *f);
    if (!f) return cl_error_set(err, CL_ENOMEM, "fft: out of memory");
    f->n = n;
    f->in = fftw_alloc_real((size_t)n);
    f->out = fftw_alloc_complex((size_t)n / 2 + 1);
    f->mag = malloc(sizeof(double) * (size_t)n);
    f->tmp = malloc(sizeof(double) * (size_t)n);
    const int np = CL_FFT_PAD * n;
    f->fin = fftw_alloc_real((size_t)np);
    f->fout = fftw_alloc_complex((size_t)np / 2 + 1);
    f->fine = malloc(sizeof(double) * ((size_t)np / 2 + 1));
    if (f->in && f->out) f->plan = fftw_plan_dft_r2c_1d(n, f->in, f->out, FFTW_ESTIMATE);
    if (f->fin && f->fout) f->fplan = fftw_plan_dft_r2c_1d(np, f->fin, f->fout, FFTW_ESTIMATE);
    if (!f->in || !f->out || !f->mag || !f->tmp || !f->plan || !f->fine || !f->fplan) {
        cl_fft_free(f);
        return cl_error_set(err, CL_ENOMEM, "fft: cannot create an FFTW plan of length %d", n);
    }
    *out = f;
    return 0;
}

void cl_fft_free(cl_fft *f) {
    if (!f) return;
    if (f->plan) fftw_destroy_plan(f->plan);
    if (f->fplan) fftw_destroy_plan(f->fplan);
    fftw_free(f->in);
    fftw_free(f->out);
    fftw_free(f->fin);
    fftw_free(f->fout);
    free(f->fine);
    free(f->mag);
    free(f->tmp);
    free(f);
}

int cl_fft_len(const cl_fft *f) { return f->n; }

/* Runs the plan on x; the half spectrum is left in f->out. */
static void run(cl_fft *f, const double *x) {
    memcpy(f->in, x, sizeof(double) * (size_t)f->n);
    fftw_execute(f->plan);
}

void cl_fft_real(cl_fft *f, const double *x, double *re, double *im) {
    const int n = f->n, h = n / 2;
    run(f, x);
    for (int k = 0; k <= h; k++) { re[k] = f->out[k][0]; im[k] = f->out[k][1]; }
    for (int k = h + 1; k < n; k++) { re[k] = f->out[n - k][0]; im[k] = -f->out[n - k][1]; } /* X_{n-k} = conj X_k */
}

void cl_fft_abs(cl_fft *f, const double *x, double *mag) {
    const int n = f->n, h = n / 2;
    run(f, x);
    for (int k = 0; k <= h; k++) mag[k] = hypot(f->out[k][0], f->out[k][1]);
    for (int k = h + 1; k < n; k++) mag[k] = mag[n - k];
}

void cl_fftfreq(int n, double d, double *out) {
    const int pos = (n + 1) / 2; /* 0 .. ceil(n/2) - 1 are non-negative */
    for (int k = 0; k < n; k++) out[k] = (k < pos ? k : k - n) / (n * d);
}

void cl_spacing_default(cl_spacing_opts *o) {
    o->min_strength = 0.3;
    o->harmonic_ratio = 0.5;
}

/* Topographic prominence of the local maximum at q inside [lo, hi]. */
static double prominence(const double *d, int q, int lo, int hi) {
    double lmin = d[q], rmin = d[q];
    for (int i = q - 1; i >= lo && d[i] <= d[q]; i--) lmin = fmin(lmin, d[i]);
    for (int i = q + 1; i <= hi && d[i] <= d[q]; i++) rmin = fmin(rmin, d[i]);
    return d[q] - fmax(lmin, rmin);
}

/* Vertex offset of the parabola through (-1, 0, +1), clamped to half a step. */
static double parabolic(double a, double b, double c) {
    double den = a - 2 * b + c;
    if (den >= 0) return 0; /* not a strict maximum: no curvature to refine on */
    double delta = 0.5 * (a - c) / den;
    return delta > 0.5 ? 0.5 : delta < -0.5 ? -0.5 : delta;
}

/* Fills f->fine with |DTFT| of the DC-free spectrum at q = p / CL_FFT_PAD, p = 0 .. pad n / 2,
 * with the spectrum on its signed frequency axis (k = -(n-1)/2 .. n/2), so that teeth at
 * +c and -c add in phase at fractional q as they do at integer q; at p = pad q it equals the
 * coarse double FFT exactly (an even length's Nyquist bin is split between +n/2 and -n/2). */
static void fine_grid(cl_fft *f, const double *mag) {
    const int n = f->n, np = CL_FFT_PAD * n, h = (n - 1) / 2;
    memset(f->fin, 0, sizeof(double) * (size_t)np);
    for (int k = 1; k <= h; k++) {
        f->fin[k] = mag[k];
        f->fin[np - k] = mag[n - k];
    }
    if (n % 2 == 0) f->fin[n / 2] = f->fin[np - n / 2] = 0.5 * mag[n / 2];
    fftw_execute(f->fplan);
    for (int p = 0; p <= np / 2; p++) f->fine[p] = hypot(f->fout[p][0], f->fout[p][1]);
}

/* The fractional quefrency bin of the peak near coarse bin q: the highest fine-grid point
 * strictly within one coarse bin of q, refined by the parabola through it and its neighbours. */
static double refine(const cl_fft *f, int q) {
    const int pad = CL_FFT_PAD, np2 = pad * f->n / 2;
    int lo = pad * (q - 1) + 1, hi = pad * (q + 1) - 1, best = pad * q;
    if (hi > np2 - 1) hi = np2 - 1;
    for (int p = lo; p <= hi; p++)
        if (f->fine[p] > f->fine[best]) best = p;
    return (best + parabolic(f->fine[best - 1], f->fine[best], f->fine[best + 1])) / pad;
}

static int is_peak(const double *d, int q) { return d[q] > d[q - 1] && d[q] >= d[q + 1]; }

void cl_spacing_detect(cl_fft *f, const double *mag, double duration, const cl_spacing_opts *o, double *dnodc,
                       cl_spacing *out) {
    const int n = f->n, lo = 2, hi = n / 2; /* n >= 8: hi + 1 <= n - 1 exists */
    double *d = f->tmp;
    memcpy(f->in, mag, sizeof(double) * (size_t)n);
    f->in[0] = 0; /* DC-free */
    fftw_execute(f->plan);
    for (int k = 0; k <= n / 2; k++) d[k] = hypot(f->out[k][0], f->out[k][1]);
    for (int k = n / 2 + 1; k < n; k++) d[k] = d[n - k];
    if (dnodc) memcpy(dnodc, d, sizeof(double) * (size_t)n);
    out->periodic = 0;
    out->q = out->quefrency_s = out->spacing_hz = NAN;
    out->strength = 0;
    int best = -1;
    double best_p = 0;
    for (int q = lo; q <= hi; q++) {
        if (!is_peak(d, q)) continue;
        double p = prominence(d, q, lo, hi);
        if (p > best_p) { best_p = p; best = q; }
    }
    /* D_0 = sum of |X_k| over k != 0: the height every tooth of a perfect comb adds up to.
     * Rounding noise is no period: not on an exactly flat spectrum (prominence below 1e-9 D_0),
     * nor on a signal constant to float precision (non-DC magnitude below CL_FLAT_REL of DC). */
    if (best < 0 || !(d[0] > 0) || best_p <= 1e-9 * d[0] || d[0] <= CL_FLAT_REL * fabs(mag[0])) return;
    out->strength = best_p / d[0];
    fine_grid(f, mag);
    double qb = refine(f, best), qsel = qb;
    for (int q = lo; q < best; q++) {
        if (!is_peak(d, q) || prominence(d, q, lo, hi) < o->harmonic_ratio * best_p) continue;
        double qc = refine(f, q);
        int h = (int)lround(qb / qc);
        if (h >= 2 && h <= 6 && fabs(qb - h * qc) <= 1.0) { qsel = qc; break; }
    }
    out->q = qsel;
    if (out->strength >= o->min_strength) {
        out->periodic = 1;
        out->quefrency_s = qsel * duration / n;
        out->spacing_hz = 1.0 / out->quefrency_s;
    }
}

void cl_spectrum_analyse(cl_fft *f, const double *x, double duration, const cl_spacing_opts *o, double *mag,
                         double *dfft, double *dnodc, cl_spectrum_summary *out) {
    const int n = f->n;
    double *m = f->mag;
    cl_fft_abs(f, x, m);
    double power = 0, peak = 0;
    for (int k = 1; k < n; k++) {
        power += m[k] * m[k];
        if (m[k] > peak) peak = m[k];
    }
    out->power = power / n;
    out->peak = peak;
    if (mag) memcpy(mag, m, sizeof(double) * (size_t)n);
    if (dfft) cl_fft_abs(f, m, dfft);
    cl_spacing_detect(f, m, duration, o, dnodc, &out->sp);
}
