/* test-hostile-models.c — the audit's hostile models (issue 12), each a regression test:
 * tiny models that once killed the process (SIGFPE, a NULL error, GLib aborts), read out
 * of bounds, or cost far more than their size.  Each must end in a clean ARTEM_ERROR that
 * names the node, or in correct output.  Run under valgrind (meson test --setup valgrind
 * --suite bad-input) and in the ASan+UBSan build (meson test --suite sanitize). */
#include "artem-private.h"
#include "../common/onnx-builder.h"
#include "../common/test-main.h"

/* loads and sizes @model for a float input of @shape; returns the error or NULL */
static GError *
load_and_size (GBytes *model, const ArtemShape *shape, ArtemNet **keep)
{
  GError *err = NULL;
  gsize len;
  const void *d = g_bytes_get_data (model, &len);
  /* ARTEM_DUMP_SEEDS=DIR writes every model here into DIR (the fuzzers' seeds) */
  static int dumped;
  const char *dump = g_getenv ("ARTEM_DUMP_SEEDS");
  if (dump && len <= 65536) {
    char *path = g_strdup_printf ("%s/hostile-%02d.onnx", dump, dumped++);
    g_file_set_contents (path, d, len, NULL);
    g_free (path);
  }
  ArtemNet *net = artem_net_new_from_data (d, len, "hostile.onnx", ARTEM_BACKEND_CPU, &err);
  g_bytes_unref (model);
  if (net && shape && !artem_net_reshape (net, shape, NULL, &err))
    g_assert_nonnull (err);
  if (err && g_test_verbose ())
    g_printerr ("  %s\n", err->message);
  if (keep && !err)
    *keep = net;
  else
    artem_net_free (net);
  return err;
}

static void
expect (GError *err, const char *needle)
{
  g_assert_nonnull (err);
  g_assert_true (err->domain == ARTEM_ERROR);
  g_assert_nonnull (err->message);
  if (!strstr (err->message, needle))
    g_error ("'%s' not in '%s'", needle, err->message);
  g_error_free (err);
}

/* 3a: INT64_MIN / -1 folded at plan time wraps (it raised SIGFPE) */
static void
test_int64_min_div (void)
{
  TB *b = tb_new (13);
  tb_input (b, "x");
  tb_init_i64 (b, "a", 1, (int64_t[]) { 3 },
               (int64_t[]) { G_MININT64, G_MAXINT64, G_MININT64 });
  tb_init_i64 (b, "m", 1, (int64_t[]) { 3 }, (int64_t[]) { -1, -1, 0 });
  tb_node (b, "Div", NULL, "a,m", "q");
  tb_node (b, "Mul", NULL, "a,a", "p");      /* signed overflow: wraps */
  tb_node (b, "Neg", NULL, "a", "n");
  tb_node (b, "Add", NULL, "q,p", "s");
  tb_node (b, "Add", NULL, "s,n", "t");
  tb_node (b, "Cast", NULL, "t", "tf");
  tb_attr_int (b, g_ptr_array_index (b->nodes, b->nodes->len - 1), "to", 1);
  tb_node (b, "Add", NULL, "x,tf", "y");
  tb_output (b, "y");
  ArtemNet *net = NULL;
  ArtemShape s = { 1, { 3 } };
  GError *err = load_and_size (tb_finish (b), &s, &net);
  g_assert_no_error (err);
  g_assert_true (artem_net_run (net, &err));
  artem_net_free (net);
}

/* 3b: Unsqueeze / Squeeze with more axes than artem's rank limit set an error (the
 * element read err->message through NULL) */
static void
test_too_many_axes (void)
{
  int64_t nine[9] = { 0, 1, 2, 3, 4, 5, 6, 7, 8 };
  TB *b = tb_new (13);
  tb_input (b, "x");
  tb_init_i64 (b, "axes", 1, (int64_t[]) { 9 }, nine);
  tb_node (b, "Unsqueeze", NULL, "x,axes", "y");
  tb_output (b, "y");
  ArtemShape s = { 1, { 3 } };
  expect (load_and_size (tb_finish (b), &s, NULL), "axes");

  b = tb_new (11);
  tb_input (b, "x");
  Onnx__NodeProto *n = tb_node (b, "Squeeze", NULL, "x", "y");
  tb_attr_ints (b, n, "axes", 9, nine);
  tb_output (b, "y");
  expect (load_and_size (tb_finish (b), &s, NULL), "axes");

  b = tb_new (11);
  tb_input (b, "x");
  n = tb_node (b, "Unsqueeze", NULL, "x", "y");
  tb_attr_ints (b, n, "axes", 9, nine);
  tb_output (b, "y");
  expect (load_and_size (tb_finish (b), &s, NULL), "axes");
}

/* 3c, 8: Expand to [2^32] or [2^30] and Resize to a huge size are refused before any
 * large allocation (a GLib-ERROR abort; 8.4 GB; 2.1 GB) */
static void
expand_to (int64_t dim, const char *needle)
{
  TB *b = tb_new (13);
  tb_input (b, "x");
  tb_init_i64 (b, "shape", 1, (int64_t[]) { 1 }, (int64_t[]) { dim });
  tb_node (b, "Expand", NULL, "x,shape", "y");
  tb_output (b, "y");
  ArtemShape s = { 1, { 1 } };
  expect (load_and_size (tb_finish (b), &s, NULL), needle);
}

static void
test_huge_expand_and_resize (void)
{
  expand_to ((int64_t) 1 << 32, "Expand");
  expand_to ((int64_t) 1 << 30, "memory limit");
  expand_to (G_MAXINT64, "Expand");

  TB *b = tb_new (13);
  tb_input (b, "x");
  tb_init (b, "roi", 1, (int64_t[]) { 0 }, (float[]) { 0 });
  tb_init (b, "scales", 1, (int64_t[]) { 4 }, (float[]) { 1, 1, 60000, 60000 });
  tb_node (b, "Resize", NULL, "x,roi,scales", "y");
  tb_output (b, "y");
  ArtemShape s = { 4, { 1, 3, 8, 8 } };
  expect (load_and_size (tb_finish (b), &s, NULL), "Resize");
}

/* 4a: Gather over an empty axis with indices known only at run time is refused (it
 * clamped to -1 and copied heap bytes into the output) */
static void
test_gather_empty_axis (void)
{
  TB *b = tb_new (13);
  tb_input (b, "x");
  g_ptr_array_add (b->inputs, tb_value_info (b, "i", 7));
  tb_node (b, "Gather", NULL, "x,i", "y");
  tb_output (b, "y");
  GBytes *model = tb_finish (b);
  GError *err = NULL;
  gsize len;
  const void *d = g_bytes_get_data (model, &len);
  ArtemNet *net = artem_net_new_from_data (d, len, "gather.onnx", ARTEM_BACKEND_CPU, &err);
  g_assert_no_error (err);
  ArtemShape shapes[2] = { { 2, { 0, 4 } }, { 1, { 2 } } };
  g_assert_false (artem_net_reshape (net, shapes, NULL, &err));
  expect (err, "empty axis");
  /* the same net with a real axis gathers what it is told, clamped at run time */
  shapes[0] = (ArtemShape) { 2, { 3, 4 } };
  err = NULL;
  g_assert_true (artem_net_reshape (net, shapes, NULL, &err));
  float *x = artem_net_get_input_buffer (net, 0);
  int64_t *idx = artem_net_get_input_buffer (net, 1);
  for (int k = 0; k < 12; k++)
    x[k] = (float) k;
  idx[0] = 2;
  idx[1] = -1;
  g_assert_true (artem_net_run (net, &err));
  const float *y = artem_net_get_output (net, 0, NULL, NULL);
  g_assert_cmpfloat (y[0], ==, 8.f);
  g_assert_cmpfloat (y[4], ==, 8.f);
  artem_net_free (net);
  g_bytes_unref (model);
}

/* 4b: a BinaryConv whose bits tensor is not uint8 is refused at load (a heap overflow) */
static void
test_binary_conv_bits_type (void)
{
  TB *b = tb_new (13);
  tb_input (b, "x");
  float bits[16] = { 0 };
  tb_init (b, "bits", 4, (int64_t[]) { 16, 1, 1, 1 }, bits);   /* float, not uint8 */
  float alpha[16];
  for (int i = 0; i < 16; i++)
    alpha[i] = 1.f;
  tb_init (b, "alpha", 1, (int64_t[]) { 16 }, alpha);
  Onnx__NodeProto *n = tb_node (b, "BinaryConv", ARTEM_OP_DOMAIN, "x,bits,alpha", "y");
  tb_attr_int (b, n, "channels", 8);
  tb_attr_int (b, n, "mode", ARTEM_BINARIZE_XNOR);
  tb_attr_ints (b, n, "kernel_shape", 2, (int64_t[]) { 1, 1 });
  tb_output (b, "y");
  expect (load_and_size (tb_finish (b), NULL, NULL), "BinaryConv");
}

/* 8: a MaxPool with a 4096x4096 window (a 137-byte model, 77 s a frame) passes the cost
 * budget and is refused at sizing, naming the node; the shipped-size networks do not */
static void
test_cost_budget (void)
{
  TB *b = tb_new (13);
  tb_input (b, "x");
  Onnx__NodeProto *n = tb_node (b, "MaxPool", NULL, "x", "y");
  tb_attr_ints (b, n, "kernel_shape", 2, (int64_t[]) { 4096, 4096 });
  tb_attr_ints (b, n, "pads", 4, (int64_t[]) { 4096, 4096, 4096, 4096 });
  tb_output (b, "y");
  GBytes *model = tb_finish (b);
  g_assert_cmpuint (g_bytes_get_size (model), <, 200);
  ArtemShape s = { 4, { 1, 3, 240, 320 } };
  expect (load_and_size (model, &s, NULL), "cost budget");

  /* the budget is a setting: a small one refuses a plain 3x3 convolution */
  b = tb_new (13);
  tb_input (b, "x");
  float w[8 * 3 * 9] = { 0 };
  tb_init (b, "w", 4, (int64_t[]) { 8, 3, 3, 3 }, w);
  tb_node (b, "Conv", NULL, "x,w", "y");
  tb_output (b, "y");
  model = tb_finish (b);
  GError *err = NULL;
  gsize len;
  const void *d = g_bytes_get_data (model, &len);
  ArtemNet *net = artem_net_new_from_data (d, len, "conv.onnx", ARTEM_BACKEND_CPU, &err);
  g_assert_no_error (err);
  s = (ArtemShape) { 4, { 1, 3, 64, 64 } };
  g_assert_true (artem_net_reshape (net, &s, NULL, &err));
  /* 2 * 8 outputs * 62 * 62 pixels * 27 taps */
  g_assert_cmpfloat (artem_net_get_cost (net), >=, 2.0 * 8 * 62 * 62 * 27);
  artem_net_set_cost_limit (net, 1e5);
  g_assert_false (artem_net_reshape (net, &s, NULL, &err));
  expect (err, "Conv");
  artem_net_free (net);
  g_bytes_unref (model);
}

/* a model of nn Relu nodes in a chain, v0 -> v1 -> ... -> v<nn> */
static GBytes *
relu_chain (int nn)
{
  TB *b = tb_new (13);
  tb_input (b, "v0");
  for (int i = 0; i < nn; i++) {
    char ins[32], outs[32];
    g_snprintf (ins, sizeof ins, "v%d", i);
    g_snprintf (outs, sizeof outs, "v%d", i + 1);
    tb_node (b, "Relu", NULL, ins, outs);
  }
  char last[32];
  g_snprintf (last, sizeof last, "v%d", nn);
  tb_output (b, last);
  return tb_finish (b);
}

/* 8: a chain of 100,000 nodes loads in linear time (the quadratic sort took 106 s); the
 * bound is a hang guard, not a speed target */
static void
test_long_chain (void)
{
  GBytes *model = relu_chain (100000);
  gint64 t0 = g_get_monotonic_time ();
  ArtemShape s = { 1, { 4 } };
  ArtemNet *net = NULL;
  GError *err = load_and_size (model, &s, &net);
  g_assert_no_error (err);
  double secs = (g_get_monotonic_time () - t0) / 1e6;
  if (g_test_verbose ())
    g_printerr ("  100k nodes: loaded and sized in %.2f s\n", secs);
  g_assert_cmpfloat (secs, <, 60.0);
  artem_net_free (net);
}

/* 8: a load is bounded, so that a state change waiting for one is too: more than 200,000
 * nodes, or a file past protobuf's 2 GiB, is refused before any node is read */
static void
test_load_bounds (void)
{
  ArtemShape s = { 1, { 4 } };
  expect (load_and_size (relu_chain (200001), &s, NULL), "200001 nodes: artem loads models of at most 200000");
  /* the size is checked before the bytes are read: a small buffer stands in */
  static const guint8 small[16];
  GError *err = NULL;
  g_assert_null (artem_net_new_from_data (small, (gsize) G_MAXINT32 + 1, "huge.onnx",
                                          ARTEM_BACKEND_CPU, &err));
  expect (err, "at most 2 GiB");
}

/* 13: opsets outside the README's range are refused */
static void
test_opset_range (void)
{
  for (int v = 0; v < 2; v++) {
    TB *b = tb_new (v ? 18 : 5);
    tb_input (b, "x");
    tb_node (b, "Relu", NULL, "x", "y");
    tb_output (b, "y");
    expect (load_and_size (tb_finish (b), NULL, NULL), "opset");
  }
}

/* 13: integer overflow in Conv, MaxPool and Slice geometry (UBSan at conv.c, pool.c,
 * shape.c) gives errors or correct shapes */
static void
test_geometry_overflow (void)
{
  TB *b = tb_new (13);
  tb_input (b, "x");
  tb_init_i64 (b, "st", 1, (int64_t[]) { 1 }, (int64_t[]) { G_MAXINT64 });
  tb_init_i64 (b, "en", 1, (int64_t[]) { 1 }, (int64_t[]) { G_MININT64 });
  tb_init_i64 (b, "ax", 1, (int64_t[]) { 1 }, (int64_t[]) { 0 });
  tb_init_i64 (b, "sp", 1, (int64_t[]) { 1 }, (int64_t[]) { G_MININT64 });
  tb_node (b, "Slice", NULL, "x,st,en,ax,sp", "y");
  tb_output (b, "y");
  ArtemNet *net = NULL;
  ArtemShape s = { 1, { 5 } };
  GError *err = load_and_size (tb_finish (b), &s, &net);
  g_assert_no_error (err);
  ArtemShape os;
  artem_net_get_output (net, 0, &os, NULL);
  g_assert_cmpint (os.dims[0], ==, 1);   /* element 4 alone, backwards */
  artem_net_free (net);

  b = tb_new (13);
  tb_input (b, "x");
  Onnx__NodeProto *n = tb_node (b, "MaxPool", NULL, "x", "y");
  tb_attr_ints (b, n, "kernel_shape", 2, (int64_t[]) { 1, 1 });
  tb_output (b, "y");
  s = (ArtemShape) { 4, { 65536, 65536, 1, 1 } };
  expect (load_and_size (tb_finish (b), &s, NULL), "MaxPool");

  b = tb_new (13);
  tb_input (b, "x");
  float w[9] = { 0 };
  tb_init (b, "w", 4, (int64_t[]) { 1, 1, 3, 3 }, w);
  n = tb_node (b, "Conv", NULL, "x,w", "y");
  tb_attr_ints (b, n, "pads", 4, (int64_t[]) { 65536, 65536, 65536, 65536 });
  tb_output (b, "y");
  s = (ArtemShape) { 4, { 1, 1, 60000, 60000 } };
  expect (load_and_size (tb_finish (b), &s, NULL), "Conv");
}

/* 13: an XNOR layer with 2M output channels keeps its per-pixel counts off the thread
 * stack (a variable-length array there overflowed it) */
static void
test_xnor_many_channels (void)
{
  const int M = 1 << 21;
  TB *b = tb_new (13);
  tb_input (b, "x");
  float *w = g_new (float, M);
  for (int i = 0; i < M; i++)
    w[i] = i % 3 ? 1.f : -1.f;
  tb_init (b, "w", 4, (int64_t[]) { M, 1, 1, 1 }, w);
  g_free (w);
  tb_node (b, "Conv", NULL, "x,w", "y");
  tb_output (b, "y");
  GBytes *model = tb_finish (b);
  GError *err = NULL;
  gsize len;
  const void *d = g_bytes_get_data (model, &len);
  ArtemNet *net = artem_net_new_from_data (d, len, "wide.onnx", ARTEM_BACKEND_CPU, &err);
  g_assert_no_error (err);
  g_assert_true (artem_net_binarize (net, ARTEM_BINARIZE_XNOR, "all",
                                     ARTEM_BINARIZE_FLAG_NO_ACTIVATION_SCALE, &err));
  ArtemShape s = { 4, { 1, 1, 2, 2 } };
  g_assert_true (artem_net_reshape (net, &s, NULL, &err));
  float *x = artem_net_get_input_buffer (net, 0);
  for (int i = 0; i < 4; i++)
    x[i] = i % 2 ? 1.f : -1.f;
  g_assert_true (artem_net_run (net, &err));
  const float *y = artem_net_get_output (net, 0, NULL, NULL);
  /* +-1 times +-1, exact: channel 0 has w = -1 */
  g_assert_cmpfloat (y[0], ==, 1.f);
  g_assert_cmpfloat (y[1], ==, -1.f);
  g_assert_cmpfloat (y[4], ==, -1.f);   /* channel 1, w = +1, pixel 0 */
  artem_net_free (net);
  g_bytes_unref (model);
}

/* a model whose output is NaN (Sqrt of a negative) gives 0 bytes, not undefined
 * behaviour (found by the element fuzzer at frame.c's float-to-byte conversion) */
static void
test_nan_output (void)
{
  TB *b = tb_new (13);
  tb_input (b, "x");
  tb_init (b, "c", 1, (int64_t[]) { 1 }, (float[]) { 1000.f });
  tb_node (b, "Sub", NULL, "x,c", "d");
  tb_node (b, "Sqrt", NULL, "d", "y");
  tb_output (b, "y");
  ArtemNet *net = NULL;
  GError *err = load_and_size (tb_finish (b), NULL, &net);
  g_assert_no_error (err);
  g_assert_true (artem_net_reshape_frame (net, 5, 3, &err));
  guint8 src[5 * 3 * 3], dst[5 * 3 * 3];
  memset (src, 77, sizeof src);
  for (int k = 0; k < 2; k++) {
    artem_net_set_frame_strength (net, k ? 0.5f : 1.f);
    memset (dst, 1, sizeof dst);
    g_assert_true (artem_net_process_frame (net, src, 15, dst, 15, ARTEM_FORMAT_RGB, &err));
    for (gsize i = 0; i < sizeof dst; i++)
      g_assert_cmpint (dst[i], ==, 0);
  }
  artem_net_free (net);
}

int
main (int argc, char **argv)
{
  return artem_test_run (argc, argv, "/hostile/", "int64-min-div", test_int64_min_div,
                          "too-many-axes", test_too_many_axes,
                          "huge-expand-and-resize", test_huge_expand_and_resize,
                          "gather-empty-axis", test_gather_empty_axis,
                          "binary-conv-bits-type", test_binary_conv_bits_type,
                          "cost-budget", test_cost_budget, "long-chain", test_long_chain,
                          "load-bounds", test_load_bounds, "opset-range", test_opset_range,
                          "geometry-overflow", test_geometry_overflow,
                          "xnor-many-channels", test_xnor_many_channels,
                          "nan-output", test_nan_output, NULL);
}
