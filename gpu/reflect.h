/* reflect.h — the frames' reflection padding (index i of a row or column of n, mirrored
 * without repeating the edge), shared by the CPU (frame.c) and the CUDA kernels
 * (gpu/cuda/frame.cu) so both pad the same way.  Plain C: nvcc compiles it for the device. */
#ifndef ARTEM_REFLECT_H
#define ARTEM_REFLECT_H

#if defined(__CUDACC__)
#define ARTEM_REFLECT_FN static __host__ __device__ __forceinline__
#else
#define ARTEM_REFLECT_FN static inline
#endif

ARTEM_REFLECT_FN int
artem_reflect_index (int i, int n)
{
  if (n == 1)
    return 0;
  while (i < 0 || i >= n) {
    if (i < 0) i = -i;
    if (i >= n) i = 2 * (n - 1) - i;
  }
  return i;
}

#endif
