/* test_outputs.c — outputs a researcher can trust (src/io/outlock.h): every output path is
 * checked before any work; one run owns an output at a time; SIGINT/SIGTERM remove the
 * process's own temporaries; the next run removes stale temporaries of its own naming
 * pattern and nothing else; a failed write says the system's reason. Each case: exit
 * status, the one line, nothing left behind, files intact. */
#include "testutil.h"
#include "core/core.h"

#include <dirent.h>
#include <glob.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>

#define SMALL CL_FIXTURES "/rand-small"

/* a fresh empty folder under the test's temporary folder */
static const char *fresh(const char *tag) {
    static char d[4][512];
    static int k;
    char *p = d[k++ % 4];
    snprintf(p, 512, "%s/%s", test_tmpdir(), tag);
    assert_int_equal(run_cmd("rm -rf '%s' && mkdir -p '%s'", p, p), 0);
    return p;
}

/* stderr of the last command: exactly one line containing each of a and b */
static void one_line(const char *log, const char *a, const char *b) {
    char *t = slurp(log);
    int lines = 0;
    for (char *p = t; *p; p++) lines += *p == '\n';
    if (lines != 1) fail_msg("stderr has %d lines (want 1): %s", lines, t);
    if (a && !strstr(t, a)) fail_msg("stderr does not say '%s': %s", a, t);
    if (b && !strstr(t, b)) fail_msg("stderr does not say '%s': %s", b, t);
    free(t);
}

/* the names in dir, sorted, comma-separated (hidden ones too) */
static char *listing(const char *dir) {
    static char buf[4096];
    char log[600];
    snprintf(log, sizeof log, "%s/../listing.txt", dir);
    run_cmd("LC_ALL=C ls -A '%s' | tr '\\n' , > '%s'", dir, log);
    char *t = slurp(log);
    snprintf(buf, sizeof buf, "%s", t);
    free(t);
    return buf;
}

static void expect_listing(const char *dir, const char *want) {
    const char *got = listing(dir);
    if (strcmp(got, want)) fail_msg("%s holds '%s' (want '%s')", dir, got, want);
}

/* a context of B series x T values, large enough that forward writes ~B x 8 MB */
static const char *big_context(int B, int T) {
    static char p[600];
    snprintf(p, sizeof p, "%s/big-%d-%d.csv", test_tmpdir(), B, T);
    if (!file_exists(p))
        assert_int_equal(run_cmd("awk 'BEGIN{srand(1); for(t=0;t<%d;t++){s=\"\"; for(b=0;b<%d;b++) s=s (b?\",\":\"\") "
                                 "sin(t*0.1*(b+1))+rand(); print s}}' > '%s'", T, B, p), 0);
    return p;
}

/* ------------------------------------------------------------ checks before work */

static void test_out_is_a_folder(void **st) {
    (void)st;
    const char *d = fresh("folder");
    char log[600];
    snprintf(log, sizeof log, "%s/../err.txt", d);
    assert_int_equal(run_cmd("mkdir '%s/out.csv'", d), 0);
    assert_int_equal(run_cmd("'%s' forecast --model " SMALL " --context " SMALL "/context.csv --out '%s/out.csv' 2>'%s'",
                             CL_CLI, d, log), 2);
    one_line(log, "out.csv", "is a folder");
    assert_int_equal(run_cmd("'%s' forward --model " SMALL " --context " SMALL "/context.csv --out '%s' 2>'%s'", CL_CLI, d, log), 2);
    one_line(log, d, "is a folder");
    assert_int_equal(run_cmd("'%s' embed --model " SMALL " --context " SMALL "/context.csv --out /tmp/x.npy --scales-out '%s' 2>'%s'",
                             CL_CLI, d, log), 2);
    one_line(log, d, "is a folder");
    expect_listing(d, "out.csv,");
    /* a folder that does not exist, and one that cannot be written */
    assert_int_equal(run_cmd("'%s' forecast --model " SMALL " --context " SMALL "/context.csv --out '%s/no/such/f.csv' 2>'%s'",
                             CL_CLI, d, log), 2);
    one_line(log, "f.csv", "does not exist");
    if (getuid() != 0) { /* root writes anywhere */
        assert_int_equal(run_cmd("mkdir '%s/ro' && chmod 555 '%s/ro'", d, d), 0);
        assert_int_equal(run_cmd("'%s' forecast --model " SMALL " --context " SMALL "/context.csv --out '%s/ro/f.csv' 2>'%s'",
                                 CL_CLI, d, log), 2);
        one_line(log, "f.csv", "cannot write");
        run_cmd("chmod 755 '%s/ro'", d);
    }
    /* --out of a folder command naming a file */
    assert_int_equal(run_cmd("touch '%s/file'", d), 0);
    assert_int_equal(run_cmd("'%s' induction --model " SMALL " --out '%s/file' 2>'%s'", CL_CLI, d, log), 2);
    one_line(log, "file", "not a folder");
}

/* eval --csv alone evaluates that file only (no synthetic suite) */
static void test_eval_csv_only(void **st) {
    (void)st;
    const char *d = fresh("evalcsv");
    char out[600];
    snprintf(out, sizeof out, "%s/eval.csv", d);
    assert_int_equal(run_cmd("'%s' eval -q --model " SMALL " --csv " SMALL "/context.csv --horizon 8 --samples 2 --out '%s'",
                             CL_CLI, out), 0);
    char *t = slurp(out);
    if (strstr(t, "\nseasonal,") || strstr(t, "\nrandom_walk,")) fail_msg("eval --csv ran the synthetic suite: %s", t);
    assert_non_null(strstr(t, "\ncsv,3,"));
    free(t);
}

/* a write that fails says why (here the file-size limit: "File too large") */
static void test_write_error_reason(void **st) {
    (void)st;
    const char *d = fresh("wrerr");
    char log[600];
    snprintf(log, sizeof log, "%s/../err.txt", d);
    assert_int_equal(run_cmd("sh -c \"trap '' XFSZ; ulimit -f 4; exec '%s' forward --model " SMALL " --context " SMALL
                             "/context.csv --out '%s/f.safetensors'\" 2>'%s'", CL_CLI, d, log), 2);
    one_line(log, "f.safetensors", "File too large");
    expect_listing(d, "");
}

/* A folder output is built whole beside --out and moved in only when every file was
 * written: induction failing at its figures (the file-size limit) leaves no induction.json
 * or induction.csv; an existing folder keeps the user's files, and its older results until
 * a run succeeds */
static void test_folder_output_whole(void **st) {
    (void)st;
    const char *d = fresh("whole");
    char log[600], p[600];
    snprintf(log, sizeof log, "%s/../err.txt", d);
    /* json and csv (< 10 kB) fit under 24 kB, the first figure (> 30 kB) does not */
    const char *fail = "bash -c \"trap '' XFSZ; ulimit -f 24; exec '%s' induction -q --model " SMALL
                       " --batch 2 --no-strict --out '%s/ind'\" 2>'%s'";
    assert_int_equal(run_cmd(fail, CL_CLI, d, log), 2);
    one_line(log, "ind/", "PNG");
    expect_listing(d, "");
    assert_int_equal(run_cmd("mkdir '%s/ind' && echo mine > '%s/ind/notes.txt' && echo old > '%s/ind/induction.json'", d, d, d), 0);
    assert_int_equal(run_cmd(fail, CL_CLI, d, log), 2);
    expect_listing(d, "ind,");
    assert_int_equal(run_cmd("test \"$(LC_ALL=C ls -A '%s/ind' | tr '\\n' ,)\" = induction.json,notes.txt,", d), 0);
    snprintf(p, sizeof p, "%s/ind/induction.json", d);
    char *t = slurp(p);
    assert_string_equal(t, "old\n");
    free(t);
    /* a run that succeeds: its files moved in, the user's kept */
    assert_int_equal(run_cmd("'%s' induction -q --model " SMALL " --batch 2 --no-strict --out '%s/ind' > /dev/null", CL_CLI, d), 0);
    expect_listing(d, "ind,");
    t = slurp(p);
    assert_non_null(strstr(t, "\"models\""));
    free(t);
    snprintf(p, sizeof p, "%s/ind/notes.txt", d);
    assert_true(file_exists(p));
    snprintf(p, sizeof p, "%s/ind/mosaic_rand-small.png", d);
    assert_true(file_exists(p));
}

/* ------------------------------------------------------------ one run per output */

/* Run A forwards into d/out.safetensors; once A holds its lock, run B forwards into
 * d/b_out (the same output, or another name for it): A succeeds, B fails at once with one
 * line naming b_out and A's pid. */
static void second_run_refused(const char *d, const char *b_out) {
    const char *ctx = big_context(24, 512);
    char log[600], log2[600];
    snprintf(log, sizeof log, "%s/../err.txt", d);
    snprintf(log2, sizeof log2, "%s/../err2.txt", d);
    int rc = run_cmd("'%s' forward -q --model " SMALL " --context '%s' --out '%s/out.safetensors' 2>'%s' & a=$!; "
                     "while [ ! -e '%s/.out.safetensors.lock' ] && kill -0 $a 2>/dev/null; do sleep 0.01; done; "
                     "'%s' forward -q --model " SMALL " --context '%s' --out '%s/%s' 2>'%s'; b=$?; "
                     "wait $a; a=$?; [ $a = 0 ] && [ $b = 2 ]",
                     CL_CLI, ctx, d, log2, d, CL_CLI, ctx, d, b_out, log);
    if (rc) fail_msg("runs A/B: %s / %s", slurp(log2), slurp(log));
    one_line(log, b_out, "another chronolens run (pid");
}

static void test_concurrent_runs(void **st) {
    (void)st;
    const char *d = fresh("lock");
    /* A holds out.safetensors from its start; B, on the same output, fails at once */
    second_run_refused(d, "out.safetensors");
    expect_listing(d, "out.safetensors,"); /* A's file, its lock gone */
}

/* ------------------------------------------------------------ stale temporaries */

static void test_stale_temporaries(void **st) {
    (void)st;
    const char *d = fresh("stale");
    /* a dead writer (pid 2^22 - 1 above any pid_max default... checked), a live one (this
     * test), another output's, and files that only look alike: a user's exp.tmp.PID.csv
     * (the naming before the prefix) is the user's, never removed */
    long dead = 4194303, me = (long)getpid();
    while (kill((pid_t)dead, 0) == 0) dead--;
    assert_int_equal(run_cmd("cd '%s' && touch .chronolens-tmp.%ld.f.csv.abcdef .chronolens-tmp.%ld.f.csv.0a1b2c "
                             ".chronolens-tmp.%ld.g.csv.abcdef .chronolens-tmp.%ld.f.csv.x.abcdef f.csv.tmp.%ld.abcdef exp.tmp.%ld.csv "
                             "&& mkdir .chronolens-tmp.%ld.rep.abcdef .chronolens-tmp.%ld.rep.0a1b2c "
                             "&& touch .chronolens-tmp.%ld.rep.abcdef/x",
                             d, dead, me, dead, dead, dead, dead, dead, me, dead), 0);
    char p[1024];
#define GONE(...) (snprintf(p, sizeof p, __VA_ARGS__), assert_false(file_exists(p) || dir_exists(p)))
#define KEPT(...) (snprintf(p, sizeof p, __VA_ARGS__), assert_true(file_exists(p) || dir_exists(p)))
    /* in a folder output: a user's file named like a temporary, and another output's */
    assert_int_equal(run_cmd("mkdir '%s/ind' && touch '%s/ind/exp.tmp.%ld.csv' '%s/ind/.chronolens-tmp.%ld.x.csv.abcdef' "
                             "&& '%s' induction -q --model " SMALL " --batch 2 --no-strict --out '%s/ind' > /dev/null",
                             d, d, dead, d, dead, CL_CLI, d), 0);
    KEPT("%s/ind/exp.tmp.%ld.csv", d, dead);
    KEPT("%s/ind/.chronolens-tmp.%ld.x.csv.abcdef", d, dead); /* x.csv's: removed by a run on x.csv */
    KEPT("%s/ind/induction.json", d);
    assert_int_equal(run_cmd("'%s' forecast -q --model " SMALL " --context " SMALL "/context.csv --horizon 2 --samples 2 "
                             "--out '%s/f.csv'", CL_CLI, d), 0);
    GONE("%s/.chronolens-tmp.%ld.f.csv.abcdef", d, dead);
    KEPT("%s/.chronolens-tmp.%ld.f.csv.0a1b2c", d, me);
    KEPT("%s/.chronolens-tmp.%ld.g.csv.abcdef", d, dead); /* other outputs' */
    KEPT("%s/.chronolens-tmp.%ld.f.csv.x.abcdef", d, dead);
    KEPT("%s/f.csv.tmp.%ld.abcdef", d, dead);
    KEPT("%s/exp.tmp.%ld.csv", d, dead);
    KEPT("%s/.chronolens-tmp.%ld.rep.abcdef", d, dead);
    KEPT("%s/f.csv", d);
    /* a folder output: its dead temporaries beside it go, the user's files stay */
    assert_int_equal(run_cmd("'%s' report -q --quick --model " SMALL " --out '%s/rep' > /dev/null", CL_CLI, d), 0);
    GONE("%s/.chronolens-tmp.%ld.rep.abcdef", d, dead);
    KEPT("%s/.chronolens-tmp.%ld.rep.0a1b2c", d, me);
    KEPT("%s/rep/index.html", d);
    GONE("%s/.rep.lock", d);
    GONE("%s/.f.csv.lock", d);
}

/* ------------------------------------------------------------ links, devices, FIFOs */

/* --out through a symbolic link writes its target (the link stays a link); a FIFO, a
 * device behind a link and a broken link are refused with one line and left as they are */
static void test_out_links_and_devices(void **st) {
    (void)st;
    const char *d = fresh("links");
    char log[600], p[600];
    snprintf(log, sizeof log, "%s/../err.txt", d);
    assert_int_equal(run_cmd("cd '%s' && echo old > target.csv && ln -s target.csv link.csv && mkfifo fifo.csv "
                             "&& ln -s /dev/null null.csv && ln -s nowhere.csv broken.csv", d), 0);
    assert_int_equal(run_cmd("'%s' forecast -q --model " SMALL " --context " SMALL "/context.csv --horizon 2 --samples 2 "
                             "--out '%s/link.csv'", CL_CLI, d), 0);
    assert_int_equal(run_cmd("test -L '%s/link.csv' && grep -q '^series,' '%s/target.csv'", d, d), 0);
    const char *bad[3][2] = {{"fifo.csv", "a FIFO"}, {"null.csv", "a character device behind a symbolic link"},
                             {"broken.csv", "broken symbolic link"}};
    for (int k = 0; k < 3; k++) {
        assert_int_equal(run_cmd("timeout 60 '%s' forecast -q --model " SMALL " --context " SMALL "/context.csv --horizon 2 "
                                 "--samples 2 --out '%s/%s' 2>'%s'", CL_CLI, d, bad[k][0], log), 2);
        one_line(log, bad[k][0], bad[k][1]);
    }
    assert_int_equal(run_cmd("cd '%s' && test -p fifo.csv && test -L null.csv && test -c /dev/null && test -L broken.csv", d), 0);
    expect_listing(d, "broken.csv,fifo.csv,link.csv,null.csv,target.csv,");
    /* a folder output through a link: written in the link's folder, the link kept */
    assert_int_equal(run_cmd("cd '%s' && mkdir real && ln -s real alias", d), 0);
    assert_int_equal(run_cmd("'%s' induction -q --model " SMALL " --batch 2 --no-strict --out '%s/alias' > /dev/null",
                             CL_CLI, d), 0);
    snprintf(p, sizeof p, "%s/real/induction.json", d);
    assert_true(file_exists(p));
    assert_int_equal(run_cmd("test -L '%s/alias'", d), 0);
}

/* A FIFO where a model file, config.json, the shard index, a shard or a context CSV is
 * expected: refused at once with one line (an open of a FIFO waits for a writer forever) */
static void test_fifo_inputs(void **st) {
    (void)st;
    const char *d = fresh("fifos");
    char log[600];
    snprintf(log, sizeof log, "%s/../err.txt", d);
    assert_int_equal(run_cmd("cd '%s' && mkdir m c i s && cp " SMALL "/config.json " SMALL "/model.safetensors c/ "
                             "&& cp " SMALL "/config.json m/ && mkfifo m/model.safetensors "
                             "&& rm c/config.json && mkfifo c/config.json "
                             "&& cp " SMALL "/config.json i/ && mkfifo i/model.safetensors.index.json "
                             "&& cp " SMALL "/config.json s/ && mkfifo s/shard.safetensors "
                             "&& echo '{\"weight_map\": {\"shared.weight\": \"shard.safetensors\"}}' > s/model.safetensors.index.json "
                             "&& mkfifo ctx.csv", d), 0);
    const char *cases[5][2] = {{"m", "m/model.safetensors"}, {"c", "c/config.json"}, {"i", "i/model.safetensors.index.json"},
                               {"s", "s/shard.safetensors"}, {NULL, "ctx.csv"}};
    for (int k = 0; k < 5; k++) {
        if (cases[k][0])
            assert_int_equal(run_cmd("cd '%s' && timeout 60 '%s' info --model %s 2>'%s'", d, CL_CLI, cases[k][0], log), 2);
        else
            assert_int_equal(run_cmd("cd '%s' && timeout 60 '%s' forecast --model " SMALL " --context ctx.csv --out f.csv 2>'%s'",
                                     d, CL_CLI, log), 2);
        one_line(log, cases[k][1], "not a regular file (a FIFO)");
    }
}

/* One lock per real output: a second run into the same file through a symbolic link to it
 * (lock .link.safetensors.lock as typed, .out.safetensors.lock really) fails at once,
 * naming the first run */
static void test_lock_real_path(void **st) {
    (void)st;
    const char *d = fresh("lockreal");
    assert_int_equal(run_cmd("cd '%s' && echo old > out.safetensors && ln -s out.safetensors link.safetensors", d), 0);
    second_run_refused(d, "link.safetensors");
    expect_listing(d, "link.safetensors,out.safetensors,");
}

/* ------------------------------------------------------------ signals */

/* Runs cmd (a shell line, exec'ed: the shell becomes the command) as a child with the
 * default signal dispositions, waits until `pattern` (a glob in d) exists, sends sig and
 * returns the signal the child died of (0: it exited). */
static int interrupt(const char *d, const char *cmd, const char *pattern, int sig) {
    char line[4096], glob_pat[1024];
    snprintf(line, sizeof line, "cd '%s' && exec %s 2>../sig.txt", d, cmd);
    snprintf(glob_pat, sizeof glob_pat, "%s/%s", d, pattern);
    pid_t p = fork();
    assert_true(p >= 0);
    if (p == 0) {
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        execl("/bin/sh", "sh", "-c", line, (char *)NULL);
        _exit(127);
    }
    int seen = 0, status;
    for (int n = 0; n < 20000 && !seen; n++) {
        glob_t g;
        seen = glob(glob_pat, 0, NULL, &g) == 0;
        globfree(&g);
        if (!seen) {
            if (waitpid(p, &status, WNOHANG) == p) fail_msg("'%s' ended before %s appeared", cmd, pattern);
            usleep(1000);
        }
    }
    if (!seen) { kill(p, SIGKILL); waitpid(p, &status, 0); fail_msg("never saw %s", pattern); }
    kill(p, sig);
    assert_int_equal(waitpid(p, &status, 0), p);
    return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

static void test_signal_forward(void **st) {
    (void)st;
    const char *d = fresh("sigfwd"), *ctx = big_context(24, 512);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' forward -q --model " SMALL " --context '%s' --out f.safetensors", CL_CLI, ctx);
    assert_int_equal(interrupt(d, cmd, ".chronolens-tmp.*.f.safetensors.*", SIGINT), SIGINT);
    expect_listing(d, "");
    assert_int_equal(interrupt(d, cmd, ".chronolens-tmp.*.f.safetensors.*", SIGTERM), SIGTERM);
    expect_listing(d, "");
    /* an earlier file of that name is left intact */
    assert_int_equal(run_cmd("echo old > '%s/f.safetensors'", d), 0);
    assert_int_equal(interrupt(d, cmd, ".chronolens-tmp.*.f.safetensors.*", SIGTERM), SIGTERM);
    expect_listing(d, "f.safetensors,");
    char p[600];
    snprintf(p, sizeof p, "%s/f.safetensors", d);
    char *t = slurp(p);
    assert_string_equal(t, "old\n");
    free(t);
}

/* forecast interrupted while it computes (its outputs not yet begun): the lock it holds
 * goes with it, and an earlier forecast of that name stays */
static void test_signal_forecast(void **st) {
    (void)st;
    const char *d = fresh("sigfc"), *ctx = big_context(24, 512);
    assert_int_equal(run_cmd("echo old > '%s/f.csv'", d), 0);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' forecast -q --model " SMALL " --context '%s' --samples 20 --horizon 64 --out f.csv "
             "--samples-out p.npy --plot f.png", CL_CLI, ctx);
    assert_int_equal(interrupt(d, cmd, ".f.csv.lock", SIGTERM), SIGTERM);
    expect_listing(d, "f.csv,");
    assert_int_equal(interrupt(d, cmd, ".p.npy.lock", SIGINT), SIGINT);
    expect_listing(d, "f.csv,");
}

static void test_signal_report(void **st) {
    (void)st;
    const char *d = fresh("sigrep");
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' report -q --model " SMALL " --out rep >/dev/null", CL_CLI);
    assert_int_equal(interrupt(d, cmd, ".chronolens-tmp.*.rep.*/data", SIGINT), SIGINT);
    expect_listing(d, "");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_out_is_a_folder),
        cmocka_unit_test(test_eval_csv_only),
        cmocka_unit_test(test_write_error_reason),
        cmocka_unit_test(test_concurrent_runs),
        cmocka_unit_test(test_stale_temporaries),
        cmocka_unit_test(test_out_links_and_devices),
        cmocka_unit_test(test_fifo_inputs),
        cmocka_unit_test(test_lock_real_path),
        cmocka_unit_test(test_folder_output_whole),
        cmocka_unit_test(test_signal_forward),
        cmocka_unit_test(test_signal_forecast),
        cmocka_unit_test(test_signal_report),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    run_cmd("rm -rf '%s'", test_tmpdir());
    return rc;
}
