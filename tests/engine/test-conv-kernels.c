/* test-conv-kernels.c — the CPU's convolution kernels against each other on random
 * geometries: oneDNN fp32 (ARTEM_CONV_IMPL=dnnl) equals im2col + OpenBLAS (=blas) to
 * fp32 rounding, oneDNN bf16 stays within bf16's precision, the kernel chosen by
 * measurement (no variable) equals one of them, and a weight rewritten through
 * artem_net_set_initializer reaches the oneDNN kernel (its reordered copy is refreshed). */
#include "../common/conv-model.h"
#include <math.h>
#include <stdlib.h>

typedef struct {
  int M, C, K, stride, pad, dil, H, W;
  gboolean bias;
} Geo;

static float *
run_conv (GBytes *model, const Geo *g, const float *x, const char *impl,
          ArtemPrecision precision, const float *new_w, gsize n_w)
{
  if (impl)
    g_setenv ("ARTEM_CONV_IMPL", impl, TRUE);
  else
    g_unsetenv ("ARTEM_CONV_IMPL");
  GError *err = NULL;
  gsize size;
  const void *data = g_bytes_get_data (model, &size);
  ArtemNet *net = artem_net_new_from_data (data, size, "conv", ARTEM_BACKEND_CPU, &err);
  g_assert_no_error (err);
  artem_net_set_precision (net, precision);
  ArtemShape s = { 4, { 1, g->C, g->H, g->W } };
  g_assert_true (artem_net_reshape (net, &s, NULL, &err));
  g_assert_no_error (err);
  memcpy (artem_net_get_input_buffer (net, 0), x, sizeof (float) * g->C * g->H * g->W);
  g_assert_true (artem_net_run (net, &err));
  if (new_w) {   /* a second run after the weights changed */
    g_assert_true (artem_net_set_initializer (net, "W", new_w, n_w, &err));
    g_assert_true (artem_net_run (net, &err));
  }
  ArtemShape os;
  const float *y = artem_net_get_output (net, 0, &os, NULL);
  float *copy = g_memdup2 (y, sizeof (float) * artem_shape_numel (&os));
  artem_net_free (net);
  g_unsetenv ("ARTEM_CONV_IMPL");
  return copy;
}

/* the largest difference relative to the output's largest magnitude */
static double
rel_diff (const float *a, const float *b, gsize n)
{
  double d = 0, m = 1e-6;
  for (gsize i = 0; i < n; i++) {
    d = MAX (d, fabs ((double) a[i] - b[i]));
    m = MAX (m, fabs ((double) b[i]));
  }
  return d / m;
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
  double d_fp32 = rel_diff (dnnl, blas, ny), d_chosen = rel_diff (chosen, blas, ny);
  /* the weights rewritten after a first run: the same as a net loaded with them */
  GBytes *m2 = conv_model (g->M, g->C, g->K, g->stride, g->pad, g->dil, w2, g->bias);
  float *blas2 = run_conv (m2, g, x, "blas", ARTEM_PRECISION_FP32, NULL, 0);
  float *dnnl2 = run_conv (m, g, x, "dnnl", ARTEM_PRECISION_FP32, w2, nw);
  double d_rewrite = rel_diff (dnnl2, blas2, ny);
  float *bf16 = run_conv (m, g, x, "dnnl", ARTEM_PRECISION_BF16, NULL, 0);
  double d_bf16 = rel_diff (bf16, blas, ny);
  g_test_message ("M%d C%d k%d s%d p%d d%d %dx%d bias %d: oneDNN fp32 %.2g, chosen %.2g, "
                  "rewritten weights %.2g, bf16 %.2g", g->M, g->C, g->K, g->stride, g->pad,
                  g->dil, g->W, g->H, g->bias, d_fp32, d_chosen, d_rewrite, d_bf16);
  g_assert_cmpfloat (d_fp32, <, 1e-5);
  g_assert_cmpfloat (d_chosen, <, 1e-5);
  g_assert_cmpfloat (d_rewrite, <, 1e-5);
  /* bf16 inputs and weights (8 bits of mantissa), fp32 sums: a few parts in 1000 of the
   * largest output; fp32 itself where the CPU has no bf16 */
  g_assert_cmpfloat (d_bf16, <, 3e-2);
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
    { 3, 16, 9, 1, 4, 1, 24, 18, TRUE },    /* the last layer, 3 outputs */
    { 8, 8, 1, 1, 0, 1, 11, 7, TRUE },      /* 1x1 */
    { 12, 5, 3, 1, 2, 2, 15, 16, TRUE },    /* dilated, odd channel counts */
    { 4, 4, 5, 3, 0, 1, 1 + 4, 9, FALSE },  /* one output row */
  };
  for (gsize i = 0; i < G_N_ELEMENTS (geos); i++)
    check (&geos[i]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/conv-kernels/geometries", test_geometries);
  return g_test_run ();
}
