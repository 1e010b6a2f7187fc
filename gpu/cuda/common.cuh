/* common.cuh — helpers shared by artem's CUDA kernels: element load/store for fp16 and
 * fp32 storage, layout-aware offsets, launch geometry. */
#ifndef ARTEM_CUDA_COMMON_CUH
#define ARTEM_CUDA_COMMON_CUH
/* the tests' host C++ build (tests/cuda/emu) defines ARTEM_CUDA_EMU and force-includes
 * its emulator ahead of this file */
#ifndef ARTEM_CUDA_EMU
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#endif
#include "kernels.h"

/* kernel launches: LAUNCH for independent threads, LAUNCH_COOP for kernels that use
 * __syncthreads () or shared memory across threads (the emulator needs to know) */
#ifdef ARTEM_CUDA_EMU
#define LAUNCH(k, grid, block, stream, ...) \
  artem_emu_launch (dim3 (grid), dim3 (block), (stream), false, [=] () { k (__VA_ARGS__); })
#define LAUNCH_COOP(k, grid, block, stream, ...) \
  artem_emu_launch (dim3 (grid), dim3 (block), (stream), true, [=] () { k (__VA_ARGS__); })
#define LAUNCH_STATUS() artem_emu_last_error ()
#else
#define LAUNCH(k, grid, block, stream, ...) k<<<(grid), (block), 0, (stream)>>> (__VA_ARGS__)
#define LAUNCH_COOP LAUNCH
#endif

/* the 1-bit tensor-core MMA (wmma b1 with AND) exists from sm_80 */
#if defined(ARTEM_CUDA_EMU) || (defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800)
#define ARTEM_CU_BMMA 1
#else
#define ARTEM_CU_BMMA 0
#endif

/* Indices are 32-bit: the backend refuses tensors of 2^31 elements or more (plan time). */
typedef unsigned idx_t;

static __device__ __forceinline__ float ld (const float *p, idx_t i) { return p[i]; }
static __device__ __forceinline__ float ld (const __half *p, idx_t i) { return __half2float (p[i]); }
static __device__ __forceinline__ void st (float *p, idx_t i, float v) { p[i] = v; }
static __device__ __forceinline__ void st (__half *p, idx_t i, float v) { p[i] = __float2half_rn (v); }

/* offset of logical (n, c, h, w) in a tensor of dims d */
static __host__ __device__ __forceinline__ idx_t
off4 (const ArtemCuDims &d, idx_t n, idx_t c, idx_t h, idx_t w)
{
  return d.nhwc ? ((n * d.h + h) * d.w + w) * d.c + c : ((n * d.c + c) * d.h + h) * d.w + w;
}

/* logical coordinates of storage index i */
static __device__ __forceinline__ void
coords4 (const ArtemCuDims &d, idx_t i, idx_t *n, idx_t *c, idx_t *h, idx_t *w)
{
  if (d.nhwc) {
    *c = i % d.c; i /= d.c;
    *w = i % d.w; i /= d.w;
    *h = i % d.h; *n = i / d.h;
  } else {
    *w = i % d.w; i /= d.w;
    *h = i % d.h; i /= d.h;
    *c = i % d.c; *n = i / d.c;
  }
}

static inline idx_t numel4 (const ArtemCuDims &d) { return (idx_t) d.n * d.c * d.h * d.w; }

/* a grid for a grid-stride loop over n elements */
static inline unsigned
grid_for (idx_t n, int block)
{
  int64_t g = (n + block - 1) / block;
  if (g > 65535LL * 32) g = 65535LL * 32;
  return (unsigned) (g > 0 ? g : 1);
}

#define GRID_STRIDE(i, n) \
  for (idx_t i = blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += gridDim.x * blockDim.x)

#ifndef LAUNCH_STATUS
#define LAUNCH_STATUS() ((int) cudaGetLastError ())
#endif

#endif
