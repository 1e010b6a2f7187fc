/* test-cuda-models.c — whole networks on the CUDA backend against the CPU fp32 reference:
 * 8-bit frames in, 8-bit frames out (the frame kernels included), in fp16 and fp32, at an
 * odd frame size and in several pixel formats; strength blend; pipelined submit/receive;
 * no allocation per frame; an XNOR-binarized net; temporal stabilisation (a noisy still
 * scene and a moving square, frame by frame); optionally the GPU memory at a size.
 *
 *   test-cuda-models [--quick] [--fp16-only] [--memory MODEL WxH MAX_MIB] [--plan MODEL WxH] MODEL...
 *
 * --plan: sizes MODEL for WxH frames in fp16 and fp32 and prints the GPU memory planned
 * (no frame is run: cheap in the emulator too).
 *
 * --quick: a small frame and one pixel format (for the CUDA emulator, tests/cuda/emu).
 * --fp16-only: only the fp16 frame checks of each model (formats, strength, margins): no
 * fp32, stabilisation or XNOR (the emulator's banded-convolution run, whose bands are
 * chosen only where cudnnFind is used, i.e. in fp16).
 * --gpu-failure MODEL: (emulator only) a kernel launch fails mid-run; device=auto must go
 * on with the CPU, frame after frame.
 *
 * Without a usable GPU it prints SKIP and exits 77. */
#include <artem.h>
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int n_fail, n_pass;
static gboolean quick, fp16_only;

#define CHECK(cond, ...)                                                                \
  do {                                                                                  \
    if (cond) {                                                                         \
      n_pass++;                                                                         \
    } else {                                                                            \
      n_fail++;                                                                         \
      printf ("FAIL %s:%d: ", __FILE__, __LINE__);                                      \
      printf (__VA_ARGS__);                                                             \
      printf ("\n");                                                                    \
    }                                                                                   \
  } while (0)

/* a picture-like test frame: smooth gradients, edges, texture */
static guint8 *
make_frame (int w, int h, int bpp)
{
  guint8 *f = g_malloc ((gsize) w * h * bpp);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      guint8 *p = f + ((gsize) y * w + x) * bpp;
      double u = (double) x / w, v = (double) y / h;
      double disc = (u - 0.6) * (u - 0.6) + (v - 0.4) * (v - 0.4) < 0.05 ? 80 : 0;
      p[0] = (guint8) CLAMP (40 + 180 * u + disc + 20 * sin (x * 0.3), 0, 255);
      p[1] = (guint8) CLAMP (200 - 150 * v + 15 * sin (y * 0.21 + x * 0.05), 0, 255);
      p[2] = (guint8) CLAMP (100 + 100 * sin (6 * u * v) + disc, 0, 255);
      for (int c = 3; c < bpp; c++)
        p[c] = (guint8) ((x * 7 + y * 13) & 255);
    }
  return f;
}

static double
psnr (const guint8 *a, const guint8 *b, gsize n, int *maxd)
{
  double se = 0;
  *maxd = 0;
  for (gsize i = 0; i < n; i++) {
    int d = (int) a[i] - b[i];
    se += d * d;
    *maxd = MAX (*maxd, abs (d));
  }
  return se == 0 ? 99.0 : 10 * log10 (255.0 * 255.0 * n / se);
}

static ArtemNet *
load (const char *path, ArtemBackendKind k, ArtemPrecision p, int w, int h)
{
  GError *err = NULL;
  ArtemNet *net = artem_net_new_from_file (path, k, &err);
  if (net) {
    artem_net_set_precision (net, p);
    if (!artem_net_reshape_frame (net, w, h, &err))
      g_clear_pointer (&net, artem_net_free);
  }
  if (!net) {
    CHECK (FALSE, "%s: %s", path, err->message);
    g_error_free (err);
  }
  return net;
}

static void
test_model (const char *path)
{
  const int w = quick ? 45 : 333, h = quick ? 29 : 187;
  static const ArtemPixelFormat fmts[] = { ARTEM_FORMAT_RGBA, ARTEM_FORMAT_BGR,
                                           ARTEM_FORMAT_xRGB };
  guint n_fmts = quick ? 1 : G_N_ELEMENTS (fmts);
  ArtemNet *ref = load (path, ARTEM_BACKEND_CPU, ARTEM_PRECISION_FP32, w, h);
  if (!ref)
    return;
  for (int prec = fp16_only ? 1 : 0; prec < 2; prec++) {
    ArtemPrecision p = prec ? ARTEM_PRECISION_FP16 : ARTEM_PRECISION_FP32;
    double limit = prec ? 40.0 : 50.0;
    ArtemNet *gpu = load (path, ARTEM_BACKEND_CUDA, p, w, h);
    if (!gpu)
      continue;
    CHECK (artem_net_get_precision (gpu) == p, "%s: precision not applied", path);
    for (guint f = 0; f < n_fmts; f++) {
      int bpp = artem_pixel_format_bpp (fmts[f]);
      gsize n = (gsize) w * h * bpp;
      guint8 *src = make_frame (w, h, bpp), *a = g_malloc (n), *b = g_malloc (n);
      for (int s = 0; s < 2; s++) {
        float strength = s ? 0.5f : 1.f;
        artem_net_set_frame_strength (ref, strength);
        artem_net_set_frame_strength (gpu, strength);
        GError *err = NULL;
        gboolean ok = artem_net_process_frame (ref, src, (gsize) w * bpp, a, (gsize) w * bpp,
                                               fmts[f], &err);
        /* three runs: direct, graph capture, graph replay */
        for (int r = 0; r < 3 && ok; r++)
          ok = artem_net_process_frame (gpu, src, (gsize) w * bpp, b, (gsize) w * bpp, fmts[f],
                                        &err);
        int maxd;
        double db = ok ? psnr (a, b, n, &maxd) : 0;
        CHECK (ok && db >= limit, "%s %s format %d strength %.1f: %s PSNR %.1f dB (limit %.0f)",
               path, prec ? "fp16" : "fp32", fmts[f], strength, err ? err->message : "", db,
               limit);
        printf ("%s %s format %d strength %.1f: PSNR %.1f dB, max diff %d\n", path,
                prec ? "fp16" : "fp32", fmts[f], strength, db, ok ? maxd : -1);
        g_clear_error (&err);
      }
      g_free (src);
      g_free (a);
      g_free (b);
    }
    artem_net_set_frame_strength (gpu, 1.f);
    artem_net_set_frame_strength (ref, 1.f);
    /* a mirrored margin: the frame placed inside the padded tensor and read back from
     * there, as the CPU does (a margin that leaves the padded size as it was still
     * makes new frame kernels: 45 + 2 and 45 + 0 both pad to 48 at alignment 4) */
    for (int mi = 0; mi < 3; mi++) {
      static const int margins[] = { 12, 1, 0 };
      int m = margins[mi];
      artem_net_set_frame_margin (ref, m);
      artem_net_set_frame_margin (gpu, m);
      GError *err = NULL;
      gsize n = (gsize) w * h * 4;
      guint8 *src = make_frame (w, h, 4), *a = g_malloc (n), *b = g_malloc (n);
      gboolean ok = artem_net_reshape_frame (ref, w, h, &err) &&
                    artem_net_reshape_frame (gpu, w, h, &err) &&
                    artem_net_process_frame (ref, src, w * 4, a, w * 4, ARTEM_FORMAT_RGBA, &err);
      for (int r = 0; r < 3 && ok; r++)
        ok = artem_net_process_frame (gpu, src, w * 4, b, w * 4, ARTEM_FORMAT_RGBA, &err);
      int maxd;
      double db = ok ? psnr (a, b, n, &maxd) : 0;
      CHECK (ok && db >= limit && artem_net_get_frame_margin (gpu) == m,
             "%s %s margin %d: %s PSNR %.1f dB (limit %.0f)", path, prec ? "fp16" : "fp32", m,
             err ? err->message : "", db, limit);
      printf ("%s %s margin %d: PSNR %.1f dB, max diff %d\n", path, prec ? "fp16" : "fp32", m,
              db, ok ? maxd : -1);
      g_clear_error (&err);
      g_free (src); g_free (a); g_free (b);
    }
    /* no allocation per frame, and pipelined frames equal synchronous ones */
    gsize n = (gsize) w * h * 4;
    guint8 *f1 = make_frame (w, h, 4), *f2 = make_frame (w, h, 4);
    for (gsize i = 0; i < n; i++)
      f2[i] = 255 - f2[i];
    guint8 *s1 = g_malloc (n), *s2 = g_malloc (n), *p1 = g_malloc (n), *p2 = g_malloc (n);
    GError *err = NULL;
    gboolean ok = artem_net_process_frame (gpu, f1, w * 4, s1, w * 4, ARTEM_FORMAT_RGBA, &err) &&
                  artem_net_process_frame (gpu, f2, w * 4, s2, w * 4, ARTEM_FORMAT_RGBA, &err);
    guint64 allocs = artem_net_get_n_allocations (gpu);
    for (int r = 0; r < 4 && ok; r++)
      ok = artem_net_submit_frame (gpu, f1, w * 4, ARTEM_FORMAT_RGBA, &err) &&
           artem_net_submit_frame (gpu, f2, w * 4, ARTEM_FORMAT_RGBA, &err) &&
           artem_net_receive_frame (gpu, p1, w * 4, &err) &&
           artem_net_receive_frame (gpu, p2, w * 4, &err);
    CHECK (ok, "%s: pipelined frames: %s", path, err ? err->message : "");
    g_clear_error (&err);
    CHECK (artem_net_get_n_allocations (gpu) == allocs, "%s: frames allocated memory", path);
    int m1, m2;
    double d1 = psnr (s1, p1, n, &m1), d2 = psnr (s2, p2, n, &m2);
    CHECK (m1 <= 1 && m2 <= 1, "%s: pipelined frames differ from synchronous ones (%d, %d)",
           path, m1, m2);
    (void) d1; (void) d2;
    CHECK (!artem_net_submit_frame (gpu, f1, w * 4, ARTEM_FORMAT_RGBA, &err) ||
           !artem_net_submit_frame (gpu, f1, w * 4, ARTEM_FORMAT_RGBA, &err) ||
           !artem_net_submit_frame (gpu, f1, w * 4, ARTEM_FORMAT_RGBA, &err),
           "a third frame in flight was accepted");
    g_clear_error (&err);
    while (artem_net_receive_frame (gpu, p1, w * 4, NULL))
      ;
    CHECK (artem_net_get_device_memory_bytes (gpu) > 0, "no device memory reported");
    printf ("%s %s: %.1f MiB of GPU memory at %dx%d\n", path, prec ? "fp16" : "fp32",
            artem_net_get_device_memory_bytes (gpu) / 1048576.0, w, h);
    g_free (f1); g_free (f2); g_free (s1); g_free (s2); g_free (p1); g_free (p2);
    artem_net_free (gpu);
  }
  artem_net_free (ref);
}

/* An XNOR-binarized net runs on the GPU (xnor.cu): the same frame as the CPU's binary
 * convolutions, up to sign flips of activations within rounding of zero. */
static void
test_xnor_model (const char *path)
{
  const int w = quick ? 40 : 160, h = quick ? 24 : 96;
  GError *err = NULL;
  ArtemNet *nets[2] = { artem_net_new_from_file (path, ARTEM_BACKEND_CPU, &err),
                        artem_net_new_from_file (path, ARTEM_BACKEND_CUDA, &err) };
  guint8 *src = make_frame (w, h, 4), *out[2] = { g_malloc (w * h * 4), g_malloc (w * h * 4) };
  gboolean ok = nets[0] && nets[1];
  for (int k = 0; k < 2 && ok; k++) {
    artem_net_set_precision (nets[k], ARTEM_PRECISION_FP32);
    ok = artem_net_binarize (nets[k], ARTEM_BINARIZE_XNOR, "residual", 0, &err) &&
         artem_net_reshape_frame (nets[k], w, h, &err) &&
         artem_net_process_frame (nets[k], src, w * 4, out[k], w * 4, ARTEM_FORMAT_RGBA, &err);
  }
  int maxd = 0;
  double db = ok ? psnr (out[0], out[1], (gsize) w * h * 4, &maxd) : 0;
  CHECK (ok && artem_net_get_backend (nets[1]) == ARTEM_BACKEND_CUDA && db >= 20.0,
         "%s XNOR on CUDA: %s PSNR %.1f dB", path, err ? err->message : "", db);
  printf ("%s XNOR (residual blocks) CUDA vs CPU: PSNR %.1f dB, max diff %d\n", path, db, maxd);
  g_clear_error (&err);
  artem_net_free (nets[0]);
  artem_net_free (nets[1]);
  g_free (src); g_free (out[0]); g_free (out[1]);
}

/* Temporal stabilisation on the GPU against the CPU, frame by frame: the history must
 * evolve the same way (gpu/stabilize.h), through pipelined submit/receive too; with a
 * motion search, the scene pans 2 px a frame and the history moves along the vectors
 * (gpu/motion.c) on both. */
static void
test_stabilize (const char *path, float guard, int search)
{
  /* frame 6 is a scene cut (the picture inverted but for a still corner), 7 normal again */
  const int w = quick ? 45 : 160, h = quick ? 29 : 96, frames = 8, cut = 6;
  ArtemNet *ref = load (path, ARTEM_BACKEND_CPU, ARTEM_PRECISION_FP32, w, h);
  ArtemNet *gpu = load (path, ARTEM_BACKEND_CUDA, ARTEM_PRECISION_FP32, w, h);
  ArtemNet *fresh = load (path, ARTEM_BACKEND_CPU, ARTEM_PRECISION_FP32, w, h);
  if (!ref || !gpu || !fresh) {
    artem_net_free (ref);
    artem_net_free (gpu);
    artem_net_free (fresh);
    return;
  }
  artem_net_set_frame_stabilize (ref, 1.f);
  artem_net_set_frame_stabilize (gpu, 1.f);
  artem_net_set_frame_glow_guard (ref, guard);   /* 1: the gap map and its 5x5 box too */
  artem_net_set_frame_glow_guard (gpu, guard);
  artem_net_set_frame_motion_search (ref, search);
  artem_net_set_frame_motion_search (gpu, search);
  gsize n = (gsize) w * h * 4;
  guint8 *base = make_frame (w, h, 4), *src = g_malloc (n), *a = g_malloc (n), *b = g_malloc (n);
  guint8 *c = g_malloc (n);
  gsize corner = ((gsize) (h - 2) * w + w - 8) * 4;
  GRand *r = g_rand_new_with_seed (7);
  double worst = 99;
  int held = 0;
  for (int f = 0; f < frames; f++) {
    /* sensor noise everywhere, the scene panning (with a search), and a bright square
     * moving 5 px a frame */
    int pan = search ? 2 * f : 0;
    for (gsize i = 0; i < n; i++) {
      int x = (int) (i / 4 % w), at = CLAMP (x - pan, 0, w - 1) - x;
      src[i] = (guint8) CLAMP (base[i + 4 * at] + g_rand_int_range (r, -3, 4), 0, 255);
    }
    for (int y = 4; y < 4 + h / 3; y++)
      for (int x = 2 + 5 * f; x < 2 + 5 * f + w / 4 && x < w; x++)
        memset (src + ((gsize) y * w + x) * 4, 250, 3);
    if (f == cut)
      for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
          if (y < h - 4 || x < w - 12)
            for (int k = 0; k < 3; k++)
              src[((gsize) y * w + x) * 4 + k] ^= 0xff;
    GError *err = NULL;
    gboolean ok = artem_net_process_frame (ref, src, w * 4, a, w * 4, ARTEM_FORMAT_RGBA, &err);
    if (ok && (f & 1))   /* odd frames through submit/receive */
      ok = artem_net_submit_frame (gpu, src, w * 4, ARTEM_FORMAT_RGBA, &err) &&
           artem_net_receive_frame (gpu, b, w * 4, &err);
    else if (ok)
      ok = artem_net_process_frame (gpu, src, w * 4, b, w * 4, ARTEM_FORMAT_RGBA, &err);
    int maxd = 0;
    double db = ok ? psnr (a, b, n, &maxd) : 0;
    CHECK (ok && db >= 50.0, "%s stabilized frame %d: %s PSNR %.1f dB", path, f,
           err ? err->message : "", db);
    g_clear_error (&err);
    worst = MIN (worst, db);
    if (f == cut - 1)   /* the corner far from the square kept its output */
      held = memcmp (a + corner, b + corner, 16) == 0;
    if (f == cut) {   /* the cut: styled afresh on both, the still corner too */
      ok = artem_net_process_frame (fresh, src, w * 4, c, w * 4, ARTEM_FORMAT_RGBA, NULL);
      CHECK (ok && memcmp (a + corner, c + corner, 16) == 0,
             "%s: the CPU held output over a scene cut", path);
      CHECK (ok && psnr (b, c, n, &maxd) >= 50.0, "%s: CUDA held output over a scene cut", path);
    }
  }
  printf ("%s stabilize 1, glow-guard %g, motion-search %d, %d frames (noise, a moving square, "
          "a scene cut) CUDA vs CPU: worst PSNR %.1f dB\n", path, guard, search, frames, worst);
  CHECK (held, "%s: the still corner differs between CUDA and CPU", path);
  g_rand_free (r);
  g_free (base); g_free (src); g_free (a); g_free (b); g_free (c);
  artem_net_free (ref);
  artem_net_free (gpu);
  artem_net_free (fresh);
}

int
main (int argc, char **argv)
{
  if (!artem_backend_available (ARTEM_BACKEND_CUDA)) {
    const char *why = artem_backend_unavailable_reason (ARTEM_BACKEND_CUDA);
    printf ("SKIP: %s\n", why ? why : "no CUDA backend");
    /* the reason names what is missing: no driver at all is not "insufficient"; a build
     * without the toolkit says that first, whatever the driver */
    void *drv = dlopen ("libcuda.so.1", RTLD_LAZY);
    if (!drv && why && strstr (why, "CUDA") && !strstr (why, "libcuda.so.1") &&
        !strstr (why, "without the CUDA toolkit")) {
      printf ("FAIL: no driver is installed, but the reason says: %s\n", why);
      return 1;
    }
    return 77;
  }
  int first_model = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp (argv[i], "--quick")) {
      quick = TRUE;
      continue;
    }
    if (!strcmp (argv[i], "--fp16-only")) {
      fp16_only = TRUE;
      continue;
    }
    if (!strcmp (argv[i], "--gpu-failure") && i + 1 < argc) {
      const char *path = argv[++i];
      const int w = 32, h = 20;
      ArtemNet *ref = load (path, ARTEM_BACKEND_CPU, ARTEM_PRECISION_FP32, w, h);
      ArtemNet *net = load (path, ARTEM_BACKEND_AUTO, ARTEM_PRECISION_FP32, w, h);
      guint8 *src = make_frame (w, h, 4), *a = g_malloc (w * h * 4), *b = g_malloc (w * h * 4);
      g_setenv ("ARTEM_EMU_FAIL_AT_LAUNCH", "20", TRUE);
      for (int f = 0; f < 4 && ref && net; f++) {
        GError *err = NULL;
        gboolean ok = artem_net_process_frame (ref, src, w * 4, a, w * 4, ARTEM_FORMAT_RGBA, &err) &&
                      artem_net_process_frame (net, src, w * 4, b, w * 4, ARTEM_FORMAT_RGBA, &err);
        int maxd = 0;
        double db = ok ? psnr (a, b, (gsize) w * h * 4, &maxd) : 0;
        CHECK (ok && db >= 50.0, "frame %d after a GPU failure: %s PSNR %.1f", f,
               err ? err->message : "", db);
        g_clear_error (&err);
      }
      CHECK (net && artem_net_get_backend (net) == ARTEM_BACKEND_CPU,
             "device=auto did not move to the CPU after the GPU failed");
      g_unsetenv ("ARTEM_EMU_FAIL_AT_LAUNCH");
      artem_net_free (ref);
      artem_net_free (net);
      g_free (src); g_free (a); g_free (b);
      continue;
    }
    if (!strcmp (argv[i], "--plan") && i + 2 < argc) {
      const char *path = argv[++i];
      int w = 0, h = 0;
      sscanf (argv[++i], "%dx%d", &w, &h);
      for (int p = 0; p < 2; p++) {
        ArtemNet *net = load (path, ARTEM_BACKEND_CUDA, p ? ARTEM_PRECISION_FP16
                                                          : ARTEM_PRECISION_FP32, w, h);
        if (!net)
          continue;
        printf ("%s at %dx%d %s: activations %.1f MiB, GPU memory %.1f MiB before the frame "
                "staging (%.1f MiB more at the first frame)\n", path, w, h, p ? "fp16" : "fp32",
                artem_net_get_memory_bytes (net) / 1048576.0,
                artem_net_get_device_memory_bytes (net) / 1048576.0,
                (double) w * h * 16 / 1048576.0);
        CHECK (artem_net_get_device_memory_bytes (net) > artem_net_get_memory_bytes (net),
               "device memory below the activations");
        artem_net_free (net);
      }
      continue;
    }
    if (!strcmp (argv[i], "--memory") && i + 3 < argc) {
      const char *path = argv[++i];
      int w = 0, h = 0;
      sscanf (argv[++i], "%dx%d", &w, &h);
      double max_mib = atof (argv[++i]);
      ArtemNet *net = load (path, ARTEM_BACKEND_CUDA, ARTEM_PRECISION_AUTO, w, h);
      if (net) {
        guint8 *f = make_frame (w, h, 4);
        GError *err = NULL;
        CHECK (artem_net_process_frame (net, f, w * 4, f, w * 4, ARTEM_FORMAT_RGBA, &err),
               "%s", err ? err->message : "");
        double mib = artem_net_get_device_memory_bytes (net) / 1048576.0;
        printf ("%s at %dx%d: %.1f MiB of GPU memory (activations %.1f MiB)\n", path, w, h, mib,
                artem_net_get_memory_bytes (net) / 1048576.0);
        CHECK (mib <= max_mib, "%s: %.1f MiB of GPU memory at %dx%d, limit %.0f", path, mib, w, h,
               max_mib);
        g_free (f);
        artem_net_free (net);
      }
      continue;
    }
    test_model (argv[i]);
    if (fp16_only)
      continue;
    test_stabilize (argv[i], 0.f, 0);
    test_stabilize (argv[i], 1.f, 0);
    test_stabilize (argv[i], 0.f, 6);
    if (!first_model++)
      test_xnor_model (argv[i]);
  }
  printf ("cuda models: %d passed, %d failed\n", n_pass, n_fail);
  return n_fail ? 1 : 0;
}
