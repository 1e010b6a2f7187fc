/* cuda-backend.h — the CUDA backend's context (gpu/cuda/backend.c), which its table
 * (artem_backend_cuda, backend.h) wraps for the net. */
#ifndef ARTEM_CUDA_BACKEND_H
#define ARTEM_CUDA_BACKEND_H
#include "../net-private.h"

typedef struct _ArtemCuda ArtemCuda;

/* whether a usable GPU is here; else *reason says why (static string) */
gboolean artem_cuda_probe (const char **reason);
ArtemCuda *artem_cuda_new (ArtemNet *net, GError **error);
void artem_cuda_free (ArtemCuda *cu);
/* mirrors the CPU plan just made (net->steps, net->slots sizes, step_args) on the GPU;
 * ARTEM_ERROR_UNSUPPORTED when a step has no CUDA kernel (the caller may fall back) */
gboolean artem_cuda_plan (ArtemCuda *cu, GError **error);
void artem_cuda_unplan (ArtemCuda *cu);
gboolean artem_cuda_run (ArtemCuda *cu, GError **error);
gboolean artem_cuda_submit_frame (ArtemCuda *cu, const guint8 *src, gsize src_stride,
                                  ArtemPixelFormat fmt, GError **error);
gboolean artem_cuda_receive_frame (ArtemCuda *cu, guint8 *dst, gsize dst_stride,
                                   GError **error);
guint artem_cuda_frames_in_flight (ArtemCuda *cu);
/* the next frame starts a new stabilisation history (artem_net_reset_frame_history) */
void artem_cuda_reset_frame_history (ArtemCuda *cu);
/* ms per run of the steps alone (no transfers), -1 on failure */
double artem_cuda_time_steps (ArtemCuda *cu, int iters);
gsize artem_cuda_device_bytes (ArtemCuda *cu);
gboolean artem_cuda_is_half (ArtemCuda *cu);
/* whether a plan made now would store fp16 (net->precision, tensor cores) */
gboolean artem_cuda_wants_half (ArtemCuda *cu);

#endif
