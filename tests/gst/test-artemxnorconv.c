/* test-artemxnorconv.c — GstHarness tests of artemxnorconv: caps and odd sizes, layer
 * choice, both modes against the float network, live changes, errors. */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include "../common/gst-harness.h"
#include <gst/video/video.h>
#include <artem.h>

static const char *model_a;

static GstHarness *
harness (const char *props, const char *format, int w, int h)
{
  GstElement *el = artem_test_element ("artemxnorconv", model_a);
  if (props) {
    gchar **kv = g_strsplit (props, " ", -1);
    for (gchar **p = kv; *p; p++) {
      gchar **pair = g_strsplit (*p, "=", 2);
      gst_util_set_object_arg (G_OBJECT (el), pair[0], pair[1]);
      g_strfreev (pair);
    }
    g_strfreev (kv);
  }
  gchar *caps = artem_caps_str (format, w, h);
  GstHarness *hh = artem_harness_wrap (el, caps);
  g_free (caps);
  return hh;
}

static GstBuffer *
frame (gsize size, guint seed)
{
  GstBuffer *b = gst_buffer_new_allocate (NULL, size, NULL);
  GstMapInfo m;
  gst_buffer_map (b, &m, GST_MAP_WRITE);
  for (gsize i = 0; i < size; i++)
    m.data[i] = (guint8) ((i * 2654435761u + seed) >> 13);
  gst_buffer_unmap (b, &m);
  return b;
}

static GstBuffer *
once (const char *factory, const char *props, GstBuffer *in)
{
  GstHarness *hh;
  if (factory && !strcmp (factory, "artemstylize")) {
    GstElement *el = gst_element_factory_make ("artemstylize", NULL);
    g_object_set (el, "model-location", model_a, "device", artem_test_device (), NULL);
    hh = gst_harness_new_with_element (el, "sink", "src");
    gst_object_unref (el);
    gst_harness_set_src_caps_str (hh, "video/x-raw,format=RGBA,width=40,height=32,framerate=30/1");
  } else {
    hh = harness (props, "RGBA", 40, 32);
  }
  GstBuffer *out = gst_harness_push_and_pull (hh, gst_buffer_ref (in));
  gst_harness_teardown (hh);
  return out;
}

GST_START_TEST (test_modes_and_layers)
{
  GstBuffer *in = frame (40 * 32 * 4, 1);
  GstBuffer *flt = once ("artemstylize", NULL, in);
  GstBuffer *bwn = once (NULL, "binarize=weights", in);
  GstBuffer *xnor = once (NULL, "binarize=weights-and-activations", in);
  GstBuffer *res = once (NULL, "binarize=weights-and-activations layers=residual", in);
  fail_if (artem_buffers_equal (flt, bwn));
  fail_if (artem_buffers_equal (flt, xnor));
  fail_if (artem_buffers_equal (bwn, xnor));
  fail_if (artem_buffers_equal (xnor, res));
  /* alpha passes through in every mode */
  GstMapInfo mi, mo;
  gst_buffer_map (in, &mi, GST_MAP_READ);
  gst_buffer_map (xnor, &mo, GST_MAP_READ);
  for (gsize i = 3; i < mi.size; i += 4)
    fail_unless_equals_int (mi.data[i], mo.data[i]);
  gst_buffer_unmap (in, &mi);
  gst_buffer_unmap (xnor, &mo);
  /* layer counts: 16 convolutions, 14 inner, 10 in the residual blocks */
  const char *choice[] = { "all", "inner", "residual" };
  guint want[] = { 16, 14, 10 };
  for (int i = 0; i < 3; i++) {
    gchar *props = g_strdup_printf ("layers=%s", choice[i]);
    GstHarness *hh = harness (props, "RGB", 16, 16);
    guint n;
    g_object_get (hh->element, "binarized-layers", &n, NULL);
    fail_unless_equals_int (n, want[i]);
    gst_harness_teardown (hh);
    g_free (props);
  }
  gst_buffer_unref (in); gst_buffer_unref (flt); gst_buffer_unref (bwn);
  gst_buffer_unref (xnor); gst_buffer_unref (res);
}
GST_END_TEST;

GST_START_TEST (test_odd_size_formats_live_change)
{
  const char *formats[] = { "RGB", "BGRx", "ARGB" };
  for (int f = 0; f < 3; f++) {
    GstHarness *hh = harness (NULL, formats[f], 97, 61);
    GstVideoInfo info;
    gst_video_info_set_format (&info, gst_video_format_from_string (formats[f]), 97, 61);
    GstBuffer *out = gst_harness_push_and_pull (hh, frame (GST_VIDEO_INFO_SIZE (&info), 2));
    fail_unless_equals_int (gst_buffer_get_size (out), GST_VIDEO_INFO_SIZE (&info));
    gst_buffer_unref (out);
    gst_harness_teardown (hh);
  }
  /* binarize changed while playing: no frame lost, the other mode shows */
  GstBuffer *in = frame (40 * 32 * 4, 3);
  GstBuffer *bwn = once (NULL, "binarize=weights", in);
  GstHarness *hh = harness ("binarize=weights-and-activations", "RGBA", 40, 32);
  gst_buffer_unref (gst_harness_push_and_pull (hh, gst_buffer_ref (in)));
  g_object_set (hh->element, "binarize", ARTEM_BINARIZE_WEIGHTS, NULL);
  gboolean switched = FALSE;
  for (int i = 0; i < 1000 && !switched; i++) {
    GstBuffer *out = gst_harness_push_and_pull (hh, gst_buffer_ref (in));
    fail_unless (out != NULL);
    switched = artem_buffers_equal (out, bwn);
    gst_buffer_unref (out);
    if (!switched)
      g_usleep (2000);
  }
  fail_unless (switched);
  gst_harness_teardown (hh);
  gst_buffer_unref (bwn);
  gst_buffer_unref (in);
}
GST_END_TEST;

GST_START_TEST (test_errors)
{
  GstElement *el = gst_element_factory_make ("artemxnorconv", NULL);
  g_object_set (el, "model-location", model_a, "layers", "no-such-node", NULL);
  artem_expect_start_error (el, "no-such-node");
  g_object_set (el, "model-location", "/nonexistent/x.onnx", "layers", "inner", NULL);
  artem_expect_start_error (el, "/nonexistent/x.onnx");
  gst_object_unref (el);
}
GST_END_TEST;

static Suite *
suite (void)
{
  TCase *tc;
  Suite *s = artem_suite_new ("artemxnorconv", 600, &tc);
  tcase_add_test (tc, test_modes_and_layers);
  tcase_add_test (tc, test_odd_size_formats_live_change);
  tcase_add_test (tc, test_errors);
  return s;
}

int
main (int argc, char **argv)
{
  gst_check_init (&argc, &argv);
  model_a = g_getenv ("ARTEM_TEST_MODEL_A");
  return gst_check_run_suite (suite (), "artemxnorconv", __FILE__);
}
