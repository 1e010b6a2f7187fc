/* net-private.h — the ArtemNet structure and what the engine's files share (import.c, passes.c,
 * plan.c, net.c, binarize.c, frame.c, the backends). */
#ifndef ARTEM_NET_PRIVATE_H
#define ARTEM_NET_PRIVATE_H
#include "artem-private.h"

#define ARTEM_DEFAULT_MEMORY_LIMIT ((gsize) 8 << 30)
#define ARTEM_MAX_FOLDED_BYTES ((gsize) 64 << 20)

typedef struct {
  gsize size;
  void *data;
} ArtemSlot;

struct _ArtemNet {
  char *path;
  char *only_output;       /* a sub-network ending at this value, or NULL */
  const struct _ArtemBackend *be;   /* in use: the CPU's or CUDA's table (backend.h) */
  void *be_state;             /* the backend's per-net state (CUDA: its context) */
  ArtemBackendKind requested; /* as asked: AUTO falls back to the CPU, CUDA fails */
  ArtemPrecision precision;
  gboolean cpu_bf16;          /* the CPU plan runs its convolutions in bf16 */
  guint64 init_serial;        /* bumped by artem_net_set_initializer */
  float frame_strength;       /* blend of the styled frame over the source, 0..1 */
  guint8 *cpu_frame;          /* CPU submit/receive: the frame processed at submit */
  gsize cpu_frame_size, cpu_frame_row;
  gboolean cpu_frame_pending;
  /* temporal stabilisation (stabilize.h): amount, and the history of the CPU path (the
   * CUDA backend keeps its own on the device); stab_valid: the history is usable */
  float stab_amount;
  float stab_guard;           /* the glow guard (0: off) */
  gboolean stab_valid;
  guint64 stab_serial;        /* init_serial the history was made with */
  int stab_w, stab_h;
  guint8 *stab_ref, *stab_prev;   /* RGB bytes, w x h x 3 */
  guint16 *stab_motion;           /* w x h motion, then w x h gap (one allocation) */
  gint16 *stab_gap;               /* = stab_motion + w x h: fresh - held output */
  guint8 *stab_href, *stab_hprev; /* ref and prev moved along the motion vectors */
  /* the motion search (motion.c), on the host for both backends: the radius (0: off),
   * the luma of the previous and the new input, the vectors of the new frame (all zero
   * when the frame has none; mo_moving: one is not zero) */
  int mo_radius;
  int mo_w, mo_h;
  gboolean mo_have_prev;
  guint8 *mo_buf;                 /* the lumas and the scratch, one allocation */
  guint8 *mo_luma[2], *mo_scratch; /* [0]: the latest input's */
  gint8 *mo_vec;
  gboolean mo_moving;
  Onnx__ModelProto *model;
  int opset;
  GArray *values;          /* ArtemValue */
  GHashTable *value_index; /* name -> index */
  GArray *nodes;           /* ArtemNode */
  GArray *order;           /* int: topological order of nodes */
  GArray *inputs, *outputs;/* int: value indices */
  GHashTable *metadata;
  float in_lo, in_hi, out_lo, out_hi;
  /* plan */
  gboolean sized;
  ArtemSlot *slots;
  guint n_slots;
  float *scratch;
  int *steps;
  int n_steps;
  ArtemValue **step_args;  /* per step: its inputs, then its outputs (artem_step_args) */
  gsize memory_bytes;
  gsize memory_limit;      /* activations + scratch a reshape may allocate */
  double cost_limit;       /* FLOPs per frame a reshape may plan (the cost budget) */
  double cost;             /* FLOPs per frame of the current plan */
  gboolean profile;        /* ARTEM_PROFILE set: time every node */
  guint n_binarized;       /* convolutions binarized by artem_net_binarize */
  guint64 n_allocations;
  /* frame */
  int frame_w, frame_h, pad_w, pad_h, align;
  int margin;              /* requested by artem_net_set_frame_margin (next reshape) */
  int ox, oy;              /* where the frame sits in the padded planes (the margin) */
};

/* value and node @i of @net */
#define VAL(net, i) (&g_array_index ((net)->values, ArtemValue, (i)))
#define NODE(net, i) (&g_array_index ((net)->nodes, ArtemNode, (i)))

/* import.c: the index of the value named @name, -1 when none */
int artem_net_value_lookup (ArtemNet *net, const char *name);
/* plan.c: drops the plan (node state, slots, steps, the backend's plan) */
void artem_net_unplan (ArtemNet *net);

/* passes.c, after import: the topological order; drops the nodes no output depends on;
 * folds each Relu into the Conv, ConvTranspose, InstanceNorm, BatchNorm or Add whose only
 * reader it is */
gboolean artem_pass_order (ArtemNet *net, GError **error);
void artem_pass_prune (ArtemNet *net);
void artem_pass_fuse_relu (ArtemNet *net);
void artem_pass_fuse_gathers (ArtemNet *net);

/* Fusion passes count a value's readers; a graph output counts as this many more, so that
 * no pass fuses it away (its value must stay visible) */
#define ARTEM_OUTPUT_READERS 1000

/* A step's arguments: ARTEM_STEP_MAX_IN input slots (NULL where omitted), then
 * ARTEM_STEP_MAX_OUT output slots. */
#define ARTEM_STEP_MAX_IN 64
#define ARTEM_STEP_MAX_OUT 16
#define ARTEM_STEP_ARGS (ARTEM_STEP_MAX_IN + ARTEM_STEP_MAX_OUT)
static inline ArtemValue **
artem_step_args (const ArtemNet *net, int s)
{
  return net->step_args + (gsize) s * ARTEM_STEP_ARGS;
}
static inline ArtemNode *
artem_step_node (const ArtemNet *net, int s)
{
  return &g_array_index (net->nodes, ArtemNode, net->steps[s]);
}

/* frame.c: one frame through the net on the CPU (conversion, run, blend, stabilisation) */
gboolean artem_frame_process_cpu (ArtemNet *net, const guint8 *src, gsize src_stride,
                                  guint8 *dst, gsize dst_stride, ArtemPixelFormat fmt,
                                  GError **error);

/* motion.c: the luma of a frame (w x h bytes); the block vectors (stabilize.h) of cur
 * against prev into vec (2 bytes a block), scratch of artem_motion_scratch_size() bytes;
 * TRUE when one of them is not zero */
void artem_motion_luma (const guint8 *src, gsize stride, int bpp, const int *off, int w,
                        int h, guint8 *dst);
gboolean artem_motion_search (const guint8 *cur, const guint8 *prev, int w, int h, int radius,
                              guint8 *scratch, gint8 *vec);
gsize artem_motion_scratch_size (int w, int h);
/* frame.c: the motion vectors of this frame (net->mo_vec, mo_moving), before a backend
 * runs it */
void artem_frame_motion (ArtemNet *net, const guint8 *src, gsize stride, ArtemPixelFormat fmt);

#endif
