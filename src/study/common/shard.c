/* shard.c — parts of a study (--shard K/N): a part writes its study's files for its units
 * and shard.json (study, part, of, units, and what the merge needs that the files do not
 * hold); the merge (report/merge.c) reads the parts back here and has each study module
 * join its units. */
#include "study/common/shard.h"
#include "core/core.h"
#include "io/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int cl_shard_parse(const char *text, cl_shard *s, cl_error *err) {
    long k = 0, n = 0;
    char *end;
    k = strtol(text, &end, 10);
    if (end != text && *end == '/') n = strtol(end + 1, &end, 10); else end = (char *)text;
    if (*end || k < 1 || n < 1 || k > n || n > 100000)
        return cl_error_set(err, CL_EINVAL, "option --shard: '%.100s' is not K/N with 1 <= K <= N <= 100000", text);
    s->k = (int)k;
    s->n = (int)n;
    return 0;
}

int cl_shard_write(const char *dir, const char *study, const cl_shard *s, int units, void *extra_json, cl_error *err) {
    char path[4096];
    cJSON *root = extra_json ? (cJSON *)extra_json : cJSON_CreateObject();
    cJSON_AddStringToObject(root, "study", study);
    cJSON_AddNumberToObject(root, "part", s->k);
    cJSON_AddNumberToObject(root, "of", s->n);
    cJSON_AddNumberToObject(root, "units", units);
    return cl_json_save_free(cl_path_join(path, sizeof path, dir, CL_SHARD_FILE), root, err);
}

int cl_shard_present(const char *dir) {
    char path[4096];
    struct stat st;
    return stat(cl_path_join(path, sizeof path, dir, CL_SHARD_FILE), &st) == 0;
}

/* ------------------------------------------------------------------ reading the parts back */

int cl_shard_parts_load(const char *const *dirs, int n, cl_shard_part *p, cl_error *err) {
    for (int i = 0; i < n; i++) {
        char path[4096];
        cl_path_join(path, sizeof path, dirs[i], CL_SHARD_FILE);
        if (cl_json_load(path, &p[i].root, err)) return CL_EFORMAT;
        cl_jr j = {path, err, 0};
        p[i].study = cl_jr_str(&j, p[i].root, "study");
        p[i].k = cl_jr_int(&j, p[i].root, "part");
        p[i].n = cl_jr_int(&j, p[i].root, "of");
        p[i].units = cl_jr_int(&j, p[i].root, "units");
        if (j.rc) return j.rc;
        if (strcmp(p[i].study, p[0].study) || p[i].n != p[0].n || p[i].units != p[0].units)
            return cl_error_set(err, CL_EINVAL, "%s: part of another run (%s, %d parts, %d units) than %s", dirs[i], p[i].study,
                                p[i].n, p[i].units, dirs[0]);
        if (p[i].n != n) return cl_error_set(err, CL_EINVAL, "%s: part %d of %d, but %d parts given", dirs[i], p[i].k, p[i].n, n);
        for (int j2 = 0; j2 < i; j2++)
            if (p[j2].k == p[i].k) return cl_error_set(err, CL_EINVAL, "%s and %s: both are part %d", dirs[j2], dirs[i], p[i].k);
    }
    return 0;
}

/* the part (index into p) that holds unit u */
int cl_shard_part_of(const cl_shard_part *p, int n, int u) {
    for (int i = 0; i < n; i++)
        if (u % p[i].n == p[i].k - 1) return i;
    return -1;
}

void cl_shard_parts_free(cl_shard_part *p, int n) {
    for (int i = 0; p && i < n; i++) cJSON_Delete(p[i].root);
}

int cl_shard_check(const cl_shard *s, int units, const char *what, cl_error *err) {
    if (s && s->n > units) return cl_error_set(err, CL_EINVAL, "option --shard: %d parts for %d %s", s->n, units, what);
    return 0;
}
