/* cuda-private.h — the CUDA backend's state (backend.c) and its operator table (ops.c,
 * conv.c).  The CPU plan stays the master: shapes, constant folding, fusion and the
 * liveness slots are computed once by plan.c; the CUDA backend mirrors the slots in
 * device memory, uploads the constants each step reads, and runs the steps on one stream,
 * captured as a CUDA graph per frame size. */
#ifndef ARTEM_CUDA_PRIVATE_H
#define ARTEM_CUDA_PRIVATE_H

#include "../net-private.h"
#include "kernels.h"
#include <cuda_runtime_api.h>
#include <cudnn.h>
#include "cudnn-dl.h"   /* cuDNN through a table loaded at run time */

typedef struct _ArtemCuda ArtemCuda;
typedef struct _ArtemCuStep ArtemCuStep;

/* How a step's constant input is wanted on the device. */
typedef enum {
  ARTEM_CU_ACT,       /* like an activation: storage type and layout, 4-D right-aligned
                         (conv weights [M, C, KH, KW] so become cuDNN's KRSC filters in NHWC) */
  ARTEM_CU_F32        /* raw fp32, as on the host */
} ArtemCuForm;

typedef struct {
  gboolean (*prepare) (ArtemCuda *cu, ArtemCuStep *st, GError **error);
  /* queues the step; returns FALSE and sets cu->fail_msg on a failed launch */
  gboolean (*run) (ArtemCuda *cu, ArtemCuStep *st);
  void (*clear) (ArtemCuStep *st);     /* frees priv's descriptors (may be NULL) */
} ArtemCuOp;

struct _ArtemCuStep {
  ArtemNode *node;
  const ArtemCuOp *op;
  ArtemValue **in, **out;        /* the CPU plan's argument arrays */
  void *x[8];                    /* device pointers of inputs 0..7 (ACT form) */
  void *y;                       /* device pointer of output 0 */
  ArtemCuDims xd[8], yd;
  gboolean skip;                 /* fused into an earlier step */
  const void *residual;          /* InstanceNorm: a fused Add's other operand */
  gboolean relu_after_add;
  gboolean drop_bias;            /* Conv: bias cancelled by the InstanceNorm reading it */
  void *priv;                    /* op state (g_free'd, after clear) */
};

struct _ArtemCuda {
  ArtemNet *net;
  int device;
  int sm;                        /* compute capability major * 10 + minor */
  gboolean tensor_cores;
  cudaStream_t stream, up, down; /* compute, host->device, device->host */
  cudnnHandle_t dnn;
  GHashTable *algo_cache;        /* "node|dims|precision" -> algo + 1 */
  /* plan */
  gboolean planned;
  gboolean half, nhwc;
  GPtrArray *allocs;             /* device allocations of this plan */
  GArray *alloc_sizes;           /* ARTEM_CUDA_GUARD: their sizes (each has a guard tail) */
  GPtrArray *host_allocs;        /* pinned host allocations of this plan */
  void **dval;                   /* per value: device pointer (activations), or NULL */
  GHashTable *consts;            /* "vidx/form" -> device pointer */
  ArtemCuStep *steps;
  int n_steps;
  void *workspace;
  gsize workspace_bytes;
  gsize device_bytes;            /* all device memory this plan holds */
  float *f32_stage;              /* device fp32 NCHW staging of the tensor-level I/O */
  /* the tensor-level run as a CUDA graph */
  cudaGraphExec_t run_graph;
  int run_count;
  gboolean graphs_broken;        /* capture failed once: launch directly */
  guint64 init_serial;           /* net->init_serial when the constants were uploaded */
  /* frames: two staging sets, one graph per (format, set) */
  int frame_w, frame_h, frame_ox, frame_oy;   /* the frame kernels (graphs) were made for */
  guint8 *pin_in[2], *pin_out[2];
  guint8 *d_in[2], *d_out[2];
  float *d_params, *pin_params;  /* in_lo, in_scale, out_lo, out_scale, strength,
                                  * stabilize amount, history usable (1/0) */
  /* temporal stabilisation history (gpu/stabilize.h), one for both sets: frames run in
   * order on one stream */
  guint8 *d_stab_ref, *d_stab_prev;  /* each: RGB bytes w x h x 3, then its moved copy */
  guint16 *d_stab_motion;            /* w x h motion, w x h gap, the moved counter */
  guint8 *d_stab_vec, *pin_stab_vec; /* the motion vectors of each set (stabilize.h) */
  gsize stab_vec_bytes;
  gboolean stab_valid;
  guint64 stab_serial;
  cudaEvent_t ev_up[2], ev_done[2], ev_down[2];
  cudaGraphExec_t frame_graph[ARTEM_FORMAT_COUNT][2];
  int frame_count[ARTEM_FORMAT_COUNT][2];
  ArtemPixelFormat set_fmt[2];
  int next_set, oldest_set, n_in_flight;
  char fail_msg[256];
};

/* backend.c */
void *artem_cu_alloc (ArtemCuda *cu, gsize bytes, GError **error);
/* the device copy of constant value @v in @form (uploaded once per plan) */
void *artem_cu_const (ArtemCuda *cu, ArtemValue *v, ArtemCuForm form, GError **error);
/* fp32 NCHW host data of @shape in the storage type, NHWC or NCHW (conv weights) */
void *artem_cu_upload_act (ArtemCuda *cu, const float *data, const ArtemShape *shape,
                           const char *name, int nhwc, GError **error);
/* a device copy of host data, kept for the plan */
void *artem_cu_upload (ArtemCuda *cu, const void *data, gsize bytes, GError **error);
ArtemCuDims artem_cu_dims (ArtemCuda *cu, const ArtemShape *s);
gboolean artem_cu_failed (ArtemCuda *cu, const char *what, int status);
/* the workspace every cuDNN call of the plan shares: grows at plan time only */
gboolean artem_cu_need_workspace (ArtemCuda *cu, gsize bytes, GError **error);

/* ops.c: the operator table; NULL when @node's operator has no CUDA version */
const ArtemCuOp *artem_cu_op_lookup (const ArtemNode *node);
/* conv.c */
extern const ArtemCuOp artem_cu_op_conv, artem_cu_op_conv_transpose;

#endif
