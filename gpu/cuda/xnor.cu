/* xnor.cu — XNOR-Net binary convolution on the GPU (the CUDA side of cpu/conv_xnor.c,
 * bit for bit the same arithmetic):
 *   pack: per pixel, the signs of its C channels as ceil(C/64) 64-bit words (bit set =
 *         negative) and A(p) = mean_c |x|;
 *   conv: per output pixel and channel m, the popcount of x XOR w over the taps inside
 *         the frame, dot = taps*C - 2*count, y = dot * alpha[m] * K(p) + bias[m]
 *         (K(p) = mean of A over the kernel window, or 1), optional ReLU.
 * A warp covers 32 output channels of one pixel: it reads each activation word once
 * (broadcast) and 32 consecutive weight words (coalesced, weights [tap][word][MP]).
 * This is the plain 64-bit popcount path; the 1-bit tensor-core MMA path is not written. */
#include "common.cuh"

template <typename T>
__global__ void
xnor_pack (const T *x, ArtemCuDims d, uint64_t *bits, float *amean, int words, idx_t n)
{
  GRID_STRIDE (p, n) {   /* p = (b * H + y) * W + x */
    idx_t b = p / ((idx_t) d.h * d.w), r = p % ((idx_t) d.h * d.w);
    idx_t yy = r / d.w, xx = r % d.w;
    float a = 0.f;
    for (int w = 0; w < words; w++) {
      uint64_t word = 0;
      int c0 = w * 64, c1 = min (d.c, c0 + 64);
      for (int c = c0; c < c1; c++) {
        float v = ld (x, off4 (d, b, c, yy, xx));
        a += fabsf (v);
        word |= (uint64_t) (v < 0.f) << (c - c0);
      }
      bits[(size_t) p * words + w] = word;
    }
    amean[p] = a / d.c;
  }
}

extern "C" int
artem_cu_xnor_pack (const void *x, ArtemCuDims d, int half, uint64_t *bits, float *amean,
                    int words, ArtemCuStream stream)
{
  idx_t n = (idx_t) d.n * d.h * d.w;
  if (half)
    xnor_pack<<<grid_for (n, 128), 128, 0, stream>>> ((const __half *) x, d, bits, amean, words, n);
  else
    xnor_pack<<<grid_for (n, 128), 128, 0, stream>>> ((const float *) x, d, bits, amean, words, n);
  return LAUNCH_STATUS ();
}

template <typename T>
__global__ void
xnor_conv (const uint64_t *bits, const float *amean, ArtemCuXnorGeom g, const uint64_t *wbits,
           const float *alpha, const float *bias, T *y, ArtemCuDims yd)
{
  int m = blockIdx.x * blockDim.x + threadIdx.x;
  idx_t p = (idx_t) blockIdx.y * blockDim.y + threadIdx.y;   /* output pixel */
  idx_t ohw = (idx_t) yd.h * yd.w;
  if (p >= (idx_t) yd.n * ohw)
    return;
  idx_t b = p / ohw, r = p % ohw;
  int oy = (int) (r / yd.w), ox = (int) (r % yd.w);
  long long count = 0;
  int nv = 0;
  float ksum = 0.f;
  for (int ky = 0; ky < g.kh; ky++) {
    int iy = oy * g.sh - g.pt + ky * g.dh;
    if (iy < 0 || iy >= g.h)
      continue;
    for (int kx = 0; kx < g.kw; kx++) {
      int ix = ox * g.sw - g.pl + kx * g.dw;
      if (ix < 0 || ix >= g.w)
        continue;
      idx_t q = (b * g.h + iy) * g.w + ix;
      const uint64_t *xb = bits + (size_t) q * g.words;
      const uint64_t *wb = wbits + (size_t) (ky * g.kw + kx) * g.words * g.mp + m;
      if (m < g.m)
        for (int w = 0; w < g.words; w++)
          count += __popcll (xb[w] ^ wb[(size_t) w * g.mp]);
      ksum += amean[q];
      nv++;
    }
  }
  if (m >= g.m)
    return;
  float k = g.act_scale ? ksum / (g.kh * g.kw) : 1.f;
  float v = (float) ((long long) nv * g.c - 2 * count) * alpha[m] * k + (bias ? bias[m] : 0.f);
  if (g.relu && v < 0.f)
    v = 0.f;
  st (y, off4 (yd, b, m, oy, ox), v);
}

extern "C" int
artem_cu_xnor_conv (const uint64_t *bits, const float *amean, ArtemCuXnorGeom g,
                    const uint64_t *wbits, const float *alpha, const float *bias, void *y,
                    ArtemCuDims yd, int half, ArtemCuStream stream)
{
  dim3 block (32, 8), grid ((g.m + 31) / 32, ((idx_t) yd.n * yd.h * yd.w + 7) / 8);
  if (half)
    xnor_conv<<<grid, block, 0, stream>>> (bits, amean, g, wbits, alpha, bias, (__half *) y, yd);
  else
    xnor_conv<<<grid, block, 0, stream>>> (bits, amean, g, wbits, alpha, bias, (float *) y, yd);
  return LAUNCH_STATUS ();
}
