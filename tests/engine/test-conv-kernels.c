/* test-conv-kernels.c — the CPU's convolution kernels against each other on random
 * geometries: oneDNN fp32 (ARTEM_CONV_IMPL=dnnl) equals im2col + OpenBLAS (=blas) to
 * fp32 rounding, oneDNN bf16 stays within bf16's precision, the kernel chosen by
 * measurement (no variable) equals one of them, and a weight rewritten through
 * artem_net_set_initializer reaches the oneDNN kernel (its reordered copy is refreshed).
 * A bf16 convolution with few outputs runs packed (neighbouring pixels as channels,
 * conv_dnnl.c; the row rounded up to a multiple of the pack) where that costs fewer
 * multiply-adds, and equals the unpacked kernel
 * (ARTEM_NO_CONV_PACK=1) to fp32 rounding, rewritten weights included.
 * And the NHWC regions between convolutions (gpu/layout.c): a style-network block
 * (Pad, Conv, InstanceNormalization + Relu, Add, nearest Resize) is planned NHWC inside
 * and NCHW at its edges, and computes what the NCHW plan (ARTEM_NO_NHWC) and OpenBLAS do.
 * ConvTranspose likewise: oneDNN's deconvolution (fp32, bf16, rewritten weights, ReLU
 * fused) against the col2im + OpenBLAS path, on the geometries of ml5's and ONNX's
 * tests (stride 2 with the last row cut, output_padding, dilation, bias). */
#include "../common/compare.h"
#include "../common/conv-model.h"
#include "../common/onnx-builder.h"
#include "net-private.h"
#include "cpu/conv.h"
#include <math.h>
#include <stdlib.h>
#include "../common/test-main.h"

typedef struct {
  int M, C, K, stride, pad, dil, H, W;
  gboolean bias;
} Geo;

/* a CPU net of @model sized for @s, @x in its input, run once */
static ArtemNet *
load_run (GBytes *model, ArtemPrecision precision, const ArtemShape *s, const float *x)
{
  GError *err = NULL;
  gsize size;
  const void *data = g_bytes_get_data (model, &size);
  ArtemNet *net = artem_net_new_from_data (data, size, "model", ARTEM_BACKEND_CPU, &err);
  g_assert_no_error (err);
  artem_net_set_precision (net, precision);
  g_assert_true (artem_net_reshape (net, s, NULL, &err));
  g_assert_no_error (err);
  memcpy (artem_net_get_input_buffer (net, 0), x, sizeof (float) * artem_shape_numel (s));
  g_assert_true (artem_net_run (net, &err));
  return net;
}

/* the oneDNN kernel of a Conv or ConvTranspose node, or NULL (OpenBLAS, another op) */
static const char *
node_kernel (ArtemNode *n)
{
  if (n->def->kind == ARTEM_OP_CONV && ((ConvGeom *) n->priv)->dnnl)
    return artem_dnnl_conv_impl (((ConvGeom *) n->priv)->dnnl);
  if (n->def->kind == ARTEM_OP_CONV_TRANSPOSE && ((ConvTGeom *) n->priv)->dnnl)
    return artem_dnnl_conv_impl (((ConvTGeom *) n->priv)->dnnl);
  return NULL;
}

/* runs @model on the C x H x W frame @x once (and again after W became @new_w) with the
 * kernel forced to @impl (NULL: measured); its output (*ny values where @ny) and in
 * @kernel the last convolution's oneDNN kernel ("" for OpenBLAS) */
static float *
run_model (GBytes *model, int C, int H, int W, const float *x, const char *impl,
           ArtemPrecision precision, const float *new_w, gsize n_w, gsize *ny, char *kernel)
{
  if (impl)
    g_setenv ("ARTEM_CONV_IMPL", impl, TRUE);
  else
    g_unsetenv ("ARTEM_CONV_IMPL");
  GError *err = NULL;
  ArtemShape s = { 4, { 1, C, H, W } };
  ArtemNet *net = load_run (model, precision, &s, x);
  if (new_w) {
    g_assert_true (artem_net_set_initializer (net, "W", new_w, n_w, &err));
    g_assert_true (artem_net_run (net, &err));
  }
  ArtemShape os;
  const float *y = artem_net_get_output (net, 0, &os, NULL);
  float *copy = g_memdup2 (y, sizeof (float) * artem_shape_numel (&os));
  if (ny)
    *ny = artem_shape_numel (&os);
  kernel[0] = 0;
  for (int st = 0; st < net->n_steps; st++) {
    const char *k = node_kernel (artem_step_node (net, st));
    if (k)
      g_strlcpy (kernel, k, 128);
  }
  artem_net_free (net);
  g_unsetenv ("ARTEM_CONV_IMPL");
  return copy;
}

/* the oneDNN kernel of run_conv's last convolution ("" for OpenBLAS) */
static char last_impl[128];

static float *
run_conv (GBytes *model, const Geo *g, const float *x, const char *impl,
          ArtemPrecision precision, const float *new_w, gsize n_w)
{
  return run_model (model, g->C, g->H, g->W, x, impl, precision, new_w, n_w, NULL, last_impl);
}

/* oneDNN fp32, the measured choice and the kernel after a weight rewrite equal OpenBLAS
 * to fp32 rounding; bf16 inputs and weights (8 bits of mantissa) with fp32 sums stay
 * within a few parts in 1000 of the largest output (fp32 itself where the CPU has no
 * bf16) */
static void
assert_close (double d_fp32, double d_chosen, double d_rewrite, double d_bf16)
{
  g_assert_cmpfloat (d_fp32, <, 1e-5);
  g_assert_cmpfloat (d_chosen, <, 1e-5);
  g_assert_cmpfloat (d_rewrite, <, 1e-5);
  g_assert_cmpfloat (d_bf16, <, 3e-2);
}

static void
check (const Geo *g)
{
  gsize nw = (gsize) g->M * g->C * g->K * g->K, nx = (gsize) g->C * g->H * g->W;
  float *w = g_new (float, nw), *w2 = g_new (float, nw), *x = g_new (float, nx);
  for (gsize i = 0; i < nw; i++) {
    w[i] = g_test_rand_double_range (-1, 1);
    w2[i] = g_test_rand_double_range (-1, 1);
  }
  for (gsize i = 0; i < nx; i++)
    x[i] = g_test_rand_double_range (-1, 1);
  GBytes *m = conv_model (g->M, g->C, g->K, g->stride, g->pad, g->dil, w, g->bias);
  int oh = (g->H + 2 * g->pad - (g->K - 1) * g->dil - 1) / g->stride + 1;
  int ow = (g->W + 2 * g->pad - (g->K - 1) * g->dil - 1) / g->stride + 1;
  gsize ny = (gsize) g->M * oh * ow;
  float *blas = run_conv (m, g, x, "blas", ARTEM_PRECISION_FP32, NULL, 0);
  float *dnnl = run_conv (m, g, x, "dnnl", ARTEM_PRECISION_FP32, NULL, 0);
  float *chosen = run_conv (m, g, x, NULL, ARTEM_PRECISION_FP32, NULL, 0);
  double d_fp32 = artem_test_rel_diff (dnnl, blas, ny);
  double d_chosen = artem_test_rel_diff (chosen, blas, ny);
  /* the weights rewritten after a first run: the same as a net loaded with them */
  GBytes *m2 = conv_model (g->M, g->C, g->K, g->stride, g->pad, g->dil, w2, g->bias);
  float *blas2 = run_conv (m2, g, x, "blas", ARTEM_PRECISION_FP32, NULL, 0);
  float *dnnl2 = run_conv (m, g, x, "dnnl", ARTEM_PRECISION_FP32, w2, nw);
  double d_rewrite = artem_test_rel_diff (dnnl2, blas2, ny);
  float *bf16 = run_conv (m, g, x, "dnnl", ARTEM_PRECISION_BF16, NULL, 0);
  double d_bf16 = artem_test_rel_diff (bf16, blas, ny);
  gboolean packed = strstr (last_impl, "packed") != NULL;
  char bf16_impl[128];
  g_strlcpy (bf16_impl, last_impl, sizeof bf16_impl);
  /* packed or not: the same products, summed in another order */
  float *bf16_2 = run_conv (m, g, x, "dnnl", ARTEM_PRECISION_BF16, w2, nw);
  g_setenv ("ARTEM_NO_CONV_PACK", "1", TRUE);
  float *plain = run_conv (m, g, x, "dnnl", ARTEM_PRECISION_BF16, NULL, 0);
  float *plain_2 = run_conv (m, g, x, "dnnl", ARTEM_PRECISION_BF16, w2, nw);
  g_unsetenv ("ARTEM_NO_CONV_PACK");
  g_assert_null (strstr (last_impl, "packed"));
  double d_pack = MAX (artem_test_rel_diff (bf16, plain, ny),
                       artem_test_rel_diff (bf16_2, plain_2, ny));
  g_assert_cmpfloat (d_pack, <, 1e-5);
  g_assert_cmpfloat (artem_test_rel_diff (bf16_2, blas2, ny), <, 3e-2);
  /* packed where bf16 runs natively, there are at most 4 outputs and a pack of p pixels
   * (the row rounded up to a multiple of p) costs fewer multiply-adds than none */
  int best = 1;
  double best_cost = (double) ow * g->K;
  for (int p = 2; p <= 16 / MAX (g->M, 1); p++) {
    double cost = (double) ((ow + p - 1) / p * p) * (g->K + p - 1) / p;
    if (cost < best_cost)
      best = p, best_cost = cost;
  }
  g_assert_true (packed == (artem_dnnl_bf16_available () && g->M <= 4 && g->K > 1 &&
                            g->stride == 1 && g->dil == 1 && best > 1));
  char want[32];
  g_snprintf (want, sizeof want, ", %d pixels packed", best);
  g_assert_true (!packed || strstr (bf16_impl, want));
  g_free (bf16_2); g_free (plain); g_free (plain_2);
  g_test_message ("M%d C%d k%d s%d p%d d%d %dx%d bias %d: oneDNN fp32 %.2g, chosen %.2g, "
                  "rewritten weights %.2g, bf16 %.2g (%s), packed against not %.2g", g->M,
                  g->C, g->K, g->stride, g->pad, g->dil, g->W, g->H, g->bias, d_fp32,
                  d_chosen, d_rewrite, d_bf16, packed ? "packed" : "not packed", d_pack);
  assert_close (d_fp32, d_chosen, d_rewrite, d_bf16);
  g_bytes_unref (m);
  g_bytes_unref (m2);
  g_free (blas); g_free (dnnl); g_free (chosen); g_free (blas2); g_free (dnnl2); g_free (bf16);
  g_free (w); g_free (w2); g_free (x);
}

static void
test_geometries (void)
{
  static const Geo geos[] = {
    { 16, 3, 9, 1, 4, 1, 37, 29, TRUE },    /* a style network's first layer */
    { 32, 16, 3, 2, 1, 1, 33, 31, TRUE },   /* a strided down-sampling layer */
    { 64, 64, 3, 1, 1, 1, 17, 13, FALSE },  /* a residual block's */
    { 3, 16, 9, 1, 4, 1, 24, 18, TRUE },    /* the last layer, 3 outputs (packed by 4) */
    { 3, 16, 9, 1, 4, 1, 20, 15, TRUE },    /* packed by 5 */
    { 1, 8, 3, 1, 1, 1, 16, 9, FALSE },     /* one output, packed by 9 */
    { 4, 8, 5, 1, 2, 1, 7, 10, TRUE },      /* a row of 10: packed by 2 */
    { 2, 8, 3, 1, 0, 1, 9, 19, TRUE },      /* a row of 17 (prime): packed by 6 on 18 */
    { 3, 16, 9, 1, 4, 1, 8, 22, TRUE },     /* a row of 22: packed by 5 on 25 */
    { 2, 4, 2, 1, 0, 1, 6, 2, TRUE },       /* a row of 1: not packed */
    { 8, 8, 1, 1, 0, 1, 11, 7, TRUE },      /* 1x1 */
    { 12, 5, 3, 1, 2, 2, 15, 16, TRUE },    /* dilated, odd channel counts */
    { 4, 4, 5, 3, 0, 1, 1 + 4, 9, FALSE },  /* one output row */
  };
  for (gsize i = 0; i < G_N_ELEMENTS (geos); i++)
    check (&geos[i]);
}

static float *
rand_floats (int n, double lo, double hi)
{
  float *v = g_new (float, n);
  for (int i = 0; i < n; i++)
    v[i] = g_test_rand_double_range (lo, hi);
  return v;
}

/* x -> Pad -> Conv -> IN+Relu (r) -> Pad -> Conv -> IN -> Add r -> Resize x2 -> Conv 1x1 */
static GBytes *
block_model (void)
{
  TB *b = tb_new (13);
  tb_input (b, "x");
  tb_output (b, "y");
  int64_t pads[8] = { 0, 0, 1, 1, 0, 0, 1, 1 }, pd[1] = { 8 };
  tb_init_i64 (b, "pads", 1, pd, pads);
  float scales[4] = { 1, 1, 2, 2 };
  tb_init (b, "scales", 1, (int64_t[]) { 4 }, scales);
  const int64_t w1[4] = { 8, 3, 3, 3 }, w2[4] = { 8, 8, 3, 3 }, w3[4] = { 3, 8, 1, 1 };
  const int64_t c8[1] = { 8 }, c3[1] = { 3 };
  float *v;
  tb_init (b, "W1", 4, w1, v = tb_keep (b, rand_floats (8 * 3 * 9, -1, 1)));
  tb_init (b, "B1", 1, c8, v = tb_keep (b, rand_floats (8, -1, 1)));
  tb_init (b, "W2", 4, w2, v = tb_keep (b, rand_floats (8 * 8 * 9, -1, 1)));
  tb_init (b, "W3", 4, w3, v = tb_keep (b, rand_floats (3 * 8, -1, 1)));
  tb_init (b, "B3", 1, c3, v = tb_keep (b, rand_floats (3, -1, 1)));
  for (int i = 1; i <= 2; i++) {
    char *s = g_strdup_printf ("s%d", i), *o = g_strdup_printf ("o%d", i);
    tb_init (b, s, 1, c8, tb_keep (b, rand_floats (8, 0.5, 1.5)));
    tb_init (b, o, 1, c8, tb_keep (b, rand_floats (8, -0.5, 0.5)));
    g_free (s);
    g_free (o);
  }
  tb_attr_string (b, tb_node (b, "Pad", NULL, "x,pads", "p1"), "mode", "reflect");
  tb_node (b, "Conv", NULL, "p1,W1,B1", "c1");
  tb_node (b, "InstanceNormalization", NULL, "c1,s1,o1", "n1");
  tb_node (b, "Relu", NULL, "n1", "r1");
  tb_attr_string (b, tb_node (b, "Pad", NULL, "r1,pads", "p2"), "mode", "reflect");
  tb_node (b, "Conv", NULL, "p2,W2", "c2");
  tb_node (b, "InstanceNormalization", NULL, "c2,s2,o2", "n2");
  tb_node (b, "Add", NULL, "n2,r1", "a");
  tb_node (b, "Resize", NULL, "a,,scales", "u");
  tb_node (b, "Conv", NULL, "u,W3,B3", "y");
  return tb_finish (b);
}

static float *
run_block (GBytes *model, const float *x, int w, int h, const char *impl, gboolean nhwc,
           ArtemPrecision precision, int *n_nhwc)
{
  if (impl)
    g_setenv ("ARTEM_CONV_IMPL", impl, TRUE);
  if (!nhwc)
    g_setenv ("ARTEM_NO_NHWC", "1", TRUE);
  ArtemShape s = { 4, { 1, 3, h, w } };
  ArtemNet *net = load_run (model, precision, &s, x);
  *n_nhwc = 0;
  for (guint i = 0; i < net->values->len; i++) {
    ArtemValue *v = &g_array_index (net->values, ArtemValue, i);
    *n_nhwc += v->nhwc;
    /* the edges stay NCHW: the graph's input and output */
    if (!strcmp (v->name, "x") || !strcmp (v->name, "y") || !strcmp (v->name, "p1"))
      g_assert_false (v->nhwc);
  }
  ArtemShape os;
  const float *y = artem_net_get_output (net, 0, &os, NULL);
  g_assert_cmpint (os.dims[2], ==, 2 * h);
  float *copy = g_memdup2 (y, sizeof (float) * artem_shape_numel (&os));
  artem_net_free (net);
  g_unsetenv ("ARTEM_CONV_IMPL");
  g_unsetenv ("ARTEM_NO_NHWC");
  return copy;
}

static void
test_nhwc_regions (void)
{
  GBytes *m = block_model ();
  int w = 37, h = 23, n_nhwc, n_none;
  float *x = rand_floats (3 * w * h, 0, 1);
  gsize ny = (gsize) 3 * 2 * w * 2 * h;
  float *nchw_blas = run_block (m, x, w, h, "blas", FALSE, ARTEM_PRECISION_FP32, &n_none);
  float *nchw = run_block (m, x, w, h, "dnnl", FALSE, ARTEM_PRECISION_FP32, &n_none);
  float *nhwc = run_block (m, x, w, h, NULL, TRUE, ARTEM_PRECISION_FP32, &n_nhwc);
  float *nhwc_bf16 = run_block (m, x, w, h, NULL, TRUE, ARTEM_PRECISION_BF16, &n_nhwc);
  g_test_message ("NHWC values %d (NCHW plan %d); NHWC vs NCHW %.2g, vs OpenBLAS %.2g, "
                  "bf16 %.2g", n_nhwc, n_none, artem_test_rel_diff (nhwc, nchw, ny),
                  artem_test_rel_diff (nhwc, nchw_blas, ny),
                  artem_test_rel_diff (nhwc_bf16, nchw_blas, ny));
  g_assert_cmpint (n_none, ==, 0);
  if (artem_dnnl_available ())   /* c1, r1, p2, c2, n2, a, u */
    g_assert_cmpint (n_nhwc, ==, 7);
  g_assert_cmpfloat (artem_test_rel_diff (nhwc, nchw, ny), <, 1e-5);
  g_assert_cmpfloat (artem_test_rel_diff (nhwc, nchw_blas, ny), <, 1e-5);
  g_assert_cmpfloat (artem_test_rel_diff (nhwc_bf16, nchw_blas, ny), <, 3e-2);
  g_free (nchw_blas); g_free (nchw); g_free (nhwc); g_free (nhwc_bf16); g_free (x);
  g_bytes_unref (m);
}

/* ---- ConvTranspose ---- */
typedef struct {
  int C, M, K, stride, dil, H, W;
  int pads[4];        /* top, left, bottom, right */
  int out_pad;        /* output_padding, both sides */
  gboolean bias, relu;
} TGeo;

static GBytes *
convt_model (const TGeo *g, const float *w)
{
  TB *b = tb_new (13);
  tb_input (b, "x");
  tb_output (b, "y");
  tb_init (b, "W", 4, (int64_t[]) { g->C, g->M, g->K, g->K }, w);
  float *bv = tb_keep (b, g_new (float, g->M));
  for (int i = 0; i < g->M; i++)
    bv[i] = 0.25f * i - 0.5f;
  tb_init (b, "B", 1, (int64_t[]) { g->M }, bv);
  Onnx__NodeProto *n = tb_node (b, "ConvTranspose", NULL, g->bias ? "x,W,B" : "x,W",
                                g->relu ? "t" : "y");
  int64_t pads[4] = { g->pads[0], g->pads[1], g->pads[2], g->pads[3] };
  tb_attr_ints (b, n, "pads", 4, pads);
  tb_attr_ints (b, n, "strides", 2, (int64_t[]) { g->stride, g->stride });
  tb_attr_ints (b, n, "dilations", 2, (int64_t[]) { g->dil, g->dil });
  tb_attr_ints (b, n, "kernel_shape", 2, (int64_t[]) { g->K, g->K });
  if (g->out_pad)
    tb_attr_ints (b, n, "output_padding", 2, (int64_t[]) { g->out_pad, g->out_pad });
  if (g->relu)
    tb_node (b, "Relu", NULL, "t", "y");
  return tb_finish (b);
}

static float *
run_convt (GBytes *model, const TGeo *g, const float *x, const char *impl,
           ArtemPrecision precision, const float *new_w, gsize n_w, gsize *ny, char *kernel)
{
  return run_model (model, g->C, g->H, g->W, x, impl, precision, new_w, n_w, ny, kernel);
}

static void
check_convt (const TGeo *g)
{
  gsize nw = (gsize) g->C * g->M * g->K * g->K, nx = (gsize) g->C * g->H * g->W, ny, n2;
  float *w = rand_floats (nw, -1, 1), *w2 = rand_floats (nw, -1, 1), *x = rand_floats (nx, -1, 1);
  GBytes *m = convt_model (g, w), *m2 = convt_model (g, w2);
  char k_blas[128], k_dnnl[128], k_bf16[128], k_any[128];
  float *blas = run_convt (m, g, x, "blas", ARTEM_PRECISION_FP32, NULL, 0, &ny, k_blas);
  float *dnnl = run_convt (m, g, x, "dnnl", ARTEM_PRECISION_FP32, NULL, 0, &n2, k_dnnl);
  g_assert_cmpuint (n2, ==, ny);
  float *chosen = run_convt (m, g, x, NULL, ARTEM_PRECISION_FP32, NULL, 0, &n2, k_any);
  float *blas2 = run_convt (m2, g, x, "blas", ARTEM_PRECISION_FP32, NULL, 0, &n2, k_any);
  float *dnnl2 = run_convt (m, g, x, "dnnl", ARTEM_PRECISION_FP32, w2, nw, &n2, k_any);
  float *bf16 = run_convt (m, g, x, "dnnl", ARTEM_PRECISION_BF16, NULL, 0, &n2, k_bf16);
  double d_fp32 = artem_test_rel_diff (dnnl, blas, ny);
  double d_chosen = artem_test_rel_diff (chosen, blas, ny);
  double d_rewrite = artem_test_rel_diff (dnnl2, blas2, ny);
  double d_bf16 = artem_test_rel_diff (bf16, blas, ny);
  g_test_message ("ConvTranspose C%d M%d k%d s%d d%d pads %d,%d,%d,%d out_pad %d %dx%d bias %d "
                  "relu %d: oneDNN fp32 (%s) %.2g, chosen %.2g, rewritten weights %.2g, bf16 "
                  "(%s) %.2g", g->C, g->M, g->K, g->stride, g->dil, g->pads[0], g->pads[1],
                  g->pads[2], g->pads[3], g->out_pad, g->W, g->H, g->bias, g->relu,
                  k_dnnl, d_fp32, d_chosen, d_rewrite, k_bf16, d_bf16);
  g_assert_cmpstr (k_blas, ==, "");
  if (artem_dnnl_available ()) {   /* oneDNN has a kernel for every one of these */
    g_assert_cmpstr (k_dnnl, !=, "");
    g_assert_cmpstr (k_bf16, !=, "");
  }
  assert_close (d_fp32, d_chosen, d_rewrite, d_bf16);
  g_bytes_unref (m);
  g_bytes_unref (m2);
  g_free (blas); g_free (dnnl); g_free (chosen); g_free (blas2); g_free (dnnl2); g_free (bf16);
  g_free (w); g_free (w2); g_free (x);
}

static void
test_conv_transpose (void)
{
  static const TGeo geos[] = {
    { 32, 16, 3, 2, 1, 19, 23, { 0, 0, 1, 1 }, 0, FALSE, TRUE },  /* ml5's, last row cut */
    { 16, 8, 3, 2, 1, 12, 9, { 1, 1, 1, 1 }, 1, TRUE, FALSE },    /* output_padding 1 */
    { 3, 5, 4, 3, 1, 7, 6, { 0, 1, 2, 0 }, 0, TRUE, FALSE },      /* odd, asymmetric */
    { 4, 6, 3, 1, 2, 9, 11, { 2, 2, 2, 2 }, 0, TRUE, TRUE },      /* dilated */
    { 8, 4, 1, 1, 1, 5, 13, { 0, 0, 0, 0 }, 0, FALSE, FALSE },    /* 1x1 */
  };
  for (gsize i = 0; i < G_N_ELEMENTS (geos); i++)
    check_convt (&geos[i]);
}

int
main (int argc, char **argv)
{
  return artem_test_run (argc, argv, "/conv-kernels/", "geometries", test_geometries,
                          "nhwc-regions", test_nhwc_regions, "conv-transpose", test_conv_transpose,
                          NULL);
}
