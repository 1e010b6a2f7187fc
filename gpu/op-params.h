/* op-params.h — an operator's parameters once its node is sized (prepare): the node's,
 * not any backend's.  The CPU kernels and the CUDA backend both read them from
 * ArtemNode.params; what a backend builds for itself (oneDNN primitives, cuDNN
 * descriptors) stays in that backend. */
#ifndef ARTEM_OP_PARAMS_H
#define ARTEM_OP_PARAMS_H
#include "op-kinds.h"
#include <stdint.h>

/* Conv, ConvTranspose and the binarized Conv: N images of C x H x W to M x OH x OW;
 * kernel KH x KW, strides, dilations, pads (top, left, bottom, right), G groups
 * (ConvTranspose: 1) */
typedef struct {
  int N, C, H, W, M, OH, OW, KH, KW, SH, SW, DH, DW, PT, PL, PB, PR, G;
} ArtemConvParams;

/* MaxPool over NC planes of H x W */
typedef struct {
  int NC, H, W, KH, KW, SH, SW, DH, DW, PT, PL, OH, OW;
} ArtemPoolParams;

typedef struct {
  ArtemUnaryKind kind;
  float a, b;   /* LeakyRelu: a = alpha; Clip: [a, b] */
} ArtemUnaryParams;

/* A gather (Pad, Slice, nearest Resize / Upsample, Expand): output index o_d reads input
 * index maps[d][o_d] in each dimension d, or fill where any map is -1. */
typedef struct {
  int64_t *maps[8];             /* ARTEM_MAX_DIMS */
  union { float f; int64_t i; } fill;
  int64_t storage[];
} ArtemGatherMaps;

/* Linear Resize / Upsample (bilinear over the last two dimensions): per output row
 * (column) the two source rows (columns) and the weight of the second, source
 * coordinates clamped to the picture (ONNX's edge behaviour); outer: the product of the
 * other dimensions. */
typedef struct {
  int64_t outer, ih, iw, oh, ow;
  int64_t *y0, *y1, *x0, *x1;
  float *wy, *wx;
} ArtemLinearTaps;

typedef union {
  ArtemConvParams conv;
  ArtemPoolParams pool;
  ArtemUnaryParams unary;
  ArtemBinaryKind binary;
  struct {
    const ArtemGatherMaps *gather;   /* owned by node->priv; NULL: not a gather */
    const ArtemLinearTaps *linear;   /* owned by node->priv; linear Resize / Upsample */
  };
} ArtemOpParams;

#endif
