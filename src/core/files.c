/* files.c — the checked opener of input files, whole-file reads and atomic writes
 * (temporary name, rename on success). */
#include "core.h"
#include "../io/outlock.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cl_broken_link(const char *path, char *target, size_t n) {
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISLNK(st.st_mode) || stat(path, &st) == 0) return 0;
    ssize_t k = readlink(path, target, n - 1);
    target[k > 0 ? k : 0] = 0;
    return 1;
}

const char *cl_file_kind(unsigned mode) {
    switch (mode & S_IFMT) {
    case S_IFREG: return "a regular file";
    case S_IFDIR: return "a folder";
    case S_IFIFO: return "a FIFO";
    case S_IFSOCK: return "a socket";
    case S_IFCHR: return "a character device";
    case S_IFBLK: return "a block device";
    case S_IFLNK: return "a symbolic link";
    default: return "not a file";
    }
}

int cl_open_read(const char *path, cl_error *err) {
    struct stat st;
    char target[1024];
    /* checked before open: opening a FIFO for reading blocks until a writer comes, forever */
    if (stat(path, &st) != 0) {
        int e = errno;
        if (cl_broken_link(path, target, sizeof target))
            cl_error_set(err, CL_EIO, "%s: a broken symbolic link (to %s, which does not exist)", path, target);
        else cl_error_set(err, CL_EIO, "%s: cannot open: %s", path, strerror(e));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        cl_error_set(err, CL_EIO, "%s: not a regular file (%s)", path, cl_file_kind(st.st_mode));
        return -1;
    }
    /* O_NONBLOCK: a FIFO put at path between the stat and the open opens at once (and is
     * refused below) instead of waiting for a writer; on a regular file it changes nothing */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        cl_error_set(err, CL_EIO, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    int fl;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        cl_error_set(err, CL_EIO, "%s: not a regular file (%s)", path, cl_file_kind(st.st_mode));
        close(fd);
        return -1;
    }
    if ((fl = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
        cl_error_set(err, CL_EIO, "%s: cannot open: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

int cl_read_file(const char *path, size_t max, char **out, size_t *len, cl_error *err) {
    int fd = cl_open_read(path, err);
    if (fd < 0) return CL_EIO;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return cl_error_set(err, CL_EIO, "%s: cannot size", path);
    }
    size_t n = (size_t)st.st_size;
    if (n > max) {
        close(fd);
        return cl_error_set(err, CL_ENOMEM, "%s: file too large (%zu bytes, limit %zu)", path, n, max);
    }
    char *buf = malloc(n + 1);
    if (!buf) { close(fd); return cl_error_set(err, CL_ENOMEM, "%s: out of memory", path); }
    size_t got = 0;
    while (got < n) {
        ssize_t k = read(fd, buf + got, n - got);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break; /* shrunk meanwhile: a read error below */
        got += (size_t)k;
    }
    close(fd);
    if (got != n) {
        free(buf);
        return cl_error_set(err, CL_EIO, "%s: read error", path);
    }
    buf[n] = 0;
    *out = buf;
    if (len) *len = n;
    return 0;
}

int cl_out_open(cl_out *o, const char *path, cl_error *err) {
    memset(o, 0, sizeof *o);
    if (strlen(path) + 16 > sizeof o->tmp)
        return cl_error_set(err, CL_EINVAL, "%s: path too long", path);
    snprintf(o->path, sizeof o->path, "%s", path);
    /* written where the path really is: through a symbolic link its target is replaced, a
     * device or FIFO is refused (never replaced by a regular file) */
    int rc = cl_out_real(path, 0, o->real, sizeof o->real, err);
    if (rc) return rc;
    /* .chronolens-tmp.PID.NAME.XXXXXX beside it (outlock.h): the pid tells a later run
     * whether the writer is still alive */
    char prefix[sizeof o->tmp];
    const char *slash = strrchr(o->real, '/'), *name = slash ? slash + 1 : o->real;
    if ((size_t)snprintf(prefix, sizeof prefix, "%.*s" CL_TMP_PREFIX "%ld.%s.", slash ? (int)(slash + 1 - o->real) : 0,
                         o->real, (long)getpid(), name) >= sizeof prefix)
        return cl_error_set(err, CL_EINVAL, "%s: path too long", path);
    int fd = cl_tmp_create(o->tmp, sizeof o->tmp, prefix, 0);
    if (fd < 0) return cl_error_set(err, CL_EIO, "%s: cannot create: %s", path, strerror(errno));
    /* created 0600; give the final file the usual 0666 & ~umask */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    o->fp = fdopen(fd, "wb");
    if (!o->fp) {
        close(fd); unlink(o->tmp); cl_tmp_unregister(o->tmp);
        return cl_error_set(err, CL_EIO, "%s: cannot open: %s", path, strerror(errno));
    }
    return 0;
}

int cl_out_commit(cl_out *o, cl_error *err) {
    FILE *f = o->fp;
    o->fp = NULL;
    /* the system's reason (no space left, quota, file too large): a failed buffered write
     * leaves errno set, and fflush/fsync/fclose set it when they fail */
    int e = ferror(f) ? errno : 0;
    /* flushed to disk before the rename, so that the final name never carries a file
     * whose data a crash of the machine could still lose */
    int bad = ferror(f) != 0;
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) { bad = 1; if (!e) e = errno; }
    if (fclose(f) != 0) { bad = 1; if (!e) e = errno; }
    if (bad) {
        unlink(o->tmp);
        cl_tmp_unregister(o->tmp);
        return cl_error_set(err, CL_EIO, "%s: write error: %s", o->path, e ? strerror(e) : "unknown");
    }
    if (rename(o->tmp, o->real) != 0) {
        int re = errno;
        unlink(o->tmp);
        cl_tmp_unregister(o->tmp);
        return cl_error_set(err, CL_EIO, "%s: cannot rename into place: %s", o->path, strerror(re));
    }
    cl_tmp_unregister(o->tmp);
    return 0;
}

void cl_out_abort(cl_out *o) {
    if (o->fp) { fclose(o->fp); o->fp = NULL; }
    if (o->tmp[0]) { unlink(o->tmp); cl_tmp_unregister(o->tmp); }
}
