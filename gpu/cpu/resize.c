/* resize.c — Resize and Upsample, nearest mode, every coordinate transformation and
 * rounding mode of ONNX, as a gather through per-dimension index maps. */
#include "gather-plan.h"
#include <math.h>

static gboolean
resize_check (ArtemNode *n, GError **error)
{
  static const char *const known[] = { "mode", "coordinate_transformation_mode",
                                       "nearest_mode", "cubic_coeff_a", "exclude_outside",
                                       "extrapolation_value", "scales", "width_scale",
                                       "height_scale", NULL };
  if (!artem_attr_check_known (n, known, error))
    return FALSE;
  const char *mode = artem_attr_string (n, "mode", "nearest");
  if (strcmp (mode, "nearest")) {
    artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, n,
                      "mode '%s' is not supported (only nearest)", mode);
    return FALSE;
  }
  const char *ct = artem_attr_string (n, "coordinate_transformation_mode", "half_pixel");
  if (strcmp (ct, "half_pixel") && strcmp (ct, "pytorch_half_pixel") &&
      strcmp (ct, "align_corners") && strcmp (ct, "asymmetric") &&
      strcmp (ct, "tf_half_pixel_for_nn")) {
    artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, n,
                      "coordinate_transformation_mode '%s' is not supported", ct);
    return FALSE;
  }
  const char *nm = artem_attr_string (n, "nearest_mode", "round_prefer_floor");
  if (strcmp (nm, "round_prefer_floor") && strcmp (nm, "round_prefer_ceil") &&
      strcmp (nm, "floor") && strcmp (nm, "ceil")) {
    artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, n, "nearest_mode '%s'", nm);
    return FALSE;
  }
  if (artem_attr_find (n, "width_scale")) {
    artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, n, "legacy Upsample-1 attributes");
    return FALSE;
  }
  return TRUE;
}

static gboolean
resize_prepare (ArtemNode *n, ArtemValue **in, ArtemValue **out, ArtemPlan *plan,
                GError **error)
{
  if (n->n_in < 1 || !in[0]) {
    artem_node_error (error, ARTEM_ERROR_INVALID_MODEL, n, "missing input");
    return FALSE;
  }
  ArtemValue *x = in[0];
  int r = x->shape.ndim;
  float scales[ARTEM_MAX_DIMS];
  gint64 sizes[ARTEM_MAX_DIMS];
  int ns = -1, nz = -1;
  gboolean upsample = !strcmp (n->def->op_type, "Upsample");
  const char *ct, *nm;
  if (upsample || n->opset < 11) {
    ct = "asymmetric";
    nm = "floor";
  } else {
    ct = artem_attr_string (n, "coordinate_transformation_mode", "half_pixel");
    ct = g_intern_string (ct);
    nm = g_intern_string (artem_attr_string (n, "nearest_mode", "round_prefer_floor"));
  }
  if (upsample && n->opset < 9) {
    Onnx__AttributeProto *a = artem_attr_find (n, "scales");
    if (!a || (int) a->n_floats != r) {
      artem_node_error (error, ARTEM_ERROR_INVALID_MODEL, n, "scales attribute must have %d values", r);
      return FALSE;
    }
    for (int i = 0; i < r; i++)
      scales[i] = a->floats[i];
    ns = r;
  } else {
    int si = (upsample || n->opset < 11) ? 1 : 2;
    if (si < n->n_in && in[si] && artem_value_numel (in[si]) > 0) {
      if (!artem_require_const (n, in, si, "scales", error))
        return FALSE;
      ns = artem_value_read_floats (in[si], scales, ARTEM_MAX_DIMS);
    }
    if (!upsample && n->opset >= 11 && n->n_in > 3 && in[3] && artem_value_numel (in[3]) > 0) {
      if (!artem_require_const (n, in, 3, "sizes", error))
        return FALSE;
      nz = artem_value_read_ints (in[3], sizes, ARTEM_MAX_DIMS);
    }
  }
  if ((nz < 0 && ns != r) || (nz >= 0 && nz != r)) {
    artem_node_error (error, ARTEM_ERROR_SHAPE, n, "scales/sizes must have %d values", r);
    return FALSE;
  }
  ArtemShape os = x->shape;
  for (int d = 0; d < r; d++) {
    if (nz >= 0) {
      os.dims[d] = sizes[d];
      scales[d] = x->shape.dims[d] ? (float) sizes[d] / (float) x->shape.dims[d] : 1.f;
    } else {
      if (!(scales[d] > 0.f && scales[d] < 65536.f)) {
        artem_node_error (error, ARTEM_ERROR_SHAPE, n, "invalid scale %g", scales[d]);
        return FALSE;
      }
      os.dims[d] = (int64_t) floorf ((float) x->shape.dims[d] * scales[d]);
    }
    if (os.dims[d] < 0 || os.dims[d] > ARTEM_MAX_NUMEL / 64 ||
        (os.dims[d] > 0 && x->shape.dims[d] == 0)) {
      artem_node_error (error, ARTEM_ERROR_SHAPE, n, "invalid output size");
      return FALSE;
    }
  }
  GatherPlan *g = artem_gather_plan_new (n, plan, &os, x->dtype, error);
  if (!g)
    return FALSE;
  for (int d = 0; d < r; d++) {
    int64_t in_n = x->shape.dims[d], out_n = os.dims[d];
    float s = scales[d];
    for (int64_t o = 0; o < out_n; o++) {
      double c;
      if (!strcmp (ct, "half_pixel"))
        c = (o + 0.5) / s - 0.5;
      else if (!strcmp (ct, "pytorch_half_pixel"))
        c = out_n > 1 ? (o + 0.5) / s - 0.5 : 0.0;
      else if (!strcmp (ct, "align_corners"))
        c = out_n > 1 ? (double) o * (in_n - 1) / (double) (out_n - 1) : 0.0;
      else if (!strcmp (ct, "tf_half_pixel_for_nn"))
        c = (o + 0.5) / s;
      else
        c = o / (double) s;
      int64_t i;
      if (!strcmp (nm, "floor"))
        i = (int64_t) floor (c);
      else if (!strcmp (nm, "ceil"))
        i = (int64_t) ceil (c);
      else if (!strcmp (nm, "round_prefer_ceil"))
        i = (int64_t) floor (c + 0.5);
      else /* round_prefer_floor */
        i = (c - floor (c) == 0.5) ? (int64_t) floor (c) : (int64_t) floor (c + 0.5);
      g->maps[d][o] = CLAMP (i, 0, MAX (in_n - 1, 0));
    }
  }
  n->priv = g;
  out[0]->dtype = x->dtype;
  out[0]->shape = os;
  return TRUE;
}

const ArtemOpDef artem_op_resize = { "Resize", resize_check, resize_prepare, artem_gather_run,
                                     FALSE };
const ArtemOpDef artem_op_upsample = { "Upsample", resize_check, resize_prepare,
                                       artem_gather_run, FALSE };
