/* ms_common.c — the output folder and spacing options of the multisine commands. */
#include "ms_common.h"
#include "cli.h"

int ms_opt_spacing(int argc, char **argv, int *i, cl_spacing_opts *o) {
    int r = opt_double(argc, argv, i, "--min-strength", 0, 1, &o->min_strength);
    if (!r) r = opt_double(argc, argv, i, "--harmonic-ratio", 0, 1, &o->harmonic_ratio);
    return r;
}
