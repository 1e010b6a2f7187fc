/* artem-bench — runs a model at a frame size on a backend and prints ms per frame and
 * frames per second.  Uses only the public API (artem.h).
 *
 *   artem-bench MODEL [--size WxH] [--backend cpu|cuda|auto] [--frames N] [--warmup N]
 *               [--binarize weights|xnor] [--layers inner|all|residual|NAMES]
 *               [--precision auto|fp16|bf16|fp32] [--pipelined]
 *               [--margin N] [--stabilize A]   (the elements' frame settings: a 16-pixel
 *               mirrored margin and stabilisation 1 are artemstylize's defaults)
 *
 * Timing is end to end: 8-bit RGBx frames in host memory to 8-bit frames in host memory.
 * --pipelined keeps two frames in flight (artem_net_submit_frame / receive_frame: on the
 * GPU the next frame's upload overlaps this one's compute) and reports the throughput.
 */
#include <artem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main (int argc, char **argv)
{
  const char *model = NULL, *backend = "auto", *binarize = NULL, *layers = "inner";
  const char *precision = NULL;
  gboolean pipelined = FALSE;
  int margin = 0;
  double stabilize = 0;
  int w = 640, h = 360, frames = 20, warmup = 2;
  for (int i = 1; i < argc; i++) {
    if (!strcmp (argv[i], "--size") && i + 1 < argc) {
      if (sscanf (argv[++i], "%dx%d", &w, &h) != 2) {
        fprintf (stderr, "bad --size\n");
        return 2;
      }
    } else if (!strcmp (argv[i], "--backend") && i + 1 < argc) {
      backend = argv[++i];
    } else if (!strcmp (argv[i], "--frames") && i + 1 < argc) {
      frames = atoi (argv[++i]);
    } else if (!strcmp (argv[i], "--binarize") && i + 1 < argc) {
      binarize = argv[++i];
    } else if (!strcmp (argv[i], "--layers") && i + 1 < argc) {
      layers = argv[++i];
    } else if (!strcmp (argv[i], "--precision") && i + 1 < argc) {
      precision = argv[++i];
    } else if (!strcmp (argv[i], "--margin") && i + 1 < argc) {
      margin = atoi (argv[++i]);
    } else if (!strcmp (argv[i], "--stabilize") && i + 1 < argc) {
      stabilize = atof (argv[++i]);
    } else if (!strcmp (argv[i], "--pipelined")) {
      pipelined = TRUE;
    } else if (!strcmp (argv[i], "--warmup") && i + 1 < argc) {
      warmup = atoi (argv[++i]);
    } else if (argv[i][0] != '-' && !model) {
      model = argv[i];
    } else {
      fprintf (stderr, "usage: %s MODEL [--size WxH] [--backend cpu|cuda|auto] [--frames N]"
               " [--warmup N]\n", argv[0]);
      return 2;
    }
  }
  if (!model || frames < 1) {
    fprintf (stderr, "usage: %s MODEL [--size WxH] [--backend cpu|cuda|auto] [--frames N]\n",
             argv[0]);
    return 2;
  }
  ArtemBackendKind kind = !strcmp (backend, "cpu") ? ARTEM_BACKEND_CPU
                          : !strcmp (backend, "cuda") ? ARTEM_BACKEND_CUDA : ARTEM_BACKEND_AUTO;
  GError *err = NULL;
  ArtemNet *net = artem_net_new_from_file (model, kind, &err);
  if (net && precision)
    artem_net_set_precision (net, !strcmp (precision, "fp16") ? ARTEM_PRECISION_FP16
                                  : !strcmp (precision, "bf16") ? ARTEM_PRECISION_BF16
                                  : !strcmp (precision, "fp32") ? ARTEM_PRECISION_FP32
                                  : ARTEM_PRECISION_AUTO);
  if (net && binarize)
    artem_net_binarize (net, !strcmp (binarize, "weights") ? ARTEM_BINARIZE_WEIGHTS
                                                            : ARTEM_BINARIZE_XNOR, layers, 0, &err);
  if (net) {
    artem_net_set_frame_margin (net, margin);
    artem_net_set_frame_stabilize (net, (float) stabilize);
  }
  if (!net || err || !artem_net_reshape_frame (net, w, h, &err)) {
    fprintf (stderr, "artem-bench: %s\n", err->message);
    g_error_free (err);
    artem_net_free (net);
    return 1;
  }
  gsize stride = (gsize) w * 4;
  guint8 *src = g_malloc (stride * h), *dst = g_malloc (stride * h);
  for (gsize i = 0; i < stride * h; i++)
    src[i] = (guint8) (i * 2654435761u >> 24);
  for (int i = 0; i < warmup; i++)   /* the same calls as the timed loop: no first-use cost */
    if (pipelined) {
      if (artem_net_submit_frame (net, src, stride, ARTEM_FORMAT_RGBx, NULL))
        artem_net_receive_frame (net, dst, stride, NULL);
    } else
      artem_net_process_frame (net, src, stride, dst, stride, ARTEM_FORMAT_RGBx, NULL);
  guint64 allocs = artem_net_get_n_allocations (net);
  double best = 1e30, total = 0;
  double *times = g_new0 (double, frames);
  if (pipelined) {
    /* two in flight where the backend allows: submit i+1 before receiving i */
    gboolean two = artem_net_get_max_frames_in_flight (net) >= 2;
    gint64 t0 = g_get_monotonic_time ();
    gboolean ok = artem_net_submit_frame (net, src, stride, ARTEM_FORMAT_RGBx, &err);
    for (int i = 0; i < frames && ok; i++) {
      if (two && i + 1 < frames)
        ok = artem_net_submit_frame (net, src, stride, ARTEM_FORMAT_RGBx, &err);
      ok = ok && artem_net_receive_frame (net, dst, stride, &err);
      if (ok && !two && i + 1 < frames)
        ok = artem_net_submit_frame (net, src, stride, ARTEM_FORMAT_RGBx, &err);
    }
    if (!ok) {
      fprintf (stderr, "artem-bench: %s\n", err->message);
      return 1;
    }
    total = (g_get_monotonic_time () - t0) / 1000.0;
    best = total / frames;
  } else {
    for (int i = 0; i < frames; i++) {
      gint64 t0 = g_get_monotonic_time ();
      if (!artem_net_process_frame (net, src, stride, dst, stride, ARTEM_FORMAT_RGBx, &err)) {
        fprintf (stderr, "artem-bench: %s\n", err->message);
        return 1;
      }
      double ms = (g_get_monotonic_time () - t0) / 1000.0;
      times[i] = ms;
      total += ms;
      if (ms < best)
        best = ms;
    }
  }
  double mean = total / frames;
  printf ("model=%s backend=%s precision=%s binarize=%s layers=%s size=%dx%d align=%d nodes=%u "
          "memory=%.1fMiB device_memory=%.1fMiB frames=%d mode=%s margin=%d stabilize=%g\n",
          model, artem_backend_name (artem_net_get_backend (net)),
          artem_net_get_precision (net) == ARTEM_PRECISION_FP16   ? "fp16"
          : artem_net_get_precision (net) == ARTEM_PRECISION_BF16 ? "bf16" : "fp32",
          binarize ? binarize : "none", binarize ? layers : "-", w, h,
          artem_net_get_frame_alignment (net), artem_net_get_n_nodes (net),
          artem_net_get_memory_bytes (net) / 1048576.0,
          artem_net_get_device_memory_bytes (net) / 1048576.0, frames,
          pipelined ? "pipelined" : "sync", margin, stabilize);
  guint64 run_allocs = artem_net_get_n_allocations (net) - allocs;
  /* the network alone (no frame conversion, no host transfer) */
  double net_ms = artem_net_get_backend (net) == ARTEM_BACKEND_CUDA
                      ? artem_net_time_network (net, MAX (frames, 10)) : -1;
  printf ("mean_ms=%.2f best_ms=%.2f fps=%.2f allocations_during_run=%" G_GUINT64_FORMAT
          " net_only_ms=%.3f\n", mean, best, 1000.0 / mean, run_allocs, net_ms);
  if (!pipelined) {   /* each frame, for benchmarks that take medians (tests/bench/peers.py) */
    printf ("frame_ms=");
    for (int i = 0; i < frames; i++)
      printf ("%s%.3f", i ? "," : "", times[i]);
    printf ("\n");
  }
  g_free (times);
  g_free (src);
  g_free (dst);
  artem_net_free (net);
  return 0;
}
