/* gstartemadain.h — artemadain: arbitrary style transfer (AdaIN) from any picture. */
#ifndef GST_ARTEM_ADAIN_H
#define GST_ARTEM_ADAIN_H

#include "gstartembasefilter.h"

G_BEGIN_DECLS

#define GST_TYPE_ARTEM_ADAIN (gst_artem_adain_get_type ())
G_DECLARE_FINAL_TYPE (GstArtemAdain, gst_artem_adain, GST, ARTEM_ADAIN, GstArtemBaseFilter)

GST_ELEMENT_REGISTER_DECLARE (artemadain);

G_END_DECLS

#endif
