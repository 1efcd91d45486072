/* test_cli.c — the chronolens command end to end: `forward` output against the golden
 * file, and every kind of bad input: one line naming the file and the problem, exit
 * status 2, no crash, no output file left behind. */
#include "testutil.h"
#include "core/core.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SMALL CL_FIXTURES "/rand-small"

/* ------------------------------------------------------------ forward vs golden */

static void compare_forward(const char *dir) {
    char out[512];
    snprintf(out, sizeof out, "%s/fwd-%d.safetensors", test_tmpdir(), (int)getpid());
    int rc = run_cmd("'%s' forward --quiet --model '%s' --context '%s/context.csv' --decoder-ids "
                     "'%s/decoder_input_ids.csv' --out '%s'", CL_CLI, dir, dir, dir, out);
    assert_int_equal(rc, 0);
    char gp[4096];
    snprintf(gp, sizeof gp, "%s/golden.safetensors", dir);
    st_file o, g;
    cl_error err;
    if (st_open(out, &o, &err) || st_open(gp, &g, &err)) fail_msg("%s", err.msg);
    int checked = 0;
    for (int i = 0; i < g.n; i++) {
        const st_tensor *gt = &g.t[i];
        const char *n = gt->name;
        int exact = !strcmp(n, "token_ids") || !strcmp(n, "attention_mask") || !strcmp(n, "scale");
        int close = !strcmp(n, "encoder_hidden") || !strcmp(n, "logits") || !strncmp(n, "enc_attn.", 9) ||
                    !strncmp(n, "dec_attn.", 9) || !strncmp(n, "cross_attn.", 11);
        if (!exact && !close) continue; /* inputs, gradients, greedy outputs: other commands */
        const st_tensor *ot = st_find(&o, n);
        if (!ot) fail_msg("forward output lacks '%s'", n);
        assert_int_equal(ot->dtype, gt->dtype);
        assert_int_equal(ot->ndim, gt->ndim);
        for (int d = 0; d < gt->ndim; d++) assert_int_equal(ot->shape[d], gt->shape[d]);
        size_t cnt;
        float *a = golden_f32(&o, n, &cnt), *b = golden_f32(&g, n, &cnt);
        if (exact) {
            for (size_t k = 0; k < cnt; k++)
                if (a[k] != b[k]) fail_msg("%s[%zu] = %.9g, golden %.9g", n, k, a[k], b[k]);
        } else {
            assert_close(n, a, b, cnt, 1e-4);
        }
        free(a);
        free(b);
        checked++;
    }
    assert_true(checked >= 8);
    st_close(&o);
    st_close(&g);
    unlink(out);
}

static void test_forward_rand_small(void **st) { (void)st; compare_forward(SMALL); }
static void test_forward_rand_gated_bf16(void **st) { (void)st; compare_forward(CL_FIXTURES "/rand-gated-bf16"); }

static void test_forward_default_decoder_ids(void **st) {
    (void)st;
    char out[512];
    snprintf(out, sizeof out, "%s/fwd-default.safetensors", test_tmpdir());
    assert_int_equal(run_cmd("'%s' forward -q --model " SMALL " --context " SMALL "/context.csv --out '%s'", CL_CLI, out), 0);
    st_file o;
    cl_error err;
    if (st_open(out, &o, &err)) fail_msg("%s", err.msg);
    const st_tensor *l = st_find(&o, "logits");
    assert_non_null(l);
    assert_int_equal(l->shape[1], 1); /* decoder start token only */
    st_close(&o);
}

/* The thread pool splits products by rows/columns and attention by head: the numbers
 * must not depend on the thread count. */
/* forward under 1, 2, 3 and 5 threads, fp32 and bf16: the same bytes (docs/numerics.md) */
static void test_forward_thread_invariance(void **st) {
    (void)st;
    static const int threads[] = {1, 2, 3, 5};
    static const char *precision[] = {"fp32", "bf16"};
    for (int p = 0; p < 2; p++)
        for (int t = 0; t < 4; t++) {
            char out[512];
            snprintf(out, sizeof out, "%s/threads%d-%s.safetensors", test_tmpdir(), threads[t], precision[p]);
            assert_int_equal(run_cmd("'%s' forward -q --threads %d --precision %s --model " SMALL " --context " SMALL
                                     "/context.csv --decoder-ids " SMALL "/decoder_input_ids.csv --out '%s'",
                                     CL_CLI, threads[t], precision[p], out), 0);
            if (t > 0)
                assert_int_equal(run_cmd("cmp -s '%s/threads1-%s.safetensors' '%s'", test_tmpdir(), precision[p], out), 0);
        }
}

static void test_info(void **st) {
    (void)st;
    char log[512];
    snprintf(log, sizeof log, "%s/info.txt", test_tmpdir());
    assert_int_equal(run_cmd("'%s' info " SMALL " > '%s'", CL_CLI, log), 0);
    char *text;
    size_t n;
    cl_error err;
    assert_int_equal(cl_read_file(log, 1 << 20, &text, &n, &err), 0);
    assert_non_null(strstr(text, "d_model          64"));
    assert_non_null(strstr(text, "F32"));
    free(text);
}

/* ------------------------------------------------------------ bad input */

/* Copies the rand-small fixture into a fresh folder. */
static const char *fresh_model(const char *tag) {
    static char dir[512];
    snprintf(dir, sizeof dir, "%s/model-%s", test_tmpdir(), tag);
    assert_int_equal(run_cmd("rm -rf '%s' && cp -r " SMALL " '%s' && chmod -R u+w '%s'", dir, dir, dir), 0);
    return dir;
}

/* Runs forward on model/context; asserts exit 2, one stderr line naming `culprit` and
 * containing `problem`, and no output file or temporary left behind. */
static void expect_bad(const char *model, const char *context, const char *culprit, const char *problem) {
    char out[512], errlog[512];
    snprintf(out, sizeof out, "%s/outdir", test_tmpdir());
    run_cmd("rm -rf '%s' && mkdir -p '%s'", out, out);
    snprintf(errlog, sizeof errlog, "%s/stderr.txt", test_tmpdir());
    int rc = run_cmd("'%s' forward --model '%s' --context '%s' --out '%s/out.safetensors' 2> '%s'", CL_CLI, model,
                     context, out, errlog);
    char *text;
    size_t n;
    cl_error err;
    assert_int_equal(cl_read_file(errlog, 1 << 20, &text, &n, &err), 0);
    if (rc != 2) fail_msg("exit status %d (want 2); stderr: %s", rc, text);
    int lines = 0;
    for (size_t i = 0; i < n; i++) lines += text[i] == '\n';
    if (lines != 1) fail_msg("stderr has %d lines (want 1): %s", lines, text);
    if (!strstr(text, culprit)) fail_msg("error does not name '%s': %s", culprit, text);
    if (!strstr(text, problem)) fail_msg("error does not say '%s': %s", problem, text);
    DIR *d = opendir(out);
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') fail_msg("left behind: %s", e->d_name);
    closedir(d);
    free(text);
}

/* Rewrites DIR/model.safetensors with its JSON header changed by `edit`. */
static void rewrite_header(const char *dir, void (*edit)(cJSON *root)) {
    char path[1024];
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    char *raw;
    size_t len;
    cl_error err;
    assert_int_equal(cl_read_file(path, 1 << 30, &raw, &len, &err), 0);
    uint64_t hn = 0;
    for (int i = 7; i >= 0; i--) hn = (hn << 8) | (unsigned char)raw[i];
    cJSON *root = cJSON_ParseWithLength(raw + 8, hn);
    assert_non_null(root);
    edit(root);
    char *h = cJSON_PrintUnformatted(root);
    uint64_t nh = strlen(h);
    FILE *f = fopen(path, "wb");
    for (int i = 0; i < 8; i++) fputc((int)((nh >> (8 * i)) & 0xff), f);
    fwrite(h, 1, nh, f);
    fwrite(raw + 8 + hn, 1, len - 8 - hn, f);
    fclose(f);
    free(h);
    free(raw);
    cJSON_Delete(root);
}

static void edit_offsets(cJSON *r) {
    cJSON *t = cJSON_GetObjectItem(r, "decoder.final_layer_norm.weight");
    cJSON *of = cJSON_GetObjectItem(t, "data_offsets");
    cJSON_ReplaceItemInArray(of, 0, cJSON_CreateNumber(1e9));
    cJSON_ReplaceItemInArray(of, 1, cJSON_CreateNumber(1e9 + 256));
}
static void edit_shape(cJSON *r) {
    cJSON *t = cJSON_GetObjectItem(r, "shared.weight");
    cJSON_ReplaceItemInArray(cJSON_GetObjectItem(t, "shape"), 1, cJSON_CreateNumber(63));
}
static void edit_missing(cJSON *r) { cJSON_DeleteItemFromObject(r, "decoder.final_layer_norm.weight"); }
static void edit_dtype(cJSON *r) {
    cJSON *t = cJSON_GetObjectItem(r, "shared.weight");
    cJSON_ReplaceItemInObject(t, "dtype", cJSON_CreateString("F8_E9M9"));
}
static void edit_overlap(cJSON *r) {
    cJSON *a = cJSON_GetObjectItem(r, "decoder.final_layer_norm.weight");
    cJSON *b = cJSON_GetObjectItem(r, "encoder.final_layer_norm.weight");
    cJSON *of = cJSON_GetObjectItem(a, "data_offsets");
    cJSON_ReplaceItemInObject(b, "data_offsets", cJSON_Duplicate(of, 1));
}

static void test_bad_truncated(void **st) {
    (void)st;
    const char *m = fresh_model("trunc");
    assert_int_equal(run_cmd("truncate -s 1000000 '%s/model.safetensors'", m), 0);
    expect_bad(m, SMALL "/context.csv", "model.safetensors", "outside the data area");
    assert_int_equal(run_cmd("truncate -s 5 '%s/model.safetensors'", m), 0);
    expect_bad(m, SMALL "/context.csv", "model.safetensors", "truncated");
}

static void test_bad_header_length(void **st) {
    (void)st;
    const char *m = fresh_model("hlen");
    assert_int_equal(run_cmd("printf '\\377\\377\\377\\377\\000\\000\\000\\000' | dd of='%s/model.safetensors' bs=1 "
                             "count=8 conv=notrunc status=none", m), 0);
    expect_bad(m, SMALL "/context.csv", "model.safetensors", "exceeds the file size");
}

static void test_bad_offsets(void **st) {
    (void)st;
    const char *m = fresh_model("offs");
    rewrite_header(m, edit_offsets);
    expect_bad(m, SMALL "/context.csv", "model.safetensors", "outside the data area");
}

static void test_bad_byte_size(void **st) {
    (void)st;
    const char *m = fresh_model("size");
    rewrite_header(m, edit_shape);
    expect_bad(m, SMALL "/context.csv", "shared.weight", "dtype x shape needs");
}

static void test_bad_overlap(void **st) {
    (void)st;
    const char *m = fresh_model("overlap");
    rewrite_header(m, edit_overlap);
    expect_bad(m, SMALL "/context.csv", "model.safetensors", "overlap");
}

static void test_bad_missing_tensor(void **st) {
    (void)st;
    const char *m = fresh_model("missing");
    rewrite_header(m, edit_missing);
    expect_bad(m, SMALL "/context.csv", "decoder.final_layer_norm.weight", "missing tensor");
}

static void test_bad_dtype(void **st) {
    (void)st;
    const char *m = fresh_model("dtype");
    rewrite_header(m, edit_dtype);
    expect_bad(m, SMALL "/context.csv", "model.safetensors", "unknown dtype");
}

static void test_bad_config_json(void **st) {
    (void)st;
    const char *m = fresh_model("cfg");
    assert_int_equal(run_cmd("printf '{\"d_model\": 64, ' > '%s/config.json'", m), 0);
    expect_bad(m, SMALL "/context.csv", "config.json", "not a well-formed JSON");
}

static void test_bad_config_no_chronos(void **st) {
    (void)st;
    const char *m = fresh_model("nochronos");
    char path[1024], *text;
    size_t n;
    cl_error err;
    snprintf(path, sizeof path, "%s/config.json", m);
    assert_int_equal(cl_read_file(path, 1 << 20, &text, &n, &err), 0);
    cJSON *root = cJSON_Parse(text);
    cJSON_DeleteItemFromObject(root, "chronos_config");
    char *out = cJSON_Print(root);
    FILE *f = fopen(path, "w");
    fputs(out, f);
    fclose(f);
    free(out);
    free(text);
    cJSON_Delete(root);
    expect_bad(m, SMALL "/context.csv", "config.json", "chronos_config");
}

static void test_bad_csv_cell(void **st) {
    (void)st;
    char csv[512];
    snprintf(csv, sizeof csv, "%s/bad.csv", test_tmpdir());
    assert_int_equal(run_cmd("printf 'a,b\\n1,2\\n3,oops\\n4,5\\n' > '%s'", csv), 0);
    expect_bad(SMALL, csv, "bad.csv", "non-numeric cell 'oops'");
}

static void test_bad_csv_empty(void **st) {
    (void)st;
    char csv[512];
    snprintf(csv, sizeof csv, "%s/empty.csv", test_tmpdir());
    assert_int_equal(run_cmd(": > '%s'", csv), 0);
    expect_bad(SMALL, csv, "empty.csv", "empty CSV");
    assert_int_equal(run_cmd("printf 'a,b\\n' > '%s'", csv), 0);
    expect_bad(SMALL, csv, "empty.csv", "no data rows");
}

static void test_bad_csv_ragged(void **st) {
    (void)st;
    char csv[512];
    snprintf(csv, sizeof csv, "%s/ragged.csv", test_tmpdir());
    assert_int_equal(run_cmd("printf '1,2\\n3\\n' > '%s'", csv), 0);
    expect_bad(SMALL, csv, "ragged.csv", "line 2 has 1 cells, expected 2");
}

static void test_bad_missing_files(void **st) {
    (void)st;
    expect_bad("/nonexistent/model", SMALL "/context.csv", "/nonexistent/model", "cannot open");
    expect_bad(SMALL, "/nonexistent.csv", "/nonexistent.csv", "cannot open");
}

static void test_bad_options(void **st) {
    (void)st;
    assert_int_equal(run_cmd("'%s' forward --model " SMALL " --threads 0 2>/dev/null", CL_CLI), 2);
    assert_int_equal(run_cmd("'%s' forward --bogus 2>/dev/null", CL_CLI), 2);
    assert_int_equal(run_cmd("'%s' frobnicate 2>/dev/null", CL_CLI), 2);
    assert_int_equal(run_cmd("'%s' init --size huge --out /tmp/x 2>/dev/null", CL_CLI), 2);
}

static void test_bad_decoder_ids(void **st) {
    (void)st;
    char ids[512], out[512];
    snprintf(ids, sizeof ids, "%s/ids.csv", test_tmpdir());
    snprintf(out, sizeof out, "%s/ids-out.safetensors", test_tmpdir());
    assert_int_equal(run_cmd("printf '0,5\\n0,99999\\n0,1\\n' > '%s'", ids), 0);
    assert_int_equal(run_cmd("'%s' forward --model " SMALL " --context " SMALL "/context.csv --decoder-ids '%s' "
                             "--out '%s' 2>/dev/null", CL_CLI, ids, out), 2);
    assert_false(file_exists(out));
    assert_int_equal(run_cmd("printf '0,5\\n0,3\\n' > '%s'", ids), 0); /* 2 rows for 3 series */
    assert_int_equal(run_cmd("'%s' forward --model " SMALL " --context " SMALL "/context.csv --decoder-ids '%s' "
                             "--out '%s' 2>/dev/null", CL_CLI, ids, out), 2);
    assert_false(file_exists(out));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forward_rand_small),
        cmocka_unit_test(test_forward_rand_gated_bf16),
        cmocka_unit_test(test_forward_default_decoder_ids),
        cmocka_unit_test(test_forward_thread_invariance),
        cmocka_unit_test(test_info),
        cmocka_unit_test(test_bad_truncated),
        cmocka_unit_test(test_bad_header_length),
        cmocka_unit_test(test_bad_offsets),
        cmocka_unit_test(test_bad_byte_size),
        cmocka_unit_test(test_bad_overlap),
        cmocka_unit_test(test_bad_missing_tensor),
        cmocka_unit_test(test_bad_dtype),
        cmocka_unit_test(test_bad_config_json),
        cmocka_unit_test(test_bad_config_no_chronos),
        cmocka_unit_test(test_bad_csv_cell),
        cmocka_unit_test(test_bad_csv_empty),
        cmocka_unit_test(test_bad_csv_ragged),
        cmocka_unit_test(test_bad_missing_files),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_bad_decoder_ids),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    run_cmd("rm -rf '%s'", test_tmpdir());
    return rc;
}
