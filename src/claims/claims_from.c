/* claims_from.c — the multisine data of the claims (claims.h: cl_ms_data) from the typed
 * results of the multisine and multisine-sweep studies, as cl_ms_data_read gets them from
 * their CSV files: the report decides its claims on its in-memory results. */
#include "claims/claims.h"
#include "study/multisine/multisine.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A number as the multisine CSVs hold it (cl_csv_num: 9 significant digits): the claims of
 * the in-memory results and of the files read back (`chronolens claims`) must see the same
 * ties, e.g. two amplitudes that differ in the 12th digit but print alike. */
static double as_written(double x) {
    if (!isfinite(x)) return x;
    char buf[32];
    snprintf(buf, sizeof buf, "%.9g", x);
    return strtod(buf, NULL);
}

static void obs_of(const cl_ms_head *h, int config, int layer, int head, cl_ms_obs *o) {
    memset(o, 0, sizeof *o);
    o->config = config;
    o->layer = layer;
    o->head = head;
    o->gap_gcd = o->freq_gcd = NAN;
    o->amplitude = as_written(h->amplitude);
    o->strength = as_written(h->sp.strength);
    o->periodic = h->sp.periodic;
    o->spacing_hz = as_written(h->sp.spacing_hz);
    o->mass = as_written(h->mass);
    o->max_share = as_written(h->max_share);
}

/* model `name` of a reference-input result: its heads into *obs (none when absent); *tol its
 * input's resolution 1 / duration */
static int ref_of(const cl_multisine_result *r, const char *name, cl_ms_obs **obs, int *n, double *tol) {
    if (!r || *obs) return 0; /* another family's result, or found already */
    const double gap = cl_multisine_smallest_gap(&r->opts.input);
    for (int k = 0; k < r->n; k++) {
        if (strcmp(r->models[k].name, name)) continue;
        const cl_multisine_model *x = &r->res[k];
        const int nh = x->layers * x->heads;
        if (!(*obs = calloc((size_t)(nh > 0 ? nh : 1), sizeof **obs))) return -1;
        for (int i = 0; i < nh; i++) {
            obs_of(&x->h[i], -1, i / x->heads, i % x->heads, &(*obs)[i]);
            (*obs)[i].gap = gap;
        }
        *n = nh;
        *tol = 1.0 / r->opts.input.duration;
        return 0;
    }
    return 0;
}

static int sweep_of(const cl_mssweep_result *r, cl_ms_obs **obs, int *n) {
    if (!r || !r->h || r->heads < 1) return 0;
    if (!(*obs = calloc((size_t)r->C * r->G + 1, sizeof **obs))) return -1;
    int m = 0;
    for (int c = 0; c < r->C; c++) {
        if (r->done && !r->done[c]) continue; /* a shard: another part's configuration */
        for (int g = 0; g < r->G; g++) {
            cl_ms_obs *o = &(*obs)[m++];
            obs_of(&r->h[(size_t)c * r->G + g], c, g / r->heads, g % r->heads, o);
            o->gap = r->gap[c];
            o->gap_gcd = r->gcd[c];
            o->freq_gcd = r->fund[c];
            o->non_divisor = r->nd[c] != 0;
        }
    }
    *n = m;
    return 0;
}

int cl_ms_data_from(const cl_multisine_result *const *ref, const cl_multisine_result *const *notebook, int n_res,
                    const cl_mssweep_result *sweeps, const char *const *models, int n_models, cl_ms_data *d,
                    cl_error *err) {
    memset(d, 0, sizeof *d);
    d->tol_hz = 1.0 / 3;
    d->m = calloc((size_t)(n_models > 0 ? n_models : 1), sizeof *d->m);
    if (!d->m) return cl_error_set(err, CL_ENOMEM, "multisine: out of memory");
    d->n = n_models;
    int rc = 0;
    for (int k = 0; k < n_models && !rc; k++) {
        cl_ms_model *m = &d->m[k];
        snprintf(m->model, sizeof m->model, "%s", models[k]);
        double tol_nb = 0;
        for (int f = 0; f < n_res && !rc; f++) {
            rc = ref_of(ref ? ref[f] : NULL, models[k], &m->ref[0], &m->n_ref[0], &m->tol_hz);
            if (!rc) rc = ref_of(notebook ? notebook[f] : NULL, models[k], &m->ref[1], &m->n_ref[1], &tol_nb);
        }
        if (!m->tol_hz) m->tol_hz = tol_nb;
        if (!rc && sweeps) rc = sweep_of(&sweeps[k], &m->sweep, &m->n_sweep);
    }
    if (rc) {
        cl_ms_data_free(d);
        return cl_error_set(err, CL_ENOMEM, "multisine: out of memory");
    }
    return 0;
}
