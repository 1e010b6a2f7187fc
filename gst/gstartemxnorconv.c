/**
 * SECTION:element-artemxnorconv
 * @title: artemxnorconv
 *
 * artemstylize with binarized convolutions (XNOR-Net, Rastegari et al. 2016): the style
 * network in `model-location` is binarized at load.  `binarize=weights` is a binary-weight
 * network (weights alpha * sign (W), float activations); `binarize=weights-and-activations`
 * binarizes activations too and runs the convolutions as bit-packed XOR + popcount.
 * `layers` chooses the convolutions: `inner` (all but the first and the last, default),
 * `residual` (the residual blocks), `all`, or node names separated by commas.  Every
 * property of artemstylize applies; changing `binarize` or `layers` while PLAYING reloads
 * in the background.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 v4l2src ! videoconvert ! artemxnorconv model-location=style.onnx \
 *     binarize=weights-and-activations layers=residual ! videoconvert ! autovideosink
 * ]|
 */
#include "gstartemxnorconv.h"

GST_DEBUG_CATEGORY_STATIC (artem_xnorconv_debug);
#define GST_CAT_DEFAULT artem_xnorconv_debug

typedef enum {
  GST_ARTEM_BINARIZE_WEIGHTS = ARTEM_BINARIZE_WEIGHTS,
  GST_ARTEM_BINARIZE_XNOR = ARTEM_BINARIZE_XNOR
} GstArtemBinarize;

#define GST_TYPE_ARTEM_BINARIZE (gst_artem_binarize_get_type ())
static GType
gst_artem_binarize_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { GST_ARTEM_BINARIZE_WEIGHTS, "Binary weights, float activations (BWN)", "weights" },
    { GST_ARTEM_BINARIZE_XNOR, "Binary weights and activations (XNOR, popcount kernels)",
      "weights-and-activations" },
    { 0, NULL, NULL }
  };
  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstArtemBinarize", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

struct _GstArtemXnorconv {
  GstArtemStylize parent;
  GstArtemBinarize binarize;   /* under the object lock */
  gchar *layers;
  guint binarized;             /* convolutions the last load binarized */
};

enum { PROP_0, PROP_BINARIZE, PROP_LAYERS, PROP_BINARIZED };

#define DEFAULT_BINARIZE GST_ARTEM_BINARIZE_XNOR
#define DEFAULT_LAYERS "inner"

G_DEFINE_TYPE (GstArtemXnorconv, gst_artem_xnorconv, GST_TYPE_ARTEM_STYLIZE);
GST_ELEMENT_REGISTER_DEFINE (artemxnorconv, "artemxnorconv", GST_RANK_NONE,
                             GST_TYPE_ARTEM_XNORCONV);

static ArtemNet *
gst_artem_xnorconv_load_net (GstArtemBaseFilter *base, ArtemBackendKind backend, GError **error)
{
  GstArtemXnorconv *self = GST_ARTEM_XNORCONV (base);
  ArtemNet *net = GST_ARTEM_BASE_FILTER_CLASS (gst_artem_xnorconv_parent_class)->load_net (base,
      backend, error);
  if (!net)
    return NULL;
  GST_OBJECT_LOCK (self);
  GstArtemBinarize mode = self->binarize;
  gchar *layers = g_strdup (self->layers);
  GST_OBJECT_UNLOCK (self);
  if (!artem_net_binarize (net, (ArtemBinarizeMode) mode, layers, 0, error)) {
    g_clear_pointer (&net, artem_net_free);
  } else {
    gsize fb, pb;
    artem_net_get_weight_bytes (net, &fb, &pb);
    GST_INFO_OBJECT (self, "binarized %u convolutions (%s): weights %zu -> %zu bytes",
                     artem_net_get_n_binarized (net), layers, fb, pb);
    GST_OBJECT_LOCK (self);
    self->binarized = artem_net_get_n_binarized (net);
    GST_OBJECT_UNLOCK (self);
  }
  g_free (layers);
  return net;
}

static void
gst_artem_xnorconv_set_property (GObject *object, guint prop_id, const GValue *value,
                                 GParamSpec *pspec)
{
  GstArtemXnorconv *self = GST_ARTEM_XNORCONV (object);
  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_BINARIZE: self->binarize = g_value_get_enum (value); break;
    case PROP_LAYERS:
      g_free (self->layers);
      self->layers = g_value_dup_string (value);
      if (!self->layers)
        self->layers = g_strdup (DEFAULT_LAYERS);
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec); break;
  }
  GST_OBJECT_UNLOCK (self);
  gst_artem_base_filter_reload (GST_ARTEM_BASE_FILTER (self));
}

static void
gst_artem_xnorconv_get_property (GObject *object, guint prop_id, GValue *value,
                                 GParamSpec *pspec)
{
  GstArtemXnorconv *self = GST_ARTEM_XNORCONV (object);
  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_BINARIZE: g_value_set_enum (value, self->binarize); break;
    case PROP_LAYERS: g_value_set_string (value, self->layers); break;
    case PROP_BINARIZED: g_value_set_uint (value, self->binarized); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec); break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_artem_xnorconv_finalize (GObject *object)
{
  g_free (GST_ARTEM_XNORCONV (object)->layers);
  G_OBJECT_CLASS (gst_artem_xnorconv_parent_class)->finalize (object);
}

static void
gst_artem_xnorconv_class_init (GstArtemXnorconvClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  gobject_class->set_property = gst_artem_xnorconv_set_property;
  gobject_class->get_property = gst_artem_xnorconv_get_property;
  gobject_class->finalize = gst_artem_xnorconv_finalize;
  g_object_class_install_property (gobject_class, PROP_BINARIZE,
      g_param_spec_enum ("binarize", "Binarize",
          "What to binarize: weights (binary-weight network) or weights-and-activations "
          "(XNOR: bit-packed XOR + popcount convolutions)", GST_TYPE_ARTEM_BINARIZE,
          DEFAULT_BINARIZE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_LAYERS,
      g_param_spec_string ("layers", "Layers",
          "Which convolutions to binarize: inner (all but the first and the last), residual "
          "(the residual blocks), all, or node names separated by commas", DEFAULT_LAYERS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_BINARIZED,
      g_param_spec_uint ("binarized-layers", "Binarized layers",
          "How many convolutions the last model load binarized", 0, G_MAXUINT, 0,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  gst_element_class_set_static_metadata (GST_ELEMENT_CLASS (klass),
      "artem XNOR-Net style transfer", "Filter/Effect/Video",
      "Stylizes video with a style network whose convolutions are binarized (XNOR-Net)",
      "artem developers");
  GST_ARTEM_BASE_FILTER_CLASS (klass)->load_net = gst_artem_xnorconv_load_net;
  GST_DEBUG_CATEGORY_INIT (artem_xnorconv_debug, "artemxnorconv", 0, "artem XNOR-Net");
  GST_ARTEM_BASE_FILTER_CLASS (klass)->debug_category = artem_xnorconv_debug;
  gst_type_mark_as_plugin_api (GST_TYPE_ARTEM_BINARIZE, 0);
}

static void
gst_artem_xnorconv_init (GstArtemXnorconv *self)
{
  self->binarize = DEFAULT_BINARIZE;
  self->layers = g_strdup (DEFAULT_LAYERS);
}
