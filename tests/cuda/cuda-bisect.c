/* cuda-bisect MODEL WxH [VALUE ...] — where a network's CUDA fp32 result leaves the CPU's.
 *
 * A diagnostic for the GPU check (tests/gpu/run.sh), not a test: for the whole net and
 * then for the net cut at each named VALUE (artem_net_new_from_file_with_output), the
 * CPU (fp32) and the CUDA backend (fp32) run the same input, three CUDA runs each
 * (direct, graph capture, graph replay), first on a freshly planned net, then on the
 * same net planned again after another size (cuDNN's choices cached).  Prints per run
 * the nmse, the largest difference and where it is, and the share of elements off by
 * more than 1 % of the output's range.  Then the frame path as test-cuda-models runs
 * it (333x187-like sizes, RGBA), per run.  Exit status 0 unless something cannot run. */
#include <artem.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static int W, H;
static gboolean gpu_off;   /* --cpu: the CPU's own stability only */

static void
fill (float *x, gsize n, float lo, float hi)
{
  /* a smooth picture with texture, in the net's input range */
  gsize hw = (gsize) W * H;
  for (gsize i = 0; i < n; i++) {
    gsize c = i / hw, p = i % hw;
    double u = (double) (p % W) / W, v = (double) (p / W) / H;
    double t = 0.5 + 0.3 * sin (7 * u + 3 * c) * cos (5 * v) + 0.15 * sin (p * 0.37 + c);
    x[i] = (float) (lo + (hi - lo) * CLAMP (t, 0.0, 1.0));
  }
}

static void
compare (const char *stage, int rep, int run, const float *a, const float *b,
         const ArtemShape *s)
{
  gsize n = 1;
  for (int d = 0; d < s->ndim; d++)
    n *= (gsize) s->dims[d];
  double se = 0, sa = 0, lo = a[0], hi = a[0], maxd = 0;
  gsize at = 0;
  for (gsize i = 0; i < n; i++) {
    lo = MIN (lo, a[i]);
    hi = MAX (hi, a[i]);
  }
  double tol = 0.01 * MAX (hi - lo, 1e-6);
  gsize bad = 0, zeros = 0;
  for (gsize i = 0; i < n; i++) {
    zeros += b[i] == 0.f && a[i] != 0.f;
    double d = fabs ((double) a[i] - b[i]);
    if (!(d <= maxd)) {   /* NaN counts */
      maxd = isnan (d) ? INFINITY : d;
      at = i;
    }
    se += d * d;
    sa += (double) a[i] * a[i];
    bad += !(d <= tol);
  }
  gsize hw = s->ndim == 4 ? (gsize) (s->dims[2] * s->dims[3]) : n;
  int w = s->ndim == 4 ? (int) s->dims[3] : 1;
  printf ("%-28s plan %s run %d: nmse=%.3g max_diff=%.3g at c%zu y%zu x%zu  off>1%%: %.3f%%"
          "  zero where the CPU is not: %.2f%%  shape %dx%dx%d\n", stage,
          rep ? "cached" : "fresh ", run,
          sa > 0 ? se / sa : se, maxd, at / hw, (at % hw) / w, (at % hw) % w,
          100.0 * bad / n, 100.0 * zeros / n, s->ndim == 4 ? (int) s->dims[1] : 0,
          s->ndim == 4 ? (int) s->dims[2] : 0, w);
}

static void
stage (const char *model, const char *value)
{
  GError *err = NULL;
  const char *name = value ? value : "(whole net)";
  ArtemShape in = { 4, { 1, 3, H, W } }, other = { 4, { 1, 3, H + 8, W + 8 } };
  ArtemNet *cpu = artem_net_new_from_file_with_output (model, ARTEM_BACKEND_CPU, value, &err);
  ArtemNet *gpu = cpu && !gpu_off
                      ? artem_net_new_from_file_with_output (model, ARTEM_BACKEND_CUDA, value, &err)
                      : NULL;
  if (!cpu || (!gpu && !gpu_off)) {
    printf ("%-28s cannot load: %s\n", name, err ? err->message : "?");
    g_clear_error (&err);
    artem_net_free (cpu);
    return;
  }
  artem_net_set_precision (cpu, ARTEM_PRECISION_FP32);
  if (gpu)
    artem_net_set_precision (gpu, ARTEM_PRECISION_FP32);
  float lo, hi, olo, ohi;
  artem_net_get_ranges (cpu, &lo, &hi, &olo, &ohi);
  if (!artem_net_reshape (cpu, &in, NULL, &err)) {
    printf ("%-28s cpu reshape: %s\n", name, err->message);
    goto out;
  }
  gsize n = (gsize) 3 * H * W;
  fill (artem_net_get_input_buffer (cpu, 0), n, lo, hi);
  if (!artem_net_run (cpu, &err)) {
    printf ("%-28s cpu run: %s\n", name, err->message);
    goto out;
  }
  ArtemShape os;
  const float *ref0 = artem_net_get_output (cpu, 0, &os, NULL);
  gsize on = 1;
  for (int d = 0; d < os.ndim; d++)
    on *= (gsize) os.dims[d];
  float *ref = g_memdup2 (ref0, on * sizeof (float));
  /* the CPU planned again (another size, then back): is the reference itself stable? */
  if (artem_net_reshape (cpu, &other, NULL, &err) && artem_net_reshape (cpu, &in, NULL, &err)) {
    fill (artem_net_get_input_buffer (cpu, 0), n, lo, hi);
    if (artem_net_run (cpu, &err)) {
      char label[160];
      g_snprintf (label, sizeof label, "%s CPU", name);
      compare (label, 1, 0, ref, artem_net_get_output (cpu, 0, NULL, NULL), &os);
    }
  }
  g_clear_error (&err);
  if (gpu_off) {
    g_free (ref);
    goto out;
  }
  for (int rep = 0; rep < 2; rep++) {
    if (rep == 1 && !artem_net_reshape (gpu, &other, NULL, &err)) {
      printf ("%-28s gpu reshape %dx%d: %s\n", name, W + 8, H + 8, err->message);
      goto out;
    }
    if (!artem_net_reshape (gpu, &in, NULL, &err)) {
      printf ("%-28s gpu reshape: %s\n", name, err->message);
      goto out;
    }
    for (int run = 0; run < 3; run++) {
      fill (artem_net_get_input_buffer (gpu, 0), n, lo, hi);
      if (!artem_net_run (gpu, &err)) {
        printf ("%-28s gpu run: %s\n", name, err->message);
        goto out;
      }
      ArtemShape gs;
      const float *got = artem_net_get_output (gpu, 0, &gs, NULL);
      compare (name, rep, run, ref, got, &os);
    }
  }
  g_free (ref);
out:
  g_clear_error (&err);
  artem_net_free (cpu);
  artem_net_free (gpu);
}

static void
frames (const char *model, int w, int h, int margin)
{
  GError *err = NULL;
  ArtemNet *cpu = artem_net_new_from_file (model, ARTEM_BACKEND_CPU, &err);
  ArtemNet *gpu = cpu && !gpu_off ? artem_net_new_from_file (model, ARTEM_BACKEND_CUDA, &err)
                                  : NULL;
  gsize n = (gsize) w * h * 4;
  guint8 *src = g_malloc (n), *a = g_malloc (n), *b = g_malloc (n);
  for (gsize i = 0; i < n; i++)
    src[i] = (guint8) (128 + 100 * sin (i * 0.0013) * cos ((i % 4) + i * 0.00007));
  if (cpu) {
    artem_net_set_precision (cpu, ARTEM_PRECISION_FP32);
    artem_net_set_frame_margin (cpu, margin);
  }
  if (gpu) {
    artem_net_set_precision (gpu, ARTEM_PRECISION_FP32);
    artem_net_set_frame_margin (gpu, margin);
  }
  if (!cpu || (!gpu && !gpu_off) || !artem_net_reshape_frame (cpu, w, h, &err) ||
      (gpu && !artem_net_reshape_frame (gpu, w, h, &err)) ||
      !artem_net_process_frame (cpu, src, w * 4, a, w * 4, ARTEM_FORMAT_RGBA, &err)) {
    printf ("frames %dx%d margin %d: %s\n", w, h, margin, err ? err->message : "?");
    goto out;
  }
  for (int run = gpu_off ? 3 : 0; run < 4; run++) {
    /* run 3: the CPU again after planning another size and this one again */
    gboolean ok = run < 3
        ? artem_net_process_frame (gpu, src, w * 4, b, w * 4, ARTEM_FORMAT_RGBA, &err)
        : artem_net_reshape_frame (cpu, w + 6, h + 6, &err) &&
          artem_net_reshape_frame (cpu, w, h, &err) &&
          artem_net_process_frame (cpu, src, w * 4, b, w * 4, ARTEM_FORMAT_RGBA, &err);
    if (!ok) {
      printf ("frames run %d: %s\n", run, err->message);
      goto out;
    }
    double se = 0;
    int maxd = 0;
    gsize at = 0, bad = 0;
    for (gsize i = 0; i < n; i++) {
      if (i % 4 == 3)
        continue;
      int d = abs ((int) a[i] - b[i]);
      se += (double) d * d;
      bad += d > 2;
      if (d > maxd) {
        maxd = d;
        at = i / 4;
      }
    }
    printf ("frames %dx%d margin %d align %d %s %d: PSNR %.1f dB, max diff %d at y%zu x%zu, "
            "%.2f%% of values off by > 2\n", w, h, margin, artem_net_get_frame_alignment (cpu),
            run < 3 ? "CUDA run" : "CPU replanned vs CPU, run", run, se > 0 ? 10 * log10 (255.0 * 255.0 * n * 0.75 / se) : 99.0, maxd, at / w, at % w,
            100.0 * bad / (n * 0.75));
  }
out:
  g_clear_error (&err);
  g_free (src); g_free (a); g_free (b);
  artem_net_free (cpu);
  artem_net_free (gpu);
}

int
main (int argc, char **argv)
{
  setvbuf (stdout, NULL, _IOLBF, 0);
  if (argc > 1 && !strcmp (argv[1], "--cpu")) {
    gpu_off = TRUE;
    argv++;
    argc--;
  }
  if (argc < 3 || sscanf (argv[2], "%dx%d", &W, &H) != 2) {
    fprintf (stderr, "usage: cuda-bisect [--cpu] MODEL WxH [VALUE ...]\n");
    return 2;
  }
  /* the frame path first, as test-cuda-models runs it */
  frames (argv[1], 333, 187, 0);
  frames (argv[1], 333, 187, 12);
  frames (argv[1], 333, 187, 0);
  stage (argv[1], NULL);
  for (int i = 3; i < argc; i++)
    stage (argv[1], argv[i]);
  return 0;
}
