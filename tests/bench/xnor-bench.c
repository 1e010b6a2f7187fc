/* xnor-bench.c — binary (XNOR) against float convolution on the CPU, same shape, same run:
 * the residual-block shape of a style network (3x3, 128->128, 270x480 input by default),
 * fp32 im2col + OpenBLAS SGEMM vs bit-packed XOR + popcount; also the weight sizes.
 * With "cuda" the same on the GPU: cuDNN fp32 and fp16 against the popcount kernel, the
 * convolution alone timed with CUDA events (artem_net_time_network: no host transfer).
 *   xnor-bench [C M H W FRAMES [cpu|cuda]] */
#include "../common/conv-model.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "binary.h"   /* artem_xnor_kernel_name */

static double
time_net (ArtemNet *net, int frames)
{
  GError *err = NULL;
  artem_net_run (net, &err);   /* warm-up */
  double best = 1e30, total = 0;
  for (int i = 0; i < frames; i++) {
    gint64 t0 = g_get_monotonic_time ();
    artem_net_run (net, &err);
    double ms = (g_get_monotonic_time () - t0) / 1000.0;
    total += ms;
    best = MIN (best, ms);
  }
  return total / frames;
}

/* the residual-block convolution (3x3, pad 1, bias) with fixed pseudo-random weights */
static GBytes *
bench_model (int C, int M)
{
  float *wv = g_new (float, (gsize) M * C * 9);
  for (gsize i = 0; i < (gsize) M * C * 9; i++)
    wv[i] = (float) ((i * 2654435761u) % 1000) / 500.f - 1.f;
  GBytes *model = conv_model (M, C, 3, 1, 1, 1, wv, TRUE);
  g_free (wv);
  return model;
}

static void
fill_input (ArtemNet *net, gsize n)
{
  float *x = artem_net_get_input_buffer (net, 0);
  for (gsize i = 0; i < n; i++)
    x[i] = (float) ((i * 40503u) % 997) / 498.f - 1.f;
}

/* the GPU: cuDNN fp32 / fp16 against the binary kernel with fp32 / fp16 activations */
static int
gpu_bench (int C, int M, int H, int W, int frames)
{
  if (!artem_backend_available (ARTEM_BACKEND_CUDA)) {
    printf ("SKIP: %s\n", artem_backend_unavailable_reason (ARTEM_BACKEND_CUDA));
    return 77;
  }
  GBytes *model = bench_model (C, M);
  gsize len;
  const void *d = g_bytes_get_data (model, &len);
  ArtemShape s = { 4, { 1, C, H, W } };
  const char *names[4] = { "cuDNN fp32", "cuDNN fp16 (tensor cores)",
                           "XNOR popcount, fp32 activations", "XNOR popcount, fp16 activations" };
  int modes[4] = { ARTEM_BINARIZE_NONE, ARTEM_BINARIZE_NONE, ARTEM_BINARIZE_XNOR,
                   ARTEM_BINARIZE_XNOR };
  ArtemPrecision prec[4] = { ARTEM_PRECISION_FP32, ARTEM_PRECISION_FP16, ARTEM_PRECISION_FP32,
                             ARTEM_PRECISION_FP16 };
  double ms[4];
  printf ("# GPU: 3x3 conv %d->%d on %dx%d, the convolution alone, %d runs each\n", C, M, W, H,
          frames);
  for (int k = 0; k < 4; k++) {
    GError *err = NULL;
    ArtemNet *net = artem_net_new_from_data (d, len, "conv", ARTEM_BACKEND_CUDA, &err);
    if (net) {
      artem_net_set_precision (net, prec[k]);
      if (modes[k])
        artem_net_binarize (net, modes[k], "all", 0, &err);
    }
    if (!net || !artem_net_reshape (net, &s, NULL, &err)) {
      printf ("%-36s failed: %s\n", names[k], err ? err->message : "?");
      g_clear_error (&err);
      artem_net_free (net);
      ms[k] = -1;
      continue;
    }
    fill_input (net, (gsize) C * H * W);
    artem_net_run (net, NULL);
    ms[k] = artem_net_time_network (net, MAX (frames, 20));
    printf ("%-36s mean_ms=%.4f  speed vs cuDNN fp32=%.2fx  vs cuDNN fp16=%.2fx\n", names[k],
            ms[k], ms[0] / ms[k], k >= 1 ? ms[1] / ms[k] : 0.0);
    artem_net_free (net);
  }
  g_bytes_unref (model);
  return 0;
}

int
main (int argc, char **argv)
{
  int C = 128, M = 128, H = 270, W = 480, frames = 10;
  if (argc >= 6) {
    C = atoi (argv[1]); M = atoi (argv[2]); H = atoi (argv[3]); W = atoi (argv[4]);
    frames = atoi (argv[5]);
  }
  if (argc >= 7 && !strcmp (argv[6], "cuda"))
    return gpu_bench (C, M, H, W, frames);
  GBytes *model = bench_model (C, M);
  gsize len;
  const void *d = g_bytes_get_data (model, &len);
  ArtemShape s = { 4, { 1, C, H, W } };
  double ms[3];
  const char *names[3] = { "float32 im2col+SGEMM", "XNOR (binary weights and activations)",
                           "binary weights only (BWN, float path)" };
  int modes[3] = { ARTEM_BINARIZE_NONE, ARTEM_BINARIZE_XNOR, ARTEM_BINARIZE_WEIGHTS };
  gsize fbytes = 0, pbytes = 0;
  for (int k = 0; k < 3; k++) {
    GError *err = NULL;
    ArtemNet *net = artem_net_new_from_data (d, len, "conv", ARTEM_BACKEND_CPU, &err);
    if (modes[k])
      artem_net_binarize (net, modes[k], "all", 0, &err);
    artem_net_reshape (net, &s, NULL, &err);
    fill_input (net, (gsize) C * H * W);
    ms[k] = time_net (net, frames);
    if (modes[k] == ARTEM_BINARIZE_XNOR)
      artem_net_get_weight_bytes (net, &fbytes, &pbytes);
    artem_net_free (net);
  }
  printf ("# 3x3 conv %d->%d on %dx%d, %d runs each, %d threads, XNOR kernel: %s\n", C, M, W, H,
          frames, artem_cpu_threads (), artem_xnor_kernel_name ());
  for (int k = 0; k < 3; k++)
    printf ("%-40s mean_ms=%.2f  speed vs float=%.2fx\n", names[k], ms[k], ms[0] / ms[k]);
  printf ("weights: float %zu bytes, binarized %zu bytes (%.1fx smaller)\n", fbytes, pbytes,
          (double) fbytes / pbytes);
  g_bytes_unref (model);
  return 0;
}
