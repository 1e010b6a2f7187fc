/* conv_transpose.c — ConvTranspose (2-D, group 1) on the CPU: SGEMM of the transposed
 * weights with bands of input rows into a column buffer, then col2im scatter-add.
 * Bands are at least as tall as the kernel's reach, so even bands never write the rows
 * of other even bands: even bands run in parallel, then odd bands. */
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
  int bmin = MAX (1, ((g.KH - 1) * g.DH + 1 + g.SH - 1) / g.SH);
  g.band = MAX (bmin, (256 * 1024) / MAX (1, g.MKK * g.W));
  g.band = MIN (g.band, MAX (g.H, 1));
  n->params.conv = (ArtemConvParams) { g.N, g.C, g.H, g.W, g.M, g.OH, g.OW, g.KH, g.KW, g.SH,
                                       g.SW, g.DH, g.DW, pt, pl, pb, pr, 1 };
  n->priv = g_memdup2 (&g, sizeof g);
  out[0]->dtype = ARTEM_DTYPE_FLOAT;
  out[0]->shape = (ArtemShape) { 4, { g.N, g.M, g.OH, g.OW } };
  plan->scratch_floats = (gsize) plan->n_threads * g.MKK * g.band * g.W;
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

static void
convt_run (ArtemNode *n, ArtemValue **in, ArtemValue **out, float *scratch)
{
  const ConvTGeom *g = n->priv;
  const float *w = in[1]->data;
  const float *bias = n->n_in > 2 && in[2] ? in[2]->data : NULL;
  gsize ohw = (gsize) g->OH * g->OW;
  int nbands = (g->H + g->band - 1) / g->band;
  for (int b = 0; b < g->N; b++) {
    const float *x = (const float *) in[0]->data + (gsize) b * g->C * g->H * g->W;
    float *y = (float *) out[0]->data + (gsize) b * g->M * ohw;
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
    if (n->fused_relu) {
#pragma omp parallel for schedule(static)
      for (gsize i = 0; i < g->M * ohw; i++)
        y[i] = y[i] > 0.f ? y[i] : 0.f;
    }
  }
}

const ArtemOpDef artem_op_conv_transpose = { ARTEM_OP_CONV_TRANSPOSE, 0, "ConvTranspose",
                                             convt_check, convt_prepare, convt_run, FALSE };
