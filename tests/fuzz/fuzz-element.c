/* fuzz-element.c — libFuzzer target for the elements as a whole (issue 12): the input is
 * a little header (element, frame size, format, row padding, interlacing, property
 * changes) followed by model bytes.  The model is written to a file and the element is
 * started on it through GstHarness; frames with that geometry (padded rows through a
 * video meta) are pushed, with property changes between them, and a second model swap
 * while playing.  Any signal, sanitizer report or hang is a finding; a clean error on
 * the bus is not.  Build and run: tests/fuzz/run.sh SECONDS BUILD_DIR element */
#include <gst/gst.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <glib/gstdio.h>
#include <unistd.h>
#include "gstartemstylize.h"
#include "gstartemxnorconv.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

static const char *formats[] = { "RGB", "BGR", "RGBx", "BGRx", "xRGB", "xBGR", "RGBA", "BGRA",
                                 "ARGB", "ABGR" };
static char *model_path, *second_model;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_setenv ("GST_REGISTRY_FORK", "no", TRUE);
  g_setenv ("GST_PLUGIN_SYSTEM_PATH_1_0", "", TRUE);
  g_setenv ("GST_PLUGIN_PATH_1_0", "", TRUE);
  g_setenv ("ARTEM_MAX_TFLOP", "0.003", TRUE);       /* a slow model is no finding */
  g_setenv ("ARTEM_MEMORY_LIMIT_MIB", "128", TRUE);
  g_setenv ("OMP_NUM_THREADS", "1", TRUE);
  gst_init (argc, argv);
  GST_ELEMENT_REGISTER (artemstylize, NULL);
  GST_ELEMENT_REGISTER (artemxnorconv, NULL);
  model_path = g_strdup_printf ("/dev/shm/artem-fuzz-%d.onnx", (int) getpid ());
  second_model = g_strdup (g_getenv ("ARTEM_FUZZ_SECOND_MODEL"));
  return 0;
}

/* one frame of @info whose rows are @pad bytes longer than the caps say */
static GstBuffer *
frame (GstVideoInfo *info, int pad, guint8 seed)
{
  gint stride = GST_VIDEO_INFO_PLANE_STRIDE (info, 0) + pad;
  gsize size = (gsize) stride * GST_VIDEO_INFO_HEIGHT (info);
  GstBuffer *buf = gst_buffer_new_allocate (NULL, size, NULL);
  GstMapInfo m;
  gst_buffer_map (buf, &m, GST_MAP_WRITE);
  for (gsize i = 0; i < size; i++)
    m.data[i] = (guint8) (i * 31 + seed);
  gst_buffer_unmap (buf, &m);
  if (pad) {
    gsize offset[GST_VIDEO_MAX_PLANES] = { 0 };
    gint strides[GST_VIDEO_MAX_PLANES] = { stride };
    gst_buffer_add_video_meta_full (buf, GST_VIDEO_FRAME_FLAG_NONE, GST_VIDEO_INFO_FORMAT (info),
                                    GST_VIDEO_INFO_WIDTH (info), GST_VIDEO_INFO_HEIGHT (info), 1,
                                    offset, strides);
  }
  return buf;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size < 8)
    return 0;
  guint8 el_kind = data[0], flags = data[6], props = data[7];
  int w = 1 + (data[1] | (data[2] & 1) << 8) % 160, h = 1 + data[3] % 120;
  const char *fmt = formats[data[4] % G_N_ELEMENTS (formats)];
  int pad = data[5] & 0x3f;
  if (!g_file_set_contents (model_path, (const char *) data + 8, (gssize) size - 8, NULL))
    return 0;
  GstElement *el = gst_element_factory_make (el_kind & 1 ? "artemxnorconv" : "artemstylize", NULL);
  g_object_set (el, "device", 1 /* cpu */, "model-location", model_path,
                "preserve-colors", (flags & 1) != 0, "strength", (flags & 2) ? 0.5 : 1.0,
                "inference-scale", (flags & 4) ? 0.3 : 1.0, NULL);
  if (el_kind & 1)
    g_object_set (el, "layers", (el_kind & 2) ? "all" : "inner", NULL);
  GstBus *bus = gst_bus_new ();
  gst_element_set_bus (el, bus);
  GstHarness *hh = NULL;
  /* started alone first: the harness asserts that starting works, the fuzzer must not */
  if (gst_element_set_state (el, GST_STATE_PAUSED) == GST_STATE_CHANGE_FAILURE) {
    gst_element_set_state (el, GST_STATE_NULL);
    gst_object_unref (el);
    goto done;
  }
  hh = gst_harness_new_with_element (el, "sink", "src");
  gst_object_unref (el);
  char *caps = g_strdup_printf ("video/x-raw,format=%s,width=%d,height=%d,framerate=30/1%s", fmt,
                                w, h, (flags & 8) ? ",interlace-mode=interleaved" : "");
  gst_harness_set_src_caps_str (hh, caps);
  g_free (caps);
  GstVideoInfo info;
  gst_video_info_set_format (&info, gst_video_format_from_string (fmt), w, h);
  for (int i = 0; i < 3; i++) {
    if (gst_harness_push (hh, frame (&info, pad, (guint8) i)) != GST_FLOW_OK)
      break;
    GstBuffer *out = gst_harness_try_pull (hh);
    if (out)
      gst_buffer_unref (out);
    /* property changes between frames, as a live user makes them */
    if (i == 0 && (props & 1))
      g_object_set (hh->element, "inference-scale", (props & 2) ? 1.0 : 0.5, NULL);
    if (i == 0 && (props & 4))
      g_object_set (hh->element, "strength", (props & 8) ? 0.0 : 0.8, NULL);
    if (i == 0 && (props & 16))
      g_object_set (hh->element, "preserve-colors", (props & 32) != 0, NULL);
    if (i == 1 && (props & 64) && second_model)   /* a live swap; the old one keeps serving */
      g_object_set (hh->element, "model-location", second_model, NULL);
  }
done:
  if (hh)
    gst_harness_teardown (hh);
  {
    GstMessage *m;
    while ((m = gst_bus_pop (bus)))
      gst_message_unref (m);
  }
  gst_object_unref (bus);
  return 0;
}
