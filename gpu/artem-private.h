/* artem-private.h — the engine's internal types: values, nodes, operator table. */
#ifndef ARTEM_PRIVATE_H
#define ARTEM_PRIVATE_H

#include "artem.h"
#include "onnx.pb-c.h"
#include "op-params.h"
#include <string.h>

G_BEGIN_DECLS

/* A value: a graph edge (input, initializer, node output). */
typedef struct {
  char *name;
  ArtemDType dtype;
  ArtemShape shape;
  void *data;           /* host data when known or planned */
  gboolean is_init;     /* an initializer or Constant: known at load */
  gboolean is_const;    /* known at plan time (initializer or folded) */
  gboolean owned;       /* data is ours to g_free */
  int producer;         /* node index, -1 for inputs/initializers */
  int last_use;         /* last exec step that reads it (planning) */
  int slot;             /* memory slot at run time, -1 none */
  gboolean nhwc;        /* CPU plan: a 4-D float activation stored NHWC, not NCHW
                         * (layout.c decides, before the ops' prepare) */
  gboolean bf16;        /* CPU plan: a float activation stored as bf16 (2 bytes an element,
                         * in a slot sized for fp32): a bf16 convolution's padded input,
                         * written so by its Pad, or a bf16 convolution's output that only
                         * a norm reads (artem_cpu_plan_bf16_handoff) */
} ArtemValue;

typedef struct _ArtemNode ArtemNode;
typedef struct _ArtemPlan ArtemPlan;

/* One operator: its kind (op-kinds.h: what every backend dispatches on), check (load
 * time, attributes only), prepare (plan time: output shapes/dtypes, node->params, and on
 * the CPU its kernel state and scratch), run (the CPU kernel; no allocation). */
typedef struct {
  ArtemOpKind kind;
  int sub;              /* UNARY: ArtemUnaryKind; BINARY: ArtemBinaryKind */
  const char *op_type;
  gboolean (*check) (ArtemNode *node, GError **error);
  gboolean (*prepare) (ArtemNode *node, ArtemValue **in, ArtemValue **out,
                       ArtemPlan *plan, GError **error);
  void (*run) (ArtemNode *node, ArtemValue **in, ArtemValue **out, float *scratch);
  gboolean shape_only;  /* output depends on input shapes only (Shape) */
} ArtemOpDef;

struct _ArtemNode {
  char *name;           /* node name or "op_type#index" */
  const ArtemOpDef *def;
  Onnx__NodeProto *proto;
  int opset;
  int n_in, n_out;
  int *in;              /* value indices, -1 for an omitted optional input */
  int *out;
  gboolean fused_relu;  /* a following Relu folded into this node */
  gboolean removed;     /* folded into another node */
  int fused_gather;     /* 1 + the index of a gather (nearest Resize) folded in front of this
                         * Pad: prepared first, its maps composed into this node's (0: none) */
  gint64 profile_us;    /* time spent in run() (ARTEM_PROFILE) */
  void *bin;            /* ArtemBinaryWeights of a binarized Conv (binary.h) */
  /* CPU plan (cpu/pad.c, artem_cpu_plan_pad_into): an InstanceNormalization whose only
   * reader is the step after it writes straight into that step's output: a Pad's,
   * inside its border (the Pad then fills the border alone, in place; pt, pl: where the
   * picture sits, on both), or a residual Add's, adding the Add's other operand
   * (residual; the Add then does nothing) */
  struct { ArtemValue *out, *residual; int64_t pt, pl; } write_into;
  gboolean border_only, skip;
  ArtemOpParams params; /* set by prepare: the parameters every backend reads */
  void *priv;           /* the CPU's op state computed at prepare, freed with g_free */
  void (*priv_clear) (void *priv);  /* frees what priv points to (before its g_free) */
};

static inline gboolean
artem_node_is_unary (const ArtemNode *n, ArtemUnaryKind k)
{
  return n->def->kind == ARTEM_OP_UNARY && n->def->sub == (int) k;
}
static inline gboolean
artem_node_is_binary (const ArtemNode *n, ArtemBinaryKind k)
{
  return n->def->kind == ARTEM_OP_BINARY && n->def->sub == (int) k;
}
/* a Resize / Upsample in linear mode (from its attributes: known before prepare); the
 * other modes gather (node->params.gather) */
gboolean artem_resize_is_linear (const ArtemNode *n);

G_STATIC_ASSERT (G_N_ELEMENTS (((ArtemGatherMaps *) NULL)->maps) == ARTEM_MAX_DIMS);

/* Planning context handed to prepare(). */
struct _ArtemPlan {
  gsize scratch_floats;   /* max scratch any node asks for (all threads together) */
  int n_threads;
  gsize memory_limit;     /* the net's limit: no single allocation may pass it */
  gsize priv_bytes;       /* op state allocated by prepare() (index maps), all nodes */
  double cost;            /* this node's work in FLOPs (multiply-add = 2, compare = 1);
                           * prepare() sets it where the work is more than one
                           * operation per output element */
  gboolean cpu_kernels;   /* the net runs on the CPU backend: prepare may build CPU
                           * kernels (oneDNN primitives); another backend only reads the
                           * geometry */
  gboolean bf16;          /* CPU precision bf16 (storage; fp32 accumulation) */
  const guint64 *init_serial;   /* bumped when an initializer is rewritten */
};

/* The cost budget (artem_net_set_cost_limit): FLOPs per frame. */
#define ARTEM_DEFAULT_COST_LIMIT 64e12
/* the most nodes a model may have: loading is linear (about 5 us a node), so a load, and
 * a state change that waits for one, stays under about a second; real style networks
 * have hundreds */
#define ARTEM_MAX_NODES 200000
/* the largest model file: protobuf's own limit (2 GiB) */
#define ARTEM_MAX_MODEL_BYTES ((gsize) G_MAXINT32)

/* Fails (naming the node) unless a tensor of @shape and @dtype is a sane size: no
 * overflow, within the plan's memory limit.  Op prepare() calls it before allocating
 * anything sized by the output. */
gboolean artem_plan_check_tensor (ArtemNode *n, ArtemPlan *plan, const ArtemShape *shape,
                                  ArtemDType dtype, GError **error);

/* ---- attributes (attr.c) ---- */
Onnx__AttributeProto *artem_attr_find (ArtemNode *n, const char *name);
gint64 artem_attr_int (ArtemNode *n, const char *name, gint64 def);
float artem_attr_float (ArtemNode *n, const char *name, float def);
const char *artem_attr_string (ArtemNode *n, const char *name, const char *def);
/* copies at most max ints; returns the count, -1 when absent */
int artem_attr_ints (ArtemNode *n, const char *name, gint64 *out, int max);
/* fails unless every attribute of the node is in the NULL-terminated list */
gboolean artem_attr_check_known (ArtemNode *n, const char *const *known, GError **error);

/* ---- tensors (tensor.c) ---- */
gsize artem_dtype_size (ArtemDType t);
gboolean artem_tensor_from_proto (const Onnx__TensorProto *t, ArtemDType *dtype,
                                  ArtemShape *shape, void **data, GError **error);
gboolean artem_shape_equal (const ArtemShape *a, const ArtemShape *b);
char *artem_shape_to_string (const ArtemShape *s);
/* reads a const int64 or float 1-D value into ints; -1 on error */
int artem_value_read_ints (ArtemValue *v, gint64 *out, int max);
int artem_value_read_floats (ArtemValue *v, float *out, int max);
/* a float to int64 without undefined behaviour: NaN is 0, out of range saturates */
gint64 artem_float_to_int64 (double f);
int64_t artem_value_numel (const ArtemValue *v);

#define ARTEM_MAX_NUMEL ((int64_t) 1 << 32)   /* 4 G elements: beyond is absurd */
/* the default ONNX domain's opsets artem reads (README) */
#define ARTEM_MIN_OPSET 6
#define ARTEM_MAX_OPSET 17

/* ---- layouts (layout.c): marks the activations the CPU keeps NHWC ---- */
void artem_plan_layouts (ArtemNet *net);
/* cpu/pad.c: pairs each InstanceNormalization step with the Pad or residual Add step
 * right after it that alone reads its output (write_into / border_only / skip), before
 * the slots are planned, and keeps the norm's input alive through that step (its output
 * must not take that slot) */
void artem_cpu_plan_pad_into (ArtemNet *net, const int *exec, int n_exec);
/* cpu/conv.c: in a bf16 plan, each oneDNN convolution whose NHWC input is a Pad's output
 * read by it alone takes that input as bf16 (ArtemValue.bf16: the Pad, and a norm writing
 * into it, store bf16), so the convolution does not convert its frame; and one whose
 * output only an InstanceNormalization reads writes it as bf16.
 * $ARTEM_NO_BF16_HANDOFF=1 turns both off, $ARTEM_NO_BF16_NORM_IN=1 the second.
 * *scratch_floats: the net's scratch, grown where a rebuilt kernel needs more. */
void artem_cpu_plan_bf16_handoff (ArtemNet *net, const int *exec, int n_exec,
                                  gsize *scratch_floats);
/* cpu/pad.c: whether the Pad step @p can write its NHWC output as bf16 */
gboolean artem_cpu_pad_can_write_bf16 (ArtemNet *net, ArtemNode *p);
/* fp32 -> bf16, rounded to nearest even (as oneDNN's conversion and the AVX512-BF16
 * instructions round); a NaN stays a NaN */
static inline guint16
artem_f32_to_bf16 (float f)
{
  guint32 u;
  memcpy (&u, &f, sizeof u);
  if ((u & 0x7fffffffu) > 0x7f800000u)
    return (guint16) ((u >> 16) | 0x40);
  return (guint16) ((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}
static inline float
artem_bf16_to_f32 (guint16 h)
{
  guint32 u = (guint32) h << 16;
  float f;
  memcpy (&f, &u, sizeof f);
  return f;
}
/* dst (N x C x HW) = src (N x HW x C) and the reverse, for the few places a region's
 * NHWC frame meets NCHW code (cpu/conv.c's fallback) */
void artem_nhwc_to_nchw (const float *src, float *dst, int64_t N, int64_t C, int64_t HW);
void artem_nchw_to_nhwc (const float *src, float *dst, int64_t N, int64_t C, int64_t HW);

/* ---- operator registry (ops.c) ---- */
const ArtemOpDef *artem_op_lookup (const char *op_type);
/* operators of artem's own domain (AdaIN) */
#define ARTEM_OP_DOMAIN "ai.artem"
const ArtemOpDef *artem_op_lookup_artem (const char *op_type);

/* Helpers for op files. */
#define ARTEM_NODE_ERROR(err, code, node, ...) \
  artem_node_error ((err), (code), (node), __VA_ARGS__)
void artem_node_error (GError **error, int code, ArtemNode *node, const char *fmt, ...)
    G_GNUC_PRINTF (4, 5);

/* Require input i to be present and constant at plan time. */
gboolean artem_require_const (ArtemNode *node, ArtemValue **in, int i,
                              const char *what, GError **error);

/* Shared CPU kernels. */
void artem_cpu_gather_maps (const void *src, const ArtemShape *in_shape, void *dst,
                            const ArtemShape *out_shape, gsize esize,
                            int64_t *const *maps, const void *fill);
/* @map (n entries, -1 = fill) as runs of consecutive source indices or of fill: run k
 * covers outputs [run_x[k], run_x[k + 1]) from run_src[k] on (run_x has max_runs + 1
 * entries); the number of runs, or -1 when there are more than max_runs */
int artem_map_runs (const int64_t *map, int64_t n, int64_t *run_x, int64_t *run_src,
                    int max_runs);
int artem_cpu_threads (void);
void artem_cpu_init (void);
/* whether a CPU net asked for @p computes its convolutions in bf16: BF16 or AUTO (where
 * $ARTEM_PRECISION does not say otherwise) on a CPU with native bf16 */
gboolean artem_cpu_wants_bf16 (ArtemPrecision p);

/* Each op family file exports its table. */
extern const ArtemOpDef artem_op_conv, artem_op_conv_transpose;
extern const ArtemOpDef artem_op_instance_norm, artem_op_batch_norm;
/* indexed by ArtemUnaryKind / ArtemBinaryKind (cpu/elementwise.c) */
extern const ArtemOpDef artem_unary_ops[ARTEM_N_UNARY], artem_binary_ops[ARTEM_N_BINARY];
extern const ArtemOpDef artem_op_pad, artem_op_resize, artem_op_upsample;
extern const ArtemOpDef artem_op_max_pool;
extern const ArtemOpDef artem_op_adain, artem_op_conv_xnor;
/* ai.artem BinaryConv in a saved binarized model: turned into a binarized Conv at load */
extern const ArtemOpDef artem_op_binary_conv;
extern const ArtemOpDef artem_op_identity, artem_op_shape,
    artem_op_gather, artem_op_unsqueeze, artem_op_squeeze, artem_op_concat,
    artem_op_cast, artem_op_slice, artem_op_reshape, artem_op_transpose,
    artem_op_constant_of_shape, artem_op_expand, artem_op_flatten, artem_op_range;

G_END_DECLS

#endif
