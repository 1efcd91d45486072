/* outlock.h — outputs a researcher can trust: every output path checked before any work, one
 * run owning an output at a time (a lock file beside it), the process's own temporaries
 * removed on SIGINT/SIGTERM, and stale temporaries of dead runs removed by the next run.
 *
 * Naming (shared with files.c and the report): a file output NAME is written through
 * NAME.tmp.PID.XXXXXX, a folder output DIR through .DIR.tmp-PID-XXXXXX, the lock is .NAME.lock
 * beside the output. PID is the writer's process id: a temporary whose PID is no longer a
 * running process is stale, and only such names are ever removed. */
#ifndef CL_OUTLOCK_H
#define CL_OUTLOCK_H

#include "chronolens.h"

/* A file output: not a folder, its folder exists and is writable. 0 or a cl_error. */
int cl_out_check(const char *path, cl_error *err);
/* A folder output: a folder or missing, and its parent (or itself) writable. */
int cl_out_check_dir(const char *dir, cl_error *err);
/* Claims path for this process: takes .NAME.lock beside it (another run holding it: an
 * error naming that run's pid) and removes stale temporaries of path's naming pattern (and,
 * for a folder, stale NAME.tmp.PID.* files inside it). Released by cl_out_release_all, at a
 * signal (the lock file removed), or when the process ends (a killed run leaves the lock file,
 * no longer held: the next run takes it). */
int cl_out_claim(const char *path, int is_dir, cl_error *err);
void cl_out_release_all(void);

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
