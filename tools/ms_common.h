/* ms_common.h — what the multisine and multisine-sweep commands share: the table entries of
 * the options both take, for arguments T holding a cl_spacing_opts, a cl_multisine input
 * (points, duration, noise) and a --permutations count. */
#ifndef CL_MS_COMMON_H
#define CL_MS_COMMON_H

#include "opt.h"

#define MS_SPACING(T, sp)                                                                                         \
    {.name = "--min-strength", .arg = "X", .type = OPT_NUM, .off = offsetof(T, sp.min_strength), .dlo = 0, .dhi = 1, \
     .help = "a spectrum is periodic when its strength is >= X"},                                                  \
    {.name = "--harmonic-ratio", .arg = "X", .type = OPT_NUM, .off = offsetof(T, sp.harmonic_ratio), .dlo = 0,      \
     .dhi = 1, .help = "prominence ratio for a lower harmonic to win"}
#define MS_POINTS(T, in, where, what)                                                                                   \
    {.name = "--points", .arg = "N", .type = OPT_INT, .off = offsetof(T, in.points), .ilo = 8, .ihi = 1000000,        \
     .def = "301, or the " where " when below", .help = what},                                   \
    {.name = "--duration", .arg = "SEC", .type = OPT_NUM, .off = offsetof(T, in.duration), .dlo = 1e-6, .dhi = 1e9,   \
     .def = "3 (N x 3/301 when N < 301)", .help = "time the points span"},                                          \
    {.name = "--noise", .arg = "SIGMA", .type = OPT_NUM, .off = offsetof(T, in.noise), .dlo = 0, .dhi = 1e9,          \
     .help = "Gaussian noise added"}
#define MS_PERMUTATIONS(T, f)                                                                                     \
    {.name = "--permutations", .arg = "N", .type = OPT_INT, .off = offsetof(T, f), .ilo = 0, .ihi = 100000000,       \
     .help = "permutations of the Spearman test"}

#endif
