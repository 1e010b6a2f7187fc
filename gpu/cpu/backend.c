/* backend.c — the CPU backend (backend.h): activations and scratch in host memory, the
 * steps run one after another through each op's run(), frames through frame.c. */
#include "../backend.h"
#include <stdlib.h>

static gboolean
cpu_available (const char **reason)
{
  return TRUE;
}

static gboolean cpu_open (ArtemNet *net, GError **error) { return TRUE; }
static void cpu_free (ArtemNet *net) { }
static gboolean cpu_stores_half (ArtemNet *net) { return FALSE; }

static void *
aligned_alloc64 (ArtemNet *net, gsize bytes)
{
  void *p = NULL;
  net->n_allocations++;
  if (posix_memalign (&p, 64, MAX (bytes, 64)) != 0)
    return NULL;
  memset (p, 0, MAX (bytes, 64));  /* defined contents even before the first frame */
  return p;
}

/* the slots the plan sized and the scratch, then each value's place in them */
static gboolean
cpu_plan (ArtemNet *net, gsize scratch_floats, GError **error)
{
  net->memory_bytes = 0;
  for (guint i = 0; i < net->n_slots; i++) {
    net->slots[i].data = aligned_alloc64 (net, net->slots[i].size);
    net->memory_bytes += net->slots[i].size;
    if (!net->slots[i].data) {
      g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_SHAPE,
                   "cannot allocate %zu bytes of activations", net->slots[i].size);
      return FALSE;
    }
  }
  if (scratch_floats) {
    net->scratch = aligned_alloc64 (net, scratch_floats * sizeof (float));
    net->memory_bytes += scratch_floats * sizeof (float);
    if (!net->scratch) {
      g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_SHAPE, "cannot allocate scratch");
      return FALSE;
    }
  }
  for (guint i = 0; i < net->values->len; i++) {
    ArtemValue *v = VAL (net, i);
    if (v->slot >= 0)
      v->data = net->slots[v->slot].data;
  }
  return TRUE;
}

static void
cpu_unplan (ArtemNet *net)
{
  net->cpu_frame_pending = FALSE;
  for (guint i = 0; i < net->n_slots; i++)
    g_clear_pointer (&net->slots[i].data, free);
  g_clear_pointer (&net->scratch, free);
}

static gboolean
cpu_run (ArtemNet *net, GError **error)
{
  for (int s = 0; s < net->n_steps; s++) {
    ArtemNode *n = artem_step_node (net, s);
    if (n->skip)   /* done by the step before (an Add a norm wrote: cpu/pad.c) */
      continue;
    ArtemValue **args = artem_step_args (net, s);
    gint64 t0 = net->profile ? g_get_monotonic_time () : 0;
    n->def->run (n, args, args + ARTEM_STEP_MAX_IN, net->scratch);
    if (net->profile)
      n->profile_us += g_get_monotonic_time () - t0;
  }
  return TRUE;
}

/* submit processes the frame at once into a frame of ours; receive copies it out */
static gboolean
cpu_submit (ArtemNet *net, const guint8 *src, gsize src_stride, ArtemPixelFormat fmt,
            GError **error)
{
  if (net->cpu_frame_pending) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_ARGUMENT,
                 "a frame is in flight: receive it first");
    return FALSE;
  }
  gsize row = (gsize) net->frame_w * artem_pixel_format_bpp (fmt);
  gsize size = row * net->frame_h;
  if (net->cpu_frame_size < size) {
    g_free (net->cpu_frame);
    net->cpu_frame = g_try_malloc (size);
    net->cpu_frame_size = net->cpu_frame ? size : 0;
    net->n_allocations++;
    if (!net->cpu_frame) {
      g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_SHAPE, "cannot allocate a frame");
      return FALSE;
    }
  }
  if (!artem_frame_process_cpu (net, src, src_stride, net->cpu_frame, row, fmt, error))
    return FALSE;
  net->cpu_frame_row = row;
  net->cpu_frame_pending = TRUE;
  return TRUE;
}

static gboolean
cpu_receive (ArtemNet *net, guint8 *dst, gsize dst_stride, GError **error)
{
  if (!net->cpu_frame_pending) {
    g_set_error (error, ARTEM_ERROR, ARTEM_ERROR_ARGUMENT, "no frame in flight");
    return FALSE;
  }
  for (int y = 0; y < net->frame_h; y++)
    memcpy (dst + (gsize) y * dst_stride, net->cpu_frame + (gsize) y * net->cpu_frame_row,
            net->cpu_frame_row);
  net->cpu_frame_pending = FALSE;
  return TRUE;
}

static guint cpu_in_flight (ArtemNet *net) { return net->cpu_frame_pending ? 1 : 0; }
static void cpu_reset_history (ArtemNet *net) { }   /* frame.c's own (net->stab_valid) */
static gsize cpu_device_bytes (ArtemNet *net) { return 0; }

static double
cpu_time_steps (ArtemNet *net, int iters)
{
  if (!cpu_run (net, NULL))   /* warm-up */
    return -1;
  gint64 t0 = g_get_monotonic_time ();
  for (int i = 0; i < iters; i++)
    if (!cpu_run (net, NULL))
      return -1;
  return (g_get_monotonic_time () - t0) / 1000.0 / iters;
}

static ArtemPrecision
cpu_precision (ArtemNet *net)
{
  return net->sized && net->cpu_bf16 ? ARTEM_PRECISION_BF16 : ARTEM_PRECISION_FP32;
}

const ArtemBackend artem_backend_cpu = {
  .kind = ARTEM_BACKEND_CPU, .name = "cpu", .available = cpu_available, .open = cpu_open,
  .free = cpu_free, .cpu_kernels = TRUE, .stores_half = cpu_stores_half, .plan = cpu_plan,
  .unplan = cpu_unplan, .run = cpu_run, .process = artem_frame_process_cpu,
  .submit = cpu_submit, .receive = cpu_receive, .in_flight = cpu_in_flight,
  .max_in_flight = 1, .reset_history = cpu_reset_history, .time_steps = cpu_time_steps,
  .device_bytes = cpu_device_bytes, .precision = cpu_precision,
};
