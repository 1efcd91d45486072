/* test_spectrum.c — the FFT wrappers from algebraic properties (impulse, linearity, shift,
 * Parseval, numpy's fftfreq), the double FFT and spacing detection on spectra of known
 * period (integer and sub-bin), non-periodic spectra reported as such, and the spectral
 * amplitude. */
#include "testutil.h"
#include "study/common/spectrum.h"
#include "core/core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka's assert_float_equal compares as float: too coarse for double transforms */
#define assert_near(a, b, tol)                                                                  \
    do {                                                                                        \
        double a_ = (a), b_ = (b);                                                              \
        if (!(fabs(a_ - b_) <= (tol))) fail_msg("%s = %.17g, want %.17g (tol %g)", #a, a_, b_, (double)(tol)); \
    } while (0)

#define N 301
#define DUR 3.0

static cl_fft *plan(int n) {
    cl_fft *f;
    cl_error err;
    if (cl_fft_new(n, &f, &err)) fail_msg("%s", err.msg);
    return f;
}

static void test_fftfreq_numpy(void **st) {
    (void)st;
    double o[6];
    cl_fftfreq(5, 0.1, o); /* numpy.fft.fftfreq(5, 0.1) = [0, 2, 4, -4, -2] */
    const double odd[5] = {0, 2, 4, -4, -2};
    for (int i = 0; i < 5; i++) assert_near(o[i], odd[i], 1e-12);
    cl_fftfreq(6, 0.5, o); /* numpy.fft.fftfreq(6, 0.5) = [0, 1/3, 2/3, -1, -2/3, -1/3] */
    const double even[6] = {0, 1.0 / 3, 2.0 / 3, -1, -2.0 / 3, -1.0 / 3};
    for (int i = 0; i < 6; i++) assert_near(o[i], even[i], 1e-12);
    double hz[N], qs[N];
    cl_fftfreq(N, DUR / N, hz); /* method.md: resolution 1/3 Hz, 5 Hz at bin 15 */
    assert_near(hz[1], 1.0 / 3, 1e-12);
    assert_near(hz[15], 5.0, 1e-12);
    assert_near(hz[150], 50.0, 1e-12);
    assert_near(hz[151], -50.0, 1e-12);
    cl_fftfreq(N, 1.0 / DUR, qs); /* quefrency in seconds: 0.2 s lies near bin 20 */
    assert_near(qs[20], 60.0 / 301, 1e-12);
    assert_true(fabs(qs[20] - 0.2) < qs[1] / 2);
}

static void test_impulse_and_shift(void **st) {
    (void)st;
    cl_fft *f = plan(N);
    double x[N] = {0}, re[N], im[N], mag[N];
    x[0] = 1;
    cl_fft_abs(f, x, mag);
    for (int k = 0; k < N; k++) assert_near(mag[k], 1.0, 1e-12); /* impulse: flat spectrum */
    /* impulse at j: X_k = exp(-2 pi i j k / n) */
    memset(x, 0, sizeof x);
    x[7] = 1;
    cl_fft_real(f, x, re, im);
    for (int k = 0; k < N; k++) {
        assert_near(re[k], cos(2 * M_PI * 7 * k / N), 1e-12);
        assert_near(im[k], -sin(2 * M_PI * 7 * k / N), 1e-12);
    }
    /* circular shift by s multiplies X_k by exp(-2 pi i k s / n): |X| unchanged */
    cl_rng r;
    cl_rng_seed(&r, 3);
    double y[N], ys[N], yr[N], yi[N], sr[N], si[N];
    for (int j = 0; j < N; j++) y[j] = cl_rng_normal(&r);
    const int s = 11;
    for (int j = 0; j < N; j++) ys[(j + s) % N] = y[j];
    cl_fft_real(f, y, yr, yi);
    cl_fft_real(f, ys, sr, si);
    for (int k = 0; k < N; k++) {
        double c = cos(-2 * M_PI * k * s / N), sn = sin(-2 * M_PI * k * s / N);
        assert_near(sr[k], yr[k] * c - yi[k] * sn, 1e-9);
        assert_near(si[k], yr[k] * sn + yi[k] * c, 1e-9);
        assert_near(hypot(sr[k], si[k]), hypot(yr[k], yi[k]), 1e-9);
    }
    cl_fft_free(f);
}

static void test_linearity_parseval(void **st) {
    (void)st;
    for (int n = 8; n <= 12; n += 4) { /* even lengths too: the Nyquist bin */
        cl_fft *f = plan(n);
        cl_rng r;
        cl_rng_seed(&r, (uint64_t)n);
        double x[12], y[12], z[12], xr[12], xi[12], yr[12], yi[12], zr[12], zi[12];
        for (int j = 0; j < n; j++) { x[j] = cl_rng_normal(&r); y[j] = cl_rng_normal(&r); z[j] = 2.5 * x[j] - 0.75 * y[j]; }
        cl_fft_real(f, x, xr, xi);
        cl_fft_real(f, y, yr, yi);
        cl_fft_real(f, z, zr, zi);
        double ex = 0, eX = 0;
        for (int k = 0; k < n; k++) {
            assert_near(zr[k], 2.5 * xr[k] - 0.75 * yr[k], 1e-12);
            assert_near(zi[k], 2.5 * xi[k] - 0.75 * yi[k], 1e-12);
            ex += x[k] * x[k];
            eX += xr[k] * xr[k] + xi[k] * xi[k];
        }
        assert_near(ex, eX / n, 1e-12 * ex);
        cl_fft_free(f);
    }
    cl_fft *f = plan(N);
    cl_rng r;
    cl_rng_seed(&r, 9);
    double x[N], mag[N];
    for (int j = 0; j < N; j++) x[j] = cl_rng_uniform(&r);
    cl_fft_abs(f, x, mag);
    double ex = 0, eX = 0, sum = 0;
    for (int k = 0; k < N; k++) { ex += x[k] * x[k]; eX += mag[k] * mag[k]; sum += x[k]; }
    assert_near(ex, eX / N, 1e-10 * ex);
    assert_near(mag[0], sum, 1e-12);
    for (int k = 1; k < N; k++) assert_near(mag[k], mag[N - k], 1e-12); /* real signal: symmetric */
    cl_fft_free(f);
}

/* An attention-like signal (mean 1/n) plus a pure cosine at k Hz: one spectral line, at k. */
static void test_pure_cosine_single_peak(void **st) {
    (void)st;
    cl_fft *f = plan(N);
    const double ks[3] = {5, 13.0 + 1.0 / 3, 40};
    for (int t = 0; t < 3; t++) {
        double x[N], mag[N], hz[N];
        for (int j = 0; j < N; j++) x[j] = 1.0 / N + 1e-3 * cos(2 * M_PI * ks[t] * j * DUR / N);
        cl_fft_abs(f, x, mag);
        cl_fftfreq(N, DUR / N, hz);
        int kbin = (int)lround(ks[t] * DUR);
        assert_near(hz[kbin], ks[t], 1e-9);
        assert_near(mag[0], 1.0, 1e-12);
        assert_near(mag[kbin], N * 1e-3 / 2, 1e-12);
        for (int k = 1; k <= N / 2; k++)
            if (k != kbin) assert_true(mag[k] < 1e-12);
        cl_spectrum_summary s;
        cl_spacing_opts o;
        cl_spacing_default(&o);
        cl_spectrum_analyse(f, x, DUR, &o, NULL, NULL, NULL, &s);
        assert_near(s.peak, N * 1e-3 / 2, 1e-12);
        assert_near(s.power, N * 1e-6 / 2, 1e-15); /* sum_j (1e-3 cos)^2 = n 1e-6 / 2 */
    }
    cl_fft_free(f);
}

/* A symmetric magnitude spectrum on the signed frequency axis with Gaussian teeth (width w bins)
 * at every multiple of the spacing (in Hz) listed in `teeth` (NULL: all multiples up to 50 Hz). */
static void comb(double spacing_hz, const int *teeth, int nteeth, double w, double *mag) {
    double hz[N];
    cl_fftfreq(N, DUR / N, hz);
    for (int k = 0; k < N; k++) {
        double v = 0, b = hz[k] * DUR; /* signed bin */
        for (int m = -60; m <= 60; m++) {
            int keep = !teeth;
            for (int i = 0; i < nteeth; i++) keep |= abs(m) == teeth[i];
            double c = m * spacing_hz * DUR;
            if (keep && fabs(c) <= 150) v += exp(-(b - c) * (b - c) / (2 * w * w));
        }
        mag[k] = v;
    }
}

static void detect_on(cl_fft *f, double *mag, cl_spacing *sp) {
    cl_spacing_opts o;
    cl_spacing_default(&o);
    cl_spacing_detect(f, mag, DUR, &o, NULL, sp);
}

static void test_double_fft_comb(void **st) {
    (void)st;
    cl_fft *f = plan(N);
    double mag[N];
    cl_spacing sp;
    /* 5 Hz comb: the double FFT peaks at quefrency 0.2 s, bin 301/15 = 20.07 */
    comb(5, NULL, 0, 1.0, mag);
    detect_on(f, mag, &sp);
    assert_true(sp.periodic);
    assert_true(fabs(sp.q - 301.0 / 15) < 0.1);
    assert_true(fabs(sp.quefrency_s - 0.2) < 0.002);
    assert_true(fabs(sp.spacing_hz - 5) / 5 < 0.01);
    assert_true(sp.strength > 0.5);
    /* sub-bin periods: the refinement recovers non-integer bins within 0.1% (1% asked) */
    const double sps[8] = {2.7, 4.3, 6.1, 9.55, 1.37, 5.5, 12.2, 17.0};
    for (int i = 0; i < 8; i++) {
        comb(sps[i], NULL, 0, 0.6, mag);
        detect_on(f, mag, &sp);
        if (!sp.periodic || fabs(sp.spacing_hz - sps[i]) / sps[i] > 0.001)
            fail_msg("comb every %g Hz: detected %g Hz (periodic %d, strength %g)", sps[i], sp.spacing_hz, sp.periodic,
                     sp.strength);
        if (getenv("CL_VERBOSE")) fprintf(stderr, "comb %g Hz: %.4f Hz, strength %.3f\n", sps[i], sp.spacing_hz, sp.strength);
    }
    /* the reference's teeth only (5, 10, 20, 40 Hz): the period is still 5 Hz, not a harmonic */
    const int ref[4] = {1, 2, 4, 8};
    comb(5, ref, 4, 0.7, mag);
    detect_on(f, mag, &sp);
    assert_true(sp.periodic);
    if (fabs(sp.spacing_hz - 5) / 5 > 0.01) fail_msg("teeth 5,10,20,40: detected %g Hz", sp.spacing_hz);
    /* sine-shaped periodic spectrum with a non-integer period: 1 + cos(2 pi f / 3.7 Hz) */
    double hz[N];
    cl_fftfreq(N, DUR / N, hz);
    for (int k = 0; k < N; k++) mag[k] = 1 + cos(2 * M_PI * hz[k] / 3.7);
    detect_on(f, mag, &sp);
    if (!sp.periodic || fabs(sp.spacing_hz - 3.7) / 3.7 > 0.01) fail_msg("cosine spectrum: detected %g Hz", sp.spacing_hz);
    cl_fft_free(f);
}

static void test_not_periodic(void **st) {
    (void)st;
    cl_fft *f = plan(N);
    cl_spacing_opts o;
    cl_spacing_default(&o);
    cl_spectrum_summary s;
    double x[N] = {0}, mag[N];
    /* an impulse: flat spectrum, a double FFT that is zero (up to rounding) off the origin */
    x[40] = 1;
    cl_spectrum_analyse(f, x, DUR, &o, NULL, NULL, NULL, &s);
    assert_false(s.sp.periodic);
    assert_true(isnan(s.sp.spacing_hz));
    /* a smooth bump spectrum (a Gaussian attention window): no period */
    for (int j = 0; j < N; j++) x[j] = exp(-(j - 150.0) * (j - 150.0) / (2 * 20.0 * 20.0));
    cl_spectrum_analyse(f, x, DUR, &o, NULL, NULL, NULL, &s);
    assert_false(s.sp.periodic);
    /* random attention (softmax of Gaussian scores, of varied temperature): no period */
    cl_rng r;
    cl_rng_seed(&r, 2024);
    int spurious = 0;
    for (int t = 0; t < 200; t++) {
        double beta = 0.1 + 2.9 * cl_rng_uniform(&r), z = 0;
        for (int j = 0; j < N; j++) z += x[j] = exp(beta * cl_rng_normal(&r));
        for (int j = 0; j < N; j++) x[j] /= z;
        cl_spectrum_analyse(f, x, DUR, &o, NULL, NULL, NULL, &s);
        spurious += s.sp.periodic;
        assert_true(s.sp.strength < 0.5);
    }
    if (spurious > 2) fail_msg("%d of 200 random spectra reported periodic", spurious);
    /* the same rule does accept a comb of the same size */
    comb(5, NULL, 0, 1.0, mag);
    cl_spacing sp;
    cl_spacing_detect(f, mag, DUR, &o, NULL, &sp);
    assert_true(sp.periodic);
    cl_fft_free(f);
}

static void test_analyse_outputs(void **st) {
    (void)st;
    cl_fft *f = plan(N);
    cl_rng r;
    cl_rng_seed(&r, 5);
    double x[N], mag[N], dfft[N], dnodc[N], ref[N], mean = 0;
    for (int j = 0; j < N; j++) mean += x[j] = cl_rng_uniform(&r);
    mean /= N;
    cl_spacing_opts o;
    cl_spacing_default(&o);
    cl_spectrum_summary s;
    cl_spectrum_analyse(f, x, DUR, &o, mag, dfft, dnodc, &s);
    cl_fft_abs(f, x, ref);
    for (int k = 0; k < N; k++) assert_near(mag[k], ref[k], 1e-12);
    cl_fft_abs(f, ref, ref); /* method.md's double FFT includes the DC bin */
    for (int k = 0; k < N; k++) assert_near(dfft[k], ref[k], 1e-9);
    /* removing the DC bin only subtracts the real constant mag_0 from every double-FFT bin */
    double re[N], im[N];
    cl_fft_real(f, mag, re, im);
    for (int k = 0; k < N; k++) assert_near(dnodc[k], hypot(re[k] - mag[0], im[k]), 1e-9);
    double dev = 0, peak = 0;
    for (int j = 0; j < N; j++) dev += (x[j] - mean) * (x[j] - mean);
    for (int k = 1; k < N; k++) peak = fmax(peak, mag[k]);
    assert_near(s.power, dev, 1e-10 * dev); /* Parseval */
    assert_near(s.peak, peak, 0);
    cl_fft_free(f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fftfreq_numpy),
        cmocka_unit_test(test_impulse_and_shift),
        cmocka_unit_test(test_linearity_parseval),
        cmocka_unit_test(test_pure_cosine_single_peak),
        cmocka_unit_test(test_double_fft_comb),
        cmocka_unit_test(test_not_periodic),
        cmocka_unit_test(test_analyse_outputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
