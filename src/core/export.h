/* export.h — engine internals that libchronolens_study.so calls.
 *
 * The libraries are compiled with -fvisibility=hidden: a shared build exports the public API
 * (CL_API, include/) and hides everything else. The study library is linked against the
 * engine's shared library, so the engine functions it calls must be exported too; those carry
 * CL_INTERNAL. They are not API: no header of include/ declares them and they may change
 * with the library. A study-side call of an engine function without it fails the link of
 * libchronolens_study.so ("undefined reference", -Wl,--no-undefined): mark the declaration.
 *
 * The shared libraries export cl_ names only (tests/exports.sh). An internal name with its
 * module's prefix (st_open, csv_read_context, npy_write_f32) keeps it in the code and takes
 * the cl_ name as its symbol: CL_INTERNAL ... CL_SYMBOL(st_open) exports it as cl_st_open. */
#ifndef CL_EXPORT_H
#define CL_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define CL_INTERNAL __attribute__((visibility("default")))
#define CL_SYMBOL(name) __asm__("cl_" #name)
#else
#define CL_INTERNAL
#define CL_SYMBOL(name)
#endif

#endif
