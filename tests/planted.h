/* planted.h — the planted-circuit model of the induction tests (test_induction.c,
 * test_bf16.c): one induction head, decoder layer P_LAYER, cross-attention head P_HEAD. */
#ifndef CL_TEST_PLANTED_H
#define CL_TEST_PLANTED_H

#include "model/model.h"

enum { P_D = 256, P_H = 4, P_DK = 64, P_HD = 256, P_V = 4096, P_LAYER = 1, P_HEAD = 2 };

typedef struct planted { cl_model *m; float *E, *zero, *ones, *enc_v, *enc_o, *enc_rel, *q, *k, *v, *o; } planted;

/* Builds the model in memory (weights described in planted.c). */
void planted_build(planted *p);
void planted_free(planted *p);
/* Writes it as a Hugging Face folder (config.json + model.safetensors) in dir. */
void planted_save(const planted *p, const char *dir);

#endif
