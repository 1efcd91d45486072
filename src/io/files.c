/* files.c — the checked opener of input files and whole-file reads (atomic writes:
 * io/outfile.c). */
#include "core/core.h"
#include <dirent.h>
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

int cl_dir_foreign(const char *dir, const char *const *own, char *first, size_t n) {
    DIR *d = opendir(dir);
    if (!d) return 0; /* missing: created later */
    struct dirent *e;
    int found = 0;
    while (!found && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        int ok = 0;
        for (int k = 0; own && own[k] && !ok; k++) ok = !strcmp(e->d_name, own[k]);
        if (!ok) { snprintf(first, n, "%s", e->d_name); found = 1; }
    }
    closedir(d);
    return found;
}
