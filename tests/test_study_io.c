/* test_study_io.c — the studies' files through their typed API: run on the rand-small
 * fixture, cl_<study>_write, cl_<study>_read, write again: every file byte-identical (the
 * readers lose nothing the writers keep), the read struct equal to the run's (to the ulp
 * cJSON keeps), and a file with
 * a key missing or misspelt is an error naming the file and the key (never a silent NaN). */
#include "testutil.h"
#include "chronolens_study.h"
#include "report/report_html.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SMALL CL_FIXTURES "/rand-small"
#define GATED CL_FIXTURES "/rand-gated-bf16"

static void load(cl_model **m, cl_study_model *info) {
    const char *dirs[1] = {SMALL};
    cl_error err = {0};
    if (cl_study_models_load(dirs, NULL, 1, NULL, NULL, m, info, &err)) fail_msg("%s", err.msg);
    assert_string_equal(info[0].name, "rand-small");
}

/* cJSON writes 15 significant digits when they read back within one ulp, else 17: a number
 * read back is the written one or a neighbouring double */
static void same_num(double a, double b) {
    if (a != b && nextafter(a, b) != b) fail_msg("%.17g read back as %.17g", a, b);
}

static void same_stats(const cl_stat *a, const cl_stat *b, int n) {
    for (int i = 0; i < n; i++) {
        same_num(a[i].mean, b[i].mean);
        same_num(a[i].std, b[i].std);
        same_num(a[i].seed_std, b[i].seed_std);
    }
}

static void test_induction_roundtrip(void **st) {
    (void)st;
    cl_model *m[1];
    cl_study_model info[1];
    load(m, info);
    cl_induction_study_opts o;
    cl_induction_study_default(&o);
    o.base.rrt.batch = 6;
    o.base.seeds = 2;
    o.base.threshold = 0.05;
    cl_induction_set s, r;
    cl_error err = {0};
    if (cl_induction_study_run(m, info, 1, &o, &s, &err)) fail_msg("%s", err.msg);
    char a[4096], b[4096];
    snprintf(a, sizeof a, "%s/a", test_tmpdir());
    snprintf(b, sizeof b, "%s/b", test_tmpdir());
    assert_int_equal(run_cmd("mkdir -p '%s' '%s'", a, b), 0);
    if (cl_induction_write(&s, a, &err)) fail_msg("%s", err.msg);
    if (cl_induction_read(a, &r, &err)) fail_msg("%s", err.msg);
    assert_int_equal(r.n, 1);
    const cl_induction_result *x = &s.res[0], *y = &r.res[0];
    assert_int_equal(y->layers, x->layers);
    assert_int_equal(y->heads, x->heads);
    assert_int_equal(y->strict, 1);
    assert_int_equal(y->cross[CL_ANY].n, x->cross[CL_ANY].n);
    assert_int_equal(y->strict_count[CL_ANY].n, x->strict_count[CL_ANY].n);
    same_stats(x->cur, y->cur, x->layers * x->heads);
    same_stats(x->ablate, y->ablate, x->layers * x->heads);
    same_stats(x->enc_right, y->enc_right, x->enc_layers * x->heads);
    same_num(r.models[0].seconds, s.models[0].seconds);
    if (cl_induction_write(&r, b, &err)) fail_msg("%s", err.msg);
    assert_int_equal(run_cmd("cmp -s '%s/induction.json' '%s/induction.json'", a, b), 0);
    assert_int_equal(run_cmd("cmp -s '%s/induction.csv' '%s/induction.csv'", a, b), 0);
    cl_induction_set_free(&r);
    /* a misspelt key: an error naming the file and the key */
    assert_int_equal(run_cmd("sed -i 's/\"seed_std\"/\"seed_sdt\"/' '%s/induction.json'", b), 0);
    assert_int_not_equal(cl_induction_read(b, &r, &err), 0);
    assert_non_null(strstr(err.msg, "induction.json"));
    assert_non_null(strstr(err.msg, "seed_std"));
    assert_int_equal(r.n, 0);
    cl_induction_set_free(&s);
    cl_model_free(m[0]);
}

static void test_sweep_roundtrip(void **st) {
    (void)st;
    cl_model *m[1];
    cl_study_model info[1];
    load(m, info);
    cl_sweep_study_opts o;
    cl_sweep_study_default(&o);
    o.base.base.rrt.batch = 3;
    o.n_reps = 2; o.reps[0] = 2; o.reps[1] = 3;
    o.n_lens = 2; o.lens[0] = 3; o.lens[1] = 5;
    cl_sweep_set s, r;
    cl_error err = {0};
    if (cl_sweep_study_run(m, info, 1, &o, &s, &err)) fail_msg("%s", err.msg);
    char a[4096], b[4096];
    snprintf(a, sizeof a, "%s/sa", test_tmpdir());
    snprintf(b, sizeof b, "%s/sb", test_tmpdir());
    assert_int_equal(run_cmd("mkdir -p '%s' '%s'", a, b), 0);
    if (cl_sweep_write(&s, a, &err)) fail_msg("%s", err.msg);
    if (cl_sweep_read(a, &r, &err)) fail_msg("%s", err.msg);
    assert_int_equal(r.n_reps, 2);
    assert_int_equal(r.lens[1], 5);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(r.res[0].cells[i].cross[CL_ANY].n, s.res[0].cells[i].cross[CL_ANY].n);
        same_num(r.res[0].cells[i].enc[CL_CUR].mean, s.res[0].cells[i].enc[CL_CUR].mean);
    }
    if (cl_sweep_write(&r, b, &err)) fail_msg("%s", err.msg);
    assert_int_equal(run_cmd("cmp -s '%s/sweep.json' '%s/sweep.json'", a, b), 0);
    assert_int_equal(run_cmd("cmp -s '%s/sweep.csv' '%s/sweep.csv'", a, b), 0);
    cl_sweep_set_free(&r);
    assert_int_equal(run_cmd("sed -i 's/\"seq_len\"/\"seqlen\"/' '%s/sweep.json'", b), 0);
    assert_int_not_equal(cl_sweep_read(b, &r, &err), 0);
    assert_non_null(strstr(err.msg, "seq_len"));
    cl_sweep_set_free(&s);
    cl_model_free(m[0]);
}

static void test_multisine_roundtrip(void **st) {
    (void)st;
    const char *dirs[2] = {SMALL, SMALL "/"}; /* one basename twice: the second is renamed */
    cl_multisine_opts o;
    cl_multisine_default(&o);
    o.permutations = 100;
    cl_multisine_result s, r;
    cl_error err = {0};
    if (cl_multisine_run(dirs, 2, &o, &s, &err)) fail_msg("%s", err.msg);
    assert_string_equal(s.models[1].name, "rand-small-2");
    char a[4096], b[4096];
    snprintf(a, sizeof a, "%s/ma", test_tmpdir());
    snprintf(b, sizeof b, "%s/mb", test_tmpdir());
    assert_int_equal(run_cmd("mkdir -p '%s' '%s'", a, b), 0);
    if (cl_multisine_write(&s, a, &err)) fail_msg("%s", err.msg);
    if (cl_multisine_read(a, &r, &err)) fail_msg("%s", err.msg);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.opts.input.n, 4);
    assert_int_equal(r.res[0].periodic, s.res[0].periodic);
    same_num(s.res[1].rho, r.res[1].rho);
    const int LH = s.res[0].layers * s.res[0].heads;
    for (int i = 0; i < LH; i++) {
        same_num(s.res[0].h[i].amplitude, r.res[0].h[i].amplitude);
        same_num(s.res[0].ind[i], r.res[0].ind[i]);
    }
    for (int i = 0; i < LH * o.input.points; i++) assert_true(s.res[0].arr.dnodc[i] == r.res[0].arr.dnodc[i]);
    if (cl_multisine_write(&r, b, &err)) fail_msg("%s", err.msg);
    assert_int_equal(run_cmd("cmp -s '%s/multisine.json' '%s/multisine.json'", a, b), 0);
    assert_int_equal(run_cmd("cmp -s '%s/multisine.csv' '%s/multisine.csv'", a, b), 0);
    assert_int_equal(run_cmd("cmp -s '%s/rand-small-2-spectra.safetensors' '%s/rand-small-2-spectra.safetensors'", a, b), 0);
    cl_multisine_free(&r);
    assert_int_equal(run_cmd("sed -i 's/\"periodic_heads\"/\"periodicheads\"/' '%s/multisine.json'", b), 0);
    assert_int_not_equal(cl_multisine_read(b, &r, &err), 0);
    assert_non_null(strstr(err.msg, "periodic_heads"));
    cl_multisine_free(&s);
}

static void test_mssweep_roundtrip(void **st) {
    (void)st;
    cl_mssweep_opts o;
    cl_mssweep_default(&o);
    o.configs = 5;
    o.permutations = 50;
    cl_mssweep_result s, r;
    cl_error err = {0};
    if (cl_mssweep_run(SMALL, &o, &s, &err)) fail_msg("%s", err.msg);
    char a[4096], b[4096];
    snprintf(a, sizeof a, "%s/wa", test_tmpdir());
    snprintf(b, sizeof b, "%s/wb", test_tmpdir());
    assert_int_equal(run_cmd("mkdir -p '%s' '%s'", a, b), 0);
    if (cl_mssweep_write(&s, a, &err)) fail_msg("%s", err.msg);
    if (cl_mssweep_read(a, &r, &err)) fail_msg("%s", err.msg);
    assert_int_equal(r.C, 5);
    assert_int_equal(r.G, s.G);
    assert_int_equal(r.heads, s.heads);
    assert_int_equal(r.opts.top_k, s.opts.top_k);
    assert_int_equal(r.rows[CL_MSS_ALL].match, s.rows[CL_MSS_ALL].match);
    same_num(s.rows[CL_MSS_ALL].rho, r.rows[CL_MSS_ALL].rho);
    assert_string_equal(r.row_name[CL_MSS_TOPK], s.row_name[CL_MSS_TOPK]);
    for (int i = 0; i < s.C * s.G; i++) assert_int_equal(r.h[i].sp.periodic, s.h[i].sp.periodic);
    if (cl_mssweep_write(&r, b, &err)) fail_msg("%s", err.msg);
    assert_int_equal(run_cmd("cmp -s '%s/sweep.json' '%s/sweep.json'", a, b), 0);
    assert_int_equal(run_cmd("cmp -s '%s/sweep.csv' '%s/sweep.csv'", a, b), 0);
    assert_int_equal(run_cmd("cmp -s '%s/sweep-summary.md' '%s/sweep-summary.md'", a, b), 0);
    cl_mssweep_free(&r);
    assert_int_equal(run_cmd("sed -i 's/\"match_gcd\"/\"matchgcd\"/' '%s/sweep.json'", b), 0);
    assert_int_not_equal(cl_mssweep_read(b, &r, &err), 0);
    assert_non_null(strstr(err.msg, "match_gcd"));
    cl_mssweep_free(&s);
}

/* A report rendered again from its files (cl_report_read) is the page rendered in memory. */
static void test_report_reread(void **st) {
    (void)st;
    char a[4096], b[4096];
    snprintf(a, sizeof a, "%s/rep", test_tmpdir());
    snprintf(b, sizeof b, "%s/rep2", test_tmpdir());
    assert_int_equal(run_cmd("'%s' report -q --quick --model '%s' --batch 6 --sweep-batch 3 --configs 3 --out '%s' >/dev/null",
                             CL_CLI, SMALL, a), 0);
    assert_int_equal(run_cmd("cp -r '%s' '%s' && rm '%s/index.html' '%s/data/claims.json' '%s/data/claims.csv'", a, b, b, b, b), 0);
    cl_report_inputs in;
    cl_error err = {0};
    if (cl_report_read(b, &in, &err)) fail_msg("%s", err.msg);
    assert_int_equal(in.setup.n, 1);
    assert_string_equal(in.setup.models[0].name, "rand-small");
    if (cl_report_write(b, &in, &err)) fail_msg("%s", err.msg);
    cl_report_inputs_free(&in);
    assert_int_equal(run_cmd("cmp -s '%s/index.html' '%s/index.html'", a, b), 0);
    assert_int_equal(run_cmd("cmp -s '%s/data/claims.json' '%s/data/claims.json'", a, b), 0);
    assert_int_equal(run_cmd("cmp -s '%s/data/claims.csv' '%s/data/claims.csv'", a, b), 0);
}

/* formation.csv as cl_formation_write writes it (a NaN training loss at step 0 included) reads
 * back and is written again byte for byte; a row with a missing column is an error. */
/* The studies check their settings against the models themselves (not only the command):
 * R x L + 1 values beyond a context_length are refused before any model runs, the multisine
 * reference is fitted to a shorter context at the same rate (method.md §3) or refused when
 * fitting is off, and names follow --name, else the folder (a Hugging Face snapshot: NAME). */
static void test_study_checks(void **st) {
    (void)st;
    const char *dirs[2] = {SMALL, GATED};
    cl_model *m[2];
    cl_study_model info[2];
    cl_error err = {0};
    const char *names[2] = {"a", NULL};
    if (cl_study_models_load(dirs, names, 2, NULL, NULL, m, info, &err)) fail_msg("%s", err.msg);
    assert_string_equal(info[0].name, "a");
    assert_string_equal(info[1].name, "rand-gated-bf16");
    cl_induction_study_opts io;
    cl_induction_study_default(&io);
    assert_int_equal(cl_induction_study_check(m, info, 2, &io, &err), 0);
    io.base.rrt.seq_len = 200; /* 2 x 200 + 1 = 401: fits SMALL's 512, not GATED's 256 */
    assert_int_not_equal(cl_induction_study_check(m, info, 2, &io, &err), 0);
    assert_non_null(strstr(err.msg, "401 values"));
    assert_non_null(strstr(err.msg, "context_length 256"));
    cl_induction_set set;
    assert_int_not_equal(cl_induction_study_run(m, info, 2, &io, &set, &err), 0); /* refused before the first model */
    cl_sweep_study_opts so;
    cl_sweep_study_default(&so);
    so.reps[0] = 30; /* 30 x 10 + 1 = 301 */
    assert_int_not_equal(cl_sweep_study_check(m, info, 2, &so, &err), 0);
    assert_non_null(strstr(err.msg, "301 values"));
    for (int k = 0; k < 2; k++) cl_model_free(m[k]);

    cl_multisine_opts mo;
    cl_multisine_default(&mo);
    assert_int_equal(cl_multisine_fit_models(dirs, 2, &mo, &err), 0);
    assert_int_equal(mo.input.points, 256);
    assert_true(fabs(mo.input.duration - 256 * 3.0 / 301) < 1e-12);
    cl_multisine_default(&mo);
    mo.fit_context = 0;
    assert_int_not_equal(cl_multisine_fit_models(dirs, 2, &mo, &err), 0);
    assert_non_null(strstr(err.msg, "context_length 256"));

    char name[256];
    cl_study_model_name("/x/hub/models--amazon--chronos-t5-small/snapshots/0123abcd/", name, sizeof name);
    assert_string_equal(name, "chronos-t5-small");
    cl_study_model_name("/x/y/", name, sizeof name);
    assert_string_equal(name, "y");
    assert_int_not_equal(cl_study_name_check("a/b", &err), 0);
    assert_int_not_equal(cl_study_name_check("", &err), 0);
    assert_int_equal(cl_study_name_check("rand, small", &err), 0);
}

static void test_formation_roundtrip(void **st) {
    (void)st;
    char a[4096], b[4096];
    snprintf(a, sizeof a, "%s/fa", test_tmpdir());
    snprintf(b, sizeof b, "%s/fb", test_tmpdir());
    assert_int_equal(run_cmd("mkdir -p '%s' '%s' && printf '%%s\\n' "
                             "'step,train_loss,eval_loss,icl_score,max_current_token,max_token_to_right,heads_current_ge_0.3,heads_right_ge_0.3,heads_any_ge_0.3' "
                             "'0,nan,7.000000,-0.100000,0.050000,0.040000,0,0,0' '100,5.500000,5.200000,-0.200000,0.350000,0.120000,1,0,1' "
                             "> '%s/formation.csv'", a, b, a), 0);
    cl_formation_result r;
    cl_error err = {0};
    if (cl_formation_read(a, &r, &err)) fail_msg("%s", err.msg);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.pts[1].step, 100);
    assert_int_equal(r.pts[1].n_any, 1);
    assert_true(isnan(r.pts[0].train_loss));
    if (cl_formation_write(&r, b, &err)) fail_msg("%s", err.msg);
    cl_formation_free(&r);
    assert_int_equal(run_cmd("cmp -s '%s/formation.csv' '%s/formation.csv'", a, b), 0);
    assert_int_equal(run_cmd("printf '100,5.5,5.2\\n' >> '%s/formation.csv'", b), 0);
    assert_int_not_equal(cl_formation_read(b, &r, &err), 0);
    assert_non_null(strstr(err.msg, "row 4"));
}

/* The forecast long CSV (with names, the parrot column of --compare) reads back to the same
 * numbers and is written again byte for byte; cl_forward_run and cl_embed_run give the
 * golden's names and shapes; a CSV of a wrong header is an error naming the file. */
static void test_forecast_roundtrip(void **st) {
    (void)st;
    cl_error err = {0};
    cl_model *m = NULL;
    if (cl_model_load(SMALL, NULL, &m, &err)) fail_msg("%s", err.msg);
    char a[4096], b[4096], ctxp[4096];
    snprintf(a, sizeof a, "%s/fc-a.csv", test_tmpdir());
    snprintf(b, sizeof b, "%s/fc-b.csv", test_tmpdir());
    snprintf(ctxp, sizeof ctxp, "%s/fc-ctx.csv", test_tmpdir());
    assert_int_equal(run_cmd("printf 'x,\"y\"\\n1,2\\n2,4\\n3,6\\n1,2\\n2,4\\n3,6\\n1,2\\n2,4\\n3,6\\n1,2\\n' > '%s'", ctxp), 0);
    cl_context ctx;
    if (cl_context_read(ctxp, &ctx, &err)) fail_msg("%s", err.msg);
    assert_int_equal(ctx.B, 2);
    assert_int_equal(ctx.L, 10);
    cl_forecast_study_opts o;
    cl_forecast_study_default(&o);
    o.samples = 4;
    o.horizon = 5;
    o.compare = 1;
    o.window = 3;
    o.nlev = 3;
    o.levels[0] = 0.05, o.levels[1] = 0.5, o.levels[2] = 0.95;
    cl_forecast_result r, q;
    if (cl_forecast_study_run(m, &ctx, &o, &r, &err)) fail_msg("%s", err.msg);
    assert_int_equal(r.S, 4);
    assert_non_null(r.parrot);
    const cl_forecast_files fa = {a, NULL, NULL}, fb = {b, NULL, NULL};
    if (cl_forecast_write(&r, &fa, &err)) fail_msg("%s", err.msg);
    if (cl_forecast_read(a, &q, &err)) fail_msg("%s", err.msg);
    assert_int_equal(q.B, 2);
    assert_int_equal(q.H, 5);
    assert_int_equal(q.nlev, 3);
    assert_true(q.levels[0] == 0.05 && q.levels[2] == 0.95);
    assert_string_equal(q.names[1], "y");
    assert_non_null(q.parrot);
    assert_memory_equal(q.mean, r.mean, sizeof(float) * 10);
    assert_memory_equal(q.quant, r.quant, sizeof(float) * 30);
    assert_memory_equal(q.parrot, r.parrot, sizeof(float) * 10);
    if (cl_forecast_write(&q, &fb, &err)) fail_msg("%s", err.msg);
    assert_int_equal(run_cmd("cmp -s '%s' '%s'", a, b), 0);
    /* asking a read-back forecast for its sample paths: an error, and no CSV left */
    const cl_forecast_files fs = {b, ctxp, NULL};
    assert_int_equal(run_cmd("rm -f '%s'", b), 0);
    assert_int_not_equal(cl_forecast_write(&q, &fs, &err), 0);
    assert_false(file_exists(b));
    cl_forecast_free(&q);
    cl_forecast_free(&r);
    assert_int_equal(run_cmd("sed -i '1s/mean/median/' '%s'", a), 0);
    assert_int_not_equal(cl_forecast_read(a, &q, &err), 0);
    assert_non_null(strstr(err.msg, "fc-a.csv"));

    cl_forward_opts fo;
    cl_forward_default(&fo);
    cl_forward_result fr;
    if (cl_forward_run(m, &ctx, &fo, &fr, &err)) fail_msg("%s", err.msg);
    const cl_config *c = cl_model_config(m);
    const cl_forward_tensor *t = cl_forward_get(&fr, "logits");
    assert_non_null(t);
    assert_int_equal(t->shape[0], 2);
    assert_int_equal(t->shape[2], c->vocab_size);
    assert_non_null(cl_forward_get(&fr, "token_ids"));
    assert_string_equal(fr.t[0].name, "token_ids");
    assert_string_equal(fr.t[fr.n - 1].name, "logits");
    assert_int_equal(fr.n, 5 + c->num_layers + 2 * c->num_decoder_layers);
    cl_forward_free(&fr);

    /* a selection: in memory and streamed in chunks of one series, the same tensors; the
     * whole batch streamed is the file cl_forward_write writes, byte for byte */
    cl_forward_opts so = fo;
    so.keep[CL_ENC_SELF] = 0;
    so.n_layers = 1, so.layers[0] = 1;
    so.n_heads = 2, so.heads[0] = 2, so.heads[1] = 0;
    if (cl_forward_run(m, &ctx, &so, &fr, &err)) fail_msg("%s", err.msg);
    assert_null(cl_forward_get(&fr, "enc_attn.0"));
    assert_null(cl_forward_get(&fr, "cross_attn.0"));
    t = cl_forward_get(&fr, "cross_attn.1");
    assert_non_null(t);
    assert_int_equal(t->shape[1], 2);
    t = cl_forward_get(&fr, "heads");
    assert_non_null(t);
    assert_int_equal(((const int64_t *)t->data)[0], 2);
    if (cl_forward_write(&fr, a, &err)) fail_msg("%s", err.msg);
    if (cl_forward_stream(m, &ctx, &so, b, &err)) fail_msg("%s", err.msg);
    assert_int_equal(run_cmd("cmp -s '%s' '%s'", a, b), 0);
    cl_forward_free(&fr);
    so.heads[1] = 2; /* a head twice: refused before any work */
    assert_int_not_equal(cl_forward_check(m, &so, &err), 0);
    assert_non_null(strstr(err.msg, "given twice"));

    cl_embed_opts eo;
    cl_embed_default(&eo);
    cl_embed_result er;
    if (cl_embed_run(m, &ctx, &eo, &er, &err)) fail_msg("%s", err.msg);
    assert_int_equal(er.T, cl_tokenizer_length(c, 10));
    assert_int_equal(er.d, c->d_model);
    /* the embeddings are the forward's encoder output (one batch of both series, as forward) */
    if (cl_forward_run(m, &ctx, &fo, &fr, &err)) fail_msg("%s", err.msg);
    assert_memory_equal(er.emb, cl_forward_get(&fr, "encoder_hidden")->data, sizeof(float) * 2 * er.T * er.d);
    cl_forward_free(&fr);
    cl_embed_free(&er);
    cl_context_free(&ctx);
    cl_model_free(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_induction_roundtrip),
        cmocka_unit_test(test_sweep_roundtrip),
        cmocka_unit_test(test_multisine_roundtrip),
        cmocka_unit_test(test_mssweep_roundtrip),
        cmocka_unit_test(test_report_reread),
        cmocka_unit_test(test_formation_roundtrip),
        cmocka_unit_test(test_forecast_roundtrip),
        cmocka_unit_test(test_study_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
