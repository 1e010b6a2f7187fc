/* artemcolor.c — the elements' pixel maths: the pixel-format table, the strength blend with
 * preserve-colors, and artemadain's colour matching (mean and covariance transfer).
 * Unit tests: tests/gst/test-artemcolor.c. */
#include "artemcolor.h"
#include <artem-blend.h>
#include <math.h>
#include <string.h>

/* The one pixel-format table: the raw formats every element takes, as the engine names
 * them.  The pad templates (artem_gst_caps) and the frame formats come from it. */
static const struct {
  GstVideoFormat gst;
  ArtemPixelFormat artem;
} formats[] = {
  { GST_VIDEO_FORMAT_RGB, ARTEM_FORMAT_RGB },   { GST_VIDEO_FORMAT_BGR, ARTEM_FORMAT_BGR },
  { GST_VIDEO_FORMAT_RGBx, ARTEM_FORMAT_RGBx }, { GST_VIDEO_FORMAT_BGRx, ARTEM_FORMAT_BGRx },
  { GST_VIDEO_FORMAT_xRGB, ARTEM_FORMAT_xRGB }, { GST_VIDEO_FORMAT_xBGR, ARTEM_FORMAT_xBGR },
  { GST_VIDEO_FORMAT_RGBA, ARTEM_FORMAT_RGBA }, { GST_VIDEO_FORMAT_BGRA, ARTEM_FORMAT_BGRA },
  { GST_VIDEO_FORMAT_ARGB, ARTEM_FORMAT_ARGB }, { GST_VIDEO_FORMAT_ABGR, ARTEM_FORMAT_ABGR },
};
G_STATIC_ASSERT (G_N_ELEMENTS (formats) == ARTEM_FORMAT_COUNT);

ArtemPixelFormat
artem_gst_format (GstVideoFormat f)
{
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    if (formats[i].gst == f)
      return formats[i].artem;
  return ARTEM_FORMAT_COUNT;
}

GstCaps *
artem_gst_caps (void)
{
  GstVideoFormat f[G_N_ELEMENTS (formats)];
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    f[i] = formats[i].gst;
  return gst_video_make_raw_caps (f, G_N_ELEMENTS (formats));
}

/* out = in + strength * (styled' - in); styled' takes only the luminance of styled when
 * preserving colours (RGB shifted by the luma difference keeps Cb and Cr). */
void
artem_compose (GstVideoFrame *in, GstVideoFrame *styled, GstVideoFrame *out, gfloat strength,
               gboolean preserve, ArtemPixelFormat fmt)
{
  int ro, go, bo, ao, bpp = artem_pixel_format_bpp (fmt);
  artem_pixel_format_offsets (fmt, &ro, &go, &bo, &ao);
  gint w = GST_VIDEO_FRAME_WIDTH (in), h = GST_VIDEO_FRAME_HEIGHT (in);
  gint is = GST_VIDEO_FRAME_PLANE_STRIDE (in, 0), ss = GST_VIDEO_FRAME_PLANE_STRIDE (styled, 0),
       os = GST_VIDEO_FRAME_PLANE_STRIDE (out, 0);
  const guint8 *ib = GST_VIDEO_FRAME_PLANE_DATA (in, 0), *sb = GST_VIDEO_FRAME_PLANE_DATA (styled, 0);
  guint8 *ob = GST_VIDEO_FRAME_PLANE_DATA (out, 0);
  for (gint y = 0; y < h; y++) {
    const guint8 *ip = ib + (gsize) y * is, *sp = sb + (gsize) y * ss;
    guint8 *op = ob + (gsize) y * os;
    for (gint x = 0; x < w; x++, ip += bpp, sp += bpp, op += bpp) {
      gfloat r = ip[ro], g = ip[go], b = ip[bo];
      gfloat sr = sp[ro], sg = sp[go], sbv = sp[bo];
      if (preserve) {
        gfloat d = 0.299f * (sr - r) + 0.587f * (sg - g) + 0.114f * (sbv - b);
        sr = r + d; sg = g + d; sbv = b + d;
      }
      op[ro] = artem_blend_u8 (r, sr, strength);
      op[go] = artem_blend_u8 (g, sg, strength);
      op[bo] = artem_blend_u8 (b, sbv, strength);
      if (ao >= 0)
        op[ao] = ip[ao];
    }
  }
}

/* Eigen-decomposition of a symmetric 3x3 matrix (Jacobi): a = v diag (e) v^T. */
static void
eigen3 (const gdouble *a_in, gdouble *e, gdouble *v)
{
  gdouble a[9];
  memcpy (a, a_in, sizeof a);
  for (int i = 0; i < 9; i++)
    v[i] = i % 4 == 0;
  for (int sweep = 0; sweep < 50; sweep++) {
    gdouble off = fabs (a[1]) + fabs (a[2]) + fabs (a[5]);
    if (off < 1e-12)
      break;
    for (int p = 0; p < 2; p++)
      for (int q = p + 1; q < 3; q++) {
        gdouble apq = a[p * 3 + q];
        if (fabs (apq) < 1e-15)
          continue;
        gdouble theta = (a[q * 3 + q] - a[p * 3 + p]) / (2 * apq);
        gdouble t = (theta >= 0 ? 1 : -1) / (fabs (theta) + sqrt (theta * theta + 1));
        gdouble c = 1 / sqrt (t * t + 1), sn = t * c;
        for (int k = 0; k < 3; k++) {   /* a = J^T a J */
          gdouble akp = a[k * 3 + p], akq = a[k * 3 + q];
          a[k * 3 + p] = c * akp - sn * akq;
          a[k * 3 + q] = sn * akp + c * akq;
        }
        for (int k = 0; k < 3; k++) {
          gdouble apk = a[p * 3 + k], aqk = a[q * 3 + k];
          a[p * 3 + k] = c * apk - sn * aqk;
          a[q * 3 + k] = sn * apk + c * aqk;
        }
        for (int k = 0; k < 3; k++) {
          gdouble vkp = v[k * 3 + p], vkq = v[k * 3 + q];
          v[k * 3 + p] = c * vkp - sn * vkq;
          v[k * 3 + q] = sn * vkp + c * vkq;
        }
      }
  }
  for (int i = 0; i < 3; i++)
    e[i] = MAX (a[i * 4], 1e-6);
}

/* m = v diag (e^power) v^T */
void
artem_color_sym_power (const gdouble *cov, gdouble power, gdouble *m)
{
  gdouble e[3], v[9];
  eigen3 (cov, e, v);
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++) {
      gdouble s = 0;
      for (int k = 0; k < 3; k++)
        s += v[i * 3 + k] * pow (e[k], power) * v[j * 3 + k];
      m[i * 3 + j] = s;
    }
}

/* Mean and covariance of packed RGB pixels (every @step-th pixel of rows @step apart). */
void
artem_color_stats (const guint8 *rgb, int w, int h, gsize stride, int bpp, const int *off, int step,
             gdouble *mean, gdouble *cov)
{
  gdouble s[3] = { 0 }, ss[9] = { 0 };
  gdouble n = 0;
  for (int y = 0; y < h; y += step)
    for (int x = 0; x < w; x += step) {
      const guint8 *p = rgb + (gsize) y * stride + (gsize) x * bpp;
      gdouble c[3] = { p[off[0]], p[off[1]], p[off[2]] };
      for (int i = 0; i < 3; i++) {
        s[i] += c[i];
        for (int j = 0; j < 3; j++)
          ss[i * 3 + j] += c[i] * c[j];
      }
      n++;
    }
  for (int i = 0; i < 3; i++)
    mean[i] = s[i] / MAX (n, 1);
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      cov[i * 3 + j] = ss[i * 3 + j] / MAX (n, 1) - mean[i] * mean[j] + (i == j ? 1e-3 : 0);
}

/* The AdaIN paper's colour control (after Gatys et al.): the style picture's colours
 * take the content's mean and covariance: x' = Sc^1/2 Ss^-1/2 (x - ms) + mc. */
void
artem_color_match (guint8 *rgb, int w, int h, const gdouble *mc, const gdouble *cc)
{
  static const int off[3] = { 0, 1, 2 };
  gdouble ms[3], cs[9], a[9], b[9], t[9];
  artem_color_stats (rgb, w, h, (gsize) w * 3, 3, off, 1, ms, cs);
  artem_color_sym_power (cc, 0.5, a);
  artem_color_sym_power (cs, -0.5, b);
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++) {
      t[i * 3 + j] = 0;
      for (int k = 0; k < 3; k++)
        t[i * 3 + j] += a[i * 3 + k] * b[k * 3 + j];
    }
  for (gsize p = 0; p < (gsize) w * h; p++) {
    guint8 *px = rgb + p * 3;
    gdouble d[3] = { px[0] - ms[0], px[1] - ms[1], px[2] - ms[2] };
    for (int i = 0; i < 3; i++) {
      gdouble v = mc[i] + t[i * 3] * d[0] + t[i * 3 + 1] * d[1] + t[i * 3 + 2] * d[2];
      px[i] = (guint8) CLAMP (v + 0.5, 0, 255);
    }
  }
}

/* Whether the content's colours moved away from those the style was matched to. */
gboolean
artem_color_drifted (const gdouble *m0, const gdouble *c0, const gdouble *m1, const gdouble *c1)
{
  gdouble dm = 0, dc = 0, tr = c0[0] + c0[4] + c0[8];
  for (int i = 0; i < 3; i++)
    dm = MAX (dm, fabs (m0[i] - m1[i]));
  for (int i = 0; i < 9; i++)
    dc += fabs (c0[i] - c1[i]);
  return dm > 8.0 || dc > 0.25 * tr;
}
