/* gather.cu — 4-D gather through per-axis index maps: Pad (constant, reflect, edge),
 * Resize / Upsample (nearest) and Slice, with the maps the CPU operator computed
 * (ArtemGatherMaps, op-params.h), so both backends index identically. */
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
