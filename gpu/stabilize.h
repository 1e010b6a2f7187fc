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
 * Scene cut: when more than CUT of the frame's pixels moved by HI or more (unfiltered),
 * the whole frame is shown fresh (k = 0), so nothing of the old scene's output is held
 * where the new one happens to have the same colours (a cut from black).  The first frame
 * after a reset (caps change, new model or style, flush) has no history: k = 0. */
#ifndef ARTEM_STABILIZE_H
#define ARTEM_STABILIZE_H

#define ARTEM_STAB_LO 6.0f    /* mean level change still taken as "unchanged" */
#define ARTEM_STAB_HI 18.0f   /* mean level change taken as motion: shown fresh */
#define ARTEM_STAB_KEEP 0.9f  /* the most of the old output a pixel keeps each frame */
#define ARTEM_STAB_CUT 0.5f   /* the fraction of moved pixels taken as a scene cut */

#if defined(__CUDACC__)
#define ARTEM_STAB_FN static __host__ __device__ __forceinline__
#else
#define ARTEM_STAB_FN static inline
#endif

/* box: the sum of m over the (edge-clamped) 3x3 neighbourhood */
ARTEM_STAB_FN float
artem_stab_weight (unsigned box, float amount)
{
  float d = (float) box * (1.0f / 27.0f);
  float t = (ARTEM_STAB_HI - d) * (1.0f / (ARTEM_STAB_HI - ARTEM_STAB_LO));
  t = t < 0.0f ? 0.0f : (t > 1.0f ? 1.0f : t);
  return ARTEM_STAB_KEEP * amount * t;
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

#endif
