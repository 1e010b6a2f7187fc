/* ops.c — the CUDA backend's operator table: every operator but the convolutions
 * (conv.c), chosen by the node's op kind (op-kinds.h).  Each reads the parameters the
 * node was sized with (node->params, op-params.h: gather maps, pooling geometry, unary
 * constants), the same ones the CPU kernels read, and nothing of the CPU backend.
 * Kernels live in the .cu files named in each section. */
#include "cuda-private.h"
#include "../binary.h"
#include <math.h>

/* ---- InstanceNormalization, AdaIN (norm.cu) ---- */

typedef struct {
  double *stats;
  float *ab;
  const float *p[3];   /* IN: gamma, beta; AdaIN: style mean, style std, alpha */
  float eps;
} CuNorm;

static gboolean
norm_state (ArtemCuda *cu, ArtemCuStep *st, int n_params, float def_eps, GError **error)
{
  CuNorm *c = g_new0 (CuNorm, 1);
  st->priv = c;
  gsize nc = (gsize) st->xd[0].n * st->xd[0].c;
  if (!(c->stats = artem_cu_alloc (cu, 2 * nc * sizeof (double), error)) ||
      !(c->ab = artem_cu_alloc (cu, 2 * nc * sizeof (float), error)))
    return FALSE;
  for (int i = 0; i < n_params; i++)
    if (!(c->p[i] = artem_cu_const (cu, st->in[1 + i], ARTEM_CU_F32, error)))
      return FALSE;
  c->eps = artem_attr_float (st->node, "epsilon", def_eps);
  return TRUE;
}

static gboolean
in_prepare (ArtemCuda *cu, ArtemCuStep *st, GError **error)
{
  return norm_state (cu, st, 2, 1e-5f, error);
}

static gboolean
stats_run (ArtemCuda *cu, ArtemCuStep *st, CuNorm *c)
{
  gsize nc = (gsize) st->xd[0].n * st->xd[0].c;
  return !artem_cu_failed (cu, "memset", cudaMemsetAsync (c->stats, 0, 2 * nc * sizeof (double),
                                                         cu->stream)) &&
         !artem_cu_failed (cu, "statistics", artem_cu_channel_stats (st->x[0], st->xd[0], cu->half,
                                                                     c->stats, cu->stream));
}

static gboolean
in_run (ArtemCuda *cu, ArtemCuStep *st)
{
  CuNorm *c = st->priv;
  return stats_run (cu, st, c) &&
         !artem_cu_failed (cu, "instance norm",
                           artem_cu_instance_norm_affine (st->x[0], st->xd[0], cu->half, c->stats,
                                                          c->p[0], c->p[1], c->eps, c->ab,
                                                          cu->stream)) &&
         !artem_cu_failed (cu, "instance norm",
                           artem_cu_channel_affine (st->x[0], st->xd[0], cu->half, c->ab, 1, NULL,
                                                    st->node->fused_relu, st->residual,
                                                    st->relu_after_add, st->y, cu->stream));
}

static gboolean
adain_prepare (ArtemCuda *cu, ArtemCuStep *st, GError **error)
{
  return norm_state (cu, st, 3, 1e-5f, error);
}

static gboolean
adain_run (ArtemCuda *cu, ArtemCuStep *st)
{
  CuNorm *c = st->priv;
  return stats_run (cu, st, c) &&
         !artem_cu_failed (cu, "AdaIN",
                           artem_cu_adain_affine (st->x[0], st->xd[0], cu->half, c->stats, c->p[0],
                                                  c->p[1], c->p[2], c->eps, c->ab, cu->stream)) &&
         !artem_cu_failed (cu, "AdaIN",
                           artem_cu_channel_affine (st->x[0], st->xd[0], cu->half, c->ab, 1, NULL,
                                                    0, NULL, 0, st->y, cu->stream));
}

/* ---- BatchNormalization (norm.cu): folded to one per-channel affine at plan time ---- */

static gboolean
bn_prepare (ArtemCuda *cu, ArtemCuStep *st, GError **error)
{
  int C = st->xd[0].c;
  const float *scale = st->in[1]->data, *bias = st->in[2]->data, *mean = st->in[3]->data,
              *var = st->in[4]->data;
  if (!st->in[1]->is_const || !st->in[2]->is_const || !st->in[3]->is_const ||
      !st->in[4]->is_const) {
    artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, st->node,
                      "the CUDA backend needs constant BatchNormalization parameters");
    return FALSE;
  }
  float eps = artem_attr_float (st->node, "epsilon", 1e-5f);
  float *ab = g_new (float, 2 * C);
  for (int c = 0; c < C; c++) {
    ab[2 * c] = scale[c] / sqrtf (var[c] + eps);
    ab[2 * c + 1] = bias[c] - mean[c] * ab[2 * c];
  }
  st->priv = artem_cu_upload (cu, ab, 2 * C * sizeof (float), error);
  g_free (ab);
  if (!st->priv)
    return FALSE;
  /* device memory: not ours to g_free */
  return TRUE;
}

static gboolean
bn_run (ArtemCuda *cu, ArtemCuStep *st)
{
  return !artem_cu_failed (cu, "batch norm",
                           artem_cu_channel_affine (st->x[0], st->xd[0], cu->half, st->priv, 0,
                                                    NULL, st->node->fused_relu, NULL, 0, st->y,
                                                    cu->stream));
}

static void
device_priv_clear (ArtemCuStep *st)
{
  st->priv = NULL;   /* freed with the plan's allocations */
}

/* ---- Pad, Resize, Upsample, Slice (gather.cu) ---- */

static gboolean
gather_prepare (ArtemCuda *cu, ArtemCuStep *st, GError **error)
{
  const ArtemGatherMaps *g = st->node->params.gather;
  if (st->in[0]->shape.ndim != 4 || st->out[0]->shape.ndim != 4) {
    artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, st->node, "CUDA gathers are 4-D");
    return FALSE;
  }
  const ArtemShape *os = &st->out[0]->shape;
  int total = 0;
  for (int d = 0; d < 4; d++)
    total += (int) os->dims[d];
  int *m = g_new (int, MAX (total, 1)), p = 0;
  for (int d = 0; d < 4; d++)
    for (int64_t i = 0; i < os->dims[d]; i++)
      m[p++] = (int) g->maps[d][i];
  st->priv = artem_cu_upload (cu, m, (gsize) MAX (total, 1) * sizeof (int), error);
  g_free (m);
  return st->priv != NULL;
}

static gboolean
gather_run (ArtemCuda *cu, ArtemCuStep *st)
{
  const ArtemGatherMaps *g = st->node->params.gather;
  return !artem_cu_failed (cu, st->node->def->op_type,
                           artem_cu_gather4 (st->x[0], st->xd[0], st->y, st->yd, cu->half,
                                             st->priv, g->fill.f, cu->stream));
}

/* linear Resize / Upsample: the CPU operator's taps, as int and float arrays */
static gboolean
linear_prepare (ArtemCuda *cu, ArtemCuStep *st, GError **error)
{
  const ArtemLinearTaps *t = st->node->params.linear;
  if (st->in[0]->shape.ndim != 4 || t->outer != st->yd.n * st->yd.c) {
    artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, st->node, "CUDA linear resizes are 4-D");
    return FALSE;
  }
  int oh = (int) t->oh, ow = (int) t->ow;
  gsize words = 3 * ((gsize) oh + ow);
  guint32 *m = g_new (guint32, words);
  int *iv = (int *) m;
  float *fv = (float *) (m + 2 * (oh + ow));
  for (int i = 0; i < oh; i++) {
    iv[i] = (int) t->y0[i];
    iv[oh + i] = (int) t->y1[i];
    fv[i] = t->wy[i];
  }
  for (int i = 0; i < ow; i++) {
    iv[2 * oh + i] = (int) t->x0[i];
    iv[2 * oh + ow + i] = (int) t->x1[i];
    fv[oh + i] = t->wx[i];
  }
  st->priv = artem_cu_upload (cu, m, words * sizeof (guint32), error);
  g_free (m);
  return st->priv != NULL;
}

static gboolean
linear_run (ArtemCuda *cu, ArtemCuStep *st)
{
  return !artem_cu_failed (cu, st->node->def->op_type,
                           artem_cu_resize_linear (st->x[0], st->xd[0], st->y, st->yd, cu->half,
                                                   st->priv, cu->stream));
}

/* ---- MaxPool (pool.cu) ---- */

static gboolean
pool_run (ArtemCuda *cu, ArtemCuStep *st)
{
  const ArtemPoolParams *g = &st->node->params.pool;
  return !artem_cu_failed (cu, "max pool",
                           artem_cu_max_pool (st->x[0], st->xd[0], st->y, st->yd, cu->half, g->KH,
                                              g->KW, g->SH, g->SW, g->DH, g->DW, g->PT, g->PL,
                                              cu->stream));
}

/* ---- unary and binary arithmetic (elementwise.cu) ---- */

static gboolean
unary_run (ArtemCuda *cu, ArtemCuStep *st)
{
  const ArtemUnaryParams *p = &st->node->params.unary;
  uint32_t n = (uint32_t) st->yd.n * st->yd.c * st->yd.h * st->yd.w;
  return !artem_cu_failed (cu, st->node->def->op_type,
                           artem_cu_unary (st->x[0], st->y, n, cu->half, (int) p->kind, p->a, p->b,
                                           cu->stream));
}

typedef struct {
  const void *a, *b;
  ArtemCuBroadcast st;
  int kind;
} CuBinary;

/* element strides of an operand of logical dims @d (right-aligned to 4-D) in y's terms */
static void
operand_strides (ArtemCuda *cu, ArtemCuDims d, uint32_t *s)
{
  uint32_t dims[4] = { d.n, d.c, d.h, d.w };
  if (cu->nhwc) {
    s[1] = 1; s[3] = d.c; s[2] = d.c * d.w; s[0] = d.c * d.w * d.h;
  } else {
    s[3] = 1; s[2] = d.w; s[1] = d.w * d.h; s[0] = d.w * d.h * d.c;
  }
  for (int i = 0; i < 4; i++)
    if (dims[i] == 1)
      s[i] = 0;
}

static gboolean
binary_prepare (ArtemCuda *cu, ArtemCuStep *st, GError **error)
{
  CuBinary *b = g_new0 (CuBinary, 1);
  st->priv = b;
  b->kind = st->node->params.binary;
  const void **ops[2] = { &b->a, &b->b };
  uint32_t *strides[2] = { b->st.a, b->st.b };
  for (int k = 0; k < 2; k++) {
    ArtemValue *v = st->in[k];
    if (v->shape.ndim > 4 || v->dtype != ARTEM_DTYPE_FLOAT) {
      artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, st->node, "CUDA arithmetic is 4-D float");
      return FALSE;
    }
    *ops[k] = v->is_const ? artem_cu_const (cu, v, ARTEM_CU_ACT, error) : st->x[k];
    if (!*ops[k])
      return FALSE;
    operand_strides (cu, artem_cu_dims (cu, &v->shape), strides[k]);
  }
  return TRUE;
}

static gboolean
binary_run (ArtemCuda *cu, ArtemCuStep *st)
{
  CuBinary *b = st->priv;
  return !artem_cu_failed (cu, st->node->def->op_type,
                           artem_cu_binary (b->a, b->b, st->y, st->yd, cu->half, b->st, b->kind,
                                            st->node->fused_relu, cu->stream));
}

/* ---- XNOR binary convolution (xnor.cu) ---- */

typedef struct {
  ArtemCuXnorGeom g;
  uint64_t *bits, *wbits;
  float *amean;
  const float *alpha, *bias;
  gboolean mma;          /* the 1-bit tensor-core kernel (sm_80+) */
  int words2;            /* words per pixel for it (even) */
  int *wpop;
} CuXnor;

/* ARTEM_XNOR_KERNEL=popc forces the plain popcount kernel (tests run both) */
static gboolean
use_mma (ArtemCuda *cu)
{
  const char *k = g_getenv ("ARTEM_XNOR_KERNEL");
  return cu->sm >= 80 && !(k && !strcmp (k, "popc"));
}

static gboolean
xnor_prepare (ArtemCuda *cu, ArtemCuStep *st, GError **error)
{
  const ArtemConvParams *cg = &st->node->params.conv;
  const ArtemBinaryWeights *b = st->node->bin;
  CuXnor *x = g_new0 (CuXnor, 1);
  st->priv = x;
  ArtemCuXnorGeom g = { cg->H, cg->W, cg->C, b->CW, b->M, b->MP, cg->KH, cg->KW, cg->SH, cg->SW,
                        cg->DH, cg->DW, cg->PT, cg->PL, b->act_scale, st->node->fused_relu };
  gsize pixels = (gsize) cg->N * cg->H * cg->W, taps = (gsize) cg->KH * cg->KW;
  x->mma = use_mma (cu);
  x->words2 = (b->CW + 1) / 2 * 2;
  int words = x->mma ? x->words2 : b->CW;
  if (x->mma) {
    /* weights [tap][M rounded up to 32][words2] and per-tap popcounts */
    int mp = (b->M + 31) / 32 * 32;
    uint64_t *wb = g_new0 (uint64_t, taps * mp * x->words2);
    int *wp = g_new0 (int, taps * mp);
    for (gsize t = 0; t < taps; t++)
      for (int m = 0; m < b->M; m++)
        for (int w = 0; w < b->CW; w++) {
          uint64_t v = b->wbits[(t * b->CW + w) * b->MP + m];
          wb[(t * mp + m) * x->words2 + w] = v;
          wp[t * mp + m] += __builtin_popcountll (v);
        }
    g.mp = mp;
    x->wbits = artem_cu_upload (cu, wb, taps * mp * x->words2 * sizeof (uint64_t), error);
    x->wpop = x->wbits ? artem_cu_upload (cu, wp, taps * mp * sizeof (int), error) : NULL;
    g_free (wb);
    g_free (wp);
    if (!x->wpop)
      return FALSE;
  } else if (!(x->wbits = artem_cu_upload (cu, b->wbits, taps * b->CW * b->MP * sizeof (uint64_t),
                                           error))) {
    return FALSE;
  }
  x->g = g;
  if (!(x->bits = artem_cu_alloc (cu, pixels * words * sizeof (uint64_t), error)) ||
      !(x->amean = artem_cu_alloc (cu, pixels * sizeof (float), error)) ||
      !(x->alpha = artem_cu_upload (cu, b->alpha, b->M * sizeof (float), error)))
    return FALSE;
  if (st->node->n_in > 2 && st->in[2] &&
      !(x->bias = artem_cu_const (cu, st->in[2], ARTEM_CU_F32, error)))
    return FALSE;
  return TRUE;
}

static gboolean
xnor_run (ArtemCuda *cu, ArtemCuStep *st)
{
  CuXnor *x = st->priv;
  if (artem_cu_failed (cu, "binary pack",
                       artem_cu_xnor_pack (st->x[0], st->xd[0], cu->half, x->bits, x->amean,
                                           x->mma ? x->words2 : x->g.words, cu->stream)))
    return FALSE;
  if (x->mma)
    return !artem_cu_failed (cu, "binary convolution (tensor cores)",
                             artem_cu_xnor_conv_mma (x->bits, x->amean, x->g, x->words2, x->wbits,
                                                     x->wpop, x->alpha, x->bias, st->y, st->yd,
                                                     cu->half, cu->stream));
  return !artem_cu_failed (cu, "binary convolution",
                           artem_cu_xnor_conv (x->bits, x->amean, x->g, x->wbits, x->alpha,
                                               x->bias, st->y, st->yd, cu->half, cu->stream));
}

/* ---- Identity ---- */

static gboolean
identity_run (ArtemCuda *cu, ArtemCuStep *st)
{
  gsize n = (gsize) st->yd.n * st->yd.c * st->yd.h * st->yd.w * (cu->half ? 2 : 4);
  if (st->x[0] == st->y)
    return TRUE;
  return !artem_cu_failed (cu, "copy", cudaMemcpyAsync (st->y, st->x[0], n,
                                                        cudaMemcpyDeviceToDevice, cu->stream));
}

/* ---- the table ---- */

static const ArtemCuOp op_in = { in_prepare, in_run, NULL };
static const ArtemCuOp op_adain = { adain_prepare, adain_run, NULL };
static const ArtemCuOp op_bn = { bn_prepare, bn_run, device_priv_clear };
static const ArtemCuOp op_gather = { gather_prepare, gather_run, device_priv_clear };
static const ArtemCuOp op_linear = { linear_prepare, linear_run, device_priv_clear };
static const ArtemCuOp op_pool = { NULL, pool_run, NULL };
static const ArtemCuOp op_unary = { NULL, unary_run, NULL };
static const ArtemCuOp op_binary = { binary_prepare, binary_run, NULL };
static const ArtemCuOp op_identity = { NULL, identity_run, NULL };
static const ArtemCuOp op_xnor = { xnor_prepare, xnor_run, NULL };

const ArtemCuOp *
artem_cu_op_lookup (const ArtemNode *node)
{
  switch (node->def->kind) {
    /* binary-weight convolutions (Conv with node->bin) run as float filters (conv.c); XNOR
     * ones with popcounts (xnor.cu) */
    case ARTEM_OP_CONV: return &artem_cu_op_conv;
    case ARTEM_OP_CONV_XNOR: return &op_xnor;
    case ARTEM_OP_CONV_TRANSPOSE: return &artem_cu_op_conv_transpose;
    case ARTEM_OP_INSTANCE_NORM: return &op_in;
    case ARTEM_OP_ADAIN: return &op_adain;
    case ARTEM_OP_BATCH_NORM: return &op_bn;
    case ARTEM_OP_MAX_POOL: return &op_pool;
    case ARTEM_OP_IDENTITY: return &op_identity;
    case ARTEM_OP_UNARY: return &op_unary;
    case ARTEM_OP_BINARY: return &op_binary;
    case ARTEM_OP_PAD:
    case ARTEM_OP_SLICE:
    case ARTEM_OP_RESIZE:
    case ARTEM_OP_UPSAMPLE:
      /* Resize / Upsample in linear mode do not gather: their own kernel */
      return node->params.gather ? &op_gather : node->params.linear ? &op_linear : NULL;
    default: return NULL;
  }
}
