/**
 * SECTION:element-artemstylize
 * @title: artemstylize
 *
 * Runs a feed-forward style-transfer network (Johnson et al. 2016 with instance
 * normalization; one trained network per style, an ONNX file) on every video frame.
 * Any frame size; RGB-family formats in and out (alpha passes through unchanged).
 * Every property can change while PLAYING: a new `model-location` loads in the
 * background while the current model keeps serving; a model that fails to load posts a
 * warning and the stream goes on with the old one.  `strength` and `inference-scale`
 * are controllable (GstController).
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 v4l2src ! videoconvert ! artemstylize model-location=matta.onnx \
 *     strength=0.8 ! videoconvert ! autovideosink
 * ]|
 * Per-frame timings: `GST_DEBUG=artemstylize:6`.
 */
#include "gstartemstylize.h"

GST_DEBUG_CATEGORY_STATIC (artem_stylize_debug);
#define GST_CAT_DEFAULT artem_stylize_debug

#define DEFAULT_MODEL_LOCATION ARTEM_MODELDIR "/default-style.onnx"

static gchar *
default_model_location (void)
{
  return gst_artem_default_model_path ("default-style.onnx");
}
typedef struct {
  gchar *model_location;   /* under the object lock */
} GstArtemStylizePrivate;

enum { PROP_0, PROP_MODEL_LOCATION };

G_DEFINE_TYPE_WITH_PRIVATE (GstArtemStylize, gst_artem_stylize, GST_TYPE_ARTEM_BASE_FILTER);
#define SPRIV(self) ((GstArtemStylizePrivate *) gst_artem_stylize_get_instance_private (GST_ARTEM_STYLIZE (self)))
GST_ELEMENT_REGISTER_DEFINE (artemstylize, "artemstylize", GST_RANK_NONE, GST_TYPE_ARTEM_STYLIZE);

static ArtemNet *
gst_artem_stylize_load_net (GstArtemBaseFilter *base, ArtemBackendKind backend, GError **error)
{
  GstArtemStylize *self = GST_ARTEM_STYLIZE (base);
  GST_OBJECT_LOCK (self);
  gchar *path = SPRIV (self)->model_location ? g_strdup (SPRIV (self)->model_location) : default_model_location ();
  gboolean is_default = SPRIV (self)->model_location == NULL;
  GST_OBJECT_UNLOCK (self);
  gint64 t0 = g_get_monotonic_time ();
  ArtemNet *net = artem_net_new_from_file (path, backend, error);
  if (!net && is_default && error && g_error_matches (*error, ARTEM_ERROR, ARTEM_ERROR_IO))
    g_prefix_error (error, "no model-location set and the default model is missing: ");
  if (net)
    GST_INFO_OBJECT (self, "loaded %s on %s in %.1f ms", path,
                     artem_backend_name (artem_net_get_backend (net)),
                     (g_get_monotonic_time () - t0) / 1000.0);
  g_free (path);
  return net;
}

static void
gst_artem_stylize_set_property (GObject *object, guint prop_id, const GValue *value,
                                GParamSpec *pspec)
{
  GstArtemStylize *self = GST_ARTEM_STYLIZE (object);
  switch (prop_id) {
    case PROP_MODEL_LOCATION:
      GST_OBJECT_LOCK (self);
      g_free (SPRIV (self)->model_location);
      SPRIV (self)->model_location = g_value_dup_string (value);
      GST_OBJECT_UNLOCK (self);
      gst_artem_base_filter_reload (GST_ARTEM_BASE_FILTER (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_artem_stylize_get_property (GObject *object, guint prop_id, GValue *value,
                                GParamSpec *pspec)
{
  GstArtemStylize *self = GST_ARTEM_STYLIZE (object);
  switch (prop_id) {
    case PROP_MODEL_LOCATION:
      GST_OBJECT_LOCK (self);
      if (SPRIV (self)->model_location)
        g_value_set_string (value, SPRIV (self)->model_location);
      else
        g_value_take_string (value, default_model_location ());
      GST_OBJECT_UNLOCK (self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_artem_stylize_finalize (GObject *object)
{
  g_free (SPRIV (object)->model_location);
  G_OBJECT_CLASS (gst_artem_stylize_parent_class)->finalize (object);
}

static void
gst_artem_stylize_class_init (GstArtemStylizeClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  gobject_class->set_property = gst_artem_stylize_set_property;
  gobject_class->get_property = gst_artem_stylize_get_property;
  gobject_class->finalize = gst_artem_stylize_finalize;
  g_object_class_install_property (gobject_class, PROP_MODEL_LOCATION,
      g_param_spec_string ("model-location", "Model location",
          "Path to the style network (ONNX). Default: the style installed with the plugin "
          "(" DEFAULT_MODEL_LOCATION "). Changing it while PLAYING loads the new model in "
          "the background", DEFAULT_MODEL_LOCATION,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  gst_element_class_set_static_metadata (GST_ELEMENT_CLASS (klass),
      "artem style transfer", "Filter/Effect/Video",
      "Stylizes video with a feed-forward style-transfer network (ONNX)",
      "artem developers");
  GST_ARTEM_BASE_FILTER_CLASS (klass)->load_net = gst_artem_stylize_load_net;
  GST_DEBUG_CATEGORY_INIT (artem_stylize_debug, "artemstylize", 0, "artem style transfer");
  GST_ARTEM_BASE_FILTER_CLASS (klass)->debug_category = artem_stylize_debug;
}

static void
gst_artem_stylize_init (GstArtemStylize *self)
{
}
