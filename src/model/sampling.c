/* sampling.c — temperature, EOS suppression, top-k, top-p and the multinomial draw, in the
 * order of the reference (HF generate's warpers as ChronosModel calls them). */
#include "model/sampling.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

/* Outside these ranges the warpers would not warp as asked: a temperature <= 0 divides by
 * zero or flips the logits, top_p <= 0 would remove every token and > 1 none, silently. */
const char *cl_sampling_rule(cl_sampling_key key, double v) {
    switch (key) {
    case CL_SAMPLING_TEMPERATURE:
        if (!(v > 0)) return "must be > 0";
        return v <= FLT_MAX ? NULL : "must be a finite number > 0";
    case CL_SAMPLING_TOP_K: return v >= 0 ? NULL : "must be >= 0";
    case CL_SAMPLING_TOP_P: return v > 0 && v <= 1 ? NULL : "must be in (0, 1]";
    }
    return "is not a sampler setting";
}

int cl_sampling_check(const cl_sampling *p, cl_error *err) {
    const char *bad;
    if ((bad = cl_sampling_rule(CL_SAMPLING_TEMPERATURE, p->temperature)))
        return cl_error_set(err, CL_EINVAL, "temperature %g %s", (double)p->temperature, bad);
    if ((bad = cl_sampling_rule(CL_SAMPLING_TOP_K, p->top_k)))
        return cl_error_set(err, CL_EINVAL, "top-k %d %s", p->top_k, bad);
    if ((bad = cl_sampling_rule(CL_SAMPLING_TOP_P, p->top_p)))
        return cl_error_set(err, CL_EINVAL, "top-p %g %s", (double)p->top_p, bad);
    return 0;
}

int cl_sampler_init(cl_sampler *s, int V, cl_error *err) {
    s->V = V;
    s->work = cl_alloc(sizeof(float) * (size_t)V);
    s->probs = cl_alloc(sizeof(float) * (size_t)V);
    s->order = cl_alloc(sizeof(int) * (size_t)V);
    if (!s->work || !s->probs || !s->order) {
        cl_sampler_free(s);
        return cl_error_set(err, CL_ENOMEM, "sampler: out of memory");
    }
    return 0;
}

void cl_sampler_free(cl_sampler *s) {
    cl_free(s->work); cl_free(s->probs); cl_free(s->order);
    s->work = s->probs = NULL;
    s->order = NULL;
}

/* Min-heap of the k largest values seen: heap[0] is the k-th largest (duplicates count,
 * as torch.topk(...).values[-1]). */
static void sift_down(float *h, int k, int i) {
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < k && h[l] < h[m]) m = l;
        if (r < k && h[r] < h[m]) m = r;
        if (m == i) return;
        float t = h[i]; h[i] = h[m]; h[m] = t;
        i = m;
    }
}

static float kth_largest(const float *x, int n, int k, float *heap) {
    for (int i = 0; i < k; i++) heap[i] = x[i];
    for (int i = k / 2 - 1; i >= 0; i--) sift_down(heap, k, i);
    for (int i = k; i < n; i++)
        if (x[i] > heap[0]) { heap[0] = x[i]; sift_down(heap, k, 0); }
    return heap[0];
}

static int by_logit_ascending(const void *a, const void *b, void *key) {
    int i = *(const int *)a, j = *(const int *)b;
    float x = ((const float *)key)[i], y = ((const float *)key)[j];
    if (x != y) return x < y ? -1 : 1;
    return i < j ? 1 : (i > j ? -1 : 0); /* ties: higher index first, so lower index survives */
}

/* HF TopPLogitsWarper: sort ascending, cumulative softmax, remove while cum <= 1 - top_p,
 * always keep the largest. Tokens already at float min have probability 0, so they are
 * removed either way: only the live candidates are sorted. */
static void top_p_filter(cl_sampler *s, float top_p, float *logits) {
    const int V = s->V;
    int n = 0;
    float mx = -FLT_MAX;
    for (int i = 0; i < V; i++)
        if (logits[i] > -FLT_MAX) { s->order[n++] = i; if (logits[i] > mx) mx = logits[i]; }
    if (n <= 1) return;
    qsort_r(s->order, (size_t)n, sizeof(int), by_logit_ascending, logits);
    float sum = 0;
    for (int i = 0; i < n; i++) { s->probs[i] = expf(logits[s->order[i]] - mx); sum += s->probs[i]; }
    const float limit = 1.0f - top_p;
    float cum = 0;
    for (int i = 0; i < n - 1; i++) { /* the last (largest) is always kept */
        cum += s->probs[i] / sum;
        if (cum <= limit) logits[s->order[i]] = -FLT_MAX;
        else break; /* cumulative sums only grow */
    }
}

void cl_sampling_filter(cl_sampler *s, const cl_sampling *p, float *logits) {
    const int V = s->V;
    if (p->temperature != 1.0f)
        for (int i = 0; i < V; i++) logits[i] /= p->temperature;
    if (p->eos_id >= 0 && p->eos_id < V) logits[p->eos_id] = -FLT_MAX;
    int k = p->top_k < V ? p->top_k : V;
    if (k > 0 && k < V) {
        float kth = kth_largest(logits, V, k, s->probs);
        for (int i = 0; i < V; i++)
            if (logits[i] < kth) logits[i] = -FLT_MAX;
    }
    if (p->top_p < 1.0f) top_p_filter(s, p->top_p, logits);
}

int cl_sample_multinomial(cl_sampler *s, const float *logits, cl_rng *rng) {
    const int V = s->V;
    float mx = -FLT_MAX;
    for (int i = 0; i < V; i++) mx = logits[i] > mx ? logits[i] : mx;
    double total = 0;
    for (int i = 0; i < V; i++) {
        /* removed tokens: probability exactly 0 (unless every token was removed) */
        float e = (logits[i] > -FLT_MAX || mx == -FLT_MAX) ? expf(logits[i] - mx) : 0.0f;
        s->probs[i] = e;
        total += e;
    }
    double u = cl_rng_uniform(rng) * total, cum = 0;
    int last = 0;
    for (int i = 0; i < V; i++) {
        if (s->probs[i] <= 0) continue;
        cum += s->probs[i];
        last = i;
        if (cum > u) return i;
    }
    return last; /* rounding: u landed on the total */
}

int cl_sample_token(cl_sampler *s, const cl_sampling *p, const float *logits, cl_rng *rng) {
    for (int i = 0; i < s->V; i++) s->work[i] = logits[i];
    cl_sampling_filter(s, p, s->work);
    return cl_sample_multinomial(s, s->work, rng);
}
