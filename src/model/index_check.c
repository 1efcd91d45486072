/* index_check.c — a layer or head index against the model: one message, naming the valid
 * range, for every way an index comes in (forward's --layers/--heads, a capture, a head gate,
 * the Python package, which reaches the last two), so the command and Python refuse alike. */
#include "chronolens.h"
#include "core/core.h"

int cl_layer_check(const cl_config *c, cl_stack st, int layer, const char *what, cl_error *err) {
    const int nl = st == CL_ENC_SELF ? c->num_layers : c->num_decoder_layers;
    if (layer < 0 || layer >= nl)
        return cl_error_set(err, CL_EINVAL, "%s: layer %d is outside the model's %d %s layers [0, %d)", what, layer, nl,
                            st == CL_ENC_SELF ? "encoder" : "decoder", nl);
    return 0;
}

int cl_head_check(const cl_config *c, int head, const char *what, cl_error *err) {
    if (head < 0 || head >= c->num_heads)
        return cl_error_set(err, CL_EINVAL, "%s: head %d is outside the model's %d heads [0, %d)", what, head,
                            c->num_heads, c->num_heads);
    return 0;
}
