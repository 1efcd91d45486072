/* csv_record.h — the records of the small header-named CSV tables the claims read (the scores
 * table, multisine.csv, the multisine sweep's sweep.csv): cells in double quotes may hold
 * commas ("" is a quote); every cell is bounded, nothing is read past `end`. */
#ifndef CL_CSV_RECORD_H
#define CL_CSV_RECORD_H

#define CL_CSV_FIELDS 64
#define CL_CSV_FIELD 256

/* Splits the record at *p into f; advances *p past its line end. Returns the number of
 * cells, or -1 with a reason in *why (a static string). */
int cl_csv_record(const char **p, const char *end, char f[CL_CSV_FIELDS][CL_CSV_FIELD], const char **why);
/* Removes leading and trailing white space in place. */
void cl_csv_trim(char *s);

#endif
