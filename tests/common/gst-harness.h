/* gst-harness.h — what the element suites (tests/gst/) share: a harness around an element
 * with a model, frames, buffer comparisons, the device they run on, and the start errors
 * they expect on the bus. */
#ifndef ARTEM_TEST_GST_HARNESS_H
#define ARTEM_TEST_GST_HARNESS_H
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <string.h>

/* Starting @el must fail with an ERROR on the bus; returns its GError (the caller frees
 * it) and, in @dbg when not NULL, its debug text.  @el is back in NULL afterwards. */
static inline GError *
artem_start_error (GstElement *el, gchar **dbg)
{
  GstBus *bus = gst_bus_new ();
  gst_element_set_bus (el, bus);
  fail_unless_equals_int (gst_element_set_state (el, GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
  GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "no error message on the bus");
  GError *err;
  gchar *d;
  gst_message_parse_error (msg, &err, &d);
  if (dbg)
    *dbg = d;
  else
    g_free (d);
  gst_message_unref (msg);
  gst_element_set_state (el, GST_STATE_NULL);
  gst_element_set_bus (el, NULL);
  gst_object_unref (bus);
  return err;
}

static inline void
artem_expect_start_error (GstElement *el, const char *needle)
{
  gchar *dbg;
  GError *err = artem_start_error (el, &dbg);
  fail_unless (dbg && strstr (dbg, needle) != NULL, "error '%s' lacks '%s'", dbg, needle);
  g_error_free (err);
  g_free (dbg);
}

/* The device the element suites run on: cpu unless ARTEM_TEST_DEVICE says "cuda" (the
 * suites run again in meson's cuda-emu suite against the emulated CUDA backend). */
static inline int
artem_test_device (void)
{
  const char *d = g_getenv ("ARTEM_TEST_DEVICE");
  return d && !strcmp (d, "cuda") ? 2 : 1;
}

/* "video/x-raw,format=F,width=W,height=H,framerate=30/1" (g_free it) */
static inline gchar *
artem_caps_str (const char *format, int w, int h)
{
  return g_strdup_printf ("video/x-raw,format=%s,width=%d,height=%d,framerate=30/1", format, w,
                          h);
}

/* a new @factory element on the test device, with @model when not NULL */
static inline GstElement *
artem_test_element (const char *factory, const char *model)
{
  GstElement *el = gst_element_factory_make (factory, NULL);
  fail_unless (el != NULL, "no element %s", factory);
  g_object_set (el, "device", artem_test_device (), NULL);
  if (model)
    g_object_set (el, "model-location", model, NULL);
  return el;
}

/* a harness (which starts it) around @el (taken), with source caps @caps */
static inline GstHarness *
artem_harness_wrap (GstElement *el, const char *caps)
{
  GstHarness *hh = gst_harness_new_with_element (el, "sink", "src");
  gst_object_unref (el);
  gst_harness_set_src_caps_str (hh, caps);
  return hh;
}

/* a harness around a new @factory element with @model and source caps @caps */
static inline GstHarness *
artem_harness_new (const char *factory, const char *model, const char *caps)
{
  return artem_harness_wrap (artem_test_element (factory, model), caps);
}

/* a frame of @format (default strides) filled with random bytes from @seed */
static inline GstBuffer *
artem_random_frame (const char *format, int w, int h, guint seed)
{
  GstVideoInfo info;
  gst_video_info_set_format (&info, gst_video_format_from_string (format), w, h);
  GstBuffer *buf = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&info), NULL);
  GstMapInfo map;
  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  GRand *r = g_rand_new_with_seed (seed);
  for (gsize i = 0; i < map.size; i++)
    map.data[i] = (guint8) g_rand_int_range (r, 0, 256);
  g_rand_free (r);
  gst_buffer_unmap (buf, &map);
  return buf;
}

/* the largest byte difference of two buffers (999 when their sizes differ); 0: equal */
static inline int
artem_buffers_max_diff (GstBuffer *a, GstBuffer *b)
{
  GstMapInfo ma, mb;
  gst_buffer_map (a, &ma, GST_MAP_READ);
  gst_buffer_map (b, &mb, GST_MAP_READ);
  int d = ma.size == mb.size ? 0 : 999;
  for (gsize i = 0; i < MIN (ma.size, mb.size); i++)
    d = MAX (d, ABS ((int) ma.data[i] - (int) mb.data[i]));
  gst_buffer_unmap (a, &ma);
  gst_buffer_unmap (b, &mb);
  return d;
}

static inline gboolean
artem_buffers_equal (GstBuffer *a, GstBuffer *b)
{
  return artem_buffers_max_diff (a, b) == 0;
}

/* a check suite @name with one test case "general" (*tc) of @timeout seconds */
static inline Suite *
artem_suite_new (const char *name, int timeout, TCase **tc)
{
  Suite *s = suite_create (name);
  *tc = tcase_create ("general");
  tcase_set_timeout (*tc, timeout);
  suite_add_tcase (s, *tc);
  return s;
}

#endif
