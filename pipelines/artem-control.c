/* artem-control — runs a pipeline description and changes properties while it plays,
 * from commands on standard input (one per line):
 *
 *   set NAME PROP=VALUE          e.g. set artemstylize0 model-location=/path/style.onnx
 *   get NAME PROP                prints "NAME PROP=VALUE"
 *   ramp NAME PROP FROM TO SECS  animates a controllable property (GstController,
 *                                linear interpolation from now on), e.g. strength
 *   quit                         sends EOS and exits when it arrives
 *   # ...                        a comment (also after a command, following a blank)
 *
 * Each command answers "ok", a value, or "error: ..." on standard output; bus warnings
 * and errors are printed as "bus-warning: ..." / "bus-error: ...".
 *
 *   artem-control "v4l2src ! videoconvert ! artemstylize name=s ! videoconvert ! autovideosink"
 *
 * The description may also be given as several words, as to gst-launch-1.0 (a word such
 * as "location=/my videos/in.mp4" may then hold spaces).
 *
 * --watchdog SECS: when no frame reaches an artem element (or, without one, a sink) for
 * SECS seconds while PLAYING, prints "bus-error: NAME: no video for SECS s ..." and exits
 * 1.  Unlike the watchdog element, events (a parser's bitrate tags, gaps) do not count
 * as frames, so a network source that stalls is noticed.
 * Ctrl-C sends EOS (files are finalised); a second Ctrl-C stops at once.
 */
#include <gst/gst.h>
#include <gst/controller/gstinterpolationcontrolsource.h>
#include <gst/controller/gstdirectcontrolbinding.h>
#include <glib-unix.h>
#include <signal.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static GstElement *pipeline;
static GMainLoop *loop;
static int exit_code = 0;
static gdouble watchdog_secs = 0;
static gint64 last_frame_us;      /* g_get_monotonic_time of the last frame (atomic) */
static gboolean playing;
static gchar *watched_name;

static GstPadProbeReturn
on_frame (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  __atomic_store_n (&last_frame_us, g_get_monotonic_time (), __ATOMIC_RELAXED);
  return GST_PAD_PROBE_OK;
}

static gboolean
on_watchdog (gpointer data)
{
  if (!playing)
    return G_SOURCE_CONTINUE;
  gint64 last = __atomic_load_n (&last_frame_us, __ATOMIC_RELAXED);
  if (g_get_monotonic_time () - last > (gint64) (watchdog_secs * G_USEC_PER_SEC)) {
    printf ("bus-error: %s: no video for %g s (the source stalled or the connection was "
            "lost)\n", watched_name, watchdog_secs);
    fflush (stdout);
    exit_code = 1;
    g_main_loop_quit (loop);
    return G_SOURCE_REMOVE;
  }
  return G_SOURCE_CONTINUE;
}

/* the frames watched: the sink pads of the artem elements, else those of the sinks */
static void
watch_frames (void)
{
  GstIterator *it = gst_bin_iterate_recurse (GST_BIN (pipeline));
  GValue v = G_VALUE_INIT;
  guint n = 0;
  for (int pass = 0; pass < 2 && n == 0; pass++) {
    gst_iterator_resync (it);
    while (gst_iterator_next (it, &v) == GST_ITERATOR_OK) {
      GstElement *e = g_value_get_object (&v);
      GstElementFactory *f = gst_element_get_factory (e);
      const char *fname = f ? GST_OBJECT_NAME (f) : "";
      gboolean is_sink = GST_OBJECT_FLAG_IS_SET (e, GST_ELEMENT_FLAG_SINK) && !GST_IS_BIN (e);
      if (pass == 0 ? g_str_has_prefix (fname, "artem") : is_sink) {
        GstPad *pad = gst_element_get_static_pad (e, "sink");
        if (pad) {
          gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                             on_frame, NULL, NULL);
          gst_object_unref (pad);
          if (!watched_name)
            watched_name = g_strdup (GST_ELEMENT_NAME (e));
          n++;
        }
      }
      g_value_reset (&v);
    }
  }
  g_value_unset (&v);
  gst_iterator_free (it);
  if (!watched_name)
    watched_name = g_strdup (GST_ELEMENT_NAME (pipeline));
}

static gboolean
on_sigint (gpointer data)
{
  static gboolean sent;
  if (sent) {
    g_main_loop_quit (loop);
    return G_SOURCE_REMOVE;
  }
  sent = TRUE;
  gst_element_send_event (pipeline, gst_event_new_eos ());
  return G_SOURCE_CONTINUE;
}

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

/* the next word of *p (blank-separated), or NULL at the end; *p moves past it */
static gchar *
next_word (const char **p)
{
  const char *s = *p;
  while (*s == ' ' || *s == '\t')
    s++;
  if (!*s)
    return NULL;
  const char *e = s;
  while (*e && *e != ' ' && *e != '\t')
    e++;
  *p = e;
  return g_strndup (s, e - s);
}

/* a number that is all of s and finite, else FALSE */
static gboolean
parse_number (const char *s, gdouble *out)
{
  char *end = NULL;
  if (!s || !*s)
    return FALSE;
  gdouble v = g_ascii_strtod (s, &end);
  if (end == s || *end || !isfinite (v))
    return FALSE;
  *out = v;
  return TRUE;
}

/* the numeric range of a property, FALSE for a non-numeric one */
static gboolean
prop_range (GParamSpec *ps, gdouble *lo, gdouble *hi)
{
  if (G_IS_PARAM_SPEC_DOUBLE (ps)) {
    *lo = G_PARAM_SPEC_DOUBLE (ps)->minimum; *hi = G_PARAM_SPEC_DOUBLE (ps)->maximum;
  } else if (G_IS_PARAM_SPEC_FLOAT (ps)) {
    *lo = G_PARAM_SPEC_FLOAT (ps)->minimum; *hi = G_PARAM_SPEC_FLOAT (ps)->maximum;
  } else if (G_IS_PARAM_SPEC_INT (ps)) {
    *lo = G_PARAM_SPEC_INT (ps)->minimum; *hi = G_PARAM_SPEC_INT (ps)->maximum;
  } else if (G_IS_PARAM_SPEC_UINT (ps)) {
    *lo = G_PARAM_SPEC_UINT (ps)->minimum; *hi = G_PARAM_SPEC_UINT (ps)->maximum;
  } else {
    return FALSE;
  }
  return TRUE;
}

/* set NAME PROP=VALUE: the value is everything after '=' (paths may hold spaces); it is
 * parsed and checked against the property's type and range before it is set, so a value
 * GLib would reject answers an error instead of "ok" */
static void
cmd_set (const char *args)
{
  const char *p = args;
  gchar *name = next_word (&p);
  while (*p == ' ' || *p == '\t')
    p++;
  const char *eq = strchr (p, '=');
  if (!name || !eq || eq == p) {
    reply ("error: usage: set NAME PROP=VALUE");
    g_free (name);
    return;
  }
  gchar *prop = g_strstrip (g_strndup (p, eq - p));
  const char *value = eq + 1;
  GstElement *e = find (name);
  GParamSpec *ps = e ? find_prop (e, prop) : NULL;
  if (ps && !(ps->flags & G_PARAM_WRITABLE)) {
    reply ("error: %s is read-only", prop);
  } else if (ps) {
    GValue v = G_VALUE_INIT;
    g_value_init (&v, ps->value_type);
    if (!gst_value_deserialize (&v, value)) {
      reply ("error: '%s' is not a valid %s for %s", value, g_type_name (ps->value_type), prop);
    } else if (g_param_value_validate (ps, &v)) {
      /* validate changed the value: it was outside the property's range */
      gdouble lo, hi;
      if (prop_range (ps, &lo, &hi))
        reply ("error: %s=%s is out of range [%g, %g]", prop, value, lo, hi);
      else
        reply ("error: '%s' is not a valid value for %s", value, prop);
    } else {
      g_object_set_property (G_OBJECT (e), prop, &v);
      reply ("ok");
    }
    g_value_unset (&v);
  }
  g_free (prop);
  g_free (name);
  if (e)
    gst_object_unref (e);
}

static void
cmd_get (gchar **w)
{
  GstElement *e = find (w[1]);
  GParamSpec *ps = e ? find_prop (e, w[2]) : NULL;
  if (ps && !(ps->flags & G_PARAM_READABLE)) {
    reply ("error: %s is write-only", w[2]);
  } else if (ps) {
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
}

/* ramp NAME PROP FROM TO SECS: FROM and TO must lie in the property's range and SECS be
 * positive; anything else is an error (it used to ramp to 0) */
static void
cmd_ramp (gchar **w)
{
  gdouble from, to, secs, lo, hi;
  if (!parse_number (w[3], &from) || !parse_number (w[4], &to) || !parse_number (w[5], &secs)) {
    reply ("error: usage: ramp NAME PROP FROM TO SECS (FROM, TO and SECS are numbers)");
    return;
  }
  if (secs <= 0 || secs > 1e6) {
    reply ("error: ramp SECS must be in (0, 1e6], not %s", w[5]);
    return;
  }
  GstElement *e = find (w[1]);
  GParamSpec *ps = e ? find_prop (e, w[2]) : NULL;
  if (ps && !(ps->flags & GST_PARAM_CONTROLLABLE)) {
    reply ("error: %s is not controllable", w[2]);
  } else if (ps && !prop_range (ps, &lo, &hi)) {
    reply ("error: %s is not numeric", w[2]);
  } else if (ps && (from < lo || from > hi || to < lo || to > hi)) {
    reply ("error: ramp %g..%g is outside %s's range [%g, %g]", from, to, w[2], lo, hi);
  } else if (ps) {
    GstControlSource *cs = gst_interpolation_control_source_new ();
    g_object_set (cs, "mode", GST_INTERPOLATION_MODE_LINEAR, NULL);
    /* the ramp starts at the element's own position (the stream time of the frame it
     * handles now), not at the clock: a live source's frames reach a slow element late,
     * and a ramp timed by the clock would be over before its frames arrive */
    gint64 pos = -1;
    GstClockTime t0 = gst_element_query_position (e, GST_FORMAT_TIME, &pos) && pos >= 0
                          ? (GstClockTime) pos : running_time ();
    /* absolute binding: control values are the property's own values */
    gst_timed_value_control_source_set ((GstTimedValueControlSource *) cs, t0, from);
    gst_timed_value_control_source_set ((GstTimedValueControlSource *) cs,
                                        t0 + (GstClockTime) (secs * GST_SECOND), to);
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
}

static void
command (char *line)
{
  /* "#" at the start or after a blank begins a comment (as in the README's examples) */
  for (char *c = line; *c; c++)
    if (*c == '#' && (c == line || c[-1] == ' ' || c[-1] == '\t')) {
      *c = 0;
      break;
    }
  g_strstrip (line);
  if (!g_utf8_validate (line, -1, NULL)) {
    reply ("error: the command is not valid UTF-8");
    return;
  }
  const char *p = line;
  gchar *verb = next_word (&p);
  gchar **w = g_strsplit_set (line, " \t", -1);
  /* drop empty words (several blanks in a row) */
  guint n = 0;
  for (guint i = 0; w[i]; i++) {
    if (*w[i])
      w[n++] = w[i];
    else
      g_free (w[i]);
  }
  w[n] = NULL;
  if (!verb) {
  } else if (!strcmp (verb, "quit") && n == 1) {
    gst_element_send_event (pipeline, gst_event_new_eos ());
    reply ("ok");
  } else if (!strcmp (verb, "set")) {
    cmd_set (p);
  } else if (!strcmp (verb, "get") && n == 3) {
    cmd_get (w);
  } else if (!strcmp (verb, "ramp") && n == 6) {
    cmd_ramp (w);
  } else {
    reply ("error: unknown command '%s' (set NAME PROP=VALUE | get NAME PROP | "
           "ramp NAME PROP FROM TO SECS | quit)", line);
  }
  g_free (verb);
  g_strfreev (w);
}

static gboolean
on_stdin (GIOChannel *ch, GIOCondition cond, gpointer data)
{
  gchar *line = NULL;
  GError *err = NULL;
  /* the channel is binary (no encoding), so a byte that is not UTF-8 cannot end the watch;
   * command() answers such a line with an error */
  GIOStatus st = g_io_channel_read_line (ch, &line, NULL, NULL, &err);
  if (st == G_IO_STATUS_NORMAL && line) {
    command (line);
    g_free (line);
    return TRUE;
  }
  g_free (line);
  if (st == G_IO_STATUS_ERROR) {
    reply ("error: reading standard input: %s", err ? err->message : "unknown error");
    g_clear_error (&err);
    return TRUE;
  }
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
    case GST_MESSAGE_STATE_CHANGED:
      if (GST_MESSAGE_SRC (msg) == GST_OBJECT (pipeline)) {
        GstState now;
        gst_message_parse_state_changed (msg, NULL, &now, NULL);
        if (now == GST_STATE_PLAYING && !playing) {
          __atomic_store_n (&last_frame_us, g_get_monotonic_time (), __ATOMIC_RELAXED);
          playing = TRUE;
        }
      }
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
  int first = 1;
  if (argc > 2 && !strcmp (argv[1], "--watchdog")) {
    char *end = NULL;
    watchdog_secs = g_ascii_strtod (argv[2], &end);
    if (end == argv[2] || *end || !(watchdog_secs > 0 && watchdog_secs < 1e6)) {
      fprintf (stderr, "artem-control: --watchdog needs a number of seconds, not '%s'\n", argv[2]);
      return 2;
    }
    first = 3;
  }
  if (argc <= first) {
    fprintf (stderr, "usage: %s [--watchdog SECS] \"PIPELINE DESCRIPTION\" | WORD...   "
             "(commands on stdin)\n", argv[0]);
    return 2;
  }
  GError *err = NULL;
  pipeline = argc == first + 1 ? gst_parse_launch (argv[first], &err)
                               : gst_parse_launchv ((const gchar **) argv + first, &err);
  if (!pipeline || err) {
    fprintf (stderr, "artem-control: %s\n", err ? err->message : "cannot parse the pipeline");
    g_clear_error (&err);
    if (pipeline)
      gst_object_unref (pipeline);
    return 2;
  }
  if (!GST_IS_BIN (pipeline)) {   /* a single element */
    GstElement *bin = gst_pipeline_new (NULL);
    gst_bin_add (GST_BIN (bin), pipeline);
    pipeline = bin;
  }
  if (watchdog_secs > 0) {
    watch_frames ();
    g_timeout_add (100, on_watchdog, NULL);
  }
  g_unix_signal_add (SIGINT, on_sigint, NULL);
  loop = g_main_loop_new (NULL, FALSE);
  GstBus *bus = gst_element_get_bus (pipeline);
  gst_bus_add_watch (bus, on_bus, NULL);
  gst_object_unref (bus);
  GIOChannel *in = g_io_channel_unix_new (0);
  g_io_channel_set_encoding (in, NULL, NULL);
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
  g_free (watched_name);
  return exit_code;
}
