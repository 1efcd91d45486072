/* shard.h — a study's parts (--shard K/N): shard.json written by each part and read back by
 * the merge (shard.c). */
#ifndef CL_SHARD_H
#define CL_SHARD_H

#include "chronolens_study.h"

#include <cjson/cJSON.h>

#define CL_SHARD_FILE "shard.json"

/* dir/shard.json: {study, part, of, units} added to extra_json (a cJSON object the call
 * consumes; NULL: none). */
int cl_shard_write(const char *dir, const char *study, const cl_shard *s, int units, void *extra_json, cl_error *err);
/* 1 when dir holds a shard.json (a part: its files may hold only its units). */
int cl_shard_present(const char *dir);

/* One part as the merge reads it: its shard.json (root, owned) and what it says. */
typedef struct cl_shard_part { cJSON *root; int k, n, units; const char *study; } cl_shard_part;
/* Reads dirs[0..n)/shard.json into p[0..n): parts of one run, each part once, n of n. */
int cl_shard_parts_load(const char *const *dirs, int n, cl_shard_part *p, cl_error *err);
/* the part (index into p) that holds unit u; -1: none */
int cl_shard_part_of(const cl_shard_part *p, int n, int u);
void cl_shard_parts_free(cl_shard_part *p, int n);

#endif
