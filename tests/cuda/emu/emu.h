/* emu.h — compiles artem's CUDA kernels (gpu/cuda/{norm,gather,...}.cu) as host C++ so the CUDA backend
 * can be tested on machines without a GPU (tests/cuda/emu/cuda-emu.cpp has the runtime
 * and cuDNN side).  Kernels run unchanged: grid-stride kernels thread by thread, kernels
 * with __syncthreads () on one host thread per GPU thread and a barrier per block.
 * Not a performance model: what it checks is indexing, layouts and the host plumbing. */
#ifndef ARTEM_CUDA_EMU_H
#define ARTEM_CUDA_EMU_H
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cuda_fp16.h>
#include <functional>
#include <vector_types.h>

#undef __shared__
#define __shared__ static   /* one copy per kernel, shared by the block's threads (blocks run one at a time) */
#undef __align__
#define __align__(n) __attribute__ ((aligned (n)))

extern thread_local uint3 threadIdx, blockIdx;
extern thread_local dim3 blockDim, gridDim;

typedef struct CUstream_st *cudaStream_t;

/* runs f for every thread of the grid (coop: one host thread per block thread, blocks in
 * order, __syncthreads a barrier); queued instead while the stream is being captured */
void artem_emu_launch (dim3 grid, dim3 block, cudaStream_t stream, bool coop,
                       std::function<void ()> f);
void artem_emu_syncthreads ();
int artem_emu_last_error ();

#define __syncthreads() artem_emu_syncthreads ()

using std::min;
using std::max;

static inline int __popcll (unsigned long long v) { return __builtin_popcountll (v); }

static inline double
atomicAdd (double *p, double v)
{
  return std::atomic_ref<double> (*p).fetch_add (v);
}

static inline unsigned
atomicAdd (unsigned *p, unsigned v)
{
  return std::atomic_ref<unsigned> (*p).fetch_add (v);
}

/* wmma m8n8k128 b1 with AND + popcount: each lane of the warp holds the whole tile (the
 * emulated lanes all load the same memory, so they agree) */
namespace nvcuda {
namespace wmma {
struct matrix_a {};
struct matrix_b {};
struct accumulator {};
struct row_major {};
struct col_major {};
enum layout_t { mem_row_major, mem_col_major };
namespace experimental {
namespace precision { struct b1 {}; }
enum bmmaBitOp { bmmaBitOpXOR = 1, bmmaBitOpAND = 2 };
enum bmmaAccumulateOp { bmmaAccumulateOpPOPC = 1 };
}
template <typename Use, int M, int N, int K, typename T, typename L = void> struct fragment;
template <typename T, typename L> struct fragment<matrix_a, 8, 8, 128, T, L> { uint32_t v[8][4]; };
template <typename T, typename L> struct fragment<matrix_b, 8, 8, 128, T, L> { uint32_t v[8][4]; };
template <> struct fragment<accumulator, 8, 8, 128, int, void> { int v[8][8]; };

static inline void
fill_fragment (fragment<accumulator, 8, 8, 128, int> &f, int x)
{
  for (int i = 0; i < 8; i++)
    for (int j = 0; j < 8; j++)
      f.v[i][j] = x;
}

/* ldm in elements (bits); row_major A: row r at p + r * ldm bits; col_major B: column c
 * at p + c * ldm bits */
template <typename Use, typename T, typename L>
static inline void
load_matrix_sync (fragment<Use, 8, 8, 128, T, L> &f, const void *p, unsigned ldm)
{
  const uint32_t *w = (const uint32_t *) p;
  for (int r = 0; r < 8; r++)
    for (int k = 0; k < 4; k++)
      f.v[r][k] = w[r * (ldm / 32) + k];
}

template <typename TA, typename LA, typename TB, typename LB>
static inline void
bmma_sync (fragment<accumulator, 8, 8, 128, int> &d,
           const fragment<matrix_a, 8, 8, 128, TA, LA> &a,
           const fragment<matrix_b, 8, 8, 128, TB, LB> &b,
           const fragment<accumulator, 8, 8, 128, int> &c, experimental::bmmaBitOp op,
           experimental::bmmaAccumulateOp)
{
  fragment<accumulator, 8, 8, 128, int> r;
  for (int i = 0; i < 8; i++)
    for (int j = 0; j < 8; j++) {
      int s = c.v[i][j];
      for (int k = 0; k < 4; k++)
        s += __builtin_popcount (op == experimental::bmmaBitOpAND ? a.v[i][k] & b.v[j][k]
                                                                  : a.v[i][k] ^ b.v[j][k]);
      r.v[i][j] = s;
    }
  d = r;
}

static inline void
store_matrix_sync (int *p, const fragment<accumulator, 8, 8, 128, int> &f, unsigned ldm,
                   layout_t layout)
{
  for (int i = 0; i < 8; i++)
    for (int j = 0; j < 8; j++)
      p[layout == mem_row_major ? i * ldm + j : j * ldm + i] = f.v[i][j];
}
}  // namespace wmma
}  // namespace nvcuda

#endif
