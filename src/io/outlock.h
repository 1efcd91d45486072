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
/* A file output: not a folder, its folder exists and is writable. 0 or a cl_error. */
int cl_out_check(const char *path, cl_error *err);
/* A folder output: a folder or missing, and its parent (or itself) writable. */
int cl_out_check_dir(const char *dir, cl_error *err);
/* Claims path for this process: takes .NAME.lock beside its real path (another run holding
 * it: an error naming that run's pid) and removes stale temporaries of path's name beside it
 * (under that lock: no live run is writing them). Released by cl_out_release_all, at a
 * signal (the lock file removed), or when the process ends (a killed run leaves the lock file,
 * no longer held: the next run takes it). */
int cl_out_claim(const char *path, int is_dir, cl_error *err);
void cl_out_release_all(void);

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
/* Installs the SIGINT/SIGTERM/SIGHUP handler: removes every registered temporary and held
 * lock, then dies of the same signal (exit status 128 + signal to a shell). */
void cl_signals_install(void);

#endif
