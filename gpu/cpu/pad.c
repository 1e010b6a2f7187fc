/* pad.c — Pad (constant, reflect, edge; pads as attribute or constant input) as a
 * gather through per-dimension index maps. */
#include "gather-plan.h"
#include "../net-private.h"
#include <omp.h>

typedef enum { PAD_CONSTANT, PAD_REFLECT, PAD_EDGE } PadMode;

static PadMode
pad_mode (ArtemNode *n)
{
  const char *m = artem_attr_string (n, "mode", "constant");
  return !strcmp (m, "reflect") ? PAD_REFLECT : !strcmp (m, "edge") ? PAD_EDGE : PAD_CONSTANT;
}

static gboolean
pad_check (ArtemNode *n, GError **error)
{
  static const char *const known[] = { "mode", "pads", "value", "paddings", NULL };
  if (!artem_attr_check_known (n, known, error))
    return FALSE;
  const char *m = artem_attr_string (n, "mode", "constant");
  if (strcmp (m, "constant") && strcmp (m, "reflect") && strcmp (m, "edge")) {
    artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, n, "mode '%s' is not supported", m);
    return FALSE;
  }
  return TRUE;
}

/* Allocates a GatherPlan with room for the maps of @out. */
GatherPlan *
artem_gather_plan_new (ArtemNode *n, ArtemPlan *plan, const ArtemShape *out, ArtemDType dtype,
                       GError **error)
{
  if (!artem_plan_check_tensor (n, plan, out, dtype, error))
    return NULL;
  int64_t total = 0;
  for (int d = 0; d < out->ndim; d++)
    total += out->dims[d];
  gsize bytes = sizeof (GatherPlan) + (gsize) MAX (total, 1) * sizeof (int64_t);
  if (bytes > plan->memory_limit || plan->priv_bytes + bytes > plan->memory_limit) {
    artem_node_error (error, ARTEM_ERROR_SHAPE, n, "index maps of %" G_GSIZE_FORMAT
                      " MiB pass the memory limit", bytes >> 20);
    return NULL;
  }
  GatherPlan *g = g_try_malloc0 (bytes);
  if (!g) {
    artem_node_error (error, ARTEM_ERROR_SHAPE, n, "cannot allocate %" G_GSIZE_FORMAT
                      " bytes of index maps", bytes);
    return NULL;
  }
  plan->priv_bytes += bytes;
  int64_t off = 0;
  for (int d = 0; d < out->ndim; d++) {
    g->maps[d] = g->storage + off;
    off += out->dims[d];
  }
  return g;
}

static int64_t
pad_map (int64_t i, int64_t n, PadMode mode)
{
  if (i >= 0 && i < n)
    return i;
  if (n == 0 || mode == PAD_CONSTANT)
    return -1;
  if (mode == PAD_EDGE)
    return i < 0 ? 0 : n - 1;
  if (n == 1)
    return 0;
  int64_t period = 2 * (n - 1);
  i %= period;
  if (i < 0)
    i += period;
  return i < n ? i : period - i;
}

static gboolean
pad_prepare (ArtemNode *n, ArtemValue **in, ArtemValue **out, ArtemPlan *plan, GError **error)
{
  if (n->n_in < 1 || !in[0]) {
    artem_node_error (error, ARTEM_ERROR_INVALID_MODEL, n, "missing input");
    return FALSE;
  }
  ArtemValue *x = in[0];
  int r = x->shape.ndim;
  gint64 pads[2 * ARTEM_MAX_DIMS];
  int np;
  float value = 0.f;
  if (n->opset < 11) {
    np = artem_attr_ints (n, n->opset < 2 ? "paddings" : "pads", pads, 2 * ARTEM_MAX_DIMS);
    value = artem_attr_float (n, "value", 0.f);
  } else {
    if (!artem_require_const (n, in, 1, "pads", error))
      return FALSE;
    np = artem_value_read_ints (in[1], pads, 2 * ARTEM_MAX_DIMS);
    if (n->n_in > 2 && in[2]) {
      if (!artem_require_const (n, in, 2, "constant_value", error))
        return FALSE;
      if (artem_value_read_floats (in[2], &value, 1) != 1) {
        artem_node_error (error, ARTEM_ERROR_SHAPE, n, "constant_value must be a scalar");
        return FALSE;
      }
    }
  }
  if (np != 2 * r) {
    artem_node_error (error, ARTEM_ERROR_SHAPE, n, "pads has %d values for rank %d", np, r);
    return FALSE;
  }
  PadMode mode = pad_mode (n);
  ArtemShape os = x->shape;
  for (int d = 0; d < r; d++) {
    if (pads[d] > ARTEM_MAX_NUMEL || pads[d + r] > ARTEM_MAX_NUMEL ||
        pads[d] < -ARTEM_MAX_NUMEL || pads[d + r] < -ARTEM_MAX_NUMEL) {
      artem_node_error (error, ARTEM_ERROR_SHAPE, n, "absurd padding");
      return FALSE;
    }
    os.dims[d] = x->shape.dims[d] + pads[d] + pads[d + r];
    if (os.dims[d] < 0 || (mode != PAD_CONSTANT && x->shape.dims[d] == 0 && os.dims[d] > 0)) {
      artem_node_error (error, ARTEM_ERROR_SHAPE, n, "padding gives an invalid size");
      return FALSE;
    }
    if (os.dims[d] > ARTEM_MAX_NUMEL / 64) {
      artem_node_error (error, ARTEM_ERROR_SHAPE, n, "absurd padding");
      return FALSE;
    }
  }
  GatherPlan *g = artem_gather_plan_new (n, plan, &os, x->dtype, error);
  if (!g)
    return FALSE;
  for (int d = 0; d < r; d++)
    for (int64_t o = 0; o < os.dims[d]; o++)
      g->maps[d][o] = pad_map (o - pads[d], x->shape.dims[d], mode);
  if (x->dtype == ARTEM_DTYPE_FLOAT)
    g->fill.f = value;
  else
    g->fill.i = (int64_t) value;
  n->priv = g;
  n->params.gather = g;
  out[0]->dtype = x->dtype;
  out[0]->shape = os;
  return TRUE;
}

/* The gather on an NHWC frame whose channels map one to one (Pad and nearest Resize of
 * a style network): whole pixels (C floats) copied, consecutive ones in one memcpy.
 * FALSE when the channel map is not the identity. */
static gboolean
gather_nhwc_pixels (const float *src, const ArtemShape *is, float *dst, const ArtemShape *os,
                    int64_t *const *maps, float fill)
{
  int64_t N = os->dims[0], C = os->dims[1], OH = os->dims[2], OW = os->dims[3];
  int64_t IH = is->dims[2], IW = is->dims[3];
  if (is->dims[1] != C)
    return FALSE;
  for (int64_t c = 0; c < C; c++)
    if (maps[1][c] != c)
      return FALSE;
  /* the column map as runs of consecutive source columns (or of fill) */
  enum { MAX_RUNS = 64 };
  int64_t run_x[MAX_RUNS + 1], run_src[MAX_RUNS];
  const int64_t *wm = maps[3];
  int n_runs = artem_map_runs (wm, OW, run_x, run_src, MAX_RUNS);
#pragma omp parallel for schedule(static) collapse(2)
  for (int64_t b = 0; b < N; b++)
    for (int64_t oy = 0; oy < OH; oy++) {
      float *d = dst + (b * OH + oy) * OW * C;
      int64_t sb = maps[0][b], sy = maps[2][oy];
      if (sb < 0 || sy < 0) {
        for (int64_t i = 0; i < OW * C; i++)
          d[i] = fill;
        continue;
      }
      const float *s = src + (sb * IH + sy) * IW * C;
      if (n_runs >= 0) {
        for (int k = 0; k < n_runs; k++) {
          int64_t x0 = run_x[k], len = (run_x[k + 1] - x0) * C;
          if (run_src[k] < 0)
            for (int64_t i = 0; i < len; i++)
              d[x0 * C + i] = fill;
          else
            memcpy (d + x0 * C, s + run_src[k] * C, len * sizeof (float));
        }
      } else {
        for (int64_t x = 0; x < OW; x++) {
          if (wm[x] < 0)
            for (int64_t c = 0; c < C; c++)
              d[x * C + c] = fill;
          else
            memcpy (d + x * C, s + wm[x] * C, C * sizeof (float));
        }
      }
    }
  return TRUE;
}

/* The same into a bf16 frame (ArtemValue.bf16: the convolution after the Pad takes it
 * as is): every pixel converted, and a row whose source row is the one before's (an
 * upsampling's repeated rows) copied from it. */
__attribute__ ((target_clones ("avx512f", "avx2", "default")))
static void
gather_rows_bf16 (const float *src, int64_t IH, int64_t IW, guint16 *dst, int64_t OH,
                  int64_t OW, int64_t C, int64_t *const *maps, guint16 fill, int64_t r0,
                  int64_t r1)
{
  const int64_t *wm = maps[3];
  for (int64_t r = r0; r < r1; r++) {   /* r: image b's row oy */
    int64_t b = r / OH, oy = r % OH;
    guint16 *d = dst + r * OW * C;
    int64_t sb = maps[0][b], sy = maps[2][oy];
    if (r > r0 && oy > 0 && sb >= 0 && sy >= 0 && maps[2][oy - 1] == sy) {
      memcpy (d, d - OW * C, OW * C * sizeof (guint16));
      continue;
    }
    const float *s = sb < 0 || sy < 0 ? NULL : src + (sb * IH + sy) * IW * C;
    for (int64_t x = 0; x < OW; x++) {
      guint16 *dp = d + x * C;
      if (!s || wm[x] < 0) {
        for (int64_t c = 0; c < C; c++)
          dp[c] = fill;
        continue;
      }
      const float *sp = s + wm[x] * C;
#pragma omp simd
      for (int64_t c = 0; c < C; c++)
        dp[c] = artem_f32_to_bf16 (sp[c]);
    }
  }
}

/* (the channel map is the identity: artem_cpu_pad_can_write_bf16 checked it at plan time) */
static void
gather_nhwc_pixels_bf16 (const float *src, const ArtemShape *is, guint16 *dst,
                         const ArtemShape *os, int64_t *const *maps, float fill)
{
  int64_t N = os->dims[0], C = os->dims[1], OH = os->dims[2], OW = os->dims[3];
  guint16 f = artem_f32_to_bf16 (fill);
#pragma omp parallel
  {   /* contiguous rows a thread, so that a repeated row's source is its own */
    int nt = omp_get_num_threads (), id = omp_get_thread_num ();
    gather_rows_bf16 (src, is->dims[2], is->dims[3], dst, OH, OW, C, maps, f,
                      N * OH * id / nt, N * OH * (id + 1) / nt);
  }
}

gboolean
artem_cpu_pad_can_write_bf16 (ArtemNet *net, ArtemNode *p)
{
  const GatherPlan *g = p->params.gather;
  if (p->removed || p->def->kind != ARTEM_OP_PAD || !g || p->n_in < 1 || p->in[0] < 0 ||
      p->out[0] < 0)
    return FALSE;
  ArtemValue *x = VAL (net, p->in[0]), *y = VAL (net, p->out[0]);
  if (!x->nhwc || !y->nhwc || x->shape.ndim != 4 || y->shape.ndim != 4 ||
      x->dtype != ARTEM_DTYPE_FLOAT || y->dtype != ARTEM_DTYPE_FLOAT ||
      x->shape.dims[1] != y->shape.dims[1])
    return FALSE;
  for (int64_t c = 0; c < y->shape.dims[1]; c++)
    if (g->maps[1][c] != c)
      return FALSE;
  return TRUE;
}

/* ---- an InstanceNormalization written straight into its Pad's output ----
 * A style network pads every convolution's input and most of them are a norm's output:
 * the norm then writes inside the padded frame (write_into) and the Pad fills only its
 * border from there, in place, so the unpadded frame is never written nor read again. */

/* the top (left) padding when map m of out_n entries is a plain pad of an n-long
 * dimension: m[o] = o - p inside, border entries inside the picture or -1 (fill); else -1 */
static int64_t
plain_pad (const int64_t *m, int64_t out_n, int64_t n)
{
  int64_t p = -1;
  for (int64_t o = 0; o < out_n && p < 0; o++)
    if (m[o] == 0 && (n == 1 || (o + 1 < out_n && m[o + 1] == 1)))
      p = o;
  if (p < 0 || p + n > out_n)
    return -1;
  for (int64_t o = 0; o < out_n; o++) {
    gboolean inside = o >= p && o < p + n;
    if ((inside && m[o] != o - p) || (!inside && (m[o] < -1 || m[o] >= n)))
      return -1;
  }
  return p;
}

/* a residual Add right after the norm: y = norm + r, r of the same shape and layout, its
 * data in no slot the Add's output takes; returns r's value */
static ArtemValue *
residual_add (ArtemNet *net, ArtemNode *nm, ArtemNode *ad)
{
  if (!artem_node_is_binary (ad, ARTEM_BINARY_ADD) || ad->fused_relu || ad->n_in != 2 ||
      ad->out[0] < 0 || ad->in[0] < 0 || ad->in[1] < 0 || ad->in[0] == ad->in[1])
    return NULL;
  int k = ad->in[0] == nm->out[0] ? 1 : ad->in[1] == nm->out[0] ? 0 : -1;
  if (k < 0)
    return NULL;
  ArtemValue *v = VAL (net, nm->out[0]), *r = VAL (net, ad->in[k]), *y = VAL (net, ad->out[0]);
  if (r->is_const || r->dtype != ARTEM_DTYPE_FLOAT || y->dtype != ARTEM_DTYPE_FLOAT ||
      !artem_shape_equal (&r->shape, &v->shape) || !artem_shape_equal (&y->shape, &v->shape) ||
      r->nhwc != v->nhwc || y->nhwc != v->nhwc || v->shape.ndim != 4)
    return NULL;
  return r;
}

void
artem_cpu_plan_pad_into (ArtemNet *net, const int *exec, int n_exec)
{
  if (g_getenv ("ARTEM_NO_PAD_INTO"))
    return;
  for (int s = 0; s + 1 < n_exec; s++) {
    ArtemNode *nm = NODE (net, exec[s]), *pd = NODE (net, exec[s + 1]);
    if (nm->def->kind != ARTEM_OP_INSTANCE_NORM || nm->n_out != 1 || nm->out[0] < 0 ||
        nm->in[0] < 0 || VAL (net, nm->out[0])->last_use != s + 1)
      continue;
    ArtemValue *r = residual_add (net, nm, pd);
    if (r) {
      nm->write_into.out = VAL (net, pd->out[0]);
      nm->write_into.residual = r;
      pd->skip = TRUE;
      VAL (net, nm->in[0])->last_use = MAX (VAL (net, nm->in[0])->last_use, s + 1);
      continue;
    }
    if (pd->def->kind != ARTEM_OP_PAD || pd->n_in < 1 || pd->in[0] != nm->out[0] ||
        pd->out[0] < 0)
      continue;
    ArtemValue *x = VAL (net, nm->in[0]), *v = VAL (net, nm->out[0]), *y = VAL (net, pd->out[0]);
    const GatherPlan *g = pd->params.gather;
    /* (the Pad alone reads the norm's output, right after it: checked above) */
    if (!g || v->shape.ndim != 4 || y->shape.ndim != 4 ||
        v->dtype != ARTEM_DTYPE_FLOAT || y->dtype != ARTEM_DTYPE_FLOAT || v->nhwc != y->nhwc)
      continue;
    gboolean ok = TRUE;
    for (int d = 0; d < 2 && ok; d++)
      for (int64_t o = 0; o < y->shape.dims[d] && ok; o++)
        ok = y->shape.dims[d] == v->shape.dims[d] && g->maps[d][o] == o;
    int64_t pt = plain_pad (g->maps[2], y->shape.dims[2], v->shape.dims[2]);
    int64_t pl = plain_pad (g->maps[3], y->shape.dims[3], v->shape.dims[3]);
    if (!ok || pt < 0 || pl < 0)
      continue;
    nm->write_into.out = y;
    nm->write_into.pt = pt;
    nm->write_into.pl = pl;
    pd->border_only = TRUE;
    pd->write_into.pt = pt;   /* where the picture sits in the Pad's output */
    pd->write_into.pl = pl;
    x->last_use = MAX (x->last_use, s + 1);   /* the norm reads x while writing y */
  }
}

/* the Pad's border, in place: each row inside takes its side columns from itself, then
 * each row of the top and bottom borders is a copy of a finished row (or fill); elements
 * of 4 bytes (fp32) or 2 (a bf16 frame) */
static void
pad_border (const GatherPlan *g, ArtemValue *out, int64_t pt, int64_t pl)
{
  const ArtemShape *os = &out->shape;
  int64_t N = os->dims[0], C = os->dims[1], OH = os->dims[2], OW = os->dims[3];
  /* NHWC: a pixel is C elements, a row OW pixels; NCHW: a pixel 1 element, planes N x C */
  int64_t px = out->nhwc ? C : 1, planes = out->nhwc ? N : N * C;
  const int64_t *hm = g->maps[2], *wm = g->maps[3];
  gsize es = out->bf16 ? 2 : 4, pb = px * es;   /* bytes an element, a pixel */
  guint16 fill16 = artem_f32_to_bf16 (g->fill.f);
  char fill[4];
  memcpy (fill, out->bf16 ? (const void *) &fill16 : (const void *) &g->fill.f, es);
  char *base = out->data;
#pragma omp parallel for schedule(static)
  for (int64_t q = 0; q < planes; q++) {
    char *plane = base + q * OH * OW * pb;
    for (int64_t oy = 0; oy < OH; oy++) {
      char *row = plane + oy * OW * pb;
      if (hm[oy] < 0 || hm[oy] + pt != oy)
        continue;
      for (int64_t ox = 0; ox < OW; ox++) {
        if (wm[ox] >= 0 && wm[ox] + pl == ox)
          continue;
        if (wm[ox] < 0)
          for (int64_t c = 0; c < px; c++)
            memcpy (row + ox * pb + c * es, fill, es);
        else
          memcpy (row + ox * pb, row + (wm[ox] + pl) * pb, pb);
      }
    }
    for (int64_t oy = 0; oy < OH; oy++) {
      char *row = plane + oy * OW * pb;
      if (hm[oy] >= 0 && hm[oy] + pt == oy)
        continue;
      if (hm[oy] < 0)
        for (int64_t i = 0; i < OW * px; i++)
          memcpy (row + i * es, fill, es);
      else
        memcpy (row, plane + (hm[oy] + pt) * OW * pb, OW * pb);
    }
  }
}

void
artem_gather_run (ArtemNode *n, ArtemValue **in, ArtemValue **out, float *scratch)
{
  GatherPlan *g = n->priv;
  if (artem_value_numel (out[0]) == 0)
    return;
  if (n->border_only) {
    pad_border (g, out[0], n->write_into.pt, n->write_into.pl);
    return;
  }
  if (out[0]->bf16) {   /* (artem_cpu_pad_can_write_bf16 said it would do) */
    gather_nhwc_pixels_bf16 (in[0]->data, &in[0]->shape, out[0]->data, &out[0]->shape,
                             g->maps, g->fill.f);
    return;
  }
  if (in[0]->nhwc && in[0]->shape.ndim == 4) {
    /* an NHWC frame (layout.c): the same gather over the dimensions as stored */
    const ArtemShape *is = &in[0]->shape, *os = &out[0]->shape;
    if (out[0]->dtype == ARTEM_DTYPE_FLOAT &&
        gather_nhwc_pixels (in[0]->data, is, out[0]->data, os, g->maps, g->fill.f))
      return;
    ArtemShape pi = { 4, { is->dims[0], is->dims[2], is->dims[3], is->dims[1] } };
    ArtemShape po = { 4, { os->dims[0], os->dims[2], os->dims[3], os->dims[1] } };
    int64_t *pm[ARTEM_MAX_DIMS] = { g->maps[0], g->maps[2], g->maps[3], g->maps[1] };
    artem_cpu_gather_maps (in[0]->data, &pi, out[0]->data, &po,
                           artem_dtype_size (out[0]->dtype), pm, &g->fill);
    return;
  }
  artem_cpu_gather_maps (in[0]->data, &in[0]->shape, out[0]->data, &out[0]->shape,
                         artem_dtype_size (out[0]->dtype), g->maps, &g->fill);
}

const ArtemOpDef artem_op_pad = { ARTEM_OP_PAD, 0, "Pad", pad_check, pad_prepare, artem_gather_run,
                                  FALSE };
