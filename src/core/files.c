/* files.c — whole-file reads and atomic writes (temporary name, rename on success). */
#include "core.h"
#include "../io/outlock.h"
#include <errno.h>
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

int cl_read_file(const char *path, size_t max, char **out, size_t *len, cl_error *err) {
    FILE *f = fopen(path, "rb");
    char target[1024];
    if (!f && cl_broken_link(path, target, sizeof target))
        return cl_error_set(err, CL_EIO, "%s: a broken symbolic link (to %s, which does not exist)", path, target);
    if (!f) return cl_error_set(err, CL_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return cl_error_set(err, CL_EIO, "%s: not a regular file", path);
    }
    if (fseek(f, 0, SEEK_END) != 0) {
        fclose(f);
        return cl_error_set(err, CL_EIO, "%s: cannot seek (not a regular file?)", path);
    }
    long n = ftell(f);
    if (n < 0) { fclose(f); return cl_error_set(err, CL_EIO, "%s: cannot size", path); }
    if ((size_t)n > max) {
        fclose(f);
        return cl_error_set(err, CL_ENOMEM, "%s: file too large (%ld bytes, limit %zu)", path, n, max);
    }
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    if (!buf) { fclose(f); return cl_error_set(err, CL_ENOMEM, "%s: out of memory", path); }
    if (n && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf); fclose(f);
        return cl_error_set(err, CL_EIO, "%s: read error", path);
    }
    fclose(f);
    buf[n] = 0;
    *out = buf;
    if (len) *len = (size_t)n;
    return 0;
}

int cl_out_open(cl_out *o, const char *path, cl_error *err) {
    memset(o, 0, sizeof *o);
    if (strlen(path) + 16 > sizeof o->tmp)
        return cl_error_set(err, CL_EINVAL, "%s: path too long", path);
    snprintf(o->path, sizeof o->path, "%s", path);
    /* NAME.tmp.PID.XXXXXX: the pid tells a later run whether the writer is still alive */
    char prefix[sizeof o->tmp];
    snprintf(prefix, sizeof prefix, "%s.tmp.%ld.", path, (long)getpid());
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
    if (rename(o->tmp, o->path) != 0) {
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
