/* outdir.c — folder outputs built in a temporary folder and moved into place whole
 * (cl_outdir, declared in chronolens.h). */
#include "chronolens.h"
#include "io/outlock.h"
#include "core/core.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cl_outdir_begin(cl_outdir *d, const char *out, cl_error *err) {
    memset(d, 0, sizeof *d);
    snprintf(d->out, sizeof d->out, "%s", out);
    int rc = cl_out_real(out, 1, d->real, sizeof d->real, err);
    if (rc) return rc;
    char parent[CL_PATH_MAX], prefix[CL_PATH_MAX];
    const char *slash = strrchr(d->real, '/'); /* real paths are absolute */
    snprintf(parent, sizeof parent, "%.*s", slash == d->real ? 1 : (int)(slash - d->real), d->real);
    /* the parents are made now (the commands make them, as mkdir -p); the folder itself
     * only at the commit */
    if ((rc = cl_mkdirs(parent, err))) return rc;
    if ((size_t)snprintf(prefix, sizeof prefix, "%s/" CL_TMP_PREFIX "%ld.%s.", strcmp(parent, "/") ? parent : "",
                         (long)getpid(), slash + 1) >= sizeof prefix)
        return cl_error_set(err, CL_EINVAL, "--out %s: path too long", out);
    if (cl_tmp_create(d->tmp, sizeof d->tmp, prefix, 1) != 0) {
        d->tmp[0] = 0;
        return cl_error_set(err, CL_EIO, "--out %s: cannot create a folder in %s (%s)", out, parent, strerror(errno));
    }
    /* created 0700 (cl_tmp_create); the folder gets mkdir's usual 0777 & ~umask */
    chmod(d->tmp, 0777 & ~cl_umask());
    return 0;
}

void cl_outdir_abort(cl_outdir *d) {
    if (!d->tmp[0]) return;
    cl_rm_tree(d->tmp);
    cl_tmp_unregister(d->tmp);
    d->tmp[0] = 0;
}

/* Moves every entry of src into dst (an existing folder): a file replaces dst's of that
 * name, a folder is merged into dst's folder of that name. With dry = 1 only checks that
 * every move can happen (no folder where a file goes or the other way round): run first
 * for all, so the moves do not stop half way on what is already there. 0 or errno; the
 * entry's name in bad. */
static int move_into(const char *src, const char *dst, int dry, char *bad, size_t nb) {
    DIR *dir = opendir(src);
    if (!dir) { snprintf(bad, nb, "%s", src); return errno; }
    struct dirent *e;
    int rc = 0;
    while (!rc && (e = readdir(dir))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char s[CL_PATH_MAX], t[CL_PATH_MAX];
        struct stat ss, ts;
        cl_path_join(s, sizeof s, src, e->d_name);
        cl_path_join(t, sizeof t, dst, e->d_name);
        const int both = lstat(s, &ss) == 0 && lstat(t, &ts) == 0; /* else a new name */
        if (both && S_ISDIR(ss.st_mode) != S_ISDIR(ts.st_mode)) rc = S_ISDIR(ts.st_mode) ? EISDIR : ENOTDIR;
        else if (both && S_ISDIR(ss.st_mode)) rc = move_into(s, t, dry, bad, nb);
        else if (!dry && rename(s, t) != 0) rc = errno;
        if (rc && !bad[0]) snprintf(bad, nb, "%s", e->d_name);
    }
    closedir(dir);
    return rc;
}

int cl_outdir_commit(cl_outdir *d, cl_outdir_mode mode, cl_error *err) {
    struct stat st;
    int rc = 0;
    if (stat(d->real, &st) != 0) { /* a new folder: one rename */
        if (rename(d->tmp, d->real) == 0) { cl_tmp_unregister(d->tmp); d->tmp[0] = 0; return 0; }
        if (stat(d->real, &st) != 0) {
            rc = cl_error_set(err, CL_EIO, "--out %s: cannot rename the folder into place (%s)", d->out, strerror(errno));
            cl_outdir_abort(d);
            return rc;
        }
    }
    if (mode == CL_OUTDIR_REPLACE) {
        /* the old folder moved aside under the temporary's name (swept as ours if we die
         * between the renames), the new one put in its place, then the old one removed */
        char old[CL_PATH_MAX + 16];
        snprintf(old, sizeof old, "%s.old-XXXXXX", d->tmp);
        if (!mkdtemp(old) || rmdir(old) || rename(d->real, old)) {
            rc = cl_error_set(err, CL_EIO, "--out %s: cannot replace the existing folder (%s)", d->out, strerror(errno));
        } else if (rename(d->tmp, d->real)) {
            int e = errno;
            rename(old, d->real);
            rc = cl_error_set(err, CL_EIO, "--out %s: cannot rename the folder into place (%s)", d->out, strerror(e));
        } else {
            cl_rm_tree(old);
            cl_tmp_unregister(d->tmp);
            d->tmp[0] = 0;
        }
    } else {
        /* an existing folder keeps its other files (docs/formats.md: an existing --out folder); each
         * of the run's files is renamed in, all of them written before the first moves */
        char bad[NAME_MAX + 1] = "";
        int e = move_into(d->tmp, d->real, 1, bad, sizeof bad);
        if (!e) e = move_into(d->tmp, d->real, 0, bad, sizeof bad);
        if (e) rc = cl_error_set(err, CL_EIO, "--out %s: cannot move %s into place (%s)", d->out, bad, strerror(e));
    }
    cl_outdir_abort(d);
    return rc;
}
