/* elementwise.c — unary activations (Relu, LeakyRelu, Sigmoid, Tanh, Clip, ...) and
 * broadcasting binary arithmetic (Add, Sub, Mul, Div, Pow) on the CPU. */
#include "../artem-private.h"
#include <math.h>

/* int64 arithmetic of a model's constants: wraps instead of overflowing (signed
 * overflow is undefined), INT64_MIN / -1 wraps, division by 0 gives 0, and a power out
 * of range saturates (artem_float_to_int64) */
static inline int64_t
i64_wrap (uint64_t v)
{
  int64_t r;
  memcpy (&r, &v, sizeof r);
  return r;
}
static inline int64_t
i64_div (int64_t u, int64_t v)
{
  if (v == 0)
    return 0;
  if (v == -1)
    return i64_wrap (0 - (uint64_t) u);
  return u / v;
}


/* ---- unary ---- */


static ArtemUnaryKind
unary_kind (const ArtemNode *n)
{
  return (ArtemUnaryKind) n->def->sub;
}

static gboolean
unary_check (ArtemNode *n, GError **error)
{
  static const char *const none[] = { NULL };
  static const char *const leaky[] = { "alpha", NULL };
  static const char *const clip[] = { "min", "max", NULL };
  ArtemUnaryKind k = unary_kind (n);
  return artem_attr_check_known (n, k == ARTEM_UNARY_LEAKY_RELU ? leaky
                                   : k == ARTEM_UNARY_CLIP ? clip : none, error);
}

static gboolean
unary_prepare (ArtemNode *n, ArtemValue **in, ArtemValue **out, ArtemPlan *plan,
               GError **error)
{
  if (n->n_in < 1 || !in[0]) {
    artem_node_error (error, ARTEM_ERROR_INVALID_MODEL, n, "missing input");
    return FALSE;
  }
  ArtemUnaryParams p = { unary_kind (n), 0.f, 0.f };
  if (in[0]->dtype != ARTEM_DTYPE_FLOAT && p.kind != ARTEM_UNARY_NEG &&
      p.kind != ARTEM_UNARY_CLIP && p.kind != ARTEM_UNARY_FLOOR && p.kind != ARTEM_UNARY_CEIL &&
      p.kind != ARTEM_UNARY_RELU) {
    artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, n, "float input only");
    return FALSE;
  }
  if (p.kind == ARTEM_UNARY_LEAKY_RELU)
    p.a = artem_attr_float (n, "alpha", 0.01f);
  if (p.kind == ARTEM_UNARY_CLIP) {
    p.a = -INFINITY;
    p.b = INFINITY;
    if (n->opset < 11) {
      p.a = artem_attr_float (n, "min", -INFINITY);
      p.b = artem_attr_float (n, "max", INFINITY);
    } else {
      for (int i = 1; i < 3 && i < n->n_in; i++) {
        if (!in[i])
          continue;
        float v;
        if (!artem_require_const (n, in, i, i == 1 ? "min" : "max", error))
          return FALSE;
        if (artem_value_read_floats (in[i], &v, 1) != 1) {
          artem_node_error (error, ARTEM_ERROR_SHAPE, n, "min/max must be scalars");
          return FALSE;
        }
        if (i == 1) p.a = v; else p.b = v;
      }
    }
  }
  n->params.unary = p;
  out[0]->dtype = in[0]->dtype;
  out[0]->shape = in[0]->shape;
  return TRUE;
}

static void
unary_run (ArtemNode *n, ArtemValue **in, ArtemValue **out, float *scratch)
{
  const ArtemUnaryParams *p = &n->params.unary;
  int64_t len = artem_value_numel (in[0]);
  if (in[0]->dtype == ARTEM_DTYPE_INT64) {
    const int64_t *x = in[0]->data;
    int64_t *y = out[0]->data;
    for (int64_t i = 0; i < len; i++) {
      int64_t v = x[i];
      switch (p->kind) {
        case ARTEM_UNARY_NEG: v = i64_wrap (0 - (uint64_t) v); break;
        case ARTEM_UNARY_RELU: v = v > 0 ? v : 0; break;
        case ARTEM_UNARY_CLIP:
          v = v < p->a ? artem_float_to_int64 (p->a) : (v > p->b ? artem_float_to_int64 (p->b) : v);
          break;
        default: break;
      }
      y[i] = v;
    }
    return;
  }
  const float *x = in[0]->data;
  float *y = out[0]->data;
  float a = p->a, b = p->b;
  switch (p->kind) {
#define LOOP(expr) \
  _Pragma ("omp parallel for schedule(static) if (len > 65536)") \
  for (int64_t i = 0; i < len; i++) { float v = x[i]; y[i] = (expr); } break
    case ARTEM_UNARY_RELU: LOOP (v > 0.f ? v : 0.f);
    case ARTEM_UNARY_LEAKY_RELU: LOOP (v >= 0.f ? v : a * v);
    case ARTEM_UNARY_SIGMOID: LOOP (1.f / (1.f + expf (-v)));
    case ARTEM_UNARY_TANH: LOOP (tanhf (v));
    case ARTEM_UNARY_CLIP: LOOP (v < a ? a : (v > b ? b : v));
    case ARTEM_UNARY_FLOOR: LOOP (floorf (v));
    case ARTEM_UNARY_CEIL: LOOP (ceilf (v));
    case ARTEM_UNARY_NEG: LOOP (-v);
    case ARTEM_UNARY_SQRT: LOOP (sqrtf (v));
    case ARTEM_UNARY_EXP: LOOP (expf (v));
    case ARTEM_UNARY_ABS: LOOP (fabsf (v));
#undef LOOP
  }
}

#define UNARY_DEF(k, name) \
  [ARTEM_UNARY_##k] = { ARTEM_OP_UNARY, ARTEM_UNARY_##k, name, unary_check, unary_prepare, \
                        unary_run, FALSE },
const ArtemOpDef artem_unary_ops[ARTEM_N_UNARY] = { ARTEM_UNARY_OPS (UNARY_DEF) };

/* ---- binary with numpy broadcasting ---- */


typedef struct {
  ArtemBinaryKind kind;
  int rank;                          /* after merging dimensions */
  int64_t dims[ARTEM_MAX_DIMS];
  int64_t sa[ARTEM_MAX_DIMS], sb[ARTEM_MAX_DIMS];
} BinPlan;

static ArtemBinaryKind
bin_kind (const ArtemNode *n)
{
  return (ArtemBinaryKind) n->def->sub;
}

static gboolean
bin_check (ArtemNode *n, GError **error)
{
  static const char *const known[] = { "broadcast", "axis", NULL };
  if (!artem_attr_check_known (n, known, error))
    return FALSE;
  if (n->opset < 7 && artem_attr_find (n, "axis")) {
    artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, n, "legacy axis broadcasting");
    return FALSE;
  }
  return TRUE;
}

/* Computes the broadcast shape of a and b into out; FALSE if they do not broadcast. */
gboolean
artem_broadcast_shape (const ArtemShape *a, const ArtemShape *b, ArtemShape *out)
{
  int r = MAX (a->ndim, b->ndim);
  out->ndim = r;
  for (int i = 0; i < r; i++) {
    int ia = i - (r - a->ndim), ib = i - (r - b->ndim);
    int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
    if (da != db && da != 1 && db != 1)
      return FALSE;
    out->dims[i] = da == 1 ? db : da;
  }
  return TRUE;
}

static gboolean
bin_prepare (ArtemNode *n, ArtemValue **in, ArtemValue **out, ArtemPlan *plan, GError **error)
{
  if (n->n_in < 2 || !in[0] || !in[1]) {
    artem_node_error (error, ARTEM_ERROR_INVALID_MODEL, n, "needs two inputs");
    return FALSE;
  }
  ArtemValue *a = in[0], *b = in[1];
  BinPlan p = { bin_kind (n), 0, { 0 }, { 0 }, { 0 } };
  if (a->dtype != b->dtype && p.kind != ARTEM_BINARY_POW) {
    artem_node_error (error, ARTEM_ERROR_INVALID_MODEL, n, "inputs of different types");
    return FALSE;
  }
  ArtemShape os;
  if ((a->nhwc || b->nhwc) && (a->nhwc != b->nhwc || !artem_shape_equal (&a->shape, &b->shape))) {
    /* layout.c keeps both operands NHWC only together; equal shapes make it elementwise */
    artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, n, "NHWC operands of different shapes "
                      "or layouts (ARTEM_NO_NHWC=1 plans NCHW)");
    return FALSE;
  }
  if (!artem_broadcast_shape (&a->shape, &b->shape, &os)) {
    char *sa = artem_shape_to_string (&a->shape), *sb = artem_shape_to_string (&b->shape);
    artem_node_error (error, ARTEM_ERROR_SHAPE, n, "shapes %s and %s do not broadcast", sa, sb);
    g_free (sa);
    g_free (sb);
    return FALSE;
  }
  int r = os.ndim;
  int64_t sa[ARTEM_MAX_DIMS], sb[ARTEM_MAX_DIMS], st_a = 1, st_b = 1;
  for (int i = r - 1; i >= 0; i--) {
    int ia = i - (r - a->shape.ndim), ib = i - (r - b->shape.ndim);
    int64_t da = ia >= 0 ? a->shape.dims[ia] : 1, db = ib >= 0 ? b->shape.dims[ib] : 1;
    sa[i] = da == 1 ? 0 : st_a;
    sb[i] = db == 1 ? 0 : st_b;
    st_a *= da;
    st_b *= db;
  }
  /* merge dimensions that are contiguous for both operands */
  p.rank = 0;
  for (int i = 0; i < r; i++) {
    if (os.dims[i] == 1)
      continue;
    if (p.rank > 0) {
      int j = p.rank - 1;
      if (p.sa[j] == sa[i] * os.dims[i] && p.sb[j] == sb[i] * os.dims[i]) {
        p.dims[j] *= os.dims[i];
        p.sa[j] = sa[i];
        p.sb[j] = sb[i];
        continue;
      }
    }
    p.dims[p.rank] = os.dims[i];
    p.sa[p.rank] = sa[i];
    p.sb[p.rank] = sb[i];
    p.rank++;
  }
  if (p.rank == 0) {
    p.rank = 1;
    p.dims[0] = 1;
    p.sa[0] = p.sb[0] = 0;
  }
  n->params.binary = p.kind;
  n->priv = g_memdup2 (&p, sizeof p);
  out[0]->dtype = a->dtype;
  out[0]->shape = os;
  return TRUE;
}

#define BIN_INNER(T, OP)                                                                 \
  for (int64_t i = 0; i < len; i++) {                                                    \
    T u = A[i * as], v = B[i * bs];                                                      \
    Y[i] = (OP);                                                                         \
  }

static void
bin_run (ArtemNode *n, ArtemValue **in, ArtemValue **out, float *scratch)
{
  const BinPlan *p = n->priv;
  int r = p->rank;
  int64_t len = p->dims[r - 1], as = p->sa[r - 1], bs = p->sb[r - 1];
  int64_t rows = 1;
  for (int d = 0; d < r - 1; d++)
    rows *= p->dims[d];
  gboolean is_f = out[0]->dtype == ARTEM_DTYPE_FLOAT;
  gboolean relu = n->fused_relu;
#pragma omp parallel for schedule(static) if (rows * len > 65536)
  for (int64_t row = 0; row < rows; row++) {
    int64_t rem = row, oa = 0, ob = 0;
    for (int d = r - 2; d >= 0; d--) {
      int64_t o = rem % p->dims[d];
      rem /= p->dims[d];
      oa += o * p->sa[d];
      ob += o * p->sb[d];
    }
    if (is_f) {
      const float *A = (const float *) in[0]->data + oa;
      float *Y = (float *) out[0]->data + row * len;
      if (in[1]->dtype != ARTEM_DTYPE_FLOAT) { /* Pow with an integer exponent */
        const int64_t *B = (const int64_t *) in[1]->data + ob;
        for (int64_t i = 0; i < len; i++)
          Y[i] = powf (A[i * as], (float) B[i * bs]);
        continue;
      }
      const float *B = (const float *) in[1]->data + ob;
      switch (p->kind) {
        case ARTEM_BINARY_ADD: BIN_INNER (float, u + v); break;
        case ARTEM_BINARY_SUB: BIN_INNER (float, u - v); break;
        case ARTEM_BINARY_MUL: BIN_INNER (float, u * v); break;
        case ARTEM_BINARY_DIV: BIN_INNER (float, u / v); break;
        case ARTEM_BINARY_POW: BIN_INNER (float, powf (u, v)); break;
      }
      if (relu)
        for (int64_t i = 0; i < len; i++)
          Y[i] = Y[i] > 0.f ? Y[i] : 0.f;
    } else {
      const int64_t *A = (const int64_t *) in[0]->data + oa;
      const int64_t *B = (const int64_t *) in[1]->data + ob;
      int64_t *Y = (int64_t *) out[0]->data + row * len;
      if (in[1]->dtype == ARTEM_DTYPE_FLOAT) { /* Pow with a float exponent */
        const float *Bf = (const float *) in[1]->data + ob;
        for (int64_t i = 0; i < len; i++)
          Y[i] = artem_float_to_int64 (pow ((double) A[i * as], (double) Bf[i * bs]));
        continue;
      }
      switch (p->kind) {
        case ARTEM_BINARY_ADD: BIN_INNER (int64_t, i64_wrap ((uint64_t) u + (uint64_t) v)); break;
        case ARTEM_BINARY_SUB: BIN_INNER (int64_t, i64_wrap ((uint64_t) u - (uint64_t) v)); break;
        case ARTEM_BINARY_MUL: BIN_INNER (int64_t, i64_wrap ((uint64_t) u * (uint64_t) v)); break;
        case ARTEM_BINARY_DIV: BIN_INNER (int64_t, i64_div (u, v)); break;
        case ARTEM_BINARY_POW:
          BIN_INNER (int64_t, artem_float_to_int64 (pow ((double) u, (double) v)));
          break;
      }
    }
  }
}

#define BINARY_DEF(k, name) \
  [ARTEM_BINARY_##k] = { ARTEM_OP_BINARY, ARTEM_BINARY_##k, name, bin_check, bin_prepare, \
                         bin_run, FALSE },
const ArtemOpDef artem_binary_ops[ARTEM_N_BINARY] = { ARTEM_BINARY_OPS (BINARY_DEF) };
