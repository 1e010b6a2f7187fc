/* gst-errors.h — the GstCheck helper the element suites share: starting @el must fail
 * with an ERROR message on the bus whose debug text holds @needle. */
#ifndef ARTEM_TEST_GST_ERRORS_H
#define ARTEM_TEST_GST_ERRORS_H
#include <gst/check/gstcheck.h>

static inline void
artem_expect_start_error (GstElement *el, const char *needle)
{
  GstBus *bus = gst_bus_new ();
  gst_element_set_bus (el, bus);
  fail_unless_equals_int (gst_element_set_state (el, GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
  GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "no error message on the bus");
  GError *err;
  gchar *dbg;
  gst_message_parse_error (msg, &err, &dbg);
  fail_unless (dbg && strstr (dbg, needle) != NULL, "error '%s' lacks '%s'", dbg, needle);
  g_error_free (err);
  g_free (dbg);
  gst_message_unref (msg);
  gst_element_set_state (el, GST_STATE_NULL);
  gst_element_set_bus (el, NULL);
  gst_object_unref (bus);
}

/* The device the element suites run on: cpu unless ARTEM_TEST_DEVICE says "cuda" (the
 * suites run again in meson's cuda-emu suite against the emulated CUDA backend). */
static inline int
artem_test_device (void)
{
  const char *d = g_getenv ("ARTEM_TEST_DEVICE");
  return d && !strcmp (d, "cuda") ? 2 : 1;
}

#endif
