/* bench_forecast.c — the `forecast` workload of ../shared/oracle/bench_torch.py: one series
 * of 512 steps (a Gaussian random walk), 20 sample paths x 64 steps with the model's
 * sampling settings. Reports the median seconds over repeats (after one warm-up, as the
 * peer does), generated tokens per second, the encoder/decoder split, and decoding
 * against the memory-bandwidth bound: bytes of decoder weights read per step x steps /
 * measured copy bandwidth. With --peer, runs the PyTorch peer in the same run and prints
 * the ratio. With --precision bf16 the model runs in bf16 (its weights are read as 2 bytes
 * each, which the bound counts); the peer stays fp32 (its forecast cannot run under
 * torch.autocast: bench/bench_torch_bf16.py).
 *
 * usage: cl_bench_forecast MODEL_DIR [--reps N] [--threads N] [--precision fp32|bf16] [--peer] [--oracle DIR] */
#include "chronolens.h"
#include "study/forecast/forecast.h"
#include "core/core.h"
#include "model/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#ifndef CL_ORACLE
#define CL_ORACLE "../shared/oracle"
#endif

/* CPU seconds of this process (all threads): steadier than wall time on a shared machine */
static double cpu_now(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec * 1e-6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec * 1e-6;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Best of 3 copies of a 256 MiB buffer: bytes read + written per second. */
static double copy_bandwidth(void) {
    const size_t n = (size_t)256 << 20;
    char *a = cl_alloc(n), *b = cl_alloc(n);
    if (!a || !b) { cl_free(a); cl_free(b); return 0; }
    memset(a, 1, n);
    memset(b, 2, n);
    double best = 1e30;
    for (int i = 0; i < 3; i++) {
        double t = cl_now();
        memcpy(b, a, n);
        t = cl_now() - t;
        if (t < best) best = t;
    }
    volatile char sink = b[n / 2];
    (void)sink;
    cl_free(a); cl_free(b);
    return 2.0 * n / best;
}

/* Bytes of weights one cached decoder step reads: per layer self q,k,v,o, cross q,o,
 * norms and feed-forward; the final norm and the output head. (Cross K/V are computed
 * once per series and not counted; neither are the cached activations.) */
static double decoder_step_bytes(const cl_config *c, int wbytes) {
    double d = c->d_model, HD = (double)c->num_heads * c->d_kv, F = c->d_ff;
    double per = 4 * d * HD + 2 * d * HD + (c->gated ? 3 : 2) * d * F;
    return wbytes * (per * c->num_decoder_layers + (double)c->vocab_size * d) + 4.0 * (3 * d * c->num_decoder_layers + d);
}

int main(int argc, char **argv) {
    const char *dir = NULL, *oracle = CL_ORACLE;
    int reps = 3, threads = 0, peer = 0;
    cl_load_opts lo = {CL_FP32};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--precision") && i + 1 < argc) {
            if (cl_precision_parse(argv[++i], &lo.precision)) { fprintf(stderr, "--precision: fp32 or bf16\n"); return 2; }
        }
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--oracle") && i + 1 < argc) oracle = argv[++i];
        else if (!strcmp(argv[i], "--peer")) peer = 1;
        else if (!dir && argv[i][0] != '-') dir = argv[i];
        else { fprintf(stderr, "usage: %s MODEL_DIR [--reps N] [--threads N] [--peer] [--oracle DIR]\n", argv[0]); return 2; }
    }
    if (!dir || reps < 1) { fprintf(stderr, "usage: %s MODEL_DIR [--reps N] [--threads N] [--peer]\n", argv[0]); return 2; }
    cl_set_threads(threads);
    cl_error err;
    cl_model *m;
    if (lo.precision == CL_BF16 && !cl_bf16_supported()) {
        fprintf(stderr, "this CPU has no AVX512-BF16/AMX: bf16 not benchmarked\n");
        return 2;
    }
    if (cl_model_load(dir, &lo, &m, &err)) { fprintf(stderr, "%s\n", err.msg); return 2; }
    const int bf16 = lo.precision == CL_BF16;
    const cl_config *c = cl_model_config(m);
    enum { L = 512, SAMPLES = 20, STEPS = 64 };
    float x[L];
    cl_rng rng;
    cl_rng_seed(&rng, 0);
    double acc = 0;
    for (int t = 0; t < L; t++) { acc += cl_rng_normal(&rng); x[t] = (float)acc; }
    cl_forecast_opts o;
    cl_forecast_default(c, &o);
    o.samples = SAMPLES;
    float *vals = malloc(sizeof(float) * SAMPLES * STEPS);
    double *ts = malloc(sizeof(double) * reps), *cs = malloc(sizeof(double) * reps), enc = 0, dec = 0;
    for (int r = -1; r < reps; r++) { /* r = -1: warm-up */
        cl_generator *g;
        double t0 = cl_now(), c0 = cpu_now();
        if (cl_generator_new(m, &o, 1, L, STEPS, &g, &err) ||
            cl_forecast_loop(c, x, 1, L, STEPS, SAMPLES, cl_generator_run, g, vals, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        double t = cl_now() - t0, ct = cpu_now() - c0;
        if (r >= 0) {
            ts[r] = t;
            cs[r] = ct;
            double e, d;
            cl_generator_times(g, &e, &d);
            enc += e / reps;
            dec += d / reps;
        }
        cl_generator_free(g);
    }
    qsort(ts, (size_t)reps, sizeof(double), cmp_double);
    qsort(cs, (size_t)reps, sizeof(double), cmp_double);
    double med = ts[reps / 2], toks = (double)SAMPLES * STEPS;
    double bw = copy_bandwidth(), wbytes = decoder_step_bytes(c, bf16 ? 2 : 4), bound = bw > 0 ? wbytes * STEPS / bw : 0;
    printf("model          %s (d_model %d, %d+%d layers, %s, %zu parameters)\n", dir, c->d_model, c->num_layers,
           c->num_decoder_layers, cl_model_dtype(m), cl_model_param_count(m));
    printf("workload       forecast: 1 series x %d steps, %d samples x %d steps, threads %d, precision %s\n", L, SAMPLES,
           STEPS, cl_get_threads(), cl_precision_name(lo.precision));
    printf("seconds        %.4f (median of %d; encoder %.4f, decoding %.4f); cpu seconds %.4f\n", med, reps, enc, dec,
           cs[reps / 2]);
    printf("tokens/s       %.0f (decoding only: %.0f)\n", toks / med, toks / dec);
    printf("bandwidth      copy %.1f GB/s; decoder weights %.1f MB per step\n", bw / 1e9, wbytes / 1e6);
    printf("decoding bound %.4f s for %d steps (weights once per step); measured decoding %.4f s = %.1fx the bound\n",
           bound, STEPS, dec, bound > 0 ? dec / bound : 0);
    fflush(stdout); /* our numbers first: the peer takes minutes on base */
    if (peer) {
        char cmd[8192];
        /* the fp32 peer for both: the reference's forecast cannot run under autocast
         * (bench/bench_torch_bf16.py) */
        snprintf(cmd, sizeof cmd, "THREADS=1 /usr/bin/python3 '%s/bench_torch.py' '%s' forecast", oracle, dir);
        FILE *p = popen(cmd, "r");
        double pt = -1;
        char line[256];
        while (p && fgets(line, sizeof line, p))
            if (sscanf(line, "forecast %lf", &pt) == 1) break;
        if (p) pclose(p);
        if (pt > 0) printf("pytorch peer   %.4f s (THREADS=1, fp32) -> chronolens %s is %.1fx faster\n", pt,
                           cl_precision_name(lo.precision), pt / med);
        else printf("pytorch peer   unavailable (%s)\n", cmd);
    }
    free(vals); free(ts); free(cs);
    cl_model_free(m);
    return 0;
}
