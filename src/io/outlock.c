/* outlock.c — output checks, output locks, temporaries removed on signals and stale ones
 * removed by the next run (naming in outlock.h). */
#include "io/outlock.h"
#include "core/core.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ registry */

#define MAX_TMP 64
/* read by the signal handler: a slot is live once `used` is set, after its path is written */
static struct { char path[PATH_MAX]; volatile sig_atomic_t used; int is_dir; } tmps[MAX_TMP];
static struct { char path[PATH_MAX + NAME_MAX + 8]; volatile sig_atomic_t fd, used; } locks[MAX_TMP];

void cl_tmp_register(const char *path, int is_dir) {
    for (int i = 0; i < MAX_TMP; i++)
        if (!tmps[i].used) {
            snprintf(tmps[i].path, sizeof tmps[i].path, "%s", path);
            tmps[i].is_dir = is_dir;
            tmps[i].used = 1;
            return;
        }
}

void cl_tmp_unregister(const char *path) {
    for (int i = 0; i < MAX_TMP; i++)
        if (tmps[i].used && !strcmp(tmps[i].path, path)) tmps[i].used = 0;
}

int cl_tmp_create(char *tmp, size_t n, const char *prefix, int is_dir) {
    static unsigned counter;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    for (int tries = 0; tries < 100; tries++) {
        unsigned tag = ((unsigned)ts.tv_nsec ^ (counter++ * 2654435761u)) & 0xffffff;
        if ((size_t)snprintf(tmp, n, "%s%06x", prefix, tag) >= n) { errno = ENAMETOOLONG; return -1; }
        /* registered before it exists: a signal in between finds nothing to remove, never
         * a temporary it does not know */
        cl_tmp_register(tmp, is_dir);
        int fd = is_dir ? mkdir(tmp, 0700) : open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0) return is_dir ? 0 : fd;
        int e = errno;
        cl_tmp_unregister(tmp);
        if (e != EEXIST) { errno = e; return -1; }
    }
    errno = EEXIST;
    return -1;
}

/* rm -rf from a signal handler: only async-signal-safe system calls (openat, getdents64,
 * unlinkat, lseek, close) — no fork (glibc's takes malloc's locks), no malloc, no stdio. */
struct dirent64_raw { uint64_t ino; int64_t off; unsigned short reclen; unsigned char type; char name[]; };

static void rm_tree_safe(int at, const char *name, int depth) {
    int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) { unlinkat(at, name, 0); return; }
    char buf[4096];
    for (int removed = 1; removed;) { /* removing while reading may skip entries: read again */
        removed = 0;
        lseek(fd, 0, SEEK_SET);
        long n;
        while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0)
            for (long k = 0; k < n;) {
                struct dirent64_raw *e = (struct dirent64_raw *)(buf + k);
                k += e->reclen;
                if (e->name[0] == '.' && (!e->name[1] || (e->name[1] == '.' && !e->name[2]))) continue;
                if (e->type == DT_DIR && depth < 32) rm_tree_safe(fd, e->name, depth + 1);
                else unlinkat(fd, e->name, 0);
                removed = 1;
            }
    }
    close(fd);
    unlinkat(at, name, AT_REMOVEDIR);
}

static void on_signal(int sig) {
    for (int i = 0; i < MAX_TMP; i++) {
        if (!tmps[i].used) continue;
        if (tmps[i].is_dir) rm_tree_safe(AT_FDCWD, tmps[i].path, 0);
        else unlink(tmps[i].path);
    }
    for (int i = 0; i < MAX_TMP; i++) {
        if (locks[i].used == 1) unlink(locks[i].path); /* held: ours */
        else if (locks[i].used == 2) { /* being taken: remove it only when no other run holds it */
            /* through our own descriptor once we have one: flock on it succeeds when we took
             * the lock (a signal between the flock and used = 1) or nobody holds it; a second
             * descriptor of ours would conflict with our own lock and leave the file */
            const int own = locks[i].fd;
            int fd = own >= 0 ? own : open(locks[i].path, O_RDWR | O_CLOEXEC);
            if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0) unlink(locks[i].path);
            if (fd >= 0 && fd != own) close(fd);
        }
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

void cl_signals_install(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    sigaddset(&sa.sa_mask, SIGHUP);
    const int sigs[3] = {SIGINT, SIGTERM, SIGHUP};
    for (int k = 0; k < 3; k++) {
        struct sigaction old;
        /* a signal the shell set to be ignored (nohup, background jobs) stays ignored */
        if (sigaction(sigs[k], NULL, &old) == 0 && old.sa_handler == SIG_IGN) continue;
        sigaction(sigs[k], &sa, NULL);
    }
}

/* ------------------------------------------------------------------ checks */

/* dirname and basename of path (trailing slashes ignored); "." for a bare name */
static void split_path(const char *path, char *dir, size_t nd, char *base, size_t nb) {
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/') len--;
    size_t s = len;
    while (s > 0 && path[s - 1] != '/') s--;
    snprintf(base, nb, "%.*s", (int)(len - s), path + s);
    if (s == 0) snprintf(dir, nd, ".");
    else if (s == 1) snprintf(dir, nd, "/");
    else snprintf(dir, nd, "%.*s", (int)(s - 1), path);
}

static int writable_dir(const char *what, const char *path, const char *dir, cl_error *err) {
    struct stat st;
    if (stat(dir, &st) != 0)
        return cl_error_set(err, CL_EIO, "%s %s: cannot write there: the folder %s does not exist", what, path, dir);
    if (!S_ISDIR(st.st_mode)) return cl_error_set(err, CL_EIO, "%s %s: cannot write there: %s is not a folder", what, path, dir);
    if (access(dir, W_OK | X_OK) != 0)
        return cl_error_set(err, CL_EIO, "%s %s: cannot write in %s: %s", what, path, dir, strerror(errno));
    return 0;
}

int cl_out_real(const char *path, int is_dir, char *real, size_t n, cl_error *err) {
    const char *what = is_dir ? "--out " : "";
    char buf[PATH_MAX], dir[PATH_MAX], base[NAME_MAX + 1];
    struct stat ls, st;
    if (!*path) return cl_error_set(err, CL_EINVAL, "%soutput: empty path", what);
    if (lstat(path, &ls) == 0) {
        if (stat(path, &st) != 0) {
            char target[1024] = "";
            if (!cl_broken_link(path, target, sizeof target)) snprintf(target, sizeof target, "?");
            return cl_error_set(err, CL_EINVAL, "%s%s: a broken symbolic link (to %s); not written through", what, path, target);
        }
        /* a device, FIFO or socket is never replaced by a regular file (as root /dev/null
         * would be); a symbolic link is followed to what it names, and that is written */
        if (is_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
            return cl_error_set(err, CL_EINVAL, "%s%s: %s%s, not replaced (%s expected)", what, path,
                                cl_file_kind(st.st_mode), S_ISLNK(ls.st_mode) ? " behind a symbolic link" : "",
                                is_dir ? "a folder" : "a regular file or a new name");
        if (!realpath(path, buf)) return cl_error_set(err, CL_EIO, "%s%s: cannot resolve: %s", what, path, strerror(errno));
    } else {
        if (errno != ENOENT) return cl_error_set(err, CL_EIO, "%s%s: %s", what, path, strerror(errno));
        /* a new name: the real path of its folder (itself resolved, missing parents of a
         * folder output included) and the name as typed */
        split_path(path, dir, sizeof dir, base, sizeof base);
        if (!strcmp(dir, path)) return cl_error_set(err, CL_EIO, "%s%s: cannot resolve", what, path);
        int rc = cl_out_real(dir, 1, buf, sizeof buf, err);
        if (rc) return rc;
        size_t k = strlen(buf);
        if (k + 1 + strlen(base) >= sizeof buf) return cl_error_set(err, CL_EINVAL, "%s%s: path too long", what, path);
        snprintf(buf + k, sizeof buf - k, "%s%s", k && buf[k - 1] == '/' ? "" : "/", base);
    }
    if (strlen(buf) >= n) return cl_error_set(err, CL_EINVAL, "%s%s: path too long", what, path);
    memcpy(real, buf, strlen(buf) + 1);
    return 0;
}

int cl_out_check(const char *path, cl_error *err) {
    char dir[PATH_MAX], base[NAME_MAX + 1];
    struct stat st;
    if (!*path) return cl_error_set(err, CL_EINVAL, "output: empty path");
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return cl_error_set(err, CL_EINVAL, "%s: is a folder (an output file was expected)", path);
    char real[PATH_MAX];
    int rc = cl_out_real(path, 0, real, sizeof real, err);
    if (rc) return rc;
    split_path(real, dir, sizeof dir, base, sizeof base);
    return writable_dir("output", path, dir, err);
}

int cl_out_check_dir(const char *path, cl_error *err) {
    char dir[PATH_MAX], base[NAME_MAX + 1];
    struct stat st;
    if (!*path) return cl_error_set(err, CL_EINVAL, "--out: empty path");
    if (stat(path, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) return cl_error_set(err, CL_EINVAL, "--out %s: exists and is not a folder", path);
        return writable_dir("--out", path, path, err);
    }
    char real[PATH_MAX];
    int rc = cl_out_real(path, 1, real, sizeof real, err); /* a broken link: refused */
    if (rc) return rc;
    split_path(path, dir, sizeof dir, base, sizeof base);
    /* a missing parent is created by the commands that make parents (mkdir -p) */
    while (stat(dir, &st) != 0) {
        char up[PATH_MAX];
        snprintf(up, sizeof up, "%s", dir);
        split_path(up, dir, sizeof dir, base, sizeof base);
        if (!strcmp(up, dir)) break;
    }
    return writable_dir("--out", path, dir, err);
}

/* ------------------------------------------------------------------ stale temporaries */

/* PID.REST of a temporary's name: 1 when PID is a number naming no running process */
static int pid_dead(const char *digits, const char **rest) {
    char *end;
    errno = 0;
    long pid = strtol(digits, &end, 10);
    if (end == digits || !isdigit((unsigned char)*digits) || errno || pid <= 0 || pid > INT_MAX) return 0;
    *rest = end;
    if (pid == getpid()) return 0;
    return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* The tag cl_tmp_create appends (6 hex digits), or a replaced folder's .old-XXXXXX after it */
static int tmp_tag(const char *t) {
    for (int i = 0; i < 6; i++)
        if (!isxdigit((unsigned char)t[i])) return 0;
    return !t[6] || (!strncmp(t + 6, ".old-", 5) && strlen(t + 11) == 6);
}

/* in dir: CL_TMP_PREFIX PID.NAME.XXXXXX (files and folders) of dead PIDs, for this NAME only:
 * the caller holds NAME's lock, so no live run writes them. Only that prefix is ever looked
 * at: a user's own exp.tmp.99999.csv is not ours, nor another output's temporary. */
static void sweep_stale(const char *dir, const char *name) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    const size_t pl = strlen(CL_TMP_PREFIX), nl = strlen(name);
    while ((e = readdir(d))) {
        const char *n = e->d_name, *rest = NULL;
        char full[PATH_MAX];
        if (strncmp(n, CL_TMP_PREFIX, pl) || !pid_dead(n + pl, &rest) || *rest != '.') continue;
        rest++;
        if (strncmp(rest, name, nl) || rest[nl] != '.' || !tmp_tag(rest + nl + 1)) continue; /* another output's */
        if ((size_t)snprintf(full, sizeof full, "%s/%s", dir, n) < sizeof full) cl_rm_tree(full); /* a file or a folder */
    }
    closedir(d);
}

/* ------------------------------------------------------------------ locks */

int cl_out_claim(const char *path, int is_dir, cl_error *err) {
    char dir[PATH_MAX], base[NAME_MAX + 1], lp[PATH_MAX + NAME_MAX + 8], real[PATH_MAX];
    /* keyed on the real path: two runs into one folder through a symbolic link (or a
     * link to a file) take the same lock */
    int rc = cl_out_real(path, is_dir, real, sizeof real, err);
    if (rc) return rc;
    split_path(real, dir, sizeof dir, base, sizeof base);
    snprintf(lp, sizeof lp, "%s/.%s.lock", dir, base);
    int slot = -1;
    for (int i = 0; i < MAX_TMP; i++) {
        if (locks[i].used == 1 && !strcmp(locks[i].path, lp)) return 0; /* already ours */
        if (!locks[i].used && slot < 0) slot = i;
    }
    const char *what = is_dir ? "--out " : "";
    if (slot < 0) return cl_error_set(err, CL_EINVAL, "%s%s: too many outputs", what, path);
    /* pending (2) before the file may exist: a signal meanwhile removes it only if no run
     * holds it (on_signal), so a lock this run created but does not hold yet is not left */
    snprintf(locks[slot].path, sizeof locks[slot].path, "%s", lp);
    locks[slot].fd = -1;
    locks[slot].used = 2;
    for (int tries = 0;; tries++) {
        int fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
        locks[slot].fd = fd; /* before the flock: the signal handler tries the lock through it */
        if (fd < 0) {
            locks[slot].used = 0;
            return cl_error_set(err, CL_EIO, "%s%s: cannot create the lock %s: %s", what, path, lp, strerror(errno));
        }
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) locks[slot].used = 1;
        else {
            locks[slot].used = 0; /* another run's: never removed by us */
            locks[slot].fd = -1;
            char buf[32] = {0};
            ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
            close(fd);
            long pid = n > 0 ? strtol(buf, NULL, 10) : 0;
            if (pid > 0)
                return cl_error_set(err, CL_EIO, "%s%s: another chronolens run (pid %ld) is writing it; wait for it or choose another output", what, path, pid);
            return cl_error_set(err, CL_EIO, "%s%s: another chronolens run is writing it (lock %s)", what, path, lp);
        }
        /* the holder before us may have removed the file while we opened it: lock the file
         * that carries the name, or try again */
        struct stat a, b;
        if (fstat(fd, &a) == 0 && stat(lp, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev) {
            char buf[32];
            int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
            if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)n, 0) != n) { /* the pid is only a hint */ }
            break;
        }
        locks[slot].used = 2; /* a removed file's lock: not the name's; try again */
        locks[slot].fd = -1;
        close(fd);
        if (tries > 8) {
            locks[slot].used = 0;
            return cl_error_set(err, CL_EIO, "%s%s: cannot take the lock %s", what, path, lp);
        }
    }
    /* a folder output is built beside it (outdir.c): nothing of ours is ever inside it */
    sweep_stale(dir, base);
    return 0;
}

void cl_out_release_all(void) {
    for (int i = 0; i < MAX_TMP; i++)
        if (locks[i].used == 1) {
            unlink(locks[i].path); /* while still held: no run can hold the name we remove */
            close(locks[i].fd);
            locks[i].used = 0;
        }
}
