/* norm.c — InstanceNormalization and BatchNormalization (inference) on the CPU. */
#include "../artem-private.h"
#include <math.h>
#include <omp.h>

#define NHWC_MAX_C 1024   /* the most channels of an NHWC InstanceNormalization */

static const char *const in_attrs[] = { "epsilon", NULL };

static gboolean
in_check (ArtemNode *n, GError **error)
{
  return artem_attr_check_known (n, in_attrs, error);
}

static gboolean
norm_prepare_common (ArtemNode *n, ArtemValue **in, ArtemValue **out, int n_params,
                     GError **error)
{
  if (n->n_in < 1 + n_params) {
    artem_node_error (error, ARTEM_ERROR_INVALID_MODEL, n, "needs %d inputs", 1 + n_params);
    return FALSE;
  }
  ArtemValue *x = in[0];
  if (!x || x->shape.ndim < 2 || x->dtype != ARTEM_DTYPE_FLOAT) {
    artem_node_error (error, ARTEM_ERROR_SHAPE, n, "input must be float of rank >= 2");
    return FALSE;
  }
  for (int i = 1; i <= n_params; i++)
    if (!in[i] || artem_value_numel (in[i]) != x->shape.dims[1] ||
        in[i]->dtype != ARTEM_DTYPE_FLOAT) {
      artem_node_error (error, ARTEM_ERROR_SHAPE, n,
                        "parameter %d does not have %" G_GINT64_FORMAT " channels", i,
                        (gint64) x->shape.dims[1]);
      return FALSE;
    }
  out[0]->dtype = ARTEM_DTYPE_FLOAT;
  out[0]->shape = x->shape;
  return TRUE;
}

static gboolean
in_prepare (ArtemNode *n, ArtemValue **in, ArtemValue **out, ArtemPlan *plan, GError **error)
{
  if (!norm_prepare_common (n, in, out, 2, error))
    return FALSE;
  if (in[0]->nhwc && (in[0]->shape.ndim != 4 || in[0]->shape.dims[1] > NHWC_MAX_C)) {
    artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, n, "an NHWC input of rank %d with "
                      "%" G_GINT64_FORMAT " channels (ARTEM_NO_NHWC=1 plans NCHW)",
                      in[0]->shape.ndim, (gint64) in[0]->shape.dims[1]);
    return FALSE;
  }
  return TRUE;
}

/* Sums over a plane, vectorized: float partial sums over chunks of 1024 (16 lanes of 64
 * values each), added up in double.  sum (x - shift) and sum ((x - shift)^2). */
#define IN_CHUNK 1024
__attribute__ ((target_clones ("avx512f", "avx2", "default")))
static double
plane_sum (const float *x, int64_t n, float shift, gboolean squares)
{
  double total = 0.0;
  for (int64_t c0 = 0; c0 < n; c0 += IN_CHUNK) {
    int64_t len = MIN (IN_CHUNK, n - c0);
    const float *xp = x + c0;
    float s = 0.f;
    if (squares) {
#pragma omp simd reduction(+ : s)
      for (int64_t j = 0; j < len; j++) {
        float d = xp[j] - shift;
        s += d * d;
      }
    } else {
#pragma omp simd reduction(+ : s)
      for (int64_t j = 0; j < len; j++)
        s += xp[j] - shift;
    }
    total += s;
  }
  return total;
}

__attribute__ ((target_clones ("avx512f", "avx2", "default")))
static void
plane_affine (const float *x, float *y, int64_t n, float a, float b, gboolean relu,
              const float *res)
{
  if (res) {   /* a residual Add after the norm (and its ReLU, if any) */
#pragma omp simd
    for (int64_t j = 0; j < n; j++) {
      float v = x[j] * a + b;
      y[j] = (relu && v < 0.f ? 0.f : v) + res[j];
    }
  } else if (relu) {
#pragma omp simd
    for (int64_t j = 0; j < n; j++) {
      float v = x[j] * a + b;
      y[j] = v > 0.f ? v : 0.f;
    }
  } else {
#pragma omp simd
    for (int64_t j = 0; j < n; j++)
      y[j] = x[j] * a + b;
  }
}

/* InstanceNormalization of an NHWC frame (layout.c), NHWC out: one pass for the
 * per-channel sums (shifted by the first pixel, a sample of the channel, so no
 * cancellation), one that normalizes, vectorized across the channels of a pixel.  The
 * input is fp32, or bf16 where the convolution before wrote it so (ArtemValue.bf16:
 * suffix _h); the output fp32 (with a residual Add, a ReLU) or bf16 (the padded input of
 * a bf16 convolution: suffix _b).  LD(xp, c) loads one input element as a float. */
#define LD_F(xp, c) ((xp)[c])
#define LD_H(xp, c) artem_bf16_to_f32 ((xp)[c])

#define NHWC_SUMS(name, T, LD, CC)                                                            \
  __attribute__ ((target_clones ("avx512f", "avx2", "default"))) static void                 \
  name (const T *x, int64_t p0, int64_t p1, int C_, const float *shift, double *s1,           \
        double *s2)                                                                           \
  {                                                                                           \
    const int C = CC;                                                                         \
    float f1[NHWC_MAX_C], f2[NHWC_MAX_C];                                                     \
    for (int64_t q0 = p0; q0 < p1; q0 += 256) { /* float partial sums of 256 pixels */       \
      int64_t q1 = MIN (p1, q0 + 256);                                                        \
      for (int c = 0; c < C; c++)                                                             \
        f1[c] = f2[c] = 0.f;                                                                  \
      for (int64_t p = q0; p < q1; p++) {                                                     \
        const T *xp = x + p * C;                                                              \
        _Pragma ("omp simd") for (int c = 0; c < C; c++)                                      \
        {                                                                                     \
          float d = LD (xp, c) - shift[c];                                                    \
          f1[c] += d;                                                                         \
          f2[c] += d * d;                                                                     \
        }                                                                                     \
      }                                                                                       \
      for (int c = 0; c < C; c++) {                                                           \
        s1[c] += f1[c];                                                                       \
        s2[c] += f2[c];                                                                       \
      }                                                                                       \
    }                                                                                         \
  }
/* each for any channel count (C_) and for 16, 32 and 64, where the sums and the scales stay
 * in registers */
#define FOR_WIDTHS(M, name, T, LD)                                                            \
  M (name, T, LD, C_)                                                                         \
  M (name##_16, T, LD, 16)                                                                    \
  M (name##_32, T, LD, 32)                                                                    \
  M (name##_64, T, LD, 64)
/* calls name, or its variant for C channels */
#define BY_WIDTH(name, C, ...)                                                                \
  ((C) == 16 ? name##_16 (__VA_ARGS__) : (C) == 32 ? name##_32 (__VA_ARGS__)                  \
   : (C) == 64 ? name##_64 (__VA_ARGS__) : name (__VA_ARGS__))
FOR_WIDTHS (NHWC_SUMS, nhwc_sums, float, LD_F)
FOR_WIDTHS (NHWC_SUMS, nhwc_sums_h, guint16, LD_H)

/* y = norm (x) (ReLU) (+ res), fp32 out */
#define NHWC_AFFINE(name, T, LD, CC)                                                          \
  __attribute__ ((target_clones ("avx512f", "avx2", "default"))) static void                 \
  name (const T *x, float *y, int64_t n, int C_, const float *a, const float *o,              \
        gboolean relu, const float *res)                                                      \
  {                                                                                           \
    const int C = CC;                                                                         \
    for (int64_t p = 0; p < n; p++) {                                                         \
      const T *xp = x + p * C;                                                                \
      float *yp = y + p * C;                                                                  \
      if (res) { /* a residual Add after the norm (and its ReLU, if any) */                   \
        const float *rp = res + p * C;                                                        \
        _Pragma ("omp simd") for (int c = 0; c < C; c++)                                      \
        {                                                                                     \
          float v = LD (xp, c) * a[c] + o[c];                                                 \
          yp[c] = (relu && v < 0.f ? 0.f : v) + rp[c];                                        \
        }                                                                                     \
      } else {                                                                                \
        _Pragma ("omp simd") for (int c = 0; c < C; c++)                                      \
        {                                                                                     \
          float v = LD (xp, c) * a[c] + o[c];                                                 \
          yp[c] = relu && v < 0.f ? 0.f : v;                                                  \
        }                                                                                     \
      }                                                                                       \
    }                                                                                         \
  }
FOR_WIDTHS (NHWC_AFFINE, nhwc_affine, float, LD_F)
FOR_WIDTHS (NHWC_AFFINE, nhwc_affine_h, guint16, LD_H)

/* y = norm (x) (ReLU), bf16 out */
#define NHWC_AFFINE_B(name, T, LD, CC)                                                        \
  __attribute__ ((target_clones ("avx512f", "avx2", "default"))) static void                 \
  name (const T *x, guint16 *y, int64_t n, int C_, const float *a, const float *o,            \
        gboolean relu)                                                                        \
  {                                                                                           \
    const int C = CC;                                                                         \
    for (int64_t p = 0; p < n; p++) {                                                         \
      const T *xp = x + p * C;                                                                \
      guint16 *yp = y + p * C;                                                                \
      _Pragma ("omp simd") for (int c = 0; c < C; c++)                                        \
      {                                                                                       \
        float v = LD (xp, c) * a[c] + o[c];                                                   \
        yp[c] = artem_f32_to_bf16 (relu && v < 0.f ? 0.f : v);                                \
      }                                                                                       \
    }                                                                                         \
  }
FOR_WIDTHS (NHWC_AFFINE_B, nhwc_affine_b, float, LD_F)
FOR_WIDTHS (NHWC_AFFINE_B, nhwc_affine_hb, guint16, LD_H)

/* Where the output goes: dense (as the input), or inside a padded frame of OH x OW
 * (write_into: the Pad reading it fills the border), pt rows and pl columns in. */
typedef struct {
  void *y;
  int64_t H, W, OH, OW, pt, pl;
  const float *res;   /* added after the norm (write_into.residual), dense as the input */
  gboolean bf16;      /* y holds bf16 (NHWC, no residual) */
} InOut;

/* the output row of image-or-plane q, input row r (elements per pixel: px) */
static inline void *
out_row (const InOut *o, int64_t q, int64_t r, int64_t px)
{
  int64_t e = ((q * o->OH + r + o->pt) * o->OW + o->pl) * px;
  return o->bf16 ? (void *) ((guint16 *) o->y + e) : (void *) ((float *) o->y + e);
}

/* one image's per-channel scale a and offset o from an NHWC frame of sp pixels */
static void
nhwc_scale_offset (const void *xb, gboolean xh, int C, int64_t sp, const float *scale,
                   const float *bias, float eps, float *a, float *o)
{
  double s1[NHWC_MAX_C] = { 0 }, s2[NHWC_MAX_C] = { 0 };
  float shift[NHWC_MAX_C];
  for (int c = 0; c < C; c++)
    shift[c] = sp <= 0 ? 0.f : xh ? artem_bf16_to_f32 (((const guint16 *) xb)[c])
                                  : ((const float *) xb)[c];
#pragma omp parallel
  {
    double t1[NHWC_MAX_C] = { 0 }, t2[NHWC_MAX_C] = { 0 };
    int nt = omp_get_num_threads (), id = omp_get_thread_num ();
    int64_t p0 = sp * id / nt, p1 = sp * (id + 1) / nt;
    if (xh)
      BY_WIDTH (nhwc_sums_h, C, xb, p0, p1, C, shift, t1, t2);
    else
      BY_WIDTH (nhwc_sums, C, xb, p0, p1, C, shift, t1, t2);
#pragma omp critical
    for (int c = 0; c < C; c++) {
      s1[c] += t1[c];
      s2[c] += t2[c];
    }
  }
  for (int c = 0; c < C; c++) {
    double m = s1[c] / (double) MAX (sp, 1);
    double var = MAX (0.0, s2[c] / (double) MAX (sp, 1) - m * m);
    a[c] = scale[c] / sqrtf ((float) var + eps);
    o[c] = bias[c] - (float) (m + shift[c]) * a[c];
  }
}

/* x: fp32, or bf16 where xh */
static void
in_run_nhwc (const void *x, gboolean xh, const InOut *yo, int64_t N, int C, int64_t sp,
             const float *scale, const float *bias, float eps, gboolean relu)
{
  gsize es = xh ? 2 : 4;
  for (int64_t b = 0; b < N; b++) {
    const char *xb = (const char *) x + b * sp * C * es;
    float a[NHWC_MAX_C], o[NHWC_MAX_C];
    nhwc_scale_offset (xb, xh, C, sp, scale, bias, eps, a, o);
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < yo->H; r++) {   /* row by row: the output's rows may be padded */
      const void *xr = xb + r * yo->W * C * es;
      void *yr = out_row (yo, b, r, C);
      const float *res = yo->res ? yo->res + (b * sp + r * yo->W) * C : NULL;
      if (yo->bf16 && xh)
        BY_WIDTH (nhwc_affine_hb, C, xr, yr, yo->W, C, a, o, relu);
      else if (yo->bf16)
        BY_WIDTH (nhwc_affine_b, C, xr, yr, yo->W, C, a, o, relu);
      else if (xh)
        BY_WIDTH (nhwc_affine_h, C, xr, yr, yo->W, C, a, o, relu, res);
      else
        BY_WIDTH (nhwc_affine, C, xr, yr, yo->W, C, a, o, relu, res);
    }
  }
}

/* a norm's input [N, C, spatial...]: N*C, C and the spatial size */
static void
norm_dims (const ArtemShape *s, int64_t *NC, int64_t *C, int64_t *sp)
{
  *NC = s->dims[0] * s->dims[1];
  *C = s->dims[1];
  *sp = 1;
  for (int d = 2; d < s->ndim; d++)
    *sp *= s->dims[d];
}

static void
in_run (ArtemNode *n, ArtemValue **in, ArtemValue **out, float *scratch)
{
  const ArtemShape *s = &in[0]->shape;
  int64_t NC, C, sp;
  norm_dims (s, &NC, &C, &sp);
  float eps = artem_attr_float (n, "epsilon", 1e-5f);
  const float *x = in[0]->data, *scale = in[1]->data, *bias = in[2]->data;
  gboolean relu = n->fused_relu;
  /* rank 4 is H x W; any other rank one row of sp */
  InOut yo = { out[0]->data, s->ndim == 4 ? s->dims[2] : 1, s->ndim == 4 ? s->dims[3] : sp, 0,
               0, 0, 0, NULL, FALSE };
  yo.OH = yo.H;
  yo.OW = yo.W;
  if (n->write_into.out) {   /* straight into the next step's output (cpu/pad.c) */
    yo.y = n->write_into.out->data;
    yo.OH = n->write_into.out->shape.dims[2];
    yo.OW = n->write_into.out->shape.dims[3];
    yo.pt = n->write_into.pt;
    yo.pl = n->write_into.pl;
    yo.res = n->write_into.residual ? n->write_into.residual->data : NULL;
    yo.bf16 = n->write_into.out->bf16;   /* (NHWC, and never an Add's output) */
  }
  if (in[0]->nhwc) {
    in_run_nhwc (in[0]->data, in[0]->bf16, &yo, s->dims[0], (int) C, sp, scale, bias, eps,
                 relu);
    return;
  }
#pragma omp parallel for schedule(dynamic, 1)
  for (int64_t i = 0; i < NC; i++) {
    const float *xp = x + i * sp;
    /* two passes (the mean, then the squared deviations from it): no cancellation */
    float mean = (float) (plane_sum (xp, sp, 0.f, FALSE) / (double) MAX (sp, 1));
    float var = (float) (plane_sum (xp, sp, mean, TRUE) / (double) MAX (sp, 1));
    float a = scale[i % C] / sqrtf (var + eps), b = bias[i % C] - mean * a;
    if (yo.OH == yo.H && yo.OW == yo.W)
      plane_affine (xp, (float *) yo.y + i * sp, sp, a, b, relu, yo.res ? yo.res + i * sp : NULL);
    else
      for (int64_t r = 0; r < yo.H; r++)
        plane_affine (xp + r * yo.W, out_row (&yo, i, r, 1), yo.W, a, b, relu, NULL);
  }
}

const ArtemOpDef artem_op_instance_norm = { ARTEM_OP_INSTANCE_NORM, 0, "InstanceNormalization",
                                            in_check, in_prepare, in_run, FALSE };

static const char *const bn_attrs[] = { "epsilon", "momentum", "training_mode", "spatial",
                                        "is_test", "consumed_inputs", NULL };

static gboolean
bn_check (ArtemNode *n, GError **error)
{
  if (!artem_attr_check_known (n, bn_attrs, error))
    return FALSE;
  if (artem_attr_int (n, "training_mode", 0) != 0) {
    artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, n, "training_mode=1 is not supported");
    return FALSE;
  }
  if (artem_attr_int (n, "spatial", 1) != 1) {
    artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, n, "spatial=0 is not supported");
    return FALSE;
  }
  for (int i = 1; i < n->n_out; i++)
    if (n->proto->output[i] && *n->proto->output[i]) {
      artem_node_error (error, ARTEM_ERROR_UNSUPPORTED, n,
                        "training outputs (running mean/var) are not supported");
      return FALSE;
    }
  return TRUE;
}

static gboolean
bn_prepare (ArtemNode *n, ArtemValue **in, ArtemValue **out, ArtemPlan *plan, GError **error)
{
  return norm_prepare_common (n, in, out, 4, error);
}

static void
bn_run (ArtemNode *n, ArtemValue **in, ArtemValue **out, float *scratch)
{
  const ArtemShape *s = &in[0]->shape;
  int64_t NC, C, sp;
  norm_dims (s, &NC, &C, &sp);
  float eps = artem_attr_float (n, "epsilon", 1e-5f);
  const float *x = in[0]->data, *scale = in[1]->data, *bias = in[2]->data;
  const float *mean = in[3]->data, *var = in[4]->data;
  float *y = out[0]->data;
  gboolean relu = n->fused_relu;
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < NC; i++) {
    int64_t c = i % C;
    float a = scale[c] / sqrtf (var[c] + eps), b = bias[c] - mean[c] * a;
    const float *xp = x + i * sp;
    float *yp = y + i * sp;
    for (int64_t j = 0; j < sp; j++) {
      float v = xp[j] * a + b;
      yp[j] = relu && v < 0.f ? 0.f : v;
    }
  }
}

const ArtemOpDef artem_op_batch_norm = { ARTEM_OP_BATCH_NORM, 0, "BatchNormalization", bn_check,
                                         bn_prepare, bn_run, FALSE };
