/* median_forecast.c — greedy median decoding with per-step quantiles (see the header). */
#include "study/forecast/median_forecast.h"
#include "core/core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int cl_median_forecast(cl_state *s, const float *context, int B, int L, int H, const float *levels, int nq,
                       float *q, float *median, cl_error *err) {
    const cl_config *c = cl_model_config(cl_state_model(s));
    if (B < 1 || L < 1 || H < 1 || nq < 0) return cl_error_set(err, CL_EINVAL, "forecast: bad shape");
    const int T = cl_tokenizer_length(c, L), V = c->vocab_size, lo = c->n_special_tokens;
    int32_t *ids = malloc(sizeof(int32_t) * (size_t)B * T), *dec = malloc(sizeof(int32_t) * (size_t)B * (H + 1)),
            *path = malloc(sizeof(int32_t) * (size_t)B * (H + 1));
    uint8_t *mask = malloc((size_t)B * T);
    float *scale = malloc(sizeof(float) * (size_t)B);
    double *p = malloc(sizeof(double) * (size_t)V);
    int rc = (!ids || !dec || !path || !mask || !scale || !p) ? cl_error_set(err, CL_ENOMEM, "forecast: out of memory") : 0;
    if (!rc) rc = cl_tokenizer_encode(c, context, B, L, ids, mask, scale, err);
    if (!rc) rc = cl_encode(s, ids, mask, B, T, err);
    for (int b = 0; b < B && !rc; b++) path[(size_t)b * (H + 1)] = c->decoder_start_token_id;
    for (int t = 0; t < H && !rc; t++) {
        const int Td = t + 1;
        for (int b = 0; b < B; b++) memcpy(dec + (size_t)b * Td, path + (size_t)b * (H + 1), sizeof(int32_t) * Td);
        if ((rc = cl_decode(s, dec, Td, 1, err))) break;
        const float *lg = cl_state_logits(s, NULL, NULL, NULL);
        for (int b = 0; b < B; b++) {
            /* softmax over the value tokens only (PAD and EOS are never forecast) */
            const float *r = lg + (size_t)b * V;
            double mx = r[lo], z = 0;
            for (int j = lo; j < V; j++) mx = r[j] > mx ? r[j] : mx;
            for (int j = lo; j < V; j++) z += (p[j] = exp(r[j] - mx));
            /* ids are ordered by value: quantiles from the cumulative distribution */
            double cum = 0;
            int k = 0, med = -1;
            const float *lv = levels;
            for (int j = lo; j < V; j++) {
                cum += p[j] / z;
                while (k < nq && cum >= lv[k]) q[((size_t)b * H + t) * nq + k++] = cl_tokenizer_center(c, j) * scale[b];
                if (med < 0 && cum >= 0.5) med = j;
            }
            for (; k < nq; k++) q[((size_t)b * H + t) * nq + k] = cl_tokenizer_center(c, V - 1) * scale[b];
            if (med < 0) med = V - 1;
            path[(size_t)b * (H + 1) + t + 1] = med;
            median[(size_t)b * H + t] = cl_tokenizer_center(c, med) * scale[b];
        }
    }
    free(ids); free(dec); free(path); free(mask); free(scale); free(p);
    return rc;
}
