/* frame.cu — 8-bit packed RGB-family frames to and from network tensors on the GPU: range
 * scaling, reflection padding to the network's alignment, cropping, rounding, clamping,
 * the strength blend with the source frame and the pass-through of the 4th byte.
 * params (device, fp32): in_lo, in_scale, out_lo, out_scale, strength. */
#include "common.cuh"

static __device__ __forceinline__ int
reflect (int i, int n)
{
  if (n == 1)
    return 0;
  while (i < 0 || i >= n) {
    if (i < 0) i = -i;
    if (i >= n) i = 2 * (n - 1) - i;
  }
  return i;
}

struct Offs { int o[4]; };

template <typename T>
__global__ void
to_tensor (const uint8_t *src, int w, int h, int bpp, Offs off, T *dst, ArtemCuDims d,
           const float *params, idx_t n)
{
  float lo = params[0], scale = params[1];
  GRID_STRIDE (i, n) {
    idx_t a, c, y, x;
    coords4 (d, i, &a, &c, &y, &x);
    int sy = reflect ((int) y, h), sx = reflect ((int) x, w);
    st (dst, i, lo + scale * (float) src[((size_t) sy * w + sx) * bpp + off.o[c]]);
  }
}

extern "C" int
artem_cu_frame_to_tensor (const uint8_t *src, int w, int h, int bpp, const int *off, void *dst,
                          ArtemCuDims d, int half, const float *params, ArtemCuStream stream)
{
  Offs o = { { off[0], off[1], off[2], off[3] } };
  idx_t n = numel4 (d);
  if (half)
    LAUNCH (to_tensor, grid_for (n, 256), 256, stream, src, w, h, bpp, o, (__half *) dst, d,
                                                      params, n);
  else
    LAUNCH (to_tensor, grid_for (n, 256), 256, stream, src, w, h, bpp, o, (float *) dst, d,
                                                      params, n);
  return LAUNCH_STATUS ();
}

/* one thread per output pixel */
template <typename T>
__global__ void
to_frame (const T *yv, ArtemCuDims d, const uint8_t *src, uint8_t *dst, int w, int h, int bpp,
          Offs off, const float *params, idx_t n)
{
  float lo = params[2], scale = params[3], strength = params[4];
  GRID_STRIDE (i, n) {
    idx_t y = i / w, x = i % w;
    size_t p = (size_t) i * bpp;
    for (int c = 0; c < 3; c++) {
      float v = (ld (yv, off4 (d, 0, c, y, x)) - lo) * scale;
      if (strength < 1.f) {
        float s = src[p + off.o[c]];
        v = s + strength * (v - s);
      }
      v += 0.5f;
      v = v > 0.f ? (v < 255.f ? v : 255.f) : 0.f;   /* NaN (a broken model) is 0 */
      dst[p + off.o[c]] = (uint8_t) v;
    }
    if (off.o[3] >= 0)
      dst[p + off.o[3]] = src[p + off.o[3]];
  }
}

extern "C" int
artem_cu_tensor_to_frame (const void *y, ArtemCuDims d, int half, const uint8_t *src,
                          uint8_t *dst, int w, int h, int bpp, const int *off,
                          const float *params, ArtemCuStream stream)
{
  Offs o = { { off[0], off[1], off[2], off[3] } };
  idx_t n = (idx_t) w * h;
  if (half)
    LAUNCH (to_frame, grid_for (n, 256), 256, stream, (const __half *) y, d, src, dst, w, h, bpp,
                                                     o, params, n);
  else
    LAUNCH (to_frame, grid_for (n, 256), 256, stream, (const float *) y, d, src, dst, w, h, bpp,
                                                     o, params, n);
  return LAUNCH_STATUS ();
}
