/* help.h — per-command help from one table (tools/help.c). */
#ifndef CL_HELP_H
#define CL_HELP_H

#include <stdio.h>

/* 1 when cmd has a help entry. */
int help_known(const char *cmd);
/* Prints cmd's usage, options (default, meaning) and an example to f; -1 if unknown. */
int help_print(FILE *f, const char *cmd);
/* One line per command: name and what it does. */
void help_usage(FILE *f);

#endif
