/* test-bad-models.c — bad input is a first-class test subject: every broken model gives
 * an ARTEM_ERROR with a message naming what is wrong, never a crash (and, under the
 * valgrind test setup, no leak).  Models are built here with protobuf-c, then broken. */
#include "artem-private.h"
#include <glib/gstdio.h>
#include <stdio.h>
#include "../common/test-main.h"

/* ---- a tiny valid model: x -> Conv(W 2x3x3x3, B) -> Relu -> y ---- */

typedef struct {
  Onnx__ModelProto model;
  Onnx__OperatorSetIdProto opset;
  Onnx__OperatorSetIdProto *opsets[1];
  Onnx__GraphProto graph;
  Onnx__NodeProto conv, relu;
  Onnx__NodeProto *nodes[2];
  char *conv_in[3], *conv_out[1], *relu_in[1], *relu_out[1];
  Onnx__TensorProto w, b;
  Onnx__TensorProto *inits[2];
  int64_t w_dims[4], b_dims[1];
  float w_data[54], b_data[2];
  Onnx__ValueInfoProto in, out;
  Onnx__ValueInfoProto *ins[1], *outs[1];
  Onnx__TypeProto in_type;
  Onnx__TypeProto__Tensor in_tensor;
  Onnx__AttributeProto pads;
  Onnx__AttributeProto *conv_attrs[1];
  int64_t pads_v[4];
} TinyModel;

static void
tiny_init (TinyModel *t)
{
  memset (t, 0, sizeof *t);
  onnx__model_proto__init (&t->model);
  t->model.has_ir_version = TRUE;
  t->model.ir_version = 7;
  onnx__operator_set_id_proto__init (&t->opset);
  t->opset.domain = (char *) "";
  t->opset.has_version = TRUE;
  t->opset.version = 13;
  t->opsets[0] = &t->opset;
  t->model.n_opset_import = 1;
  t->model.opset_import = t->opsets;
  onnx__graph_proto__init (&t->graph);
  t->model.graph = &t->graph;

  onnx__tensor_proto__init (&t->w);
  t->w.name = (char *) "W";
  t->w.has_data_type = TRUE;
  t->w.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
  t->w_dims[0] = 2; t->w_dims[1] = 3; t->w_dims[2] = 3; t->w_dims[3] = 3;
  t->w.n_dims = 4;
  t->w.dims = t->w_dims;
  for (int i = 0; i < 54; i++)
    t->w_data[i] = (float) (i % 7) / 7.f - 0.4f;
  t->w.n_float_data = 54;
  t->w.float_data = t->w_data;
  onnx__tensor_proto__init (&t->b);
  t->b.name = (char *) "B";
  t->b.has_data_type = TRUE;
  t->b.data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
  t->b_dims[0] = 2;
  t->b.n_dims = 1;
  t->b.dims = t->b_dims;
  t->b_data[0] = 0.1f; t->b_data[1] = -0.1f;
  t->b.has_raw_data = TRUE;
  t->b.raw_data.len = 8;
  t->b.raw_data.data = (uint8_t *) t->b_data;
  t->inits[0] = &t->w; t->inits[1] = &t->b;
  t->graph.n_initializer = 2;
  t->graph.initializer = t->inits;

  onnx__attribute_proto__init (&t->pads);
  t->pads.name = (char *) "pads";
  t->pads.has_type = TRUE;
  t->pads.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
  t->pads_v[0] = t->pads_v[1] = t->pads_v[2] = t->pads_v[3] = 1;
  t->pads.n_ints = 4;
  t->pads.ints = t->pads_v;
  t->conv_attrs[0] = &t->pads;
  onnx__node_proto__init (&t->conv);
  t->conv.op_type = (char *) "Conv";
  t->conv.name = (char *) "conv1";
  t->conv_in[0] = (char *) "x"; t->conv_in[1] = (char *) "W"; t->conv_in[2] = (char *) "B";
  t->conv.n_input = 3;
  t->conv.input = t->conv_in;
  t->conv_out[0] = (char *) "c";
  t->conv.n_output = 1;
  t->conv.output = t->conv_out;
  t->conv.n_attribute = 1;
  t->conv.attribute = t->conv_attrs;
  onnx__node_proto__init (&t->relu);
  t->relu.op_type = (char *) "Relu";
  t->relu.name = (char *) "relu1";
  t->relu_in[0] = (char *) "c";
  t->relu.n_input = 1;
  t->relu.input = t->relu_in;
  t->relu_out[0] = (char *) "y";
  t->relu.n_output = 1;
  t->relu.output = t->relu_out;
  t->nodes[0] = &t->conv; t->nodes[1] = &t->relu;
  t->graph.n_node = 2;
  t->graph.node = t->nodes;

  onnx__type_proto__tensor__init (&t->in_tensor);
  t->in_tensor.has_elem_type = TRUE;
  t->in_tensor.elem_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
  onnx__type_proto__init (&t->in_type);
  t->in_type.value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
  t->in_type.tensor_type = &t->in_tensor;
  onnx__value_info_proto__init (&t->in);
  t->in.name = (char *) "x";
  t->in.type = &t->in_type;
  onnx__value_info_proto__init (&t->out);
  t->out.name = (char *) "y";
  t->ins[0] = &t->in; t->outs[0] = &t->out;
  t->graph.n_input = 1;
  t->graph.input = t->ins;
  t->graph.n_output = 1;
  t->graph.output = t->outs;
}

static GBytes *
tiny_pack (TinyModel *t)
{
  gsize len = onnx__model_proto__get_packed_size (&t->model);
  guint8 *buf = g_malloc (len);
  onnx__model_proto__pack (&t->model, buf);
  return g_bytes_new_take (buf, len);
}

/* Loads bytes; returns the error (the test owns it) or NULL on success. */
static GError *
try_load (GBytes *b, ArtemNet **out)
{
  GError *err = NULL;
  gsize len;
  const void *d = g_bytes_get_data (b, &len);
  ArtemNet *net = artem_net_new_from_data (d, len, "test.onnx", ARTEM_BACKEND_CPU, &err);
  if (out)
    *out = net;
  else
    artem_net_free (net);
  g_assert_true ((net == NULL) == (err != NULL));
  return err;
}

static void
expect_error (TinyModel *t, int code, const char *needle)
{
  GBytes *b = tiny_pack (t);
  GError *err = try_load (b, NULL);
  g_bytes_unref (b);
  g_assert_nonnull (err);
  if (g_test_verbose ())
    g_printerr ("  %s\n", err->message);
  g_assert_error (err, ARTEM_ERROR, code);
  g_assert_nonnull (strstr (err->message, needle));
  g_error_free (err);
}

static void
test_valid (void)
{
  TinyModel t;
  tiny_init (&t);
  GBytes *b = tiny_pack (&t);
  ArtemNet *net = NULL;
  GError *err = try_load (b, &net);
  g_assert_no_error (err);
  ArtemShape s = { 4, { 1, 3, 5, 7 } };
  g_assert_true (artem_net_reshape (net, &s, NULL, &err));
  float *in = artem_net_get_input_buffer (net, 0);
  for (int i = 0; i < 105; i++)
    in[i] = (float) i / 105.f;
  g_assert_true (artem_net_run (net, &err));
  ArtemShape os;
  const float *y = artem_net_get_output (net, 0, &os, NULL);
  g_assert_cmpint (os.ndim, ==, 4);
  g_assert_cmpint (os.dims[1], ==, 2);
  g_assert_cmpint (os.dims[2], ==, 5);
  for (int i = 0; i < 70; i++)
    g_assert_cmpfloat (y[i], >=, 0.f);   /* the ReLU */
  /* a bad input shape is an error, not a crash */
  ArtemShape bad = { 4, { 1, 4, 5, 7 } };
  g_assert_false (artem_net_reshape (net, &bad, NULL, &err));
  g_assert_error (err, ARTEM_ERROR, ARTEM_ERROR_SHAPE);
  g_assert_nonnull (strstr (err->message, "conv1"));
  g_clear_error (&err);
  g_assert_false (artem_net_run (net, &err));
  g_clear_error (&err);
  /* not image-to-image: the frame path refuses with a message */
  g_assert_false (artem_net_reshape_frame (net, 97, 61, &err));
  g_assert_error (err, ARTEM_ERROR, ARTEM_ERROR_SHAPE);
  g_clear_error (&err);
  artem_net_free (net);
  g_bytes_unref (b);
}

static void
test_missing_file (void)
{
  GError *err = NULL;
  ArtemNet *net = artem_net_new_from_file ("/nonexistent/style.onnx", ARTEM_BACKEND_CPU, &err);
  g_assert_null (net);
  g_assert_error (err, ARTEM_ERROR, ARTEM_ERROR_IO);
  g_assert_nonnull (strstr (err->message, "/nonexistent/style.onnx"));
  g_error_free (err);
}

static void
test_empty_file (void)
{
  char *path = NULL;
  int fd = g_file_open_tmp ("artem-empty-XXXXXX.onnx", &path, NULL);
  close (fd);
  GError *err = NULL;
  ArtemNet *net = artem_net_new_from_file (path, ARTEM_BACKEND_CPU, &err);
  g_assert_null (net);
  g_assert_error (err, ARTEM_ERROR, ARTEM_ERROR_PARSE);
  g_assert_nonnull (strstr (err->message, "empty"));
  g_error_free (err);
  g_unlink (path);
  g_free (path);
}

static void
test_truncated (void)
{
  TinyModel t;
  tiny_init (&t);
  GBytes *b = tiny_pack (&t);
  gsize len;
  const guint8 *d = g_bytes_get_data (b, &len);
  int errors = 0;
  for (gsize cut = 1; cut < len; cut++) {
    GBytes *part = g_bytes_new (d, cut);
    GError *err = try_load (part, NULL);
    if (err) {
      errors++;
      g_error_free (err);
    }
    g_bytes_unref (part);
  }
  /* nearly every prefix is invalid; none may crash */
  g_assert_cmpint (errors, >, (int) len / 2);
  g_bytes_unref (b);
}

static void
test_random_bytes (void)
{
  GRand *r = g_rand_new_with_seed (42);
  for (int i = 0; i < 2000; i++) {
    gsize len = g_rand_int_range (r, 1, 512);
    guint8 *buf = g_malloc (len);
    for (gsize k = 0; k < len; k++)
      buf[k] = (guint8) g_rand_int (r);
    GBytes *b = g_bytes_new_take (buf, len);
    GError *err = try_load (b, NULL);
    g_clear_error (&err);
    g_bytes_unref (b);
  }
  /* and bit flips of a valid model, loaded and run when they still load */
  TinyModel t;
  tiny_init (&t);
  GBytes *b = tiny_pack (&t);
  gsize len;
  const guint8 *d = g_bytes_get_data (b, &len);
  for (int i = 0; i < 3000; i++) {
    guint8 *m = g_memdup2 (d, len);
    m[g_rand_int_range (r, 0, (gint32) len)] ^= (guint8) (1u << g_rand_int_range (r, 0, 8));
    ArtemNet *net = NULL;
    GBytes *mb = g_bytes_new_take (m, len);
    GError *err = try_load (mb, &net);
    if (net) {
      ArtemShape s = { 4, { 1, 3, 6, 5 } };
      if (artem_net_reshape (net, &s, NULL, &err))
        artem_net_run (net, &err);
      g_clear_error (&err);
      artem_net_free (net);
    }
    g_clear_error (&err);
    g_bytes_unref (mb);
  }
  g_bytes_unref (b);
  g_rand_free (r);
}

static void
test_missing_initializer (void)
{
  TinyModel t;
  tiny_init (&t);
  t.graph.n_initializer = 1;   /* B gone */
  expect_error (&t, ARTEM_ERROR_INVALID_MODEL, "'B'");
}

static void
test_unknown_input (void)
{
  TinyModel t;
  tiny_init (&t);
  t.relu_in[0] = (char *) "nowhere";
  expect_error (&t, ARTEM_ERROR_INVALID_MODEL, "nowhere");
}

static void
test_cycle (void)
{
  TinyModel t;
  tiny_init (&t);
  t.conv_in[0] = (char *) "y";  /* conv reads relu's output, relu reads conv's */
  expect_error (&t, ARTEM_ERROR_INVALID_MODEL, "cycle");
}

static void
test_negative_dims (void)
{
  TinyModel t;
  tiny_init (&t);
  t.w_dims[0] = -2;
  expect_error (&t, ARTEM_ERROR_INVALID_MODEL, "'W'");
}

static void
test_absurd_dims (void)
{
  TinyModel t;
  tiny_init (&t);
  t.w_dims[0] = G_GINT64_CONSTANT (1) << 40;
  expect_error (&t, ARTEM_ERROR_INVALID_MODEL, "'W'");
  tiny_init (&t);
  t.w_dims[0] = t.w_dims[1] = t.w_dims[2] = t.w_dims[3] = 1 << 20;  /* product overflows */
  expect_error (&t, ARTEM_ERROR_INVALID_MODEL, "'W'");
}

static void
test_tensor_claims_more (void)
{
  TinyModel t;
  tiny_init (&t);
  t.b_dims[0] = 1000;   /* raw data holds 2 floats */
  expect_error (&t, ARTEM_ERROR_INVALID_MODEL, "claims 1000 elements");
  tiny_init (&t);
  t.w.n_float_data = 10;
  expect_error (&t, ARTEM_ERROR_INVALID_MODEL, "'W' claims 54");
}

static void
test_unsupported (void)
{
  TinyModel t;
  tiny_init (&t);
  t.relu.op_type = (char *) "Softmax";
  expect_error (&t, ARTEM_ERROR_UNSUPPORTED, "node 'relu1': operator 'Softmax'");
  tiny_init (&t);
  t.pads.name = (char *) "group";
  t.pads.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
  t.pads.has_i = TRUE;
  t.pads.i = 0;   /* groups are supported; 0 of them is not a model */
  expect_error (&t, ARTEM_ERROR_INVALID_MODEL, "node 'conv1' (Conv): group 0");
  tiny_init (&t);
  t.pads.name = (char *) "frobnicate";
  expect_error (&t, ARTEM_ERROR_UNSUPPORTED, "'frobnicate'");
  tiny_init (&t);
  t.relu.domain = (char *) "com.microsoft";
  expect_error (&t, ARTEM_ERROR_UNSUPPORTED, "com.microsoft");
}

static void
test_no_graph (void)
{
  TinyModel t;
  tiny_init (&t);
  t.model.graph = NULL;
  expect_error (&t, ARTEM_ERROR_INVALID_MODEL, "no graph");
  tiny_init (&t);
  t.model.n_opset_import = 0;
  expect_error (&t, ARTEM_ERROR_INVALID_MODEL, "opset");
  tiny_init (&t);
  t.out.name = (char *) "zzz";
  expect_error (&t, ARTEM_ERROR_INVALID_MODEL, "zzz");
  tiny_init (&t);
  t.relu_out[0] = (char *) "c";   /* defined twice */
  expect_error (&t, ARTEM_ERROR_INVALID_MODEL, "twice");
}

static void
test_bad_frame_sizes (void)
{
  TinyModel t;
  tiny_init (&t);
  GBytes *b = tiny_pack (&t);
  ArtemNet *net = NULL;
  GError *err = try_load (b, &net);
  g_assert_no_error (err);
  g_assert_false (artem_net_reshape_frame (net, 0, 10, &err));
  g_assert_error (err, ARTEM_ERROR, ARTEM_ERROR_ARGUMENT);
  g_clear_error (&err);
  g_assert_false (artem_net_reshape_frame (net, -5, 10, &err));
  g_clear_error (&err);
  guint8 px[12] = { 0 };
  g_assert_false (artem_net_process_frame (net, px, 6, px, 6, ARTEM_FORMAT_RGB, &err));
  g_assert_error (err, ARTEM_ERROR, ARTEM_ERROR_ARGUMENT);
  g_clear_error (&err);
  ArtemShape s = { 4, { 1, 3, 1, 1 } };   /* smaller than kernel+pads? 1+2 >= 3: fine */
  g_assert_true (artem_net_reshape (net, &s, NULL, &err));
  artem_net_set_memory_limit (net, 4096);
  ArtemShape big = { 4, { 1, 3, 100, 100 } };
  g_assert_false (artem_net_reshape (net, &big, NULL, &err));
  g_assert_error (err, ARTEM_ERROR, ARTEM_ERROR_SHAPE);
  g_assert_nonnull (strstr (err->message, "limit"));
  g_clear_error (&err);
  artem_net_set_memory_limit (net, 0);
  g_assert_true (artem_net_reshape (net, &big, NULL, &err));
  ArtemShape s0 = { 4, { 1, 3, 0, 0 } };
  g_assert_false (artem_net_reshape (net, &s0, NULL, &err));
  g_clear_error (&err);
  artem_net_free (net);
  g_bytes_unref (b);
}

static void
test_cuda_unavailable (void)
{
  GError *err = NULL;
  TinyModel t;
  tiny_init (&t);
  GBytes *b = tiny_pack (&t);
  gsize len;
  const void *d = g_bytes_get_data (b, &len);
  ArtemNet *net = artem_net_new_from_data (d, len, "t", ARTEM_BACKEND_CUDA, &err);
  if (artem_backend_available (ARTEM_BACKEND_CUDA)) {
    g_assert_nonnull (net);
  } else {
    g_assert_null (net);
    g_assert_error (err, ARTEM_ERROR, ARTEM_ERROR_BACKEND);
    g_clear_error (&err);
  }
  artem_net_free (net);
  net = artem_net_new_from_data (d, len, "t", ARTEM_BACKEND_AUTO, &err);
  g_assert_nonnull (net);
  artem_net_free (net);
  g_bytes_unref (b);
}

int
main (int argc, char **argv)
{
  return artem_test_run (argc, argv, "/bad-input/", "valid-model-runs", test_valid,
                          "missing-file", test_missing_file, "empty-file", test_empty_file,
                          "truncated", test_truncated,
                          "random-bytes-and-bit-flips", test_random_bytes,
                          "missing-initializer", test_missing_initializer,
                          "unknown-input", test_unknown_input, "cycle", test_cycle,
                          "negative-dims", test_negative_dims, "absurd-dims", test_absurd_dims,
                          "tensor-claims-more-data", test_tensor_claims_more,
                          "unsupported", test_unsupported, "broken-graph", test_no_graph,
                          "bad-frame-sizes", test_bad_frame_sizes,
                          "cuda-unavailable", test_cuda_unavailable, NULL);
}
