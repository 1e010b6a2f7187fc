/* gather.cu — 4-D gather through per-axis index maps: Pad (constant, reflect, edge),
 * Resize / Upsample (nearest) and Slice, with the maps the CPU operator computed
 * (ArtemGatherMaps, op-params.h), so both backends index identically; and linear Resize /
 * Upsample (bilinear) through the taps the operator computed (ArtemLinearTaps). */
#include "common.cuh"

template <typename T>
__global__ void
gather4 (const T *x, ArtemCuDims xd, T *y, ArtemCuDims yd, const int *maps, float fill,
         idx_t n)
{
  const int *mn = maps, *mc = mn + yd.n, *mh = mc + yd.c, *mw = mh + yd.h;
  GRID_STRIDE (i, n) {
    idx_t a, c, h, w;
    coords4 (yd, i, &a, &c, &h, &w);
    int sa = mn[a], sc = mc[c], sh = mh[h], sw = mw[w];
    float v = fill;
    if (sa >= 0 && sc >= 0 && sh >= 0 && sw >= 0)
      v = ld (x, off4 (xd, sa, sc, sh, sw));
    st (y, i, v);
  }
}

extern "C" int
artem_cu_gather4 (const void *x, ArtemCuDims xd, void *y, ArtemCuDims yd, int half,
                  const int *maps, float fill, ArtemCuStream stream)
{
  idx_t n = numel4 (yd);
  if (half)
    LAUNCH (gather4, grid_for (n, 256), 256, stream, (const __half *) x, xd, (__half *) y, yd,
                                                    maps, fill, n);
  else
    LAUNCH (gather4, grid_for (n, 256), 256, stream, (const float *) x, xd, (float *) y, yd,
                                                    maps, fill, n);
  return LAUNCH_STATUS ();
}

/* taps: y0[oh], y1[oh], x0[ow], x1[ow] (int), then wy[oh], wx[ow] (float), as the CPU's
 * linear_run */
template <typename T>
__global__ void
resize_linear (const T *x, ArtemCuDims xd, T *y, ArtemCuDims yd, const int *taps, idx_t n)
{
  const int *y0 = taps, *y1 = y0 + yd.h, *x0 = y1 + yd.h, *x1 = x0 + yd.w;
  const float *wy = (const float *) (x1 + yd.w), *wx = wy + yd.h;
  GRID_STRIDE (i, n) {
    idx_t a, c, h, w;
    coords4 (yd, i, &a, &c, &h, &w);
    float r00 = ld (x, off4 (xd, a, c, y0[h], x0[w])), r01 = ld (x, off4 (xd, a, c, y0[h], x1[w]));
    float r10 = ld (x, off4 (xd, a, c, y1[h], x0[w])), r11 = ld (x, off4 (xd, a, c, y1[h], x1[w]));
    float top = r00 + wx[w] * (r01 - r00), bot = r10 + wx[w] * (r11 - r10);
    st (y, i, top + wy[h] * (bot - top));
  }
}

extern "C" int
artem_cu_resize_linear (const void *x, ArtemCuDims xd, void *y, ArtemCuDims yd, int half,
                        const int *taps, ArtemCuStream stream)
{
  idx_t n = numel4 (yd);
  if (half)
    LAUNCH (resize_linear, grid_for (n, 256), 256, stream, (const __half *) x, xd, (__half *) y,
                                                          yd, taps, n);
  else
    LAUNCH (resize_linear, grid_for (n, 256), 256, stream, (const float *) x, xd, (float *) y,
                                                          yd, taps, n);
  return LAUNCH_STATUS ();
}
