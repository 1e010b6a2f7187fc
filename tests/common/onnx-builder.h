/* onnx-builder.h — builds small ONNX models in memory with protobuf-c, for tests that
 * need one operator at a time (tests/cuda/test-backend-ops.c).
 *
 *   TB *b = tb_new (13);
 *   tb_input (b, "x", 4, (int64_t[]) { 1, 8, 16, 16 });
 *   Onnx__NodeProto *n = tb_node (b, "Relu", NULL, "x", "y");
 *   tb_output (b, "y");
 *   GBytes *model = tb_finish (b);
 */
#ifndef ARTEM_TEST_ONNX_BUILDER_H
#define ARTEM_TEST_ONNX_BUILDER_H
#include "artem-private.h"

typedef struct {
  int opset;
  GPtrArray *nodes, *inits, *inputs, *outputs, *garbage;
} TB;

static inline void *
tb_keep (TB *b, void *p)
{
  g_ptr_array_add (b->garbage, p);
  return p;
}

static inline char *
tb_str (TB *b, const char *s)
{
  return tb_keep (b, g_strdup (s));
}

static inline TB *
tb_new (int opset)
{
  TB *b = g_new0 (TB, 1);
  b->opset = opset;
  b->nodes = g_ptr_array_new ();
  b->inits = g_ptr_array_new ();
  b->inputs = g_ptr_array_new ();
  b->outputs = g_ptr_array_new ();
  b->garbage = g_ptr_array_new_with_free_func (g_free);
  return b;
}

static inline Onnx__ValueInfoProto *
tb_value_info (TB *b, const char *name, int elem_type)
{
  Onnx__TypeProto__Tensor *tt = tb_keep (b, g_new0 (Onnx__TypeProto__Tensor, 1));
  onnx__type_proto__tensor__init (tt);
  tt->has_elem_type = TRUE;
  tt->elem_type = elem_type;
  Onnx__TypeProto *ty = tb_keep (b, g_new0 (Onnx__TypeProto, 1));
  onnx__type_proto__init (ty);
  ty->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
  ty->tensor_type = tt;
  Onnx__ValueInfoProto *vi = tb_keep (b, g_new0 (Onnx__ValueInfoProto, 1));
  onnx__value_info_proto__init (vi);
  vi->name = tb_str (b, name);
  vi->type = ty;
  return vi;
}

/* a float graph input (the shape comes at reshape time) */
static inline void
tb_input (TB *b, const char *name)
{
  g_ptr_array_add (b->inputs, tb_value_info (b, name, 1));
}

static inline void
tb_output (TB *b, const char *name)
{
  g_ptr_array_add (b->outputs, tb_value_info (b, name, 1));
}

static inline Onnx__TensorProto *
tb_tensor (TB *b, const char *name, int ndim, const int64_t *dims)
{
  Onnx__TensorProto *t = tb_keep (b, g_new0 (Onnx__TensorProto, 1));
  onnx__tensor_proto__init (t);
  t->name = tb_str (b, name);
  t->has_data_type = TRUE;
  t->n_dims = ndim;
  t->dims = tb_keep (b, g_memdup2 (dims, sizeof (int64_t) * MAX (ndim, 1)));
  g_ptr_array_add (b->inits, t);
  return t;
}

static inline void
tb_init (TB *b, const char *name, int ndim, const int64_t *dims, const float *data)
{
  Onnx__TensorProto *t = tb_tensor (b, name, ndim, dims);
  gsize n = 1;
  for (int i = 0; i < ndim; i++)
    n *= dims[i];
  t->data_type = 1;
  t->n_float_data = n;
  t->float_data = tb_keep (b, g_memdup2 (data, sizeof (float) * MAX (n, 1)));
}

static inline void
tb_init_i64 (TB *b, const char *name, int ndim, const int64_t *dims, const int64_t *data)
{
  Onnx__TensorProto *t = tb_tensor (b, name, ndim, dims);
  gsize n = 1;
  for (int i = 0; i < ndim; i++)
    n *= dims[i];
  t->data_type = 7;
  t->n_int64_data = n;
  t->int64_data = tb_keep (b, g_memdup2 (data, sizeof (int64_t) * MAX (n, 1)));
}

/* @ins / @outs: comma-separated names ("" for an omitted optional input) */
static inline Onnx__NodeProto *
tb_node (TB *b, const char *op, const char *domain, const char *ins, const char *outs)
{
  Onnx__NodeProto *n = tb_keep (b, g_new0 (Onnx__NodeProto, 1));
  onnx__node_proto__init (n);
  n->op_type = tb_str (b, op);
  if (domain)
    n->domain = tb_str (b, domain);
  n->name = tb_keep (b, g_strdup_printf ("%s_%u", op, b->nodes->len));
  char **iv = g_strsplit (ins, ",", -1), **ov = g_strsplit (outs, ",", -1);
  n->n_input = g_strv_length (iv);
  n->input = tb_keep (b, g_new0 (char *, n->n_input + 1));
  for (gsize i = 0; i < n->n_input; i++)
    n->input[i] = tb_str (b, iv[i]);
  n->n_output = g_strv_length (ov);
  n->output = tb_keep (b, g_new0 (char *, n->n_output + 1));
  for (gsize i = 0; i < n->n_output; i++)
    n->output[i] = tb_str (b, ov[i]);
  g_strfreev (iv);
  g_strfreev (ov);
  g_ptr_array_add (b->nodes, n);
  return n;
}

static inline Onnx__AttributeProto *
tb_attr (TB *b, Onnx__NodeProto *n, const char *name, int type)
{
  Onnx__AttributeProto *a = tb_keep (b, g_new0 (Onnx__AttributeProto, 1));
  onnx__attribute_proto__init (a);
  a->name = tb_str (b, name);
  a->has_type = TRUE;
  a->type = type;
  Onnx__AttributeProto **na = tb_keep (b, g_new0 (Onnx__AttributeProto *, n->n_attribute + 1));
  for (gsize i = 0; i < n->n_attribute; i++)
    na[i] = n->attribute[i];
  na[n->n_attribute++] = a;
  n->attribute = na;
  return a;
}

static inline void
tb_attr_int (TB *b, Onnx__NodeProto *n, const char *name, int64_t v)
{
  Onnx__AttributeProto *a = tb_attr (b, n, name, 2);
  a->has_i = TRUE;
  a->i = v;
}

static inline void
tb_attr_float (TB *b, Onnx__NodeProto *n, const char *name, float v)
{
  Onnx__AttributeProto *a = tb_attr (b, n, name, 1);
  a->has_f = TRUE;
  a->f = v;
}

static inline void
tb_attr_ints (TB *b, Onnx__NodeProto *n, const char *name, int count, const int64_t *v)
{
  Onnx__AttributeProto *a = tb_attr (b, n, name, 7);
  a->n_ints = count;
  a->ints = tb_keep (b, g_memdup2 (v, sizeof (int64_t) * MAX (count, 1)));
}

static inline void
tb_attr_string (TB *b, Onnx__NodeProto *n, const char *name, const char *v)
{
  Onnx__AttributeProto *a = tb_attr (b, n, name, 3);
  a->has_s = TRUE;
  a->s.len = strlen (v);
  a->s.data = (guint8 *) tb_str (b, v);
}

static inline GBytes *
tb_finish (TB *b)
{
  Onnx__ModelProto m = ONNX__MODEL_PROTO__INIT;
  Onnx__OperatorSetIdProto op = ONNX__OPERATOR_SET_ID_PROTO__INIT,
                           opa = ONNX__OPERATOR_SET_ID_PROTO__INIT, *ops[2] = { &op, &opa };
  op.domain = (char *) "";
  op.has_version = TRUE;
  op.version = b->opset;
  opa.domain = (char *) ARTEM_OP_DOMAIN;
  opa.has_version = TRUE;
  opa.version = 1;
  m.n_opset_import = 2;
  m.opset_import = ops;
  m.has_ir_version = TRUE;
  m.ir_version = 7;
  Onnx__GraphProto g = ONNX__GRAPH_PROTO__INIT;
  g.name = (char *) "test";
  g.n_node = b->nodes->len;
  g.node = (Onnx__NodeProto **) b->nodes->pdata;
  g.n_initializer = b->inits->len;
  g.initializer = (Onnx__TensorProto **) b->inits->pdata;
  g.n_input = b->inputs->len;
  g.input = (Onnx__ValueInfoProto **) b->inputs->pdata;
  g.n_output = b->outputs->len;
  g.output = (Onnx__ValueInfoProto **) b->outputs->pdata;
  m.graph = &g;
  gsize len = onnx__model_proto__get_packed_size (&m);
  guint8 *buf = g_malloc (MAX (len, 1));
  onnx__model_proto__pack (&m, buf);
  g_ptr_array_free (b->nodes, TRUE);
  g_ptr_array_free (b->inits, TRUE);
  g_ptr_array_free (b->inputs, TRUE);
  g_ptr_array_free (b->outputs, TRUE);
  g_ptr_array_free (b->garbage, TRUE);
  g_free (b);
  return g_bytes_new_take (buf, len);
}

#endif
