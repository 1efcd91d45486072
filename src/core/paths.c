/* paths.c — joining paths, the last component of a folder (a model's name), mkdir -p,
 * rm -rf, the umask. */
#include "core/core.h"
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

char *cl_path_join(char *buf, size_t n, const char *dir, const char *name) {
    size_t d = strlen(dir);
    snprintf(buf, n, "%s%s%s", dir, (d && dir[d - 1] == '/') ? "" : "/", name);
    return buf;
}

void cl_path_basename(const char *path, char *out, size_t n) {
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/') len--;
    size_t s = len;
    while (s > 0 && path[s - 1] != '/') s--;
    if (s == len || (len == 1 && path[0] == '/')) { snprintf(out, n, "model"); return; }
    snprintf(out, n, "%.*s", (int)(len - s), path + s);
}

int cl_mkdirs(const char *dir, cl_error *err) {
    char p[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof p) return cl_error_set(err, CL_EINVAL, "%.200s: cannot create the folder (empty or too long a path)", dir);
    memcpy(p, dir, n + 1);
    for (size_t i = 1; i <= n; i++)
        if (p[i] == '/' || p[i] == 0) {
            char c = p[i];
            p[i] = 0;
            if (mkdir(p, 0777) != 0 && errno != EEXIST)
                return cl_error_set(err, CL_EIO, "%s: cannot create the folder (%s)", dir, strerror(errno));
            p[i] = c;
        }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return cl_error_set(err, CL_EIO, "%s: cannot create the folder (%s)", dir, strerror(ENOTDIR));
    return 0;
}

static int rm_entry(const char *p, const struct stat *s, int t, struct FTW *f) {
    (void)s; (void)t; (void)f;
    remove(p);
    return 0; /* best effort: go on with the rest */
}

void cl_rm_tree(const char *path) { nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS); }

unsigned cl_umask(void) {
    mode_t mask = umask(0); /* umask can only be read by setting it: set it back at once */
    umask(mask);
    return (unsigned)mask;
}
