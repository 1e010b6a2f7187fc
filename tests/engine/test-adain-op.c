/* test-adain-op.c — the AdaIN operator: output channel means and standard deviations
 * equal the style's within 1e-4; alpha 0 is the identity; alpha blends linearly;
 * artem_feature_stats matches a direct computation. */
#include <artem.h>
#include <math.h>
#include "../common/test-main.h"

static void
channel_stats (const float *p, gsize n, double *mean, double *std)
{
  double s = 0, q = 0;
  for (gsize i = 0; i < n; i++)
    s += p[i];
  *mean = s / n;
  for (gsize i = 0; i < n; i++)
    q += (p[i] - *mean) * (p[i] - *mean);
  *std = sqrt (q / (n - 1));
}

static void
test_adain (void)
{
  char *path = g_build_filename (g_getenv ("ARTEM_TEST_DATA"), "adain-op.onnx", NULL);
  GError *err = NULL;
  ArtemNet *net = artem_net_new_from_file (path, ARTEM_BACKEND_CPU, &err);
  g_assert_no_error (err);
  const int C = 8, H = 13, W = 11;
  ArtemShape s = { 4, { 1, C, H, W } };
  g_assert_true (artem_net_reshape (net, &s, NULL, &err));
  GRand *r = g_rand_new_with_seed (3);
  float *x = g_new (float, C * H * W);
  for (int i = 0; i < C * H * W; i++)
    x[i] = (float) g_rand_double_range (r, -3, 5) * (1 + i % C);
  float mean[8], std[8], alpha = 1.f;
  for (int c = 0; c < C; c++) {
    mean[c] = (float) g_rand_double_range (r, -2, 2);
    std[c] = (float) g_rand_double_range (r, 0.1, 4);
  }
  g_assert_true (artem_net_set_initializer (net, "adain.style_mean", mean, C, &err));
  g_assert_true (artem_net_set_initializer (net, "adain.style_std", std, C, &err));
  g_assert_false (artem_net_set_initializer (net, "adain.style_std", std, C - 1, NULL));
  g_assert_false (artem_net_set_initializer (net, "nosuch", std, C, NULL));
  memcpy (artem_net_get_input_buffer (net, 0), x, sizeof (float) * C * H * W);
  g_assert_true (artem_net_run (net, &err));
  const float *y = artem_net_get_output (net, 0, NULL, NULL);
  for (int c = 0; c < C; c++) {
    double m, sd;
    channel_stats (y + c * H * W, H * W, &m, &sd);
    g_assert_cmpfloat (fabs (m - mean[c]), <, 1e-4 * MAX (1, fabs (mean[c])));
    /* std(x)+eps inside AdaIN: equal within 1e-4 relative */
    g_assert_cmpfloat (fabs (sd - std[c]) / std[c], <, 1e-4);
  }
  /* alpha 0: the content itself; alpha 0.25: a linear blend */
  float *full = g_memdup2 (y, sizeof (float) * C * H * W);
  alpha = 0.f;
  g_assert_true (artem_net_set_initializer (net, "adain.alpha", &alpha, 1, &err));
  g_assert_true (artem_net_run (net, &err));
  y = artem_net_get_output (net, 0, NULL, NULL);
  for (int i = 0; i < C * H * W; i++)
    g_assert_cmpfloat (fabs (y[i] - x[i]), <, 1e-5 * MAX (1, fabs (x[i])));
  alpha = 0.25f;
  artem_net_set_initializer (net, "adain.alpha", &alpha, 1, &err);
  g_assert_true (artem_net_run (net, &err));
  y = artem_net_get_output (net, 0, NULL, NULL);
  for (int i = 0; i < C * H * W; i++)
    g_assert_cmpfloat (fabs (y[i] - (0.25f * full[i] + 0.75f * x[i])), <, 1e-4 * MAX (1, fabs (x[i])));
  /* the style statistics helper */
  float fm[8], fs[8];
  artem_feature_stats (x, C, H * W, fm, fs);
  for (int c = 0; c < C; c++) {
    double m, sd;
    channel_stats (x + c * H * W, H * W, &m, &sd);
    g_assert_cmpfloat (fabs (fm[c] - m), <, 1e-4 * MAX (1, fabs (m)));
    g_assert_cmpfloat (fabs (fs[c] - sqrt (sd * sd + 1e-5)), <, 1e-4 * sd);
  }
  g_free (full);
  g_free (x);
  g_rand_free (r);
  artem_net_free (net);
  g_free (path);
}

int
main (int argc, char **argv)
{
  return artem_test_run (argc, argv, "/adain/", "operator", test_adain, NULL);
}
