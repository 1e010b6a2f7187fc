/* motion.c — block motion between consecutive input frames, for the temporal
 * stabilisation (stabilize.h): where the scene moves (a pan, a walking figure), the held
 * output and its input are moved along with it before the per-pixel rule, so what only
 * moved keeps its styled texture instead of being styled afresh (and flickering).
 *
 * On luma bytes of the current and the previous input, each ARTEM_STAB_BLOCK-square block
 * of the current frame (clipped at the right and bottom) gets the integer vector (dx, dy),
 * |dx|, |dy| <= radius, with the least cost
 *     SAD (cur block, prev block moved by (dx, dy)) + npix * (|dx| + |dy|) / 50
 *       + npix * MOVED_COST where (dx, dy) is not (0, 0)
 * the previous frame's edges replicated outward; ties go to the first vector in the
 * order dy, then dx, from -radius.  A block whose luma changed in place by at most
 * STILL_LEVELS on average (the per-pixel rule holds such a change as it is) is not
 * searched: a smooth gradient brightened by a few levels looks like a shift of it, and
 * moving its held output would move the painted texture for no motion.  The penalties
 * keep a block still unless moving it matches clearly better: by MOVED_COST levels a
 * pixel (sensor noise on a smooth scene otherwise finds shifts that match in luma but
 * not in colour, and the pixels they move are then styled afresh: a still noisy scene
 * flickered), then by about 0.02 levels a pixel per step of length.
 * Measured (doc/models.md, default-style, Megamind.avi at 384x288, flicker ratio): no
 * search 1.39; MOVED_COST 0 or 0.5 without the still test 1.19 and 1.18; with it,
 * STILL_LEVELS 2, 4, 6: 1.18, 1.19, 1.21 (6 keeps more slow motion unfollowed; 4
 * still passes the harness test of a 4-level brightening).  A block whose inside is
 * flat was also tried as still (no search): no change on the clips.  So was a choice per
 * pixel between the moved history and its own place, whichever matches the new input
 * better: street clip 0.81 -> 0.77, cartoon clip 1.19 -> 1.24, more stale pixels on both
 * (1.0 -> 1.4 %, 3.6 -> 4.2 %): the per-pixel minimum also picks matches of noise.
 * A moved pixel is still checked by the per-pixel rule (the moved history's input
 * against the new input), so a wrong vector mostly costs a fresh pixel; but where both
 * are flat, what the network painted there can come along: a glow it paints around an
 * object that moved away (tests/gst/test-artemstylize.c, test_stabilize_glow_*: 21
 * levels left with the glow guard on, 13-16 without a search).  On real video the search
 * leaves fewer trails, not more (doc/models.md, the stale fraction).  Host code, for
 * both backends (the CUDA backend uploads the vectors). */
#include "net-private.h"
#include "stabilize.h"
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define MOVED_COST 1u     /* levels a pixel a moved vector must match better by */
#define STILL_LEVELS 4u   /* a block whose luma changed no more in place (mean) stays still */

void
artem_motion_luma (const guint8 *src, gsize stride, int bpp, const int *off, int w, int h,
                   guint8 *dst)
{
#pragma omp parallel for schedule(static) if ((gsize) w * h >= ((gsize) 1 << 18))
  for (int y = 0; y < h; y++) {
    const guint8 *s = src + (gsize) y * stride;
    guint8 *d = dst + (gsize) y * w;
    for (int x = 0; x < w; x++)
      d[x] = (guint8) ((77u * s[x * bpp + off[0]] + 150u * s[x * bpp + off[1]] +
                        29u * s[x * bpp + off[2]] + 128u) >> 8);
  }
}

/* the sum of |a - b| over n bytes */
static inline unsigned
sad_row (const guint8 *a, const guint8 *b, int n)
{
  unsigned s = 0;
  int i = 0;
#if defined(__SSE2__)
  if (n == 16) {
    __m128i d = _mm_sad_epu8 (_mm_loadu_si128 ((const __m128i *) a),
                              _mm_loadu_si128 ((const __m128i *) b));
    return (unsigned) (_mm_cvtsi128_si32 (d) + _mm_extract_epi16 (d, 4));
  }
#endif
  for (; i < n; i++)
    s += a[i] > b[i] ? a[i] - b[i] : b[i] - a[i];
  return s;
}

/* the previous frame with its edges replicated r pixels outward: (w + 2r) x (h + 2r) */
static void
pad_prev (const guint8 *prev, int w, int h, int r, guint8 *pad)
{
  int pw = w + 2 * r;
  for (int y = 0; y < h + 2 * r; y++) {
    const guint8 *s = prev + (gsize) CLAMP (y - r, 0, h - 1) * w;
    guint8 *d = pad + (gsize) y * pw;
    memset (d, s[0], r);
    memcpy (d + r, s, w);
    memset (d + r + w, s[w - 1], r);
  }
}

/* the best vector of the block at (x0, y0), bw x bh pixels */
static void
block_search (const guint8 *cur, const guint8 *pad, int w, int r, int x0, int y0, int bw,
              int bh, gint8 *v)
{
  int pw = w + 2 * r;
  unsigned best = 0;
  for (int y = 0; y < bh; y++)
    best += sad_row (cur + (gsize) (y0 + y) * w + x0, pad + (gsize) (y0 + y + r) * pw + x0 + r, bw);
  v[0] = v[1] = 0;
  if (best <= (unsigned) (bw * bh) * STILL_LEVELS)
    return;   /* still: the per-pixel rule holds it as it is */
  for (int dy = -r; dy <= r; dy++)
    for (int dx = -r; dx <= r; dx++) {
      if (!dx && !dy)
        continue;
      unsigned cost = (unsigned) (bw * bh) * (unsigned) (abs (dx) + abs (dy)) / 50u;
      cost += (unsigned) (bw * bh) * MOVED_COST;
      for (int y = 0; y < bh && cost < best; y++)
        cost += sad_row (cur + (gsize) (y0 + y) * w + x0,
                         pad + (gsize) (y0 + y + dy + r) * pw + x0 + dx + r, bw);
      if (cost < best) {
        best = cost;
        v[0] = (gint8) dx;
        v[1] = (gint8) dy;
      }
    }
}

gboolean
artem_motion_search (const guint8 *cur, const guint8 *prev, int w, int h, int radius,
                     guint8 *scratch, gint8 *vec)
{
  const int b = ARTEM_STAB_BLOCK, nbx = (w + b - 1) / b, nby = (h + b - 1) / b;
  int r = CLAMP (radius, 0, ARTEM_STAB_MAX_SEARCH);
  pad_prev (prev, w, h, r, scratch);
  int moving = 0;
#pragma omp parallel for schedule(dynamic) reduction(|:moving)
  for (int by = 0; by < nby; by++)
    for (int bx = 0; bx < nbx; bx++) {
      gint8 *v = vec + 2 * ((gsize) by * nbx + bx);
      block_search (cur, scratch, w, r, bx * b, by * b, MIN (b, w - bx * b), MIN (b, h - by * b),
                    v);
      moving |= v[0] != 0 || v[1] != 0;
    }
  return moving != 0;
}

gsize
artem_motion_scratch_size (int w, int h)
{
  return (gsize) (w + 2 * ARTEM_STAB_MAX_SEARCH) * (h + 2 * ARTEM_STAB_MAX_SEARCH);
}
