/* conv_transpose.c — ConvTranspose (2-D, group 1) on the CPU: oneDNN's deconvolution
 * (conv_dnnl.c, fp32 or bf16) where it measures faster, as Conv chooses (conv.c), else
 * SGEMM of the transposed weights with bands of input rows into a column buffer, then
 * col2im scatter-add.  Bands are at least as tall as the kernel's reach, so even bands
 * never write the rows of other even bands: even bands run in parallel, then odd bands. */
#include "conv.h"
#include <cblas.h>
#include <omp.h>

static const char *const convt_attrs[] = { "auto_pad", "dilations", "group", "kernel_shape",
                                           "output_padding", "output_shape", "pads",
                                           "strides", NULL };

static gboolean
convt_check (ArtemNode *n, GError **error)
{
  return artem_attr_check_known (n, convt_attrs, error) &&
         artem_conv_check_group_autopad (n, error);
}

static void convt_blas (const ConvTGeom *g, const float *x, const float *w, const float *bias,
                        gboolean relu, float *y, float *scratch);

static void
convt_priv_clear (void *priv)
{
  ConvTGeom *g = priv;
  g_clear_pointer (&g->dnnl, artem_dnnl_conv_free);
}

/* the band height of the OpenBLAS path for @g */
static int
convt_band (const ConvTGeom *g)
{
  int bmin = MAX (1, ((g->KH - 1) * g->DH + 1 + g->SH - 1) / g->SH);
  int band = MAX (bmin, (256 * 1024) / MAX (1, g->MKK * g->W));
  return MIN (band, MAX (g->H, 1));
}

typedef struct {
  const ConvTGeom *g;
  ArtemDnnlConv *c[3];
  float *x, *w, *b, *y, *scratch;
  gboolean relu;
} TTrial;

static void
trial_run (int k, void *d)
{
  TTrial *t = d;
  if (k)
    artem_dnnl_conv_run (t->c[k], t->x, t->w, 0, t->b, t->y, t->scratch);
  else
    convt_blas (t->g, t->x, t->w, t->b, t->relu, t->y, t->scratch);
}

/* Times OpenBLAS, oneDNN fp32 and (where @bf16) oneDNN bf16 on a band of about 16k
 * output pixels with the node's weights, interleaved after a warm-up, as conv.c's
 * fastest_kernel: 0 OpenBLAS, 1 oneDNN fp32, 2 oneDNN bf16. */
static int
convt_fastest (ArtemNode *n, const ConvTGeom *g, ArtemValue *w, gboolean has_bias,
               gboolean bf16)
{
  ConvTGeom t = *g;
  t.N = 1;
  t.H = MIN (g->H, MAX (1, 16384 / MAX (1, g->W * g->SH * g->SW)));
  t.PT = 0;
  t.OH = (t.H - 1) * t.SH + (t.KH - 1) * t.DH + 1;
  t.band = convt_band (&t);
  t.dnnl = NULL;
  TTrial r = { .g = &t, .relu = n->fused_relu };
  ArtemDnnlConv **c = r.c;
  gsize wb = 0, sb = 0, sbmax = 0;
  for (int k = 1; k <= (bf16 ? 2 : 1); k++) {
    c[k] = artem_dnnl_deconv_new (&t, n->fused_relu, has_bias, k == 2, &wb, &sb);
    sbmax = MAX (sbmax, sb);
  }
  if (!c[1] && !c[2])
    return 0;
  gsize nx = (gsize) t.C * t.H * t.W, ny = (gsize) t.M * t.OH * t.OW, nw = (gsize) t.C * t.MKK;
  gsize ns = MAX ((sbmax + 3) / 4, (gsize) artem_cpu_threads () * t.MKK * t.band * t.W);
  float *x = g_try_malloc (nx * 4), *y = g_try_malloc (ny * 4), *wt = g_try_malloc (nw * 4);
  float *b = g_new0 (float, t.M), *scratch = aligned_alloc (64, (ns * 4 + 63) & ~(gsize) 63);
  int best = 0;
  if (x && y && wt && scratch) {
    artem_conv_trial_fill (x, nx, wt, nw, w);
    r.x = x, r.w = wt, r.b = b, r.y = y, r.scratch = scratch;
    char shape[96];
    g_snprintf (shape, sizeof shape, "%dx%d k%dx%d s%d %d->%d", g->W, g->H, g->KH, g->KW, g->SH,
                g->C, g->M);
    best = artem_conv_trial (trial_run, &r, (gboolean[3]) { TRUE, c[1] != NULL, c[2] != NULL },
                             "conv-transpose", n->name, shape, c);
  }
  for (int k = 1; k < 3; k++)
    artem_dnnl_conv_free (c[k]);
  g_free (x); g_free (y); g_free (wt); g_free (b);
  free (scratch);
  return best;
}

typedef struct {
  ArtemNode *n;
  const ConvTGeom *g;
  ArtemValue *w;
  gboolean has_bias, bf16;
} Ask;

static int
measure (void *d)
{
  Ask *a = d;
  return convt_fastest (a->n, a->g, a->w, a->has_bias, a->bf16);
}

/* oneDNN's deconvolution for @n, or NULL for OpenBLAS, whichever measures fastest;
 * $ARTEM_CONV_IMPL=blas|dnnl forces one (oneDNN where it has a kernel) */
static ArtemDnnlConv *
convt_choose (ArtemNode *n, const ConvTGeom *g, ArtemValue *w, gboolean has_bias,
              gboolean bf16, gsize *wbytes, gsize *sbytes)
{
  const char *force = g_getenv ("ARTEM_CONV_IMPL");
  if ((force && !strcmp (force, "blas")) || !artem_dnnl_available ())
    return NULL;
  if (force && !strcmp (force, "dnnl"))
    return artem_dnnl_deconv_new (g, n->fused_relu, has_bias, bf16, wbytes, sbytes);
  char *key = g_strdup_printf ("convt %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d",
                               g->N, g->C, g->H, g->W, g->M, g->KH, g->KW, g->SH, g->SW,
                               g->DH, g->DW, g->PT, g->PL, g->OH, g->OW, bf16,
                               n->fused_relu, has_bias);
  int kernel = artem_conv_choice (key, measure, &(Ask) { n, g, w, has_bias, bf16 });
  return kernel ? artem_dnnl_deconv_new (g, n->fused_relu, has_bias, kernel == 2, wbytes, sbytes)
                : NULL;
}

/* the kernel of @g (oneDNN or OpenBLAS) and the scratch and memory it takes */
static void
convt_pick_kernel (ArtemNode *n, ConvTGeom *g, ArtemValue *w, gboolean has_bias,
                   ArtemPlan *plan)
{
  plan->scratch_floats = (gsize) plan->n_threads * g->MKK * g->band * g->W;
  if (!plan->cpu_kernels)
    return;
  gsize wbytes = 0, sbytes = 0;
  g->dnnl = convt_choose (n, g, w, has_bias, plan->bf16, &wbytes, &sbytes);
  if (g->dnnl) {
    plan->scratch_floats = (sbytes + sizeof (float) - 1) / sizeof (float);
    plan->priv_bytes += wbytes;
  }
}

static gboolean
convt_prepare (ArtemNode *n, ArtemValue **in, ArtemValue **out, ArtemPlan *plan,
               GError **error)
{
  if (!artem_conv_check_inputs (n, in, error))
    return FALSE;
  ArtemValue *x = in[0], *w = in[1], *b = n->n_in > 2 ? in[2] : NULL;
  ConvTGeom g = { 0 };
  g.N = (int) x->shape.dims[0]; g.C = (int) x->shape.dims[1];
  g.H = (int) x->shape.dims[2]; g.W = (int) x->shape.dims[3];
  g.M = (int) w->shape.dims[1];
  if (w->shape.dims[0] != g.C) {
    artem_node_error (error, ARTEM_ERROR_SHAPE, n, "input has %d channels, weights %" G_GINT64_FORMAT,
                      g.C, (gint64) w->shape.dims[0]);
    return FALSE;
  }
  if (b && (b->shape.ndim != 1 || b->shape.dims[0] != g.M)) {
    artem_node_error (error, ARTEM_ERROR_SHAPE, n, "bias does not match %d outputs", g.M);
    return FALSE;
  }
  int k[2], s[2], d[2], p[4];
  if (!artem_conv_params (n, (int) w->shape.dims[2], (int) w->shape.dims[3], k, s, d, p, error))
    return FALSE;
  g.KH = k[0]; g.KW = k[1]; g.SH = s[0]; g.SW = s[1]; g.DH = d[0]; g.DW = d[1];
  gint64 op[8] = { 0, 0 }, os[8];
  if (artem_attr_ints (n, "output_padding", op, 8) > 2) {
    artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, n, "output_padding rank");
    return FALSE;
  }
  int ext_h = (g.KH - 1) * g.DH + 1, ext_w = (g.KW - 1) * g.DW + 1;
  int nos = artem_attr_ints (n, "output_shape", os, 8);
  const char *ap = artem_attr_string (n, "auto_pad", "NOTSET");
  int pt = p[0], pl = p[1], pb = p[2], pr = p[3];
  gboolean same = !strncmp (ap, "SAME", 4);
  if (nos >= 2 || same) {
    int want_h = nos >= 2 ? (int) os[nos - 2] : g.H * g.SH;
    int want_w = nos >= 2 ? (int) os[nos - 1] : g.W * g.SW;
    int th = g.SH * (g.H - 1) + (int) op[0] + ext_h - want_h;
    int tw = g.SW * (g.W - 1) + (int) op[1] + ext_w - want_w;
    /* a negative total padding (output_shape beyond the input's reach) leaves zeros */
    if (!strcmp (ap, "SAME_UPPER")) {
      pt = th / 2; pb = th - pt; pl = tw / 2; pr = tw - pl;
    } else if (!strcmp (ap, "SAME_LOWER")) {
      pt = th - th / 2; pb = th / 2; pl = tw - tw / 2; pr = tw / 2;
    } else {
      /* explicit output_shape: the output starts at the top-left, grows or is cut at the
       * end (what ONNX's reference and test_convtranspose_output_shape do) */
      pt = 0; pb = th; pl = 0; pr = tw;
    }
  } else if (!strcmp (ap, "VALID")) {
    pt = pl = pb = pr = 0;
  }
  g.PT = pt; g.PL = pl;
  gint64 oh = (gint64) g.SH * (g.H - 1) + op[0] + ext_h - pt - pb;
  gint64 ow = (gint64) g.SW * (g.W - 1) + op[1] + ext_w - pl - pr;
  if (oh > (1 << 26) || ow > (1 << 26) || oh * ow > (1 << 30) || op[0] > 4096 || op[1] > 4096 ||
      (gint64) g.M * g.KH * g.KW > (1 << 28)) {
    artem_node_error (error, ARTEM_ERROR_SHAPE, n, "absurd kernel or output size");
    return FALSE;
  }
  g.OH = (int) oh;
  g.OW = (int) ow;
  plan->cost = 2.0 * g.N * g.C * (double) g.H * g.W * g.M * g.KH * g.KW;
  if (g.OH <= 0 || g.OW <= 0 || op[0] < 0 || op[1] < 0) {
    artem_node_error (error, ARTEM_ERROR_SHAPE, n, "empty output");
    return FALSE;
  }
  g.MKK = g.M * g.KH * g.KW;
  g.band = convt_band (&g);
  g.w_init = w->is_init;
  g.w_const = w->is_const;
  g.init_serial = plan->init_serial;
  convt_pick_kernel (n, &g, w, b != NULL, plan);
  n->params.conv = (ArtemConvParams) { g.N, g.C, g.H, g.W, g.M, g.OH, g.OW, g.KH, g.KW, g.SH,
                                       g.SW, g.DH, g.DW, pt, pl, pb, pr, 1 };
  n->priv = g_memdup2 (&g, sizeof g);
  n->priv_clear = convt_priv_clear;
  out[0]->dtype = ARTEM_DTYPE_FLOAT;
  out[0]->shape = (ArtemShape) { 4, { g.N, g.M, g.OH, g.OW } };
  return TRUE;
}

static void
band_run (const ConvTGeom *g, const float *w, const float *x, float *y, float *col, int r0)
{
  int r1 = MIN (g->H, r0 + g->band);
  int np = (r1 - r0) * g->W;
  cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, g->MKK, np, g->C, 1.f, w, g->MKK,
               x + (gsize) r0 * g->W, g->H * g->W, 0.f, col, np);
  for (int row = 0; row < g->MKK; row++) {
    int m = row / (g->KH * g->KW), r = row % (g->KH * g->KW);
    int ky = r / g->KW, kx = r % g->KW;
    float *ym = y + (gsize) m * g->OH * g->OW;
    const float *c = col + (gsize) row * np;
    for (int iy = r0; iy < r1; iy++) {
      int oy = iy * g->SH - g->PT + ky * g->DH;
      const float *crow = c + (gsize) (iy - r0) * g->W;
      if (oy < 0 || oy >= g->OH)
        continue;
      float *yr = ym + (gsize) oy * g->OW;
      int base = -g->PL + kx * g->DW;
      for (int ix = 0; ix < g->W; ix++) {
        int ox = ix * g->SW + base;
        if (ox >= 0 && ox < g->OW)
          yr[ox] += crow[ix];
      }
    }
  }
}

/* the OpenBLAS path: y = convT (x, w) + bias (ReLU) for g->N images */
static void
convt_blas (const ConvTGeom *g, const float *xall, const float *w, const float *bias,
            gboolean relu, float *yall, float *scratch)
{
  gsize ohw = (gsize) g->OH * g->OW;
  int nbands = (g->H + g->band - 1) / g->band;
  for (int b = 0; b < g->N; b++) {
    const float *x = xall + (gsize) b * g->C * g->H * g->W;
    float *y = yall + (gsize) b * g->M * ohw;
#pragma omp parallel for schedule(static)
    for (int m = 0; m < g->M; m++) {
      float bv = bias ? bias[m] : 0.f;
      for (gsize i = 0; i < ohw; i++)
        y[m * ohw + i] = bv;
    }
    for (int phase = 0; phase < 2; phase++) {
#pragma omp parallel for schedule(dynamic, 1)
      for (int bi = phase; bi < nbands; bi += 2) {
        float *col = scratch + (gsize) omp_get_thread_num () * g->MKK * g->band * g->W;
        band_run (g, w, x, y, col, bi * g->band);
      }
    }
    if (relu) {
#pragma omp parallel for schedule(static)
      for (gsize i = 0; i < g->M * ohw; i++)
        y[i] = y[i] > 0.f ? y[i] : 0.f;
    }
  }
}

static void
convt_run (ArtemNode *n, ArtemValue **in, ArtemValue **out, float *scratch)
{
  ConvTGeom *g = n->priv;
  const float *w = in[1]->data;
  const float *bias = n->n_in > 2 && in[2] ? in[2]->data : NULL;
  if (g->dnnl) {
    /* the weights' version: fixed, an initializer's serial, or new on every run */
    guint64 serial = g->w_const && !g->w_init ? 0
                     : g->w_init ? *g->init_serial : ++g->runs;
    artem_dnnl_conv_run (g->dnnl, in[0]->data, w, serial, bias, out[0]->data, scratch);
    return;
  }
  convt_blas (g, in[0]->data, w, bias, n->fused_relu, out[0]->data, scratch);
}

const ArtemOpDef artem_op_conv_transpose = { ARTEM_OP_CONV_TRANSPOSE, 0, "ConvTranspose",
                                             convt_check, convt_prepare, convt_run, FALSE };
