/* gstartembasefilter.c — shared base of artemstylize, artemadain and artemxnorconv.
 *
 * Per frame (transform_frame): optional downscale to the inference size with
 * GstVideoConverter, the network through libartem's frame API, upscale back, then the
 * strength blend and the colour-preserving luminance transfer.  Alpha passes through.
 * Models load in a one-thread GThreadPool; the streaming thread swaps a ready network in
 * between frames, so the old one serves until then and a failed load only warns. */
#include "gstartembasefilter.h"
#include "artemloader.h"
#include "artemcolor.h"

GST_DEBUG_CATEGORY_STATIC (artem_base_debug);
#define GST_CAT_DEFAULT artem_base_debug

enum {
  PROP_0,
  PROP_DEVICE,
  PROP_PRECISION,
  PROP_STRENGTH,
  PROP_INFERENCE_SCALE,
  PROP_PRESERVE_COLORS,
  PROP_FRAMES_PROCESSED,
  PROP_TIME_AVERAGE,
  PROP_TIME_LAST,
  PROP_MODEL_IN_USE,
  PROP_FRAMES_DROPPED,
  PROP_STABILIZE,
  PROP_MARGIN,
  PROP_GLOW_GUARD,
  PROP_MOTION_SEARCH,
};

#define DEFAULT_DEVICE GST_ARTEM_DEVICE_AUTO
#define DEFAULT_STRENGTH 1.0
#define DEFAULT_INFERENCE_SCALE 1.0
#define DEFAULT_PRESERVE_COLORS FALSE
#define DEFAULT_STABILIZE 1.0
#define DEFAULT_GLOW_GUARD 0.0
#define DEFAULT_MOTION_SEARCH 6
#define DEFAULT_MARGIN -1   /* the class's auto_margin */
#define DEFAULT_AUTO_MARGIN 16

/* the latency reported is the worst of the last LATENCY_WINDOW frames, plus a margin */
#define LATENCY_WINDOW 64
#define LATENCY_MARGIN 1.15
/* late frames are skipped, but at least one frame is shown per this many microseconds */
#define MAX_SKIP_US (G_USEC_PER_SEC / 2)

typedef struct {
  /* properties, under the object lock */
  GstArtemDevice device;
  GstArtemPrecision precision;
  gdouble strength;
  gdouble inference_scale;
  gboolean preserve_colors;
  gdouble stabilize, glow_guard;
  gint motion_search;
  gint margin;
  gboolean history_reset;   /* the next frame starts a new stabilisation history */
  /* statistics, under the object lock */
  guint64 frames;
  gdouble total_ms, last_ms, reported_latency_ms;
  /* live pipelines: the worst recent frame times (the latency reported), whether the
   * upstream is live and the latency the pipeline configured (a LATENCY event), the
   * frames skipped because they could no longer be on time */
  gdouble recent_ms[LATENCY_WINDOW];
  guint recent_n, recent_i;
  gboolean upstream_live, live_checked;
  GstClockTimeDiff lag_cur, lag_prev;   /* smallest lags of two windows (streaming thread) */
  gint64 lag_window_us;
  guint64 dropped;
  gint64 last_run_us;   /* monotonic time of the last frame run (streaming thread) */
  gchar *in_use;   /* the path of the network serving frames (object lock) */
  /* networks: `net` belongs to the streaming thread; `pending` (and the subclass's
   * `pending_extra` that goes with it) is handed over under the object lock */
  ArtemNet *net;
  ArtemNet *pending;
  gpointer pending_extra;
  ArtemLoader *loader;        /* model loads off the streaming thread */
  gboolean warned_fallback;
  /* sizes: the frames the buffers are for, the network's size, a size the network
   * refused for these frames (not retried until the frames or the setting change) */
  gint frame_w, frame_h;
  gint net_w, net_h;
  gint refused_w, refused_h;
  GstVideoInfo full_info;     /* progressive, default strides: `styled` */
  GstVideoInfo conv_info;     /* the input as a progressive picture: the scalers' side */
  GstVideoInfo small_info;
  GstVideoConverter *down, *up;
  GstBuffer *small_in, *small_out, *styled;
  ArtemPixelFormat fmt;
} GstArtemBaseFilterPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_CODE (GstArtemBaseFilter, gst_artem_base_filter,
    GST_TYPE_VIDEO_FILTER, G_ADD_PRIVATE (GstArtemBaseFilter);
    GST_DEBUG_CATEGORY_INIT (artem_base_debug, "artembase", 0, "artem base filter"))

#define PRIV(self) ((GstArtemBaseFilterPrivate *) gst_artem_base_filter_get_instance_private (self))

GType
gst_artem_device_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { GST_ARTEM_DEVICE_AUTO, "CUDA when a usable GPU and the CUDA backend exist, else CPU",
      "auto" },
    { GST_ARTEM_DEVICE_CPU, "CPU (OpenBLAS)", "cpu" },
    { GST_ARTEM_DEVICE_CUDA, "CUDA (error when unavailable)", "cuda" },
    { 0, NULL, NULL }
  };
  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstArtemDevice", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

GType
gst_artem_precision_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    { GST_ARTEM_PRECISION_AUTO, "fp16 on GPUs with tensor cores, bf16 on CPUs with "
      "AVX512-BF16 or AMX, else fp32", "auto" },
    { GST_ARTEM_PRECISION_FP32, "fp32", "fp32" },
    { GST_ARTEM_PRECISION_FP16, "fp16 storage, fp32 accumulation (GPU; fp32 on the CPU)",
      "fp16" },
    { GST_ARTEM_PRECISION_BF16, "bf16 storage, fp32 accumulation (CPUs with AVX512-BF16 "
      "or AMX; fp16 on the GPU)", "bf16" },
    { 0, NULL, NULL }
  };
  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstArtemPrecision", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

/* The message of an error that may lack one (a library that forgot to set it). */
static const gchar *
err_text (const GError *err)
{
  return err && err->message ? err->message : "unknown error (no message was set)";
}

static void
free_extra (GstArtemBaseFilter *self, gpointer extra)
{
  GstArtemBaseFilterClass *klass = GST_ARTEM_BASE_FILTER_GET_CLASS (self);
  if (extra && klass->free_extra)
    klass->free_extra (extra);
}

/* loads through the subclass and applies the precision (it takes effect at sizing);
 * @extra: what the subclass wants installed with this network (or NULL) */
static ArtemNet *
load_net (GstArtemBaseFilter *self, ArtemBackendKind backend, gpointer *extra, GError **error)
{
  GstArtemBaseFilterClass *klass = GST_ARTEM_BASE_FILTER_GET_CLASS (self);
  *extra = NULL;
  GError *err = NULL;
  ArtemNet *net = klass->load_net_full ? klass->load_net_full (self, backend, extra, &err)
                                       : klass->load_net (self, backend, &err);
  if (!net) {
    if (!err)
      g_set_error (&err, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_FAILED,
                   "the model could not be loaded (no reason was given)");
    g_propagate_error (error, err);
    return NULL;
  }
  g_clear_error (&err);
  GST_OBJECT_LOCK (self);
  GstArtemPrecision p = PRIV (self)->precision;
  GST_OBJECT_UNLOCK (self);
  artem_net_set_precision (net, p == GST_ARTEM_PRECISION_FP16 ? ARTEM_PRECISION_FP16
                                : p == GST_ARTEM_PRECISION_BF16 ? ARTEM_PRECISION_BF16
                                : p == GST_ARTEM_PRECISION_FP32 ? ARTEM_PRECISION_FP32
                                : ARTEM_PRECISION_AUTO);
  return net;
}

static ArtemBackendKind
backend_of (GstArtemDevice d)
{
  return d == GST_ARTEM_DEVICE_CPU ? ARTEM_BACKEND_CPU
         : d == GST_ARTEM_DEVICE_CUDA ? ARTEM_BACKEND_CUDA : ARTEM_BACKEND_AUTO;
}

/* The backend to load with, warning once when auto falls back to the CPU. */
static ArtemBackendKind
choose_backend (GstArtemBaseFilter *self)
{
  GstArtemBaseFilterPrivate *priv = PRIV (self);
  GST_OBJECT_LOCK (self);
  GstArtemDevice dev = priv->device;
  gboolean warn = dev == GST_ARTEM_DEVICE_AUTO && !priv->warned_fallback &&
                  !artem_backend_available (ARTEM_BACKEND_CUDA);
  if (warn)
    priv->warned_fallback = TRUE;
  GST_OBJECT_UNLOCK (self);
  if (warn)
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS, ("No usable GPU: running on the CPU"),
                         ("device=auto: %s", artem_backend_unavailable_reason (ARTEM_BACKEND_CUDA)));
  return backend_of (dev);
}

/* model-in-use follows the network that serves frames, not the property last set */
static void
set_in_use (GstArtemBaseFilter *self, ArtemNet *net)
{
  GST_OBJECT_LOCK (self);
  g_free (PRIV (self)->in_use);
  PRIV (self)->in_use = g_strdup (artem_net_get_path (net));
  GST_OBJECT_UNLOCK (self);
}

static void
loader_func (guint gen, gpointer user_data)
{
  GstArtemBaseFilter *self = user_data;
  GstArtemBaseFilterPrivate *priv = PRIV (self);
  GError *err = NULL;
  gpointer extra = NULL;
  ArtemNet *net = load_net (self, choose_backend (self), &extra, &err);
  if (!net) {
    GST_ELEMENT_WARNING (self, RESOURCE, OPEN_READ,
                         ("Could not load the new model; keeping the current one"), ("%s",
                         err_text (err)));
    g_clear_error (&err);
    return;
  }
  GST_OBJECT_LOCK (self);
  if (artem_loader_is_current (priv->loader, gen)) {
    /* the streaming thread sizes it and swaps it in before its next frame */
    artem_net_free (priv->pending);
    free_extra (self, priv->pending_extra);
    priv->pending = net;
    priv->pending_extra = extra;
    net = NULL;
    extra = NULL;
  }
  GST_OBJECT_UNLOCK (self);
  artem_net_free (net);   /* superseded meanwhile: nothing of it is installed */
  free_extra (self, extra);
  GST_INFO_OBJECT (self, "new model ready (request %u)", gen);
}

gboolean
gst_artem_base_filter_get_preserve_colors (GstArtemBaseFilter *self)
{
  GST_OBJECT_LOCK (self);
  gboolean v = PRIV (self)->preserve_colors;
  GST_OBJECT_UNLOCK (self);
  return v;
}

gchar *
gst_artem_default_model_path (const gchar *file)
{
  const gchar *dir = g_getenv ("ARTEM_MODELDIR");
  return g_build_filename (dir && *dir ? dir : ARTEM_MODELDIR, file, NULL);
}

void
gst_artem_base_filter_reload (GstArtemBaseFilter *self)
{
  artem_loader_request (PRIV (self)->loader);   /* queued only once started */
}

static void
free_sized (GstArtemBaseFilterPrivate *priv)
{
  g_clear_pointer (&priv->down, gst_video_converter_free);
  g_clear_pointer (&priv->up, gst_video_converter_free);
  gst_clear_buffer (&priv->small_in);
  gst_clear_buffer (&priv->small_out);
  gst_clear_buffer (&priv->styled);
  priv->net_w = priv->net_h = 0;
  priv->frame_w = priv->frame_h = 0;
  priv->refused_w = priv->refused_h = 0;
}

static void
install_extra (GstArtemBaseFilter *self, gpointer extra)
{
  GstArtemBaseFilterClass *klass = GST_ARTEM_BASE_FILTER_GET_CLASS (self);
  if (klass->install_extra)
    klass->install_extra (self, extra);
  else
    free_extra (self, extra);
}

/* Takes the network waiting to be swapped in (and its extra), under the object lock. */
static ArtemNet *
take_pending (GstArtemBaseFilter *self, gpointer *extra)
{
  GstArtemBaseFilterPrivate *priv = PRIV (self);
  GST_OBJECT_LOCK (self);
  ArtemNet *pending = priv->pending;
  *extra = priv->pending_extra;
  priv->pending = NULL;
  priv->pending_extra = NULL;
  GST_OBJECT_UNLOCK (self);
  return pending;
}

static gboolean
gst_artem_base_filter_start (GstBaseTransform *trans)
{
  GstArtemBaseFilter *self = GST_ARTEM_BASE_FILTER (trans);
  GstArtemBaseFilterPrivate *priv = PRIV (self);
  /* started before the first load: a setting changed while this load runs queues a
   * reload, so the property and the model in use agree */
  ArtemBackendKind backend = choose_backend (self);
  if (!artem_backend_available (backend)) {   /* device=cuda: say that first */
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("No usable GPU for device=cuda"),
                       ("%s backend: %s (device=auto or device=cpu runs on the CPU)",
                        artem_backend_name (backend), artem_backend_unavailable_reason (backend)));
    return FALSE;
  }
  artem_loader_start (priv->loader);
  GError *err = NULL;
  gpointer extra = NULL;
  ArtemNet *net = load_net (self, backend, &extra, &err);
  if (!net) {
    artem_loader_stop (priv->loader);
    if (g_error_matches (err, ARTEM_ERROR, ARTEM_ERROR_BACKEND))
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("No usable GPU for device=cuda"),
                         ("%s (device=auto or device=cpu runs on the CPU)", err_text (err)));
    else if (err->domain == ARTEM_ERROR)
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ, ("Could not load the model"), ("%s",
                         err_text (err)));
    else   /* the subclass's own reason (artemadain: the style) */
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ, ("%s", err_text (err)), ("%s", err_text (err)));
    g_clear_error (&err);
    return FALSE;
  }
  priv->net = net;
  set_in_use (self, net);
  install_extra (self, extra);
  GST_OBJECT_LOCK (self);
  priv->frames = 0;
  priv->total_ms = priv->last_ms = priv->reported_latency_ms = 0;
  priv->recent_n = priv->recent_i = 0;
  priv->upstream_live = priv->live_checked = FALSE;
  priv->lag_cur = priv->lag_prev = G_MAXINT64;
  priv->lag_window_us = g_get_monotonic_time ();
  priv->dropped = 0;
  priv->last_run_us = 0;
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

static gboolean
gst_artem_base_filter_stop (GstBaseTransform *trans)
{
  GstArtemBaseFilter *self = GST_ARTEM_BASE_FILTER (trans);
  GstArtemBaseFilterPrivate *priv = PRIV (self);
  artem_loader_stop (priv->loader);   /* drops queued loads, waits for a running one */
  gpointer extra;
  ArtemNet *pending = take_pending (self, &extra);
  artem_net_free (pending);
  free_extra (self, extra);
  g_clear_pointer (&priv->net, artem_net_free);
  free_sized (priv);
  return TRUE;
}

static gboolean
gst_artem_base_filter_set_info (GstVideoFilter *filter, GstCaps *incaps, GstVideoInfo *in_info,
                                GstCaps *outcaps, GstVideoInfo *out_info)
{
  GstArtemBaseFilter *self = GST_ARTEM_BASE_FILTER (filter);
  GstArtemBaseFilterPrivate *priv = PRIV (self);
  priv->fmt = artem_gst_format (GST_VIDEO_INFO_FORMAT (in_info));
  if (priv->fmt == ARTEM_FORMAT_COUNT) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL), ("unsupported format %s",
                       gst_video_format_to_string (GST_VIDEO_INFO_FORMAT (in_info))));
    return FALSE;
  }
  free_sized (priv);   /* sized again for the new caps on the next frame */
  GST_OBJECT_LOCK (self);
  priv->history_reset = TRUE;   /* no stabilisation across a caps change */
  GST_OBJECT_UNLOCK (self);
  GST_DEBUG_OBJECT (self, "caps %" GST_PTR_FORMAT, incaps);
  return TRUE;
}

/* The network's size for frames of @info at @scale. */
static void
net_size_for (GstVideoInfo *info, gdouble scale, gint *nw, gint *nh)
{
  gint w = GST_VIDEO_INFO_WIDTH (info), h = GST_VIDEO_INFO_HEIGHT (info);
  *nw = MAX (1, (gint) (w * scale + 0.5));
  *nh = MAX (1, (gint) (h * scale + 0.5));
}

/* (Re)builds the frame-sized buffers and scalers for frames of @info and a network of
 * @nw x @nh.  Every scratch frame has its own GstVideoInfo (default strides), so a
 * frame with padded rows from upstream's video meta never writes past one of ours. */
static gboolean
build_buffers (GstArtemBaseFilter *self, GstVideoInfo *info, gint nw, gint nh)
{
  GstArtemBaseFilterPrivate *priv = PRIV (self);
  gint w = GST_VIDEO_INFO_WIDTH (info), h = GST_VIDEO_INFO_HEIGHT (info);
  g_clear_pointer (&priv->down, gst_video_converter_free);
  g_clear_pointer (&priv->up, gst_video_converter_free);
  gst_clear_buffer (&priv->small_in);
  gst_clear_buffer (&priv->small_out);
  gst_clear_buffer (&priv->styled);
  /* the frame as a picture: interlaced input is scaled as one progressive picture */
  gst_video_info_set_format (&priv->full_info, GST_VIDEO_INFO_FORMAT (info), w, h);
  GST_VIDEO_INFO_FPS_N (&priv->full_info) = GST_VIDEO_INFO_FPS_N (info);
  GST_VIDEO_INFO_FPS_D (&priv->full_info) = GST_VIDEO_INFO_FPS_D (info);
  GST_VIDEO_INFO_PAR_N (&priv->full_info) = GST_VIDEO_INFO_PAR_N (info);
  GST_VIDEO_INFO_PAR_D (&priv->full_info) = GST_VIDEO_INFO_PAR_D (info);
  priv->conv_info = priv->full_info;
  priv->styled = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&priv->full_info), NULL);
  if (nw != w || nh != h) {
    priv->small_info = priv->full_info;
    gst_video_info_set_format (&priv->small_info, GST_VIDEO_INFO_FORMAT (info), nw, nh);
    GST_VIDEO_INFO_FPS_N (&priv->small_info) = GST_VIDEO_INFO_FPS_N (info);
    GST_VIDEO_INFO_FPS_D (&priv->small_info) = GST_VIDEO_INFO_FPS_D (info);
    GstStructure *cfg = gst_structure_new ("artem-scaler",
        GST_VIDEO_CONVERTER_OPT_RESAMPLER_METHOD, GST_TYPE_VIDEO_RESAMPLER_METHOD,
        GST_VIDEO_RESAMPLER_METHOD_LINEAR,
        GST_VIDEO_CONVERTER_OPT_THREADS, G_TYPE_UINT, g_get_num_processors (), NULL);
    priv->down = gst_video_converter_new (&priv->conv_info, &priv->small_info,
                                          gst_structure_copy (cfg));
    priv->up = gst_video_converter_new (&priv->small_info, &priv->conv_info, cfg);
    priv->small_in = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&priv->small_info), NULL);
    priv->small_out = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&priv->small_info), NULL);
    if (!priv->down || !priv->up) {
      GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, ("Cannot scale %dx%d frames to %dx%d",
                         w, h, nw, nh), ("GstVideoConverter refused the conversion"));
      free_sized (priv);
      return FALSE;
    }
  }
  priv->frame_w = w;
  priv->frame_h = h;
  priv->net_w = nw;
  priv->net_h = nh;
  return TRUE;
}

/* Sizes the network and the scaling stages for this frame's inference size.  A size
 * the network cannot run at (the memory limit, the cost budget) while an earlier size
 * for the same frames worked keeps that size with a warning: the stream goes on. */
static gboolean
ensure_sized (GstArtemBaseFilter *self, GstVideoInfo *info, gdouble scale, gint margin)
{
  GstArtemBaseFilterPrivate *priv = PRIV (self);
  gint w = GST_VIDEO_INFO_WIDTH (info), h = GST_VIDEO_INFO_HEIGHT (info);
  gint nw, nh;
  net_size_for (info, scale, &nw, &nh);
  gboolean same_frames = priv->styled && w == priv->frame_w && h == priv->frame_h;
  gboolean same_margin = artem_net_get_frame_margin (priv->net) == margin;
  if (same_frames && same_margin && ((nw == priv->net_w && nh == priv->net_h) ||
                                     (nw == priv->refused_w && nh == priv->refused_h)))
    return TRUE;
  artem_net_set_frame_margin (priv->net, margin);
  GError *err = NULL;
  if (!artem_net_reshape_frame (priv->net, nw, nh, &err)) {
    if (!same_frames) {
      GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Could not size the network for %dx%d", nw, nh),
                         ("%s", err_text (err)));
      g_clear_error (&err);
      free_sized (priv);
      return FALSE;
    }
    GST_ELEMENT_WARNING (self, STREAM, FAILED, ("The network cannot run at %dx%d; it goes on "
                         "at %dx%d", nw, nh, priv->net_w, priv->net_h), ("%s", err_text (err)));
    g_clear_error (&err);
    if (!artem_net_reshape_frame (priv->net, priv->net_w, priv->net_h, &err)) {
      GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Could not size the network for %dx%d",
                         priv->net_w, priv->net_h), ("%s", err_text (err)));
      g_clear_error (&err);
      free_sized (priv);
      return FALSE;
    }
    priv->refused_w = nw;
    priv->refused_h = nh;
    return TRUE;
  }
  /* device=auto on a machine with a GPU: the engine ran this model on the CPU because the
   * CUDA backend cannot (an operator without a CUDA kernel, GPU memory): say so once */
  GST_OBJECT_LOCK (self);
  gboolean warn = priv->device == GST_ARTEM_DEVICE_AUTO && !priv->warned_fallback &&
                  artem_net_get_backend (priv->net) == ARTEM_BACKEND_CPU &&
                  artem_backend_available (ARTEM_BACKEND_CUDA);
  if (warn)
    priv->warned_fallback = TRUE;
  GST_OBJECT_UNLOCK (self);
  if (warn)
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS, ("This model runs on the CPU"),
                         ("device=auto: the CUDA backend cannot run it at %dx%d (the reason is "
                          "in the log)", nw, nh));
  if (!build_buffers (self, info, nw, nh))
    return FALSE;
  priv->refused_w = priv->refused_h = 0;
  GST_DEBUG_OBJECT (self, "network sized for %dx%d (frames %dx%d, alignment %d, %" G_GSIZE_FORMAT
                    " bytes)", nw, nh, w, h, artem_net_get_frame_alignment (priv->net),
                    artem_net_get_memory_bytes (priv->net));
  return TRUE;
}

/* A network loaded in the background replaces the current one only once it is sized
 * for the current frames; one that cannot be is dropped with a warning and the current
 * one goes on serving. */
static void
swap_in_pending (GstArtemBaseFilter *self, GstVideoInfo *info, gdouble scale, gint margin)
{
  GstArtemBaseFilterPrivate *priv = PRIV (self);
  gpointer extra;
  ArtemNet *pending = take_pending (self, &extra);
  if (!pending)
    return;
  gint nw, nh;
  net_size_for (info, scale, &nw, &nh);
  GError *err = NULL;
  artem_net_set_frame_margin (pending, margin);
  if (!artem_net_reshape_frame (pending, nw, nh, &err)) {
    GST_ELEMENT_WARNING (self, STREAM, FAILED, ("The new model cannot run at %dx%d; keeping "
                         "the current one", nw, nh), ("%s", err_text (err)));
    g_clear_error (&err);
    artem_net_free (pending);
    free_extra (self, extra);
    return;
  }
  artem_net_free (priv->net);
  priv->net = pending;
  set_in_use (self, pending);
  install_extra (self, extra);
  gint w = GST_VIDEO_INFO_WIDTH (info), h = GST_VIDEO_INFO_HEIGHT (info);
  if (!(priv->styled && w == priv->frame_w && h == priv->frame_h && nw == priv->net_w &&
        nh == priv->net_h))
    build_buffers (self, info, nw, nh);   /* on failure ensure_sized sizes again */
  priv->refused_w = priv->refused_h = 0;
  GST_INFO_OBJECT (self, "switched to the new model");
}

/* A frame from a live source that waited in a backlog is skipped instead of run:
 * otherwise, when the source outpaces the network, frames queue up upstream and the delay
 * grows without bound (also into sync=false sinks, which send no QoS events).  A frame's
 * lag is how long after its running time it reaches us; a source delivers fresh frames
 * with a steady lag of its own (a camera: almost none; a live basesrc that waits for the
 * pipeline latency: that latency), so the smallest lag of the last few seconds is the
 * baseline, and a frame lagging more than the slack behind it comes from a backlog.
 * Never for longer than MAX_SKIP_US in a row, and only with the qos property on (the
 * default) and a live upstream: a file is never dropped from. */
static gboolean
too_late (GstArtemBaseFilter *self, GstBuffer *buf)
{
  GstArtemBaseFilterPrivate *priv = PRIV (self);
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  if (!gst_base_transform_is_qos_enabled (trans) || GST_STATE (self) != GST_STATE_PLAYING)
    return FALSE;
  if (!priv->live_checked) {
    /* a sink with sync=false does not ask for the latency: ask upstream ourselves */
    GstQuery *q = gst_query_new_latency ();
    gboolean live = FALSE;
    if (gst_pad_peer_query (GST_BASE_TRANSFORM_SINK_PAD (trans), q))
      gst_query_parse_latency (q, &live, NULL, NULL);
    gst_query_unref (q);
    GST_OBJECT_LOCK (self);
    priv->upstream_live = live;
    priv->live_checked = TRUE;
    GST_OBJECT_UNLOCK (self);
  }
  GST_OBJECT_LOCK (self);
  gboolean live = priv->upstream_live;
  GstClock *clock = GST_ELEMENT_CLOCK (self) ? gst_object_ref (GST_ELEMENT_CLOCK (self)) : NULL;
  GstClockTime base = GST_ELEMENT_CAST (self)->base_time;
  gdouble expect_ms = priv->last_ms;
  GST_OBJECT_UNLOCK (self);
  gboolean late = FALSE;
  GstClockTime rt = gst_segment_to_running_time (&trans->segment, GST_FORMAT_TIME,
                                                 GST_BUFFER_PTS (buf));
  if (live && clock && GST_CLOCK_TIME_IS_VALID (rt)) {
    GstClockTime now = gst_clock_get_time (clock);
    GstClockTimeDiff lag = GST_CLOCK_DIFF (base + rt, now);
    gint64 mono = g_get_monotonic_time ();
    /* the baseline: the smallest lag over this and the previous 2-second window */
    if (mono - priv->lag_window_us > 2 * G_USEC_PER_SEC) {
      priv->lag_prev = priv->lag_cur;
      priv->lag_cur = G_MAXINT64;
      priv->lag_window_us = mono;
    }
    priv->lag_cur = MIN (priv->lag_cur, lag);
    GstClockTimeDiff baseline = MIN (priv->lag_cur, priv->lag_prev);
    /* tolerated: what video sinks tolerate (max-lateness 20 ms), or one frame's work */
    GstClockTimeDiff slack = MAX (20 * GST_MSECOND, (GstClockTimeDiff) (expect_ms * GST_MSECOND));
    GstClockTimeDiff behind = lag - baseline;
    late = behind > slack && mono - priv->last_run_us < MAX_SKIP_US;
    if (late) {
      GST_OBJECT_LOCK (self);
      priv->dropped++;
      guint64 processed = priv->frames, dropped = priv->dropped;
      GST_OBJECT_UNLOCK (self);
      GstMessage *qos = gst_message_new_qos (GST_OBJECT (self), TRUE, rt,
          gst_segment_to_stream_time (&trans->segment, GST_FORMAT_TIME, GST_BUFFER_PTS (buf)),
          GST_BUFFER_PTS (buf), GST_BUFFER_DURATION (buf));
      gst_message_set_qos_values (qos, behind, 1.0, 1000000);
      gst_message_set_qos_stats (qos, GST_FORMAT_BUFFERS, processed, dropped);
      gst_element_post_message (GST_ELEMENT (self), qos);
      GST_DEBUG_OBJECT (self, "frame %" GST_TIME_FORMAT " waited %" GST_STIME_FORMAT
                        " longer than fresh ones: skipped", GST_TIME_ARGS (rt),
                        GST_STIME_ARGS (behind));
    }
  }
  if (!late)
    priv->last_run_us = g_get_monotonic_time ();
  if (clock)
    gst_object_unref (clock);
  return late;
}

/* What a frame needs of the properties, read at once under the object lock. */
typedef struct {
  gdouble strength, scale, stabilize, glow_guard;
  gint margin, motion_search;
  gboolean reset, preserve;
} FrameSettings;

static FrameSettings
read_settings (GstArtemBaseFilter *self, GstVideoFrame *in)
{
  GstArtemBaseFilterPrivate *priv = PRIV (self);
  FrameSettings fs;
  GST_OBJECT_LOCK (self);
  fs.strength = priv->strength;
  fs.scale = priv->inference_scale;
  fs.stabilize = priv->stabilize;
  fs.glow_guard = priv->glow_guard;
  fs.motion_search = priv->motion_search;
  fs.margin = priv->margin >= 0 ? priv->margin
                                : GST_ARTEM_BASE_FILTER_GET_CLASS (self)->auto_margin;
  fs.reset = priv->history_reset || GST_BUFFER_FLAG_IS_SET (in->buffer, GST_BUFFER_FLAG_DISCONT);
  fs.preserve = priv->preserve_colors &&
                !GST_ARTEM_BASE_FILTER_GET_CLASS (self)->own_preserve_colors;
  GST_OBJECT_UNLOCK (self);
  return fs;
}

/* Where a frame goes: scaled (through the small frames and GstVideoConverter), blended
 * by the engine (where the pixels are: on the GPU with CUDA), and direct (the network
 * writes the output frame itself; else it writes priv->styled and compose () blends). */
typedef struct {
  gboolean scaled, engine_blend, direct;
} FramePath;

static FramePath
choose_path (const FrameSettings *fs, gboolean scaled)
{
  FramePath p;
  p.scaled = scaled;
  p.engine_blend = !fs->preserve && !scaled && fs->strength < 1.0;
  p.direct = (fs->strength >= 1.0 && !fs->preserve) || p.engine_blend;
  return p;
}

/* the network on one frame along @p: the small frames and priv->styled mapped, scaled
 * down and up, and blended as the path says */
static gboolean
run_frame (GstArtemBaseFilter *self, GstVideoFrame *in, GstVideoFrame *out,
           const FrameSettings *fs, const FramePath *p)
{
  GstArtemBaseFilterPrivate *priv = PRIV (self);
  GstVideoFrame small_in, small_out, styled;
  gboolean m_styled = FALSE, m_in = FALSE, m_out = FALSE, ok = FALSE;
  GstVideoFrame *net_src = in, *net_dst = p->direct ? out : &styled;
  if (!p->direct &&
      !(m_styled = gst_video_frame_map (&styled, &priv->full_info, priv->styled,
                                        GST_MAP_READWRITE)))
    goto done;
  if (p->scaled) {
    if (!(m_in = gst_video_frame_map (&small_in, &priv->small_info, priv->small_in,
                                      GST_MAP_READWRITE)) ||
        !(m_out = gst_video_frame_map (&small_out, &priv->small_info, priv->small_out,
                                       GST_MAP_READWRITE)))
      goto done;
    gst_video_converter_frame (priv->down, in, &small_in);
    net_src = &small_in;
    net_dst = &small_out;
  }
  GError *err = NULL;
  if (!artem_net_process_frame (priv->net, GST_VIDEO_FRAME_PLANE_DATA (net_src, 0),
                                GST_VIDEO_FRAME_PLANE_STRIDE (net_src, 0),
                                GST_VIDEO_FRAME_PLANE_DATA (net_dst, 0),
                                GST_VIDEO_FRAME_PLANE_STRIDE (net_dst, 0), priv->fmt, &err)) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Inference failed"), ("%s", err_text (err)));
    g_clear_error (&err);
    goto done;
  }
  if (p->scaled)
    gst_video_converter_frame (priv->up, &small_out, p->direct ? out : &styled);
  if (p->scaled && p->direct && GST_VIDEO_INFO_HAS_ALPHA (&in->info))
    artem_compose (in, out, out, 1.0f, FALSE, priv->fmt);   /* alpha from the input */
  if (!p->direct)
    artem_compose (in, &styled, out, (gfloat) fs->strength, fs->preserve, priv->fmt);
  ok = TRUE;
done:
  if (m_in)
    gst_video_frame_unmap (&small_in);
  if (m_out)
    gst_video_frame_unmap (&small_out);
  if (m_styled)
    gst_video_frame_unmap (&styled);
  return ok;
}

/* the statistics, and the latency a live pipeline needs: a syncing sink drops every frame
 * that takes longer than the latency reported, so report the worst recent frame (with a
 * margin), not the average; a slower frame raises it at once, and it comes down only once
 * the window has forgotten it */
static void
account_frame (GstArtemBaseFilter *self, GstVideoFrame *in, gdouble ms)
{
  GstArtemBaseFilterPrivate *priv = PRIV (self);
  gboolean post_latency = FALSE;
  GST_OBJECT_LOCK (self);
  priv->frames++;
  priv->last_ms = ms;
  priv->total_ms += ms;
  gdouble avg = priv->total_ms / priv->frames;
  priv->recent_ms[priv->recent_i] = ms;
  priv->recent_i = (priv->recent_i + 1) % LATENCY_WINDOW;
  priv->recent_n = MIN (priv->recent_n + 1, LATENCY_WINDOW);
  gdouble worst = 0;
  for (guint i = 0; i < priv->recent_n; i++)
    worst = MAX (worst, priv->recent_ms[i]);
  worst *= LATENCY_MARGIN;
  if (worst > priv->reported_latency_ms || worst < priv->reported_latency_ms * 0.6) {
    priv->reported_latency_ms = worst;
    post_latency = TRUE;
  }
  GST_OBJECT_UNLOCK (self);
  GstDebugCategory *cat = GST_ARTEM_BASE_FILTER_GET_CLASS (self)->debug_category;
  GST_CAT_LOG_OBJECT (cat ? cat : GST_CAT_DEFAULT, self,
                  "frame %dx%d (network %dx%d) in %.2f ms, average %.2f ms",
                  GST_VIDEO_FRAME_WIDTH (in), GST_VIDEO_FRAME_HEIGHT (in), priv->net_w,
                  priv->net_h, ms, avg);
  if (post_latency)
    gst_element_post_message (GST_ELEMENT (self), gst_message_new_latency (GST_OBJECT (self)));
}

static GstFlowReturn
gst_artem_base_filter_transform_frame (GstVideoFilter *filter, GstVideoFrame *in,
                                       GstVideoFrame *out)
{
  GstArtemBaseFilter *self = GST_ARTEM_BASE_FILTER (filter);
  GstArtemBaseFilterPrivate *priv = PRIV (self);
  FrameSettings fs = read_settings (self, in);
  swap_in_pending (self, &in->info, fs.scale, fs.margin);
  if (too_late (self, in->buffer))
    return GST_BASE_TRANSFORM_FLOW_DROPPED;
  if (fs.strength <= 0.0) {   /* set between before_transform and here: the next is passthrough */
    gst_video_frame_copy (out, in);
    return GST_FLOW_OK;
  }
  gint64 t0 = g_get_monotonic_time ();
  if (!ensure_sized (self, &in->info, fs.scale, fs.margin))
    return GST_FLOW_ERROR;
  if (GST_ARTEM_BASE_FILTER_GET_CLASS (self)->prepare_net)
    GST_ARTEM_BASE_FILTER_GET_CLASS (self)->prepare_net (self, priv->net, in);
  FramePath p = choose_path (&fs, priv->down != NULL);
  artem_net_set_frame_strength (priv->net, p.engine_blend ? (float) fs.strength : 1.f);
  artem_net_set_frame_stabilize (priv->net, (float) fs.stabilize);
  artem_net_set_frame_glow_guard (priv->net, (float) fs.glow_guard);
  artem_net_set_frame_motion_search (priv->net, fs.motion_search);
  if (fs.reset) {
    artem_net_reset_frame_history (priv->net);
    GST_OBJECT_LOCK (self);
    priv->history_reset = FALSE;
    GST_OBJECT_UNLOCK (self);
  }
  if (!run_frame (self, in, out, &fs, &p))
    return GST_FLOW_ERROR;
  account_frame (self, in, (g_get_monotonic_time () - t0) / 1000.0);
  return GST_FLOW_OK;
}

static void
gst_artem_base_filter_before_transform (GstBaseTransform *trans, GstBuffer *buf)
{
  GstClockTime ts = gst_segment_to_stream_time (&trans->segment, GST_FORMAT_TIME,
                                                GST_BUFFER_TIMESTAMP (buf));
  if (GST_CLOCK_TIME_IS_VALID (ts))
    gst_object_sync_values (GST_OBJECT (trans), ts);
  /* strength 0 (set, or animated by a controller): GstBaseTransform's passthrough pushes
   * the input buffer itself, with no copy and no transform_frame */
  GstArtemBaseFilter *self = GST_ARTEM_BASE_FILTER (trans);
  GST_OBJECT_LOCK (self);
  gboolean pass = PRIV (self)->strength <= 0.0;
  GST_OBJECT_UNLOCK (self);
  if (pass != gst_base_transform_is_passthrough (trans)) {
    GST_DEBUG_OBJECT (self, "strength %s 0: passthrough %s", pass ? "at" : "above",
                      pass ? "on" : "off");
    if (!pass) {
      GST_OBJECT_LOCK (self);
      PRIV (self)->history_reset = TRUE;   /* the stabilisation history is stale */
      GST_OBJECT_UNLOCK (self);
    }
    gst_base_transform_set_passthrough (trans, pass);
  }
}

static gboolean
gst_artem_base_filter_sink_event (GstBaseTransform *trans, GstEvent *event)
{
  if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP) {
    GST_OBJECT_LOCK (trans);
    PRIV (GST_ARTEM_BASE_FILTER (trans))->history_reset = TRUE;   /* a seek: the next frame is not the last's */
    GST_OBJECT_UNLOCK (trans);
  }
  return GST_BASE_TRANSFORM_CLASS (gst_artem_base_filter_parent_class)->sink_event (trans, event);
}

static gboolean
gst_artem_base_filter_query (GstBaseTransform *trans, GstPadDirection dir, GstQuery *query)
{
  GstArtemBaseFilter *self = GST_ARTEM_BASE_FILTER (trans);
  if (GST_QUERY_TYPE (query) == GST_QUERY_LATENCY && dir == GST_PAD_SRC) {
    if (!GST_BASE_TRANSFORM_CLASS (gst_artem_base_filter_parent_class)->query (trans, dir, query))
      return FALSE;
    gboolean live;
    GstClockTime min, max;
    gst_query_parse_latency (query, &live, &min, &max);
    GST_OBJECT_LOCK (self);
    PRIV (self)->upstream_live = live;
    PRIV (self)->live_checked = TRUE;
    GstClockTime ours = (GstClockTime) (PRIV (self)->reported_latency_ms * GST_MSECOND);
    GST_OBJECT_UNLOCK (self);
    min += ours;
    if (GST_CLOCK_TIME_IS_VALID (max))
      max += ours;
    GST_DEBUG_OBJECT (self, "latency: ours %" GST_TIME_FORMAT ", total min %" GST_TIME_FORMAT,
                      GST_TIME_ARGS (ours), GST_TIME_ARGS (min));
    gst_query_set_latency (query, live, min, max);
    return TRUE;
  }
  return GST_BASE_TRANSFORM_CLASS (gst_artem_base_filter_parent_class)->query (trans, dir, query);
}

static void
gst_artem_base_filter_set_property (GObject *object, guint prop_id, const GValue *value,
                                    GParamSpec *pspec)
{
  GstArtemBaseFilter *self = GST_ARTEM_BASE_FILTER (object);
  GstArtemBaseFilterPrivate *priv = PRIV (self);
  gboolean reload = FALSE;
  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_DEVICE: {
      GstArtemDevice d = g_value_get_enum (value);
      reload = d != priv->device;
      priv->device = d;
      break;
    }
    case PROP_PRECISION: {
      GstArtemPrecision p = g_value_get_enum (value);
      reload = p != priv->precision;
      priv->precision = p;
      break;
    }
    case PROP_STRENGTH: priv->strength = g_value_get_double (value); break;
    case PROP_INFERENCE_SCALE: priv->inference_scale = g_value_get_double (value); break;
    case PROP_PRESERVE_COLORS: priv->preserve_colors = g_value_get_boolean (value); break;
    case PROP_STABILIZE: priv->stabilize = g_value_get_double (value); break;
    case PROP_GLOW_GUARD: priv->glow_guard = g_value_get_double (value); break;
    case PROP_MOTION_SEARCH: priv->motion_search = g_value_get_int (value); break;
    case PROP_MARGIN: priv->margin = g_value_get_int (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec); break;
  }
  GST_OBJECT_UNLOCK (self);
  if (reload)
    gst_artem_base_filter_reload (self);
}

static void
gst_artem_base_filter_get_property (GObject *object, guint prop_id, GValue *value,
                                    GParamSpec *pspec)
{
  GstArtemBaseFilter *self = GST_ARTEM_BASE_FILTER (object);
  GstArtemBaseFilterPrivate *priv = PRIV (self);
  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_DEVICE: g_value_set_enum (value, priv->device); break;
    case PROP_PRECISION: g_value_set_enum (value, priv->precision); break;
    case PROP_STRENGTH: g_value_set_double (value, priv->strength); break;
    case PROP_INFERENCE_SCALE: g_value_set_double (value, priv->inference_scale); break;
    case PROP_PRESERVE_COLORS: g_value_set_boolean (value, priv->preserve_colors); break;
    case PROP_STABILIZE: g_value_set_double (value, priv->stabilize); break;
    case PROP_GLOW_GUARD: g_value_set_double (value, priv->glow_guard); break;
    case PROP_MOTION_SEARCH: g_value_set_int (value, priv->motion_search); break;
    case PROP_MARGIN: g_value_set_int (value, priv->margin); break;
    case PROP_FRAMES_PROCESSED: g_value_set_uint64 (value, priv->frames); break;
    case PROP_TIME_AVERAGE:
      g_value_set_double (value, priv->frames ? priv->total_ms / priv->frames : 0.0);
      break;
    case PROP_TIME_LAST: g_value_set_double (value, priv->last_ms); break;
    case PROP_MODEL_IN_USE: g_value_set_string (value, priv->in_use); break;
    case PROP_FRAMES_DROPPED: g_value_set_uint64 (value, priv->dropped); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec); break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_artem_base_filter_finalize (GObject *object)
{
  GstArtemBaseFilter *self = GST_ARTEM_BASE_FILTER (object);
  GstArtemBaseFilterPrivate *priv = PRIV (self);
  artem_loader_free (priv->loader);
  artem_net_free (priv->pending);
  free_extra (self, priv->pending_extra);
  artem_net_free (priv->net);
  free_sized (priv);
  g_free (priv->in_use);
  G_OBJECT_CLASS (gst_artem_base_filter_parent_class)->finalize (object);
}

static void
gst_artem_base_filter_class_init (GstArtemBaseFilterClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *vfilter_class = GST_VIDEO_FILTER_CLASS (klass);
  klass->auto_margin = DEFAULT_AUTO_MARGIN;   /* subclasses' class_init may change it */

  gobject_class->set_property = gst_artem_base_filter_set_property;
  gobject_class->get_property = gst_artem_base_filter_get_property;
  gobject_class->finalize = gst_artem_base_filter_finalize;

  /* The property table every artem element shares. */
  g_object_class_install_property (gobject_class, PROP_DEVICE,
      g_param_spec_enum ("device", "Device",
          "Where the network runs: auto (CUDA when available, else CPU with one warning), "
          "cpu, or cuda (an error when unavailable)", GST_TYPE_ARTEM_DEVICE, DEFAULT_DEVICE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_PRECISION,
      g_param_spec_enum ("precision", "Precision",
          "Storage type of activations and weights (accumulation is fp32): auto (fp16 on "
          "GPUs with tensor cores, bf16 on CPUs with AVX512-BF16 or AMX, else fp32), fp32, "
          "fp16 (GPU) or bf16 (CPU)", GST_TYPE_ARTEM_PRECISION,
          GST_ARTEM_PRECISION_AUTO,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_STRENGTH,
      g_param_spec_double ("strength", "Strength",
          "Blend of the stylized and the original frame: 0 passes the input through, 1 is "
          "fully stylized", 0.0, 1.0, DEFAULT_STRENGTH,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_CONTROLLABLE |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_INFERENCE_SCALE,
      g_param_spec_double ("inference-scale", "Inference scale",
          "Run the network at this fraction of the frame size and scale the result back "
          "(the main speed knob at high resolutions)", 0.05, 1.0, DEFAULT_INFERENCE_SCALE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_CONTROLLABLE |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_PRESERVE_COLORS,
      g_param_spec_boolean ("preserve-colors", "Preserve colors",
          "Keep the original colours and take only the stylized luminance",
          DEFAULT_PRESERVE_COLORS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_STABILIZE,
      g_param_spec_double ("stabilize", "Temporal stabilisation",
          "How much of its previous output a pixel keeps where its input did not change "
          "(within about 6 levels of the input that output came from, averaged over 3x3 "
          "pixels): 1 keeps it, so a still scene stays still; 0 styles every frame on its "
          "own. Pixels whose input moved (30 levels or more) are always styled afresh. "
          "The first frame, and the first after a caps change, a seek or a new model or "
          "style, is styled as it is",
          0.0, 1.0, DEFAULT_STABILIZE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_CONTROLLABLE |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_GLOW_GUARD,
      g_param_spec_double ("glow-guard", "Glow guard",
          "With stabilize: also style afresh the still pixels whose fresh output is, over "
          "5x5 pixels, on average 8 to 24 or more levels brighter or darker than the held "
          "one (1: fully, 0: off), so a glow or halo a network paints around a moving "
          "object leaves no trail behind it. Off by default: on real video it also "
          "refreshes where the network's own output drifts in broad patches, which adds "
          "flicker (doc/models.md)",
          0.0, 1.0, DEFAULT_GLOW_GUARD,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_CONTROLLABLE |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_MOTION_SEARCH,
      g_param_spec_int ("motion-search", "Motion search",
          "With stabilize: follow the scene's motion up to this many pixels a frame (0: "
          "off). The held output moves with the scene, block by block (16x16 pixels), "
          "before the rule of stabilize, so a pan or a moving figure keeps its painted "
          "texture instead of being styled afresh every frame; a block whose moved "
          "history does not match its new input is styled afresh as before",
          0, 16, DEFAULT_MOTION_SEARCH,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_CONTROLLABLE |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_MARGIN,
      g_param_spec_int ("margin", "Mirrored margin",
          "Pixels of the picture mirrored around it on every side before the network and "
          "cropped off after, so that the frame or border band a network draws at its "
          "input's edge falls outside the picture (0: off; costs (w + 2m)(h + 2m) / wh "
          "more work, 1.2x at 384x288 with 16). -1: the element's choice, 16 for "
          "artemstylize and artemxnorconv, 0 for artemadain (AdaIN networks draw no frame, "
          "and the mirrored content shifts their feature statistics near the edge)",
          -1, 256, DEFAULT_MARGIN,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_FRAMES_PROCESSED,
      g_param_spec_uint64 ("frames-processed", "Frames processed",
          "Frames run through the network since the element started", 0, G_MAXUINT64, 0,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_TIME_AVERAGE,
      g_param_spec_double ("processing-time-average", "Average processing time",
          "Average processing time per frame in milliseconds", 0, G_MAXDOUBLE, 0,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_TIME_LAST,
      g_param_spec_double ("processing-time-last", "Last processing time",
          "Processing time of the last frame in milliseconds", 0, G_MAXDOUBLE, 0,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_FRAMES_DROPPED,
      g_param_spec_uint64 ("frames-dropped", "Frames dropped",
          "Frames from a live source skipped because they could no longer be on time "
          "(the source outpaces the network; qos=false turns this off)", 0, G_MAXUINT64, 0,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (gobject_class, PROP_MODEL_IN_USE,
      g_param_spec_string ("model-in-use", "Model in use",
          "The file of the network that serves (or last served) frames. After a failed "
          "or pending model change this is still the old one", NULL,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  GstCaps *caps = artem_gst_caps ();   /* the formats of artemcolor.c's table */
  gst_element_class_add_pad_template (GST_ELEMENT_CLASS (klass),
      gst_pad_template_new ("sink", GST_PAD_SINK, GST_PAD_ALWAYS, caps));
  gst_element_class_add_pad_template (GST_ELEMENT_CLASS (klass),
      gst_pad_template_new ("src", GST_PAD_SRC, GST_PAD_ALWAYS, caps));
  gst_caps_unref (caps);

  trans_class->start = GST_DEBUG_FUNCPTR (gst_artem_base_filter_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_artem_base_filter_stop);
  trans_class->before_transform = GST_DEBUG_FUNCPTR (gst_artem_base_filter_before_transform);
  trans_class->query = GST_DEBUG_FUNCPTR (gst_artem_base_filter_query);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_artem_base_filter_sink_event);
  trans_class->passthrough_on_same_caps = FALSE;
  vfilter_class->set_info = GST_DEBUG_FUNCPTR (gst_artem_base_filter_set_info);
  vfilter_class->transform_frame = GST_DEBUG_FUNCPTR (gst_artem_base_filter_transform_frame);

  gst_type_mark_as_plugin_api (GST_TYPE_ARTEM_BASE_FILTER, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_ARTEM_DEVICE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_ARTEM_PRECISION, 0);
}

static void
gst_artem_base_filter_init (GstArtemBaseFilter *self)
{
  GstArtemBaseFilterPrivate *priv = PRIV (self);
  priv->device = DEFAULT_DEVICE;
  priv->strength = DEFAULT_STRENGTH;
  priv->inference_scale = DEFAULT_INFERENCE_SCALE;
  priv->preserve_colors = DEFAULT_PRESERVE_COLORS;
  priv->stabilize = DEFAULT_STABILIZE;
  priv->glow_guard = DEFAULT_GLOW_GUARD;
  priv->motion_search = DEFAULT_MOTION_SEARCH;
  priv->margin = DEFAULT_MARGIN;
  priv->loader = artem_loader_new (loader_func, self);
  gst_base_transform_set_qos_enabled (GST_BASE_TRANSFORM (self), TRUE);
}
