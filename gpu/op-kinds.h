/* op-kinds.h — what each operator is, for every backend: the op-kind enum, and the
 * unary and binary elementwise operators as lists (one line each: the kind and its ONNX
 * name).  Plain C with no GLib, so the CUDA kernels include it too.
 *
 * Adding an elementwise operator (doc/architecture.md): one line in ARTEM_UNARY_OPS or
 * ARTEM_BINARY_OPS here, its case in cpu/elementwise.c, its case in cuda/elementwise.cu. */
#ifndef ARTEM_OP_KINDS_H
#define ARTEM_OP_KINDS_H

/* unary activations: X (KIND, "OnnxName") */
#define ARTEM_UNARY_OPS(X) \
  X (RELU, "Relu") X (LEAKY_RELU, "LeakyRelu") X (SIGMOID, "Sigmoid") X (TANH, "Tanh") \
  X (CLIP, "Clip") X (FLOOR, "Floor") X (CEIL, "Ceil") X (NEG, "Neg") X (SQRT, "Sqrt") \
  X (EXP, "Exp") X (ABS, "Abs")

/* broadcasting binary arithmetic: X (KIND, "OnnxName") */
#define ARTEM_BINARY_OPS(X) \
  X (ADD, "Add") X (SUB, "Sub") X (MUL, "Mul") X (DIV, "Div") X (POW, "Pow")

#define ARTEM_OP_KIND_ENUM_(k, name) ARTEM_UNARY_##k,
typedef enum { ARTEM_UNARY_OPS (ARTEM_OP_KIND_ENUM_) } ArtemUnaryKind;
#undef ARTEM_OP_KIND_ENUM_
#define ARTEM_OP_KIND_ENUM_(k, name) ARTEM_BINARY_##k,
typedef enum { ARTEM_BINARY_OPS (ARTEM_OP_KIND_ENUM_) } ArtemBinaryKind;
#undef ARTEM_OP_KIND_ENUM_
/* the counts (an enum apart, so that a switch over the kinds needs no case for them) */
#define ARTEM_OP_KIND_COUNT_(k, name) ARTEM_COUNT_##k,
enum { ARTEM_UNARY_OPS (ARTEM_OP_KIND_COUNT_) ARTEM_N_UNARY };
enum { ARTEM_BINARY_OPS (ARTEM_OP_KIND_COUNT_) ARTEM_N_BINARY };
#undef ARTEM_OP_KIND_COUNT_

/* One kind per operator definition (ArtemOpDef.kind); UNARY and BINARY carry their
 * ArtemUnaryKind / ArtemBinaryKind in ArtemOpDef.sub. */
typedef enum {
  ARTEM_OP_CONV,              /* Conv: float, or binary weights (ArtemNode.bin, BWN) */
  ARTEM_OP_CONV_XNOR,         /* a Conv binarized to XNOR (sign activations, popcounts) */
  ARTEM_OP_BINARY_CONV,       /* ai.artem BinaryConv: a load-time marker only */
  ARTEM_OP_CONV_TRANSPOSE,
  ARTEM_OP_INSTANCE_NORM,
  ARTEM_OP_BATCH_NORM,
  ARTEM_OP_ADAIN,             /* ai.artem AdaIN */
  ARTEM_OP_UNARY,
  ARTEM_OP_BINARY,
  ARTEM_OP_MAX_POOL,
  ARTEM_OP_PAD,               /* the gathers: ArtemOpParams.gather */
  ARTEM_OP_SLICE,
  ARTEM_OP_RESIZE,            /* nearest: a gather; linear: its own kernel */
  ARTEM_OP_UPSAMPLE,
  ARTEM_OP_EXPAND,
  ARTEM_OP_IDENTITY,
  /* shape arithmetic: folded at plan time in real models */
  ARTEM_OP_SHAPE, ARTEM_OP_GATHER, ARTEM_OP_UNSQUEEZE, ARTEM_OP_SQUEEZE, ARTEM_OP_FLATTEN,
  ARTEM_OP_CONCAT, ARTEM_OP_CAST, ARTEM_OP_RESHAPE, ARTEM_OP_TRANSPOSE,
  ARTEM_OP_CONSTANT_OF_SHAPE, ARTEM_OP_RANGE,
  ARTEM_N_OP_KINDS
} ArtemOpKind;

#endif
