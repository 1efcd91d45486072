/* test_claims_bolt.c — the claims on Chronos-Bolt rows (sampling patches, family bolt):
 * hand-made Bolt tables give each model's claims on its own sampling (the strict extension on
 * ablation_median, `band` undecided: no token band), a mixed table gives one `size` verdict
 * per family, the family column is read, written and validated (PATH:LINE), verdicts carry
 * their family in claims.json/.csv (and a Chronos-T5 table's files keep their bytes), and
 * `chronolens induction` + `sweep` on bolt-rand and rand-small, then `claims --scores`, give
 * the claims of both models. */
#include "testutil.h"
#include "claims/claims.h"
#include "study/common/scores_table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOLT CL_FIXTURES "/bolt-rand"
#define T5 CL_FIXTURES "/rand-small"

/* ------------------------------------------------------------ building tables */

static void add(cl_scores *t, const char *model, double params, int sampling, int reps, int len, int layer, int head,
                int crit, double mean, double std, long n) {
    cl_score_row r = {.parameters = params, .sampling = sampling, .reps = reps, .seq_len = len, .layer = layer,
                      .head = head, .criterion = crit, .mean = mean, .std = std, .n = n,
                      .family = sampling == CL_SAMPLING_PATCHES ? CL_FAMILY_BOLT : CL_FAMILY_T5};
    snprintf(r.model, sizeof r.model, "%s", model);
    cl_error err;
    assert_int_equal(cl_scores_add(t, &r, &err), 0);
}

/* A cell of 8 heads: k of them at `top` on `right`, the rest at 0.05 (std 0.1, n 100). */
static void cell(cl_scores *t, const char *model, double params, int sampling, int reps, int len, int k, double top) {
    for (int i = 0; i < 8; i++)
        for (int c = CL_CRIT_CURRENT; c <= CL_CRIT_RIGHT; c++)
            add(t, model, params, sampling, reps, len, i / 4, i % 4, c, (i < k && c == CL_CRIT_RIGHT) ? top : 0.05, 0.1, 100);
}

static const cl_verdict *find(const cl_verdicts *v, const char *id, const char *model) {
    for (int i = 0; i < v->n; i++)
        for (int k = 0; k < v->v[i].n_models; k++)
            if (!strcmp(v->v[i].id, id) && !strcmp(v->v[i].model[k], model)) return &v->v[i];
    fail_msg("no verdict %s for %s", id, model);
    return NULL;
}

static void run(const cl_scores *t, cl_verdicts *v) {
    cl_error err;
    if (cl_claims_run(t, NULL, NULL, v, &err)) fail_msg("%s", err.msg);
    if (getenv("CL_TEST_VERBOSE"))
        for (int i = 0; i < v->n; i++)
            print_message("%s %s (%s): %s — %s\n", v->v[i].id, v->v[i].model[0], v->v[i].family ? "bolt" : "t5",
                          cl_verdict_word(v->v[i].verdict), v->v[i].reason);
}

/* ------------------------------------------------------------ a Bolt table */

/* A Bolt model with the study's pattern on patches: 3 heads at the mosaic, more at longer L,
 * fewer at more R; one head's ablation raises the median's error (ablation_median < 0). A
 * band row under the same name would be another family: the claims read patches only. */
static void test_bolt_claims(void **st) {
    (void)st;
    cl_scores t = {0};
    static const int G[3] = {2, 6, 10};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            const int R = G[i], L = G[j], k = (L == 10 ? 6 : L == 6 ? 4 : 2) - (R == 10 ? 2 : R == 6 ? 1 : 0);
            cell(&t, "bolt-a", 2e6, CL_SAMPLING_PATCHES, R, L, k, 0.6);
        }
    for (int i = 0; i < 8; i++)
        add(&t, "bolt-a", 2e6, CL_SAMPLING_PATCHES, 2, 10, i / 4, i % 4, CL_CRIT_ABLATION_MEDIAN, i == 0 ? -0.5 : 0.0, 0.5, 100);
    cl_verdicts v;
    run(&t, &v);
    const cl_verdict *x = find(&v, "exist", "bolt-a");
    assert_int_equal(x->verdict, CL_SUPPORTED);
    assert_int_equal(x->family, CL_FAMILY_BOLT);
    assert_non_null(strstr(x->test, "patches"));
    assert_int_equal(find(&v, "longer_more", "bolt-a")->verdict, CL_SUPPORTED);
    assert_int_equal(find(&v, "more_reps_fewer", "bolt-a")->verdict, CL_SUPPORTED);
    assert_int_equal(find(&v, "most_at_r2_l10", "bolt-a")->verdict, CL_SUPPORTED);
    x = find(&v, "band", "bolt-a");
    assert_int_equal(x->verdict, CL_UNDECIDED);
    assert_non_null(strstr(x->reason, "no token band"));
    x = find(&v, "strict", "bolt-a");
    assert_int_equal(x->verdict, CL_SUPPORTED);
    assert_non_null(strstr(x->reason, "median's error"));
    x = find(&v, "size", "bolt-a");
    assert_int_equal(x->verdict, CL_UNDECIDED);
    assert_int_equal(x->family, CL_FAMILY_BOLT);
    for (int i = 0; i < v.n; i++) {
        assert_int_equal(v.v[i].family, CL_FAMILY_BOLT);
        assert_true(strcmp(v.v[i].id, "band") || v.v[i].n_models == 1); /* no pooled band for Bolt */
    }
    cl_verdicts_free(&v);
    /* the ablation the other way (ablating helps the median): strict not supported */
    for (int i = 0; i < t.n; i++)
        if (t.rows[i].criterion == CL_CRIT_ABLATION_MEDIAN) t.rows[i].mean = t.rows[i].layer == 0 && t.rows[i].head == 0 ? 0.5 : 0;
    run(&t, &v);
    assert_int_equal(find(&v, "strict", "bolt-a")->verdict, CL_NOT_SUPPORTED);
    cl_verdicts_free(&v);
    /* a Bolt model without its mosaic (patches, R = 2, L = 10): exist has no rows, and says which */
    cl_scores u = {0};
    cell(&u, "bolt-b", 2e6, CL_SAMPLING_PATCHES, 2, 6, 3, 0.6);
    run(&u, &v);
    x = find(&v, "exist", "bolt-b");
    assert_int_equal(x->verdict, CL_UNDECIDED);
    assert_non_null(strstr(x->reason, "sampling patches"));
    cl_verdicts_free(&v);
    cl_scores_free(&u);
    cl_scores_free(&t);
}

/* ------------------------------------------------------------ size per family */

static void test_size_per_family(void **st) {
    (void)st;
    cl_scores t = {0};
    /* T5: 1 head at 1M, 5 at 10M (supported); Bolt: 5 at 1M, 1 at 10M (not supported). One
     * verdict over all four would mix the families' counts. */
    cell(&t, "t5-small", 1e6, CL_SAMPLING_BAND, 2, 10, 1, 0.9);
    cell(&t, "bolt-small", 1e6, CL_SAMPLING_PATCHES, 2, 10, 5, 0.9);
    cell(&t, "t5-big", 1e7, CL_SAMPLING_BAND, 2, 10, 5, 0.9);
    cell(&t, "bolt-big", 1e7, CL_SAMPLING_PATCHES, 2, 10, 1, 0.9);
    cl_verdicts v;
    run(&t, &v);
    int sizes = 0;
    for (int i = 0; i < v.n; i++) sizes += !strcmp(v.v[i].id, "size");
    assert_int_equal(sizes, 2);
    const cl_verdict *a = find(&v, "size", "t5-small"), *b = find(&v, "size", "bolt-small");
    assert_ptr_not_equal(a, b);
    assert_int_equal(a->family, CL_FAMILY_T5);
    assert_int_equal(b->family, CL_FAMILY_BOLT);
    assert_int_equal(a->n_models, 2);
    assert_int_equal(b->n_models, 2);
    assert_string_equal(a->model[0], "t5-small"); /* by size */
    assert_string_equal(a->model[1], "t5-big");
    assert_string_equal(b->model[0], "bolt-small");
    assert_string_equal(b->model[1], "bolt-big");
    assert_int_equal(a->verdict, CL_SUPPORTED);
    assert_int_equal(b->verdict, CL_NOT_SUPPORTED);
    /* the pooled band: the Chronos-T5 models only */
    for (int i = 0; i < v.n; i++)
        if (!strcmp(v.v[i].id, "band") && v.v[i].n_models > 1) {
            assert_int_equal(v.v[i].n_models, 2);
            assert_int_equal(v.v[i].family, CL_FAMILY_T5);
            for (int k = 0; k < 2; k++) assert_non_null(strstr(v.v[i].model[k], "t5-"));
        }
    assert_int_equal(find(&v, "exist", "bolt-small")->family, CL_FAMILY_BOLT);
    assert_int_equal(find(&v, "exist", "t5-big")->family, CL_FAMILY_T5);
    /* the files name the family of every verdict */
    char path[600];
    cl_error err;
    snprintf(path, sizeof path, "%s/mixed.json", test_tmpdir());
    assert_int_equal(cl_verdicts_write_json(path, &v, &err), 0);
    cJSON *j = read_json(path);
    int nb = 0, nt = 0;
    for (int i = 0; i < cJSON_GetArraySize(j); i++) {
        const cJSON *f = cJSON_GetObjectItem(cJSON_GetArrayItem(j, i), "family");
        assert_true(cJSON_IsString(f));
        nb += !strcmp(f->valuestring, "bolt");
        nt += !strcmp(f->valuestring, "t5");
    }
    assert_int_equal(nb + nt, v.n);
    assert_true(nb > 0 && nt > 0);
    cJSON_Delete(j);
    snprintf(path, sizeof path, "%s/mixed.csv", test_tmpdir());
    assert_int_equal(cl_verdicts_write_csv(path, &v, &err), 0);
    char *csv = slurp(path);
    assert_true(!strncmp(csv, "id,model,family,verdict,", 24));
    assert_non_null(strstr(csv, "size,\"bolt-small;bolt-big\",bolt,not supported,"));
    assert_non_null(strstr(csv, "size,\"t5-small;t5-big\",t5,supported,"));
    free(csv);
    cl_verdicts_free(&v);
    /* a Chronos-T5 table alone: no family anywhere (its files keep their bytes) */
    cl_scores u = {0};
    cell(&u, "t5-small", 1e6, CL_SAMPLING_BAND, 2, 10, 1, 0.9);
    run(&u, &v);
    snprintf(path, sizeof path, "%s/t5.json", test_tmpdir());
    assert_int_equal(cl_verdicts_write_json(path, &v, &err), 0);
    char *js = slurp(path);
    assert_null(strstr(js, "\"family\""));
    free(js);
    snprintf(path, sizeof path, "%s/t5.csv", test_tmpdir());
    assert_int_equal(cl_verdicts_write_csv(path, &v, &err), 0);
    csv = slurp(path);
    assert_true(!strncmp(csv, "id,model,verdict,extension,reason,number,value\n", 47));
    free(csv);
    snprintf(path, sizeof path, "%s/t5-scores.csv", test_tmpdir());
    assert_int_equal(cl_scores_write(path, &u, &err), 0);
    csv = slurp(path);
    assert_true(!strncmp(csv, "model,parameters,sampling,reps,seq_len,layer,head,criterion,mean,std,n\n", 71));
    free(csv);
    cl_verdicts_free(&v);
    cl_scores_free(&u);
    cl_scores_free(&t);
}

/* ------------------------------------------------------------ the family column */

static void expect_error(const char *text, const char *want) {
    cl_scores t;
    cl_error err = {0};
    assert_int_not_equal(cl_scores_parse(text, strlen(text), "s.csv", &t, &err), 0);
    if (!strstr(err.msg, want)) fail_msg("message '%s' lacks '%s'", err.msg, want);
    assert_null(strchr(err.msg, '\n'));
    assert_int_equal(t.n, 0);
}

static void test_family_column(void **st) {
    (void)st;
    const char *H = "model,parameters,sampling,reps,seq_len,layer,head,criterion,mean,std,n,family\n";
    const char *H0 = "model,parameters,sampling,reps,seq_len,layer,head,criterion,mean,std,n\n";
    char buf[1024];
    snprintf(buf, sizeof buf, "%sm,1e6,patches,2,10,0,0,current,0.5,0.1,100,bolt\nm,1e6,patches,2,10,0,1,right,0.5,0.1,100,t6\n", H);
    expect_error(buf, "s.csv:3: family: not 't5' or 'bolt'");
    snprintf(buf, sizeof buf, "%sm,1e6,band,2,10,0,0,current,0.5,0.1,100,bolt\n", H);
    expect_error(buf, "s.csv:2: family bolt");
    snprintf(buf, sizeof buf, "%sm,1e6,patches,2,10,0,0,current,0.5,0.1,100,t5\n", H);
    expect_error(buf, "s.csv:2: family t5");
    snprintf(buf, sizeof buf, "%sm,1e6,patches,2,10,0,0,ablation,-0.5,0.1,100,bolt\n", H);
    expect_error(buf, "s.csv:2: criterion ablation");
    snprintf(buf, sizeof buf, "%sm,1e6,band,2,10,0,0,ablation_median,-0.5,0.1,100\n", H0);
    expect_error(buf, "s.csv:2: criterion ablation_median");
    /* one model, rows of both families (with the column, and inferred without it) */
    snprintf(buf, sizeof buf, "%sm,1e6,band,2,10,0,0,current,0.5,0.1,100,t5\nx,1,band,2,10,0,0,current,0.5,,,t5\n"
                              "m,1e6,patches,2,10,0,0,current,0.5,0.1,100,bolt\n", H);
    expect_error(buf, "s.csv:4: model m: family bolt here, t5 on line 2");
    snprintf(buf, sizeof buf, "%sm,1e6,patches,2,10,0,0,current,0.5,0.1,100\nm,1e6,all,2,10,0,0,current,0.5,0.1,100\n", H0);
    expect_error(buf, "s.csv:3: model m: family t5 here, bolt on line 2");
    /* without the column: patches is bolt, any other t5; an empty cell is the same */
    const char *s = "model,parameters,sampling,reps,seq_len,layer,head,criterion,mean,family\n"
                    "b,1,patches,2,10,0,0,ablation_median,-2.5,\nt,1,band,2,10,0,0,right,0.5,t5\n";
    cl_scores t, u;
    cl_error err;
    if (cl_scores_parse(s, strlen(s), "f.csv", &t, &err)) fail_msg("%s", err.msg);
    assert_int_equal(t.n, 2);
    assert_int_equal(t.rows[0].family, CL_FAMILY_BOLT);
    assert_int_equal(t.rows[0].criterion, CL_CRIT_ABLATION_MEDIAN);
    assert_int_equal(t.rows[1].family, CL_FAMILY_T5);
    assert_int_equal(cl_scores_family(&t, "b"), CL_FAMILY_BOLT);
    assert_int_equal(cl_scores_family(&t, "t"), CL_FAMILY_T5);
    /* round trip: the family column written (a Bolt row), read back the same */
    char path[600];
    snprintf(path, sizeof path, "%s/fam.csv", test_tmpdir());
    assert_int_equal(cl_scores_write(path, &t, &err), 0);
    char *text = slurp(path);
    assert_true(!strncmp(text, H, strlen(H)));
    assert_non_null(strstr(text, ",patches,2,10,0,0,ablation_median,-2.5,,,bolt\n"));
    assert_non_null(strstr(text, ",band,2,10,0,0,right,0.5,,,t5\n"));
    free(text);
    if (cl_scores_read(path, &u, &err)) fail_msg("%s", err.msg);
    assert_int_equal(u.n, 2);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(u.rows[i].family, t.rows[i].family);
        assert_int_equal(u.rows[i].sampling, t.rows[i].sampling);
        assert_int_equal(u.rows[i].criterion, t.rows[i].criterion);
        assert_true(u.rows[i].mean == t.rows[i].mean);
    }
    cl_scores_free(&u);
    cl_scores_free(&t);
}

/* ------------------------------------------------------------ the commands */

static int verdicts_of(const char *path, const char *model) {
    cJSON *j = read_json(path);
    int n = 0;
    for (int i = 0; i < cJSON_GetArraySize(j); i++) {
        const cJSON *m = cJSON_GetObjectItem(cJSON_GetArrayItem(j, i), "model");
        n += cJSON_IsString(m) && !strcmp(m->valuestring, model);
    }
    cJSON_Delete(j);
    return n;
}

static const cJSON *verdict_in(const cJSON *j, const char *id, const char *model) {
    for (int i = 0; i < cJSON_GetArraySize(j); i++) {
        const cJSON *v = cJSON_GetArrayItem(j, i), *m = cJSON_GetObjectItem(v, "model");
        if (!strcmp(cJSON_GetObjectItem(v, "id")->valuestring, id) && cJSON_IsString(m) && !strcmp(m->valuestring, model))
            return v;
    }
    fail_msg("no verdict %s for %s", id, model);
    return NULL;
}

/* induction + sweep on each fixture, claims on each run's two tables: every per-model claim
 * for the model; bolt-rand's context is 32 patches of 16, so its sweep grid is R*L + 1 <= 32 */
static void test_cli(void **st) {
    (void)st;
    const char *tmp = test_tmpdir();
    const char *models[2] = {BOLT, T5}, *names[2] = {"bolt-rand", "rand-small"};
    for (int k = 0; k < 2; k++) {
        char d[600];
        snprintf(d, sizeof d, "%s/cli-%s", tmp, names[k]);
        assert_int_equal(run_cmd("mkdir -p '%s'", d), 0);
        assert_int_equal(run_cmd("'%s' induction --quiet --model '%s' --out '%s/ind' --batch 12 --seed 3", CL_CLI, models[k], d), 0);
        assert_int_equal(run_cmd("'%s' sweep --quiet --model '%s' --out '%s/sw' --batch 12 --seed 3 --reps-list 2,3 "
                                 "--len-list 2,4", CL_CLI, models[k], d), 0);
        char p[700];
        snprintf(p, sizeof p, "%s/ind/scores.csv", d);
        char *sc = slurp(p);
        assert_non_null(strstr(sc, k ? ",band,2,10," : ",patches,2,10,"));
        assert_true(!k == (strstr(sc, "ablation_median") != NULL)); /* Bolt: its own ablation criterion */
        assert_true(!k == (strstr(sc, ",family\n") != NULL));     /* the family column with a Bolt row only */
        free(sc);
        assert_int_equal(run_cmd("'%s' claims --quiet --scores '%s/ind/scores.csv' --scores '%s/sw/scores.csv' --out '%s/cl'",
                                 CL_CLI, d, d, d), 0);
        snprintf(p, sizeof p, "%s/cl/claims.json", d);
        /* exist band longer_more more_reps_fewer most_at_r2_l10 spread period_is_gap
         * amplitude_is_induction, size (one model: its name), strict */
        assert_int_equal(verdicts_of(p, names[k]), 10);
        cJSON *j = read_json(p);
        const cJSON *e = verdict_in(j, "exist", names[k]);
        /* random weights: nothing beyond chance (a batch this small may leave a head within its error of 0.3) */
        assert_string_not_equal(cJSON_GetObjectItem(e, "verdict")->valuestring, "supported");
        const cJSON *f = cJSON_GetObjectItem(e, "family");
        if (k) assert_null(f);
        else assert_string_equal(f->valuestring, "bolt");
        /* the sweep's cells were read: the grid claims are decided on 2 values each */
        const cJSON *most = cJSON_GetObjectItem(verdict_in(j, "most_at_r2_l10", names[k]), "numbers");
        assert_float_equal(cJSON_GetObjectItem(most, "cells")->valuedouble, 5, 0); /* 2 x 2 + the mosaic */
        cJSON_Delete(j);
    }
    /* both models in one run: one table with both families, size once per family */
    char d[600], p[700];
    snprintf(d, sizeof d, "%s/cli-both", tmp);
    assert_int_equal(run_cmd("mkdir -p '%s'", d), 0);
    assert_int_equal(run_cmd("'%s' induction --quiet --model '%s' --model '%s' --out '%s/ind' --batch 12 --no-strict", CL_CLI,
                             BOLT, T5, d), 0);
    assert_int_equal(run_cmd("'%s' claims --quiet --scores '%s/ind/scores.csv' --out '%s/cl'", CL_CLI, d, d), 0);
    snprintf(p, sizeof p, "%s/cl/claims.json", d);
    cJSON *j = read_json(p);
    assert_string_equal(cJSON_GetObjectItem(verdict_in(j, "size", "bolt-rand"), "family")->valuestring, "bolt");
    assert_string_equal(cJSON_GetObjectItem(verdict_in(j, "size", "rand-small"), "family")->valuestring, "t5");
    assert_string_equal(cJSON_GetObjectItem(verdict_in(j, "exist", "rand-small"), "family")->valuestring, "t5");
    cJSON_Delete(j);
    /* two tables giving one model two families: one line, status 2, nothing written */
    snprintf(p, sizeof p, "%s/fake.csv", d);
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    fputs("model,parameters,sampling,reps,seq_len,layer,head,criterion,mean\nbolt-rand,1,band,2,10,0,0,current,0.5\n", fp);
    fclose(fp);
    assert_int_equal(run_cmd("'%s' claims --quiet --scores '%s/ind/scores.csv' --scores '%s' --out '%s/bad' 2>/dev/null", CL_CLI,
                             d, p, d), 2);
    snprintf(p, sizeof p, "%s/bad/claims.json", d);
    assert_false(file_exists(p));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bolt_claims),
        cmocka_unit_test(test_size_per_family),
        cmocka_unit_test(test_family_column),
        cmocka_unit_test(test_cli),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
