/* test_limits.c — resource limits and the bugs the fuzzers and sanitizers found: huge
 * declared tensors, oversized headers, 10 million CSV columns, contexts far longer than
 * context_length, many tensors; atomic outputs (nothing half-written, modes as usual). */
#include "testutil.h"
#include "core/core.h"
#include "io/csv.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SMALL CL_FIXTURES "/rand-small"

static char *tmp_path(const char *name) {
    static char p[4][512];
    static int k;
    char *r = p[k++ & 3];
    snprintf(r, 512, "%s/%s", test_tmpdir(), name);
    return r;
}

/* A safetensors file with a raw header (padded to 8) and `data` bytes of zeros. */
static void write_st(const char *path, const char *header, size_t data) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    size_t hn = strlen(header), pad = (8 - hn % 8) % 8;
    uint64_t n = hn + pad;
    unsigned char len8[8];
    for (int i = 0; i < 8; i++) len8[i] = (unsigned char)(n >> (8 * i));
    fwrite(len8, 1, 8, f);
    fwrite(header, 1, hn, f);
    for (size_t i = 0; i < pad; i++) fputc(' ', f);
    for (size_t i = 0; i < data; i++) fputc(0, f);
    fclose(f);
}

static void expect_st_error(const char *path, const char *needle) {
    st_file f;
    cl_error err = {0};
    assert_int_not_equal(st_open(path, &f, &err), 0);
    if (!strstr(err.msg, needle)) fail_msg("error '%s' lacks '%s'", err.msg, needle);
}

/* ------------------------------------------------------------ safetensors */

static void test_huge_declared_tensor(void **st) {
    (void)st;
    char *p = tmp_path("huge.safetensors");
    /* 4e18 elements declared, 4 bytes present: refused before anything is allocated */
    write_st(p, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2000000000,2000000000],\"data_offsets\":[0,4]}}", 4);
    expect_st_error(p, "occupies 4 bytes");
    write_st(p, "{\"a\":{\"dtype\":\"F64\",\"shape\":[9007199254740992,9007199254740992],\"data_offsets\":[0,8]}}", 8);
    expect_st_error(p, "shape overflows");
    write_st(p, "{\"a\":{\"dtype\":\"U8\",\"shape\":[1000000],\"data_offsets\":[0,1000000]}}", 8);
    expect_st_error(p, "outside the data area");
}

static void test_header_limit(void **st) {
    (void)st;
    char *p = tmp_path("bighdr.safetensors");
    /* a sparse file whose header length is just over the limit: refused unread */
    int fd = open(p, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    assert_true(fd >= 0);
    uint64_t n = ST_MAX_HEADER + 8;
    unsigned char len8[8];
    for (int i = 0; i < 8; i++) len8[i] = (unsigned char)(n >> (8 * i));
    assert_int_equal(write(fd, len8, 8), 8);
    assert_int_equal(ftruncate(fd, (off_t)(n + 8)), 0);
    close(fd);
    expect_st_error(p, "exceeds the limit");
    unlink(p);
}

/* Duplicate names among many entries: found by sorting (the former pairwise check took
 * minutes on a header of a few MB). */
static void test_many_tensors_duplicate(void **st) {
    (void)st;
    const int n = 100000;
    size_t cap = (size_t)n * 64 + 64, k = 0;
    char *h = malloc(cap);
    k += (size_t)snprintf(h + k, cap - k, "{");
    for (int i = 0; i < n; i++)
        k += (size_t)snprintf(h + k, cap - k, "%s\"t%d\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]}",
                              i ? "," : "", i == n - 1 ? 17 : i);
    snprintf(h + k, cap - k, "}");
    char *p = tmp_path("many.safetensors");
    write_st(p, h, 0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    expect_st_error(p, "'t17' appears twice");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    /* loose bound (a sanity check, not a benchmark): quadratic took far longer */
    assert_true((t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9 < 20);
    free(h);
    unlink(p);
}

/* A sharded index naming a different shard for each of 200000 tensors: the distinct
 * names are found by sorting (pairwise was quadratic), then the first missing shard is
 * reported. */
static void test_index_many_shards(void **st) {
    (void)st;
    char *d = tmp_path("sharded");
    assert_int_equal(run_cmd("mkdir -p '%s' && cp " SMALL "/config.json '%s/'", d, d), 0);
    char p[600];
    snprintf(p, sizeof p, "%s/model.safetensors.index.json", d);
    FILE *f = fopen(p, "w");
    fputs("{\"weight_map\": {", f);
    for (int i = 0; i < 200000; i++) fprintf(f, "%s\"t%d\": \"s%06d.safetensors\"", i ? "," : "", i, 199999 - i);
    fputs("}}", f);
    fclose(f);
    cl_model *m;
    cl_error err;
    assert_int_equal(cl_model_load(d, NULL, &m, &err), CL_EIO);
    if (!strstr(err.msg, "/s000000.safetensors: cannot open")) fail_msg("%s", err.msg);
}

/* Regression (fuzz_safetensors): the writer printed integers through cJSON's doubles,
 * which rounds above 1e15, so shape [0, 2^53] came back as [0, 9007199254740990]. */
static void test_writer_exact_integers(void **st) {
    (void)st;
    char *p = tmp_path("big-dim.safetensors");
    st_writer *w = st_writer_new();
    int64_t shape[2] = {0, 9007199254740992LL};
    assert_int_equal(st_writer_add(w, "a", ST_F64, 2, shape, NULL), 0);
    cl_error err;
    assert_int_equal(st_writer_save(w, p, NULL, &err), 0);
    st_writer_free(w);
    st_file f;
    if (st_open(p, &f, &err)) fail_msg("%s", err.msg);
    assert_int_equal(f.n, 1);
    assert_true(f.t[0].shape[0] == 0 && f.t[0].shape[1] == 9007199254740992LL);
    st_close(&f);
}

/* Regression (UBSan): a writer with no tensors passed NULL to qsort. */
static void test_writer_empty(void **st) {
    (void)st;
    char *p = tmp_path("empty.safetensors");
    st_writer *w = st_writer_new();
    cl_error err;
    assert_int_equal(st_writer_save(w, p, "pt", &err), 0);
    st_writer_free(w);
    st_file f;
    if (st_open(p, &f, &err)) fail_msg("%s", err.msg);
    assert_int_equal(f.n, 0);
    st_close(&f);
}

/* ------------------------------------------------------------ CSV */

static void test_csv_ten_million_columns(void **st) {
    (void)st;
    char *p = tmp_path("wide.csv");
    FILE *f = fopen(p, "w");
    for (int i = 0; i < 10000000; i++) fputs(i ? ",1" : "1", f);
    fputc('\n', f);
    fclose(f);
    float *v;
    int32_t *ids;
    int B, L;
    cl_error err;
    assert_int_equal(csv_read_context(p, &v, &B, &L, NULL, &err), CL_ENOMEM);
    assert_non_null(strstr(err.msg, "more than 100000 columns"));
    assert_int_equal(csv_read_ids(p, &ids, &B, &L, &err), CL_ENOMEM);
    assert_non_null(strstr(err.msg, "more than 100000 columns"));
    unlink(p);
}

/* A later line longer than the first: reported, never written past the cell table. */
static void test_csv_longer_later_line(void **st) {
    (void)st;
    char *p = tmp_path("longer.csv");
    assert_int_equal(run_cmd("printf '1,2\\n3,4,5,6,7,8\\n' > '%s'", p), 0);
    float *v;
    int32_t *ids;
    int B, L;
    cl_error err;
    assert_int_equal(csv_read_context(p, &v, &B, &L, NULL, &err), CL_EFORMAT);
    assert_non_null(strstr(err.msg, "line 2 has more than 2 cells"));
    assert_int_equal(csv_read_ids(p, &ids, &B, &L, &err), CL_EFORMAT);
    assert_non_null(strstr(err.msg, "line 2 has more than 2 ids"));
}

/* Line numbers count blank lines and the header; CRLF and a BOM are accepted. */
static void test_csv_line_numbers(void **st) {
    (void)st;
    char *p = tmp_path("lines.csv");
    assert_int_equal(run_cmd("printf '\\357\\273\\277a,b\\r\\n\\r\\n1,2\\r\\n\\n3,x\\r\\n' > '%s'", p), 0);
    float *v;
    int B, L;
    char **names;
    cl_error err;
    assert_int_equal(csv_read_context(p, &v, &B, &L, &names, &err), CL_EFORMAT);
    if (!strstr(err.msg, "line 5, column 2: non-numeric cell 'x'")) fail_msg("%s", err.msg);
    assert_int_equal(run_cmd("printf '\\357\\273\\277a,b\\r\\n\\r\\n1,2\\r\\n\\n3,\\r\\n' > '%s'", p), 0);
    assert_int_equal(csv_read_context(p, &v, &B, &L, &names, &err), 0);
    assert_int_equal(B, 2);
    assert_int_equal(L, 2);
    assert_string_equal(names[0], "a");
    assert_string_equal(names[1], "b");
    assert_true(v[0] == 1 && v[1] == 3 && v[2] == 2 && v[3] != v[3]); /* (B, L), NaN missing */
    cl_free(v);
    csv_free_names(names, B);
}

static void test_read_directory(void **st) {
    (void)st;
    float *v;
    int B, L;
    cl_error err;
    assert_int_equal(csv_read_context(test_tmpdir(), &v, &B, &L, NULL, &err), CL_EIO);
    assert_non_null(strstr(err.msg, "not a regular file"));
}

/* ------------------------------------------------------------ config */

static void test_config_out_of_range_numbers(void **st) {
    (void)st;
    char *p = tmp_path("config.json");
    static const char *cases[][2] = {
        {"\"d_model\": 64", "\"d_model\": 1e300"},
        {"\"d_model\": 64", "\"d_model\": -1e300"},
        {"\"layer_norm_epsilon\": 1e-06", "\"layer_norm_epsilon\": 1e300"},
        {"\"layer_norm_epsilon\": 1e-06", "\"layer_norm_epsilon\": -1"},
        {"\"low_limit\": -15.0", "\"low_limit\": -1e39"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(run_cmd("sed 's/%s/%s/' '%s/config.json' > '%s'", cases[i][0], cases[i][1], SMALL, p), 0);
        assert_int_equal(run_cmd("! cmp -s '%s/config.json' '%s'", SMALL, p), 0); /* the edit applied */
        cl_config c;
        cl_error err;
        if (cl_config_load(p, &c, &err) == 0) fail_msg("accepted %s", cases[i][1]);
    }
}

/* ------------------------------------------------------------ forward, outputs */

/* A context 100 times longer than context_length: the last context_length values are
 * tokenized, in memory bounded by the file. */
static void test_forward_long_context(void **st) {
    (void)st;
    char *csv = tmp_path("long.csv"), *out = tmp_path("long.safetensors");
    FILE *f = fopen(csv, "w");
    fputs("v\n", f);
    for (int i = 0; i < 51200; i++) fprintf(f, "%d\n", i % 97);
    fclose(f);
    assert_int_equal(run_cmd("'%s' forward --quiet --model " SMALL " --context '%s' --out '%s'", CL_CLI, csv, out), 0);
    st_file o;
    cl_error err;
    if (st_open(out, &o, &err)) fail_msg("%s", err.msg);
    const st_tensor *t = st_find(&o, "token_ids");
    assert_non_null(t);
    assert_int_equal(t->shape[0], 1);
    assert_int_equal(t->shape[1], 512 + 1); /* context_length + EOS */
    st_close(&o);
    unlink(out);
}

static int count_tmp_files(const char *dir) {
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "ls -a '%s' | grep -c 'chronolens-tmp'", dir);
    FILE *p = popen(cmd, "r");
    int n = -1;
    if (!p || fscanf(p, "%d", &n) != 1) n = -1;
    if (p) pclose(p);
    return n;
}

/* A failed run leaves an existing output untouched and no temporary behind; a
 * successful one replaces it with a file of the usual mode (0666 & ~umask). */
static void test_atomic_outputs(void **st) {
    (void)st;
    char *out = tmp_path("atomic.safetensors"), *bad = tmp_path("bad.csv");
    assert_int_equal(run_cmd("printf 'previous' > '%s' && printf 'a\\nx\\n' > '%s'", out, bad), 0);
    assert_int_equal(run_cmd("'%s' forward --quiet --model " SMALL " --context '%s' --out '%s' 2>/dev/null",
                             CL_CLI, bad, out), 2);
    assert_int_equal(run_cmd("[ \"$(cat '%s')\" = previous ]", out), 0);
    assert_int_equal(count_tmp_files(test_tmpdir()), 0);
    assert_int_equal(run_cmd("umask 022 && '%s' forward --quiet --model " SMALL " --context " SMALL
                             "/context.csv --out '%s'", CL_CLI, out), 0);
    struct stat sb;
    assert_int_equal(stat(out, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0644);
    assert_true(sb.st_size > 1000);
    assert_int_equal(count_tmp_files(test_tmpdir()), 0);
    /* an output directory that does not exist: error, nothing created */
    assert_int_equal(run_cmd("'%s' forward --quiet --model " SMALL " --context " SMALL
                             "/context.csv --out '%s/nodir/x.safetensors' 2>/dev/null", CL_CLI, test_tmpdir()), 2);
    unlink(out);
}

static void test_alloc_limit(void **st) {
    (void)st;
    assert_true(cl_alloc_limit() > 0 && cl_alloc_limit() <= CL_MAX_ALLOC);
    assert_null(cl_alloc(cl_alloc_limit() + 1));
    assert_null(cl_alloc(SIZE_MAX));
    void *p = cl_alloc(0);
    assert_non_null(p);
    cl_free(p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_huge_declared_tensor),
        cmocka_unit_test(test_header_limit),
        cmocka_unit_test(test_many_tensors_duplicate),
        cmocka_unit_test(test_index_many_shards),
        cmocka_unit_test(test_writer_exact_integers),
        cmocka_unit_test(test_writer_empty),
        cmocka_unit_test(test_csv_ten_million_columns),
        cmocka_unit_test(test_csv_longer_later_line),
        cmocka_unit_test(test_csv_line_numbers),
        cmocka_unit_test(test_read_directory),
        cmocka_unit_test(test_config_out_of_range_numbers),
        cmocka_unit_test(test_forward_long_context),
        cmocka_unit_test(test_atomic_outputs),
        cmocka_unit_test(test_alloc_limit),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    run_cmd("rm -rf '%s'", test_tmpdir());
    return rc;
}
