/* gstartemxnorconv.h — artemxnorconv: a style network with XNOR-Net binarized convolutions. */
#ifndef GST_ARTEM_XNORCONV_H
#define GST_ARTEM_XNORCONV_H

#include "gstartemstylize.h"

G_BEGIN_DECLS

#define GST_TYPE_ARTEM_XNORCONV (gst_artem_xnorconv_get_type ())
G_DECLARE_FINAL_TYPE (GstArtemXnorconv, gst_artem_xnorconv, GST, ARTEM_XNORCONV, GstArtemStylize)

GST_ELEMENT_REGISTER_DECLARE (artemxnorconv);

G_END_DECLS

#endif
