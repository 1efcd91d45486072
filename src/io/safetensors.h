/* safetensors.h — read (mmap, validated) and write the safetensors format. */
#ifndef CL_SAFETENSORS_H
#define CL_SAFETENSORS_H

#include "chronolens.h"
#include "core/export.h"
#include <stddef.h>
#include <stdint.h>

#define ST_MAX_DIMS 8
/* The reference allows 100 MB; a Chronos header is ~30 KB, and parsing a 100 MB one takes
 * seconds and over a GB of JSON nodes, so 16 MiB (docs/inputs.md "Limits"). */
#define ST_MAX_HEADER ((size_t)16 << 20)

typedef enum { ST_F32, ST_F16, ST_BF16, ST_F64, ST_I64, ST_I32, ST_I16, ST_I8, ST_U8, ST_BOOL,
               ST_NDTYPES } st_dtype;

typedef struct st_tensor {
    char *name;
    st_dtype dtype;
    int ndim;
    int64_t shape[ST_MAX_DIMS];
    size_t begin, end;  /* offsets in the data area */
    const void *data;   /* points into the mapping */
} st_tensor;

typedef struct st_file {
    char *path;
    void *map;
    size_t size;
    int guard; /* its slot in the SIGBUS guard (st_check), -1: none */
    int n;
    st_tensor *t;
} st_file;

const char *st_dtype_name(st_dtype d);
size_t st_dtype_size(st_dtype d);
CL_INTERNAL size_t st_numel(const st_tensor *t) CL_SYMBOL(st_numel);

/* mmaps path and validates the header: JSON well-formed, known dtypes, byte size =
 * dtype size x product of shape, offsets inside the data area, no overlaps. */
CL_INTERNAL int st_open(const char *path, st_file *f, cl_error *err) CL_SYMBOL(st_open);
CL_INTERNAL void st_close(st_file *f) CL_SYMBOL(st_close);
/* A file truncated while mapped: reading a page past its new end is a SIGBUS. st_open's
 * handler turns that into zero pages for the rest of the mapping and a mark on the file;
 * st_check says so (CL_EIO naming the file), and whoever read the weights discards what it
 * computed. 0 while the file is whole. Faults outside any mapping go to the handler that was
 * there before (or kill the process as before). */
int st_check(const st_file *f, cl_error *err);
CL_INTERNAL const st_tensor *st_find(const st_file *f, const char *name) CL_SYMBOL(st_find);

/* Writer: tensors are referenced, not copied, until st_writer_save. */
typedef struct st_writer st_writer;
CL_INTERNAL st_writer *st_writer_new(void) CL_SYMBOL(st_writer_new);
CL_INTERNAL int st_writer_add(st_writer *w, const char *name, st_dtype dtype, int ndim,
                              const int64_t *shape, const void *data) CL_SYMBOL(st_writer_add);
/* Writes atomically (temporary name, then rename). metadata may be NULL. */
CL_INTERNAL int st_writer_save(st_writer *w, const char *path, const char *format_meta, cl_error *err) CL_SYMBOL(st_writer_save);
/* A string entry of the header's __metadata__ (key and value copied; at most 8 entries,
 * -1 beyond), written beside "format" by st_writer_save / st_writer_begin. */
CL_INTERNAL int st_writer_meta(st_writer *w, const char *key, const char *value) CL_SYMBOL(st_writer_meta);
CL_INTERNAL void st_writer_free(st_writer *w) CL_SYMBOL(st_writer_free);
/* Streaming, for outputs larger than memory: add every tensor with data NULL, then
 * st_writer_begin writes the header (the same file st_writer_save would write) and sizes the
 * temporary; st_writer_put writes bytes [offset, offset + bytes) of tensor `name` (any order,
 * e.g. one chunk of series at a time); st_writer_finish renames it into place.
 * st_writer_free without finish removes it. */
CL_INTERNAL int st_writer_begin(st_writer *w, const char *path, const char *format_meta, cl_error *err) CL_SYMBOL(st_writer_begin);
CL_INTERNAL int st_writer_put(st_writer *w, const char *name, size_t offset, const void *data, size_t bytes, cl_error *err) CL_SYMBOL(st_writer_put);
CL_INTERNAL int st_writer_finish(st_writer *w, cl_error *err) CL_SYMBOL(st_writer_finish);

#endif
