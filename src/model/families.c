/* families.c — the model families chronolens runs, in one list: the only generic file that
 * names them (tests/check_layers.py holds the others to family.h's table). Adding a family
 * (Chronos-2 next) is its folder, its table, and one line here. Also the public questions
 * about a model's family (cl_model_is_bolt, cl_model_require_t5). */
#include "model/family.h"
#include "model/model.h"
#include "model/bolt/bolt.h"
#include "model/chronos2/chronos2.h"
#include "model/t5/t5.h"

#include <stddef.h>

/* in cfg.family order; the first is the default (a config no other family claims) */
static const cl_family *const FAMILIES[] = {&cl_family_t5, &cl_family_bolt, &cl_family_chronos2};
enum { NFAMILIES = sizeof FAMILIES / sizeof FAMILIES[0] };

const cl_family *cl_family_at(int i) { return i >= 0 && i < NFAMILIES ? FAMILIES[i] : NULL; }

const cl_family *cl_family_of(int id) {
    for (int i = 0; i < NFAMILIES; i++)
        if (FAMILIES[i]->id == id) return FAMILIES[i];
    return FAMILIES[0];
}

/* the last family first: a later family's detect is the more specific one (a Chronos-2
 * config also has the input_patch_size that tells a Chronos-Bolt one without architectures) */
const cl_family *cl_family_detect(const cJSON *root) {
    for (int i = NFAMILIES - 1; i >= 0; i--)
        if (FAMILIES[i]->detect && FAMILIES[i]->detect(root)) return FAMILIES[i];
    return FAMILIES[0];
}

int cl_model_is_bolt(const cl_model *m) { return m && m->cfg.family == CL_FAMILY_BOLT; }

int cl_model_require_t5(const cl_model *m, const char *dir, const char *what, cl_error *err) {
    if (!m || m->cfg.family == CL_FAMILY_T5) return 0;
    if (!cl_model_is_bolt(m))
        return cl_error_set(err, CL_EINVAL, "%s: is a %s model; %s runs Chronos-T5 models only", dir,
                            cl_family_of(m->cfg.family)->name, what);
    return cl_error_set(err, CL_EINVAL,
                        "%s: is a Chronos-Bolt model; %s runs Chronos-T5 models only (Bolt: info, forward, forecast, "
                        "embed, induction, sweep, multisine, multisine-sweep)", dir, what);
}
