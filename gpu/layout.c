/* layout.c — which activations the CPU keeps NHWC (planning, before the ops' prepare).
 *
 * oneDNN's convolutions run on NHWC (the AMX and AVX-512 kernels' own layout); the
 * engine's activations are NCHW.  Between two convolutions a style network has only
 * operators that work as well on NHWC: InstanceNormalization, Pad, nearest Resize /
 * Upsample, Add of equal shapes, Relu.  So the values between convolutions form regions
 * (connected through those operators) that can stay NHWC, and the frames are reordered
 * only where a region meets anything else.  A region is NHWC when every value in it is
 * made by a convolution or one of those operators, every reader is one of them (a
 * convolution reading it as its input X), and none is a graph input, output or constant.
 * The ops read ArtemValue.nhwc in prepare and run; conv.c then uses oneDNN for every
 * convolution that touches a region. */
#include "net-private.h"


/* an operator that keeps the layout of its data inputs; how many data inputs it has */
static int
transparent_inputs (const ArtemNode *n)
{
  if (n->def->kind == ARTEM_OP_INSTANCE_NORM || n->def->kind == ARTEM_OP_PAD ||
      artem_node_is_unary (n, ARTEM_UNARY_RELU))
    return 1;
  if ((n->def->kind == ARTEM_OP_RESIZE || n->def->kind == ARTEM_OP_UPSAMPLE) &&
      !artem_resize_is_linear (n))
    return 1;
  if (artem_node_is_binary (n, ARTEM_BINARY_ADD))
    return 2;
  return 0;
}

static gboolean
is_conv (const ArtemNode *n)
{
  return n->def->kind == ARTEM_OP_CONV && !n->bin;
}

static int
find (int *parent, int i)
{
  while (parent[i] != i)
    i = parent[i] = parent[parent[i]];
  return i;
}

void
artem_plan_layouts (ArtemNet *net)
{
  guint nv = net->values->len;
  for (guint i = 0; i < nv; i++)
    VAL (net, i)->nhwc = FALSE;
  if (g_getenv ("ARTEM_NO_NHWC"))
    return;
  int *parent = g_new (int, MAX (nv, 1));
  gboolean *bad = g_new0 (gboolean, MAX (nv, 1)), *used = g_new0 (gboolean, MAX (nv, 1));
  for (guint i = 0; i < nv; i++)
    parent[i] = (int) i;
  /* regions: a transparent operator joins its data inputs and its output */
  for (guint i = 0; i < net->nodes->len; i++) {
    ArtemNode *n = NODE (net, i);
    int t = n->removed ? 0 : transparent_inputs (n);
    for (int k = 0; k < t && k < n->n_in; k++)
      if (n->in[k] >= 0 && n->out[0] >= 0)
        parent[find (parent, n->in[k])] = find (parent, n->out[0]);
  }
  /* every reader must take NHWC where it reads */
  for (guint i = 0; i < net->nodes->len; i++) {
    ArtemNode *n = NODE (net, i);
    if (n->removed)
      continue;
    int t = transparent_inputs (n);
    for (int k = 0; k < n->n_in; k++) {
      if (n->in[k] < 0)
        continue;
      gboolean takes = k < t || (is_conv (n) && k == 0);
      used[n->in[k]] = TRUE;
      if (!takes)
        bad[find (parent, n->in[k])] = TRUE;
    }
    for (int k = 0; k < n->n_out; k++)
      if (n->out[k] >= 0) {
        used[n->out[k]] = TRUE;
        if (k > 0 || !(t || is_conv (n)))
          bad[find (parent, n->out[k])] = TRUE;
      }
  }
  /* every value made by a convolution or a transparent operator, none a graph output or
   * a constant */
  for (guint i = 0; i < nv; i++) {
    ArtemValue *v = VAL (net, i);
    if (used[i] && (v->producer < 0 || v->is_init || v->is_const))
      bad[find (parent, (int) i)] = TRUE;
  }
  for (guint i = 0; i < net->outputs->len; i++)
    bad[find (parent, g_array_index (net->outputs, int, i))] = TRUE;
  for (guint i = 0; i < nv; i++)
    if (used[i] && !bad[find (parent, (int) i)])
      VAL (net, i)->nhwc = TRUE;
  g_free (parent);
  g_free (bad);
  g_free (used);
}

/* dst [N][B][A] = src [N][A][B], in parallel over B */
static void
transpose_planes (const float *src, float *dst, int64_t N, int64_t A, int64_t B)
{
  for (int64_t n = 0; n < N; n++)
#pragma omp parallel for schedule(static)
    for (int64_t j = 0; j < B; j++)
      for (int64_t i = 0; i < A; i++)
        dst[(n * B + j) * A + i] = src[(n * A + i) * B + j];
}

void
artem_nhwc_to_nchw (const float *src, float *dst, int64_t N, int64_t C, int64_t HW)
{
  transpose_planes (src, dst, N, HW, C);
}

void
artem_nchw_to_nhwc (const float *src, float *dst, int64_t N, int64_t C, int64_t HW)
{
  transpose_planes (src, dst, N, C, HW);
}
