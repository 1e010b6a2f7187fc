/* gst-errors.h — the GstCheck helper the element suites share: starting @el must fail
 * with an ERROR message on the bus whose debug text holds @needle. */
#ifndef ARTEM_TEST_GST_ERRORS_H
#define ARTEM_TEST_GST_ERRORS_H
#include <gst/check/gstcheck.h>

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

#endif
