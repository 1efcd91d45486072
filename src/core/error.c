/* error.c — the one-line error carried back to the caller. */
#include "chronolens.h"
#include <stdarg.h>
#include <stdio.h>

int cl_error_set(cl_error *err, int code, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}
