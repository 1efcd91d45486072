#!/bin/sh
# exports.sh INCLUDE_DIR LIB.so... — what the shared libraries export (nm -D): cl_ names only,
# and every function declared in INCLUDE_DIR/*.h, each declared CL_API.
#
# The libraries are compiled with -fvisibility=hidden: the public API carries CL_API
# (include/chronolens.h), the engine internals the study library calls carry CL_INTERNAL
# (src/core/export.h); everything else stays inside its library. Names reserved to the
# compiler and linker (__*, _init, _fini, _edata, _end) are not ours and are not checked.
set -e
inc=$1
shift
tmp=$(mktemp -d "${TMPDIR:-/tmp}/clexports.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
: > "$tmp/all"
for lib in "$@"; do
    nm -D --defined-only "$lib" | awk '{print $NF}' | sed 's/@.*//' | sort -u > "$tmp/syms"
    cat "$tmp/syms" >> "$tmp/all"
    grep -v -e '^cl_' -e '^__' -e '^_init$' -e '^_fini$' -e '^_edata$' -e '^_end$' "$tmp/syms" > "$tmp/bad" || true
    if [ -s "$tmp/bad" ]; then
        echo "$lib exports $(wc -l < "$tmp/bad") names without the cl_ prefix (declare the public ones CL_API"
        echo "with a cl_ name; internal ones must not be exported, see src/core/export.h):"
        sed 's/^/  /' "$tmp/bad"
        fail=1
    fi
    echo "$lib: $(grep -c '^cl_' "$tmp/syms") cl_ names exported"
done
# a CL_API declaration whose definition does not see it (its .c not including the header) is
# compiled hidden: the function is missing from the shared library
sed -n 's/^CL_API [^(]*[ *]\(cl_[A-Za-z0-9_]*\)(.*/\1/p' "$inc"/*.h | sort -u > "$tmp/api"
sort -u "$tmp/all" > "$tmp/all.sorted"
comm -23 "$tmp/api" "$tmp/all.sorted" > "$tmp/missing"
if [ -s "$tmp/missing" ]; then
    echo "declared CL_API in $inc but exported by none of the libraries (is the header included where it is defined?):"
    sed 's/^/  /' "$tmp/missing"
    fail=1
fi
# a public declaration without CL_API is compiled hidden too: no binding can call it
grep -n '^[a-z][^(]*[ *]cl_[A-Za-z0-9_]*(' "$inc"/*.h | grep -v -e ':static ' -e ':typedef ' > "$tmp/bare" || true
if [ -s "$tmp/bare" ]; then
    echo "declared in $inc without CL_API (hidden from the shared libraries):"
    sed 's/^/  /' "$tmp/bare"
    fail=1
fi
echo "$(wc -l < "$tmp/api") CL_API functions in $inc"
exit $fail
