/* conv.c — Conv (2-D, any group count) on the CPU: oneDNN (conv_dnnl.c) where it measures
 * faster for the node, else tiled im2col + OpenBLAS SGEMM, one GEMM per group (depthwise
 * convolutions are groups of one channel).
 * Output pixels are split into tiles whose column buffer stays in the L2 cache; the
 * tiles are shared among OpenMP threads, each calling a single-threaded SGEMM.
 * 1x1 stride-1 unpadded convolutions skip im2col.  Bias and a fused ReLU are applied
 * per tile while it is hot. */
#include "conv.h"
#include "../binary.h"
#include "../net-private.h"
#include <cblas.h>
#include <omp.h>

#define COL_TILE_FLOATS (256 * 1024)

static const char *const conv_attrs[] = { "auto_pad", "dilations", "group", "kernel_shape",
                                          "pads", "strides", NULL };

/* a BinaryConv loaded from a saved binarized model keeps its three extra attributes */
static const char *const binary_conv_attrs[] = { "auto_pad", "dilations", "group",
                                                 "kernel_shape", "pads", "strides", "mode",
                                                 "act_scale", "channels", NULL };

static gboolean
conv_check (ArtemNode *n, GError **error)
{
  if (!artem_attr_check_known (n, n->bin ? binary_conv_attrs : conv_attrs, error))
    return FALSE;
  gint64 group = artem_attr_int (n, "group", 1);
  if (group < 1 || group > (1 << 24)) {
    artem_node_error (error, ARTEM_ERROR_INVALID_MODEL, n, "group %" G_GINT64_FORMAT, group);
    return FALSE;
  }
  /* a saved binarized model's BinaryConv: the XNOR kernel runs one group */
  if (n->bin && group != 1)
    return artem_conv_check_group_autopad (n, error);
  return artem_conv_check_autopad (n, error);
}

gboolean
artem_conv_check_group_autopad (ArtemNode *n, GError **error)
{
  if (artem_attr_int (n, "group", 1) != 1) {
    artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, n, "group %" G_GINT64_FORMAT
                      " is not supported (only 1)", artem_attr_int (n, "group", 1));
    return FALSE;
  }
  return artem_conv_check_autopad (n, error);
}

gboolean
artem_conv_check_autopad (ArtemNode *n, GError **error)
{
  const char *ap = artem_attr_string (n, "auto_pad", "NOTSET");
  if (strcmp (ap, "NOTSET") && strcmp (ap, "SAME_UPPER") && strcmp (ap, "SAME_LOWER") &&
      strcmp (ap, "VALID")) {
    artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, n, "auto_pad '%s'", ap);
    return FALSE;
  }
  return TRUE;
}

/* Reads kernel/stride/dilation/pads for 2-D; fails on other ranks or bad values. */
gboolean
artem_conv_params (ArtemNode *n, int kh_w, int kw_w, int *k, int *s, int *d, int *p,
                   GError **error)
{
  gint64 v[8];
  int c;
  k[0] = kh_w; k[1] = kw_w;
  if ((c = artem_attr_ints (n, "kernel_shape", v, 8)) >= 0) {
    if (c != 2) goto rank;
    k[0] = (int) v[0]; k[1] = (int) v[1];
  }
  s[0] = s[1] = d[0] = d[1] = 1;
  p[0] = p[1] = p[2] = p[3] = 0;
  if ((c = artem_attr_ints (n, "strides", v, 8)) >= 0) {
    if (c != 2) goto rank;
    s[0] = (int) v[0]; s[1] = (int) v[1];
  }
  if ((c = artem_attr_ints (n, "dilations", v, 8)) >= 0) {
    if (c != 2) goto rank;
    d[0] = (int) v[0]; d[1] = (int) v[1];
  }
  if ((c = artem_attr_ints (n, "pads", v, 8)) >= 0) {
    if (c != 4) goto rank;
    for (int i = 0; i < 4; i++)
      p[i] = (int) v[i];   /* top, left, bottom, right */
  }
  for (int i = 0; i < 2; i++)
    if (k[i] < 1 || s[i] < 1 || d[i] < 1 || k[i] > 4096 || s[i] > 4096 || d[i] > 4096) {
      artem_node_error (error, ARTEM_ERROR_INVALID_MODEL, n, "bad kernel, stride or dilation");
      return FALSE;
    }
  for (int i = 0; i < 4; i++)
    if (p[i] < 0 || p[i] > 65536) {
      artem_node_error (error, ARTEM_ERROR_INVALID_MODEL, n, "bad padding %d", p[i]);
      return FALSE;
    }
  return TRUE;
rank:
  artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, n, "only 2-D convolutions are supported");
  return FALSE;
}

static void conv_blas (const ConvGeom *g, const float *x, const float *w, const float *bias,
                       gboolean relu, float *y, float *scratch);

static void
conv_priv_clear (void *priv)
{
  ConvGeom *g = priv;
  g_clear_pointer (&g->dnnl, artem_dnnl_conv_free);
}

/* the choices made so far in this process: key (geometry + precision) -> kernel, so a
 * net sized again (a caps change, a second element) measures nothing and every net of a
 * process computes the same geometry the same way; Conv and ConvTranspose share it */
static GHashTable *choices;
static GMutex choices_lock;

int
artem_conv_choice (char *key, int (*measure) (void *), void *data)
{
  g_mutex_lock (&choices_lock);
  if (!choices)
    choices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gpointer found = NULL;
  gboolean known = g_hash_table_lookup_extended (choices, key, NULL, &found);
  g_mutex_unlock (&choices_lock);
  if (known) {
    g_free (key);
    return GPOINTER_TO_INT (found);
  }
  int kernel = measure (data);
  g_mutex_lock (&choices_lock);
  g_hash_table_replace (choices, key, GINT_TO_POINTER (kernel));
  g_mutex_unlock (&choices_lock);
  return kernel;
}

void
artem_conv_trial_fill (float *x, gsize nx, float *wt, gsize nw, const ArtemValue *w)
{
  for (gsize i = 0; i < nx; i++)
    x[i] = (float) ((i * 2654435761u) >> 24) / 255.f;
  if (w->data && w->is_const)
    memcpy (wt, w->data, nw * 4);
  else
    for (gsize i = 0; i < nw; i++)
      wt[i] = (float) ((i * 40503u) & 255) / 1024.f - 0.125f;
}

int
artem_conv_trial (void (*run) (int kernel, void *data), void *data, const gboolean has[3],
                  const char *what, const char *name, const char *shape,
                  ArtemDnnlConv *const dnnl[3])
{
  /* interleaved rounds after a warm-up of each: the first runs of a process (thread
   * start, first touch) and drifting clocks favour no kernel */
  double ms[3] = { G_MAXDOUBLE, G_MAXDOUBLE, G_MAXDOUBLE };
  for (int round = 0; round < 5; round++)
    for (int k = 0; k < 3; k++) {
      if (!has[k])
        continue;
      gint64 t0 = g_get_monotonic_time ();
      run (k, data);
      if (round > 1)
        ms[k] = MIN (ms[k], (g_get_monotonic_time () - t0) / 1000.0);
    }
  int best = 0;
  for (int k = 1; k < 3; k++)
    if (ms[k] < ms[best])
      best = k;
  if (g_getenv ("ARTEM_CONV_VERBOSE")) {
    char t[3][32];   /* a kernel not tried: "-" */
    for (int k = 0; k < 3; k++)
      g_snprintf (t[k], sizeof t[k], has[k] ? "%.3f ms" : "-", ms[k]);
    g_printerr ("artem %s %s: %s: OpenBLAS %s, oneDNN fp32 %s %s, bf16 %s %s: %s\n", what, name,
                shape, t[0], dnnl[1] ? artem_dnnl_conv_impl (dnnl[1]) : "-", t[1],
                dnnl[2] ? artem_dnnl_conv_impl (dnnl[2]) : "-", t[2],
                (const char *[]) { "OpenBLAS", "oneDNN fp32", "oneDNN bf16" }[best]);
  }
  return best;
}

typedef struct {
  ConvGeom g;
  ArtemDnnlConv *c[3];
  float *x, *w, *b, *y, *scratch;
  gboolean relu;
} Trial;

static void
trial_run (int k, void *d)
{
  Trial *t = d;
  if (k)
    artem_dnnl_conv_run (t->c[k], t->x, t->w, 0, t->b, t->y, t->scratch);
  else
    conv_blas (&t->g, t->x, t->w, t->b, t->relu, t->y, t->scratch);
}

/* Times the kernels on a band of the frame (about 16k output pixels: the cost per pixel
 * is what differs) with the node's own weights: OpenBLAS, oneDNN fp32 and, where @bf16,
 * oneDNN bf16.  Returns the fastest: 0 OpenBLAS, 1 oneDNN fp32, 2 oneDNN bf16. */
static int
fastest_kernel (ArtemNode *n, const ConvGeom *g, ArtemValue *w, gboolean has_bias,
                gboolean bf16, int n_threads)
{
  Trial t = { .g = *g, .relu = n->fused_relu };
  int ext_h = (g->KH - 1) * g->DH + 1;
  int rows = MAX (1, MIN (g->OH, 16384 / MAX (g->OW, 1)));
  t.g.N = 1;
  t.g.H = MIN (g->H, (rows - 1) * g->SH + ext_h);
  t.g.PT = t.g.PB = 0;
  if (t.g.H < ext_h)
    return bf16 ? 2 : 1;
  t.g.OH = (t.g.H - ext_h) / t.g.SH + 1;
  t.g.direct = t.g.direct && !g->PT && !g->PB;
  t.g.tile = MIN (g->tile, t.g.OH * t.g.OW);
  ArtemDnnlConv **c = t.c;
  gsize wb = 0, sb = 0, sbmax = 0;
  for (int k = 1; k <= (bf16 ? 2 : 1); k++) {
    c[k] = artem_dnnl_conv_new (&t.g, t.relu, has_bias, k == 2, FALSE, FALSE, &wb, &sb);
    sbmax = MAX (sbmax, sb);
  }
  gsize nx = (gsize) t.g.C * t.g.H * t.g.W, ny = (gsize) t.g.M * t.g.OH * t.g.OW;
  gsize nw = (gsize) t.g.M * t.g.K;
  gsize ns = MAX ((sbmax + 3) / 4, (gsize) n_threads * t.g.K * t.g.tile);
  t.x = g_try_malloc (nx * 4);
  t.y = g_try_malloc (ny * 4);
  t.scratch = aligned_alloc (64, (ns * 4 + 63) & ~(gsize) 63);
  t.w = g_try_malloc (nw * 4);
  t.b = g_new0 (float, g->M);
  int best = 0;
  if (t.x && t.y && t.scratch && t.w) {
    artem_conv_trial_fill (t.x, nx, t.w, nw, w);
    char shape[96];
    g_snprintf (shape, sizeof shape, "%dx%d k%dx%d s%d %d->%d", g->W, g->H, g->KH, g->KW, g->SH,
                g->C, g->M);
    best = artem_conv_trial (trial_run, &t, (gboolean[3]) { TRUE, c[1] != NULL, c[2] != NULL },
                             "conv", n->name, shape, c);
  }
  for (int k = 1; k < 3; k++)
    artem_dnnl_conv_free (c[k]);
  g_free (t.x); g_free (t.y); g_free (t.w); g_free (t.b);
  free (t.scratch);
  return best;
}

typedef struct {
  ArtemNode *n;
  const ConvGeom *g;
  ArtemValue *w;
  gboolean has_bias, bf16;
} Ask;

static int
measure (void *d)
{
  Ask *a = d;
  return fastest_kernel (a->n, a->g, a->w, a->has_bias, a->bf16, artem_cpu_threads ());
}

/* The kernel for a node on the CPU backend: a oneDNN primitive (fp32, or bf16 where
 * @bf16), or NULL for im2col + OpenBLAS, whichever measures fastest.
 * $ARTEM_CONV_IMPL=blas|dnnl forces one (oneDNN where it has a kernel). */
static ArtemDnnlConv *
conv_choose (ArtemNode *n, const ConvGeom *g, ArtemValue *w, gboolean has_bias, gboolean bf16,
             gsize *wbytes, gsize *sbytes)
{
  const char *force = g_getenv ("ARTEM_CONV_IMPL");
  if ((force && !strcmp (force, "blas")) || !artem_dnnl_available ())
    return NULL;
  /* a convolution at the edge of an NHWC region (layout.c) takes oneDNN, which reads and
   * writes NHWC (the point of the region: no transpositions) */
  if ((force && !strcmp (force, "dnnl")) || g->src_nhwc || g->dst_nhwc) {
    ArtemDnnlConv *c = artem_dnnl_conv_new (g, n->fused_relu, has_bias, bf16, g->src_nhwc,
                                            g->dst_nhwc, wbytes, sbytes);
    if (g_getenv ("ARTEM_CONV_VERBOSE"))
      g_printerr ("artem conv %s: %dx%d k%dx%d %d->%d: oneDNN %s (not timed)\n", n->name, g->W,
                  g->H, g->KH, g->KW, g->C, g->M, c ? artem_dnnl_conv_impl (c) : "none");
    return c;
  }
  char *key = g_strdup_printf ("conv %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d",
                               g->N, g->C, g->H, g->W, g->M, g->KH, g->KW, g->SH, g->SW,
                               g->DH, g->DW, g->PT, g->PL, g->PB, g->PR, g->G, bf16,
                               n->fused_relu, has_bias);
  int kernel = artem_conv_choice (key, measure, &(Ask) { n, g, w, has_bias, bf16 });
  if (kernel == 0)
    return NULL;
  return artem_dnnl_conv_new (g, n->fused_relu, has_bias, kernel == 2, FALSE, FALSE, wbytes,
                              sbytes);
}

/* kernel, strides, dilations, pads (auto_pad resolved) and the output size of @g */
static gboolean
conv_geometry (ArtemNode *n, const ArtemValue *w, ConvGeom *gp, GError **error)
{
  ConvGeom g = *gp;
  int k[2], s[2], d[2], p[4];
  if (!artem_conv_params (n, (int) w->shape.dims[2], (int) w->shape.dims[3], k, s, d, p, error))
    return FALSE;
  if (k[0] != w->shape.dims[2] || k[1] != w->shape.dims[3]) {
    artem_node_error (error, ARTEM_ERROR_SHAPE, n, "kernel_shape does not match the weights");
    return FALSE;
  }
  g.KH = k[0]; g.KW = k[1]; g.SH = s[0]; g.SW = s[1]; g.DH = d[0]; g.DW = d[1];
  g.PT = p[0]; g.PL = p[1]; g.PB = p[2]; g.PR = p[3];
  const char *ap = artem_attr_string (n, "auto_pad", "NOTSET");
  if (!strcmp (ap, "VALID")) {
    g.PT = g.PL = g.PB = g.PR = 0;
  } else if (!strncmp (ap, "SAME", 4)) {
    int ext_h = (g.KH - 1) * g.DH + 1, ext_w = (g.KW - 1) * g.DW + 1;
    int oh = (g.H + g.SH - 1) / g.SH, ow = (g.W + g.SW - 1) / g.SW;
    int th = MAX (0, (oh - 1) * g.SH + ext_h - g.H), tw = MAX (0, (ow - 1) * g.SW + ext_w - g.W);
    gboolean upper = !strcmp (ap, "SAME_UPPER");
    g.PT = upper ? th / 2 : th - th / 2; g.PB = th - g.PT;
    g.PL = upper ? tw / 2 : tw - tw / 2; g.PR = tw - g.PL;
  }
  int ext_h = (g.KH - 1) * g.DH + 1, ext_w = (g.KW - 1) * g.DW + 1;
  if (g.H + g.PT + g.PB < ext_h || g.W + g.PL + g.PR < ext_w) {
    artem_node_error (error, ARTEM_ERROR_SHAPE, n, "input %dx%d is smaller than the kernel",
                      g.W, g.H);
    return FALSE;
  }
  g.OH = (g.H + g.PT + g.PB - ext_h) / g.SH + 1;
  g.OW = (g.W + g.PL + g.PR - ext_w) / g.SW + 1;
  if ((gint64) g.CG * g.KH * g.KW > (1 << 28) || (gint64) g.OH * g.OW > (1 << 30)) {
    artem_node_error (error, ARTEM_ERROR_SHAPE, n, "absurd kernel or output size");
    return FALSE;
  }
  *gp = g;
  return TRUE;
}

gboolean
artem_conv_check_inputs (ArtemNode *n, ArtemValue **in, GError **error)
{
  if (n->n_in < 2 || !in[0] || !in[1]) {
    artem_node_error (error, ARTEM_ERROR_INVALID_MODEL, n, "needs X and W");
    return FALSE;
  }
  ArtemValue *x = in[0], *w = in[1];
  if (x->shape.ndim != 4 || w->shape.ndim != 4) {
    artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, n, "only 2-D convolutions (4-D tensors)");
    return FALSE;
  }
  if (x->dtype != ARTEM_DTYPE_FLOAT || w->dtype != ARTEM_DTYPE_FLOAT) {
    artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, n, "float tensors only");
    return FALSE;
  }
  for (int i = 0; i < 4; i++)
    if (x->shape.dims[i] > (1 << 26) || w->shape.dims[i] > (1 << 26)) {
      artem_node_error (error, ARTEM_ERROR_SHAPE, n, "absurd tensor dimensions");
      return FALSE;
    }
  return TRUE;
}

gboolean
artem_conv_prepare (ArtemNode *n, ArtemValue **in, ArtemValue **out, ArtemPlan *plan,
                    GError **error)
{
  if (!artem_conv_check_inputs (n, in, error))
    return FALSE;
  ArtemValue *x = in[0], *w = in[1], *b = n->n_in > 2 ? in[2] : NULL;
  ConvGeom g = { 0 };
  g.N = (int) x->shape.dims[0]; g.C = (int) x->shape.dims[1];
  g.H = (int) x->shape.dims[2]; g.W = (int) x->shape.dims[3];
  g.M = (int) w->shape.dims[0];
  gint64 group = artem_attr_int (n, "group", 1);
  if (group < 1 || g.C % group || g.M % group) {
    artem_node_error (error, ARTEM_ERROR_SHAPE, n, "group %" G_GINT64_FORMAT " does not divide "
                      "%d input and %d output channels", group, g.C, g.M);
    return FALSE;
  }
  g.G = (int) group; g.CG = g.C / g.G; g.MG = g.M / g.G;
  if (w->shape.dims[1] != g.CG) {
    artem_node_error (error, ARTEM_ERROR_SHAPE, n,
                      "input has %d channels (%d a group), the weights expect %" G_GINT64_FORMAT,
                      g.C, g.CG, (gint64) w->shape.dims[1]);
    return FALSE;
  }
  if (b && (b->shape.ndim != 1 || b->shape.dims[0] != g.M)) {
    artem_node_error (error, ARTEM_ERROR_SHAPE, n, "bias does not match %d outputs", g.M);
    return FALSE;
  }
  if (!conv_geometry (n, w, &g, error))
    return FALSE;
  g.K = g.CG * g.KH * g.KW;
  plan->cost = 2.0 * g.N * g.M * (double) g.OH * g.OW * g.K;
  g.direct = g.KH == 1 && g.KW == 1 && g.SH == 1 && g.SW == 1 && !g.PT && !g.PL && !g.PB && !g.PR;
  int ohw = g.OH * g.OW;
  g.tile = MAX (32, COL_TILE_FLOATS / MAX (g.K, 1));
  g.tile = (g.tile + 15) & ~15;
  if (g.tile > ohw)
    g.tile = ohw;
  g.w_init = w->is_init;
  g.w_const = w->is_const;
  g.src_nhwc = x->nhwc;
  g.dst_nhwc = out[0]->nhwc;
  g.init_serial = plan->init_serial;
  out[0]->dtype = ARTEM_DTYPE_FLOAT;
  out[0]->shape = (ArtemShape) { 4, { g.N, g.M, g.OH, g.OW } };
  if (!g.direct)
    plan->scratch_floats = (gsize) plan->n_threads * g.K * g.tile;
  if (plan->cpu_kernels && !n->bin) {
    gsize wbytes = 0, sbytes = 0;
    g.dnnl = conv_choose (n, &g, w, b != NULL, plan->bf16, &wbytes, &sbytes);
    if (g.dnnl) {
      g.dnnl_scratch = sbytes;
      plan->scratch_floats = (sbytes + sizeof (float) - 1) / sizeof (float);
      plan->priv_bytes += wbytes;
    }
  }
  if (!g.dnnl && (g.src_nhwc || g.dst_nhwc))
    /* no oneDNN kernel for an NHWC edge: NCHW copies of X and Y ahead of OpenBLAS's
     * columns */
    plan->scratch_floats += (gsize) g.N * (g.C * g.H * g.W + g.M * g.OH * g.OW) + 32;
  n->params.conv = (ArtemConvParams) { g.N, g.C, g.H, g.W, g.M, g.OH, g.OW, g.KH, g.KW, g.SH,
                                       g.SW, g.DH, g.DW, g.PT, g.PL, g.PB, g.PR, g.G };
  n->priv = g_memdup2 (&g, sizeof g);
  n->priv_clear = conv_priv_clear;
  return TRUE;
}

/* Column matrix rows k = (c, ky, kx), columns = output pixels [p0, p0+np). */
static void
im2col_tile (const ConvGeom *g, const float *x, float *col, int p0, int np)
{
  int pend = p0 + np;
  for (int k = 0; k < g->K; k++) {
    int c = k / (g->KH * g->KW), r = k % (g->KH * g->KW);
    int ky = r / g->KW, kx = r % g->KW;
    const float *xc = x + (gsize) c * g->H * g->W;
    float *dst = col + (gsize) k * np;
    int p = p0;
    while (p < pend) {
      int oy = p / g->OW, ox0 = p % g->OW;
      int ox1 = MIN (g->OW, ox0 + (pend - p));
      int len = ox1 - ox0;
      int iy = oy * g->SH - g->PT + ky * g->DH;
      if (iy < 0 || iy >= g->H) {
        memset (dst, 0, len * sizeof (float));
      } else {
        const float *row = xc + (gsize) iy * g->W;
        int base = -g->PL + kx * g->DW;
        if (g->SW == 1) {
          /* valid ox: 0 <= ox + base < W */
          int lo = MAX (ox0, -base), hi = MIN (ox1, g->W - base);
          if (hi < lo) hi = lo = ox1;
          int j = 0;
          for (int ox = ox0; ox < lo; ox++) dst[j++] = 0.f;
          if (hi > lo) {
            memcpy (dst + j, row + lo + base, (hi - lo) * sizeof (float));
            j += hi - lo;
          }
          for (int ox = hi; ox < ox1; ox++) dst[j++] = 0.f;
        } else {
          for (int ox = ox0, j = 0; ox < ox1; ox++, j++) {
            int ix = ox * g->SW + base;
            dst[j] = (ix >= 0 && ix < g->W) ? row[ix] : 0.f;
          }
        }
      }
      dst += len;
      p += len;
    }
  }
}

/* im2col + OpenBLAS over all batches */
static void
conv_blas (const ConvGeom *g, const float *x0, const float *w, const float *bias,
           gboolean relu, float *y0, float *scratch)
{
  int ohw = g->OH * g->OW;
  int ntiles = (ohw + g->tile - 1) / g->tile;
  gsize xg = (gsize) g->CG * g->H * g->W, yg = (gsize) g->MG * ohw, wg = (gsize) g->MG * g->K;
  for (int b = 0; b < g->N; b++) {
    const float *x = x0 + (gsize) b * g->C * g->H * g->W;
    float *y = y0 + (gsize) b * g->M * ohw;
#pragma omp parallel for schedule(dynamic, 1)
    for (int t = 0; t < ntiles; t++) {
      int p0 = t * g->tile, np = MIN (g->tile, ohw - p0);
      for (int gi = 0; gi < g->G; gi++) {
        const float *xi = x + gi * xg, *wi = w + gi * wg;
        float *yi = y + gi * yg;
        if (g->direct) {
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, g->MG, np, g->K, 1.f, wi,
                       g->K, xi + p0, ohw, 0.f, yi + p0, ohw);
        } else {
          float *col = scratch + (gsize) omp_get_thread_num () * g->K * g->tile;
          im2col_tile (g, xi, col, p0, np);
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, g->MG, np, g->K, 1.f, wi,
                       g->K, col, np, 0.f, yi + p0, ohw);
        }
      }
      if (bias || relu)
        for (int m = 0; m < g->M; m++) {
          float bv = bias ? bias[m] : 0.f, *yr = y + (gsize) m * ohw + p0;
          if (relu)
            for (int i = 0; i < np; i++) { float v = yr[i] + bv; yr[i] = v > 0.f ? v : 0.f; }
          else
            for (int i = 0; i < np; i++) yr[i] += bv;
        }
    }
  }
}

/* ---- bf16 hand-off (artem-private.h) ----
 * In a bf16 plan each oneDNN convolution converts its fp32 input to bf16 before it runs: a
 * read and a write of the whole padded frame, a third of the convolutions' time at
 * 632x572.  Where that input is a Pad's output that this convolution alone reads, the
 * Pad writes bf16 itself (and so does a norm writing into it, cpu/pad.c), at the price of
 * a narrower write, and the rebuilt kernel takes the frame as it is.  The output bytes
 * are the same: the conversion rounds as oneDNN's does. */

/* ... and a convolution whose output only an InstanceNormalization reads writes it as
 * bf16 (a narrower write, and the norm's two passes read half the bytes); this one rounds
 * where nothing rounded before, so it changes the output a little
 * ($ARTEM_NO_BF16_NORM_IN=1 turns it alone off). */

/* how many steps read each value (a graph output counts as a reader), and the last node
 * that reads it (-1: none) */
static int *
count_readers (ArtemNet *net, const int *exec, int n_exec, int **reader)
{
  int *readers = g_new0 (int, MAX (net->values->len, 1));
  *reader = g_new (int, MAX (net->values->len, 1));
  for (guint i = 0; i < net->values->len; i++)
    (*reader)[i] = -1;
  for (int s = 0; s < n_exec; s++) {
    ArtemNode *n = NODE (net, exec[s]);
    for (int k = 0; k < n->n_in; k++)
      if (n->in[k] >= 0) {
        readers[n->in[k]]++;
        (*reader)[n->in[k]] = exec[s];
      }
  }
  for (guint i = 0; i < net->outputs->len; i++)
    readers[g_array_index (net->outputs, int, i)]++;
  return readers;
}

/* n's oneDNN kernel rebuilt with a bf16 input (src) or output (dst); FALSE (n unchanged)
 * where oneDNN has none or it needs more than @limit bytes of scratch.  *sbytes: the
 * scratch the new kernel needs. */
static gboolean
rebuild_bf16 (ArtemNode *n, gboolean src, gboolean dst, gsize limit, gsize *sbytes)
{
  ConvGeom *g = n->priv, g2 = *g;
  g2.src_bf16 |= src;
  g2.dst_bf16 |= dst;
  gsize wbytes = 0;
  ArtemDnnlConv *c = artem_dnnl_conv_new (&g2, n->fused_relu, n->n_in > 2 && n->in[2] >= 0,
                                          TRUE, g->src_nhwc, g->dst_nhwc, &wbytes, sbytes);
  if (!c || *sbytes > limit) {
    artem_dnnl_conv_free (c);
    return FALSE;
  }
  artem_dnnl_conv_free (g->dnnl);
  g2.dnnl = c;
  g2.dnnl_scratch = *sbytes;
  *g = g2;
  return TRUE;
}

/* the bf16 convolution step n, or NULL */
static ConvGeom *
bf16_conv (ArtemNode *n)
{
  ConvGeom *g = n->def->kind == ARTEM_OP_CONV && !n->bin ? n->priv : NULL;
  return g && g->dnnl && artem_dnnl_conv_is_bf16 (g->dnnl) ? g : NULL;
}

void
artem_cpu_plan_bf16_handoff (ArtemNet *net, const int *exec, int n_exec, gsize *scratch_floats)
{
  if (!net->cpu_bf16 || g_getenv ("ARTEM_NO_BF16_HANDOFF"))
    return;
  int *reader, *readers = count_readers (net, exec, n_exec, &reader);
  gboolean norm_in = !g_getenv ("ARTEM_NO_BF16_NORM_IN");
  for (int s = 0; s < n_exec; s++) {
    ArtemNode *n = NODE (net, exec[s]);
    ConvGeom *g = bf16_conv (n);
    gsize sbytes = 0;
    /* its input, where a Pad makes it for this convolution alone (the kernel then needs
     * less scratch, no conversion: the net's scratch is sized for the old one) */
    ArtemValue *x = g && n->in[0] >= 0 ? VAL (net, n->in[0]) : NULL;
    if (x && g->src_nhwc && !g->src_bf16 && readers[n->in[0]] == 1 && x->producer >= 0 &&
        artem_cpu_pad_can_write_bf16 (net, NODE (net, x->producer)) &&
        rebuild_bf16 (n, TRUE, FALSE, g->dnnl_scratch, &sbytes))
      x->bf16 = TRUE;
    /* its output, where only an NHWC InstanceNormalization reads it (a bf16 output takes
     * oneDNN a scratch buffer of fp32 sums: the net's scratch grows) */
    int y = n->n_out > 0 ? n->out[0] : -1;
    ArtemNode *r = y >= 0 && readers[y] == 1 && reader[y] >= 0 ? NODE (net, reader[y]) : NULL;
    if (norm_in && g && g->dst_nhwc && !g->dst_bf16 && g->M > 4 && r &&
        r->def->kind == ARTEM_OP_INSTANCE_NORM && r->in[0] == y &&
        rebuild_bf16 (n, FALSE, TRUE, G_MAXSIZE, &sbytes)) {
      *scratch_floats = MAX (*scratch_floats, (sbytes + sizeof (float) - 1) / sizeof (float));
      VAL (net, y)->bf16 = TRUE;
    }
  }
  g_free (readers);
  g_free (reader);
}

static void
conv_run (ArtemNode *n, ArtemValue **in, ArtemValue **out, float *scratch)
{
  ConvGeom *g = n->priv;
  /* a binary-weight network (XNOR-Net's BWN) runs alpha * sign(W) through the float path */
  const float *w = n->bin ? ((ArtemBinaryWeights *) n->bin)->wfloat : in[1]->data;
  const float *bias = n->n_in > 2 && in[2] ? in[2]->data : NULL;
  if (g->dnnl) {
    /* the weights' version: fixed, an initializer's serial, or new on every run */
    guint64 serial = g->w_const && !g->w_init ? 0
                     : g->w_init ? *g->init_serial : ++g->runs;
    artem_dnnl_conv_run (g->dnnl, in[0]->data, w, serial, bias, out[0]->data, scratch);
    return;
  }
  if (g->src_nhwc || g->dst_nhwc) {   /* OpenBLAS between NHWC frames: through NCHW copies */
    gsize nx = (gsize) g->N * g->C * g->H * g->W, ny = (gsize) g->N * g->M * g->OH * g->OW;
    float *x = scratch, *y = scratch + ((nx + 15) & ~(gsize) 15);
    float *cols = y + ((ny + 15) & ~(gsize) 15);
    if (g->src_nhwc)
      artem_nhwc_to_nchw (in[0]->data, x, g->N, g->C, (gsize) g->H * g->W);
    conv_blas (g, g->src_nhwc ? x : in[0]->data, w, bias, n->fused_relu,
               g->dst_nhwc ? y : out[0]->data, cols);
    if (g->dst_nhwc)
      artem_nchw_to_nhwc (y, out[0]->data, g->N, g->M, (gsize) g->OH * g->OW);
    return;
  }
  conv_blas (g, in[0]->data, w, bias, n->fused_relu, out[0]->data, scratch);
}

const ArtemOpDef artem_op_conv = { ARTEM_OP_CONV, 0, "Conv", conv_check, artem_conv_prepare,
                                   conv_run, FALSE };
