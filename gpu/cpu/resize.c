/* resize.c — Resize and Upsample.  Nearest mode, every coordinate transformation and
 * rounding mode of ONNX, as a gather through per-dimension index maps; linear mode
 * (bilinear over the last two dimensions, the others unchanged: the upsampling of image
 * decoders) with two taps and a weight per output row and column. */
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
  if (strcmp (mode, "nearest") && strcmp (mode, "linear") && strcmp (mode, "bilinear")) {
    artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, n,
                      "mode '%s' is not supported (nearest and linear are)", mode);
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

/* the source coordinate of output index o along a dimension */
static double
source_coord (const char *ct, int64_t o, int64_t in_n, int64_t out_n, float s)
{
  if (!strcmp (ct, "half_pixel"))
    return (o + 0.5) / s - 0.5;
  if (!strcmp (ct, "pytorch_half_pixel"))
    return out_n > 1 ? (o + 0.5) / s - 0.5 : 0.0;
  if (!strcmp (ct, "align_corners")) {
    /* ONNX's length_resized is in_n * scale, unrounded (sizes give scale = out / in) */
    double len = (double) in_n * s;
    return len > 1.0 + 1e-6 && out_n > 1 ? (double) o * (in_n - 1) / (len - 1.0) : 0.0;
  }
  if (!strcmp (ct, "tf_half_pixel_for_nn"))
    return (o + 0.5) / s;
  return o / (double) s;   /* asymmetric */
}

gboolean
artem_resize_is_linear (const ArtemNode *n)
{
  const char *mode = artem_attr_string ((ArtemNode *) n, "mode", "nearest");
  return !strcmp (mode, "linear") || !strcmp (mode, "bilinear");
}

/* linear mode: the taps (ArtemLinearTaps, op-params.h: the CUDA backend reads them too) */
typedef ArtemLinearTaps LinearPlan;

static void
linear_taps (const char *ct, int64_t in_n, int64_t out_n, float s, int64_t *i0, int64_t *i1,
             float *w)
{
  for (int64_t o = 0; o < out_n; o++) {
    double c = source_coord (ct, o, in_n, out_n, s);
    c = CLAMP (c, 0.0, (double) MAX (in_n - 1, 0));
    int64_t a = (int64_t) floor (c);
    i0[o] = a;
    i1[o] = MIN (a + 1, MAX (in_n - 1, 0));
    w[o] = (float) (c - (double) a);
  }
}

static gboolean
linear_prepare (ArtemNode *n, ArtemValue *x, const ArtemShape *os, const float *scales,
                const char *ct, ArtemPlan *plan, GError **error)
{
  int r = x->shape.ndim;
  if (r < 2 || x->dtype != ARTEM_DTYPE_FLOAT) {
    artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, n,
                      "linear mode needs a float tensor of 2 or more dimensions");
    return FALSE;
  }
  int64_t outer = 1;
  for (int d = 0; d < r - 2; d++) {
    if (os->dims[d] != x->shape.dims[d]) {
      artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, n,
                        "linear mode resizes only the last two dimensions");
      return FALSE;
    }
    outer *= x->shape.dims[d];
  }
  if (!artem_plan_check_tensor (n, plan, os, x->dtype, error))
    return FALSE;
  int64_t oh = os->dims[r - 2], ow = os->dims[r - 1];
  gsize bytes = sizeof (LinearPlan) + (gsize) (oh + ow) * (2 * sizeof (int64_t) + sizeof (float));
  if (plan->priv_bytes + bytes > plan->memory_limit) {
    artem_node_error (error, ARTEM_ERROR_SHAPE, n, "resize taps pass the memory limit");
    return FALSE;
  }
  LinearPlan *lp = g_try_malloc0 (bytes);
  if (!lp) {
    artem_node_error (error, ARTEM_ERROR_SHAPE, n, "cannot allocate the resize taps");
    return FALSE;
  }
  plan->priv_bytes += bytes;
  lp->outer = outer;
  lp->ih = x->shape.dims[r - 2]; lp->iw = x->shape.dims[r - 1];
  lp->oh = oh; lp->ow = ow;
  int64_t *iv = (int64_t *) (lp + 1);
  lp->y0 = iv; lp->y1 = iv + oh; lp->x0 = iv + 2 * oh; lp->x1 = iv + 2 * oh + ow;
  lp->wy = (float *) (iv + 2 * (oh + ow));
  lp->wx = lp->wy + oh;
  linear_taps (ct, lp->ih, oh, scales[r - 2], lp->y0, lp->y1, lp->wy);
  linear_taps (ct, lp->iw, ow, scales[r - 1], lp->x0, lp->x1, lp->wx);
  n->priv = lp;
  n->params.linear = lp;
  /* 4 loads, 3 multiply-adds a value */
  plan->cost = 7.0 * (double) outer * oh * ow;
  return TRUE;
}

static void
linear_run (ArtemNode *n, ArtemValue **in, ArtemValue **out)
{
  const LinearPlan *lp = n->priv;
  const float *x = in[0]->data;
  float *y = out[0]->data;
  int64_t ih = lp->ih, iw = lp->iw, oh = lp->oh, ow = lp->ow;
  if (ih == 0 || iw == 0)
    return;
#pragma omp parallel for schedule(static) collapse(2) if (lp->outer * oh * ow > 65536)
  for (int64_t p = 0; p < lp->outer; p++)
    for (int64_t oy = 0; oy < oh; oy++) {
      const float *r0 = x + (p * ih + lp->y0[oy]) * iw, *r1 = x + (p * ih + lp->y1[oy]) * iw;
      float wy = lp->wy[oy];
      float *dst = y + (p * oh + oy) * ow;
      for (int64_t ox = 0; ox < ow; ox++) {
        int64_t a = lp->x0[ox], b = lp->x1[ox];
        float wx = lp->wx[ox];
        float top = r0[a] + wx * (r0[b] - r0[a]), bot = r1[a] + wx * (r1[b] - r1[a]);
        dst[ox] = top + wy * (bot - top);
      }
    }
}

static void
resize_run (ArtemNode *n, ArtemValue **in, ArtemValue **out, float *scratch)
{
  if (artem_resize_is_linear (n))
    linear_run (n, in, out);
  else
    artem_gather_run (n, in, out, scratch);
}

/* the scales (*ns of them) or output sizes (*nz), from the attribute (Upsample before
 * opset 9) or the constant inputs; -1 where absent */
static gboolean
read_scales (ArtemNode *n, ArtemValue **in, gboolean upsample, float *scales, int *ns,
             gint64 *sizes, int *nz, GError **error)
{
  int r = in[0]->shape.ndim;
  *ns = *nz = -1;
  if (upsample && n->opset < 9) {
    Onnx__AttributeProto *a = artem_attr_find (n, "scales");
    if (!a || (int) a->n_floats != r) {
      artem_node_error (error, ARTEM_ERROR_INVALID_MODEL, n, "scales attribute must have %d values",
                        r);
      return FALSE;
    }
    for (int i = 0; i < r; i++)
      scales[i] = a->floats[i];
    *ns = r;
    return TRUE;
  }
  int si = (upsample || n->opset < 11) ? 1 : 2;
  if (si < n->n_in && in[si] && artem_value_numel (in[si]) > 0) {
    if (!artem_require_const (n, in, si, "scales", error))
      return FALSE;
    *ns = artem_value_read_floats (in[si], scales, ARTEM_MAX_DIMS);
  }
  if (!upsample && n->opset >= 11 && n->n_in > 3 && in[3] && artem_value_numel (in[3]) > 0) {
    if (!artem_require_const (n, in, 3, "sizes", error))
      return FALSE;
    *nz = artem_value_read_ints (in[3], sizes, ARTEM_MAX_DIMS);
  }
  return TRUE;
}

/* nearest mode: the source index of output @o in a dimension of @in_n to @out_n */
static int64_t
nearest_index (const char *ct, const char *nm, int64_t o, int64_t in_n, int64_t out_n, float s)
{
  double c = source_coord (ct, o, in_n, out_n, s);
  int64_t i;
  if (!strcmp (nm, "floor"))
    i = (int64_t) floor (c);
  else if (!strcmp (nm, "ceil"))
    i = (int64_t) ceil (c);
  else if (!strcmp (nm, "round_prefer_ceil"))
    i = (int64_t) floor (c + 0.5);
  else /* round_prefer_floor */
    i = (c - floor (c) == 0.5) ? (int64_t) floor (c) : (int64_t) floor (c + 0.5);
  return CLAMP (i, 0, MAX (in_n - 1, 0));
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
  int ns, nz;
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
  if (!read_scales (n, in, upsample, scales, &ns, sizes, &nz, error))
    return FALSE;
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
  if (artem_resize_is_linear (n)) {
    if (!linear_prepare (n, x, &os, scales, ct, plan, error))
      return FALSE;
    out[0]->dtype = x->dtype;
    out[0]->shape = os;
    return TRUE;
  }
  GatherPlan *g = artem_gather_plan_new (n, plan, &os, x->dtype, error);
  if (!g)
    return FALSE;
  for (int d = 0; d < r; d++)
    for (int64_t o = 0; o < os.dims[d]; o++)
      g->maps[d][o] = nearest_index (ct, nm, o, x->shape.dims[d], os.dims[d], scales[d]);
  n->priv = g;
  n->params.gather = g;
  out[0]->dtype = x->dtype;
  out[0]->shape = os;
  return TRUE;
}

const ArtemOpDef artem_op_resize = { ARTEM_OP_RESIZE, 0, "Resize", resize_check, resize_prepare,
                                     resize_run, FALSE };
const ArtemOpDef artem_op_upsample = { ARTEM_OP_UPSAMPLE, 0, "Upsample", resize_check,
                                       resize_prepare, resize_run, FALSE };
