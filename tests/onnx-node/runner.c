/* runner.c — runs ONNX's own node tests (Debian libonnx-testdata) through libartem.
 *
 *   onnx-node-runner DATA_DIR LIST_FILE    run the tests named in LIST_FILE; all must pass
 *   onnx-node-runner DATA_DIR --all        try every test, print PASS/FAIL/SKIP per test
 *
 * Each test directory holds model.onnx and test_data_set_N/{input,output}_K.pb.  Inputs
 * of rank <= 1 (pads, scales, axes, indices...) are handed to reshape as constants, as a
 * real model carries them; the others are fed at run time. */
#include "artem-private.h"
#include <math.h>
#include <stdio.h>

static gboolean
load_pb (const char *path, ArtemDType *dt, ArtemShape *shape, void **data, GError **error)
{
  gchar *buf;
  gsize len;
  if (!g_file_get_contents (path, &buf, &len, error))
    return FALSE;
  Onnx__TensorProto *t = onnx__tensor_proto__unpack (NULL, len, (const uint8_t *) buf);
  g_free (buf);
  if (!t) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_PARSE, "%s: bad TensorProto", path);
    return FALSE;
  }
  gboolean ok = artem_tensor_from_proto (t, dt, shape, data, error);
  onnx__tensor_proto__free_unpacked (t, NULL);
  return ok;
}

/* Returns 1 pass, 0 fail, -1 unsupported (load failed). */
static int
run_test (const char *dir, GString *why)
{
  char *model = g_build_filename (dir, "model.onnx", NULL);
  GError *err = NULL;
  ArtemNet *net = artem_net_new_from_file (model, ARTEM_BACKEND_CPU, &err);
  g_free (model);
  if (!net) {
    g_string_append (why, err->message);
    g_error_free (err);
    return -1;
  }
  int result = 1;
  for (int set = 0; result == 1; set++) {
    char *sd = g_strdup_printf ("%s/test_data_set_%d", dir, set);
    if (!g_file_test (sd, G_FILE_TEST_IS_DIR)) {
      g_free (sd);
      if (set == 0)
        result = 0;
      break;
    }
    guint ni = artem_net_get_n_inputs (net);
    ArtemShape shapes[64];
    void *datas[64] = { 0 };
    const void *consts[64] = { 0 };
    ArtemDType dts[64];
    for (guint i = 0; i < ni && i < 64 && result == 1; i++) {
      char *p = g_strdup_printf ("%s/input_%u.pb", sd, i);
      if (!load_pb (p, &dts[i], &shapes[i], &datas[i], &err)) {
        g_string_append (why, err->message);
        g_clear_error (&err);
        result = 0;
      } else if (dts[i] != artem_net_get_input_dtype (net, i)) {
        g_string_append_printf (why, "input %u type mismatch", i);
        result = 0;
      } else if (shapes[i].ndim <= 1) {
        consts[i] = datas[i];
      }
      g_free (p);
    }
    if (result == 1 && !artem_net_reshape (net, shapes, consts, &err)) {
      g_string_append (why, err->message);
      g_clear_error (&err);
      result = -1;
    }
    if (result == 1) {
      for (guint i = 0; i < ni; i++) {
        void *buf = artem_net_get_input_buffer (net, i);
        if (buf)
          memcpy (buf, datas[i], MAX (artem_shape_numel (&shapes[i]), 0) * artem_dtype_size (dts[i]));
      }
      if (!artem_net_run (net, &err)) {
        g_string_append (why, err->message);
        g_clear_error (&err);
        result = 0;
      }
    }
    for (guint o = 0; result == 1 && o < artem_net_get_n_outputs (net); o++) {
      char *p = g_strdup_printf ("%s/output_%u.pb", sd, o);
      ArtemDType edt, gdt;
      ArtemShape es, gs;
      void *exp = NULL;
      if (!load_pb (p, &edt, &es, &exp, &err)) {
        g_string_append (why, err->message);
        g_clear_error (&err);
        result = 0;
      } else {
        const void *got = artem_net_get_output (net, o, &gs, &gdt);
        if (!artem_shape_equal (&es, &gs) || edt != gdt) {
          char *a = artem_shape_to_string (&es), *b = artem_shape_to_string (&gs);
          g_string_append_printf (why, "output %u: expected %s, got %s", o, a, b);
          g_free (a);
          g_free (b);
          result = 0;
        } else {
          int64_t n = artem_shape_numel (&es);
          for (int64_t k = 0; k < n; k++) {
            double e = edt == ARTEM_DTYPE_FLOAT ? ((float *) exp)[k] : (double) ((int64_t *) exp)[k];
            double g = gdt == ARTEM_DTYPE_FLOAT ? ((float *) got)[k] : (double) ((int64_t *) got)[k];
            if (!(fabs (e - g) <= 1e-5 + 1e-3 * fabs (e)) && !(isnan (e) && isnan (g))) {
              g_string_append_printf (why, "output %u[%" G_GINT64_FORMAT "]: expected %g got %g",
                                      o, (gint64) k, e, g);
              result = 0;
              break;
            }
          }
        }
      }
      g_free (exp);
      g_free (p);
    }
    for (guint i = 0; i < ni && i < 64; i++)
      g_free (datas[i]);
    g_free (sd);
  }
  artem_net_free (net);
  return result;
}

int
main (int argc, char **argv)
{
  if (argc < 3) {
    fprintf (stderr, "usage: %s DATA_DIR (LIST_FILE | --all)\n", argv[0]);
    return 2;
  }
  const char *data = argv[1];
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  gboolean all = !strcmp (argv[2], "--all");
  if (all) {
    GDir *d = g_dir_open (data, 0, NULL);
    const char *e;
    while (d && (e = g_dir_read_name (d)))
      g_ptr_array_add (names, g_strdup (e));
    if (d)
      g_dir_close (d);
    g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  } else {
    gchar *txt;
    if (!g_file_get_contents (argv[2], &txt, NULL, NULL)) {
      fprintf (stderr, "cannot read %s\n", argv[2]);
      return 2;
    }
    gchar **lines = g_strsplit (txt, "\n", -1);
    for (gchar **l = lines; *l; l++) {
      g_strstrip (*l);
      if (**l && **l != '#')
        g_ptr_array_add (names, g_strdup (*l));
    }
    g_strfreev (lines);
    g_free (txt);
  }
  if (!g_file_test (data, G_FILE_TEST_IS_DIR)) {
    printf ("SKIP: %s not found (install libonnx-testdata)\n", data);
    return 77;
  }
  int pass = 0, fail = 0, skip = 0;
  for (guint i = 0; i < names->len; i++) {
    const char *name = g_ptr_array_index (names, i);
    char *dir = g_build_filename (data, name, NULL);
    GString *why = g_string_new (NULL);
    int r = run_test (dir, why);
    if (r == 1) pass++; else if (r == 0 || !all) fail++; else skip++;
    printf ("%s %s%s%s\n", r == 1 ? "PASS" : r == 0 || !all ? "FAIL" : "SKIP", name,
            why->len ? ": " : "", why->str);
    g_string_free (why, TRUE);
    g_free (dir);
  }
  printf ("# %d passed, %d failed, %d unsupported\n", pass, fail, skip);
  g_ptr_array_free (names, TRUE);
  return all ? 0 : (fail ? 1 : 0);
}
