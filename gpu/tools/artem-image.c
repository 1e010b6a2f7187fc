/* artem-image — stylizes binary PPM (P6) pictures with a model, without GStreamer.
 *
 *   artem-image MODEL IN.ppm OUT.ppm [--backend cpu|cuda|auto] [--precision P]
 *
 * P: auto, fp32, fp16 or bf16 (ArtemPrecision); the precision used is printed.
 */
#include <artem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static guint8 *
read_ppm (const char *path, int *w, int *h)
{
  FILE *f = fopen (path, "rb");
  if (!f)
    return NULL;
  int maxv;
  guint8 *px = NULL;
  if (fscanf (f, "P6 %d %d %d", w, h, &maxv) == 3 && maxv == 255 && *w > 0 && *h > 0 &&
      *w < 65536 && *h < 65536 && fgetc (f) != EOF) {
    px = g_malloc ((gsize) *w * *h * 3);
    if (fread (px, 3, (gsize) *w * *h, f) != (gsize) *w * *h)
      g_clear_pointer (&px, g_free);
  }
  fclose (f);
  return px;
}

int
main (int argc, char **argv)
{
  if (argc < 4) {
    fprintf (stderr, "usage: %s MODEL IN.ppm OUT.ppm [--backend cpu|cuda|auto] "
             "[--precision auto|fp32|fp16|bf16]\n", argv[0]);
    return 2;
  }
  ArtemBackendKind kind = ARTEM_BACKEND_AUTO;
  ArtemPrecision precision = ARTEM_PRECISION_AUTO;
  for (int i = 4; i + 1 < argc; i += 2) {
    if (!strcmp (argv[i], "--backend"))
      kind = !strcmp (argv[i + 1], "cpu") ? ARTEM_BACKEND_CPU
             : !strcmp (argv[i + 1], "cuda") ? ARTEM_BACKEND_CUDA : ARTEM_BACKEND_AUTO;
    else if (!strcmp (argv[i], "--precision"))
      precision = !strcmp (argv[i + 1], "fp32")   ? ARTEM_PRECISION_FP32
                  : !strcmp (argv[i + 1], "fp16") ? ARTEM_PRECISION_FP16
                  : !strcmp (argv[i + 1], "bf16") ? ARTEM_PRECISION_BF16
                                                  : ARTEM_PRECISION_AUTO;
  }
  int w, h;
  guint8 *px = read_ppm (argv[2], &w, &h);
  if (!px) {
    fprintf (stderr, "artem-image: %s: not a readable binary PPM\n", argv[2]);
    return 1;
  }
  GError *err = NULL;
  ArtemNet *net = artem_net_new_from_file (argv[1], kind, &err);
  if (net)
    artem_net_set_precision (net, precision);
  if (!net || !artem_net_reshape_frame (net, w, h, &err) ||
      !artem_net_process_frame (net, px, (gsize) w * 3, px, (gsize) w * 3, ARTEM_FORMAT_RGB,
                                &err)) {
    fprintf (stderr, "artem-image: %s\n", err->message);
    return 1;
  }
  FILE *f = fopen (argv[3], "wb");
  if (!f || fprintf (f, "P6\n%d %d\n255\n", w, h) < 0 ||
      fwrite (px, 3, (gsize) w * h, f) != (gsize) w * h) {
    fprintf (stderr, "artem-image: cannot write %s\n", argv[3]);
    return 1;
  }
  fclose (f);
  static const char *const names[] = { "auto", "fp32", "fp16", "bf16" };
  printf ("precision=%s\n", names[artem_net_get_precision (net)]);
  artem_net_free (net);
  g_free (px);
  return 0;
}
