/* artem-control — runs a pipeline description and changes properties while it plays,
 * from commands on standard input (one per line):
 *
 *   set NAME PROP=VALUE          e.g. set artemstylize0 model-location=/path/style.onnx
 *   get NAME PROP                prints "NAME PROP=VALUE"
 *   ramp NAME PROP FROM TO SECS  animates a controllable property (GstController,
 *                                linear interpolation from now on), e.g. strength
 *   quit                         sends EOS and exits when it arrives
 *
 * Each command answers "ok", a value, or "error: ..." on standard output; bus warnings
 * and errors are printed as "bus-warning: ..." / "bus-error: ...".
 *
 *   artem-control "v4l2src ! videoconvert ! artemstylize name=s ! videoconvert ! autovideosink"
 */
#include <gst/gst.h>
#include <gst/controller/gstinterpolationcontrolsource.h>
#include <gst/controller/gstdirectcontrolbinding.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static GstElement *pipeline;
static GMainLoop *loop;
static int exit_code = 0;

static void
reply (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  putchar ('\n');
  fflush (stdout);
}

static GstElement *
find (const char *name)
{
  GstElement *e = gst_bin_get_by_name (GST_BIN (pipeline), name);
  if (!e)
    reply ("error: no element named '%s'", name);
  return e;
}

static GParamSpec *
find_prop (GstElement *e, const char *prop)
{
  GParamSpec *ps = g_object_class_find_property (G_OBJECT_GET_CLASS (e), prop);
  if (!ps)
    reply ("error: %s has no property '%s'", GST_ELEMENT_NAME (e), prop);
  return ps;
}

static GstClockTime
running_time (void)
{
  GstClock *clock = gst_element_get_clock (pipeline);
  if (!clock)
    return 0;
  GstClockTime now = gst_clock_get_time (clock) - gst_element_get_base_time (pipeline);
  gst_object_unref (clock);
  return now;
}

static void
command (char *line)
{
  g_strstrip (line);
  gchar **w = g_strsplit_set (line, " \t", 6);
  guint n = g_strv_length (w);
  if (n == 0 || !*w[0]) {
  } else if (!strcmp (w[0], "quit")) {
    gst_element_send_event (pipeline, gst_event_new_eos ());
    reply ("ok");
  } else if (!strcmp (w[0], "set") && n >= 3 && strchr (line, '=')) {
    /* the value is everything after '=' (paths may hold spaces) */
    const char *rest = strstr (line, w[2]);
    gchar *prop = g_strndup (rest, strchr (rest, '=') - rest);
    const char *value = strchr (rest, '=') + 1;
    GstElement *e = find (w[1]);
    if (e && find_prop (e, prop)) {
      gst_util_set_object_arg (G_OBJECT (e), prop, value);
      reply ("ok");
    }
    g_free (prop);
    if (e)
      gst_object_unref (e);
  } else if (!strcmp (w[0], "get") && n == 3) {
    GstElement *e = find (w[1]);
    GParamSpec *ps = e ? find_prop (e, w[2]) : NULL;
    if (ps) {
      GValue v = G_VALUE_INIT;
      g_value_init (&v, ps->value_type);
      g_object_get_property (G_OBJECT (e), w[2], &v);
      gchar *s = G_VALUE_HOLDS_STRING (&v) ? g_value_dup_string (&v) : gst_value_serialize (&v);
      reply ("%s %s=%s", w[1], w[2], s ? s : "");
      g_free (s);
      g_value_unset (&v);
    }
    if (e)
      gst_object_unref (e);
  } else if (!strcmp (w[0], "ramp") && n == 6) {
    GstElement *e = find (w[1]);
    GParamSpec *ps = e ? find_prop (e, w[2]) : NULL;
    if (ps && !(ps->flags & GST_PARAM_CONTROLLABLE)) {
      reply ("error: %s is not controllable", w[2]);
    } else if (ps) {
      GstControlSource *cs = gst_interpolation_control_source_new ();
      g_object_set (cs, "mode", GST_INTERPOLATION_MODE_LINEAR, NULL);
      GstClockTime t0 = running_time ();
      gdouble secs = g_ascii_strtod (w[5], NULL);
      /* direct binding: control values are the property's values within [0,1] ranges */
      gst_timed_value_control_source_set ((GstTimedValueControlSource *) cs, t0,
                                          g_ascii_strtod (w[3], NULL));
      gst_timed_value_control_source_set ((GstTimedValueControlSource *) cs,
                                          t0 + (GstClockTime) (secs * GST_SECOND),
                                          g_ascii_strtod (w[4], NULL));
      GstControlBinding *old = gst_object_get_control_binding (GST_OBJECT (e), w[2]);
      if (old) {
        gst_object_remove_control_binding (GST_OBJECT (e), old);
        gst_object_unref (old);
      }
      gst_object_add_control_binding (GST_OBJECT (e),
          gst_direct_control_binding_new_absolute (GST_OBJECT (e), w[2], cs));
      gst_object_unref (cs);
      reply ("ok");
    }
    if (e)
      gst_object_unref (e);
  } else {
    reply ("error: unknown command '%s' (set NAME PROP=VALUE | get NAME PROP | "
           "ramp NAME PROP FROM TO SECS | quit)", line);
  }
  g_strfreev (w);
}

static gboolean
on_stdin (GIOChannel *ch, GIOCondition cond, gpointer data)
{
  gchar *line = NULL;
  GIOStatus st = g_io_channel_read_line (ch, &line, NULL, NULL, NULL);
  if (st == G_IO_STATUS_NORMAL && line) {
    command (line);
    g_free (line);
    return TRUE;
  }
  g_free (line);
  if (st == G_IO_STATUS_AGAIN)
    return TRUE;
  return FALSE;   /* end of input: keep playing until EOS */
}

static gboolean
on_bus (GstBus *bus, GstMessage *msg, gpointer data)
{
  GError *err = NULL;
  gchar *dbg = NULL;
  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ERROR:
      gst_message_parse_error (msg, &err, &dbg);
      if (dbg)
        g_strdelimit (dbg, "\n", ' ');   /* one line per message */
      reply ("bus-error: %s: %s (%s)", GST_OBJECT_NAME (msg->src), err->message, dbg ? dbg : "");
      exit_code = 1;
      g_main_loop_quit (loop);
      break;
    case GST_MESSAGE_WARNING:
      gst_message_parse_warning (msg, &err, &dbg);
      if (dbg)
        g_strdelimit (dbg, "\n", ' ');
      reply ("bus-warning: %s: %s (%s)", GST_OBJECT_NAME (msg->src), err->message, dbg ? dbg : "");
      break;
    case GST_MESSAGE_EOS:
      reply ("eos");
      g_main_loop_quit (loop);
      break;
    case GST_MESSAGE_LATENCY:
      gst_bin_recalculate_latency (GST_BIN (pipeline));
      break;
    default:
      break;
  }
  g_clear_error (&err);
  g_free (dbg);
  return TRUE;
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  if (argc != 2) {
    fprintf (stderr, "usage: %s \"PIPELINE DESCRIPTION\"   (commands on stdin)\n", argv[0]);
    return 2;
  }
  GError *err = NULL;
  pipeline = gst_parse_launch (argv[1], &err);
  if (!pipeline) {
    fprintf (stderr, "artem-control: %s\n", err->message);
    return 2;
  }
  loop = g_main_loop_new (NULL, FALSE);
  GstBus *bus = gst_element_get_bus (pipeline);
  gst_bus_add_watch (bus, on_bus, NULL);
  gst_object_unref (bus);
  GIOChannel *in = g_io_channel_unix_new (0);
  g_io_add_watch (in, G_IO_IN | G_IO_HUP, on_stdin, NULL);
  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    /* the error is on the bus */
    exit_code = 1;
    GstMessage *m = gst_bus_pop_filtered (GST_ELEMENT_BUS (pipeline), GST_MESSAGE_ERROR);
    if (m) {
      on_bus (NULL, m, NULL);
      gst_message_unref (m);
    }
  } else {
    reply ("playing");
    g_main_loop_run (loop);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_io_channel_unref (in);
  gst_object_unref (pipeline);
  g_main_loop_unref (loop);
  return exit_code;
}
