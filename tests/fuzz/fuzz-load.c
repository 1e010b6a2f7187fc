/* fuzz-load.c — libFuzzer target for the model loader: any bytes are loaded; what loads
 * is sized for a small input and run.  Build and run: tests/fuzz/run.sh SECONDS */
#include "artem-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *err = NULL;
  ArtemNet *net = artem_net_new_from_data (data, size, "fuzz.onnx", ARTEM_BACKEND_CPU, &err);
  if (!net) {
    g_clear_error (&err);
    return 0;
  }
  artem_net_set_memory_limit (net, 64 << 20);
  artem_net_set_cost_limit (net, 2e9);   /* a second at most: a slow model is no finding */
  guint n = artem_net_get_n_inputs (net);
  if (n <= 8) {
    ArtemShape shapes[8];
    for (guint i = 0; i < n; i++)
      shapes[i] = (ArtemShape) { 4, { 1, 3, 8, 8 } };
    if (artem_net_reshape (net, shapes, NULL, &err))
      artem_net_run (net, &err);
    g_clear_error (&err);
    if (n == 1 && artem_net_reshape_frame (net, 13, 7, &err)) {
      guint8 px[13 * 7 * 4] = { 0 };
      artem_net_process_frame (net, px, 13 * 4, px, 13 * 4, ARTEM_FORMAT_BGRA, &err);
    }
    g_clear_error (&err);
  }
  artem_net_free (net);
  return 0;
}
