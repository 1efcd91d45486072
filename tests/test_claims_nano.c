/* test_claims_nano.c — the study's own hypothesis on the bundled model (models/chronos-nano):
 * its content-matching cross-attention heads keep their attention after the earlier
 * occurrences of s_1 as R grows while their most-recent score falls, so claim `spread` is
 * supported; "fewer heads with more repetitions" is, on this model, the criterion's. */
#include "testutil.h"
#include "study/induction/sweep.h"
#include "claims/claims.h"
#include "study/induction/scores_from.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NANO CL_FIXTURES "/../../models/chronos-nano"

static void test_nano_spread(void **st) {
    (void)st;
    cl_error err;
    cl_model *m;
    if (cl_model_load(NANO, NULL, &m, &err)) fail_msg("%s", err.msg);
    cl_sweep_opts so = {0};
    assert_int_equal(cl_induction_default(cl_model_config(m), &so.base, &err), 0); /* batch 100, seed 0 */
    static const int R[3] = {2, 6, 10}, L[1] = {10};
    so.reps = R; so.n_reps = 3; so.lens = L; so.n_lens = 1;
    cl_sweep_result r;
    if (cl_sweep_run(m, &so, &r, &err)) fail_msg("%s", err.msg);
    /* the heads that hold >= 0.5 after earlier occurrences at R = 2 still hold >= 0.5 at R = 10
     * while their most-recent score is below 0.1 there */
    int held = 0;
    const cl_sweep_cell *a = &r.cells[0], *b = &r.cells[2];
    for (int i = 0; i < a->layers * a->heads; i++) {
        if (a->right_all[i].mean < 0.5) continue;
        if (getenv("CL_TEST_VERBOSE"))
            print_message("head %d: most recent %.3f -> %.3f, sum %.3f -> %.3f\n", i, a->right[i].mean, b->right[i].mean,
                          a->right_all[i].mean, b->right_all[i].mean);
        held += b->right_all[i].mean >= 0.5 && b->right[i].mean < 0.1 && a->right[i].mean < 0.3;
    }
    assert_true(held >= 2);
    cl_scores t = {0};
    assert_int_equal(cl_scores_from_sweep(&t, "chronos-nano", NAN, CL_SAMPLING_BAND, &r, so.base.rrt.batch, &err), 0);
    cl_verdicts v;
    if (cl_claims_run(&t, NULL, NULL, &v, &err)) fail_msg("%s", err.msg);
    int seen = 0;
    for (int i = 0; i < v.n; i++)
        if (!strcmp(v.v[i].id, "spread")) {
            seen = 1;
            if (getenv("CL_TEST_VERBOSE")) print_message("spread: %s — %s\n", cl_verdict_word(v.v[i].verdict), v.v[i].reason);
            assert_int_equal(v.v[i].verdict, CL_SUPPORTED);
        }
    assert_true(seen);
    cl_verdicts_free(&v);
    cl_scores_free(&t);
    cl_sweep_free(&r);
    cl_model_free(m);
}

int main(void) {
    cl_set_threads(1);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_nano_spread)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
