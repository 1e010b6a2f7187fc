/* test-artemadain.c — GstHarness tests of artemadain on the cd-vgg19-16x relu4_1 pair
 * (or, without ../shared, on the shipped default AdaIN model and no reconstruction test):
 * alpha 0 is the decoder's reconstruction, weights (1,0) equal the single style, a style
 * switch while playing loses no frame and shows later, style-sample, bad style paths at
 * start and while playing, odd sizes. */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include "../common/gst-harness.h"
#include <gst/video/video.h>
#include <glib/gstdio.h>
#include <unistd.h>

#define DATA "/usr/share/doc/opencv-doc/examples/data/"
static const char *adain_model, *rec_model;
static const char *style_a = DATA "starry_night.jpg", *style_b = DATA "pic1.png";

static GstHarness *
harness (const char *factory, const char *model, const char *style, int w, int h)
{
  GstElement *el = artem_test_element (factory, model);
  if (style)
    g_object_set (el, "style-location", style, "style-size", 128, NULL);
  gchar *caps = artem_caps_str ("RGB", w, h);
  GstHarness *hh = artem_harness_wrap (el, caps);
  g_free (caps);
  return hh;
}

static GstBuffer *
photo (int w, int h)
{
  /* a smooth synthetic picture: gradients and a disc */
  GstBuffer *buf = gst_buffer_new_allocate (NULL, (gsize) GST_ROUND_UP_4 (w * 3) * h, NULL);
  GstMapInfo m;
  gst_buffer_map (buf, &m, GST_MAP_WRITE);
  int stride = GST_ROUND_UP_4 (w * 3);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      guint8 *p = m.data + y * stride + x * 3;
      int d = (x - w / 2) * (x - w / 2) + (y - h / 2) * (y - h / 2) < w * h / 8;
      p[0] = (guint8) (255 * x / w);
      p[1] = (guint8) (d ? 220 : 255 * y / h);
      p[2] = (guint8) (d ? 40 : 128);
    }
  gst_buffer_unmap (buf, &m);
  return buf;
}

static GstBuffer *
run_once (const char *factory, const char *model, const char *style, gdouble alpha, GstBuffer *in)
{
  GstHarness *hh = harness (factory, model, style, 48, 40);
  if (style)
    g_object_set (hh->element, "alpha", alpha, NULL);
  g_object_set (hh->element, "margin", 0, NULL);   /* artemstylize's is 16: compare alike */
  GstBuffer *out = gst_harness_push_and_pull (hh, gst_buffer_ref (in));
  gst_harness_teardown (hh);
  return out;
}

GST_START_TEST (test_alpha0_is_reconstruction)
{
  if (!rec_model) {
    g_print ("SKIP alpha0-is-reconstruction: no reference reconstruction model\n");
    return;
  }
  GstBuffer *in = photo (48, 40);
  GstBuffer *rec = run_once ("artemstylize", rec_model, NULL, 0, in);
  GstBuffer *a0 = run_once ("artemadain", adain_model, style_a, 0.0, in);
  GstBuffer *b0 = run_once ("artemadain", adain_model, style_b, 0.0, in);
  GstBuffer *a1 = run_once ("artemadain", adain_model, style_a, 1.0, in);
  fail_unless (artem_buffers_max_diff (a0, rec) <= 1, "alpha=0 differs from the reconstruction by %d", artem_buffers_max_diff (a0, rec));
  fail_unless (artem_buffers_max_diff (a0, b0) <= 1, "alpha=0 must not depend on the style");
  fail_unless (artem_buffers_max_diff (a1, rec) > 10, "alpha=1 must stylize");
  gst_buffer_unref (rec); gst_buffer_unref (a0); gst_buffer_unref (b0); gst_buffer_unref (a1);
  gst_buffer_unref (in);
}
GST_END_TEST;

GST_START_TEST (test_weights)
{
  GstBuffer *in = photo (48, 40);
  GstBuffer *a = run_once ("artemadain", adain_model, style_a, 1.0, in);
  GstBuffer *b = run_once ("artemadain", adain_model, style_b, 1.0, in);
  char *both = g_strdup_printf ("%s;%s", style_a, style_b);
  GstElement *el = gst_element_factory_make ("artemadain", NULL);
  gst_util_set_object_arg (G_OBJECT (el), "style-weights", "<1.0, 0.0>");
  g_object_set (el, "model-location", adain_model, "device", artem_test_device (), "style-location", both,
                "style-size", 128, NULL);
  GstHarness *hh = gst_harness_new_with_element (el, "sink", "src");
  gst_object_unref (el);
  gst_harness_set_src_caps_str (hh, "video/x-raw,format=RGB,width=48,height=40,framerate=30/1");
  GstBuffer *w10 = gst_harness_push_and_pull (hh, gst_buffer_ref (in));
  fail_unless (artem_buffers_max_diff (w10, a) <= 1, "weights (1,0) differ from the first style");
  gst_harness_teardown (hh);
  /* (0.5, 0.5) lies between the two */
  el = gst_element_factory_make ("artemadain", NULL);
  gst_util_set_object_arg (G_OBJECT (el), "style-weights", "<0.5, 0.5>");
  g_object_set (el, "model-location", adain_model, "device", artem_test_device (), "style-location", both,
                "style-size", 128, NULL);
  hh = gst_harness_new_with_element (el, "sink", "src");
  gst_object_unref (el);
  gst_harness_set_src_caps_str (hh, "video/x-raw,format=RGB,width=48,height=40,framerate=30/1");
  GstBuffer *mix = gst_harness_push_and_pull (hh, gst_buffer_ref (in));
  fail_unless (artem_buffers_max_diff (mix, a) > 2 && artem_buffers_max_diff (mix, b) > 2);
  gst_harness_teardown (hh);
  g_free (both);
  gst_buffer_unref (a); gst_buffer_unref (b); gst_buffer_unref (w10); gst_buffer_unref (mix);
  gst_buffer_unref (in);
}
GST_END_TEST;

GST_START_TEST (test_style_switch_while_playing)
{
  GstBuffer *in = photo (48, 40);
  GstBuffer *ra = run_once ("artemadain", adain_model, style_a, 1.0, in);
  GstBuffer *rb = run_once ("artemadain", adain_model, style_b, 1.0, in);
  GstHarness *hh = harness ("artemadain", adain_model, style_a, 48, 40);
  GstBus *bus = gst_bus_new ();
  gst_element_set_bus (hh->element, bus);
  GstBuffer *out = gst_harness_push_and_pull (hh, gst_buffer_ref (in));
  fail_unless (artem_buffers_max_diff (out, ra) <= 1);
  gst_buffer_unref (out);
  /* a bad style while playing: a warning naming it, the old style stays */
  g_object_set (hh->element, "style-location", "/nonexistent/style.jpg", NULL);
  GstMessage *warn = NULL;
  for (int i = 0; i < 1000 && !warn; i++) {
    out = gst_harness_push_and_pull (hh, gst_buffer_ref (in));
    fail_unless (artem_buffers_max_diff (out, ra) <= 1, "the old style must stay");
    gst_buffer_unref (out);
    if (!(warn = gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING)))
      g_usleep (2000);
  }
  fail_unless (warn != NULL);
  GError *err;
  gchar *dbg;
  gst_message_parse_warning (warn, &err, &dbg);
  fail_unless (strstr (dbg, "/nonexistent/style.jpg") != NULL, "%s", dbg);
  g_error_free (err); g_free (dbg); gst_message_unref (warn);
  /* a good one: no frame lost, the new style shows */
  g_object_set (hh->element, "style-location", style_b, NULL);
  int pushed = 0, pulled = 0;
  gboolean switched = FALSE;
  for (int i = 0; i < 2000 && !switched; i++) {
    out = gst_harness_push_and_pull (hh, gst_buffer_ref (in));
    pushed++;
    if (out) {
      pulled++;
      switched = artem_buffers_max_diff (out, rb) <= 1;
      if (!switched)
        fail_unless (artem_buffers_max_diff (out, ra) <= 1, "neither old nor new style");
      gst_buffer_unref (out);
    }
    if (!switched)
      g_usleep (2000);
  }
  fail_unless (switched, "the new style never showed");
  fail_unless_equals_int (pushed, pulled);
  gst_element_set_bus (hh->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (hh);
  gst_buffer_unref (ra); gst_buffer_unref (rb); gst_buffer_unref (in);
}
GST_END_TEST;

GST_START_TEST (test_style_sample)
{
  GstBuffer *in = photo (48, 40);
  GstBuffer *ra = run_once ("artemadain", adain_model, style_a, 1.0, in);
  GstHarness *hh = harness ("artemadain", adain_model, style_a, 48, 40);
  /* a frame from "another camera": a reddish gradient as BGRx */
  GstVideoInfo info;
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_BGRx, 64, 48);
  GstBuffer *sb = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&info), NULL);
  GstMapInfo m;
  gst_buffer_map (sb, &m, GST_MAP_WRITE);
  for (gsize i = 0; i < m.size; i += 4) {
    m.data[i] = (guint8) (i % 97); m.data[i + 1] = (guint8) (i % 31); m.data[i + 2] = 230;
  }
  gst_buffer_unmap (sb, &m);
  GstCaps *caps = gst_video_info_to_caps (&info);
  GstSample *sample = gst_sample_new (sb, caps, NULL, NULL);
  g_object_set (hh->element, "style-sample", sample, NULL);
  gboolean changed = FALSE;
  for (int i = 0; i < 2000 && !changed; i++) {
    GstBuffer *out = gst_harness_push_and_pull (hh, gst_buffer_ref (in));
    changed = artem_buffers_max_diff (out, ra) > 10;
    gst_buffer_unref (out);
    if (!changed)
      g_usleep (2000);
  }
  fail_unless (changed, "the style sample never took effect");
  gst_sample_unref (sample);
  gst_caps_unref (caps);
  gst_buffer_unref (sb);
  gst_harness_teardown (hh);
  gst_buffer_unref (ra);
  gst_buffer_unref (in);
}
GST_END_TEST;

static double
red_minus_blue (GstBuffer *b, int w, int h)
{
  GstMapInfo m;
  gst_buffer_map (b, &m, GST_MAP_READ);
  double d = 0;
  int stride = GST_ROUND_UP_4 (w * 3);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      d += (double) m.data[y * stride + x * 3] - m.data[y * stride + x * 3 + 2];
  gst_buffer_unmap (b, &m);
  return d / (w * h);
}

GST_START_TEST (test_preserve_colors)
{
  /* the paper's colour control: a warm photo keeps warm colours under a blue style */
  GstBuffer *in = photo (48, 40);
  GstMapInfo m;
  gst_buffer_map (in, &m, GST_MAP_WRITE);
  for (gsize i = 0; i + 2 < m.size; i += 3) {
    m.data[i] = (guint8) MIN (255, m.data[i] + 120);
    m.data[i + 2] = m.data[i + 2] / 3;
  }
  gst_buffer_unmap (in, &m);
  GstBuffer *plain = run_once ("artemadain", adain_model, style_a, 1.0, in);
  GstHarness *hh = harness ("artemadain", adain_model, style_a, 48, 40);
  g_object_set (hh->element, "preserve-colors", TRUE, NULL);
  double content = red_minus_blue (in, 48, 40), before = red_minus_blue (plain, 48, 40), after = 0;
  gboolean matched = FALSE;
  for (int i = 0; i < 2000 && !matched; i++) {
    GstBuffer *out = gst_harness_push_and_pull (hh, gst_buffer_ref (in));
    after = red_minus_blue (out, 48, 40);
    matched = after > before + 0.5 * (content - before);
    gst_buffer_unref (out);
    if (!matched)
      g_usleep (2000);
  }
  fail_unless (matched, "R-B: content %.1f, plain style %.1f, preserving %.1f", content, before, after);
  gst_harness_teardown (hh);
  gst_buffer_unref (plain);
  gst_buffer_unref (in);
}
GST_END_TEST;

static void
check_start_error (const char *model, const char *style, const char *needle)
{
  GstElement *el = gst_element_factory_make ("artemadain", NULL);
  g_object_set (el, "model-location", model, "device", artem_test_device (), "style-location", style, NULL);
  artem_expect_start_error (el, needle);
  gst_object_unref (el);
}

GST_START_TEST (test_errors_at_start)
{
  check_start_error (adain_model, "/nonexistent/style.jpg", "/nonexistent/style.jpg");
  char *junk = NULL;
  int fd = g_file_open_tmp ("artem-junk-XXXXXX.jpg", &junk, NULL);
  fail_unless (write (fd, "not a picture\n", 14) == 14);
  close (fd);
  check_start_error (adain_model, junk, junk);
  g_unlink (junk);
  g_free (junk);
  check_start_error ("/nonexistent/adain.onnx", style_a, "/nonexistent/adain.onnx");
  /* a plain style network is not an AdaIN model */
  check_start_error (rec_model ? rec_model : g_getenv ("ARTEM_TEST_MODEL_A"), style_a,
                     "not an AdaIN model");
  check_start_error (adain_model, NULL, "no style");
}
GST_END_TEST;

GST_START_TEST (test_odd_size)
{
  GstHarness *hh = harness ("artemadain", adain_model, style_a, 97, 61);
  GstBuffer *in = gst_buffer_new_allocate (NULL, GST_ROUND_UP_4 (97 * 3) * 61, NULL);
  gst_buffer_memset (in, 0, 90, gst_buffer_get_size (in));
  GstBuffer *out = gst_harness_push_and_pull (hh, in);
  fail_unless_equals_int (gst_buffer_get_size (out), GST_ROUND_UP_4 (97 * 3) * 61);
  gst_buffer_unref (out);
  GParamSpec *ps = g_object_class_find_property (G_OBJECT_GET_CLASS (hh->element), "alpha");
  fail_unless (ps->flags & GST_PARAM_CONTROLLABLE);
  gst_harness_teardown (hh);
}
GST_END_TEST;

/* margin -1 (the default) is none for artemadain: the same bytes as margin=0, others
 * differ */
GST_START_TEST (test_margin_default)
{
  GstBuffer *in = photo (48, 40), *out[3];
  static const int margins[] = { -1, 0, 16 };
  for (int i = 0; i < 3; i++) {
    GstHarness *hh = harness ("artemadain", adain_model, style_a, 48, 40);
    gint m = 99;
    g_object_get (hh->element, "margin", &m, NULL);
    fail_unless_equals_int (m, -1);
    g_object_set (hh->element, "margin", margins[i], NULL);
    out[i] = gst_harness_push_and_pull (hh, gst_buffer_ref (in));
    gst_harness_teardown (hh);
  }
  fail_unless_equals_int (artem_buffers_max_diff (out[0], out[1]), 0);
  fail_unless (artem_buffers_max_diff (out[0], out[2]) > 0, "margin=16 must change the border");
  for (int i = 0; i < 3; i++)
    gst_buffer_unref (out[i]);
  gst_buffer_unref (in);
}
GST_END_TEST;

static Suite *
artemadain_suite (void)
{
  TCase *tc;
  Suite *s = artem_suite_new ("artemadain", 600, &tc);
  tcase_add_test (tc, test_alpha0_is_reconstruction);
  tcase_add_test (tc, test_weights);
  tcase_add_test (tc, test_style_switch_while_playing);
  tcase_add_test (tc, test_style_sample);
  tcase_add_test (tc, test_errors_at_start);
  tcase_add_test (tc, test_odd_size);
  tcase_add_test (tc, test_margin_default);
  tcase_add_test (tc, test_preserve_colors);
  return s;
}

int
main (int argc, char **argv)
{
  gst_check_init (&argc, &argv);
  adain_model = g_getenv ("ARTEM_TEST_ADAIN_MODEL");
  rec_model = g_getenv ("ARTEM_TEST_RECONSTRUCT_MODEL");
  if (!adain_model)
    g_error ("run through tests/gst/adain.sh");
  return gst_check_run_suite (artemadain_suite (), "artemadain", __FILE__);
}
