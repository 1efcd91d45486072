/* parse.h — strict parsers for option values that hold lists or ranges
 * (`--freqs 5,10,20`, `--quantiles 0.1,0.5,0.9`, `--range 1910:2187`). Untrusted text:
 * every item is checked, nothing is read past the terminating NUL, nothing is allocated. */
#ifndef CL_PARSE_H
#define CL_PARSE_H

/* Comma-separated finite numbers, each in [lo, hi], at most max of them, written to
 * out[0..*n). Spaces around items are allowed; empty items, "nan", "inf", trailing
 * garbage and more than max items are not. Returns 0, or -1 (out and n then unspecified). */
int cl_parse_double_list(const char *s, double lo, double hi, double *out, int max, int *n);

/* Comma-separated integers in [lo, hi], as cl_parse_double_list. */
int cl_parse_long_list(const char *s, long lo, long hi, long *out, int max, int *n);

/* An integer range "A:B" (decimal, optional sign) with lo <= A <= B <= hi.
 * Whether B is inclusive is the caller's convention; say it in the option's help.
 * Returns 0, or -1. */
int cl_parse_int_range(const char *s, long lo, long hi, long *a, long *b);

#endif
