/* adain.c — AdaIN (Huang & Belongie 2017) as an operator of artem's own domain ai.artem:
 *   AdaIN(x, style_mean[C], style_std[C], alpha[1]) =
 *       alpha * (style_std * (x - mean(x)) / std(x) + style_mean) + (1 - alpha) * x
 * with per-channel statistics over the spatial dimensions, unbiased variance + epsilon
 * (as the paper's reference code).  style_mean, style_std and alpha are initializers the
 * element rewrites (artem_net_set_initializer) when the style or alpha changes. */
#include "../artem-private.h"
#include <math.h>

static gboolean
adain_check (ArtemNode *n, GError **error)
{
  static const char *const known[] = { "epsilon", NULL };
  return artem_attr_check_known (n, known, error);
}

static gboolean
adain_prepare (ArtemNode *n, ArtemValue **in, ArtemValue **out, ArtemPlan *plan,
               GError **error)
{
  if (n->n_in < 4 || !in[0] || !in[1] || !in[2] || !in[3]) {
    artem_node_error (error, ARTEM_ERROR_INVALID_MODEL, n,
                      "needs content, style_mean, style_std and alpha");
    return FALSE;
  }
  ArtemValue *x = in[0];
  if (x->shape.ndim != 4 || x->dtype != ARTEM_DTYPE_FLOAT) {
    artem_node_error (error, ARTEM_ERROR_SHAPE, n, "content must be a 4-D float tensor");
    return FALSE;
  }
  int64_t c = x->shape.dims[1];
  if (artem_value_numel (in[1]) != c || artem_value_numel (in[2]) != c ||
      artem_value_numel (in[3]) != 1 || in[1]->dtype != ARTEM_DTYPE_FLOAT ||
      in[2]->dtype != ARTEM_DTYPE_FLOAT || in[3]->dtype != ARTEM_DTYPE_FLOAT) {
    artem_node_error (error, ARTEM_ERROR_SHAPE, n,
                      "style statistics must hold %" G_GINT64_FORMAT " floats, alpha 1", (gint64) c);
    return FALSE;
  }
  out[0]->dtype = ARTEM_DTYPE_FLOAT;
  out[0]->shape = x->shape;
  return TRUE;
}

static void
stats (const float *p, gsize hw, float eps, float *mean, float *std)
{
  double s = 0;
  for (gsize j = 0; j < hw; j++)
    s += p[j];
  double m = s / (double) MAX (hw, 1), q = 0;
  for (gsize j = 0; j < hw; j++)
    q += (p[j] - m) * (p[j] - m);
  double var = hw > 1 ? q / (double) (hw - 1) : 0.0;
  *mean = (float) m;
  *std = (float) sqrt (var + eps);
}

void
artem_feature_stats (const float *f, int c, gsize hw, float *mean, float *std)
{
  for (int i = 0; i < c; i++)
    stats (f + (gsize) i * hw, hw, 1e-5f, &mean[i], &std[i]);
}

static void
adain_run (ArtemNode *n, ArtemValue **in, ArtemValue **out, float *scratch)
{
  const ArtemShape *s = &in[0]->shape;
  int64_t N = s->dims[0], C = s->dims[1];
  gsize hw = (gsize) (s->dims[2] * s->dims[3]);
  float eps = artem_attr_float (n, "epsilon", 1e-5f);
  const float *x = in[0]->data, *sm = in[1]->data, *ss = in[2]->data;
  float alpha = ((const float *) in[3]->data)[0];
  float *y = out[0]->data;
#pragma omp parallel for schedule(dynamic, 1)
  for (int64_t i = 0; i < N * C; i++) {
    const float *xp = x + i * hw;
    float *yp = y + i * hw;
    float m, sd;
    stats (xp, hw, eps, &m, &sd);
    int64_t c = i % C;
    float a = alpha * ss[c] / sd + (1.f - alpha);
    float b = alpha * (sm[c] - ss[c] * m / sd);
    for (gsize j = 0; j < hw; j++)
      yp[j] = a * xp[j] + b;
  }
}

const ArtemOpDef artem_op_adain = { ARTEM_OP_ADAIN, 0, "AdaIN", adain_check, adain_prepare,
                                    adain_run, FALSE };
