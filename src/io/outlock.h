/* outlock.h — outputs a researcher can trust: every output path checked before any work, one
 * run owning an output at a time (a lock file beside it), the process's own temporaries
 * removed on SIGINT/SIGTERM, and stale temporaries of dead runs removed by the next run.
 *
 * Naming (shared with files.c and the folder outputs): an output NAME (file or folder) is
 * built as .chronolens-tmp.PID.NAME.XXXXXX beside it, the lock is .NAME.lock beside the
 * output, both in the folder that really holds it (symbolic links resolved). PID is the
 * writer's process id: a temporary whose PID is no longer a running process is stale, and
 * only names with this prefix are ever removed — never a user's own file. */
#ifndef CL_OUTLOCK_H
#define CL_OUTLOCK_H

#include "chronolens.h"
#include "core/export.h"

#define CL_TMP_PREFIX ".chronolens-tmp."

/* The real path an output is written at: an existing path with its symbolic links resolved
 * (a link is followed to its target, which is replaced — never the link), a new name as the
 * real path of its folder plus the name. Refused (CL_EINVAL, one line): an existing path that
 * is not a regular file (is_dir 0) or a folder (is_dir 1) — a device, FIFO or socket — and a
 * broken symbolic link. */
int cl_out_real(const char *path, int is_dir, char *real, size_t n, cl_error *err);
/* cl_out_check, cl_out_check_dir, cl_out_claim, cl_out_release_all and cl_signals_install:
 * chronolens.h (the command line and bindings take outputs through them). */

/* Atomic output (outfile.c): open a temporary file beside path's real path; cl_out_commit
 * renames it into place, cl_out_abort removes it. Nothing half-written ever carries the
 * final name. */
typedef struct cl_out { void *fp; char path[4096], real[4096], tmp[4096]; } cl_out; /* path as given, real: written */
CL_INTERNAL int cl_out_open(cl_out *o, const char *path, cl_error *err);
CL_INTERNAL int cl_out_commit(cl_out *o, cl_error *err);
CL_INTERNAL void cl_out_abort(cl_out *o);

/* The temporaries this process has open: removed by the SIGINT/SIGTERM handler. */
void cl_tmp_register(const char *path, int is_dir);
void cl_tmp_unregister(const char *path);
/* Creates the temporary prefix + 6 hex digits (a file: returns its descriptor, opened
 * read-write; a folder: returns 0), registered before it exists. -1 and errno on failure. */
int cl_tmp_create(char *tmp, size_t n, const char *prefix, int is_dir);

#endif
