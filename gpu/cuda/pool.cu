/* pool.cu — 2-D MaxPool (kernel, strides, dilations, pads; padded taps are skipped). */
#include "common.cuh"

template <typename T>
__global__ void
max_pool (const T *x, ArtemCuDims xd, T *y, ArtemCuDims yd, int kh, int kw, int sh, int sw,
          int dh, int dw, int pt, int pl, idx_t n)
{
  GRID_STRIDE (i, n) {
    idx_t a, c, oh, ow;
    coords4 (yd, i, &a, &c, &oh, &ow);
    float m = -INFINITY;
    for (int r = 0; r < kh; r++) {
      int ih = (int) oh * sh - pt + r * dh;
      if (ih < 0 || ih >= xd.h)
        continue;
      for (int s = 0; s < kw; s++) {
        int iw = (int) ow * sw - pl + s * dw;
        if (iw < 0 || iw >= xd.w)
          continue;
        m = fmaxf (m, ld (x, off4 (xd, a, c, ih, iw)));
      }
    }
    st (y, i, m);
  }
}

extern "C" int
artem_cu_max_pool (const void *x, ArtemCuDims xd, void *y, ArtemCuDims yd, int half, int kh,
                   int kw, int sh, int sw, int dh, int dw, int pt, int pl, ArtemCuStream stream)
{
  idx_t n = numel4 (yd);
  if (half)
    LAUNCH (max_pool, grid_for (n, 256), 256, stream, (const __half *) x, xd, (__half *) y, yd,
                                                     kh, kw, sh, sw, dh, dw, pt, pl, n);
  else
    LAUNCH (max_pool, grid_for (n, 256), 256, stream, (const float *) x, xd, (float *) y, yd,
                                                     kh, kw, sh, sw, dh, dw, pt, pl, n);
  return LAUNCH_STATUS ();
}
