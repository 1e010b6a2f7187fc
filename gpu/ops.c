/* ops.c — the operator table and kernels shared by several CPU operators. */
#include "artem-private.h"
#include "cpu/conv.h"   /* the oneDNN probes */
#include <cblas.h>
#include <omp.h>

static const ArtemOpDef *const all_ops[] = {
  &artem_op_conv, &artem_op_conv_transpose, &artem_op_instance_norm, &artem_op_batch_norm,
  &artem_op_pad, &artem_op_resize, &artem_op_upsample, &artem_op_max_pool,
  &artem_op_identity, &artem_op_shape, &artem_op_gather, &artem_op_unsqueeze,
  &artem_op_squeeze, &artem_op_concat, &artem_op_cast, &artem_op_slice, &artem_op_reshape,
  &artem_op_transpose, &artem_op_constant_of_shape, &artem_op_expand, &artem_op_flatten,
  &artem_op_range,
};

const ArtemOpDef *
artem_op_lookup (const char *op_type)
{
  for (gsize i = 0; i < G_N_ELEMENTS (all_ops); i++)
    if (strcmp (all_ops[i]->op_type, op_type) == 0)
      return all_ops[i];
  for (int k = 0; k < ARTEM_N_UNARY; k++)
    if (strcmp (artem_unary_ops[k].op_type, op_type) == 0)
      return &artem_unary_ops[k];
  for (int k = 0; k < ARTEM_N_BINARY; k++)
    if (strcmp (artem_binary_ops[k].op_type, op_type) == 0)
      return &artem_binary_ops[k];
  return NULL;
}

const ArtemOpDef *
artem_op_lookup_artem (const char *op_type)
{
  if (strcmp (op_type, artem_op_adain.op_type) == 0)
    return &artem_op_adain;
  if (strcmp (op_type, artem_op_binary_conv.op_type) == 0)
    return &artem_op_binary_conv;
  return NULL;
}

int
artem_cpu_threads (void)
{
  return omp_get_max_threads ();
}

/* OpenBLAS runs single-threaded inside our own OpenMP tiles: one level of threads. */
void
artem_cpu_init (void)
{
  static gsize once = 0;
  if (g_once_init_enter (&once)) {
    openblas_set_num_threads (1);
    g_once_init_leave (&once, 1);
  }
}

int
artem_map_runs (const int64_t *map, int64_t n, int64_t *run_x, int64_t *run_src, int max_runs)
{
  int n_runs = 0;
  for (int64_t x = 0; x < n; n_runs++) {
    if (n_runs == max_runs)
      return -1;
    run_x[n_runs] = x;
    run_src[n_runs] = map[x];
    int64_t x1 = x + 1;
    if (map[x] < 0)
      while (x1 < n && map[x1] < 0) x1++;
    else
      while (x1 < n && map[x1] == map[x1 - 1] + 1) x1++;
    x = x1;
  }
  run_x[n_runs] = n;
  return n_runs;
}

/* dst[o] = src[maps[0][o0], ..., maps[r-1][o_{r-1}]], or *fill where any map is -1.
 * Pad, Slice, Resize-nearest and Expand are all this gather. */
void
artem_cpu_gather_maps (const void *src, const ArtemShape *in_shape, void *dst,
                       const ArtemShape *out_shape, gsize esize, int64_t *const *maps,
                       const void *fill)
{
  int r = out_shape->ndim;
  if (r == 0) {
    memcpy (dst, src, esize);
    return;
  }
  int64_t in_stride[ARTEM_MAX_DIMS];
  int64_t st = 1;
  for (int d = r - 1; d >= 0; d--) {
    in_stride[d] = st;
    st *= in_shape->dims[d];
  }
  int64_t inner = out_shape->dims[r - 1];
  int64_t rows = 1;
  for (int d = 0; d < r - 1; d++)
    rows *= out_shape->dims[d];
  const int64_t *lmap = maps[r - 1];
  /* the innermost map as runs, so that a padded or sliced row is a few memcpy; maps with
   * too many runs (nearest-neighbour upsampling) gather element by element */
  enum { MAX_RUNS = 32 };
  int64_t run_x[MAX_RUNS + 1], run_src[MAX_RUNS];
  int n_runs = artem_map_runs (lmap, inner, run_x, run_src, MAX_RUNS);
  gboolean use_runs = n_runs >= 0;
#pragma omp parallel for schedule(static) if (rows * inner > 32768)
  for (int64_t row = 0; row < rows; row++) {
    int64_t rem = row, off = 0;
    gboolean outside = FALSE;
    for (int d = r - 2; d >= 0; d--) {
      int64_t o = rem % out_shape->dims[d];
      rem /= out_shape->dims[d];
      int64_t m = maps[d][o];
      if (m < 0)
        outside = TRUE;
      off += m * in_stride[d];
    }
    char *drow = (char *) dst + row * inner * esize;
    if (esize == 4) {
      float *dd = (float *) drow;
      const float *ss = (const float *) src + off;
      float f = *(const float *) fill;
      if (outside) {
        for (int64_t x = 0; x < inner; x++) dd[x] = f;
      } else if (use_runs) {
        for (int k = 0; k < n_runs; k++) {
          int64_t x0 = run_x[k], len = run_x[k + 1] - x0;
          if (run_src[k] < 0)
            for (int64_t x = x0; x < x0 + len; x++) dd[x] = f;
          else
            memcpy (dd + x0, ss + run_src[k], len * sizeof (float));
        }
      } else {
        for (int64_t x = 0; x < inner; x++) dd[x] = lmap[x] < 0 ? f : ss[lmap[x]];
      }
    } else {
      int64_t *dd = (int64_t *) drow;
      const int64_t *ss = (const int64_t *) src + off;
      int64_t f = *(const int64_t *) fill;
      if (outside)
        for (int64_t x = 0; x < inner; x++) dd[x] = f;
      else
        for (int64_t x = 0; x < inner; x++) dd[x] = lmap[x] < 0 ? f : ss[lmap[x]];
    }
  }
}

gboolean
artem_cpu_wants_bf16 (ArtemPrecision p)
{
  if (p == ARTEM_PRECISION_AUTO) {
    const char *env = g_getenv ("ARTEM_PRECISION");
    if (env && !g_ascii_strcasecmp (env, "fp32"))
      return FALSE;
    if (env && !g_ascii_strcasecmp (env, "bf16"))
      p = ARTEM_PRECISION_BF16;
  }
  return (p == ARTEM_PRECISION_AUTO || p == ARTEM_PRECISION_BF16) &&
         artem_dnnl_bf16_available ();
}
