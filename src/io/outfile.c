/* outfile.c — atomic file outputs: written under a temporary name beside the real path
 * (outlock.h's naming, registered for the signal handler) and renamed on success. */
#include "io/outlock.h"
#include "core/core.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
    fchmod(fd, 0666 & ~cl_umask());
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
