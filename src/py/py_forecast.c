/* py_forecast.c — flat entry points (chronolens_study.h) of forecasting: ChronosPipeline.predict,
 * the summary the forecast command writes, and the context-parroting baseline. */
#include "chronolens_study.h"
#include "study/forecast/forecast.h"
#include "study/forecast/parrot.h"
#include "py/py_progress.h"

int cl_py_forecast(const cl_model *m, const float *context, int B, int L, int horizon, int samples,
                   double temperature, int top_k, double top_p, uint64_t seed, int batch, int use_cache,
                   cl_py_progress progress, void *ctx, float *values, cl_error *err) {
    if (B < 1 || L < 1) return cl_error_set(err, CL_EINVAL, "forecast: context of %d series x %d values", B, L);
    if (horizon < 1) return cl_error_set(err, CL_EINVAL, "forecast: horizon %d: must be >= 1", horizon);
    if (samples < 1) return cl_error_set(err, CL_EINVAL, "forecast: samples %d: must be >= 1", samples);
    if (batch < 0) return cl_error_set(err, CL_EINVAL, "forecast: batch %d: must be >= 0 (0 = auto)", batch);
    const char *bad;
    if ((bad = cl_sampling_rule(CL_SAMPLING_TEMPERATURE, temperature)))
        return cl_error_set(err, CL_EINVAL, "forecast: temperature %g: %s", temperature, bad);
    if ((bad = cl_sampling_rule(CL_SAMPLING_TOP_K, top_k)))
        return cl_error_set(err, CL_EINVAL, "forecast: top_k %d: %s", top_k, bad);
    if ((bad = cl_sampling_rule(CL_SAMPLING_TOP_P, top_p)))
        return cl_error_set(err, CL_EINVAL, "forecast: top_p %g: %s", top_p, bad);
    cl_forecast_opts o;
    cl_forecast_default(cl_model_config(m), &o);
    o.samples = samples;
    o.sampling.temperature = (float)temperature;
    o.sampling.top_k = top_k;
    o.sampling.top_p = (float)top_p;
    o.seed = seed;
    o.batch = batch;
    o.use_cache = use_cache != 0;
    cl_py_progress_ctx pp;
    o.progress = cl_py_progress_of(&pp, progress, ctx);
    return cl_forecast(m, &o, context, B, L, horizon, values, err);
}

int cl_py_forecast_summary(const float *values, int B, int S, int H, const double *levels, int nq, float *mean,
                           float *quant, cl_error *err) {
    for (int i = 0; i < nq; i++)
        if (!(levels[i] > 0 && levels[i] < 1))
            return cl_error_set(err, CL_EINVAL, "forecast: quantile level %g is not in (0, 1)", levels[i]);
    return cl_forecast_summary(values, B, S, H, levels, nq, mean, quant, err);
}

int cl_py_parrot(const float *x, int B, int L, int window, int H, float *out, double *info, cl_error *err) {
    for (int b = 0; b < B; b++) {
        cl_parrot_info pi;
        int rc = cl_parrot_forecast(x + (size_t)b * L, L, window, H, out + (size_t)b * H, &pi, err);
        if (rc) return rc;
        info[4 * b] = pi.period;
        info[4 * b + 1] = pi.distance;
        info[4 * b + 2] = pi.scale;
        info[4 * b + 3] = pi.fallback;
    }
    return 0;
}
