/* test-xnor.c — the binary convolution is exact: on +-1 inputs and +-1 weights, the XNOR
 * kernel (bit-packed XOR + popcount, activation scale off) equals the float convolution
 * bit for bit, for random shapes with odd channel counts, padding, stride 2 and
 * dilation; binary-weight mode equals a float convolution with alpha * sign (W); the
 * scaled XNOR output follows XNOR-Net's formula. */
#include "artem-private.h"
#include "binary.h"
#include <math.h>
#include <glib/gstdio.h>

#include "../common/conv-model.h"
#include "../common/test-main.h"

static float *
run (GBytes *model, int mode, guint flags, const float *x, int C, int H, int W, ArtemShape *os)
{
  GError *err = NULL;
  gsize len;
  const void *d = g_bytes_get_data (model, &len);
  ArtemNet *net = artem_net_new_from_data (d, len, "conv", ARTEM_BACKEND_CPU, &err);
  g_assert_no_error (err);
  if (mode != ARTEM_BINARIZE_NONE) {
    g_assert_true (artem_net_binarize (net, mode, "all", flags, &err));
    g_assert_cmpuint (artem_net_get_n_binarized (net), ==, 1);
  }
  ArtemShape s = { 4, { 1, C, H, W } };
  g_assert_true (artem_net_reshape (net, &s, NULL, &err));
  memcpy (artem_net_get_input_buffer (net, 0), x, sizeof (float) * C * H * W);
  g_assert_true (artem_net_run (net, &err));
  const float *y = artem_net_get_output (net, 0, os, NULL);
  float *copy = g_memdup2 (y, artem_shape_numel (os) * sizeof (float));
  artem_net_free (net);
  return copy;
}

static void
test_exact (void)
{
  GRand *r = g_rand_new_with_seed (11);
  static const int channels[] = { 1, 3, 17, 63, 64, 65, 130 };
  for (int it = 0; it < 40; it++) {
    int C = channels[g_rand_int_range (r, 0, G_N_ELEMENTS (channels))];
    int M = g_rand_int_range (r, 1, 20), K = 1 + 2 * g_rand_int_range (r, 0, 3);
    int stride = g_rand_int_range (r, 1, 3), pad = g_rand_int_range (r, 0, K / 2 + 2);
    int dil = g_rand_int_range (r, 0, 4) == 0 ? 2 : 1;
    int H = g_rand_int_range (r, K * dil, 19), W = g_rand_int_range (r, K * dil, 23);
    float *wv = g_new (float, M * C * K * K), *x = g_new (float, C * H * W);
    for (int i = 0; i < M * C * K * K; i++)
      wv[i] = g_rand_boolean (r) ? 1.f : -1.f;
    for (int i = 0; i < C * H * W; i++)
      x[i] = g_rand_boolean (r) ? 1.f : -1.f;
    gboolean bias = g_rand_boolean (r);
    GBytes *model = conv_model (M, C, K, stride, pad, dil, wv, bias);
    ArtemShape fs, bs;
    float *ref = run (model, ARTEM_BINARIZE_NONE, 0, x, C, H, W, &fs);
    float *got = run (model, ARTEM_BINARIZE_XNOR, ARTEM_BINARIZE_FLAG_NO_ACTIVATION_SCALE, x, C, H, W, &bs);
    g_assert_true (artem_shape_equal (&fs, &bs));
    for (int64_t i = 0; i < artem_shape_numel (&fs); i++) {
      if (ref[i] != got[i])
        g_error ("C=%d M=%d K=%d stride=%d pad=%d dil=%d %dx%d: [%" G_GINT64_FORMAT "] float %g, "
                 "binary %g", C, M, K, stride, pad, dil, W, H, (gint64) i, ref[i], got[i]);
      g_assert_cmpfloat (ref[i], ==, rintf (ref[i]));   /* integers (+ bias) */
    }
    g_free (ref); g_free (got); g_free (wv); g_free (x);
    g_bytes_unref (model);
  }
  g_rand_free (r);
}

static void
test_scaled_modes (void)
{
  /* real-valued weights and activations: BWN = float conv with alpha * sign (W); XNOR =
   * integer dot * alpha * K with K the window mean of mean |x| */
  GRand *r = g_rand_new_with_seed (12);
  int M = 9, C = 70, K = 3, H = 11, W = 13;
  float *wv = g_new (float, M * C * K * K), *x = g_new (float, C * H * W);
  float *wsign = g_new (float, M * C * K * K);
  for (int i = 0; i < M * C * K * K; i++)
    wv[i] = (float) g_rand_double_range (r, -1, 1);
  for (int i = 0; i < C * H * W; i++)
    x[i] = (float) g_rand_double_range (r, -2, 2);
  for (int m = 0; m < M; m++) {
    double s = 0;
    for (int i = 0; i < C * K * K; i++)
      s += fabsf (wv[m * C * K * K + i]);
    for (int i = 0; i < C * K * K; i++)
      wsign[m * C * K * K + i] = (float) (wv[m * C * K * K + i] < 0 ? -s / (C * K * K) : s / (C * K * K));
  }
  GBytes *model = conv_model (M, C, K, 1, 1, 1, wv, FALSE);
  GBytes *signed_model = conv_model (M, C, K, 1, 1, 1, wsign, FALSE);
  ArtemShape s1, s2, s3;
  float *bwn = run (model, ARTEM_BINARIZE_WEIGHTS, 0, x, C, H, W, &s1);
  float *ref = run (signed_model, ARTEM_BINARIZE_NONE, 0, x, C, H, W, &s2);
  for (int64_t i = 0; i < artem_shape_numel (&s1); i++)
    g_assert_cmpfloat (fabsf (bwn[i] - ref[i]), <=, 1e-4f * MAX (1.f, fabsf (ref[i])));
  /* XNOR with K: compare at an interior pixel with a direct computation */
  float *xn = run (model, ARTEM_BINARIZE_XNOR, 0, x, C, H, W, &s3);
  int oy = 5, ox = 6;
  for (int m = 0; m < M; m++) {
    double dot = 0, ksum = 0;
    for (int ky = 0; ky < 3; ky++)
      for (int kx = 0; kx < 3; kx++) {
        int iy = oy - 1 + ky, ix = ox - 1 + kx;
        double a = 0;
        for (int c = 0; c < C; c++) {
          float xv = x[c * H * W + iy * W + ix];
          a += fabsf (xv);
          dot += (xv < 0 ? -1 : 1) * (wv[((m * C + c) * 3 + ky) * 3 + kx] < 0 ? -1 : 1);
        }
        ksum += a / C;
      }
    double alpha = fabsf (wsign[m * C * K * K]);
    double want = dot * alpha * ksum / 9;
    double have = xn[m * H * W + oy * W + ox];
    g_assert_cmpfloat (fabs (have - want), <=, 1e-3 * MAX (1, fabs (want)));
  }
  g_free (bwn); g_free (ref); g_free (xn); g_free (wv); g_free (x); g_free (wsign);
  g_bytes_unref (model);
  g_bytes_unref (signed_model);
  g_rand_free (r);
}

static void
test_save_and_load (void)
{
  /* a binarized model saved as bits + scales loads back to the same network */
  GRand *r = g_rand_new_with_seed (13);
  int M = 11, C = 70, K = 3, H = 9, W = 12;
  float *wv = g_new (float, M * C * K * K), *x = g_new (float, C * H * W);
  for (int i = 0; i < M * C * K * K; i++)
    wv[i] = (float) g_rand_double_range (r, -1, 1);
  for (int i = 0; i < C * H * W; i++)
    x[i] = (float) g_rand_double_range (r, -2, 2);
  GBytes *model = conv_model (M, C, K, 2, 1, 1, wv, TRUE);
  for (int mode = ARTEM_BINARIZE_WEIGHTS; mode <= ARTEM_BINARIZE_XNOR; mode++) {
    GError *err = NULL;
    gsize len;
    const void *d = g_bytes_get_data (model, &len);
    ArtemNet *net = artem_net_new_from_data (d, len, "conv", ARTEM_BACKEND_CPU, &err);
    g_assert_true (artem_net_binarize (net, mode, "all", 0, &err));
    char *path = g_build_filename (g_get_tmp_dir (), "artem-test-packed.onnx", NULL);
    g_assert_true (artem_net_save_binarized (net, path, &err));
    g_assert_no_error (err);
    ArtemShape s = { 4, { 1, C, H, W } }, os1, os2;
    g_assert_true (artem_net_reshape (net, &s, NULL, &err));
    memcpy (artem_net_get_input_buffer (net, 0), x, sizeof (float) * C * H * W);
    g_assert_true (artem_net_run (net, &err));
    const float *y1 = artem_net_get_output (net, 0, &os1, NULL);
    ArtemNet *back = artem_net_new_from_file (path, ARTEM_BACKEND_CPU, &err);
    g_assert_no_error (err);
    g_assert_cmpuint (artem_net_get_n_binarized (back), ==, 1);
    g_assert_true (artem_net_reshape (back, &s, NULL, &err));
    memcpy (artem_net_get_input_buffer (back, 0), x, sizeof (float) * C * H * W);
    g_assert_true (artem_net_run (back, &err));
    const float *y2 = artem_net_get_output (back, 0, &os2, NULL);
    g_assert_true (artem_shape_equal (&os1, &os2));
    for (int64_t i = 0; i < artem_shape_numel (&os1); i++)
      g_assert_cmpfloat (fabsf (y1[i] - y2[i]), <=, 1e-5f * MAX (1.f, fabsf (y1[i])));
    gchar *contents;
    gsize packed_len;
    g_assert_true (g_file_get_contents (path, &contents, &packed_len, NULL));
    g_assert_cmpuint (packed_len * 10, <, len);   /* the bits are much smaller */
    g_free (contents);
    g_remove (path);
    g_free (path);
    artem_net_free (back);
    artem_net_free (net);
  }
  g_bytes_unref (model);
  g_free (wv);
  g_free (x);
  g_rand_free (r);
}

int
main (int argc, char **argv)
{
  return artem_test_run (argc, argv, "/xnor/", "exact-on-plus-minus-one", test_exact,
                          "scaled-modes", test_scaled_modes,
                          "save-and-load", test_save_and_load, NULL);
}
