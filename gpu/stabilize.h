/* stabilize.h — temporal stabilisation of styled frames, the maths shared by the CPU
 * (frame.c) and the CUDA kernels (gpu/cuda/frame.cu), so both give the same bytes.
 *
 * Per pixel the engine keeps the styled output it last showed (prev, RGB bytes) and the
 * input that output was made from (ref, RGB bytes).  For a new frame:
 *   motion  m = |r - ref_r| + |g - ref_g| + |b - ref_b|         (0..765)
 *   d       = the mean of m over the 3x3 neighbourhood / 3       (mean level change,
 *             edges clamped; 9 pixels x 3 channels average out sensor noise)
 *   weight  k = KEEP * amount * clamp ((HI - d) / (HI - LO), 0, 1)
 *   out     = k * prev + (1 - k) * styled,   ref = k * ref + (1 - k) * input
 * so a pixel whose input stayed within LO levels of the input its output came from keeps
 * that output (all but 1 - KEEP of it a frame), one that changed by HI or more (a moving
 * object) is shown fresh, and a slow drift adds up against ref until it is refreshed.
 * KEEP < 1 lets a held output follow the network where the scene did not move but the
 * network's view of it did (instance normalisation sees the whole frame: light changes,
 * something entering elsewhere), within about 1 / (1 - KEEP) frames.
 * Glow guard: a pixel whose input did not change can still need a fresh output, where a
 * network paints a halo or glow around a moving object: the halo falls on still
 * background and, held, would stay behind as a trail after the object left.  So the
 * held weight is also scaled down where the network's fresh output is, on average over a
 * neighbourhood, brighter or darker than the held one.  The difference is signed, so the
 * network's texture flicker (as often up as down) cancels out over 5x5 pixels while a
 * halo that left (all one way) does not:
 *   gap     g = (styled - prev) summed over the channels        (-765..765)
 *   e       = |the mean of g over the 5x5 neighbourhood| / 3    (edges clamped)
 *   k      *= 1 - guard * (1 - clamp ((GLOW_HI - e) / (GLOW_HI - GLOW_LO), 0, 1))
 * guard (artem_net_set_frame_glow_guard, the elements' glow-guard) is 0 by default: on
 * real video the guard also refreshes where a network's own output drifts in broad
 * patches, which raised the flicker ratio (doc/models.md), so it is the user's choice.
 * Motion: with a motion search (artem_net_set_frame_motion_search, the elements'
 * motion-search), the history is first moved along the scene: each BLOCK x BLOCK block of
 * the new frame has a vector (gpu/motion.c finds it on the host, between the previous
 * and the new input), and a pixel's prev and ref are read at its position plus its
 * block's vector (artem_stab_source); a pixel whose source lies outside the frame has
 * no history (m = 765: fresh).  All vectors zero is the rule above, byte for byte.
 * Scene cut: when more than CUT of the frame's pixels moved by HI or more (unfiltered),
 * the whole frame is shown fresh (k = 0), so nothing of the old scene's output is held
 * where the new one happens to have the same colours (a cut from black).  The first frame
 * after a reset (caps change, new model or style, flush) has no history: k = 0. */
#ifndef ARTEM_STABILIZE_H
#define ARTEM_STABILIZE_H

#define ARTEM_STAB_LO 6.0f    /* mean level change still taken as "unchanged" */
#define ARTEM_STAB_HI 30.0f   /* mean level change taken as motion: shown fresh */
#define ARTEM_STAB_KEEP 0.9f  /* the most of the old output a pixel keeps each frame */
#define ARTEM_STAB_CUT 0.5f   /* the fraction of moved pixels taken as a scene cut */
#define ARTEM_STAB_GLOW_LO 8.0f   /* mean gap (5x5, levels) of fresh vs held still held */
#define ARTEM_STAB_GLOW_HI 24.0f  /* mean gap (5x5, levels) taken as a halo that left */
#define ARTEM_STAB_GLOW_R 2       /* the guard's neighbourhood: (2R+1) x (2R+1) */

#define ARTEM_STAB_BLOCK 16       /* the motion search's block side, pixels */
#define ARTEM_STAB_MAX_SEARCH 16  /* the largest search radius, pixels a frame */

#if defined(__CUDACC__)
#define ARTEM_STAB_FN static __host__ __device__ __forceinline__
#else
#define ARTEM_STAB_FN static inline
#endif

/* the box sum of a w x h map over the (2r+1) x (2r+1) neighbourhood of (x, y), edges
 * clamped (the CPU and the CUDA kernels call the same code); T unsigned short for the
 * motion map, short for the signed gap map */
#define ARTEM_STAB_BOX(name, T, R)                                                      \
  ARTEM_STAB_FN R                                                                       \
  name (const T *m, int w, int h, int x, int y, int r)                                  \
  {                                                                                     \
    R sum = 0;                                                                          \
    for (int dy = -r; dy <= r; dy++) {                                                  \
      int yy = y + dy < 0 ? 0 : (y + dy > h - 1 ? h - 1 : y + dy);                      \
      const T *row = m + (unsigned long long) yy * w;                                   \
      for (int dx = -r; dx <= r; dx++)                                                  \
        sum += row[x + dx < 0 ? 0 : (x + dx > w - 1 ? w - 1 : x + dx)];                 \
    }                                                                                   \
    return sum;                                                                         \
  }
ARTEM_STAB_BOX (artem_stab_box, unsigned short, unsigned)
ARTEM_STAB_BOX (artem_stab_box_signed, short, int)

/* box: the sum of m over the (edge-clamped) 3x3 neighbourhood */
ARTEM_STAB_FN float
artem_stab_weight (unsigned box, float amount)
{
  float d = (float) box * (1.0f / 27.0f);
  float t = (ARTEM_STAB_HI - d) * (1.0f / (ARTEM_STAB_HI - ARTEM_STAB_LO));
  t = t < 0.0f ? 0.0f : (t > 1.0f ? 1.0f : t);
  return ARTEM_STAB_KEEP * amount * t;
}

/* box: the sum of the signed gap g over the (edge-clamped) 5x5 neighbourhood; the factor
 * of the held weight at guard 1 (guard g: 1 - g * (1 - factor)) */
ARTEM_STAB_FN float
artem_stab_guard (int box, float guard)
{
  float e = (float) (box < 0 ? -box : box) *
            (1.0f / (3.0f * (2 * ARTEM_STAB_GLOW_R + 1) * (2 * ARTEM_STAB_GLOW_R + 1)));
  float t = (ARTEM_STAB_GLOW_HI - e) * (1.0f / (ARTEM_STAB_GLOW_HI - ARTEM_STAB_GLOW_LO));
  t = t < 0.0f ? 0.0f : (t > 1.0f ? 1.0f : t);
  return 1.0f - guard * (1.0f - t);
}

/* m (a pixel's motion, 0..765): whether it moved, for the scene-cut count */
ARTEM_STAB_FN unsigned
artem_stab_moved (unsigned m)
{
  return m >= (unsigned) (3.0f * ARTEM_STAB_HI) ? 1u : 0u;
}

/* whether `moved` pixels of n make a scene cut */
ARTEM_STAB_FN int
artem_stab_is_cut (unsigned long long moved, unsigned long long n)
{
  return (double) moved > (double) ARTEM_STAB_CUT * (double) n;
}

/* k * old + (1 - k) * v, rounded and clamped to a byte (NaN, a broken model, is 0) */
ARTEM_STAB_FN unsigned char
artem_stab_mix (float k, float old, float v)
{
  float r = k * old + (1.0f - k) * v + 0.5f;
  r = r > 0.0f ? (r < 255.0f ? r : 255.0f) : 0.0f;
  return (unsigned char) r;
}

ARTEM_STAB_FN unsigned
artem_stab_absdiff (unsigned char a, unsigned char b)
{
  return a > b ? (unsigned) (a - b) : (unsigned) (b - a);
}

/* a pixel's motion (0..765): its new input s0 s1 s2 against the input r its history was
 * made from, summed over the channels */
ARTEM_STAB_FN unsigned
artem_stab_pixel_motion (unsigned char s0, unsigned char s1, unsigned char s2,
                         const unsigned char *r)
{
  return artem_stab_absdiff (s0, r[0]) + artem_stab_absdiff (s1, r[1]) +
         artem_stab_absdiff (s2, r[2]);
}

/* a pixel's gap: the fresh styled values v[c] (levels, before rounding) against the held
 * bytes, summed over the channels */
ARTEM_STAB_FN int
artem_stab_gap (float v0, float v1, float v2, const unsigned char *held)
{
  return (int) artem_stab_mix (0.0f, 0.0f, v0) - (int) held[0] +
         (int) artem_stab_mix (0.0f, 0.0f, v1) - (int) held[1] +
         (int) artem_stab_mix (0.0f, 0.0f, v2) - (int) held[2];
}

/* the bytes of the motion vectors of a w x h frame: dx, dy per block, row by row */
ARTEM_STAB_FN unsigned long long
artem_stab_vec_bytes (int w, int h)
{
  return 2ull * (unsigned long long) ((w + ARTEM_STAB_BLOCK - 1) / ARTEM_STAB_BLOCK) *
         (unsigned long long) ((h + ARTEM_STAB_BLOCK - 1) / ARTEM_STAB_BLOCK);
}

/* the history pixel that (x, y) continues: (x, y) moved by its block's vector (vec: dx,
 * dy per block, (w + BLOCK - 1) / BLOCK blocks a row); -1 outside the frame */
ARTEM_STAB_FN long long
artem_stab_source (const signed char *vec, int w, int h, int x, int y)
{
  const signed char *v = vec + 2 * ((y / ARTEM_STAB_BLOCK) * ((w + ARTEM_STAB_BLOCK - 1) /
                                                           ARTEM_STAB_BLOCK) + x / ARTEM_STAB_BLOCK);
  int sx = x + v[0], sy = y + v[1];
  if (sx < 0 || sy < 0 || sx >= w || sy >= h)
    return -1;
  return (long long) sy * w + sx;
}

/* the held output's weight at (x, y): the motion rule, then (guard > 0) the glow guard */
ARTEM_STAB_FN float
artem_stab_held_weight (const unsigned short *motion, const short *gap, int w, int h, int x,
                        int y, float amount, float guard)
{
  float k = artem_stab_weight (artem_stab_box (motion, w, h, x, y, 1), amount);
  if (k > 0.0f && guard > 0.0f)
    k *= artem_stab_guard (artem_stab_box_signed (gap, w, h, x, y, ARTEM_STAB_GLOW_R), guard);
  return k;
}

#endif
