/* backend.h — the backend interface: what a backend gives a net, and the one place that
 * moves a device=auto net to the CPU when its GPU fails (load, plan or run).
 *
 * A net is loaded and planned by backend-neutral code (import.c, passes.c, plan.c: the ops'
 * prepare for shapes and node->params, liveness, slots); then the net's backend allocates
 * what a run needs and runs it.  The CPU backend is gpu/cpu/backend.c, the CUDA backend
 * gpu/cuda/backend.c (gpu/cuda-stub.c in a build without the CUDA toolkit).  Neither
 * reads the other's state: both read ArtemNode.params and the op kinds. */
#ifndef ARTEM_BACKEND_H
#define ARTEM_BACKEND_H
#include "net-private.h"

typedef struct _ArtemBackend {
  ArtemBackendKind kind;
  const char *name;
  /* whether it can run here; else *reason (a static string) says why */
  gboolean (*available) (const char **reason);
  /* attaches its per-net state (net->be_state) to a loaded net; free drops it */
  gboolean (*open) (ArtemNet *net, GError **error);
  void (*free) (ArtemNet *net);
  /* the ops' prepare builds CPU kernels (oneDNN primitives, NHWC layouts) for it */
  gboolean cpu_kernels;
  /* whether the plan about to be made stores 16-bit activations (the memory limit) */
  gboolean (*stores_half) (ArtemNet *net);
  /* after the common plan (net->steps, step_args, slot sizes): allocates and prepares what
   * a run needs (@scratch_floats: the CPU ops' scratch); ARTEM_ERROR_UNSUPPORTED when a
   * step has no kernel here */
  gboolean (*plan) (ArtemNet *net, gsize scratch_floats, GError **error);
  void (*unplan) (ArtemNet *net);
  gboolean (*run) (ArtemNet *net, GError **error);
  /* frames: process (synchronous; NULL: submit then receive), and the pipelined pair */
  gboolean (*process) (ArtemNet *net, const guint8 *src, gsize src_stride, guint8 *dst,
                       gsize dst_stride, ArtemPixelFormat fmt, GError **error);
  gboolean (*submit) (ArtemNet *net, const guint8 *src, gsize src_stride, ArtemPixelFormat fmt,
                      GError **error);
  gboolean (*receive) (ArtemNet *net, guint8 *dst, gsize dst_stride, GError **error);
  guint (*in_flight) (ArtemNet *net);
  guint max_in_flight;
  void (*reset_history) (ArtemNet *net);
  /* ms per run of the steps alone (no frame conversion or transfer), -1 on failure */
  double (*time_steps) (ArtemNet *net, int iters);
  gsize (*device_bytes) (ArtemNet *net);
  ArtemPrecision (*precision) (ArtemNet *net);
} ArtemBackend;

extern const ArtemBackend artem_backend_cpu, artem_backend_cuda;

/* the table of CPU or CUDA (AUTO: NULL) */
const ArtemBackend *artem_backend_get (ArtemBackendKind kind);

/* The AUTO fallback.  @err (taken) is a failure of the net's backend: a device=auto net
 * that is not on the CPU drops its plan and backend state, warns, and continues on the CPU:
 * TRUE, and the caller does again on the CPU what failed.  Otherwise @err goes to @error:
 * FALSE. */
gboolean artem_net_fall_back (ArtemNet *net, GError *err, GError **error);

#endif
