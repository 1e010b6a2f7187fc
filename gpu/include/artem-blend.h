/* artem-blend.h — the strength blend and the rounding of a value to a byte, one
 * definition for the three places that write output pixels: the engine's CPU frame path
 * (gpu/frame.c), its CUDA kernel (gpu/cuda/frame.cu) and the elements' compose of a
 * scaled or colour-preserving frame (gst/artemcolor.c).  Host and device code. */
#ifndef ARTEM_BLEND_H
#define ARTEM_BLEND_H

#if defined(__CUDACC__)
#define ARTEM_BLEND_FN static __host__ __device__ __forceinline__
#else
#define ARTEM_BLEND_FN static inline
#endif

/* src + strength * (styled - src), rounded to the nearest level and clamped to 0..255;
 * NaN (a broken model) gives 0.  strength >= 1 is the styled value itself. */
ARTEM_BLEND_FN unsigned char
artem_blend_u8 (float src, float styled, float strength)
{
  float v = strength < 1.f ? src + strength * (styled - src) : styled;
  v += 0.5f;
  v = v > 0.f ? (v < 255.f ? v : 255.f) : 0.f;
  return (unsigned char) v;
}

#endif
