/* mssweep.c — match fractions, error quantiles and the amplitude-induction correlation. */
#include "study/multisine/mssweep.h"
#include "core/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const double CL_MSSWEEP_QUANTILES[5] = {0.05, 0.25, 0.5, 0.75, 0.95};

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* numpy.quantile's default (linear) on sorted v (n >= 1) */
static double quantile(const double *v, int n, double q) {
    double pos = q * (n - 1);
    int i = (int)floor(pos);
    if (i >= n - 1) return v[n - 1];
    return v[i] + (pos - i) * (v[i + 1] - v[i]);
}

static const double *amp_key;
static int by_amp_desc(const void *a, const void *b) {
    double x = amp_key[*(const int *)a], y = amp_key[*(const int *)b];
    return (x < y) - (x > y);
}

int cl_mssweep_summarise(const cl_ms_head *h, const double *gap, const double *gcd, const double *fund,
                       const unsigned char *use, int C, int G, int topk, const double *ind, double tol, int perms, uint64_t seed, cl_mssweep_stats *out) {
    memset(out, 0, sizeof *out);
    out->rho = out->p = out->mean_abs_err = NAN;
    for (int k = 0; k < 5; k++) out->err_q[k] = NAN;
    const int per = topk > 0 && topk < G ? topk : G;
    double *err = malloc(sizeof(double) * (size_t)C * G + 1), *amp = malloc(sizeof(double) * (size_t)C * G + 1),
           *a = malloc(sizeof(double) * (size_t)G);
    int *order = malloc(sizeof(int) * (size_t)G);
    int rc = (!err || !amp || !a || !order) ? -1 : 0;
    int ne = 0;
    double sabs = 0;
    for (int c = 0; c < C && !rc; c++) {
        if (use && !use[c]) continue;
        const cl_ms_head *hc = h + (size_t)c * G;
        for (int g = 0; g < G; g++) { a[g] = hc[g].amplitude; order[g] = g; }
        if (per < G) {
            amp_key = a;
            qsort(order, (size_t)G, sizeof(int), by_amp_desc);
        }
        memcpy(amp + (size_t)out->configs * G, a, sizeof(double) * G);
        out->configs++;
        for (int k = 0; k < per; k++) {
            const cl_spacing *sp = &hc[order[k]].sp;
            out->pairs++;
            out->concentrated += cl_ms_concentrated(&hc[order[k]]);
            if (!sp->periodic) continue;
            out->periodic++;
            double e = sp->spacing_hz - gap[c];
            out->match += fabs(e) <= tol;
            out->match_gcd += gcd && gcd[c] > 0 && fabs(sp->spacing_hz - gcd[c]) <= tol;
            out->match_fund += fund && fund[c] > 0 && fabs(sp->spacing_hz - fund[c]) <= tol;
            err[ne++] = e;
            sabs += fabs(e);
        }
    }
    if (!rc && ne > 0) {
        qsort(err, (size_t)ne, sizeof(double), cmp_double);
        for (int k = 0; k < 5; k++) out->err_q[k] = quantile(err, ne, CL_MSSWEEP_QUANTILES[k]);
        out->mean_abs_err = sabs / ne;
    }
    if (!rc && per == G && out->configs > 0)
        rc = cl_spearman_grouped(amp, out->configs, G, ind, perms, seed, &out->rho, &out->p);
    free(err); free(amp); free(a); free(order);
    return rc;
}
