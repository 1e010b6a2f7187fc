/* torch-check.c — compares libartem with PyTorch on the models gen_reference.py wrote.
 *
 *   torch-check DIR      reads DIR/cases.txt; each output must match within 1e-4
 *                        relative (max |ours - torch| / max |torch|).
 * Frame cases run the frame path (artem_net_reshape_frame + process_planes) at an odd
 * size, which pads inside the engine. */
#include "artem-private.h"
#include <math.h>
#include <stdio.h>

static void *
load_pb (const char *path, ArtemShape *shape)
{
  gchar *buf;
  gsize len;
  void *data = NULL;
  ArtemDType dt;
  if (!g_file_get_contents (path, &buf, &len, NULL))
    return NULL;
  Onnx__TensorProto *t = onnx__tensor_proto__unpack (NULL, len, (const uint8_t *) buf);
  g_free (buf);
  if (t && !artem_tensor_from_proto (t, &dt, shape, &data, NULL))
    data = NULL;
  if (t)
    onnx__tensor_proto__free_unpacked (t, NULL);
  return data;
}

int
main (int argc, char **argv)
{
  if (argc < 2) {
    fprintf (stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  char *cases_path = g_build_filename (argv[1], "cases.txt", NULL);
  gchar *txt;
  if (!g_file_get_contents (cases_path, &txt, NULL, NULL)) {
    fprintf (stderr, "cannot read %s\n", cases_path);
    return 1;
  }
  gchar **lines = g_strsplit (txt, "\n", -1);
  int failures = 0, n = 0;
  for (gchar **l = lines; *l; l++) {
    gchar **f = g_strsplit (*l, " ", -1);
    if (g_strv_length (f) < 4) {
      g_strfreev (f);
      continue;
    }
    n++;
    char *mp = g_build_filename (argv[1], f[0], NULL), *ip = g_build_filename (argv[1], f[1], NULL),
         *op = g_build_filename (argv[1], f[2], NULL);
    ArtemShape is, os, gs;
    float *x = load_pb (ip, &is), *ref = load_pb (op, &os);
    GError *err = NULL;
    ArtemNet *net = artem_net_new_from_file (mp, ARTEM_BACKEND_CPU, &err);
    gboolean frame = !strcmp (f[3], "frame");
    float *got = NULL;
    gboolean ok = net && x && ref;
    if (ok && frame) {
      ok = artem_net_reshape_frame (net, (int) is.dims[3], (int) is.dims[2], &err);
      got = g_new (float, artem_shape_numel (&os));
      gs = os;
      ok = ok && artem_net_process_planes (net, x, got, &err);
    } else if (ok) {
      ok = artem_net_reshape (net, &is, NULL, &err);
      if (ok) {
        memcpy (artem_net_get_input_buffer (net, 0), x, artem_shape_numel (&is) * sizeof (float));
        ok = artem_net_run (net, &err);
      }
      if (ok) {
        const void *o = artem_net_get_output (net, 0, &gs, NULL);
        got = g_memdup2 (o, artem_shape_numel (&gs) * sizeof (float));
      }
    }
    double maxd = 0, maxr = 0;
    if (ok && !artem_shape_equal (&gs, &os)) {
      printf ("FAIL %s (%s): shape mismatch\n", f[0], f[3]);
      ok = FALSE;
    } else if (ok) {
      for (int64_t i = 0; i < artem_shape_numel (&os); i++) {
        maxd = MAX (maxd, fabs ((double) got[i] - ref[i]));
        maxr = MAX (maxr, fabs ((double) ref[i]));
      }
      double rel = maxd / MAX (maxr, 1e-12);
      ok = rel <= 1e-4;
      printf ("%s %s (%s): max abs diff %.3g, relative %.3g, %u nodes\n", ok ? "PASS" : "FAIL",
              f[0], f[3], maxd, rel, artem_net_get_n_nodes (net));
    } else {
      printf ("FAIL %s: %s\n", f[0], err ? err->message : "cannot read fixture");
    }
    failures += !ok;
    g_clear_error (&err);
    artem_net_free (net);
    g_free (x); g_free (ref); g_free (got);
    g_free (mp); g_free (ip); g_free (op);
    g_strfreev (f);
  }
  g_strfreev (lines);
  g_free (txt);
  g_free (cases_path);
  printf ("# %d cases, %d failed\n", n, failures);
  return failures || n == 0 ? 1 : 0;
}
