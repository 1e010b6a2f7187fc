/* convert.cu — fp32 NCHW (the engine's host layout) to and from the backend's activation
 * storage (fp16 or fp32, NCHW or NHWC): inputs, outputs and uploaded constants. */
#include "common.cuh"

template <typename T>
__global__ void
from_f32 (const float *src, T *dst, ArtemCuDims d, idx_t n)
{
  GRID_STRIDE (i, n) {
    idx_t a, c, h, w;
    coords4 (d, i, &a, &c, &h, &w);
    st (dst, i, src[((a * d.c + c) * d.h + h) * d.w + w]);
  }
}

template <typename T>
__global__ void
to_f32 (const T *src, float *dst, ArtemCuDims d, idx_t n)
{
  GRID_STRIDE (i, n) {
    idx_t a, c, h, w;
    coords4 (d, i, &a, &c, &h, &w);
    dst[((a * d.c + c) * d.h + h) * d.w + w] = ld (src, i);
  }
}

extern "C" int
artem_cu_from_f32_nchw (const float *src, void *dst, ArtemCuDims d, int half,
                        ArtemCuStream stream)
{
  idx_t n = numel4 (d);
  if (half)
    LAUNCH (from_f32, grid_for (n, 256), 256, stream, src, (__half *) dst, d, n);
  else
    LAUNCH (from_f32, grid_for (n, 256), 256, stream, src, (float *) dst, d, n);
  return LAUNCH_STATUS ();
}

extern "C" int
artem_cu_to_f32_nchw (const void *src, float *dst, ArtemCuDims d, int half, ArtemCuStream stream)
{
  idx_t n = numel4 (d);
  if (half)
    LAUNCH (to_f32, grid_for (n, 256), 256, stream, (const __half *) src, dst, d, n);
  else
    LAUNCH (to_f32, grid_for (n, 256), 256, stream, (const float *) src, dst, d, n);
  return LAUNCH_STATUS ();
}
