/* tensor.c — shapes, element types, and decoding ONNX TensorProto data. */
#include "artem-private.h"

G_DEFINE_QUARK (artem-error-quark, artem_error)

gsize
artem_dtype_size (ArtemDType t)
{
  return t == ARTEM_DTYPE_INT64 ? 8 : 4;
}

int64_t
artem_shape_numel (const ArtemShape *s)
{
  int64_t n = 1;
  for (int i = 0; i < s->ndim; i++)
    n *= s->dims[i];
  return n;
}

int64_t
artem_value_numel (const ArtemValue *v)
{
  return artem_shape_numel (&v->shape);
}

gboolean
artem_shape_equal (const ArtemShape *a, const ArtemShape *b)
{
  if (a->ndim != b->ndim)
    return FALSE;
  for (int i = 0; i < a->ndim; i++)
    if (a->dims[i] != b->dims[i])
      return FALSE;
  return TRUE;
}

char *
artem_shape_to_string (const ArtemShape *s)
{
  GString *str = g_string_new ("[");
  for (int i = 0; i < s->ndim; i++)
    g_string_append_printf (str, "%s%" G_GINT64_FORMAT, i ? "," : "", (gint64) s->dims[i]);
  g_string_append_c (str, ']');
  return g_string_free (str, FALSE);
}

gint64
artem_float_to_int64 (double f)
{
  if (!(f == f))
    return 0;
  if (f >= 9.2e18)
    return G_MAXINT64;
  if (f <= -9.2e18)
    return G_MININT64;
  return (gint64) f;
}

int
artem_value_read_ints (ArtemValue *v, gint64 *out, int max)
{
  int64_t n = artem_value_numel (v);
  if (!v->data || n > max)
    return -1;
  for (int64_t i = 0; i < n; i++)
    out[i] = v->dtype == ARTEM_DTYPE_INT64 ? ((int64_t *) v->data)[i]
                                           : artem_float_to_int64 (((float *) v->data)[i]);
  return (int) n;
}

int
artem_value_read_floats (ArtemValue *v, float *out, int max)
{
  int64_t n = artem_value_numel (v);
  if (!v->data || n > max)
    return -1;
  for (int64_t i = 0; i < n; i++)
    out[i] = v->dtype == ARTEM_DTYPE_INT64 ? (float) ((int64_t *) v->data)[i]
                                           : ((float *) v->data)[i];
  return (int) n;
}

static const char *
proto_type_name (int t)
{
  switch (t) {
    case 1: return "float"; case 2: return "uint8"; case 3: return "int8";
    case 4: return "uint16"; case 5: return "int16"; case 6: return "int32";
    case 7: return "int64"; case 8: return "string"; case 9: return "bool";
    case 10: return "float16"; case 11: return "double"; case 12: return "uint32";
    case 13: return "uint64"; case 16: return "bfloat16";
    default: return "unknown";
  }
}

/* Decodes @t into a freshly allocated dense array of float or int64.  Every size is
 * checked against what the protobuf really holds. */
/* the dims of @t into @shape, and the element count (*n); FALSE (error set) when absurd */
static gboolean
proto_shape (const Onnx__TensorProto *t, const char *name, ArtemShape *shape, int64_t *n,
             GError **error)
{
  if (t->n_dims > ARTEM_MAX_DIMS) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_UNSUPPORTED,
                 "tensor '%s' has %zu dimensions (at most %d)", name, t->n_dims,
                 ARTEM_MAX_DIMS);
    return FALSE;
  }
  shape->ndim = (int) t->n_dims;
  *n = 1;
  for (size_t i = 0; i < t->n_dims; i++) {
    if (t->dims[i] < 0 || t->dims[i] > ARTEM_MAX_NUMEL ||
        (t->dims[i] > 0 && *n > ARTEM_MAX_NUMEL / t->dims[i])) {
      g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_INVALID_MODEL,
                   "tensor '%s' has an invalid dimension %" G_GINT64_FORMAT, name,
                   (gint64) t->dims[i]);
      return FALSE;
    }
    shape->dims[i] = t->dims[i];
    *n *= t->dims[i];
  }
  return TRUE;
}

/* the ONNX element type @dt as artem's (*dtype) and its size in raw data; 0 unsupported */
static gsize
proto_type (int dt, ArtemDType *dtype)
{
  switch (dt) {
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT: *dtype = ARTEM_DTYPE_FLOAT; return 4;
    case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE: *dtype = ARTEM_DTYPE_FLOAT; return 8;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT64: *dtype = ARTEM_DTYPE_INT64; return 8;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT32: *dtype = ARTEM_DTYPE_INT64; return 4;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT16: *dtype = ARTEM_DTYPE_INT64; return 2;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT8: *dtype = ARTEM_DTYPE_INT64; return 1;
    case ONNX__TENSOR_PROTO__DATA_TYPE__UINT8: *dtype = ARTEM_DTYPE_INT64; return 1;
    case ONNX__TENSOR_PROTO__DATA_TYPE__BOOL: *dtype = ARTEM_DTYPE_INT64; return 1;
    default: return 0;
  }
}

/* element @i of @t (of ONNX type @dt, raw data or typed fields) as a float */
static float
proto_float (const Onnx__TensorProto *t, int dt, gboolean raw, int64_t i)
{
  float v;
  if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT) {
    if (raw) memcpy (&v, t->raw_data.data + i * 4, 4); else v = t->float_data[i];
    return v;
  }
  double d;
  if (raw) memcpy (&d, t->raw_data.data + i * 8, 8); else d = t->double_data[i];
  return (float) d;
}

/* element @i of @t (of ONNX type @dt, @raw_esize bytes in raw data) as an int64 */
static int64_t
proto_int (const Onnx__TensorProto *t, int dt, gboolean raw, gsize raw_esize, int64_t i)
{
  if (!raw)
    return dt == ONNX__TENSOR_PROTO__DATA_TYPE__INT64 ? t->int64_data[i] : t->int32_data[i];
  const uint8_t *p = t->raw_data.data + i * raw_esize;
  int64_t v;
  switch (dt) {
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT64: memcpy (&v, p, 8); return v;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT32: { int32_t x; memcpy (&x, p, 4); return x; }
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT16: { int16_t x; memcpy (&x, p, 2); return x; }
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT8: return (int8_t) *p;
    default: return *p;
  }
}

gboolean
artem_tensor_from_proto (const Onnx__TensorProto *t, ArtemDType *dtype,
                         ArtemShape *shape, void **data, GError **error)
{
  const char *name = t->name ? t->name : "(unnamed)";
  *data = NULL;
  if (t->has_data_location &&
      t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_UNSUPPORTED,
                 "tensor '%s': external data is not supported", name);
    return FALSE;
  }
  int64_t n;
  if (!proto_shape (t, name, shape, &n, error))
    return FALSE;
  int dt = t->has_data_type ? t->data_type : 0;
  gsize raw_esize = proto_type (dt, dtype);
  if (!raw_esize) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_UNSUPPORTED,
                 "tensor '%s' has unsupported element type %s", name, proto_type_name (dt));
    return FALSE;
  }
  size_t avail;
  gboolean raw = t->has_raw_data && t->raw_data.len > 0;
  if (raw)
    avail = t->raw_data.len / raw_esize;
  else if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT)
    avail = t->n_float_data;
  else if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE)
    avail = t->n_double_data;
  else if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__INT64)
    avail = t->n_int64_data;
  else
    avail = t->n_int32_data;
  if ((int64_t) avail != n || (raw && t->raw_data.len != (size_t) n * raw_esize)) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_INVALID_MODEL,
                 "tensor '%s' claims %" G_GINT64_FORMAT " elements but holds %zu",
                 name, (gint64) n, avail);
    return FALSE;
  }
  void *out = g_try_malloc0 (MAX (n, 1) * artem_dtype_size (*dtype));
  if (!out) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_INVALID_MODEL,
                 "tensor '%s': cannot allocate %" G_GINT64_FORMAT " elements", name, (gint64) n);
    return FALSE;
  }
  for (int64_t i = 0; i < n; i++)
    if (*dtype == ARTEM_DTYPE_FLOAT)
      ((float *) out)[i] = proto_float (t, dt, raw, i);
    else
      ((int64_t *) out)[i] = proto_int (t, dt, raw, raw_esize, i);
  *data = out;
  return TRUE;
}
