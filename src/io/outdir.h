/* outdir.h — a folder output built whole: every file of a run is written in a temporary
 * folder beside --out (.chronolens-tmp.PID.NAME.XXXXXX, outlock.h) and moved into place only
 * when all of them were written, so a failed run (a full disk, a bad figure) leaves nothing
 * at --out. The one helper for report and every command whose --out is a folder. */
#ifndef CL_OUTDIR_H
#define CL_OUTDIR_H

#include "chronolens.h"
#include "core/export.h"
#include <limits.h>

typedef struct cl_outdir {
    char out[PATH_MAX];  /* as given, for messages */
    char real[PATH_MAX]; /* where it is moved to (cl_out_real: links resolved) */
    char tmp[PATH_MAX];  /* where the run writes; "" when none */
} cl_outdir;

/* What an existing --out folder becomes at the commit. */
typedef enum {
    CL_OUTDIR_MERGE,   /* the run's files moved in (replacing same-named ones), the others kept */
    CL_OUTDIR_REPLACE, /* replaced whole by the run's folder (report) */
} cl_outdir_mode;

/* Creates the temporary folder beside out (and out's missing parents, as mkdir -p) and
 * registers it for removal at SIGINT/SIGTERM. 0 or a cl_error naming out. */
CL_INTERNAL int cl_outdir_begin(cl_outdir *d, const char *out, cl_error *err);
/* Moves the temporary folder's contents into place; the temporary is gone afterwards,
 * also on failure (a cl_error naming out). */
CL_INTERNAL int cl_outdir_commit(cl_outdir *d, cl_outdir_mode mode, cl_error *err);
/* Removes the temporary folder and everything in it; nothing at out is touched. */
CL_INTERNAL void cl_outdir_abort(cl_outdir *d);

#endif
