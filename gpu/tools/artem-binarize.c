/* artem-binarize — binarizes a model's convolutions (XNOR-Net) and prints the weight
 * sizes: float32 against bits + one scale per output channel.
 *   artem-binarize MODEL.onnx [--mode weights|xnor] [--layers inner|all|residual|NAMES]
 *                  [--output PACKED.onnx]
 * With --output, writes the packed model (bits + scales; loads like any model) and
 * prints both file sizes. */
#include <artem.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

int
main (int argc, char **argv)
{
  if (argc < 2) {
    fprintf (stderr, "usage: %s MODEL.onnx [--mode weights|xnor] [--layers inner|all|residual|NAMES]\n",
             argv[0]);
    return 2;
  }
  const char *layers = "inner", *mode_s = "xnor", *output = NULL;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!strcmp (argv[i], "--layers")) layers = argv[i + 1];
    else if (!strcmp (argv[i], "--mode")) mode_s = argv[i + 1];
    else if (!strcmp (argv[i], "--output")) output = argv[i + 1];
  }
  ArtemBinarizeMode mode = !strcmp (mode_s, "weights") ? ARTEM_BINARIZE_WEIGHTS : ARTEM_BINARIZE_XNOR;
  GError *err = NULL;
  ArtemNet *net = artem_net_new_from_file (argv[1], ARTEM_BACKEND_CPU, &err);
  if (!net || !artem_net_binarize (net, mode, layers, 0, &err)) {
    fprintf (stderr, "artem-binarize: %s\n", err->message);
    return 1;
  }
  gsize f, p;
  artem_net_get_weight_bytes (net, &f, &p);
  printf ("model=%s mode=%s layers=%s binarized_convolutions=%u\n", argv[1], mode_s, layers,
          artem_net_get_n_binarized (net));
  printf ("weights_float32=%zu bytes (%.2f MiB) weights_binarized=%zu bytes (%.2f MiB) ratio=%.1fx\n",
          f, f / 1048576.0, p, p / 1048576.0, (double) f / p);
  if (output) {
    if (!artem_net_save_binarized (net, output, &err)) {
      fprintf (stderr, "artem-binarize: %s\n", err->message);
      return 1;
    }
    GStatBuf a, b;
    if (g_stat (argv[1], &a) == 0 && g_stat (output, &b) == 0)
      printf ("file_float=%lld bytes file_packed=%lld bytes (%s) file_ratio=%.1fx\n",
              (long long) a.st_size, (long long) b.st_size, output, (double) a.st_size / b.st_size);
  }
  artem_net_free (net);
  return 0;
}
