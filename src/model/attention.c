/* attention.c — scores and weighted sums through sgemm per (batch, head); softmax and
 * capture of the requested rows in between. */
#include "attention.h"
#include "../core/core.h"

#include <float.h>
#include <math.h>
#include <string.h>

void cl_softmax_rows(float *x, int rows, int n) {
    for (int i = 0; i < rows; i++) {
        float *r = x + (size_t)i * n, mx = r[0];
        for (int j = 1; j < n; j++) mx = r[j] > mx ? r[j] : mx;
        float sum = 0;
        for (int j = 0; j < n; j++) { r[j] = expf(r[j] - mx); sum += r[j]; }
        float inv = 1.0f / sum;
        for (int j = 0; j < n; j++) r[j] *= inv;
    }
}

void cl_attention(const attn_args *a) {
    const int Tq = a->Tq, Tk = a->Tk;
    const capture *cap = a->cap;
    int ls = (cap && cap->valid) ? cap->layer_sel[a->layer] : -1;
    for (int b = 0; b < a->B; b++) {
        const float *qb = a->q + (size_t)b * Tq * a->ldq;
        const float *kb = a->k + (size_t)b * Tk * a->ldk;
        const float *vb = a->v + (size_t)b * Tk * a->ldk;
        const uint8_t *km = a->kmask ? a->kmask + (size_t)b * Tk : NULL;
        for (int h = 0; h < a->H; h++) {
            float *S = a->scores;
            /* S (Tq, Tk) = Q_bh (Tq, dk) · K_bh^T */
            cl_sgemm(1, Tq, Tk, a->dk, 1.0f, qb + h * a->dk, a->ldq, kb + h * a->dk, a->ldk, 0.0f, S,
                     Tk, a->flops);
            for (int i = 0; i < Tq; i++) {
                float *r = S + (size_t)i * Tk;
                if (a->bias) {
                    const float *br = a->bias + ((size_t)h * Tq + i) * Tk;
                    for (int j = 0; j < Tk; j++) r[j] += br[j];
                }
                if (km)
                    for (int j = 0; j < Tk; j++)
                        if (!km[j]) r[j] = -FLT_MAX;
                if (a->causal)
                    for (int j = i + 1; j < Tk; j++) r[j] = -FLT_MAX;
            }
            cl_softmax_rows(S, Tq, Tk);
            if (ls >= 0 && cap->head_sel[h] >= 0) {
                const int nh = cap->shape[2], nr = cap->shape[3];
                float *dst = cap->buf + ((((size_t)ls * a->B + b) * nh + cap->head_sel[h]) * nr) * Tk;
                for (int r = 0; r < nr; r++)
                    memcpy(dst + (size_t)r * Tk, S + (size_t)cap->row_idx[r] * Tk, sizeof(float) * Tk);
            }
            /* O_bh (Tq, dk) = gate * S · V_bh */
            float g = a->gates ? a->gates[h] : 1.0f;
            cl_sgemm(0, Tq, a->dk, Tk, g, S, Tk, vb + h * a->dk, a->ldk, 0.0f,
                     a->out + (size_t)b * Tq * a->ldo + h * a->dk, a->ldo, a->flops);
        }
    }
}
