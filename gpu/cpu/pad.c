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
  n->params.gather = g;
  out[0]->dtype = x->dtype;
  out[0]->shape = os;
  return TRUE;
}

/* The gather on an NHWC frame whose channels map one to one (Pad and nearest Resize of
 * a style network): whole pixels (C floats) copied, consecutive ones in one memcpy.
 * FALSE when the channel map is not the identity. */
static gboolean
gather_nhwc_pixels (const float *src, const ArtemShape *is, float *dst, const ArtemShape *os,
                    int64_t *const *maps, float fill)
{
  int64_t N = os->dims[0], C = os->dims[1], OH = os->dims[2], OW = os->dims[3];
  int64_t IH = is->dims[2], IW = is->dims[3];
  if (is->dims[1] != C)
    return FALSE;
  for (int64_t c = 0; c < C; c++)
    if (maps[1][c] != c)
      return FALSE;
  /* the column map as runs of consecutive source columns (or of fill) */
  enum { MAX_RUNS = 64 };
  int64_t run_x[MAX_RUNS + 1], run_src[MAX_RUNS];
  const int64_t *wm = maps[3];
  int n_runs = artem_map_runs (wm, OW, run_x, run_src, MAX_RUNS);
#pragma omp parallel for schedule(static) collapse(2)
  for (int64_t b = 0; b < N; b++)
    for (int64_t oy = 0; oy < OH; oy++) {
      float *d = dst + (b * OH + oy) * OW * C;
      int64_t sb = maps[0][b], sy = maps[2][oy];
      if (sb < 0 || sy < 0) {
        for (int64_t i = 0; i < OW * C; i++)
          d[i] = fill;
        continue;
      }
      const float *s = src + (sb * IH + sy) * IW * C;
      if (n_runs >= 0) {
        for (int k = 0; k < n_runs; k++) {
          int64_t x0 = run_x[k], len = (run_x[k + 1] - x0) * C;
          if (run_src[k] < 0)
            for (int64_t i = 0; i < len; i++)
              d[x0 * C + i] = fill;
          else
            memcpy (d + x0 * C, s + run_src[k] * C, len * sizeof (float));
        }
      } else {
        for (int64_t x = 0; x < OW; x++) {
          if (wm[x] < 0)
            for (int64_t c = 0; c < C; c++)
              d[x * C + c] = fill;
          else
            memcpy (d + x * C, s + wm[x] * C, C * sizeof (float));
        }
      }
    }
  return TRUE;
}

void
artem_gather_run (ArtemNode *n, ArtemValue **in, ArtemValue **out, float *scratch)
{
  GatherPlan *g = n->priv;
  if (artem_value_numel (out[0]) == 0)
    return;
  if (in[0]->nhwc && in[0]->shape.ndim == 4) {
    /* an NHWC frame (layout.c): the same gather over the dimensions as stored */
    const ArtemShape *is = &in[0]->shape, *os = &out[0]->shape;
    if (out[0]->dtype == ARTEM_DTYPE_FLOAT &&
        gather_nhwc_pixels (in[0]->data, is, out[0]->data, os, g->maps, g->fill.f))
      return;
    ArtemShape pi = { 4, { is->dims[0], is->dims[2], is->dims[3], is->dims[1] } };
    ArtemShape po = { 4, { os->dims[0], os->dims[2], os->dims[3], os->dims[1] } };
    int64_t *pm[ARTEM_MAX_DIMS] = { g->maps[0], g->maps[2], g->maps[3], g->maps[1] };
    artem_cpu_gather_maps (in[0]->data, &pi, out[0]->data, &po,
                           artem_dtype_size (out[0]->dtype), pm, &g->fill);
    return;
  }
  artem_cpu_gather_maps (in[0]->data, &in[0]->shape, out[0]->data, &out[0]->shape,
                         artem_dtype_size (out[0]->dtype), g->maps, &g->fill);
}

const ArtemOpDef artem_op_pad = { ARTEM_OP_PAD, 0, "Pad", pad_check, pad_prepare, artem_gather_run,
                                  FALSE };
