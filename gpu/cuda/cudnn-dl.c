/* cudnn-dl.c — loads cuDNN 9 at run time (see cudnn-dl.h). */
#define ARTEM_CUDNN_DIRECT   /* the real names, for dlsym */
#include "cudnn-dl.h"
#include <dlfcn.h>

ArtemCudnn artem_cudnn;

gboolean
artem_cudnn_load (const char **why)
{
  static gsize once = 0;
  static gboolean ok = FALSE;
  static char reason[512];
  if (g_once_init_enter (&once)) {
#ifdef ARTEM_CUDNN_LINKED   /* the emulator's build: cuDNN's functions are linked in */
#define ARTEM_CUDNN_SET(ret, name, args) artem_cudnn.name = cudnn##name;
    ARTEM_CUDNN_FUNCS (ARTEM_CUDNN_SET)
#undef ARTEM_CUDNN_SET
    ok = TRUE;
#else
    void *h = dlopen ("libcudnn.so.9", RTLD_NOW | RTLD_LOCAL);
    if (!h)
      g_snprintf (reason, sizeof reason, "cannot load cuDNN 9 (libcudnn.so.9): %s", dlerror ());
    ok = h != NULL;
#define ARTEM_CUDNN_SYM(ret, name, args)                                                   \
    if (ok && !(artem_cudnn.name = (ret (*) args) dlsym (h, "cudnn" #name))) {             \
      g_snprintf (reason, sizeof reason, "libcudnn.so.9 lacks cudnn" #name);               \
      ok = FALSE;                                                                          \
    }
    ARTEM_CUDNN_FUNCS (ARTEM_CUDNN_SYM)
#undef ARTEM_CUDNN_SYM
#endif
    g_once_init_leave (&once, 1);
  }
  if (why)
    *why = ok ? NULL : reason;
  return ok;
}
