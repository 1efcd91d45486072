/* report_findings.h — the findings table that opens the report page: claim x model, each cell
 * the verdict (linked to the claim's row in the Claims section, id "v<index of the verdict>"),
 * the one number it rests on and a link to the section that shows the evidence; claims across
 * models one cell for the set. */
#ifndef CL_REPORT_FINDINGS_H
#define CL_REPORT_FINDINGS_H

#include "report/report_claims.h"

#include <stdio.h>

void cl_report_findings(FILE *f, const cl_verdicts *v, const char *const *names, int n);

#endif
