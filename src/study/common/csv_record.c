/* csv_record.c — one CSV record split into cells (csv_record.h). */
#include "study/common/csv_record.h"

#include <ctype.h>
#include <string.h>

/* Splits one CSV record starting at *p (double quotes allowed, "" inside quotes) into
 * fields; advances *p past the line end. Returns the field count, or -1 (message in why). */
int cl_csv_record(const char **p, const char *end, char f[CL_CSV_FIELDS][CL_CSV_FIELD], const char **why) {
    const char *s = *p;
    int n = 0;
    for (;;) {
        if (n == CL_CSV_FIELDS) { *why = "more than 64 columns"; return -1; }
        size_t k = 0;
        if (s < end && *s == '"') {
            s++;
            for (;;) {
                if (s >= end) { *why = "unterminated quoted cell"; return -1; }
                if (*s == '"') {
                    if (s + 1 < end && s[1] == '"') s++;
                    else { s++; break; }
                }
                if (k + 1 >= CL_CSV_FIELD) { *why = "a cell longer than 255 characters"; return -1; }
                f[n][k++] = *s++;
            }
        } else {
            while (s < end && *s != ',' && *s != '\n' && *s != '\r') {
                if (*s == '"') { *why = "a quote inside an unquoted cell"; return -1; }
                if (k + 1 >= CL_CSV_FIELD) { *why = "a cell longer than 255 characters"; return -1; }
                f[n][k++] = *s++;
            }
        }
        f[n][k] = 0;
        n++;
        if (s < end && *s == ',') { s++; continue; }
        if (s < end && *s == '\r') s++;
        if (s < end && *s == '\n') s++;
        else if (s < end) { *why = "text after a quoted cell"; return -1; }
        break;
    }
    *p = s;
    return n;
}

void cl_csv_trim(char *s) {
    size_t n = strlen(s), a = 0;
    while (n > 0 && isspace((unsigned char)s[n - 1])) s[--n] = 0;
    while (s[a] && isspace((unsigned char)s[a])) a++;
    if (a) memmove(s, s + a, n - a + 1);
}
