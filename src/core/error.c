/* error.c — the one-line error carried back to the caller. */
#include "chronolens.h"
#include "core/core.h"
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

int cl_error_prefix(cl_error *err, const char *prefix) {
    if (!err) return 0;
    char msg[sizeof err->msg];
    snprintf(msg, sizeof msg, "%s", err->msg);
    snprintf(err->msg, sizeof err->msg, "%.200s: %.500s", prefix, msg);
    return err->code;
}
