/* xnor.cu — XNOR-Net binary convolution on the GPU (the CUDA side of cpu/conv_xnor.c,
 * bit for bit the same arithmetic):
 *   pack: per pixel, the signs of its C channels as ceil(C/64) 64-bit words (bit set =
 *         negative) and A(p) = mean_c |x|;
 *   conv: per output pixel and channel m, the popcount of x XOR w over the taps inside
 *         the frame, dot = taps*C - 2*count, y = dot * alpha[m] * K(p) + bias[m]
 *         (K(p) = mean of A over the kernel window, or 1), optional ReLU.
 * A warp covers 32 output channels of one pixel (grid x: pixels, y: channel blocks): it reads each activation word once
 * (broadcast) and 32 consecutive weight words (coalesced, weights [tap][word][MP]).
 * This is the plain 64-bit popcount path (any GPU); the 1-bit tensor-core path is below. */
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
    LAUNCH (xnor_pack, grid_for (n, 128), 128, stream, (const __half *) x, d, bits, amean, words, n);
  else
    LAUNCH (xnor_pack, grid_for (n, 128), 128, stream, (const float *) x, d, bits, amean, words, n);
  return LAUNCH_STATUS ();
}

template <typename T>
__global__ void
xnor_conv (const uint64_t *bits, const float *amean, ArtemCuXnorGeom g, const uint64_t *wbits,
           const float *alpha, const float *bias, T *y, ArtemCuDims yd)
{
  int m = blockIdx.y * blockDim.x + threadIdx.x;            /* grid.y: channel blocks */
  idx_t p = (idx_t) blockIdx.x * blockDim.y + threadIdx.y;   /* grid.x: pixels (no 65535 cap) */
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
  dim3 block (32, 8), grid (((idx_t) yd.n * yd.h * yd.w + 7) / 8, (g.m + 31) / 32);
  if (half)
    LAUNCH (xnor_conv, grid, block, stream, bits, amean, g, wbits, alpha, bias, (__half *) y, yd);
  else
    LAUNCH (xnor_conv, grid, block, stream, bits, amean, g, wbits, alpha, bias, (float *) y, yd);
  return LAUNCH_STATUS ();
}

/* ---- the 1-bit tensor-core path (sm_80 and later) ---------------------------------
 * An implicit GEMM: rows = output pixels, columns = output channels, K = taps x channel
 * bits in 128-bit steps (wmma m8n8k128 b1).  From sm_80 the tensor cores count AND, not
 * XOR: popc (a ^ w) = popc (a) + popc (w) - 2 popc (a & w), with popc (a) summed per pixel
 * and popc (w) per tap and channel over the taps inside the frame (padded taps load zero
 * bits and are left out of both sums, as in the CPU's arithmetic).
 * A block: 4 warps, 32 pixels x 32 channels; each warp 8 pixels x 32 channels (four 8x8
 * accumulators); per K step the block stages the 32 x 128-bit A and B tiles in shared
 * memory. */
#ifndef ARTEM_CUDA_EMU
#include <mma.h>
#endif

#define MMA_PIX 32
#define MMA_CH 32

#if ARTEM_CU_BMMA
/* the block's MMA_PIX output pixels: the top-left input coordinate of each one's window
 * (far outside the frame for pixels past the end) */
__device__ __forceinline__ void
mma_windows (ArtemCuXnorGeom g, ArtemCuDims yd, idx_t p0, idx_t total, int *s_iy, int *s_ix)
{
  int tid = threadIdx.x;
  if (tid < MMA_PIX) {
    idx_t p = p0 + tid, ohw = (idx_t) yd.h * yd.w;
    int oy = -1000000, ox = -1000000;
    if (p < total) {
      idx_t r = p % ohw;
      oy = (int) (r / yd.w);
      ox = (int) (r % yd.w);
    }
    s_iy[tid] = oy * g.sh - g.pt;
    s_ix[tid] = ox * g.sw - g.pl;
  }
}

/* the 1-bit tensor cores: acc_s[pixel][channel] = popc (x AND w) over every tap and word,
 * for MMA_PIX pixels x MMA_CH channels (4 warps of 8 pixels, 4 fragments of 8 channels) */
__device__ __forceinline__ void
mma_and_popc (const uint64_t *bits, ArtemCuXnorGeom g, int words2, const uint64_t *wmma_bits,
              idx_t p0, idx_t total, idx_t ohw, int m0, const int *s_iy, const int *s_ix,
              int *acc_s)
{
  using namespace nvcuda;
  __shared__ __align__ (32) uint64_t sa[MMA_PIX * 2], sb[MMA_CH * 2];
  int tid = threadIdx.x, warp = tid / 32;
  wmma::fragment<wmma::accumulator, 8, 8, 128, int> acc[4];
  for (int j = 0; j < 4; j++)
    wmma::fill_fragment (acc[j], 0);
  int ksteps = words2 / 2;
  for (int t = 0; t < g.kh * g.kw; t++) {
    int ky = t / g.kw, kx = t % g.kw;
    for (int s = 0; s < ksteps; s++) {
      /* A: 32 pixels x 2 words; B: 32 channels x 2 words (threads 0..63 and 64..127) */
      if (tid < 64) {
        int r = tid / 2, wd = tid % 2;
        idx_t p = p0 + r;
        uint64_t v = 0;
        int iy = s_iy[r] + ky * g.dh, ix = s_ix[r] + kx * g.dw;
        if (p < total && iy >= 0 && iy < g.h && ix >= 0 && ix < g.w) {
          idx_t b = p / ohw;
          v = bits[((size_t) (b * g.h + iy) * g.w + ix) * words2 + 2 * s + wd];
        }
        sa[tid] = v;
      } else {
        int r = (tid - 64) / 2, wd = tid % 2;
        sb[tid - 64] = wmma_bits[((size_t) t * g.mp + m0 + r) * words2 + 2 * s + wd];
      }
      __syncthreads ();
      wmma::fragment<wmma::matrix_a, 8, 8, 128, wmma::experimental::precision::b1,
                     wmma::row_major> fa;
      wmma::load_matrix_sync (fa, sa + warp * 8 * 2, 128);
      for (int j = 0; j < 4; j++) {
        wmma::fragment<wmma::matrix_b, 8, 8, 128, wmma::experimental::precision::b1,
                       wmma::col_major> fb;
        wmma::load_matrix_sync (fb, sb + j * 8 * 2, 128);
        wmma::bmma_sync (acc[j], fa, fb, acc[j], wmma::experimental::bmmaBitOpAND,
                         wmma::experimental::bmmaAccumulateOpPOPC);
      }
      __syncthreads ();
    }
  }
  for (int j = 0; j < 4; j++)
    wmma::store_matrix_sync (acc_s + warp * 8 * MMA_CH + j * 8, acc[j], MMA_CH,
                             wmma::mem_row_major);
}

/* per pixel, once: popc of its activations over the taps inside the frame, their count
 * and K's window sum */
__device__ __forceinline__ void
mma_window_stats (const uint64_t *bits, const float *amean, ArtemCuXnorGeom g, int words2,
                  idx_t p0, idx_t total, idx_t ohw, const int *s_iy, const int *s_ix,
                  long long *s_popa, int *s_nv, float *s_ksum)
{
  int tid = threadIdx.x;
  if (tid >= MMA_PIX)
    return;
  idx_t p = p0 + tid;
  long long popa = 0;
  int nv = 0;
  float ksum = 0.f;
  if (p < total) {
    idx_t b = p / ohw;
    for (int t = 0; t < g.kh * g.kw; t++) {
      int iy = s_iy[tid] + (t / g.kw) * g.dh, ix = s_ix[tid] + (t % g.kw) * g.dw;
      if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w)
        continue;
      idx_t q = (b * g.h + iy) * g.w + ix;
      const uint64_t *xb = bits + (size_t) q * words2;
      for (int w = 0; w < words2; w++)
        popa += __popcll (xb[w]);
      ksum += amean[q];
      nv++;
    }
  }
  s_popa[tid] = popa;
  s_nv[tid] = nv;
  s_ksum[tid] = ksum;
}
#endif

__global__ void
xnor_conv_mma (const uint64_t *bits, const float *amean, ArtemCuXnorGeom g, int words2,
               const uint64_t *wmma_bits, const int *wpop, const float *alpha, const float *bias,
               void *yv, ArtemCuDims yd, int half)
{
#if ARTEM_CU_BMMA
  __shared__ __align__ (32) int acc_s[MMA_PIX * MMA_CH];
  __shared__ int s_iy[MMA_PIX], s_ix[MMA_PIX];
  __shared__ long long s_popa[MMA_PIX];
  __shared__ int s_nv[MMA_PIX];
  __shared__ float s_ksum[MMA_PIX];
  idx_t ohw = (idx_t) yd.h * yd.w, total = (idx_t) yd.n * ohw;
  idx_t p0 = (idx_t) blockIdx.x * MMA_PIX;
  int m0 = blockIdx.y * MMA_CH;
  mma_windows (g, yd, p0, total, s_iy, s_ix);
  __syncthreads ();
  mma_and_popc (bits, g, words2, wmma_bits, p0, total, ohw, m0, s_iy, s_ix, acc_s);
  __syncthreads ();
  mma_window_stats (bits, amean, g, words2, p0, total, ohw, s_iy, s_ix, s_popa, s_nv, s_ksum);
  __syncthreads ();
  /* epilogue: 128 threads over 32 x 32 outputs */
  for (int e = threadIdx.x; e < MMA_PIX * MMA_CH; e += blockDim.x) {
    int r = e / MMA_CH, cidx = e % MMA_CH, m = m0 + cidx;
    idx_t p = p0 + r;
    if (p >= total || m >= g.m)
      continue;
    long long popw = 0;
    for (int t = 0; t < g.kh * g.kw; t++) {
      int iy = s_iy[r] + (t / g.kw) * g.dh, ix = s_ix[r] + (t % g.kw) * g.dw;
      if (iy >= 0 && iy < g.h && ix >= 0 && ix < g.w)
        popw += wpop[t * g.mp + m];
    }
    long long count = s_popa[r] + popw - 2LL * acc_s[r * MMA_CH + cidx];
    float k = g.act_scale ? s_ksum[r] / (g.kh * g.kw) : 1.f;
    float v = (float) ((long long) s_nv[r] * g.c - 2 * count) * alpha[m] * k +
              (bias ? bias[m] : 0.f);
    if (g.relu && v < 0.f)
      v = 0.f;
    idx_t b = p / ohw, rr = p % ohw;
    idx_t o = off4 (yd, b, m, rr / yd.w, rr % yd.w);
    if (half)
      st ((__half *) yv, o, v);
    else
      st ((float *) yv, o, v);
  }
#endif
}

extern "C" int
artem_cu_xnor_conv_mma (const uint64_t *bits, const float *amean, ArtemCuXnorGeom g, int words2,
                        const uint64_t *wmma_bits, const int *wpop, const float *alpha,
                        const float *bias, void *y, ArtemCuDims yd, int half, ArtemCuStream stream)
{
  idx_t total = (idx_t) yd.n * yd.h * yd.w;
  dim3 grid ((total + MMA_PIX - 1) / MMA_PIX, (g.m + MMA_CH - 1) / MMA_CH);
  LAUNCH_COOP (xnor_conv_mma, grid, 128, stream, bits, amean, g, words2, wmma_bits, wpop, alpha, bias,
                                           y, yd, half);
  return LAUNCH_STATUS ();
}
