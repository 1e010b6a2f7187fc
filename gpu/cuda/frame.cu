/* frame.cu — 8-bit packed RGB-family frames to and from network tensors on the GPU: range
 * scaling, reflection padding to the network's alignment, cropping, rounding, clamping,
 * temporal stabilisation (../stabilize.h, as the CPU's frame.c), the strength blend with
 * the source frame and the pass-through of the 4th byte.
 * params (device, fp32): in_lo, in_scale, out_lo, out_scale, strength, stabilize amount,
 * history usable (1/0), glow guard. */
#include "common.cuh"
#include "../stabilize.h"
#include "../include/artem-blend.h"
#include "../reflect.h"

struct Offs { int o[4]; };

template <typename T>
__global__ void
to_tensor (const uint8_t *src, int w, int h, int ox, int oy, int bpp, Offs off, T *dst,
           ArtemCuDims d, const float *params, idx_t n)
{
  float lo = params[0], scale = params[1];
  GRID_STRIDE (i, n) {
    idx_t a, c, y, x;
    coords4 (d, i, &a, &c, &y, &x);
    int sy = artem_reflect_index ((int) y - oy, h), sx = artem_reflect_index ((int) x - ox, w);
    st (dst, i, lo + scale * (float) src[((size_t) sy * w + sx) * bpp + off.o[c]]);
  }
}

extern "C" int
artem_cu_frame_to_tensor (const uint8_t *src, int w, int h, int ox, int oy, int bpp,
                          const int *off, void *dst, ArtemCuDims d, int half,
                          const float *params, ArtemCuStream stream)
{
  Offs o = { { off[0], off[1], off[2], off[3] } };
  idx_t n = numel4 (d);
  if (half)
    LAUNCH (to_tensor, grid_for (n, 256), 256, stream, src, w, h, ox, oy, bpp, o,
                                                      (__half *) dst, d, params, n);
  else
    LAUNCH (to_tensor, grid_for (n, 256), 256, stream, src, w, h, ox, oy, bpp, o,
                                                      (float *) dst, d, params, n);
  return LAUNCH_STATUS ();
}

/* one thread per pixel: the history moved along the vectors (artem_stab_source), then
 * |src - moved ref| summed over the channels (765 where the history has no source); the
 * moved pixels counted per block, then added to *st.moved */
__global__ void
motion (const uint8_t *src, int w, int h, int bpp, Offs off, ArtemCuStab st,
        const float *params, idx_t n)
{
  if (params[5] <= 0.f || params[6] <= 0.f)
    return;
  unsigned moved = 0;
  GRID_STRIDE (i, n) {
    size_t p = (size_t) i * bpp;
    long long q = artem_stab_source (st.vec, w, h, (int) (i % w), (int) (i / w));
    uint8_t *hr = st.href + (size_t) i * 3, *hp = st.hprev + (size_t) i * 3;
    unsigned m = 765;
    for (int c = 0; c < 3; c++) {
      hr[c] = q < 0 ? 0 : st.ref[q * 3 + c];
      hp[c] = q < 0 ? 0 : st.prev[q * 3 + c];
    }
    if (q >= 0)
      m = artem_stab_pixel_motion (src[p + off.o[0]], src[p + off.o[1]], src[p + off.o[2]], hr);
    st.motion[i] = (uint16_t) m;
    moved += artem_stab_moved (m);
  }
  __shared__ unsigned red[256];   /* blockDim.x == 256 */
  red[threadIdx.x] = moved;
  __syncthreads ();
  for (int o = 128; o > 0; o >>= 1) {
    if ((int) threadIdx.x < o)
      red[threadIdx.x] += red[threadIdx.x + o];
    __syncthreads ();
  }
  if (threadIdx.x == 0 && red[0])
    atomicAdd (st.moved, red[0]);
}

extern "C" int
artem_cu_frame_motion (const uint8_t *src, int w, int h, int bpp, const int *off,
                       ArtemCuStab st, const float *params, ArtemCuStream stream)
{
  Offs o = { { off[0], off[1], off[2], off[3] } };
  idx_t n = (idx_t) w * h;
  LAUNCH_COOP (motion, grid_for (n, 256), 256, stream, src, w, h, bpp, o, st, params, n);
  return LAUNCH_STATUS ();
}

/* one thread per pixel: the gap of the glow guard, fresh - held summed over the channels
 * (only with a usable history and the guard on) */
template <typename T>
__global__ void
gap (const T *yv, ArtemCuDims d, int w, int ox, int oy, ArtemCuStab st, const float *params,
     idx_t n)
{
  float lo = params[2], scale = params[3];
  if (params[5] <= 0.f || params[6] <= 0.f || params[7] <= 0.f)
    return;
  GRID_STRIDE (i, n) {
    idx_t y = i / w, x = i % w;
    st.gap[i] = (int16_t) artem_stab_gap ((ld (yv, off4 (d, 0, 0, y + oy, x + ox)) - lo) * scale,
                                          (ld (yv, off4 (d, 0, 1, y + oy, x + ox)) - lo) * scale,
                                          (ld (yv, off4 (d, 0, 2, y + oy, x + ox)) - lo) * scale,
                                          st.hprev + (size_t) i * 3);
  }
}

/* one thread per output pixel */
template <typename T>
__global__ void
to_frame (const T *yv, ArtemCuDims d, const uint8_t *src, uint8_t *dst, int w, int h, int ox,
          int oy, int bpp, Offs off, ArtemCuStab st, const float *params, idx_t n)
{
  float lo = params[2], scale = params[3], strength = params[4], amount = params[5];
  bool stab = amount > 0.f, history = stab && params[6] > 0.f;
  if (history && artem_stab_is_cut (*st.moved, (unsigned long long) n))
    history = false;   /* a scene cut: the whole frame fresh */
  GRID_STRIDE (i, n) {
    idx_t y = i / w, x = i % w;
    size_t p = (size_t) i * bpp;
    float k = history ? artem_stab_held_weight (st.motion, st.gap, w, h, (int) x, (int) y, amount,
                                                params[7])
                      : 0.f;
    for (int c = 0; c < 3; c++) {
      float v = (ld (yv, off4 (d, 0, c, y + oy, x + ox)) - lo) * scale;
      if (stab) {
        size_t q = (size_t) i * 3 + c;
        uint8_t held = artem_stab_mix (k, st.hprev[q], v);   /* the moved history */
        st.prev[q] = held;
        st.ref[q] = artem_stab_mix (k, st.href[q], src[p + off.o[c]]);
        v = held;
      }
      dst[p + off.o[c]] = artem_blend_u8 (src[p + off.o[c]], v, strength);
    }
    if (off.o[3] >= 0)
      dst[p + off.o[3]] = src[p + off.o[3]];
  }
}

extern "C" int
artem_cu_tensor_to_frame (const void *y, ArtemCuDims d, int half, const uint8_t *src,
                          uint8_t *dst, int w, int h, int ox, int oy, int bpp,
                          const int *off, ArtemCuStab st, const float *params,
                          ArtemCuStream stream)
{
  Offs o = { { off[0], off[1], off[2], off[3] } };
  idx_t n = (idx_t) w * h;
  if (half)
    LAUNCH (gap, grid_for (n, 256), 256, stream, (const __half *) y, d, w, ox, oy, st, params, n);
  else
    LAUNCH (gap, grid_for (n, 256), 256, stream, (const float *) y, d, w, ox, oy, st, params, n);
  if (half)
    LAUNCH (to_frame, grid_for (n, 256), 256, stream, (const __half *) y, d, src, dst, w, h, ox,
                                                     oy, bpp, o, st, params, n);
  else
    LAUNCH (to_frame, grid_for (n, 256), 256, stream, (const float *) y, d, src, dst, w, h, ox,
                                                     oy, bpp, o, st, params, n);
  return LAUNCH_STATUS ();
}
