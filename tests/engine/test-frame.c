/* test-frame.c — the engine's frame path through the public API only: value ranges from
 * metadata and overrides, every pixel format and alpha, odd sizes with padding inside the
 * engine, and no allocation per frame. */
#include <artem.h>
#include <artem-blend.h>
#include <stdlib.h>
#include "../../gpu/stabilize.h"   /* the maths, for an independent reference */
#include <string.h>

static const char *datadir;

static ArtemNet *
load (const char *name)
{
  char *path = g_build_filename (datadir, name, NULL);
  GError *err = NULL;
  ArtemNet *net = artem_net_new_from_file (path, ARTEM_BACKEND_CPU, &err);
  g_assert_no_error (err);
  g_free (path);
  return net;
}

static void
test_ranges (void)
{
  float a, b, c, d;
  ArtemNet *net = load ("identity-01.onnx");
  artem_net_get_ranges (net, &a, &b, &c, &d);
  g_assert_cmpfloat (a, ==, 0.f);
  g_assert_cmpfloat (b, ==, 1.f);
  g_assert_cmpfloat (d, ==, 1.f);
  GError *err = NULL;
  g_assert_true (artem_net_reshape_frame (net, 5, 3, &err));
  guint8 src[5 * 3 * 3], dst[5 * 3 * 3];
  for (gsize i = 0; i < sizeof src; i++)
    src[i] = (guint8) (i * 17);
  /* 8-bit -> 0..1 -> identity -> 0..1 -> 8-bit is lossless */
  g_assert_true (artem_net_process_frame (net, src, 15, dst, 15, ARTEM_FORMAT_RGB, &err));
  g_assert_cmpmem (src, sizeof src, dst, sizeof dst);
  /* the network sees 0..1: check through the float-plane path */
  float planes[3 * 15], outp[3 * 15];
  for (int i = 0; i < 45; i++)
    planes[i] = (float) i / 45.f;
  g_assert_true (artem_net_process_planes (net, planes, outp, &err));
  g_assert_cmpmem (planes, sizeof planes, outp, sizeof outp);
  /* override: output read as 0..2 halves the brightness */
  artem_net_set_ranges (net, 0.f, 1.f, 0.f, 2.f);
  g_assert_true (artem_net_process_frame (net, src, 15, dst, 15, ARTEM_FORMAT_RGB, &err));
  for (gsize i = 0; i < sizeof src; i++)
    g_assert_cmpint (ABS ((int) dst[i] - (int) ((src[i] + 1) / 2)), <=, 1);
  artem_net_free (net);
  /* no metadata: the zoo's 0..255 convention */
  net = load ("identity-default.onnx");
  artem_net_get_ranges (net, &a, &b, &c, &d);
  g_assert_cmpfloat (b, ==, 255.f);
  g_assert_cmpfloat (d, ==, 255.f);
  g_assert_true (artem_net_reshape_frame (net, 5, 3, &err));
  g_assert_true (artem_net_process_frame (net, src, 15, dst, 15, ARTEM_FORMAT_RGB, &err));
  g_assert_cmpmem (src, sizeof src, dst, sizeof dst);
  artem_net_free (net);
}

static void
test_formats_and_alpha (void)
{
  ArtemNet *net = load ("identity-default.onnx");
  GError *err = NULL;
  int w = 7, h = 5;
  g_assert_true (artem_net_reshape_frame (net, w, h, &err));
  for (int f = 0; f < ARTEM_FORMAT_COUNT; f++) {
    int bpp = artem_pixel_format_bpp (f), r, g, b, a;
    artem_pixel_format_offsets (f, &r, &g, &b, &a);
    gsize stride = (gsize) w * bpp + 3;   /* padded rows */
    guint8 *src = g_malloc (stride * h), *dst = g_malloc0 (stride * h);
    for (gsize i = 0; i < stride * h; i++)
      src[i] = (guint8) (i * 31 + f);
    g_assert_true (artem_net_process_frame (net, src, stride, dst, stride, f, &err));
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++)
        for (int c = 0; c < bpp; c++)   /* identity: every byte, alpha/x included */
          g_assert_cmpint (dst[y * stride + x * bpp + c], ==, src[y * stride + x * bpp + c]);
    /* in place */
    g_assert_true (artem_net_process_frame (net, src, stride, src, stride, f, &err));
    g_free (src);
    g_free (dst);
  }
  artem_net_free (net);
}

static void
test_odd_size_no_alloc (void)
{
  ArtemNet *net = load ("tiny-style-a.onnx");
  GError *err = NULL;
  g_assert_true (artem_net_reshape_frame (net, 97, 61, &err));
  g_assert_cmpint (artem_net_get_frame_alignment (net), ==, 4);   /* stride-4 generator */
  guint8 *px = g_malloc (97 * 61 * 4);
  memset (px, 128, 97 * 61 * 4);
  g_assert_true (artem_net_process_frame (net, px, 97 * 4, px, 97 * 4, ARTEM_FORMAT_BGRx, &err));
  guint64 before = artem_net_get_n_allocations (net);
  for (int i = 0; i < 5; i++)
    g_assert_true (artem_net_process_frame (net, px, 97 * 4, px, 97 * 4, ARTEM_FORMAT_BGRx, &err));
  g_assert_cmpuint (artem_net_get_n_allocations (net), ==, before);
  g_assert_cmpuint (artem_net_get_memory_bytes (net), >, 0);
  /* a new size allocates once, then never again */
  g_assert_true (artem_net_reshape_frame (net, 64, 48, &err));
  g_assert_cmpint (artem_net_get_frame_alignment (net), ==, 1);
  before = artem_net_get_n_allocations (net);
  for (int i = 0; i < 3; i++)
    g_assert_true (artem_net_process_frame (net, px, 64 * 4, px, 64 * 4, ARTEM_FORMAT_RGBx, &err));
  g_assert_cmpuint (artem_net_get_n_allocations (net), ==, before);
  g_free (px);
  artem_net_free (net);
}

/* strength blends on the engine side: 0 gives the source back, 0.5 the midpoint */
static void
test_strength (void)
{
  ArtemNet *net = load ("tiny-style-a.onnx");
  GError *err = NULL;
  int w = 33, h = 21;
  g_assert_true (artem_net_reshape_frame (net, w, h, &err));
  gsize n = (gsize) w * h * 3;
  guint8 *src = g_malloc (n), *full = g_malloc (n), *half = g_malloc (n), *none = g_malloc (n);
  for (gsize i = 0; i < n; i++)
    src[i] = (guint8) (i * 37);
  g_assert_true (artem_net_process_frame (net, src, w * 3, full, w * 3, ARTEM_FORMAT_RGB, &err));
  artem_net_set_frame_strength (net, 0.f);
  g_assert_true (artem_net_process_frame (net, src, w * 3, none, w * 3, ARTEM_FORMAT_RGB, &err));
  g_assert_cmpmem (none, n, src, n);
  artem_net_set_frame_strength (net, 0.5f);
  g_assert_true (artem_net_process_frame (net, src, w * 3, half, w * 3, ARTEM_FORMAT_RGB, &err));
  for (gsize i = 0; i < n; i++)
    g_assert_cmpint (abs ((int) half[i] - ((int) src[i] + full[i]) / 2), <=, 1);
  artem_net_set_frame_strength (net, 7.f);   /* clamped to 1 */
  g_assert_true (artem_net_process_frame (net, src, w * 3, half, w * 3, ARTEM_FORMAT_RGB, &err));
  g_assert_cmpmem (half, n, full, n);
  g_free (src); g_free (full); g_free (half); g_free (none);
  artem_net_free (net);
}

/* submit / receive on the CPU: one frame in flight, the same bytes as process_frame */
static void
test_submit_receive (void)
{
  ArtemNet *net = load ("tiny-style-a.onnx");
  GError *err = NULL;
  int w = 40, h = 24;
  g_assert_true (artem_net_reshape_frame (net, w, h, &err));
  g_assert_cmpuint (artem_net_get_max_frames_in_flight (net), ==, 1);
  gsize n = (gsize) w * h * 4;
  guint8 *src = g_malloc (n), *a = g_malloc (n), *b = g_malloc0 (n);
  for (gsize i = 0; i < n; i++)
    src[i] = (guint8) (i * 13);
  g_assert_true (artem_net_process_frame (net, src, w * 4, a, w * 4, ARTEM_FORMAT_BGRA, &err));
  g_assert_false (artem_net_receive_frame (net, b, w * 4, &err));
  g_assert_error (err, ARTEM_ERROR, ARTEM_ERROR_ARGUMENT);
  g_clear_error (&err);
  g_assert_true (artem_net_submit_frame (net, src, w * 4, ARTEM_FORMAT_BGRA, &err));
  g_assert_false (artem_net_submit_frame (net, src, w * 4, ARTEM_FORMAT_BGRA, &err));
  g_assert_error (err, ARTEM_ERROR, ARTEM_ERROR_ARGUMENT);
  g_clear_error (&err);
  memset (src, 0, n);   /* submit copied what it needed */
  g_assert_true (artem_net_receive_frame (net, b, w * 4, &err));
  g_assert_cmpmem (a, n, b, n);
  g_assert_cmpint (artem_net_get_precision (net), ==, ARTEM_PRECISION_FP32);
  g_assert_cmpuint (artem_net_get_device_memory_bytes (net), ==, 0);
  g_free (src); g_free (a); g_free (b);
  artem_net_free (net);
}

static int
mirror (int i, int n)
{
  while (i < 0 || i >= n) {
    if (i < 0) i = -i;
    if (i >= n) i = 2 * (n - 1) - i;
  }
  return i;
}

/* the margin: the frame mirrored around it before the network and cropped off after
 * gives the same bytes as running the network on the mirrored picture itself and
 * cropping it (the input placed at the margin on all four sides, the output read there) */
static void
test_margin (void)
{
  ArtemNet *net = load ("tiny-style-a.onnx");
  GError *err = NULL;
  int w = 40, h = 24, m = 4, bw = w + 2 * m, bh = h + 2 * m;
  gsize n = (gsize) w * h * 3, bn = (gsize) bw * bh * 3;
  guint8 *src = g_malloc (n), *big = g_malloc (bn), *want = g_malloc (bn);
  guint8 *got = g_malloc (n), *plain = g_malloc (n);
  for (gsize i = 0; i < n; i++)
    src[i] = (guint8) ((i * 37) ^ (i >> 5));
  for (int y = 0; y < bh; y++)
    for (int x = 0; x < bw; x++)
      for (int c = 0; c < 3; c++)
        big[((gsize) y * bw + x) * 3 + c] =
            src[((gsize) mirror (y - m, h) * w + mirror (x - m, w)) * 3 + c];
  g_assert_true (artem_net_reshape_frame (net, bw, bh, &err));
  g_assert_true (artem_net_process_frame (net, big, bw * 3, want, bw * 3, ARTEM_FORMAT_RGB, &err));
  g_assert_true (artem_net_reshape_frame (net, w, h, &err));
  g_assert_true (artem_net_process_frame (net, src, w * 3, plain, w * 3, ARTEM_FORMAT_RGB, &err));
  artem_net_set_frame_margin (net, m);
  g_assert_cmpint (artem_net_get_frame_margin (net), ==, 0);   /* at the next reshape */
  g_assert_true (artem_net_reshape_frame (net, w, h, &err));
  g_assert_cmpint (artem_net_get_frame_margin (net), ==, m);
  g_assert_true (artem_net_process_frame (net, src, w * 3, got, w * 3, ARTEM_FORMAT_RGB, &err));
  for (int y = 0; y < h; y++)
    g_assert_cmpmem (got + (gsize) y * w * 3, w * 3,
                     want + ((gsize) (y + m) * bw + m) * 3, w * 3);
  g_assert_true (memcmp (got, plain, n) != 0);   /* the border did change */
  /* the float-plane path places and crops the same way */
  float *sp = g_new (float, n), *bp = g_new (float, bn), *so = g_new (float, n),
        *bo = g_new (float, bn);
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < bh; y++)
      for (int x = 0; x < bw; x++) {
        float v = (float) big[((gsize) y * bw + x) * 3 + c];
        bp[(gsize) c * bw * bh + (gsize) y * bw + x] = v;
        if (y >= m && y < m + h && x >= m && x < m + w)
          sp[(gsize) c * w * h + (gsize) (y - m) * w + x - m] = v;
      }
  g_assert_true (artem_net_process_planes (net, sp, so, &err));
  artem_net_set_frame_margin (net, 0);
  g_assert_true (artem_net_reshape_frame (net, bw, bh, &err));
  g_assert_true (artem_net_process_planes (net, bp, bo, &err));
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < h; y++)
      g_assert_cmpmem (so + (gsize) c * w * h + (gsize) y * w, w * sizeof (float),
                       bo + (gsize) c * bw * bh + (gsize) (y + m) * bw + m, w * sizeof (float));
  artem_net_free (net);
  /* an identity network at an odd size with a margin larger than the alignment */
  net = load ("identity-default.onnx");
  artem_net_set_frame_margin (net, 16);
  g_assert_true (artem_net_reshape_frame (net, 13, 7, &err));
  g_assert_true (artem_net_process_frame (net, src, 13 * 3, got, 13 * 3, ARTEM_FORMAT_RGB, &err));
  g_assert_cmpmem (got, 13 * 7 * 3, src, 13 * 7 * 3);
  artem_net_free (net);
  g_free (src); g_free (big); g_free (want); g_free (got); g_free (plain);
  g_free (sp); g_free (bp); g_free (so); g_free (bo);
}

/* temporal stabilisation through an identity network, frame by frame against a reference
 * written here from stabilize.h's per-pixel functions (the engine computes the 3x3 motion
 * box row-wise; the bytes must not change): a noisy still scene, a drift along the
 * edges, a moving square and a scene cut */
static void
test_stabilize_reference (void)
{
  ArtemNet *net = load ("identity-default.onnx");
  GError *err = NULL;
  const int w = 37, h = 23, frames = 7;
  gsize n = (gsize) w * h * 3;
  guint8 *base = g_malloc (n), *src = g_malloc (n), *got = g_malloc (n), *want = g_malloc (n);
  guint8 *prev = g_malloc0 (n), *ref = g_malloc0 (n);
  guint16 *motion = g_new0 (guint16, (gsize) w * h);
  for (gsize i = 0; i < n; i++)
    base[i] = (guint8) (40 + (i * 53 % 170));
  artem_net_set_frame_stabilize (net, 1.f);
  g_assert_true (artem_net_reshape_frame (net, w, h, &err));
  g_assert_no_error (err);
  guint32 seed = 12345;
  gboolean valid = FALSE;
  for (int f = 0; f < frames; f++) {
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++)
        for (int c = 0; c < 3; c++) {
          gsize i = ((gsize) y * w + x) * 3 + c;
          seed = seed * 1664525u + 1013904223u;
          int v = base[i] + (int) (seed >> 29) - 4;              /* sensor noise, +-4 */
          if (x < 2 || y < 2 || x >= w - 2 || y >= h - 2)
            v += 10 * f;              /* a drift along the edges: weights between 0 and 1 */
          if (x >= 3 + 4 * f && x < 11 + 4 * f && y >= 5 && y < 13)
            v = 250 - 30 * c;                                    /* a moving square */
          if (f == 5)
            v = 255 - v;                                         /* a scene cut */
          src[i] = (guint8) CLAMP (v, 0, 255);
        }
    g_assert_true (artem_net_process_frame (net, src, w * 3, got, w * 3, ARTEM_FORMAT_RGB, &err));
    g_assert_no_error (err);
    /* the reference */
    gboolean use = valid;
    if (use) {
      unsigned long long moved = 0;
      for (gsize p = 0; p < (gsize) w * h; p++) {
        motion[p] = (guint16) (artem_stab_absdiff (src[3 * p], ref[3 * p]) +
                               artem_stab_absdiff (src[3 * p + 1], ref[3 * p + 1]) +
                               artem_stab_absdiff (src[3 * p + 2], ref[3 * p + 2]));
        moved += artem_stab_moved (motion[p]);
      }
      use = !artem_stab_is_cut (moved, (unsigned long long) w * h);
    }
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++) {
        float k = use ? artem_stab_held_weight (motion, NULL, w, h, x, y, 1.f, 0.f) : 0.f;
        for (int c = 0; c < 3; c++) {
          gsize i = ((gsize) y * w + x) * 3 + c;
          guint8 q = artem_stab_mix (k, prev[i], src[i]);
          prev[i] = q;
          ref[i] = artem_stab_mix (k, ref[i], src[i]);
          want[i] = artem_blend_u8 (src[i], q, 1.f);
        }
      }
    valid = TRUE;
    g_assert_cmpmem (got, n, want, n);
    if (f == 2)   /* held pixels really were held: the output is not the input */
      g_assert_true (memcmp (got, src, n) != 0);
  }
  artem_net_free (net);
  g_free (base); g_free (src); g_free (got); g_free (want); g_free (prev); g_free (ref);
  g_free (motion);
}

/* the motion vectors of gpu/motion.c, written here from its comment: per 16 x 16 block
 * (clipped), still when the mean luma change in place is at most 4 levels, else the
 * least SAD + npix (|dx| + |dy|) / 50 + npix over the moved vectors within the radius,
 * if below the still vector's SAD; the previous frame's edges replicated */
static void
ref_vectors (const guint8 *cur, const guint8 *prev, int w, int h, int r, gint8 *vec)
{
  int nbx = (w + 15) / 16;
  for (int by = 0; by * 16 < h; by++)
    for (int bx = 0; bx * 16 < w; bx++) {
      int bw = MIN (16, w - bx * 16), bh = MIN (16, h - by * 16), npix = bw * bh;
      unsigned best = G_MAXUINT;
      gint8 *v = vec + 2 * (by * nbx + bx);
      for (int dy = -r; dy <= r; dy++)
        for (int dx = -r; dx <= r; dx++) {
          unsigned sad = 0;
          for (int y = by * 16; y < by * 16 + bh; y++)
            for (int x = bx * 16; x < bx * 16 + bw; x++)
              sad += (unsigned) ABS ((int) cur[y * w + x] -
                                     (int) prev[CLAMP (y + dy, 0, h - 1) * w + CLAMP (x + dx, 0, w - 1)]);
          unsigned cost = dx || dy ? sad + (unsigned) (npix * (ABS (dx) + ABS (dy)) / 50 + npix) : sad;
          if (!dx && !dy && sad <= (unsigned) npix * 4u)
            cost = 0;   /* still */
          if (cost < best || (!dx && !dy && cost <= best)) {   /* the still vector first */
            best = cost;
            v[0] = (gint8) dx;
            v[1] = (gint8) dy;
          }
        }
    }
}

/* the reference of one stabilised frame through an identity network, with vectors: the
 * history moved along them (none outside the frame: motion 765), then stabilize.h */
static void
ref_stab_frame (const guint8 *src, guint8 *prev, guint8 *ref, const gint8 *vec, int w, int h,
                gboolean use, guint8 *want)
{
  gsize n = (gsize) w * h * 3;
  guint8 *hp = g_malloc0 (n), *hr = g_malloc0 (n);
  guint16 *motion = g_new0 (guint16, (gsize) w * h);
  unsigned long long moved = 0;
  for (int p = 0; p < w * h; p++) {
    int x = p % w, y = p / w, bi = 2 * ((y / 16) * ((w + 15) / 16) + x / 16);
    int sx = x + vec[bi], sy = y + vec[bi + 1];
    motion[p] = 765;
    if (sx >= 0 && sy >= 0 && sx < w && sy < h) {
      memcpy (hp + 3 * p, prev + 3 * (sy * w + sx), 3);
      memcpy (hr + 3 * p, ref + 3 * (sy * w + sx), 3);
      motion[p] = (guint16) (artem_stab_absdiff (src[3 * p], hr[3 * p]) +
                             artem_stab_absdiff (src[3 * p + 1], hr[3 * p + 1]) +
                             artem_stab_absdiff (src[3 * p + 2], hr[3 * p + 2]));
    }
    moved += artem_stab_moved (motion[p]);
  }
  use = use && !artem_stab_is_cut (moved, (unsigned long long) w * h);
  for (int p = 0; p < w * h; p++) {
    float k = use ? artem_stab_held_weight (motion, NULL, w, h, p % w, p / w, 1.f, 0.f) : 0.f;
    for (int c = 0; c < 3; c++) {
      int i = 3 * p + c;
      prev[i] = artem_stab_mix (k, hp[i], src[i]);
      ref[i] = artem_stab_mix (k, hr[i], src[i]);
      want[i] = prev[i];
    }
  }
  g_free (hp); g_free (hr); g_free (motion);
}

/* the stabilisation with a motion search (radius 6) against the reference above, frame
 * by frame, bytes equal: a textured scene panning 3 px right and 1 px down a frame
 * (edges clipped: partial blocks), a square moving 5 px a frame, sensor noise */
static void
test_stabilize_motion_reference (void)
{
  ArtemNet *net = load ("identity-default.onnx");
  GError *err = NULL;
  const int w = 53, h = 37, frames = 7;
  gsize n = (gsize) w * h * 3;
  guint8 *src = g_malloc (n), *got = g_malloc (n), *want = g_malloc (n);
  guint8 *prev = g_malloc0 (n), *ref = g_malloc0 (n), *luma[2] = { g_malloc (w * h), g_malloc (w * h) };
  gint8 *vec = g_malloc0 (2 * 4 * 3);
  artem_net_set_frame_stabilize (net, 1.f);
  artem_net_set_frame_motion_search (net, 6);
  g_assert_true (artem_net_reshape_frame (net, w, h, &err));
  guint32 seed = 777;
  int moving_frames = 0;
  for (int f = 0; f < frames; f++) {
    for (int p = 0; p < w * h; p++)
      for (int c = 0; c < 3; c++) {
        int x = p % w - 3 * f, y = p / w - f;
        guint hsh = ((guint) (x + 100) * 2654435761u) ^ ((guint) (y + 100) * 40503u);
        hsh ^= hsh >> 15;
        seed = seed * 1664525u + 1013904223u;
        int v = 50 + (int) ((hsh >> 8) % 120) + 20 * c + (int) (seed >> 30) - 2;
        if (p % w >= 5 + 5 * f && p % w < 15 + 5 * f && p / w >= 20 && p / w < 30)
          v = 240 - 20 * c;
        src[3 * p + c] = (guint8) CLAMP (v, 0, 255);
      }
    g_assert_true (artem_net_process_frame (net, src, w * 3, got, w * 3, ARTEM_FORMAT_RGB, &err));
    g_assert_no_error (err);
    for (int p = 0; p < w * h; p++)
      luma[f & 1][p] = (guint8) ((77u * src[3 * p] + 150u * src[3 * p + 1] + 29u * src[3 * p + 2] + 128u) >> 8);
    memset (vec, 0, 2 * 4 * 3);
    if (f > 0)
      ref_vectors (luma[f & 1], luma[(f + 1) & 1], w, h, 6, vec);
    gboolean any = FALSE;
    for (int b = 0; b < 24; b++)
      any |= vec[b] != 0;
    moving_frames += any;
    ref_stab_frame (src, prev, ref, vec, w, h, f > 0, want);
    g_assert_cmpmem (got, n, want, n);
  }
  g_assert_cmpint (moving_frames, >=, frames - 2);   /* the vectors were used */
  artem_net_free (net);
  g_free (src); g_free (got); g_free (want); g_free (prev); g_free (ref);
  g_free (luma[0]); g_free (luma[1]); g_free (vec);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  datadir = g_getenv ("ARTEM_TEST_DATA");
  g_assert_nonnull (datadir);
  g_test_add_func ("/frame/ranges", test_ranges);
  g_test_add_func ("/frame/formats-and-alpha", test_formats_and_alpha);
  g_test_add_func ("/frame/odd-size-no-allocation", test_odd_size_no_alloc);
  g_test_add_func ("/frame/strength", test_strength);
  g_test_add_func ("/frame/submit-receive", test_submit_receive);
  g_test_add_func ("/frame/margin", test_margin);
  g_test_add_func ("/frame/stabilize-reference", test_stabilize_reference);
  g_test_add_func ("/frame/stabilize-motion-reference", test_stabilize_motion_reference);
  return g_test_run ();
}
