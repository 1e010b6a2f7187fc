/* artemstyleimage.h — style pictures for artemadain, decoded by GStreamer itself. */
#ifndef ARTEM_STYLE_IMAGE_H
#define ARTEM_STYLE_IMAGE_H
#include <gst/gst.h>

G_BEGIN_DECLS

/* The most pixels a style picture may have (64 MP, 8192 x 8192); $ARTEM_STYLE_MAX_PIXELS
 * changes it.  A PNG or JPEG beyond it is refused from its header, before decoding. */
#define ARTEM_STYLE_MAX_PIXELS ((gint64) 8192 * 8192)
gint64 artem_style_image_max_pixels (void);

/* Decodes the picture at @path (JPEG, PNG, anything decodebin takes) into a sample of
 * raw video (first frame).  Errors name the path. */
GstSample *artem_style_image_decode (const char *path, GError **error);

/* Converts a raw-video sample (any format) to packed RGB, its longer side scaled down to
 * at most @max_side (never up).  Returns g_malloc'd pixels (stride = 3 * width). */
guint8 *artem_style_image_to_rgb (GstSample *sample, int max_side, int *width, int *height,
                                  GError **error);

G_END_DECLS
#endif
