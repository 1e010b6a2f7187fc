/* conv.c — Conv and ConvTranspose on the GPU through cuDNN: fp16 storage with fp32
 * accumulation on tensor cores (NHWC) or fp32 (NCHW, FMA math: no TF32), the algorithm
 * found once per node, input size and layout and cached for the net's life (the fastest
 * within the workspace cap).  The bias and
 * a fused ReLU are one channel-affine pass after the convolution; the bias is dropped when
 * an InstanceNorm reads the output (it cancels in the mean).
 *
 * What cuDNN cannot do directly is arranged around it:
 * - asymmetric pads: an explicit zero-pad gather first (Conv), or the full output then a
 *   crop (ConvTranspose);
 * - a node for which cuDNN has no NHWC algorithm (channel counts tensor-core kernels
 *   reject): that node runs in NCHW, its input and output re-laid by identity gathers. */
#include "cuda-private.h"
#include <math.h>
#include <string.h>
#include "../binary.h"

/* cuDNN workspace the convolutions may share: a quarter of the device memory planned so
 * far (activations, weights), at least 128 MiB and at most 1 GiB, and at most half of what
 * the memory limit leaves; ARTEM_CUDA_WORKSPACE_MIB sets it outright.  A fixed 128 MiB cost
 * TransformerNet at 4128x2208 4x (H200: 257 ms a frame, 67 ms with 1 GiB, for 139 MiB
 * more memory): its last two convolutions had to take slow algorithms. */
static gsize
workspace_cap (ArtemCuda *cu)
{
  const char *e = g_getenv ("ARTEM_CUDA_WORKSPACE_MIB");
  if (e)
    return (gsize) g_ascii_strtoull (e, NULL, 10) << 20;
  gsize cap = CLAMP (cu->device_bytes / 4, (gsize) 128 << 20, (gsize) 1 << 30);
  gsize limit = cu->net->memory_limit;
  if (limit > cu->device_bytes)
    cap = MIN (cap, MAX ((limit - cu->device_bytes) / 2, (gsize) 128 << 20));
  return cap;
}

typedef struct {
  cudnnTensorDescriptor_t xdesc, ydesc;
  cudnnFilterDescriptor_t wdesc;
  cudnnConvolutionDescriptor_t cdesc;
  int algo;
  gsize ws;
  const void *w;
  const float *bias;
  /* asymmetric pads: Conv pads x into pad_buf; ConvTranspose writes its full output
   * there and crops it */
  void *pad_buf;
  int *maps;
  ArtemCuDims pad_d;
  /* the NCHW fallback of an NHWC plan: cuDNN's input and output in NCHW copies */
  void *rx, *ry;
  int *rmaps_x, *rmaps_y;
  ArtemCuDims rxd, ryd;
  /* bands: the convolution run as @bands horizontal bands of its output, each a
   * contiguous slice of an NHWC tensor (batch 1, no cuDNN padding), where the fastest
   * algorithm's workspace for the whole frame is over the cap but a band's fits and the
   * bands together time faster (see try_bands) */
  int bands;
  cudnnTensorDescriptor_t xbdesc, ybdesc;
  gsize xstep, ystep;   /* bytes between bands' first rows */
} CuConv;

typedef struct {
  int algo;
  int math;
  gsize ws;
  int bands;
} AlgoChoice;

static gboolean
dnn_failed (GError **error, ArtemNode *n, const char *what, cudnnStatus_t s)
{
  if (s == CUDNN_STATUS_SUCCESS)
    return FALSE;
  artem_node_error (error, ARTEM_ERROR_BACKEND, n, "cuDNN %s: %s", what, cudnnGetErrorString (s));
  return TRUE;
}

static gboolean
set_tensor (ArtemCuda *cu, cudnnTensorDescriptor_t *d, ArtemCuDims dims, int nhwc,
            ArtemNode *n, GError **error)
{
  return !dnn_failed (error, n, "tensor descriptor", cudnnCreateTensorDescriptor (d)) &&
         !dnn_failed (error, n, "tensor descriptor",
                      cudnnSetTensor4dDescriptor (*d, nhwc ? CUDNN_TENSOR_NHWC : CUDNN_TENSOR_NCHW,
                                                  cu->half ? CUDNN_DATA_HALF : CUDNN_DATA_FLOAT,
                                                  dims.n, dims.c, dims.h, dims.w));
}

static void
drop_bands (CuConv *c)
{
  if (c->xbdesc) cudnnDestroyTensorDescriptor (c->xbdesc);
  if (c->ybdesc) cudnnDestroyTensorDescriptor (c->ybdesc);
  c->xbdesc = c->ybdesc = NULL;
  c->bands = 0;
}

static void
clear_descs (CuConv *c)
{
  if (c->xdesc) cudnnDestroyTensorDescriptor (c->xdesc);
  if (c->ydesc) cudnnDestroyTensorDescriptor (c->ydesc);
  if (c->wdesc) cudnnDestroyFilterDescriptor (c->wdesc);
  if (c->cdesc) cudnnDestroyConvolutionDescriptor (c->cdesc);
  drop_bands (c);
  c->xdesc = c->ydesc = NULL;
  c->wdesc = NULL;
  c->cdesc = NULL;
}

/* descriptors and weights in layout @nhwc; weights W [k0, k1, kh, kw] as cuDNN's filter
 * (a grouped Conv: k1 is the input channels of one group, cuDNN's group count is G) */
static gboolean
common_descs (ArtemCuda *cu, ArtemCuStep *st, CuConv *c, ArtemCuDims xd, ArtemCuDims yd,
              int nhwc, int k0, int k1, int kh, int kw, int ph, int pw, int sh, int sw, int dh,
              int dw, GError **error)
{
  int groups = st->node->params.conv.G;   /* ConvTranspose: group 1 (checked at load) */
  ArtemNode *n = st->node;
  if (!set_tensor (cu, &c->xdesc, xd, nhwc, n, error) ||
      !set_tensor (cu, &c->ydesc, yd, nhwc, n, error))
    return FALSE;
  if (dnn_failed (error, n, "filter descriptor", cudnnCreateFilterDescriptor (&c->wdesc)) ||
      dnn_failed (error, n, "filter descriptor",
                  cudnnSetFilter4dDescriptor (c->wdesc, cu->half ? CUDNN_DATA_HALF : CUDNN_DATA_FLOAT,
                                              nhwc ? CUDNN_TENSOR_NHWC : CUDNN_TENSOR_NCHW,
                                              k0, k1, kh, kw)) ||
      dnn_failed (error, n, "convolution descriptor", cudnnCreateConvolutionDescriptor (&c->cdesc)) ||
      dnn_failed (error, n, "convolution descriptor",
                  cudnnSetConvolution2dDescriptor (c->cdesc, ph, pw, sh, sw, dh, dw,
                                                   CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT)) ||
      (groups > 1 && dnn_failed (error, n, "group count",
                                 cudnnSetConvolutionGroupCount (c->cdesc, groups))) ||
      dnn_failed (error, n, "math type",
                  cudnnSetConvolutionMathType (c->cdesc, cu->half ? CUDNN_TENSOR_OP_MATH
                                                                  : CUDNN_FMA_MATH)))
    return FALSE;
  const ArtemBinaryWeights *b = n->bin;
  ArtemShape ws = { 4, { k0, k1, kh, kw } };
  if (b)   /* binary-weight network: alpha * sign (W) as float filters */
    c->w = artem_cu_upload_act (cu, b->wfloat, &ws, n->name, nhwc, error);
  else if (nhwc == cu->nhwc)
    c->w = artem_cu_const (cu, st->in[1], ARTEM_CU_ACT, error);
  else if (!st->in[1]->is_const)
    return !dnn_failed (error, n, "weights", CUDNN_STATUS_NOT_SUPPORTED);
  else
    c->w = artem_cu_upload_act (cu, st->in[1]->data, &ws, n->name, nhwc, error);
  if (!c->w)
    return FALSE;
  if (!c->bias && n->n_in > 2 && st->in[2] && !st->drop_bias &&
      !(c->bias = artem_cu_const (cu, st->in[2], ARTEM_CU_F32, error)))
    return FALSE;
  return TRUE;
}

static char *
algo_key (ArtemCuda *cu, ArtemCuStep *st, ArtemCuDims xd, int nhwc)
{
  return g_strdup_printf ("%s|%d|%d|%d|%d|%d|%d", st->node->name, xd.n, xd.c, xd.h, xd.w,
                          cu->half, nhwc);
}

/* what pick() reads of either cuDNN perf type */
typedef struct {
  int algo;
  cudnnStatus_t status;
  cudnnMathType_t math;
  size_t mem;
  float time;   /* ms, from cudnnFind; unset (< 0) from the heuristics */
} AlgoPerf;

#define MAX_ALGOS ((int) CUDNN_CONVOLUTION_FWD_ALGO_COUNT > (int) CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT \
                   ? (int) CUDNN_CONVOLUTION_FWD_ALGO_COUNT : (int) CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT)

/* what banding needs of a forward convolution's geometry */
typedef struct {
  ArtemCuDims xd, yd;
  int nhwc, ph, sh, ekh;   /* layout, cuDNN's top pad, stride, effective kernel height */
} BandGeom;

/* band descriptors for @bands bands of the output rows (each band's input rows start
 * bands' output rows x stride further on and span the kernel's reach) */
static gboolean
band_descs (ArtemCuda *cu, ArtemCuStep *st, CuConv *c, const BandGeom *g, int bands,
            GError **error)
{
  ArtemCuDims yb = g->yd, xb = g->xd;
  yb.h = g->yd.h / bands;
  xb.h = (yb.h - 1) * g->sh + g->ekh;
  gsize es = cu->half ? 2 : 4;
  c->xstep = (gsize) yb.h * g->sh * g->xd.w * g->xd.c * es;
  c->ystep = (gsize) yb.h * g->yd.w * g->yd.c * es;
  c->bands = bands;
  return set_tensor (cu, &c->xbdesc, xb, 1, st->node, error) &&
         set_tensor (cu, &c->ybdesc, yb, 1, st->node, error);
}

static gboolean
bands_possible (const BandGeom *g, int bands)
{
  /* the last band's input ends where the whole output's does */
  return g->nhwc && g->xd.n == 1 && g->ph == 0 && bands > 1 && g->yd.h >= bands &&
         g->yd.h % bands == 0 &&
         (g->yd.h - 1) * g->sh + g->ekh <= g->xd.h;
}

/* the fastest candidate (cuDNN lists them fastest first) that succeeded within @cap, in
 * fp32 mode one that does not convert to TF32 or fp16; -1 if none */
static int
choose (ArtemCuda *cu, const AlgoPerf *p, int count, gsize cap)
{
  /* fp32: FMA math first.  DEFAULT_MATH lets cuDNN use TF32 tensor cores on sm_80 and
   * later (10-bit mantissa, as cuDNN documents); it is taken only
   * where no FMA algorithm exists. */
  int i = -1;
  for (int pass = 0; pass < (cu->half ? 1 : 2) && i < 0; pass++)
    for (int j = 0; j < count && i < 0; j++) {
      if (p[j].status != CUDNN_STATUS_SUCCESS || p[j].mem > cap)
        continue;
      if (!cu->half && p[j].math != (pass ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH))
        continue;
      i = j;
    }
  return i;
}

/* takes choose()'s algorithm under the workspace cap, with the workspace cuDNN asks for,
 * and caches it under @key (taken) */
static gboolean
pick (ArtemCuda *cu, ArtemCuStep *st, CuConv *c, gboolean transposed, const AlgoPerf *p,
      int count, char *key, GError **error)
{
  int i = choose (cu, p, count, workspace_cap (cu));
  if (i >= 0) {
    AlgoChoice ch = { p[i].algo, (int) p[i].math, p[i].mem, c->bands };
    /* the workspace the algorithm asks for with this math type, which can exceed what the
     * search reported */
    size_t need = 0;
    cudnnSetConvolutionMathType (c->cdesc, (cudnnMathType_t) ch.math);
    cudnnStatus_t ws_s =
        transposed ? cudnnGetConvolutionBackwardDataWorkspaceSize (
                         cu->dnn, c->wdesc, c->xdesc, c->cdesc, c->ydesc,
                         (cudnnConvolutionBwdDataAlgo_t) ch.algo, &need)
                   : cudnnGetConvolutionForwardWorkspaceSize (
                         cu->dnn, c->bands > 1 ? c->xbdesc : c->xdesc, c->wdesc, c->cdesc,
                         c->bands > 1 ? c->ybdesc : c->ydesc,
                         (cudnnConvolutionFwdAlgo_t) ch.algo, &need);
    if (ws_s == CUDNN_STATUS_SUCCESS && need > ch.ws)
      ch.ws = need;
    if (g_getenv ("ARTEM_CUDA_VERBOSE")) {
      char b[32] = "";
      if (c->bands > 1)
        g_snprintf (b, sizeof b, ", in %d bands", c->bands);
      g_printerr ("artem: cuda: %s: algorithm %d math %d workspace %" G_GSIZE_FORMAT
                  " (searched %" G_GSIZE_FORMAT ", %d candidates)%s\n", key, ch.algo, ch.math,
                  ch.ws, p[i].mem, count, b);
    }
    g_hash_table_insert (cu->algo_cache, key, g_memdup2 (&ch, sizeof ch));
    c->algo = ch.algo;
    c->ws = ch.ws;   /* the math type is set on c->cdesc above */
    return artem_cu_need_workspace (cu, ch.ws, error);
  }
  g_free (key);
  artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, st->node,
                    "cuDNN has no algorithm for this convolution");
  return FALSE;
}

static gboolean
cached (ArtemCuda *cu, ArtemCuStep *st, CuConv *c, const BandGeom *g, const char *key,
        GError **error)
{
  AlgoChoice *ch = g_hash_table_lookup (cu->algo_cache, key);
  if (!ch)
    return FALSE;
  if (ch->bands > 1 && !band_descs (cu, st, c, g, ch->bands, error)) {
    drop_bands (c);
    return FALSE;
  }
  c->algo = ch->algo;
  c->ws = ch->ws;
  cudnnSetConvolutionMathType (c->cdesc, (cudnnMathType_t) ch->math);
  artem_cu_need_workspace (cu, ch->ws, error);
  return TRUE;
}

#define COPY_PERF(dst, src, n)                                                           \
  for (int i_ = 0; i_ < (n); i_++)                                                       \
    dst[i_] = (AlgoPerf) { (int) src[i_].algo, src[i_].status, src[i_].mathType, src[i_].memory, \
                           src[i_].time }

/* The fastest algorithm for the whole frame can want more workspace than the cap (on an
 * H200, TransformerNet's 3x3 64 -> 32 convolution at 2160x1200: 475 MiB, 9.3 -> ~4 ms).
 * Run in horizontal bands, each band wants a share of it: time the bands with cudnnFind
 * and take them where they beat the whole frame under the cap by 10 %.
 * ARTEM_CUDA_CONV_BANDS=N forces N bands wherever the geometry allows (the tests).
 * TRUE with the band's candidates in @q when bands were chosen (c->bands set). */
static gboolean
try_bands (ArtemCuda *cu, ArtemCuStep *st, CuConv *c, const BandGeom *g, const AlgoPerf *p,
           int count, AlgoPerf *q, int *qn)
{
  const char *force = g_getenv ("ARTEM_CUDA_CONV_BANDS");
  int forced = force ? (int) g_ascii_strtoll (force, NULL, 10) : 0;
  gsize cap = workspace_cap (cu);
  int full = choose (cu, p, count, cap), any = choose (cu, p, count, G_MAXSIZE);
  if (!forced && (any < 0 || p[any].mem <= cap || p[any].time <= 0.f))
    return FALSE;   /* the whole frame already has its fastest algorithm, or no timings */
  float best = forced ? INFINITY : (full >= 0 ? 0.9f * p[full].time : INFINITY);
  int best_b = 0;
  static const int cand[] = { 2, 3, 4, 6, 8, 12, 16 };
  for (guint k = 0; k < G_N_ELEMENTS (cand); k++) {
    int b = cand[k];
    if ((forced && b != forced) || !bands_possible (g, b))
      continue;
    GError *err = NULL;
    if (!band_descs (cu, st, c, g, b, &err)) {
      g_clear_error (&err);
      drop_bands (c);
      continue;
    }
    cudnnConvolutionFwdAlgoPerf_t perf[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
    AlgoPerf bp[MAX_ALGOS];
    int got = 0;
    cudnnStatus_t s = cudnnFindConvolutionForwardAlgorithm (
        cu->dnn, c->xbdesc, c->wdesc, c->cdesc, c->ybdesc, CUDNN_CONVOLUTION_FWD_ALGO_COUNT,
        &got, perf);
    COPY_PERF (bp, perf, s == CUDNN_STATUS_SUCCESS ? got : 0);
    int i = s == CUDNN_STATUS_SUCCESS ? choose (cu, bp, got, cap) : -1;
    float t = i >= 0 ? b * bp[i].time : INFINITY;
    if (g_getenv ("ARTEM_CUDA_VERBOSE"))
      g_printerr ("artem: cuda: %s: %d bands: %.3f ms (whole frame under the cap %.3f ms)\n",
                  st->node->name, b, t, full >= 0 ? p[full].time : -1.f);
    if (i >= 0 && (forced || t < best)) {
      best = t;
      best_b = b;
      memcpy (q, bp, sizeof bp);
      *qn = got;
    }
    drop_bands (c);
  }
  if (!best_b)
    return FALSE;
  GError *err = NULL;
  if (!band_descs (cu, st, c, g, best_b, &err)) {
    g_clear_error (&err);
    drop_bands (c);
    return FALSE;
  }
  return TRUE;
}

/* the algorithm for the forward convolution (@g: its geometry, for bands) or (@transposed,
 * @g NULL) the data gradient; takes @key */
static gboolean
find_algorithm (ArtemCuda *cu, ArtemCuStep *st, CuConv *c, const BandGeom *g,
                gboolean transposed, char *key, GError **error)
{
  AlgoPerf p[MAX_ALGOS];
  int got = 0;
  cudnnStatus_t s;
  /* fp16 (the default on a GPU): cudnnFind times every algorithm and we take the fastest.
   * fp32: cuDNN's heuristic ranking, untimed.  On an H200 with cuDNN 9.19, once Find had
   * timed fp32 convolutions some fp32 convolutions gave wrong results (default-adain
   * 19.8 dB against the CPU, whichever algorithm Find offered); with the heuristic ranking
   * every one matched (tests/gpu/bisect.sh; the emulator does the same, see note_find in
   * tests/cuda/emu).  ARTEM_CUDA_ALGO_SEARCH=find or =heuristic overrides. */
  const char *search = g_getenv ("ARTEM_CUDA_ALGO_SEARCH");
  gboolean heur = search ? !g_strcmp0 (search, "heuristic") : !cu->half;
  if (heur && transposed) {
    cudnnConvolutionBwdDataAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT];
    s = cudnnGetConvolutionBackwardDataAlgorithm_v7 (cu->dnn, c->wdesc, c->xdesc, c->cdesc,
                                                     c->ydesc,
                                                     CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT,
                                                     &got, perf);
    COPY_PERF (p, perf, s == CUDNN_STATUS_SUCCESS ? got : 0);
  } else if (heur) {
    cudnnConvolutionFwdAlgoPerf_t perf[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
    s = cudnnGetConvolutionForwardAlgorithm_v7 (cu->dnn, c->xdesc, c->wdesc, c->cdesc, c->ydesc,
                                                CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &got, perf);
    COPY_PERF (p, perf, s == CUDNN_STATUS_SUCCESS ? got : 0);
  } else if (transposed) {
    /* in the data gradient's terms: dy = our input (xdesc), dx = our output (ydesc) */
    cudnnConvolutionBwdDataAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT];
    s = cudnnFindConvolutionBackwardDataAlgorithm (cu->dnn, c->wdesc, c->xdesc, c->cdesc, c->ydesc,
                                                   CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT, &got,
                                                   perf);
    COPY_PERF (p, perf, s == CUDNN_STATUS_SUCCESS ? got : 0);
  } else {
    cudnnConvolutionFwdAlgoPerf_t perf[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
    s = cudnnFindConvolutionForwardAlgorithm (cu->dnn, c->xdesc, c->wdesc, c->cdesc, c->ydesc,
                                              CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &got, perf);
    COPY_PERF (p, perf, s == CUDNN_STATUS_SUCCESS ? got : 0);
  }
  if (dnn_failed (error, st->node, "find algorithm", s)) {
    g_free (key);
    return FALSE;
  }
  AlgoPerf q[MAX_ALGOS];
  int qn = 0;
  if (!transposed && g && !heur && try_bands (cu, st, c, g, p, got, q, &qn))
    return pick (cu, st, c, transposed, q, qn, key, error);
  return pick (cu, st, c, transposed, p, got, key, error);
}

static int *
upload_maps (ArtemCuda *cu, ArtemCuDims yd, const int *off, const int *lim, GError **error)
{
  /* identity maps on n, c; h, w shifted by off, -1 outside [0, lim) */
  int dims[4] = { yd.n, yd.c, yd.h, yd.w }, total = yd.n + yd.c + yd.h + yd.w;
  int *m = g_new (int, total), p = 0;
  for (int a = 0; a < 4; a++)
    for (int i = 0; i < dims[a]; i++) {
      int s = a < 2 ? i : i + off[a - 2];
      m[p++] = a < 2 ? s : (s >= 0 && s < lim[a - 2] ? s : -1);
    }
  int *d = artem_cu_upload (cu, m, (gsize) total * sizeof (int), error);
  g_free (m);
  return d;
}

static void *
alloc_tensor (ArtemCuda *cu, ArtemCuDims d, GError **error)
{
  return artem_cu_alloc (cu, (gsize) d.n * d.c * d.h * d.w * (cu->half ? 2 : 4), error);
}

/* cuDNN's input @xd and output @yd (plan layout): descriptors and algorithm in the plan's
 * layout, else (NHWC without an algorithm) in NCHW with re-layout buffers */
static gboolean
setup (ArtemCuda *cu, ArtemCuStep *st, CuConv *c, ArtemCuDims xd, ArtemCuDims yd,
       gboolean transposed, int k0, int k1, int kh, int kw, int ph, int pw, int sh, int sw,
       int dh, int dw, GError **error)
{
  GError *first = NULL;
  for (int attempt = 0; attempt < (cu->nhwc ? 2 : 1); attempt++) {
    int nhwc = attempt == 0 ? cu->nhwc : 0;
    GError *err = NULL;
    gboolean ok = common_descs (cu, st, c, xd, yd, nhwc, k0, k1, kh, kw, ph, pw, sh, sw, dh, dw,
                                &err);
    if (ok) {
      BandGeom g = { xd, yd, nhwc, ph, sh, (kh - 1) * dh + 1 };
      char *key = algo_key (cu, st, xd, nhwc);
      const BandGeom *gp = transposed ? NULL : &g;
      if (cached (cu, st, c, gp, key, &err) || err) {
        ok = !err;   /* err: the cached bands' descriptors failed */
        g_free (key);
      } else {
        ok = find_algorithm (cu, st, c, gp, transposed, key, &err);
      }
    }
    if (ok && attempt == 1) {
      int zero[2] = { 0, 0 };
      c->rxd = xd;
      c->ryd = yd;
      c->rxd.nhwc = c->ryd.nhwc = 0;
      int limx[2] = { xd.h, xd.w }, limy[2] = { yd.h, yd.w };
      ok = (c->rx = alloc_tensor (cu, c->rxd, &err)) && (c->ry = alloc_tensor (cu, c->ryd, &err)) &&
           (c->rmaps_x = upload_maps (cu, c->rxd, zero, limx, &err)) &&
           (c->rmaps_y = upload_maps (cu, c->ryd, zero, limy, &err));
      if (ok)
        g_debug ("artem: %s: no NHWC cuDNN algorithm (%s); runs in NCHW", st->node->name,
                 first ? first->message : "");
    }
    if (ok) {
      g_clear_error (&first);
      return TRUE;
    }
    clear_descs (c);
    if (!first)
      first = err;
    else
      g_error_free (err);
  }
  g_propagate_error (error, first);
  return FALSE;
}

static gboolean
conv_prepare (ArtemCuda *cu, ArtemCuStep *st, GError **error)
{
  const ArtemConvParams *g = &st->node->params.conv;
  if (g->G < 1 || g->C % g->G || g->M % g->G) {
    artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, st->node,
                      "group %d does not divide the channels (%d in, %d out)", g->G, g->C, g->M);
    return FALSE;
  }
  CuConv *c = g_new0 (CuConv, 1);
  st->priv = c;
  ArtemCuDims xd = st->xd[0];
  int ph = g->PT, pw = g->PL;
  if (g->PT != g->PB || g->PL != g->PR) {
    c->pad_d = xd;
    c->pad_d.h = g->H + g->PT + g->PB;
    c->pad_d.w = g->W + g->PL + g->PR;
    int off[2] = { -g->PT, -g->PL }, lim[2] = { g->H, g->W };
    if (!(c->maps = upload_maps (cu, c->pad_d, off, lim, error)) ||
        !(c->pad_buf = alloc_tensor (cu, c->pad_d, error)))
      return FALSE;
    xd = c->pad_d;
    ph = pw = 0;
  }
  return setup (cu, st, c, xd, st->yd, FALSE, g->M, g->C / g->G, g->KH, g->KW, ph, pw, g->SH,
                g->SW, g->DH, g->DW, error);
}

static gboolean
gather (ArtemCuda *cu, const char *what, const void *x, ArtemCuDims xd, void *y, ArtemCuDims yd,
        const int *maps)
{
  return !artem_cu_failed (cu, what, artem_cu_gather4 (x, xd, y, yd, cu->half, maps, 0.f,
                                                       cu->stream));
}

static gboolean
bias_act (ArtemCuda *cu, ArtemCuStep *st, CuConv *c)
{
  gboolean relu = st->node->fused_relu;
  if (!c->bias && !relu)
    return TRUE;
  return !artem_cu_failed (cu, "bias", artem_cu_channel_affine (st->y, st->yd, cu->half, NULL, 0,
                                                                 c->bias, relu, NULL, 0, st->y,
                                                                 cu->stream));
}

static gboolean
conv_run (ArtemCuda *cu, ArtemCuStep *st)
{
  CuConv *c = st->priv;
  const void *x = st->x[0];
  ArtemCuDims xd = st->xd[0];
  if (c->pad_buf) {
    if (!gather (cu, "pad", x, xd, c->pad_buf, c->pad_d, c->maps))
      return FALSE;
    x = c->pad_buf;
    xd = c->pad_d;
  }
  if (c->rx) {
    if (!gather (cu, "to NCHW", x, xd, c->rx, c->rxd, c->rmaps_x))
      return FALSE;
    x = c->rx;
  }
  float one = 1.f, zero = 0.f;
  cudnnStatus_t s = CUDNN_STATUS_SUCCESS;
  if (c->bands > 1)
    for (int b = 0; b < c->bands && s == CUDNN_STATUS_SUCCESS; b++)
      s = cudnnConvolutionForward (cu->dnn, &one, c->xbdesc, (const char *) x + b * c->xstep,
                                   c->wdesc, c->w, c->cdesc,
                                   (cudnnConvolutionFwdAlgo_t) c->algo, cu->workspace, c->ws,
                                   &zero, c->ybdesc, (char *) st->y + b * c->ystep);
  else
    s = cudnnConvolutionForward (cu->dnn, &one, c->xdesc, x, c->wdesc, c->w, c->cdesc,
                                 (cudnnConvolutionFwdAlgo_t) c->algo, cu->workspace, c->ws, &zero,
                                 c->ydesc, c->ry ? c->ry : st->y);
  if (s != CUDNN_STATUS_SUCCESS) {
    g_snprintf (cu->fail_msg, sizeof cu->fail_msg, "cuDNN convolution: %s",
                cudnnGetErrorString (s));
    return FALSE;
  }
  if (c->ry && !gather (cu, "to NHWC", c->ry, c->ryd, st->y, st->yd, c->rmaps_y))
    return FALSE;
  return bias_act (cu, st, c);
}

static void
conv_clear (ArtemCuStep *st)
{
  if (st->priv)
    clear_descs (st->priv);
}

const ArtemCuOp artem_cu_op_conv = { conv_prepare, conv_run, conv_clear };

/* ConvTranspose = the data gradient of a Conv whose filter is W [C_in, M, KH, KW]. */
static gboolean
convt_prepare (ArtemCuda *cu, ArtemCuStep *st, GError **error)
{
  const ArtemConvParams *g = &st->node->params.conv;
  CuConv *c = g_new0 (CuConv, 1);
  st->priv = c;
  int eh = (g->KH - 1) * g->DH + 1, ew = (g->KW - 1) * g->DW + 1;
  /* cuDNN's symmetric pads fit when the forward conv of the output gives back H x W */
  int rh = g->OH + 2 * g->PT - eh - g->SH * (g->H - 1);
  int rw = g->OW + 2 * g->PL - ew - g->SW * (g->W - 1);
  ArtemCuDims yd = st->yd;
  int ph = g->PT, pw = g->PL;
  if (rh < 0 || rh >= g->SH || rw < 0 || rw >= g->SW) {
    yd.h = g->SH * (g->H - 1) + eh;
    yd.w = g->SW * (g->W - 1) + ew;
    c->pad_d = yd;
    int off[2] = { g->PT, g->PL }, lim[2] = { yd.h, yd.w };
    if (!(c->maps = upload_maps (cu, st->yd, off, lim, error)) ||
        !(c->pad_buf = alloc_tensor (cu, yd, error)))
      return FALSE;
    ph = pw = 0;
  }
  return setup (cu, st, c, st->xd[0], yd, TRUE, g->C, g->M, g->KH, g->KW, ph, pw, g->SH, g->SW,
                g->DH, g->DW, error);
}

static gboolean
convt_run (ArtemCuda *cu, ArtemCuStep *st)
{
  CuConv *c = st->priv;
  const void *x = st->x[0];
  if (c->rx) {
    if (!gather (cu, "to NCHW", x, st->xd[0], c->rx, c->rxd, c->rmaps_x))
      return FALSE;
    x = c->rx;
  }
  void *full = c->pad_buf ? c->pad_buf : st->y;   /* in the plan's layout */
  ArtemCuDims full_d = c->pad_buf ? c->pad_d : st->yd;
  float one = 1.f, zero = 0.f;
  cudnnStatus_t s = cudnnConvolutionBackwardData (cu->dnn, &one, c->wdesc, c->w, c->xdesc, x,
                                                  c->cdesc, (cudnnConvolutionBwdDataAlgo_t) c->algo,
                                                  cu->workspace, c->ws, &zero, c->ydesc,
                                                  c->ry ? c->ry : full);
  if (s != CUDNN_STATUS_SUCCESS) {
    g_snprintf (cu->fail_msg, sizeof cu->fail_msg, "cuDNN transposed convolution: %s",
                cudnnGetErrorString (s));
    return FALSE;
  }
  if (c->ry && !gather (cu, "to NHWC", c->ry, c->ryd, full, full_d, c->rmaps_y))
    return FALSE;
  if (c->pad_buf && !gather (cu, "crop", c->pad_buf, c->pad_d, st->y, st->yd, c->maps))
    return FALSE;
  return bias_act (cu, st, c);
}

const ArtemCuOp artem_cu_op_conv_transpose = { convt_prepare, convt_run, conv_clear };
