/* artem-image — stylizes binary PPM (P6) pictures with a model, without GStreamer.
 *
 *   artem-image MODEL IN.ppm OUT.ppm [--backend cpu|cuda|auto]
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
    fprintf (stderr, "usage: %s MODEL IN.ppm OUT.ppm [--backend cpu|cuda|auto]\n", argv[0]);
    return 2;
  }
  ArtemBackendKind kind = ARTEM_BACKEND_AUTO;
  if (argc > 5 && !strcmp (argv[4], "--backend"))
    kind = !strcmp (argv[5], "cpu") ? ARTEM_BACKEND_CPU
           : !strcmp (argv[5], "cuda") ? ARTEM_BACKEND_CUDA : ARTEM_BACKEND_AUTO;
  int w, h;
  guint8 *px = read_ppm (argv[2], &w, &h);
  if (!px) {
    fprintf (stderr, "artem-image: %s: not a readable binary PPM\n", argv[2]);
    return 1;
  }
  GError *err = NULL;
  ArtemNet *net = artem_net_new_from_file (argv[1], kind, &err);
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
  artem_net_free (net);
  g_free (px);
  return 0;
}
