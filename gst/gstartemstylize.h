/* gstartemstylize.h — artemstylize: a feed-forward style network on every frame. */
#ifndef GST_ARTEM_STYLIZE_H
#define GST_ARTEM_STYLIZE_H

#include "gstartembasefilter.h"

G_BEGIN_DECLS

#define GST_TYPE_ARTEM_STYLIZE (gst_artem_stylize_get_type ())
G_DECLARE_DERIVABLE_TYPE (GstArtemStylize, gst_artem_stylize, GST, ARTEM_STYLIZE, GstArtemBaseFilter)

/* Derivable: artemxnorconv is artemstylize with binarized convolutions. */
struct _GstArtemStylizeClass {
  GstArtemBaseFilterClass parent_class;
  gpointer padding[4];
};

GST_ELEMENT_REGISTER_DECLARE (artemstylize);

G_END_DECLS

#endif
