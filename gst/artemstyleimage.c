/* artemstyleimage.c — decoding style pictures with a small GStreamer pipeline
 * (filesrc ! decodebin ! videoconvert ! fakesink, the preroll sample) and scaling them
 * with GstVideoConverter: no hand-written image decoder. */
#include "artemstyleimage.h"
#include <gst/video/video.h>
#include <stdio.h>
#include <string.h>

gint64
artem_style_image_max_pixels (void)
{
  const char *e = g_getenv ("ARTEM_STYLE_MAX_PIXELS");
  gint64 v = e ? g_ascii_strtoll (e, NULL, 10) : 0;
  return v > 0 ? v : ARTEM_STYLE_MAX_PIXELS;
}

/* big-endian reads byte by byte: GST_READ_UINT16_BE loads through a misaligned pointer
 * (UBSan reports it) */
static guint
be16 (const guint8 *p)
{
  return (guint) p[0] << 8 | p[1];
}

static guint32
be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

/* The size a PNG or JPEG file declares in its header (before anything is decoded);
 * FALSE for other formats or a header that does not parse (the decoder then decides). */
static gboolean
header_size (const char *path, gint64 *w, gint64 *h)
{
  FILE *f = fopen (path, "rb");
  if (!f)
    return FALSE;
  guint8 b[64 * 1024];
  size_t n = fread (b, 1, sizeof b, f);
  fclose (f);
  if (n >= 24 && !memcmp (b, "\x89PNG\r\n\x1a\n", 8) && !memcmp (b + 12, "IHDR", 4)) {
    *w = be32 (b + 16);
    *h = be32 (b + 20);
    return TRUE;
  }
  if (n >= 4 && b[0] == 0xFF && b[1] == 0xD8) {   /* JPEG: the first SOFn segment */
    size_t i = 2;
    while (i + 9 < n) {
      if (b[i] != 0xFF) {
        i++;
        continue;
      }
      guint8 m = b[i + 1];
      if (m == 0xFF) {
        i++;
        continue;
      }
      if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) {
        i += 2;
        continue;
      }
      gsize len = be16 (b + i + 2);
      if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
        *h = be16 (b + i + 5);
        *w = be16 (b + i + 7);
        return TRUE;
      }
      if (len < 2)
        return FALSE;
      i += 2 + len;
    }
  }
  return FALSE;
}

GstSample *
artem_style_image_decode (const char *path, GError **error)
{
  if (!path || !g_file_test (path, G_FILE_TEST_IS_REGULAR)) {
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND,
                 "style image %s: no such file", path ? path : "(null)");
    return NULL;
  }
  gint64 hw = 0, hh = 0;
  if (header_size (path, &hw, &hh) && hw * hh > artem_style_image_max_pixels ()) {
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_DECODE,
                 "style image %s: %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT " is larger than the "
                 "%" G_GINT64_FORMAT " pixels a style picture may have (it is not decoded)",
                 path, hw, hh, artem_style_image_max_pixels ());
    return NULL;
  }
  GError *err = NULL;
  GstElement *pipe = gst_parse_launch ("filesrc name=src ! decodebin ! videoconvert ! "
                                       "video/x-raw,format=RGB ! fakesink name=sink "
                                       "enable-last-sample=true sync=false", &err);
  if (!pipe) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
                 "style image %s: cannot build a decoder: %s", path, err->message);
    g_error_free (err);
    return NULL;
  }
  GstElement *src = gst_bin_get_by_name (GST_BIN (pipe), "src");
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipe), "sink");
  g_object_set (src, "location", path, NULL);
  GstSample *sample = NULL;
  GstStateChangeReturn ret = gst_element_set_state (pipe, GST_STATE_PAUSED);
  if (ret != GST_STATE_CHANGE_FAILURE)
    ret = gst_element_get_state (pipe, NULL, NULL, 10 * GST_SECOND);
  if (ret == GST_STATE_CHANGE_SUCCESS)
    g_object_get (sink, "last-sample", &sample, NULL);
  if (!sample) {
    GstBus *bus = gst_element_get_bus (pipe);
    GstMessage *m = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    GError *perr = NULL;
    if (m)
      gst_message_parse_error (m, &perr, NULL);
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_DECODE,
                 "style image %s: cannot decode: %s", path,
                 perr ? perr->message : "no picture came out");
    g_clear_error (&perr);
    if (m)
      gst_message_unref (m);
    gst_object_unref (bus);
  }
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (src);
  gst_object_unref (sink);
  gst_object_unref (pipe);
  return sample;
}

guint8 *
artem_style_image_to_rgb (GstSample *sample, int max_side, int *width, int *height,
                          GError **error)
{
  GstVideoInfo in;
  GstCaps *caps = gst_sample_get_caps (sample);
  GstBuffer *buf = gst_sample_get_buffer (sample);
  GstStructure *st = caps && gst_caps_get_size (caps) > 0 ? gst_caps_get_structure (caps, 0) : NULL;
  if (!caps || !buf || !st || !gst_structure_has_name (st, "video/x-raw") ||
      !gst_video_info_from_caps (&in, caps)) {
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FORMAT,
                 "the style sample is not raw video (caps %s)", st ? gst_structure_get_name (st) : "none");
    return NULL;
  }
  int w = GST_VIDEO_INFO_WIDTH (&in), h = GST_VIDEO_INFO_HEIGHT (&in);
  if (w < 1 || h < 1 || (gint64) w * h > artem_style_image_max_pixels ()) {
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FORMAT,
                 "the style picture is %dx%d: it must have between 1 and %" G_GINT64_FORMAT
                 " pixels", w, h, artem_style_image_max_pixels ());
    return NULL;
  }
  if (gst_buffer_get_size (buf) < GST_VIDEO_INFO_SIZE (&in) && !gst_buffer_get_video_meta (buf)) {
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FORMAT,
                 "the style sample's buffer (%" G_GSIZE_FORMAT " bytes) is smaller than its "
                 "caps say (%" G_GSIZE_FORMAT ")", gst_buffer_get_size (buf), GST_VIDEO_INFO_SIZE (&in));
    return NULL;
  }
  if (max_side > 0 && MAX (w, h) > max_side) {
    double f = (double) max_side / MAX (w, h);
    w = MAX (1, (int) (w * f + 0.5));
    h = MAX (1, (int) (h * f + 0.5));
  }
  /* the converter takes the sample as one progressive picture (interlaced samples too) */
  GstVideoInfo pin;
  gst_video_info_set_format (&pin, GST_VIDEO_INFO_FORMAT (&in), GST_VIDEO_INFO_WIDTH (&in),
                             GST_VIDEO_INFO_HEIGHT (&in));
  GstVideoInfo out;
  gst_video_info_set_format (&out, GST_VIDEO_FORMAT_RGB, w, h);
  GstVideoFrame fin, fout;
  if (GST_VIDEO_INFO_FORMAT (&in) == GST_VIDEO_FORMAT_UNKNOWN ||
      GST_VIDEO_INFO_FORMAT (&in) == GST_VIDEO_FORMAT_ENCODED ||
      !gst_video_frame_map (&fin, &pin, buf, GST_MAP_READ)) {
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FORMAT, "cannot map the style sample");
    return NULL;
  }
  GstVideoConverter *conv = gst_video_converter_new (&pin, &out, NULL);
  if (!conv) {
    gst_video_frame_unmap (&fin);
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FORMAT,
                 "cannot convert a %s style sample to RGB",
                 gst_video_format_to_string (GST_VIDEO_INFO_FORMAT (&in)));
    return NULL;
  }
  GstBuffer *ob = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&out), NULL);
  gst_video_frame_map (&fout, &out, ob, GST_MAP_WRITE);
  gst_video_converter_frame (conv, &fin, &fout);
  gst_video_converter_free (conv);
  guint8 *rgb = g_malloc ((gsize) w * h * 3);
  for (int y = 0; y < h; y++)
    memcpy (rgb + (gsize) y * w * 3,
            (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&fout, 0) + (gsize) y * GST_VIDEO_FRAME_PLANE_STRIDE (&fout, 0),
            (gsize) w * 3);
  gst_video_frame_unmap (&fin);
  gst_video_frame_unmap (&fout);
  gst_buffer_unref (ob);
  *width = w;
  *height = h;
  return rgb;
}
