/* induction.c — the induction-head analysis: scores over seeds, counts, strict tests. */
#include "study/induction/induction.h"
#include "study/common/rrp.h"
#include "core/core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int cl_induction_default(const cl_config *c, cl_induction_opts *o, cl_error *err) {
    memset(o, 0, sizeof *o);
    o->threshold = 0.3;
    o->seeds = 1;
    o->strict = 1;
    return cl_rrt_default(c, &o->rrt, err);
}

void cl_induction_free(cl_induction_result *r) {
    free(r->cur_all); free(r->right_all); free(r->occ_cur); free(r->occ_right);
    free(r->cur); free(r->right); free(r->ablate); free(r->copy); free(r->enc_cur); free(r->enc_right);
    memset(r, 0, sizeof *r);
}

/* Per-seed summaries of one score for n heads: mean[k*n + i], std[k*n + i]. */
typedef struct seed_acc { int n, seeds; double *mean, *std; } seed_acc;

static int acc_new(seed_acc *a, int n, int seeds) {
    a->n = n;
    a->seeds = seeds;
    a->mean = calloc((size_t)n * seeds, sizeof(double));
    a->std = calloc((size_t)n * seeds, sizeof(double));
    return a->mean && a->std ? 0 : -1;
}
static void acc_free(seed_acc *a) { free(a->mean); free(a->std); }

/* Summary of seed k from float means/stds (the rrt scores). */
static void acc_put_f(seed_acc *a, int k, const float *mean, const float *sd) {
    for (int i = 0; i < a->n; i++) {
        a->mean[(size_t)k * a->n + i] = mean[i];
        a->std[(size_t)k * a->n + i] = sd[i];
    }
}

/* Summary of seed k from per-sequence values x (n, B). */
static void acc_put_values(seed_acc *a, int k, const float *x, int B) {
    for (int i = 0; i < a->n; i++) {
        const float *r = x + (size_t)i * B;
        double s = 0, ss = 0;
        for (int b = 0; b < B; b++) s += r[b];
        double m = s / B;
        for (int b = 0; b < B; b++) ss += (r[b] - m) * (r[b] - m);
        a->mean[(size_t)k * a->n + i] = m;
        a->std[(size_t)k * a->n + i] = B > 1 ? sqrt(ss / (B - 1)) : 0;
    }
}

/* Combines the seeds (each B values): overall mean, pooled sample std over seeds*B values,
 * std of the per-seed means. */
static cl_stat *acc_finish(const seed_acc *a, int B) {
    cl_stat *out = malloc(sizeof(cl_stat) * (size_t)a->n);
    if (!out) return NULL;
    const int K = a->seeds;
    for (int i = 0; i < a->n; i++) {
        double s = 0;
        for (int k = 0; k < K; k++) s += a->mean[(size_t)k * a->n + i];
        double M = s / K, ss = 0, sm = 0;
        for (int k = 0; k < K; k++) {
            double mk = a->mean[(size_t)k * a->n + i], sk = a->std[(size_t)k * a->n + i];
            ss += (B - 1) * sk * sk + B * (mk - M) * (mk - M);
            sm += (mk - M) * (mk - M);
        }
        double N = (double)K * B;
        out[i].mean = M;
        out[i].std = N > 1 ? sqrt(ss / (N - 1)) : 0;
        out[i].seed_std = K > 1 ? sqrt(sm / (K - 1)) : 0;
    }
    return out;
}

/* Count over seeds: per-seed counts c[k], n from the final flags. */
static cl_count count_finish(const int *c, int K, int n) {
    double s = 0, ss = 0;
    for (int k = 0; k < K; k++) s += c[k];
    double m = s / K;
    for (int k = 0; k < K; k++) ss += (c[k] - m) * (c[k] - m);
    cl_count r = {.n = n, .mean = m, .std = K > 1 ? sqrt(ss / (K - 1)) : 0};
    return r;
}

static int above2(double cur, double right, int crit, double thr) {
    if (crit == CL_CUR) return cur >= thr;
    if (crit == CL_RIGHT) return right >= thr;
    return cur >= thr || right >= thr;
}

int cl_induction_above(const cl_induction_result *r, int i, int crit) {
    return above2(r->cur[i].mean, r->right[i].mean, crit, r->threshold);
}
int cl_induction_enc_above(const cl_induction_result *r, int i, int crit) {
    return above2(r->enc_cur[i].mean, r->enc_right[i].mean, crit, r->threshold);
}
int cl_induction_strict(const cl_induction_result *r, int i, int crit) {
    return r->ablate && cl_induction_above(r, i, crit) && r->ablate[i].mean < 0;
}
double cl_induction_head_score(const cl_induction_result *r, int layer, int head) {
    int i = layer * r->heads + head;
    return r->cur[i].mean > r->right[i].mean ? r->cur[i].mean : r->right[i].mean;
}

/* Per-seed counts of heads above threshold (and strict) from seed k's summaries. */
static void seed_counts(const seed_acc *cur, const seed_acc *right, const seed_acc *abl, int k, double thr,
                        int *cnt /* [3] */, int *strict /* [3] or NULL */) {
    for (int c = 0; c < 3; c++) {
        cnt[c] = 0;
        if (strict) strict[c] = 0;
    }
    for (int i = 0; i < cur->n; i++) {
        double a = cur->mean[(size_t)k * cur->n + i], b = right->mean[(size_t)k * cur->n + i];
        for (int c = 0; c < 3; c++) {
            int up = above2(a, b, c, thr);
            cnt[c] += up;
            if (strict) strict[c] += up && abl->mean[(size_t)k * cur->n + i] < 0;
        }
    }
}

int cl_induction_run(const cl_model *m, const cl_induction_opts *o, cl_induction_result *r, cl_error *err) {
    memset(r, 0, sizeof *r);
    const cl_config *c = cl_model_config(m);
    if (!(o->threshold >= 0 && o->threshold <= 1))
        return cl_error_set(err, CL_EINVAL, "threshold %g: must be in [0, 1]", o->threshold);
    if (o->seeds < 1) return cl_error_set(err, CL_EINVAL, "seeds %d: must be >= 1", o->seeds);
    /* the batch's own checks, before anything is sized from it */
    if (o->rrt.seq_len < 2) return cl_error_set(err, CL_EINVAL, "sequence length %d: must be >= 2", o->rrt.seq_len);
    if (o->rrt.reps < 2) return cl_error_set(err, CL_EINVAL, "repetitions %d: must be >= 2", o->rrt.reps);
    if (o->rrt.batch < 1) return cl_error_set(err, CL_EINVAL, "batch %d: must be >= 1", o->rrt.batch);
    /* Chronos-Bolt: repeated random patches (rrp.h) instead of tokens */
    /* Chronos-2: the same patches; its "cross" rows are the first future token's time
     * attention (rrp.h), its layers the encoder's */
    const int c2 = c->family == CL_FAMILY_CHRONOS2, bolt = c->family == CL_FAMILY_BOLT || c2;
    if (bolt) {
        int rc0 = cl_rrp_check(c, &o->rrt, err);
        if (rc0) return rc0;
    } else if (o->rrt.tok_lo < 0 || o->rrt.tok_hi >= c->vocab_size || o->rrt.tok_lo >= o->rrt.tok_hi)
        return cl_error_set(err, CL_EINVAL, "token range %d:%d: needs 0 <= LO < HI < %d (the vocabulary)",
                            o->rrt.tok_lo, o->rrt.tok_hi, c->vocab_size);
    const int K = o->seeds, B = o->rrt.batch, H = c->num_heads;
    const int T = bolt ? cl_rrp_len(c, &o->rrt) : cl_rrt_enc_len(&o->rrt);
    const int NLx = c2 ? c->num_layers : c->num_decoder_layers, n = NLx * H, ne = c->num_layers * H;
    r->layers = NLx;
    r->chronos2 = c2;
    r->heads = H;
    r->enc_layers = c->num_layers;
    r->seeds = K;
    r->strict = o->strict;
    r->tok_lo = bolt ? 0 : o->rrt.tok_lo;
    r->tok_hi = bolt ? 0 : o->rrt.tok_hi;
    r->bolt = bolt;
    r->patch_size = bolt ? c->patch_size : 0;
    r->offset = bolt ? o->rrt.offset : 0;
    r->threshold = o->threshold;

    seed_acc cur = {0}, right = {0}, ecur = {0}, eright = {0}, abl = {0}, cp = {0}, call = {0}, rall = {0};
    const int R = o->rrt.reps;
    r->reps = R;
    r->occ_cur = calloc((size_t)n * R, sizeof(double));
    r->occ_right = calloc((size_t)n * R, sizeof(double));
    int32_t *ids = NULL, *dec = NULL;
    uint8_t *mask = NULL;
    float *vals = NULL;
    int *cnt = calloc((size_t)K * 9, sizeof(int)); /* per seed: cross[3], enc[3], strict[3] */
    cl_state *s = NULL;
    int rc = 0;
    if (!cnt || !r->occ_cur || !r->occ_right || acc_new(&call, n, K) || acc_new(&rall, n, K) ||
        acc_new(&cur, n, K) || acc_new(&right, n, K) || acc_new(&ecur, ne, K) || acc_new(&eright, ne, K) ||
        (o->strict && (acc_new(&abl, n, K) || (!bolt && acc_new(&cp, n, K)))))
        rc = cl_error_set(err, CL_ENOMEM, "induction: out of memory");
    float *tgt = NULL; /* Bolt: the first value of s_1 per series */
    if (!rc && o->strict && bolt) {
        tgt = malloc(sizeof(float) * (size_t)B);
        vals = malloc(sizeof(float) * (size_t)n * B);
        if (!tgt || !vals) rc = cl_error_set(err, CL_ENOMEM, "induction: out of memory");
    } else if (!rc && o->strict) {
        ids = malloc(sizeof(int32_t) * (size_t)B * T);
        dec = malloc(sizeof(int32_t) * 2 * (size_t)B);
        mask = malloc((size_t)B * T);
        vals = malloc(sizeof(float) * (size_t)n * B);
        if (!ids || !dec || !mask || !vals) rc = cl_error_set(err, CL_ENOMEM, "induction: out of memory");
    }
    if (!rc) rc = cl_state_new(m, &s, err);
    const double steps = (double)K * (o->strict ? (bolt ? 2 : 3) : 1);
    double done = 0;
    if (!rc) rc = cl_progress_point(&o->progress, "induction", 0, steps, err);
    for (int k = 0; k < K && !rc; k++) {
        cl_rrt_opts ro = o->rrt;
        ro.seed = o->rrt.seed + (uint64_t)k;
        cl_rrt_scores xs, es;
        if ((rc = bolt ? cl_rrp_scores_pass(s, &ro, &xs, &es, err) : cl_rrt_scores_pass(s, &ro, &xs, &es, err))) break;
        acc_put_f(&cur, k, xs.cur_mean, xs.cur_std);
        acc_put_f(&right, k, xs.right_mean, xs.right_std);
        acc_put_f(&ecur, k, es.cur_mean, es.cur_std);
        acc_put_f(&eright, k, es.right_mean, es.right_std);
        acc_put_f(&call, k, xs.cur_all_mean, xs.cur_all_std);
        acc_put_f(&rall, k, xs.right_all_mean, xs.right_all_std);
        for (size_t j = 0; j < (size_t)n * R; j++) {
            r->occ_cur[j] += xs.occ_cur[j] / K;
            r->occ_right[j] += xs.occ_right[j] / K;
        }
        cl_rrt_scores_free(&xs);
        cl_rrt_scores_free(&es);
        if ((rc = cl_progress_point(&o->progress, "induction", ++done, steps, err))) break;
        if (o->strict && bolt) {
            /* the same batch again (deterministic in the seed) for its targets; the state
             * holds its encoder output */
            if ((rc = cl_rrp_make(c, &ro, NULL, tgt, err))) break;
            if ((rc = c2 ? cl_rrp_c2_ablation(s, &ro, tgt, vals, err) : cl_rrp_ablation(s, &ro, tgt, vals, err))) break;
            acc_put_values(&abl, k, vals, B);
            if ((rc = cl_progress_point(&o->progress, "induction", ++done, steps, err))) break;
        } else if (o->strict) {
            /* the same batch again (deterministic in the seed): its tokens for log p(s_2) */
            if ((rc = cl_rrt_make(c, &ro, ids, mask, dec, err))) break;
            if ((rc = cl_induction_copying(s, &ro, ids, vals, err))) break;
            acc_put_values(&cp, k, vals, B);
            if ((rc = cl_progress_point(&o->progress, "induction", ++done, steps, err))) break;
            if ((rc = cl_induction_ablation(s, &ro, ids, dec, vals, err))) break;
            acc_put_values(&abl, k, vals, B);
            if ((rc = cl_progress_point(&o->progress, "induction", ++done, steps, err))) break;
        }
        int *ck = cnt + (size_t)k * 9;
        seed_counts(&cur, &right, o->strict ? &abl : NULL, k, o->threshold, ck, o->strict ? ck + 6 : NULL);
        seed_counts(&ecur, &eright, NULL, k, o->threshold, ck + 3, NULL);
    }
    if (!rc) {
        r->cur = acc_finish(&cur, B);
        r->right = acc_finish(&right, B);
        r->enc_cur = acc_finish(&ecur, B);
        r->enc_right = acc_finish(&eright, B);
        r->cur_all = acc_finish(&call, B);
        r->right_all = acc_finish(&rall, B);
        if (!r->cur_all || !r->right_all) rc = cl_error_set(err, CL_ENOMEM, "induction: out of memory");
        if (o->strict) {
            r->ablate = acc_finish(&abl, B);
            if (!bolt) r->copy = acc_finish(&cp, B); /* no unembedding in Bolt: no copying score */
        }
        if (!r->cur || !r->right || !r->enc_cur || !r->enc_right ||
            (o->strict && (!r->ablate || (!bolt && !r->copy))))
            rc = cl_error_set(err, CL_ENOMEM, "induction: out of memory");
    }
    /* counts: j = 0..2 cross, 3..5 encoder, 6..8 strict; criterion j % 3 */
    int *cj = rc ? NULL : malloc(sizeof(int) * (size_t)K);
    if (!rc && !cj) rc = cl_error_set(err, CL_ENOMEM, "induction: out of memory");
    for (int j = 0; j < 9 && !rc; j++) {
        if (j >= 6 && !o->strict) break;
        for (int k = 0; k < K; k++) cj[k] = cnt[(size_t)k * 9 + j];
        int nn = 0, crit = j % 3;
        for (int i = 0; i < (j < 3 || j >= 6 ? n : ne); i++)
            nn += j < 3 ? cl_induction_above(r, i, crit)
                        : j < 6 ? cl_induction_enc_above(r, i, crit) : cl_induction_strict(r, i, crit);
        cl_count cc = count_finish(cj, K, nn);
        if (j < 3) r->cross[crit] = cc;
        else if (j < 6) r->enc[crit] = cc;
        else r->strict_count[crit] = cc;
    }
    free(cj);
    if (rc) cl_induction_free(r);
    acc_free(&call); acc_free(&rall);
    acc_free(&cur); acc_free(&right); acc_free(&ecur); acc_free(&eright); acc_free(&abl); acc_free(&cp);
    free(ids); free(dec); free(mask); free(vals); free(cnt); free(tgt);
    cl_state_free(s);
    return rc;
}
