/* test-artemcolor.c — unit tests of the elements' pixel maths (gst/artemcolor.c): the
 * pixel-format table, the strength blend with preserve-colors, colour statistics,
 * matrix powers and colour matching. */
#include "artemcolor.h"
#include <artem-blend.h>
#include <math.h>
#include <string.h>

static void
test_format_table (void)
{
  GstCaps *caps = artem_gst_caps ();
  const GValue *list = gst_structure_get_value (gst_caps_get_structure (caps, 0), "format");
  g_assert_nonnull (list);
  g_assert_cmpuint (gst_value_list_get_size (list), ==, ARTEM_FORMAT_COUNT);
  gboolean seen[ARTEM_FORMAT_COUNT] = { FALSE };
  for (guint i = 0; i < gst_value_list_get_size (list); i++) {
    const char *name = g_value_get_string (gst_value_list_get_value (list, i));
    ArtemPixelFormat f = artem_gst_format (gst_video_format_from_string (name));
    g_assert_cmpint (f, <, ARTEM_FORMAT_COUNT);
    g_assert_false (seen[f]);
    seen[f] = TRUE;
    /* the engine's byte offsets agree with GStreamer's for this format */
    const GstVideoFormatInfo *vi = gst_video_format_get_info (gst_video_format_from_string (name));
    int r, g, b, a;
    artem_pixel_format_offsets (f, &r, &g, &b, &a);
    g_assert_cmpint (r, ==, GST_VIDEO_FORMAT_INFO_POFFSET (vi, 0));
    g_assert_cmpint (g, ==, GST_VIDEO_FORMAT_INFO_POFFSET (vi, 1));
    g_assert_cmpint (b, ==, GST_VIDEO_FORMAT_INFO_POFFSET (vi, 2));
    g_assert_cmpint (artem_pixel_format_bpp (f), ==, GST_VIDEO_FORMAT_INFO_PSTRIDE (vi, 0));
  }
  g_assert_cmpint (artem_gst_format (GST_VIDEO_FORMAT_I420), ==, ARTEM_FORMAT_COUNT);
  gst_caps_unref (caps);
}

typedef struct {
  GstBuffer *buf;
  GstVideoFrame f;
} Frame;

static void
frame_new (Frame *fr, GstVideoFormat fmt, int w, int h, guint32 seed)
{
  GstVideoInfo info;
  gst_video_info_set_format (&info, fmt, w, h);
  fr->buf = gst_buffer_new_allocate (NULL, info.size, NULL);
  g_assert_true (gst_video_frame_map (&fr->f, &info, fr->buf, GST_MAP_READWRITE));
  GRand *r = g_rand_new_with_seed (seed);
  guint8 *p = GST_VIDEO_FRAME_PLANE_DATA (&fr->f, 0);
  for (gsize i = 0; i < info.size; i++)
    p[i] = (guint8) g_rand_int_range (r, 20, 236);
  g_rand_free (r);
}

static void
frame_free (Frame *fr)
{
  gst_video_frame_unmap (&fr->f);
  gst_buffer_unref (fr->buf);
}

static const guint8 *
px (Frame *fr, int x, int y)
{
  return (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&fr->f, 0) +
         y * GST_VIDEO_FRAME_PLANE_STRIDE (&fr->f, 0) + x * GST_VIDEO_FRAME_COMP_PSTRIDE (&fr->f, 0);
}

/* strength 0: the input; 1: the styled frame; 0.5: halfway; alpha always the input's */
static void
test_blend (void)
{
  for (int fi = 0; fi < 2; fi++) {
    GstVideoFormat gf = fi ? GST_VIDEO_FORMAT_ARGB : GST_VIDEO_FORMAT_BGR;
    ArtemPixelFormat af = artem_gst_format (gf);
    int ro, go, bo, ao;
    artem_pixel_format_offsets (af, &ro, &go, &bo, &ao);
    int off[3] = { ro, go, bo };
    float strengths[3] = { 0.f, 1.f, 0.5f };
    for (int si = 0; si < 3; si++) {
      Frame in, st, out;
      frame_new (&in, gf, 33, 7, 1);   /* odd width: padded rows */
      frame_new (&st, gf, 33, 7, 2);
      frame_new (&out, gf, 33, 7, 3);
      artem_compose (&in.f, &st.f, &out.f, strengths[si], FALSE, af);
      for (int y = 0; y < 7; y++)
        for (int x = 0; x < 33; x++) {
          const guint8 *i = px (&in, x, y), *s = px (&st, x, y), *o = px (&out, x, y);
          for (int c = 0; c < 3; c++) {
            float want = i[off[c]] + strengths[si] * (s[off[c]] - i[off[c]]);
            g_assert_cmpfloat (fabsf (o[off[c]] - want), <=, 0.5f);
          }
          if (ao >= 0)
            g_assert_cmpint (o[ao], ==, i[ao]);
        }
      frame_free (&in);
      frame_free (&st);
      frame_free (&out);
    }
  }
}

/* artem_blend_u8, the one blend the engine (CPU and CUDA) and the elements share:
 * rounding to nearest, clamping, NaN to 0, strength 1 the styled value exactly */
static void
test_blend_u8 (void)
{
  g_assert_cmpint (artem_blend_u8 (10.f, 200.f, 1.f), ==, 200);
  g_assert_cmpint (artem_blend_u8 (10.f, 200.f, 0.f), ==, 10);
  g_assert_cmpint (artem_blend_u8 (10.f, 201.f, 0.5f), ==, 106);   /* 105.5 rounds up */
  g_assert_cmpint (artem_blend_u8 (0.f, 99.4f, 1.f), ==, 99);
  g_assert_cmpint (artem_blend_u8 (0.f, 99.5f, 1.f), ==, 100);
  g_assert_cmpint (artem_blend_u8 (0.f, 300.f, 1.f), ==, 255);
  g_assert_cmpint (artem_blend_u8 (0.f, -40.f, 1.f), ==, 0);
  g_assert_cmpint (artem_blend_u8 (50.f, NAN, 1.f), ==, 0);
  g_assert_cmpint (artem_blend_u8 (50.f, 60.f, 2.f), ==, 60);     /* over 1: the styled value */
  for (int v = 0; v < 256; v++)
    g_assert_cmpint (artem_blend_u8 (7.f, (float) v, 1.f), ==, v);
}

/* preserve-colors: the styled luminance, the input's colour differences (R-G, B-G) */
static void
test_preserve_colors (void)
{
  Frame in, st;
  frame_new (&in, GST_VIDEO_FORMAT_RGBx, 16, 16, 4);
  frame_new (&st, GST_VIDEO_FORMAT_RGBx, 16, 16, 5);
  /* keep the shifted colours inside 0..255: mid-range inputs */
  for (int y = 0; y < 16; y++)
    for (int x = 0; x < 16; x++) {
      guint8 *i = (guint8 *) px (&in, x, y), *s = (guint8 *) px (&st, x, y);
      for (int c = 0; c < 3; c++) {
        i[c] = 100 + i[c] % 40;
        s[c] = 100 + s[c] % 40;
      }
    }
  Frame ref;
  frame_new (&ref, GST_VIDEO_FORMAT_RGBx, 16, 16, 6);
  gst_video_frame_copy (&ref.f, &st.f);
  artem_compose (&in.f, &st.f, &st.f, 1.f, TRUE, ARTEM_FORMAT_RGBx);   /* in place */
  for (int y = 0; y < 16; y++)
    for (int x = 0; x < 16; x++) {
      const guint8 *i = px (&in, x, y), *o = px (&st, x, y), *s = px (&ref, x, y);
      float luma_o = 0.299f * o[0] + 0.587f * o[1] + 0.114f * o[2];
      float luma_s = 0.299f * s[0] + 0.587f * s[1] + 0.114f * s[2];
      g_assert_cmpfloat (fabsf (luma_o - luma_s), <=, 1.f);
      g_assert_cmpint (abs ((o[0] - o[1]) - (i[0] - i[1])), <=, 1);
      g_assert_cmpint (abs ((o[2] - o[1]) - (i[2] - i[1])), <=, 1);
    }
  frame_free (&in);
  frame_free (&st);
  frame_free (&ref);
}

static void
matmul3 (const gdouble *a, const gdouble *b, gdouble *c)
{
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++) {
      c[i * 3 + j] = 0;
      for (int k = 0; k < 3; k++)
        c[i * 3 + j] += a[i * 3 + k] * b[k * 3 + j];
    }
}

/* cov^1/2 squared is cov; cov^1/2 cov^-1/2 is the identity */
static void
test_sym_power (void)
{
  const gdouble cov[9] = { 900, 300, -120, 300, 400, 50, -120, 50, 250 };
  gdouble h[9], hi[9], p[9];
  artem_color_sym_power (cov, 0.5, h);
  artem_color_sym_power (cov, -0.5, hi);
  matmul3 (h, h, p);
  for (int i = 0; i < 9; i++)
    g_assert_cmpfloat (fabs (p[i] - cov[i]), <, 1e-6 * 900);
  matmul3 (h, hi, p);
  for (int i = 0; i < 9; i++)
    g_assert_cmpfloat (fabs (p[i] - (i % 4 == 0)), <, 1e-9);
}

/* a picture matched to (mean, covariance) has them afterwards */
static void
test_color_match (void)
{
  int w = 64, h = 48;
  guint8 *rgb = g_malloc ((gsize) w * h * 3);
  GRand *r = g_rand_new_with_seed (7);
  for (int i = 0; i < w * h; i++) {
    double base = g_rand_double_range (r, 60, 200);
    rgb[i * 3] = (guint8) base;
    rgb[i * 3 + 1] = (guint8) CLAMP (base * 0.5 + g_rand_double_range (r, 0, 90), 0, 255);
    rgb[i * 3 + 2] = (guint8) g_rand_double_range (r, 30, 220);
  }
  g_rand_free (r);
  const gdouble mc[3] = { 120, 110, 140 };
  const gdouble cc[9] = { 300, 100, 20, 100, 250, -30, 20, -30, 200 };
  artem_color_match (rgb, w, h, mc, cc);
  static const int off[3] = { 0, 1, 2 };
  gdouble m[3], c[9];
  artem_color_stats (rgb, w, h, (gsize) w * 3, 3, off, 1, m, c);
  for (int i = 0; i < 3; i++)
    g_assert_cmpfloat (fabs (m[i] - mc[i]), <, 1.0);
  for (int i = 0; i < 9; i++)
    g_assert_cmpfloat (fabs (c[i] - cc[i]), <, 8.0);   /* 8-bit rounding */
  g_assert_false (artem_color_drifted (mc, cc, m, c));
  gdouble moved[3] = { mc[0] + 12, mc[1], mc[2] };
  g_assert_true (artem_color_drifted (mc, cc, moved, c));
  g_free (rgb);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/artemcolor/format-table", test_format_table);
  g_test_add_func ("/artemcolor/blend", test_blend);
  g_test_add_func ("/artemcolor/blend-u8", test_blend_u8);
  g_test_add_func ("/artemcolor/preserve-colors", test_preserve_colors);
  g_test_add_func ("/artemcolor/sym-power", test_sym_power);
  g_test_add_func ("/artemcolor/color-match", test_color_match);
  return g_test_run ();
}
