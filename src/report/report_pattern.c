/* report_pattern.c — attention patterns on real inputs for the report page (report_data.h):
 * one forward pass of a model on one series (a repeated random sequence, the reference
 * multisine, or the first series of the user's CSV), every encoder self-attention map kept
 * (query x key over the positions the model attends: padding dropped), labelled per token or
 * patch, the induction stripe of a repeated input marked and scored; written as JSON that
 * page.js draws CircuitsVis-style (thumbnails per layer, one head enlarged). */
#include "report/report_data.h"
#include "core/core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* the repeated random sequence: L values (T5) or patches (Bolt) repeated R times */
#define PAT_L 10
#define PAT_R 3
/* the multisine cut and the user's series: at most this many values (T5) or patches (Bolt),
 * so that a page of five models stays a few MB (maps grow as the square) */
#define PAT_MAX 96

static void clean(FILE *f, const char *s) { /* a JSON string's text, no quote, backslash or '<' */
    for (; *s; s++)
        if (*s != '"' && *s != '\\' && *s != '<' && (unsigned char)*s >= 0x20) fputc(*s, f);
}

void cl_report_pattern_json(FILE *f, const cl_report_pattern *p) {
    if (!p || !p->maps || p->T < 1) { fputs("null", f); return; }
    fputs("{\"stack\":\"", f);
    clean(f, p->stack);
    fputs("\",\"input\":\"", f);
    clean(f, p->input);
    fprintf(f, "\",\"stripe\":%d,\"last\":%d,\"labels\":[", p->stripe, p->last);
    for (int t = 0; t < p->T; t++) {
        fputs(t ? ",\"" : "\"", f);
        clean(f, p->labels[t]);
        fputc('"', f);
    }
    fputs("],\"maps\":[", f);
    const size_t TT = (size_t)p->T * p->T;
    for (int l = 0; l < p->layers; l++) {
        fputs(l ? ",[" : "[", f);
        for (int h = 0; h < p->heads; h++) {
            const float *m = p->maps + ((size_t)l * p->heads + h) * TT;
            fputs(h ? ",[" : "[", f);
            for (int q = 0; q < p->T; q++) {
                fputs(q ? ",[" : "[", f);
                for (int k = 0; k < p->T; k++) {
                    const float v = m[(size_t)q * p->T + k];
                    if (k) fputc(',', f);
                    if (!isfinite(v)) fputs("null", f);
                    else if (fabsf(v) < 5e-5f) fputc('0', f); /* shown to 4 decimals */
                    else fprintf(f, "%.4g", v);
                }
                fputc(']', f);
            }
            fputc(']', f);
        }
        fputc(']', f);
    }
    fputc(']', f);
    if (p->gmaps) { /* Chronos-2: the group's maps at one token */
        fprintf(f, ",\"group\":{\"pos\":%d,\"labels\":[", p->gpos);
        for (int b = 0; b < p->gB; b++) {
            fputs(b ? ",\"" : "\"", f);
            clean(f, p->glabels[b]);
            fputc('"', f);
        }
        fputs("],\"maps\":[", f);
        for (int l = 0; l < p->layers; l++) {
            fputs(l ? ",[" : "[", f);
            for (int h = 0; h < p->heads; h++) {
                const float *m = p->gmaps + ((size_t)l * p->heads + h) * p->gB * p->gB;
                fputs(h ? ",[" : "[", f);
                for (int q = 0; q < p->gB; q++) {
                    fputs(q ? ",[" : "[", f);
                    for (int k = 0; k < p->gB; k++) {
                        const float v = m[q * p->gB + k];
                        if (k) fputc(',', f);
                        if (!isfinite(v)) fputs("null", f);
                        else fprintf(f, "%.6g", v);
                    }
                    fputc(']', f);
                }
                fputc(']', f);
            }
            fputc(']', f);
        }
        fputs("]}", f);
    }
    if (p->score) {
        fputs(",\"score\":[", f);
        for (int l = 0; l < p->layers; l++) {
            fputs(l ? ",[" : "[", f);
            for (int h = 0; h < p->heads; h++) fprintf(f, "%s%.4g", h ? "," : "", p->score[l * p->heads + h]);
            fputc(']', f);
        }
        fputc(']', f);
    }
    fputc('}', f);
}

void cl_report_pattern_free(cl_report_pattern *p) {
    if (!p) return;
    free(p->maps);
    free(p->score);
    free(p->labels);
    free(p->gmaps);
    free(p->glabels);
    memset(p, 0, sizeof *p);
}

/* The input series of model m (values, *n of them) and its description; *stripe the repeated
 * length in positions (0: none). csv: the user's context (NULL: kind). */
static float *make_input(const cl_model *m, int kind, const cl_context *csv, uint64_t seed, int *n, int *stripe, char *what,
                         size_t wn, cl_error *err) {
    const cl_config *c = cl_model_config(m);
    const int bolt = cl_model_is_bolt(m) || cl_model_is_chronos2(m), ps = bolt ? c->patch_size : 1; /* patches */
    const int cap = bolt ? c->context_length / ps : c->context_length; /* positions the context holds */
    float *v = NULL;
    *stripe = 0;
    if (csv) { /* its first series, the last PAT_MAX values (patches) */
        int L = csv->L, from = 0;
        while (from < L && isnan(csv->values[from])) from++; /* leading missing values: not shown */
        int len = L - from, keep = (PAT_MAX < cap ? PAT_MAX : cap) * ps;
        if (len > keep) { from = L - keep; len = keep; }
        if (bolt) { len -= len % ps; from = L - len; }
        if (len < 1) { cl_error_set(err, CL_EINVAL, "%s: its first series has no values to show", csv->path ? csv->path : "--context"); return NULL; }
        if (!(v = malloc(sizeof(float) * len))) { cl_error_set(err, CL_ENOMEM, "report: out of memory"); return NULL; }
        memcpy(v, csv->values + from, sizeof(float) * len);
        *n = len;
        snprintf(what, wn, "the last %d values of series '%s' of %s", len, csv->names && csv->names[0] ? csv->names[0] : "1",
                 csv->path ? csv->path : "--context");
        return v;
    }
    if (kind == CL_PATTERN_MULTISINE) { /* the reference, 100 values per second; Bolt: one per patch */
        static const double F[4] = {5, 10, 20, 40}, A[4] = {1, 0.5, 0.25, 0.25};
        const int np = PAT_MAX < cap ? PAT_MAX : cap;
        if (!(v = malloc(sizeof(float) * np * ps))) { cl_error_set(err, CL_ENOMEM, "report: out of memory"); return NULL; }
        for (int t = 0; t < np; t++) {
            double x = 0;
            for (int i = 0; i < 4; i++) x += A[i] * sin(2 * M_PI * F[i] * t / 100.0);
            for (int j = 0; j < ps; j++) v[t * ps + j] = (float)x;
        }
        *n = np * ps;
        snprintf(what, wn, "the reference multisine (5, 10, 20, 40 Hz, amplitudes 1, 0.5, 0.25, 0.25), its first %d samples "
                 "at 100 per second%s", np, bolt ? ", one sample per patch (each repeated over the patch's values)" : "");
        return v;
    }
    /* repeated random values (patches): L of them, R times — the tokens repeat with them */
    int R = PAT_R;
    while (R > 2 && R * PAT_L + 1 > cap) R--;
    if (R * PAT_L + 1 > cap) { cl_error_set(err, CL_EINVAL, "report: context of %d positions too short for the pattern input", cap); return NULL; }
    const int len = PAT_L * ps;
    if (!(v = malloc(sizeof(float) * len * R))) { cl_error_set(err, CL_ENOMEM, "report: out of memory"); return NULL; }
    cl_rng g;
    cl_rng_seed(&g, seed ^ 0x9e3779b97f4a7c15ull);
    for (int i = 0; i < len; i++) v[i] = (float)cl_rng_normal(&g);
    for (int r = 1; r < R; r++) memcpy(v + (size_t)r * len, v, sizeof(float) * len);
    *n = len * R;
    *stripe = PAT_L;
    snprintf(what, wn, "a repeated random sequence: %d i.i.d. N(0, 1) %s repeated %d times (seed %llu)", PAT_L,
             bolt ? "patches" : "values (tokens after scaling)", R, (unsigned long long)seed);
    return v;
}

/* Chronos-2 (one pass of a group of G_ROWS series: the input, a partner leading it by one patch,
 * distractors, one output patch): the time attention of the input's row (its maps, as the
 * other families' encoder self-attention) and the group attention of the group at the last
 * context patch. */
#define G_ROWS 4
/* Row 0's observed tokens of a pass (mask (B, S) int64, row 0 first) into *idx (S, allocated;
 * the caller frees it), their count p->T, and p's maps (layers, heads, T, T), labels (T) and,
 * with a stripe, scores (layers * heads) allocated for them. */
static int pattern_alloc(const cl_forward_tensor *mask, int S, int NL, int H, int stripe, int **idx,
                         cl_report_pattern *p, cl_error *err) {
    int T = 0;
    if (!(*idx = malloc(sizeof(int) * S))) return cl_error_set(err, CL_ENOMEM, "report: out of memory");
    for (int s = 0; s < S; s++)
        if (((const int64_t *)mask->data)[s]) (*idx)[T++] = s;
    p->layers = NL;
    p->heads = H;
    p->T = T;
    p->maps = malloc(sizeof(float) * (size_t)NL * H * T * T);
    p->labels = calloc((size_t)T, sizeof *p->labels);
    p->score = stripe ? calloc((size_t)NL * H, sizeof(double)) : NULL;
    if (!p->maps || !p->labels || (stripe && !p->score)) return cl_error_set(err, CL_ENOMEM, "report: out of memory");
    return 0;
}

/* One head's map A (S, S) cut to the observed tokens idx (T) into o (T, T); with a stripe,
 * its score: the mean weight on the token stripe - 1 places after the query, over the queries
 * stripe .. nv-1 (the input's positions). */
static void head_map(const float *A, int S, const int *idx, int T, int stripe, int nv, float *o, double *score) {
    double sum = 0;
    int cnt = 0;
    for (int q = 0; q < T; q++)
        for (int k = 0; k < T; k++) o[(size_t)q * T + k] = A[(size_t)idx[q] * S + idx[k]];
    for (int q = stripe; stripe && q < nv && q < T; q++, cnt++) sum += o[(size_t)q * T + q - stripe + 1];
    if (stripe) *score = cnt ? sum / cnt : NAN;
}

static int run_chronos2(const cl_model *m, float *v, int n, int stripe, uint64_t seed, cl_report_pattern *p, cl_error *err) {
    const cl_config *c = cl_model_config(m);
    const int ps = c->patch_size, B = G_ROWS;
    float *x = malloc(sizeof(float) * (size_t)B * n);
    int gid[G_ROWS] = {0, 0, 0, 0};
    if (!x) return cl_error_set(err, CL_ENOMEM, "report: out of memory");
    cl_rng g;
    cl_rng_seed(&g, seed ^ 0x5851f42d4c957f2dull);
    memcpy(x, v, sizeof(float) * n);
    for (int t = 0; t < n; t++) /* A[t] = B[t + ps]: A shows each patch one patch before B does */
        x[n + t] = t + ps < n ? v[t + ps] : (float)cl_rng_normal(&g);
    for (size_t i = 2 * (size_t)n; i < (size_t)B * n; i++) x[i] = (float)cl_rng_normal(&g);
    cl_context ctx = {.values = x, .B = B, .L = n};
    cl_forward_opts fo;
    cl_forward_default(&fo);
    fo.group_ids = gid;
    fo.n_group_ids = B;
    fo.output_patches = 1;
    cl_forward_result r;
    int rc = cl_forward_run(m, &ctx, &fo, &r, err);
    free(x);
    if (rc) return rc;
    const cl_forward_tensor *mask = cl_forward_get(&r, "attention_mask"), *a0 = cl_forward_get(&r, "time_attn.0");
    if (!mask || !a0) { rc = cl_error_set(err, CL_EINVAL, "report: the forward pass kept no time-attention maps"); goto done; }
    const int S = (int)a0->shape[2], H = (int)a0->shape[1], NL = c->num_layers, nv = n / ps;
    int *idx = NULL;
    if ((rc = pattern_alloc(mask, S, NL, H, stripe, &idx, p, err))) { free(idx); goto done; }
    const int T = p->T;
    p->gB = B;
    snprintf(p->stack, sizeof p->stack, "time attention");
    p->gmaps = malloc(sizeof(float) * (size_t)NL * H * B * B);
    p->glabels = calloc((size_t)B, sizeof *p->glabels);
    if (!p->gmaps || !p->glabels) {
        free(idx);
        rc = cl_error_set(err, CL_ENOMEM, "report: out of memory");
        goto done;
    }
    const int first = S - 2 - nv; /* the tokens: nv context patches, [REG], one future token */
    p->gpos = -1;
    for (int t = 0; t < T; t++) {
        const int pos = idx[t] - first;
        if (pos < nv) snprintf(p->labels[t], sizeof p->labels[t], "p%d: %.3g", pos, v[pos * ps]);
        else snprintf(p->labels[t], sizeof p->labels[t], "%d: %s", pos, pos == nv ? "[REG]" : "future 0");
        if (pos == nv - 1) p->gpos = t;
    }
    snprintf(p->glabels[0], sizeof p->glabels[0], "B: the input");
    snprintf(p->glabels[1], sizeof p->glabels[1], "A: leads B by 1 patch");
    for (int b = 2; b < B; b++) snprintf(p->glabels[b], sizeof p->glabels[b], "D%d: distractor", b - 1);
    p->stripe = stripe;
    p->last = nv;
    const int gs = p->gpos >= 0 ? idx[p->gpos] : S - 3; /* the last context patch */
    for (int l = 0; l < NL && !rc; l++) {
        char name[32];
        snprintf(name, sizeof name, "time_attn.%d", l);
        const cl_forward_tensor *a = cl_forward_get(&r, name);
        snprintf(name, sizeof name, "group_attn.%d", l);
        const cl_forward_tensor *ga = cl_forward_get(&r, name);
        if (!a || !ga) { rc = cl_error_set(err, CL_EINVAL, "report: no map %s", name); break; }
        const float *A = a->data, *G = ga->data; /* (B, H, S, S) row 0 first; (S, H, B, B) */
        for (int h = 0; h < H; h++) {
            head_map(A + (size_t)h * S * S, S, idx, T, stripe, nv, p->maps + ((size_t)l * H + h) * T * T,
                     stripe ? &p->score[l * H + h] : NULL);
            memcpy(p->gmaps + ((size_t)l * H + h) * B * B, G + ((size_t)gs * H + h) * B * B, sizeof(float) * B * B);
        }
    }
    free(idx);
done:
    cl_forward_free(&r);
    return rc;
}

int cl_report_pattern_run(const cl_model *m, int kind, const cl_context *csv, uint64_t seed, cl_report_pattern *p,
                          cl_error *err) {
    memset(p, 0, sizeof *p);
    int n = 0, stripe = 0;
    float *v = make_input(m, kind, csv, seed, &n, &stripe, p->input, sizeof p->input, err);
    if (!v) return err->code ? err->code : CL_EINVAL;
    if (cl_model_is_chronos2(m)) {
        int rc = run_chronos2(m, v, n, stripe, seed, p, err);
        free(v);
        if (rc) cl_report_pattern_free(p);
        return rc;
    }
    const cl_config *c = cl_model_config(m);
    const int bolt = cl_model_is_bolt(m), ps = bolt ? c->patch_size : 1;
    cl_context x = {.values = v, .B = 1, .L = n};
    cl_forward_opts fo;
    cl_forward_default(&fo);
    if (!bolt) fo.keep[CL_DEC_SELF] = fo.keep[CL_CROSS] = 0; /* T5: the encoder's maps only (Bolt keeps all) */
    cl_forward_result r;
    int rc = cl_forward_run(m, &x, &fo, &r, err);
    if (rc) { free(v); return rc; }
    const cl_forward_tensor *mask = cl_forward_get(&r, "attention_mask"), *ids = cl_forward_get(&r, "token_ids");
    const cl_forward_tensor *a0 = cl_forward_get(&r, "enc_attn.0");
    if (!mask || !a0) { rc = cl_error_set(err, CL_EINVAL, "report: the forward pass kept no encoder maps"); goto done; }
    const int S = (int)a0->shape[2], H = (int)a0->shape[1], NL = c->num_layers;
    int *idx = NULL;
    if ((rc = pattern_alloc(mask, S, NL, H, stripe, &idx, p, err))) { free(idx); goto done; }
    const int T = p->T;
    snprintf(p->stack, sizeof p->stack, "encoder self-attention");
    /* labels: value and token id (T5), patch number and its first value (Bolt); the extra
     * position last: EOS (T5) or [REG] (Bolt) */
    const int nv = bolt ? n / ps : n; /* positions that hold the input */
    const int extra = bolt ? (c->use_reg_token ? 1 : 0) : 1, first = S - extra - nv; /* left padding before it */
    for (int t = 0; t < T; t++) {
        const int pos = idx[t] - first; /* the input's position, or nv: EOS / [REG] */
        if (pos < nv) {
            if (bolt) snprintf(p->labels[t], sizeof p->labels[t], "p%d: %.3g", pos, v[pos * ps]);
            else snprintf(p->labels[t], sizeof p->labels[t], "%d: %.3g (id %lld)", pos, v[pos],
                          ids ? (long long)((const int64_t *)ids->data)[idx[t]] : -1LL);
        } else snprintf(p->labels[t], sizeof p->labels[t], "%d: %s", pos, bolt ? "[REG]" : "EOS");
    }
    p->stripe = stripe;
    p->last = nv;
    for (int l = 0; l < NL; l++) {
        char name[32];
        snprintf(name, sizeof name, "enc_attn.%d", l);
        const cl_forward_tensor *a = cl_forward_get(&r, name);
        if (!a) { free(idx); rc = cl_error_set(err, CL_EINVAL, "report: no map %s", name); goto done; }
        const float *A = a->data;
        for (int h = 0; h < H; h++)
            head_map(A + (size_t)h * S * S, S, idx, T, stripe, nv, p->maps + ((size_t)l * H + h) * T * T,
                     stripe ? &p->score[l * H + h] : NULL);
    }
    free(idx);
done:
    cl_forward_free(&r);
    free(v);
    if (rc) cl_report_pattern_free(p);
    return rc;
}
