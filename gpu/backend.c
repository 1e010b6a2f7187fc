/* backend.c — the backend registry and the AUTO fallback (backend.h). */
#include "backend.h"

const ArtemBackend *
artem_backend_get (ArtemBackendKind kind)
{
  switch (kind) {
    case ARTEM_BACKEND_CPU: return &artem_backend_cpu;
    case ARTEM_BACKEND_CUDA: return &artem_backend_cuda;
    default: return NULL;
  }
}

gboolean
artem_backend_available (ArtemBackendKind kind)
{
  const ArtemBackend *be = artem_backend_get (kind);
  return kind == ARTEM_BACKEND_AUTO || (be && be->available (NULL));
}

const char *
artem_backend_name (ArtemBackendKind kind)
{
  const ArtemBackend *be = artem_backend_get (kind);
  return be ? be->name : "auto";
}

const char *
artem_backend_unavailable_reason (ArtemBackendKind kind)
{
  const ArtemBackend *be = artem_backend_get (kind);
  const char *why = NULL;
  if (be && !be->available (&why))
    return why;
  return NULL;
}

gboolean
artem_net_fall_back (ArtemNet *net, GError *err, GError **error)
{
  if (net->requested != ARTEM_BACKEND_AUTO || net->be == &artem_backend_cpu) {
    g_propagate_error (error, err);
    return FALSE;
  }
  /* whatever stops the GPU (an operator without a CUDA kernel, cuDNN without an
   * algorithm, GPU memory, a driver error or a lost device) leaves the CPU, which checks
   * its own limits */
  g_warning ("artem: %s: %s; this net runs on the CPU from now on", net->path, err->message);
  g_error_free (err);
  artem_net_unplan (net);
  net->be->free (net);
  net->be_state = NULL;
  net->be = &artem_backend_cpu;
  return TRUE;
}
