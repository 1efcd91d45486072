/* report_html.h — the page of `chronolens report`: from the typed results of the four studies
 * (in memory when the report ran them, or read back from DIR/data with their _read functions),
 * its setup (DIR/data/setup.json, written and read here) and the figures under DIR/figures,
 * writes DIR/data/claims.json, DIR/data/claims.csv and DIR/index.html — one self-contained page
 * (inline CSS, inline SVG heatmaps with hover values, figures embedded as PNG data, a little
 * plain JavaScript for the model selector). Runs no model. */
#ifndef CL_REPORT_HTML_H
#define CL_REPORT_HTML_H

#include "chronolens_study.h"

/* The steps of a report, in order, and their names in setup.json */
/* induction (band), induction-all (every non-special token at R = 2, L = 10: the claim
 * `band`), sweep, multisine with the text's amplitudes and with the notebooks' (both are "the
 * reference input", method.md §3), multisine sweep per model */
enum { CL_REPORT_INDUCTION, CL_REPORT_INDUCTION_ALL, CL_REPORT_SWEEP, CL_REPORT_MULTISINE, CL_REPORT_MULTISINE_NB,
       CL_REPORT_MSSWEEP, CL_REPORT_STEPS };
extern const char *const CL_REPORT_STEP_NAMES[CL_REPORT_STEPS];

/* A model of the report: its name and folder and the sizes the setup table shows. */
typedef struct cl_report_model {
    char name[256], path[4096];
    double parameters;
    char dtype[16];     /* of the weights as stored (f32, bf16, ..., mixed) */
    int d_model, d_ff, d_kv, heads, encoder_layers, decoder_layers, vocab_size;
    cl_precision precision; /* of its products (--precision; cl_model_precision) */
    int bolt;               /* 1: Chronos-Bolt or Chronos-2 (repeated random patches; sections in patches) */
    int chronos2;           /* 1: Chronos-2 (bolt is 1 too): time attention, group attention, no decoder */
    int context_length;     /* values (T5 and Bolt) */
    int patch_size, patch_stride, reg_token; /* Chronos-Bolt: the patching, [REG] appended */
} cl_report_model;

/* What data/setup.json holds: how the report was made. */
typedef struct cl_report_setup {
    char version[32], created[64];
    int quick, threads;
    uint64_t seed;
    cl_precision precision; /* of every model's products */
    /* settings of the steps */
    int ind_seq_len, ind_reps, ind_batch;
    double ind_threshold;
    char ind_tokens[128];
    char ind_all_tokens[128];             /* the induction-all step (its L, R, batch: the induction step's) */
    char sweep_reps[256], sweep_lens[256]; /* the grids as given ("2,4,6") */
    int sweep_batch;
    char ms_input[256], ms_nb_input[256];  /* the text's and the notebooks' amplitudes (Chronos-T5) */
    char ind_patches[160];                 /* Chronos-Bolt's induction input ("" without Bolt models) */
    char ms_input_bolt[320], ms_nb_input_bolt[320]; /* Chronos-Bolt's multisine inputs ("" without) */
    char ms_input_c2[320], ms_nb_input_c2[320];     /* Chronos-2's ("" without Chronos-2 models) */
    /* the group-attention step (Chronos-2 models only; ga_groups 0: not run). Kept out of the
     * six steps' list so that reports without Chronos-2 keep their setup.json. */
    int ga_groups, ga_group_size, ga_permutations;
    char ga_lags[128], ga_noises[128];
    double ga_seconds;
    int ms_permutations, mss_configs, mss_permutations;
    int n;
    cl_report_model *models;              /* (n) */
    double step_seconds[CL_REPORT_STEPS], seconds;
} cl_report_setup;

int cl_report_setup_write(const cl_report_setup *s, const char *path, cl_error *err);
int cl_report_setup_read(const char *path, cl_report_setup *s, cl_error *err);
void cl_report_setup_free(cl_report_setup *s);

/* Everything the page shows. mss: (setup.n) one per model. */
typedef struct cl_report_inputs {
    cl_report_setup setup;
    cl_induction_set ind;
    cl_sweep_set sweep;
    cl_induction_set ind_all;       /* n = 0: an older report without the all-token step */
    cl_multisine_result ms;         /* Chronos-T5 models (n = 0: none) */
    cl_multisine_result ms_nb;      /* the notebooks' amplitudes; n = 0: not run */
    cl_multisine_result ms_bolt;    /* Chronos-Bolt models (data/multisine-bolt/; n = 0: none) */
    cl_multisine_result ms_nb_bolt; /* data/multisine-notebook-bolt/ */
    cl_multisine_result ms_c2;      /* Chronos-2 models (data/multisine-chronos2/; n = 0: none) */
    cl_multisine_result ms_nb_c2;   /* data/multisine-notebook-chronos2/ */
    cl_group_attention_result ga;   /* Chronos-2 models (data/group-attention/; n = 0: none) */
    cl_mssweep_result *mss;
    cl_formation_result *formation; /* (setup.n) pts NULL: the model's folder held no formation.csv */
    char **patterns;                /* (setup.n) attention patterns on a real input, as the JSON of
                                     * data/patterns/NAME.json (report_data.h); NULL: none */
} cl_report_inputs;

/* Reads DIR/data/setup.json and the studies' files under DIR/data. */
int cl_report_read(const char *dir, cl_report_inputs *in, cl_error *err);
void cl_report_inputs_free(cl_report_inputs *in);
/* DIR/data/claims.*, DIR/index.html from the inputs (the figures must be in DIR/figures). */
int cl_report_write(const char *dir, const cl_report_inputs *in, cl_error *err);

#endif
