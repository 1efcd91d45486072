/* test_claims_period.c — period_is_gap on a planted-period model: one decoder cross-attention
 * head whose attention follows the input's value, exp(w * value(t)) over the context. Its
 * spectrum holds every integer combination of the input frequencies, so its period is the
 * gcd (the signal's fundamental), not the smallest gap; the two differ only on frequency sets
 * whose smallest gap divides no other gap. The verdict on those sets must say "gcd". */
#include "testutil.h"
#include "study/multisine/msheads.h"
#include "study/multisine/multisine.h"
#include "core/core.h"
#include "model/init.h"
#include "model/model.h"
#include "claims/claims.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { D = 16, DK = 8 };

typedef struct pm { cl_model *m; float *E, *zero, *ones, *q, *k, *rel; } pm;

/* One encoder and one decoder layer, one head, every weight zero except: token t embeds as
 * (center value of t, 1, 0, ...), the pad (decoder start) and EOS as (0, 1, 0, ...); the
 * cross head's query reads dim 1 (a constant) and its key dim 0 (the value), so its score
 * at encoder position j is w * value_j / sqrt(value_j^2 + 1) * D after the RMS norms. */
static void pm_build(pm *p) {
    memset(p, 0, sizeof *p);
    cl_error err;
    cl_config c;
    assert_int_equal(cl_config_preset("tiny", &c, &err), 0);
    c.d_model = D; c.num_heads = 1; c.d_kv = DK; c.d_ff = 4; c.num_layers = 1; c.num_decoder_layers = 1;
    char dir[512];
    snprintf(dir, sizeof dir, "%s/planted-period", test_tmpdir());
    if (cl_checkpoint_init_random(dir, &c, 11, 0, NULL, &err)) fail_msg("%s", err.msg);
    if (cl_model_load(dir, NULL, &p->m, &err)) fail_msg("%s", err.msg);
    cl_model *m = p->m;
    const cl_config *mc = &m->cfg;
    const int V = mc->vocab_size;
    p->E = calloc((size_t)V * D, sizeof(float));
    p->zero = calloc((size_t)DK * D + (size_t)D * 8, sizeof(float));
    p->ones = malloc(sizeof(float) * D);
    p->q = calloc((size_t)DK * D, sizeof(float));
    p->k = calloc((size_t)DK * D, sizeof(float));
    p->rel = calloc((size_t)mc->num_buckets, sizeof(float));
    for (int t = 0; t < V; t++) {
        p->E[(size_t)t * D + 1] = 1.0f;
        if (t > mc->n_special_tokens && t < mc->n_tokens) p->E[(size_t)t * D] = cl_tokenizer_center(mc, t);
    }
    for (int i = 0; i < D; i++) p->ones[i] = 1.0f;
    p->q[0 * D + 1] = 0.25f; /* query: the constant */
    p->k[0 * D + 0] = 1.0f;  /* key: the value */
    m->embed = m->lm_head = p->E;
    m->enc_rel = m->dec_rel = p->rel;
    m->enc_final = m->dec_final = p->ones;
    layer_w *e = &m->enc[0];
    e->ln_self = e->ln_ff = p->ones;
    e->self = (attn_w){p->zero, p->zero, p->zero, p->zero};
    e->wi = e->wo = p->zero;
    layer_w *d = &m->dec[0];
    d->ln_self = d->ln_cross = d->ln_ff = p->ones;
    d->self = (attn_w){p->zero, p->zero, p->zero, p->zero};
    d->cross = (attn_w){p->q, p->k, p->zero, p->zero};
    d->wi = d->wo = p->zero;
}

static void pm_free(pm *p) {
    cl_model_free(p->m);
    free(p->E); free(p->zero); free(p->ones); free(p->q); free(p->k); free(p->rel);
}

static void test_planted_period_follows_gcd(void **st) {
    (void)st;
    pm p;
    pm_build(&p);
    cl_error err;
    cl_state *s;
    if (cl_state_new(p.m, &s, &err)) fail_msg("%s", err.msg);
    cl_multisine base;
    cl_multisine_reference(&base);
    enum { C = 60 };
    cl_multisine cfg[C];
    float *series = malloc(sizeof(float) * C * base.points);
    cl_rng rng;
    cl_rng_seed(&rng, 4);
    for (int c = 0; c < C; c++) {
        cl_multisine_random(&rng, &base, 1, 45, 3, 5, &cfg[c]);
        cl_multisine_eval(&cfg[c], &rng, series + (size_t)c * base.points);
    }
    cl_fft *fft;
    assert_int_equal(cl_fft_new(base.points, &fft, &err), 0);
    cl_spacing_opts so;
    cl_spacing_default(&so);
    cl_ms_head h[C];
    if (cl_ms_heads(s, fft, series, C, base.points, base.duration, 16, &so, h, NULL, NULL, &err)) fail_msg("%s", err.msg);
    cl_ms_model mm = {0};
    snprintf(mm.model, sizeof mm.model, "planted-period");
    mm.n_sweep = C;
    mm.sweep = calloc(C, sizeof *mm.sweep);
    int nd = 0, gap = 0, gcd = 0;
    for (int c = 0; c < C; c++) {
        cl_ms_obs *o = &mm.sweep[c];
        *o = (cl_ms_obs){.config = c, .gap = cl_multisine_smallest_gap(&cfg[c]), .gap_gcd = cl_multisine_gap_gcd(&cfg[c]),
                         .freq_gcd = cl_multisine_freq_gcd(&cfg[c]), .non_divisor = cl_multisine_non_divisor(&cfg[c]),
                         .amplitude = h[c].amplitude, .strength = h[c].sp.strength, .periodic = h[c].sp.periodic,
                         .spacing_hz = h[c].sp.spacing_hz, .mass = h[c].mass, .max_share = h[c].max_share};
        if (o->non_divisor) {
            nd++;
            gap += o->periodic && fabs(o->spacing_hz - o->gap) <= 1.0 / 3;
            gcd += o->periodic && (fabs(o->spacing_hz - o->gap_gcd) <= 1.0 / 3 || fabs(o->spacing_hz - o->freq_gcd) <= 1.0 / 3);
        }
    }
    if (getenv("CL_TEST_VERBOSE")) print_message("non-divisor sets %d: at the gap %d, at the gcd %d\n", nd, gap, gcd);
    assert_true(nd >= 10);
    assert_true(gcd > gap); /* the head follows the gcd */
    cl_ms_data ms = {.n = 1, .m = &mm, .tol_hz = 1.0 / 3};
    /* a minimal scores table naming the model */
    cl_scores t = {0};
    cl_score_row r = {.parameters = NAN, .sampling = CL_SAMPLING_BAND, .reps = 2, .seq_len = 10, .criterion = CL_CRIT_RIGHT,
                      .mean = 0.1, .std = NAN};
    snprintf(r.model, sizeof r.model, "planted-period");
    assert_int_equal(cl_scores_add(&t, &r, &err), 0);
    cl_verdicts v;
    if (cl_claims_run(&t, &ms, NULL, &v, &err)) fail_msg("%s", err.msg);
    int seen = 0;
    for (int i = 0; i < v.n; i++) {
        if (strcmp(v.v[i].id, "period_is_gap")) continue;
        seen = 1;
        if (getenv("CL_TEST_VERBOSE")) print_message("%s: %s\n", cl_verdict_word(v.v[i].verdict), v.v[i].reason);
        assert_int_equal(v.v[i].verdict, CL_NOT_SUPPORTED);
        assert_non_null(strstr(v.v[i].reason, "follows the gcd"));
    }
    assert_true(seen);
    cl_verdicts_free(&v);
    cl_scores_free(&t);
    free(mm.sweep);
    free(series);
    cl_fft_free(fft);
    cl_state_free(s);
    pm_free(&p);
}

int main(void) {
    cl_set_threads(1);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_planted_period_follows_gcd)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
