/* test-hostile-elements.c — the element findings of the audit (issue 12), each a
 * GstHarness regression test: padded rows from upstream's video meta, interlaced input
 * with inference-scale < 1, a live swap to a model that cannot be sized, a live
 * inference-scale past the memory limit, a model-location set while the element starts,
 * artemadain's style loader racing its state changes, style samples and pictures the
 * element cannot use (0x0, JPEG caps, interlaced, too large, too small).  Run by meson
 * (suite gst) and under ASan+UBSan (suite sanitize). */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include "../common/gst-harness.h"
#include <gst/video/video.h>

#define DATA "/usr/share/doc/opencv-doc/examples/data/"
static const char *model_a, *model_b, *model_unsizable, *model_adain;

/* An RGB frame with a pattern, rows @stride bytes apart (a video meta when padded). */
static GstBuffer *
rgb_frame (int w, int h, int stride, guint seed)
{
  GstBuffer *buf = gst_buffer_new_allocate (NULL, (gsize) stride * h, NULL);
  GstMapInfo m;
  gst_buffer_map (buf, &m, GST_MAP_WRITE);
  memset (m.data, 0xEE, m.size);   /* padding: never read into the picture */
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w * 3; x++)
      m.data[(gsize) y * stride + x] = (guint8) ((x * 7 + y * 13 + seed * 31) ^ (x * y));
  gst_buffer_unmap (buf, &m);
  if (stride != GST_ROUND_UP_4 (w * 3)) {
    gsize offset[GST_VIDEO_MAX_PLANES] = { 0 };
    gint strides[GST_VIDEO_MAX_PLANES] = { stride };
    gst_buffer_add_video_meta_full (buf, GST_VIDEO_FRAME_FLAG_NONE, GST_VIDEO_FORMAT_RGB, w, h,
                                    1, offset, strides);
  }
  return buf;
}

/* The picture of an RGB output frame (default strides) as w*3 bytes a row. */
static guint8 *
picture_of (GstBuffer *buf, int w, int h)
{
  GstVideoInfo info;
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_RGB, w, h);
  GstVideoFrame f;
  fail_unless (gst_video_frame_map (&f, &info, buf, GST_MAP_READ));
  guint8 *p = g_malloc ((gsize) w * h * 3);
  for (int y = 0; y < h; y++)
    memcpy (p + (gsize) y * w * 3, (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&f, 0) +
            (gsize) y * GST_VIDEO_FRAME_PLANE_STRIDE (&f, 0), (gsize) w * 3);
  gst_video_frame_unmap (&f);
  return p;
}

/* One frame through a fresh artemstylize with @props; returns its picture. */
static guint8 *
stylize_once (const char *caps, GstBuffer *in, int w, int h, const char *model, gdouble strength,
              gdouble scale, gboolean preserve)
{
  GstHarness *hh = artem_harness_new ("artemstylize", model, caps);
  g_object_set (hh->element, "strength", strength, "inference-scale",
                scale, "preserve-colors", preserve, NULL);
  GstBuffer *out = gst_harness_push_and_pull (hh, in);
  fail_unless (out != NULL);
  guint8 *p = picture_of (out, w, h);
  gst_buffer_unref (out);
  gst_harness_teardown (hh);
  return p;
}

/* 1: frames whose rows are padded (upstream's video meta, as avdec_png gives for RGB
 * 331x200) give the same picture as packed ones, on every path that uses a scratch frame */
GST_START_TEST (test_padded_rows)
{
  const int w = 331, h = 200;
  const char *caps = "video/x-raw,format=RGB,width=331,height=200,framerate=30/1";
  static const struct { gdouble strength, scale; gboolean preserve; } paths[] = {
    { 1.0, 1.0, TRUE }, { 0.5, 1.0, FALSE }, { 0.5, 0.5, FALSE }, { 1.0, 0.5, TRUE },
    { 0.7, 0.5, TRUE }, { 1.0, 0.5, FALSE } };
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++) {
    guint8 *packed = stylize_once (caps, rgb_frame (w, h, GST_ROUND_UP_4 (w * 3), 1), w, h,
                                   model_a, paths[i].strength, paths[i].scale, paths[i].preserve);
    guint8 *padded = stylize_once (caps, rgb_frame (w, h, w * 3 + 4093, 1), w, h, model_a,
                                   paths[i].strength, paths[i].scale, paths[i].preserve);
    fail_unless (memcmp (packed, padded, (gsize) w * h * 3) == 0,
                 "path %u: padded rows change the picture", i);
    g_free (packed);
    g_free (padded);
  }
}
GST_END_TEST;

/* 9: interlaced input with inference-scale < 1 is stylized whole (only the top-left
 * quarter was written) */
GST_START_TEST (test_interlaced_scaled)
{
  const int w = 64, h = 48;
  guint8 *prog = stylize_once ("video/x-raw,format=RGB,width=64,height=48,framerate=30/1",
                               rgb_frame (w, h, GST_ROUND_UP_4 (w * 3), 2), w, h, model_a,
                               1.0, 0.5, FALSE);
  guint8 *inter = stylize_once ("video/x-raw,format=RGB,width=64,height=48,framerate=30/1,"
                                "interlace-mode=interleaved,field-order=top-field-first",
                                rgb_frame (w, h, GST_ROUND_UP_4 (w * 3), 2), w, h, model_a,
                                1.0, 0.5, FALSE);
  fail_unless (memcmp (prog, inter, (gsize) w * h * 3) == 0,
               "interlaced frames are not stylized like the same progressive picture");
  g_free (prog);
  g_free (inter);
}
GST_END_TEST;

/* Pushes frames until a WARNING is on @bus (at most @max frames); returns it. */
static GstMessage *
push_until_warning (GstHarness *hh, GstBus *bus, int w, int h, int max)
{
  for (int i = 0; i < max; i++) {
    GstBuffer *out = gst_harness_push_and_pull (hh, rgb_frame (w, h, GST_ROUND_UP_4 (w * 3), 3));
    fail_unless (out != NULL, "frame %d lost", i);
    gst_buffer_unref (out);
    GstMessage *m;
    while ((m = gst_bus_pop (bus))) {
      fail_if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ERROR, "an error killed the stream");
      if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_WARNING)
        return m;
      gst_message_unref (m);
    }
    g_usleep (20000);
  }
  return NULL;
}

/* 6: a live swap to a model that loads but cannot be sized for the frames keeps the old
 * model serving, with a warning */
GST_START_TEST (test_swap_to_unsizable_model)
{
  const int w = 32, h = 24;
  const char *caps = "video/x-raw,format=RGB,width=32,height=24,framerate=30/1";
  guint8 *ref = stylize_once (caps, rgb_frame (w, h, GST_ROUND_UP_4 (w * 3), 3), w, h, model_a,
                              1.0, 1.0, FALSE);
  GstHarness *hh = artem_harness_new ("artemstylize", model_a, caps);
  GstBus *bus = gst_bus_new ();
  gst_element_set_bus (hh->element, bus);
  gst_buffer_unref (gst_harness_push_and_pull (hh, rgb_frame (w, h, GST_ROUND_UP_4 (w * 3), 3)));
  g_object_set (hh->element, "model-location", model_unsizable, NULL);
  GstMessage *m = push_until_warning (hh, bus, w, h, 250);
  fail_unless (m != NULL, "no warning for the model that cannot be sized");
  GError *err;
  gchar *dbg;
  gst_message_parse_warning (m, &err, &dbg);
  fail_unless (strstr (err->message, "keeping the current one") != NULL, "%s", err->message);
  g_error_free (err);
  g_free (dbg);
  gst_message_unref (m);
  GstBuffer *out = gst_harness_push_and_pull (hh, rgb_frame (w, h, GST_ROUND_UP_4 (w * 3), 3));
  guint8 *p = picture_of (out, w, h);
  fail_unless (memcmp (p, ref, (gsize) w * h * 3) == 0, "the old model no longer serves");
  g_free (p);
  g_free (ref);
  gst_buffer_unref (out);
  gst_element_set_bus (hh->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (hh);
}
GST_END_TEST;

/* 6: a live inference-scale change past the memory limit warns and the stream goes on at
 * the size that worked */
GST_START_TEST (test_scale_past_memory_limit)
{
  g_setenv ("ARTEM_MEMORY_LIMIT_MIB", "8", TRUE);   /* 3.3 MiB at 160x120, 22 at 640x480 */   /* read when the model loads */
  const int w = 640, h = 480;
  GstHarness *hh = artem_harness_new ("artemstylize", model_a,
                                "video/x-raw,format=RGB,width=640,height=480,framerate=30/1");
  g_object_set (hh->element, "inference-scale", 0.25, NULL);
  GstBus *bus = gst_bus_new ();
  gst_element_set_bus (hh->element, bus);
  gst_buffer_unref (gst_harness_push_and_pull (hh, rgb_frame (w, h, GST_ROUND_UP_4 (w * 3), 4)));
  g_object_set (hh->element, "inference-scale", 1.0, NULL);
  GstMessage *m = push_until_warning (hh, bus, w, h, 3);
  fail_unless (m != NULL, "no warning for a size past the memory limit");
  gst_message_unref (m);
  guint64 frames;
  g_object_get (hh->element, "frames-processed", &frames, NULL);
  fail_unless (frames >= 2);
  fail_if (gst_bus_pop_filtered (bus, GST_MESSAGE_WARNING) != NULL, "warned twice");
  gst_element_set_bus (hh->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (hh);
  g_unsetenv ("ARTEM_MEMORY_LIMIT_MIB");
}
GST_END_TEST;

typedef struct {
  GstHarness *hh;
  const char *model;
  gulong delay_us;
} SetLater;

static gpointer
set_model_later (gpointer data)
{
  SetLater *s = data;
  g_usleep (s->delay_us);
  g_object_set (s->hh->element, "model-location", s->model, NULL);
  return NULL;
}

/* 11: a model-location set while the element starts is the model that runs */
GST_START_TEST (test_property_set_during_start)
{
  const int w = 32, h = 24;
  const char *caps = "video/x-raw,format=RGB,width=32,height=24,framerate=30/1";
  guint8 *ref_b = stylize_once (caps, rgb_frame (w, h, GST_ROUND_UP_4 (w * 3), 5), w, h, model_b,
                                1.0, 1.0, FALSE);
  for (int round = 0; round < 6; round++) {
    GstElement *el = gst_element_factory_make ("artemstylize", NULL);
    g_object_set (el, "device", artem_test_device (), "model-location", model_a, NULL);
    GstHarness *hh = gst_harness_new_with_element (el, "sink", "src");   /* not started */
    gst_object_unref (el);
    SetLater s = { hh, model_b, (gulong) round * 400 };
    GThread *t = g_thread_new ("set-later", set_model_later, &s);
    gst_harness_set_src_caps_str (hh, caps);   /* starts the element */
    g_thread_join (t);
    gboolean is_b = FALSE;
    for (int i = 0; i < 200 && !is_b; i++) {
      GstBuffer *out = gst_harness_push_and_pull (hh, rgb_frame (w, h, GST_ROUND_UP_4 (w * 3), 5));
      guint8 *p = picture_of (out, w, h);
      is_b = memcmp (p, ref_b, (gsize) w * h * 3) == 0;
      g_free (p);
      gst_buffer_unref (out);
      if (!is_b)
        g_usleep (20000);
    }
    fail_unless (is_b, "round %d: the property says model B, model A runs", round);
    gst_harness_teardown (hh);
  }
  g_free (ref_b);
}
GST_END_TEST;

typedef struct {
  GstElement *el;
  volatile gint stop;
} Cycler;

static gpointer
cycle_states (gpointer data)
{
  Cycler *c = data;
  for (int i = 0; i < 12 && !g_atomic_int_get (&c->stop); i++) {
    gst_element_set_state (c->el, GST_STATE_PAUSED);
    g_usleep (5000);
    gst_element_set_state (c->el, GST_STATE_NULL);
  }
  g_atomic_int_set (&c->stop, 1);
  return NULL;
}

/* 2: style-location set while another thread cycles the state (crashed 3 runs in 4) */
GST_START_TEST (test_adain_style_vs_state_race)
{
  GstElement *el = gst_element_factory_make ("artemadain", NULL);
  g_object_set (el, "device", artem_test_device (), "model-location", model_adain,
                "style-location", DATA "pic1.png", "style-size", 64, NULL);
  GstBus *bus = gst_bus_new ();
  gst_element_set_bus (el, bus);
  Cycler c = { el, 0 };
  GThread *t = g_thread_new ("cycle", cycle_states, &c);
  for (int i = 0; !g_atomic_int_get (&c.stop); i++) {
    g_object_set (el, "style-location", i % 2 ? DATA "pic1.png" : DATA "pic3.png", NULL);
    g_usleep (1000);
  }
  g_thread_join (t);
  gst_element_set_state (el, GST_STATE_NULL);
  gst_element_set_bus (el, NULL);
  gst_object_unref (bus);
  gst_object_unref (el);
}
GST_END_TEST;

/* Starting artemadain must fail with an error whose message holds @needle and is not
 * the model's ("Could not load the model"). */
static void
expect_style_error (GstElement *el, const char *needle)
{
  GError *err = artem_start_error (el, NULL);
  fail_unless (strstr (err->message, needle) != NULL, "'%s' lacks '%s'", err->message, needle);
  fail_if (strstr (err->message, "Could not load the model") != NULL, "%s", err->message);
  g_error_free (err);
  gst_object_unref (el);
}

static GstElement *
adain (void)
{
  GstElement *el = gst_element_factory_make ("artemadain", NULL);
  g_object_set (el, "device", artem_test_device (), "model-location", model_adain, NULL);
  return el;
}

static GstSample *
sample_with_caps (const char *caps_str, gsize bytes)
{
  GstCaps *caps = gst_caps_from_string (caps_str);
  GstBuffer *buf = gst_buffer_new_allocate (NULL, MAX (bytes, 1), NULL);
  gst_buffer_memset (buf, 0, 0x80, MAX (bytes, 1));
  GstSample *s = gst_sample_new (buf, caps, NULL, NULL);
  gst_buffer_unref (buf);
  gst_caps_unref (caps);
  return s;
}

/* 5, 10, 13: style samples and pictures the element cannot use are clean errors that
 * say what is wrong with the style; an interlaced raw sample is used as a picture */
GST_START_TEST (test_bad_styles)
{
  GstSample *s = sample_with_caps ("video/x-raw,format=RGB,width=0,height=0", 0);
  GstElement *el = adain ();
  g_object_set (el, "style-sample", s, NULL);
  gst_sample_unref (s);
  expect_style_error (el, "style");

  s = sample_with_caps ("image/jpeg,width=64,height=64", 4096);
  el = adain ();
  g_object_set (el, "style-sample", s, NULL);
  gst_sample_unref (s);
  expect_style_error (el, "not raw video");

  s = sample_with_caps ("video/x-raw,format=RGB,width=64,height=64", 100);   /* short buffer */
  el = adain ();
  g_object_set (el, "style-sample", s, NULL);
  gst_sample_unref (s);
  expect_style_error (el, "smaller");

  /* too small for the encoder's pooling: the style's fault, said so */
  el = adain ();
  g_object_set (el, "style-location", DATA "pic1.png", "style-size", 2, NULL);
  expect_style_error (el, "cannot be encoded");

  /* beyond the pixel cap: refused from the header, before decoding */
  g_setenv ("ARTEM_STYLE_MAX_PIXELS", "10000", TRUE);
  el = adain ();
  g_object_set (el, "style-location", DATA "starry_night.jpg", NULL);
  expect_style_error (el, "larger than");
  el = adain ();
  g_object_set (el, "style-location", DATA "pic1.png", NULL);
  expect_style_error (el, "larger than");
  g_unsetenv ("ARTEM_STYLE_MAX_PIXELS");

  /* an interlaced raw sample is a picture like any other */
  s = sample_with_caps ("video/x-raw,format=RGB,width=64,height=64,interlace-mode=interleaved",
                        64 * 64 * 3);
  el = adain ();
  g_object_set (el, "style-sample", s, NULL);
  gst_sample_unref (s);
  fail_unless (gst_element_set_state (el, GST_STATE_PAUSED) != GST_STATE_CHANGE_FAILURE);
  gst_element_set_state (el, GST_STATE_NULL);
  gst_object_unref (el);
}
GST_END_TEST;

static Suite *
hostile_suite (void)
{
  TCase *tc;
  Suite *s = artem_suite_new ("hostile-elements", 300, &tc);
  model_a = g_getenv ("ARTEM_TEST_MODEL_A");
  model_b = g_getenv ("ARTEM_TEST_MODEL_B");
  model_unsizable = g_getenv ("ARTEM_TEST_UNSIZABLE_MODEL");
  model_adain = g_getenv ("ARTEM_TEST_DEFAULT_ADAIN");
  tcase_add_test (tc, test_padded_rows);
  tcase_add_test (tc, test_interlaced_scaled);
  tcase_add_test (tc, test_swap_to_unsizable_model);
  tcase_add_test (tc, test_scale_past_memory_limit);
  tcase_add_test (tc, test_property_set_during_start);
  tcase_add_test (tc, test_adain_style_vs_state_race);
  tcase_add_test (tc, test_bad_styles);
  return s;
}

GST_CHECK_MAIN (hostile);
