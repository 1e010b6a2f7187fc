/* shape.c — shape and data-movement operators: Identity, Shape, Gather, Unsqueeze,
 * Squeeze, Concat, Cast, Slice, Reshape, Flatten, Transpose, ConstantOfShape, Expand,
 * Range.  Around a style network they only compute constants and are folded once the
 * input size is known; they also run on real data. */
#include "gather-plan.h"
#include <math.h>

static gboolean
no_check (ArtemNode *n, GError **error)
{
  return TRUE;
}

static gboolean
need_input (ArtemNode *n, ArtemValue **in, GError **error)
{
  if (n->n_in < 1 || !in[0]) {
    artem_node_error (error, ARTEM_ERROR_INVALID_MODEL, n, "missing input");
    return FALSE;
  }
  return TRUE;
}

static void
copy_run (ArtemNode *n, ArtemValue **in, ArtemValue **out, float *scratch)
{
  if (in[0]->data != out[0]->data)
    memcpy (out[0]->data, in[0]->data, artem_value_numel (out[0]) * artem_dtype_size (out[0]->dtype));
}

static int
norm_axis (int64_t a, int r)
{
  return (int) (a < 0 ? a + r : a);
}

/* Identity */
static gboolean
identity_prepare (ArtemNode *n, ArtemValue **in, ArtemValue **out, ArtemPlan *p, GError **e)
{
  if (!need_input (n, in, e))
    return FALSE;
  out[0]->dtype = in[0]->dtype;
  out[0]->shape = in[0]->shape;
  return TRUE;
}
const ArtemOpDef artem_op_identity = { ARTEM_OP_IDENTITY, 0, "Identity", no_check, identity_prepare,
                                       copy_run, FALSE };

/* Shape */
static gboolean
shape_prepare (ArtemNode *n, ArtemValue **in, ArtemValue **out, ArtemPlan *p, GError **e)
{
  if (!need_input (n, in, e))
    return FALSE;
  int r = in[0]->shape.ndim;
  int64_t s = artem_attr_int (n, "start", 0), en = artem_attr_int (n, "end", r);
  if (s < 0) s += r;
  if (en < 0) en += r;
  s = CLAMP (s, 0, r);
  en = CLAMP (en, 0, r);
  out[0]->dtype = ARTEM_DTYPE_INT64;
  out[0]->shape = (ArtemShape) { 1, { MAX (en - s, 0) } };
  return TRUE;
}
static void
shape_run (ArtemNode *n, ArtemValue **in, ArtemValue **out, float *scratch)
{
  int r = in[0]->shape.ndim;
  int64_t s = artem_attr_int (n, "start", 0);
  if (s < 0) s += r;
  s = CLAMP (s, 0, r);
  for (int64_t i = 0; i < out[0]->shape.dims[0]; i++)
    ((int64_t *) out[0]->data)[i] = in[0]->shape.dims[s + i];
}
const ArtemOpDef artem_op_shape = { ARTEM_OP_SHAPE, 0, "Shape", no_check, shape_prepare, shape_run,
                                    TRUE };

/* Gather */
static gboolean
gather_prepare (ArtemNode *n, ArtemValue **in, ArtemValue **out, ArtemPlan *p, GError **e)
{
  if (!need_input (n, in, e))
    return FALSE;
  if (n->n_in < 2 || !in[1] || in[1]->dtype != ARTEM_DTYPE_INT64) {
    artem_node_error (e, ARTEM_ERROR_INVALID_MODEL, n, "indices must be integers");
    return FALSE;
  }
  int r = in[0]->shape.ndim, q = in[1]->shape.ndim;
  int axis = norm_axis (artem_attr_int (n, "axis", 0), r);
  if (axis < 0 || axis >= r || r + q - 1 > ARTEM_MAX_DIMS) {
    artem_node_error (e, ARTEM_ERROR_SHAPE, n, "bad axis");
    return FALSE;
  }
  if (in[0]->shape.dims[axis] == 0 && artem_value_numel (in[1]) > 0) {
    artem_node_error (e, ARTEM_ERROR_SHAPE, n, "gather from an empty axis");
    return FALSE;
  }
  if (in[1]->is_const) {
    const int64_t *idx = in[1]->data;
    for (int64_t i = 0; i < artem_value_numel (in[1]); i++)
      if (idx[i] < -in[0]->shape.dims[axis] || idx[i] >= in[0]->shape.dims[axis]) {
        artem_node_error (e, ARTEM_ERROR_SHAPE, n, "index %" G_GINT64_FORMAT " out of range",
                          (gint64) idx[i]);
        return FALSE;
      }
  }
  ArtemShape os = { 0 };
  for (int i = 0; i < axis; i++) os.dims[os.ndim++] = in[0]->shape.dims[i];
  for (int i = 0; i < q; i++) os.dims[os.ndim++] = in[1]->shape.dims[i];
  for (int i = axis + 1; i < r; i++) os.dims[os.ndim++] = in[0]->shape.dims[i];
  out[0]->dtype = in[0]->dtype;
  out[0]->shape = os;
  return TRUE;
}
static void
gather_run (ArtemNode *n, ArtemValue **in, ArtemValue **out, float *scratch)
{
  int r = in[0]->shape.ndim;
  int axis = norm_axis (artem_attr_int (n, "axis", 0), r);
  int64_t outer = 1, inner = 1, dim = in[0]->shape.dims[axis];
  for (int i = 0; i < axis; i++) outer *= in[0]->shape.dims[i];
  for (int i = axis + 1; i < r; i++) inner *= in[0]->shape.dims[i];
  gsize es = artem_dtype_size (in[0]->dtype);
  int64_t ni = artem_value_numel (in[1]);
  const int64_t *idx = in[1]->data;
  char *dst = out[0]->data;
  const char *src = in[0]->data;
  if (dim == 0)   /* refused at prepare; nothing to read */
    return;
  for (int64_t o = 0; o < outer; o++)
    for (int64_t i = 0; i < ni; i++) {
      int64_t k = idx[i] < 0 ? idx[i] + dim : idx[i];
      k = CLAMP (k, 0, dim - 1);
      memcpy (dst, src + ((o * dim + k) * inner) * es, inner * es);
      dst += inner * es;
    }
}
const ArtemOpDef artem_op_gather = { ARTEM_OP_GATHER, 0, "Gather", no_check, gather_prepare,
                                     gather_run, FALSE };

/* axes from attribute (old opsets) or constant input 1 (newer ones) */
static int
read_axes (ArtemNode *n, ArtemValue **in, int input_from_opset, gint64 *axes, GError **e)
{
  if (n->opset >= input_from_opset) {
    if (n->n_in < 2 || !in[1])
      return 0;
    if (!artem_require_const (n, in, 1, "axes", e))
      return -1;
    int c = artem_value_read_ints (in[1], axes, ARTEM_MAX_DIMS);
    if (c < 0)
      artem_node_error (e, ARTEM_ERROR_SHAPE, n, "axes must be at most %d integers",
                        ARTEM_MAX_DIMS);
    return c;
  }
  if (!artem_attr_find (n, "axes"))
    return 0;
  int c = artem_attr_ints (n, "axes", axes, ARTEM_MAX_DIMS);
  if (c < 0 || (gsize) c != artem_attr_find (n, "axes")->n_ints) {
    artem_node_error (e, ARTEM_ERROR_SHAPE, n, "axes must be at most %d integers",
                      ARTEM_MAX_DIMS);
    return -1;
  }
  return c;
}

static gboolean
unsqueeze_prepare (ArtemNode *n, ArtemValue **in, ArtemValue **out, ArtemPlan *p, GError **e)
{
  if (!need_input (n, in, e))
    return FALSE;
  gint64 axes[ARTEM_MAX_DIMS];
  int na = read_axes (n, in, 13, axes, e);
  if (na < 0)
    return FALSE;
  int r = in[0]->shape.ndim + na;
  if (na == 0 || r > ARTEM_MAX_DIMS) {
    artem_node_error (e, ARTEM_ERROR_SHAPE, n, "bad axes");
    return FALSE;
  }
  gboolean ins[ARTEM_MAX_DIMS] = { 0 };
  for (int i = 0; i < na; i++) {
    int a = norm_axis (axes[i], r);
    if (a < 0 || a >= r || ins[a]) {
      artem_node_error (e, ARTEM_ERROR_SHAPE, n, "bad axis %" G_GINT64_FORMAT, axes[i]);
      return FALSE;
    }
    ins[a] = TRUE;
  }
  ArtemShape os = { r, { 0 } };
  for (int i = 0, j = 0; i < r; i++)
    os.dims[i] = ins[i] ? 1 : in[0]->shape.dims[j++];
  out[0]->dtype = in[0]->dtype;
  out[0]->shape = os;
  return TRUE;
}
const ArtemOpDef artem_op_unsqueeze = { ARTEM_OP_UNSQUEEZE, 0, "Unsqueeze", no_check,
                                        unsqueeze_prepare, copy_run, FALSE };

static gboolean
squeeze_prepare (ArtemNode *n, ArtemValue **in, ArtemValue **out, ArtemPlan *p, GError **e)
{
  if (!need_input (n, in, e))
    return FALSE;
  gint64 axes[ARTEM_MAX_DIMS];
  int na = read_axes (n, in, 13, axes, e);
  if (na < 0)
    return FALSE;
  int r = in[0]->shape.ndim;
  gboolean drop[ARTEM_MAX_DIMS] = { 0 };
  for (int i = 0; i < na; i++) {
    int a = norm_axis (axes[i], r);
    if (a < 0 || a >= r || in[0]->shape.dims[a] != 1) {
      artem_node_error (e, ARTEM_ERROR_SHAPE, n, "cannot squeeze axis %" G_GINT64_FORMAT, axes[i]);
      return FALSE;
    }
    drop[a] = TRUE;
  }
  ArtemShape os = { 0 };
  for (int i = 0; i < r; i++)
    if (!(na ? drop[i] : in[0]->shape.dims[i] == 1))
      os.dims[os.ndim++] = in[0]->shape.dims[i];
  out[0]->dtype = in[0]->dtype;
  out[0]->shape = os;
  return TRUE;
}
const ArtemOpDef artem_op_squeeze = { ARTEM_OP_SQUEEZE, 0, "Squeeze", no_check, squeeze_prepare,
                                      copy_run, FALSE };

/* Flatten */
static gboolean
flatten_prepare (ArtemNode *n, ArtemValue **in, ArtemValue **out, ArtemPlan *p, GError **e)
{
  if (!need_input (n, in, e))
    return FALSE;
  int r = in[0]->shape.ndim;
  int axis = norm_axis (artem_attr_int (n, "axis", 1), r);
  if (axis < 0 || axis > r) {
    artem_node_error (e, ARTEM_ERROR_SHAPE, n, "bad axis");
    return FALSE;
  }
  int64_t a = 1, b = 1;
  for (int i = 0; i < r; i++) {
    if (i < axis) a *= in[0]->shape.dims[i]; else b *= in[0]->shape.dims[i];
  }
  out[0]->dtype = in[0]->dtype;
  out[0]->shape = (ArtemShape) { 2, { a, b } };
  return TRUE;
}
const ArtemOpDef artem_op_flatten = { ARTEM_OP_FLATTEN, 0, "Flatten", no_check, flatten_prepare,
                                      copy_run, FALSE };

/* Concat */
static gboolean
concat_prepare (ArtemNode *n, ArtemValue **in, ArtemValue **out, ArtemPlan *p, GError **e)
{
  if (!need_input (n, in, e))
    return FALSE;
  int r = in[0]->shape.ndim;
  int axis = norm_axis (artem_attr_int (n, "axis", 0), r);
  if (axis < 0 || axis >= r) {
    artem_node_error (e, ARTEM_ERROR_SHAPE, n, "bad axis");
    return FALSE;
  }
  ArtemShape os = in[0]->shape;
  os.dims[axis] = 0;
  for (int k = 0; k < n->n_in; k++) {
    if (!in[k] || in[k]->shape.ndim != r || in[k]->dtype != in[0]->dtype) {
      artem_node_error (e, ARTEM_ERROR_SHAPE, n, "inputs differ in rank or type");
      return FALSE;
    }
    for (int d = 0; d < r; d++)
      if (d != axis && in[k]->shape.dims[d] != os.dims[d]) {
        artem_node_error (e, ARTEM_ERROR_SHAPE, n, "input %d does not match", k);
        return FALSE;
      }
    os.dims[axis] += in[k]->shape.dims[axis];
  }
  out[0]->dtype = in[0]->dtype;
  out[0]->shape = os;
  return TRUE;
}
static void
concat_run (ArtemNode *n, ArtemValue **in, ArtemValue **out, float *scratch)
{
  int r = out[0]->shape.ndim;
  int axis = norm_axis (artem_attr_int (n, "axis", 0), r);
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < axis; i++) outer *= out[0]->shape.dims[i];
  for (int i = axis + 1; i < r; i++) inner *= out[0]->shape.dims[i];
  gsize es = artem_dtype_size (out[0]->dtype);
  char *dst = out[0]->data;
  for (int64_t o = 0; o < outer; o++)
    for (int k = 0; k < n->n_in; k++) {
      gsize chunk = in[k]->shape.dims[axis] * inner * es;
      memcpy (dst, (const char *) in[k]->data + o * chunk, chunk);
      dst += chunk;
    }
}
const ArtemOpDef artem_op_concat = { ARTEM_OP_CONCAT, 0, "Concat", no_check, concat_prepare,
                                     concat_run, FALSE };

/* Cast */
static gboolean
cast_check (ArtemNode *n, GError **e)
{
  gint64 to = artem_attr_int (n, "to", -1);
  if (to != 1 && to != 11 && to != 7 && to != 6 && to != 9 && to != 5 && to != 3 && to != 2) {
    artem_node_error (e, ARTEM_ERROR_UNSUPPORTED, n, "cast to type %" G_GINT64_FORMAT, to);
    return FALSE;
  }
  return TRUE;
}
static gboolean
cast_prepare (ArtemNode *n, ArtemValue **in, ArtemValue **out, ArtemPlan *p, GError **e)
{
  if (!need_input (n, in, e))
    return FALSE;
  gint64 to = artem_attr_int (n, "to", 1);
  out[0]->dtype = (to == 1 || to == 11) ? ARTEM_DTYPE_FLOAT : ARTEM_DTYPE_INT64;
  out[0]->shape = in[0]->shape;
  return TRUE;
}
static void
cast_run (ArtemNode *n, ArtemValue **in, ArtemValue **out, float *scratch)
{
  int64_t len = artem_value_numel (in[0]);
  gint64 to = artem_attr_int (n, "to", 1);
  if (in[0]->dtype == out[0]->dtype) {
    if (to == 9)
      for (int64_t i = 0; i < len; i++)
        ((int64_t *) out[0]->data)[i] = ((int64_t *) in[0]->data)[i] != 0;
    else
      copy_run (n, in, out, scratch);
  } else if (out[0]->dtype == ARTEM_DTYPE_FLOAT) {
    for (int64_t i = 0; i < len; i++)
      ((float *) out[0]->data)[i] = (float) ((int64_t *) in[0]->data)[i];
  } else {
    for (int64_t i = 0; i < len; i++) {
      float f = ((float *) in[0]->data)[i];
      ((int64_t *) out[0]->data)[i] = to == 9 ? f != 0.f
                                      : (f != f || f > 9.2e18f || f < -9.2e18f) ? 0 : (int64_t) f;
    }
  }
}
const ArtemOpDef artem_op_cast = { ARTEM_OP_CAST, 0, "Cast", cast_check, cast_prepare, cast_run,
                                   FALSE };

/* Slice */
static gboolean
slice_prepare (ArtemNode *n, ArtemValue **in, ArtemValue **out, ArtemPlan *p, GError **e)
{
  if (!need_input (n, in, e))
    return FALSE;
  int r = in[0]->shape.ndim;
  gint64 st[ARTEM_MAX_DIMS], en[ARTEM_MAX_DIMS], ax[ARTEM_MAX_DIMS], sp[ARTEM_MAX_DIMS];
  int ns, ne, na = -1, nsp = -1;
  if (n->opset < 10) {
    ns = artem_attr_ints (n, "starts", st, ARTEM_MAX_DIMS);
    ne = artem_attr_ints (n, "ends", en, ARTEM_MAX_DIMS);
    na = artem_attr_ints (n, "axes", ax, ARTEM_MAX_DIMS);
  } else {
    if (!artem_require_const (n, in, 1, "starts", e) || !artem_require_const (n, in, 2, "ends", e))
      return FALSE;
    ns = artem_value_read_ints (in[1], st, ARTEM_MAX_DIMS);
    ne = artem_value_read_ints (in[2], en, ARTEM_MAX_DIMS);
    if (n->n_in > 3 && in[3]) {
      if (!artem_require_const (n, in, 3, "axes", e))
        return FALSE;
      na = artem_value_read_ints (in[3], ax, ARTEM_MAX_DIMS);
    }
    if (n->n_in > 4 && in[4]) {
      if (!artem_require_const (n, in, 4, "steps", e))
        return FALSE;
      nsp = artem_value_read_ints (in[4], sp, ARTEM_MAX_DIMS);
    }
  }
  if (ns < 0 || ns != ne || (na >= 0 && na != ns) || (nsp >= 0 && nsp != ns) || ns > r) {
    artem_node_error (e, ARTEM_ERROR_SHAPE, n, "starts/ends/axes/steps do not match");
    return FALSE;
  }
  int64_t b[ARTEM_MAX_DIMS], s[ARTEM_MAX_DIMS];
  ArtemShape os = in[0]->shape;
  for (int d = 0; d < r; d++) { b[d] = 0; s[d] = 1; }
  for (int i = 0; i < ns; i++) {
    int a = na >= 0 ? norm_axis (ax[i], r) : i;
    int64_t step = nsp >= 0 ? sp[i] : 1;
    int64_t dim = in[0]->shape.dims[a > 0 && a < r ? a : 0];
    if (a < 0 || a >= r || step == 0) {
      artem_node_error (e, ARTEM_ERROR_SHAPE, n, "bad axis or step");
      return FALSE;
    }
    int64_t s0 = st[i], e0 = en[i];
    if (s0 < 0) s0 += dim;
    if (e0 < 0) e0 += dim;
    if (step < -ARTEM_MAX_NUMEL)   /* no step is longer than a dimension: no overflow */
      step = -ARTEM_MAX_NUMEL;
    if (step > ARTEM_MAX_NUMEL)
      step = ARTEM_MAX_NUMEL;
    if (step > 0) {
      s0 = CLAMP (s0, 0, dim);
      e0 = CLAMP (e0, 0, dim);
      os.dims[a] = e0 > s0 ? 1 + (e0 - s0 - 1) / step : 0;
    } else {
      s0 = CLAMP (s0, 0, dim - 1);
      e0 = CLAMP (e0, -1, dim - 1);
      os.dims[a] = s0 > e0 ? 1 + (s0 - e0 - 1) / (-step) : 0;
    }
    b[a] = s0;
    s[a] = step;
  }
  GatherPlan *g = artem_gather_plan_new (n, p, &os, in[0]->dtype, e);
  if (!g)
    return FALSE;
  for (int d = 0; d < r; d++)
    for (int64_t o = 0; o < os.dims[d]; o++)
      g->maps[d][o] = b[d] + o * s[d];
  n->priv = g;
  n->params.gather = g;
  out[0]->dtype = in[0]->dtype;
  out[0]->shape = os;
  return TRUE;
}
const ArtemOpDef artem_op_slice = { ARTEM_OP_SLICE, 0, "Slice", no_check, slice_prepare,
                                    artem_gather_run, FALSE };

/* Reshape */
static gboolean
reshape_prepare (ArtemNode *n, ArtemValue **in, ArtemValue **out, ArtemPlan *p, GError **e)
{
  if (!need_input (n, in, e))
    return FALSE;
  gint64 sh[ARTEM_MAX_DIMS];
  int ns;
  if (n->opset < 5) {
    ns = artem_attr_ints (n, "shape", sh, ARTEM_MAX_DIMS);
  } else {
    if (!artem_require_const (n, in, 1, "shape", e))
      return FALSE;
    ns = artem_value_read_ints (in[1], sh, ARTEM_MAX_DIMS);
  }
  if (ns < 0) {
    artem_node_error (e, ARTEM_ERROR_SHAPE, n, "bad shape");
    return FALSE;
  }
  gboolean allowzero = artem_attr_int (n, "allowzero", 0) != 0;
  ArtemShape os = { ns, { 0 } };
  int infer = -1;
  int64_t known = 1, total = artem_value_numel (in[0]);
  for (int i = 0; i < ns; i++) {
    int64_t v = sh[i];
    if (v == 0 && !allowzero) {
      if (i >= in[0]->shape.ndim) {
        artem_node_error (e, ARTEM_ERROR_SHAPE, n, "0 beyond the input's rank");
        return FALSE;
      }
      v = in[0]->shape.dims[i];
    }
    if (v == -1) {
      if (infer >= 0) {
        artem_node_error (e, ARTEM_ERROR_SHAPE, n, "two -1 in shape");
        return FALSE;
      }
      infer = i;
      v = 1;
    } else if (v < 0 || v > ARTEM_MAX_NUMEL) {
      artem_node_error (e, ARTEM_ERROR_SHAPE, n, "bad dimension %" G_GINT64_FORMAT, (gint64) v);
      return FALSE;
    }
    os.dims[i] = v;
    if (v && known > ARTEM_MAX_NUMEL / v) {
      artem_node_error (e, ARTEM_ERROR_SHAPE, n, "absurd shape");
      return FALSE;
    }
    known *= v;
  }
  if (infer >= 0)
    os.dims[infer] = known ? total / known : 0;
  if (artem_shape_numel (&os) != total) {
    char *a = artem_shape_to_string (&in[0]->shape), *b = artem_shape_to_string (&os);
    artem_node_error (e, ARTEM_ERROR_SHAPE, n, "cannot reshape %s to %s", a, b);
    g_free (a);
    g_free (b);
    return FALSE;
  }
  out[0]->dtype = in[0]->dtype;
  out[0]->shape = os;
  return TRUE;
}
const ArtemOpDef artem_op_reshape = { ARTEM_OP_RESHAPE, 0, "Reshape", no_check, reshape_prepare,
                                      copy_run, FALSE };

/* Transpose */
static gboolean
transpose_prepare (ArtemNode *n, ArtemValue **in, ArtemValue **out, ArtemPlan *p, GError **e)
{
  if (!need_input (n, in, e))
    return FALSE;
  int r = in[0]->shape.ndim;
  gint64 perm[ARTEM_MAX_DIMS];
  int np = artem_attr_ints (n, "perm", perm, ARTEM_MAX_DIMS);
  if (np < 0)
    for (int i = 0; i < r; i++) perm[i] = r - 1 - i;
  else if (np != r) {
    artem_node_error (e, ARTEM_ERROR_SHAPE, n, "perm has %d values for rank %d", np, r);
    return FALSE;
  }
  gboolean seen[ARTEM_MAX_DIMS] = { 0 };
  ArtemShape os = { r, { 0 } };
  for (int i = 0; i < r; i++) {
    if (perm[i] < 0 || perm[i] >= r || seen[perm[i]]) {
      artem_node_error (e, ARTEM_ERROR_SHAPE, n, "bad perm");
      return FALSE;
    }
    seen[perm[i]] = TRUE;
    os.dims[i] = in[0]->shape.dims[perm[i]];
  }
  out[0]->dtype = in[0]->dtype;
  out[0]->shape = os;
  return TRUE;
}
static void
transpose_run (ArtemNode *n, ArtemValue **in, ArtemValue **out, float *scratch)
{
  int r = in[0]->shape.ndim;
  gint64 perm[ARTEM_MAX_DIMS];
  if (artem_attr_ints (n, "perm", perm, ARTEM_MAX_DIMS) < 0)
    for (int i = 0; i < r; i++) perm[i] = r - 1 - i;
  int64_t ist[ARTEM_MAX_DIMS], st = 1;
  for (int d = r - 1; d >= 0; d--) { ist[d] = st; st *= in[0]->shape.dims[d]; }
  int64_t total = artem_value_numel (out[0]);
  gsize es = artem_dtype_size (in[0]->dtype);
  const char *src = in[0]->data;
  char *dst = out[0]->data;
  for (int64_t i = 0; i < total; i++) {
    int64_t rem = i, off = 0;
    for (int d = r - 1; d >= 0; d--) {
      int64_t o = rem % out[0]->shape.dims[d];
      rem /= out[0]->shape.dims[d];
      off += o * ist[perm[d]];
    }
    memcpy (dst + i * es, src + off * es, es);
  }
}
const ArtemOpDef artem_op_transpose = { ARTEM_OP_TRANSPOSE, 0, "Transpose", no_check,
                                        transpose_prepare, transpose_run, FALSE };

/* ConstantOfShape */
static gboolean
cos_prepare (ArtemNode *n, ArtemValue **in, ArtemValue **out, ArtemPlan *p, GError **e)
{
  if (!artem_require_const (n, in, 0, "shape", e))
    return FALSE;
  gint64 sh[ARTEM_MAX_DIMS];
  int ns = artem_value_read_ints (in[0], sh, ARTEM_MAX_DIMS);
  if (ns < 0) {
    artem_node_error (e, ARTEM_ERROR_SHAPE, n, "bad shape");
    return FALSE;
  }
  ArtemShape os = { ns, { 0 } };
  for (int i = 0; i < ns; i++) {
    if (sh[i] < 0 || sh[i] > ARTEM_MAX_NUMEL) {
      artem_node_error (e, ARTEM_ERROR_SHAPE, n, "bad dimension");
      return FALSE;
    }
    os.dims[i] = sh[i];
  }
  out[0]->dtype = ARTEM_DTYPE_FLOAT;
  Onnx__AttributeProto *a = artem_attr_find (n, "value");
  if (a && a->t && a->t->has_data_type &&
      a->t->data_type != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT &&
      a->t->data_type != ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE)
    out[0]->dtype = ARTEM_DTYPE_INT64;
  out[0]->shape = os;
  return TRUE;
}
static void
cos_run (ArtemNode *n, ArtemValue **in, ArtemValue **out, float *scratch)
{
  Onnx__AttributeProto *a = artem_attr_find (n, "value");
  ArtemDType dt;
  ArtemShape s;
  void *data = NULL;
  int64_t len = artem_value_numel (out[0]);
  union { float f; int64_t i; } v = { 0 };
  if (a && a->t && artem_tensor_from_proto (a->t, &dt, &s, &data, NULL) &&
      artem_shape_numel (&s) >= 1)
    memcpy (&v, data, artem_dtype_size (dt));
  g_free (data);
  for (int64_t i = 0; i < len; i++) {
    if (out[0]->dtype == ARTEM_DTYPE_FLOAT) ((float *) out[0]->data)[i] = v.f;
    else ((int64_t *) out[0]->data)[i] = v.i;
  }
}
const ArtemOpDef artem_op_constant_of_shape = { ARTEM_OP_CONSTANT_OF_SHAPE, 0, "ConstantOfShape",
                                                no_check, cos_prepare, cos_run, FALSE };

/* Expand */
static gboolean
expand_prepare (ArtemNode *n, ArtemValue **in, ArtemValue **out, ArtemPlan *p, GError **e)
{
  if (!need_input (n, in, e) || !artem_require_const (n, in, 1, "shape", e))
    return FALSE;
  gint64 sh[ARTEM_MAX_DIMS];
  int ns = artem_value_read_ints (in[1], sh, ARTEM_MAX_DIMS);
  ArtemShape target = { MAX (ns, 0), { 0 } }, os;
  for (int i = 0; i < ns; i++) {
    if (sh[i] < 0 || sh[i] > ARTEM_MAX_NUMEL) ns = -1;
    else target.dims[i] = sh[i];
  }
  if (ns < 0 || !artem_broadcast_shape (&in[0]->shape, &target, &os)) {
    artem_node_error (e, ARTEM_ERROR_SHAPE, n, "shape does not broadcast");
    return FALSE;
  }
  GatherPlan *g = artem_gather_plan_new (n, p, &os, in[0]->dtype, e);
  if (!g)
    return FALSE;
  int r = os.ndim, off = r - in[0]->shape.ndim;
  for (int d = 0; d < r; d++)
    for (int64_t o = 0; o < os.dims[d]; o++)
      g->maps[d][o] = (d < off || in[0]->shape.dims[d - off] == 1) ? 0 : o;
  n->priv = g;
  n->params.gather = g;
  out[0]->dtype = in[0]->dtype;
  out[0]->shape = os;
  return TRUE;
}
static void
expand_run (ArtemNode *n, ArtemValue **in, ArtemValue **out, float *scratch)
{
  GatherPlan *g = n->priv;
  if (artem_value_numel (out[0]) == 0)
    return;
  ArtemShape ins = out[0]->shape;   /* input shape padded with leading ones */
  int off = ins.ndim - in[0]->shape.ndim;
  for (int d = 0; d < ins.ndim; d++)
    ins.dims[d] = d < off ? 1 : in[0]->shape.dims[d - off];
  artem_cpu_gather_maps (in[0]->data, &ins, out[0]->data, &out[0]->shape,
                         artem_dtype_size (out[0]->dtype), g->maps, &g->fill);
}
const ArtemOpDef artem_op_expand = { ARTEM_OP_EXPAND, 0, "Expand", no_check, expand_prepare,
                                     expand_run, FALSE };

/* Range */
static gboolean
range_prepare (ArtemNode *n, ArtemValue **in, ArtemValue **out, ArtemPlan *p, GError **e)
{
  for (int i = 0; i < 3; i++)
    if (!artem_require_const (n, in, i, "start/limit/delta", e))
      return FALSE;
  float v[3];
  for (int i = 0; i < 3; i++)
    if (artem_value_read_floats (in[i], &v[i], 1) != 1) {
      artem_node_error (e, ARTEM_ERROR_SHAPE, n, "scalars expected");
      return FALSE;
    }
  if (v[2] == 0.f) {
    artem_node_error (e, ARTEM_ERROR_SHAPE, n, "delta is 0");
    return FALSE;
  }
  double cnt = ceil ((v[1] - v[0]) / v[2]);
  if (cnt > 1e9)
    cnt = -1;
  out[0]->dtype = in[0]->dtype;
  out[0]->shape = (ArtemShape) { 1, { cnt > 0 ? (int64_t) cnt : 0 } };
  if (cnt < 0) {
    artem_node_error (e, ARTEM_ERROR_SHAPE, n, "absurd range");
    return FALSE;
  }
  return TRUE;
}
static void
range_run (ArtemNode *n, ArtemValue **in, ArtemValue **out, float *scratch)
{
  float v[3];
  for (int i = 0; i < 3; i++)
    artem_value_read_floats (in[i], &v[i], 1);
  for (int64_t i = 0; i < out[0]->shape.dims[0]; i++) {
    if (out[0]->dtype == ARTEM_DTYPE_FLOAT) ((float *) out[0]->data)[i] = v[0] + i * v[2];
    else ((int64_t *) out[0]->data)[i] = (int64_t) v[0] + i * (int64_t) v[2];
  }
}
const ArtemOpDef artem_op_range = { ARTEM_OP_RANGE, 0, "Range", no_check, range_prepare, range_run,
                                    FALSE };
