/**
 * SECTION:element-artemadain
 * @title: artemadain
 *
 * Arbitrary style transfer (Huang & Belongie 2017): a VGG encoder, Adaptive Instance
 * Normalization (each channel of the content features takes the mean and standard
 * deviation of the style's), a decoder.  Any picture is the style: `style-location`
 * (JPEG, PNG, whatever GStreamer decodes; several paths separated by ';' are
 * interpolated with `style-weights`), or any frame handed as a GstSample through
 * `style-sample`.  Style statistics are computed once per style change, off the
 * streaming thread; the stream goes on with the previous style meanwhile.  `alpha`
 * trades content for style (0: the decoder's reconstruction) and is controllable.
 * `preserve-colors` is the paper's colour control: the style picture's colours take the
 * content's mean and covariance before encoding (re-matched in the background when the
 * content's colours drift).
 *
 * The model is one ONNX file holding encoder -> AdaIN -> decoder (`models/convert.py
 * adain-cd` or `adain`).
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 v4l2src ! videoconvert ! artemadain model-location=adain.onnx \
 *     style-location=/usr/share/doc/opencv-doc/examples/data/starry_night.jpg alpha=0.8 \
 *     ! videoconvert ! autovideosink
 * ]|
 */
#include "gstartemadain.h"
#include "artemstyleimage.h"
#include "artemloader.h"
#include "artemcolor.h"

GST_DEBUG_CATEGORY_STATIC (artem_adain_debug);
#define GST_CAT_DEFAULT artem_adain_debug

#define DEFAULT_MODEL_LOCATION ARTEM_MODELDIR "/default-adain.onnx"

static gchar *
default_model_location (void)
{
  return gst_artem_default_model_path ("default-adain.onnx");
}

#define DEFAULT_STYLE_SIZE 512
#define DEFAULT_ALPHA 1.0

struct _GstArtemAdain {
  GstArtemBaseFilter parent;
  /* settings, under the object lock */
  gchar *model_location;
  gchar *style_location;
  GArray *style_weights;     /* gdouble */
  gint style_size;
  GstSample *style_sample;
  gboolean use_sample;       /* the last style set was a sample */
  gdouble alpha;
  /* the current style statistics, under the object lock */
  gfloat *mean, *std;
  gint channels;
  /* preserve-colors (the paper's variant): the content's colour statistics the current
   * style was matched to, and whether a re-match is under way; under the object lock */
  gboolean matched;          /* the current style statistics are colour-matched */
  gdouble match_mean[3], match_cov[9];
  gdouble want_mean[3], want_cov[9];
  gboolean match_pending;
  /* the style encoder (the model's encoder half) of the network in use, and the style
   * statistics set with it: both under enc_lock, so they always belong together */
  GMutex enc_lock;
  ArtemNet *style_enc;
  ArtemLoader *styles;       /* style statistics off the streaming thread */
  /* the network's artem.adain.split parsed (streaming thread only): the text it was
   * parsed from and its entries, parsed again only when the text changes */
  gchar *split_text;
  GArray *split;             /* SplitEntry */
};

typedef struct {
  gchar *name;               /* the initializer */
  gboolean std;              /* the stds, else the means */
  gint off, n;               /* channels off .. off + n */
} SplitEntry;

/* What a model load hands the base filter to install with its network. */
typedef struct {
  ArtemNet *enc;
  gfloat *mean, *std;
  gint channels;
  guint style_gen;           /* the style request the statistics answer */
} AdainExtra;

static void
adain_extra_free (gpointer data)
{
  AdainExtra *x = data;
  artem_net_free (x->enc);
  g_free (x->mean);
  g_free (x->std);
  g_free (x);
}

enum {
  PROP_0,
  PROP_MODEL_LOCATION,
  PROP_STYLE_LOCATION,
  PROP_STYLE_WEIGHTS,
  PROP_STYLE_SIZE,
  PROP_STYLE_SAMPLE,
  PROP_ALPHA,
};

G_DEFINE_TYPE (GstArtemAdain, gst_artem_adain, GST_TYPE_ARTEM_BASE_FILTER);
GST_ELEMENT_REGISTER_DEFINE (artemadain, "artemadain", GST_RANK_NONE, GST_TYPE_ARTEM_ADAIN);

typedef struct {
  gchar **paths;
  gdouble *weights;
  guint n;
  GstSample *sample;
  gint size;
  gboolean match;            /* colour-match the style pictures to mean/cov first */
  gdouble mean[3], cov[9];
} StyleConfig;

static StyleConfig *
style_config_take (GstArtemAdain *self)
{
  StyleConfig *c = g_new0 (StyleConfig, 1);
  GST_OBJECT_LOCK (self);
  c->size = self->style_size;
  if (self->use_sample && self->style_sample) {
    c->sample = gst_sample_ref (self->style_sample);
    c->n = 1;
  } else if (self->style_location && *self->style_location) {
    c->paths = g_strsplit (self->style_location, ";", -1);
    c->n = g_strv_length (c->paths);
  }
  c->match = self->match_pending;
  memcpy (c->mean, self->want_mean, sizeof c->mean);
  memcpy (c->cov, self->want_cov, sizeof c->cov);
  c->weights = g_new (gdouble, MAX (c->n, 1));
  for (guint i = 0; i < c->n; i++)
    c->weights[i] = (self->style_weights && self->style_weights->len == c->n && !c->sample)
                        ? g_array_index (self->style_weights, gdouble, i) : 1.0;
  GST_OBJECT_UNLOCK (self);
  return c;
}

static void
style_config_free (StyleConfig *c)
{
  g_strfreev (c->paths);
  g_free (c->weights);
  if (c->sample)
    gst_sample_unref (c->sample);
  g_free (c);
}

/* Encodes one RGB picture and adds weight * its feature statistics to mean/std. */
static gboolean
accumulate_style (ArtemNet *enc, const guint8 *rgb, int w, int h, gdouble weight,
                  gfloat **mean, gfloat **std, gint *channels, GError **error)
{
  ArtemShape s = { 4, { 1, 3, h, w } };
  if (!artem_net_reshape (enc, &s, NULL, error))
    return FALSE;
  float lo, hi;
  artem_net_get_ranges (enc, &lo, &hi, NULL, NULL);
  float *in = artem_net_get_input_buffer (enc, 0);
  gsize plane = (gsize) w * h;
  for (gsize i = 0; i < plane; i++)
    for (int c = 0; c < 3; c++)
      in[c * plane + i] = lo + (hi - lo) * rgb[i * 3 + c] / 255.f;
  if (!artem_net_run (enc, error))
    return FALSE;
  ArtemShape os;
  const float *f = artem_net_get_output (enc, 0, &os, NULL);
  if (os.ndim != 4) {
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED, "the encoder output is not 4-D");
    return FALSE;
  }
  gint c = (gint) os.dims[1];
  if (!*mean) {
    *mean = g_new0 (gfloat, c);
    *std = g_new0 (gfloat, c);
    *channels = c;
  }
  gfloat *m = g_new (gfloat, c), *sd = g_new (gfloat, c);
  artem_feature_stats (f, c, (gsize) (os.dims[2] * os.dims[3]), m, sd);
  for (int i = 0; i < c; i++) {
    (*mean)[i] += (gfloat) weight * m[i];
    (*std)[i] += (gfloat) weight * sd[i];
  }
  g_free (m);
  g_free (sd);
  return TRUE;
}

/* The weighted style statistics of a configuration (AdaIN is linear in them, so this is
 * the paper's interpolation of the AdaIN outputs). */
static gboolean
compute_style (ArtemNet *enc, StyleConfig *cfg, gfloat **mean, gfloat **std, gint *channels,
               GError **error)
{
  *mean = *std = NULL;
  *channels = 0;
  if (cfg->n == 0) {
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
                 "no style: set style-location or style-sample");
    return FALSE;
  }
  gdouble total = 0;
  for (guint i = 0; i < cfg->n; i++)
    total += cfg->weights[i];
  if (total <= 0) {
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
                 "style-weights must not sum to zero");
    return FALSE;
  }
  for (guint i = 0; i < cfg->n; i++) {
    GstSample *sample = cfg->sample ? gst_sample_ref (cfg->sample)
                                    : artem_style_image_decode (g_strstrip (cfg->paths[i]), error);
    if (!sample)
      goto fail;
    int w, h;
    guint8 *rgb = artem_style_image_to_rgb (sample, cfg->size, &w, &h, error);
    gst_sample_unref (sample);
    if (!rgb)
      goto fail;
    if (cfg->match)
      artem_color_match (rgb, w, h, cfg->mean, cfg->cov);
    gboolean ok = accumulate_style (enc, rgb, w, h, cfg->weights[i] / total, mean, std,
                                    channels, error);
    g_free (rgb);
    if (!ok) {
      /* a style the encoder cannot take (too small for its pooling, say) is a problem of
       * the style, not of the model: said so, in the style's error domain */
      GError *e = *error;
      *error = NULL;
      g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
                   "style %s (%dx%d after scaling) cannot be encoded: %s",
                   cfg->sample ? "sample" : cfg->paths[i], w, h,
                   e && e->message ? e->message : "?");
      g_clear_error (&e);
      goto fail;
    }
  }
  return TRUE;
fail:
  g_clear_pointer (mean, g_free);
  g_clear_pointer (std, g_free);
  return FALSE;
}

static void
set_style (GstArtemAdain *self, gfloat *mean, gfloat *std, gint channels)
{
  GST_OBJECT_LOCK (self);
  g_free (self->mean);
  g_free (self->std);
  self->mean = mean;
  self->std = std;
  self->channels = channels;
  GST_OBJECT_UNLOCK (self);
}

static void restyle (GstArtemAdain *self);

static void
style_job (guint gen, gpointer user_data)
{
  GstArtemAdain *self = user_data;
  StyleConfig *cfg = style_config_take (self);
  gboolean matching = cfg->match;
  gdouble mm[3], mc[9];
  memcpy (mm, cfg->mean, sizeof mm);
  memcpy (mc, cfg->cov, sizeof mc);
  gfloat *mean = NULL, *std = NULL;
  gint c = 0;
  GError *err = NULL;
  gint64 t0 = g_get_monotonic_time ();
  g_mutex_lock (&self->enc_lock);
  gboolean ok = self->style_enc && compute_style (self->style_enc, cfg, &mean, &std, &c, &err);
  /* set with the encoder they came from, unless a newer request is queued */
  gboolean current = ok && artem_loader_is_current (self->styles, gen);
  if (current)
    set_style (self, mean, std, c);
  g_mutex_unlock (&self->enc_lock);
  style_config_free (cfg);
  GST_OBJECT_LOCK (self);
  self->match_pending = FALSE;
  if (ok) {
    self->matched = matching;
    memcpy (self->match_mean, mm, sizeof mm);
    memcpy (self->match_cov, mc, sizeof mc);
  }
  GST_OBJECT_UNLOCK (self);
  if (!ok) {
    if (err)
      GST_ELEMENT_WARNING (self, RESOURCE, OPEN_READ,
                           ("Could not use the new style; keeping the current one"), ("%s",
                           err->message ? err->message : "?"));
    g_clear_error (&err);
    return;
  }
  if (current) {
    GST_INFO_OBJECT (self, "new style ready in %.1f ms", (g_get_monotonic_time () - t0) / 1000.0);
  } else {
    g_free (mean);
    g_free (std);
  }
}

static void
restyle (GstArtemAdain *self)
{
  artem_loader_request (self->styles);   /* queued once started */
}

/* Loads the model and its encoder half, and encodes the current style with it.  Nothing
 * is installed here: the base installs the result when this network goes into use. */
static ArtemNet *
gst_artem_adain_load_net (GstArtemBaseFilter *base, ArtemBackendKind backend, gpointer *extra,
                          GError **error)
{
  GstArtemAdain *self = GST_ARTEM_ADAIN (base);
  GST_OBJECT_LOCK (self);
  gchar *path = self->model_location ? g_strdup (self->model_location) : default_model_location ();
  GST_OBJECT_UNLOCK (self);
  ArtemNet *net = artem_net_new_from_file (path, backend, error);
  ArtemNet *enc = NULL;
  if (net) {
    const char *feat = artem_net_get_metadata (net, "artem.adain.features");
    enc = artem_net_new_from_file_with_output (path, backend, feat ? feat : "features", error);
    if (!enc)
      g_prefix_error (error, "not an AdaIN model (no encoder output 'features'): ");
  }
  AdainExtra *x = NULL;
  if (enc) {
    x = g_new0 (AdainExtra, 1);
    x->enc = enc;
    x->style_gen = artem_loader_generation (self->styles);
    StyleConfig *cfg = style_config_take (self);
    gboolean ok = compute_style (enc, cfg, &x->mean, &x->std, &x->channels, error);
    style_config_free (cfg);
    if (!ok)
      g_clear_pointer (&x, adain_extra_free);
  }
  if (!x) {
    g_clear_pointer (&net, artem_net_free);
    g_free (path);
    return NULL;
  }
  GST_INFO_OBJECT (self, "loaded %s (%d feature channels)", path, x->channels);
  g_free (path);
  *extra = x;
  return net;
}

/* The network just went into use: its encoder and statistics with it. */
static void
gst_artem_adain_install_extra (GstArtemBaseFilter *base, gpointer data)
{
  GstArtemAdain *self = GST_ARTEM_ADAIN (base);
  AdainExtra *x = data;
  g_mutex_lock (&self->enc_lock);
  artem_net_free (self->style_enc);
  self->style_enc = x->enc;
  set_style (self, x->mean, x->std, x->channels);
  g_mutex_unlock (&self->enc_lock);
  gboolean stale = x->style_gen != artem_loader_generation (self->styles);
  g_free (x);
  GST_OBJECT_LOCK (self);
  self->matched = FALSE;   /* encoded plain: re-matched on the next frame if preserving */
  GST_OBJECT_UNLOCK (self);
  if (stale)   /* the style changed while this model loaded: encode it with this one */
    restyle (self);
}

/* A model whose style statistics feed several initializers (MicroAST: two AdaIN nodes and
 * four modulation vectors, models/artem_models/microast.py) names them in its metadata,
 * `artem.adain.split` = "NAME=mean|std:OFFSET:COUNT ...": the channels OFFSET ..
 * OFFSET + COUNT of the encoder's per-channel means or stds go into NAME.  Entries that
 * do not fit the statistics are skipped (a model being replaced). */
static void
split_entry_clear (gpointer data)
{
  g_free (((SplitEntry *) data)->name);
}

/* the entries of @split, parsed once per text (not per frame) */
static GArray *
split_entries (GstArtemAdain *self, const char *split)
{
  if (self->split && !g_strcmp0 (self->split_text, split))
    return self->split;
  g_clear_pointer (&self->split, g_array_unref);
  g_free (self->split_text);
  self->split_text = g_strdup (split);
  self->split = g_array_new (FALSE, FALSE, sizeof (SplitEntry));
  g_array_set_clear_func (self->split, split_entry_clear);
  gchar **parts = g_strsplit (split, " ", -1);
  for (gchar **p = parts; *p; p++) {
    gchar *eq = strchr (*p, '=');
    if (!eq)
      continue;
    gchar **f = g_strsplit (eq + 1, ":", 3);
    if (g_strv_length (f) == 3 && (!strcmp (f[0], "mean") || !strcmp (f[0], "std"))) {
      gint64 off = g_ascii_strtoll (f[1], NULL, 10), n = g_ascii_strtoll (f[2], NULL, 10);
      if (off >= 0 && n > 0 && off + n <= G_MAXINT) {
        SplitEntry e = { g_strndup (*p, eq - *p), f[0][0] == 's', (gint) off, (gint) n };
        g_array_append_val (self->split, e);
      }
    }
    g_strfreev (f);
  }
  g_strfreev (parts);
  return self->split;
}

static void
write_split (GstArtemAdain *self, ArtemNet *net, const char *split, const gfloat *mean,
             const gfloat *std, gint channels)
{
  GArray *entries = split_entries (self, split);
  for (guint i = 0; i < entries->len; i++) {
    const SplitEntry *e = &g_array_index (entries, SplitEntry, i);
    if ((gint64) e->off + e->n <= channels)
      artem_net_set_initializer (net, e->name, (e->std ? std : mean) + e->off, (gsize) e->n,
                                 NULL);
  }
}

/* Before each frame: the current style statistics and alpha into the network; with
 * preserve-colors, a re-match of the style's colours when the content's have moved. */
static void
gst_artem_adain_prepare_net (GstArtemBaseFilter *base, ArtemNet *net, GstVideoFrame *in)
{
  GstArtemAdain *self = GST_ARTEM_ADAIN (base);
  gboolean preserve = gst_artem_base_filter_get_preserve_colors (base);
  gboolean push = FALSE;
  if (preserve) {
    int off[4], bpp;
    ArtemPixelFormat af = artem_gst_format (GST_VIDEO_FRAME_FORMAT (in));
    if (af == ARTEM_FORMAT_COUNT)   /* not a format the caps allow: read it as RGB */
      af = ARTEM_FORMAT_RGB;
    artem_pixel_format_offsets (af, &off[0], &off[1], &off[2], &off[3]);
    bpp = artem_pixel_format_bpp (af);
    gdouble m[3], c[9];
    artem_color_stats (GST_VIDEO_FRAME_PLANE_DATA (in, 0), GST_VIDEO_FRAME_WIDTH (in),
                       GST_VIDEO_FRAME_HEIGHT (in), GST_VIDEO_FRAME_PLANE_STRIDE (in, 0), bpp,
                       off, 4, m, c);
    GST_OBJECT_LOCK (self);
    if (!self->match_pending &&
        (!self->matched || artem_color_drifted (self->match_mean, self->match_cov, m, c))) {
      self->match_pending = TRUE;
      memcpy (self->want_mean, m, sizeof m);
      memcpy (self->want_cov, c, sizeof c);
      push = TRUE;
    }
    GST_OBJECT_UNLOCK (self);
  } else {
    GST_OBJECT_LOCK (self);
    push = self->matched && !self->match_pending;   /* back to the plain style */
    if (push)
      self->matched = FALSE;
    GST_OBJECT_UNLOCK (self);
  }
  if (push)
    restyle (self);
  GST_OBJECT_LOCK (self);
  float alpha = (float) self->alpha;
  const char *split = artem_net_get_metadata (net, "artem.adain.split");
  if (self->channels > 0 && split) {
    write_split (self, net, split, self->mean, self->std, self->channels);
  } else if (self->channels > 0) {
    /* a count mismatch means this frame still runs a model being replaced: skip */
    artem_net_set_initializer (net, "adain.style_mean", self->mean, self->channels, NULL);
    artem_net_set_initializer (net, "adain.style_std", self->std, self->channels, NULL);
  }
  GST_OBJECT_UNLOCK (self);
  artem_net_set_initializer (net, "adain.alpha", &alpha, 1, NULL);
}

static gboolean
gst_artem_adain_start (GstBaseTransform *trans)
{
  GstArtemAdain *self = GST_ARTEM_ADAIN (trans);
  /* first: a style set while the model loads is queued, and runs once it is installed */
  artem_loader_start (self->styles);
  if (!GST_BASE_TRANSFORM_CLASS (gst_artem_adain_parent_class)->start (trans)) {
    artem_loader_stop (self->styles);
    return FALSE;
  }
  return TRUE;
}

static gboolean
gst_artem_adain_stop (GstBaseTransform *trans)
{
  GstArtemAdain *self = GST_ARTEM_ADAIN (trans);
  /* queued style jobs are dropped, a running one finishes; then the encoder goes */
  artem_loader_stop (self->styles);
  gboolean ok = GST_BASE_TRANSFORM_CLASS (gst_artem_adain_parent_class)->stop (trans);
  g_mutex_lock (&self->enc_lock);
  g_clear_pointer (&self->style_enc, artem_net_free);
  g_mutex_unlock (&self->enc_lock);
  return ok;
}

static void
gst_artem_adain_set_property (GObject *object, guint prop_id, const GValue *value,
                              GParamSpec *pspec)
{
  GstArtemAdain *self = GST_ARTEM_ADAIN (object);
  gboolean style = FALSE, model = FALSE;
  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODEL_LOCATION:
      g_free (self->model_location);
      self->model_location = g_value_dup_string (value);
      model = TRUE;
      break;
    case PROP_STYLE_LOCATION:
      g_free (self->style_location);
      self->style_location = g_value_dup_string (value);
      self->use_sample = FALSE;
      style = TRUE;
      break;
    case PROP_STYLE_WEIGHTS:
      g_array_set_size (self->style_weights, 0);
      for (guint i = 0; i < gst_value_array_get_size (value); i++) {
        const GValue *v = gst_value_array_get_value (value, i);
        gdouble d = G_VALUE_HOLDS_DOUBLE (v) ? g_value_get_double (v)
                    : G_VALUE_HOLDS_FLOAT (v) ? g_value_get_float (v)
                    : G_VALUE_HOLDS_INT (v) ? g_value_get_int (v) : 0.0;
        g_array_append_val (self->style_weights, d);
      }
      style = TRUE;
      break;
    case PROP_STYLE_SIZE:
      self->style_size = g_value_get_int (value);
      style = TRUE;
      break;
    case PROP_STYLE_SAMPLE:
      if (self->style_sample)
        gst_sample_unref (self->style_sample);
      self->style_sample = g_value_dup_boxed (value);
      self->use_sample = self->style_sample != NULL;
      style = TRUE;
      break;
    case PROP_ALPHA:
      self->alpha = g_value_get_double (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
  if (model)
    gst_artem_base_filter_reload (GST_ARTEM_BASE_FILTER (self));
  else if (style)
    restyle (self);
}

static void
gst_artem_adain_get_property (GObject *object, guint prop_id, GValue *value,
                              GParamSpec *pspec)
{
  GstArtemAdain *self = GST_ARTEM_ADAIN (object);
  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODEL_LOCATION:
      if (self->model_location)
        g_value_set_string (value, self->model_location);
      else
        g_value_take_string (value, default_model_location ());
      break;
    case PROP_STYLE_LOCATION: g_value_set_string (value, self->style_location); break;
    case PROP_STYLE_WEIGHTS:
      for (guint i = 0; i < self->style_weights->len; i++) {
        GValue v = G_VALUE_INIT;
        g_value_init (&v, G_TYPE_DOUBLE);
        g_value_set_double (&v, g_array_index (self->style_weights, gdouble, i));
        gst_value_array_append_value (value, &v);
        g_value_unset (&v);
      }
      break;
    case PROP_STYLE_SIZE: g_value_set_int (value, self->style_size); break;
    case PROP_STYLE_SAMPLE: g_value_set_boxed (value, self->style_sample); break;
    case PROP_ALPHA: g_value_set_double (value, self->alpha); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec); break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_artem_adain_finalize (GObject *object)
{
  GstArtemAdain *self = GST_ARTEM_ADAIN (object);
  artem_loader_free (self->styles);
  g_clear_pointer (&self->split, g_array_unref);
  g_free (self->split_text);
  artem_net_free (self->style_enc);
  g_mutex_clear (&self->enc_lock);
  g_free (self->model_location);
  g_free (self->style_location);
  g_array_unref (self->style_weights);
  if (self->style_sample)
    gst_sample_unref (self->style_sample);
  g_free (self->mean);
  g_free (self->std);
  G_OBJECT_CLASS (gst_artem_adain_parent_class)->finalize (object);
}

static void
gst_artem_adain_class_init (GstArtemAdainClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  gobject_class->set_property = gst_artem_adain_set_property;
  gobject_class->get_property = gst_artem_adain_get_property;
  gobject_class->finalize = gst_artem_adain_finalize;

  g_object_class_install_property (gobject_class, PROP_MODEL_LOCATION,
      g_param_spec_string ("model-location", "Model location",
          "Path to the AdaIN model: one ONNX file holding encoder, AdaIN node and decoder "
          "(models/convert.py adain-cd | adain). Default: the pair installed with the plugin "
          "(" DEFAULT_MODEL_LOCATION ")", DEFAULT_MODEL_LOCATION,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_STYLE_LOCATION,
      g_param_spec_string ("style-location", "Style location",
          "Path of the style picture (anything GStreamer decodes); several paths separated "
          "by ';' are interpolated with style-weights", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_STYLE_WEIGHTS,
      gst_param_spec_array ("style-weights", "Style weights",
          "Weights of the styles in style-location (normalized to sum 1; default equal), "
          "e.g. \"<0.7, 0.3>\"",
          g_param_spec_double ("weight", "Weight", "Weight of one style", 0, G_MAXDOUBLE, 1,
                               G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS),
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_STYLE_SIZE,
      g_param_spec_int ("style-size", "Style size",
          "The longer side of a style picture is scaled down to at most this many pixels "
          "before encoding (0: never)", 0, 8192, DEFAULT_STYLE_SIZE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_STYLE_SAMPLE,
      g_param_spec_boxed ("style-sample", "Style sample",
          "Any raw video frame (GstSample) as the style, e.g. a frame of a second camera; "
          "it replaces style-location until that is set again", GST_TYPE_SAMPLE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_ALPHA,
      g_param_spec_double ("alpha", "Alpha",
          "Content-style trade-off: 0 is the decoder's reconstruction of the frame, 1 full "
          "style", 0.0, 1.0, DEFAULT_ALPHA,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_CONTROLLABLE |
          GST_PARAM_MUTABLE_PLAYING));

  gst_element_class_set_static_metadata (GST_ELEMENT_CLASS (klass),
      "artem AdaIN arbitrary style transfer", "Filter/Effect/Video",
      "Stylizes video in the style of any picture (AdaIN: encoder, adaptive instance "
      "normalization, decoder)", "artem developers");
  trans_class->start = GST_DEBUG_FUNCPTR (gst_artem_adain_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_artem_adain_stop);
  GST_ARTEM_BASE_FILTER_CLASS (klass)->load_net_full = gst_artem_adain_load_net;
  GST_ARTEM_BASE_FILTER_CLASS (klass)->install_extra = gst_artem_adain_install_extra;
  GST_ARTEM_BASE_FILTER_CLASS (klass)->free_extra = adain_extra_free;
  GST_ARTEM_BASE_FILTER_CLASS (klass)->prepare_net = gst_artem_adain_prepare_net;
  GST_ARTEM_BASE_FILTER_CLASS (klass)->own_preserve_colors = TRUE;
  /* margin=-1: none (scripts/make-eval.sh: the mirrored margin raised the AdaIN pairs'
   * border contrast, frame 12.2 -> 28.2 and 21.6 -> 25.1, where it removed the
   * feed-forward networks' frames) */
  GST_ARTEM_BASE_FILTER_CLASS (klass)->auto_margin = 0;
  GST_DEBUG_CATEGORY_INIT (artem_adain_debug, "artemadain", 0, "artem AdaIN");
  GST_ARTEM_BASE_FILTER_CLASS (klass)->debug_category = artem_adain_debug;
}

static void
gst_artem_adain_init (GstArtemAdain *self)
{
  self->style_size = DEFAULT_STYLE_SIZE;
  self->alpha = DEFAULT_ALPHA;
  self->style_weights = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_mutex_init (&self->enc_lock);
  self->styles = artem_loader_new (style_job, self);
}
