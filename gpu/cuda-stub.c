/* cuda-stub.c — the CUDA backend's entry points in a build without the CUDA toolkit. */
#include "cuda-backend.h"

gboolean
artem_cuda_probe (const char **reason)
{
  if (reason)
    *reason = "this build of libartem has no CUDA backend (built without the CUDA toolkit)";
  return FALSE;
}

ArtemCuda *
artem_cuda_new (ArtemNet *net, GError **error)
{
  g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_BACKEND, "cuda backend: not built");
  return NULL;
}

void artem_cuda_free (ArtemCuda *cu) { }
void artem_cuda_unplan (ArtemCuda *cu) { }

gboolean
artem_cuda_plan (ArtemCuda *cu, GError **error)
{
  g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_BACKEND, "cuda backend: not built");
  return FALSE;
}

gboolean
artem_cuda_run (ArtemCuda *cu, GError **error)
{
  return artem_cuda_plan (cu, error);
}

gboolean
artem_cuda_submit_frame (ArtemCuda *cu, const guint8 *src, gsize src_stride,
                         ArtemPixelFormat fmt, GError **error)
{
  return artem_cuda_plan (cu, error);
}

gboolean
artem_cuda_receive_frame (ArtemCuda *cu, guint8 *dst, gsize dst_stride, GError **error)
{
  return artem_cuda_plan (cu, error);
}

guint artem_cuda_frames_in_flight (ArtemCuda *cu) { return 0; }
void artem_cuda_reset_frame_history (ArtemCuda *cu) { }
double artem_cuda_time_steps (ArtemCuda *cu, int iters) { return -1; }
gsize artem_cuda_device_bytes (ArtemCuda *cu) { return 0; }
gboolean artem_cuda_is_half (ArtemCuda *cu) { return FALSE; }
gboolean artem_cuda_wants_half (ArtemCuda *cu) { return FALSE; }
