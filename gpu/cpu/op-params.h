/* op-params.h — what a prepared CPU operator keeps in node->priv, for the operators whose
 * parameters another backend reads (gpu/cuda/ops.c): MaxPool's geometry and the unary
 * activations' kind and constants.  (Conv and ConvTranspose: conv.h; gathers:
 * gather-plan.h.) */
#ifndef ARTEM_CPU_OP_PARAMS_H
#define ARTEM_CPU_OP_PARAMS_H
#include "../artem-private.h"

typedef struct {
  int NC, H, W, KH, KW, SH, SW, DH, DW, PT, PL, OH, OW;
} PoolGeom;

typedef enum { U_RELU, U_LEAKY, U_SIGMOID, U_TANH, U_CLIP, U_FLOOR, U_CEIL, U_NEG, U_SQRT,
               U_EXP } UnaryKind;

typedef struct {
  UnaryKind kind;
  float a, b;   /* LeakyRelu: a = alpha; Clip: [a, b] */
} UnaryParams;

typedef enum { B_ADD, B_SUB, B_MUL, B_DIV, B_POW } BinKind;

#endif
