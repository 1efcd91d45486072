/* json.c — JSON output files, written atomically. */
#include "io/json.h"
#include "io/outlock.h"
#include "core/core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int cl_json_save(const char *path, const cJSON *root, cl_error *err) {
    char *text = cJSON_Print(root);
    if (!text) return cl_error_set(err, CL_ENOMEM, "%s: out of memory", path);
    cl_out o;
    int rc = cl_out_open(&o, path, err);
    if (!rc) {
        fputs(text, o.fp);
        fputc('\n', o.fp);
        rc = cl_out_commit(&o, err);
    }
    cJSON_free(text);
    return rc;
}

int cl_json_save_free(const char *path, cJSON *root, cl_error *err) {
    int rc = root ? cl_json_save(path, root, err) : cl_error_set(err, CL_ENOMEM, "%s: out of memory", path);
    cJSON_Delete(root);
    return rc;
}

cJSON *cl_json_num_or_null(double v) { return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull(); }

int cl_json_load(const char *path, cJSON **out, cl_error *err) {
    char *text;
    size_t n;
    *out = NULL;
    if (cl_read_file(path, (size_t)1 << 28, &text, &n, err)) return CL_EIO;
    *out = cJSON_ParseWithLength(text, n);
    free(text);
    if (!*out) return cl_error_set(err, CL_EFORMAT, "%s: not valid JSON", path);
    return 0;
}

int cl_jr_fail(cl_jr *r, const char *what, const char *key) {
    if (!r->rc) r->rc = cl_error_set(r->err, CL_EFORMAT, "%s: key '%s': %s", r->path, key, what);
    return r->rc;
}

static const cJSON *item(cl_jr *r, const cJSON *o, const char *key) {
    if (r->rc) return NULL;
    const cJSON *x = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
    if (!x) cl_jr_fail(r, "missing", key);
    return x;
}

double cl_jr_num(cl_jr *r, const cJSON *o, const char *key) {
    const cJSON *x = item(r, o, key);
    if (!x) return 0;
    if (cJSON_IsNull(x)) return NAN;
    if (!cJSON_IsNumber(x)) { cl_jr_fail(r, "not a number", key); return 0; }
    return x->valuedouble;
}

int cl_jr_int(cl_jr *r, const cJSON *o, const char *key) {
    const cJSON *x = item(r, o, key);
    if (!x) return 0;
    if (!cJSON_IsNumber(x) || x->valuedouble != (double)(int)x->valuedouble) { cl_jr_fail(r, "not an integer", key); return 0; }
    return (int)x->valuedouble;
}

int cl_jr_bool(cl_jr *r, const cJSON *o, const char *key) {
    const cJSON *x = item(r, o, key);
    if (!x) return 0;
    if (!cJSON_IsBool(x)) { cl_jr_fail(r, "not true/false", key); return 0; }
    return cJSON_IsTrue(x);
}

const char *cl_jr_str(cl_jr *r, const cJSON *o, const char *key) {
    const cJSON *x = item(r, o, key);
    if (!x) return NULL;
    if (!cJSON_IsString(x)) { cl_jr_fail(r, "not a string", key); return NULL; }
    return x->valuestring;
}

cl_precision cl_jr_precision(cl_jr *r, const cJSON *o, const char *key) {
    cl_precision p = CL_FP32;
    if (r->rc || !o || !cJSON_GetObjectItemCaseSensitive(o, key)) return p; /* older files: fp32 */
    const char *v = cl_jr_str(r, o, key);
    if (v && cl_precision_parse(v, &p)) cl_jr_fail(r, "not fp32 or bf16", key);
    return p;
}

const cJSON *cl_jr_obj(cl_jr *r, const cJSON *o, const char *key) {
    const cJSON *x = item(r, o, key);
    if (x && !cJSON_IsObject(x)) { cl_jr_fail(r, "not an object", key); return NULL; }
    return x;
}

const cJSON *cl_jr_arr(cl_jr *r, const cJSON *o, const char *key, int *n) {
    const cJSON *x = item(r, o, key);
    if (x && !cJSON_IsArray(x)) { cl_jr_fail(r, "not an array", key); x = NULL; }
    if (n) *n = x ? cJSON_GetArraySize(x) : 0;
    return x;
}

int cl_jr_doubles(cl_jr *r, const cJSON *o, const char *key, double *out, int max) {
    int n;
    const cJSON *a = cl_jr_arr(r, o, key, &n);
    if (!r->rc && (n < 1 || n > max)) cl_jr_fail(r, "not 1 to the most numbers allowed", key);
    for (int i = 0; i < n && !r->rc; i++) out[i] = cl_jr_item_num(r, a, i);
    return r->rc ? 0 : n;
}

double cl_jr_item_num(cl_jr *r, const cJSON *a, int i) {
    if (r->rc) return 0;
    const cJSON *x = cJSON_GetArrayItem(a, i);
    if (cJSON_IsNull(x)) return NAN;
    if (!cJSON_IsNumber(x)) { cl_jr_fail(r, "an item is not a number", a && a->string ? a->string : "array"); return 0; }
    return x->valuedouble;
}
