/* artemstyleimage.c — decoding style pictures with a small GStreamer pipeline
 * (filesrc ! decodebin ! videoconvert ! fakesink, the preroll sample) and scaling them
 * with GstVideoConverter: no hand-written image decoder. */
#include "artemstyleimage.h"
#include <gst/video/video.h>

GstSample *
artem_style_image_decode (const char *path, GError **error)
{
  if (!path || !g_file_test (path, G_FILE_TEST_IS_REGULAR)) {
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND,
                 "style image %s: no such file", path ? path : "(null)");
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
  if (!caps || !buf || !gst_video_info_from_caps (&in, caps)) {
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FORMAT,
                 "the style sample is not raw video");
    return NULL;
  }
  int w = GST_VIDEO_INFO_WIDTH (&in), h = GST_VIDEO_INFO_HEIGHT (&in);
  if (max_side > 0 && MAX (w, h) > max_side) {
    double f = (double) max_side / MAX (w, h);
    w = MAX (1, (int) (w * f + 0.5));
    h = MAX (1, (int) (h * f + 0.5));
  }
  GstVideoInfo out;
  gst_video_info_set_format (&out, GST_VIDEO_FORMAT_RGB, w, h);
  GST_VIDEO_INFO_FPS_N (&out) = GST_VIDEO_INFO_FPS_N (&in);
  GST_VIDEO_INFO_FPS_D (&out) = GST_VIDEO_INFO_FPS_D (&in);
  GstVideoFrame fin, fout;
  if (!gst_video_frame_map (&fin, &in, buf, GST_MAP_READ)) {
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FORMAT, "cannot map the style sample");
    return NULL;
  }
  GstBuffer *ob = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&out), NULL);
  gst_video_frame_map (&fout, &out, ob, GST_MAP_WRITE);
  GstVideoConverter *conv = gst_video_converter_new (&in, &out, NULL);
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
