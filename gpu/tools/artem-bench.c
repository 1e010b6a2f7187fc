/* artem-bench — runs a model at a frame size on a backend and prints ms per frame and
 * frames per second.  Uses only the public API (artem.h).
 *
 *   artem-bench MODEL [--size WxH] [--backend cpu|cuda|auto] [--frames N] [--warmup N]
 *               [--binarize weights|xnor] [--layers inner|all|residual|NAMES]
 *               [--precision auto|fp16|bf16|fp32] [--pipelined]
 *               [--margin N] [--stabilize A] [--motion-search R]   (the elements' frame
 *               settings: a 16-pixel mirrored margin, stabilisation 1 and a motion search
 *               of 6 are artemstylize's defaults)
 *
 * Timing is end to end: 8-bit RGBx frames in host memory to 8-bit frames in host memory.
 * --pipelined keeps two frames in flight (artem_net_submit_frame / receive_frame: on the
 * GPU the next frame's upload overlaps this one's compute) and reports the throughput.
 * With --motion-search the frames alternate between the picture and the picture moved
 * 3 pixels right, so every block of every frame is searched (the search's worst case;
 * the same picture every frame would find every block still).
 */
#include <artem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const char *model, *backend, *binarize, *layers, *precision;
  gboolean pipelined;
  int margin, w, h, frames, warmup, motion_search;
  double stabilize;
} Options;

static gboolean
parse_args (int argc, char **argv, Options *o)
{
  *o = (Options) { NULL, "auto", NULL, "inner", NULL, FALSE, 0, 640, 360, 20, 2, 0, 0 };
  for (int i = 1; i < argc; i++) {
    gboolean more = i + 1 < argc;
    if (!strcmp (argv[i], "--size") && more) {
      if (sscanf (argv[++i], "%dx%d", &o->w, &o->h) != 2) {
        fprintf (stderr, "bad --size\n");
        return FALSE;
      }
    } else if (!strcmp (argv[i], "--backend") && more) {
      o->backend = argv[++i];
    } else if (!strcmp (argv[i], "--frames") && more) {
      o->frames = atoi (argv[++i]);
    } else if (!strcmp (argv[i], "--binarize") && more) {
      o->binarize = argv[++i];
    } else if (!strcmp (argv[i], "--layers") && more) {
      o->layers = argv[++i];
    } else if (!strcmp (argv[i], "--precision") && more) {
      o->precision = argv[++i];
    } else if (!strcmp (argv[i], "--margin") && more) {
      o->margin = atoi (argv[++i]);
    } else if (!strcmp (argv[i], "--stabilize") && more) {
      o->stabilize = atof (argv[++i]);
    } else if (!strcmp (argv[i], "--motion-search") && more) {
      o->motion_search = atoi (argv[++i]);
    } else if (!strcmp (argv[i], "--pipelined")) {
      o->pipelined = TRUE;
    } else if (!strcmp (argv[i], "--warmup") && more) {
      o->warmup = atoi (argv[++i]);
    } else if (argv[i][0] != '-' && !o->model) {
      o->model = argv[i];
    } else {
      o->model = NULL;
      break;
    }
  }
  if (!o->model || o->frames < 1) {
    fprintf (stderr, "usage: %s MODEL [--size WxH] [--backend cpu|cuda|auto] [--frames N]"
             " [--warmup N]\n", argv[0]);
    return FALSE;
  }
  return TRUE;
}

/* the net as the options ask, sized for the frames; NULL (message printed) on failure */
static ArtemNet *
open_net (const Options *o)
{
  ArtemBackendKind kind = !strcmp (o->backend, "cpu") ? ARTEM_BACKEND_CPU
                          : !strcmp (o->backend, "cuda") ? ARTEM_BACKEND_CUDA
                                                         : ARTEM_BACKEND_AUTO;
  GError *err = NULL;
  ArtemNet *net = artem_net_new_from_file (o->model, kind, &err);
  if (net && o->precision)
    artem_net_set_precision (net, !strcmp (o->precision, "fp16") ? ARTEM_PRECISION_FP16
                                  : !strcmp (o->precision, "bf16") ? ARTEM_PRECISION_BF16
                                  : !strcmp (o->precision, "fp32") ? ARTEM_PRECISION_FP32
                                  : ARTEM_PRECISION_AUTO);
  if (net && o->binarize)
    artem_net_binarize (net, !strcmp (o->binarize, "weights") ? ARTEM_BINARIZE_WEIGHTS
                                                               : ARTEM_BINARIZE_XNOR,
                        o->layers, 0, &err);
  if (net) {
    artem_net_set_frame_margin (net, o->margin);
    artem_net_set_frame_stabilize (net, (float) o->stabilize);
    artem_net_set_frame_motion_search (net, o->motion_search);
  }
  if (!net || err || !artem_net_reshape_frame (net, o->w, o->h, &err)) {
    fprintf (stderr, "artem-bench: %s\n", err->message);
    g_error_free (err);
    artem_net_free (net);
    return NULL;
  }
  return net;
}

/* @frames frames with two in flight where the backend allows (submit i+1 before
 * receiving i); the total ms, -1 on failure */
static double
run_pipelined (ArtemNet *net, guint8 *const *src, guint8 *dst, gsize stride, int frames)
{
  GError *err = NULL;
  gboolean two = artem_net_get_max_frames_in_flight (net) >= 2;
  gint64 t0 = g_get_monotonic_time ();
  gboolean ok = artem_net_submit_frame (net, src[0], stride, ARTEM_FORMAT_RGBx, &err);
  for (int i = 0; i < frames && ok; i++) {
    if (two && i + 1 < frames)
      ok = artem_net_submit_frame (net, src[(i + 1) & 1], stride, ARTEM_FORMAT_RGBx, &err);
    ok = ok && artem_net_receive_frame (net, dst, stride, &err);
    if (ok && !two && i + 1 < frames)
      ok = artem_net_submit_frame (net, src[(i + 1) & 1], stride, ARTEM_FORMAT_RGBx, &err);
  }
  if (!ok) {
    fprintf (stderr, "artem-bench: %s\n", err->message);
    g_error_free (err);
    return -1;
  }
  return (g_get_monotonic_time () - t0) / 1000.0;
}

/* @frames frames one at a time, each frame's ms into @times; FALSE on failure */
static gboolean
run_sync (ArtemNet *net, guint8 *const *src, guint8 *dst, gsize stride, int frames,
          double *times)
{
  GError *err = NULL;
  for (int i = 0; i < frames; i++) {
    gint64 t0 = g_get_monotonic_time ();
    if (!artem_net_process_frame (net, src[i & 1], stride, dst, stride, ARTEM_FORMAT_RGBx,
                                  &err)) {
      fprintf (stderr, "artem-bench: %s\n", err->message);
      g_error_free (err);
      return FALSE;
    }
    times[i] = (g_get_monotonic_time () - t0) / 1000.0;
  }
  return TRUE;
}

static void
report (ArtemNet *net, const Options *o, double mean, double best, guint64 run_allocs,
        const double *times)
{
  ArtemPrecision p = artem_net_get_precision (net);
  printf ("model=%s backend=%s precision=%s binarize=%s layers=%s size=%dx%d align=%d nodes=%u "
          "memory=%.1fMiB device_memory=%.1fMiB frames=%d mode=%s margin=%d stabilize=%g "
          "motion_search=%d\n",
          o->model, artem_backend_name (artem_net_get_backend (net)),
          p == ARTEM_PRECISION_FP16 ? "fp16" : p == ARTEM_PRECISION_BF16 ? "bf16" : "fp32",
          o->binarize ? o->binarize : "none", o->binarize ? o->layers : "-", o->w, o->h,
          artem_net_get_frame_alignment (net), artem_net_get_n_nodes (net),
          artem_net_get_memory_bytes (net) / 1048576.0,
          artem_net_get_device_memory_bytes (net) / 1048576.0, o->frames,
          o->pipelined ? "pipelined" : "sync", o->margin, o->stabilize, o->motion_search);
  /* the network alone (no frame conversion, no host transfer) */
  double net_ms = artem_net_get_backend (net) == ARTEM_BACKEND_CUDA
                      ? artem_net_time_network (net, MAX (o->frames, 10)) : -1;
  printf ("mean_ms=%.2f best_ms=%.2f fps=%.2f allocations_during_run=%" G_GUINT64_FORMAT
          " net_only_ms=%.3f\n", mean, best, 1000.0 / mean, run_allocs, net_ms);
  if (!o->pipelined) {   /* each frame, for benchmarks that take medians (tests/bench/peers.py) */
    printf ("frame_ms=");
    for (int i = 0; i < o->frames; i++)
      printf ("%s%.3f", i ? "," : "", times[i]);
    printf ("\n");
  }
}

int
main (int argc, char **argv)
{
  Options o;
  if (!parse_args (argc, argv, &o))
    return 2;
  ArtemNet *net = open_net (&o);
  if (!net)
    return 1;
  gsize stride = (gsize) o.w * 4;
  guint8 *src[2] = { g_malloc (stride * o.h), g_malloc (stride * o.h) };
  guint8 *dst = g_malloc (stride * o.h);
  for (gsize i = 0; i < stride * o.h; i++)
    src[0][i] = (guint8) (i * 2654435761u >> 24);
  for (int y = 0; y < o.h; y++)   /* the picture moved 3 px right (edge repeated) */
    for (int x = 0; x < o.w; x++)
      memcpy (src[1] + y * stride + x * 4, src[0] + y * stride + MAX (x - 3, 0) * 4, 4);
  if (!o.motion_search)
    memcpy (src[1], src[0], stride * o.h);
  for (int i = 0; i < o.warmup; i++)   /* the same calls as the timed loop: no first-use cost */
    if (o.pipelined) {
      if (artem_net_submit_frame (net, src[i & 1], stride, ARTEM_FORMAT_RGBx, NULL))
        artem_net_receive_frame (net, dst, stride, NULL);
    } else
      artem_net_process_frame (net, src[i & 1], stride, dst, stride, ARTEM_FORMAT_RGBx, NULL);
  guint64 allocs = artem_net_get_n_allocations (net);
  double *times = g_new0 (double, o.frames);
  double total = 0, best = 1e30;
  if (o.pipelined) {
    total = run_pipelined (net, src, dst, stride, o.frames);
    best = total / o.frames;
  } else if (run_sync (net, src, dst, stride, o.frames, times)) {
    for (int i = 0; i < o.frames; i++) {
      total += times[i];
      best = MIN (best, times[i]);
    }
  } else {
    total = -1;
  }
  int rc = 1;
  if (total >= 0) {
    report (net, &o, total / o.frames, best, artem_net_get_n_allocations (net) - allocs, times);
    rc = 0;
  }
  g_free (times);
  g_free (src[0]);
  g_free (src[1]);
  g_free (dst);
  artem_net_free (net);
  return rc;
}
