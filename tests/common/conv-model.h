/* conv-model.h — builds a one-Conv ONNX model in memory with protobuf-c (tests and
 * benchmarks of the convolution kernels). */
#ifndef ARTEM_TEST_CONV_MODEL_H
#define ARTEM_TEST_CONV_MODEL_H
#include "artem-private.h"

/* One Conv node model, W an initializer of +-1 (or @wvals), optional bias. */
static inline GBytes *
conv_model (int M, int C, int K, int stride, int pad, int dil, const float *wvals, gboolean bias)
{
  Onnx__ModelProto m = ONNX__MODEL_PROTO__INIT;
  Onnx__OperatorSetIdProto op = ONNX__OPERATOR_SET_ID_PROTO__INIT, *ops[1] = { &op };
  op.domain = (char *) "";
  op.has_version = TRUE;
  op.version = 13;
  m.n_opset_import = 1;
  m.opset_import = ops;
  m.has_ir_version = TRUE;
  m.ir_version = 7;
  Onnx__GraphProto g = ONNX__GRAPH_PROTO__INIT;
  m.graph = &g;
  Onnx__TensorProto w = ONNX__TENSOR_PROTO__INIT, b = ONNX__TENSOR_PROTO__INIT;
  Onnx__TensorProto *inits[2] = { &w, &b };
  int64_t wd[4] = { M, C, K, K }, bd[1] = { M };
  w.name = (char *) "W";
  w.has_data_type = TRUE;
  w.data_type = 1;
  w.n_dims = 4;
  w.dims = wd;
  w.n_float_data = (size_t) M * C * K * K;
  w.float_data = (float *) wvals;
  float *bv = g_new (float, M);
  for (int i = 0; i < M; i++)
    bv[i] = (float) i - 1.f;
  b.name = (char *) "B";
  b.has_data_type = TRUE;
  b.data_type = 1;
  b.n_dims = 1;
  b.dims = bd;
  b.n_float_data = M;
  b.float_data = bv;
  g.n_initializer = bias ? 2 : 1;
  g.initializer = inits;
  Onnx__AttributeProto a[4] = { ONNX__ATTRIBUTE_PROTO__INIT, ONNX__ATTRIBUTE_PROTO__INIT,
                                ONNX__ATTRIBUTE_PROTO__INIT, ONNX__ATTRIBUTE_PROTO__INIT };
  Onnx__AttributeProto *attrs[3] = { &a[0], &a[1], &a[2] };
  int64_t pads[4] = { pad, pad, pad, pad }, strides[2] = { stride, stride }, dils[2] = { dil, dil };
  a[0].name = (char *) "pads"; a[0].has_type = TRUE; a[0].type = 7; a[0].n_ints = 4; a[0].ints = pads;
  a[1].name = (char *) "strides"; a[1].has_type = TRUE; a[1].type = 7; a[1].n_ints = 2; a[1].ints = strides;
  a[2].name = (char *) "dilations"; a[2].has_type = TRUE; a[2].type = 7; a[2].n_ints = 2; a[2].ints = dils;
  Onnx__NodeProto n = ONNX__NODE_PROTO__INIT, *nodes[1] = { &n };
  char *ins[3] = { (char *) "x", (char *) "W", (char *) "B" }, *outs[1] = { (char *) "y" };
  n.op_type = (char *) "Conv";
  n.name = (char *) "conv";
  n.n_input = bias ? 3 : 2;
  n.input = ins;
  n.n_output = 1;
  n.output = outs;
  n.n_attribute = 3;
  n.attribute = attrs;
  g.n_node = 1;
  g.node = nodes;
  Onnx__TypeProto__Tensor tt = ONNX__TYPE_PROTO__TENSOR__INIT;
  tt.has_elem_type = TRUE;
  tt.elem_type = 1;
  Onnx__TypeProto ty = ONNX__TYPE_PROTO__INIT;
  ty.value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
  ty.tensor_type = &tt;
  Onnx__ValueInfoProto vi = ONNX__VALUE_INFO_PROTO__INIT, vo = ONNX__VALUE_INFO_PROTO__INIT;
  Onnx__ValueInfoProto *vis[1] = { &vi }, *vos[1] = { &vo };
  vi.name = (char *) "x";
  vi.type = &ty;
  vo.name = (char *) "y";
  g.n_input = 1;
  g.input = vis;
  g.n_output = 1;
  g.output = vos;
  gsize len = onnx__model_proto__get_packed_size (&m);
  guint8 *buf = g_malloc (len);
  onnx__model_proto__pack (&m, buf);
  g_free (bv);
  return g_bytes_new_take (buf, len);
}

#endif
