/* kernels.h — artem's own CUDA kernels (the .cu files of gpu/cuda/), called from the C
 * host code of the CUDA backend.  Every launcher queues work on @stream and returns the
 * launch status (a cudaError_t as int, 0 on success); nothing here allocates or syncs.
 *
 * Activations are 4-D (N, C, H, W) tensors stored either NCHW or NHWC (ArtemCuDims.nhwc),
 * as fp16 (half != 0) or fp32.  Per-channel parameters and statistics are always fp32. */
#ifndef ARTEM_CUDA_KERNELS_H
#define ARTEM_CUDA_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct CUstream_st *ArtemCuStream;   /* = cudaStream_t */

typedef struct {
  int n, c, h, w;
  int nhwc;        /* storage order: 1 NHWC, 0 NCHW */
} ArtemCuDims;

/* ---- convert.cu ---- */
/* dst (dims, layout, half or fp32) <- src fp32 dense NCHW of the same dims */
int artem_cu_from_f32_nchw (const float *src, void *dst, ArtemCuDims d, int half,
                            ArtemCuStream stream);
/* dst fp32 dense NCHW <- src (dims, layout, half or fp32) */
int artem_cu_to_f32_nchw (const void *src, float *dst, ArtemCuDims d, int half,
                          ArtemCuStream stream);

/* ---- norm.cu ---- */
/* Per-(n, c) statistics over H x W: stats[2 * nc] += sum (x - K), stats[2 * nc + 1] +=
 * sum (x - K)^2 (double) with the shift K = x at (n, c, 0, 0) for accuracy; stats must be
 * zero before.  Then the per-(n, c) affine a, b of: */
int artem_cu_channel_stats (const void *x, ArtemCuDims d, int half, double *stats,
                            ArtemCuStream stream);
/* InstanceNormalization: a = gamma / sqrt (var + eps), b = beta - mean * a */
int artem_cu_instance_norm_affine (const void *x, ArtemCuDims d, int half,
                                   const double *stats, const float *gamma,
                                   const float *beta, float eps, float *ab,
                                   ArtemCuStream stream);
/* AdaIN: std = sqrt (unbiased var + eps); a = alpha * s_std / std + (1 - alpha),
 * b = alpha * (s_mean - s_std * mean / std); alpha read from device memory */
int artem_cu_adain_affine (const void *x, ArtemCuDims d, int half, const double *stats,
                           const float *s_mean, const float *s_std, const float *alpha,
                           float eps, float *ab, ArtemCuStream stream);
/* y = act2 (act1 (x * a + b) + r).  ab: per (n, c) pairs when per_nc, else per c pairs;
 * ab NULL means a = 1, b = 0; bias (per c, may be NULL) is added after the affine.
 * r may be NULL (then act2 is ignored).  act: 0 none, 1 ReLU.  y may alias x. */
int artem_cu_channel_affine (const void *x, ArtemCuDims d, int half, const float *ab,
                             int per_nc, const float *bias, int act1, const void *r,
                             int act2, void *y, ArtemCuStream stream);

/* ---- gather.cu ---- */
/* y[n, c, h, w] = x[mn[n], mc[c], mh[h], mw[w]], or @fill where any map is -1 (Pad,
 * Resize nearest, Upsample, Slice).  maps: yd.n + yd.c + yd.h + yd.w ints, device. */
int artem_cu_gather4 (const void *x, ArtemCuDims xd, void *y, ArtemCuDims yd, int half,
                      const int *maps, float fill, ArtemCuStream stream);
/* bilinear Resize of the last two dimensions; taps (device): y0[yd.h], y1[yd.h], x0[yd.w],
 * x1[yd.w] as int, then wy[yd.h], wx[yd.w] as float (ArtemLinearTaps, op-params.h) */
int artem_cu_resize_linear (const void *x, ArtemCuDims xd, void *y, ArtemCuDims yd, int half,
                            const int *taps, ArtemCuStream stream);

/* ---- pool.cu ---- */
int artem_cu_max_pool (const void *x, ArtemCuDims xd, void *y, ArtemCuDims yd, int half,
                       int kh, int kw, int sh, int sw, int dh, int dw, int pt, int pl,
                       ArtemCuStream stream);

/* ---- elementwise.cu ---- */
/* kind: ArtemUnaryKind / ArtemBinaryKind (op-kinds.h) */
int artem_cu_unary (const void *x, void *y, uint32_t n, int half, int kind, float a, float b,
                    ArtemCuStream stream);
/* y = act (A op B) with broadcasting: strides (in elements, 0 where broadcast) of A and B
 * for the logical n, c, h, w of y's dims. */
typedef struct {
  uint32_t a[4], b[4];   /* element strides; all indices are 32-bit */
} ArtemCuBroadcast;
int artem_cu_binary (const void *A, const void *B, void *y, ArtemCuDims yd, int half,
                     ArtemCuBroadcast st, int kind, int act, ArtemCuStream stream);

/* ---- frame.cu ---- */
/* 8-bit packed frame (w x h, dense rows of w * bpp bytes, channel byte offsets off[0..2])
 * -> network input (3 channels of d = 1 x 3 x ph x pw, the frame at column ox, row oy),
 * v = lo + scale * byte, the padding around it filled by reflection. */
int artem_cu_frame_to_tensor (const uint8_t *src, int w, int h, int ox, int oy, int bpp,
                              const int *off, void *dst, ArtemCuDims d, int half,
                              const float *params, ArtemCuStream stream);
/* network output -> 8-bit frame: v = (y - out_lo) * out_scale, blended with the source
 * pixel by strength (out = s + strength * (v - s)), rounded and clamped; the 4th byte
 * (off[3] >= 0) copied from src.  params (device): in_lo, in_scale, out_lo, out_scale,
 * strength. */
typedef struct {
  uint8_t *ref, *prev;   /* RGB bytes, w x h x 3 */
  uint8_t *href, *hprev; /* ref and prev moved along the motion vectors (motion kernel) */
  const signed char *vec;   /* the motion vectors, dx dy per 16 x 16 block (all 0: none) */
  uint16_t *motion;      /* w x h */
  int16_t *gap;          /* w x h: fresh - held output (the glow guard) */
  unsigned *moved;       /* 1: the count of moved pixels (scene cut), zeroed before motion */
} ArtemCuStab;
/* temporal stabilisation (gpu/stabilize.h), params[5] amount, params[6] history usable:
 * the history moved along st.vec into href and hprev, the motion of src against it and
 * the count of moved pixels, added to *st.moved (nothing when either param is 0); the
 * frame kernel then reads href and hprev and writes ref and prev; blockDim 256 */
int artem_cu_frame_motion (const uint8_t *src, int w, int h, int bpp, const int *off,
                           ArtemCuStab st, const float *params, ArtemCuStream stream);
/* (the frame read from the output at column ox, row oy; with a usable history, the gap
 * map of the glow guard is made first) */
int artem_cu_tensor_to_frame (const void *y, ArtemCuDims d, int half, const uint8_t *src,
                              uint8_t *dst, int w, int h, int ox, int oy, int bpp,
                              const int *off, ArtemCuStab st, const float *params,
                              ArtemCuStream stream);

/* ---- xnor.cu ---- */
typedef struct {
  int h, w, c, words;          /* input (per image) and 64-bit words per pixel */
  int m, mp;                   /* output channels, weight row stride (M rounded up to 8) */
  int kh, kw, sh, sw, dh, dw, pt, pl;
  int act_scale, relu;
} ArtemCuXnorGeom;
/* bits: [N*H*W][words], amean: [N*H*W] */
int artem_cu_xnor_pack (const void *x, ArtemCuDims d, int half, uint64_t *bits, float *amean,
                        int words, ArtemCuStream stream);
/* wbits: [KH*KW][words][mp] as binary.h packs them */
int artem_cu_xnor_conv (const uint64_t *bits, const float *amean, ArtemCuXnorGeom g,
                        const uint64_t *wbits, const float *alpha, const float *bias, void *y,
                        ArtemCuDims yd, int half, ArtemCuStream stream);

/* the 1-bit tensor-core path (sm_80+): bits with words2 (even) words per pixel (pack with
 * words2), wmma_bits [KH*KW][g.mp][words2] with g.mp = M rounded up to 32, wpop
 * [KH*KW][g.mp] popcounts of each tap's weight bits */
int artem_cu_xnor_conv_mma (const uint64_t *bits, const float *amean, ArtemCuXnorGeom g,
                            int words2, const uint64_t *wmma_bits, const int *wpop,
                            const float *alpha, const float *bias, void *y, ArtemCuDims yd,
                            int half, ArtemCuStream stream);

#ifdef __cplusplus
}
#endif

#endif
