/* test_nano.c — the bundled model models/chronos-nano: loads with the nano shape, is small,
 * forecasts finite ordered quantiles, and is trained (held-out loss far below a random
 * model's) and uses its context (loss rises when each series gets another's context). */
#include "testutil.h"
#include "study/forecast/median_forecast.h"
#include "train/train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define NANO CL_FIXTURES "/../../models/chronos-nano"
#define NANO_TRAIN_CTX 128 /* the context length of the shipped training run (MODEL_CARD.md) */

static void test_loads_small(void **st) {
    (void)st;
    cl_model *m;
    cl_error err;
    if (cl_model_load(NANO, NULL, &m, &err)) fail_msg("%s", err.msg);
    const cl_config *c = cl_model_config(m);
    cl_config want;
    cl_config_nano(&want);
    assert_int_equal(c->d_model, want.d_model);
    assert_int_equal(c->num_layers, want.num_layers);
    assert_int_equal(c->vocab_size, 4096);
    /* the config says the context it was trained on (MODEL_CARD.md) */
    assert_int_equal(c->context_length, NANO_TRAIN_CTX);
    assert_int_equal(c->prediction_length, want.prediction_length);
    size_t np = cl_model_param_count(m);
    assert_true(np >= 1000000 && np <= 4000000);
    struct stat sb;
    assert_int_equal(stat(NANO "/model.safetensors", &sb), 0);
    assert_true(sb.st_size <= 16 << 20);
    cl_model_free(m);
}

static void test_forecasts(void **st) {
    (void)st;
    cl_model *m;
    cl_error err;
    if (cl_model_load(NANO, NULL, &m, &err)) fail_msg("%s", err.msg);
    cl_state *s;
    assert_int_equal(cl_state_new(m, &s, &err), 0);
    enum { B = 2, L = 96, H = 8, NQ = 3 };
    float ctx[B * L], q[B * H * NQ], med[B * H];
    const float lv[NQ] = {0.1f, 0.5f, 0.9f};
    for (int t = 0; t < L; t++) { ctx[t] = (float)(100 + 10 * sin(2 * M_PI * t / 12)); ctx[L + t] = (float)(0.05 * t); }
    assert_int_equal(cl_median_forecast(s, ctx, B, L, H, lv, NQ, q, med, &err), 0);
    for (int i = 0; i < B * H; i++) {
        assert_true(isfinite(med[i]));
        assert_true(q[i * NQ] <= q[i * NQ + 1] && q[i * NQ + 1] <= q[i * NQ + 2]);
    }
    /* the level is read from the context: the first series stays near 100, the second near 5 */
    for (int t = 0; t < H; t++) {
        assert_true(med[t] > 70 && med[t] < 130);
        assert_true(med[H + t] > 2 && med[H + t] < 8);
    }
    cl_state_free(s);
    cl_model_free(m);
}

static void test_trained_and_uses_context(void **st) {
    (void)st;
    cl_params *p;
    cl_error err;
    if (cl_params_load(NANO, &p, &err)) fail_msg("%s", err.msg);
    cl_data *d;
    cl_config c128 = p->cfg;
    c128.context_length = NANO_TRAIN_CTX;
    assert_int_equal(cl_data_new(&c128, 16, 20261126, &d, &err), 0);
    cl_grad_ws *ws = cl_grad_ws_new();
    double loss, other;
    cl_data_make(d, 0, -1);
    assert_int_equal(cl_loss_grad(p, ws, &d->batch, 0, &loss, NULL, NULL, &err), 0);
    /* uniform over the vocabulary is ln 4096 = 8.32; the untrained model is above 8.6;
     * the shipped model scores 2.90 here (the 64-value model it replaced: 3.75 on 64 values) */
    if (!(loss < 4.5)) fail_msg("held-out loss %.3f", loss);
    const int T = d->batch.T;
    int32_t *ids = malloc(sizeof(int32_t) * 16 * T);
    uint8_t *mk = malloc(16 * (size_t)T);
    for (int b = 0; b < 16; b++) {
        memcpy(ids + b * T, d->enc_ids + ((b + 1) % 16) * T, sizeof(int32_t) * T);
        memcpy(mk + b * T, d->enc_mask + ((b + 1) % 16) * T, T);
    }
    cl_batch bt = d->batch;
    bt.enc_ids = ids;
    bt.enc_mask = mk;
    assert_int_equal(cl_loss_grad(p, ws, &bt, 0, &other, NULL, NULL, &err), 0);
    /* 8.63 vs 2.90: the forecast comes from the context */
    if (!(other > loss + 1.0)) fail_msg("loss %.3f with the own context, %.3f with another's", loss, other);
    free(ids); free(mk);
    cl_grad_ws_free(ws);
    cl_data_free(d);
    cl_params_free(p);
}

/* On the held-out seasonal family (the suite of MODEL_CARD.md: 100 series, seed 20261126,
 * 20 sample paths) the quantile forecasts beat seasonal naive's in weighted quantile loss.
 * This guards what the shipped model achieves; issue 7's own bar -- MASE below seasonal
 * naive's on that family -- is NOT met (1.93 vs 1.73, MODEL_CARD.md), so it is not here. */
static void test_beats_seasonal_naive_wql(void **st) {
    (void)st;
    char out[4096];
    snprintf(out, sizeof out, "%s/eval.csv", test_tmpdir());
    assert_int_equal(run_cmd("'%s' eval --quiet --model " NANO " --family seasonal --context-length %d --series 100 --seed 20261126 --out '%s' > /dev/null",
                             CL_CLI, NANO_TRAIN_CTX, out), 0);
    char *csv = slurp(out);
    assert_non_null(csv);
    const char *row = strstr(csv, "\nseasonal,");
    assert_non_null(row);
    int n;
    double mase, mase_sn, mr, wql, wql_sn;
    assert_int_equal(sscanf(row, "\nseasonal,%d,%lf,%lf,%lf,%lf,%lf", &n, &mase, &mase_sn, &mr, &wql, &wql_sn), 6);
    assert_int_equal(n, 100);
    if (!(wql < wql_sn)) fail_msg("seasonal family: WQL %.4f, seasonal naive %.4f", wql, wql_sn);
    free(csv);
}

int main(void) {
    cl_set_threads(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loads_small),
        cmocka_unit_test(test_forecasts),
        cmocka_unit_test(test_trained_and_uses_context),
        cmocka_unit_test(test_beats_seasonal_naive_wql),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
