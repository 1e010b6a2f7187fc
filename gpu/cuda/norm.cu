/* norm.cu — per-channel statistics and affine transforms: InstanceNormalization (with a
 * fused ReLU and residual Add), AdaIN, BatchNormalization and Conv bias (+ReLU).
 *
 * Statistics are sums of (x - K) and (x - K)^2 with K the channel's first value (the
 * shifted-data algorithm: no cancellation when the mean is large against the spread),
 * accumulated in fp32 per thread and fp64 across blocks.  The apply pass is one
 * memory-bound read-modify-write, so an InstanceNorm costs two reads and one write. */
#include "common.cuh"

#define NCHW_CHUNK 4096   /* elements per block (256 threads x 16) */
#define NHWC_CHUNK 512    /* pixels per block (8 rows of 32 channels) */

template <typename T>
__global__ void
stats_nchw (const T *x, idx_t hw, double *stats)
{
  idx_t nc = blockIdx.y;
  const T *p = x + (size_t) nc * hw;
  float k = ld (p, 0);
  float s1 = 0.f, s2 = 0.f;
  idx_t end = min (hw, (idx_t) (blockIdx.x + 1) * NCHW_CHUNK);
  for (idx_t i = blockIdx.x * NCHW_CHUNK + threadIdx.x; i < end; i += blockDim.x) {
    float v = ld (p, i) - k;
    s1 += v;
    s2 += v * v;
  }
  __shared__ float r1[256], r2[256];   /* blockDim.x == 256 */
  r1[threadIdx.x] = s1;
  r2[threadIdx.x] = s2;
  __syncthreads ();
  for (int o = 128; o > 0; o >>= 1) {
    if ((int) threadIdx.x < o) {
      r1[threadIdx.x] += r1[threadIdx.x + o];
      r2[threadIdx.x] += r2[threadIdx.x + o];
    }
    __syncthreads ();
  }
  if (threadIdx.x == 0) {
    double a = r1[0], b = r2[0];
    atomicAdd (&stats[2 * nc], a);
    atomicAdd (&stats[2 * nc + 1], b);
  }
}

/* block (32, 8): x = channel within a tile of 32, y = pixel lane */
template <typename T>
__global__ void
stats_nhwc (const T *x, int C, idx_t hw, double *stats)
{
  int c = blockIdx.y * 32 + threadIdx.x;
  idx_t n = blockIdx.z;
  const T *p = x + (size_t) n * hw * C;
  float s1 = 0.f, s2 = 0.f;
  if (c < C) {
    float k = ld (p, c);
    idx_t end = min (hw, (idx_t) (blockIdx.x + 1) * NHWC_CHUNK);
    for (idx_t q = blockIdx.x * NHWC_CHUNK + threadIdx.y; q < end; q += blockDim.y) {
      float v = ld (p, q * C + c) - k;
      s1 += v;
      s2 += v * v;
    }
  }
  __shared__ float r1[8][33], r2[8][33];
  r1[threadIdx.y][threadIdx.x] = s1;
  r2[threadIdx.y][threadIdx.x] = s2;
  __syncthreads ();
  if (threadIdx.y == 0 && c < C) {
    double a = 0, b = 0;
    for (int i = 0; i < (int) blockDim.y; i++) { a += r1[i][threadIdx.x]; b += r2[i][threadIdx.x]; }
    atomicAdd (&stats[2 * ((size_t) n * C + c)], a);
    atomicAdd (&stats[2 * ((size_t) n * C + c) + 1], b);
  }
}

extern "C" int
artem_cu_channel_stats (const void *x, ArtemCuDims d, int half, double *stats,
                        ArtemCuStream stream)
{
  idx_t hw = (idx_t) d.h * d.w;
  if (!d.nhwc) {
    dim3 grid ((hw + NCHW_CHUNK - 1) / NCHW_CHUNK, d.n * d.c);
    if (half)
      LAUNCH_COOP (stats_nchw, grid, 256, stream, (const __half *) x, hw, stats);
    else
      LAUNCH_COOP (stats_nchw, grid, 256, stream, (const float *) x, hw, stats);
  } else {
    dim3 grid ((hw + NHWC_CHUNK - 1) / NHWC_CHUNK, (d.c + 31) / 32, d.n), block (32, 8);
    if (half)
      LAUNCH_COOP (stats_nhwc, grid, block, stream, (const __half *) x, d.c, hw, stats);
    else
      LAUNCH_COOP (stats_nhwc, grid, block, stream, (const float *) x, d.c, hw, stats);
  }
  return LAUNCH_STATUS ();
}

/* mean and biased variance of (n, c) from the shifted sums */
template <typename T>
static __device__ void
moments (const T *x, const ArtemCuDims &d, const double *stats, idx_t n, idx_t c, double *mean,
         double *var)
{
  double cnt = (double) d.h * d.w;
  idx_t nc = n * d.c + c;
  double k = ld (x, off4 (d, n, c, 0, 0));
  double m = stats[2 * nc] / cnt;
  double v = stats[2 * nc + 1] / cnt - m * m;
  *mean = k + m;
  *var = v > 0.0 ? v : 0.0;
}

template <typename T>
__global__ void
in_affine (const T *x, ArtemCuDims d, const double *stats, const float *gamma,
           const float *beta, float eps, float *ab)
{
  idx_t nc = blockIdx.x * blockDim.x + threadIdx.x;
  if (nc >= (idx_t) d.n * d.c)
    return;
  idx_t c = nc % d.c;
  double mean, var;
  moments (x, d, stats, nc / d.c, c, &mean, &var);
  double a = gamma[c] / sqrt (var + eps);
  ab[2 * nc] = (float) a;
  ab[2 * nc + 1] = (float) (beta[c] - mean * a);
}

template <typename T>
__global__ void
adain_affine (const T *x, ArtemCuDims d, const double *stats, const float *sm,
              const float *ss, const float *alpha_p, float eps, float *ab)
{
  idx_t nc = blockIdx.x * blockDim.x + threadIdx.x;
  if (nc >= (idx_t) d.n * d.c)
    return;
  idx_t c = nc % d.c;
  double mean, var, cnt = (double) d.h * d.w;
  moments (x, d, stats, nc / d.c, c, &mean, &var);
  double uv = cnt > 1.0 ? var * cnt / (cnt - 1.0) : 0.0;
  double sd = sqrt (uv + eps), alpha = alpha_p[0];
  ab[2 * nc] = (float) (alpha * ss[c] / sd + (1.0 - alpha));
  ab[2 * nc + 1] = (float) (alpha * (sm[c] - ss[c] * mean / sd));
}

extern "C" int
artem_cu_instance_norm_affine (const void *x, ArtemCuDims d, int half, const double *stats,
                               const float *gamma, const float *beta, float eps, float *ab,
                               ArtemCuStream stream)
{
  idx_t nc = (idx_t) d.n * d.c;
  if (half)
    LAUNCH (in_affine, (nc + 127) / 128, 128, stream, (const __half *) x, d, stats, gamma, beta,
                                                     eps, ab);
  else
    LAUNCH (in_affine, (nc + 127) / 128, 128, stream, (const float *) x, d, stats, gamma, beta,
                                                     eps, ab);
  return LAUNCH_STATUS ();
}

extern "C" int
artem_cu_adain_affine (const void *x, ArtemCuDims d, int half, const double *stats,
                       const float *s_mean, const float *s_std, const float *alpha, float eps,
                       float *ab, ArtemCuStream stream)
{
  idx_t nc = (idx_t) d.n * d.c;
  if (half)
    LAUNCH (adain_affine, (nc + 127) / 128, 128, stream, (const __half *) x, d, stats, s_mean,
                                                        s_std, alpha, eps, ab);
  else
    LAUNCH (adain_affine, (nc + 127) / 128, 128, stream, (const float *) x, d, stats, s_mean,
                                                        s_std, alpha, eps, ab);
  return LAUNCH_STATUS ();
}

template <typename T>
__global__ void
affine (const T *x, ArtemCuDims d, const float *ab, int per_nc, const float *bias, int act1,
        const T *r, int act2, T *y, idx_t n)
{
  idx_t hw = (idx_t) d.h * d.w;
  GRID_STRIDE (i, n) {
    idx_t c, b;
    if (d.nhwc) {
      c = i % d.c;
      b = i / ((idx_t) d.c * hw);
    } else {
      c = (i / hw) % d.c;
      b = i / ((idx_t) d.c * hw);
    }
    float v = ld (x, i);
    if (ab) {
      idx_t k = per_nc ? b * d.c + c : c;
      v = v * ab[2 * k] + ab[2 * k + 1];
    }
    if (bias)
      v += bias[c];
    if (act1 && v < 0.f)
      v = 0.f;
    if (r) {
      v += ld (r, i);
      if (act2 && v < 0.f)
        v = 0.f;
    }
    st (y, i, v);
  }
}

extern "C" int
artem_cu_channel_affine (const void *x, ArtemCuDims d, int half, const float *ab, int per_nc,
                         const float *bias, int act1, const void *r, int act2, void *y,
                         ArtemCuStream stream)
{
  idx_t n = numel4 (d);
  if (half)
    LAUNCH (affine, grid_for (n, 256), 256, stream, (const __half *) x, d, ab, per_nc, bias, act1,
                                                   (const __half *) r, act2, (__half *) y, n);
  else
    LAUNCH (affine, grid_for (n, 256), 256, stream, (const float *) x, d, ab, per_nc, bias, act1,
                                                   (const float *) r, act2, (float *) y, n);
  return LAUNCH_STATUS ();
}
