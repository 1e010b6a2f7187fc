/* gstartembasefilter.h — the base class of artem's elements: a GstVideoFilter that runs
 * an ArtemNet on every frame, with the controls every element shares (device, strength,
 * inference-scale, preserve-colors, statistics) and model loading off the streaming
 * thread. */
#ifndef GST_ARTEM_BASE_FILTER_H
#define GST_ARTEM_BASE_FILTER_H

#include <artem.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <gst/video/gstvideofilter.h>

G_BEGIN_DECLS

typedef enum {
  GST_ARTEM_DEVICE_AUTO,
  GST_ARTEM_DEVICE_CPU,
  GST_ARTEM_DEVICE_CUDA
} GstArtemDevice;

#define GST_TYPE_ARTEM_DEVICE (gst_artem_device_get_type ())
GType gst_artem_device_get_type (void);

/* GstArtemPrecision: the GPU's storage type (ArtemPrecision). */
typedef enum {
  GST_ARTEM_PRECISION_AUTO,
  GST_ARTEM_PRECISION_FP32,
  GST_ARTEM_PRECISION_FP16,
  GST_ARTEM_PRECISION_BF16
} GstArtemPrecision;

#define GST_TYPE_ARTEM_PRECISION (gst_artem_precision_get_type ())
GType gst_artem_precision_get_type (void);

/* where the shipped models are installed (meson sets it; $ARTEM_MODELDIR overrides it at
 * run time, gst_artem_default_model_path) */
#ifndef ARTEM_MODELDIR
#define ARTEM_MODELDIR "/usr/local/share/artem/models"
#endif

#define GST_TYPE_ARTEM_BASE_FILTER (gst_artem_base_filter_get_type ())
G_DECLARE_DERIVABLE_TYPE (GstArtemBaseFilter, gst_artem_base_filter, GST, ARTEM_BASE_FILTER,
                          GstVideoFilter)

struct _GstArtemBaseFilterClass {
  GstVideoFilterClass parent_class;

  /* Loads the network as the element is configured now.  Called at start (streaming
   * thread) and from the loader thread after a setting changed; may block.  Returns
   * NULL and sets @error (naming the file) on failure. */
  ArtemNet *(*load_net) (GstArtemBaseFilter *self, ArtemBackendKind backend, GError **error);

  /* Optional: called in the streaming thread before every frame with the network about
   * to run (e.g. to write the current style statistics and alpha into it). */
  void (*prepare_net) (GstArtemBaseFilter *self, ArtemNet *net, GstVideoFrame *in);

  /* TRUE when the subclass implements preserve-colors itself (artemadain: the AdaIN
   * paper's colour-matched style) instead of the base's luminance-only transfer. */
  gboolean own_preserve_colors;

  /* the margin (pixels mirrored around the frame) the property's -1 stands for */
  gint auto_margin;

  /* The element's own debug category: per-frame timings are logged there at LOG level
   * (GST_DEBUG=artemstylize:6). */
  GstDebugCategory *debug_category;

  /* Optional, instead of load_net: also returns in @extra what must be installed with
   * this network (artemadain: its encoder and style statistics).  The base calls
   * install_extra on the streaming thread when the network becomes the one in use (at
   * start, or when a reload is swapped in), and free_extra when it is dropped unused
   * (superseded, or not sizable for the current frames). */
  ArtemNet *(*load_net_full) (GstArtemBaseFilter *self, ArtemBackendKind backend,
                              gpointer *extra, GError **error);
  void (*install_extra) (GstArtemBaseFilter *self, gpointer extra);
  void (*free_extra) (gpointer extra);

  gpointer padding[1];
};

/* Asks for a new network in the background (after a model setting changed while
 * running); the current one keeps serving until the new one is ready.  Does nothing
 * before start. */
void gst_artem_base_filter_reload (GstArtemBaseFilter *self);

/* The path of a default model @file: in $ARTEM_MODELDIR when that is set (a source
 * tree's models/default), else in the folder the plugin installs its models to. */
gchar *gst_artem_default_model_path (const gchar *file);

/* The preserve-colors setting (takes the object lock). */
gboolean gst_artem_base_filter_get_preserve_colors (GstArtemBaseFilter *self);

G_END_DECLS

#endif
