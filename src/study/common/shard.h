/* shard.h — writing a part's shard.json and the multisine sweep's exact pairs (shard.c). */
#ifndef CL_SHARD_H
#define CL_SHARD_H

#include "chronolens_study.h"

/* dir/shard.json: {study, part, of, units} added to extra_json (a cJSON object the call
 * consumes; NULL: none). */
int cl_shard_write(const char *dir, const char *study, const cl_shard *s, int units, void *extra_json, cl_error *err);
/* 1 when dir holds a shard.json (a part: its files may hold only its units). */
int cl_shard_present(const char *dir);
/* A multisine-sweep part: dir/mssweep-part.safetensors (its pairs, exactly) and shard.json. */
int cl_mssweep_write_part(const cl_mssweep_result *r, const cl_shard *s, const char *dir, cl_error *err);

#endif
