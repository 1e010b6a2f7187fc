/* cuda-stub.c — the CUDA backend's table in a build without the CUDA toolkit: never
 * available, so no net is ever opened on it. */
#include "backend.h"

static gboolean
stub_available (const char **reason)
{
  if (reason)
    *reason = "this build of libartem has no CUDA backend (built without the CUDA toolkit)";
  return FALSE;
}

static gboolean
stub_open (ArtemNet *net, GError **error)
{
  g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_BACKEND, "cuda backend: not built");
  return FALSE;
}

static void stub_free (ArtemNet *net) { }

const ArtemBackend artem_backend_cuda = {
  .kind = ARTEM_BACKEND_CUDA, .name = "cuda", .available = stub_available, .open = stub_open,
  .free = stub_free,
};
