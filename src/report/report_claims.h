/* report_claims.h — the study's claims (method.md §2, §3) tested on one model's typed results
 * (cl_claims_eval, chronolens_study.h), with the numbers each verdict rests on; their files
 * claims.json and claims.csv. Reads no file and runs nothing. */
#ifndef CL_REPORT_CLAIMS_H
#define CL_REPORT_CLAIMS_H

#include "chronolens_study.h"

#endif
