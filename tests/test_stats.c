/* test_stats.c — average ranks, Spearman's rho on hand-computed cases (ties included), and
 * the group-permutation p-value: seeded, and equal to the exact enumeration's. */
#include "testutil.h"
#include "core/stats.h"
#include "core/core.h"

#include <math.h>
#include <stdlib.h>

#define assert_near(a, b, tol)                                                                  \
    do {                                                                                        \
        double a_ = (a), b_ = (b);                                                              \
        if (!(fabs(a_ - b_) <= (tol))) fail_msg("%s = %.17g, want %.17g (tol %g)", #a, a_, b_, (double)(tol)); \
    } while (0)

static void test_average_ranks(void **st) {
    (void)st;
    const double x[4] = {3, 1, 3, 2}, want[4] = {3.5, 1, 3.5, 2};
    double r[4];
    assert_int_equal(cl_rank_average(x, 4, r), 0);
    for (int i = 0; i < 4; i++) assert_near(r[i], want[i], 0);
    const double c[3] = {7, 7, 7};
    assert_int_equal(cl_rank_average(c, 3, r), 0);
    for (int i = 0; i < 3; i++) assert_near(r[i], 2, 0);
}

static void test_spearman_hand_cases(void **st) {
    (void)st;
    /* y ranks [1, 2, 3.5, 5, 3.5]: rho = 8 / sqrt(10 * 9.5) */
    const double x[5] = {1, 2, 3, 4, 5}, y[5] = {5, 6, 7, 8, 7};
    assert_near(cl_spearman(x, y, 5), 8 / sqrt(95.0), 1e-15);
    /* ties on both sides: ranks [1.5, 1.5, 3, 4] and [1, 2.5, 2.5, 4]: rho = 3.75 / 4.5 */
    const double a[4] = {1, 1, 2, 3}, b[4] = {1, 2, 2, 3};
    assert_near(cl_spearman(a, b, 4), 3.75 / 4.5, 1e-15);
    /* monotone transforms: +1 and -1; a constant: undefined */
    double c[5], d[5], k[5] = {2, 2, 2, 2, 2};
    for (int i = 0; i < 5; i++) { c[i] = exp(x[i]); d[i] = -x[i] * x[i] * x[i]; }
    assert_near(cl_spearman(x, c, 5), 1, 1e-15);
    assert_near(cl_spearman(x, d, 5), -1, 1e-15);
    assert_true(isnan(cl_spearman(x, k, 5)));
    assert_true(isnan(cl_spearman(x, y, 1)));
}

/* rho of the grouped pairing, computed directly (for the exact enumeration) */
static double grouped_rho(const double *x, int C, int G, const double *y, const int *perm) {
    double xx[64], yy[64];
    for (int c = 0; c < C; c++)
        for (int g = 0; g < G; g++) { xx[c * G + g] = x[c * G + g]; yy[c * G + g] = y[perm[g]]; }
    return cl_spearman(xx, yy, C * G);
}

static int next_perm(int *p, int n) { /* lexicographic successor; 0 after the last */
    int i = n - 2;
    while (i >= 0 && p[i] > p[i + 1]) i--;
    if (i < 0) return 0;
    int j = n - 1;
    while (p[j] < p[i]) j--;
    int t = p[i]; p[i] = p[j]; p[j] = t;
    for (int a = i + 1, b = n - 1; a < b; a++, b--) { t = p[a]; p[a] = p[b]; p[b] = t; }
    return 1;
}

static void test_permutation_p(void **st) {
    (void)st;
    enum { C = 3, G = 5 };
    cl_rng r;
    cl_rng_seed(&r, 17);
    double x[C * G], y[G];
    for (int g = 0; g < G; g++) y[g] = g + 0.3 * cl_rng_uniform(&r);
    for (int i = 0; i < C * G; i++) x[i] = 0.4 * (i % G) + cl_rng_normal(&r); /* weakly related */
    double rho, p, rho2, p2;
    assert_int_equal(cl_spearman_grouped(x, C, G, y, 20000, 7, &rho, &p), 0);
    int id[G] = {0, 1, 2, 3, 4};
    assert_near(rho, grouped_rho(x, C, G, y, id), 1e-12);
    /* exact p over all 120 shuffles of y across the groups */
    int perm[G] = {0, 1, 2, 3, 4}, hits = 0, total = 0;
    do {
        hits += fabs(grouped_rho(x, C, G, y, perm)) >= fabs(rho) - 1e-12;
        total++;
    } while (next_perm(perm, G));
    assert_int_equal(total, 120);
    double exact = (double)hits / total;
    assert_true(exact > 0.02 && exact < 0.98); /* a case where p is informative */
    assert_near(p, exact, 0.015);
    /* deterministic in the seed */
    assert_int_equal(cl_spearman_grouped(x, C, G, y, 20000, 7, &rho2, &p2), 0);
    assert_near(p2, p, 0);
    assert_near(rho2, rho, 0);
    assert_int_equal(cl_spearman_grouped(x, C, G, y, 20000, 8, &rho2, &p2), 0);
    assert_true(p2 != p);
    assert_near(p2, exact, 0.015);
    /* no permutations: p undefined */
    assert_int_equal(cl_spearman_grouped(x, C, G, y, 0, 7, &rho2, &p2), 0);
    assert_true(isnan(p2));
}

static void test_permutation_perfect(void **st) {
    (void)st;
    enum { G = 8 };
    double x[G], y[G];
    for (int g = 0; g < G; g++) { x[g] = g * g; y[g] = g; }
    double rho, p;
    assert_int_equal(cl_spearman_grouped(x, 1, G, y, 5000, 1, &rho, &p), 0);
    assert_near(rho, 1, 1e-12);
    /* only the identity and the reversal reach |rho| = 1: 2 of 8! = 40320 */
    assert_true(p < 5.0 / 5001);
    /* a constant score: rho undefined */
    for (int g = 0; g < G; g++) y[g] = 0.25;
    assert_int_equal(cl_spearman_grouped(x, 1, G, y, 100, 1, &rho, &p), 0);
    assert_true(isnan(rho) && isnan(p));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_average_ranks),
        cmocka_unit_test(test_spearman_hand_cases),
        cmocka_unit_test(test_permutation_p),
        cmocka_unit_test(test_permutation_perfect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
