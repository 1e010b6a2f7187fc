/* pad.c — Pad (constant, reflect, edge; pads as attribute or constant input) as a
 * gather through per-dimension index maps. */
#include "gather-plan.h"

typedef enum { PAD_CONSTANT, PAD_REFLECT, PAD_EDGE } PadMode;

static PadMode
pad_mode (ArtemNode *n)
{
  const char *m = artem_attr_string (n, "mode", "constant");
  return !strcmp (m, "reflect") ? PAD_REFLECT : !strcmp (m, "edge") ? PAD_EDGE : PAD_CONSTANT;
}

static gboolean
pad_check (ArtemNode *n, GError **error)
{
  static const char *const known[] = { "mode", "pads", "value", "paddings", NULL };
  if (!artem_attr_check_known (n, known, error))
    return FALSE;
  const char *m = artem_attr_string (n, "mode", "constant");
  if (strcmp (m, "constant") && strcmp (m, "reflect") && strcmp (m, "edge")) {
    artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, n, "mode '%s' is not supported", m);
    return FALSE;
  }
  return TRUE;
}

/* Allocates a GatherPlan with room for the maps of @out. */
GatherPlan *
artem_gather_plan_new (ArtemNode *n, ArtemPlan *plan, const ArtemShape *out, ArtemDType dtype,
                       GError **error)
{
  if (!artem_plan_check_tensor (n, plan, out, dtype, error))
    return NULL;
  int64_t total = 0;
  for (int d = 0; d < out->ndim; d++)
    total += out->dims[d];
  gsize bytes = sizeof (GatherPlan) + (gsize) MAX (total, 1) * sizeof (int64_t);
  if (bytes > plan->memory_limit || plan->priv_bytes + bytes > plan->memory_limit) {
    artem_node_error (error, ARTEM_ERROR_SHAPE, n, "index maps of %" G_GSIZE_FORMAT
                      " MiB pass the memory limit", bytes >> 20);
    return NULL;
  }
  GatherPlan *g = g_try_malloc0 (bytes);
  if (!g) {
    artem_node_error (error, ARTEM_ERROR_SHAPE, n, "cannot allocate %" G_GSIZE_FORMAT
                      " bytes of index maps", bytes);
    return NULL;
  }
  plan->priv_bytes += bytes;
  int64_t off = 0;
  for (int d = 0; d < out->ndim; d++) {
    g->maps[d] = g->storage + off;
    off += out->dims[d];
  }
  return g;
}

static int64_t
pad_map (int64_t i, int64_t n, PadMode mode)
{
  if (i >= 0 && i < n)
    return i;
  if (n == 0 || mode == PAD_CONSTANT)
    return -1;
  if (mode == PAD_EDGE)
    return i < 0 ? 0 : n - 1;
  if (n == 1)
    return 0;
  int64_t period = 2 * (n - 1);
  i %= period;
  if (i < 0)
    i += period;
  return i < n ? i : period - i;
}

static gboolean
pad_prepare (ArtemNode *n, ArtemValue **in, ArtemValue **out, ArtemPlan *plan, GError **error)
{
  if (n->n_in < 1 || !in[0]) {
    artem_node_error (error, ARTEM_ERROR_INVALID_MODEL, n, "missing input");
    return FALSE;
  }
  ArtemValue *x = in[0];
  int r = x->shape.ndim;
  gint64 pads[2 * ARTEM_MAX_DIMS];
  int np;
  float value = 0.f;
  if (n->opset < 11) {
    np = artem_attr_ints (n, n->opset < 2 ? "paddings" : "pads", pads, 2 * ARTEM_MAX_DIMS);
    value = artem_attr_float (n, "value", 0.f);
  } else {
    if (!artem_require_const (n, in, 1, "pads", error))
      return FALSE;
    np = artem_value_read_ints (in[1], pads, 2 * ARTEM_MAX_DIMS);
    if (n->n_in > 2 && in[2]) {
      if (!artem_require_const (n, in, 2, "constant_value", error))
        return FALSE;
      if (artem_value_read_floats (in[2], &value, 1) != 1) {
        artem_node_error (error, ARTEM_ERROR_SHAPE, n, "constant_value must be a scalar");
        return FALSE;
      }
    }
  }
  if (np != 2 * r) {
    artem_node_error (error, ARTEM_ERROR_SHAPE, n, "pads has %d values for rank %d", np, r);
    return FALSE;
  }
  PadMode mode = pad_mode (n);
  ArtemShape os = x->shape;
  for (int d = 0; d < r; d++) {
    if (pads[d] > ARTEM_MAX_NUMEL || pads[d + r] > ARTEM_MAX_NUMEL ||
        pads[d] < -ARTEM_MAX_NUMEL || pads[d + r] < -ARTEM_MAX_NUMEL) {
      artem_node_error (error, ARTEM_ERROR_SHAPE, n, "absurd padding");
      return FALSE;
    }
    os.dims[d] = x->shape.dims[d] + pads[d] + pads[d + r];
    if (os.dims[d] < 0 || (mode != PAD_CONSTANT && x->shape.dims[d] == 0 && os.dims[d] > 0)) {
      artem_node_error (error, ARTEM_ERROR_SHAPE, n, "padding gives an invalid size");
      return FALSE;
    }
    if (os.dims[d] > ARTEM_MAX_NUMEL / 64) {
      artem_node_error (error, ARTEM_ERROR_SHAPE, n, "absurd padding");
      return FALSE;
    }
  }
  GatherPlan *g = artem_gather_plan_new (n, plan, &os, x->dtype, error);
  if (!g)
    return FALSE;
  for (int d = 0; d < r; d++)
    for (int64_t o = 0; o < os.dims[d]; o++)
      g->maps[d][o] = pad_map (o - pads[d], x->shape.dims[d], mode);
  if (x->dtype == ARTEM_DTYPE_FLOAT)
    g->fill.f = value;
  else
    g->fill.i = (int64_t) value;
  n->priv = g;
  out[0]->dtype = x->dtype;
  out[0]->shape = os;
  return TRUE;
}

void
artem_gather_run (ArtemNode *n, ArtemValue **in, ArtemValue **out, float *scratch)
{
  GatherPlan *g = n->priv;
  if (artem_value_numel (out[0]) == 0)
    return;
  artem_cpu_gather_maps (in[0]->data, &in[0]->shape, out[0]->data, &out[0]->shape,
                         artem_dtype_size (out[0]->dtype), g->maps, &g->fill);
}

const ArtemOpDef artem_op_pad = { "Pad", pad_check, pad_prepare, artem_gather_run, FALSE };
