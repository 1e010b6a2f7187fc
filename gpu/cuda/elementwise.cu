/* elementwise.cu — unary activations and broadcasting binary arithmetic (the CUDA side of
 * cpu/elementwise.c; kinds as cpu/op-params.h). */
#include "common.cuh"

static __device__ __forceinline__ float
unary_op (float v, int kind, float a, float b)
{
  switch (kind) {
    case 0: return v > 0.f ? v : 0.f;                 /* Relu */
    case 1: return v >= 0.f ? v : a * v;              /* LeakyRelu */
    case 2: return 1.f / (1.f + expf (-v));           /* Sigmoid */
    case 3: return tanhf (v);                         /* Tanh */
    case 4: return fminf (fmaxf (v, a), b);           /* Clip */
    case 5: return floorf (v);
    case 6: return ceilf (v);
    case 7: return -v;
    case 8: return sqrtf (v);
    default: return expf (v);
  }
}

template <typename T>
__global__ void
unary (const T *x, T *y, idx_t n, int kind, float a, float b)
{
  GRID_STRIDE (i, n)
    st (y, i, unary_op (ld (x, i), kind, a, b));
}

extern "C" int
artem_cu_unary (const void *x, void *y, uint32_t n, int half, int kind, float a, float b,
                ArtemCuStream stream)
{
  if (half)
    LAUNCH (unary, grid_for (n, 256), 256, stream, (const __half *) x, (__half *) y, n, kind, a, b);
  else
    LAUNCH (unary, grid_for (n, 256), 256, stream, (const float *) x, (float *) y, n, kind, a, b);
  return LAUNCH_STATUS ();
}

template <typename T>
__global__ void
binary (const T *A, const T *B, T *y, ArtemCuDims d, ArtemCuBroadcast s, int kind, int act,
        idx_t n)
{
  GRID_STRIDE (i, n) {
    idx_t a, c, h, w;
    coords4 (d, i, &a, &c, &h, &w);
    float u = ld (A, a * s.a[0] + c * s.a[1] + h * s.a[2] + w * s.a[3]);
    float v = ld (B, a * s.b[0] + c * s.b[1] + h * s.b[2] + w * s.b[3]);
    float r;
    switch (kind) {
      case 0: r = u + v; break;
      case 1: r = u - v; break;
      case 2: r = u * v; break;
      case 3: r = u / v; break;
      default: r = powf (u, v); break;
    }
    if (act && r < 0.f)
      r = 0.f;
    st (y, i, r);
  }
}

extern "C" int
artem_cu_binary (const void *A, const void *B, void *y, ArtemCuDims d, int half,
                 ArtemCuBroadcast st, int kind, int act, ArtemCuStream stream)
{
  idx_t n = numel4 (d);
  if (half)
    LAUNCH (binary, grid_for (n, 256), 256, stream, (const __half *) A, (const __half *) B,
                                                   (__half *) y, d, st, kind, act, n);
  else
    LAUNCH (binary, grid_for (n, 256), 256, stream, (const float *) A, (const float *) B,
                                                   (float *) y, d, st, kind, act, n);
  return LAUNCH_STATUS ();
}
