/* elementwise.cu — unary activations and broadcasting binary arithmetic (the CUDA side of
 * cpu/elementwise.c; kinds as op-kinds.h). */
#include "common.cuh"
#include "../op-kinds.h"

static __device__ __forceinline__ float
unary_op (float v, int kind, float a, float b)
{
  switch (kind) {
    case ARTEM_UNARY_RELU: return v > 0.f ? v : 0.f;
    case ARTEM_UNARY_LEAKY_RELU: return v >= 0.f ? v : a * v;
    case ARTEM_UNARY_SIGMOID: return 1.f / (1.f + expf (-v));
    case ARTEM_UNARY_TANH: return tanhf (v);
    case ARTEM_UNARY_CLIP: return fminf (fmaxf (v, a), b);
    case ARTEM_UNARY_FLOOR: return floorf (v);
    case ARTEM_UNARY_CEIL: return ceilf (v);
    case ARTEM_UNARY_NEG: return -v;
    case ARTEM_UNARY_SQRT: return sqrtf (v);
    case ARTEM_UNARY_EXP: return expf (v);
    case ARTEM_UNARY_ABS: return fabsf (v);
    default: return nanf ("");      /* a kind without a kernel: NaN */
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
      case ARTEM_BINARY_ADD: r = u + v; break;
      case ARTEM_BINARY_SUB: r = u - v; break;
      case ARTEM_BINARY_MUL: r = u * v; break;
      case ARTEM_BINARY_DIV: r = u / v; break;
      case ARTEM_BINARY_POW: r = powf (u, v); break;
      default: r = nanf (""); break;
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
