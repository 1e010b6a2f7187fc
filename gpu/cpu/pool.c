/* pool.c — MaxPool (2-D: kernel, strides, pads, dilations, ceil_mode, auto_pad). */
#include "../artem-private.h"
#include <math.h>


static gboolean
pool_check (ArtemNode *n, GError **error)
{
  static const char *const known[] = { "auto_pad", "ceil_mode", "dilations", "kernel_shape",
                                       "pads", "storage_order", "strides", NULL };
  if (!artem_attr_check_known (n, known, error))
    return FALSE;
  if (n->n_out > 1 && n->proto->output[1] && *n->proto->output[1]) {
    artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, n, "the Indices output is not supported");
    return FALSE;
  }
  gint64 k[8];
  if (artem_attr_ints (n, "kernel_shape", k, 8) != 2) {
    artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, n, "only 2-D max pooling is supported");
    return FALSE;
  }
  return TRUE;
}

static gboolean
pool_prepare (ArtemNode *n, ArtemValue **in, ArtemValue **out, ArtemPlan *plan,
              GError **error)
{
  ArtemValue *x = in[0];
  if (!x || x->shape.ndim != 4 || x->dtype != ARTEM_DTYPE_FLOAT) {
    artem_node_error (error, ARTEM_ERROR_SHAPE, n, "input must be a 4-D float tensor");
    return FALSE;
  }
  gint64 k[8], s[8] = { 1, 1 }, d[8] = { 1, 1 }, p[8] = { 0, 0, 0, 0 };
  artem_attr_ints (n, "kernel_shape", k, 8);
  if (artem_attr_ints (n, "strides", s, 8) > 2 || artem_attr_ints (n, "dilations", d, 8) > 2 ||
      artem_attr_ints (n, "pads", p, 8) > 4) {
    artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, n, "attribute rank");
    return FALSE;
  }
  if (x->shape.dims[0] * x->shape.dims[1] > (1 << 26) || x->shape.dims[2] > (1 << 26) ||
      x->shape.dims[3] > (1 << 26)) {
    artem_node_error (error, ARTEM_ERROR_SHAPE, n, "absurd tensor dimensions");
    return FALSE;
  }
  ArtemPoolParams g = { 0 };
  g.NC = (int) (x->shape.dims[0] * x->shape.dims[1]);
  g.H = (int) x->shape.dims[2]; g.W = (int) x->shape.dims[3];
  g.KH = (int) k[0]; g.KW = (int) k[1]; g.SH = (int) s[0]; g.SW = (int) s[1];
  g.DH = (int) d[0]; g.DW = (int) d[1];
  if (g.KH < 1 || g.KW < 1 || g.SH < 1 || g.SW < 1 || g.DH < 1 || g.DW < 1 || k[0] > 4096 ||
      k[1] > 4096 || p[0] < 0 || p[1] < 0 || p[2] < 0 || p[3] < 0 || p[0] > 4096 || p[2] > 4096 ||
      p[1] > 4096 || p[3] > 4096) {
    artem_node_error (error, ARTEM_ERROR_INVALID_MODEL, n, "bad kernel, stride or padding");
    return FALSE;
  }
  int eh = (g.KH - 1) * g.DH + 1, ew = (g.KW - 1) * g.DW + 1;
  int pt = (int) p[0], pl = (int) p[1], pb = (int) p[2], pr = (int) p[3];
  const char *ap = artem_attr_string (n, "auto_pad", "NOTSET");
  gboolean ceil_mode = artem_attr_int (n, "ceil_mode", 0) != 0;
  if (!strncmp (ap, "SAME", 4)) {
    g.OH = (g.H + g.SH - 1) / g.SH;
    g.OW = (g.W + g.SW - 1) / g.SW;
    int th = MAX (0, (g.OH - 1) * g.SH + eh - g.H), tw = MAX (0, (g.OW - 1) * g.SW + ew - g.W);
    gboolean upper = !strcmp (ap, "SAME_UPPER");
    pt = upper ? th / 2 : th - th / 2;
    pl = upper ? tw / 2 : tw - tw / 2;
  } else {
    if (!strcmp (ap, "VALID"))
      pt = pl = pb = pr = 0;
    int sh = g.H + pt + pb - eh, sw = g.W + pl + pr - ew;
    if (sh < 0 || sw < 0) {
      artem_node_error (error, ARTEM_ERROR_SHAPE, n, "input smaller than the window");
      return FALSE;
    }
    g.OH = (ceil_mode ? (sh + g.SH - 1) / g.SH : sh / g.SH) + 1;
    g.OW = (ceil_mode ? (sw + g.SW - 1) / g.SW : sw / g.SW) + 1;
    if (ceil_mode) {
      if ((g.OH - 1) * g.SH >= g.H + pt) g.OH--;
      if ((g.OW - 1) * g.SW >= g.W + pl) g.OW--;
    }
  }
  g.PT = pt; g.PL = pl;
  if ((gint64) g.OH * g.OW > (1 << 30)) {
    artem_node_error (error, ARTEM_ERROR_SHAPE, n, "absurd output size");
    return FALSE;
  }
  /* one compare per window tap and output: a 4096x4096 window is a cost, not a size */
  plan->cost = (double) g.NC * g.OH * g.OW * g.KH * g.KW;
  n->params.pool = g;
  out[0]->dtype = ARTEM_DTYPE_FLOAT;
  out[0]->shape = (ArtemShape) { 4, { x->shape.dims[0], x->shape.dims[1], g.OH, g.OW } };
  return TRUE;
}

static void
pool_run (ArtemNode *n, ArtemValue **in, ArtemValue **out, float *scratch)
{
  const ArtemPoolParams *g = &n->params.pool;
  const float *x = in[0]->data;
  float *y = out[0]->data;
#pragma omp parallel for schedule(static)
  for (int c = 0; c < g->NC; c++) {
    const float *xc = x + (gsize) c * g->H * g->W;
    float *yc = y + (gsize) c * g->OH * g->OW;
    for (int oy = 0; oy < g->OH; oy++)
      for (int ox = 0; ox < g->OW; ox++) {
        float m = -INFINITY;
        for (int ky = 0; ky < g->KH; ky++) {
          int iy = oy * g->SH - g->PT + ky * g->DH;
          if (iy < 0 || iy >= g->H)
            continue;
          for (int kx = 0; kx < g->KW; kx++) {
            int ix = ox * g->SW - g->PL + kx * g->DW;
            if (ix >= 0 && ix < g->W && xc[iy * g->W + ix] > m)
              m = xc[iy * g->W + ix];
          }
        }
        yc[oy * g->OW + ox] = m;
      }
  }
}

const ArtemOpDef artem_op_max_pool = { ARTEM_OP_MAX_POOL, 0, "MaxPool", pool_check, pool_prepare,
                                       pool_run, FALSE };
